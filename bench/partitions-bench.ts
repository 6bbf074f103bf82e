/**
 * Partitions (`npm run bench`, or alone: `npx tsx bench/partitions-bench.ts`):
 *
 * 1. The per-tick cost of reading partition state at 10,000 assets × 365 daily partitions on PGlite: what a
 *    partition-aware tick reads (every asset's materialized / failed ranges from the status cache, the runs in
 *    progress) and derives (each asset's missing partitions as ranges). Each asset has one event per partition
 *    (two of them failures); measured cold (the cache built from all 3.65 million events), warm with nothing new,
 *    and after 1,000 new partition events. Evaluating conditions per partition is measured by conditions-bench.ts.
 * 2. Backfill throughput on the demo: N daily partitions of the demo's partitioned models (a vars-windowed model
 *    and a microbatch model, one `dbt build` per partition) at partition concurrency 4, real dbt on DuckDB,
 *    through the runs engine and its queue on PGlite. Partitions per minute. BENCH_BACKFILL_PARTITIONS (default
 *    8); BENCH_BACKFILL=0 skips it.
 */
import { spawnSync } from "node:child_process";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildCatalogGraph } from "../catalog/graph/index.ts";
import type { PartitionsDefinition } from "../catalog/model/index.ts";
import { parsePartitionsSpec, partitionCalendar, partitionStateRuns } from "../catalog/model/index.ts";
import { openCatalogStore, partitionSql } from "../catalog/store/index.ts";
import { createDbtBuildLauncher, createDbtProjectProvider } from "../connectors/dbt/index.ts";
import type { BackfillService } from "../scheduler/runs/index.ts";
import { createBackfillService, createRunEngine, createRunQueue } from "../scheduler/runs/index.ts";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const ROOT = join(import.meta.dirname, "..");

