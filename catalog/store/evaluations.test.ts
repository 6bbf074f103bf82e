import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AssetEvaluation, EvaluationNode } from "../model/evaluation.ts";
import { decodeEvaluationTree, encodeEvaluationTree } from "./evaluation-codec.ts";
import type { StoredShape } from "./evaluation-codec.ts";
import { loadMigrations, migrate } from "./migrations.ts";
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

const leaf = (id: string, name: string, value: boolean, reason: string | null, label = name): EvaluationNode => ({ id, name, label, value, reason, children: [] });

/** An eager-like tree over `deps`: dep subtrees whose ids end with @dep and whose names are `dep <dep>`. */
function depsTree(deps: readonly string[], updated: string | null): EvaluationNode {
  return {
    id: "r0",
    name: "AND",
    label: "eager",
    value: updated !== null,
    reason: updated === null ? "SINCE is false" : null,
    children: [
      leaf("w1", "in_latest_time_window", true, "unpartitioned: always in the latest time window"),
      {
        id: "a2",
        name: "ANY_DEPS",
        label: "any_deps_updated",
        value: updated !== null,
        reason: null,
        children: deps.map((dep) => ({
          id: `d3@${dep}`,
          name: `dep ${dep}`,
          label: `dep ${dep}`,
          value: dep === updated,
          reason: null,
          children: [leaf(`n4@${dep}`, "newly_updated", dep === updated, dep === updated ? `${dep} updated 06:04` : "not updated since the previous tick")],
        })),
      },
    ],
  };
}

