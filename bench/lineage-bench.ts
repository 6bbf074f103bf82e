/**
 * Big lineage answers over HTTP: the full upstream closure of assets whose closure holds ≥ 3,000 nodes, asked as
 * `lineage(key, direction: UPSTREAM) { nodes { key kinds } edges { from to } }` of a real server on loopback
 * (node:http, graphql-yoga, the query limits, the auth guard), beside the same closure computed in process
 * (`graph.lineage`), which is the floor. The graph: 5% roots, then assets each reading one to three of the 200
 * assets before it, so the closures of late assets hold most of the graph (a deep project's marts).
 * The client asks from a process of its own (bench/lineage-client.ts); a client in the server's process is a third row.
 * A fourth row is the floor over HTTP on the machine at hand: a bare node:http server, no GraphQL, sending the same
 * bytes (checked) for the same closures. How fast a machine is moves every figure here (2–2.8× between two machines
 * of the same kind on 2026-12-04); the ratio to that floor is what this code adds.
 * The last two rows ask what the web UI's lineage graph asks (admin-ui's `Lineage` document: each node's tool,
 * status and last update too), with run state for every asset held in memory, of the server and of its floor.
 *
 * Run alone with `npx tsx bench/lineage-bench.ts [assets]`; `npm run bench` includes it.
 */
import { fork } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { loadavg } from "node:os";
import { join } from "node:path";
import { parse, print, separateOperations } from "graphql";
import pino from "pino";
import { buildCatalogGraph, type CatalogGraph } from "../catalog/graph/index.ts";
import { definitions, spec } from "../catalog/graph/test-specs.ts";
import type { AssetSpec } from "../catalog/model/index.ts";
import type { AssetRuntimeState, AutomationState } from "../scheduler/conditions/index.ts";
import { assetStatus, lastUpdatedAt, type AutomationSource } from "../server/graphql/index.ts";
import { createTributaryServer } from "../server/http.ts";
import { loadQueryCompiler } from "../server/yoga.ts";
import { runForJson } from "./child-json.ts";
import { askBlock, askLineage, type ClientBlock, type ClientTimings } from "./lineage-client.ts";
import { recordTarget } from "./targets.ts";

const QUERY = "query($key: String!) { lineage(key: $key, direction: UPSTREAM) { nodes { key kinds } edges { from to } } }";

/** The web UI's lineage query, with its fragment, read from the UI's own documents. */
const UI_QUERY = print(
  separateOperations(parse(readFileSync(join(import.meta.dirname, "..", "admin-ui", "src", "data-provider", "documents", "assets.graphql"), "utf8")))["Lineage"]!,
);

/** What the bench asks: its own query, and the web UI's with the variables the lineage graph sends. */
const ASKED = {
  bench: { query: QUERY, variables: {} },
  ui: { query: UI_QUERY, variables: { direction: "UPSTREAM", depth: null } },
} as const;

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export interface ExecutorLatency {
  readonly p50Ms: number;
  readonly p95Ms: number;
  /** This process's CPU time per request, mean: the server's alone, or the server's and the client's for the in-process client. */
  readonly cpuMs: number;
}

export interface LineageBenchResult {
  readonly assets: number;
  readonly targets: number;
  readonly meanClosure: number;
  readonly meanEdges: number;
  readonly inProcessP50Ms: number;
  readonly responseKb: number;
  /** graphql-jit (what `serve` runs) and graphql-js's executor, asked by a client in a process of its own. */
  readonly compiled: ExecutorLatency;
  readonly graphqlJs: ExecutorLatency;
  /** graphql-jit asked by a client in the server's own process (how this bench measured before 2026-12-04). */
  readonly compiledInProcessClient: ExecutorLatency;
  /**
   * The floor: a bare node:http server, no GraphQL, that computes the same closure and sends the same bytes
   * (`JSON.stringify` of the answer's objects), asked by the same client. What any Node server pays here.
   */
  readonly bareNode: ExecutorLatency;
  /** The web UI's lineage query: graphql-jit, and the floor for the same bytes; its mean response size. */
  readonly ui: { readonly compiled: ExecutorLatency; readonly bareNode: ExecutorLatency; readonly responseKb: number };
}

