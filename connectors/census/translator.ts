/**
 * Turns a Census workspace snapshot into asset specs, without I/O. Each sync is one asset (CensusComponent
 * parity): key `clean_name(label ?? resource_identifier ?? "sync_<id>")`, kinds `census` + the destination
 * type, columns from the field mappings' `to`, materializer `{tool: "census", runTargetId: <sync id>}`.
 *
 * Its upstream is what it reads, resolved in the unified catalog:
 * - a `table` source → a dependency by relation `table_catalog.table_schema.table_name`;
 * - a model (SQL or dbt: Census calls both `model`; a dbt model has `compiled_query`) whose SQL reads exactly
 *   one fully qualified relation (`select … from db.schema.table`) → a dependency by that relation;
 * - a dbt model whose SQL is anything else → a dependency by key `[model name]` (dbt's default key);
 * - any other SQL model → no dependency, and an info diagnostic saying why.
 * The spec sets `readsBuiltAssets`, so the catalog graph reports a sync whose upstream no location builds.
 */
import { censusSyncState } from "./tool-state.ts";
import type { AssetDep, AssetKey, AssetSpec, ColumnSpec, Diagnostic, Relation } from "../../catalog/model/index.ts";
import type { CensusMapping, CensusSourceObject, CensusSync } from "./schemas.ts";
import type { CensusWorkspaceSnapshot } from "./snapshot.ts";

export const CENSUS_TOOL = "census";

export interface CensusTranslatorOptions {
  readonly locationName: string;
  /** Where links to syncs point (default: the API's origin, e.g. https://app.getcensus.com). */
  readonly appUrl?: string;
  /**
   * A sync that Census runs on a schedule of its own (not `never`, not paused): `respect` (the default) marks it
   * `scheduledByTool`, so the catalog applies no policy to it and Tributary never syncs it on top of Census's
   * schedule; `trigger` leaves it to the policies.
   */
  readonly scheduledSyncs?: "respect" | "trigger";
}

/** True when Census itself runs the sync: a schedule other than `never` (or none), and not paused. */
export function runsOnCensusSchedule(sync: Pick<CensusSync, "schedule_frequency" | "paused">): boolean {
  const frequency = sync.schedule_frequency?.trim().toLowerCase() ?? "";
  return frequency !== "" && frequency !== "never" && frequency !== "manual" && sync.paused !== true;
}

/** Dagster's `clean_name`: lower case, runs of anything but letters, digits and `_` become `_`. */
export function cleanName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_]+/g, "_");
}

/** The sync's display name, as dagster-census reads it. */
export function syncName(sync: Pick<CensusSync, "id" | "label" | "resource_identifier">): string {
  return sync.label ?? sync.resource_identifier ?? `sync_${sync.id}`;
}

export function syncAssetKey(sync: Pick<CensusSync, "id" | "label" | "resource_identifier">): AssetKey {
  return [cleanName(syncName(sync))];
}

/** What a sync reads, in our words. */
export interface SyncSource {
  readonly kind: "table" | "dbt_model" | "sql_model" | "other";
  /** Human form: `warehouse.analytics.customers`, `dbt model customers`. */
  readonly display: string;
  readonly relation: Relation | null;
  readonly modelName: string | null;
}

const identifier = String.raw`(?:"[^"]+"|[A-Za-z_][A-Za-z0-9_$]*)`;
const singleRelation = new RegExp(String.raw`^\s*select\s+[\s\S]+?\s+from\s+(${identifier})\.(${identifier})\.(${identifier})\s*;?\s*$`, "i");
const unquote = (part: string) => (part.startsWith('"') ? part.slice(1, -1) : part);

