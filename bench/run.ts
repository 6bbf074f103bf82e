/**
 * `npm run bench`: for synthetic manifests of 1k, 10k and 50k models (several tests each), prints the time to
 * load into a queryable catalog beside plain JSON.parse of the same file, the time to store the snapshot, the
 * p50/p95 latency of full-closure lineage queries over loopback, and peak memory. Each size runs in its own
 * process. BENCH_SIZES=1000,10000 narrows the sizes; BENCH_HEAVY_SIZES (default 1000,10000) adds issue 18's
 * 393-MB-class shape (190 columns a model, compiled SQL; BENCH_HEAVY_SQL=0 without it), then the peak memory of
 * `serve` on the largest (bench/serve-memory-bench.ts). Then process start → first query answered of `serve` on the
 * 1k manifest (bench/startup-bench.ts), lineage closures of ≥ 3,000 nodes over HTTP (bench/lineage-bench.ts), evaluate() alone (bench/conditions-bench.ts), column
 * lineage of every model from compiled SQL up to 10k models (bench/column-lineage-bench.ts), one scheduler
 * tick with the store on PGlite and Postgres (bench/tick-bench.ts), partition state at 10k assets × 365
 * partitions and a backfill of the demo (bench/partitions-bench.ts), the demo's loop latency
 * (bench/demo-latency-bench.ts), and the web catalog in headless Chromium
 * (bench/ui-bench.ts).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { printColumnLineageBench } from "./column-lineage-bench.ts";
import { dagsterPython } from "./dagster-python.ts";
import { runForJson } from "./child-json.ts";
import { printTargets, recordTarget } from "./targets.ts";
import { printConditionsBench, printPartitionedConditionsBench } from "./conditions-bench.ts";
import { printDemoLatencyBench } from "./demo-latency-bench.ts";
import { printLineageBenchInOwnProcess } from "./lineage-bench.ts";
import { printStartupBench } from "./startup-bench.ts";
import { printTickBench } from "./tick-bench.ts";
import { printPartitionsBench } from "./partitions-bench.ts";
import { printServeMemoryBench } from "./serve-memory-bench.ts";
import { HEAVY_SHAPE, syntheticManifest, writeManifest } from "./synthetic-manifest.ts";

const sizes = (process.env["BENCH_SIZES"] ?? "1000,10000,50000").split(",").map(Number);
/** Sizes of the 393-MB-class manifest (issue 18: 190 columns a model); BENCH_HEAVY_SIZES=0 skips them. */
const heavySizes = (process.env["BENCH_HEAVY_SIZES"] ?? "1000,10000").split(",").map(Number).filter((n) => n > 0);
/**
 * With its compiled SQL, as issue 18's file has it (8.6 KB a model); BENCH_HEAVY_SQL=0 leaves it out. Column
 * lineage is not computed in the load (it follows it on a worker thread, README, Performance), so "load into
 * catalog" is the time until the catalog answers; bench/deferred-lineage-bench.ts then prints the background
 * computation ("column lineage in the background: N models in X s") and the main thread's event-loop delay
 * meanwhile, and the serve-memory bench waits for it before its last reading.
 */
const heavySql = process.env["BENCH_HEAVY_SQL"] !== "0";
const heavyName = (models: number) => `manifest-heavy${heavySql ? "" : "-nosql"}-${models}.json`;
const outDir = join(import.meta.dirname, "out");
mkdirSync(outDir, { recursive: true });

interface LoadResult {
  sizeMb: number;
  oneTextLoadMs: number;
  dagsterLoadMs: number | null;
  assets: number;
  checks: number;
  jsonParseMs: number;
  loadMs: number;
  storeMs: number;
  lineageP50Ms: number;
  lineageP95Ms: number;
  meanClosure: number;
  largestClosure: number;
  largestClosureP50Ms: number;
  loadPeakRssMb: number;
  peakRssMb: number;
}

// dagster-dbt beside each load (issue 18's baseline), installed once here rather than in a size's process.
const dagster = dagsterPython();
/**
 * Up to this many models (BENCH_DAGSTER_MAX_MODELS, default 10,000: issue 18's sizes): dagster-dbt's load of
 * the bench's 50k manifest took 1,222 s (20 minutes, 2026-12-04), a third of the whole bench, for a trend row.
 */
