import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { isStoreError } from "./errors.ts";
import { defineMigration, formatMigrationNumber, loadMigrations, migrate, readHistory } from "./migrations.ts";
import type { SqlClient } from "./sql-client.ts";
import { testEngines, withDatabase } from "./test-support.ts";

const first = defineMigration(1, "widgets", "CREATE TABLE widgets (id integer PRIMARY KEY);\nCREATE INDEX widgets_id ON widgets (id);");
// No IF NOT EXISTS anywhere: applying any of these twice fails, so a double application cannot go unseen.
const second = defineMigration(2, "gadgets", "CREATE TABLE gadgets (id integer PRIMARY KEY);");
const third = defineMigration(3, "widget_names", "ALTER TABLE widgets ADD COLUMN name text;");

async function tableExists(client: SqlClient, table: string): Promise<boolean> {
  const [row] = await client.query<{ found: string | null }>("SELECT to_regclass($1)::text AS found", [table]);
  return row?.found !== null && row?.found !== undefined;
}

describe("loadMigrations", () => {
  it("reads the shipped migrations, numbered from 0001 without gaps", () => {
    const migrations = loadMigrations();
    assert.ok(migrations.length >= 1);
    migrations.forEach((migration, index) => assert.equal(migration.number, index + 1));
    assert.equal(migrations[0]?.name, "definitions");
  });

  it("rejects a gap in the numbering and a badly named file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tributary-migrations-"));
    try {
      await writeFile(join(dir, "0001_a.sql"), "SELECT 1;");
      await writeFile(join(dir, "0003_c.sql"), "SELECT 1;");
      assert.throws(() => loadMigrations(dir), (e: unknown) => isStoreError(e, "migration_invalid") && /0003_c/.test(e.message));
      await rm(join(dir, "0003_c.sql"));
      await writeFile(join(dir, "2_b.sql"), "SELECT 1;");
      assert.throws(() => loadMigrations(dir), (e: unknown) => isStoreError(e, "migration_invalid") && /2_b\.sql/.test(e.message));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("gives the same checksum to a file checked out with Windows line endings", () => {
    assert.equal(defineMigration(1, "a", "SELECT 1;\r\nSELECT 2;\r\n").checksum, defineMigration(1, "a", "SELECT 1;\nSELECT 2;\n").checksum);
  });
});