/** The one relation `select … from db.schema.table` reads (no join, no subquery), or null. */
export function relationOfQuery(query: string | null): Relation | null {
  if (!query) return null;
  const match = singleRelation.exec(query);
  if (!match || /\b(join|union|where\s+exists)\b|\(\s*select/i.test(query)) return null;
  return { database: unquote(match[1]!), schema: unquote(match[2]!), name: unquote(match[3]!) };
}

export function syncSource(object: CensusSourceObject): SyncSource {
  if (object.type === "table" && object.table_schema && object.table_name) {
    const relation = { database: object.table_catalog, schema: object.table_schema, name: object.table_name };
    return { kind: "table", display: [relation.database, relation.schema, relation.name].filter(Boolean).join("."), relation, modelName: null };
  }
  if (object.type === "model" || object.type === "dbt_model") {
    const dbt = object.type === "dbt_model" || object.compiled_query !== null;
    const relation = relationOfQuery(object.compiled_query ?? object.query);
    return { kind: dbt ? "dbt_model" : "sql_model", display: `${dbt ? "dbt model" : "SQL model"} ${object.name ?? object.id ?? "?"}`, relation, modelName: object.name };
  }
  return { kind: "other", display: `${object.type} ${object.name ?? object.id ?? "?"}`, relation: null, modelName: object.name };
}

/** The mapping's source side: a column name, or a constant. */
export function mappingFrom(mapping: CensusMapping): string {
  const { type, data } = mapping.from;
  if (type === "column" && typeof data === "string") return data;
  if (type === "constant_value" && typeof data === "object" && data !== null && "value" in data) return `constant ${JSON.stringify((data as { value: unknown }).value)}`;
  return `${type} ${JSON.stringify(data)}`;
}

/** A human schedule: `never`, `daily at 06:30`, `expression 0 * * * *`. */
export function scheduleText(sync: CensusSync): string {
  const frequency = sync.schedule_frequency ?? "never";
  if (frequency === "expression") return `expression ${sync.cron_expression ?? "?"}`;
  const at = sync.schedule_hour != null ? ` at ${String(sync.schedule_hour).padStart(2, "0")}:${String(sync.schedule_minute ?? 0).padStart(2, "0")}` : "";
  return `${frequency}${sync.schedule_day != null ? ` on ${sync.schedule_day}` : ""}${at}`;
}

export function syncUrl(appUrl: string, syncId: string): string {
  return `${appUrl.replace(/\/+$/, "")}/syncs/${encodeURIComponent(syncId)}/overview`;
}

/** The sync's definition as asset metadata (`census/…` keys); read back by the API. */
export function syncMetadata(sync: CensusSync, context: { readonly destinationName: string | null; readonly destinationType: string; readonly appUrl: string }): Record<string, unknown> {
  const source = syncSource(sync.source_attributes.object);
  return censusSyncState.write({
    sync_id: sync.id,
    label: syncName(sync),
    operation: sync.operation,
    paused: sync.paused,
    health: sync.status,
    schedule: scheduleText(sync),
    source_kind: source.kind,
    source_object: source.display,
    source_connection_id: sync.source_attributes.connection_id,
    destination_connection_id: sync.destination_attributes.connection_id,
    destination_name: context.destinationName,
    destination_type: context.destinationType,
    destination_object: sync.destination_attributes.object,
    mappings: sync.mappings.map((m) => ({ from: mappingFrom(m), to: m.to, primary: m.is_primary_identifier === true })),
    url: syncUrl(context.appUrl, sync.id),
  });
}

/** The destination type: its `type` when Census sends one, else its name (`Braze` → `braze`). */
export function destinationType(destination: { readonly type: string | null; readonly name: string } | undefined): string {
  if (!destination) return "unknown";
  return cleanName(destination.type ?? destination.name).replace(/^_+|_+$/g, "") || "unknown";
}

export function translateCensusWorkspace(snapshot: CensusWorkspaceSnapshot, options: CensusTranslatorOptions & { readonly apiBaseUrl?: string }): { specs: AssetSpec[]; diagnostics: Diagnostic[] } {
  const { locationName } = options;
  const appUrl = options.appUrl ?? (options.apiBaseUrl ? new URL(options.apiBaseUrl).origin : "https://app.getcensus.com");
  const destinations = new Map(snapshot.destinations.map((d) => [d.id, d]));
  const specs: AssetSpec[] = [];
  const diagnostics: Diagnostic[] = [];
  const seen = new Map<string, string>();
  for (const sync of [...snapshot.syncs].sort((a, b) => a.id.localeCompare(b.id, "en", { numeric: true }))) {
    const key = syncAssetKey(sync);
    const diagnostic = (severity: Diagnostic["severity"], code: string, message: string) =>
      diagnostics.push({ severity, code, message, locationName, assetKey: key, nodeId: sync.id, at: null });
    const other = seen.get(key.join("/"));
    if (other !== undefined) {
      diagnostic("error", "duplicate_census_sync", `Census syncs ${other} and ${sync.id} are both named "${key.join("/")}"; sync ${other} is kept — give one a distinct label`);
      continue;
    }
    seen.set(key.join("/"), sync.id);
    const destination = destinations.get(sync.destination_attributes.connection_id);
    const type = destinationType(destination);
    const source = syncSource(sync.source_attributes.object);
    const deps: AssetDep[] = [];
    if (source.relation) deps.push({ kind: "relation", relation: source.relation });
    else if (source.kind === "dbt_model" && source.modelName) deps.push({ kind: "key", key: [source.modelName] });
    else diagnostic("info", "census_source_unresolved", `Census sync ${sync.id} (${syncName(sync)}) reads ${source.display}, which Tributary cannot name as a relation; it has no upstream in the catalog`);
    const columns: ColumnSpec[] = sync.mappings.map((m) => ({ name: m.to, type: m.field_type, description: `from ${mappingFrom(m)}`, tags: m.is_primary_identifier ? ["primary_identifier"] : [] }));
    specs.push({
      key,
      relation: null,
      kinds: [CENSUS_TOOL, type],
      group: null,
      owners: [],
      tags: [],
      description: `Census ${sync.operation} of ${source.display} into ${destination?.name ?? `destination ${sync.destination_attributes.connection_id}`} ${sync.destination_attributes.object}`,
      deps,
      columns,
      checks: [],
      policy: null,
      codeVersion: null,
      materializer: { tool: CENSUS_TOOL, locationName, runTargetId: sync.id },
      dbtUniqueId: null,
      definedIn: null,
      metadata: { ...syncMetadata(sync, { destinationName: destination?.name ?? null, destinationType: type, appUrl }), ...censusSyncState.write({ snapshot_fetched_at: snapshot.fetchedAt, api_version: snapshot.apiVersion }) },
      readsBuiltAssets: true,
      scheduledByTool:
        (options.scheduledSyncs ?? "respect") === "respect" && runsOnCensusSchedule(sync)
          ? {
              tool: "Census",
              schedule: scheduleText(sync),
              howToTrigger: `To have Tributary sync it when its upstream changes, set the sync's schedule to manual in Census, or set scheduled_syncs: trigger on the "${locationName}" workspace in tributary.yaml.`,
            }
          : null,
    });
  }
  return { specs, diagnostics };
}
