import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { execute, mutableSource, query, shopGraph, testYoga } from "../test-support.ts";
import { decodeCursor, encodeCursor } from "./pagination.ts";

const ALL_KEYS = [
  "census/salesforce_contacts",
  "exposures/dashboard",
  "marts/customers",
  "marts/daily_revenue",
  "marts/orders",
  "raw/shop/customers",
  "raw/shop/orders",
  "raw/stripe/charges",
  "stg_customers",
  "stg_orders",
  "stg_payments",
];

interface AssetsPage {
  assets: {
    totalCount: number;
    nodes: { key: string }[];
    edges: { cursor: string; node: { key: string } }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

const PAGE_QUERY = /* GraphQL */ `
  query Page($first: Int, $after: String, $kinds: [String!], $groups: [String!], $owners: [String!], $tags: [String!],
             $search: String, $locations: [String!], $hasPolicy: Boolean) {
    assets(first: $first, after: $after, kinds: $kinds, groups: $groups, owners: $owners, tags: $tags,
           search: $search, locations: $locations, hasPolicy: $hasPolicy) {
      totalCount
      nodes { key }
      edges { cursor node { key } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

async function keys(variables: Record<string, unknown>): Promise<string[]> {
  const data = await query<AssetsPage>(testYoga(), PAGE_QUERY, variables);
  return data.assets.nodes.map((node) => node.key);
}

describe("Query.assets", () => {
  test("without arguments returns every asset sorted by key, with the total", async () => {
    const data = await query<AssetsPage>(testYoga(), PAGE_QUERY);
    assert.equal(data.assets.totalCount, 11);
    assert.deepEqual(data.assets.nodes.map((n) => n.key), ALL_KEYS);
    assert.equal(data.assets.pageInfo.hasNextPage, false);
    assert.equal(data.assets.pageInfo.endCursor, encodeCursor("stg_payments"));
  });

  test("filters: kinds, groups, owners, tags, locations, hasPolicy and search", async () => {
    assert.deepEqual(await keys({ kinds: ["fivetran"] }), ["raw/shop/customers", "raw/shop/orders", "raw/stripe/charges"]);
    assert.deepEqual(await keys({ groups: ["finance"] }), ["marts/daily_revenue", "marts/orders"]);
    assert.deepEqual(await keys({ owners: ["data@shop.test"] }), ["stg_customers", "stg_payments"]);
    assert.deepEqual(await keys({ tags: ["pii", "daily"] }), ["marts/customers", "marts/daily_revenue"]);
    assert.deepEqual(await keys({ locations: ["census"] }), ["census/salesforce_contacts"]);
    assert.deepEqual(await keys({ hasPolicy: true }), ["marts/customers", "marts/daily_revenue", "marts/orders"]);
    assert.deepEqual(await keys({ search: "PAID order" }), ["marts/orders"]);
    // A blank search is no search.
    assert.equal((await keys({ search: "  " })).length, 11);
    // Filters combine with AND.
    assert.deepEqual(await keys({ tags: ["mart"], groups: ["marketing"] }), ["marts/customers"]);
    assert.deepEqual(await keys({ kinds: ["nonexistent"] }), []);
  });

  test("walking the pages visits every asset once, in order", async () => {
    const yoga = testYoga();
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const data: AssetsPage = await query<AssetsPage>(yoga, PAGE_QUERY, { first: 4, after });
      pages++;
      assert.equal(data.assets.totalCount, 11);
      assert.deepEqual(data.assets.edges.map((e) => e.node.key), data.assets.nodes.map((n) => n.key));
      assert.equal(data.assets.pageInfo.endCursor, data.assets.edges.at(-1)?.cursor);
      seen.push(...data.assets.nodes.map((n) => n.key));
      if (!data.assets.pageInfo.hasNextPage) break;
      after = data.assets.pageInfo.endCursor;
    }
    assert.equal(pages, 3);
    assert.deepEqual(seen, ALL_KEYS);
  });

  test("paging with a filter walks only the matching assets", async () => {
    const yoga = testYoga();
    const first = await query<AssetsPage>(yoga, PAGE_QUERY, { first: 2, tags: ["mart"] });
    assert.equal(first.assets.totalCount, 3);
    assert.deepEqual(first.assets.nodes.map((n) => n.key), ["marts/customers", "marts/daily_revenue"]);
    const second = await query<AssetsPage>(yoga, PAGE_QUERY, { first: 2, tags: ["mart"], after: first.assets.pageInfo.endCursor });
    assert.deepEqual(second.assets.nodes.map((n) => n.key), ["marts/orders"]);
    assert.equal(second.assets.pageInfo.hasNextPage, false);
  });

  test("a cursor whose asset disappeared in a reload continues where that asset would sort", async () => {
    const source = mutableSource(shopGraph());
    const yoga = testYoga(source);
    const first = await query<AssetsPage>(yoga, PAGE_QUERY, { first: 4 });
    assert.equal(first.assets.pageInfo.endCursor, encodeCursor("marts/daily_revenue"));
    source.set(shopGraph(["marts/daily_revenue"]));
    const next = await query<AssetsPage>(yoga, PAGE_QUERY, { first: 3, after: first.assets.pageInfo.endCursor });
    assert.equal(next.assets.totalCount, 10);
    assert.deepEqual(next.assets.nodes.map((n) => n.key), ["marts/orders", "raw/shop/customers", "raw/shop/orders"]);
  });

  test("first defaults to 50 and may be 0; above 500 or negative is BAD_USER_INPUT", async () => {
    const yoga = testYoga();
    const zero = await query<AssetsPage>(yoga, PAGE_QUERY, { first: 0 });
    assert.equal(zero.assets.totalCount, 11);
    assert.deepEqual(zero.assets.nodes, []);
    assert.equal(zero.assets.pageInfo.endCursor, null);
    for (const first of [501, -1]) {
      const { body } = await execute(yoga, PAGE_QUERY, { first });
      assert.equal(body.errors?.[0]?.extensions?.["code"], "BAD_USER_INPUT", `first: ${first}`);
      assert.equal(body.errors?.[0]?.extensions?.["argumentName"], "first");
    }
    const max = await query<AssetsPage>(yoga, PAGE_QUERY, { first: 500 });
    assert.equal(max.assets.nodes.length, 11);
  });

  test("an after that is not a cursor is BAD_USER_INPUT", async () => {
    const yoga = testYoga();
    for (const after of ["nope", "", Buffer.from("stg_orders").toString("base64"), encodeCursor("stg_orders") + "x"]) {
      const { body } = await execute(yoga, PAGE_QUERY, { after });
      assert.equal(body.errors?.[0]?.extensions?.["code"], "BAD_USER_INPUT", `after: ${JSON.stringify(after)}`);
      assert.equal(body.errors?.[0]?.extensions?.["argumentName"], "after");
    }
  });

  test("cursors are opaque base64 of the asset id and round-trip", () => {
    for (const id of ["a/b", "ü/ñ", "with\\/slash", ""]) assert.equal(decodeCursor(encodeCursor(id)), id);
    assert.match(encodeCursor("marts/orders"), /^[A-Za-z0-9_-]+$/);
  });
});

describe("Query.assets orderBy", () => {
  const ORDERED_QUERY = /* GraphQL */ `
    query Ordered($first: Int, $after: String, $orderBy: AssetOrder, $tags: [String!]) {
      assets(first: $first, after: $after, orderBy: $orderBy, tags: $tags) {
        totalCount
        nodes { key }
        edges { cursor node { key } }
        pageInfo { hasNextPage endCursor }
      }
    }
  `;
  const FIELDS = ["KEY", "GROUP", "TOOL", "UPSTREAM_COUNT", "DOWNSTREAM_COUNT", "HAS_POLICY"] as const;

  interface Row {
    key: string;
    group: string | null;
    materializedBy: { tool: string } | null;
    upstream: unknown[];
    downstream: unknown[];
    policy: unknown;
  }

  /** The expected order, computed here from each asset's fields rather than by the graph's code. */
  function expectedOrder(rows: readonly Row[], field: (typeof FIELDS)[number], direction: "ASC" | "DESC"): string[] {
    const value = (row: Row): string | number | null =>
      ({
        KEY: row.key,
        GROUP: row.group,
        TOOL: row.materializedBy?.tool ?? null,
        UPSTREAM_COUNT: row.upstream.length,
        DOWNSTREAM_COUNT: row.downstream.length,
        HAS_POLICY: row.policy === null ? 0 : 1,
      })[field];
    const sign = direction === "ASC" ? 1 : -1;
    const sorted = [...rows].sort((a, b) => {
      const [x, y] = [value(a), value(b)];
      if (x !== y) {
        if (x === null) return 1;
        if (y === null) return -1;
        return (x < y ? -1 : 1) * sign;
      }
      return (a.key < b.key ? -1 : 1) * sign;
    });
    return sorted.map((row) => row.key);
  }

  async function walk(yoga: ReturnType<typeof testYoga>, orderBy: unknown, first: number, extra: Record<string, unknown> = {}): Promise<string[]> {
    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 20; pages++) {
      const data: AssetsPage = await query<AssetsPage>(yoga, ORDERED_QUERY, { first, after, orderBy, ...extra });
      assert.deepEqual(data.assets.edges.map((e) => e.node.key), data.assets.nodes.map((n) => n.key));
      assert.equal(data.assets.pageInfo.endCursor, data.assets.edges.at(-1)?.cursor ?? null);
      seen.push(...data.assets.nodes.map((n) => n.key));
      if (!data.assets.pageInfo.hasNextPage) return seen;
      after = data.assets.pageInfo.endCursor;
    }
    throw new Error("more than 20 pages");
  }

  test("walking all pages in every order visits every asset once, in that order", async () => {
    const yoga = testYoga();
    const { assets } = await query<{ assets: { nodes: Row[] } }>(
      yoga,
      `{ assets(first: 500) { nodes { key group materializedBy { tool } upstream { key } downstream { key } policy { label } } } }`,
    );
    for (const field of FIELDS) {
      for (const direction of ["ASC", "DESC"] as const) {
        const expected = expectedOrder(assets.nodes, field, direction);
        for (const first of [1, 3, 4, 11]) {
          assert.deepEqual(await walk(yoga, { field, direction }, first), expected, `${field} ${direction}, pages of ${first}`);
        }
      }
    }
  });

  test("a few orders spelled out; the default and an explicit KEY ASC are the contract's order and cursors", async () => {
    const yoga = testYoga();
    assert.deepEqual((await walk(yoga, { field: "HAS_POLICY", direction: "DESC" }, 50)).slice(0, 3), ["marts/orders", "marts/daily_revenue", "marts/customers"]);
    const byGroup = await walk(yoga, { field: "GROUP" }, 50);
    assert.deepEqual(byGroup.slice(0, 4), ["stg_customers", "stg_payments", "marts/daily_revenue", "marts/orders"]);
    assert.deepEqual(await walk(yoga, { field: "KEY", direction: "DESC" }, 4), [...ALL_KEYS].reverse());
    for (const orderBy of [undefined, null, { field: "KEY", direction: "ASC" }, {}]) {
      const data = await query<AssetsPage>(yoga, ORDERED_QUERY, { first: 4, orderBy });
      assert.deepEqual(data.assets.nodes.map((n) => n.key), ALL_KEYS.slice(0, 4));
      assert.equal(data.assets.pageInfo.endCursor, encodeCursor("marts/daily_revenue"), JSON.stringify(orderBy));
    }
    // Filters apply within the order.
    assert.deepEqual(await walk(yoga, { field: "DOWNSTREAM_COUNT", direction: "DESC" }, 1, { tags: ["mart"] }), expectedOrderOfMarts());
  });

  function expectedOrderOfMarts(): string[] {
    // marts/orders feeds daily_revenue and customers (2), marts/customers feeds two (2), daily_revenue none.
    return ["marts/orders", "marts/customers", "marts/daily_revenue"];
  }

  test("a cursor is rejected with another order, as BAD_USER_INPUT naming after", async () => {
    const yoga = testYoga();
    const byGroup = await query<AssetsPage>(yoga, ORDERED_QUERY, { first: 2, orderBy: { field: "GROUP", direction: "ASC" } });
    const groupCursor = byGroup.assets.pageInfo.endCursor;
    const byKey = await query<AssetsPage>(yoga, ORDERED_QUERY, { first: 2 });
    const keyCursor = byKey.assets.pageInfo.endCursor;
    const cases: [string | null, unknown][] = [
      [groupCursor, { field: "GROUP", direction: "DESC" }],
      [groupCursor, { field: "TOOL", direction: "ASC" }],
      [groupCursor, null],
      [groupCursor, { field: "KEY", direction: "ASC" }],
      [keyCursor, { field: "GROUP", direction: "ASC" }],
      [keyCursor, { field: "KEY", direction: "DESC" }],
    ];
    for (const [after, orderBy] of cases) {
      const { body } = await execute(yoga, ORDERED_QUERY, { first: 2, after, orderBy });
      assert.equal(body.errors?.[0]?.extensions?.["code"], "BAD_USER_INPUT", JSON.stringify(orderBy));
      assert.equal(body.errors?.[0]?.extensions?.["argumentName"], "after");
      assert.match(body.errors?.[0]?.message ?? "", /belongs to the order/);
    }
    for (const after of ["nope", Buffer.from('order:["GROUP:ASC",1,"x"]').toString("base64url"), (groupCursor ?? "") + "x"]) {
      const { body } = await execute(yoga, ORDERED_QUERY, { after, orderBy: { field: "GROUP", direction: "ASC" } });
      assert.equal(body.errors?.[0]?.extensions?.["code"], "BAD_USER_INPUT", after);
    }
  });

  test("a cursor in an order continues where its asset would sort after a reload removed it", async () => {
    const source = mutableSource(shopGraph());
    const yoga = testYoga(source);
    const orderBy = { field: "GROUP", direction: "ASC" };
    const first = await query<AssetsPage>(yoga, ORDERED_QUERY, { first: 3, orderBy });
    assert.deepEqual(first.assets.nodes.map((n) => n.key), ["stg_customers", "stg_payments", "marts/daily_revenue"]);
    source.set(shopGraph(["marts/daily_revenue"]));
    const next = await query<AssetsPage>(yoga, ORDERED_QUERY, { first: 2, orderBy, after: first.assets.pageInfo.endCursor });
    assert.deepEqual(next.assets.nodes.map((n) => n.key), ["marts/orders", "marts/customers"]);
  });
});

describe("Query.asset", () => {
  const ASSET_QUERY = /* GraphQL */ `
    query Asset($key: String!) {
      asset(key: $key) {
        key id keyPath aliases kinds group owners tags description dbtUniqueId codeVersion
        relation { database schema name fullName }
        upstream { key }
        downstream { key }
        columns { name type description tags checks { name } }
        checks { name assetKey description blocking additionalDeps columnName sourceId metadata }
        policy { source type label cronSchedule cronTimezone condition declaredIn { file line path } }
        materializedBy { tool location runTargetId }
        readBy
        locations
        definedIn { file line path }
        diagnostics { severity code message nodeId at { file line } }
        impact { count countByKind { kind count } assets { key } }
        metadata
      }
    }
  `;

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a response body is read field by field
  async function asset(key: string): Promise<any> {
    return (await query<{ asset: unknown }>(testYoga(), ASSET_QUERY, { key })).asset;
  }

  test("columns with their checks, checks, relation, code version and where it is defined", async () => {
    const stgOrders = await asset("stg_orders");
    assert.equal(stgOrders.key, "stg_orders");
    assert.equal(stgOrders.id, "stg_orders");
    assert.deepEqual(stgOrders.keyPath, ["stg_orders"]);
    assert.deepEqual(stgOrders.relation, { database: "warehouse", schema: "staging", name: "stg_orders", fullName: "warehouse.staging.stg_orders" });
    assert.deepEqual(stgOrders.columns, [
      {
        name: "order_id",
        type: "INTEGER",
        description: "Primary key",
        tags: ["pk"],
        checks: [{ name: "unique_stg_orders_order_id" }, { name: "not_null_stg_orders_order_id" }],
      },
      { name: "amount", type: "DECIMAL(18,2)", description: null, tags: [], checks: [] },
    ]);
    assert.deepEqual(stgOrders.checks[0], {
      name: "unique_stg_orders_order_id",
      assetKey: "stg_orders",
      description: "order_id is unique",
      blocking: true,
      additionalDeps: [],
      columnName: "order_id",
      sourceId: "test.shop.unique_stg_orders_order_id",
      metadata: {},
    });
    assert.equal(stgOrders.checks[1].blocking, false);
    assert.equal(stgOrders.codeVersion, "3f2a9c");
    assert.deepEqual(stgOrders.definedIn, { file: "models/staging/stg_orders.sql", line: 1, path: null });
    assert.deepEqual(stgOrders.materializedBy, { tool: "dbt", location: "shop", runTargetId: "model.shop.stg_orders" });
    assert.deepEqual(stgOrders.upstream, [{ key: "raw/shop/orders" }]);
    assert.deepEqual(stgOrders.downstream, [{ key: "marts/orders" }]);
    assert.equal(stgOrders.policy, null);
  });

  test("policies: named with a readable label, on_cron with schedule and timezone, automation conditions as JSON", async () => {
    const orders = await asset("marts/orders");
    assert.deepEqual(orders.policy, {
      source: "AUTO_MATERIALIZE_POLICY",
      type: "EAGER",
      label: "eager",
      cronSchedule: null,
      cronTimezone: null,
      condition: null,
      declaredIn: { file: "dbt_project.yml", line: 21, path: "models.shop.marts.+meta.dagster" },
    });
    assert.deepEqual(orders.checks[0].additionalDeps, ["marts/customers"]);
    assert.deepEqual(orders.metadata, { materialized: "table" });

    const customers = await asset("marts/customers");
    assert.equal(customers.policy.type, "ON_CRON");
    assert.equal(customers.policy.label, "on_cron 0 6 * * * (Europe/Copenhagen)");
    assert.equal(customers.policy.cronSchedule, "0 6 * * *");
    assert.equal(customers.policy.cronTimezone, "Europe/Copenhagen");

    const revenue = await asset("marts/daily_revenue");
    assert.equal(revenue.policy.source, "AUTOMATION_CONDITION");
    assert.equal(revenue.policy.type, null);
    assert.deepEqual(revenue.policy.condition, { and: ["missing", { not: "in_progress" }] });
    assert.equal(revenue.policy.label, "automation condition and(missing, not(in_progress))");
  });

  test("impact lists everything downstream, counted by kind", async () => {
    const stgOrders = await asset("stg_orders");
    assert.equal(stgOrders.impact.count, 5);
    assert.deepEqual(
      stgOrders.impact.assets.map((a: { key: string }) => a.key).sort(),
      ["census/salesforce_contacts", "exposures/dashboard", "marts/customers", "marts/daily_revenue", "marts/orders"],
    );
    assert.deepEqual(stgOrders.impact.countByKind, [
      { kind: "dbt", count: 4 },
      { kind: "duckdb", count: 3 },
      { kind: "census", count: 1 },
      { kind: "exposure", count: 1 },
      { kind: "salesforce", count: 1 },
    ]);
    const leaf = await asset("census/salesforce_contacts");
    assert.deepEqual(leaf.impact, { count: 0, countByKind: [], assets: [] });
  });

  test("one asset across tools: the Fivetran table and the dbt source over it, reachable by either key", async () => {
    const charges = await asset("shop_raw/payments");
    assert.equal(charges.key, "raw/stripe/charges");
    assert.deepEqual(charges.aliases, ["shop_raw/payments"]);
    assert.deepEqual(charges.locations, ["fivetran", "shop"]);
    assert.equal(charges.materializedBy.tool, "fivetran");
    assert.deepEqual(charges.readBy, ["dbt"]);
    assert.deepEqual(charges.downstream, [{ key: "stg_payments" }]);
  });

  test("diagnostics of the asset", async () => {
    const payments = await asset("stg_payments");
    assert.deepEqual(payments.diagnostics, [
      {
        severity: "ERROR",
        code: "invalid_policy",
        message: "auto_materialize_policy.type must be eager, lazy, on_cron or on_missing",
        nodeId: "model.shop.stg_payments",
        at: { file: "models/staging/schema.yml", line: 14 },
      },
    ]);
  });

  test("an unknown key gives null and ASSET_NOT_FOUND with the key, not a server error", async () => {
    const { status, body } = await execute(testYoga(), ASSET_QUERY, { key: "marts/nope" });
    assert.equal(status, 200);
    assert.deepEqual(body.data, { asset: null });
    assert.equal(body.errors?.length, 1);
    assert.equal(body.errors?.[0]?.extensions?.["code"], "ASSET_NOT_FOUND");
    assert.equal(body.errors?.[0]?.extensions?.["key"], "marts/nope");
    assert.deepEqual(body.errors?.[0]?.path, ["asset"]);
  });

  test("an empty key is BAD_USER_INPUT", async () => {
    const { body } = await execute(testYoga(), ASSET_QUERY, { key: "" });
    assert.equal(body.errors?.[0]?.extensions?.["code"], "BAD_USER_INPUT");
  });
});

describe("Query.facets", () => {
  test("counts per kind, group, owner, tag and location over the matching assets", async () => {
    const data = await query<{ facets: Record<string, { value: string; count: number }[]> }>(
      testYoga(),
      `{ facets { kinds { value count } groups { value count } owners { value count } tags { value count } locations { value count } } }`,
    );
    assert.deepEqual(data.facets["kinds"]?.slice(0, 3), [
      { value: "duckdb", count: 9 },
      // The Fivetran table is also the dbt source over it, so it counts as dbt too.
      { value: "dbt", count: 8 },
      { value: "fivetran", count: 3 },
    ]);
    assert.deepEqual(data.facets["groups"], [
      { value: "core", count: 2 },
      { value: "finance", count: 2 },
      { value: "marketing", count: 1 },
    ]);
    assert.deepEqual(data.facets["tags"], [
      { value: "mart", count: 3 },
      { value: "daily", count: 1 },
      { value: "pii", count: 1 },
    ]);
    assert.deepEqual(data.facets["locations"], [
      { value: "shop", count: 8 },
      { value: "fivetran", count: 3 },
      { value: "census", count: 1 },
    ]);
    const filtered = await query<{ facets: { groups: unknown[] } }>(testYoga(), `{ facets(tags: ["mart"]) { groups { value count } } }`);
    assert.deepEqual(filtered.facets.groups, [
      { value: "finance", count: 2 },
      { value: "marketing", count: 1 },
    ]);
  });
});
