/**
 * The selection syntax on hand-built graphs: parsing and its errors, Tributary's key: method, the unified graph
 * (a dbt source joined with a Fivetran table, a Census sync downstream), `@` through a relationships test, and
 * the criteria that match nothing. Real dbt's agreement is server/selection-dbt.test.ts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildCatalogGraph } from "../graph/index.ts";
import { definitions, spec } from "../graph/test-specs.ts";
import type { CheckSpec } from "../model/index.ts";
import { fnmatch, pathGlobMatches } from "./fnmatch.ts";
import { parseCriterion, parseSelection, selectAssets, SelectionSyntaxError } from "./index.ts";

const relation = (schema: string, name: string) => ({ database: "wh", schema, name });

function relationshipsTest(on: string, to: string): CheckSpec {
  return { name: `relationships_${on}_${to}`, assetKey: [on], description: null, blocking: true, additionalDeps: [[to]], columnName: "id", sourceId: `test.shop.rel_${on}`, metadata: {} };
}

const dbtMeta = (resourceType: string, fqn: string[], file: string, extra: Record<string, unknown> = {}) => ({
  "dbt/resource_type": resourceType,
  "dbt/fqn": fqn,
  "dbt/package": "shop",
  "dbt/original_file_path": file,
  ...extra,
});

const graph = buildCatalogGraph({
  definitions: [
    definitions("shop", [
      spec("shopify/order", {
        relation: relation("shopify", "order"),
        materializer: null,
        dbtUniqueId: "source.shop.shopify.order",
        metadata: dbtMeta("source", ["shop", "staging", "shopify", "order"], "models/staging/_sources.yml", { "dbt/source_name": "shopify" }),
      }),
      spec("stg_orders", { deps: ["shopify/order"], tags: ["staging", "daily"], metadata: dbtMeta("model", ["shop", "staging", "stg_orders"], "models/staging/stg_orders.sql", { "dbt/materialized": "view" }) }),
      spec("customers", { tags: ["daily"], metadata: dbtMeta("model", ["shop", "marts", "customers"], "models/marts/customers.sql", { "dbt/materialized": "table" }) }),
      spec("orders", {
        deps: ["stg_orders"],
        tags: ["daily", "mart"],
        checks: [relationshipsTest("orders", "customers")],
        metadata: dbtMeta("model", ["shop", "marts", "orders"], "models/marts/orders.sql", { "dbt/materialized": "table", "dbt/patch_path": "models/marts/_marts.yml" }),
      }),
    ]),
    definitions("fivetran", [spec("shopify/order", { relation: relation("shopify", "order"), kinds: ["fivetran"], dbtUniqueId: null, location: "fivetran", materializer: { tool: "fivetran", locationName: "fivetran", runTargetId: "conn_1" } })], "fivetran"),
    definitions("census", [spec("census/orders_to_crm", { deps: ["orders"], kinds: ["census"], dbtUniqueId: null, location: "census", materializer: { tool: "census", locationName: "census", runTargetId: "sync_1" } })], "census"),
  ],
});

const pick = (select: string, exclude = "") => selectAssets(graph, parseSelection(select, exclude)).assetIds;

describe("selection syntax", () => {
  it("parses criteria as dbt does: operators, depths, methods and the default method", () => {
    assert.deepEqual(
      { ...parseCriterion("2+tag:daily+") },
      { raw: "2+tag:daily+", method: "tag", methodArguments: [], value: "daily", childrensParents: false, parentsDepth: 2, childrenDepth: Number.POSITIVE_INFINITY },
    );
    assert.equal(parseCriterion("@orders").childrensParents, true);
    assert.equal(parseCriterion("models/marts").method, "path");
    assert.equal(parseCriterion("orders.sql").method, "file");
    assert.equal(parseCriterion("shop.marts.*").method, "fqn");
    assert.deepEqual(parseCriterion("config.materialized:table").methodArguments, ["materialized"]);
    assert.equal(parseCriterion("orders+3").childrenDepth, 3);
  });

  it("refuses what dbt refuses, and what Tributary cannot evaluate, naming the criterion", () => {
    const refuses = (text: string, pattern: RegExp) =>
      assert.throws(() => parseSelection(text), (error: unknown) => error instanceof SelectionSyntaxError && pattern.test(error.message) && error.message.includes(text.split(" ")[0]!.split(",")[0]!));
    refuses("@orders+", /"@" prefix and the "\+" suffix/);
    refuses("tagg:daily", /"tagg" is not a selection method/);
    refuses("resource_type:modle", /"modle" is not a dbt resource type/);
    refuses("state:modified", /previous manifest/);
    refuses("config.schema:finance", /config\.materialized only/);
    refuses("tag:", /no search value/);
    refuses("source:a.b.c.d", /source_name/);
    refuses("tag:a,,tag:b", /empty part/);
  });

  it("matches tags, names, paths and configs over dbt's facts", () => {
    assert.deepEqual(pick("tag:daily"), ["customers", "orders", "stg_orders"]);
    assert.deepEqual(pick("tag:dai*,config.materialized:table"), ["customers", "orders"]);
    assert.deepEqual(pick("path:models/marts"), ["customers", "orders"]);
    assert.deepEqual(pick("path:models/marts/_marts.yml"), ["orders"]);
    assert.deepEqual(pick("marts.*"), ["customers", "orders"]);
    assert.deepEqual(pick("source:shopify"), ["shopify/order"]);
    assert.deepEqual(pick("tag:daily", "tag:mart"), ["customers", "stg_orders"]);
  });

  it("walks the unified graph: the Fivetran table behind a source upstream, the Census sync downstream", () => {
    assert.deepEqual(pick("+orders"), ["orders", "shopify/order", "stg_orders"]);
    assert.deepEqual(pick("orders+"), ["census/orders_to_crm", "orders"]);
    assert.deepEqual(pick("stg_orders+1"), ["orders", "stg_orders"]);
  });

  it("selects any asset by key glob with key:, through its alias keys too", () => {
    assert.deepEqual(pick("key:census/*"), ["census/orders_to_crm"]);
    assert.deepEqual(pick("key:**", "resource_type:model"), ["census/orders_to_crm", "shopify/order"]);
    assert.deepEqual(pick("+key:census/*"), ["census/orders_to_crm", "orders", "shopify/order", "stg_orders"]);
  });

  it("@ takes the assets a descendant's test reads, as dbt's graph of tests does", () => {
    // orders' relationships test reads customers: @stg_orders brings customers in.
    assert.deepEqual(pick("@stg_orders"), ["census/orders_to_crm", "customers", "orders", "shopify/order", "stg_orders"]);
  });

  it("reports the criteria that match nothing", () => {
    const result = selectAssets(graph, parseSelection("tag:daily tag:dialy +nope"));
    assert.deepEqual(result.assetIds, ["customers", "orders", "stg_orders"]);
    assert.deepEqual(result.unmatched, ["tag:dialy", "+nope"]);
  });

  it("matches as Python's fnmatch and pathlib glob do", () => {
    assert.ok(fnmatch("a/b.c", "a*c"));
    assert.ok(fnmatch("x1", "x[0-9]"));
    assert.ok(!fnmatch("x1", "x[!0-9]"));
    assert.ok(fnmatch("x[", "x["));
    assert.ok(!fnmatch("Daily", "daily"));
    assert.ok(pathGlobMatches("models/marts/orders.sql", "models/*/orders.sql"));
    assert.ok(!pathGlobMatches("models/marts/core/orders.sql", "models/*/orders.sql"));
    assert.ok(pathGlobMatches("models/marts/core/orders.sql", "models/**/orders.sql"));
    assert.ok(pathGlobMatches("models/marts", "./models/marts/"));
  });
});
