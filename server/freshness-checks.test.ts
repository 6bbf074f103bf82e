/**
 * Freshness targets stored as check results (issue 19, item 3), on a real PGlite store: pass while fresh, fail
 * once overdue, pass again after a materialization; recording the same state twice writes nothing.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { buildCatalogGraph } from "../catalog/graph/build.ts";
import { definitions, spec } from "../catalog/graph/test-specs.ts";
import type { CatalogStore } from "../catalog/store/index.ts";
import { pgliteEngine, type TestDatabase } from "../catalog/store/test-support.ts";
import type { AutomationState } from "../scheduler/conditions/index.ts";
import { createFreshnessRecorder, freshnessCheckResults } from "./freshness-checks.ts";
import { createLogger } from "./logging.ts";

let database: TestDatabase;
let store: CatalogStore;
before(async () => {
  database = await pgliteEngine.createDatabase();
  store = await database.openStore();
});
after(async () => {
  await store.close();
  await database.dispose();
});

const graph = buildCatalogGraph({
  definitions: [
    definitions("shop", [
      spec("raw"),
      spec("mart", { deps: ["raw"], policy: { source: "automation_condition", condition: { on_freshness: { maximum_lag_minutes: 60 } }, declaredIn: { file: "x.yml" } } }),
    ]),
  ],
});
const T0 = Date.UTC(2026, 2, 2, 8);
const minute = (m: number) => T0 + m * 60_000;
const materialized = (storageId: number, at: number): AutomationState => ({
  lastEventId: storageId,
  assets: new Map([["mart", { latestMaterialization: { storageId, timestamp: at, runId: null, runAssetSelection: null } }]]),
});

test("one result per asset with a target: pass while fresh, fail once overdue, with why", () => {
  const [fresh] = freshnessCheckResults(graph, materialized(1, minute(0)), minute(30));
  assert.deepEqual([fresh!.assetKey, fresh!.checkName, fresh!.outcome, fresh!.dedupeKey], [["mart"], "freshness", "pass", "fresh@1"]);
  const [late] = freshnessCheckResults(graph, materialized(1, minute(0)), minute(61));
  assert.deepEqual([late!.outcome, late!.occurredAt, late!.metadata["message"]], ["fail", new Date(minute(60)).toISOString(), "materialized 61 min ago, more than 60 min"]);
  assert.equal(freshnessCheckResults(graph, materialized(1, minute(0)), minute(61)).length, 1, "raw has no target");
});

test("recorded in the store when the state changes, once", async () => {
  let state = materialized(1, minute(0));
  const recorder = createFreshnessRecorder({ store, graph: () => graph, state: async () => state, intervalMs: 1000, logger: createLogger({ level: "silent" }) });
  assert.equal(await recorder.recordOnce(minute(10)), 1);
  assert.equal(await recorder.recordOnce(minute(20)), 0, "still fresh from the same materialization: nothing new");
  assert.equal(await recorder.recordOnce(minute(61)), 1);
  assert.equal(await recorder.recordOnce(minute(70)), 0);
  assert.equal((await store.latestCheckResults("mart")).find((c) => c.checkName === "freshness")?.outcome, "fail", "overdue is the latest result: a check_failure alert sees it");
  state = materialized(2, minute(75));
  assert.equal(await recorder.recordOnce(minute(76)), 1);
  const history = await store.checkHistory("mart", "freshness", 10);
  assert.deepEqual(history.map((c) => c.outcome), ["pass", "fail", "pass"]);
});
