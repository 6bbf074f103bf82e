/**
 * The demo's loop latency: from a Fivetran sync's completion to the first eager dbt model's materialization,
 * with the demo's own settings (demo-project/tributary.yaml: a 10 s tick, the observer polling every 10 s),
 * on a copy of demo-project with real dbt, the demo's simulators and the embedded store — what `npm run demo`
 * runs. The simulator's own schedule is pushed out of the way, and the bench plays Fivetran's schedule itself,
 * one Stripe sync per round once the platform is at rest. Target: at most two ticks plus dbt's own time (from
 * dbt's start to its first model).
 *
 * Run alone with `npx tsx bench/demo-latency-bench.ts` (BENCH_DEMO_ROUNDS, default 3); `npm run bench` runs it
 * unless BENCH_DEMO=0. It takes 2–4 minutes: the first builds of the demo, then one dbt build per round.
 */
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CatalogStore, RunRecord } from "../catalog/store/index.ts";
import { startDemoCensus } from "../server/demo-census.ts";
import { startDemoFivetran } from "../server/demo-fivetran.ts";
import { createLogger } from "../server/logging.ts";
import { startServe } from "../server/serve.ts";
import type { RunningServe } from "../server/serve.ts";
import { createCatalogService } from "../server/wiring.ts";

const DEMO_PROJECT = join(import.meta.dirname, "..", "demo-project");
const CONNECTORS = ["google_ads_connector", "shopify_connector", "stripe_connector"];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (from: string | Date, to: string | Date) => (new Date(to).getTime() - new Date(from).getTime()) / 1000;

interface EventRow {
  readonly id: string;
  readonly asset_key: string;
  readonly tool: string;
  readonly tributary_run_id: string | null;
  readonly recorded_at: Date;
}

export interface DemoLatencyRound {
  /** Sync finished → the observer recorded its materialization. */
  readonly recordedS: number;
  /** Recorded → the tick that requested the dbt run. */
  readonly requestedS: number;
  /** Recorded → dbt started. */
  readonly dbtStartedS: number;
  /** Sync finished → the first model's materialization recorded. */
  readonly firstModelS: number;
  /** dbt started → its first model recorded: dbt's own time. */
  readonly dbtOwnS: number;
  readonly firstModel: string;
}

