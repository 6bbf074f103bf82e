/**
 * The daemon across restarts, on PGlite and Postgres: a daemon that is stopped and started again (store
 * closed and opened, graph built again, nothing kept in memory) requests exactly what one that ran throughout
 * requests, each request once; the first tick after a restart reuses the settled state it reads back (no asset
 * evaluated when nothing changed); and a new manifest at the restart re-evaluates the assets whose definitions
 * changed, and only those.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { buildCatalogGraph } from "../../catalog/graph/build.ts";
import { definitions, spec } from "../../catalog/graph/test-specs.ts";
import type { CatalogGraph } from "../../catalog/graph/index.ts";
import type { AssetSpec, PolicyRule } from "../../catalog/model/index.ts";
import { definitionsContentHash } from "../../catalog/store/snapshot-codec.ts";
import type { CatalogStore } from "../../catalog/store/index.ts";
import { testEngines } from "../../catalog/store/test-support.ts";
import type { TestDatabase } from "../../catalog/store/test-support.ts";
import { amp, condition } from "../conditions/test-support.ts";
import { createRunEngine, createRunQueue } from "../runs/index.ts";
import type { RunEngine } from "../runs/index.ts";
import { quietLogger, recordingLauncher } from "../runs/test-support.ts";
import { createDaemon } from "./daemon.ts";
import type { Daemon, TickOutcome } from "./daemon.ts";
import { createLeaderLease } from "./leader.ts";

const raw = spec("raw/orders", { materializer: { tool: "sim", locationName: "sim", runTargetId: "connector_1" }, dbtUniqueId: null });
const rawUsers = spec("raw/users", { materializer: { tool: "sim", locationName: "sim", runTargetId: "connector_2" }, dbtUniqueId: null });
const staging = spec("stg_orders", { deps: ["raw/orders"], policy: amp("eager") });
const users = spec("stg_users", { deps: ["raw/users"], policy: condition("eager") });
const mart = spec("orders", { deps: ["stg_orders", "stg_users"], policy: condition("eager") });
const countries = spec("dim_countries", { policy: amp("on_missing") });
const specs: AssetSpec[] = [raw, rawUsers, staging, users, mart, countries];

/** The graph as the catalog builds it: with its definitions digest (the stored snapshots' content hashes). */
function graphFrom(specsNow: AssetSpec[], policyRules: PolicyRule[] = []): CatalogGraph {
  return buildCatalogGraph({ definitions: [definitions("shop", specsNow)], policyRules, contentHash: definitionsContentHash });
}

/** A daemon on a store that can be closed and opened again, with a clock the test moves. */
class Process {
  store!: CatalogStore;
  engine!: RunEngine;
  daemon!: Daemon;
  graph: CatalogGraph;
  now = Date.UTC(2026, 2, 2, 1);

  constructor(
    private readonly database: TestDatabase,
    specsNow: AssetSpec[],
  ) {
    this.graph = graphFrom(specsNow);
  }

  async start(): Promise<void> {
    this.store = await this.database.openStore();
    const queue = createRunQueue({ client: this.store.client, schema: `${this.store.client.schema ?? "tributary"}_queue` });
    await queue.start();
    // No workers: the test plays the runs itself (see finishRuns), so both processes see the same history.
    this.engine = createRunEngine({
      store: this.store,
      queue,
      launchers: [recordingLauncher("dbt", "shop"), recordingLauncher("sim", "sim", { batch: "target" })],
      graph: () => this.graph,
      logger: quietLogger,
      work: false,
    });
    await this.engine.start();
    this.daemon = createDaemon({
      store: this.store,
      engine: this.engine,
      lease: createLeaderLease(this.store.client),
      graph: () => this.graph,
      logger: quietLogger,
      name: "restart-test",
      now: () => new Date(this.now),
    });
  }

  async stop(): Promise<void> {
    await this.daemon.stop();
    await this.engine.stop();
    await this.store.close();
  }

  /**
   * Stops everything and starts again on the same database, with the graph built again from `specsNow`. A crash
   * never stops the daemon (which would leave its state with the cursor): the store just goes away.
   */
  async restart(specsNow: AssetSpec[] = specs, options: { crash?: boolean; policyRules?: PolicyRule[] } = {}): Promise<void> {
    if (options.crash) {
      await this.engine.stop();
      await this.store.close();
    } else {
      await this.stop();
    }
    this.graph = graphFrom(specsNow, options.policyRules);
    await this.start();
  }

  /** True when a stopped daemon's state is stored with the cursor (migration 0009) at the cursor's head (0014). */
  async hasSnapshot(): Promise<boolean> {
    const rows = await this.store.client.query<{ has: boolean }>(
      "SELECT snapshot IS NOT NULL AND snapshot_evaluation_id = evaluation_id AS has FROM automation_cursor WHERE id = 1",
    );
    return rows[0]?.has === true;
  }

