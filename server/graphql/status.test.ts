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
import { query, shopGraph } from "../test-support.ts";
import { createTributaryYoga } from "../yoga.ts";

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