const dagsterMaxModels = Number(process.env["BENCH_DAGSTER_MAX_MODELS"] ?? 10_000);
const rows: string[] = [];
console.log(`Tributary benchmark — node ${process.version}, ${new Date().toISOString()}\n`);
const runs = [...sizes.map((models) => ({ models, heavy: false })), ...heavySizes.map((models) => ({ models, heavy: true }))];
for (const { models, heavy } of runs) {
  const file = join(outDir, heavy ? heavyName(models) : `manifest-${models}.json`);
  if (!existsSync(file)) {
    process.stderr.write(`generating a ${models}-model${heavy ? " heavy" : ""} manifest…\n`);
    writeManifest(file, syntheticManifest({ models, ...(heavy ? { ...HEAVY_SHAPE, compiledSql: heavySql } : {}) }));
  }
  process.stderr.write(`loading ${models} models${heavy ? " (heavy)" : ""}…\n`);
  const result = runForJson<LoadResult>(join(import.meta.dirname, "load-bench.ts"), [file], {
    ...process.env,
    TRIBUTARY_LOG_LEVEL: "silent",
    ...(dagster === null || models > dagsterMaxModels ? { BENCH_DAGSTER: "0" } : { DAGSTER_PYTHON: dagster }),
  });
  // Target 2 is the 393-MB-class file at 10k models; the other sizes show the trend beside it.
  if (heavy && models >= 10_000 && result.dagsterLoadMs !== null) {
    const times = result.dagsterLoadMs / result.loadMs;
    recordTarget({
      target: 2,
      what: `load into catalog, ${models.toLocaleString("en")} heavy models (${result.sizeMb} MB${heavySql ? "" : ", no SQL"})`,
      figure: `${result.loadMs} ms (${times.toFixed(1)}× faster than dagster-dbt)`,
      baseline: `dagster-dbt ${result.dagsterLoadMs} ms; JSON.parse ${result.jsonParseMs} ms`,
      goal: "≥ 10× dagster-dbt",
      met: times >= 10,
    });
  }
  rows.push(
    `| ${models.toLocaleString("en")}${heavy ? " (heavy)" : ""} | ${result.sizeMb} MB | ${result.assets.toLocaleString("en")} / ${result.checks.toLocaleString("en")} | ` +
      `${result.jsonParseMs} ms | ${result.loadMs} ms | ${(result.loadMs / result.jsonParseMs).toFixed(2)}× | ${result.oneTextLoadMs} ms | ` +
      `${result.dagsterLoadMs === null ? (models > dagsterMaxModels ? `not run (> ${dagsterMaxModels.toLocaleString("en")}: BENCH_DAGSTER_MAX_MODELS)` : "n/a") : `${result.dagsterLoadMs} ms (${(result.dagsterLoadMs / result.loadMs).toFixed(1)}×)`} | ${result.storeMs} ms | ` +
      `${result.lineageP50Ms} ms / ${result.lineageP95Ms} ms (${result.meanClosure} nodes) | ${result.largestClosureP50Ms} ms (${result.largestClosure.toLocaleString("en")} nodes) | ` +
      `${result.loadPeakRssMb} MB | ${result.peakRssMb} MB |`,
  );
}
console.log(
  "| models | manifest | assets / checks | JSON.parse | load into catalog | ratio | load, one text (before) | dagster-dbt load (× ours) | store snapshot | lineage p50 / p95 (mean closure) | lineage p50, largest closure | peak RSS, load | peak RSS, with PGlite |",
);
console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
for (const row of rows) console.log(row);
// With compiled SQL: the column lineage computed after the load, on a worker thread (bench/deferred-lineage-bench.ts).
if (heavySql) {
  for (const models of heavySizes) {
    const r = runForJson<{ models: number; catalogAnswersMs: number; backgroundLineageMs: number; eventLoopDelayMs: { p99: number; max: number }; cachedLineageMs: number }>(
      join(import.meta.dirname, "deferred-lineage-bench.ts"),
      [join(outDir, heavyName(models)), "after"],
    );
    console.log(
      `column lineage in the background: ${r.models.toLocaleString("en")} models in ${(r.backgroundLineageMs / 1000).toFixed(1)} s ` +
        `(catalog answered after ${r.catalogAnswersMs} ms; event-loop delay meanwhile p99 ${r.eventLoopDelayMs.p99} ms, max ${r.eventLoopDelayMs.max} ms; ` +
        `again with nothing changed, from the cache: ${r.cachedLineageMs} ms)`,
    );
  }
}
// Peak memory of `serve` on the largest heavy manifest (issue 18, target 5); BENCH_SERVE_MEMORY=0 skips it.
const largestHeavy = heavySizes.at(-1);
if (largestHeavy !== undefined && process.env["BENCH_SERVE_MEMORY"] !== "0") {
  await printServeMemoryBench(join(outDir, heavyName(largestHeavy)));
}
// Process start → first query answered, on the 1k manifest (bench/startup-bench.ts); BENCH_STARTUP=0 skips it.
if (process.env["BENCH_STARTUP"] !== "0") {
  const manifest = join(outDir, "manifest-1000.json");
  if (!existsSync(manifest)) writeFileSync(manifest, JSON.stringify(syntheticManifest({ models: 1000 })));
  await printStartupBench(manifest, Number(process.env["BENCH_STARTUP_ROUNDS"] ?? 5));
}
// Full closures of ≥ 3,000 nodes over loopback HTTP, graphql-jit beside graphql-js (bench/lineage-bench.ts).
printLineageBenchInOwnProcess(10_000);
printConditionsBench(sizes);
// The same, every asset daily-partitioned (365 partitions): conditions evaluated per partition, up to 10k assets.
printPartitionedConditionsBench(sizes.filter((size) => size <= 10_000));
// Column lineage from compiled SQL (bench/column-lineage-bench.ts), up to 10k models.
await printColumnLineageBench(sizes.filter((size) => size <= 10_000));
// One scheduler tick with the store (bench/tick-bench.ts): up to 10k assets, PGlite and Postgres.
await printTickBench(sizes.filter((size) => size <= 10_000));
// Partition state at 10k assets × 365 partitions, and a backfill of the demo at partition concurrency 4.
await printPartitionsBench();
// The demo's loop, sync to first model (bench/demo-latency-bench.ts); BENCH_DEMO=0 skips it.
if (process.env["BENCH_DEMO"] !== "0") await printDemoLatencyBench(Number(process.env["BENCH_DEMO_ROUNDS"] ?? 3));

// The web catalog in headless Chromium (bench/ui-bench.ts), in its own process; BENCH_UI=0 skips it.
if (process.env["BENCH_UI"] !== "0") {
  const ui = spawnSync(process.execPath, ["--import", "tsx", join(import.meta.dirname, "ui-bench.ts")], {
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, TRIBUTARY_LOG_LEVEL: "silent" },
  });
  if (ui.status !== 0) process.exit(ui.status ?? 1);
}

// Issue 18's five targets, each beside its baseline, in one table.
printTargets(loadavg().map((l) => l.toFixed(2)).join(" / "));
