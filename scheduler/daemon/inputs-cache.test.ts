/**
 * The tick's inputs cache (tick-state.ts InputsCache) on a Postgres server whose clock and this host's disagree:
 * the look back for events that commit late is reckoned by the database's clock (the one that writes
 * `recorded_at`), so a host clock an hour ahead still finds an event that took a lower id and committed after a
 * read that saw a higher one.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { AssetEventInput } from "../../catalog/model/index.ts";
import { recordAssetEvents } from "../../catalog/store/events.ts";
import { openTransaction, postgresEngine, withDatabase } from "../../catalog/store/test-support.ts";
import { InputsCache } from "./tick-state.ts";

let dedupe = 0;
function materialization(asset: string): AssetEventInput {
  dedupe += 1;
  return { assetKey: [asset], kind: "materialization", tool: "dbt", locationName: "shop", runId: null, occurredAt: new Date(Date.UTC(2026, 2, 5, 1, dedupe)).toISOString(), dedupeKey: `test:${dedupe}`, metadata: {} };
}

describe("the inputs cache on a Postgres server", { skip: postgresEngine.skip }, () => {
  test("finds an event that committed late by the database's clock, with this host's an hour ahead", (t) =>
    withDatabase(postgresEngine, async (database) => {
      const store = await database.openStore();
      const first = await database.openClient();
      const second = await database.openClient();
      const cache = new InputsCache();
      // Only the cache's reads see the skewed clock (frozen an hour ahead): the drivers and the server keep theirs.
      const read = async () => {
        t.mock.timers.enable({ apis: ["Date"], now: Date.now() + 3_600_000 });
        try {
          return await store.client.transaction((tx) => cache.read(tx));
        } finally {
          t.mock.timers.reset();
        }
      };
      const materialized = async () => new Set((await read()).materializations.map((e) => e.assetId));
      try {
        assert.deepEqual(await materialized(), new Set());
        const late = await openTransaction(first, [materialization("late")]);
        await recordAssetEvents(second, [materialization("early")]);
        assert.deepEqual(await materialized(), new Set(["early"]));
        late.commit();
        await late.committed;
        assert.deepEqual(await materialized(), new Set(["early", "late"]), "the lower id that committed after the read is read");
      } finally {
        await first.close();
        await second.close();
        await store.close();
      }
    }));
});
