import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { LoadError } from "../model/index.ts";
import { buildCatalogGraph } from "./build.ts";
import { definitions, spec } from "./test-specs.ts";
import { AssetNotFoundError } from "./types.ts";

const warehouse = (schema: string, name: string) => ({ database: "warehouse", schema, name });

/** raw/orders → stg_orders → orders → {revenue, exposures/dashboard}; raw/customers → stg_customers → orders */
function shop() {
  return buildCatalogGraph({
    definitions: [
      definitions("shop", [
        spec("raw/orders", { materializer: null, kinds: ["dbt", "duckdb", "source"], relation: warehouse("raw", "orders") }),
        spec("raw/customers", { materializer: null, relation: warehouse("raw", "customers") }),
        spec("stg_orders", { deps: ["raw/orders"], columns: [{ name: "order_id", type: "int", description: "The order", tags: [] }] }),
        spec("stg_customers", { deps: ["raw/customers"], group: "core", owners: ["data@shop.test"] }),
        spec("orders", { deps: ["stg_orders", "stg_customers"], group: "finance", tags: ["mart"], description: "One row per paid order" }),
        spec("revenue", { deps: ["orders"], group: "finance", tags: ["mart", "daily"] }),
        spec("exposures/dashboard", { deps: ["orders"], materializer: null, kinds: ["dbt", "exposure"] }),
      ]),
    ],
  });
}

describe("lineage", () => {
  const graph = shop();

  test("upstream closure includes the asset itself and every ancestor, with the edges walked", () => {
    const { nodes, edges } = graph.lineage("orders", "UPSTREAM");
    assert.deepEqual(nodes.map((n) => n.id).sort(), ["orders", "raw/customers", "raw/orders", "stg_customers", "stg_orders"]);
    assert.deepEqual(
      edges.map((e) => `${e.from}>${e.to}`).sort(),
      ["raw/customers>stg_customers", "raw/orders>stg_orders", "stg_customers>orders", "stg_orders>orders"],
    );
  });

  test("depth limits the walk", () => {
    assert.deepEqual(graph.lineage("orders", "UPSTREAM", 1).nodes.map((n) => n.id).sort(), ["orders", "stg_customers", "stg_orders"]);
    assert.deepEqual(graph.lineage("orders", "BOTH", 0).nodes.map((n) => n.id), ["orders"]);
  });

  test("BOTH is the union of up and down, not siblings", () => {
    const ids = graph.lineage("stg_orders", "BOTH").nodes.map((n) => n.id).sort();
    assert.deepEqual(ids, ["exposures/dashboard", "orders", "raw/orders", "revenue", "stg_orders"]);
    assert.ok(!ids.includes("stg_customers"));
  });

  test("on a large random graph, nodes and edges come in breadth-first order, upstream walk first, at every depth", () => {
    // A reference walk over the public neighbour lists (sets and new edge objects, as lineage was first written):
    // the order clients see (and the bytes of a GraphQL answer) must not move when the walk gets faster.
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const ids = Array.from({ length: 600 }, (_, i) => `layer_${Math.floor(i / 50)}/asset_${i}`);
    const big = buildCatalogGraph({
      definitions: [
        definitions(
          "random",
          ids.map((id, i) => spec(id, { deps: i < 20 ? [] : [...new Set(Array.from({ length: 1 + Math.floor(random() * 3) }, () => ids[Math.max(0, i - 1 - Math.floor(random() * 80))]!))] })),
        ),
      ],
    });
    const reference = (id: string, direction: "UPSTREAM" | "DOWNSTREAM" | "BOTH", depth: number | null) => {
      const included = new Set([id]);
      const edges: string[] = [];
      const walk = (upstreamWalk: boolean) => {
        const seen = new Set([id]);
        let frontier = [id];
        for (let level = 0; level < (depth ?? Infinity) && frontier.length > 0; level++) {
          const next: string[] = [];
          for (const node of frontier) {
            for (const neighbour of (upstreamWalk ? big.upstream(node) : big.downstream(node)).map((a) => a.id)) {
              edges.push(upstreamWalk ? `${neighbour}>${node}` : `${node}>${neighbour}`);
              if (!seen.has(neighbour)) {
                seen.add(neighbour);
                included.add(neighbour);
                next.push(neighbour);
              }
            }
          }
          frontier = next;
        }
      };
      if (direction !== "DOWNSTREAM") walk(true);
      if (direction !== "UPSTREAM") walk(false);
      return { nodes: [...included], edges };
    };
    let largest = 0;
    for (const id of [ids[599]!, ids[300]!, ids[25]!, ids[3]!]) {
      for (const direction of ["UPSTREAM", "DOWNSTREAM", "BOTH"] as const) {
        for (const depth of [null, 0, 1, 2, 5]) {
          const expected = reference(id, direction, depth);
          for (let again = 0; again < 2; again++) {
            const { nodes, edges } = big.lineage(id, direction, depth);
            assert.deepEqual(nodes.map((n) => n.id), expected.nodes, `${id} ${direction} depth ${depth}`);
            assert.deepEqual(edges.map((e) => `${e.from}>${e.to}`), expected.edges, `${id} ${direction} depth ${depth}`);
          }
          largest = Math.max(largest, expected.nodes.length);
        }
      }
    }
    assert.ok(largest > 300, `the graph has closures big enough to matter (largest ${largest})`);
  });

  test("impact counts downstream assets by kind", () => {
    const impact = graph.impact("raw/orders");
    assert.deepEqual(impact.assets.map((a) => a.id).sort(), ["exposures/dashboard", "orders", "revenue", "stg_orders"]);
    assert.equal(impact.countByKind["exposure"], 1);
    assert.equal(impact.countByKind["dbt"], 4);
  });

  test("an unknown key is a typed not-found", () => {
    assert.throws(() => graph.lineage("nope", "BOTH"), AssetNotFoundError);
  });

  test("readBy names the tools that read an asset", () => {
    assert.deepEqual(graph.get("raw/orders")!.readBy, ["dbt"]);
    assert.deepEqual(graph.get("revenue")!.readBy, []);
  });
});

