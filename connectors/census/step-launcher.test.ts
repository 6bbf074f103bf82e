/**
 * The Census step launcher (the runs engine's side of a sync) against the simulator over loopback: the
 * launcher contract, the progress it saves, a step taken over after its worker died (from "triggered" and from
 * "triggering", whether the POST reached Census or not), a failed run, a paused sync, `skipped`, and cancel.
 * Exactly-once is asserted on the simulator's own trigger log.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { StepTarget } from "../../catalog/model/runs.ts";
import { launcherContract } from "../shared/launcher-contract.ts";
import { createMemoryEventSink, createMemoryStepReporter, stepLaunch } from "../shared/testing.ts";
import { censusStepOutcome, createCensusStepLauncher } from "./launcher.ts";
import type { CensusStepLauncherOptions } from "./launcher.ts";
import { startSimulatedCensus, TEST_CENSUS_KEY } from "./test-support.ts";
import type { SimulatedCensus } from "./test-support.ts";

const crm: StepTarget[] = [{ assetKey: ["customers_to_crm_contacts"], runTargetId: "101", checks: [] }];
const launcherFor = (census: SimulatedCensus, overrides: Partial<CensusStepLauncherOptions> = {}) =>
  createCensusStepLauncher({ client: census.client, locationName: "census", pollIntervalMs: 5, pollTimeoutMs: 10_000, ...overrides });
const triggers = (census: SimulatedCensus) => census.simulator.triggers.filter((t) => t.syncId === 101).length;
const killed = new Error("worker killed (test)");

launcherContract("Census", async () => {
  const census = await startSimulatedCensus();
  return {
    launcher: launcherFor(census),
    targets: crm,
    starts: () => triggers(census),
    requests: () => census.simulator.requests.length,
    failNext: () => census.simulator.failNextRun(101),
    holdNext: () => census.simulator.holdNextRun(101),
    secrets: [TEST_CENSUS_KEY, "census_test_Zq81hVw3Lm"],
    close: () => census.close(),
  };
});

describe("Census step launcher", () => {
  it("runs a sync: one trigger, progress triggering → triggered, a materialization keyed by the run", async () => {
    const census = await startSimulatedCensus();
    try {
      const launcher = launcherFor(census);
      assert.deepEqual([launcher.tool, launcher.locationName, launcher.batch, launcher.concurrency], ["census", "census", "target", 4]);
      const report = createMemoryStepReporter();
      const outcome = await launcher.launch(stepLaunch(crm, report));
      assert.equal(outcome.status, "succeeded", outcome.message);
      assert.match(outcome.message, /Census synced Customers to CRM contacts: 3 records processed, 2 updated/);
      const [trigger] = census.simulator.triggers;
      const runId = String(trigger!.runId);
      assert.equal(triggers(census), 1);
      assert.equal(outcome.toolRunId, runId);
      assert.equal(outcome.url, `${new URL(census.simulator.url).origin}/syncs/101/overview`);
      assert.deepEqual(report.progress.map((p) => [p["phase"], p["syncId"], p["previousRunId"], p["syncRunId"]]), [
        ["triggering", "101", null, undefined],
        ["triggered", "101", undefined, runId],
      ]);
      assert.deepEqual(report.events.map((e) => [e.assetKey.join("/"), e.kind, e.dedupeKey, e.runId]), [["customers_to_crm_contacts", "materialization", `census:101:run:${runId}`, runId]]);

      // The next trigger names this run as the one before it.
      const next = createMemoryStepReporter();
      assert.equal((await launcher.launch(stepLaunch(crm, next))).status, "succeeded");
      assert.equal(next.progress[0]!["previousRunId"], runId);
    } finally {
      await census.close();
    }
  });

  it("taken over from 'triggered', polls that run without a second trigger and records it once", async () => {
    const census = await startSimulatedCensus({ stepMs: 40 });
    try {
      const sink = createMemoryEventSink();
      // A worker that lost its step but still runs, while another takes it over.
      let captured: (progress: Readonly<Record<string, unknown>>) => void = () => {};
      const triggered = new Promise<Readonly<Record<string, unknown>>>((resolve) => (captured = resolve));
      const first = createMemoryStepReporter({ sink, afterSave: (progress) => progress["phase"] === "triggered" && captured(progress) });
      const firstRun = launcherFor(census).launch(stepLaunch(crm, first));
      const progress = await triggered;
      const takeover = createMemoryStepReporter({ sink });
      const [a, b] = await Promise.all([firstRun, launcherFor(census).launch(stepLaunch(crm, takeover, { resume: progress }))]);
      assert.equal(a.status, "succeeded", a.message);
      assert.equal(b.status, "succeeded", b.message);
      assert.equal(b.toolRunId, progress["syncRunId"]);
      assert.equal(triggers(census), 1);
      assert.deepEqual(takeover.progress, []);
      assert.equal(sink.events.length, 1, "the run's materialization recorded once");

      const again = createMemoryStepReporter({ sink });
      assert.equal((await launcherFor(census).launch(stepLaunch(crm, again, { resume: progress }))).status, "succeeded");
      assert.equal(triggers(census), 1);
      assert.equal(sink.events.length, 1);
    } finally {
      await census.close();
    }
  });

  it("taken over from 'triggering': follows the run the POST started, fails without re-triggering when it never reached Census", async () => {
    const census = await startSimulatedCensus();
    try {
      // An earlier run, so the run after the trigger is told apart from it.
      await census.simulator.runScheduledSync(101);
      const lostWrite = createMemoryStepReporter({ beforeSave: (_p, count) => { if (count === 2) throw killed; } });
      await assert.rejects(launcherFor(census).launch(stepLaunch(crm, lostWrite)), (error) => error === killed);
      assert.deepEqual(lostWrite.progress.map((p) => p["phase"]), ["triggering"]);
      const followed = createMemoryStepReporter();
      const outcome = await launcherFor(census).launch(stepLaunch(crm, followed, { resume: lostWrite.progress[0]! }));
      assert.equal(outcome.status, "succeeded", outcome.message);
      assert.equal(outcome.toolRunId, String(census.simulator.triggers[0]!.runId), "the run the lost trigger started, not the earlier one");
      assert.equal(triggers(census), 1);
      assert.deepEqual(followed.progress.map((p) => [p["phase"], p["syncRunId"]]), [["triggered", outcome.toolRunId]]);

      const beforePost = createMemoryStepReporter({ afterSave: (_p, count) => { if (count === 1) throw killed; } });
      await assert.rejects(launcherFor(census).launch(stepLaunch(crm, beforePost)), (error) => error === killed);
      const takeover = createMemoryStepReporter();
      const refused = await launcherFor(census).launch(stepLaunch(crm, takeover, { resume: beforePost.progress[0]! }));
      assert.equal(refused.status, "failed");
      assert.match(refused.message, /stopped before Census confirmed the trigger, and Census shows no run since; the sync was not triggered again, to avoid a double sync/);
      assert.deepEqual(refused.failedKeys, [["customers_to_crm_contacts"]]);
      assert.equal(triggers(census), 1);
      assert.deepEqual(takeover.events, []);
    } finally {
      await census.close();
    }
  });

  it("follows the run a trigger started when the trigger's answer was lost", async () => {
    const census = await startSimulatedCensus({}, { timeoutMs: 100 });
    try {
      census.simulator.inject({ method: "POST", path: "/syncs/101/trigger", processFirst: true, delayMs: 300 });
      const report = createMemoryStepReporter();
      const outcome = await launcherFor(census).launch(stepLaunch(crm, report));
      assert.equal(outcome.status, "succeeded", outcome.message);
      assert.equal(triggers(census), 1, "the timed-out trigger was not sent again");
      assert.equal(outcome.toolRunId, String(census.simulator.triggers[0]!.runId));
      assert.ok(report.logs.some((line) => line.level === "warn" && /the trigger of sync 101 failed \(.*timed out.*\), but Census shows run \d+ since; following it/.test(line.message)));
    } finally {
      await census.close();
    }
  });

  it("fails a failed run with Census's error message, and a paused sync without triggering it", async () => {
    const census = await startSimulatedCensus();
    try {
      census.simulator.failNextRun(101, { code: "JSON_ARRAY_ERROR", message: "The array field being used does not appear to be valid JSON" });
      const report = createMemoryStepReporter();
      const failed = await launcherFor(census).launch(stepLaunch(crm, report));
      assert.equal(failed.status, "failed");
      assert.match(failed.message, /run \d+ failed: The array field being used does not appear to be valid JSON/);
      assert.deepEqual(failed.failedKeys, [["customers_to_crm_contacts"]]);
      assert.equal(failed.toolRunId, String(census.simulator.triggers[0]!.runId));
      assert.deepEqual(report.events.map((e) => [e.kind, e.metadata["census/error_code"]]), [["materialization_failure", "JSON_ARRAY_ERROR"]]);

      census.simulator.updateSync(101, { paused: true });
      const pausedReport = createMemoryStepReporter();
      const paused = await launcherFor(census).launch(stepLaunch(crm, pausedReport));
      assert.equal(paused.status, "failed");
      assert.match(paused.message, /Census sync 101 \(Customers to CRM contacts\) is paused; resume it in Census/);
      assert.deepEqual(pausedReport.progress, []);
      assert.equal(triggers(census), 1, "the paused sync was not triggered");
    } finally {
      await census.close();
    }
  });

  it("a skipped run fails the step: this run sent nothing", () => {
    const outcome = censusStepOutcome(
      { syncId: "101", status: "skipped", message: "Census skipped run 7 of CRM: an earlier run was still going", syncRunId: "7", assetKey: ["crm"], run: null },
      crm,
      null,
    );
    assert.equal(outcome.status, "failed");
    assert.match(outcome.message, /still going, so this run sent nothing; run it again/);
    assert.deepEqual(outcome.failedKeys, [["customers_to_crm_contacts"]]);
    assert.equal(outcome.toolRunId, "7");
  });

  it("canceled mid-run: stops polling and says the Census run itself goes on", async () => {
    const census = await startSimulatedCensus();
    try {
      census.simulator.holdNextRun(101);
      const controller = new AbortController();
      const report = createMemoryStepReporter({ afterSave: (p) => { if (p["phase"] === "triggered") setTimeout(() => controller.abort(new Error("canceled")), 30); } });
      const outcome = await launcherFor(census).launch(stepLaunch(crm, report, { signal: controller.signal }));
      assert.equal(outcome.status, "canceled");
      assert.match(outcome.message, /stopped following Census sync 101; its run was not canceled in Census/);
      const calls = census.simulator.requests.length;
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(census.simulator.requests.length, calls, "polling stopped");
    } finally {
      await census.close();
    }
  });
});
