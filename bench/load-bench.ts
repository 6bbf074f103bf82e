/**
 * One benchmark size, in its own process so peak memory is its own: load a manifest into a queryable
 * catalog (read, validate, translate, unify) beside plain JSON.parse of the same file and beside the load as it
 * was before the manifest was read in pieces (JSON.parse of the whole text, then the same translation), the
 * three alternated, each in a new process; dagster-dbt's definitions load of the same file when a Python with dagster-dbt is found
 * (bench/dagster-python.ts: DAGSTER_PYTHON, else .venv/dagster-bench, installed on first need); store the snapshot in an embedded PGlite,
 * then time full-closure `lineage` queries over loopback HTTP. Prints one JSON line.
 *
 * Usage: tsx bench/load-bench.ts <manifest.json>
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { buildCatalogGraph } from "../catalog/graph/index.ts";
import { openCatalogStore } from "../catalog/store/index.ts";
import { createDbtManifestProvider, parseManifest, translateManifest } from "../connectors/dbt/index.ts";
import { createTributaryServer } from "../server/http.ts";
import { runForJson } from "./child-json.ts";
import { dagsterPython } from "./dagster-python.ts";

const file = process.argv[2]!;
if (!file) throw new Error("usage: load-bench.ts <manifest.json>");

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const sizeMb = statSync(file).size / 1e6;
const repetitions = sizeMb > 100 ? 2 : 3;
const provider = createDbtManifestProvider({ file, name: "bench" });

type Measure = "parse" | "one-text" | "load";
/** One measurement in this process; `--once=<measure>` runs it alone in a new process and prints its JSON line. */
async function measureOnce(measure: Measure): Promise<number> {
  const started = performance.now();
  if (measure === "parse") {
    // Plain JSON.parse of the same file (read included, as the loader reads it too).
    JSON.parse(await readFile(file, "utf8"));
  } else if (measure === "one-text") {
    // The load as it was before the manifest was read in pieces: the whole text parsed at once, then the same
    // translation (without column lineage, as the provider translates: it follows the load) and graph.
    const { specs, diagnostics } = translateManifest(parseManifest(await readFile(file, "utf8"), file, "bench"), { locationName: "bench", columnLineage: "skip" });
    buildCatalogGraph({ definitions: [{ location: provider.location, specs, diagnostics, loadedAt: "", loadDurationMs: 0 }] });
  } else {
    buildCatalogGraph({ definitions: [await provider.load()] });
  }
  return performance.now() - started;
}
const once = /^--once=(parse|one-text|load)$/.exec(process.argv[3] ?? "")?.[1] as Measure | undefined;
if (once !== undefined) {
  const ms = await measureOnce(once);
  console.log(JSON.stringify({ ms, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));
  process.exit(0);
}

// Each measurement in a new process, after its imports, as serve loads and as dagster-load.py times dagster-dbt:
// in one process, what one left on the heap (a 400-MB file's parse leaves gigabytes) was collected during the
// next one's time. The three alternated.
function measureInNewProcess(measure: Measure): { ms: number; peakRssMb: number } {
  return runForJson(import.meta.filename, [file, `--once=${measure}`]);
}
const parseTimes: number[] = [];
const oneTextTimes: number[] = [];
const loadTimes: number[] = [];
let loadPeakRssMb = 0;
for (let i = 0; i < repetitions; i++) {
  parseTimes.push(measureInNewProcess("parse").ms);
  oneTextTimes.push(measureInNewProcess("one-text").ms);
  const load = measureInNewProcess("load");
  loadTimes.push(load.ms);
  // The load's own peak (its process did nothing else), before the embedded store (PGlite's WASM heap) adds its own.
  loadPeakRssMb = Math.max(loadPeakRssMb, load.peakRssMb);
}
// The catalog the store and lineage parts below use, loaded once more here.
const definitions = await provider.load();
const graph = buildCatalogGraph({ definitions: [definitions] });

/** dagster-dbt's definitions load of the same file (bench/dagster-load.py), when a Python with it is at hand. */
function dagsterLoadMs(): number | null {
  const python = dagsterPython();
  if (python === null) return null;
  const times: number[] = [];
  for (let i = 0; i < repetitions; i++) {
    const run = spawnSync(python, [join(import.meta.dirname, "dagster-load.py"), file], { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
    if (run.status !== 0) throw new Error(`dagster-load.py failed: ${run.stderr}`);
    times.push((JSON.parse(run.stdout.trim().split("\n").at(-1)!) as { loadMs: number }).loadMs);
  }
  return median(times);
}

// Storing the definitions snapshot (embedded PGlite), as every load does before it swaps the graph in.
const dataDir = mkdtempSync(join(tmpdir(), "tributary-bench-"));
const store = await openCatalogStore({ dataDir });
let started = performance.now();
await store.saveDefinitions([definitions]);
const storeMs = performance.now() - started;
await store.close();
rmSync(dataDir, { recursive: true, force: true });

// Full-closure lineage over loopback, upstream of the marts with the largest closures and some at random.
const server = createTributaryServer({ catalog: { current: () => graph }, logger: pino({ level: "silent" }), port: 0 });
const { graphqlUrl } = await server.listen();
const marts = graph.assets.filter((a) => a.id.startsWith("mart_"));
const targets = Array.from({ length: 200 }, (_, i) => marts[(i * 7919) % marts.length]!.id);
const query = "query($key: String!) { lineage(key: $key, direction: UPSTREAM) { nodes { key kinds } edges { from to } } }";
async function lineage(key: string): Promise<number> {
  const response = await fetch(graphqlUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables: { key } }),
  });
  const body = (await response.json()) as { data?: { lineage: { nodes: unknown[] } }; errors?: unknown };
  if (!body.data) throw new Error(`lineage failed: ${JSON.stringify(body.errors)}`);
  return body.data.lineage.nodes.length;
}
const latencies: number[] = [];
let closureSizes = 0;
for (const [i, key] of targets.entries()) {
  started = performance.now();
  const size = await lineage(key);
  if (i >= 20) latencies.push(performance.now() - started); // the first 20 warm the JIT
  closureSizes += size;
}
// The worst case: the asset with the largest upstream closure.
let largest = { id: marts[0]!.id, size: 0 };
for (const mart of marts) {
  const size = graph.lineage(mart.id, "UPSTREAM").nodes.length;
  if (size > largest.size) largest = { id: mart.id, size };
}
const largestLatencies: number[] = [];
for (let i = 0; i < 30; i++) {
  started = performance.now();
  await lineage(largest.id);
  largestLatencies.push(performance.now() - started);
}
await server.close();

console.log(
  JSON.stringify({
    file,
    sizeMb: Number(sizeMb.toFixed(1)),
    assets: graph.assets.length,
    checks: graph.assets.reduce((n, a) => n + a.checks.length, 0),
    jsonParseMs: Math.round(median(parseTimes)),
    loadMs: Math.round(median(loadTimes)),
    oneTextLoadMs: Math.round(median(oneTextTimes)),
    dagsterLoadMs: process.env["BENCH_DAGSTER"] === "0" ? null : dagsterLoadMs(),
    storeMs: Math.round(storeMs),
    lineageP50Ms: Number(percentile(latencies, 50).toFixed(2)),
    lineageP95Ms: Number(percentile(latencies, 95).toFixed(2)),
    meanClosure: Math.round(closureSizes / targets.length),
    largestClosure: largest.size,
    largestClosureP50Ms: Number(percentile(largestLatencies, 50).toFixed(2)),
    loadPeakRssMb,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
