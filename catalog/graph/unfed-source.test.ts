import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildCatalogGraph } from "./build.ts";
import { definitions, spec } from "./test-specs.ts";

const source = (key: string, name: string) =>
  spec(key, { materializer: null, loadedExternally: true, kinds: ["dbt", "duckdb", "source"], relation: { database: "warehouse", schema: "shopify", name } });
const dbt = definitions("shop", [source("shopify/order", "order"), source("shopify/customer", "customer"), spec("stg_orders", { deps: ["shopify/order"] })]);

describe("unfed sources", () => {
  it("are not reported in a catalog without an ingestion location", () => {
    const graph = buildCatalogGraph({ definitions: [dbt] });
    assert.deepEqual(graph.diagnostics, []);
  });

  it("are reported once a Fivetran account is loaded, for the sources it does not land", () => {
    // The Fivetran table has another key but the same relation (case-insensitive): it feeds shopify/order.
    const landed = spec("raw_shop/ORDER", {
      location: "fivetran",
      kinds: ["fivetran", "duckdb"],
      relation: { database: "WAREHOUSE", schema: "SHOPIFY", name: "ORDER" },
      materializer: { tool: "fivetran", locationName: "fivetran", runTargetId: "shopify_connector" },
      dbtUniqueId: null,
    });
    const graph = buildCatalogGraph({ definitions: [dbt, definitions("fivetran", [landed], "fivetran")] });
    const unfed = graph.diagnostics.filter((d) => d.code === "unfed_source");
    assert.deepEqual(unfed.map((d) => [d.severity, d.assetKey?.join("/"), d.locationName]), [["warning", "shopify/customer", "shop"]]);
    assert.match(unfed[0]!.message, /warehouse\.shopify\.customer/);
    const order = graph.get("shopify/order")!;
    assert.equal(order.id, "raw_shop/ORDER", "the builder's key leads");
    assert.equal(order.materializer?.tool, "fivetran");
    assert.deepEqual(order.readBy, ["dbt"]);
    assert.deepEqual(graph.get("shopify/customer")!.diagnostics.map((d) => d.code), ["unfed_source"]);
  });
});
