import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { PolicySpec } from "../model/index.ts";
import { buildCatalogGraph } from "./build.ts";
import { ASSET_ORDER_FIELDS, assetOrderValue, comparePositions, isKeyOrder, KEY_ORDER, orderPosition } from "./order.ts";
import { definitions, spec } from "./test-specs.ts";
import type { AssetOrder, AssetOrderField, CatalogGraph, OrderDirection, OrderPosition } from "./types.ts";

const eager: PolicySpec = { source: "auto_materialize_policy", type: "eager", cronSchedule: null, cronTimezone: null, declaredIn: { file: "models/schema.yml" } };
const materializer = (tool: string, key: string) => ({ tool, locationName: "shop", runTargetId: `${tool}.${key}` });

/**
 *   raw/orders (fivetran, policy) ─┬▶ Zeta/report (dbt, "Finance", policy)
 *                                  └▶ alpha (dbt, "finance") ─┬▶ beta (census, no group, policy)
 *   raw/customers (nothing builds it, "core") ─▶ alpha        └▶ gamma (dbt, "finance")
 *
 * Keys and groups differ in case so that code-unit order ("Z" < "a", "F" < "c") and locale order disagree.
 */
function graph(reversed = false): CatalogGraph {
  const specs = [
    spec("raw/orders", { materializer: materializer("fivetran", "raw_orders"), kinds: ["fivetran"], policy: eager }),
    spec("raw/customers", { materializer: null, kinds: ["dbt", "source"], group: "core" }),
    spec("Zeta/report", { deps: ["raw/orders"], group: "Finance", policy: eager }),
    spec("alpha", { deps: ["raw/orders", "raw/customers"], group: "finance" }),
    spec("beta", { deps: ["alpha"], materializer: materializer("census", "beta"), kinds: ["census"], policy: eager }),
    spec("gamma", { deps: ["alpha"], group: "finance" }),
  ];
  return buildCatalogGraph({ definitions: [definitions("shop", reversed ? specs.reverse() : specs)] });
}

const order = (field: AssetOrderField, direction: OrderDirection = "ASC"): AssetOrder => ({ field, direction });
const ids = (g: CatalogGraph, o: AssetOrder | null | undefined) => g.search({}, o).map((asset) => asset.id);

/** Every order of the graph above, worked out by hand from the picture. */
const EXPECTED: Record<AssetOrderField, Record<OrderDirection, string[]>> = {
  KEY: {
    ASC: ["Zeta/report", "alpha", "beta", "gamma", "raw/customers", "raw/orders"],
    DESC: ["raw/orders", "raw/customers", "gamma", "beta", "alpha", "Zeta/report"],
  },
  GROUP: {
    // "Finance" < "core" < "finance"; ties (alpha, gamma) by key; no group last, by key.
    ASC: ["Zeta/report", "raw/customers", "alpha", "gamma", "beta", "raw/orders"],
    // Still last without a group, their tie broken by key descending.
    DESC: ["gamma", "alpha", "raw/customers", "Zeta/report", "raw/orders", "beta"],
  },
  TOOL: {
    ASC: ["beta", "Zeta/report", "alpha", "gamma", "raw/orders", "raw/customers"],
    DESC: ["raw/orders", "gamma", "alpha", "Zeta/report", "beta", "raw/customers"],
  },
  UPSTREAM_COUNT: {
    ASC: ["raw/customers", "raw/orders", "Zeta/report", "beta", "gamma", "alpha"],
    DESC: ["alpha", "gamma", "beta", "Zeta/report", "raw/orders", "raw/customers"],
  },
  DOWNSTREAM_COUNT: {
    ASC: ["Zeta/report", "beta", "gamma", "raw/customers", "alpha", "raw/orders"],
    DESC: ["raw/orders", "alpha", "raw/customers", "gamma", "beta", "Zeta/report"],
  },
  HAS_POLICY: {
    // Without a policy first in ascending order.
    ASC: ["alpha", "gamma", "raw/customers", "Zeta/report", "beta", "raw/orders"],
    DESC: ["raw/orders", "beta", "Zeta/report", "raw/customers", "gamma", "alpha"],
  },
};

