/**
 * The BigQuery engine through the real @google-cloud/bigquery client against a local stand-in of the REST API
 * (see stand-in.ts): datasets.list, jobs.query then paged getQueryResults with rows as `{f: [{v}]}`, the
 * service account's self-signed JWT verified; case-sensitive tables (`Orders` is not `orders`); a key the
 * service does not accept and a service that never answers — errors without the key.
 */
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createWarehouseProvider } from "../provider.ts";
import { warehouseRelationState } from "../tool-state.ts";
import { createBigQueryWarehouse } from "./engine.ts";
import type { BigQueryStandIn, StandInBigQueryTable } from "./stand-in.ts";
import { startBigQueryStandIn } from "./stand-in.ts";

const EMAIL = "tributary-reader@acme-data.iam.gserviceaccount.com";
const MODIFIED = new Date("2026-11-29T21:04:05.678Z");
const TABLES: StandInBigQueryTable[] = [
  {
    dataset: "marts",
    name: "orders",
    type: "TABLE",
    rowCount: 98_765,
    bytes: 4_321_000,
    lastModified: MODIFIED,
    columns: [
      { name: "order_id", type: "INT64", nullable: false },
      { name: "amount", type: "NUMERIC(12, 2)", nullable: true },
      { name: "items", type: "ARRAY<STRUCT<sku STRING, qty INT64>>", nullable: false },
      { name: "ordered_at", type: "TIMESTAMP", nullable: true },
    ],
  },
  // BigQuery tables are case-sensitive: another table than `orders`.
  { dataset: "marts", name: "Orders", type: "TABLE", rowCount: 2, bytes: 64, lastModified: MODIFIED, columns: [{ name: "legacy_id", type: "STRING", nullable: true }] },
  { dataset: "marts", name: "order_totals", type: "VIEW", rowCount: 0, bytes: 0, lastModified: MODIFIED, columns: [{ name: "total", type: "NUMERIC", nullable: true }] },
  { dataset: "staging_eu", name: "stg_orders", type: "VIEW", rowCount: 0, bytes: 0, lastModified: MODIFIED, columns: [{ name: "id", type: "INT64", nullable: true }] },
];

