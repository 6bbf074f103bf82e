/**
 * What a warehouse location adds to the graph: its describe-only specs join the assets with the same relation
 * (columns merged and flagged, the warehouse's types and statistics), make no asset, key or alias of their
 * own, and a relation the warehouse does not hold is a `relation_missing` diagnostic.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AssetSpec, Relation } from "../model/index.ts";
import { buildCatalogGraph } from "./build.ts";
import { definitions, spec } from "./test-specs.ts";

const rel = (schema: string, name: string): Relation => ({ database: "warehouse", schema, name });

/** What connectors/warehouse gives for a relation (built here: the catalog may not import a connector). */
function described(relation: Relation, columns: [string, string, boolean | null][], rows: number | null): AssetSpec {
  return spec(`warehouse/wh/${relation.database}/${relation.schema}/${relation.name}`, {
    location: "wh",
    kinds: [],
    relation,
    materializer: null,
    dbtUniqueId: null,
    columns: columns.map(([name, type, nullable]) => ({ name, type, description: null, tags: [], nullable })),
    metadata: { "warehouse/engine": "duckdb", "warehouse/row_count": rows },
    tableStats: { source: "DuckDB warehouse", collectedAt: "2026-12-03T10:00:00.000Z", tableType: "BASE TABLE", owner: null, rowCount: rows, bytes: 262144, lastModified: null, entries: [] },
    describesOnly: true,
  });
}

const col = (name: string, description: string | null = null, type: string | null = null) => ({ name, type, description, tags: [] });

const dbt = definitions("shop", [
  spec("orders", { relation: rel("analytics", "orders"), columns: [col("order_id", "The order", "integer"), col("refunded_amount", "Refunds")] }),
  spec("never_built", { relation: rel("analytics", "never_built") }),
  spec("shopify/customer", { relation: rel("shopify", "customer"), materializer: null, loadedExternally: true, columns: [col("id", "Customer id")] }),
  spec("exposures/dashboard", { relation: null, materializer: null, deps: ["orders"] }),
]);
const fivetran = definitions(
  "fivetran",
  [spec("shopify/order", { location: "fivetran", relation: rel("shopify", "order"), kinds: ["fivetran"], materializer: { tool: "fivetran", locationName: "fivetran", runTargetId: "c1" }, dbtUniqueId: null, columns: [col("id"), col("total_price")] })],
  "fivetran",
);
const warehouse = definitions(
  "wh",
  [
    described(rel("ANALYTICS", "ORDERS"), [["order_id", "BIGINT", false], ["amount", "DECIMAL(18,2)", true]], 130),
    described(rel("shopify", "order"), [["id", "BIGINT", false], ["total_price", "DOUBLE", true]], 42),
    described(rel("analytics", "scratch_table"), [["x", "INTEGER", true]], 1),
  ],
  "warehouse",
);

describe("a warehouse location in the graph", () => {
  const graph = buildCatalogGraph({ definitions: [dbt, fivetran, warehouse] });

  it("makes no asset, key or alias of its own", () => {
    assert.deepEqual(graph.assets.map((a) => a.id), ["exposures/dashboard", "never_built", "orders", "shopify/customer", "shopify/order"]);
    assert.deepEqual(graph.get("orders")!.aliasIds, []);
    assert.equal(graph.get("warehouse/wh/warehouse/analytics/scratch_table"), undefined);
  });

  it("merges columns: the warehouse's types and nullability, documented-but-missing and undocumented flagged", () => {
    assert.deepEqual(graph.get("orders")!.columns, [
      { name: "order_id", type: "BIGINT", description: "The order", tags: [], nullable: false, inWarehouse: true, documented: true },
      { name: "refunded_amount", type: null, description: "Refunds", tags: [], inWarehouse: false, documented: true },
      { name: "amount", type: "DECIMAL(18,2)", description: null, tags: [], nullable: true, inWarehouse: true, documented: false },
    ]);
  });

  it("gives a Fivetran table its column types, and the warehouse's statistics and tool state", () => {
    const order = graph.get("shopify/order")!;
    assert.deepEqual(order.columns.map((c) => [c.name, c.type]), [["id", "BIGINT"], ["total_price", "DOUBLE"]]);
    assert.equal(order.tableStats!.rowCount, 42);
    assert.equal(order.tableStats!.source, "DuckDB warehouse");
    assert.equal(order.metadata["warehouse/row_count"], 42);
    assert.deepEqual(order.kinds, ["fivetran"], "no kind added");
    assert.deepEqual(order.locationNames, ["fivetran"]);
  });

  it("reports a relation in the warehouse's database that it does not hold: a model never built, a source table missing", () => {
    const missing = graph.diagnostics.filter((d) => d.code === "relation_missing");
    assert.deepEqual(missing.map((d) => [d.assetKey!.join("/"), d.locationName, d.severity]), [
      ["never_built", "wh", "warning"],
      ["shopify/customer", "wh", "warning"],
    ]);
    assert.match(missing[0]!.message, /warehouse\.analytics\.never_built is not in warehouse "wh" \(model never built\)/);
    assert.match(missing[1]!.message, /source table missing/);
    assert.deepEqual(graph.get("never_built")!.diagnostics.map((d) => d.code), ["relation_missing"]);
  });

  it("joins by relation only: a describe-only spec whose key equals an asset's key does not merge into it", () => {
    const clash = { ...described(rel("other", "thing"), [["x", "INTEGER", true]], 1), key: ["orders"] };
    const built = buildCatalogGraph({ definitions: [dbt, definitions("wh", [clash], "warehouse")] });
    assert.deepEqual(built.get("orders")!.columns.map((c) => c.inWarehouse), [undefined, undefined]);
    assert.equal(built.get("orders")!.relation!.schema, "analytics");
  });

  it("reports nothing and changes nothing without a warehouse", () => {
    const plain = buildCatalogGraph({ definitions: [dbt, fivetran] });
    assert.deepEqual(plain.diagnostics.filter((d) => d.code === "relation_missing"), []);
    assert.deepEqual(plain.get("orders")!.columns, dbt.specs[0]!.columns);
  });
});

