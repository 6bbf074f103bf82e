/**
 * The driver layer: one small interface over two Postgres engines.
 *
 * - PGlite: Postgres compiled to WebAssembly, running inside this process on a data directory on disk (or in
 *   memory for tests). The default, so a fresh clone needs no database server.
 * - pg: a pool of connections to a real Postgres server, chosen by a DATABASE_URL.
 *
 * Everything above this file speaks one SQL dialect (Postgres's) through {@link SqlClient} and never learns
 * which engine runs it. Values come back the same on both: int8 as a JS number, timestamptz as a Date, bytea
 * as a Uint8Array (a Buffer on pg), json/jsonb parsed.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import type { Transaction as PgliteTransaction } from "@electric-sql/pglite";
import pg from "pg";
import { acquireDataDirLock } from "./data-dir-lock.ts";
import type { ReleaseLock } from "./data-dir-lock.ts";
import { StoreError, redactDatabaseUrl, scrubSecret } from "./errors.ts";
import { silentLogger } from "./logger.ts";
import type { StoreLogger } from "./logger.ts";

/** Which engine runs the SQL. */
export type SqlDialect = "pglite" | "postgres";

/**
 * A connection to a Postgres-dialect database. Statements take `$1, $2…` parameters, never interpolated
 * values. Inside {@link SqlClient.transaction}, use only the `tx` client the callback receives.
 */
export interface SqlClient {
  readonly dialect: SqlDialect;
  /** The schema every unqualified name resolves to, or null for the database's default search path. */
  readonly schema: string | null;
  /**
   * Runs one statement and returns its rows. The row type is the caller's promise about the selected columns
   * (it is not checked at run time), so select exactly the columns `T` names.
   */
  query<T extends object = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a script of several statements, without parameters (migrations). */
  exec(script: string): Promise<void>;
  /**
   * Runs `fn` in a transaction on one connection: committed when `fn` resolves, rolled back when it throws
   * (and the error rethrown). Called on a transaction's client it opens a savepoint, so a nested failure
   * rolls back only the nested part. Transactions never interleave on the embedded database.
   */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
  /** Closes the connection(s); a second call is harmless. A transaction's client cannot be closed. */
  close(): Promise<void>;
  /**
   * A connection of its own, outside the pool, for state that lives as long as a session: the scheduler's
   * leader lock (a session advisory lock, released by Postgres the moment the process dies). Null on the
   * embedded database (one process owns it: its data directory is locked) and on a transaction's client.
   */
  openSession(): Promise<SqlSession | null>;
}

/** A dedicated connection; `lost` is set once it fails (then the session's locks are gone too). */
export interface SqlSession {
  query<T extends object = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  readonly lost: boolean;
  close(): Promise<void>;
}

/** How to reach the database: a Postgres server when `databaseUrl` is set, else the embedded one. */
export interface SqlClientOptions {
  /** `postgres://user:password@host:port/database`; null or empty means the embedded database. */
  readonly databaseUrl?: string | null;
  /**
   * Tributary's data directory; the embedded database lives in `<dataDir>/pgdata`. `memory://` keeps it in
   * memory (tests). Defaults to `.tributary` in the working directory.
   */
  readonly dataDir?: string;
  /**
   * Puts every table in this schema instead of the default one (created when missing). Lets several
   * Tributary installations, or parallel test runs, share one Postgres database.
   */
  readonly schema?: string | null;
  readonly logger?: StoreLogger;
  /** Most connections the pool opens to a Postgres server (default 10). */
  readonly maxConnections?: number;
  /** How long to wait for a Postgres connection before failing (default 10 s). */
  readonly connectTimeoutMs?: number;
  /** See {@link PgliteClientOptions.initialData} (the embedded database only). */
  readonly initialData?: Blob | null;
}

/** The default data directory, relative to the working directory. */
export const DEFAULT_DATA_DIR = ".tributary";

/** The `dataDir` value that keeps the embedded database in memory. */
export const IN_MEMORY = "memory://";

