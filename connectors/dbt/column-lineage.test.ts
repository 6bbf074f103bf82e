/**
 * Column lineage from compiled SQL: the analysis on small queries (CTEs, joins, renames, `select *`, unions,
 * what it does not follow); demo-project compiled by real dbt with hand-verified expectations; and every
 * manifest in ../shared/fixtures/manifests that carries compiled SQL, with the share of columns resolved.
 */
import assert from "node:assert/strict";
import { readdirSync, existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { sharedFixture } from "../../scripts/shared-fixtures.ts";
import { columnLineageOfSql } from "./column-lineage.ts";
import type { LineageRelation } from "./column-lineage.ts";
import { readManifestFile } from "./manifest.ts";
import { manifestColumnLineage } from "./manifest-column-lineage.ts";
import type { ManifestColumnLineage } from "./manifest-column-lineage.ts";
import { compileDemoProject } from "./test-support.ts";

const KNOWN: Record<string, string[]> = {
  "db.raw.orders": ["id", "customer_id", "amount", "status"],
  "db.raw.customers": ["id", "name", "email"],
  "db.raw.legacy_orders": ["order_id", "customer", "total"],
};
const columnsOf = (relation: LineageRelation) => {
  const columns = KNOWN[[relation.database, relation.schema, relation.name].join(".")];
  return columns ? { columns, complete: true } : null;
};
const lineage = (sql: string) => columnLineageOfSql({ sql, adapter: "duckdb", columnsOf });
const summary = (sql: string) =>
  Object.fromEntries(lineage(sql).columns.map((c) => [c.column, `${c.transformation ?? "not followed"} <- ${c.upstream.map((u) => `${u.relation.name}.${u.column}`).join(", ")}`]));

describe("column lineage of a query", () => {
  it("follows copies, renames and transformations through CTEs, aliases and joins", () => {
    assert.deepEqual(
      summary(`with o as (select id as order_id, customer_id, amount * 100 as cents from db.raw.orders),
        c as (select * from db.raw.customers)
        select o.order_id, c.name as customer_name, o.cents, upper(c.email) || o.order_id as tag
        from o join c on c.id = o.customer_id`),
      {
        order_id: "rename <- orders.id",
        customer_name: "rename <- customers.name",
        cents: "transformation <- orders.amount",
        tag: "transformation <- customers.email, orders.id",
      },
    );
  });

  it("expands select * and t.* from the known columns, and follows a union position by position", () => {
    assert.deepEqual(summary(`select o.* from db.raw.orders as o`), {
      id: "copy <- orders.id",
      customer_id: "copy <- orders.customer_id",
      amount: "copy <- orders.amount",
      status: "copy <- orders.status",
    });
    assert.deepEqual(summary(`select id, amount from db.raw.orders union all select order_id, total from db.raw.legacy_orders`), {
      id: "rename <- orders.id, legacy_orders.order_id",
      amount: "rename <- orders.amount, legacy_orders.total",
    });
  });

  it("follows a subquery in FROM and a scalar subquery", () => {
    assert.deepEqual(summary(`select s.n, (select max(amount) from db.raw.orders) as top from (select count(*) as n, status from db.raw.orders group by 2) s`), {
      n: "transformation <- ",
      top: "transformation <- orders.amount",
    });
  });

  it("says so where it cannot follow, instead of guessing", () => {
    const unknown = lineage(`select * from db.raw.unknown_table`);
    assert.equal(unknown.followed, false);
    assert.match(unknown.reason!, /select \* from db\.raw\.unknown_table, whose columns are not all known/);
    const unparsable = lineage(`select any_value(a) filter (where b = 1) as x from db.raw.orders`);
    assert.equal(unparsable.followed, false);
    assert.match(unparsable.reason!, /grammar cannot parse it/);
    const ambiguous = lineage(`select id from db.raw.orders o join db.raw.customers c on c.id = o.customer_id`);
    assert.equal(ambiguous.columns[0]!.followed, false);
    assert.match(ambiguous.columns[0]!.note!, /id could come from o or c/);
  });
});

describe("column lineage of demo-project, compiled by real dbt (hand-verified)", () => {
  let scratch: string;
  let result: ManifestColumnLineage;

  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), "tributary-column-lineage-"));
    result = manifestColumnLineage(await readManifestFile(await compileDemoProject(scratch)));
  });
  after(async () => {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  /** "transformation <- node.column, …" for one output column of a model. */
  const of = (model: string, column: string): string => {
    const lineage = result.models.get(`model.shop.${model}`);
    assert.ok(lineage, `${model} has compiled SQL`);
    const found = lineage.columns.find((c) => c.column === column);
    assert.ok(found, `${model}.${column}: ${lineage.reason ?? lineage.columns.map((c) => c.column).join(", ")}`);
    return `${found.transformation ?? "not followed"} <- ${found.upstream.map((u) => `${u.nodeId}.${u.column}`).join(", ")}`;
  };

  it("follows renames, copies and transformations from the Fivetran tables through the staging CTEs", () => {
    // stg_shopify__orders: `with source as (select * from shopify.order), renamed as (select id as order_id, …) select * from renamed`
    assert.equal(of("stg_shopify__orders", "order_id"), "rename <- source.shop.shopify.order.id");
    assert.equal(of("stg_shopify__orders", "order_number"), "copy <- source.shop.shopify.order.order_number");
    assert.equal(of("stg_shopify__orders", "email"), "transformation <- source.shop.shopify.order.email");
    assert.equal(of("stg_shopify__orders", "utm_campaign"), "transformation <- source.shop.shopify.order.landing_site");
    assert.equal(of("stg_stripe__charges", "charge_id"), "rename <- source.shop.stripe.charge.id");
  });

  it("expands select * of an upstream model from its resolved columns, and follows joins", () => {
    // int_orders_attributed: `with orders as (select * from stg_shopify__orders), channel_mapping as (select * from the seed) … left join`
    assert.equal(of("int_orders_attributed", "order_id"), "copy <- model.shop.stg_shopify__orders.order_id");
    assert.equal(
      of("int_orders_attributed", "channel"),
      "transformation <- seed.shop.channel_mapping.channel, model.shop.stg_shopify__orders.utm_source, model.shop.stg_shopify__orders.referring_site",
    );
    assert.equal(of("int_orders_attributed", "is_paid_channel"), "transformation <- seed.shop.channel_mapping.is_paid");
    assert.equal(of("dim_countries", "country_code"), "rename <- seed.shop.country_codes.iso_code");
    // marketing_roi: a full outer join of two CTEs, coalesced.
    assert.equal(of("marketing_roi", "date_day"), "transformation <- model.shop.int_campaign_spend_daily.date_day, model.shop.orders.order_date");
    assert.equal(of("marketing_roi", "campaign_name"), "transformation <- model.shop.int_campaign_spend_daily.campaign_name, model.shop.stg_google_ads__campaigns.campaign_name");
    assert.equal(of("daily_revenue", "gross_sales"), "transformation <- model.shop.orders.subtotal, model.shop.orders.discounts");
  });

  it("says what it does not follow: a table function's column, and SQL the parser refuses", () => {
    const dateDay = result.models.get("model.shop.daily_revenue")!.columns.find((c) => c.column === "date_day")!;
    assert.equal(dateDay.followed, false);
    assert.match(dateDay.note!, /range resolves to no known column/);
    // `any_value(…) filter (where …)` (DuckDB) is beyond node-sql-parser's grammars.
    const orders = result.models.get("model.shop.orders")!;
    assert.equal(orders.followed, false);
    assert.match(orders.reason!, /grammar cannot parse it/);
    // 21 models (the three partitioned ones of models/partitioned included); only orders and int_payments_by_order are not followed.
    assert.deepEqual(result.stats.modelsWithSql, 21);
    assert.deepEqual([...result.models.entries()].filter(([, m]) => !m.followed).map(([id]) => id).sort(), ["model.shop.int_payments_by_order", "model.shop.orders"]);
    assert.equal(result.stats.modelsFollowed, 19);
  });
});

