import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { inspect } from "node:util";
import { StoreError, isStoreError } from "./errors.ts";
import { IN_MEMORY, createPgliteClient, createPostgresClient, openSqlClient, sqlStateOf } from "./sql-client.ts";
import type { SqlClient } from "./sql-client.ts";
import { TEST_DATABASE_URL, pgliteEngine, testEngines, withDatabase } from "./test-support.ts";

/** Lets every pending callback run, so work that could start now has started. Not a timed sleep. */
async function drainEventLoop(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

async function withClient<T>(engine: (typeof testEngines)[number], fn: (client: SqlClient) => Promise<T>): Promise<T> {
  return withDatabase(engine, async (database) => {
    const client = await database.openClient();
    try {
      // Tests here create their tables in the database's own schema (or data directory); make sure it exists.
      if (client.schema !== null) await client.exec(`CREATE SCHEMA IF NOT EXISTS ${client.schema}`);
      return await fn(client);
    } finally {
      await client.close();
    }
  });
}

for (const engine of testEngines) {
  describe(`SqlClient on ${engine.name}`, { skip: engine.skip }, () => {
    it("returns the same JavaScript values on both engines", () =>
      withClient(engine, async (client) => {
        assert.equal(client.dialect, engine.name);
        await client.exec("CREATE TABLE sample (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at timestamptz, bytes bytea, doc jsonb, ratio double precision, names text[])");
        const bytes = Buffer.from([0, 1, 2, 254, 255]);
        await client.query("INSERT INTO sample (at, bytes, doc, ratio, names) VALUES ($1, $2, $3, $4, $5)", [
          "2024-05-01T12:00:00.123Z",
          bytes,
          JSON.stringify({ a: [1, "two", null] }),
          1234.5,
          ["x", "y"],
        ]);
        const [row] = await client.query<{ id: unknown; at: unknown; bytes: unknown; doc: unknown; ratio: unknown; names: unknown; count: unknown }>(
          "SELECT id, at, bytes, doc, ratio, names, (SELECT count(*) FROM sample) AS count FROM sample",
        );
        assert.ok(row);
        assert.equal(row.id, 1);
        assert.equal(row.count, 1);
        assert.ok(row.at instanceof Date);
        assert.equal(row.at.toISOString(), "2024-05-01T12:00:00.123Z");
        assert.ok(row.bytes instanceof Uint8Array);
        assert.deepEqual([...row.bytes], [...bytes]);
        assert.deepEqual(row.doc, { a: [1, "two", null] });
        assert.equal(row.ratio, 1234.5);
        assert.deepEqual(row.names, ["x", "y"]);
      }));

    it("commits a transaction, and rolls it back when the callback throws", () =>
      withClient(engine, async (client) => {
        await client.exec("CREATE TABLE items (name text PRIMARY KEY)");
        const result = await client.transaction(async (tx) => {
          await tx.query("INSERT INTO items VALUES ($1)", ["kept"]);
          return "done";
        });
        assert.equal(result, "done");
        await assert.rejects(
          client.transaction(async (tx) => {
            await tx.query("INSERT INTO items VALUES ($1)", ["dropped"]);
            throw new Error("callback failed");
          }),
          /callback failed/,
        );
        assert.deepEqual(await client.query("SELECT name FROM items ORDER BY name"), [{ name: "kept" }]);
      }));

    it("rolls back a transaction whose statement failed, with the SQLSTATE on the error", () =>
      withClient(engine, async (client) => {
        await client.exec("CREATE TABLE items (name text PRIMARY KEY)");
        const error = await client
          .transaction(async (tx) => {
            await tx.query("INSERT INTO items VALUES ($1)", ["first"]);
            await tx.query("INSERT INTO items VALUES ($1)", ["first"]);
          })
          .then(
            () => assert.fail("expected a unique violation"),
            (e: unknown) => e,
          );
        assert.ok(isStoreError(error, "query_failed"));
        assert.equal(sqlStateOf(error), "23505");
        assert.deepEqual(await client.query("SELECT name FROM items"), []);
        // The client is still usable afterwards.
        await client.query("INSERT INTO items VALUES ($1)", ["after"]);
      }));

    it("nests transactions as savepoints: a failed inner part rolls back alone", () =>
      withClient(engine, async (client) => {
        await client.exec("CREATE TABLE items (name text PRIMARY KEY)");
        await client.transaction(async (tx) => {
          await tx.query("INSERT INTO items VALUES ($1)", ["outer"]);
          await assert.rejects(
            tx.transaction(async (inner) => {
              await inner.query("INSERT INTO items VALUES ($1)", ["inner"]);
              throw new Error("inner failed");
            }),
            /inner failed/,
          );
          await tx.transaction(async (inner) => {
            await inner.query("INSERT INTO items VALUES ($1)", ["inner kept"]);
          });
        });
        assert.deepEqual(await client.query("SELECT name FROM items ORDER BY name"), [{ name: "inner kept" }, { name: "outer" }]);
      }));

    it("refuses a transaction's client once the transaction is over", () =>
      withClient(engine, async (client) => {
        let leaked: SqlClient | undefined;
        await client.transaction(async (tx) => {
          leaked = tx;
        });
        assert.ok(leaked);
        await assert.rejects(leaked.query("SELECT 1"), (e: unknown) => isStoreError(e, "closed"));
      }));

    it("refuses to work after close", async () => {
      const database = await engine.createDatabase();
      try {
        const client = await database.openClient();
        await client.close();
        await client.close();
        await assert.rejects(client.query("SELECT 1"), (e: unknown) => isStoreError(e, "closed"));
      } finally {
        await database.dispose();
      }
    });
  });
}

describe("SqlClient on pglite", () => {
  it("runs concurrent transactions one after the other, and makes outside statements wait", () =>
    withDatabase(pgliteEngine, async (database) => {
      const client = await database.openClient();
      try {
        await client.exec("CREATE TABLE events (n integer)");
        const order: string[] = [];
        let openGate!: () => void;
        const gate = new Promise<void>((resolve) => (openGate = resolve));
        let firstStarted!: () => void;
        const firstHasStarted = new Promise<void>((resolve) => (firstStarted = resolve));

        const first = client.transaction(async (tx) => {
          order.push("first begins");
          await tx.query("INSERT INTO events VALUES (1)");
          firstStarted();
          await gate;
          await tx.query("INSERT INTO events VALUES (2)");
          order.push("first ends");
        });
        await firstHasStarted;
        const second = client.transaction(async (tx) => {
          order.push("second begins");
          const rows = await tx.query<{ count: number }>("SELECT count(*)::int AS count FROM events");
          order.push(`second sees ${rows[0]?.count}`);
        });
        const outside = client.query<{ count: number }>("SELECT count(*)::int AS count FROM events");

        await drainEventLoop();
        assert.deepEqual(order, ["first begins"], "nothing may run inside the first transaction's connection");
        openGate();
        await Promise.all([first, second]);
        assert.deepEqual(order, ["first begins", "first ends", "second begins", "second sees 2"]);
        assert.deepEqual(await outside, [{ count: 2 }]);
      } finally {
        await client.close();
      }
    }));

  it("throws instead of deadlocking when the outer client is used inside its own transaction", () =>
    withDatabase(pgliteEngine, async (database) => {
      const client = await database.openClient();
      try {
        await assert.rejects(
          client.transaction(async () => {
            await client.query("SELECT 1");
          }),
          (e: unknown) => isStoreError(e, "wrong_client_in_transaction"),
        );
        // Once the transaction is over, the outer client works again.
        assert.deepEqual(await client.query("SELECT 1 AS one"), [{ one: 1 }]);
      } finally {
        await client.close();
      }
    }));

  it("keeps a second opener out of a data directory that is in use, and lets it in after close", () =>
    withDatabase(pgliteEngine, async (database) => {
      const first = await database.openClient();
      await assert.rejects(database.openClient(), (e: unknown) => isStoreError(e, "data_dir_locked") && /already open in process/.test(e.message));
      await first.close();
      const second = await database.openClient();
      await second.close();
    }));

  it("takes over the lock of a process that died", () =>
    withDatabase(pgliteEngine, async (database) => {
      const dataDir = database.options.dataDir ?? assert.fail("a pglite test database has a data directory");
      // A pid far above any pid_max: no such process.
      await writeFile(join(dataDir, "pgdata.lock"), JSON.stringify({ pid: 2 ** 30, hostname: hostname(), acquiredAt: "2024-01-01T00:00:00Z" }));
      const client = await database.openClient();
      await client.close();
    }));

  it("opens an in-memory database for memory://", async () => {
    const client = await createPgliteClient({ dataDir: IN_MEMORY });
    try {
      assert.deepEqual(await client.query("SELECT 1 AS one"), [{ one: 1 }]);
    } finally {
      await client.close();
    }
  });

  it("rejects a schema name that would need quoting", async () => {
    await assert.rejects(createPgliteClient({ dataDir: IN_MEMORY, schema: "Robert'); DROP TABLE students;--" }), (e: unknown) =>
      isStoreError(e, "invalid_options"),
    );
  });
});

describe("SqlClient on postgres: connection errors", () => {
  it("names the host and database but never prints the password", async () => {
    const password = "s3cr3t-Pa55word";
    // Port 1 is closed: the connection is refused at once.
    const url = `postgres://tributary:${password}@127.0.0.1:1/catalog_db`;
    const error = await createPostgresClient({ databaseUrl: url, connectTimeoutMs: 5_000 }).then(
      () => assert.fail("expected the connection to fail"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof StoreError);
    assert.equal(error.code, "connection_failed");
    assert.match(error.message, /127\.0\.0\.1/);
    assert.match(error.message, /catalog_db/);
    assert.match(error.message, /tributary:\*\*\*@/);
    for (const text of [error.message, error.stack ?? "", inspect(error, { depth: 10 }), JSON.stringify(error.context)]) {
      assert.ok(!text.includes(password), `the password leaked into: ${text}`);
    }
  });

  it("rejects a schema given twice (in the URL's options and as an option)", async () => {
    await assert.rejects(
      openSqlClient({ databaseUrl: `${TEST_DATABASE_URL}?options=-c%20search_path%3Dx`, schema: "other" }),
      (e: unknown) => isStoreError(e, "invalid_options"),
    );
  });
});