  /** True when a snapshot of an earlier cursor is stored: a tick moved the cursor and left it in place (0014). */
  async hasStaleSnapshot(): Promise<boolean> {
    const rows = await this.store.client.query<{ stale: boolean }>(
      "SELECT snapshot IS NOT NULL AND snapshot_evaluation_id <> evaluation_id AS stale FROM automation_cursor WHERE id = 1",
    );
    return rows[0]?.stale === true;
  }

  async tick(): Promise<TickOutcome> {
    this.now += 60_000;
    return this.daemon.tick();
  }

  async sync(key: string, label: string): Promise<void> {
    await this.store.recordAssetEvents([
      { assetKey: key.split("/"), kind: "materialization", tool: "sim", locationName: "sim", runId: null, occurredAt: new Date(this.now).toISOString(), dedupeKey: `sim:${label}`, metadata: {} },
    ]);
  }

  /** Plays the runs still queued: each materializes its assets (recorded as the run's), then succeeds. */
  /** Both sources synced once, the runs they launch finished, and ticks until nothing is left to do. */
  async settleAfterSyncs(): Promise<void> {
    await this.tick();
    await this.sync("raw/orders", "1");
    await this.sync("raw/users", "1");
    await this.tick();
    await this.finishRuns();
    for (let i = 0; i < 3; i++) await this.tick();
  }

  async finishRuns(): Promise<void> {
    const runs = await this.store.client.query<{ id: string; asset_keys: string[] }>("SELECT id, asset_keys FROM runs WHERE status IN ('queued', 'running') ORDER BY created_at, id");
    for (const run of runs) {
      await this.store.recordAssetEvents(
        run.asset_keys.map((key) => ({
          assetKey: key.split("/"),
          kind: "materialization" as const,
          tool: "dbt",
          locationName: "shop",
          runId: run.id,
          tributaryRunId: run.id,
          occurredAt: new Date(this.now).toISOString(),
          dedupeKey: `run:${run.id}`,
          metadata: {},
        })),
      );
    }
    await this.store.client.exec("UPDATE runs SET status = 'succeeded', ended_at = now() WHERE status IN ('queued', 'running')");
  }