describe("asset orders", () => {
  const g = graph();

  test("the fields are the six of the GraphQL enum, and the default is KEY ascending", () => {
    assert.deepEqual([...ASSET_ORDER_FIELDS].sort(), Object.keys(EXPECTED).sort());
    assert.deepEqual(KEY_ORDER, { field: "KEY", direction: "ASC" });
    assert.equal(isKeyOrder(null), true);
    assert.equal(isKeyOrder(undefined), true);
    assert.equal(isKeyOrder(order("KEY")), true);
    assert.equal(isKeyOrder(order("KEY", "DESC")), false);
    assert.equal(isKeyOrder(order("GROUP")), false);
  });

  test("an asset's value for each field, null when it has no group or nothing builds it", () => {
    const values = (id: string) => Object.fromEntries(ASSET_ORDER_FIELDS.map((field) => [field, assetOrderValue(g.get(id)!, field)]));
    assert.deepEqual(values("alpha"), { KEY: "alpha", GROUP: "finance", TOOL: "dbt", UPSTREAM_COUNT: 2, DOWNSTREAM_COUNT: 2, HAS_POLICY: 0 });
    assert.deepEqual(values("raw/customers"), { KEY: "raw/customers", GROUP: "core", TOOL: null, UPSTREAM_COUNT: 0, DOWNSTREAM_COUNT: 1, HAS_POLICY: 0 });
    assert.deepEqual(values("beta"), { KEY: "beta", GROUP: null, TOOL: "census", UPSTREAM_COUNT: 1, DOWNSTREAM_COUNT: 0, HAS_POLICY: 1 });
    assert.deepEqual(orderPosition(g.get("beta")!, order("GROUP", "DESC")), { value: null, id: "beta" });
    assert.deepEqual(orderPosition(g.get("raw/orders")!, order("TOOL")), { value: "fivetran", id: "raw/orders" });
  });

  for (const field of Object.keys(EXPECTED) as AssetOrderField[]) {
    for (const direction of ["ASC", "DESC"] as const) {
      test(`${field} ${direction} sorts the graph as worked out by hand`, () => {
        assert.deepEqual(ids(g, order(field, direction)), EXPECTED[field][direction]);
      });
    }
  }

  test("KEY ASC, null and undefined are the graph's own id order", () => {
    const byId = g.assets.map((asset) => asset.id);
    assert.deepEqual(byId, EXPECTED.KEY.ASC);
    for (const o of [null, undefined, KEY_ORDER]) assert.deepEqual(ids(g, o), byId);
  });

  test("descending is ascending reversed, except that assets without a value stay last", () => {
    for (const field of ASSET_ORDER_FIELDS) {
      const hasValue = (id: string) => assetOrderValue(g.get(id)!, field) !== null;
      const asc = ids(g, order(field, "ASC"));
      const desc = ids(g, order(field, "DESC"));
      assert.deepEqual(desc.filter(hasValue), asc.filter(hasValue).reverse(), field);
      assert.deepEqual(desc.filter((id) => !hasValue(id)), asc.filter((id) => !hasValue(id)).reverse(), field);
      const firstNull = desc.findIndex((id) => !hasValue(id));
      if (firstNull >= 0) assert.ok(desc.slice(firstNull).every((id) => !hasValue(id)), `${field}: nulls last`);
    }
  });

  test("comparePositions: nulls last in both directions, ties by id in the order's direction, 0 only for the same position", () => {
    const asc = order("GROUP", "ASC");
    const desc = order("GROUP", "DESC");
    const none = (id: string): OrderPosition => ({ value: null, id });
    const at = (value: string | number, id: string): OrderPosition => ({ value, id });
    assert.ok(comparePositions(asc, none("a"), at("z", "z")) > 0);
    assert.ok(comparePositions(desc, none("a"), at("z", "z")) > 0);
    assert.ok(comparePositions(asc, at("z", "z"), none("a")) < 0);
    assert.ok(comparePositions(desc, at("z", "z"), none("a")) < 0);
    assert.ok(comparePositions(asc, none("a"), none("b")) < 0);
    assert.ok(comparePositions(desc, none("a"), none("b")) > 0);
    assert.ok(comparePositions(asc, at("x", "a"), at("x", "b")) < 0);
    assert.ok(comparePositions(desc, at("x", "a"), at("x", "b")) > 0);
    assert.equal(comparePositions(asc, at("x", "a"), at("x", "a")), 0);
    assert.equal(comparePositions(desc, none("a"), none("a")), 0);
    // Code units, not locale: "Z" before "a", "é" after "z"; numbers by value, not as text.
    assert.ok(comparePositions(asc, at("Z", "1"), at("a", "0")) < 0);
    assert.ok(comparePositions(asc, at("é", "0"), at("z", "1")) > 0);
    assert.ok(comparePositions(order("UPSTREAM_COUNT"), at(9, "a"), at(10, "b")) < 0);
  });

  test("every order is total and consistent: antisymmetric, and sorting any permutation gives one result", () => {
    for (const field of ASSET_ORDER_FIELDS) {
      for (const direction of ["ASC", "DESC"] as const) {
        const o = order(field, direction);
        const positions = g.assets.map((asset) => orderPosition(asset, o));
        for (const a of positions) {
          for (const b of positions) {
            const ab = comparePositions(o, a, b);
            assert.equal(Math.sign(ab) + Math.sign(comparePositions(o, b, a)), 0, `${field} ${direction}: ${a.id} ${b.id}`);
            assert.equal(ab === 0, a.id === b.id, `${field} ${direction}: ${a.id} ${b.id}`);
          }
        }
        for (const permutation of [positions, [...positions].reverse(), [3, 0, 5, 1, 4, 2].map((i) => positions[i]!)]) {
          const sorted = [...permutation].sort((a, b) => comparePositions(o, a, b)).map((p) => p.id);
          assert.deepEqual(sorted, EXPECTED[field][direction], `${field} ${direction}`);
        }
      }
    }
  });

  test("a position compares to the others as its place in the order says, also once its asset is gone (a cursor)", () => {
    for (const field of ASSET_ORDER_FIELDS) {
      for (const direction of ["ASC", "DESC"] as const) {
        const o = order(field, direction);
        const sorted = g.search({}, o);
        sorted.forEach((asset, index) => {
          const cursor = orderPosition(asset, o);
          const after = sorted.filter((other) => other.id !== asset.id && comparePositions(o, cursor, orderPosition(other, o)) < 0);
          assert.deepEqual(after.map((a) => a.id), sorted.slice(index + 1).map((a) => a.id), `${field} ${direction} after ${asset.id}`);
        });
      }
    }
  });

  test("stable: the same order on every call, whatever order the specs came in, and filters keep it", () => {
    const other = graph(true);
    for (const field of ASSET_ORDER_FIELDS) {
      for (const direction of ["ASC", "DESC"] as const) {
        const o = order(field, direction);
        const first = ids(g, o);
        assert.deepEqual(ids(g, o), first);
        assert.deepEqual(ids(g, { ...o }), first, "an equal order object, not the same one");
        assert.deepEqual(ids(other, o), first, "specs in reverse");
        const finance = g.search({ groups: ["finance"] }, o).map((a) => a.id);
        assert.deepEqual(finance, first.filter((id) => id === "alpha" || id === "gamma"), `${field} ${direction} filtered`);
      }
    }
  });
});
