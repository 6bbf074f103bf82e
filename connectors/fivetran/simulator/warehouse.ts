/**
 * The simulator's warehouse writer: lands CSV rows (read with csv-parse) into a DuckDB file, the way a
 * Fivetran connector lands rows in its destination schema.
 *
 * DuckDB lets one process write a file at a time, and dbt (dbt-duckdb) writes the same file. So a write
 * connection is held only for one landing, and opening it retries with backoff while another process holds
 * the lock. The Node side pins @duckdb/node-api 1.5.5-r.5, the engine of dbt-duckdb's duckdb 1.5.5: a file
 * written by a newer DuckDB cannot be opened by an older one.
 *
 * Which rows landed is read from the warehouse itself (the table's row count is the cursor into its CSV), so
 * a restart of the simulator, or a table dbt's on-run-start hook created from the whole CSV, never lands a
 * row twice.
 */
import { readFile } from "node:fs/promises";
import { parse } from "csv-parse/sync";
import { openWarehouse, quoteIdentifier } from "../../shared/index.ts";

/** Shared with the Census simulator (connectors/shared/duckdb.ts). */
export { isLockConflict, openWarehouse, quoteIdentifier } from "../../shared/index.ts";

function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** One table to land: the CSV it comes from and where it goes. */
export interface LandingTable {
  readonly schema: string;
  readonly table: string;
  readonly csvFile: string;
}

export interface LandingOptions {
  readonly warehousePath: string;
  readonly tables: readonly LandingTable[];
  /** Most new rows per table in this sync (Infinity: the rest of the file). */
  readonly maxRowsPerTable: number;
  /** Written into `_fivetran_synced` of the rows this sync lands, when the table has that column. */
  readonly syncedAt: Date;
  /** Attempts to open the file while another process holds its lock (default 20). */
  readonly lockAttempts?: number;
  /** First wait between attempts, doubled each time up to 2 s (default 50 ms). */
  readonly lockRetryDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Rows landed per table (`schema.table`). */
export type LandingResult = Record<string, number>;

async function readCsv(file: string): Promise<{ header: string[]; rows: (string | null)[][] }> {
  const records = parse(await readFile(file, "utf8"), { bom: true, relax_column_count: false }) as string[][];
  const [header = [], ...rows] = records;
  // As DuckDB's read_csv does, an empty field is NULL.
  return { header, rows: rows.map((row) => row.map((value) => (value === "" ? null : value))) };
}

/**
 * Lands the next rows of each table's CSV, in one transaction on one short-lived connection. Creates the
 * schema and the table (typed as DuckDB's CSV sniffer types it, as dbt's on-run-start hook does) when missing.
 */
export async function landRows(options: LandingOptions): Promise<LandingResult> {
  const csvs = await Promise.all(options.tables.map(async (table) => ({ table, csv: await readCsv(table.csvFile) })));
  const warehouse = await openWarehouse(options.warehousePath, options);
  const result: LandingResult = {};
  try {
    const { connection } = warehouse;
    await connection.run("BEGIN TRANSACTION");
    try {
      for (const { table, csv } of csvs) {
        const target = `${quoteIdentifier(table.schema)}.${quoteIdentifier(table.table)}`;
        await connection.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(table.schema)}`);
        await connection.run(
          `CREATE TABLE IF NOT EXISTS ${target} AS SELECT * FROM read_csv(${quoteLiteral(table.csvFile)}, header = true, auto_detect = true) LIMIT 0`,
        );
        const counted = await connection.runAndReadAll(`SELECT count(*)::BIGINT FROM ${target}`);
        const landed = Number(counted.getRows()[0]?.[0] ?? 0);
        const batch = csv.rows.slice(landed, landed + Math.max(0, options.maxRowsPerTable));
        result[`${table.schema}.${table.table}`] = batch.length;
        if (batch.length === 0) continue;
        const syncedColumn = csv.header.indexOf("_fivetran_synced");
        const syncedAt = options.syncedAt.toISOString();
        const columns = csv.header.map(quoteIdentifier).join(", ");
        // A few hundred parameters per statement keeps each insert small.
        const rowsPerStatement = Math.max(1, Math.floor(512 / Math.max(1, csv.header.length)));
        for (let start = 0; start < batch.length; start += rowsPerStatement) {
          const chunk = batch.slice(start, start + rowsPerStatement);
          const params: (string | null)[] = [];
          const tuples = chunk.map((row) => {
            const values = csv.header.map((_, index) => (index === syncedColumn ? syncedAt : (row[index] ?? null)));
            const placeholders = values.map((value) => {
              params.push(value);
              return `$${params.length}`;
            });
            return `(${placeholders.join(", ")})`;
          });
          await connection.run(`INSERT INTO ${target} (${columns}) VALUES ${tuples.join(", ")}`, params);
        }
      }
      await connection.run("COMMIT");
    } catch (error) {
      await connection.run("ROLLBACK").catch(() => undefined);
      throw error;
    }
  } finally {
    warehouse.close();
  }
  return result;
}

/** Row counts of tables (0 for a missing one), read on a short-lived connection. */
export async function countRows(warehousePath: string, tables: readonly Pick<LandingTable, "schema" | "table">[]): Promise<Record<string, number>> {
  const warehouse = await openWarehouse(warehousePath);
  try {
    const counts: Record<string, number> = {};
    for (const table of tables) {
      try {
        const reader = await warehouse.connection.runAndReadAll(`SELECT count(*)::BIGINT FROM ${quoteIdentifier(table.schema)}.${quoteIdentifier(table.table)}`);
        counts[`${table.schema}.${table.table}`] = Number(reader.getRows()[0]?.[0] ?? 0);
      } catch {
        counts[`${table.schema}.${table.table}`] = 0;
      }
    }
    return counts;
  } finally {
    warehouse.close();
  }
}
