/**
 * Column lineage out of the load (issue 18, target 2), on a manifest with compiled SQL (`npx tsx
 * bench/synthetic-manifest.ts 10000 <out> --heavy`). Two modes, each in its own process so they share no
 * warm-up or memory, to be run alternately:
 *
 * - `before`: the load as it was, lineage computed in it: read, translate with lineage, build the graph.
 * - `after` (default): the real catalog service over the manifest provider: reload() until the catalog answers
 *   (without lineage), then the background computation on the worker thread until its result is swapped in,
 *   the main thread's event-loop delay meanwhile (perf_hooks histogram, and the latency of a catalog search
 *   run every 100 ms), then a reload whose lineage comes from the cache (nothing changed).
 *
 * Usage: tsx bench/deferred-lineage-bench.ts <manifest.json> [before|after]. Prints one JSON line.
 */
import { statSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { buildCatalogGraph } from "../catalog/graph/index.ts";
import { createCatalogService } from "../catalog/service.ts";
import { columnLineageInput, createDbtManifestProvider, readManifestFile, translateManifest } from "../connectors/dbt/index.ts";

const file = process.argv[2];
const mode = process.argv[3] ?? "after";
if (!file || (mode !== "before" && mode !== "after")) throw new Error("usage: deferred-lineage-bench.ts <manifest.json> [before|after]");
const sizeMb = Math.round(statSync(file).size / 1e6);
const ms = (value: number) => Math.round(value);

if (mode === "before") {
  const started = performance.now();
  const manifest = await readManifestFile(file, "bench");
  const read = performance.now();
  const { specs, diagnostics } = translateManifest(manifest, { locationName: "bench", projectDir: null });
  const translated = performance.now();
  buildCatalogGraph({ definitions: [{ location: { name: "bench", kind: "dbt", origin: file }, specs, diagnostics, loadedAt: "", loadDurationMs: 0 }] });
  const done = performance.now();
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  // What the worker is given instead of the manifest, as JSON (a measure of the structured clone's size); held
  // columns' bytes are shared memory, not copied, so only where they lie counts.
  const workerInputMb = Math.round(JSON.stringify(columnLineageInput(manifest), (_key, value: unknown) => (value instanceof Uint8Array ? undefined : value)).length / 1e6);
  console.log(JSON.stringify({ mode, sizeMb, loadMs: ms(done - started), readMs: ms(read - started), translateWithLineageMs: ms(translated - read), peakRssMb, workerInputMb }));
} else {
  const provider = createDbtManifestProvider({ file, name: "bench", catalogFile: null, freshnessFile: null });
  const service = createCatalogService({ providers: [provider] });
  const started = performance.now();
  const outcome = await service.reload();
  if (!outcome.ok) throw new Error(`the load failed: ${JSON.stringify(outcome.errors)}`);
  const answeredMs = performance.now() - started;
  const peakRssAtAnswerMb = Math.round(process.resourceUsage().maxRSS / 1024);
  const graph = service.current();

  // The main thread while the worker computes: the event loop's delay, and a catalog query (the upstream
  // closure of the last asset) every 100 ms.
  const probed = graph.assets.at(-1)!.id;
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const queryTimes: number[] = [];
  const probe = setInterval(() => {
    const at = performance.now();
    service.current().lineage(probed, "UPSTREAM");
    queryTimes.push(performance.now() - at);
  }, 100);
  const backgroundStarted = performance.now();
  await service.settled();
  const backgroundMs = performance.now() - backgroundStarted;
  clearInterval(probe);
  histogram.disable();
  const status = service.followUp("bench");
  if (status?.state !== "done") throw new Error(`column lineage did not finish: ${JSON.stringify(status)}`);
  const sorted = [...queryTimes].sort((a, b) => a - b);
  const percentile = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

  // The worker's heap is in the process's RSS too.
  const peakRssAfterLineageMb = Math.round(process.resourceUsage().maxRSS / 1024);
  // A reload with nothing changed: every model's lineage comes from the cache.
  const again = performance.now();
  await service.reload();
  const reloadMs = performance.now() - again;
  const cachedStarted = performance.now();
  await service.settled();
  const cachedMs = performance.now() - cachedStarted;

  console.log(
    JSON.stringify({
      mode,
      sizeMb,
      assets: graph.assets.length,
      catalogAnswersMs: ms(answeredMs),
      models: status.total,
      backgroundLineageMs: ms(backgroundMs),
      workerLineageMs: status.durationMs,
      eventLoopDelayMs: { p50: ms(histogram.percentile(50) / 1e6), p99: ms(histogram.percentile(99) / 1e6), max: ms(histogram.max / 1e6) },
      queryDuringLineageMs: { count: sorted.length, p50: Number(percentile(50).toFixed(1)), p99: Number(percentile(99).toFixed(1)), max: Number((sorted.at(-1) ?? 0).toFixed(1)) },
      cachedReloadMs: ms(reloadMs),
      cachedLineageMs: ms(cachedMs),
      peakRssMb: { atAnswer: peakRssAtAnswerMb, afterLineage: peakRssAfterLineageMb, afterCachedReload: Math.round(process.resourceUsage().maxRSS / 1024) },
    }),
  );
}
