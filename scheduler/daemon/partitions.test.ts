/**
 * The daemon's "newly updated" per partition on a real store (PGlite and Postgres): a partition materialization
 * is newly updated on exactly one tick, though the ticks after it read it again (the look back for late
 * commits), and across a crash; and — on a Postgres server, where event ids come from a sequence — one whose
 * transaction took a lower id and committed after a tick that saw a higher one is newly updated on the next
 * tick, once: eager requests the downstream partition from it, and not again.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { CatalogGraph } from "../../catalog/graph/index.ts";
import type { AssetEventInput } from "../../catalog/model/index.ts";
import { recordAssetEvents } from "../../catalog/store/events.ts";
import type { SqlClient } from "../../catalog/store/index.ts";
import { openTransaction, testEngines, withDatabase } from "../../catalog/store/test-support.ts";
import { condition, findNode, partitionsOf } from "../conditions/test-support.ts";
import { graphFrom } from "../runs/test-support.ts";
import { spec } from "../../catalog/graph/test-specs.ts";
import type { TickOutcome } from "./daemon.ts";
import { TestScheduler } from "./test-support.ts";

// At the daemon's clock (2026-03-05 01:00Z and on) the daily partitions are 2026-03-01 … 2026-03-04, the latest.
const DAILY = partitionsOf({ type: "daily", start_date: "2026-03-01" });
const LATEST = "2026-03-04";
const graph: CatalogGraph = graphFrom(spec("a", { partitions: DAILY }), spec("b", { deps: ["a"], partitions: DAILY, policy: condition("eager") }));

let dedupe = 0;
/** A materialization of partition `key` of `asset`, that happened at `occurredAt`. */
function materialization(asset: string, key: string, occurredAt: string): AssetEventInput {
  dedupe += 1;
  return { assetKey: [asset], kind: "materialization", tool: "dbt", locationName: "shop", runId: null, occurredAt, dedupeKey: `test:${dedupe}`, metadata: {}, partitionKey: key };
}

/** b's `any_deps_updated` at its latest stored evaluation, which must be the last tick's. */
async function depsUpdatedAt(scheduler: TestScheduler, tick: TickOutcome): Promise<boolean> {
  const [latest] = await scheduler.store.assetEvaluations(graph.get("b")!.id, { first: 1 });
  assert.equal(latest?.tick, tick.evaluationId, "b's values changed from the tick before: its evaluation is stored");
  const node = findNode(latest.tree, "any_deps_updated");
  assert.ok(node);
  return node.value;
}

/** Both assets materialized for every partition, a while before the daemon's clock. */
async function materializeAll(client: SqlClient): Promise<void> {
  const keys = ["2026-03-01", "2026-03-02", "2026-03-03", LATEST];
  await recordAssetEvents(client, [...keys.map((k) => materialization("a", k, "2026-03-04T23:00:00Z")), ...keys.map((k) => materialization("b", k, "2026-03-04T23:00:00Z"))]);
}

for (const engine of testEngines) {
  describe(`newly updated partitions on ${engine.name}`, { skip: engine.skip }, () => {
    test("a partition materialization is newly updated on one tick, not on the next ones that read it again, nor after a crash", () =>
      withDatabase(engine, async (database) => {
        const store = await database.openStore();
        const scheduler = new TestScheduler(store, graph, "partitions-test");
        await scheduler.start();
        try {
          await materializeAll(store.client);
          assert.deepEqual((await scheduler.tick()).requested, [], "the first tick: nothing is newly updated");
          // In the future of the daemon's clock: counted again, it would trigger eager after the request resets it.
          await recordAssetEvents(store.client, [materialization("a", LATEST, "2026-03-05T12:00:00Z")]);
          const requesting = await scheduler.tick();
          assert.deepEqual(requesting.requested, ["b"]);
          assert.deepEqual(requesting.requestedPartitions.get(graph.get("b")!.id), [LATEST]);
          await scheduler.endRuns();
          // The event is recorded within the overlap: this tick reads it again, and the cursor says it was seen.
          const next = await scheduler.tick();
          assert.deepEqual(next.requested, []);
          assert.equal(await depsUpdatedAt(scheduler, next), false);
          await scheduler.crash();
          const evaluated: number[] = [];
          for (let i = 0; i < 3; i++) {
            const after = await scheduler.tick();
            assert.deepEqual(after.requested, [], `tick ${i + 1} after the crash`);
            evaluated.push(after.evaluated);
          }
          // b settles (the tick after the request still saw newly_requested), then is carried forward.
          assert.deepEqual(evaluated.slice(1), [0, 0]);
        } finally {
          await scheduler.stop();
          await store.close();
        }
      }));

    test(
      "a partition materialization that commits after a tick that saw a higher id is newly updated on the next tick, once",
      { skip: engine.name === "pglite" ? "one connection: transactions never interleave on PGlite" : false },
      () =>
        withDatabase(engine, async (database) => {
          const store = await database.openStore();
          const first = await database.openClient();
          const second = await database.openClient();
          const scheduler = new TestScheduler(store, graph, "partitions-test");
          await scheduler.start();
          try {
            await materializeAll(store.client);
            assert.deepEqual((await scheduler.tick()).requested, []);
            // Two runs of a record their outcomes in their own transactions: the latest partition's takes the lower
            // id and commits last; an older partition's (outside eager's latest time window) commits first. The
            // late one happened before the other, so a's latest materialization stays the other one.
            const late = await openTransaction(first, [materialization("a", LATEST, "2026-03-05T12:00:00Z")]);
            await recordAssetEvents(second, [materialization("a", "2026-03-02", "2026-03-05T13:00:00Z")]);
            assert.deepEqual((await scheduler.tick()).requested, [], "an older partition's update: not in the latest time window");
            assert.deepEqual((await scheduler.tick()).requested, [], "a quiet tick: b settles");
            late.commit();
            await late.committed;
            const requesting = await scheduler.tick();
            assert.deepEqual(requesting.requested, ["b"], "the late partition materialization is newly updated");
            assert.deepEqual(requesting.requestedPartitions.get(graph.get("b")!.id), [LATEST]);
            assert.equal(requesting.runIds.length, 1);
            await scheduler.endRuns();
            const next = await scheduler.tick();
            assert.deepEqual(next.requested, [], "…and on that tick only");
            assert.equal(await depsUpdatedAt(scheduler, next), false);
            await scheduler.crash();
            assert.deepEqual((await scheduler.tick()).requested, [], "nor after a crash");
          } finally {
            await scheduler.stop();
            await first.close();
            await second.close();
            await store.close();
          }
        }),
    );
  });
}