describe("the compact form of an evaluation tree", () => {
  it("gives back every tree exactly, sharing a shape between assets with the same condition and number of deps", () => {
    const a = encodeEvaluationTree(depsTree(["raw/orders", "stg users"], "raw/orders"))!;
    const b = encodeEvaluationTree(depsTree(["raw/payments", "dim_x"], null))!;
    assert.equal(a.shapeHash, b.shapeHash, "the dependency ids are the rows' values, not the shape's");
    assert.notEqual(encodeEvaluationTree(depsTree(["one"], null))!.shapeHash, a.shapeHash);
    for (const [deps, updated] of [[["raw/orders", "stg users"], "raw/orders"], [["raw/payments", "dim_x"], null], [[], null]] as const) {
      const tree = depsTree(deps, updated);
      const encoded = encodeEvaluationTree(tree)!;
      assert.deepEqual(decodeEvaluationTree(JSON.parse(encoded.shape) as StoredShape, JSON.parse(JSON.stringify(encoded.values))), tree);
    }
    const partitioned: EvaluationNode = { ...leaf("p@x@y", "dep x@y", true, "2 of 3"), partitions: { count: 2, of: 3, keys: "2026-03-01…2026-03-02" } };
    const encoded = encodeEvaluationTree(partitioned)!;
    assert.deepEqual(decodeEvaluationTree(JSON.parse(encoded.shape) as StoredShape, encoded.values), partitioned);
  });

  it("leaves a tree it cannot hold exactly to be stored whole", () => {
    assert.equal(encodeEvaluationTree(leaf("a\u0001", "missing", false, null)), null);
  });
});

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

    it("stores each shape once and each row's values only, and reads back the same trees", () =>
      withDatabase(engine, async (database) => {
        const store = await database.openStore();
        try {
          const at = (assetId: string, tick: number, tree: EvaluationNode): AssetEvaluation => ({ ...evaluation(tick), assetId, tree });
          const saved = [
            at("stg_orders", 1, depsTree(["raw/orders", "raw/users"], null)),
            at("orders", 1, depsTree(["stg_orders", "stg_users"], "stg_orders")),
            at("stg_orders", 2, depsTree(["raw/orders", "raw/users"], "raw/users")),
            at("odd", 1, leaf("x\u0001", "missing", true, null)),
          ];
          assert.deepEqual(await store.saveEvaluations(saved), { inserted: 4 });
          const shapes = await store.client.query<{ n: number | string }>("SELECT count(*) AS n FROM condition_tree_shapes");
          assert.equal(Number(shapes[0]!.n), 1, "one shape for the three compact rows");
          const whole = await store.client.query<{ asset_key: string }>("SELECT asset_key FROM condition_evaluations WHERE tree IS NOT NULL");
          assert.deepEqual(whole.map((row) => row.asset_key), ["odd"], "only the tree the compact form cannot hold is stored whole");
          assert.deepEqual(await store.assetEvaluations("stg_orders", { first: 10 }), [saved[2], saved[0]]);
          assert.deepEqual(await store.assetEvaluations("orders", { first: 10 }), [saved[1]]);
          assert.deepEqual(await store.assetEvaluations("odd", { first: 10 }), [saved[3]]);
        } finally {
          await store.close();
        }
      }));

    it("keeps the partitions a partitioned asset's evaluation requested, in the compact form and whole, across a restart", () =>
      withDatabase(engine, async (database) => {
        const partitionedTree: EvaluationNode = { ...leaf("r0", "missing", true, "2 of 3 never materialized"), partitions: { count: 2, of: 3, keys: "2026-03-01…2026-03-02" } };
        const saved: AssetEvaluation[] = [
          { ...evaluation(1, true), assetId: "daily", tree: partitionedTree, requestedPartitions: ["2026-03-01", "2026-03-02"] },
          { ...evaluation(2), assetId: "daily", tree: { ...partitionedTree, value: false }, requestedPartitions: [] },
          // Stored whole (the compact form cannot hold this id): the requested partitions are kept all the same.
          { ...evaluation(3, true), assetId: "daily", tree: { ...partitionedTree, id: "r\u0001" }, requestedPartitions: ["2026-03-03"] },
          // Unpartitioned: none, and read back without the field.
          evaluation(1, true),
        ];
        const first = await database.openStore();
        try {
          assert.deepEqual(await first.saveEvaluations(saved), { inserted: 4 });
        } finally {
          await first.close();
        }
        const second = await database.openStore();
        try {
          const daily = await second.assetEvaluations("daily", { first: 10 });
          assert.deepEqual(daily, [saved[2], saved[1], saved[0]]);
          assert.deepEqual(await second.assetEvaluations("marts/orders", { first: 10 }), [saved[3]]);
          assert.equal("requestedPartitions" in (await second.assetEvaluations("marts/orders", { first: 1 }))[0]!, false);
        } finally {
          await second.close();
        }
      }));

    it("reads the rows written before migration 0011 (no requested partitions) without them", () =>
      withDatabase(engine, async (database) => {
        const client = await database.openClient();
        const old: AssetEvaluation = { ...evaluation(1, true), assetId: "daily", tree: depsTree(["raw/orders"], "raw/orders") };
        try {
          await migrate(client, loadMigrations().filter((m) => m.number <= 10));
          // The statements the store wrote evaluations with before migration 0011 (the compact form).
          const encoded = encodeEvaluationTree(old.tree)!;
          await client.query("INSERT INTO condition_tree_shapes (shape_hash, shape) VALUES ($1, $2::jsonb)", [encoded.shapeHash, encoded.shape]);
          await client.query(
            `INSERT INTO condition_evaluations (asset_key, tick, evaluated_at, requested, tree_hash, shape_hash, node_values)
             VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)`,
            [old.assetId, old.tick, old.evaluatedAt, old.requested, old.treeHash, encoded.shapeHash, JSON.stringify(encoded.values)],
          );
        } finally {
          await client.close();
        }
        const store = await database.openStore();
        try {
          const next: AssetEvaluation = { ...evaluation(2, true), assetId: "daily", tree: depsTree(["raw/orders"], null), requestedPartitions: ["2026-03-02"] };
          await store.saveEvaluations([next]);
          assert.deepEqual(await store.assetEvaluations("daily", { first: 10 }), [next, old]);
        } finally {
          await store.close();
        }
      }));

    it("reads the rows written before migration 0010 (whole trees) as before, beside compact ones", () =>
      withDatabase(engine, async (database) => {
        const client = await database.openClient();
        const old = { ...evaluation(1), tree: depsTree(["raw/orders"], "raw/orders") };
        try {
          await migrate(client, loadMigrations().filter((m) => m.number <= 9));
          // The statement the store wrote evaluations with before migration 0010.
          await client.query(
            `INSERT INTO condition_evaluations (asset_key, tick, evaluated_at, requested, tree_hash, tree)
             SELECT e.asset_key, e.tick, e.evaluated_at, e.requested, e.tree_hash, e.tree
               FROM jsonb_to_recordset($1::jsonb) AS e(asset_key text, tick bigint, evaluated_at timestamptz, requested boolean, tree_hash text, tree jsonb)`,
            [JSON.stringify([{ asset_key: old.assetId, tick: old.tick, evaluated_at: old.evaluatedAt, requested: old.requested, tree_hash: old.treeHash, tree: old.tree }])],
          );
        } finally {
          await client.close();
        }
        const store = await database.openStore();
        try {
          const next = { ...evaluation(2, true), tree: depsTree(["raw/orders"], null) };
          await store.saveEvaluations([next]);
          assert.deepEqual(await store.assetEvaluations("marts/orders", { first: 10 }), [next, old]);
        } finally {
          await store.close();
        }
      }));
  });
}
