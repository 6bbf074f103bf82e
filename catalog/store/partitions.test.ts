/**
 * The partition status cache (partitions.ts) on both engines: what a read folds in, what it stores, and — on a
 * Postgres server, where event ids come from a sequence and concurrent transactions commit in any order — an
 * event that commits after a read with a lower id than one that read already saw.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AssetEventInput } from "../model/events.ts";
import type { PartitionsDefinition } from "../model/index.ts";
import { parsePartitionsSpec, partitionCalendar } from "../model/index.ts";
import { recordAssetEvents } from "./events.ts";
import { partitionStatuses } from "./partitions.ts";
import type { SqlClient } from "./sql-client.ts";
import { openTransaction, testEngines, withDatabase } from "./test-support.ts";

const ASSET = "shop/orders_daily";
const definition: PartitionsDefinition = parsePartitionsSpec({ type: "daily", start_date: "2026-01-01" }, { file: "partitions.test" }).definition!;
const calendar = partitionCalendar(definition);

let dedupe = 0;
/** An event of partition `day` (its index) of ASSET. */
function partitionEvent(day: number, kind: "materialization" | "materialization_failure"): AssetEventInput {
  dedupe += 1;
  return {
    assetKey: ASSET.split("/"),
    kind,
    tool: "dbt",
    locationName: "shop",
    runId: null,
    occurredAt: new Date(Date.UTC(2026, 1, 1) + dedupe * 1000).toISOString(),
    dedupeKey: `test:${dedupe}`,
    metadata: {},
    partitionKey: calendar.keyAt(day),
  };
}

const status = async (client: SqlClient) => {
  const found = (await partitionStatuses(client, [{ assetId: ASSET, definition }])).get(ASSET)!;
  return { materialized: found.materialized, failed: found.failed };
};

const storedPosition = async (client: SqlClient): Promise<number | null> => {
  const rows = await client.query<{ last_event_id: string | number }>("SELECT last_event_id FROM asset_partition_status WHERE asset_key = $1", [ASSET]);
  return rows[0] === undefined ? null : Number(rows[0].last_event_id);
};

const maxEventId = async (client: SqlClient): Promise<number> => Number((await client.query<{ max: string | number }>("SELECT max(id) AS max FROM asset_events"))[0]!.max);

for (const engine of testEngines) {
  describe(`partition status on ${engine.name}`, { skip: engine.skip }, () => {
    it("folds each partition's latest outcome in, and keeps the folded state once no earlier event can still commit", () =>
      withDatabase(engine, async (database) => {
        const store = await database.openStore();
        try {
          await recordAssetEvents(store.client, [partitionEvent(0, "materialization"), partitionEvent(1, "materialization_failure"), partitionEvent(2, "materialization")]);
          await recordAssetEvents(store.client, [partitionEvent(1, "materialization"), partitionEvent(2, "materialization_failure")]);
          const expected = { materialized: [[0, 2]], failed: [[2, 2]] };
          assert.deepEqual(await status(store.client), expected);
          if (engine.name === "pglite") {
            // One connection runs one transaction at a time: ids commit in order, so the read stores all it folded.
            assert.equal(await storedPosition(store.client), await maxEventId(store.client));
          } else {
            // Events recorded just now may still have earlier ids committing beside them: the stored position
            // stays behind them and each read folds them again (onto the stored state, so never twice).
            assert.equal(await storedPosition(store.client), 0);
            assert.deepEqual(await status(store.client), expected);
            assert.equal(await storedPosition(store.client), 0);
            // Recorded long enough ago, they are final: the next read stores them and then reads nothing again.
            await store.client.query("UPDATE asset_events SET recorded_at = recorded_at - interval '1 minute'");
            assert.deepEqual(await status(store.client), expected);
            assert.equal(await storedPosition(store.client), await maxEventId(store.client));
          }
          assert.deepEqual(await status(store.client), expected);
          await recordAssetEvents(store.client, [partitionEvent(2, "materialization"), partitionEvent(5, "materialization")]);
          assert.deepEqual(await status(store.client), { materialized: [[0, 2], [5, 5]], failed: [] });
        } finally {
          await store.close();
        }
      }));

    it(
      "shows a partition whose event committed after a read with a lower id than one that read saw, and the latest outcome by id of another",
      { skip: engine.name === "pglite" ? "one connection: transactions never interleave on PGlite" : false },
      () =>
        withDatabase(engine, async (database) => {
          const store = await database.openStore();
          const first = await database.openClient();
          const second = await database.openClient();
          try {
            // Partition 3 materialized, then seen by a read.
            await recordAssetEvents(store.client, [partitionEvent(3, "materialization")]);
            assert.deepEqual(await status(store.client), { materialized: [[3, 3]], failed: [] });
            // Two runs of the asset record their outcomes in their own transactions: partition 4's takes the lower
            // id, partition 3's failure a higher one and commits first.
            const late = await openTransaction(first, [partitionEvent(4, "materialization")]);
            await recordAssetEvents(second, [partitionEvent(3, "materialization_failure")]);
            assert.deepEqual(await status(store.client), { materialized: [[3, 3]], failed: [[3, 3]] });
            late.commit();
            await late.committed;
            // Partition 4 shows; partition 3's failure, later by id than its materialization, still wins.
            assert.deepEqual(await status(store.client), { materialized: [[3, 4]], failed: [[3, 3]] });
            assert.deepEqual(await status(store.client), { materialized: [[3, 4]], failed: [[3, 3]] });
            // Once they are old enough to be final, the stored state holds all of it.
            await store.client.query("UPDATE asset_events SET recorded_at = recorded_at - interval '1 minute'");
            assert.deepEqual(await status(store.client), { materialized: [[3, 4]], failed: [[3, 3]] });
            assert.equal(await storedPosition(store.client), await maxEventId(store.client));
            assert.deepEqual(await status(store.client), { materialized: [[3, 4]], failed: [[3, 3]] });
          } finally {
            await first.close();
            await second.close();
            await store.close();
          }
        }),
    );
  });
}
