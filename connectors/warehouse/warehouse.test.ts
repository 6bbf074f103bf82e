/**
 * The warehouse engines against real warehouses: a DuckDB file the test writes (and one another process holds
 * locked for a while), and the Postgres server at 127.0.0.1:5432 (tables the test creates in its own schema).
 * Also the provider's describe-only specs, and the errors: unreachable, refused login, no password shown.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { DuckDBInstance } from "@duckdb/node-api";
import pg from "pg";
import { createDuckDbWarehouse } from "./duckdb/engine.ts";
import { createPostgresWarehouse } from "./postgres/engine.ts";
import { createWarehouseProvider } from "./provider.ts";
import { warehouseRelationState } from "./tool-state.ts";
import { readProfileTarget } from "./profile.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const SKIP_POSTGRES = process.env["TRIBUTARY_SKIP_POSTGRES_TESTS"] === "1";

describe("DuckDB warehouse", () => {
  const dir = mkdtempSync(join(tmpdir(), "tributary-warehouse-"));
  const path = join(dir, "lake.duckdb");

  before(async () => {
    const instance = await DuckDBInstance.create(path);
    const connection = await instance.connect();
    await connection.run(`CREATE SCHEMA shop;
      CREATE TABLE shop."order" (id INTEGER NOT NULL, amount DECIMAL(10, 2), placed_at TIMESTAMP);
      INSERT INTO shop."order" SELECT i, i * 1.5, TIMESTAMP '2026-01-01' + INTERVAL (i) HOUR FROM range(1, 1001) t(i);
      CREATE VIEW shop.big_orders AS SELECT id, amount AS total FROM shop."order" WHERE amount > 100;
      COMMENT ON TABLE shop."order" IS 'Orders as placed';`);
    connection.closeSync();
    instance.closeSync();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("lists tables and views of the file's database, named as dbt-duckdb names them", async () => {
    const warehouse = createDuckDbWarehouse({ path });
    assert.equal(warehouse.database, "lake");
    assert.deepEqual(await warehouse.listRelations(), [
      { database: "lake", schema: "shop", name: "big_orders", kind: "view" },
      { database: "lake", schema: "shop", name: "order", kind: "table" },
    ]);
  });

  it("describes columns with types and nullability, exact row count, bytes, kind; leaves out what does not exist", async () => {
    const warehouse = createDuckDbWarehouse({ path });
    const described = await warehouse.describe([
      { database: "LAKE", schema: "Shop", name: "ORDER", kind: "table" },
      { database: "lake", schema: "shop", name: "big_orders", kind: "view" },
      { database: "lake", schema: "shop", name: "never_built", kind: "table" },
    ]);
    assert.equal(described.length, 2);
    const [order, view] = described;
    assert.equal(order!.name, "order");
    assert.deepEqual(order!.columns, [
      { name: "id", type: "INTEGER", nullable: false, position: 1 },
      { name: "amount", type: "DECIMAL(10,2)", nullable: true, position: 2 },
      { name: "placed_at", type: "TIMESTAMP", nullable: true, position: 3 },
    ]);
    assert.equal(order!.rowCount, 1000);
    assert.equal(order!.rowCountEstimated, false);
    assert.ok(order!.bytes !== null && order!.bytes > 0 && order!.bytes % 4096 === 0, `bytes ${order!.bytes}`);
    assert.equal(order!.comment, "Orders as placed");
    assert.equal(order!.lastModified, null);
    assert.equal(view!.kind, "view");
    assert.deepEqual(view!.columns.map((c) => `${c.name}:${c.type}`), ["id:INTEGER", "total:DECIMAL(10,2)"]);
    assert.equal(view!.rowCount, null);
  });

  /** A child process that opens the file read-write (as dbt does) and holds it for `ms`. */
  async function holdLock(ms: number): Promise<{ exited: Promise<unknown>; kill(): void }> {
    const holder = spawn(
      process.execPath,
      ["--input-type=module", "-e", `import { DuckDBInstance } from "@duckdb/node-api";
        const i = await DuckDBInstance.create(${JSON.stringify(path)}); const c = await i.connect();
        console.log("locked"); setTimeout(() => { c.closeSync(); i.closeSync(); }, ${ms});`],
      { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] },
    );
    const exited = new Promise((resolve) => holder.on("exit", resolve));
    await new Promise<void>((resolve) => holder.stdout.once("data", () => resolve()));
    return { exited, kill: () => holder.kill() };
  }

  it("waits while another process holds the file's write lock, then reads", async () => {
    const holder = await holdLock(800);
    const started = Date.now();
    const relations = await createDuckDbWarehouse({ path, lockRetryDelayMs: 50 }).listRelations();
    assert.equal(relations.length, 2);
    assert.ok(Date.now() - started >= 300, "it read only after the holder let go");
    await holder.exited;
  });

  it("gives up on a lock held too long with a warehouse_locked error", async () => {
    const holder = await holdLock(30_000);
    try {
      await assert.rejects(createDuckDbWarehouse({ path, lockAttempts: 3, lockRetryDelayMs: 1 }).listRelations(), (error: Error & { code?: string }) => {
        assert.equal(error.code, "warehouse_locked");
        assert.match(error.message, /stayed locked by another process/);
        return true;
      });
    } finally {
      holder.kill();
      await holder.exited;
    }
  });

  it("holds nothing when the file does not exist yet, and the provider says so", async () => {
    const provider = createWarehouseProvider({ name: "lake-warehouse", engine: createDuckDbWarehouse({ path: join(dir, "not-yet.duckdb") }) });
    const definitions = await provider.load();
    assert.deepEqual(definitions.specs, []);
    assert.deepEqual(definitions.diagnostics.map((d) => d.code), ["warehouse_empty"]);
  });

  it("gives one describe-only spec per relation, with the warehouse's tool state and table stats", async () => {
    const provider = createWarehouseProvider({ name: "lake-warehouse", engine: createDuckDbWarehouse({ path }), now: () => new Date("2026-12-03T10:00:00Z") });
    assert.equal(provider.location.kind, "warehouse");
    const { specs } = await provider.load();
    const order = specs.find((s) => s.relation?.name === "order")!;
    assert.equal(order.describesOnly, true);
    assert.equal(order.materializer, null);
    assert.deepEqual(order.relation, { database: "lake", schema: "shop", name: "order" });
    assert.equal(order.columns[0]!.nullable, false);
    assert.equal(order.tableStats!.rowCount, 1000);
    assert.equal(order.tableStats!.tableType, "BASE TABLE");
    const state = warehouseRelationState.read(order.metadata);
    assert.equal(state.engine, "duckdb");
    assert.equal(state.relation_kind, "table");
    assert.equal(state.row_count, 1000);
    assert.equal(state.described_at, "2026-12-03T10:00:00.000Z");
  });
});