/** A deep graph: each asset reads one to three of the 200 before it (deterministic). */
export function deepGraph(size: number): CatalogGraph {
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const roots = Math.max(1, Math.floor(size * 0.05));
  const name = (i: number) => `layer_${Math.floor(i / 100)}/asset_${i}`;
  const specs: AssetSpec[] = [];
  for (let i = 0; i < size; i++) {
    if (i < roots) {
      specs.push(spec(name(i), { materializer: { tool: "fivetran", locationName: "fivetran", runTargetId: name(i) } }));
      continue;
    }
    const deps = new Set<string>();
    const count = 1 + Math.floor(random() * 3);
    for (let k = 0; k < count; k++) deps.add(name(Math.max(0, i - 1 - Math.floor(random() * 200))));
    specs.push(spec(name(i), { deps: [...deps] }));
  }
  return buildCatalogGraph({ definitions: [definitions("bench", specs)] });
}

/** The first `count` assets (in graph order) whose upstream closure holds at least `minimum` nodes. */
export function bigClosures(graph: CatalogGraph, minimum: number, count: number): string[] {
  const found: string[] = [];
  for (let i = 0; i < graph.assets.length && found.length < count; i++) {
    const id = graph.assets[i]!.id;
    if (graph.lineage(id, "UPSTREAM", null).nodes.length >= minimum) found.push(id);
  }
  return found;
}

/**
 * Run state for every asset (deterministic): 90% materialized at some moment of one day, so a node is fresh or
 * stale by its parents' times; a few failed since, a few in a run now; the rest never materialized.
 */
function runState(graph: CatalogGraph): AutomationState {
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const day = Date.UTC(2026, 11, 1);
  const assets = new Map<string, AssetRuntimeState>();
  let storageId = 0;
  for (const asset of graph.assets) {
    const draw = random();
    if (draw < 0.1) continue;
    const latestMaterialization = { storageId: ++storageId, timestamp: day + Math.floor(random() * 86_400_000), runId: null, runAssetSelection: null };
    assets.set(asset.id, {
      latestMaterialization,
      latestFailure: draw > 0.97 ? { storageId: ++storageId, timestamp: latestMaterialization.timestamp + 60_000, runId: null } : null,
      runInProgress: draw > 0.96 && draw <= 0.97 ? "run-1" : null,
    });
  }
  return { lastEventId: storageId, assets };
}

/**
 * A node:http server answering the bench's queries without GraphQL: the closure, then `JSON.stringify` of the same
 * objects an executor would build (for the UI's query, with the server's own status and last-update functions),
 * sent as yoga sends it. Its answers are checked byte for byte against graphql-jit's before it is timed, so it is
 * the same work on the wire with nothing of ours around it.
 */
function bareLineageServer(graph: CatalogGraph, state: AutomationState): Server {
  const asUi = (node: CatalogGraph["assets"][number]) => ({
    key: node.id,
    kinds: node.kinds,
    materializedBy: node.materializer === null ? null : { tool: node.materializer.tool },
    status: assetStatus(node, graph, state),
    lastUpdatedAt: lastUpdatedAt(state, node.id),
  });
  return createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const { query, variables } = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { query: string; variables: { key: string } };
      const { nodes, edges } = graph.lineage(variables.key, "UPSTREAM", null);
      const answerNodes = query === UI_QUERY ? nodes.map(asUi) : nodes.map((node) => ({ key: node.id, kinds: node.kinds }));
      const body = JSON.stringify({ data: { lineage: { nodes: answerNodes, edges: edges.map(({ from, to }) => ({ from, to })) } } });
      response.writeHead(200, { "content-type": "application/json; charset=utf-8" });
      response.end(body);
    });
  });
}

