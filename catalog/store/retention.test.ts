/**
 * Definitions snapshots do not pile up forever (issue 12 item 14), and a failed load whose error quotes NUL
 * bytes is still recorded (item 11): on both engines.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_KEEP_SNAPSHOTS_PER_LOCATION } from "./index.ts";
import type { CatalogStore } from "./index.ts";
import { sampleDefinitions } from "./sample-definitions.ts";
import { testEngines, withDatabase } from "./test-support.ts";

async function snapshotCount(store: CatalogStore, location: string): Promise<number> {
  const [row] = await store.client.query<{ count: number }>(`SELECT count(*)::int AS count FROM definition_snapshots WHERE location_name = $1`, [location]);
  return row?.count ?? -1;
}

/** `count` successive, different definitions of one location, a minute apart. */
function versions(location: string, count: number) {
  return Array.from({ length: count }, (_, n) =>
    sampleDefinitions({ locationName: location, models: 2 + (n % 3), seed: n + 1, loadedAt: new Date(Date.UTC(2024, 4, 1, 0, n)).toISOString() }),
  );
}

for (const engine of testEngines) {
  describe(`definitions retention on ${engine.name}`, { skip: engine.skip }, () => {
    it("keeps each location's current snapshot and the configured number of older ones, pruning after each save", () =>
      withDatabase(engine, async (database) => {
        const store = await database.openStore({ keepSnapshotsPerLocation: 2 });
        try {
          const shop = versions("shop", 6);
          for (const version of shop) await store.saveDefinitions([version]);
          await store.saveDefinitions([sampleDefinitions({ locationName: "other", models: 2, seed: 9 })]);
          assert.equal(await snapshotCount(store, "shop"), 3);
          assert.equal(await snapshotCount(store, "other"), 1);
          assert.deepEqual((await store.currentDefinitions()).find((d) => d.location.name === "shop"), shop.at(-1));
          // Reloading unchanged content stores nothing and deletes nothing.
          await store.saveDefinitions([shop.at(-1)!]);
          assert.equal(await snapshotCount(store, "shop"), 3);
          const [loads] = await store.client.query<{ count: number }>(`SELECT count(*)::int AS count FROM location_loads WHERE location_name = 'shop'`);
          assert.equal(loads?.count, 7, "every load stays on record");
        } finally {
          await store.close();
        }
      }));

    it(`keeps ${DEFAULT_KEEP_SNAPSHOTS_PER_LOCATION} older snapshots by default, and all of them with null`, () =>
      withDatabase(engine, async (database) => {
        const shop = versions("shop", DEFAULT_KEEP_SNAPSHOTS_PER_LOCATION + 4);
        let store = await database.openStore();
        try {
          for (const version of shop) await store.saveDefinitions([version]);
          assert.equal(await snapshotCount(store, "shop"), DEFAULT_KEEP_SNAPSHOTS_PER_LOCATION + 1);
        } finally {
          await store.close();
        }
        store = await database.openStore({ keepSnapshotsPerLocation: null });
        try {
          const more = versions("kept", 5);
          for (const version of more) await store.saveDefinitions([version]);
          assert.equal(await snapshotCount(store, "kept"), 5);
        } finally {
          await store.close();
        }
      }));

    it("refuses a retention that is not a count", () =>
      withDatabase(engine, async (database) => {
        await assert.rejects(database.openStore({ keepSnapshotsPerLocation: -1 }), /keepSnapshotsPerLocation must be an integer >= 0 or null/);
      }));

    it("records a load failure whose error quotes NUL bytes, escaped as \\u0000", () =>
      withDatabase(engine, async (database) => {
        const store = await database.openStore();
        try {
          const message = 'manifest.json is not valid JSON: Unexpected token \u0000, "\u0000{\u0000"" is not valid JSON';
          await store.recordLoadFailure({
            location: { name: "shop", kind: "dbt", origin: "/data/manifest.json" },
            error: { code: "manifest_malformed_json", message, file: "/data/manifest\u0000.json", nodeId: null, jsonPath: null },
            startedAt: "2024-05-01T00:00:00.000Z",
            durationMs: 5,
          });
          const [load] = await store.latestLoads();
          assert.equal(load?.status, "failed");
          assert.equal(load?.error?.message, message.replaceAll("\u0000", "\\u0000"));
          assert.equal(load?.error?.file, "/data/manifest\\u0000.json");
        } finally {
          await store.close();
        }
      }));
  });
}
