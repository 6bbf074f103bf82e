import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { buildCatalogGraph } from "../../catalog/graph/build.ts";
import { definitions, spec } from "../../catalog/graph/test-specs.ts";
import { API_SAMPLES_DIR } from "../fivetran/test-support.ts";
import { isApiError } from "../shared/http-client.ts";
import { describeHttpClientContract } from "../shared/http-contract.ts";
import { createFakeClock, createMemoryEventSink } from "../shared/testing.ts";
import { createCensusClient } from "./client.ts";
import { createCensusLauncher } from "./launcher.ts";
import { createCensusObserver } from "./observer.ts";
import { createCensusProvider } from "./provider.ts";
import { envelope, listPage, sourceSchema, destinationSchema, syncRunSchema, syncSchema, triggerSchema } from "./schemas.ts";
import { relationOfQuery, translateCensusWorkspace } from "./translator.ts";
import { startSimulatedCensus, TEST_CENSUS_KEY } from "./test-support.ts";

const WRONG_KEY = "secret-token:wrong_census_key_P0o9";
const sample = (name: string): unknown => JSON.parse(readFileSync(join(API_SAMPLES_DIR, name), "utf8"));

describeHttpClientContract({
  name: "Census",
  secrets: [TEST_CENSUS_KEY, WRONG_KEY, "census_test_Zq81hVw3Lm", "wrong_census_key_P0o9"],
  async start({ sleep, timeoutMs }) {
    const census = await startSimulatedCensus({}, { sleep, timeoutMs, retryDelayMs: 100, maxRetries: 3, maxRetryAfterMs: 60_000 });
    const bad = createCensusClient({ apiKey: WRONG_KEY, baseUrl: census.simulator.url, sleep, timeoutMs });
    return {
      inject: (fault) => census.simulator.inject({ ...fault, path: "/syncs/101" }),
      call: () => census.client.getSync("101"),
      callWithBadCredentials: () => bad.getSync("101"),
      requestCount: () => census.simulator.requests.length,
      close: () => census.close(),
    };
  },
});