describe("search and facets", () => {
  const graph = shop();

  test("full text matches keys, descriptions and column names; every word must match", () => {
    assert.deepEqual(graph.search({ search: "order_id" }).map((a) => a.id), ["stg_orders"]);
    assert.deepEqual(graph.search({ search: "paid order" }).map((a) => a.id), ["orders"]);
    assert.deepEqual(graph.search({ search: "paid nothing" }), []);
  });

  test("filters are OR within a list and AND across lists", () => {
    assert.deepEqual(graph.search({ groups: ["finance", "core"] }).map((a) => a.id), ["orders", "revenue", "stg_customers"]);
    assert.deepEqual(graph.search({ groups: ["finance"], tags: ["daily"] }).map((a) => a.id), ["revenue"]);
  });

  test("facets count the assets that match the query", () => {
    const facets = graph.facets({ tags: ["mart"] });
    assert.deepEqual(facets.groups, [{ value: "finance", count: 2 }]);
    assert.deepEqual(facets.tags, [{ value: "mart", count: 2 }, { value: "daily", count: 1 }]);
  });
});

describe("unifying locations", () => {
  test("a source and the table another tool builds are one asset when their relations match, whatever their keys", () => {
    const graph = buildCatalogGraph({
      definitions: [
        definitions("shop", [
          spec("shopify/orders", { materializer: null, relation: { database: "WAREHOUSE", schema: "Shopify", name: "ORDERS" }, description: "dbt's words" }),
          spec("stg_orders", { deps: ["shopify/orders"] }),
        ]),
        definitions(
          "fivetran",
          [
            spec("shopify_raw/orders", {
              kinds: ["fivetran", "duckdb"],
              relation: warehouse("shopify", "orders"),
              materializer: { tool: "fivetran", locationName: "fivetran", runTargetId: "connector_1" },
              dbtUniqueId: null,
            }),
          ],
          "fivetran",
        ),
      ],
    });
    const table = graph.get("shopify_raw/orders")!;
    assert.equal(graph.get("shopify/orders"), table, "the dbt source key is an alias of the same asset");
    assert.equal(table.materializer?.tool, "fivetran");
    assert.deepEqual(table.aliasIds, ["shopify/orders"]);
    assert.deepEqual(table.readBy, ["dbt"]);
    assert.equal(table.description, "dbt's words");
    assert.deepEqual(table.locationNames, ["fivetran", "shop"]);
    assert.deepEqual(graph.lineage("stg_orders", "UPSTREAM").nodes.map((n) => n.id).sort(), ["shopify_raw/orders", "stg_orders"]);
    assert.equal(graph.assets.length, 2);
  });

  test("two locations building one asset is an error diagnostic; the first is kept", () => {
    const graph = buildCatalogGraph({
      definitions: [
        definitions("a", [spec("orders", { materializer: { tool: "dbt", locationName: "a", runTargetId: "model.a.orders" } })]),
        definitions("b", [spec("orders", { materializer: { tool: "dbt", locationName: "b", runTargetId: "model.b.orders" } })]),
      ],
    });
    assert.equal(graph.get("orders")!.materializer?.locationName, "a");
    const diagnostic = graph.diagnostics.find((d) => d.code === "conflicting_materializers");
    assert.ok(diagnostic);
    assert.equal(diagnostic.severity, "error");
    assert.equal(graph.get("orders")!.diagnostics.length, 1);
  });

  test("a dependency nobody defines is a diagnostic, not an edge", () => {
    const graph = buildCatalogGraph({ definitions: [definitions("a", [spec("orders", { deps: ["ghost"] })])] });
    assert.deepEqual(graph.get("orders")!.upstreamIds, []);
    assert.match(graph.diagnostics[0]!.message, /depends on asset "ghost", which no location defines/);
  });

  test("a cycle across locations is a load error naming the assets in it", () => {
    assert.throws(
      () =>
        buildCatalogGraph({
          definitions: [definitions("a", [spec("x", { deps: ["y"] })]), definitions("b", [spec("y", { deps: ["x"] })])],
        }),
      (error: unknown) => error instanceof LoadError && error.code === "dependency_cycle" && /x → y → x|y → x → y/.test(error.message),
    );
  });

  test("a failed location serves its last good definitions and shows its error", () => {
    const graph = buildCatalogGraph({
      definitions: [definitions("a", [spec("orders")])],
      failures: [
        {
          location: { name: "b", kind: "dbt", origin: "test:b" },
          error: { code: "manifest_malformed_json", message: "broken", at: "2026-11-24T00:00:00.000Z" },
          lastGood: definitions("b", [spec("b_model", { materializer: { tool: "dbt", locationName: "b", runTargetId: "x" } })]),
        },
      ],
    });
    assert.ok(graph.get("b_model"));
    const status = graph.locations.find((l) => l.location.name === "b")!;
    assert.equal(status.state, "failed");
    assert.equal(status.error?.code, "manifest_malformed_json");
    assert.equal(status.assetCount, 1);
  });
});
