/**
 * The Snowflake engine through the real snowflake-sdk against a local stand-in that answers the same REST calls
 * Snowflake does (see stand-in.ts): password and key-pair login, INFORMATION_SCHEMA read per database, the
 * identifier rules (unquoted names upper-cased, a quoted lower-case table kept apart), a refused login and a
 * warehouse that never answers — with errors that name the account and never the password or key.
 */
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { createWarehouseProvider } from "../provider.ts";
import { warehouseRelationState } from "../tool-state.ts";
import { createSnowflakeWarehouse } from "./engine.ts";
import type { SnowflakeStandIn, StandInTable } from "./stand-in.ts";
import { startSnowflakeStandIn } from "./stand-in.ts";

const PASSWORD = "s3cret-pw-that-must-not-show";
const LAST_ALTERED = new Date("2026-11-30T08:15:42.123Z");

const TABLES: StandInTable[] = [
  {
    database: "ANALYTICS",
    schema: "MARTS",
    name: "ORDERS",
    type: "BASE TABLE",
    rowCount: 120_000,
    bytes: 3_407_872,
    lastAltered: LAST_ALTERED,
    comment: "One row per order",
    columns: [
      { name: "ORDER_ID", type: "NUMBER", nullable: false, precision: 38, scale: 0 },
      { name: "AMOUNT", type: "NUMBER", nullable: true, precision: 12, scale: 2 },
      { name: "STATUS", type: "TEXT", nullable: true, length: 16777216 },
      { name: "ORDERED_AT", type: "TIMESTAMP_NTZ", nullable: true },
    ],
  },
  // A table created with a quoted lower-case name: another table than ORDERS.
  { database: "ANALYTICS", schema: "MARTS", name: "orders", type: "BASE TABLE", rowCount: 3, bytes: 1024, lastAltered: LAST_ALTERED, comment: null, columns: [{ name: "x", type: "NUMBER", nullable: true, precision: 38, scale: 0 }] },
  { database: "ANALYTICS", schema: "MARTS", name: "ORDER_TOTALS", type: "VIEW", rowCount: null, bytes: null, lastAltered: LAST_ALTERED, comment: null, columns: [{ name: "TOTAL", type: "NUMBER", nullable: true, precision: 38, scale: 2 }] },
  { database: "ANALYTICS", schema: "STAGING", name: "STG_ORDERS", type: "VIEW", rowCount: null, bytes: null, lastAltered: LAST_ALTERED, comment: null, columns: [{ name: "ID", type: "NUMBER", nullable: true, precision: 38, scale: 0 }] },
  { database: "RAW", schema: "STRIPE", name: "CHARGE", type: "BASE TABLE", rowCount: 42, bytes: 8192, lastAltered: LAST_ALTERED, comment: null, columns: [{ name: "ID", type: "TEXT", nullable: false, length: 255 }] },
];