/** Where the embedded database of a data directory lives: `<dataDir>/pgdata` (or in memory). */
export function embeddedDatabaseDir(dataDir: string = DEFAULT_DATA_DIR): string {
  return dataDir === IN_MEMORY ? IN_MEMORY : join(resolve(dataDir), "pgdata");
}

/** Whether the embedded database in `pgdataDir` has yet to be created (initdb never ran there). */
export function isNewEmbeddedDatabase(pgdataDir: string): boolean {
  return pgdataDir === IN_MEMORY || !existsSync(join(pgdataDir, "PG_VERSION"));
}

/** Opens the client the options describe: pg for a database URL, PGlite otherwise. */
export async function openSqlClient(options: SqlClientOptions = {}): Promise<SqlClient> {
  const databaseUrl = options.databaseUrl?.trim();
  return databaseUrl ? createPostgresClient({ ...options, databaseUrl }) : createPgliteClient(options);
}

// A schema name goes into `SET search_path` and a libpq `options` string, where it cannot be a parameter:
// accepting only plain lower-case identifiers keeps both free of quoting and injection concerns.
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function checkSchema(schema: string | null | undefined): string | null {
  if (schema === null || schema === undefined || schema === "") return null;
  if (!SCHEMA_NAME.test(schema)) {
    throw new StoreError(
      "invalid_options",
      `Schema name "${schema}" is not allowed: use lower-case letters, digits and underscores (at most 63), ` +
        `not starting with a digit.`,
      { schema },
    );
  }
  return schema;
}

/** The SQL that creates the client's schema when it has one (run by the migrator, under its lock). */
export function createSchemaStatement(client: SqlClient): string | null {
  // Safe to interpolate: the name passed checkSchema.
  return client.schema === null ? null : `CREATE SCHEMA IF NOT EXISTS ${client.schema}`;
}

// ---------------------------------------------------------------------------------------------------------
// Errors

interface DriverDatabaseError {
  readonly message: string;
  readonly code?: string;
  readonly detail?: string;
  readonly hint?: string;
  readonly constraint?: string;
  readonly table?: string;
  readonly column?: string;
  readonly schema?: string;
}

function isDatabaseError(error: unknown): error is DriverDatabaseError {
  return (
    error instanceof Error && typeof (error as DriverDatabaseError).code === "string" && /^[0-9A-Z]{5}$/.test((error as DriverDatabaseError).code ?? "")
  );
}

/**
 * A driver's error as a `query_failed` StoreError. A database error keeps its SQLSTATE and fields but not
 * the driver's object: PGlite attaches the statement's parameters to it, which may be megabytes of snapshot.
 */
