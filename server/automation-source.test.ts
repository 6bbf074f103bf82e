/**
 * dryRun over GraphQL reads the state it evaluates from the store: what was materialized, and when.
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { buildCatalogGraph } from "../catalog/graph/build.ts";
import { definitions, spec } from "../catalog/graph/test-specs.ts";
import type { AssetEventInput } from "../catalog/model/events.ts";
import { parsePartitionsSpec } from "../catalog/model/index.ts";
import { openCatalogStore } from "../catalog/store/index.ts";
import { createStoreAutomationSource } from "./automation-source.ts";
import { createLogger } from "./logging.ts";
import { query } from "./test-support.ts";
import { createTributaryYoga } from "./yoga.ts";

const materialized = (key: string, tool: string, at: string): AssetEventInput => ({
  assetKey: key.split("/"),
  kind: "materialization",
  tool,
  locationName: tool,
  runId: null,
  occurredAt: at,
  dedupeKey: `${key}:${at}`,
  metadata: {},
});

test("dryRun requests an eager child whose parent was materialized after it, and not once the child caught up", async () => {
  const graph = buildCatalogGraph({
    definitions: [
      definitions(
        "ingest",
        [spec("raw/orders", { materializer: { tool: "fivetran", locationName: "ingest", runTargetId: "c1" }, dbtUniqueId: null })],
        "fivetran",
      ),
      definitions("shop", [
        spec("orders", {
          deps: ["raw/orders"],
          policy: { source: "auto_materialize_policy", type: "eager", cronSchedule: null, cronTimezone: null, declaredIn: { file: "dbt_project.yml" } },
        }),
      ]),
    ],
  });
  const store = await openCatalogStore({ dataDir: mkdtempSync(join(tmpdir(), "tributary-automation-")) });
  try {
    const yoga = createTributaryYoga({
      catalog: { current: () => graph, events: store, automation: createStoreAutomationSource(store, () => graph) },
      logger: createLogger({ level: "silent" }),
    });
    const dryRun = async (at: string) =>
      (await query<{ dryRun: { assetKey: string; requested: boolean; tree: { label: string; value: boolean; reason: string | null }[] }[] }>(
        yoga,
        "query($at: DateTime) { dryRun(at: $at) { assetKey requested tree { label value reason } } }",
        { at },
      )).dryRun.find((e) => e.assetKey === "orders")!;

    await store.recordAssetEvents([materialized("orders", "dbt", "2026-11-24T09:00:00Z"), materialized("raw/orders", "fivetran", "2026-11-24T10:00:00Z")]);
    const stale = await dryRun("2026-11-24T10:05:00Z");
    assert.equal(stale.requested, true, JSON.stringify(stale.tree));

    await store.recordAssetEvents([materialized("orders", "dbt", "2026-11-24T10:01:00Z")]);
    const fresh = await dryRun("2026-11-24T10:06:00Z");
    assert.equal(fresh.requested, false, JSON.stringify(fresh.tree));
  } finally {
    await store.close();
  }
});

test("state() is read incrementally and shared by requests that arrive together", async () => {
  const graph = buildCatalogGraph({ definitions: [definitions("shop", [spec("orders"), spec("customers")])] });
  const store = await openCatalogStore({ dataDir: mkdtempSync(join(tmpdir(), "tributary-automation-")) });
  try {
    const source = createStoreAutomationSource(store, () => graph);
    const orders = graph.assets.find((a) => a.key.join("/") === "orders")!.id;
    const customers = graph.assets.find((a) => a.key.join("/") === "customers")!.id;
    await store.recordAssetEvents([materialized("orders", "dbt", "2026-11-24T09:00:00Z")]);
    const [first, second] = await Promise.all([source.state(), source.state()]);
    assert.equal(first, second, "two requests at once share one read");
    assert.equal(first.assets.get(orders)?.latestMaterialization?.timestamp, Date.parse("2026-11-24T09:00:00Z"));
    assert.equal(first.assets.get(customers)?.latestMaterialization ?? null, null);

    // Read again after more events: the newer materialization replaces the older; an older one recorded late does not.
    await store.recordAssetEvents([materialized("orders", "dbt", "2026-11-24T10:00:00Z"), materialized("customers", "dbt", "2026-11-24T10:00:00Z")]);
    await store.recordAssetEvents([materialized("orders", "dbt", "2026-11-24T08:00:00Z")]);
    const later = await source.state();
    assert.notEqual(later, first);
    assert.equal(later.assets.get(orders)?.latestMaterialization?.timestamp, Date.parse("2026-11-24T10:00:00Z"));
    assert.equal(later.assets.get(customers)?.latestMaterialization?.timestamp, Date.parse("2026-11-24T10:00:00Z"));
  } finally {
    await store.close();
  }
});

test("Asset.evaluations answers the partitions a stored evaluation requested, after a restart", async () => {
  const daily = parsePartitionsSpec({ type: "daily", start_date: "2026-11-01" }, { file: "test" }).definition!;
  const graph = buildCatalogGraph({ definitions: [definitions("shop", [spec("orders_daily", { partitions: daily }), spec("orders")])] });
  const dataDir = mkdtempSync(join(tmpdir(), "tributary-automation-"));
  const tree = { id: "r0", name: "missing", label: "missing", value: true, reason: "2 of 24 never materialized", children: [], partitions: { count: 2, of: 24, keys: "2026-11-23…2026-11-24" } };
  const first = await openCatalogStore({ dataDir });
  try {
    await first.saveEvaluations([
      { assetId: "orders_daily", tick: 1, evaluatedAt: "2026-11-25T06:00:00.000Z", requested: true, treeHash: "h", tree, requestedPartitions: ["2026-11-23", "2026-11-24"] },
      { assetId: "orders", tick: 1, evaluatedAt: "2026-11-25T06:00:00.000Z", requested: true, treeHash: "h", tree: { ...tree, partitions: undefined } },
    ]);
  } finally {
    await first.close();
  }
  // Another process (a restart, or another serve) reads them from the store.
  const store = await openCatalogStore({ dataDir });
  try {
    const yoga = createTributaryYoga({
      catalog: { current: () => graph, events: store, automation: createStoreAutomationSource(store, () => graph) },
      logger: createLogger({ level: "silent" }),
    });
    type Evaluations = { asset: { evaluations: { tick: number; requested: boolean; requestedPartitions: string[] | null }[] } };
    const evaluations = async (key: string) => (await query<Evaluations>(yoga, "query($key: String!) { asset(key: $key) { evaluations(first: 5) { tick requested requestedPartitions } } }", { key })).asset.evaluations;
    assert.deepEqual(await evaluations("orders_daily"), [{ tick: 1, requested: true, requestedPartitions: ["2026-11-23", "2026-11-24"] }]);
    assert.deepEqual(await evaluations("orders"), [{ tick: 1, requested: true, requestedPartitions: null }]);
  } finally {
    await store.close();
  }
});
