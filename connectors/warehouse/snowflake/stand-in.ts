/**
 * A local HTTP stand-in for Snowflake that answers the REST calls snowflake-sdk makes (read from the driver's
 * source, lib/services/sf.js and lib/connection/statement.js): `POST /session/v1/login-request` (password, or
 * SNOWFLAKE_JWT whose RS256 signature it verifies with the user's public key), `POST /queries/v1/query-request`
 * (session token in `Authorization: Snowflake Token="…"`), `POST /telemetry/send` and `POST /session?delete=true`.
 * Query results come as Snowflake sends JSON results: `rowtype` (column metadata), `rowset` (every value a string
 * or null, timestamps as epoch seconds with nanoseconds), `total`, `returned`, `queryResultFormat: "json"`.
 * It answers the two INFORMATION_SCHEMA queries Tributary asks (TABLES and COLUMNS of one database, filtered by
 * the bound schemas) from the tables it is given; any other SQL is a compilation error as Snowflake reports one.
 * Tests only.
 */
import { createVerify, randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface StandInColumn {
  readonly name: string;
  /** INFORMATION_SCHEMA DATA_TYPE: NUMBER, TEXT, TIMESTAMP_NTZ, BOOLEAN… */
  readonly type: string;
  readonly nullable: boolean;
  readonly precision?: number;
  readonly scale?: number;
  readonly length?: number;
}

export interface StandInTable {
  readonly database: string;
  readonly schema: string;
  readonly name: string;
  readonly type: "BASE TABLE" | "VIEW";
  readonly rowCount: number | null;
  readonly bytes: number | null;
  readonly lastAltered: Date;
  readonly comment: string | null;
  readonly columns: readonly StandInColumn[];
}

export interface SnowflakeStandInOptions {
  readonly account: string;
  readonly user: string;
  readonly password?: string;
  /** PEM public key of the user's key pair (Snowflake's RSA_PUBLIC_KEY). */
  readonly publicKey?: string;
  readonly tables: readonly StandInTable[];
  /** Never answer query requests (a hung warehouse). */
  readonly hangQueries?: boolean;
}

export interface SnowflakeStandIn {
  readonly url: string;
  /** Every request: method, path and what the stand-in made of it. */
  readonly requests: { method: string; path: string; sql?: string; binds?: string[]; authenticator?: string }[];
  close(): Promise<void>;
}

const PARAMETERS = [
  { name: "TIMEZONE", value: "America/Los_Angeles" },
  { name: "TIMESTAMP_OUTPUT_FORMAT", value: "YYYY-MM-DD HH24:MI:SS.FF3 TZHTZM" },
  { name: "CLIENT_RESULT_CHUNK_SIZE", value: 160 },
  { name: "QUERY_CONTEXT_CACHE_SIZE", value: 5 },
];

type Text = { kind: "text" } | { kind: "fixed"; scale?: number } | { kind: "timestamp_ltz" };

export async function startSnowflakeStandIn(options: SnowflakeStandInOptions): Promise<SnowflakeStandIn> {
  const sessions = new Set<string>();
  const requests: SnowflakeStandIn["requests"] = [];
  const hung = new Set<(payload: unknown) => void>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const url = new URL(request.url ?? "/", "http://stand-in");
      const body = chunks.length > 0 ? (JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>) : {};
      const record: SnowflakeStandIn["requests"][number] = { method: request.method ?? "", path: url.pathname };
      requests.push(record);
      const send = (payload: unknown, status = 200): void => {
        response.writeHead(status, { "content-type": "application/json", connection: "close" });
        response.end(JSON.stringify(payload));
      };
      if (url.pathname === "/session/v1/login-request") {
        const data = (body["data"] ?? {}) as Record<string, unknown>;
        record.authenticator = String(data["AUTHENTICATOR"] ?? "SNOWFLAKE");
        const accountOk = String(data["ACCOUNT_NAME"]).toUpperCase() === options.account.toUpperCase();
        const userOk = String(data["LOGIN_NAME"]).toUpperCase() === options.user.toUpperCase();
        const jwt = record.authenticator === "SNOWFLAKE_JWT";
        const credentialOk = jwt ? verifyJwt(String(data["TOKEN"] ?? ""), options) : options.password !== undefined && data["PASSWORD"] === options.password;
        if (!accountOk || !userOk || !credentialOk) {
          const code = jwt ? "390144" : "390100";
          send({
            data: { nextAction: "RETRY_LOGIN", authnMethod: jwt ? "KEY_PAIR" : "USERNAME_PASSWORD", loginName: data["LOGIN_NAME"], requestId: url.searchParams.get("requestId"), signInOptions: {}, errorCode: code },
            code,
            message: jwt ? "JWT token is invalid. [a1b2c3d4-0000-0000-0000-000000000000]" : "Incorrect username or password was specified.",
            success: false,
            headers: null,
          });
          return;
        }
        const token = `ver:1-hint:${randomUUID()}`;
        sessions.add(token);
        send({
          data: {
            masterToken: `ver:1-hint:master-${randomUUID()}`,
            token,
            validityInSeconds: 3600,
            masterValidityInSeconds: 14400,
            displayUserName: options.user.toUpperCase(),
            serverVersion: "9.1.0",
            firstLogin: false,
            remMeToken: null,
            remMeValidityInSeconds: 0,
            healthCheckInterval: 45,
            newClientForUpgrade: null,
            sessionId: Math.floor(Math.random() * 1e12),
            parameters: PARAMETERS,
            sessionInfo: { databaseName: null, schemaName: null, warehouseName: url.searchParams.get("warehouse"), roleName: url.searchParams.get("roleName") ?? "PUBLIC" },
            idToken: null,
            idTokenValidityInSeconds: 0,
            responseData: null,
            mfaToken: null,
            mfaTokenValidityInSeconds: 0,
          },
          code: null,
          message: null,
          success: true,
        });
        return;
      }
      const token = /^Snowflake Token="([^"]+)"$/.exec(request.headers.authorization ?? "")?.[1];
      if (!token || !sessions.has(token)) {
        send({ data: null, code: "390104", message: "User must login again to access the service.", success: false, headers: null }, 401);
        return;
      }
      if (url.pathname === "/telemetry/send") return send({ data: "Log Received", code: null, message: null, success: true });
      if (url.pathname === "/session" && url.searchParams.get("delete") === "true") {
        sessions.delete(token);
        return send({ data: null, code: null, message: null, success: true });
      }
      if (url.pathname !== "/queries/v1/query-request") return send({ data: null, code: "404", message: "Not found", success: false }, 404);
      if (options.hangQueries) {
        hung.add(send); // answered only when the stand-in closes
        return;
      }
      const sql = String(body["sqlText"] ?? "");
      const bindings = (body["bindings"] ?? {}) as Record<string, { type: string; value: string }>;
      const binds = Object.keys(bindings).sort((a, b) => Number(a) - Number(b)).map((k) => bindings[k]!.value);
      record.sql = sql;
      record.binds = binds;
      send(answer(sql, binds, options.tables));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    async close() {
      // A hung query is answered as canceled, and the client given a moment to end its sessions: the driver
      // would otherwise retry both against a closed port, with backoff, for most of a minute.
      for (const send of hung) send({ data: { errorCode: "000604", sqlState: "57014" }, code: "000604", message: "SQL execution canceled", success: false, headers: null });
      for (let waited = 0; hung.size > 0 && sessions.size > 0 && waited < 5000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** The answer to one query: rows of INFORMATION_SCHEMA.TABLES or COLUMNS, or the error Snowflake gives. */
function answer(sql: string, binds: readonly string[], tables: readonly StandInTable[]): unknown {
  const target = /FROM\s+"((?:[^"]|"")+)"\.INFORMATION_SCHEMA\.(TABLES|COLUMNS)\b/i.exec(sql);
  if (!target) {
    return { data: { internalError: false, errorCode: "001003", age: 0, sqlState: "42000", queryId: randomUUID(), line: -1, pos: -1, type: "COMPILATION" }, code: "001003", message: `SQL compilation error:\nsyntax error line 1 at position 0 unexpected '${sql.slice(0, 20)}'.`, success: false, headers: null };
  }
  const database = target[1]!.replace(/""/g, '"');
  const inDatabase = tables.filter((t) => t.database === database);
  if (inDatabase.length === 0 && !tables.some((t) => t.database === database)) {
    return { data: { internalError: false, errorCode: "002003", age: 0, sqlState: "02000", queryId: randomUUID(), line: -1, pos: -1, type: "COMPILATION" }, code: "002003", message: `SQL compilation error:\nDatabase '${database}' does not exist or not authorized.`, success: false, headers: null };
  }
  const wantedSchemas = /TABLE_SCHEMA IN \(/i.test(sql) ? new Set(binds) : null;
  const selected = inDatabase.filter((t) => (wantedSchemas ? wantedSchemas.has(t.schema) : t.schema !== "INFORMATION_SCHEMA")).sort((a, b) => (a.schema === b.schema ? compareBinary(a.name, b.name) : compareBinary(a.schema, b.schema)));
  if (target[2]!.toUpperCase() === "TABLES") {
    return result(
      [["TABLE_CATALOG", { kind: "text" }], ["TABLE_SCHEMA", { kind: "text" }], ["TABLE_NAME", { kind: "text" }], ["TABLE_TYPE", { kind: "text" }], ["ROW_COUNT", { kind: "fixed" }], ["BYTES", { kind: "fixed" }], ["LAST_ALTERED", { kind: "timestamp_ltz" }], ["COMMENT", { kind: "text" }]],
      selected.map((t) => [t.database, t.schema, t.name, t.type, t.type === "VIEW" ? null : String(t.rowCount), t.type === "VIEW" ? null : String(t.bytes), epochSeconds(t.lastAltered), t.comment]),
    );
  }
  return result(
    [["TABLE_SCHEMA", { kind: "text" }], ["TABLE_NAME", { kind: "text" }], ["COLUMN_NAME", { kind: "text" }], ["ORDINAL_POSITION", { kind: "fixed" }], ["IS_NULLABLE", { kind: "text" }], ["DATA_TYPE", { kind: "text" }], ["CHARACTER_MAXIMUM_LENGTH", { kind: "fixed" }], ["NUMERIC_PRECISION", { kind: "fixed" }], ["NUMERIC_SCALE", { kind: "fixed" }]],
    selected.flatMap((t) =>
      t.columns.map((c, i) => [t.schema, t.name, c.name, String(i + 1), c.nullable ? "YES" : "NO", c.type, c.length === undefined ? null : String(c.length), c.precision === undefined ? null : String(c.precision), c.scale === undefined ? null : String(c.scale)]),
    ),
  );
}

