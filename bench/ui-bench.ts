/**
 * The web catalog's part of `npm run bench`: a synthetic 5k-model catalog served in process with the built UI
 * (admin-ui/dist), driven by Debian's Chromium through admin-ui's playwright-core. Measures how long the catalog
 * list takes to show its first page (navigation start to the first row drawn, cold and warm) and how long a ~500-node lineage
 * graph takes from data to laid out and drawn (the UI's `tributary:lineage-layout` performance measure, dagre in
 * a web worker), the run page with 10,000 log lines and the runtime trend with 1,000 points (navigation start to
 * drawn; in-memory runs and events, bench/ui-bench-runs.ts). BENCH_UI=0 skips it; BENCH_UI_MODELS sets the size.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import pino from "pino";
import { buildCatalogGraph } from "../catalog/graph/index.ts";
import type { CatalogGraph, LineageDirection } from "../catalog/graph/index.ts";
import { createDbtManifestProvider } from "../connectors/dbt/index.ts";
import { createTributaryServer } from "../server/http.ts";
import { DEFAULT_UI_DIR } from "../server/static-ui.ts";
import { syntheticManifest } from "./synthetic-manifest.ts";
import { BENCH_RUN_ID, benchEvents, benchRuns } from "./ui-bench-runs.ts";

/** The run page's log and the runtime plot's points (issue 13's targets: each drawn in under 1 s). */
const RUN_LOG_LINES = 10_000;
const RUNTIME_POINTS = 1_000;

/** The slice of playwright-core the bench uses (it lives in admin-ui/node_modules, outside the root's types). */
interface BenchPage {
  addInitScript(script: string): Promise<void>;
  goto(url: string): Promise<unknown>;
  waitForSelector(selector: string, options?: { timeout?: number }): Promise<unknown>;
  waitForFunction(fn: string, arg?: unknown, options?: { timeout?: number }): Promise<unknown>;
  evaluate<T>(fn: string): Promise<T>;
  close(): Promise<void>;
}
interface BenchBrowser {
  newContext(options: { viewport: { width: number; height: number } }): Promise<{ newPage(): Promise<BenchPage>; close(): Promise<void> }>;
  close(): Promise<void>;
}
interface Playwright {
  chromium: { launch(options: { executablePath: string; args: string[] }): Promise<BenchBrowser> };
}

const ROOT = join(import.meta.dirname, "..");
const CHROMIUM = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"];

/**
 * Marks `bench:first-row` on the page's timeline once the frame showing the list's first row is drawn, whether
 * the first paint (admin-ui/src/boot) or the app drew it. The app marks `tributary:app-ready` itself when it has
 * taken over (its list drawn, the first paint gone): from then on the page is fully interactive.
 */
const FIRST_ROW_MARK = `new MutationObserver((_, observer) => {
  if (!document.querySelector("[data-asset-key], [data-first-paint-key]")) return;
  observer.disconnect();
  // After the frame that shows it: the next task after the animation frame runs once that frame is drawn.
  requestAnimationFrame(() => setTimeout(() => performance.mark("bench:first-row")));
}).observe(document, { childList: true, subtree: true });`;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/**
 * The synthetic manifest's lineages are narrow (a few dozen assets); a catalog of thousands also has a few wide
 * ones. This adds one: `mart_overview`, a model reading as many marts as it takes for its upstream closure to
 * reach `size` assets, like an executive dashboard's model.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function withWideLineage(manifest: Record<string, any>, size: number): Record<string, any> {
  const parents = manifest["parent_map"] as Record<string, string[]>;
  const closure = new Set<string>();
  const visit = (id: string) => {
    if (closure.has(id) || id.startsWith("test.")) return;
    closure.add(id);
    for (const parent of parents[id] ?? []) visit(parent);
  };
  const marts = Object.keys(manifest["nodes"]).filter((id) => id.startsWith("model.bench.mart_"));
  const chosen: string[] = [];
  for (let i = marts.length - 1; i >= 0 && closure.size < size - 1; i -= 7) {
    chosen.push(marts[i]!);
    visit(marts[i]!);
  }
  const id = "model.bench.mart_overview";
  const template = manifest["nodes"][marts[0]!];
  manifest["nodes"][id] = {
    ...structuredClone(template),
    unique_id: id,
    name: "mart_overview",
    alias: "mart_overview",
    fqn: ["bench", "mart", "mart_overview"],
    path: "mart/mart_overview.sql",
    original_file_path: "models/mart/mart_overview.sql",
    raw_code: "select 1 -- mart_overview",
    depends_on: { macros: [], nodes: chosen },
    description: "Everything the overview dashboard reads",
  };
  parents[id] = chosen;
  return manifest;
}

/** The asset and depth whose lineage (both directions) comes closest to `target` nodes. */
function lineageTarget(graph: CatalogGraph, target: number): { key: string; depth: number | null; nodes: number } {
  let best = { key: graph.assets[0]!.id, depth: null as number | null, nodes: 0 };
  const step = Math.max(1, Math.floor(graph.assets.length / 400));
  for (let i = 0; i < graph.assets.length; i += step) {
    const asset = graph.assets[i]!;
    for (const depth of [2, 3, 4, 5, 6, 8, null]) {
      const nodes = graph.lineage(asset.id, "BOTH" as LineageDirection, depth).nodes.length;
      if (Math.abs(nodes - target) < Math.abs(best.nodes - target)) best = { key: asset.id, depth, nodes };
      if (nodes > target * 1.5) break;
    }
  }
  return best;
}

