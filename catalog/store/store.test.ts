import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AssetSpec, LocationDefinitions } from "../model/index.ts";
import { CompactColumnLineage, LoadError } from "../model/index.ts";
import { isStoreError } from "./errors.ts";
import { reloaded, sampleDefinitions } from "./sample-definitions.ts";
import type { SqlClient } from "./sql-client.ts";
import { openStoreWithClient, testEngines, withDatabase } from "./test-support.ts";

const shop = sampleDefinitions({ locationName: "shop_dbt", models: 14, seed: 1 });
const fivetran = sampleDefinitions({ locationName: "fivetran_prod", kind: "fivetran", models: 4, seed: 2, loadedAt: "2024-05-01T12:00:05.250Z", loadDurationMs: 310 });

async function count(client: SqlClient, table: "definition_snapshots" | "location_loads"): Promise<number> {
  const [row] = await client.query<{ count: number }>(`SELECT count(*)::int AS count FROM ${table}`);
  return row?.count ?? -1;
}

function byName(definitions: readonly LocationDefinitions[]): Record<string, LocationDefinitions> {
  return Object.fromEntries(definitions.map((d) => [d.location.name, d]));
}

/**
 * A client that throws on the statements `shouldFail` picks while `armed` is true: a failure injected in the
 * middle of a transaction, after earlier statements of the same transaction succeeded.
 */
function failingClient(client: SqlClient, shouldFail: (sql: string, params: readonly unknown[]) => boolean, armed: () => boolean): SqlClient {
  const wrap = (inner: SqlClient): SqlClient => ({
    dialect: inner.dialect,
    schema: inner.schema,
    async query<T extends object = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
      if (armed() && shouldFail(sql, params)) throw new Error("injected failure");
      return inner.query<T>(sql, params);
    },
    exec: (script) => inner.exec(script),
    transaction: (fn) => inner.transaction((tx) => fn(wrap(tx))),
    close: () => inner.close(),
    openSession: () => inner.openSession(),
  });
  return wrap(client);
}

describe("sample definitions", () => {
  it("set every field of AssetSpec on some spec, and leave every nullable one null on another", () => {
    const specs: readonly AssetSpec[] = [...shop.specs, ...fivetran.specs];
    const fields: (keyof AssetSpec)[] = [
      "key", "relation", "kinds", "group", "owners", "tags", "description", "deps", "columns", "checks",
      "policy", "codeVersion", "materializer", "dbtUniqueId", "definedIn", "metadata",
    ];
    const isSet = (value: unknown) => value !== null && !(Array.isArray(value) && value.length === 0);
    for (const field of fields) assert.ok(specs.some((spec) => isSet(spec[field])), `no spec sets ${field}`);
    for (const field of ["relation", "group", "description", "policy", "codeVersion", "materializer", "dbtUniqueId", "definedIn"] as const) {
      assert.ok(specs.some((spec) => spec[field] === null), `no spec leaves ${field} null`);
    }
    assert.ok(specs.some((spec) => spec.policy?.source === "auto_materialize_policy"));
    assert.ok(specs.some((spec) => spec.policy?.source === "automation_condition"));
    assert.ok(specs.some((spec) => spec.deps.some((dep) => dep.kind === "relation")));
    assert.ok(specs.some((spec) => spec.checks.some((check) => check.additionalDeps.length > 0)));
  });
});

