/**
 * Snowflake: read through snowflake-sdk (the official driver), one session per call, logged in and destroyed
 * within it (the driver forgets the password after logging in). Relations, row counts, bytes and last-altered
 * come from each configured database's `INFORMATION_SCHEMA.TABLES`, columns from its `INFORMATION_SCHEMA.COLUMNS`
 * (Snowflake keeps exact row counts and sizes of tables in its metadata: no scan). Logs in with a password or a
 * key pair (SNOWFLAKE_JWT); `accessUrl` points the driver elsewhere than `https://<account>.snowflakecomputing.com`
 * (a private link, a proxy, a stand-in). The driver is loaded on first use: it brings the AWS and Azure SDKs,
 * which a catalog without Snowflake never needs. Errors name the account and never a password or key.
 */
import type SnowflakeSdk from "snowflake-sdk";
import type { Connection } from "snowflake-sdk";
import type { RelationDescription, WarehouseCallOptions, WarehouseColumn, WarehouseEngine, WarehouseRelation } from "../engine.ts";
import { WarehouseError, numberOrNull, throwIfAborted, withinTimeout } from "../engine.ts";
import { IDENTIFIER_RULES, findRelations, foldUnquoted } from "../identifiers.ts";

export interface SnowflakeWarehouseOptions {
  /** The account identifier (`myorg-myaccount`, `xy12345.eu-west-1`). */
  readonly account: string;
  readonly user: string;
  readonly password?: string | null;
  /** A PKCS#8 private key (PEM text) for key-pair login; or `privateKeyPath`. */
  readonly privateKey?: string | null;
  readonly privateKeyPath?: string | null;
  readonly privateKeyPassphrase?: string | null;
  readonly role?: string | null;
  /** The virtual warehouse that runs the metadata queries. */
  readonly warehouse?: string | null;
  /** The databases to read (written as in dbt's profile: unquoted, so folded to upper case). */
  readonly databases: readonly string[];
  /** Only these schemas (default every schema but INFORMATION_SCHEMA). */
  readonly schemas?: readonly string[] | null;
  /** Where the driver connects (default https://<account>.snowflakecomputing.com). */
  readonly accessUrl?: string | null;
  /** How long one call may take, login included (default 60 s). */
  readonly timeoutMs?: number;
}

export interface SnowflakeWarehouse extends WarehouseEngine {
  readonly type: "snowflake";
}

type Row = Record<string, unknown>;
type Sdk = typeof SnowflakeSdk;

let sdk: Promise<Sdk> | null = null;
function loadSdk(): Promise<Sdk> {
  sdk ??= import("snowflake-sdk").then((module) => {
    const loaded = ((module as unknown as { default?: Sdk }).default ?? module) as Sdk;
    // The driver logs to a file in the working directory by default; Tributary reports its errors itself.
    loaded.configure({ logLevel: "OFF" });
    return loaded;
  });
  return sdk;
}

/** Snowflake's login failures (390100 wrong user or password, 390144 bad JWT, 390318 locked user…). */
const AUTH_CODES = /^3901|^3903|^390144$/;