describe("Snowflake warehouse (snowflake-sdk against a local stand-in)", () => {
  const keys = generateKeyPairSync("rsa", { modulusLength: 2048, publicKeyEncoding: { type: "spki", format: "pem" }, privateKeyEncoding: { type: "pkcs8", format: "pem" } });
  let standIn: SnowflakeStandIn;
  before(async () => {
    standIn = await startSnowflakeStandIn({ account: "acme-prod", user: "tributary", password: PASSWORD, publicKey: keys.publicKey, tables: TABLES });
  });
  after(() => standIn.close());

  const warehouse = (extra: Partial<Parameters<typeof createSnowflakeWarehouse>[0]> = {}) =>
    createSnowflakeWarehouse({ account: "acme-prod", user: "tributary", password: PASSWORD, role: "reporter", warehouse: "compute_wh", databases: ["analytics", "raw"], accessUrl: standIn.url, ...extra });

  it("logs in with a password and lists the tables and views of each database, names as Snowflake stores them", async () => {
    const relations = await warehouse().listRelations();
    assert.deepEqual(relations, [
      { database: "ANALYTICS", schema: "MARTS", name: "ORDERS", kind: "table" },
      { database: "ANALYTICS", schema: "MARTS", name: "ORDER_TOTALS", kind: "view" },
      { database: "ANALYTICS", schema: "MARTS", name: "orders", kind: "table" },
      { database: "ANALYTICS", schema: "STAGING", name: "STG_ORDERS", kind: "view" },
      { database: "RAW", schema: "STRIPE", name: "CHARGE", kind: "table" },
    ]);
    const queries = standIn.requests.filter((r) => r.sql);
    assert.match(queries[0]!.sql!, /FROM "ANALYTICS"\.INFORMATION_SCHEMA\.TABLES/, "the unquoted profile database is folded to upper case");
    assert.match(queries[1]!.sql!, /FROM "RAW"\.INFORMATION_SCHEMA\.TABLES/);
    assert.ok(standIn.requests.some((r) => r.path === "/session" && r.method === "POST"), "the session is closed after the call");
  });

  it("describes columns with types and nullability, exact rows, bytes and last altered; an unquoted dbt name joins the upper-case table, not the quoted one", async () => {
    const described = await warehouse().describe([
      { database: "analytics", schema: "marts", name: "orders", kind: "table" },
      { database: "analytics", schema: "marts", name: "order_totals", kind: "view" },
      { database: "analytics", schema: "marts", name: "never_built", kind: "table" },
    ]);
    assert.deepEqual(described.map((d) => `${d.schema}.${d.name}`), ["MARTS.ORDERS", "MARTS.ORDER_TOTALS"]);
    const [orders, totals] = described;
    assert.deepEqual(orders!.columns, [
      { name: "ORDER_ID", type: "NUMBER(38,0)", nullable: false, position: 1 },
      { name: "AMOUNT", type: "NUMBER(12,2)", nullable: true, position: 2 },
      { name: "STATUS", type: "TEXT(16777216)", nullable: true, position: 3 },
      { name: "ORDERED_AT", type: "TIMESTAMP_NTZ", nullable: true, position: 4 },
    ]);
    assert.equal(orders!.rowCount, 120_000);
    assert.equal(orders!.rowCountEstimated, false);
    assert.equal(orders!.bytes, 3_407_872);
    assert.equal(orders!.lastModified, LAST_ALTERED.toISOString(), "TIMESTAMP_LTZ epoch seconds read back as the same instant");
    assert.equal(orders!.comment, "One row per order");
    assert.equal(totals!.kind, "view");
    assert.equal(totals!.rowCount, null);
  });

  it("a relation written quoted in lower case finds the quoted table", async () => {
    const { findRelation, IDENTIFIER_RULES } = await import("../identifiers.ts");
    const held = await warehouse().listRelations();
    assert.equal(findRelation({ database: "ANALYTICS", schema: "MARTS", name: "orders" }, held, IDENTIFIER_RULES.snowflake, true)?.name, "orders");
    assert.equal(findRelation({ database: "ANALYTICS", schema: "MARTS", name: "orders" }, held, IDENTIFIER_RULES.snowflake, false)?.name, "ORDERS");
    assert.equal(findRelation({ database: "analytics", schema: "staging", name: "Stg_Orders" }, held, IDENTIFIER_RULES.snowflake)?.name, "STG_ORDERS");
  });

  it("reads only the schemas asked for, bound as parameters", async () => {
    const relations = await warehouse({ databases: ["analytics"], schemas: ["staging"] }).listRelations();
    assert.deepEqual(relations.map((r) => r.name), ["STG_ORDERS"]);
    const last = standIn.requests.filter((r) => r.sql).at(-1)!;
    assert.deepEqual(last.binds, ["STAGING"]);
  });

  it("logs in with a key pair (SNOWFLAKE_JWT signed by the private key)", async () => {
    const relations = await createSnowflakeWarehouse({ account: "acme-prod", user: "tributary", privateKey: keys.privateKey, databases: ["raw"], accessUrl: standIn.url }).listRelations();
    assert.deepEqual(relations.map((r) => r.name), ["CHARGE"]);
    assert.equal(standIn.requests.filter((r) => r.authenticator).at(-1)!.authenticator, "SNOWFLAKE_JWT");
  });

  it("reports a refused password as warehouse_auth_failed, naming the account and not the password", async () => {
    const wrong = "wrong-password-4711";
    await assert.rejects(warehouse({ password: wrong }).listRelations(), (error: Error & { code?: string }) => {
      assert.equal(error.code, "warehouse_auth_failed");
      assert.match(error.message, /acme-prod/);
      assert.match(error.message, /Incorrect username or password/);
      assert.ok(!error.message.includes(wrong) && !error.message.includes(PASSWORD));
      return true;
    });
  });

  it("reports a key the user does not have as warehouse_auth_failed, without the key", async () => {
    const other = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
    await assert.rejects(createSnowflakeWarehouse({ account: "acme-prod", user: "tributary", privateKey: other.privateKey, databases: ["raw"], accessUrl: standIn.url }).listRelations(), (error: Error & { code?: string }) => {
      assert.equal(error.code, "warehouse_auth_failed");
      assert.match(error.message, /JWT token is invalid/);
      assert.ok(!error.message.includes("PRIVATE KEY"));
      return true;
    });
  });

  it("reports a database it may not read as warehouse_query_failed with Snowflake's message", async () => {
    await assert.rejects(warehouse({ databases: ["secret_db"] }).listRelations(), (error: Error & { code?: string }) => {
      assert.equal(error.code, "warehouse_query_failed");
      assert.match(error.message, /Database 'SECRET_DB' does not exist or not authorized/);
      return true;
    });
  });

  it("gives up on a warehouse that never answers, with warehouse_unreachable", async () => {
    const hung = await startSnowflakeStandIn({ account: "acme-prod", user: "tributary", password: PASSWORD, tables: TABLES, hangQueries: true });
    try {
      await assert.rejects(warehouse({ accessUrl: hung.url, timeoutMs: 1500 }).listRelations(), (error: Error & { code?: string }) => {
        assert.equal(error.code, "warehouse_unreachable");
        assert.match(error.message, /did not answer within 2 s/);
        return true;
      });
    } finally {
      await hung.close();
    }
  });

  it("the provider gives describe-only specs carrying Snowflake's figures", async () => {
    const provider = createWarehouseProvider({ name: "acme-warehouse", engine: warehouse({ databases: ["raw"] }), from: "tributary.yaml" });
    assert.match(provider.location.origin, /^Snowflake warehouse snowflake:\/\/acme-prod/);
    const { specs } = await provider.load();
    assert.equal(specs.length, 1);
    assert.equal(specs[0]!.tableStats!.rowCount, 42);
    assert.equal(warehouseRelationState.read(specs[0]!.metadata).engine, "snowflake");
    assert.equal(specs[0]!.columns[0]!.type, "TEXT(255)");
  });
});
