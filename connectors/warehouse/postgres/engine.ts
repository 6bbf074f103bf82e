/**
 * Postgres: read through `pg`, one client per call, connected and ended within it. Relations and columns come
 * from pg_catalog (tables, partitioned tables, views and materialized views outside the system schemas); row
 * count is the planner's estimate (`pg_class.reltuples`, -1 or 0 before the first ANALYZE/VACUUM, reported as
 * null and 0), bytes `pg_total_relation_size` (table, indexes and TOAST). Postgres keeps no modification time
 * of a table (commit timestamps are off by default), so lastModified is null. Errors name host, port and
 * database, never the password.
 */
import pg from "pg";
import type { RelationDescription, WarehouseCallOptions, WarehouseColumn, WarehouseEngine, WarehouseRelation } from "../engine.ts";
import { WarehouseError, throwIfAborted } from "../engine.ts";
import { IDENTIFIER_RULES, findRelations } from "../identifiers.ts";

export interface PostgresWarehouseOptions {
  readonly host: string;
  readonly port?: number;
  readonly user?: string | null;
  readonly password?: string | null;
  readonly database: string;
  /** Only these schemas (default: every schema but pg_catalog, information_schema and pg_toast…). */
  readonly schemas?: readonly string[] | null;
  /** How long to wait for the server to answer a connection or a query (default 10 s). */
  readonly timeoutMs?: number;
}

export interface PostgresWarehouse extends WarehouseEngine {
  readonly type: "postgres";
  readonly database: string;
}

const SYSTEM_SCHEMAS = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'";

export function createPostgresWarehouse(options: PostgresWarehouseOptions): PostgresWarehouse {
  const { host, port = 5432, database, schemas = null, timeoutMs = 10_000 } = options;
  const origin = `postgres://${host}:${port}/${database}`;
  const password = options.password ?? null;
  const redact = (text: string): string => (password ? text.split(password).join("***") : text);

  async function withClient<T>(signal: AbortSignal | undefined, work: (client: pg.Client) => Promise<T>): Promise<T> {
    throwIfAborted(signal, origin);
    const client = new pg.Client({
      host,
      port,
      database,
      ...(options.user ? { user: options.user } : {}),
      ...(password ? { password } : {}),
      connectionTimeoutMillis: timeoutMs,
      query_timeout: timeoutMs,
      statement_timeout: timeoutMs,
      application_name: "tributary-warehouse",
    });
    client.on("error", () => undefined); // a dropped connection surfaces as the query's error
    const abort = () => void client.end().catch(() => undefined);
    signal?.addEventListener("abort", abort, { once: true });
    try {
      try {
        await client.connect();
      } catch (error) {
        const code = (error as { code?: string }).code;
        const message = redact(error instanceof Error ? error.message : String(error));
        if (code === "28P01" || code === "28000") throw new WarehouseError("warehouse_auth_failed", `The Postgres warehouse ${origin} refused the login: ${message}`);
        throw new WarehouseError("warehouse_unreachable", `Cannot connect to the Postgres warehouse ${origin}: ${message}`);
      }
      try {
        await client.query("SET TRANSACTION READ ONLY").catch(() => undefined);
        return await work(client);
      } catch (error) {
        if (error instanceof WarehouseError) throw error;
        throwIfAborted(signal, origin);
        throw new WarehouseError("warehouse_query_failed", `Reading the Postgres warehouse ${origin} failed: ${redact(error instanceof Error ? error.message : String(error))}`);
      }
    } finally {
      signal?.removeEventListener("abort", abort);
      await client.end().catch(() => undefined);
    }
  }

  const schemaFilter = (params: unknown[]): string => {
    if (schemas === null) return SYSTEM_SCHEMAS;
    params.push(schemas.map((s) => s.toLowerCase()));
    return `lower(n.nspname) = ANY($${params.length}::text[])`;
  };

  async function list(client: pg.Client): Promise<(WarehouseRelation & { oid: number; relkind: string })[]> {
    const params: unknown[] = [];
    const result = await client.query<{ oid: number; schema: string; name: string; relkind: string; db: string }>(
      `SELECT c.oid::int AS oid, n.nspname AS schema, c.relname AS name, c.relkind::text AS relkind, current_database() AS db
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition AND ${schemaFilter(params)}
        ORDER BY 2, 3`,
      params,
    );
    return result.rows.map((row) => ({ oid: row.oid, relkind: row.relkind, database: row.db, schema: row.schema, name: row.name, kind: row.relkind === "v" ? "view" : "table" }));
  }

  return {
    type: "postgres",
    origin,
    database,
    async listRelations(callOptions: WarehouseCallOptions = {}) {
      const found = await withClient(callOptions.signal, list);
      return found.map(({ database: db, schema, name, kind }) => ({ database: db, schema, name, kind }));
    },
    describe(relations, callOptions: WarehouseCallOptions = {}) {
      if (relations.length === 0) return Promise.resolve([]);
      return withClient(callOptions.signal, async (client) => {
        const wanted = findRelations(relations, await list(client), IDENTIFIER_RULES.postgres);
        if (wanted.length === 0) return [];
        const oids = wanted.map((relation) => relation.oid);
        const columns = new Map<number, (WarehouseColumn & { notnull: boolean })[]>();
        const columnRows = await client.query<{ oid: number; name: string; type: string; notnull: boolean; position: number }>(
          `SELECT a.attrelid::int AS oid, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull, a.attnum::int AS position
             FROM pg_attribute a WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attrelid, a.attnum`,
          [oids],
        );
        for (const row of columnRows.rows) {
          const list = columns.get(row.oid) ?? [];
          list.push({ name: row.name, type: row.type, nullable: null, position: list.length + 1, notnull: row.notnull });
          columns.set(row.oid, list);
        }
        const stats = new Map<number, { reltuples: number; bytes: string | null; comment: string | null }>();
        const statRows = await client.query<{ oid: number; reltuples: number; bytes: string | null; comment: string | null }>(
          `SELECT c.oid::int AS oid, c.reltuples::float8 AS reltuples,
                  CASE WHEN c.relkind IN ('r', 'p', 'm') THEN pg_total_relation_size(c.oid)::text END AS bytes,
                  obj_description(c.oid, 'pg_class') AS comment
             FROM pg_class c WHERE c.oid = ANY($1::oid[])`,
          [oids],
        );
        for (const row of statRows.rows) stats.set(row.oid, row);
        return wanted.map(({ oid, relkind, ...relation }): RelationDescription => {
          const stat = stats.get(oid);
          const hasRows = relkind === "r" || relkind === "p" || relkind === "m";
          const nullableKnown = relkind === "r" || relkind === "p" || relkind === "f";
          return {
            ...relation,
            // A view's columns carry no NOT NULL: Postgres cannot tell whether they may be null.
            columns: (columns.get(oid) ?? []).map(({ notnull, ...column }) => ({ ...column, nullable: nullableKnown ? !notnull : null })),
            // reltuples is -1 for a table never vacuumed or analyzed: unknown.
            rowCount: hasRows && stat && stat.reltuples >= 0 ? Math.round(stat.reltuples) : null,
            rowCountEstimated: true,
            bytes: stat?.bytes != null ? Number(stat.bytes) : null,
            lastModified: null,
            comment: stat?.comment ?? null,
          };
        });
      });
    },
  };
}
