/**
 * Tributary's catalog model: the pure types every part builds on. No I/O, and no imports of ours.
 *
 * Glossary
 * - asset: a thing a tool produces and keeps in a warehouse or a business tool (a table, a view, a synced
 *   destination object). The unit of lineage and of automation.
 * - key: an asset's identity, a path of strings (`["marts", "customers"]`), shown joined with "/".
 * - relation: where an asset lives in a warehouse (`database.schema.name`). Two specs with the same relation
 *   are one asset, whatever their keys.
 * - location: one configured source of definitions — a dbt project, a Fivetran account, a Census workspace.
 *   Each loads and fails on its own.
 * - spec: what a location says about one asset (key, relation, deps, metadata, checks, policy).
 * - check: a test of an asset's data (a dbt test), attached to one asset and possibly reading others.
 * - materialization: an event saying an asset's data was (re)built. observation: an event saying it was seen.
 * - policy / condition: when an asset should be materialized, declared by the user (eager, on_cron, …).
 * - evaluation: the value of an asset's condition at one tick, with the reason for every node.
 * - tick: one pass of the scheduler over every condition, from one frozen snapshot of state.
 * - run: one launch of a tool (a `dbt build`, a Fivetran sync, a Census trigger) for a set of assets.
 * - diagnostic: something wrong or dangling found while loading, shown to users and never hidden.
 */
import type { RelationNaming } from "./relation-naming.ts";
import type { Condition } from "./condition.ts";
import type { PartitionsDefinition } from "./partitions.ts";
import type { AssetScheduleSpec } from "./schedules.ts";

export type { Condition } from "./condition.ts";

/** An asset's identity: a non-empty path of strings. */
export type AssetKey = readonly string[];

/** The separator of a key's string form: `["marts", "customers"]` is shown `marts/customers`. */
export const KEY_SEPARATOR = "/";

/** The string form of a key; "/" inside a part is escaped so the form stays reversible. */
export function keyToString(key: AssetKey): string {
  return key.map((part) => part.replaceAll("\\", "\\\\").replaceAll("/", "\\/")).join(KEY_SEPARATOR);
}

