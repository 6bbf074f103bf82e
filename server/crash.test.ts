/**
 * The crash test: the daemon (store + job queue + runs engine + scheduler, with the real Fivetran, Census and
 * dbt launchers) runs in a child process (./crash-child.ts) that is SIGKILLed at random moments and started
 * again, until the store holds at least N launches (200 on Postgres, 50 on PGlite) and the child was killed at
 * least K times. Some kills are aimed at the moment a tool accepts a trigger or a dbt starts, and some
 * triggers are answered late (the tool acted, the answer is slow), so kills land before, during and after
 * every outside call. A last life runs without the scheduler until every run has ended. Then, from the store
 * and from the tools' side only (the simulators in this process, which outlive every kill, and a wrapper that
 * notes each dbt it starts, with its pid), never from logs:
 *
 * (a) no run is queued or running, and no step is pending or running;
 * (b) every trigger a simulator accepted belongs to exactly one step that records it: per Fivetran connector,
 *     as many accepted triggers as steps whose saved progress reached "triggered", each starting a sync (never
 *     joining one); per Census sync, the run ids the simulator started are exactly the run ids the steps
 *     followed, each once. A step that stopped before its trigger was confirmed, and whose tool shows no sync
 *     since, failed ("not triggered again, to avoid a double sync") instead of triggering again; a step that
 *     saved no progress started nothing;
 * (c) each completed sync's materialization is recorded exactly once, by the run of the step that triggered
 *     it (Fivetran: the syncs the steps followed are the syncs the simulator ran; Census: one event per run);
 * (d) each dbt step started dbt at most once; a step that saved a pid started exactly that dbt; the build of
 *     every dbt that finished is recorded exactly once, by its step's run, and the step's outcome is the
 *     build's; a step whose dbt never finished failed and recorded no materialization;
 * (e) at least N launches.
 *
 * The policies are `on_cron(* * * * *) ∧ ¬in_progress` on an accelerated clock: a launch at every cron tick
 * once the asset's previous run has ended, so two steps of one sync never overlap and each trigger belongs to
 * one step.
 *
 * The seed of the kills is printed; TRIBUTARY_CRASH_SEED=<seed> replays a schedule (timing still varies).
 * TRIBUTARY_CRASH_LAUNCHES=<n> raises N for a soak; TRIBUTARY_CRASH_DBT=0 leaves the real dbt builds out;
 * TRIBUTARY_CRASH_VERBOSE=1 prints each life, the children's warnings and the dbt steps.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync, readlinkSync, realpathSync, statSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { CatalogStore } from "../catalog/store/index.ts";
import { pgliteEngine, postgresEngine, withDatabase } from "../catalog/store/test-support.ts";
import type { TestEngine } from "../catalog/store/test-support.ts";
import { startCensusSimulator } from "../connectors/census/simulator/server.ts";
import type { CensusSimulator } from "../connectors/census/simulator/server.ts";
import { syncAssetKey } from "../connectors/census/translator.ts";
import { isDbtProcessAlive } from "../connectors/dbt/build-launcher.ts";
import { runDbtParse } from "../connectors/dbt/project-runner.ts";
import { dbtDedupeKey, readRunResultsFile } from "../connectors/dbt/run-results.ts";
import { resolveDbtRuntime } from "../connectors/dbt/runtime.ts";
import { writeNotingDbt } from "../connectors/dbt/test-support.ts";
import { startFivetranSimulator } from "../connectors/fivetran/simulator/server.ts";
import type { FivetranSimulator } from "../connectors/fivetran/simulator/server.ts";
import type { CrashAsset, CrashChildConfig } from "./crash-child.ts";

const CHILD = fileURLToPath(new URL("./crash-child.ts", import.meta.url));
/** The child reads its configuration from this variable (crash-child.ts; imported for types only: it runs on import). */
const CRASH_CHILD_ENV = "TRIBUTARY_CRASH_CHILD";
const FIVETRAN_KEY = "crash_key_7QzX1pLm";
const FIVETRAN_SECRET = "crash_secret_9HdK2wRf";
const CENSUS_KEY = "secret-token:crash_census_Zq81hV";
/** Fivetran connectors and Census syncs, each an asset launched at every cron tick when its last run has ended. */
const CONNECTORS = 8;
const CENSUS_SYNCS = 6;