describe("a warehouse's naming rules in the graph", () => {
  const snowflakeRules = { unquoted: "upper", caseSensitive: true, databaseCaseSensitive: true, firstTry: "folded" } as const;
  const bigqueryRules = { unquoted: "as-written", caseSensitive: true, databaseCaseSensitive: false, firstTry: "as-written" } as const;
  const stored = (relation: Relation, rows: number, naming: AssetSpec["relationNaming"]): AssetSpec => ({ ...described(relation, [["id", "NUMBER(38,0)", false]], rows), relationNaming: naming! });

  it("Snowflake: dbt's unquoted analytics.marts.orders is ORDERS, not a quoted \"orders\" beside it", () => {
    const models = definitions("shop", [spec("orders", { relation: { database: "analytics", schema: "marts", name: "orders" } })]);
    const held = definitions("wh", [stored({ database: "ANALYTICS", schema: "MARTS", name: "orders" }, 3, snowflakeRules), stored({ database: "ANALYTICS", schema: "MARTS", name: "ORDERS" }, 120_000, snowflakeRules)], "warehouse");
    const graph = buildCatalogGraph({ definitions: [models, held] });
    assert.equal(graph.get("orders")!.tableStats!.rowCount, 120_000);
    assert.deepEqual(graph.diagnostics.filter((d) => d.code === "relation_missing"), []);
  });

  it("Snowflake: a model whose only stored namesake is the quoted lower-case table still joins it (dbt may have quoted)", () => {
    const models = definitions("shop", [spec("orders", { relation: { database: "analytics", schema: "marts", name: "orders" } })]);
    const held = definitions("wh", [stored({ database: "ANALYTICS", schema: "MARTS", name: "orders" }, 3, snowflakeRules)], "warehouse");
    assert.equal(buildCatalogGraph({ definitions: [models, held] }).get("orders")!.tableStats!.rowCount, 3);
  });

  it("BigQuery: tables are case-sensitive — `orders` is not `Orders`, so the model was never built", () => {
    const models = definitions("shop", [spec("orders", { relation: { database: "acme-data", schema: "marts", name: "orders" } })]);
    const held = definitions("wh", [stored({ database: "acme-data", schema: "marts", name: "Orders" }, 2, bigqueryRules)], "warehouse");
    const graph = buildCatalogGraph({ definitions: [models, held] });
    assert.equal(graph.get("orders")!.tableStats, null);
    assert.deepEqual(graph.diagnostics.filter((d) => d.code === "relation_missing").map((d) => d.assetKey!.join("/")), ["orders"]);
  });

  it("BigQuery: the project compares case-insensitively, the exact table joins", () => {
    const models = definitions("shop", [spec("orders", { relation: { database: "ACME-DATA", schema: "marts", name: "orders" } })]);
    const held = definitions("wh", [stored({ database: "acme-data", schema: "marts", name: "Orders" }, 2, bigqueryRules), stored({ database: "acme-data", schema: "marts", name: "orders" }, 7, bigqueryRules)], "warehouse");
    assert.equal(buildCatalogGraph({ definitions: [models, held] }).get("orders")!.tableStats!.rowCount, 7);
  });
});
