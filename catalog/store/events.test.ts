import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AssetEventInput } from "../model/events.ts";
import { isStoreError } from "./errors.ts";
import { testEngines, withDatabase } from "./test-support.ts";

function event(overrides: Partial<AssetEventInput> = {}): AssetEventInput {
  return {
    assetKey: ["shopify", "order"],
    kind: "materialization",
    tool: "fivetran",
    locationName: "fivetran_prod",
    runId: "sync_1",
    occurredAt: "2026-10-01T06:00:00.123456Z",
    dedupeKey: "fivetran:shopify_conn:succeeded:2026-10-01T06:00:00.123456Z",
    metadata: { "fivetran/connector_id": "shopify_conn", rows: 3 },
    ...overrides,
  };
}

for (const engine of testEngines) {
  describe(`asset events on ${engine.name}`, { skip: engine.skip }, () => {
    it("record an event once per (asset, dedupe key), across store instances (a restart)", () =>
      withDatabase(engine, async (database) => {
        const first = await database.openStore();
        try {
          assert.deepEqual(await first.recordAssetEvents([event(), event({ assetKey: ["shopify", "customer"] })]), { inserted: 2 });
          assert.deepEqual(await first.recordAssetEvents([event()]), { inserted: 0 });
        } finally {
          await first.close();
        }
        const second = await database.openStore();
        try {
          // The same sync seen again after a restart, plus a new one.
          const later = event({ occurredAt: "2026-10-01T12:00:00Z", dedupeKey: "fivetran:shopify_conn:succeeded:2026-10-01T12:00:00Z", runId: null });
          assert.deepEqual(await second.recordAssetEvents([event(), later]), { inserted: 1 });
          const history = await second.assetEventHistory(["shopify", "order"]);
          assert.deepEqual(history.map((e) => e.occurredAt), ["2026-10-01T12:00:00.000Z", "2026-10-01T06:00:00.123Z"]);
          assert.deepEqual(history[1]!.metadata, { "fivetran/connector_id": "shopify_conn", rows: 3 });
          assert.deepEqual(history[1]!.assetKey, ["shopify", "order"]);
          assert.equal(history[0]!.runId, null);
          assert.deepEqual((await second.assetEventHistory(["shopify", "order"], { limit: 1 })).length, 1);
        } finally {
          await second.close();
        }
      }));

    it("return the latest event per asset, filtered by kind", () =>
      withDatabase(engine, async (database) => {
        const store = await database.openStore();
        try {
          await store.recordAssetEvents([
            event(),
            event({ kind: "materialization_failure", occurredAt: "2026-10-02T00:00:00Z", dedupeKey: "f1", metadata: { status: "failed" } }),
            event({ assetKey: ["stripe", "charge"], occurredAt: "2026-09-30T00:00:00Z", dedupeKey: "c1" }),
          ]);
          const latest = await store.latestAssetEvents();
          assert.deepEqual(latest.map((e) => [e.assetKey.join("/"), e.kind]), [["shopify/order", "materialization_failure"], ["stripe/charge", "materialization"]]);
          const materializations = await store.latestAssetEvents({ kinds: ["materialization"] });
          assert.deepEqual(materializations.map((e) => e.occurredAt), ["2026-10-01T06:00:00.123Z", "2026-09-30T00:00:00.000Z"]);
          const failures = await store.assetEventHistory(["shopify", "order"], { kinds: ["materialization_failure"] });
          assert.deepEqual(failures.map((e) => e.dedupeKey), ["f1"]);
        } finally {
          await store.close();
        }
      }));

    it("reject bad events without writing any of the batch", () =>
      withDatabase(engine, async (database) => {
        const store = await database.openStore();
        try {
          await assert.rejects(store.recordAssetEvents([event(), event({ occurredAt: "yesterday", dedupeKey: "x" })]), (error) => isStoreError(error, "invalid_input"));
          assert.deepEqual(await store.latestAssetEvents(), []);
        } finally {
          await store.close();
        }
      }));
  });
}