/** A small seeded PRNG (mulberry32): the kill schedule is replayable from the printed seed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One life of the child process. */
interface Life {
  readonly process: ChildProcess;
  /** Resolves when the child says it works (never rejects; see `exited`). */
  readonly ready: Promise<void>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The latest run count the child reported. */
  runs(): number;
  /** The latest count of ended runs the child reported. */
  ended(): number;
  drained(): boolean;
  readyAt(): number | null;
}

function startLife(config: CrashChildConfig, stderrTail: string[]): Life {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD], {
    env: { ...process.env, [CRASH_CHILD_ENV]: JSON.stringify(config), TRIBUTARY_LOG_LEVEL: "silent" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let runs = -1;
  let ended = -1;
  let drained = false;
  let readyAt: number | null = null;
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  let pending = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    pending += chunk;
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      if (!line.startsWith("{")) continue;
      let message: { ready?: boolean; runs?: number; ended?: number; drained?: boolean };
      try {
        message = JSON.parse(line) as typeof message;
      } catch {
        continue; // not one of its status lines
      }
      if (message.ready) {
        readyAt = Date.now();
        markReady();
      }
      if (typeof message.runs === "number") runs = message.runs;
      if (typeof message.ended === "number") ended = message.ended;
      if (message.drained) drained = true;
    }
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    stderrTail.push(...chunk.split("\n").filter((l) => l.trim() !== ""));
    if (stderrTail.length > 400) stderrTail.splice(0, stderrTail.length - 400);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  void exited.then(() => markReady());
  return { process: child, ready, exited, runs: () => runs, ended: () => ended, drained: () => drained, readyAt: () => readyAt };
}

interface DbtSetup {
  readonly config: NonNullable<CrashChildConfig["dbt"]>;
  /** The file the dbt wrapper appends `<pid> <target path> <subcommand>` to, once per dbt it starts. */
  readonly invocationsFile: string;
  readonly uniqueId: string;
}

/**
 * A one-model dbt project on DuckDB, parsed once, and a wrapper executable that notes every dbt it starts (on
 * the tool's side, like the simulators' triggers) and answers `--version` without starting Python.
 */
async function setUpDbt(dir: string): Promise<DbtSetup> {
  const runtime = await resolveDbtRuntime({ preferManaged: true });
  const projectDir = join(dir, "dbt-project");
  await mkdir(join(projectDir, "models"), { recursive: true });
  await writeFile(
    join(projectDir, "dbt_project.yml"),
    'name: "crash"\nconfig-version: 2\nversion: "0.1"\nprofile: "crash"\nmodel-paths: ["models"]\nflags:\n  send_anonymous_usage_stats: false\nmodels:\n  crash:\n    materialized: table\n',
  );
  await writeFile(
    join(projectDir, "profiles.yml"),
    `crash:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: ${JSON.stringify(join(dir, "dbt-warehouse.duckdb"))}\n      schema: main\n      threads: 1\n`,
  );
  await writeFile(join(projectDir, "models", "crash_model.sql"), "select 1 as id\n");
  const invocationsFile = join(dir, "dbt-invocations.txt");
  // Each dbt's pid (its own: the stand-in execs it), target path and command.
  const wrapper = await writeNotingDbt(join(dir, "dbt-counting"), runtime, invocationsFile, `'%s %s %s\\n' "$$" "$DBT_TARGET_PATH" "$1"`);
  const parseTargetDir = join(dir, "dbt-parse");
  await runDbtParse({ runtime, projectDir, targetPath: parseTargetDir, profilesDir: projectDir });
  return {
    config: { locationName: "crash_dbt", projectDir, parseTargetDir, runsDir: join(dir, "dbt-runs"), executable: wrapper, profilesDir: projectDir },
    invocationsFile,
    uniqueId: "model.crash.crash_model",
  };
}

/** Every dbt the wrapper started, in order. */
async function dbtInvocations(setup: DbtSetup): Promise<{ pid: number; targetPath: string; subcommand: string }[]> {
  if (!existsSync(setup.invocationsFile)) return [];
  return (await readFile(setup.invocationsFile, "utf8"))
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [pid, targetPath, subcommand] = line.split(" ");
      return { pid: Number(pid), targetPath: targetPath!, subcommand: subcommand ?? "" };
    });
}

/**
 * Whether a dbt this test started still runs: alive, no zombie, and (where /proc tells) working in this test's
 * project — pids are reused, and other suites run dbt too.
 */