  /**
   * Every policy run's selection, in the order they were created, every stored evaluation (asset, tick, requested),
   * and every asset's evaluations as the store reads them back (trees included: stored in the compact form).
   */
  async history(): Promise<{ runs: string[]; evaluations: string[]; trees: unknown[] }> {
    const runs = await this.store.client.query<{ asset_keys: string[]; launched_by: unknown }>("SELECT asset_keys, launched_by FROM runs ORDER BY created_at, id");
    const evaluations = await this.store.client.query<{ asset_key: string; tick: number | string; requested: boolean }>(
      "SELECT asset_key, tick, requested FROM condition_evaluations ORDER BY tick, asset_key",
    );
    const read: unknown[] = [];
    for (const asset of this.graph.assets) read.push(...(await this.store.assetEvaluations(asset.id, { first: 100 })));
    // Run ids are random: reasons naming a run are compared without them.
    const trees = JSON.parse(JSON.stringify(read).replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<run id>")) as unknown[];
    return {
      runs: runs.map((r) => `${JSON.stringify(r.launched_by)} ${[...r.asset_keys].sort().join(",")}`),
      evaluations: evaluations.map((e) => `${Number(e.tick)} ${e.asset_key}${e.requested ? " requested" : ""}`),
      trees,
    };
  }
}

/**
 * The scenario: syncs, runs that land or are still going at a tick, quiet ticks. `restartBefore` names the steps
 * to restart before, `crashBefore` those to restart before as after a crash.
 */
async function play(
  database: TestDatabase,
  restartBefore: ReadonlySet<number>,
  crashBefore: ReadonlySet<number> = new Set(),
): Promise<{ ticks: string[][]; evaluated: number[]; plansRestored: number[]; history: { runs: string[]; evaluations: string[]; trees: unknown[] } }> {
  const process = new Process(database, specs);
  await process.start();
  const steps: ((p: Process) => Promise<void>)[] = [
    async () => undefined, // the first tick: on_missing does not backfill, eager waits for its deps
    async (p) => p.sync("raw/orders", "1"),
    async () => undefined, // the run of tick 2 is still queued: nothing is requested again
    async (p) => p.finishRuns(),
    async () => undefined,
    async (p) => {
      await p.sync("raw/users", "1");
      await p.sync("raw/orders", "2");
    },
    async () => undefined,
    async (p) => p.finishRuns(),
    async () => undefined,
    async () => undefined,
    async (p) => p.sync("raw/users", "2"),
    async (p) => p.finishRuns(),
    async () => undefined,
  ];
  const ticks: string[][] = [];
  const evaluated: number[] = [];
  const plansRestored: number[] = [];
  try {
    for (const [i, step] of steps.entries()) {
      if (restartBefore.has(i) || crashBefore.has(i)) await process.restart(specs, { crash: crashBefore.has(i) });
      await step(process);
      const outcome = await process.tick();
      assert.equal(outcome.leader, true);
      assert.equal(outcome.skipped, null);
      ticks.push([...outcome.requested].sort());
      evaluated.push(outcome.evaluated);
      plansRestored.push(process.daemon.plansRestored);
    }
    return { ticks, evaluated, plansRestored, history: await process.history() };
  } finally {
    await process.stop();
  }
}

for (const engineUnderTest of testEngines) {
  describe(`daemon restarts on ${engineUnderTest.name}`, { skip: engineUnderTest.skip }, () => {
    const databases: TestDatabase[] = [];
    const database = async () => {
      const created = await engineUnderTest.createDatabase();
      databases.push(created);
      return created;
    };
    after(async () => {
      for (const created of databases) await created.dispose();
    });

    test("restarting mid-way requests what running throughout requests, each request once", async () => {
      const throughout = await play(await database(), new Set());
      // Restarts after a tick that requested runs (still queued), after runs landed, and on quiet ticks.
      const restarted = await play(await database(), new Set([1, 2, 3, 4, 6, 8, 9, 12]));
      const crashed = await play(await database(), new Set([2, 9]), new Set([3, 6, 10]));
      // stg_orders (legacy eager) builds on the first sync; orders waits for stg_users, which (eager) never
      // backfills and builds when raw/users syncs; each request once.
      assert.deepEqual(throughout.ticks[1], ["stg_orders"]);
      assert.deepEqual(throughout.ticks[5], ["orders", "stg_orders", "stg_users"]);
      assert.deepEqual(throughout.ticks[10], ["orders", "stg_users"]);
      assert.equal(throughout.ticks.flat().length, 6);
      for (const [name, other] of [["restarted", restarted], ["crashed", crashed]] as const) {
        assert.deepEqual(other.ticks, throughout.ticks, `${name}: the same requests at every tick`);
        assert.deepEqual(other.history.runs, throughout.history.runs, `${name}: the same runs, none lost or doubled`);
        assert.deepEqual(other.history.evaluations, throughout.history.evaluations, `${name}: the same evaluations stored`);
        assert.deepEqual(other.history.trees, throughout.history.trees, `${name}: the same evaluation trees read back, node by node`);
        assert.deepEqual(other.evaluated, throughout.evaluated, `${name}: the same assets evaluated at every tick`);
      }
      // After a restart on a quiet catalog, the first tick reuses what it reads back: nothing is evaluated.
      assert.equal(restarted.evaluated[9], 0, "a quiet tick right after a restart evaluates nothing");
      // The plan comes from the snapshot after each graceful restart (the same definitions), never after a crash
      // (each daemon's count, at every tick).
      assert.deepEqual(restarted.plansRestored, [0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
      assert.deepEqual(crashed.plansRestored, [0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]);
    });

    test("a daemon prepared at start takes the stop snapshot decoded then; one the cursor moved past is not used", async () => {
      const process = new Process(await database(), specs);
      await process.start();
      try {
        await process.settleAfterSyncs();

        // Prepared at start: the plan is taken before the first tick, the snapshot decoded then is the tick's.
        await process.restart(specs);
        await process.daemon.prepare();
        assert.equal(process.daemon.plansRestored, 1, "the plan was restored by prepare, before any tick");
        assert.equal(process.daemon.preparedSnapshotsUsed, 0);
        const first = await process.tick();
        assert.equal(first.evaluated, 0, "the first tick after a prepared restart is a settled tick");
        assert.equal(process.daemon.preparedSnapshotsUsed, 1, "it started from the snapshot prepare decoded");
        assert.equal(process.daemon.plansRestored, 1, "the plan is restored once");
        await process.tick();
        assert.equal(process.daemon.preparedSnapshotsUsed, 1, "later ticks start from the cursor they committed");

        // Prepared, then another daemon on the store ticks first (moving the cursor, the snapshot now stale):
        // the prepared snapshot is of an older cursor, and the first tick reads the store instead. The other
        // daemon believes it leads (a lost session; the prepared one holds the Postgres lease): only the
        // cursor's check keeps the two apart, as in leader.ts.
        await process.restart(specs);
        await process.daemon.prepare();
        const other = createDaemon({
          store: process.store,
          engine: process.engine,
          lease: { ensure: async () => true, isLeader: true, release: async () => undefined },
          graph: () => process.graph,
          logger: quietLogger,
          name: "other",
          now: () => new Date(process.now),
        });
        await process.sync("raw/orders", "2");
        process.now += 60_000;
        assert.ok((await other.tick()).requested.includes("stg_orders"), "the other daemon requests the run");
        assert.equal(await process.hasSnapshot(), false);
        const afterOther = await process.tick();
        assert.equal(process.daemon.preparedSnapshotsUsed, 0, "a snapshot of a cursor since moved is not used");
        assert.deepEqual(afterOther.requested, [], "and nothing is requested twice (the other daemon's run is in progress)");
        assert.equal(afterOther.skipped, null);
        await other.stop();
      } finally {
        await process.stop();
      }
    });

    test("a daemon prepared before the catalog is loaded restores the plan at its first tick", async () => {
      const process = new Process(await database(), specs);
      await process.start();
      try {
        for (let i = 0; i < 3; i++) await process.tick();
        const graph = process.graph;
        await process.restart(specs);
        const loaded = process.graph;
        process.graph = null as unknown as CatalogGraph; // the catalog still loading: the daemon's graph() is null
        await process.daemon.prepare();
        assert.equal(process.daemon.plansRestored, 0, "no graph yet: no plan to restore");
        process.graph = loaded;
        assert.notEqual(loaded, graph);
        assert.equal((await process.tick()).evaluated, 0);
        assert.equal(process.daemon.preparedSnapshotsUsed, 1);
        assert.equal(process.daemon.plansRestored, 1, "the prepared snapshot's plan, taken at the first tick");
      } finally {
        await process.stop();
      }
    });

    test("a new manifest at the restart re-evaluates the assets whose definitions changed, and only those", async () => {
      const process = new Process(await database(), specs);
      await process.start();
      try {
        await process.settleAfterSyncs();
        assert.equal((await process.tick()).evaluated, 0, "settled");

        // The same definitions, built again in a new process: nothing to evaluate.
        await process.restart(specs);
        assert.equal(await process.hasSnapshot(), true, "the stopped daemon left its state with the cursor");
        assert.equal((await process.tick()).evaluated, 0, "the first tick after a restart is a settled tick");
        assert.equal(process.daemon.plansRestored, 1, "the same definitions digest: the stored plan is used");
        assert.equal(await process.hasSnapshot(), false, "the tick that moved the cursor made it stale");
        assert.equal(await process.hasStaleSnapshot(), true, "and left it in place (no TOAST deletion in the first tick)");
        await process.restart(specs, { crash: true });
        assert.equal(await process.hasSnapshot(), false);
        assert.equal((await process.tick()).evaluated, 0, "after a crash too (read from the rows)");
        assert.equal(process.daemon.plansRestored, 0, "no current snapshot (only the stale one), no stored plan: computed");

        // A new manifest: orders' condition changed, stg_users lost its dep on raw/users (now a root), and a
        // new asset sorts first (every asset's position in the plan moves). Only those two are evaluated.
        const edited = [
          spec("aaa_new", { materializer: { tool: "sim", locationName: "sim", runTargetId: "connector_3" }, dbtUniqueId: null }),
          raw,
          rawUsers,
          staging,
          { ...users, deps: [] },
          { ...mart, policy: amp("on_missing") },
          countries,
        ];
        await process.restart(edited);
        assert.equal(await process.hasSnapshot(), true);
        const first = await process.tick();
        assert.equal(process.daemon.plansRestored, 0, "the snapshot's plan is for other definitions: not used");
        assert.equal(first.evaluated, 2, "orders (new condition) and stg_users (new deps)");
        const stored = await process.store.client.query<{ asset_key: string }>("SELECT asset_key FROM condition_evaluations WHERE tick = $1 ORDER BY asset_key", [first.evaluationId]);
        assert.deepEqual(stored.map((row) => row.asset_key), ["orders", "stg_users"], "their evaluations changed, so both are stored");
        await process.tick(); // an edited condition settles on its second evaluation, as a new one does
        assert.equal((await process.tick()).evaluated, 0, "and settles again");

        // The same manifest and a new policy rule in tributary.yaml: the digest changes, the plan is computed,
        // and the assets the rule gives a policy are evaluated.
        const rules: PolicyRule[] = [{ assets: "raw/**", policy: amp("on_missing"), errors: [], declaredIn: { file: "tributary.yaml", line: 3 } }];
        await process.restart(edited, { policyRules: rules });
        const ruled = await process.tick();
        assert.equal(process.daemon.plansRestored, 0, "new policy rules: the stored plan is not used");
        assert.deepEqual(ruled.evaluated, 2, "raw/orders and raw/users, which the rule gives a condition");
        for (let i = 0; i < 2; i++) await process.tick();
        await process.restart(edited, { policyRules: rules });
        assert.equal((await process.tick()).evaluated, 0, "the same manifest and rules: settled");
        assert.equal(process.daemon.plansRestored, 1, "and the stored plan is used");
      } finally {
        await process.stop();
      }
    });
  });
}
