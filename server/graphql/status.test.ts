/**
 * Asset.status, the assets(statuses:) filter and the status facet, from events and runs in a real store.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { AssetEventInput } from "../../catalog/model/events.ts";
import { openCatalogStore, runSql } from "../../catalog/store/index.ts";
import { createStoreAutomationSource } from "../automation-source.ts";
import { createLogger } from "../logging.ts";
import type { AutomationState } from "../../scheduler/conditions/index.ts";
import { LOCAL_CALLER } from "../auth/caller.ts";
import { execute, query, shopGraph } from "../test-support.ts";
import { createTributaryYoga, loadQueryCompiler } from "../yoga.ts";
import type { AutomationSource } from "./context.ts";
import { withRequestState } from "./status.ts";

const event = (key: string, kind: AssetEventInput["kind"], at: string): AssetEventInput => ({
  assetKey: key.split("/"),
  kind,
  tool: "dbt",
  locationName: "shop",
  runId: null,
  occurredAt: at,
  dedupeKey: `${key}:${kind}:${at}`,
  metadata: {},
});

test("status: fresh, stale, failed, running, never materialized — per asset, as a filter and as a facet", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tributary-status-"));
  const store = await openCatalogStore({ dataDir: dir });
  try {
    const graph = shopGraph();
    const yoga = createTributaryYoga({
      catalog: { current: () => graph, events: store, automation: createStoreAutomationSource(store, () => graph) },
      logger: createLogger({ level: "silent" }),
    });
    await store.recordAssetEvents([
      event("raw/shop/orders", "materialization", "2026-11-24T10:00:00Z"),
      event("stg_orders", "materialization", "2026-11-24T09:00:00Z"), // older than its parent: stale
      event("raw/shop/customers", "materialization", "2026-11-24T08:00:00Z"),
      event("stg_customers", "materialization", "2026-11-24T08:30:00Z"), // newer than its parent: fresh
      event("marts/orders", "materialization", "2026-11-24T07:00:00Z"),
      event("marts/orders", "materialization_failure", "2026-11-24T11:00:00Z"), // failed after: failed
    ]);
    await runSql.reserveRun(store.client, {
      id: "run-1",
      idempotencyKey: "manual:1",
      launchedBy: { kind: "manual", user: null },
      steps: [{ tool: "dbt", locationName: "shop", queue: "q", targets: [{ assetKey: ["marts", "customers"], runTargetId: "model.shop.customers", checks: [] }] }],
    });
    const status = async (key: string) => (await query<{ asset: { status: string } }>(yoga, "query($k: String!) { asset(key: $k) { status } }", { k: key })).asset.status;
    assert.equal(await status("stg_orders"), "STALE");
    assert.equal(await status("stg_customers"), "FRESH");
    assert.equal(await status("marts/orders"), "FAILED");
    assert.equal(await status("marts/customers"), "RUNNING");
    assert.equal(await status("marts/daily_revenue"), "NEVER_MATERIALIZED");

    const failed = await query<{ assets: { nodes: { key: string }[] } }>(yoga, "{ assets(statuses: [FAILED, RUNNING]) { nodes { key } } }");
    assert.deepEqual(failed.assets.nodes.map((n) => n.key), ["marts/customers", "marts/orders"]);
    const facets = await query<{ facets: { statuses: { value: string; count: number }[]; kinds: { value: string; count: number }[] } }>(
      yoga,
      "{ facets(statuses: [FRESH]) { statuses { value count } kinds { value count } } }",
    );
    assert.deepEqual(facets.facets.statuses.map((s) => s.value), ["FRESH"]);
    const fresh = await query<{ assets: { totalCount: number } }>(yoga, "{ assets(statuses: [FRESH]) { totalCount } }");
    assert.equal(facets.facets.statuses[0]!.count, fresh.assets.totalCount);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("run state is read once per request, before execution, and only when an asset's status or lastUpdatedAt is asked", async () => {
  const graph = shopGraph();
  const at = (iso: string) => Date.parse(iso);
  const materialized = (storageId: number, iso: string) => ({ latestMaterialization: { storageId, timestamp: at(iso), runId: null, runAssetSelection: null } });
  const state: AutomationState = {
    lastEventId: 2,
    assets: new Map([
      ["raw/shop/orders", materialized(2, "2026-11-24T10:00:00Z")],
      ["stg_orders", materialized(1, "2026-11-24T09:00:00Z")],
    ]),
  };
  let reads = 0;
  let failing = false;
  // In what order the executor reached the lineage and the store was read: the read comes first, before execution.
  const order: string[] = [];
  const lineageOf = graph.lineage.bind(graph);
  Object.assign(graph, { lineage: (...args: Parameters<typeof graph.lineage>) => (order.push("lineage"), lineageOf(...args)) });
  const automation: AutomationSource = {
    evaluations: async () => [],
    cursor: async () => null,
    state: async () => {
      order.push("state");
      reads++;
      if (failing) throw new Error("the store went away");
      return state;
    },
  };
  for (const compiledExecution of [true, false]) {
    reads = 0;
    failing = false;
    order.length = 0;
    const yoga = createTributaryYoga({ catalog: { current: () => graph, automation }, logger: createLogger({ level: "silent" }), compiledExecution });
    await loadQueryCompiler();
    const lineage = `query($k: String!) { lineage(key: $k, direction: UPSTREAM) { nodes { ...Row } } }
      fragment Row on Asset { key status lastUpdatedAt }`;
    type Rows = { lineage: { nodes: { key: string; status: string; lastUpdatedAt: string | null }[] } };
    const rows = (await query<Rows>(yoga, lineage, { k: "stg_orders" })).lineage.nodes;
    assert.deepEqual(
      rows.map((n) => [n.key, n.status, n.lastUpdatedAt]),
      [
        ["stg_orders", "STALE", "2026-11-24T09:00:00.000Z"],
        ["raw/shop/orders", "FRESH", "2026-11-24T10:00:00.000Z"],
      ],
      `compiledExecution: ${compiledExecution}`,
    );
    assert.equal(reads, 1, "one read for every status and lastUpdatedAt of the answer");
    assert.deepEqual(order, ["state", "lineage"], "run state is read before the query executes");
    await query(yoga, `{ lineage(key: "stg_orders") { nodes { key kinds } edges { from to } } }`);
    assert.equal(reads, 1, "a query without run-state fields reads no state");
    // A failed read is an error of the fields that needed it, not of the whole request.
    failing = true;
    const { body } = await execute(yoga, `{ asset(key: "stg_orders") { key status } catalog: lineage(key: "stg_orders", direction: UPSTREAM) { edges { from } } }`);
    assert.equal(reads, 2);
    assert.deepEqual(body.errors?.map((e) => e.path), [["asset", "status"]]);
    assert.equal(body.data?.["asset"], null);
    assert.deepEqual(body.data?.["catalog"], { edges: [{ from: "raw/shop/orders" }] });
  }
});

test("withRequestState answers without a promise once the request's state is read", async () => {
  const state: AutomationState = { lastEventId: 0, assets: new Map() };
  const context = { catalog: { current: () => shopGraph(), automation: { evaluations: async () => [], cursor: async () => null, state: async () => state } }, graph: null, caller: LOCAL_CALLER };
  const before = withRequestState(context, (read) => read);
  assert.ok(before instanceof Promise, "not read yet: a promise");
  assert.equal(await before, state);
  assert.equal(withRequestState(context, (read) => read), state, "read: the value itself");
});
