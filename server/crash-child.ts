/**
 * One life of the daemon for the crash test (./crash.test.ts): opens the store, starts the job queue, the runs
 * engine and (in "chaos" mode) the scheduler daemon, with the REAL Fivetran and Census step launchers pointed at
 * simulators in the parent test process (they outlive this process and count its triggers), and optionally
 * the real dbt build launcher. The parent SIGKILLs it at random moments and starts it again.
 *
 * Run as `node --import tsx server/crash-child.ts` with the JSON {@link CrashChildConfig} in env
 * TRIBUTARY_CRASH_CHILD. It writes JSON lines to stdout for the parent's loop (never for its assertions):
 * `{"ready":true}` once it works, `{"runs":n,"ended":m}` as runs are launched and end, and in "drain" mode
 * `{"drained":true}` once no run is queued or running, after which it stops gracefully and exits 0.
 *
 * - chaos: the daemon ticks every `tickMs` on an accelerated clock (`speed` × real time since `clockBase`, the
 *   same base in every life, so the clock never goes back across restarts) and launches on every cron tick.
 * - drain: no daemon; the engine takes over what the killed lives left and finishes every run.
 */
import { buildCatalogGraph } from "../catalog/graph/index.ts";
import { definitions } from "../catalog/graph/test-specs.ts";
import type { AssetSpec, PolicySpec, Launcher } from "../catalog/model/index.ts";
import { openCatalogStore, runSql } from "../catalog/store/index.ts";
import type { CatalogStoreOptions } from "../catalog/store/index.ts";
import { createCensusClient, createCensusStepLauncher } from "../connectors/census/index.ts";
import { createFivetranClient, createFivetranStepLauncher } from "../connectors/fivetran/index.ts";
import { createDaemon, createLeaderLease } from "../scheduler/daemon/index.ts";
import type { Daemon } from "../scheduler/daemon/index.ts";
import type { EngineLogger } from "../scheduler/runs/index.ts";
import { createRunEngine, createRunQueue } from "../scheduler/runs/index.ts";

/** One asset the child's graph holds, and what builds it. */
export interface CrashAsset {
  readonly key: readonly string[];
  readonly tool: "fivetran" | "census" | "dbt";
  readonly runTargetId: string;
  /** The cron of its `on_cron ∧ ¬in_progress` policy. */
  readonly cron: string;
}

export interface CrashChildConfig {
  readonly mode: "chaos" | "drain";
  readonly store: CatalogStoreOptions;
  readonly queueSchema: string;
  /** The daemon's clock: clockBase + (Date.now() − clockBase) × speed. */
  readonly clockBase: number;
  readonly speed: number;
  readonly tickMs: number;
  readonly heartbeatMs: number;
  readonly staleAfterMs: number;
  readonly pollMs: number;
  readonly assets: readonly CrashAsset[];
  readonly fivetran: { readonly url: string; readonly apiKey: string; readonly apiSecret: string; readonly locationName: string };
  readonly census: { readonly url: string; readonly apiKey: string; readonly locationName: string };
  readonly dbt: {
    readonly locationName: string;
    readonly projectDir: string;
    readonly parseTargetDir: string;
    readonly runsDir: string;
    readonly executable: string;
    readonly profilesDir: string;
  } | null;
}

const CRASH_CHILD_ENV = "TRIBUTARY_CRASH_CHILD";

const config = JSON.parse(process.env[CRASH_CHILD_ENV] ?? "null") as CrashChildConfig | null;
if (config === null) throw new Error(`${CRASH_CHILD_ENV} is not set`);

const say = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);
// Warnings and errors go to stderr: the parent keeps the tail to explain a failure.
const verbose = process.env["TRIBUTARY_CRASH_VERBOSE"] === "1";
const bootedAt = Date.now();
const logger: EngineLogger = {
  debug() {},
  info: (fields, message) => {
    if (verbose) process.stderr.write(`[${process.pid}] +${Date.now() - bootedAt}ms info ${message} ${JSON.stringify(fields)}\n`);
  },
  warn: (fields, message) => process.stderr.write(`[${process.pid}] warn ${message} ${JSON.stringify(fields)}\n`),
  error: (fields, message) => process.stderr.write(`[${process.pid}] error ${message} ${JSON.stringify(fields)}\n`),
};

const policy = (cron: string): PolicySpec => ({
  source: "automation_condition",
  // on_cron alone launches at every cron tick even while the previous run of the asset goes on; with
  // ¬in_progress two runs of one sync never overlap, so each trigger belongs to exactly one step.
  condition: { all_of: [{ on_cron: { cron, timezone: "UTC" } }, { not: "in_progress" }] },
  declaredIn: { file: "crash-child", line: 1 },
});
const locationOf = (tool: CrashAsset["tool"]) =>
  tool === "fivetran" ? config.fivetran.locationName : tool === "census" ? config.census.locationName : config.dbt!.locationName;
