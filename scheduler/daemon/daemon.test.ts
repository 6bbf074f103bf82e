/**
 * The daemon and the runs engine on a real store and job queue (PGlite and Postgres), with launchers that
 * record materializations: a source update makes the eager models build in one run, the run's own
 * materializations do not trigger their children again, on_missing builds once, failures and retries, cancel.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { spec } from "../../catalog/graph/test-specs.ts";
import type { CatalogStore } from "../../catalog/store/index.ts";
import { automationSql } from "../../catalog/store/index.ts";
import { automationStateFromInputs } from "./state.ts";
import { InputsCache } from "./tick-state.ts";
import { testEngines } from "../../catalog/store/test-support.ts";
import type { TestDatabase } from "../../catalog/store/test-support.ts";
import { amp } from "../conditions/test-support.ts";
import { graphFrom, recordingLauncher, startHarness, waitForRun } from "../runs/test-support.ts";

const raw = spec("raw/orders", { materializer: { tool: "sim", locationName: "sim", runTargetId: "connector_1" }, dbtUniqueId: null });
const staging = spec("stg_orders", { deps: ["raw/orders"], policy: amp("eager") });
const mart = spec("orders", { deps: ["stg_orders"], policy: amp("eager") });
const countries = spec("dim_countries", { policy: amp("on_missing") });
const graph = graphFrom(raw, staging, mart, countries);

async function recordSync(store: CatalogStore, at: string): Promise<void> {
  await store.recordAssetEvents([
    { assetKey: ["raw", "orders"], kind: "materialization", tool: "sim", locationName: "sim", runId: null, occurredAt: at, dedupeKey: `sim:${at}`, metadata: {} },
  ]);
}

for (const engineUnderTest of testEngines) {
  describe(`daemon on ${engineUnderTest.name}`, { skip: engineUnderTest.skip }, () => {
    let database: TestDatabase;
    before(async () => {
      database = await engineUnderTest.createDatabase();
    });
    after(async () => {
      await database?.dispose();
    });

    test("a source update builds the eager models in one run, once; on_missing never backfills", async () => {
      const store = await database.openStore();
      const dbt = recordingLauncher("dbt", "shop");
      const sim = recordingLauncher("sim", "sim", { batch: "target" });
      const harness = await startHarness(store, () => graph, [dbt, sim]);
      try {
        const first = await harness.daemon.tick();
        assert.equal(first.leader, true);
        // Eager models wait for their source; on_missing never backfills what was missing at the first tick
        // (Dagster: initial_evaluation resets its latch).
        assert.deepEqual(first.requested, []);
        assert.equal(first.evaluated, 3);

        await recordSync(store, new Date().toISOString());
        const second = await harness.daemon.tick();
        assert.deepEqual([...second.requested].sort(), ["orders", "stg_orders"]);
        assert.equal(second.runIds.length, 1, "both models in one dbt step");
        const run2 = await waitForRun(store, second.runIds[0]!);
        assert.equal(run2.status, "succeeded");
        assert.deepEqual(run2.steps.map((s) => s.assetKeys.map((k) => k.join("/")).sort()), [["orders", "stg_orders"]]);
        assert.deepEqual(run2.launchedBy, { kind: "policy", tick: second.evaluationId });

        // The run built both: the child's parent update came from a run that selected the child, so no
        // tick afterwards requests anything (executed_with_root_target), and on_missing does not repeat.
        for (let i = 0; i < 3; i++) assert.deepEqual((await harness.daemon.tick()).requested, []);
        assert.equal(dbt.launches.length, 1);
        const events = await store.assetEventHistory(["orders"]);
        assert.equal(events.length, 1);
        assert.equal(events[0]!.tributaryRunId, run2.id);
        const logs = await store.runLogs(run2.id);
        assert.ok(logs.some((l) => l.message.includes("built 2")));
      } finally {
        await harness.stop();
        await store.close();
      }
    });

    test("a failed run fails its step, is retried by policy, and re-execution runs only what failed", async () => {
      const store = await database.openStore();
      await store.client.exec("TRUNCATE runs, asset_events, automation_cursor, condition_evaluations CASCADE");
      const dbt = recordingLauncher("dbt", "shop");
      dbt.fail.add("stg_orders");
      const sim = recordingLauncher("sim", "sim", { batch: "target" });
      const harness = await startHarness(store, () => graph, [dbt, sim], {
        retryPolicy: () => ({ maxRetries: 1, delayMs: 10, backoff: "constant" }),
      });
      try {
        await harness.daemon.tick();
        await recordSync(store, new Date().toISOString());
        const tick = await harness.daemon.tick();
        assert.equal(tick.runIds.length, 1);
        const failed = await waitForRun(store, tick.runIds[0]!);
        assert.equal(failed.status, "failed");
        assert.deepEqual(failed.steps[0]!.failedKeys, [["stg_orders"]]);
        // The retry (attempt 2) runs after its delay and fails again; no third attempt.
        let retry = (await store.listRuns({ first: 10 })).find((r) => r.launchedBy.kind === "retry");
        for (let i = 0; i < 100 && !retry; i++) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          retry = (await store.listRuns({ first: 10 })).find((r) => r.launchedBy.kind === "retry");
        }
        assert.ok(retry, "a retry run was created");
        assert.equal(retry.attempt, 2);
        assert.equal((await waitForRun(store, retry.id)).status, "failed");
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.equal((await store.listRuns({ first: 10 })).filter((r) => r.launchedBy.kind === "retry").length, 1);

        dbt.fail.clear();
        const again = await harness.engine.reexecute(failed.id, true);
        assert.ok(again.run);
        assert.deepEqual(again.run.assetKeys, [["stg_orders"]]);
        assert.equal((await waitForRun(store, again.run.id)).status, "succeeded");
      } finally {
        await harness.stop();
        await store.close();
      }
    });

    test("execution_failed's input: the latest materialization a run recorded, not one made outside any run", async () => {
      const store = await database.openStore();
      await store.client.exec("TRUNCATE runs, asset_events, automation_cursor, condition_evaluations CASCADE");
      const dbt = recordingLauncher("dbt", "shop");
      dbt.fail.add("stg_orders");
      const sim = recordingLauncher("sim", "sim", { batch: "target" });
      const harness = await startHarness(store, () => graph, [dbt, sim]);
      const cache = new InputsCache();
      const full = async () => automationStateFromInputs(await store.client.transaction((tx) => automationSql.readAutomationInputs(tx)), graph);
      const incremental = async () => automationStateFromInputs(await store.client.transaction((tx) => cache.read(tx)), graph);
      const stg = graph.get("stg_orders")!.id;
      try {
        await incremental();
        await harness.daemon.tick();
        await recordSync(store, new Date().toISOString());
        const failed = await waitForRun(store, (await harness.daemon.tick()).runIds[0]!);
        assert.equal(failed.status, "failed");
        // stg_orders is then built outside any run (a build reported from CI): its latest materialization,
        // but not one a run made, so the failed run is still the latest that targeted it.
        await store.recordAssetEvents([
          { assetKey: ["stg_orders"], kind: "materialization", tool: "dbt", locationName: "shop", runId: "ci", occurredAt: new Date().toISOString(), dedupeKey: "ci:1", metadata: {} },
        ]);
        for (const state of [await full(), await incremental()]) {
          const entry = state.assets.get(stg)!;
          assert.equal(entry.latestMaterialization?.runId, null);
          assert.equal(entry.latestRunMaterialization, null);
          assert.equal(entry.latestFailure?.runId, failed.id);
        }
        dbt.fail.clear();
        const again = (await harness.engine.reexecute(failed.id, true)).run!;
        assert.equal((await waitForRun(store, again.id)).status, "succeeded");
        for (const state of [await full(), await incremental()]) {
          assert.equal(state.assets.get(stg)!.latestRunMaterialization?.runId, again.id);
          // The recording launcher fails only what it is told to: the first run did build orders.
          assert.equal(state.assets.get(graph.get("orders")!.id)!.latestRunMaterialization?.runId, failed.id);
        }
      } finally {
        await harness.stop();
        await store.close();
      }
    });

    test("a manual launch runs its steps in dependency order; cancel stops a running step and skips the rest", async () => {
      const store = await database.openStore();
      const dbt = recordingLauncher("dbt", "shop");
      const sim = recordingLauncher("sim", "sim", { batch: "target" });
      let release!: () => void;
      sim.gate = new Promise((resolve) => (release = resolve));
      const harness = await startHarness(store, () => graph, [dbt, sim]);
      try {
        const launched = await harness.engine.launch(["orders", "raw/orders"], { kind: "manual", user: "ada" });
        assert.ok(launched.run);
        assert.deepEqual(launched.run.steps.map((s) => s.tool), ["sim", "dbt"], "the sync before the build");
        for (let i = 0; i < 200 && sim.launches.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 25));
        assert.equal((await store.getRun(launched.run.id))!.status, "running");
        await harness.engine.cancel(launched.run.id);
        release();
        const ended = await waitForRun(store, launched.run.id);
        assert.equal(ended.status, "canceled");
        assert.deepEqual(ended.steps.map((s) => s.status), ["canceled", "canceled"]);
        assert.equal(dbt.launches.filter((l) => l.runId === launched.run!.id).length, 0, "the build never started");

        dbt.gate = new Promise(() => undefined); // builds only end by being canceled
        const queued = await harness.engine.launch(["orders"], { kind: "manual", user: null });
        const canceledAtOnce = await harness.engine.cancel(queued.run!.id);
        assert.ok(canceledAtOnce);
        // Canceled while queued (at once) or while its step ran (at the worker): canceled either way.
        assert.equal((await waitForRun(store, queued.run!.id)).status, "canceled");
      } finally {
        release();
        await harness.stop();
        await store.close();
      }
    });
  });
}