describe("Postgres warehouse", { skip: SKIP_POSTGRES && "TRIBUTARY_SKIP_POSTGRES_TESTS=1" }, () => {
  const schema = `wh_test_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ host: "127.0.0.1", port: 5432, user: "postgres", database: "test" });

  before(async () => {
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema};
      CREATE TABLE ${schema}.customers (id integer NOT NULL PRIMARY KEY, email varchar(200), created_at timestamptz NOT NULL DEFAULT now());
      INSERT INTO ${schema}.customers (id, email) SELECT i, 'c' || i || '@example.com' FROM generate_series(1, 500) i;
      ANALYZE ${schema}.customers;
      CREATE TABLE ${schema}.never_analyzed (id integer);
      CREATE VIEW ${schema}.customer_emails AS SELECT id, lower(email) AS email FROM ${schema}.customers;
      COMMENT ON TABLE ${schema}.customers IS 'One row per customer';`);
  });
  after(async () => {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  });

  const warehouse = () => createPostgresWarehouse({ host: "127.0.0.1", user: "postgres", database: "test", schemas: [schema] });

  it("lists the tables and views of the schemas asked for", async () => {
    assert.deepEqual(await warehouse().listRelations(), [
      { database: "test", schema, name: "customer_emails", kind: "view" },
      { database: "test", schema, name: "customers", kind: "table" },
      { database: "test", schema, name: "never_analyzed", kind: "table" },
    ]);
  });

  it("describes columns, nullability, estimated rows, bytes, comment; a missing relation is left out", async () => {
    const described = await warehouse().describe([
      { database: "TEST", schema: schema.toUpperCase(), name: "CUSTOMERS", kind: "table" },
      { database: "test", schema, name: "customer_emails", kind: "view" },
      { database: "test", schema, name: "never_analyzed", kind: "table" },
      { database: "test", schema, name: "nope", kind: "table" },
    ]);
    assert.deepEqual(described.map((d) => d.name), ["customers", "customer_emails", "never_analyzed"]);
    const [customers, view, fresh] = described;
    assert.deepEqual(customers!.columns, [
      { name: "id", type: "integer", nullable: false, position: 1 },
      { name: "email", type: "character varying(200)", nullable: true, position: 2 },
      { name: "created_at", type: "timestamp with time zone", nullable: false, position: 3 },
    ]);
    assert.equal(customers!.rowCount, 500);
    assert.equal(customers!.rowCountEstimated, true);
    assert.ok(customers!.bytes !== null && customers!.bytes >= 8192, `bytes ${customers!.bytes}`);
    assert.equal(customers!.comment, "One row per customer");
    assert.equal(view!.kind, "view");
    assert.deepEqual(view!.columns.map((c) => [c.name, c.type, c.nullable]), [["id", "integer", null], ["email", "text", null]]);
    assert.equal(view!.rowCount, null);
    assert.equal(view!.bytes, null);
    assert.equal(fresh!.rowCount, null, "never analyzed: Postgres does not know");
  });

  it("reports a refused login as warehouse_auth_failed, without the password", async () => {
    const password = "pw-that-must-not-show-4711";
    await assert.rejects(
      createPostgresWarehouse({ host: "127.0.0.1", user: "no_such_role_tributary", password, database: "test" }).listRelations(),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, "warehouse_auth_failed");
        assert.match(error.message, /postgres:\/\/127\.0\.0\.1:5432\/test/);
        assert.ok(!error.message.includes(password));
        return true;
      },
    );
  });

  it("reports a server that does not answer as warehouse_unreachable", async () => {
    await assert.rejects(createPostgresWarehouse({ host: "127.0.0.1", port: 1, database: "test", timeoutMs: 2000 }).listRelations(), (error: Error & { code?: string }) => {
      assert.equal(error.code, "warehouse_unreachable");
      return true;
    });
  });
});