export async function benchDemoLatency(rounds: number): Promise<{ tickSeconds: number; rounds: DemoLatencyRound[] }> {
  const scratch = await mkdtemp(join(tmpdir(), "tributary-demo-latency-"));
  const project = join(scratch, "demo-project");
  await cp(DEMO_PROJECT, project, { recursive: true, filter: (source) => !/(^|[\\/])(target|logs)$|\.duckdb(\.wal)?$/.test(source) });
  const dataDir = join(scratch, ".tributary", "demo"); // the demo config's storage.data_dir, relative to the copy
  const saved = { ...process.env };
  delete process.env["DATABASE_URL"];
  process.env["TRIBUTARY_DEMO_FIVETRAN_SYNC_MINUTES"] = "600"; // the bench plays Fivetran's schedule
  const fivetran = await startDemoFivetran({ projectDir: project, dataDir });
  const census = await startDemoCensus({ projectDir: project, dataDir });
  let serve: RunningServe | null = null;
  let store: CatalogStore | null = null;
  try {
    // A warehouse Fivetran already fills: the connectors' first syncs happened before Tributary started.
    for (const connector of CONNECTORS) await fivetran.runScheduledSync(connector);
    const started = await startServe(
      { config: join(project, "tributary.yaml"), dbtProjects: [], manifests: [], dataDir, host: "127.0.0.1", port: 0, scheduler: true, strict: false },
      { createCatalogService: (request, onProgress) => createCatalogService(request, onProgress, { onStore: (opened) => (store = opened) }) },
      { logger: createLogger({ level: "silent" }), output: { out: () => {}, err: () => {} } },
    );
    if (!started.ok) throw new Error("tributary serve did not start");
    serve = started;
    const db = store as CatalogStore | null;
    if (!db) throw new Error("the store was not opened");
    const sql = <T extends object>(text: string, params: unknown[] = []) => db.client.query<T>(text, params);
    const evaluationId = async () => Number((await sql<{ evaluation_id: string }>("SELECT evaluation_id FROM automation_cursor"))[0]?.evaluation_id ?? 0);
    const busy = (runs: readonly RunRecord[]) => runs.some((r) => r.status === "queued" || r.status === "running");
    const until = async <T>(what: string, probe: () => Promise<T | null | undefined>, ms: number): Promise<T> => {
      const deadline = Date.now() + ms;
      for (;;) {
        const value = await probe();
        if (value) return value;
        if (Date.now() > deadline) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
        await sleep(50);
      }
    };
    /** At rest: nothing queued or running, and two ticks pass without a new run. */
    const settle = async () => {
      for (;;) {
        const before = await db.listRuns({ first: 500 });
        if (!busy(before)) {
          const since = await evaluationId();
          await until("two ticks", async () => (await evaluationId()) >= since + 2, 120_000);
          const after = await db.listRuns({ first: 500 });
          if (after.length === before.length && !busy(after)) return;
        }
        await sleep(500);
      }
    };
    process.stderr.write("demo latency: the demo's first builds…\n");
    await settle();
    const results: DemoLatencyRound[] = [];
    for (let round = 1; round <= rounds; round++) {
      const lastEvent = Number((await sql<{ id: string | null }>("SELECT max(id) AS id FROM asset_events"))[0]?.id ?? 0);
      const sync = await fivetran.runScheduledSync("stripe_connector");
      const synced = await until(
        "the sync's materialization",
        async () => (await sql<EventRow>("SELECT id, asset_key, tool, tributary_run_id, recorded_at FROM asset_events WHERE asset_key = 'stripe/charge' AND id > $1", [lastEvent]))[0],
        60_000,
      );
      const firstModel = await until(
        "the first model",
        async () =>
          (
            await sql<EventRow>(
              "SELECT id, asset_key, tool, tributary_run_id, recorded_at FROM asset_events WHERE tool = 'dbt' AND kind = 'materialization' AND id > $1 AND tributary_run_id IS NOT NULL ORDER BY id LIMIT 1",
              [synced.id],
            )
          )[0],
        180_000,
      );
      const run = (await db.getRun(firstModel.tributary_run_id!))!;
      const dbtStarted = run.steps[0]?.startedAt ?? run.startedAt!;
      results.push({
        recordedS: seconds(sync.finishedAt, synced.recorded_at),
        requestedS: seconds(synced.recorded_at, run.createdAt),
        dbtStartedS: seconds(synced.recorded_at, dbtStarted),
        firstModelS: seconds(sync.finishedAt, firstModel.recorded_at),
        dbtOwnS: seconds(dbtStarted, firstModel.recorded_at),
        firstModel: firstModel.asset_key,
      });
      process.stderr.write(`demo latency: round ${round} of ${rounds}, ${results.at(-1)!.firstModelS.toFixed(1)} s\n`);
      await settle();
    }
    return { tickSeconds: 10, rounds: results };
  } finally {
    await serve?.stop();
    await fivetran.close();
    await census.close();
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Prints one row per round and the target check. */
export async function printDemoLatencyBench(rounds: number): Promise<void> {
  const { tickSeconds, rounds: results } = await benchDemoLatency(rounds);
  const f = (v: number) => `${v.toFixed(1)} s`;
  console.log(`\nDemo loop latency (demo-project, real dbt, tick ${tickSeconds} s, observer every 10 s):`);
  console.log("| round | sync finished → recorded | recorded → run requested | recorded → dbt started | dbt's own time to its first model | sync finished → first model | target: 2 ticks + dbt's own time |");
  console.log("|---|---|---|---|---|---|---|");
  results.forEach((r, i) => {
    const target = 2 * tickSeconds + r.dbtOwnS;
    console.log(`| ${i + 1} | ${f(r.recordedS)} | ${f(r.requestedS)} | ${f(r.dbtStartedS)} | ${f(r.dbtOwnS)} (${r.firstModel}) | ${f(r.firstModelS)} | ${f(target)} ${r.firstModelS <= target ? "met" : "missed"} |`);
  });
}

if (import.meta.url === `file://${process.argv[1]}`) await printDemoLatencyBench(Number(process.env["BENCH_DEMO_ROUNDS"] ?? 3));