describe("BigQuery warehouse (@google-cloud/bigquery against a local stand-in)", () => {
  const keys = generateKeyPairSync("rsa", { modulusLength: 2048, publicKeyEncoding: { type: "spki", format: "pem" }, privateKeyEncoding: { type: "pkcs8", format: "pem" } });
  const dir = mkdtempSync(join(tmpdir(), "tributary-bigquery-"));
  // A service-account key file as Google issues one; universe_domain makes google-auth-library sign its own JWT
  // for the requests (as it does outside googleapis.com) instead of asking oauth2.googleapis.com for a token.
  const keyFile = (privateKey: string): string => {
    const path = join(dir, `key-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(path, JSON.stringify({ type: "service_account", project_id: "acme-data", private_key_id: "0123abcd", private_key: privateKey, client_email: EMAIL, client_id: "1234567890", token_uri: "https://oauth2.googleapis.com/token", universe_domain: "stand-in.test" }));
    return path;
  };
  let standIn: BigQueryStandIn;
  let key: string;
  before(async () => {
    standIn = await startBigQueryStandIn({
      project: "acme-data",
      datasets: [{ id: "marts", location: "EU" }, { id: "staging_eu", location: "europe-west3" }],
      tables: TABLES,
      account: { email: EMAIL, publicKey: keys.publicKey },
      pageSize: 2,
    });
    key = keyFile(keys.privateKey);
  });
  after(async () => {
    await standIn.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const warehouse = (extra: Partial<Parameters<typeof createBigQueryWarehouse>[0]> = {}) => createBigQueryWarehouse({ project: "acme-data", keyFilename: key, apiEndpoint: standIn.url, ...extra });

  it("lists the relations of every dataset, each queried in its dataset's location, across result pages", async () => {
    const relations = await warehouse().listRelations();
    assert.deepEqual(relations, [
      { database: "acme-data", schema: "marts", name: "Orders", kind: "table" },
      { database: "acme-data", schema: "marts", name: "order_totals", kind: "view" },
      { database: "acme-data", schema: "marts", name: "orders", kind: "table" },
      { database: "acme-data", schema: "staging_eu", name: "stg_orders", kind: "view" },
    ]);
    const queries = standIn.requests.filter((r) => r.query);
    assert.deepEqual(queries.map((q) => q.location), ["EU", "europe-west3"]);
    assert.match(queries[0]!.query!, /FROM `acme-data\.marts\.__TABLES__`/);
    assert.ok(standIn.requests.some((r) => r.pageToken === "2"), "the client fetched the second page of marts' three tables");
  });

  it("describes columns, rows, bytes and last modified; dbt's `orders` joins `orders`, not `Orders`", async () => {
    const described = await warehouse().describe([
      { database: "acme-data", schema: "marts", name: "orders", kind: "table" },
      { database: "ACME-DATA", schema: "marts", name: "order_totals", kind: "view" },
      { database: "acme-data", schema: "MARTS", name: "orders", kind: "table" },
      { database: "acme-data", schema: "staging_eu", name: "STG_ORDERS", kind: "view" },
    ]);
    assert.deepEqual(described.map((d) => `${d.schema}.${d.name}`), ["marts.orders", "marts.order_totals"], "datasets and tables compare case-sensitively, projects not");
    const [orders, totals] = described;
    assert.deepEqual(orders!.columns, [
      { name: "order_id", type: "INT64", nullable: false, position: 1 },
      { name: "amount", type: "NUMERIC(12, 2)", nullable: true, position: 2 },
      { name: "items", type: "ARRAY<STRUCT<sku STRING, qty INT64>>", nullable: false, position: 3 },
      { name: "ordered_at", type: "TIMESTAMP", nullable: true, position: 4 },
    ]);
    assert.equal(orders!.rowCount, 98_765);
    assert.equal(orders!.bytes, 4_321_000);
    assert.equal(orders!.lastModified, MODIFIED.toISOString());
    assert.equal(totals!.kind, "view");
    assert.equal(totals!.rowCount, null, "a view holds no rows of its own");
    assert.deepEqual(totals!.columns.map((c) => c.name), ["total"]);
  });

  it("reads only the datasets asked for", async () => {
    const relations = await warehouse({ datasets: ["staging_eu"] }).listRelations();
    assert.deepEqual(relations.map((r) => r.name), ["stg_orders"]);
  });

  it("reports a key the service does not accept as warehouse_auth_failed, without the key", async () => {
    const other = generateKeyPairSync("rsa", { modulusLength: 2048, publicKeyEncoding: { type: "spki", format: "pem" }, privateKeyEncoding: { type: "pkcs8", format: "pem" } });
    await assert.rejects(warehouse({ keyFilename: keyFile(other.privateKey) }).listRelations(), (error: Error & { code?: string }) => {
      assert.equal(error.code, "warehouse_auth_failed");
      assert.match(error.message, /bigquery:\/\/acme-data/);
      assert.match(error.message, /invalid authentication credentials/);
      assert.ok(!error.message.includes("PRIVATE KEY"));
      return true;
    });
  });

  it("reports a dataset that does not exist as warehouse_query_failed with BigQuery's message", async () => {
    await assert.rejects(warehouse({ datasets: ["nope"] }).listRelations(), (error: Error & { code?: string }) => {
      assert.equal(error.code, "warehouse_query_failed");
      assert.match(error.message, /Not found: Dataset acme-data:nope/);
      return true;
    });
  });

  it("gives up on a service that never answers, with warehouse_unreachable", async () => {
    const hung = await startBigQueryStandIn({ project: "acme-data", datasets: [{ id: "marts", location: "EU" }], tables: TABLES, account: { email: EMAIL, publicKey: keys.publicKey }, hangQueries: true });
    try {
      await assert.rejects(warehouse({ apiEndpoint: hung.url, timeoutMs: 1500 }).listRelations(), (error: Error & { code?: string }) => {
        assert.equal(error.code, "warehouse_unreachable");
        assert.match(error.message, /did not answer within 2 s/);
        return true;
      });
    } finally {
      await hung.close();
    }
  });

  it("the provider gives describe-only specs carrying BigQuery's figures", async () => {
    const provider = createWarehouseProvider({ name: "acme-bq", engine: warehouse({ datasets: ["marts"] }) });
    assert.match(provider.location.origin, /^BigQuery warehouse bigquery:\/\/acme-data/);
    const { specs } = await provider.load();
    const orders = specs.find((s) => s.relation?.name === "orders")!;
    assert.equal(orders.tableStats!.rowCount, 98_765);
    assert.equal(warehouseRelationState.read(orders.metadata).engine, "bigquery");
  });
});