/** Parses the string form of a key (`a/b/c`, with `\/` for a slash inside a part). */
export function keyFromString(text: string): string[] {
  const parts: string[] = [];
  let current = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "\\" && i + 1 < text.length) {
      current += text[++i];
    } else if (ch === KEY_SEPARATOR) {
      parts.push(current);
      current = "";
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

/** Where an asset lives in a warehouse, named the way the warehouse names it. */
export interface Relation {
  readonly database: string | null;
  readonly schema: string;
  readonly name: string;
}

/** `database.schema.name`, or `schema.name` without a database. */
export function relationFullName(relation: Relation): string {
  return [relation.database, relation.schema, relation.name].filter((p) => p !== null && p !== "").join(".");
}

/**
 * The form in which two relations are compared. Warehouses fold unquoted identifiers (Snowflake to upper,
 * Postgres/DuckDB/Redshift to lower, BigQuery datasets are case-sensitive but tables are compared as named);
 * dbt and Fivetran both write unquoted identifiers, so a case-insensitive comparison is right for every
 * adapter we read today. Kept in one place so a quoting-aware rule can replace it.
 */
export function relationIdentity(relation: Relation): string {
  return relationFullName(relation).toLowerCase();
}

/** One column of an asset. */
export interface ColumnSpec {
  readonly name: string;
  readonly type: string | null;
  readonly description: string | null;
  readonly tags: readonly string[];
  /** Whether the warehouse lets it hold nulls, when a warehouse said (null: it cannot tell, e.g. a view's). */
  readonly nullable?: boolean | null;
  /**
   * Set by the catalog when a warehouse location describes the asset: true when the warehouse holds the column,
   * false when a tool documents it but the warehouse does not have it (documented but missing).
   */
  readonly inWarehouse?: boolean | null;
  /**
   * Set by the catalog when a warehouse location describes the asset: false when only the warehouse has the
   * column (present but undocumented).
   */
  readonly documented?: boolean | null;
}

/** A test of an asset's data (a dbt test becomes one). */
export interface CheckSpec {
  /** Unique per asset: the test's name. */
  readonly name: string;
  /** The key of the asset the check is attached to. */
  readonly assetKey: AssetKey;
  readonly description: string | null;
  /** True when a failure should block downstream work (dbt severity `error`). */
  readonly blocking: boolean;
  /** Other assets the check reads (the `to` table of a relationships test). */
  readonly additionalDeps: readonly AssetKey[];
  /** The column the check tests, when it tests one. */
  readonly columnName: string | null;
  /** The tool's own id for the test (dbt unique_id). */
  readonly sourceId: string | null;
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** The named policies users write in `meta.dagster.auto_materialize_policy`. */
export type PolicyType = "eager" | "lazy" | "on_cron" | "on_missing";

/**
 * A policy as declared. The catalog keeps the declaration and where it came from, so a user can be shown
 * both; an `automation_condition` also keeps its typed tree, parsed once by the loader (./condition.ts). The
 * scheduler compiles the tree it stands for.
 */
export type PolicySpec =
  | {
      readonly source: "auto_materialize_policy";
      readonly type: PolicyType;
      readonly cronSchedule: string | null;
      readonly cronTimezone: string | null;
      /**
       * `minimum_interval` (Tributary's own): the asset is not requested sooner than this many seconds after
       * its last materialization or request; what its policy wants in between waits and runs once when the
       * interval ends. Absent or null: no interval.
       */
      readonly minimumIntervalSeconds?: number | null;
      readonly declaredIn: SourceLocation;
    }
  | {
      readonly source: "automation_condition";
      /** The YAML form of the condition tree, as declared (shown to people). */
      readonly condition: unknown;
      /**
       * The typed tree the loader parsed from `condition`. Always set by the parser (policy.ts); absent only in
       * specs written by hand or stored before it existed, whose `condition` is then parsed when compiled.
       */
      readonly tree?: Condition;
      readonly declaredIn: SourceLocation;
    };

/**
 * A policy declared in tributary.yaml for the assets whose key matches a glob: how Fivetran tables, Census
 * syncs and other non-dbt assets get policies. A policy an asset declares itself (dbt YAML) wins.
 */
export interface PolicyRule {
  /** Key glob matched against the key's string form: `*` within one part, `**` across parts, `?` one character. */
  readonly assets: string;
  /** Null when the declaration is invalid; `errors` then says why. */
  readonly policy: PolicySpec | null;
  readonly errors: readonly string[];
  readonly declaredIn: SourceLocation;
}

/** A place in a user's files: the file and, when known, the line and the path of the field within it. */
export interface SourceLocation {
  readonly file: string | null;
  readonly line?: number | null;
  /** A dotted/JSON path to the field, e.g. `nodes["model.shop.orders"].config.meta.dagster`. */
  readonly path?: string | null;
}

/** A dependency of an asset on another, given by key or (for cross-tool joins) by relation. */
export type AssetDep =
  | { readonly kind: "key"; readonly key: AssetKey }
  | { readonly kind: "relation"; readonly relation: Relation };

/** Which tool can (re)build an asset, and how its runs are addressed. */
export interface MaterializerRef {
  /** The tool: "dbt", "fivetran", "census". */
  readonly tool: string;
  /** The location that owns the launch. */
  readonly locationName: string;
  /** The tool's own id for what runs (dbt unique_id, Fivetran connector id, Census sync id). */
  readonly runTargetId: string;
}

/**
 * What the warehouse says about a table: read from dbt's catalog.json today (`dbt docs generate`), from the
 * warehouse connectors later. Row count and bytes only where the adapter reports them.
 */
export interface TableStats {
  /** Where the figures come from, e.g. "dbt catalog.json". */
  readonly source: string;
  /** When they were collected, ISO 8601, when known. */
  readonly collectedAt: string | null;
  /** As the warehouse names it: "BASE TABLE", "VIEW"… */
  readonly tableType: string | null;
  readonly owner: string | null;
  readonly rowCount: number | null;
  readonly bytes: number | null;
  /** As the warehouse reports it. */
  readonly lastModified: string | null;
  /** Every statistic as reported, for display. */
  readonly entries: readonly { readonly label: string; readonly value: string | null; readonly description: string | null }[];
}

/** A source table's freshness as last checked (dbt's `sources.json`, from `dbt source freshness`). */
export interface SourceFreshness {
  /** Where it comes from, e.g. "dbt sources.json". */
  readonly source: string;
  /** As dbt reports it: "pass", "warn", "error" or "runtime error". */
  readonly status: string;
  /** When the newest row was loaded, ISO 8601. */
  readonly maxLoadedAt: string | null;
  /** When it was checked, ISO 8601. */
  readonly checkedAt: string | null;
  /** maxLoadedAt's age when it was checked, in seconds. */
  readonly ageSeconds: number | null;
  /** The policy, e.g. "12 hours"; null when not set. */
  readonly warnAfter: string | null;
  readonly errorAfter: string | null;
  readonly filter: string | null;
  /** Why the check failed (a runtime error). */
  readonly error: string | null;
}

/** What one location says about one asset. */
export interface AssetSpec {
  readonly key: AssetKey;
  readonly relation: Relation | null;
  readonly kinds: readonly string[];
  readonly group: string | null;
  readonly owners: readonly string[];
  readonly tags: readonly string[];
  readonly description: string | null;
  readonly deps: readonly AssetDep[];
  readonly columns: readonly ColumnSpec[];
  readonly checks: readonly CheckSpec[];
  readonly policy: PolicySpec | null;
  readonly codeVersion: string | null;
  /** The tool that builds this asset; null for an asset that is only read (a dbt source). */
  readonly materializer: MaterializerRef | null;
  /** dbt's unique_id when the asset comes from dbt. */
  readonly dbtUniqueId: string | null;
  /** Where the asset is declared in the user's files. */
  readonly definedIn: SourceLocation | null;
  /** Tool-specific facts (materialization type, connector state…), JSON-serializable. */
  readonly metadata: Readonly<Record<string, unknown>>;
  /** What the warehouse says about the table, when the location knows (dbt's catalog.json). */
  readonly tableStats?: TableStats | null;
  /** The source's freshness as last checked, when the location knows (dbt's sources.json). */
  readonly freshness?: SourceFreshness | null;
  /**
   * True when the location only declares a table that another tool loads (a dbt source): when the catalog
   * has an ingestion location and nothing materializes the asset, it is reported (`unfed_source`).
   */
  readonly loadedExternally?: boolean;
  /**
   * True when the asset copies what it reads elsewhere (a Census sync): a dependency that no location builds
   * (unresolved, or resolved to an asset without a materializer) is reported (`unbuilt_dependency`).
   */
  readonly readsBuiltAssets?: boolean;
  /**
   * True when the location only describes a relation that others define (a warehouse location): the spec joins
   * the asset with the same relation — its columns' types and nullability and its table statistics win — and
   * never makes an asset, an alias or a key of its own.
   */
  readonly describesOnly?: boolean;
  /**
   * The tool runs this asset on a schedule of its own (a Census sync scheduled in Census), and the location
   * was told to respect it: no policy applies to the asset, so Tributary never adds runs to the tool's own;
   * the tool's runs are still observed and recorded. A declared policy is dropped with a
   * `policy_yields_to_tool_schedule` warning.
   */
  readonly scheduledByTool?: { readonly tool: string; readonly schedule: string; readonly howToTrigger: string } | null;
  /**
   * A describe-only spec's warehouse naming rules: the asset whose relation it joins must name it by them
   * (Snowflake's `orders` is `ORDERS`, not a quoted `"orders"`; BigQuery's `Orders` is not `orders`). Without
   * rules, relations equal ignoring case join.
   */
  readonly relationNaming?: RelationNaming;
  /** The asset's time partitions, when it is partitioned (./partitions.ts); absent or null: unpartitioned. */
  readonly partitions?: PartitionsDefinition | null;
  /** Schedules declared beside the asset (dbt YAML `meta.tributary.schedule`, ./schedules.ts); absent: none. */
  readonly schedules?: readonly AssetScheduleSpec[];
}

export type DiagnosticSeverity = "error" | "warning" | "info";

/** Something found wrong or dangling while loading; shown with the asset and location it concerns. */
export interface Diagnostic {
  readonly severity: DiagnosticSeverity;
  /** Stable machine-readable code, e.g. `invalid_policy`, `dangling_source`. */
  readonly code: string;
  readonly message: string;
  readonly locationName: string;
  readonly assetKey: AssetKey | null;
  /** The tool's node id at fault (dbt unique_id…). */
  readonly nodeId: string | null;
  readonly at: SourceLocation | null;
}

export type LocationKind = "dbt" | "fivetran" | "census" | "warehouse";

/** Kinds of location that land raw tables in the warehouse (what feeds a dbt source). */
export const INGESTION_LOCATION_KINDS: readonly LocationKind[] = ["fivetran"];

/** A configured source of definitions. */
export interface LocationRef {
  readonly name: string;
  readonly kind: LocationKind;
  /** Human description of where it loads from (a path, an account id); never a secret. */
  readonly origin: string;
}

/** The result of loading one location: everything it says, ready to unify. Plain data, serializable. */
export interface LocationDefinitions {
  readonly location: LocationRef;
  readonly specs: readonly AssetSpec[];
  readonly diagnostics: readonly Diagnostic[];
  readonly loadedAt: string;
  /** How long the load took, in milliseconds. */
  readonly loadDurationMs: number;
  /**
   * Work that completes these definitions after they are served (a dbt manifest's column lineage): the catalog
   * service swaps the definitions in at once, runs this in the background, and swaps its result in (and stores
   * it) unless a newer load of the location was swapped in first. Never stored itself.
   */
  readonly followUp?: LocationFollowUp;
}

/** See {@link LocationDefinitions.followUp}. */
export interface LocationFollowUp {
  /** What it computes, for progress, logs and the API ("column lineage"). */
  readonly describe: string;
  /**
   * The complete definitions: the same as those it follows, with what it computed. Aborted (it should stop its
   * work and reject) when a newer load of the location is swapped in or the service stops.
   */
  run(options: { readonly signal: AbortSignal; readonly onProgress?: (done: number, total: number) => void }): Promise<LocationDefinitions>;
}

/** The definitions as a location serves them once its follow-up is done (for tools and tests that load a provider alone). */
export async function completeDefinitions(definitions: LocationDefinitions, signal: AbortSignal = new AbortController().signal): Promise<LocationDefinitions> {
  if (!definitions.followUp) return definitions;
  return withoutFollowUp(await definitions.followUp.run({ signal }));
}

/** The definitions without their follow-up: what is stored and built into a graph. */
export function withoutFollowUp(definitions: LocationDefinitions): LocationDefinitions {
  if (!("followUp" in definitions)) return definitions;
  const { followUp: _followUp, ...rest } = definitions;
  return rest;
}

/** What a connector implements to contribute definitions to the catalog. */
export interface DefinitionsProvider {
  readonly location: LocationRef;
  /** Fetches and translates. Throws a {@link LoadError} (never returns half a result) when the input is bad. */
  load(options?: { readonly signal?: AbortSignal; readonly onProgress?: (message: string) => void }): Promise<LocationDefinitions>;
}

/**
 * A load that could not produce definitions: bad input, an unreachable tool. It names the file and the node
 * or JSON path at fault so a user can go straight to it.
 */
export class LoadError extends Error {
  override readonly name = "LoadError";
  readonly code: string;
  readonly locationName: string | null;
  readonly file: string | null;
  readonly nodeId: string | null;
  readonly jsonPath: string | null;

  constructor(
    code: string,
    message: string,
    context: {
      locationName?: string | null;
      file?: string | null;
      nodeId?: string | null;
      jsonPath?: string | null;
      cause?: unknown;
    } = {},
  ) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.code = code;
    this.locationName = context.locationName ?? null;
    this.file = context.file ?? null;
    this.nodeId = context.nodeId ?? null;
    this.jsonPath = context.jsonPath ?? null;
  }
}
export * from "./condition.ts";
export * from "./connector.ts";
export * from "./evaluation.ts";
export * from "./events.ts";
export * from "./key-glob.ts";
export * from "./partitions.ts";
export * from "./policy.ts";
export * from "./relation-naming.ts";
export * from "./runs.ts";
export * from "./schedules.ts";
export * from "./lazy-columns.ts";
export * from "./compact-column-lineage.ts";