export interface UiBenchResult {
  readonly assets: number;
  readonly listColdMs: number;
  readonly listWarmP50Ms: number;
  /** Navigation start to the app's own list in place (first paint gone): interactive. */
  readonly listReadyColdMs: number;
  readonly listReadyWarmP50Ms: number;
  readonly lineageNodes: number;
  readonly lineageEdges: number;
  readonly lineageLayoutP50Ms: number;
  readonly lineageTotalP50Ms: number;
  /** Navigation start to the run page drawn with all its log lines, p50 (warm). */
  readonly runLogLines: number;
  readonly runPageP50Ms: number;
  /** Navigation start to the runtime plot drawn with its points, p50 (warm). */
  readonly runtimePoints: number;
  readonly runtimePlotP50Ms: number;
  /** The plot's own part: from the render that got the points to the frame showing them, p50. */
  readonly runtimePlotDrawP50Ms: number;
}

/** Runs the UI measurements and prints them; resolves null (with a note) when the UI or Chromium is missing. */
export async function runUiBench(models = Number(process.env["BENCH_UI_MODELS"] ?? 5000)): Promise<UiBenchResult | null> {
  const playwrightEntry = join(ROOT, "admin-ui", "node_modules", "playwright-core", "index.mjs");
  if (!existsSync(join(DEFAULT_UI_DIR, "index.html")) || !existsSync(playwrightEntry)) {
    console.log("\nUI bench skipped: admin-ui is not installed and built (npm run setup does both).");
    return null;
  }
  if (!existsSync(CHROMIUM)) {
    console.log(`\nUI bench skipped: ${CHROMIUM} is missing (apt-get install chromium).`);
    return null;
  }
  mkdirSync(join(import.meta.dirname, "out"), { recursive: true });
  const file = join(import.meta.dirname, "out", `ui-manifest-${models}.json`);
  if (!existsSync(file)) {
    process.stderr.write(`generating a ${models}-model manifest with a 500-asset lineage…\n`);
    writeFileSync(file, JSON.stringify(withWideLineage(syntheticManifest({ models }), 500)));
  }
  process.stderr.write(`UI bench: loading ${models} models…\n`);
  const definitions = await createDbtManifestProvider({ file, name: "bench" }).load();
  const graph = buildCatalogGraph({ definitions: [definitions] });
  const target = graph.get("mart_overview") ? { key: "mart_overview", depth: null, nodes: graph.lineage("mart_overview", "BOTH", null).nodes.length } : lineageTarget(graph, 500);
  // One asset gets a long run and a long history: the run page and the runtime trend read them through the API.
  const historyAsset = graph.assets.find((asset) => asset.id.startsWith("mart_")) ?? graph.assets[0]!;
  const catalog = { current: () => graph, runs: benchRuns(historyAsset.key, RUN_LOG_LINES), events: benchEvents(historyAsset.key, RUNTIME_POINTS) };
  const server = createTributaryServer({ catalog, logger: pino({ level: "silent" }), port: 0 });
  const { baseUrl } = await server.listen();
  const { chromium } = (await import(pathToFileURL(playwrightEntry).href)) as Playwright;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    // The catalog list: navigation start to the first row drawn, read from the page's own timeline (a
    // MutationObserver marks it). Timing the wait from here instead would add Playwright's polling back-off
    // (20…500 ms between checks) to the figure. The first visit loads the bundle (cold).
    const listTimes: number[] = [];
    const readyTimes: number[] = [];
    for (let i = 0; i < 6; i++) {
      const page = await context.newPage();
      await page.addInitScript(FIRST_ROW_MARK);
      await page.goto(`${baseUrl}/assets`);
      await page.waitForSelector("[data-asset-key]", { timeout: 30_000 });
      await page.waitForFunction("performance.getEntriesByName('bench:first-row').length > 0 && performance.getEntriesByName('tributary:app-ready').length > 0", undefined, { timeout: 30_000 });
      listTimes.push(await page.evaluate<number>("performance.getEntriesByName('bench:first-row')[0].startTime"));
      readyTimes.push(await page.evaluate<number>("performance.getEntriesByName('tributary:app-ready')[0].startTime"));
      await page.close();
    }
    // The lineage graph: data received to nodes drawn (layout in the worker included), and navigation to drawn.
    const layoutTimes: number[] = [];
    const totalTimes: number[] = [];
    let drawn = { nodes: 0, edges: 0 };
    const depth = target.depth === null ? 0 : target.depth;
    for (let i = 0; i < 4; i++) {
      const page = await context.newPage();
      const started = performance.now();
      await page.goto(`${baseUrl}/assets/${encodeURIComponent(target.key)}/show?direction=BOTH&depth=${depth}`);
      await page.waitForFunction("performance.getEntriesByName('tributary:lineage-layout').length > 0", undefined, { timeout: 60_000 });
      totalTimes.push(performance.now() - started);
      const measured = await page.evaluate<{ duration: number; nodes: number; edges: number }>(
        "(() => { const m = performance.getEntriesByName('tributary:lineage-layout')[0]; return { duration: m.duration, nodes: document.querySelectorAll('.lineage-node').length, edges: document.querySelectorAll('g.edges path').length }; })()",
      );
      if (i > 0) layoutTimes.push(measured.duration); // the first visit warms the worker's code
      drawn = { nodes: measured.nodes, edges: measured.edges };
      await page.close();
    }
    // The run page: navigation start to the frame with all its log lines (streamed in updates of 1,000).
    const runTimes: number[] = [];
    let runLines = 0;
    for (let i = 0; i < 4; i++) {
      const page = await context.newPage();
      await page.goto(`${baseUrl}/runs/${BENCH_RUN_ID}/show`);
      await page.waitForFunction(
        `(() => { const marks = performance.getEntriesByName('tributary:run-logs-drawn'); return marks.length > 0 && marks[marks.length - 1].detail.lines >= ${RUN_LOG_LINES}; })()`,
        undefined,
        { timeout: 60_000 },
      );
      const drawn = await page.evaluate<{ at: number; lines: number }>(
        "(() => { const marks = performance.getEntriesByName('tributary:run-logs-drawn'); const last = marks[marks.length - 1]; return { at: last.startTime, lines: last.detail.lines }; })()",
      );
      if (i > 0) runTimes.push(drawn.at); // the first visit loads the run page's code
      runLines = drawn.lines;
      await page.close();
    }
    // The runtime trend: navigation start to the plot drawn with its points.
    const plotTimes: number[] = [];
    const plotDrawTimes: number[] = [];
    let plotPoints = 0;
    for (let i = 0; i < 4; i++) {
      const page = await context.newPage();
      await page.goto(`${baseUrl}/assets/${encodeURIComponent(historyAsset.id)}/show`);
      await page.waitForFunction("performance.getEntriesByName('tributary:runtime-plot-drawn').length > 0", undefined, { timeout: 60_000 });
      const drawn = await page.evaluate<{ at: number; plot: number; points: number }>(
        "(() => { const mark = performance.getEntriesByName('tributary:runtime-plot-drawn')[0]; const plot = performance.getEntriesByName('tributary:runtime-plot')[0]; return { at: mark.startTime, plot: plot.duration, points: Number(document.querySelector('[data-testid=runtime-plot]').getAttribute('data-points')) }; })()",
      );
      if (i > 0) {
        // the first visit loads the chart library
        plotTimes.push(drawn.at);
        plotDrawTimes.push(drawn.plot);
      }
      plotPoints = drawn.points;
      await page.close();
    }
    await context.close();
    const result: UiBenchResult = {
      assets: graph.assets.length,
      listColdMs: Math.round(listTimes[0]!),
      listWarmP50Ms: Math.round(median(listTimes.slice(1))),
      listReadyColdMs: Math.round(readyTimes[0]!),
      listReadyWarmP50Ms: Math.round(median(readyTimes.slice(1))),
      lineageNodes: drawn.nodes,
      lineageEdges: drawn.edges,
      lineageLayoutP50Ms: Math.round(median(layoutTimes)),
      lineageTotalP50Ms: Math.round(median(totalTimes.slice(1))),
      runLogLines: runLines,
      runPageP50Ms: Math.round(median(runTimes)),
      runtimePoints: plotPoints,
      runtimePlotP50Ms: Math.round(median(plotTimes)),
      runtimePlotDrawP50Ms: Math.round(median(plotDrawTimes)),
    };
    console.log(`\nWeb catalog, headless Chromium, ${models.toLocaleString("en")} models (${result.assets.toLocaleString("en")} assets)\n`);
    console.log("| catalog list, first page drawn (cold / warm p50) | app interactive (cold / warm p50) | lineage graph | data → laid out and drawn, p50 | navigation → drawn, p50 |");
    console.log("|---|---|---|---|---|");
    console.log(
      `| ${result.listColdMs} ms / ${result.listWarmP50Ms} ms | ${result.listReadyColdMs} ms / ${result.listReadyWarmP50Ms} ms | ${result.lineageNodes} nodes, ${result.lineageEdges} edges (${target.key}, depth ${target.depth ?? "all"}) | ` +
        `${result.lineageLayoutP50Ms} ms | ${result.lineageTotalP50Ms} ms |`,
    );
    console.log("\n| run page, navigation → all log lines drawn, p50 (target < 1 s) | runtime plot: points → drawn / navigation → drawn, p50 (target < 1 s) |");
    console.log("|---|---|");
    console.log(
      `| ${result.runPageP50Ms} ms (${result.runLogLines.toLocaleString("en")} lines) | ${result.runtimePlotDrawP50Ms} ms / ${result.runtimePlotP50Ms} ms (${result.runtimePoints.toLocaleString("en")} points) |`,
    );
    return result;
  } finally {
    await browser.close();
    await server.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await runUiBench();
