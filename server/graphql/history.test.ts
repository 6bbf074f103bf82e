/**
 * Asset.lastUpdatedAt, Materialization.durationMs and tributaryRunId, and Query.launchCapability, on a real store.
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
import { createRunsSource } from "../runs-source.ts";
import { execute, query, shopGraph, testYoga } from "../test-support.ts";
import { createTributaryYoga } from "../yoga.ts";
import { materializationDurationMs } from "./history.ts";

const event = (key: string, kind: AssetEventInput["kind"], at: string, tool: string, metadata: Record<string, unknown>, tributaryRunId: string | null = null): AssetEventInput => ({
  assetKey: key.split("/"),
  kind,
  tool,
  locationName: "shop",
  runId: null,
  occurredAt: at,
  dedupeKey: `${key}:${kind}:${at}`,
  metadata,
  tributaryRunId,
});

test("durations come from each tool's own timing keys; absent or backwards timing is null", () => {
  assert.equal(materializationDurationMs({ tool: "dbt", metadata: { "dbt/execution_duration_s": 1.2345 } }), 1235);
  assert.equal(materializationDurationMs({ tool: "dbt", metadata: {} }), null);
  assert.equal(materializationDurationMs({ tool: "fivetran", metadata: { "fivetran/triggered_at": "2026-11-24T10:00:00Z", "fivetran/sync_completed_at": "2026-11-24T10:01:30Z" } }), 90_000);
  assert.equal(materializationDurationMs({ tool: "fivetran", metadata: { "fivetran/triggered_at": "2026-11-24T10:02:00Z", "fivetran/sync_completed_at": "2026-11-24T10:01:30Z" } }), null);
  assert.equal(materializationDurationMs({ tool: "census", metadata: { "census/started_at": "2026-11-24T10:00:00Z", "census/completed_at": "2026-11-24T10:00:04.5Z" } }), 4500);
  assert.equal(materializationDurationMs({ tool: "other", metadata: { duration_ms: 12 } }), 12);
});

test("lastUpdatedAt, durations and the recording run, read from the store", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tributary-history-"));
  const store = await openCatalogStore({ dataDir: dir });
  try {
    const graph = shopGraph();
    const yoga = createTributaryYoga({
      catalog: { current: () => graph, events: store, automation: createStoreAutomationSource(store, () => graph) },
      logger: createLogger({ level: "silent" }),
    });
    await runSql.reserveRun(store.client, {
      id: "run-1",
      idempotencyKey: "manual:1",
      launchedBy: { kind: "manual", user: null },
      steps: [{ tool: "dbt", locationName: "shop", queue: "q", targets: [{ assetKey: ["stg_orders"], runTargetId: "model.shop.stg_orders", checks: [] }] }],
    });
    await store.recordAssetEvents([
      event("stg_orders", "materialization", "2026-11-24T09:00:00.000Z", "dbt", { "dbt/execution_duration_s": 2.5 }, "run-1"),
      event("stg_orders", "materialization", "2026-11-24T10:00:00.000Z", "dbt", { "dbt/execution_duration_s": 0.75 }),
      event("stg_orders", "materialization_failure", "2026-11-24T11:00:00.000Z", "dbt", { "dbt/execution_duration_s": 9 }),
    ]);
    const data = await query<{
      asset: { lastUpdatedAt: string | null; materializations: { status: string; durationMs: number | null; tributaryRunId: string | null }[] };
      never: { lastUpdatedAt: string | null };
      assets: { nodes: { key: string; lastUpdatedAt: string | null }[] };
    }>(
      yoga,
      `{ asset(key: "stg_orders") { lastUpdatedAt materializations(includeFailures: true) { status durationMs tributaryRunId } }
         never: asset(key: "marts/daily_revenue") { lastUpdatedAt }
         assets(search: "stg_orders") { nodes { key lastUpdatedAt } } }`,
    );
    // The failure after it does not move "last updated": only data that landed does.
    assert.equal(data.asset.lastUpdatedAt, "2026-11-24T10:00:00.000Z");
    assert.deepEqual(data.asset.materializations.map((m) => [m.status, m.durationMs, m.tributaryRunId]), [
      ["FAILURE", 9000, null],
      ["SUCCESS", 750, null],
      ["SUCCESS", 2500, "run-1"],
    ]);
    assert.equal(data.never.lastUpdatedAt, null);
    assert.equal(data.assets.nodes.find((n) => n.key === "stg_orders")?.lastUpdatedAt, "2026-11-24T10:00:00.000Z");
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("launchCapability: no store, a read-only runs source with its reason", async () => {
  const bare = await query<{ launchCapability: { available: boolean; reason: string | null } }>(testYoga(), "{ launchCapability { available reason } }");
  assert.equal(bare.launchCapability.available, false);
  assert.match(bare.launchCapability.reason ?? "", /no store/);
  const dir = mkdtempSync(join(tmpdir(), "tributary-history-"));
  const store = await openCatalogStore({ dataDir: dir });
  try {
    const graph = shopGraph();
    const readOnly = testYoga({ current: () => graph, events: store, runs: createRunsSource(store, null, { launchUnavailable: "This process only reads runs." }) });
    const answer = await query<{ launchCapability: { available: boolean; reason: string | null } }>(readOnly, "{ launchCapability { available reason } }");
    assert.deepEqual(answer.launchCapability, { available: false, reason: "This process only reads runs." });
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a runtime trend may ask for 1,000 materializations, not more", async () => {
  const yoga = testYoga();
  const ok = await query<{ asset: { materializations: unknown[] } }>(yoga, `{ asset(key: "stg_orders") { materializations(first: 1000, includeFailures: true) { id } } }`);
  assert.deepEqual(ok.asset.materializations, []);
  const { body } = await execute(yoga, `{ asset(key: "stg_orders") { materializations(first: 1001) { id } } }`);
  assert.equal(body.errors?.[0]?.extensions?.["code"], "BAD_USER_INPUT");
});
