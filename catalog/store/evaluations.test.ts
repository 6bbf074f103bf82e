import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AssetEvaluation } from "../model/evaluation.ts";
import { testEngines, withDatabase } from "./test-support.ts";

function evaluation(tick: number, requested = false): AssetEvaluation {
  return {
    assetId: "marts/orders",
    tick,
    evaluatedAt: new Date(Date.UTC(2026, 2, 2, 6, tick)).toISOString(),
    requested,
    treeHash: "abc",
    tree: { id: "root", name: "AND", label: "eager", value: requested, reason: null, children: [{ id: "c", name: "missing", label: "missing", value: false, reason: "materialized 06:00 UTC", children: [] }] },
  };
}

for (const engine of testEngines) {
  describe(`condition evaluations on ${engine.name}`, { skip: engine.skip }, () => {
    it("stores a tick once per asset and reads them back newest first", () =>
      withDatabase(engine, async (database) => {
        const store = await database.openStore();
        try {
          assert.deepEqual(await store.saveEvaluations([evaluation(1), evaluation(2, true)]), { inserted: 2 });
          assert.deepEqual(await store.saveEvaluations([evaluation(2)]), { inserted: 0 });
          const read = await store.assetEvaluations("marts/orders", { first: 10 });
          assert.deepEqual(read, [evaluation(2, true), evaluation(1)]);
          assert.equal((await store.assetEvaluations("marts/orders", { first: 1 })).length, 1);
          assert.deepEqual(await store.assetEvaluations("other", { first: 1 }), []);
        } finally {
          await store.close();
        }
      }));
  });
}
