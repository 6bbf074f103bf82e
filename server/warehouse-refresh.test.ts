/** The warehouse refresh hook: after runs end and after observed materializations, once per burst. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { AssetEventInput } from "../catalog/model/index.ts";
import type { ReloadOutcome } from "../catalog/service.ts";
import { createWarehouseRefresh } from "./warehouse-refresh.ts";

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function harness(ended: Set<string>, names: string[] = ["shop-warehouse"], changedLocations?: () => Promise<readonly string[]>) {
  const reloads: (readonly string[])[] = [];
  const refresh = createWarehouseRefresh({
    locationNames: names,
    ...(changedLocations ? { changedLocations } : {}),
    reloadLocations: async (list) => {
      reloads.push(list);
      await wait(20);
      return { ok: false, errors: [], durationMs: 0 } satisfies ReloadOutcome;
    },
    runEnded: async (runId) => ended.has(runId),
    delayMs: 30,
  });
  return { refresh, reloads };
}

const event = (kind: AssetEventInput["kind"]): AssetEventInput => ({ assetKey: ["shopify", "order"], kind, tool: "fivetran", locationName: "ft", runId: null, occurredAt: "2026-12-03T10:00:00Z", dedupeKey: kind, metadata: {} }) as AssetEventInput;

test("a run's changes refresh nothing until it ends; runs ending together refresh once; a run refreshes once", async () => {
  const ended = new Set<string>();
  const { refresh, reloads } = harness(ended);
  refresh.runChanged("r1");
  await wait(80);
  assert.deepEqual(reloads, []);
  ended.add("r1");
  ended.add("r2");
  refresh.runChanged("r1");
  refresh.runChanged("r2");
  refresh.runChanged("r1");
  await wait(120);
  assert.deepEqual(reloads, [["shop-warehouse"]]);
  refresh.runChanged("r1");
  await wait(80);
  assert.equal(reloads.length, 1, "an ended run's later notices refresh nothing more");
  await refresh.stop();
});

test("an observer's recorded materialization refreshes; an observation or a duplicate does not", async () => {
  const { refresh, reloads } = harness(new Set());
  let inserted = 1;
  const sink = refresh.wrapSink({ recordAssetEvents: async () => ({ inserted }) });
  await sink.recordAssetEvents([event("observation")]);
  inserted = 0;
  await sink.recordAssetEvents([event("materialization")]);
  await wait(80);
  assert.deepEqual(reloads, []);
  inserted = 1;
  assert.deepEqual(await sink.recordAssetEvents([event("materialization")]), { inserted: 1 });
  await wait(80);
  assert.equal(reloads.length, 1);
  await refresh.stop();
});

test("without warehouse locations nothing is ever refreshed", async () => {
  const { refresh, reloads } = harness(new Set(["r1"]), []);
  refresh.runChanged("r1");
  await refresh.wrapSink({ recordAssetEvents: async () => ({ inserted: 1 }) }).recordAssetEvents([event("materialization")]);
  await wait(80);
  assert.deepEqual(reloads, []);
  await refresh.stop();
});

test("a location a run changed (a dbt project whose build kept new compiled SQL) reloads with the warehouses, once", async () => {
  const changed = ["shop"];
  const { refresh, reloads } = harness(new Set(["r1", "r2"]), ["shop-warehouse"], async () => changed.splice(0));
  refresh.runChanged("r1");
  await wait(80);
  refresh.runChanged("r2");
  await wait(80);
  assert.deepEqual(reloads, [["shop-warehouse", "shop"], ["shop-warehouse"]]);
  await refresh.stop();
});

test("without warehouses, only a changed location reloads, and nothing when none changed", async () => {
  const changed: string[] = [];
  const { refresh, reloads } = harness(new Set(["r1", "r2"]), [], async () => changed.splice(0));
  refresh.runChanged("r1");
  await wait(80);
  changed.push("shop");
  refresh.runChanged("r2");
  await wait(80);
  assert.deepEqual(reloads, [["shop"]]);
  await refresh.stop();
});