for (const engine of testEngines) {
  describe(`catalog store on ${engine.name}`, { skip: engine.skip }, () => {
    it("gives back exactly the definitions it saved", () =>
      withDatabase(engine, async (database) => {
        const store = await database.openStore();
        try {
          assert.equal(store.dialect, engine.name);
          assert.deepEqual(await store.currentDefinitions(), []);
          assert.deepEqual(await store.latestLoads(), []);
          const result = await store.saveDefinitions([shop, fivetran]);
          assert.deepEqual(Object.keys(result.snapshotIds).sort(), ["fivetran_prod", "shop_dbt"]);
          assert.deepEqual(result.unchanged, []);
          // Sorted by location name; every field as saved, including load time and duration.
          assert.deepEqual(await store.currentDefinitions(), [fivetran, shop]);
        } finally {
          await store.close();
        }
      }));

    it("stores column lineage kept encoded as its encoded form, and gives it back as it was", () =>
      withDatabase(engine, async (database) => {
        const store = await database.openStore();
        try {
          const value = { followed: true, reason: null, columns: [{ column: "id", upstream: [{ key: ["raw", "orders"], relation: "raw.orders", column: "order_id" }], transformation: "rename" as const, followed: true, note: null }] };
          // A compact value, and beside it a plain metadata value of the stored entry's shape: read as it is.
          const lookalike = [0, "dbt/column_lineage", true, null, "[]"];
          const specs = shop.specs.map((spec, i) =>
            i === 2 ? { ...spec, metadata: { ...spec.metadata, "dbt/column_lineage": CompactColumnLineage.of(value), "x/after": lookalike, compactColumnLineage: null } } : spec,
          );
          const definitions = { ...shop, specs };
          await store.saveDefinitions([definitions]);
          const [stored] = await store.currentDefinitions();
          assert.equal(JSON.stringify(stored), JSON.stringify(definitions), "the same JSON: keys in their order, the value as its plain form");
          const metadata = stored!.specs[2]!.metadata;
          assert.ok(metadata["dbt/column_lineage"] instanceof CompactColumnLineage, "read back still encoded");
          assert.deepEqual(metadata["x/after"], lookalike);
          assert.equal(metadata["compactColumnLineage"], null);
          const [row] = await store.client.query<{ json_bytes: number }>("SELECT payload_bytes::int AS json_bytes FROM definition_snapshots");
          assert.ok(row!.json_bytes < JSON.stringify(definitions).length, "stored smaller than the plain JSON");
        } finally {
          await store.close();
        }
      }));

    it("records an unchanged reload without storing its definitions again", () =>
      withDatabase(engine, async (database) => {
        const { store, client } = await openStoreWithClient(database);
        try {
          const first = await store.saveDefinitions([shop]);
          const again = await store.saveDefinitions([reloaded(shop, "2024-05-01T13:00:00.000Z", 99)]);
          assert.deepEqual(again.unchanged, ["shop_dbt"]);
          assert.equal(again.snapshotIds["shop_dbt"], first.snapshotIds["shop_dbt"]);
          assert.equal(await count(client, "definition_snapshots"), 1);
          assert.equal(await count(client, "location_loads"), 2);
          // The current definitions report the latest load's time.
          const [current] = await store.currentDefinitions();
          assert.equal(current?.loadedAt, "2024-05-01T13:00:00.000Z");
          assert.equal(current?.loadDurationMs, 99);

          // A change stores a new snapshot; changing back reuses the first one (it is not "unchanged":
          // it differs from what the location served just before).
          const changed = sampleDefinitions({ locationName: "shop_dbt", models: 15, seed: 1, loadedAt: "2024-05-01T14:00:00.000Z" });
          const third = await store.saveDefinitions([changed]);
          assert.notEqual(third.snapshotIds["shop_dbt"], first.snapshotIds["shop_dbt"]);
          assert.deepEqual(third.unchanged, []);
          const back = await store.saveDefinitions([reloaded(shop, "2024-05-01T15:00:00.000Z")]);
          assert.equal(back.snapshotIds["shop_dbt"], first.snapshotIds["shop_dbt"]);
          assert.deepEqual(back.unchanged, []);
          assert.equal(await count(client, "definition_snapshots"), 2);
        } finally {
          await store.close();
        }
      }));

    it("never half-replaces a good catalog: a batch failing midway changes nothing", () =>
      withDatabase(engine, async (database) => {
        let armed = false;
        // The batch is written in location-name order; failing on zz_warehouse's load makes the failure
        // come after fivetran_prod's and shop_dbt's snapshots and loads were written in the same transaction.
        const { store, client } = await openStoreWithClient(database, (inner) =>
          failingClient(inner, (sql, params) => sql.includes("INSERT INTO location_loads") && params[0] === "zz_warehouse", () => armed),
        );
        try {
          const warehouse = sampleDefinitions({ locationName: "zz_warehouse", kind: "warehouse", models: 3, seed: 3 });
          await store.saveDefinitions([shop, fivetran, warehouse]);
          const goodCatalog = await store.currentDefinitions();
          const goodLoads = await store.latestLoads();
          const snapshotsBefore = await count(client, "definition_snapshots");

          armed = true;
          const shop2 = sampleDefinitions({ locationName: "shop_dbt", models: 20, seed: 7, loadedAt: "2024-05-02T00:00:00.000Z" });
          const fivetran2 = sampleDefinitions({ locationName: "fivetran_prod", kind: "fivetran", models: 6, seed: 8, loadedAt: "2024-05-02T00:00:00.000Z" });
          const warehouse2 = sampleDefinitions({ locationName: "zz_warehouse", kind: "warehouse", models: 9, seed: 9, loadedAt: "2024-05-02T00:00:00.000Z" });
          await assert.rejects(store.saveDefinitions([shop2, fivetran2, warehouse2]), /injected failure/);
          armed = false;

          assert.deepEqual(await store.currentDefinitions(), goodCatalog);
          assert.deepEqual(await store.latestLoads(), goodLoads);
          assert.equal(await count(client, "definition_snapshots"), snapshotsBefore, "the new snapshots were rolled back");
        } finally {
          await store.close();
        }
      }));

    it("never half-replaces a good catalog: a database error midway changes nothing", () =>
      withDatabase(engine, async (database) => {
        const { store, client } = await openStoreWithClient(database);
        try {
          await store.saveDefinitions([shop, fivetran]);
          const goodCatalog = await store.currentDefinitions();
          // The database itself refuses the last location of the batch.
          await client.exec(`
            CREATE FUNCTION refuse_broken_location() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF NEW.location_name = 'zz_broken' THEN RAISE EXCEPTION 'refusing location %', NEW.location_name; END IF;
              RETURN NEW;
            END $$;
            CREATE TRIGGER refuse_broken_location BEFORE INSERT ON location_loads
              FOR EACH ROW EXECUTE FUNCTION refuse_broken_location();`);
          const shop2 = sampleDefinitions({ locationName: "shop_dbt", models: 20, seed: 7, loadedAt: "2024-05-02T00:00:00.000Z" });
          const broken = sampleDefinitions({ locationName: "zz_broken", models: 2, seed: 9 });
          await assert.rejects(
            store.saveDefinitions([shop2, broken]),
            (e: unknown) => isStoreError(e, "query_failed") && e.context["sqlState"] === "P0001" && /refusing location zz_broken/.test(e.message),
          );
          assert.deepEqual(await store.currentDefinitions(), goodCatalog);
          assert.deepEqual((await store.latestLoads()).map((load) => load.location.name), ["fivetran_prod", "shop_dbt"]);
        } finally {
          await store.close();
        }
      }));

    it("keeps the last good definitions when a load fails, and shows the failure", () =>
      withDatabase(engine, async (database) => {
        const store = await database.openStore();
        try {
          const saved = await store.saveDefinitions([shop]);
          const error = new LoadError("invalid_manifest", "nodes.model.shop.orders: expected an object", {
            locationName: "shop_dbt",
            file: "target/manifest.json",
            nodeId: "model.shop.orders",
            jsonPath: 'nodes["model.shop.orders"]',
          });
          await store.recordLoadFailure({ location: shop.location, error, startedAt: "2024-05-01T12:30:00.000Z", durationMs: 250 });
          // A location that never loaded fails too.
          await store.recordLoadFailure({
            location: { name: "census_prod", kind: "census", origin: "workspace 42" },
            error: { code: "unreachable", message: "Census API returned 503" },
            startedAt: "2024-05-01T12:31:00.000Z",
            durationMs: 5000,
          });

          assert.deepEqual(await store.currentDefinitions(), [shop]);
          const loads = byLocation(await store.latestLoads());
          assert.deepEqual(Object.keys(loads), ["census_prod", "shop_dbt"]);
          const shopLoad = loads["shop_dbt"];
          assert.equal(shopLoad?.status, "failed");
          assert.equal(shopLoad?.startedAt, "2024-05-01T12:30:00.000Z");
          assert.equal(shopLoad?.finishedAt, "2024-05-01T12:30:00.250Z");
          assert.equal(shopLoad?.durationMs, 250);
          assert.equal(shopLoad?.snapshotId, null);
          assert.deepEqual(shopLoad?.error, {
            code: "invalid_manifest",
            message: "nodes.model.shop.orders: expected an object",
            file: "target/manifest.json",
            nodeId: "model.shop.orders",
            jsonPath: 'nodes["model.shop.orders"]',
          });
          assert.deepEqual(shopLoad?.current, {
            loadId: saved.loadIds["shop_dbt"],
            snapshotId: saved.snapshotIds["shop_dbt"],
            finishedAt: shop.loadedAt,
            assetCount: shop.specs.length,
          });
          const census = loads["census_prod"];
          assert.equal(census?.status, "failed");
          assert.deepEqual(census?.location, { name: "census_prod", kind: "census", origin: "workspace 42" });
          assert.deepEqual(census?.error, { code: "unreachable", message: "Census API returned 503", file: null, nodeId: null, jsonPath: null });
          assert.equal(census?.current, null);

          // The next successful load is both the latest attempt and the current definitions.
          const fixed = reloaded(shop, "2024-05-01T13:00:00.000Z");
          const next = await store.saveDefinitions([fixed]);
          const after = byLocation(await store.latestLoads())["shop_dbt"];
          assert.equal(after?.status, "loaded");
          assert.equal(after?.error, null);
          assert.equal(after?.loadId, next.loadIds["shop_dbt"]);
          assert.equal(after?.current?.loadId, next.loadIds["shop_dbt"]);
          assert.equal(after?.assetCount, shop.specs.length);
          assert.equal(after?.diagnosticCount, shop.diagnostics.length);
          assert.equal(after?.startedAt, new Date(Date.parse(fixed.loadedAt) - fixed.loadDurationMs).toISOString());
        } finally {
          await store.close();
        }
      }));

    it("serves the same definitions after a restart", () =>
      withDatabase(engine, async (database) => {
        const first = await database.openStore();
        await first.saveDefinitions([shop, fivetran]);
        await first.recordLoadFailure({
          location: fivetran.location,
          error: { code: "http_401", message: "Fivetran rejected the API key" },
          startedAt: "2024-05-01T13:00:00.000Z",
          durationMs: 80,
        });
        const loadsBefore = await first.latestLoads();
        await first.close();
        await assert.rejects(first.currentDefinitions(), (e: unknown) => isStoreError(e, "closed"));

        const second = await database.openStore();
        try {
          assert.deepEqual(await second.currentDefinitions(), [fivetran, shop]);
          assert.deepEqual(await second.latestLoads(), loadsBefore);
        } finally {
          await second.close();
        }
      }));

    it("serializes concurrent saves: every batch lands whole, and readers never see two batches mixed", () =>
      withDatabase(engine, async (database) => {
        const { store, client } = await openStoreWithClient(database);
        try {
          const generation = (n: number): LocationDefinitions[] =>
            ["a_dbt", "b_fivetran"].map((name) => ({
              ...sampleDefinitions({ locationName: name, models: 3 + n, seed: 100 + n, loadedAt: `2024-05-0${1 + (n % 9)}T00:00:00.000Z` }),
              location: { name, kind: "dbt", origin: `generation ${n}` },
            }));
          const reads: Promise<LocationDefinitions[]>[] = [];
          const saves = Array.from({ length: 8 }, (_, n) => {
            reads.push(store.currentDefinitions());
            return store.saveDefinitions(generation(n));
          });
          const results = await Promise.all(saves);
          for (const definitions of await Promise.all(reads)) {
            const origins = new Set(definitions.map((d) => d.location.origin));
            assert.ok(origins.size <= 1, `a reader saw two batches mixed: ${[...origins].join(", ")}`);
          }
          // The last batch to commit is the one with the highest load ids, for both of its locations.
          const last = results.reduce((a, b) => ((a.loadIds["a_dbt"] ?? 0) > (b.loadIds["a_dbt"] ?? 0) ? a : b));
          const lastIndex = results.indexOf(last);
          assert.ok(results.every((r) => (r.loadIds["b_fivetran"] ?? 0) <= (last.loadIds["b_fivetran"] ?? 0)));
          const current = byName(await store.currentDefinitions());
          assert.equal(current["a_dbt"]?.location.origin, `generation ${lastIndex}`);
          assert.equal(current["b_fivetran"]?.location.origin, `generation ${lastIndex}`);
          assert.equal(await count(client, "location_loads"), 16);
          assert.equal(await count(client, "definition_snapshots"), 16);
        } finally {
          await store.close();
        }
      }));

    it("refuses input it cannot store, before writing anything", () =>
      withDatabase(engine, async (database) => {
        const { store, client } = await openStoreWithClient(database);
        try {
          await assert.rejects(store.saveDefinitions([shop, reloaded(shop, "2024-06-01T00:00:00.000Z")]), (e: unknown) =>
            isStoreError(e, "invalid_input") && /appears twice/.test(e.message),
          );
          await assert.rejects(store.saveDefinitions([{ ...shop, loadedAt: "yesterday" }]), (e: unknown) => isStoreError(e, "invalid_input"));
          await assert.rejects(store.saveDefinitions([{ ...shop, loadDurationMs: -1 }]), (e: unknown) => isStoreError(e, "invalid_input"));
          const cyclic: Record<string, unknown> = {};
          cyclic["self"] = cyclic;
          const firstSpec = shop.specs[0] ?? assert.fail("sample has specs");
          await assert.rejects(
            store.saveDefinitions([{ ...shop, specs: [{ ...firstSpec, metadata: cyclic }] }]),
            (e: unknown) => isStoreError(e, "invalid_input") && /not JSON-serializable/.test(e.message),
          );
          await assert.rejects(
            store.recordLoadFailure({ location: shop.location, error: { code: "", message: "x" }, startedAt: "2024-05-01T00:00:00Z", durationMs: 1 }),
            (e: unknown) => isStoreError(e, "invalid_input"),
          );
          assert.equal(await count(client, "location_loads"), 0);
          assert.deepEqual(await store.saveDefinitions([]), { snapshotIds: {}, loadIds: {}, unchanged: [] });
        } finally {
          await store.close();
        }
      }));

    it("prunes old snapshots but never a location's current one", () =>
      withDatabase(engine, async (database) => {
        const { store, client } = await openStoreWithClient(database);
        try {
          const versions = [1, 2, 3, 4].map((n) => sampleDefinitions({ locationName: "shop_dbt", models: 2 + n, seed: n, loadedAt: `2024-05-0${n}T00:00:00.000Z` }));
          for (const version of versions) await store.saveDefinitions([version]);
          await store.saveDefinitions([fivetran]);
          await store.recordLoadFailure({ location: shop.location, error: { code: "x", message: "y" }, startedAt: "2024-05-09T00:00:00.000Z", durationMs: 1 });
          assert.equal(await count(client, "definition_snapshots"), 5);

          assert.deepEqual(await store.pruneSnapshots({ keepPerLocation: 1 }), { deletedSnapshots: 2 });
          assert.deepEqual(await store.pruneSnapshots({ keepPerLocation: 0 }), { deletedSnapshots: 1 });
          assert.deepEqual(await store.pruneSnapshots({ keepPerLocation: 0 }), { deletedSnapshots: 0 });
          assert.deepEqual(await store.currentDefinitions(), [fivetran, versions[3]]);
          // The loads of pruned snapshots stay on record.
          assert.equal(await count(client, "location_loads"), 6);
        } finally {
          await store.close();
        }
      }));
  });
}

function byLocation<T extends { location: { name: string } }>(records: readonly T[]): Record<string, T> {
  return Object.fromEntries(records.map((record) => [record.location.name, record]));
}
