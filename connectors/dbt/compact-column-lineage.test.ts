/**
 * The compact column lineage (./compact-column-lineage.ts): on every shared fixture manifest with compiled SQL,
 * each model's value as the in-load translator writes it encodes and decodes to exactly itself, reads through
 * `dbtNodeState.read` as the plain value and serializes to the same JSON; and the follow-up's cache holds no
 * second copy: a model not parsed again keeps the very value object of the previous definitions, and a model
 * whose upstream relation names another asset key is made anew.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sharedFixture } from "../../scripts/shared-fixtures.ts";
import { columnLineageFollowUp, createColumnLineageCache } from "./column-lineage-follow-up.ts";
import { CompactColumnLineage, decodeColumns, encodeColumns } from "./compact-column-lineage.ts";
import type { ColumnLineageState } from "./compact-column-lineage.ts";
import { readManifestFile } from "./manifest.ts";
import { columnLineageInput } from "./manifest-column-lineage.ts";
import { createDbtManifestProvider } from "./manifest-provider.ts";
import { dbtNodeState } from "./tool-state.ts";
import { translateManifest } from "./translator.ts";

const WITH_SQL = ["jaffle-shop-state-v11-postgres", "fivetran-log-v4-redshift", "nba-monte-carlo-v12-duckdb"];
const JAFFLE = sharedFixture("manifests", "jaffle-shop-state-v11-postgres", "manifest.json");
const KEY = dbtNodeState.key("column_lineage");

describe("the compact column lineage", () => {
  it("round-trips every model's value of the fixtures with compiled SQL exactly, as read and as JSON", async () => {
    for (const dir of WITH_SQL) {
      const file = sharedFixture("manifests", dir, "manifest.json");
      const { specs } = translateManifest(await readManifestFile(file, "fixture"), { locationName: "fixture", projectDir: null });
      let models = 0;
      for (const spec of specs) {
        const plain = spec.metadata[KEY] as ColumnLineageState | undefined;
        if (plain === undefined || plain === null) continue;
        models++;
        assert.deepStrictEqual(decodeColumns(encodeColumns(plain.columns)), plain.columns, `${dir} ${spec.dbtUniqueId}: columns`);
        const compact = CompactColumnLineage.of(plain);
        assert.equal(JSON.stringify(compact), JSON.stringify(plain), `${dir} ${spec.dbtUniqueId}: the same JSON`);
        assert.deepStrictEqual(dbtNodeState.read({ [KEY]: compact }).column_lineage, dbtNodeState.read({ [KEY]: plain }).column_lineage, `${dir} ${spec.dbtUniqueId}: read the same`);
        assert.ok(compact.encoded.length < JSON.stringify(plain).length, `${dir} ${spec.dbtUniqueId}: smaller than its JSON`);
      }
      assert.ok(models > 0, `${dir}: models with lineage`);
    }
  });

  it("gives each reader its own objects", () => {
    const compact = CompactColumnLineage.of({ followed: true, reason: null, columns: [{ column: "id", upstream: [{ key: ["a"], relation: "s.a", column: "id" }], transformation: "copy", followed: true, note: null }] });
    compact.columns[0]!.upstream[0]!.key!.push("changed");
    assert.deepEqual(compact.columns[0]!.upstream[0]!.key, ["a"]);
  });
});

describe("the follow-up's cache", () => {
  const run = (definitions: Parameters<typeof columnLineageFollowUp>[0], input: Parameters<typeof columnLineageFollowUp>[1], cache: Parameters<typeof columnLineageFollowUp>[2]) =>
    columnLineageFollowUp(definitions, input, cache)!.run({ signal: new AbortController().signal });

  it("holds only fingerprints and the values the specs hold, and reuses those very objects", async () => {
    const input = columnLineageInput(await readManifestFile(JAFFLE, "jaffle"));
    const fast = await createDbtManifestProvider({ file: JAFFLE, name: "jaffle", catalogFile: null, freshnessFile: null }).load();
    const cache = createColumnLineageCache();
    const first = await run(fast, input, cache);
    assert.deepEqual(Object.keys(cache).sort(), ["fingerprints", "lastRecomputed", "values"]);
    const served = new Map(first.specs.filter((s) => s.metadata[KEY] !== undefined).map((s) => [s.dbtUniqueId!, s.metadata[KEY]]));
    assert.equal(cache.values.size, 13);
    for (const [id, value] of cache.values) {
      assert.ok(value instanceof CompactColumnLineage);
      assert.equal(served.get(id), value, `${id}: the cache's value is the spec's own object`);
    }
    const again = await run(fast, input, cache);
    assert.equal(cache.lastRecomputed, 0);
    for (const spec of again.specs) if (spec.dbtUniqueId !== null && served.has(spec.dbtUniqueId)) assert.equal(spec.metadata[KEY], served.get(spec.dbtUniqueId), `${spec.dbtUniqueId}: the previous definitions' object`);
  });

  it("makes a value anew when an upstream relation names another asset key", async () => {
    const input = columnLineageInput(await readManifestFile(JAFFLE, "jaffle"));
    const fast = await createDbtManifestProvider({ file: JAFFLE, name: "jaffle", catalogFile: null, freshnessFile: null }).load();
    const cache = createColumnLineageCache();
    const first = await run(fast, input, cache);
    // stg_customers' asset key changes (e.g. a new key prefix in the translator's settings): the models reading it
    // name it by the new key; nothing in the SQL changed.
    const renamed = { ...fast, specs: fast.specs.map((s) => (s.dbtUniqueId === "model.jaffle_shop.stg_customers" ? { ...s, key: ["renamed", ...s.key] } : s)) };
    const cached = await run(renamed, input, cache);
    assert.ok(cache.lastRecomputed > 0 && cache.lastRecomputed < 13, `the models reading stg_customers are made anew (${cache.lastRecomputed})`);
    const cold = await run(renamed, input, createColumnLineageCache());
    assert.equal(JSON.stringify(cached.specs), JSON.stringify(cold.specs), "the cached result is the full computation's");
    assert.notEqual(JSON.stringify(cached.specs), JSON.stringify(first.specs));
    const customers = cached.specs.find((s) => s.dbtUniqueId === "model.jaffle_shop.customers")!;
    assert.ok(JSON.stringify(customers.metadata[KEY]).includes('"renamed"'), "customers names stg_customers by its new key");
  });
});