describe("Census schemas on the real API samples", () => {
  it("validate every census-* fixture, ids as strings, counts null on a failed run", () => {
    const sync = envelope(syncSchema).parse(sample("census-sync.json")).data;
    assert.equal(sync.id, "61");
    assert.equal(sync.source_attributes.object.type, "model");
    const syncs = listPage(syncSchema).parse(sample("census-syncs-list.json"));
    assert.equal(syncs.data.length, 2);
    assert.equal(syncs.pagination?.next_page, 2);
    const runs = listPage(syncRunSchema).parse(sample("census-sync-runs-list.json")).data;
    assert.deepEqual(runs.map((r) => [r.id, r.status, r.records_processed]), [["94", "completed", 1], ["93", "failed", null], ["92", "completed", 1]]);
    assert.equal(envelope(syncRunSchema).parse(sample("census-sync-run.json")).data.records_updated, 1);
    assert.equal(triggerSchema.parse(sample("census-sync-trigger.json")).data.sync_run_id, "94");
    assert.equal(envelope(sourceSchema).parse(sample("census-source.json")).data.type, "snowflake");
    const destination = envelope(destinationSchema).parse(sample("census-destination.json")).data;
    assert.deepEqual(destination.objects?.map((o) => o.full_name), ["user", "event"]);
    const objects = listPage(z_sourceObjects()).parse(sample("census-source-objects-list.json")).data;
    assert.equal(objects.length, 4);
  });

  it("translate the real sync sample: key from resource_identifier, a SQL model without upstream is an info diagnostic", () => {
    const sync = envelope(syncSchema).parse(sample("census-sync.json")).data;
    const destination = envelope(destinationSchema).parse(sample("census-destination.json")).data;
    const { specs, diagnostics } = translateCensusWorkspace({ fetchedAt: "2026-01-01T00:00:00Z", apiVersion: "v1", syncs: [sync], sources: [], destinations: [{ ...destination, id: "15" }] }, { locationName: "census" });
    assert.deepEqual(specs[0]!.key, ["sync_61"]);
    assert.deepEqual(specs[0]!.kinds, ["census", "braze"]);
    assert.deepEqual(specs[0]!.columns.map((c) => c.name), ["external_id", "first_name"]);
    assert.deepEqual(diagnostics.map((d) => d.code), ["census_source_unresolved"]);
    assert.deepEqual(relationOfQuery("select * from warehouse.analytics.customers"), { database: "warehouse", schema: "analytics", name: "customers" });
    assert.equal(relationOfQuery("select a from x.y.z join p.q.r on 1=1"), null);
  });

  it("mark a sync Census runs on its own schedule (not never, not paused) as scheduled by Census, unless the workspace says trigger", () => {
    const base = envelope(syncSchema).parse(sample("census-sync.json")).data;
    assert.equal(base.schedule_frequency, "never", "the real sample is manual");
    const syncs = [
      { ...base, id: "1", resource_identifier: "manual" },
      { ...base, id: "2", resource_identifier: "hourly", schedule_frequency: "hourly", schedule_minute: 15 },
      { ...base, id: "3", resource_identifier: "cron", schedule_frequency: "expression", cron_expression: "0 */4 * * *" },
      { ...base, id: "4", resource_identifier: "paused_daily", schedule_frequency: "daily", schedule_hour: 6, paused: true },
      { ...base, id: "5", resource_identifier: "continuous", schedule_frequency: "continuous" },
    ];
    const translate = (scheduledSyncs?: "respect" | "trigger") =>
      translateCensusWorkspace({ fetchedAt: "2026-01-01T00:00:00Z", apiVersion: "v1", syncs, sources: [], destinations: [] }, { locationName: "crm", ...(scheduledSyncs ? { scheduledSyncs } : {}) }).specs;
    const scheduled = Object.fromEntries(translate().map((s) => [s.key.join("/"), s.scheduledByTool?.schedule ?? null]));
    assert.deepEqual(scheduled, { manual: null, hourly: "hourly", cron: "expression 0 */4 * * *", paused_daily: null, continuous: "continuous" });
    assert.match(translate()[1]!.scheduledByTool!.howToTrigger, /scheduled_syncs: trigger on the "crm" workspace/);
    assert.ok(translate("trigger").every((s) => !s.scheduledByTool), "trigger: every sync is left to the policies");
  });
});

function z_sourceObjects() {
  return syncSchema.shape.source_attributes.shape.object;
}

