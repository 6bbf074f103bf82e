/**
 * A warehouse as a catalog location: it lists its relations and describes them, and gives one describe-only
 * spec per relation (`describesOnly`): the catalog joins it, by relation, to the asset another location
 * defines (a dbt model, a Fivetran table) — the warehouse's columns, types and nullability, row count, bytes
 * and last modified merged in — and makes no asset of a relation nobody defines. A relation an asset names
 * that the warehouse does not hold is the catalog's `relation_missing` diagnostic (catalog/graph).
 */
import type { AssetSpec, DefinitionsProvider, Diagnostic, LocationDefinitions, LocationRef, TableStats } from "../../catalog/model/index.ts";
import { LoadError } from "../../catalog/model/index.ts";
import type { RelationDescription, WarehouseEngine, WarehouseType } from "./engine.ts";
import { WarehouseError } from "./engine.ts";
import { IDENTIFIER_RULES } from "./identifiers.ts";
import { warehouseRelationState } from "./tool-state.ts";

export interface WarehouseProviderOptions {
  /** The location name. */
  readonly name: string;
  readonly engine: WarehouseEngine;
  /** What configured it, for people: "dbt profile shop.dev", "tributary.yaml". */
  readonly from?: string;
  readonly now?: () => Date;
}

const ENGINE_NAMES: Record<string, string> = { duckdb: "DuckDB", postgres: "Postgres", snowflake: "Snowflake", bigquery: "BigQuery" };

export function createWarehouseProvider(options: WarehouseProviderOptions): DefinitionsProvider {
  const { name, engine, now = () => new Date() } = options;
  const engineName = ENGINE_NAMES[engine.type] ?? engine.type;
  const location: LocationRef = { name, kind: "warehouse", origin: `${engineName} warehouse ${engine.origin}${options.from ? ` (${options.from})` : ""}` };
  return {
    location,
    async load(loadOptions = {}): Promise<LocationDefinitions> {
      const started = performance.now();
      const signal = loadOptions.signal;
      let described: RelationDescription[];
      try {
        loadOptions.onProgress?.(`listing the relations of ${engine.origin}`);
        const relations = await engine.listRelations(signal ? { signal } : {});
        loadOptions.onProgress?.(`describing ${relations.length} relations`);
        described = await engine.describe(relations, signal ? { signal } : {});
      } catch (error) {
        if (signal?.aborted) {
          const reason = signal.reason instanceof Error ? signal.reason.message : "aborted";
          throw new LoadError("warehouse_load_aborted", `Loading warehouse "${name}" was stopped: ${reason}`, { locationName: name });
        }
        const code = error instanceof WarehouseError ? error.code : "warehouse_unreachable";
        throw new LoadError(code, `Cannot read the warehouse of location "${name}": ${error instanceof Error ? error.message : String(error)}`, { locationName: name });
      }
      const describedAt = now().toISOString();
      const diagnostics: Diagnostic[] = described.length > 0 ? [] : [{
        severity: "warning",
        code: "warehouse_empty",
        message: `The warehouse ${engine.origin} holds no tables or views${engine.type === "duckdb" ? " (or its file does not exist yet)" : ""}: nothing was built or landed there yet`,
        locationName: name,
        assetKey: null,
        nodeId: null,
        at: null,
      }];
      return {
        location,
        specs: described.map((relation) => toSpec(relation, name, engine.type, engineName, describedAt)),
        diagnostics,
        loadedAt: describedAt,
        loadDurationMs: Math.round(performance.now() - started),
      };
    },
  };
}

function toSpec(relation: RelationDescription, locationName: string, engineType: WarehouseType, engineName: string, describedAt: string): AssetSpec {
  const stats: TableStats = {
    source: `${engineName} warehouse`,
    collectedAt: describedAt,
    tableType: relation.kind === "view" ? "VIEW" : "BASE TABLE",
    owner: null,
    rowCount: relation.rowCount,
    bytes: relation.bytes,
    lastModified: relation.lastModified,
    entries: [
      { label: "Rows", value: relation.rowCount === null ? null : String(relation.rowCount), description: relation.rowCountEstimated ? "The warehouse's estimate" : "Counted" },
      { label: "Bytes", value: relation.bytes === null ? null : String(relation.bytes), description: null },
      { label: "Columns", value: String(relation.columns.length), description: null },
    ],
  };
  return {
    key: ["warehouse", locationName, relation.database, relation.schema, relation.name],
    relation: { database: relation.database, schema: relation.schema, name: relation.name },
    kinds: [],
    group: null,
    owners: [],
    tags: [],
    description: null,
    deps: [],
    columns: relation.columns.map((column) => ({ name: column.name, type: column.type, description: null, tags: [], nullable: column.nullable })),
    checks: [],
    policy: null,
    codeVersion: null,
    materializer: null,
    dbtUniqueId: null,
    definedIn: null,
    metadata: warehouseRelationState.write({
      engine: engineType,
      location: locationName,
      relation_kind: relation.kind,
      row_count: relation.rowCount,
      row_count_estimated: relation.rowCountEstimated,
      bytes: relation.bytes,
      last_modified: relation.lastModified,
      comment: relation.comment,
      described_at: describedAt,
    }),
    tableStats: stats,
    describesOnly: true,
    relationNaming: IDENTIFIER_RULES[engineType],
  };
}
