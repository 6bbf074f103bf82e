/**
 * A fresh database per test on each engine, for the store's tests and for later tests that need a store.
 * Not imported by the store itself.
 */
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { createCatalogStore, openCatalogStore } from "./index.ts";
import type { CatalogStore, CatalogStoreOptions } from "./index.ts";
import type { AssetEventInput } from "../model/index.ts";
import { recordAssetEvents } from "./events.ts";
import { openSqlClient } from "./sql-client.ts";
import type { SqlClient } from "./sql-client.ts";

/** The Postgres server the tests use: `TEST_DATABASE_URL`, or a local one with trust auth. */
export const TEST_DATABASE_URL = process.env["TEST_DATABASE_URL"] || "postgres://postgres@127.0.0.1:5432/test";

/** True when the run asked to skip the Postgres half of the suites (`TRIBUTARY_SKIP_POSTGRES_TESTS=1`). */
export const SKIP_POSTGRES = process.env["TRIBUTARY_SKIP_POSTGRES_TESTS"] === "1";

/** A fresh, empty database on one engine, for one test. */
export interface TestDatabase {
  readonly engine: "pglite" | "postgres";
  /** The options that open this database (its own data directory, or its own schema). */
  readonly options: CatalogStoreOptions;
  /** Opens a store on it (migrating it); may be called again after closing, to test restarts. */
  openStore(extra?: Partial<CatalogStoreOptions>): Promise<CatalogStore>;
  /** Opens a raw client on it (no migrations). */
  openClient(): Promise<SqlClient>;
  /** Removes the data directory or drops the schema. Close every store first. */
  dispose(): Promise<void>;
}

/** One engine the suites run against. */
export interface TestEngine {
  readonly name: "pglite" | "postgres";
  /** Set when this engine's tests must be skipped, with the reason. */
  readonly skip: string | false;
  createDatabase(): Promise<TestDatabase>;
}

let postgresChecked: Promise<void> | undefined;

/**
 * Fails with a clear message when the test server cannot be reached: CI starts one, so a missing server is
 * a broken setup, not a reason to pass silently.
 */
function checkPostgresReachable(): Promise<void> {
  postgresChecked ??= (async () => {
    try {
      const client = await openSqlClient({ databaseUrl: TEST_DATABASE_URL, connectTimeoutMs: 5_000 });
      await client.close();
    } catch (error) {
      throw new Error(
        `The Postgres tests cannot reach TEST_DATABASE_URL (${error instanceof Error ? error.message : String(error)}). ` +
          `Start a server (CI does), point TEST_DATABASE_URL at one, or set TRIBUTARY_SKIP_POSTGRES_TESTS=1 to skip them.`,
        { cause: error },
      );
    }
  })();
  return postgresChecked;
}

let pgliteTemplate: Promise<string> | undefined;

/**
 * An initialised, empty PGlite data directory, made once per test process. initdb takes about 7 s;
 * copying its result and opening the copy takes about 1 s, which keeps "a fresh database per test" cheap.
 */
function emptyPgliteDataDir(): Promise<string> {
  pgliteTemplate ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), "tributary-pglite-template-"));
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    const db = await PGlite.create(join(dir, "pgdata"));
    await db.close();
    return join(dir, "pgdata");
  })();
  return pgliteTemplate;
}

/** The embedded engine: each database is a new temporary data directory. */
export const pgliteEngine: TestEngine = {
  name: "pglite",
  skip: false,
  async createDatabase() {
    const template = await emptyPgliteDataDir();
    const dataDir = await mkdtemp(join(tmpdir(), "tributary-store-test-"));
    await cp(template, join(dataDir, "pgdata"), { recursive: true });
    const options: CatalogStoreOptions = { databaseUrl: null, dataDir };
    return {
      engine: "pglite",
      options,
      openStore: (extra = {}) => openCatalogStore({ ...options, ...extra }),
      openClient: () => openSqlClient(options),
      dispose: () => rm(dataDir, { recursive: true, force: true }),
    };
  },
};

/** The server engine: each database is a new schema with a random name in `TEST_DATABASE_URL`'s database. */
export const postgresEngine: TestEngine = {
  name: "postgres",
  skip: SKIP_POSTGRES ? "TRIBUTARY_SKIP_POSTGRES_TESTS=1" : false,
  async createDatabase() {
    await checkPostgresReachable();
    const schema = `tributary_test_${randomBytes(6).toString("hex")}`;
    const options: CatalogStoreOptions = { databaseUrl: TEST_DATABASE_URL, schema };
    return {
      engine: "postgres",
      options,
      openStore: (extra = {}) => openCatalogStore({ ...options, ...extra }),
      openClient: () => openSqlClient(options),
      async dispose() {
        const admin = await openSqlClient({ databaseUrl: TEST_DATABASE_URL });
        try {
          // Safe to interpolate: generated above from hex digits. The runs engine's job queue lives beside it.
          await admin.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${schema}_queue CASCADE`);
        } finally {
          await admin.close();
        }
      },
    };
  },
};

/** Both engines, in the order the suites run them. */
export const testEngines: readonly TestEngine[] = [pgliteEngine, postgresEngine];

/** Runs `fn` on a fresh database of `engine`, disposing of it afterwards whatever happens. */
export async function withDatabase<T>(engine: TestEngine, fn: (database: TestDatabase) => Promise<T>): Promise<T> {
  const database = await engine.createDatabase();
  try {
    return await fn(database);
  } finally {
    await database.dispose();
  }
}

/**
 * A store on a client the test keeps a handle on, for raw SQL beside the store (counting rows, adding a
 * trigger). Closing the store closes the client.
 */
export async function openStoreWithClient(
  database: TestDatabase,
  wrap: (client: SqlClient) => SqlClient = (client) => client,
): Promise<{ store: CatalogStore; client: SqlClient }> {
  const client = await database.openClient();
  try {
    const store = await createCatalogStore(wrap(client));
    return { store, client };
  } catch (error) {
    await client.close();
    throw error;
  }
}

/**
 * Records `events` in a transaction of `client` that stays open (its ids taken) until `commit` is called;
 * `committed` settles when it has. Two of these on separate connections commit out of id order, as
 * concurrent writers on a Postgres server do (the late-commit tests).
 */
export async function openTransaction(client: SqlClient, events: readonly AssetEventInput[]): Promise<{ commit: () => void; committed: Promise<unknown> }> {
  let recorded!: () => void;
  let release!: () => void;
  const isRecorded = new Promise<void>((resolve) => (recorded = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const committed = client.transaction(async (tx) => {
    await recordAssetEvents(tx, events);
    recorded();
    await released;
  });
  // A failure before the events were recorded must fail the test, not leave it waiting.
  await Promise.race([isRecorded, committed]);
  return { commit: release, committed };
}