export function createSnowflakeWarehouse(options: SnowflakeWarehouseOptions): SnowflakeWarehouse {
  const { account, user, databases, schemas = null, timeoutMs = 60_000 } = options;
  const origin = `snowflake://${account}${options.accessUrl ? ` at ${options.accessUrl}` : ""}`;
  const secrets = [options.password, options.privateKey, options.privateKeyPassphrase].filter((s): s is string => !!s);
  const redact = (text: string): string => secrets.reduce((t, secret) => t.split(secret).join("***"), text);
  const rules = IDENTIFIER_RULES.snowflake;

  async function withSession<T>(signal: AbortSignal | undefined, work: (query: (sql: string, binds?: string[]) => Promise<Row[]>) => Promise<T>): Promise<T> {
    throwIfAborted(signal, origin);
    const snowflake = await loadSdk();
    let connection: Connection;
    try {
      const keyPair = options.privateKey || options.privateKeyPath;
      connection = snowflake.createConnection({
        account,
        username: user,
        ...(keyPair
          ? {
              authenticator: "SNOWFLAKE_JWT",
              ...(options.privateKey ? { privateKey: options.privateKey } : { privateKeyPath: options.privateKeyPath! }),
              ...(options.privateKeyPassphrase ? { privateKeyPass: options.privateKeyPassphrase } : {}),
            }
          : { password: options.password ?? "" }),
        ...(options.role ? { role: options.role } : {}),
        ...(options.warehouse ? { warehouse: options.warehouse } : {}),
        ...(options.accessUrl ? { accessUrl: options.accessUrl } : {}),
        application: "Tributary",
        // The driver retries a request that times out, with backoff, for minutes; Tributary bounds the whole
        // call itself (timeoutMs), so one request may wait longer than that and is not retried meanwhile.
        timeout: timeoutMs * 2,
        sfRetryMaxLoginRetries: 1,
      });
    } catch (error) {
      throw new WarehouseError("warehouse_unreachable", `Cannot set up the Snowflake connection to ${origin}: ${redact(message(error))}`);
    }
    const run = async (): Promise<T> => {
      try {
        // connect's callback, not connectAsync: the driver's connectAsync resolves even when the login fails.
        await new Promise<void>((resolve, reject) => connection.connect((error) => (error ? reject(error) : resolve())));
      } catch (error) {
        const code = String((error as { code?: unknown }).code ?? "");
        if (AUTH_CODES.test(code)) throw new WarehouseError("warehouse_auth_failed", `Snowflake refused the login of ${user} to ${origin}: ${redact(message(error))}`);
        throw new WarehouseError("warehouse_unreachable", `Cannot connect to the Snowflake warehouse ${origin}: ${redact(message(error))}`);
      }
      const query = (sqlText: string, binds: string[] = []): Promise<Row[]> =>
        new Promise((resolve, reject) => {
          connection.execute({
            sqlText,
            binds,
            complete: (error, _statement, rows) => (error ? reject(error) : resolve((rows ?? []) as Row[])),
          });
        });
      try {
        return await work(query);
      } catch (error) {
        if (error instanceof WarehouseError) throw error;
        throw new WarehouseError("warehouse_query_failed", `Reading the Snowflake warehouse ${origin} failed: ${redact(message(error))}`);
      } finally {
        // Closing the session is part of the call (Snowflake keeps an idle session for hours otherwise); after a
        // timeout it happens once the driver's pending request ends (destroying earlier makes it retry).
        if (connection.isUp()) await new Promise<void>((resolve) => connection.destroy(() => resolve()));
      }
    };
    return withinTimeout(run(), { timeoutMs, signal, what: "Snowflake warehouse", origin });
  }

  /** Binds and the condition for the configured schemas. */
  const schemaFilter = (): { sql: string; binds: string[] } => {
    if (schemas === null || schemas.length === 0) return { sql: "TABLE_SCHEMA <> 'INFORMATION_SCHEMA'", binds: [] };
    const folded = schemas.map((s) => foldUnquoted(s, rules));
    return { sql: `TABLE_SCHEMA IN (${folded.map(() => "?").join(", ")})`, binds: folded };
  };

  type Listed = WarehouseRelation & { rowCount: number | null; bytes: number | null; lastModified: string | null; comment: string | null };

  async function list(query: (sql: string, binds?: string[]) => Promise<Row[]>): Promise<Listed[]> {
    const filter = schemaFilter();
    const listed: Listed[] = [];
    for (const database of databases) {
      const rows = await query(
        `SELECT TABLE_CATALOG, TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE, ROW_COUNT, BYTES, LAST_ALTERED, COMMENT
           FROM ${quote(foldUnquoted(database, rules))}.INFORMATION_SCHEMA.TABLES
          WHERE ${filter.sql}
          ORDER BY TABLE_SCHEMA, TABLE_NAME`,
        filter.binds,
      );
      for (const row of rows) {
        listed.push({
          database: String(row["TABLE_CATALOG"]),
          schema: String(row["TABLE_SCHEMA"]),
          name: String(row["TABLE_NAME"]),
          kind: row["TABLE_TYPE"] === "VIEW" ? "view" : "table",
          rowCount: numberOrNull(row["ROW_COUNT"]),
          bytes: numberOrNull(row["BYTES"]),
          lastModified: row["LAST_ALTERED"] instanceof Date ? row["LAST_ALTERED"].toISOString() : null,
          comment: typeof row["COMMENT"] === "string" && row["COMMENT"] !== "" ? row["COMMENT"] : null,
        });
      }
    }
    return listed;
  }

  return {
    type: "snowflake",
    origin,
    async listRelations(callOptions: WarehouseCallOptions = {}) {
      const listed = await withSession(callOptions.signal, list);
      return listed.map(({ database, schema, name, kind }) => ({ database, schema, name, kind }));
    },
    describe(relations, callOptions: WarehouseCallOptions = {}) {
      if (relations.length === 0) return Promise.resolve([]);
      return withSession(callOptions.signal, async (query) => {
        const wanted = findRelations(relations, await list(query), rules);
        if (wanted.length === 0) return [];
        const columns = new Map<string, WarehouseColumn[]>();
        const filter = schemaFilter();
        for (const database of new Set(wanted.map((relation) => relation.database))) {
          const rows = await query(
            `SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, IS_NULLABLE, DATA_TYPE,
                    CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION, NUMERIC_SCALE
               FROM ${quote(database)}.INFORMATION_SCHEMA.COLUMNS
              WHERE ${filter.sql}
              ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION`,
            filter.binds,
          );
          for (const row of rows) {
            const key = [database, row["TABLE_SCHEMA"], row["TABLE_NAME"]].join("\u0000");
            const found = columns.get(key) ?? [];
            found.push({
              name: String(row["COLUMN_NAME"]),
              type: typeName(row),
              nullable: row["IS_NULLABLE"] === "YES" ? true : row["IS_NULLABLE"] === "NO" ? false : null,
              position: Number(row["ORDINAL_POSITION"]),
            });
            columns.set(key, found);
          }
        }
        return wanted.map(({ rowCount, bytes, lastModified, comment, ...relation }): RelationDescription => ({
          ...relation,
          columns: columns.get([relation.database, relation.schema, relation.name].join("\u0000")) ?? [],
          rowCount: relation.kind === "view" ? null : rowCount,
          rowCountEstimated: false,
          bytes: relation.kind === "view" ? null : bytes,
          lastModified,
          comment,
        }));
      });
    },
  };
}

/** A stored identifier as SQL: `"ANALYTICS"`. */
function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

/** `NUMBER(38,0)`, `TEXT(16777216)`, `TIMESTAMP_NTZ`: INFORMATION_SCHEMA's DATA_TYPE with its size. */
function typeName(row: Row): string {
  const type = String(row["DATA_TYPE"]);
  const precision = numberOrNull(row["NUMERIC_PRECISION"]);
  const scale = numberOrNull(row["NUMERIC_SCALE"]);
  const length = numberOrNull(row["CHARACTER_MAXIMUM_LENGTH"]);
  if (type === "NUMBER" && precision !== null) return `NUMBER(${precision},${scale ?? 0})`;
  if ((type === "TEXT" || type === "BINARY") && length !== null) return `${type}(${length})`;
  return type;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