function ourDbtAlive(pid: number, setup: DbtSetup): boolean {
  if (!isDbtProcessAlive(pid)) return false;
  try {
    return readlinkSync(`/proc/${pid}/cwd`) === realpathSync(setup.config.projectDir);
  } catch {
    return !existsSync("/proc/self"); // no /proc: trust the signal check
  }
}

/** Waits until no dbt the wrapper started still runs (a killed life's dbt goes on by itself). */
async function waitForDbts(setup: DbtSetup, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const running = (await dbtInvocations(setup)).filter((i) => ourDbtAlive(i.pid, setup));
    if (running.length === 0) return;
    assert.ok(Date.now() < deadline, `dbt still running after ${timeoutMs} ms: pids ${running.map((i) => i.pid).join(", ")}`);
    await sleep(200);
  }
}

/**
 * Returns as soon as a simulator accepts a trigger or a dbt starts (`dbtOnly`: a dbt), or after `timeoutMs`;
 * the caller kills the life at once.
 */
async function killWhenStarted(
  life: Life,
  tools: { readonly fivetran: FivetranSimulator; readonly census: CensusSimulator; readonly dbt: DbtSetup | null },
  timeoutMs: number,
  dbtOnly: boolean,
): Promise<void> {
  const dbtSize = () => (tools.dbt && existsSync(tools.dbt.invocationsFile) ? statSync(tools.dbt.invocationsFile).size : 0);
  const triggers = () => (dbtOnly ? 0 : tools.fivetran.triggers.length + tools.census.triggers.length);
  const before = { triggers: triggers(), dbt: dbtSize() };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && life.process.exitCode === null) {
    if (triggers() !== before.triggers || dbtSize() !== before.dbt) return;
    await sleep(1);
  }
}

interface StepRow {
  run_id: string;
  step_index: number;
  tool: string;
  status: string;
  attempts: number;
  progress: Record<string, unknown> | null;
  message: string | null;
  tool_run_id: string | null;
  target: string;
}

interface Figures {
  launches: number;
  kills: number;
  killedBeforeReady: number;
  /** Kills aimed at the moment a trigger was accepted or a dbt started. */
  killedAtAStart: number;
  /** Steps claimed again after their worker was killed, and how many times in all. */
  stepsTakenOver: number;
  takeovers: number;
  steps: Record<string, number>;
  unconfirmed: number;
  fivetranTriggers: number;
  censusTriggers: number;
  dbtBuilds: number;
  seconds: number;
}

interface CrashOptions {
  /** The launches to aim at; a machine too slow to reach them in the time budget is judged over at least a quarter. */
  readonly launches: number;
  /** At least this many kills, however fast the launches come. */
  readonly kills: number;
  readonly dbt: boolean;
  readonly seed: number;
  /** A life after its boot lasts up to this long (a few lives, longer: slow work gets going). */
  readonly lifeMs: number;
}

/** The fewest launches a run out of time is judged over. */
const minimumLaunches = (aimed: number): number => Math.ceil(aimed / 4);