async function statusBench(assets: number, days: number): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), "tributary-partitions-bench-"));
  const store = await openCatalogStore({ dataDir: dir });
  try {
    const now = new Date(Date.UTC(2026, 0, 1) + days * 86_400_000 + 3_600_000);
    const definition: PartitionsDefinition = parsePartitionsSpec({ type: "daily", start_date: "2026-01-01" }, { file: "bench" }).definition!;
    const calendar = partitionCalendar(definition);
    // Each asset: its partitions materialized in 3 stretches with one failed day between (a realistic history:
    // built daily, one failure, a backfill), written as events, one per partition.
    const ids = Array.from({ length: assets }, (_, i) => `bench/asset_${i}`);
    const started = performance.now();
    for (let from = 0; from < assets; from += 200) {
      const batch = ids.slice(from, from + 200);
      const rows: unknown[][] = [];
      for (const id of batch) {
        for (let day = 0; day < days; day++) {
          const failed = day === 100 || day === 250;
          rows.push([id, failed ? "materialization_failure" : "materialization", calendar.keyAt(day), `bench:${id}:${day}`]);
        }
      }
      await store.client.query(
        `INSERT INTO asset_events (asset_key, kind, tool, location_name, run_id, occurred_at, dedupe_key, metadata, partition_key)
         SELECT a, k, 'dbt', 'bench', NULL, now(), d, '{}'::jsonb, p FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t(a, k, p, d)`,
        [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2]), rows.map((r) => r[3])],
      );
    }
    const insertMs = performance.now() - started;
    const wanted = ids.map((assetId) => ({ assetId, definition }));
    const tick = async () => {
      const t0 = performance.now();
      const statuses = await partitionSql.partitionStatuses(store.client, wanted);
      let missing = 0;
      const count = calendar.count(now);
      for (const status of statuses.values()) for (const run of partitionStateRuns(status, count)) if (run.state === "missing") missing += run.last - run.first + 1;
      return { ms: performance.now() - t0, missing };
    };
    const cold = await tick();
    const warm: number[] = [];
    for (let i = 0; i < 5; i++) warm.push((await tick()).ms);
    // 1,000 new partition events (today's partition of 1,000 assets).
    const fresh = ids.slice(0, 1000);
    await store.client.query(
      `INSERT INTO asset_events (asset_key, kind, tool, location_name, run_id, occurred_at, dedupe_key, metadata, partition_key)
       SELECT a, 'materialization', 'dbt', 'bench', NULL, now(), a || ':new', '{}'::jsonb, $2 FROM unnest($1::text[]) AS t(a)`,
      [fresh, calendar.keyAt(days - 1)],
    );
    const afterNew = await tick();
    const rows = await store.client.query<{ bytes: string }>("SELECT pg_total_relation_size('asset_partition_status')::text AS bytes");
    warm.sort((a, b) => a - b);
    return [
      `partition state at ${assets.toLocaleString("en")} assets × ${days} daily partitions (${(assets * days).toLocaleString("en")} partition events, written in ${(insertMs / 1000).toFixed(1)} s) on PGlite:`,
      `  first tick (cache built from the events): ${cold.ms.toFixed(0)} ms`,
      `  a tick with nothing new: ${warm[2]!.toFixed(0)} ms (median of 5), every asset's missing partitions derived (${cold.missing.toLocaleString("en")} missing)`,
      `  a tick after 1,000 new partition events: ${afterNew.ms.toFixed(0)} ms`,
      `  status cache: ${(Number(rows[0]!.bytes) / 1024 / 1024).toFixed(1)} MB (${assets.toLocaleString("en")} rows of index ranges)`,
    ];
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function backfillBench(partitions: number, concurrency: number): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), "tributary-backfill-bench-"));
  const projectDir = join(dir, "demo-project");
  await cp(join(ROOT, "demo-project"), projectDir, { recursive: true, filter: (source) => !/(\/target|\/logs|\.duckdb(\.wal)?)$/.test(source) });
  const env = { TRIBUTARY_WAREHOUSE_PATH: join(dir, "warehouse.duckdb") };
  const store = await openCatalogStore({ dataDir: join(dir, "store") });
  const queue = createRunQueue({ client: store.client, schema: "tributary_queue", pollingIntervalSeconds: 0.5 });
  try {
    const parseTargetDir = join(dir, "parse");
    const provider = await createDbtProjectProvider({ projectDir, targetDir: parseTargetDir, preferManagedDbt: true, env });
    const graph = buildCatalogGraph({ definitions: [await provider.load()] });
    await queue.start();
    let backfills: BackfillService | null = null;
    const engine = createRunEngine({
      store,
      queue,
      launchers: [createDbtBuildLauncher({ locationName: provider.location.name, projectDir, parseTargetDir, runsDir: join(dir, "runs"), preferManagedDbt: true, env, partitionConcurrency: concurrency })],
      graph: () => graph,
      logger: quiet,
      onRunFinished: (tx, run) => backfills?.onRunFinished(tx, run) ?? Promise.resolve([]),
    });
    backfills = createBackfillService({ store, engine, graph: () => graph, logger: quiet });
    await engine.start();
    // A fresh warehouse lacks what the upstream build's data tests read (stg_shopify__orders' relationships test
    // reads stg_shopify__customers): created here by `dbt run` itself (views, no tests), before the clock starts.
    const prepared = spawnSync(join(ROOT, ".venv", "dbt", "bin", "dbt"), ["run", "--select", "stg_shopify__customers", "--project-dir", projectDir, "--profiles-dir", projectDir, "--target-path", join(dir, "prepare")], {
      env: { ...process.env, ...env },
      encoding: "utf8",
    });
    if (prepared.status !== 0) throw new Error(`dbt run of stg_shopify__customers failed:\n${prepared.stdout}${prepared.stderr}`);
    const calendar = partitionCalendar(graph.get("country_revenue_daily")!.partitions!);
    const started = performance.now();
    // The fresh warehouse lacks stg_shopify__orders, which both read: the backfill builds it once, first.
    const record = await backfills.launch({ assetIds: ["country_revenue_daily", "orders_by_channel_daily"], from: calendar.keyAt(0), to: calendar.keyAt(partitions - 1), user: "bench", buildUpstream: true });
    let ended = record;
    while (ended.status === "running") {
      await new Promise((resolve) => setTimeout(resolve, 500));
      ended = (await backfills.get(record.id))!;
    }
    const minutes = (performance.now() - started) / 60_000;
    await engine.stop();
    const succeeded = ended.partitions.filter((p) => p.status === "succeeded" && p.runPartition !== null).length;
    return [
      `backfill of the demo (country_revenue_daily with --vars and orders_by_channel_daily with --event-time-*, one dbt build per day) at partition concurrency ${concurrency}, real dbt on DuckDB:`,
      `  ${partitions} partitions in ${(minutes * 60).toFixed(0)} s, with one build of stg_shopify__orders first: ${(succeeded / minutes).toFixed(1)} partitions per minute (${succeeded} succeeded, backfill ${ended.status})`,
    ];
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function printPartitionsBench(): Promise<void> {
  const lines = await statusBench(Number(process.env["BENCH_PARTITION_ASSETS"] ?? 10_000), 365);
  if (process.env["BENCH_BACKFILL"] !== "0") lines.push(...(await backfillBench(Number(process.env["BENCH_BACKFILL_PARTITIONS"] ?? 8), 4)));
  console.log(`\nPartitions\n${lines.join("\n")}`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await printPartitionsBench();