describe("Census against the simulator", () => {
  it("ingests syncs as assets downstream of the demo marts they read, and reports a sync reading what no one builds", async () => {
    const census = await startSimulatedCensus({}, { pageSize: 1 });
    try {
      const loaded = await createCensusProvider({ name: "census", client: census.client }).load();
      assert.equal(census.simulator.requests.filter((r) => r.path.startsWith("/api/v1/syncs?")).length, 2, "pages through syncs");
      const [crm, ads] = loaded.specs;
      assert.deepEqual(crm!.key, ["customers_to_crm_contacts"]);
      assert.deepEqual(crm!.kinds, ["census", "hubspot"]);
      assert.deepEqual(crm!.deps, [{ kind: "relation", relation: { database: "warehouse", schema: "analytics", name: "customers" } }]);
      assert.deepEqual(crm!.materializer, { tool: "census", locationName: "census", runTargetId: "101" });
      assert.deepEqual(crm!.columns.map((c) => c.name), ["external_id", "email", "order_count"]);
      assert.equal(crm!.metadata["census/source_object"], "warehouse.analytics.customers");
      assert.deepEqual(ads!.key, ["marketing_roi_to_ad_audiences"]);
      assert.equal(ads!.metadata["census/source_kind"], "dbt_model");
      assert.deepEqual(ads!.deps, [{ kind: "relation", relation: { database: "warehouse", schema: "analytics", name: "marketing_roi" } }]);

      const dbt = definitions("shop", [
        spec("customers", { relation: { database: "warehouse", schema: "analytics", name: "customers" } }),
        spec("marketing_roi", { relation: { database: "warehouse", schema: "analytics", name: "marketing_roi" }, materializer: null }),
      ]);
      const graph = buildCatalogGraph({ definitions: [dbt, { ...loaded, specs: loaded.specs }] });
      assert.deepEqual(graph.get("customers_to_crm_contacts")!.upstreamIds, ["customers"]);
      assert.deepEqual(graph.get("marketing_roi_to_ad_audiences")!.upstreamIds, ["marketing_roi"]);
      const unbuilt = graph.diagnostics.filter((d) => d.code === "unbuilt_dependency");
      assert.deepEqual(unbuilt.map((d) => d.assetKey?.join("/")), ["marketing_roi_to_ad_audiences"]);
      const lone = buildCatalogGraph({ definitions: [loaded] });
      assert.deepEqual(lone.diagnostics.filter((d) => d.code === "unbuilt_dependency").length, 2);
      assert.equal(lone.diagnostics.filter((d) => d.code === "unresolved_dependency").length, 0);
    } finally {
      await census.close();
    }
  });

  it("triggers a sync, polls the run (not the envelope) to completion, writes the destination file and records the counts", async () => {
    const census = await startSimulatedCensus();
    try {
      const events = createMemoryEventSink();
      const launcher = createCensusLauncher({ client: census.client, locationName: "census", events, pollIntervalMs: 5 });
      const outcome = await launcher.syncAndPoll("101", { forceFullSync: true });
      assert.equal(outcome.status, "completed", outcome.message);
      const trigger = census.simulator.requests.find((r) => r.method === "POST")!;
      assert.match(trigger.path, /\/api\/v1\/syncs\/101\/trigger\?force_full_sync=true/);
      assert.deepEqual(trigger.body, { force_full_sync: true });
      assert.equal(trigger.authorization, `Bearer ${TEST_CENSUS_KEY}`);
      const [event] = events.events;
      assert.equal(event!.kind, "materialization");
      assert.deepEqual(event!.assetKey, ["customers_to_crm_contacts"]);
      assert.equal(event!.metadata["census/records_processed"], 3);
      assert.equal(event!.metadata["census/records_updated"], 2);
      assert.equal(event!.metadata["census/records_invalid"], 1);
      assert.equal(event!.metadata["census/records_failed"], 0);
      const written = JSON.parse(readFileSync(join(census.simulator.outputDir, "CRM", "contacts.json"), "utf8")) as Record<string, string>[];
      assert.deepEqual(written.map((r) => r["external_id"]), ["1", "2"]);
      assert.deepEqual(Object.keys(written[0]!).sort(), ["email", "external_id", "order_count"]);
    } finally {
      await census.close();
    }
  });

  it("records a failed run as a failure with Census's error message (never a materialization), cleanly when the mart is missing", async () => {
    const census = await startSimulatedCensus({ seed: false });
    try {
      const events = createMemoryEventSink();
      const launcher = createCensusLauncher({ client: census.client, locationName: "census", events, pollIntervalMs: 5 });
      const outcome = await launcher.syncAndPoll("102");
      assert.equal(outcome.status, "failed");
      assert.match(outcome.message, /run \d+ failed: There was an error querying your source/);
      assert.equal(events.events[0]!.kind, "materialization_failure");
      assert.equal(events.events[0]!.metadata["census/error_code"], "SOURCE_QUERY_ERROR");
      census.simulator.failNextRun(101, { code: "JSON_ARRAY_ERROR", message: "The array field being used does not appear to be valid JSON" });
      const injected = await launcher.syncAndPoll("101");
      assert.equal(injected.status, "failed");
      assert.equal(events.events[1]!.metadata["census/error_message"], "The array field being used does not appear to be valid JSON");
      assert.ok(events.events.every((e) => e.kind === "materialization_failure"));
    } finally {
      await census.close();
    }
  });

  it("times out a run that never finishes (the timeout really fires), and the observer records its outcome later exactly once", async () => {
    const census = await startSimulatedCensus();
    try {
      const clock = createFakeClock();
      const events = createMemoryEventSink();
      census.simulator.holdNextRun(101);
      const launcher = createCensusLauncher({ client: census.client, locationName: "census", events, pollIntervalMs: 10_000, pollTimeoutMs: 60_000, now: clock.now, sleep: clock.sleep });
      const outcome = await launcher.syncAndPoll("101");
      assert.equal(outcome.status, "timed_out");
      assert.match(outcome.message, /did not finish within 60 s \(status working\)/);
      assert.equal(events.events.length, 1);
      assert.equal(events.events[0]!.metadata["census/status"], "timed_out");
    } finally {
      await census.close();
    }
  });

  it("observes Census's scheduled runs exactly once, across observer restarts", async () => {
    const census = await startSimulatedCensus();
    try {
      const events = createMemoryEventSink();
      await census.simulator.runScheduledSync(101);
      census.simulator.failNextRun(102);
      await census.simulator.runScheduledSync(102);
      const first = createCensusObserver({ client: census.client, locationName: "census", events });
      assert.equal((await first.poll()).recorded, 2);
      assert.equal((await first.poll()).recorded, 0);
      const restarted = createCensusObserver({ client: census.client, locationName: "census", events });
      assert.equal((await restarted.poll()).recorded, 0, "a restarted observer records nothing twice");
      assert.deepEqual(events.events.map((e) => [e.assetKey.join("/"), e.kind, e.metadata["census/launched_by"]]), [
        ["customers_to_crm_contacts", "materialization", "census"],
        ["marketing_roi_to_ad_audiences", "materialization_failure", "census"],
      ]);
      assert.equal(restarted.latest().get("101")?.status, "Up to Date");
      assert.equal(restarted.latest().get("102")?.status, "Failing");
    } finally {
      await census.close();
    }
  });

  it("names the endpoint and the sync in a 404, rejects a bad body naming the field, and reports a paused sync", async () => {
    const census = await startSimulatedCensus();
    try {
      await assert.rejects(census.client.getSync("999"), (error) => {
        assert.ok(isApiError(error, "not_found"));
        assert.match(error.message, /GET \/syncs\/999 for sync 999 failed with HTTP 404: not_found: Sync with id 999 not found/);
        return true;
      });
      census.simulator.inject({ path: "/sync_runs/", status: 200, body: { status: "success", data: { id: 1, status: 3 } } });
      const run = await census.client.triggerSync("101");
      await assert.rejects(census.client.getSyncRun(run, "101"), /unexpected body: data\.\w+/);
      const launcher = createCensusLauncher({ client: census.client, locationName: "census", events: createMemoryEventSink(), pollIntervalMs: 5 });
      census.simulator.inject({ path: "/syncs/101/trigger", status: 500, times: 1 });
      const failed = await launcher.launch([{ assetKey: ["customers_to_crm_contacts"], syncId: "101" }]);
      assert.equal(failed[0]!.status, "failed");
      assert.match(failed[0]!.message, /POST \/syncs\/101\/trigger for sync 101 failed with HTTP 500/);
      assert.equal(census.simulator.requests.filter((r) => r.path.startsWith("/api/v1/syncs/101/trigger")).length, 2, "a trigger is never retried");
    } finally {
      await census.close();
    }
  });

  it("serves and reads V2 as configuration: /api/v2, /activations, string ids, integer 404 status", async () => {
    const census = await startSimulatedCensus({ apiVersion: "v2" }, { apiVersion: "v2", groupId: "group_1" });
    try {
      const loaded = await createCensusProvider({ name: "census", client: census.client }).load();
      assert.deepEqual(loaded.specs.map((s) => s.kinds[1]), ["hubspot", "google_ads"]);
      assert.ok(census.simulator.requests.some((r) => r.path.startsWith("/api/v2/activations?") && r.path.includes("group_id=group_1")));
      await assert.rejects(census.client.getSync("999"), /HTTP 404: 404: Sync with id 999 not found/);
    } finally {
      await census.close();
    }
  });
});
