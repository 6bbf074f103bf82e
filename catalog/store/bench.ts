/**
 * How fast definitions snapshots are saved and read back, on either engine. `benchSnapshotStore` is called
 * by the project's benchmark; run this file directly for a quick measurement on both engines:
 *
 *   npx tsx catalog/store/bench.ts [models=33000] [pglite|postgres|both]
 *
 * (Postgres from TEST_DATABASE_URL, else a local server.) One engine per process gives steadier figures:
 * a 50 MB snapshot leaves the heap large for whatever runs next.
 *
 * It never touches existing data: PGlite runs in a new temporary directory, Postgres in a new schema that
 * is dropped afterwards.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { LocationDefinitions } from "../model/index.ts";
import { createCatalogStore } from "./index.ts";
import { sampleDefinitions } from "./sample-definitions.ts";
import { openSqlClient } from "./sql-client.ts";
import type { SqlDialect } from "./sql-client.ts";

/** Where to run the benchmark: a Postgres server when `databaseUrl` is set, else a temporary PGlite. */
export interface SnapshotBenchOptions {
  readonly databaseUrl?: string | null;
}

/** Timings in milliseconds, sizes in bytes. */
export interface SnapshotBenchResult {
  readonly dialect: SqlDialect;
  readonly locations: number;
  readonly assets: number;
  /** Size of the snapshots' JSON, uncompressed. */
  readonly jsonBytes: number;
  /** Size of the stored (compressed) payloads. */
  readonly storedBytes: number;
  /** Growth of the PGlite data directory (null on Postgres). */
  readonly dataDirBytesAdded: number | null;
  /** Opening a fresh database and migrating it. */
  readonly openMs: number;
  /** First save: serialize, hash, compress, write, in one batch. */
  readonly saveMs: number;
  /** Saving the same content again (serialize, hash, and record the load only). */
  readonly unchangedSaveMs: number;
  /** `currentDefinitions()`: read, decompress, parse. */
  readonly readMs: number;
}

/** Saves `definitions` into a fresh store, saves them again unchanged, reads them back, and times each step. */
export async function benchSnapshotStore(
  definitions: readonly LocationDefinitions[],
  options: SnapshotBenchOptions = {},
): Promise<SnapshotBenchResult> {
  const databaseUrl = options.databaseUrl?.trim() || null;
  const dataDir = databaseUrl ? null : await mkdtemp(join(tmpdir(), "tributary-bench-"));
  const schema = databaseUrl ? `tributary_bench_${randomBytes(6).toString("hex")}` : null;
  try {
    let started = performance.now();
    const client = await openSqlClient({ databaseUrl, dataDir: dataDir ?? undefined, schema });
    const store = await createCatalogStore(client);
    const openMs = performance.now() - started;
    const sizeBefore = dataDir ? await directorySize(dataDir) : null;
    try {
      started = performance.now();
      await store.saveDefinitions(definitions);
      const saveMs = performance.now() - started;

      const later = new Date(Date.now() + 60_000).toISOString();
      started = performance.now();
      const again = await store.saveDefinitions(definitions.map((d) => ({ ...d, loadedAt: later })));
      const unchangedSaveMs = performance.now() - started;
      if (again.unchanged.length !== definitions.length) throw new Error("benchmark: an unchanged reload stored a new snapshot");

      started = performance.now();
      const read = await store.currentDefinitions();
      const readMs = performance.now() - started;
      const assets = definitions.reduce((sum, d) => sum + d.specs.length, 0);
      if (read.reduce((sum, d) => sum + d.specs.length, 0) !== assets) throw new Error("benchmark: read back a different number of assets");

      const [sizes] = await client.query<{ json_bytes: number; stored_bytes: number }>(
        "SELECT sum(payload_bytes)::bigint AS json_bytes, sum(octet_length(payload))::bigint AS stored_bytes FROM definition_snapshots",
      );
      return {
        dialect: store.dialect,
        locations: definitions.length,
        assets,
        jsonBytes: sizes?.json_bytes ?? 0,
        storedBytes: sizes?.stored_bytes ?? 0,
        dataDirBytesAdded: dataDir && sizeBefore !== null ? (await directorySize(dataDir)) - sizeBefore : null,
        openMs,
        saveMs,
        unchangedSaveMs,
        readMs,
      };
    } finally {
      if (schema) await client.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await store.close();
    }
  } finally {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
}

async function directorySize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}

async function main(): Promise<void> {
  const models = Number(process.argv[2] ?? 33_000);
  const engines = process.argv[3] ?? "both";
  const databaseUrl = process.env["TEST_DATABASE_URL"] || "postgres://postgres@127.0.0.1:5432/test";
  const definitions = [sampleDefinitions({ models })];
  const mb = (bytes: number | null) => (bytes === null ? "-" : `${(bytes / 1e6).toFixed(1)} MB`);
  const urls = engines === "pglite" ? [null] : engines === "postgres" ? [databaseUrl] : [null, databaseUrl];
  for (const url of urls) {
    const result = await benchSnapshotStore(definitions, { databaseUrl: url });
    console.log(
      `${result.dialect.padEnd(8)} ${result.assets} assets, JSON ${mb(result.jsonBytes)}, stored ${mb(result.storedBytes)}` +
        `${result.dataDirBytesAdded === null ? "" : ` (data dir +${mb(result.dataDirBytesAdded)})`}: open ${result.openMs.toFixed(0)} ms, ` +
        `save ${result.saveMs.toFixed(0)} ms, unchanged save ${result.unchangedSaveMs.toFixed(0)} ms, read ${result.readMs.toFixed(0)} ms`,
    );
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
