/**
 * The one small interface every warehouse engine keeps (DuckDB, Postgres, Snowflake, BigQuery): list
 * the relations it holds, and describe some of them — columns with types and nullability, row count, bytes,
 * last modified, table or view. Engines hold a connection only for one call (dbt and the Fivetran simulator
 * write the same DuckDB file), and never put a credential in an error.
 */

/** The engines Tributary reads. */
export type WarehouseType = "duckdb" | "postgres" | "snowflake" | "bigquery";

/** A relation as the warehouse names it. */
export interface WarehouseRelation {
  readonly database: string;
  readonly schema: string;
  readonly name: string;
  readonly kind: "table" | "view";
}

export interface WarehouseColumn {
  readonly name: string;
  /** As the warehouse names it: `INTEGER`, `character varying(20)`… */
  readonly type: string;
  /** Null when the warehouse does not say. */
  readonly nullable: boolean | null;
  /** 1-based, in the relation's column order. */
  readonly position: number;
}

/** What the warehouse says about one relation. Null where the engine cannot tell (see each engine). */
export interface RelationDescription extends WarehouseRelation {
  readonly columns: readonly WarehouseColumn[];
  readonly rowCount: number | null;
  /** True when rowCount is the warehouse's estimate (Postgres reltuples), false when counted exactly. */
  readonly rowCountEstimated: boolean;
  readonly bytes: number | null;
  /** ISO 8601. */
  readonly lastModified: string | null;
  readonly comment: string | null;
}

export interface WarehouseCallOptions {
  readonly signal?: AbortSignal;
}

export interface WarehouseEngine {
  readonly type: WarehouseType;
  /** Where it reads, for people (a file path, host:port/db); never a secret. */
  readonly origin: string;
  /** Every table and view outside the engine's system schemas. */
  listRelations(options?: WarehouseCallOptions): Promise<WarehouseRelation[]>;
  /** Those of `relations` that exist, described; a relation that does not exist is left out. */
  describe(relations: readonly WarehouseRelation[], options?: WarehouseCallOptions): Promise<RelationDescription[]>;
}

/** A failure to read a warehouse: an unreachable server, a refused login, an unreadable file. */
export class WarehouseError extends Error {
  override readonly name = "WarehouseError";
  constructor(
    readonly code: "warehouse_unreachable" | "warehouse_auth_failed" | "warehouse_query_failed" | "warehouse_locked" | "warehouse_aborted",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Stops early when the load was aborted. */
export function throwIfAborted(signal: AbortSignal | undefined, origin: string): void {
  if (signal?.aborted) throw new WarehouseError("warehouse_aborted", `Reading the warehouse ${origin} was stopped`);
}

/** Relations grouped as `schema → names`, compared case-insensitively (dbt and Fivetran write unquoted names). */
export function relationKey(relation: { readonly database: string | null; readonly schema: string; readonly name: string }): string {
  return [relation.database ?? "", relation.schema, relation.name].join("\u0000").toLowerCase();
}

/**
 * `work` bounded by `timeoutMs` and `signal`: rejects with warehouse_unreachable ("did not answer within…") or
 * warehouse_aborted, whichever comes first. The work itself is not stopped (a client cannot always cancel a
 * request in flight); it ends on its own.
 */
export async function withinTimeout<T>(work: Promise<T>, options: { readonly timeoutMs: number; readonly signal: AbortSignal | undefined; readonly what: string; readonly origin: string }): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new WarehouseError("warehouse_unreachable", `The ${options.what} ${options.origin} did not answer within ${Math.round(options.timeoutMs / 1000)} s`)), options.timeoutMs);
    onAbort = () => reject(new WarehouseError("warehouse_aborted", `Reading the warehouse ${options.origin} was stopped`));
    options.signal?.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([work, stop]);
  } finally {
    clearTimeout(timer);
    if (onAbort) options.signal?.removeEventListener("abort", onAbort);
  }
}

/** A count or size as a warehouse returns it (a number, a numeric string, null). */
export function numberOrNull(value: unknown): number | null {
  if (value === null || value === undefined || value === "") return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}