describe("column lineage over every shared fixture manifest with compiled SQL", () => {
  const root = sharedFixture("manifests");
  const withSql = readdirSync(root).filter((dir) => existsSync(join(root, dir, "manifest.json")));

  it("runs without a crash and reports the share resolved", async (t) => {
    let columns = 0;
    let resolved = 0;
    let seen = 0;
    for (const dir of withSql) {
      const { stats } = manifestColumnLineage(await readManifestFile(sharedFixture("manifests", dir, "manifest.json")));
      if (stats.modelsWithSql === 0) continue;
      seen++;
      columns += stats.columns;
      resolved += stats.columnsResolved;
      t.diagnostic(`${dir}: ${stats.modelsFollowed}/${stats.modelsWithSql} models followed, ${stats.columnsResolved}/${stats.columns} columns resolved`);
      assert.ok(stats.modelsFollowed / stats.modelsWithSql >= 0.5, `${dir}: at least half the models are followed`);
    }
    assert.ok(seen >= 3, "the fixtures with compiled SQL: jaffle-shop (postgres), fivetran-log (redshift), nba-monte-carlo (duckdb)");
    t.diagnostic(`all: ${resolved}/${columns} columns resolved (${((100 * resolved) / columns).toFixed(1)}%)`);
    assert.ok(resolved / columns >= 0.95);
  });
});
