/**
 * The Fivetran connector end to end, over loopback against the simulator, with a real DuckDB warehouse in a
 * temp dir: ingest, the join with demo-project's dbt sources by relation (real `dbt parse`), trigger and
 * poll, observing Fivetran's own syncs, and each fault mode. Time in the launcher is faked; nothing sleeps
 * for real beyond a few milliseconds of I/O.
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { buildCatalogGraph } from "../../catalog/graph/build.ts";
import type { LocationDefinitions } from "../../catalog/model/index.ts";
import { createDbtProjectProvider } from "../dbt/project-provider.ts";
import { createFivetranLauncher } from "./launcher.ts";
import type { FivetranLauncherOptions } from "./launcher.ts";
import { createFivetranObserver } from "./observer.ts";
import { createFivetranProvider } from "./provider.ts";
import { countRows } from "./simulator/warehouse.ts";
import { createFakeClock, createMemoryEventSink, startSimulatedAccount } from "./test-support.ts";
import type { SimulatedAccount } from "./test-support.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function launcherFor(account: SimulatedAccount, events = createMemoryEventSink(), overrides: Partial<FivetranLauncherOptions> = {}) {
  return {
    events,
    launcher: createFivetranLauncher({ client: account.client, locationName: "fivetran", events, pollIntervalMs: 5, pollTimeoutMs: 10_000, sleep: realSleep, ...overrides }),
  };
}

describe("Fivetran account → catalog", () => {
  let account: SimulatedAccount;
  let fivetran: LocationDefinitions;
  let shop: LocationDefinitions;
  before(async () => {
    account = await startSimulatedAccount();
    fivetran = await createFivetranProvider({ name: "fivetran", client: account.client }).load();
    const dbt = await createDbtProjectProvider({
      projectDir: join(ROOT, "demo-project"),
      targetDir: join(mkdtempSync(join(tmpdir(), "tributary-parse-")), "target"),
      preferManagedDbt: true,
    });
    shop = await dbt.load();
  });
  after(() => account?.close());

  it("every enabled table of each connector is an asset keyed and placed as in the destination", () => {
    const byKey = new Map(fivetran.specs.map((s) => [s.key.join("/"), s]));
    assert.deepEqual([...byKey.keys()].sort(), [
      "google_ads/campaign_history", "google_ads/campaign_stats",
      "shopify/customer", "shopify/order", "shopify/order_line", "shopify/product",
      "stripe/charge", "stripe/refund",
    ]);
    const order = byKey.get("shopify/order")!;
    assert.deepEqual(order.relation, { database: "warehouse", schema: "shopify", name: "order" });
    assert.deepEqual(order.kinds, ["fivetran", "duckdb"]);
    assert.deepEqual(order.materializer, { tool: "fivetran", locationName: "fivetran", runTargetId: "shopify_connector" });
    assert.ok(order.columns.some((c) => c.name === "customer_id"));
    assert.equal(order.metadata["fivetran/service"], "shopify");
    assert.equal(order.metadata["fivetran/setup_state"], "connected");
    assert.equal(order.metadata["fivetran/sync_frequency_minutes"], 5);
    assert.match(String(order.metadata["fivetran/connector_url"]), /^https:\/\/fivetran\.com\/dashboard\/connectors\/shopify\/shopify$/);
    assert.deepEqual(fivetran.diagnostics, []);
  });

  it("joins demo-project's dbt sources by relation: one asset, built by Fivetran, read by dbt, lineage across", () => {
    const graph = buildCatalogGraph({ definitions: [shop, fivetran] });
    for (const key of ["shopify/order", "stripe/charge", "google_ads/campaign_stats"]) {
      const asset = graph.get(key)!;
      assert.equal(asset.materializer?.tool, "fivetran", key);
      assert.deepEqual(asset.readBy, ["dbt"], key);
      assert.deepEqual(asset.locationNames.slice().sort(), ["fivetran", "shop"]);
      assert.ok(asset.kinds.includes("fivetran") && asset.kinds.includes("dbt"), asset.kinds.join(","));
    }
    const upstream = graph.lineage("marketing_roi", "UPSTREAM").nodes.map((n) => n.id);
    for (const key of ["google_ads/campaign_stats", "google_ads/campaign_history", "shopify/order"]) assert.ok(upstream.includes(key), `${key} upstream of marketing_roi`);
    assert.deepEqual(graph.diagnostics.filter((d) => d.code === "unfed_source"), []);
    assert.equal(graph.assets.filter((a) => a.materializer?.tool === "fivetran").length, 8);
  });

  it("reports the dbt sources no connector feeds", () => {
    const withoutAds: LocationDefinitions = { ...fivetran, specs: fivetran.specs.filter((s) => s.key[0] !== "google_ads") };
    const graph = buildCatalogGraph({ definitions: [shop, withoutAds] });
    const unfed = graph.diagnostics.filter((d) => d.code === "unfed_source").map((d) => d.assetKey!.join("/")).sort();
    assert.deepEqual(unfed, ["google_ads/campaign_history", "google_ads/campaign_stats"]);
  });
});

describe("Fivetran launcher and observer", () => {
  it("triggers, polls until the sync completes, lands rows in DuckDB, records one materialization per table", async () => {
    const account = await startSimulatedAccount({ rowsPerSync: 50 });
    try {
      const { launcher, events } = launcherFor(account);
      const outcome = await launcher.syncConnector("shopify_connector");
      assert.equal(outcome.status, "succeeded", outcome.message);
      assert.deepEqual(outcome.assetKeys.map((k) => k.join("/")).sort(), ["shopify/customer", "shopify/order", "shopify/order_line", "shopify/product"]);
      assert.equal(events.events.length, 4);
      assert.ok(events.events.every((e) => e.kind === "materialization" && e.occurredAt === outcome.completedAt && e.metadata["fivetran/launched_by"] === "tributary"));
      const counts = await countRows(account.warehousePath, [{ schema: "shopify", table: "order" }, { schema: "shopify", table: "product" }, { schema: "stripe", table: "charge" }]);
      assert.deepEqual(counts, { "shopify.order": 50, "shopify.product": 10, "stripe.charge": 0 });
      // The next sync lands the next rows, never the same ones again.
      assert.equal((await launcher.syncConnector("shopify_connector")).status, "succeeded");
      assert.equal((await countRows(account.warehousePath, [{ schema: "shopify", table: "order" }]))["shopify.order"], 100);
      assert.equal(events.events.length, 8);
      const trigger = account.simulator.requests.find((r) => r.method === "POST")!;
      assert.deepEqual(trigger.body, { force: false });
    } finally {
      await account.close();
    }
  });

  it("observes syncs Fivetran ran on its own exactly once, also across a restart, and not those it launched", async () => {
    const account = await startSimulatedAccount({ rowsPerSync: 5 });
    try {
      const events = createMemoryEventSink();
      const observer = createFivetranObserver({ client: account.client, locationName: "fivetran", events });
      assert.equal((await observer.poll()).recorded, 0, "nothing synced yet");
      const sync = await account.simulator.runScheduledSync("stripe_connector");
      assert.equal(sync.status, "succeeded");
      assert.deepEqual(sync.rowsLanded, { "stripe.charge": 5, "stripe.refund": 5 });
      assert.equal((await observer.poll()).recorded, 2);
      assert.equal((await observer.poll()).recorded, 0);
      const restarted = createFivetranObserver({ client: account.client, locationName: "fivetran", events });
      assert.equal((await restarted.poll()).recorded, 0, "a restarted observer records nothing twice");
      assert.deepEqual(events.events.map((e) => [e.assetKey.join("/"), e.occurredAt, e.metadata["fivetran/launched_by"]]), [
        ["stripe/charge", sync.finishedAt, "fivetran_schedule"],
        ["stripe/refund", sync.finishedAt, "fivetran_schedule"],
      ]);
      const { launcher } = launcherFor(account, events);
      assert.equal((await launcher.syncConnector("stripe_connector")).status, "succeeded");
      assert.equal(events.events.length, 4);
      assert.equal((await restarted.poll()).recorded, 0, "the launched sync is already recorded");
      // A failed scheduled sync is observed as a failure.
      account.simulator.failNextSync("stripe_connector", "Stripe API returned 500");
      await account.simulator.runScheduledSync("stripe_connector");
      assert.equal((await restarted.poll()).recorded, 2);
      assert.equal(events.events.at(-1)!.kind, "materialization_failure");
    } finally {
      await account.close();
    }
  });

  it("records a failed sync with Fivetran's status and a link", async () => {
    const account = await startSimulatedAccount({ warehousePath: null });
    try {
      account.simulator.failNextSync("google_ads_connector");
      const { launcher, events } = launcherFor(account);
      const outcome = await launcher.syncConnector("google_ads_connector");
      assert.equal(outcome.status, "failed");
      assert.match(outcome.message, /failed at .*see https:\/\/fivetran\.com\/dashboard\/connectors\/google_ads\/google_ads\/logs/);
      assert.equal(events.events.length, 2);
      for (const event of events.events) {
        assert.equal(event.kind, "materialization_failure");
        assert.equal(event.metadata["fivetran/status"], "failed");
        assert.equal(event.metadata["fivetran/logs_url"], "https://fivetran.com/dashboard/connectors/google_ads/google_ads/logs");
      }
    } finally {
      await account.close();
    }
  });

  it("fails fast on paused and broken connectors, without triggering them", async () => {
    const account = await startSimulatedAccount({ warehousePath: null });
    try {
      account.simulator.updateConnector("shopify_connector", { paused: true });
      account.simulator.updateConnector("stripe_connector", { setupState: "broken" });
      const { launcher, events } = launcherFor(account);
      const paused = await launcher.syncConnector("shopify_connector");
      assert.equal(paused.status, "refused");
      assert.match(paused.message, /shopify_connector \(shopify\) is paused; resume it in Fivetran/);
      const broken = await launcher.syncConnector("stripe_connector");
      assert.equal(broken.status, "refused");
      assert.match(broken.message, /is broken, not connected/);
      assert.ok(!account.simulator.requests.some((r) => r.method === "POST"), "no sync was triggered");
      assert.equal(events.events.filter((e) => e.metadata["fivetran/status"] === "refused").length, 6);
    } finally {
      await account.close();
    }
  });

  it("records a rescheduled sync as such and gives up at the timeout (fake clock)", async () => {
    const account = await startSimulatedAccount({ warehousePath: null });
    try {
      account.simulator.rescheduleNextSync("stripe_connector", new Date(Date.now() + 3_600_000));
      const clock = createFakeClock(Date.now());
      const { launcher, events } = launcherFor(account, undefined, { now: clock.now, sleep: clock.sleep, pollIntervalMs: 60_000, pollTimeoutMs: 10 * 60_000 });
      const outcome = await launcher.syncConnector("stripe_connector");
      assert.equal(outcome.status, "rescheduled");
      assert.match(outcome.message, /rescheduled the sync of stripe_connector until .*gave up after 600 s/);
      const polls = account.simulator.requests.filter((r) => r.method === "GET" && r.path === "/v1/connections/stripe_connector").length;
      assert.equal(polls, 11, "one read before the trigger and one per minute for ten minutes");
      assert.deepEqual(events.events.map((e) => [e.kind, e.metadata["fivetran/status"]]), [
        ["materialization_failure", "rescheduled"],
        ["materialization_failure", "rescheduled"],
      ], "recorded once per table, not once per poll");
    } finally {
      await account.close();
    }
  });

  it("triggers a manual-schedule connector again once its reschedule has passed", async () => {
    const account = await startSimulatedAccount({ warehousePath: null });
    try {
      account.simulator.updateConnector("stripe_connector", { scheduleType: "manual" });
      account.simulator.rescheduleNextSync("stripe_connector", new Date(Date.now() + 5 * 60_000));
      const clock = createFakeClock(Date.now());
      const { launcher } = launcherFor(account, undefined, { now: clock.now, sleep: clock.sleep, pollIntervalMs: 60_000, pollTimeoutMs: 60 * 60_000 });
      const outcome = await launcher.syncConnector("stripe_connector");
      assert.equal(outcome.status, "succeeded", outcome.message);
      assert.equal(account.simulator.requests.filter((r) => r.method === "POST").length, 2);
    } finally {
      await account.close();
    }
  });

  it("times out a sync that never completes", async () => {
    const account = await startSimulatedAccount({ warehousePath: null, syncDurationMs: 24 * 3_600_000 });
    try {
      const clock = createFakeClock(Date.now());
      const { launcher, events } = launcherFor(account, undefined, { now: clock.now, sleep: clock.sleep, pollIntervalMs: 30_000, pollTimeoutMs: 5 * 60_000 });
      const outcome = await launcher.syncConnector("shopify_connector");
      assert.equal(outcome.status, "timed_out");
      assert.match(outcome.message, /did not complete within 300 s \(sync state syncing\)/);
      assert.equal(events.events.length, 4);
    } finally {
      await account.close();
    }
  });

  it("joins a running sync with force:false and restarts it with force:true", async () => {
    const account = await startSimulatedAccount({ warehousePath: null, syncDurationMs: 200 });
    try {
      await account.client.triggerSync("shopify_connector", { force: false });
      const running = account.simulator.nextSyncFinished("shopify_connector");
      await account.client.triggerSync("shopify_connector", { force: false });
      const first = await running;
      assert.equal(account.simulator.syncs.length, 1, "the second trigger did not start another sync");
      await account.client.triggerSync("shopify_connector", { force: false });
      const restarted = account.simulator.nextSyncFinished("shopify_connector");
      await account.client.triggerSync("shopify_connector", { force: true });
      const second = await restarted;
      assert.equal(account.simulator.syncs.length, 2);
      assert.ok(Date.parse(second.startedAt) >= Date.parse(first.finishedAt));
    } finally {
      await account.close();
    }
  });

  it("rides out a 429 and a 503 in the middle of polling", async () => {
    const account = await startSimulatedAccount({ warehousePath: null });
    try {
      account.simulator.inject({ method: "GET", path: "/connections/stripe_connector", status: 429, retryAfterSeconds: 0, times: 2 });
      account.simulator.inject({ method: "POST", path: "/connections/stripe_connector/sync", status: 503, times: 1 });
      const { launcher } = launcherFor(account);
      assert.equal((await launcher.syncConnector("stripe_connector")).status, "succeeded");
    } finally {
      await account.close();
    }
  });
});

describe("Fivetran dashboard links", () => {
  it("point at fivetran.com by default, elsewhere when told, and are empty for an API that is not Fivetran's", async () => {
    const { connectorUrls } = await import("./translator.ts");
    const connector = { service: "shopify", schema: "shop_main", id: "c1" };
    assert.deepEqual(connectorUrls(connector), { url: "https://fivetran.com/dashboard/connectors/shopify/shop_main", logsUrl: "https://fivetran.com/dashboard/connectors/shopify/shop_main/logs" });
    assert.equal(connectorUrls(connector, "https://fivetran.internal/").url, "https://fivetran.internal/dashboard/connectors/shopify/shop_main");
    assert.deepEqual(connectorUrls(connector, ""), { url: "", logsUrl: "" });
  });
});
