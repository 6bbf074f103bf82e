import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { execute, query, testYoga } from "../test-support.ts";

interface Lineage {
  lineage: { nodes: { key: string }[]; edges: { from: string; to: string }[] };
}

const LINEAGE = /* GraphQL */ `
  query Lineage($key: String!, $direction: LineageDirection, $depth: Int) {
    lineage(key: $key, direction: $direction, depth: $depth) {
      nodes { key }
      edges { from to }
    }
  }
`;

async function lineage(variables: Record<string, unknown>): Promise<{ nodes: string[]; edges: string[] }> {
  const data = await query<Lineage>(testYoga(), LINEAGE, variables);
  return {
    nodes: data.lineage.nodes.map((n) => n.key).sort(),
    edges: data.lineage.edges.map((e) => `${e.from} > ${e.to}`).sort(),
  };
}

describe("Query.lineage", () => {
  test("UPSTREAM returns the whole closure across tools, the asset itself included", async () => {
    assert.deepEqual(await lineage({ key: "marts/orders", direction: "UPSTREAM" }), {
      nodes: ["marts/orders", "raw/shop/orders", "raw/stripe/charges", "stg_orders", "stg_payments"],
      edges: [
        "raw/shop/orders > stg_orders",
        "raw/stripe/charges > stg_payments",
        "stg_orders > marts/orders",
        "stg_payments > marts/orders",
      ],
    });
  });

  test("DOWNSTREAM follows into Census and exposures", async () => {
    assert.deepEqual(await lineage({ key: "stg_customers", direction: "DOWNSTREAM" }), {
      nodes: ["census/salesforce_contacts", "exposures/dashboard", "marts/customers", "stg_customers"],
      edges: [
        "marts/customers > census/salesforce_contacts",
        "marts/customers > exposures/dashboard",
        "stg_customers > marts/customers",
      ],
    });
  });

  test("BOTH is the default and joins the two closures", async () => {
    const both = await lineage({ key: "marts/orders" });
    assert.deepEqual(both.nodes, [
      "census/salesforce_contacts",
      "exposures/dashboard",
      "marts/customers",
      "marts/daily_revenue",
      "marts/orders",
      "raw/shop/orders",
      "raw/stripe/charges",
      "stg_orders",
      "stg_payments",
    ]);
    assert.equal(both.edges.length, 8);
    assert.ok(both.edges.includes("marts/orders > marts/customers"));
    assert.ok(both.edges.includes("stg_payments > marts/orders"));
  });

  test("depth cuts the walk; depth 0 is the asset alone", async () => {
    assert.deepEqual(await lineage({ key: "marts/orders", direction: "UPSTREAM", depth: 1 }), {
      nodes: ["marts/orders", "stg_orders", "stg_payments"],
      edges: ["stg_orders > marts/orders", "stg_payments > marts/orders"],
    });
    assert.deepEqual((await lineage({ key: "stg_orders", direction: "DOWNSTREAM", depth: 2 })).nodes, [
      "marts/customers",
      "marts/daily_revenue",
      "marts/orders",
      "stg_orders",
    ]);
    assert.deepEqual(await lineage({ key: "marts/orders", depth: 0 }), { nodes: ["marts/orders"], edges: [] });
  });

  test("an alias key (the dbt source over a Fivetran table) finds the same lineage", async () => {
    const byAlias = await lineage({ key: "shop_raw/payments", direction: "DOWNSTREAM", depth: 1 });
    assert.deepEqual(byAlias.nodes, ["raw/stripe/charges", "stg_payments"]);
  });

  test("an unknown key is ASSET_NOT_FOUND", async () => {
    const { body } = await execute(testYoga(), LINEAGE, { key: "nowhere/table" });
    assert.equal(body.data, null);
    assert.equal(body.errors?.[0]?.extensions?.["code"], "ASSET_NOT_FOUND");
    assert.equal(body.errors?.[0]?.extensions?.["key"], "nowhere/table");
  });

  test("a negative depth is BAD_USER_INPUT", async () => {
    const { body } = await execute(testYoga(), LINEAGE, { key: "marts/orders", depth: -1 });
    assert.equal(body.errors?.[0]?.extensions?.["code"], "BAD_USER_INPUT");
    assert.equal(body.errors?.[0]?.extensions?.["argumentName"], "depth");
  });

  test("nodes can be asked for their upstream of upstream within the limits", async () => {
    const data = await query<{ lineage: { nodes: { key: string; upstream: { key: string; upstream: { key: string; relation: { fullName: string } | null }[] }[] }[] } }>(
      testYoga(),
      /* GraphQL */ `
        {
          lineage(key: "marts/orders", direction: UPSTREAM) {
            nodes { key relation { fullName } upstream { key upstream { key relation { fullName } } } }
            edges { from to }
          }
        }
      `,
    );
    const orders = data.lineage.nodes.find((n) => n.key === "marts/orders");
    assert.deepEqual(orders?.upstream, [
      { key: "stg_orders", upstream: [{ key: "raw/shop/orders", relation: { fullName: "warehouse.shop.orders" } }] },
      { key: "stg_payments", upstream: [{ key: "raw/stripe/charges", relation: { fullName: "warehouse.stripe.charges" } }] },
    ]);
  });
});