function toQueryError(error: unknown, sql: string): unknown {
  if (error instanceof StoreError) return error;
  const statement = sql.replace(/\s+/g, " ").trim().slice(0, 200);
  if (isDatabaseError(error)) {
    return new StoreError("query_failed", `${error.message} (SQLSTATE ${error.code})`, {
      sqlState: error.code,
      detail: error.detail ?? null,
      hint: error.hint ?? null,
      constraint: error.constraint ?? null,
      table: error.table ?? null,
      column: error.column ?? null,
      statement,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new StoreError("query_failed", message, { sqlState: null, statement }, { cause: error });
}

/** The SQLSTATE of a `query_failed` StoreError, or null. */
export function sqlStateOf(error: unknown): string | null {
  if (!(error instanceof StoreError)) return null;
  const state = error.context["sqlState"];
  return typeof state === "string" ? state : null;
}

function closedError(what: string): StoreError {
  return new StoreError("closed", `${what} is closed.`);
}

// ---------------------------------------------------------------------------------------------------------
// Transactions shared by both drivers: one connection's way to run statements, and savepoints for nesting.

interface Executor {
  query<T>(sql: string, params: readonly unknown[]): Promise<T[]>;
  exec(script: string): Promise<void>;
}

/** A transaction's client: runs on one connection, nests with savepoints, refuses use once finished. */
class TransactionClient implements SqlClient {
  #finished = false;

  constructor(
    readonly dialect: SqlDialect,
    readonly schema: string | null,
    private readonly executor: Executor,
    private readonly depth: number,
  ) {}

  finish(): void {
    this.#finished = true;
  }

  #check(): void {
    // A statement sent after COMMIT would run outside the transaction (or in the next one, on PGlite).
    if (this.#finished) throw closedError("This transaction");
  }

  async query<T extends object = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    this.#check();
    return this.executor.query<T>(sql, params);
  }

  async exec(script: string): Promise<void> {
    this.#check();
    await this.executor.exec(script);
  }

  async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    this.#check();
    const savepoint = `tributary_savepoint_${this.depth + 1}`;
    await this.executor.exec(`SAVEPOINT ${savepoint}`);
    const nested = new TransactionClient(this.dialect, this.schema, this.executor, this.depth + 1);
    try {
      const result = await fn(nested);
      await this.executor.exec(`RELEASE SAVEPOINT ${savepoint}`);
      return result;
    } catch (error) {
      await this.executor.exec(`ROLLBACK TO SAVEPOINT ${savepoint}`);
      throw error;
    } finally {
      nested.finish();
    }
  }

  async close(): Promise<void> {
    throw new StoreError("invalid_options", "A transaction's client cannot be closed; close the client that opened it.");
  }

  async openSession(): Promise<SqlSession | null> {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------------------
// PGlite

/** Options of {@link createPgliteClient}. */
export interface PgliteClientOptions {
  /** See {@link SqlClientOptions.dataDir}. */
  readonly dataDir?: string;
  readonly schema?: string | null;
  readonly logger?: StoreLogger;
  /**
   * A data directory dumped as a tarball (./template.ts) that a database being created starts from instead of
   * running initdb; ignored when the database already exists.
   */
  readonly initialData?: Blob | null;
}

/**
 * Opens the embedded database in `<dataDir>/pgdata` (created on first use) and takes the data directory's
 * lock, so a second process gets a clear error instead of a corrupted database.
 */
export async function createPgliteClient(options: PgliteClientOptions = {}): Promise<SqlClient> {
  const schema = checkSchema(options.schema);
  const logger = options.logger ?? silentLogger;
  const dataDir = options.dataDir ?? DEFAULT_DATA_DIR;
  let release: ReleaseLock = async () => undefined;
  let pgliteDataDir: string = IN_MEMORY;
  if (dataDir !== IN_MEMORY) {
    const absolute = resolve(dataDir);
    await mkdir(absolute, { recursive: true });
    pgliteDataDir = join(absolute, "pgdata");
    release = await acquireDataDirLock(join(absolute, "pgdata.lock"), pgliteDataDir);
  }
  const started = performance.now();
  const fromTemplate = options.initialData != null && isNewEmbeddedDatabase(pgliteDataDir);
  let db: PGlite;
  try {
    db = await PGlite.create(pgliteDataDir, {
      serializers: { [BYTEA_OID]: byteaToHex },
      parsers: { [BYTEA_OID]: byteaFromHex },
      ...(fromTemplate && options.initialData ? { loadDataDir: options.initialData } : {}),
    });
    if (schema !== null) await db.exec(`SET search_path TO ${schema}`);
  } catch (error) {
    await release();
    throw new StoreError(
      "connection_failed",
      `Could not open the embedded database at ${pgliteDataDir}: ${error instanceof Error ? error.message : String(error)}`,
      { dataDir: pgliteDataDir },
      { cause: error },
    );
  }
  logger.debug({ dataDir: pgliteDataDir, fromTemplate, ms: Math.round(performance.now() - started) }, "opened the embedded database");
  return new PgliteClient(db, schema, release);
}

/** The embedded database's data directory as a gzip'd tarball (what {@link PgliteClientOptions.initialData} takes). */
export async function dumpEmbeddedDatabase(client: SqlClient): Promise<Blob> {
  if (!(client instanceof PgliteClient)) throw new StoreError("invalid_options", "Only the embedded database (PGlite) can be dumped as a data directory.");
  return client.dumpDataDir();
}

const BYTEA_OID = 17;

// PGlite's own bytea conversions go byte by byte in JavaScript: a 6 MB snapshot took 3.9 s to insert and
// 1.3 s to read. Node's native hex codec does the same in 0.36 s and 0.17 s.
function byteaToHex(value: unknown): string {
  if (!(value instanceof Uint8Array)) throw new StoreError("invalid_input", "A bytea parameter must be a Uint8Array.");
  return `\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("hex")}`;
}

function byteaFromHex(text: string): Uint8Array {
  return Buffer.from(text.slice(2), "hex");
}

class PgliteClient implements SqlClient {
  readonly dialect = "pglite";
  #closed = false;
  // PGlite already queues a statement behind an open transaction. That means a statement sent on the outer
  // client from inside the transaction's own callback waits for the transaction, which waits for the
  // callback: a silent deadlock. The transaction's async context lets us see that and throw instead.
  readonly #insideTransaction = new AsyncLocalStorage<object>();
  #openTransactions = new Set<object>();

  constructor(
    private readonly db: PGlite,
    readonly schema: string | null,
    private readonly release: ReleaseLock,
  ) {}

  async dumpDataDir(): Promise<Blob> {
    this.#check();
    return this.db.dumpDataDir("gzip");
  }

  #check(): void {
    if (this.#closed) throw closedError("The embedded database");
    const token = this.#insideTransaction.getStore();
    if (token !== undefined && this.#openTransactions.has(token)) {
      throw new StoreError(
        "wrong_client_in_transaction",
        "A statement was sent on the outer client from inside one of its transactions; use the transaction's " +
          "client (the callback's argument). On the embedded database this would wait for itself forever.",
      );
    }
  }

  async query<T extends object = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    this.#check();
    try {
      const result = await this.db.query<T>(sql, [...params]);
      return result.rows;
    } catch (error) {
      throw toQueryError(error, sql);
    }
  }

  async exec(script: string): Promise<void> {
    this.#check();
    try {
      await this.db.exec(script);
    } catch (error) {
      throw toQueryError(error, script);
    }
  }

  async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    this.#check();
    const token = {};
    try {
      // PGlite's transaction holds its single connection for the whole callback: other statements and
      // transactions queue behind it, so nothing interleaves.
      return await this.db.transaction(async (pgliteTx: PgliteTransaction) => {
        const tx = new TransactionClient("pglite", this.schema, pgliteExecutor(pgliteTx), 0);
        this.#openTransactions.add(token);
        try {
          return await this.#insideTransaction.run(token, () => fn(tx));
        } finally {
          this.#openTransactions.delete(token);
          tx.finish();
        }
      });
    } catch (error) {
      // A COMMIT that PGlite turned into a ROLLBACK (the transaction had failed) arrives as a driver error.
      throw error instanceof StoreError || !isDatabaseError(error) ? error : toQueryError(error, "COMMIT");
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.db.close();
    } finally {
      await this.release();
    }
  }

  async openSession(): Promise<SqlSession | null> {
    return null;
  }
}

function pgliteExecutor(tx: PgliteTransaction): Executor {
  return {
    async query<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
      try {
        return (await tx.query<T>(sql, [...params])).rows;
      } catch (error) {
        throw toQueryError(error, sql);
      }
    },
    async exec(script: string): Promise<void> {
      try {
        await tx.exec(script);
      } catch (error) {
        throw toQueryError(error, script);
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// pg

/** Options of {@link createPostgresClient}. */
export interface PostgresClientOptions {
  readonly databaseUrl: string;
  readonly schema?: string | null;
  readonly logger?: StoreLogger;
  readonly maxConnections?: number;
  readonly connectTimeoutMs?: number;
}

const INT8_OID = 20;
const INT8_ARRAY_OID = 1016;

// pg returns int8 as a string (it may exceed 2^53); PGlite returns a number. Our int8 columns are ids and
// counts far below 2^53, so pg is told to parse them as numbers too, per pool rather than process-wide.
// pg's own declaration only accepts the oids it names; ours are plain numbers.
const builtinParser = pg.types.getTypeParser as (oid: number, format: "text" | "binary") => (value: string) => unknown;
const pgTypes = {
  getTypeParser(oid: number, format: "text" | "binary" = "text") {
    if (format === "text" && oid === INT8_OID) return (value: string) => Number(value);
    if (format === "text" && oid === INT8_ARRAY_OID) {
      const parseArray = builtinParser(oid, "text") as (value: string) => (string | null)[];
      return (value: string) => parseArray(value).map((item) => (item === null ? null : Number(item)));
    }
    return builtinParser(oid, format);
  },
} as pg.CustomTypesConfig;

/** Where a URL points, for messages: host, port, database, user, never the password. */
function describeTarget(databaseUrl: string): { host: string | null; port: string | null; database: string | null; user: string | null; password: string | null } {
  try {
    const url = new URL(databaseUrl);
    return {
      host: url.hostname || null,
      port: url.port || null,
      database: decodeURIComponent(url.pathname.replace(/^\//, "")) || null,
      user: decodeURIComponent(url.username) || null,
      password: url.password ? decodeURIComponent(url.password) : url.searchParams.get("password"),
    };
  } catch {
    return { host: null, port: null, database: null, user: null, password: null };
  }
}

function describeConnectionFailure(error: unknown): { message: string; code: string | null } {
  if (!(error instanceof Error)) return { message: String(error), code: null };
  const code = (error as NodeJS.ErrnoException).code ?? null;
  // Node reports a refused "localhost" (tried on ::1 and 127.0.0.1) as an AggregateError with no message.
  const message =
    error.message ||
    (error instanceof AggregateError ? error.errors.map((e: unknown) => (e instanceof Error ? e.message : String(e))).join("; ") : "") ||
    code ||
    error.name;
  return { message, code };
}

/**
 * Opens a pool of connections to a Postgres server and checks that one connection works, so a wrong URL
 * fails here with a clear error rather than at the first query. Messages and contexts name the host and
 * database but never the password.
 */
export async function createPostgresClient(options: PostgresClientOptions): Promise<SqlClient> {
  const schema = checkSchema(options.schema);
  const logger = options.logger ?? silentLogger;
  const redacted = redactDatabaseUrl(options.databaseUrl);
  const target = describeTarget(options.databaseUrl);
  const scrub = (text: string) => scrubSecret(text, target.password);
  let searchPathOption: string | undefined;
  if (schema !== null) {
    if (/[?&]options=/.test(options.databaseUrl)) {
      throw new StoreError(
        "invalid_options",
        `The database URL ${redacted} sets "options" and a schema was given too; set the schema in one place.`,
        { url: redacted, schema },
      );
    }
    // A startup option rather than a SET after connecting: every connection the pool ever opens gets it,
    // before any statement runs.
    searchPathOption = `-c search_path=${schema}`;
  }
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    application_name: "tributary",
    types: pgTypes,
    ...(searchPathOption === undefined ? {} : { options: searchPathOption }),
  });
  // An idle connection dropped by the server would otherwise crash the process as an unhandled 'error'.
  pool.on("error", (error) => {
    logger.warn({ url: redacted, error: scrub(error.message) }, "an idle Postgres connection failed; the pool will replace it");
  });
  try {
    const connection = await pool.connect();
    connection.release();
  } catch (error) {
    await pool.end().catch(() => undefined);
    const failure = describeConnectionFailure(error);
    const where = [target.host && `host ${target.host}${target.port ? `:${target.port}` : ""}`, target.database && `database ${target.database}`]
      .filter(Boolean)
      .join(", ");
    // No `cause`: a driver's error may carry the connection parameters, and printing it must stay safe.
    throw new StoreError(
      "connection_failed",
      `Could not connect to Postgres at ${redacted}${where ? ` (${where})` : ""}: ${scrub(failure.message)}`,
      { url: redacted, host: target.host, port: target.port, database: target.database, user: target.user, errorCode: failure.code },
    );
  }
  logger.debug({ url: redacted, schema }, "connected to Postgres");
  const sessionConfig: pg.ClientConfig = {
    connectionString: options.databaseUrl,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    application_name: "tributary-session",
    types: pgTypes,
    // Keepalives make a dead peer (the server, or the network to it) show up as a lost session.
    keepAlive: true,
    ...(searchPathOption === undefined ? {} : { options: searchPathOption }),
  };
  return new PostgresClient(pool, schema, redacted, scrub, sessionConfig, logger);
}

class PostgresClient implements SqlClient {
  readonly dialect = "postgres";
  #closed = false;

  readonly #sessions = new Set<pg.Client>();

  constructor(
    private readonly pool: pg.Pool,
    readonly schema: string | null,
    private readonly redactedUrl: string,
    private readonly scrub: (text: string) => string,
    private readonly sessionConfig: pg.ClientConfig,
    private readonly logger: StoreLogger,
  ) {}

  async openSession(): Promise<SqlSession | null> {
    this.#check();
    const connection = new pg.Client(this.sessionConfig);
    let lost = false;
    connection.on("error", (error) => {
      lost = true;
      this.logger.warn({ url: this.redactedUrl, error: this.scrub(error.message) }, "a Postgres session connection failed");
    });
    connection.on("end", () => {
      lost = true;
    });
    try {
      await connection.connect();
    } catch (error) {
      throw this.#wrap(error, "connect");
    }
    this.#sessions.add(connection);
    const sessions = this.#sessions;
    const wrap = (error: unknown, sql: string) => this.#wrap(error, sql);
    return {
      get lost() {
        return lost;
      },
      async query<T extends object = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
        try {
          return (await connection.query(sql, [...params])).rows as T[];
        } catch (error) {
          throw wrap(error, sql);
        }
      },
      async close() {
        if (!sessions.delete(connection)) return;
        lost = true;
        await connection.end().catch(() => undefined);
      },
    };
  }

  #check(): void {
    if (this.#closed) throw closedError(`The Postgres client for ${this.redactedUrl}`);
  }

  async query<T extends object = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    this.#check();
    try {
      const result = await this.pool.query(sql, [...params]);
      return result.rows as T[];
    } catch (error) {
      throw this.#wrap(error, sql);
    }
  }

  async exec(script: string): Promise<void> {
    this.#check();
    try {
      // No parameters: pg sends it as a simple query, which may hold several statements.
      await this.pool.query(script);
    } catch (error) {
      throw this.#wrap(error, script);
    }
  }

  async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    this.#check();
    let connection: pg.PoolClient;
    try {
      connection = await this.pool.connect();
    } catch (error) {
      throw this.#wrap(error, "BEGIN");
    }
    const executor = postgresExecutor(connection, (error, sql) => this.#wrap(error, sql));
    const tx = new TransactionClient("postgres", this.schema, executor, 0);
    // A connection whose ROLLBACK failed is in an unknown state: destroy it rather than return it to the pool.
    let broken: Error | undefined;
    try {
      await executor.exec("BEGIN");
      const result = await fn(tx);
      tx.finish();
      await executor.exec("COMMIT");
      return result;
    } catch (error) {
      tx.finish();
      try {
        await connection.query("ROLLBACK");
      } catch (rollbackError) {
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      }
      throw error;
    } finally {
      connection.release(broken);
    }
  }

  #wrap(error: unknown, sql: string): unknown {
    const wrapped = toQueryError(error, sql);
    if (wrapped instanceof StoreError && wrapped.code === "query_failed" && !isDatabaseError(error)) {
      // A lost connection's message can name the server; make sure it cannot carry the password.
      return new StoreError("query_failed", this.scrub(wrapped.message), { ...wrapped.context, url: this.redactedUrl });
    }
    return wrapped;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#sessions].map((session) => session.end().catch(() => undefined)));
    this.#sessions.clear();
    await this.pool.end();
  }
}

function postgresExecutor(connection: pg.PoolClient, wrap: (error: unknown, sql: string) => unknown): Executor {
  return {
    async query<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
      try {
        return (await connection.query(sql, [...params])).rows as T[];
      } catch (error) {
        throw wrap(error, sql);
      }
    },
    async exec(script: string): Promise<void> {
      try {
        await connection.query(script);
      } catch (error) {
        throw wrap(error, script);
      }
    },
  };
}
