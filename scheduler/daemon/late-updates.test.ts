/**
 * The daemon's "newly updated" for unpartitioned dependencies on a real store (PGlite and Postgres): an update is
 * newly updated on exactly one tick, though the ticks after it read it again (the look back for late commits),
 * across a crash and a graceful restart; and — on a Postgres server, where event ids come from a sequence — a
 * materialization whose transaction took a lower id and committed after a tick that saw a higher one is newly
 * updated on the next tick, once: eager (the condition and the legacy policy) requests the downstream from it,
 * and not again.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { CatalogGraph } from "../../catalog/graph/index.ts";
import type { AssetEventInput } from "../../catalog/model/index.ts";
import { recordAssetEvents } from "../../catalog/store/events.ts";
import type { SqlClient } from "../../catalog/store/index.ts";
import { openTransaction, testEngines, withDatabase } from "../../catalog/store/test-support.ts";
import { amp, condition } from "../conditions/test-support.ts";
import { graphFrom } from "../runs/test-support.ts";
import { spec } from "../../catalog/graph/test-specs.ts";
import { TestScheduler } from "./test-support.ts";

// a and x unpartitioned; b (AutomationCondition.eager) and c (the legacy eager policy) downstream of a only.
const graph: CatalogGraph = graphFrom(spec("a"), spec("x"), spec("b", { deps: ["a"], policy: condition("eager") }), spec("c", { deps: ["a"], policy: amp("eager") }));
const DOWNSTREAM = ["b", "c"];

let dedupe = 0;
/** A materialization of `asset` that happened at `occurredAt`. */
function materialization(asset: string, occurredAt: string): AssetEventInput {
  dedupe += 1;
  return { assetKey: [asset], kind: "materialization", tool: "dbt", locationName: "shop", runId: null, occurredAt, dedupeKey: `late-updates-test:${dedupe}`, metadata: {} };
}


/** Every asset materialized, a while before the daemon's clock. */
async function materializeAll(client: SqlClient): Promise<void> {
  await recordAssetEvents(client, ["a", "x", "b", "c"].map((asset) => materialization(asset, "2026-03-04T23:00:00Z")));
}

/** Ticks `count` times after `what`, each requesting nothing. */
async function quietTicks(scheduler: TestScheduler, count: number, what: string): Promise<void> {
  for (let i = 0; i < count; i++) assert.deepEqual((await scheduler.tick()).requested, [], `tick ${i + 1} ${what}`);
}

for (const engine of testEngines) {
  describe(`newly updated unpartitioned dependencies on ${engine.name}`, { skip: engine.skip }, () => {
    test("a materialization is newly updated on one tick, not on the next ones that read it again, nor after a crash or a restart", () =>
      withDatabase(engine, async (database) => {
        const store = await database.openStore();
        const scheduler = new TestScheduler(store, graph, "late-updates-test");
        await scheduler.start();
        try {
          await materializeAll(store.client);
          assert.deepEqual((await scheduler.tick()).requested, [], "the first tick: nothing is newly updated");
          await recordAssetEvents(store.client, [materialization("a", "2026-03-05T00:30:00Z")]);
          const requesting = await scheduler.tick();
          assert.deepEqual(requesting.requested, DOWNSTREAM);
          await scheduler.endRuns();
          // The event is recorded within the overlap: these ticks read it again, and the cursor says it was seen.
          await quietTicks(scheduler, 2, "after the request");
          await scheduler.crash();
          await quietTicks(scheduler, 2, "after a crash");
          await scheduler.restart();
          await quietTicks(scheduler, 2, "after a restart");
        } finally {
          await scheduler.stop();
          await store.close();
        }
      }));

    for (const after of ["crash", "restart"] as const) {
      test(
        `a materialization that commits after a tick that saw a higher id is newly updated on the next tick, once (then a ${after})`,
        { skip: engine.name === "pglite" ? "one connection: transactions never interleave on PGlite" : false },
        () =>
          withDatabase(engine, async (database) => {
            const store = await database.openStore();
            const first = await database.openClient();
            const second = await database.openClient();
            const scheduler = new TestScheduler(store, graph, "late-updates-test");
            await scheduler.start();
            try {
              await materializeAll(store.client);
              assert.deepEqual((await scheduler.tick()).requested, []);
              // Two materializations recorded in transactions of their own: a's takes the lower id and commits
              // last, after x's (nothing is downstream of x) and after two ticks that saw x's.
              const late = await openTransaction(first, [materialization("a", "2026-03-05T00:30:00Z")]);
              await recordAssetEvents(second, [materialization("x", "2026-03-05T00:31:00Z")]);
              assert.deepEqual((await scheduler.tick()).requested, [], "x's update: nothing downstream");
              assert.deepEqual((await scheduler.tick()).requested, [], "a quiet tick: b and c settle");
              late.commit();
              await late.committed;
              const requesting = await scheduler.tick();
              assert.deepEqual(requesting.requested, DOWNSTREAM, "a's materialization that committed late is newly updated");
              assert.equal(requesting.runIds.length, 1);
              await scheduler.endRuns();
              await quietTicks(scheduler, 2, "after the request");
              await scheduler[after]();
              await quietTicks(scheduler, 2, `after a ${after}`);
            } finally {
              await scheduler.stop();
              await first.close();
              await second.close();
              await store.close();
            }
          }),
      );
    }
  });
}