const specs: AssetSpec[] = config.assets.map((asset) => ({
  key: [...asset.key],
  relation: null,
  kinds: [asset.tool],
  group: null,
  owners: [],
  tags: [],
  description: null,
  deps: [],
  columns: [],
  checks: [],
  policy: policy(asset.cron),
  codeVersion: null,
  materializer: { tool: asset.tool, locationName: locationOf(asset.tool), runTargetId: asset.runTargetId },
  dbtUniqueId: asset.tool === "dbt" ? asset.runTargetId : null,
  definedIn: null,
  metadata: {},
}));
const graph = buildCatalogGraph({ definitions: [definitions("crash", specs)] });

const launchers: Launcher[] = [
  createFivetranStepLauncher({
    client: createFivetranClient({ apiKey: config.fivetran.apiKey, apiSecret: config.fivetran.apiSecret, baseUrl: config.fivetran.url, timeoutMs: 5_000, retryDelayMs: 20 }),
    locationName: config.fivetran.locationName,
    pollIntervalMs: config.pollMs,
    concurrency: 8,
  }),
  createCensusStepLauncher({
    client: createCensusClient({ apiKey: config.census.apiKey, baseUrl: config.census.url, timeoutMs: 5_000, retryDelayMs: 20 }),
    locationName: config.census.locationName,
    pollIntervalMs: config.pollMs,
    concurrency: 8,
  }),
];
if (config.dbt) {
  // Imported only when used: the module takes half a second to load, and every life's boot counts.
  const { createDbtBuildLauncher } = await import("../connectors/dbt/index.ts");
  launchers.push(
    createDbtBuildLauncher({
      locationName: config.dbt.locationName,
      projectDir: config.dbt.projectDir,
      parseTargetDir: config.dbt.parseTargetDir,
      runsDir: config.dbt.runsDir,
      dbtExecutable: config.dbt.executable,
      profilesDir: config.dbt.profilesDir,
      resumePollMs: 100,
    }),
  );
}

const phase = (name: string) => logger.info({}, name);
phase("modules loaded");
const store = await openCatalogStore(config.store);
phase("store open");
const queue = createRunQueue({
  client: store.client,
  schema: config.queueSchema,
  pollingIntervalSeconds: 0.5,
  onError: (error) => logger.warn({ error: error.message }, "the job queue reported an error"),
});
await queue.start();
phase("queue started");
const engine = createRunEngine({
  store,
  queue,
  launchers,
  graph: () => graph,
  logger,
  heartbeatMs: config.heartbeatMs,
  staleAfterMs: config.staleAfterMs,
  // As `tributary serve` does: one process owns the embedded store, so what it finds running is a dead one's.
  takeOverAllAtStart: store.dialect === "pglite",
});
await engine.start();
phase("engine started");

let daemon: Daemon | null = null;
if (config.mode === "chaos") {
  const base = config.clockBase;
  daemon = createDaemon({
    store,
    engine,
    lease: createLeaderLease(store.client),
    graph: () => graph,
    logger,
    intervalMs: config.tickMs,
    now: () => new Date(base + (Date.now() - base) * config.speed),
    name: `crash-child-${process.pid}`,
  });
  daemon.start();
}
say({ ready: true, pid: process.pid });

let stopping = false;
async function stop(code: number): Promise<never> {
  stopping = true;
  await daemon?.stop();
  await engine.stop();
  await store.close();
  process.exit(code);
}
process.on("SIGTERM", () => void stop(0));

let reported = -1;
let lastTick: unknown = null;
for (;;) {
  await new Promise((resolve) => setTimeout(resolve, 100));
  if (stopping) break;
  if (verbose && daemon?.lastTick && daemon.lastTick !== lastTick) {
    lastTick = daemon.lastTick;
    logger.info({ tick: daemon.lastTick.evaluationId, ms: Math.round(daemon.lastTick.durationMs), runs: daemon.lastTick.runIds.length, skipped: daemon.lastTick.skipped }, "tick");
  }
  try {
    const runs = await store.countRuns({});
    const ended = await store.countRuns({ statuses: ["succeeded", "failed", "canceled"] });
    if (runs + ended !== reported) {
      reported = runs + ended;
      say({ runs, ended });
    }
    if (config.mode === "drain" && (await runSql.unfinishedRuns(store.client)).length === 0) {
      say({ drained: true });
      await stop(0);
    }
  } catch (error) {
    logger.warn({ error: error instanceof Error ? error.message : String(error) }, "could not read the store");
  }
}