for (const engine of testEngines) {
  describe(`migrations on ${engine.name}`, { skip: engine.skip }, () => {
    it("apply in order once, record number, name and checksum, and do nothing the second time", () =>
      withDatabase(engine, async (database) => {
        const client = await database.openClient();
        try {
          const result = await migrate(client, [first, second]);
          assert.deepEqual(result.applied.map((m) => m.number), [1, 2]);
          assert.equal(result.current, 2);
          const history = await readHistory(client);
          assert.deepEqual(
            history.map(({ number, name, checksum }) => ({ number, name, checksum })),
            [first, second].map(({ number, name, checksum }) => ({ number, name, checksum })),
          );
          assert.ok(history.every((row) => row.appliedAt instanceof Date));

          const again = await migrate(client, [first, second]);
          assert.deepEqual(again.applied, []);
          assert.deepEqual(await readHistory(client), history);

          // A newer release brings migration 3: only it is applied.
          const upgrade = await migrate(client, [first, second, third]);
          assert.deepEqual(upgrade.applied.map((m) => m.number), [3]);
        } finally {
          await client.close();
        }
      }));

    it("put every table in the configured schema (or the data directory's default one)", () =>
      withDatabase(engine, async (database) => {
        const client = await database.openClient();
        try {
          await migrate(client, [first]);
          const [row] = await client.query<{ schema: string }>(
            "SELECT table_schema AS schema FROM information_schema.tables WHERE table_name = 'widgets'",
          );
          assert.equal(row?.schema, client.schema ?? "public");
        } finally {
          await client.close();
        }
      }));

    it("refuse a database whose applied migration was edited since", () =>
      withDatabase(engine, async (database) => {
        const client = await database.openClient();
        try {
          await migrate(client, [first, second]);
          const edited = defineMigration(2, "gadgets", "CREATE TABLE gadgets (id bigint PRIMARY KEY);");
          await assert.rejects(
            migrate(client, [first, edited, third]),
            (e: unknown) =>
              isStoreError(e, "migration_checksum_mismatch") && /0002_gadgets was changed after it was applied/.test(e.message) && e.context["number"] === 2,
          );
          // Nothing after the mismatch was applied.
          assert.equal(await tableExists(client, "widgets"), true);
          assert.deepEqual((await readHistory(client)).map((m) => m.number), [1, 2]);
        } finally {
          await client.close();
        }
      }));

    it("refuse a database migrated by a newer Tributary", () =>
      withDatabase(engine, async (database) => {
        const client = await database.openClient();
        try {
          await migrate(client, [first, second, third]);
          await assert.rejects(
            migrate(client, [first]),
            (e: unknown) =>
              isStoreError(e, "database_newer_than_code") &&
              /migrated by a newer Tributary \(migration 0003_widget_names\)/.test(e.message) &&
              /Upgrade Tributary/.test(e.message),
          );
        } finally {
          await client.close();
        }
      }));

    it("leave the database at the previous migration when one fails", () =>
      withDatabase(engine, async (database) => {
        const client = await database.openClient();
        try {
          const broken = defineMigration(2, "broken", "CREATE TABLE half_done (id integer);\nALTER TABLE no_such_table ADD COLUMN x integer;");
          await assert.rejects(
            migrate(client, [first, broken]),
            (e: unknown) => isStoreError(e, "migration_failed") && /0002_broken failed/.test(e.message) && e.context["sqlState"] === "42P01",
          );
          assert.deepEqual((await readHistory(client)).map((m) => m.number), [1]);
          assert.equal(await tableExists(client, "half_done"), false, "the failed migration's first statement was rolled back");
          // Fixed in the next release, it applies.
          const fixed = defineMigration(2, "broken", "CREATE TABLE half_done (id integer);");
          assert.deepEqual((await migrate(client, [first, fixed])).applied.map((m) => m.number), [2]);
        } finally {
          await client.close();
        }
      }));

    it("apply each migration exactly once when two migrators run at the same time", () =>
      withDatabase(engine, async (database) => {
        // Two connections on Postgres (two processes, as far as the server can tell). On PGlite a second
        // process is kept out of the data directory, so the race is two callers on the one client.
        const clientA = await database.openClient();
        const clientB = engine.name === "postgres" ? await database.openClient() : clientA;
        try {
          const migrations = [first, second, third];
          const [a, b] = await Promise.all([migrate(clientA, migrations), migrate(clientB, migrations)]);
          const appliedNumbers = [...a.applied, ...b.applied].map((m) => m.number).sort();
          assert.deepEqual(appliedNumbers, [1, 2, 3], "every migration applied once, by one of the two");
          assert.equal(a.current, 3);
          assert.equal(b.current, 3);
          assert.deepEqual((await readHistory(clientA)).map((m) => m.number), [1, 2, 3]);
        } finally {
          await clientA.close();
          if (clientB !== clientA) await clientB.close();
        }
      }));

    it("let two stores open a fresh database at the same time", () =>
      withDatabase(engine, async (database) => {
        if (engine.name === "pglite") {
          // The data directory's lock turns the second opener away before it migrates anything.
          const store = await database.openStore();
          await assert.rejects(database.openStore(), (e: unknown) => isStoreError(e, "data_dir_locked"));
          await store.close();
          return;
        }
        const stores = await Promise.all([database.openStore(), database.openStore(), database.openStore()]);
        await Promise.all(stores.map((store) => store.close()));
        const client = await database.openClient();
        try {
          assert.deepEqual(
            (await readHistory(client)).map((m) => m.number),
            loadMigrations().map((m) => m.number),
          );
        } finally {
          await client.close();
        }
      }));

    it("make openCatalogStore fail clearly on an edited or newer database", () =>
      withDatabase(engine, async (database) => {
        const store = await database.openStore();
        await store.close();
        const client = await database.openClient();
        try {
          await client.query("UPDATE tributary_migrations SET checksum = $1 WHERE number = 1", ["0".repeat(64)]);
        } finally {
          await client.close();
        }
        await assert.rejects(database.openStore(), (e: unknown) => isStoreError(e, "migration_checksum_mismatch") && /0001_definitions/.test(e.message));

        const repair = await database.openClient();
        try {
          await repair.query("UPDATE tributary_migrations SET checksum = $1 WHERE number = 1", [loadMigrations()[0]?.checksum]);
          // One past the newest migration the code ships.
          await repair.query("INSERT INTO tributary_migrations (number, name, checksum) VALUES ($1, 'future_feature', $2)", [loadMigrations().length + 1, "f".repeat(64)]);
        } finally {
          await repair.close();
        }
        await assert.rejects(
          database.openStore(),
          (e: unknown) => isStoreError(e, "database_newer_than_code") && e.message.includes(`newer Tributary (migration ${formatMigrationNumber(loadMigrations().length + 1)}_future_feature)`),
        );
      }));
  });
}