export async function benchLineage(size: number, requests = 200): Promise<LineageBenchResult> {
  const graph = deepGraph(size);
  const targets = bigClosures(graph, 3000, 20);
  if (targets.length === 0) throw new Error(`no asset of the ${size}-asset graph has an upstream closure of 3,000 nodes`);
  const closures = targets.map((id) => graph.lineage(id, "UPSTREAM", null));

  const inProcess: number[] = [];
  for (let i = 0; i < requests; i++) {
    const started = performance.now();
    graph.lineage(targets[i % targets.length]!, "UPSTREAM", null);
    inProcess.push(performance.now() - started);
  }

  const state = runState(graph);
  // Run state as a store's source gives it, without the store's read (the tick bench measures that).
  const automation: AutomationSource = { state: () => Promise.resolve(state), evaluations: async () => [], cursor: async () => null };
  const catalog = { current: () => graph, automation };
  const servers = {
    compiled: createTributaryServer({ catalog, logger: pino({ level: "silent" }), port: 0 }),
    graphqlJs: createTributaryServer({ catalog, logger: pino({ level: "silent" }), port: 0, compiledExecution: false }),
  };
  const bare = bareLineageServer(graph, state);
  await loadQueryCompiler();
  await new Promise<void>((resolve) => bare.listen(0, "127.0.0.1", resolve));
  const urls = {
    compiled: (await servers.compiled.listen()).graphqlUrl,
    graphqlJs: (await servers.graphqlJs.listen()).graphqlUrl,
    bareNode: `http://127.0.0.1:${(bare.address() as { port: number }).port}/graphql`,
  };
  for (const { query, variables } of Object.values(ASKED)) {
    for (const key of targets.slice(0, 3)) {
      const [expected, floor] = [await askLineage(urls.compiled, query, { ...variables, key }), await askLineage(urls.bareNode, query, { ...variables, key })];
      if (floor !== expected) throw new Error(`the bare server's answer for ${key} is not graphql-jit's, byte for byte (${floor.length} vs ${expected.length} characters)`);
    }
  }
  const client = fork(join(import.meta.dirname, "lineage-client.ts"), [], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const askOutOfProcess = (block: ClientBlock) =>
    new Promise<ClientTimings>((resolve, reject) => {
      // A client that cannot start or dies fails the bench instead of leaving it waiting for an answer.
      const failed = (error: Error) => reject(error);
      const exited = (code: number | null) => reject(new Error(`the lineage client exited (${code}) before answering`));
      client.once("error", failed);
      client.once("exit", exited);
      client.once("message", (timings: ClientTimings) => {
        client.off("error", failed);
        client.off("exit", exited);
        if (timings.error !== undefined) reject(new Error(timings.error));
        else resolve(timings);
      });
      client.send(block);
    });
  const configurations = [
    { name: "compiled", executor: "compiled", outOfProcess: true, asked: "bench" },
    { name: "graphqlJs", executor: "graphqlJs", outOfProcess: true, asked: "bench" },
    { name: "compiledInProcess", executor: "compiled", outOfProcess: false, asked: "bench" },
    { name: "bareNode", executor: "bareNode", outOfProcess: true, asked: "bench" },
    { name: "compiledUi", executor: "compiled", outOfProcess: true, asked: "ui" },
    { name: "bareNodeUi", executor: "bareNode", outOfProcess: true, asked: "ui" },
  ] as const;
  const sample = () => ({ ms: [] as number[], cpuUs: 0 });
  const samples = { compiled: sample(), graphqlJs: sample(), compiledInProcess: sample(), bareNode: sample(), compiledUi: sample(), bareNodeUi: sample() };
  const sizes = { bench: { bytes: 0, answers: 0 }, ui: { bytes: 0, answers: 0 } };
  try {
    // Blocks of 20 requests, the configurations alternated; the first block of each warms the JIT and is not counted.
    const count = configurations.length;
    for (let block = 0; block < count * (requests / 20 + 1); block++) {
      const configuration = configurations[block % count]!;
      const asked = Array.from({ length: 20 }, (_, i) => {
        const target = (block * 20 + i) % targets.length;
        return { key: targets[target]!, nodes: closures[target]!.nodes.length };
      });
      const ask: ClientBlock = { url: urls[configuration.executor], ...ASKED[configuration.asked], requests: asked };
      const cpu = process.cpuUsage();
      const timings = configuration.outOfProcess ? await askOutOfProcess(ask) : await askBlock(ask);
      const used = process.cpuUsage(cpu);
      if (block < count) continue;
      samples[configuration.name].ms.push(...timings.ms);
      samples[configuration.name].cpuUs += used.user + used.system;
      const size = sizes[configuration.asked];
      size.bytes += timings.bytes;
      size.answers += timings.ms.length;
    }
  } finally {
    client.send("exit");
    await Promise.all([servers.compiled.close(), servers.graphqlJs.close(), new Promise((resolve) => bare.close(resolve))]);
  }
  const latency = ({ ms, cpuUs }: { ms: number[]; cpuUs: number }): ExecutorLatency => ({
    p50Ms: Number(percentile(ms, 50).toFixed(2)),
    p95Ms: Number(percentile(ms, 95).toFixed(2)),
    cpuMs: Number((cpuUs / 1000 / ms.length).toFixed(2)),
  });
  return {
    assets: graph.assets.length,
    targets: targets.length,
    meanClosure: Math.round(closures.reduce((n, c) => n + c.nodes.length, 0) / closures.length),
    meanEdges: Math.round(closures.reduce((n, c) => n + c.edges.length, 0) / closures.length),
    inProcessP50Ms: Number(percentile(inProcess, 50).toFixed(2)),
    responseKb: Math.round(sizes.bench.bytes / sizes.bench.answers / 1024),
    compiled: latency(samples.compiled),
    graphqlJs: latency(samples.graphqlJs),
    compiledInProcessClient: latency(samples.compiledInProcess),
    bareNode: latency(samples.bareNode),
    ui: { compiled: latency(samples.compiledUi), bareNode: latency(samples.bareNodeUi), responseKb: Math.round(sizes.ui.bytes / sizes.ui.answers / 1024) },
  };
}

/**
 * Runs the bench in a process of its own (as `serve` is: what an earlier bench of `npm run bench` left on this
 * process's heap made every figure here slower, the in-process closure 1.6× on 2026-12-04) and prints its table.
 */
export function printLineageBenchInOwnProcess(size = 10_000): void {
  const before = loadavg()[0]!.toFixed(2);
  printLineageResult(runForJson<LineageBenchResult>(import.meta.filename, [String(size), "--json"]), before, loadavg()[0]!.toFixed(2));
}

export async function printLineageBench(size = 10_000): Promise<void> {
  const before = loadavg()[0]!.toFixed(2);
  printLineageResult(await benchLineage(size), before, loadavg()[0]!.toFixed(2));
}

function printLineageResult(result: LineageBenchResult, before: string, after: string): void {
  console.log(`\nBig lineage answers (bench/lineage-bench.ts): full upstream closures over loopback HTTP (load average ${before} → ${after})`);
  console.log("| assets | closures asked (mean nodes / edges) | response | in process, p50 | executor | client | over HTTP, p50 / p95 | CPU per request (this process) | target |");
  console.log("|---|---|---|---|---|---|---|---|---|");
  recordTarget({
    target: 3,
    what: `\`lineage\` full closures over loopback (mean ${result.meanClosure.toLocaleString("en")} nodes), p50, client in its own process`,
    figure: `${result.compiled.p50Ms} ms = ${(result.compiled.p50Ms / result.bareNode.p50Ms).toFixed(2)}× the bare node:http floor (client in the server's process: ${result.compiledInProcessClient.p50Ms} ms)`,
    baseline: `${result.inProcessP50Ms} ms in process; bare node:http server, same bytes: ${result.bareNode.p50Ms} ms`,
    // Restated on 2026-12-04 (README, Performance): ≤ 10 ms measured the machine as much as the code; within 1.3× of
    // the bare node:http floor is what the code adds, on any machine.
    goal: "≤ 10 ms, or ≤ 1.3× the floor",
    met: result.meanClosure >= 3000 && (result.compiled.p50Ms <= 10 || result.compiled.p50Ms <= 1.3 * result.bareNode.p50Ms),
  });
  const rows = [
    ["graphql-jit (serve)", "own process", result.compiled, "server", "p50 ≤ 10 ms, or ≤ 1.3× the floor", result.responseKb],
    ["graphql-js (before)", "own process", result.graphqlJs, "server", "", result.responseKb],
    ["graphql-jit (serve)", "server's process", result.compiledInProcessClient, "server and client", "", result.responseKb],
    ["none: bare node:http, same bytes (floor)", "own process", result.bareNode, "server", "", result.responseKb],
    ["the web UI's query (+ tool, status, last update): graphql-jit (serve)", "own process", result.ui.compiled, "server", "", result.ui.responseKb],
    ["the web UI's query: bare node:http, same bytes (its floor)", "own process", result.ui.bareNode, "server", "", result.ui.responseKb],
  ] as const;
  for (const [executor, client, latency, cpu, target, kb] of rows) {
    console.log(
      `| ${result.assets.toLocaleString("en")} | ${result.targets} (${result.meanClosure.toLocaleString("en")} / ${result.meanEdges.toLocaleString("en")}) | ` +
        `${kb} KB | ${result.inProcessP50Ms} ms | ${executor} | ${client} | ${latency.p50Ms} ms / ${latency.p95Ms} ms | ${latency.cpuMs} ms (${cpu}) | ${target} |`,
    );
  }
}

if (import.meta.filename === process.argv[1]) {
  const size = Number(process.argv[2] ?? 10_000);
  if (process.argv[3] === "--json") console.log(JSON.stringify(await benchLineage(size)));
  else await printLineageBench(size);
}
