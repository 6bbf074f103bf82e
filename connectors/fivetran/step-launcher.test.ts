/**
 * The Fivetran step launcher (the runs engine's side of a sync) against the simulator over loopback: the
 * launcher contract, the progress it saves, a step taken over after its worker died (from "triggered" and from
 * "triggering", whether the POST reached Fivetran or not), failures, a paused connector, a rescheduled manual
 * sync across a crash, and cancel. Exactly-once is asserted on the simulator's own trigger log.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { StepTarget } from "../../catalog/model/runs.ts";
import { launcherContract } from "../shared/launcher-contract.ts";
import { createMemoryEventSink, createMemoryStepReporter, stepLaunch } from "../shared/testing.ts";
import { createFivetranStepLauncher } from "./launcher.ts";
import type { FivetranStepLauncherOptions } from "./launcher.ts";
import { createFakeClock, startSimulatedAccount, TEST_API_KEY, TEST_API_SECRET } from "./test-support.ts";
import type { SimulatedAccount } from "./test-support.ts";

const SHOPIFY_TABLES = ["customer", "order", "order_line", "product"];
const targetsOf = (connectorId: string, schema: string, tables: readonly string[]): StepTarget[] =>
  tables.map((table) => ({ assetKey: [schema, table], runTargetId: connectorId, checks: [] }));
const shopify = targetsOf("shopify_connector", "shopify", SHOPIFY_TABLES);
const googleAds = targetsOf("google_ads_connector", "google_ads", ["campaign_history", "campaign_stats"]);

const launcherFor = (account: SimulatedAccount, overrides: Partial<FivetranStepLauncherOptions> = {}) =>
  createFivetranStepLauncher({ client: account.client, locationName: "fivetran", pollIntervalMs: 5, pollTimeoutMs: 10_000, ...overrides });
const triggers = (account: SimulatedAccount, connectorId = "shopify_connector") => account.simulator.triggers.filter((t) => t.connectorId === connectorId).length;
const killed = new Error("worker killed (test)");

launcherContract("Fivetran", async () => {
  const account = await startSimulatedAccount({ warehousePath: null });
  return {
    launcher: launcherFor(account),
    targets: shopify,
    starts: () => triggers(account),
    requests: () => account.simulator.requests.length,
    failNext: () => account.simulator.failNextSync("shopify_connector", "Shopify API returned 500"),
    holdNext: () => account.simulator.holdNextSync("shopify_connector"),
    secrets: [TEST_API_KEY, TEST_API_SECRET, Buffer.from(`${TEST_API_KEY}:${TEST_API_SECRET}`).toString("base64")],
    close: () => account.close(),
  };
});

describe("Fivetran step launcher", () => {
  it("is a target-batched launcher for the account's location", async () => {
    const account = await startSimulatedAccount({ warehousePath: null });
    try {
      const launcher = launcherFor(account);
      assert.deepEqual([launcher.tool, launcher.locationName, launcher.batch, launcher.concurrency], ["fivetran", "fivetran", "target", 4]);
      assert.equal(launcherFor(account, { concurrency: 2 }).concurrency, 2);
      const mixed = [...shopify, ...googleAds];
      await assert.rejects(launcher.launch(stepLaunch(mixed, createMemoryStepReporter())), /a fivetran step runs exactly one target, got 2/);
      assert.equal(account.simulator.triggers.length, 0);
    } finally {
      await account.close();
    }
  });

  it("syncs a connector: one trigger, progress triggering → triggered, a materialization per table with the sync's dedupe key", async () => {
    const account = await startSimulatedAccount({ warehousePath: null });
    try {
      const report = createMemoryStepReporter();
      const outcome = await launcherFor(account).launch(stepLaunch(shopify, report));
      assert.equal(outcome.status, "succeeded", outcome.message);
      assert.equal(triggers(account), 1);
      const [sync] = account.simulator.syncs;
      const completedAt = new Date(sync!.finishedAt).toISOString();
      assert.equal(outcome.toolRunId, `shopify_connector@${completedAt}`);
      assert.equal(outcome.url, "https://fivetran.com/dashboard/connectors/shopify/shopify");
      assert.deepEqual(report.progress.map((p) => [p["phase"], p["connectorId"], p["baseline"]]), [
        ["triggering", "shopify_connector", null],
        ["triggered", "shopify_connector", null],
      ]);
      assert.deepEqual(report.events.map((e) => [e.assetKey.join("/"), e.kind, e.dedupeKey]), SHOPIFY_TABLES.map((t) => [`shopify/${t}`, "materialization", `fivetran:shopify_connector:succeeded:${completedAt}`]));
      assert.ok(report.logs.some((line) => line.level === "info" && /triggered shopify_connector/.test(line.message)));

      // The next sync's baseline is this one's completion.
      const next = createMemoryStepReporter();
      assert.equal((await launcherFor(account).launch(stepLaunch(shopify, next))).status, "succeeded");
      assert.equal(next.progress[0]!["baseline"], sync!.finishedAt);
      assert.equal(triggers(account), 2);
    } finally {
      await account.close();
    }
  });

  it("taken over from 'triggered', follows the sync without a second trigger and records it once", async () => {
    const account = await startSimulatedAccount({ warehousePath: null, syncDurationMs: 100 });
    try {
      const sink = createMemoryEventSink();
      // A worker that lost its step but still runs (a partition, not a crash) while another takes it over.
      let captured: (progress: Readonly<Record<string, unknown>>) => void = () => {};
      const triggered = new Promise<Readonly<Record<string, unknown>>>((resolve) => (captured = resolve));
      const first = createMemoryStepReporter({ sink, afterSave: (progress) => progress["phase"] === "triggered" && captured(progress) });
      const firstRun = launcherFor(account).launch(stepLaunch(shopify, first));
      const progress = await triggered;
      const takeover = createMemoryStepReporter({ sink });
      const [a, b] = await Promise.all([firstRun, launcherFor(account).launch(stepLaunch(shopify, takeover, { resume: progress }))]);
      assert.equal(a.status, "succeeded", a.message);
      assert.equal(b.status, "succeeded", b.message);
      assert.equal(b.toolRunId, a.toolRunId);
      assert.equal(triggers(account), 1, "one trigger");
      assert.deepEqual(takeover.progress, [], "following saves nothing new");
      assert.equal(sink.events.length, 4, "each table's materialization recorded once");
      assert.ok(takeover.logs.some((line) => /following the sync of shopify_connector triggered at/.test(line.message)));

      // Killed after recording the outcome but before the step was finished: taken over, recorded once still.
      const again = createMemoryStepReporter({ sink });
      assert.equal((await launcherFor(account).launch(stepLaunch(shopify, again, { resume: progress }))).status, "succeeded");
      assert.equal(triggers(account), 1);
      assert.equal(sink.events.length, 4);
    } finally {
      await account.close();
    }
  });

  it("taken over from 'triggering': follows a sync the POST started (even still running), fails without re-triggering when it never reached Fivetran", async () => {
    const account = await startSimulatedAccount({ warehousePath: null, syncDurationMs: 150 });
    try {
      // Killed while saving "triggered": the POST reached Fivetran, the saved progress says "triggering".
      const lostWrite = createMemoryStepReporter({ beforeSave: (_p, count) => { if (count === 2) throw killed; } });
      await assert.rejects(launcherFor(account).launch(stepLaunch(shopify, lostWrite)), (error) => error === killed);
      assert.deepEqual(lostWrite.progress.map((p) => p["phase"]), ["triggering"]);
      assert.equal((account.simulator.connection("shopify_connector")["status"] as { sync_state: string }).sync_state, "syncing");
      const followed = createMemoryStepReporter();
      const outcome = await launcherFor(account).launch(stepLaunch(shopify, followed, { resume: lostWrite.progress[0]! }));
      assert.equal(outcome.status, "succeeded", outcome.message);
      assert.equal(triggers(account), 1, "not triggered again");
      assert.deepEqual(followed.progress.map((p) => p["phase"]), ["triggered"], "what it follows is saved for the next worker");
      assert.equal(followed.events.length, 4);

      // Killed right after saving "triggering": the POST was never sent.
      const beforePost = createMemoryStepReporter({ afterSave: (_p, count) => { if (count === 1) throw killed; } });
      await assert.rejects(launcherFor(account).launch(stepLaunch(shopify, beforePost)), (error) => error === killed);
      const takeover = createMemoryStepReporter();
      const refused = await launcherFor(account).launch(stepLaunch(shopify, takeover, { resume: beforePost.progress[0]! }));
      assert.equal(refused.status, "failed");
      assert.match(refused.message, /stopped before Fivetran confirmed the trigger, and Fivetran shows no sync since .*; the sync was not triggered again, to avoid a double sync/);
      assert.deepEqual(refused.failedKeys, shopify.map((t) => t.assetKey));
      assert.equal(triggers(account), 1, "still one trigger");
      assert.deepEqual(takeover.events, []);
      assert.ok(takeover.logs.some((line) => line.level === "warn"));
    } finally {
      await account.close();
    }
  });

  it("does not retry a trigger whose answer was lost, and follows the sync Fivetran started", async () => {
    const account = await startSimulatedAccount({ warehousePath: null }, { timeoutMs: 100 });
    try {
      // Fivetran accepts the trigger, but its answer comes after the client gave up.
      account.simulator.inject({ method: "POST", path: "/connections/shopify_connector/sync", processFirst: true, delayMs: 300 });
      const report = createMemoryStepReporter();
      const outcome = await launcherFor(account).launch(stepLaunch(shopify, report));
      assert.equal(outcome.status, "succeeded", outcome.message);
      assert.equal(triggers(account), 1, "the timed-out trigger was not sent again");
      assert.ok(report.logs.some((line) => line.level === "warn" && /the trigger of shopify_connector failed \(.*timed out.*\), but Fivetran shows a sync since; following it/.test(line.message)));
      assert.deepEqual(report.progress.map((p) => p["phase"]), ["triggering", "triggered"]);

      // A trigger refused outright (paused meanwhile) is a failure, not a sync to follow.
      account.simulator.inject({ method: "POST", path: "/connections/shopify_connector/sync", status: 400, body: { code: "InvalidState", message: "Connection with id 'shopify_connector' is paused" } });
      const refused = await launcherFor(account).launch(stepLaunch(shopify, createMemoryStepReporter()));
      assert.equal(refused.status, "failed");
      assert.match(refused.message, /POST \/connections\/shopify_connector\/sync for connector shopify_connector failed with HTTP 400: InvalidState/);
      assert.equal(triggers(account), 1);
    } finally {
      await account.close();
    }
  });

  it("fails a failed sync with Fivetran's message and a link to its logs, recording failures", async () => {
    const account = await startSimulatedAccount({ warehousePath: null });
    try {
      account.simulator.failNextSync("google_ads_connector", "Google Ads API returned 500");
      const report = createMemoryStepReporter();
      const outcome = await launcherFor(account).launch(stepLaunch(googleAds, report));
      assert.equal(outcome.status, "failed");
      assert.match(outcome.message, /failed at .*Google Ads API returned 500\); see https:\/\/fivetran\.com\/dashboard\/connectors\/google_ads\/google_ads\/logs/);
      assert.deepEqual(outcome.failedKeys, googleAds.map((t) => t.assetKey));
      assert.match(String(outcome.toolRunId), /^google_ads_connector@/);
      assert.deepEqual(report.events.map((e) => [e.kind, e.metadata["fivetran/status"]]), [["materialization_failure", "failed"], ["materialization_failure", "failed"]]);
    } finally {
      await account.close();
    }
  });

  it("refuses a paused connector without triggering or saving progress", async () => {
    const account = await startSimulatedAccount({ warehousePath: null });
    try {
      account.simulator.updateConnector("shopify_connector", { paused: true });
      const report = createMemoryStepReporter();
      const outcome = await launcherFor(account).launch(stepLaunch(shopify, report));
      assert.equal(outcome.status, "failed");
      assert.match(outcome.message, /shopify_connector \(shopify\) is paused; resume it in Fivetran/);
      assert.deepEqual(outcome.failedKeys, shopify.map((t) => t.assetKey));
      assert.deepEqual(report.progress, []);
      assert.equal(account.simulator.triggers.length, 0);
      assert.equal(report.events.filter((e) => e.metadata["fivetran/status"] === "refused").length, 4);
    } finally {
      await account.close();
    }
  });

  it("re-triggers a rescheduled manual sync at most once per reschedule, also across a crash (fake clock)", async () => {
    const account = await startSimulatedAccount({ warehousePath: null });
    try {
      account.simulator.updateConnector("stripe_connector", { scheduleType: "manual" });
      const stripe = targetsOf("stripe_connector", "stripe", ["charge", "refund"]);
      const clock = createFakeClock(Date.now());
      const launcher = launcherFor(account, { now: clock.now, sleep: clock.sleep, pollIntervalMs: 60_000, pollTimeoutMs: 10 * 60_000 });
      const retriggering = (p: Readonly<Record<string, unknown>>) => p["retriggeredFor"] !== null && p["retriggeredFor"] !== undefined;

      // Killed after saving that the re-trigger is about to be sent, before sending it: not sent by the next worker.
      account.simulator.rescheduleNextSync("stripe_connector", new Date(Date.now() + 3 * 60_000));
      const beforeRetrigger = createMemoryStepReporter({ afterSave: (p) => { if (retriggering(p) && p["retriggeredAt"] === null) throw killed; } });
      await assert.rejects(launcher.launch(stepLaunch(stripe, beforeRetrigger)), (error) => error === killed);
      assert.equal(triggers(account, "stripe_connector"), 1);
      const gaveUp = await launcher.launch(stepLaunch(stripe, createMemoryStepReporter(), { resume: beforeRetrigger.progress.at(-1)! }));
      assert.equal(gaveUp.status, "failed");
      assert.match(gaveUp.message, /rescheduled the sync of stripe_connector until .*gave up after 600 s/);
      assert.equal(triggers(account, "stripe_connector"), 1, "the re-trigger a dead worker may have sent is not sent again");

      // Killed right after the re-trigger was sent and saved: the next worker follows the sync to its end.
      const clock2 = createFakeClock(Date.now());
      const launcher2 = launcherFor(account, { now: clock2.now, sleep: clock2.sleep, pollIntervalMs: 60_000, pollTimeoutMs: 10 * 60_000 });
      account.simulator.rescheduleNextSync("stripe_connector", new Date(Date.now() + 3 * 60_000));
      const afterRetrigger = createMemoryStepReporter({ afterSave: (p) => { if (retriggering(p) && p["retriggeredAt"] !== null) throw killed; } });
      await assert.rejects(launcher2.launch(stepLaunch(stripe, afterRetrigger)), (error) => error === killed);
      assert.equal(triggers(account, "stripe_connector"), 3, "the trigger and its re-trigger");
      const followed = await launcher2.launch(stepLaunch(stripe, createMemoryStepReporter(), { resume: afterRetrigger.progress.at(-1)! }));
      assert.equal(followed.status, "succeeded", followed.message);
      assert.equal(triggers(account, "stripe_connector"), 3);
    } finally {
      await account.close();
    }
  });

  it("taken over after its deadline, reads the connector once and gives up (the timeout counts from the trigger)", async () => {
    const account = await startSimulatedAccount({ warehousePath: null });
    try {
      account.simulator.holdNextSync("shopify_connector");
      const clock = createFakeClock(Date.now());
      const launcher = launcherFor(account, { now: clock.now, sleep: clock.sleep, pollIntervalMs: 30_000, pollTimeoutMs: 5 * 60_000 });
      const crashed = createMemoryStepReporter({ afterSave: (_p, count) => { if (count === 2) throw killed; } });
      await assert.rejects(launcher.launch(stepLaunch(shopify, crashed)), (error) => error === killed);
      clock.advance(10 * 60_000);
      const reads = () => account.simulator.requests.filter((r) => r.method === "GET" && r.path === "/v1/connections/shopify_connector").length;
      const before = reads();
      const outcome = await launcher.launch(stepLaunch(shopify, createMemoryStepReporter(), { resume: crashed.progress[1]! }));
      assert.equal(outcome.status, "failed");
      assert.match(outcome.message, /did not complete within 300 s \(sync state syncing\)/);
      assert.equal(reads() - before, 1);
      assert.equal(triggers(account), 1);
    } finally {
      await account.close();
    }
  });

  it("canceled mid-sync: stops polling and says the Fivetran sync itself goes on", async () => {
    const account = await startSimulatedAccount({ warehousePath: null });
    try {
      account.simulator.holdNextSync("shopify_connector");
      const controller = new AbortController();
      const report = createMemoryStepReporter({ afterSave: (p) => { if (p["phase"] === "triggered") setTimeout(() => controller.abort(new Error("canceled")), 20); } });
      const outcome = await launcherFor(account).launch(stepLaunch(shopify, report, { signal: controller.signal }));
      assert.equal(outcome.status, "canceled");
      assert.match(outcome.message, /stopped following the sync of Fivetran connector shopify_connector; the sync itself was not canceled in Fivetran/);
      const calls = account.simulator.requests.length;
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(account.simulator.requests.length, calls, "polling stopped");
      assert.equal(triggers(account), 1);
    } finally {
      await account.close();
    }
  });
});