describe("the warehouse of a dbt profile", () => {
  it("reads the demo project's DuckDB target, with env_var rendered and the path resolved against the project", async () => {
    const target = await readProfileTarget({ projectDir: join(ROOT, "demo-project"), env: { TRIBUTARY_WAREHOUSE_PATH: "/data/w.duckdb" } });
    assert.deepEqual(target.connection, { type: "duckdb", path: "/data/w.duckdb" });
    assert.equal(target.label, "shop.dev");
    const fallback = await readProfileTarget({ projectDir: join(ROOT, "demo-project"), env: {} });
    assert.deepEqual(fallback.connection, { type: "duckdb", path: join(ROOT, "demo-project", "warehouse.duckdb") });
  });

  it("reads a dbt-snowflake target: env_var password, host/port as the access URL, the database folded by the engine", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tributary-profile-"));
    try {
      writeFileSync(join(dir, "dbt_project.yml"), "name: shop\nprofile: shop\n");
      writeFileSync(
        join(dir, "profiles.yml"),
        `shop:\n  target: prod\n  outputs:\n    prod:\n      type: snowflake\n      account: acme-prod\n      user: transformer\n      password: "{{ env_var('SNOWFLAKE_PASSWORD') }}"\n      role: transformer\n      warehouse: transforming\n      database: analytics\n      schema: dbt\n      host: 127.0.0.1\n      port: 8085\n      protocol: http\n    bq:\n      type: bigquery\n      method: service-account\n      project: acme-data\n      dataset: marts\n      keyfile: keys/sa.json\n    bq_token:\n      type: bigquery\n      method: oauth-secrets\n      project: acme-data\n      dataset: marts\n`,
      );
      const snowflake = await readProfileTarget({ projectDir: dir, env: { SNOWFLAKE_PASSWORD: "pw" } });
      assert.deepEqual(snowflake.connection, {
        type: "snowflake", account: "acme-prod", user: "transformer", password: "pw", privateKey: null, privateKeyPath: null, privateKeyPassphrase: null,
        role: "transformer", warehouse: "transforming", databases: ["analytics"], schemas: null, accessUrl: "http://127.0.0.1:8085",
      });
      const bigquery = await readProfileTarget({ projectDir: dir, target: "bq", env: {} });
      assert.deepEqual(bigquery.connection, { type: "bigquery", project: "acme-data", datasets: null, keyFilename: join(dir, "keys", "sa.json"), credentials: null, billingProject: null, apiEndpoint: null });
      await assert.rejects(readProfileTarget({ projectDir: dir, target: "bq_token", env: {} }), /logs in with method oauth-secrets/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