function result(columns: readonly (readonly [string, Text])[], rowset: readonly (readonly (string | null)[])[]): unknown {
  return {
    data: {
      parameters: PARAMETERS,
      rowtype: columns.map(([name, type]) => ({
        name,
        database: "",
        schema: "",
        table: "",
        byteLength: type.kind === "text" ? 16777216 : null,
        type: type.kind,
        scale: type.kind === "fixed" ? 0 : type.kind === "timestamp_ltz" ? 9 : null,
        precision: type.kind === "fixed" ? 38 : type.kind === "timestamp_ltz" ? 0 : null,
        nullable: true,
        collation: null,
        length: type.kind === "text" ? 16777216 : null,
      })),
      rowset,
      total: rowset.length,
      returned: rowset.length,
      queryId: randomUUID(),
      databaseProvider: null,
      finalDatabaseName: null,
      finalSchemaName: null,
      finalWarehouseName: "COMPUTE_WH",
      finalRoleName: "PUBLIC",
      numberOfBinds: 0,
      arrayBindSupported: false,
      statementTypeId: 4096,
      version: 1,
      sendResultTime: Date.now(),
      queryResultFormat: "json",
      queryContext: { entries: [{ id: 0, timestamp: Date.now() * 1000, priority: 0 }] },
    },
    code: null,
    message: null,
    success: true,
  };
}

/** A TIMESTAMP_LTZ in a JSON rowset: epoch seconds with nine fractional digits. */
function epochSeconds(date: Date): string {
  const ms = date.getTime();
  return `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, "0")}000000`;
}

/** A key-pair login's JWT: RS256, signed by the private key whose public key the user has. */
function verifyJwt(token: string, options: SnowflakeStandInOptions): boolean {
  if (!options.publicKey) return false;
  const [header, payload, signature] = token.split(".");
  if (!header || !payload || !signature) return false;
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { sub?: string; exp?: number };
  if (claims.sub?.toUpperCase() !== `${options.account}.${options.user}`.toUpperCase()) return false;
  if (typeof claims.exp !== "number" || claims.exp * 1000 < Date.now()) return false;
  return createVerify("RSA-SHA256").update(`${header}.${payload}`).verify(options.publicKey, Buffer.from(signature, "base64url"));
}

/** Snowflake's default collation: by code point. */
function compareBinary(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
