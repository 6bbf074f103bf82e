/**
 * dbt's `catalog.json` (written by `dbt docs generate`): what the warehouse says about each relation dbt knows,
 * its columns with their real types, and adapter statistics (rows and bytes on Snowflake, BigQuery and
 * Redshift; none on Postgres or DuckDB). It enriches the assets a manifest defines: column types the YAML does
 * not declare, columns it does not document, and table statistics. Optional and secondary: a catalog that cannot
 * be read is a warning on the location, never a failed load.
 */
import { z } from "zod";
import type { AssetSpec, ColumnSpec, LocationDefinitions, TableStats } from "../../catalog/model/index.ts";
import { copyWithColumns } from "../../catalog/model/index.ts";
import { parseArtifact, readArtifactText, withOptionalArtifact } from "./optional-artifact.ts";

/** One statistic as the adapter reports it (`stats.<id>` in catalog.json). */
const statSchema = z.object({
  id: z.string(),
  label: z.string(),
  value: z.union([z.string(), z.number(), z.boolean(), z.null()]),
  include: z.boolean(),
  description: z.string().nullish(),
});

const tableSchema = z.object({
  metadata: z.object({
    type: z.string().nullish(),
    schema: z.string(),
    name: z.string(),
    database: z.string().nullish(),
    comment: z.string().nullish(),
    owner: z.string().nullish(),
  }),
  columns: z.record(
    z.string(),
    z.object({ type: z.string().nullish(), index: z.number(), name: z.string(), comment: z.string().nullish() }),
  ),
  stats: z.record(z.string(), statSchema),
  unique_id: z.string().nullish(),
});

const catalogSchema = z.object({
  metadata: z.object({
    dbt_schema_version: z.string().regex(/\/catalog\/v\d+\.json$/, "is not a dbt catalog schema"),
    dbt_version: z.string().nullish(),
    generated_at: z.string().nullish(),
  }),
  nodes: z.record(z.string(), tableSchema),
  sources: z.record(z.string(), tableSchema),
});

export interface CatalogColumn {
  readonly name: string;
  readonly type: string | null;
  readonly comment: string | null;
}

/** What catalog.json says about one relation. */
export interface CatalogTable {
  readonly columns: readonly CatalogColumn[];
  readonly stats: TableStats;
}

export interface DbtCatalog {
  readonly file: string;
  /** By dbt unique_id (models, seeds, snapshots and sources alike). */
  readonly tables: ReadonlyMap<string, CatalogTable>;
}

/** Statistics whose ids name the same fact across adapters. */
const ROW_COUNT_IDS = ["row_count", "num_rows", "rows"];
/** Redshift's `size` is already in bytes: dbt-redshift multiplies its count of 1 MB blocks by 1,000,000. */
const BYTES_IDS = ["bytes", "num_bytes", "size"];
const LAST_MODIFIED_IDS = ["last_modified"];

function numberOf(value: string | number | boolean | null | undefined): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
  return null;
}

function toTable(table: z.infer<typeof tableSchema>, generatedAt: string | null): CatalogTable {
  const stats = Object.values(table.stats).filter((stat) => stat.include && stat.id !== "has_stats");
  const find = (ids: readonly string[]) => stats.find((stat) => ids.includes(stat.id));
  const bytes = numberOf(find(BYTES_IDS)?.value);
  const lastModified = find(LAST_MODIFIED_IDS)?.value;
  return {
    columns: Object.values(table.columns)
      .sort((a, b) => a.index - b.index)
      .map((column) => ({ name: column.name, type: column.type ?? null, comment: column.comment ?? null })),
    stats: {
      source: "dbt catalog.json",
      collectedAt: generatedAt,
      tableType: table.metadata.type ?? null,
      owner: table.metadata.owner ?? null,
      rowCount: numberOf(find(ROW_COUNT_IDS)?.value),
      bytes,
      lastModified: lastModified === undefined || lastModified === null ? null : String(lastModified),
      entries: stats.map((stat) => ({ label: stat.label, value: stat.value === null ? null : String(stat.value), description: stat.description ?? null })),
    },
  };
}

/** Validates catalog.json text; errors name the file and the JSON path at fault. */
export function parseDbtCatalog(text: string, file: string): DbtCatalog {
  const catalog = parseArtifact(text, file, catalogSchema, "dbt catalog");
  const generatedAt = catalog.metadata.generated_at ?? null;
  const tables = new Map<string, CatalogTable>();
  for (const [id, table] of [...Object.entries(catalog.nodes), ...Object.entries(catalog.sources)]) {
    tables.set(table.unique_id ?? id, toTable(table, generatedAt));
  }
  return { file, tables };
}

/** Reads and validates a catalog.json file. */
export async function readDbtCatalog(file: string): Promise<DbtCatalog> {
  return parseDbtCatalog(await readArtifactText(file), file);
}

/**
 * The asset's columns with the warehouse's: the documented ones first, in their order, typed as the warehouse
 * types them (the declared type when the warehouse does not list the column), then the undocumented ones in
 * the warehouse's order. Names compare case-insensitively (warehouses fold unquoted identifiers).
 */
export function withWarehouseColumns(documented: readonly ColumnSpec[], warehouse: readonly CatalogColumn[]): ColumnSpec[] {
  const byName = new Map(warehouse.map((column) => [column.name.toLowerCase(), column]));
  const seen = new Set<string>();
  const merged = documented.map((column) => {
    const actual = byName.get(column.name.toLowerCase());
    seen.add(column.name.toLowerCase());
    return actual?.type ? { ...column, type: actual.type } : column;
  });
  for (const column of warehouse) {
    if (seen.has(column.name.toLowerCase())) continue;
    merged.push({ name: column.name, type: column.type, description: column.comment, tags: [] });
  }
  return merged;
}

/** The definitions with what the catalog knows merged into each dbt asset it lists (by unique_id). */
export function applyDbtCatalog(definitions: LocationDefinitions, catalog: DbtCatalog): LocationDefinitions {
  const specs = definitions.specs.map((spec): AssetSpec => {
    const table = spec.dbtUniqueId === null ? undefined : catalog.tables.get(spec.dbtUniqueId);
    if (table === undefined) return spec;
    // Columns a large manifest holds unmade stay so: merged with the warehouse's when first read.
    return copyWithColumns(spec, { tableStats: table.stats }, (columns) => withWarehouseColumns(columns, table.columns));
  });
  return { ...definitions, specs };
}

/** The definitions enriched with the catalog.json at `file`, when there is one (see optional-artifact.ts). */
export function withDbtCatalogFile(definitions: LocationDefinitions, file: string | null): Promise<LocationDefinitions> {
  return withOptionalArtifact(
    definitions,
    file,
    { code: "catalog_unreadable", consequence: "Column types and table statistics from it are missing; regenerate it with `dbt docs generate`." },
    (text, path) => applyDbtCatalog(definitions, parseDbtCatalog(text, path)),
  );
}
