/** CatalogService.reloadLocations: only the named locations load again; the others' latest results stay as they were. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { AssetSpec, DefinitionsProvider, LocationDefinitions } from "./model/index.ts";
import { LoadError } from "./model/index.ts";
import { definitions, spec } from "./graph/test-specs.ts";
import { createCatalogService } from "./service.ts";

function counted(name: string, kind: "dbt" | "warehouse", specs: () => AssetSpec[] | LoadError) {
  let loads = 0;
  const provider: DefinitionsProvider = {
    location: { name, kind, origin: `test:${name}` },
    async load(): Promise<LocationDefinitions> {
      loads++;
      const next = specs();
      if (next instanceof LoadError) throw next;
      return definitions(name, next, kind);
    },
  };
  return { provider, loads: () => loads };
}

const described = (rows: number): AssetSpec =>
  spec("warehouse/w/orders", {
    location: "w",
    relation: { database: "db", schema: "s", name: "orders" },
    materializer: null,
    dbtUniqueId: null,
    columns: [{ name: "id", type: "BIGINT", description: null, tags: [] }],
    tableStats: { source: "test", collectedAt: null, tableType: "BASE TABLE", owner: null, rowCount: rows, bytes: null, lastModified: null, entries: [] },
    describesOnly: true,
  });

test("reloadLocations loads only the named locations and rebuilds the graph with the others as they were", async () => {
  let rows = 1;
  let bFails = false;
  const a = counted("a", "dbt", () => [spec("orders", { relation: { database: "db", schema: "s", name: "orders" } })]);
  const b = counted("b", "dbt", () => (bFails ? new LoadError("broken", "b broke") : [spec("customers")]));
  const w = counted("w", "warehouse", () => [described(rows)]);
  const catalog = createCatalogService({ providers: [a.provider, b.provider, w.provider] });

  // Before any full load it is one.
  assert.ok((await catalog.reloadLocations(["w"])).ok);
  assert.deepEqual([a.loads(), b.loads(), w.loads()], [1, 1, 1]);
  assert.equal(catalog.current().get("orders")!.tableStats!.rowCount, 1);

  bFails = true;
  await catalog.reload();
  assert.equal(catalog.current().locations.find((l) => l.location.name === "b")!.state, "failed");

  rows = 2;
  const outcome = await catalog.reloadLocations(["w"]);
  assert.ok(outcome.ok);
  assert.deepEqual(outcome.errors, [], "b's failure is not reported again: b was not loaded");
  assert.deepEqual([a.loads(), b.loads(), w.loads()], [2, 2, 3]);
  const graph = catalog.current();
  assert.equal(graph.get("orders")!.tableStats!.rowCount, 2);
  assert.deepEqual(graph.assets.map((x) => x.id), ["customers", "orders"], "b's last good assets are still served");
  assert.deepEqual(graph.locations.map((l) => `${l.location.name}:${l.state}`).sort(), ["a:loaded", "b:failed", "w:loaded"]);
});