async function crashTest(engine: TestEngine, options: CrashOptions): Promise<Figures> {
  const started = Date.now();
  const random = prng(options.seed);
  const dir = await mkdtemp(join(tmpdir(), "tributary-crash-"));
  const stderrTail: string[] = [];
  let fivetran: FivetranSimulator | null = null;
  let census: CensusSimulator | null = null;
  // The life running now (a holder: it is replaced inside the callback below).
  const current: { life: Life | null } = { life: null };
  try {
    // The tools, in this process: they outlive every kill and count what they were asked.
    const connectorIds = Array.from({ length: CONNECTORS }, (_, i) => `crash_c${i}`);
    for (let i = 0; i < CONNECTORS; i++) {
      await mkdir(join(dir, "fivetran", `s${i}`), { recursive: true });
      await writeFile(join(dir, "fivetran", `s${i}`, "items.csv"), "id,name\n1,a\n");
    }
    fivetran = await startFivetranSimulator({
      apiKey: FIVETRAN_KEY,
      apiSecret: FIVETRAN_SECRET,
      groups: [{ id: "crash_group", name: "Crash", destination: { service: "duckdb", database: "warehouse" } }],
      connectors: connectorIds.map((id, i) => ({ id, groupId: "crash_group", service: "crash", schema: `crash_s${i}`, dataDir: join(dir, "fivetran", `s${i}`), scheduleType: "manual" as const })),
      warehousePath: null,
      syncDurationMs: 250,
    });
    const censusSyncs = Array.from({ length: CENSUS_SYNCS }, (_, i) => ({
      id: 201 + i,
      label: `crash_sync_${i}`,
      sourceId: 1,
      source: { type: "sql_model" as const, name: `crash_rows_${i}`, query: `SELECT ${i} AS id, 'row' AS name` },
      destinationId: 11,
      destinationObject: "contacts",
      operation: "upsert",
      mappings: [
        { from: "id", to: "external_id", primary: true },
        { from: "name", to: "name" },
      ],
    }));
    census = await startCensusSimulator({
      apiKey: CENSUS_KEY,
      sources: [{ id: 1, name: "Crash warehouse", type: "duckdb", database: "warehouse" }],
      destinations: [{ id: 11, name: "CRM", type: "hubspot", objects: ["contacts"] }],
      syncs: censusSyncs,
      warehousePath: join(dir, "census-warehouse.duckdb"),
      outputDir: join(dir, "census-out"),
      stepMs: 100,
    });
    const dbt = options.dbt ? await setUpDbt(dir) : null;

    const assets: CrashAsset[] = [
      ...connectorIds.map((id, i) => ({ key: [`crash_s${i}`, "items"], tool: "fivetran" as const, runTargetId: id, cron: "* * * * *" })),
      ...censusSyncs.map((sync) => ({ key: syncAssetKey({ id: String(sync.id), label: sync.label, resource_identifier: null }), tool: "census" as const, runTargetId: String(sync.id), cron: "* * * * *" })),
      ...(dbt ? [{ key: ["crash_model"], tool: "dbt" as const, runTargetId: dbt.uniqueId, cron: "* * * * *" }] : []),
    ];

    return await withDatabase(engine, async (database) => {
      const base: Omit<CrashChildConfig, "mode"> = {
        store: database.options,
        // As server/wiring.ts names it: beside the store's schema.
        queueSchema: database.options.schema ? `${database.options.schema}_queue` : "tributary_queue",
        clockBase: Date.now(),
        // Four fake minutes a second: a cron tick of `* * * * *` passes every 250 ms.
        speed: 240,
        tickMs: 150,
        heartbeatMs: 100,
        staleAfterMs: 600,
        pollMs: 60,
        assets,
        fivetran: { url: fivetran!.url, apiKey: FIVETRAN_KEY, apiSecret: FIVETRAN_SECRET, locationName: "crash_fivetran" },
        census: { url: census!.url, apiKey: CENSUS_KEY, locationName: "crash_census" },
        dbt: dbt?.config ?? null,
      };

      let kills = 0;
      let killedBeforeReady = 0;
      let aimed = 0;
      let launches = 0;
      let ended = 0;
      let bootMs = 1_500;
      // A loaded machine (a 2-core CI running other suites) can make a life too short to launch or finish
      // anything: lives are stretched while none makes progress, so the test always moves on.
      let stretch = 1;
      const deadline = Date.now() + 420_000;
      while (launches < options.launches || kills < options.kills) {
        if (Date.now() >= deadline) {
          // The time budget is spent: a loaded machine (a 2-core CI at load 20 made 64 launches in 7 minutes) is
          // judged over what it reached, if that is enough to mean something; the checks below are the same.
          const enough = launches >= minimumLaunches(options.launches) && kills >= options.kills;
          assert.ok(enough, `only ${launches} launches after ${kills} kills; the child's last lines:\n${stderrTail.slice(-40).join("\n")}`);
          console.log(`crash test: the time budget ran out at ${launches} launches and ${kills} kills (aiming at ${options.launches}); judged over those`);
          break;
        }
        // Now and then a trigger whose answer is slow (the tool acted, the answer is late), so more kills land
        // between a trigger the tool accepted and the progress that records it.
        if (random() < 0.3) fivetran!.inject({ path: /\/sync$/, method: "POST", processFirst: true, delayMs: 50 + Math.floor(random() * 400) });
        if (random() < 0.3) census!.inject({ path: /\/trigger$/, method: "POST", processFirst: true, delayMs: 50 + Math.floor(random() * 400) });
        const spawnedAt = Date.now();
        const life = (current.life = startLife({ ...base, mode: "chaos" }, stderrTail));
        const roll = random();
        if (roll < 0.12) {
          // While it boots: opening the store, migrations, the queue's install, the first takeovers.
          await Promise.race([sleep(Math.floor(random() * bootMs)), life.exited]);
          if (life.readyAt() === null) killedBeforeReady += 1;
        } else {
          await life.ready;
          const readyAt = life.readyAt();
          if (readyAt !== null) bootMs = Math.round(0.7 * bootMs + 0.3 * (readyAt - spawnedAt));
          if (roll < 0.3) {
            // Aimed: killed the moment a tool accepts a trigger or a dbt starts, before the worker can save
            // what it started (the narrowest window of all).
            aimed += 1;
            await killWhenStarted(life, { fivetran: fivetran!, census: census!, dbt }, options.lifeMs * 2 * stretch, dbt !== null && roll < 0.2);
          } else {
            // Mostly short lives (kills land before, during and after the outside calls of the steps in
            // flight), some longer ones so that slow work (dbt) gets going.
            const long = roll > (dbt ? 0.85 : 0.95);
            const lifeMs = long ? options.lifeMs + Math.floor(random() * (dbt ? 6_000 : 2_000)) : Math.floor(random() * options.lifeMs);
            await Promise.race([sleep(lifeMs * stretch), life.exited]);
          }
        }
        const early = life.process.exitCode !== null || life.process.signalCode !== null;
        life.process.kill("SIGKILL");
        const exit = await life.exited;
        assert.ok(!early, `the child exited by itself (${JSON.stringify(exit)}); its last lines:\n${stderrTail.slice(-40).join("\n")}`);
        kills += 1;
        const progressed = life.runs() > launches || life.ended() > ended;
        stretch = progressed ? 1 : Math.min(stretch * 1.5, 8);
        launches = Math.max(launches, life.runs());
        ended = Math.max(ended, life.ended());
        if (verbose) console.log(`life ${kills}: ${life.readyAt() === null ? "killed while booting" : `ready after ${life.readyAt()! - spawnedAt} ms, killed ${Date.now() - life.readyAt()!} ms later`}; ${launches} launches, ${ended} ended; stretch ${stretch}`);
        current.life = null;
      }

      // The last life: no scheduler; the engine takes over what the killed lives left and finishes it.
      const drain = (current.life = startLife({ ...base, mode: "drain" }, stderrTail));
      const drainDeadline = Date.now() + 90_000;
      while (!drain.drained() && drain.process.exitCode === null && Date.now() < drainDeadline) await sleep(100);
      // Drained, it stops gracefully by itself; not drained in time, it is stopped, and (a) below says why.
      if (!drain.drained()) drain.process.kill("SIGKILL");
      const stopTimer = setTimeout(() => drain.process.kill("SIGKILL"), 30_000);
      const drainExit = await drain.exited;
      clearTimeout(stopTimer);
      current.life = null;

      // A dbt a killed life started may still be writing its results: what it built is judged once it ends.
      if (dbt) await waitForDbts(dbt, 120_000);
      const store = await database.openStore();
      try {
        await assertExactlyOnce(store, {
          fivetran: fivetran!,
          census: census!,
          dbt,
          connectorIds,
          censusSyncIds: censusSyncs.map((s) => s.id),
          assets,
          drained: drainExit.code === 0,
          stderrTail,
          queueSchema: base.queueSchema,
        });
        return await figures(store, { kills, killedBeforeReady, aimed, fivetran: fivetran!, census: census!, dbt, started });
      } finally {
        await store.close();
      }
    });
  } finally {
    if (current.life) {
      current.life.process.kill("SIGKILL");
      await current.life.exited;
    }
    await fivetran?.close();
    await census?.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The steps of one sync that never recorded a trigger. One whose progress stayed "triggering" stopped between
 * that save and the tool's answer, and its takeover found no sync since: it failed (saying it was not
 * triggered again) rather than trigger twice. One that saved no progress had called nothing that starts work:
 * a takeover starts it afresh, so it may fail only for the tool's own reasons, never for want of progress.
 */
function assertUntriggeredSteps(steps: readonly StepRow[], what: string): void {
  for (const step of steps.filter((s) => s.progress?.["phase"] === "triggering")) {
    assert.equal(step.status, "failed", `${what}: run ${step.run_id} ended with its trigger unconfirmed, so failed (${step.message})`);
  }
  for (const step of steps.filter((s) => s.progress === null)) {
    assert.equal(step.status, "failed", `${what}: run ${step.run_id} saved no progress and did not fail (${step.status}: ${step.message})`);
    assert.doesNotMatch(step.message ?? "", /progress/, `${what}: run ${step.run_id} failed for want of saved progress, though it had started nothing`);
  }
}

async function steps(store: CatalogStore): Promise<StepRow[]> {
  return store.client.query<StepRow>(
    `SELECT run_id, step_index, tool, status, attempts, progress, message, tool_run_id, targets->0->>'runTargetId' AS target FROM run_steps ORDER BY run_id, step_index`,
  );
}

async function assertExactlyOnce(
  store: CatalogStore,
  context: {
    readonly fivetran: FivetranSimulator;
    readonly census: CensusSimulator;
    readonly dbt: DbtSetup | null;
    readonly connectorIds: readonly string[];
    readonly censusSyncIds: readonly number[];
    readonly assets: readonly CrashAsset[];
    readonly drained: boolean;
    readonly stderrTail: readonly string[];
    readonly queueSchema: string;
  },
): Promise<void> {
  // (a) Nothing left in progress.
  const unfinished = await store.client.query<{ id: string; status: string }>("SELECT id, status FROM runs WHERE status IN ('queued', 'running')");
  const openSteps = await store.client.query<{ run_id: string; step_index: number; status: string; progress: unknown; job_id: string | null; job_state: string | null }>(
    `SELECT s.run_id, s.step_index, s.status, s.progress, s.job_id, j.state::text AS job_state
       FROM run_steps s LEFT JOIN ${context.queueSchema}.job j ON j.id::text = s.job_id WHERE s.status IN ('pending', 'running')`,
  );
  assert.deepEqual(
    { unfinished, openSteps },
    { unfinished: [], openSteps: [] },
    `runs still in progress after the last life (drained: ${context.drained}); its last lines:\n${context.stderrTail.slice(-40).join("\n")}`,
  );
  assert.ok(context.drained, "the last life stopped gracefully once every run had ended");

  const all = await steps(store);
  const events = await store.client.query<{ asset_key: string; kind: string; tool: string; dedupe_key: string; tributary_run_id: string | null }>(
    "SELECT asset_key, kind, tool, dedupe_key, tributary_run_id FROM asset_events WHERE kind IN ('materialization', 'materialization_failure') ORDER BY id",
  );
  const keyOf = (tool: string, target: string) => context.assets.find((a) => a.tool === tool && a.runTargetId === target)!.key.join("/");

  // (b, c) Fivetran, per connector.
  for (const connectorId of context.connectorIds) {
    const accepted = context.fivetran.triggers.filter((t) => t.connectorId === connectorId);
    assert.deepEqual(
      accepted.filter((t) => t.effect !== "started"),
      [],
      `${connectorId}: every accepted trigger started a sync (a "joined" one was a second trigger for one sync)`,
    );
    const ofConnector = all.filter((s) => s.tool === "fivetran" && s.target === connectorId);
    const triggered = ofConnector.filter((s) => s.progress?.["phase"] === "triggered");
    assert.equal(accepted.length, triggered.length, `${connectorId}: triggers Fivetran accepted = steps whose progress records their trigger`);
    assertUntriggeredSteps(ofConnector, `Fivetran connector ${connectorId}`);
    // Every trigger became a sync that completed, and every completed sync was followed to its end by the one
    // step that triggered it: its materialization is recorded once, by that step's run.
    const syncs = context.fivetran.syncs.filter((s) => s.connectorId === connectorId);
    assert.equal(syncs.length, accepted.length, `${connectorId}: each trigger's sync completed`);
    assert.ok(syncs.every((s) => s.trigger === "api" && s.status === "succeeded"));
    const completed = syncs.map((s) => `${connectorId}@${new Date(s.finishedAt).toISOString()}`).sort();
    const followed = triggered.map((s) => s.tool_run_id ?? `(step of run ${s.run_id} ${s.status}: ${s.message})`).sort();
    assert.deepEqual(followed, completed, `${connectorId}: the syncs the steps followed to their end are the syncs Fivetran ran, each once`);
    assert.ok(triggered.every((s) => s.status === "succeeded"), `${connectorId}: every step that triggered a sync succeeded with it`);
    const table = keyOf("fivetran", connectorId);
    const recorded = events.filter((e) => e.asset_key === table);
    assert.equal(recorded.length, syncs.length, `${table}: one materialization per completed sync`);
    assert.ok(recorded.every((e) => e.kind === "materialization"));
    const runOf = new Map(triggered.map((s) => [s.tool_run_id, s.run_id]));
    for (const event of recorded) {
      const completedAt = event.dedupe_key.split(":").slice(3).join(":");
      assert.equal(event.tributary_run_id, runOf.get(`${connectorId}@${new Date(completedAt).toISOString()}`), `${event.dedupe_key} is recorded by the run that triggered its sync`);
    }
  }

  // (b, c) Census, per sync: the runs Census started are exactly the runs the steps followed, each once.
  for (const syncId of context.censusSyncIds) {
    const started = context.census.triggers.filter((t) => t.syncId === syncId).map((t) => String(t.runId)).sort();
    const ofSync = all.filter((s) => s.tool === "census" && s.target === String(syncId));
    const triggered = ofSync.filter((s) => s.progress?.["phase"] === "triggered");
    const followed = triggered.map((s) => String(s.progress!["syncRunId"])).sort();
    assert.deepEqual(followed, started, `Census sync ${syncId}: the runs it started (its accepted triggers) = the runs the steps followed, each once`);
    assertUntriggeredSteps(ofSync, `Census sync ${syncId}`);
    const asset = keyOf("census", String(syncId));
    const recorded = events.filter((e) => e.asset_key === asset);
    const byRun = new Map(triggered.map((s) => [String(s.progress!["syncRunId"]), s]));
    assert.deepEqual(recorded.map((e) => e.dedupe_key).sort(), started.map((runId) => `census:${syncId}:run:${runId}`).sort(), `${asset}: one event per Census run, each once`);
    for (const event of recorded) {
      const runId = event.dedupe_key.split(":").at(-1)!;
      const step = byRun.get(runId)!;
      assert.equal(event.tributary_run_id, step.run_id, `${event.dedupe_key} is recorded by the run that triggered it`);
      const status = String(context.census.run(Number(runId))["status"]);
      assert.equal(event.kind, status === "completed" ? "materialization" : "materialization_failure");
      assert.equal(step.status, status === "completed" ? "succeeded" : "failed");
    }
  }

  // (d) dbt, from the wrapper's list of the dbts it started and the run_results.json each left.
  if (context.dbt) {
    const builds = (await dbtInvocations(context.dbt)).filter((i) => i.subcommand === "build");
    const dbtSteps = all.filter((s) => s.tool === "dbt");
    const dirOf = (step: StepRow) => join(context.dbt!.config.runsDir, `${step.run_id}-${step.step_index}`);
    const stepByDir = new Map(dbtSteps.map((s) => [dirOf(s), s]));
    for (const build of builds) {
      assert.ok(stepByDir.has(build.targetPath), `dbt ran in ${build.targetPath}, the dir of a step of the store`);
      const others = builds.filter((b) => b.targetPath === build.targetPath);
      assert.equal(others.length, 1, `the step of ${build.targetPath} started dbt ${others.length} times`);
    }
    for (const step of dbtSteps) {
      const started = builds.filter((b) => b.targetPath === dirOf(step));
      const pid = step.progress?.["pid"];
      if (typeof pid === "number") assert.deepEqual(started.map((b) => b.pid), [pid], `run ${step.run_id}: the one dbt it started is the one whose pid it saved`);
      if (step.progress === null) assert.equal(started.length, 0, `run ${step.run_id}: no progress saved, no dbt started`);
      const recorded = events.filter((e) => e.tool === "dbt" && e.tributary_run_id === step.run_id);
      const runResults = join(dirOf(step), "run_results.json");
      if (started.length === 1 && existsSync(runResults)) {
        // dbt finished its build: what it built is recorded exactly once, by this step's run.
        const results = await readRunResultsFile(runResults);
        const built = results.results.filter((r) => r.uniqueId === context.dbt!.uniqueId && r.status === "success");
        const expected = built.map((r) => dbtDedupeKey(results.invocationId!, r.uniqueId));
        assert.deepEqual(
          recorded.filter((e) => e.kind === "materialization").map((e) => e.dedupe_key),
          expected,
          `run ${step.run_id} (${step.status}: ${step.message}): the materialization of its dbt build (invocation ${results.invocationId}), recorded once`,
        );
        assert.equal(step.status, built.length === 1 ? "succeeded" : "failed", `run ${step.run_id}: its outcome is its build's`);
      } else {
        assert.equal(step.status, "failed", `run ${step.run_id}: no build finished for it (${step.message})`);
        assert.deepEqual(recorded.filter((e) => e.kind === "materialization"), [], `run ${step.run_id}: nothing built, nothing recorded`);
      }
    }
  }

  // Every event's dedupe key once per asset (the store's constraint; checked here on what the runs wrote).
  const seen = new Set<string>();
  for (const event of events) {
    const id = `${event.asset_key}\u0000${event.dedupe_key}`;
    assert.ok(!seen.has(id), `${id} recorded twice`);
    seen.add(id);
  }
}

async function figures(
  store: CatalogStore,
  context: { kills: number; killedBeforeReady: number; aimed: number; fivetran: FivetranSimulator; census: CensusSimulator; dbt: DbtSetup | null; started: number },
): Promise<Figures> {
  const all = await steps(store);
  const byStatus: Record<string, number> = {};
  for (const step of all) byStatus[`${step.tool} ${step.status}`] = (byStatus[`${step.tool} ${step.status}`] ?? 0) + 1;
  const dbtBuilds = context.dbt ? (await dbtInvocations(context.dbt)).filter((i) => i.subcommand === "build").length : 0;
  if (verbose) {
    const logs = await store.client.query<{ run_id: string; message: string }>(
      "SELECT l.run_id, l.message FROM run_logs l JOIN run_steps s ON s.run_id = l.run_id AND s.step_index = l.step_index WHERE s.tool = 'dbt' AND l.level <> 'debug' ORDER BY l.id",
    );
    for (const step of all.filter((s) => s.tool === "dbt")) {
      const started = (await dbtInvocations(context.dbt!)).filter((i) => i.subcommand === "build" && i.targetPath.endsWith(`${step.run_id}-${step.step_index}`)).length;
      console.log(`dbt step ${step.run_id}: ${step.status} after ${step.attempts} attempts, ${started} dbt started, progress ${JSON.stringify(step.progress)}, ${step.message}`);
      for (const line of logs.filter((l) => l.run_id === step.run_id && /taking over|still running|has exited|read the finished|not restarted|dbt exited/.test(l.message))) console.log(`    ${line.message.slice(0, 200)}`);
    }
  }
  return {
    launches: await store.countRuns({}),
    kills: context.kills,
    killedBeforeReady: context.killedBeforeReady,
    killedAtAStart: context.aimed,
    stepsTakenOver: all.filter((s) => s.attempts > 1).length,
    takeovers: all.reduce((sum, s) => sum + Math.max(0, s.attempts - 1), 0),
    steps: byStatus,
    unconfirmed: all.filter((s) => /not triggered again/.test(s.message ?? "")).length,
    fivetranTriggers: context.fivetran.triggers.length,
    censusTriggers: context.census.triggers.length,
    dbtBuilds,
    seconds: Math.round((Date.now() - context.started) / 100) / 10,
  };
}

const seed = Number(process.env["TRIBUTARY_CRASH_SEED"] ?? Math.floor(Math.random() * 2 ** 31));
const launchesOverride = process.env["TRIBUTARY_CRASH_LAUNCHES"] ? Number(process.env["TRIBUTARY_CRASH_LAUNCHES"]) : null;
// Real dbt builds are in by default (on Postgres; PGlite runs the SaaS tools only, to keep its run short).
// TRIBUTARY_CRASH_DBT=0 leaves them out.
const withDbt = process.env["TRIBUTARY_CRASH_DBT"] !== "0";
const verbose = process.env["TRIBUTARY_CRASH_VERBOSE"] === "1";

describe("crash test: the daemon SIGKILLed at random points", () => {
  test(`on Postgres, aiming at ${launchesOverride ?? 200} launches (seed ${seed})`, { skip: postgresEngine.skip, timeout: 600_000 }, async () => {
    const result = await crashTest(postgresEngine, { launches: launchesOverride ?? 200, kills: 15, dbt: withDbt, seed, lifeMs: 1_500 });
    console.log(`crash test on Postgres (seed ${seed}): ${JSON.stringify(result)}`);
    assert.ok(result.launches >= minimumLaunches(launchesOverride ?? 200));
  });

  test(`on PGlite, aiming at ${launchesOverride ?? 50} launches (seed ${seed})`, { timeout: 600_000 }, async () => {
    const result = await crashTest(pgliteEngine, { launches: launchesOverride ?? 50, kills: 10, dbt: false, seed: seed + 1, lifeMs: 2_500 });
    console.log(`crash test on PGlite (seed ${seed + 1}): ${JSON.stringify(result)}`);
    assert.ok(result.launches >= minimumLaunches(launchesOverride ?? 50));
  });
});
