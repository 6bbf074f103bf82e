/**
 * Tokens, roles, the Host and Origin checks, rate limits, introspection and the audit log, over real HTTP
 * against a real server on a real PGlite store with the runs engine; and a grep of everything the server logged
 * and answered for any token or token hash.
 */
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { Writable } from "node:stream";
import { after, before, describe, test } from "node:test";
import type { CatalogStore } from "../../catalog/store/index.ts";
import { pgliteEngine, type TestDatabase } from "../../catalog/store/test-support.ts";
import { recordingLauncher, startHarness, waitForRun, type Harness } from "../../scheduler/runs/test-support.ts";
import type { CatalogSource } from "../graphql/context.ts";
import { createTributaryServer, type TributaryServer } from "../http.ts";
import { createLogger } from "../logging.ts";
import { createReportSink } from "../report-sink.ts";
import { createRunChanges, createRunsSource } from "../runs-source.ts";
import { shopGraph } from "../test-support.ts";
import type { SecurityOptions } from "./security.ts";
import { createAccessStore, hashToken, TOKEN_PATTERN, TOKEN_SEARCH, type AccessStore } from "./tokens.ts";

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

/** Everything the server answered, for the grep at the end. */
const answered: string[] = [];
/** Everything the server logged (debug and up). */
let logged = "";

/** One HTTP request with any headers (Host included, which fetch will not forge). */
function send(port: number, options: { path?: string; method?: string; headers?: Record<string, string>; body?: string }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, path: options.path ?? "/graphql", method: options.method ?? "POST", headers: options.headers ?? {} }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => {
        answered.push(text);
        let body: Answer["body"] = {};
        try {
          body = JSON.parse(text) as Answer["body"];
        } catch {
          // not JSON (a page)
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body });
      });
    });
    req.on("error", reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

function gql(port: number, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<Answer> {
  return send(port, { headers: { "content-type": "application/json", accept: "application/json", ...headers }, body: JSON.stringify({ query, variables }) });
}

const bearer = (token: string | null): Record<string, string> => (token === null ? {} : { authorization: `Bearer ${token}` });
const codeOf = (answer: Answer): unknown => answer.body.errors?.[0]?.extensions?.["code"];

const graph = shopGraph();
const SECURITY: SecurityOptions = { anonymous: "viewer", allowedHosts: ["catalog.example.com"], requestsPerMinute: 0, introspection: true };

describe("auth over HTTP on PGlite", () => {
  let database: TestDatabase;
  let store: CatalogStore;
  let harness: Harness;
  let access: AccessStore;
  let server: TributaryServer;
  let port: number;
  const tokens: Record<"viewer" | "operator" | "admin", string> & { madeOverGraphql?: string } = { viewer: "", operator: "", admin: "" };
  let endedRunId = "";

  const startServer = async (security: SecurityOptions, source: CatalogSource): Promise<{ server: TributaryServer; port: number }> => {
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        logged += chunk.toString();
        callback();
      },
    });
    const started = createTributaryServer({ catalog: source, logger: createLogger({ level: "debug", destination }), port: 0, security });
    return { server: started, port: (await started.listen()).port };
  };
  let source: CatalogSource;

  before(async () => {
    database = await pgliteEngine.createDatabase();
    store = await database.openStore();
    const changes = createRunChanges();
    harness = await startHarness(store, () => graph, [recordingLauncher("dbt", "shop"), recordingLauncher("fivetran", "fivetran", { batch: "target" }), recordingLauncher("census", "census", { batch: "target" })], {
      onRunChanged: changes.notify,
    });
    access = createAccessStore(store.client);
    source = {
      current: () => graph,
      events: store,
      runs: createRunsSource(store, harness.engine, { changes }),
      reportSink: createReportSink(store),
      reload: async () => ({ ok: true, graph, durationMs: 1, errors: [] }),
      access,
    };
    for (const role of ["viewer", "operator", "admin"] as const) tokens[role] = (await access.createToken({ name: `${role}-bot`, role, createdBy: "test" })).token;
    ({ server, port } = await startServer(SECURITY, source));
    // A run that has ended, for reexecuteRun and cancelRun.
    const launched = await gql(port, `mutation { launchRun(assetKeys: ["stg_orders"]) { run { id } } }`, {}, bearer(tokens.operator));
    endedRunId = (launched.body.data?.["launchRun"] as { run: { id: string } }).run.id;
    await waitForRun(store, endedRunId);
  });

  after(async () => {
    await server?.close();
    await harness?.stop();
    await store?.close();
    await database?.dispose();
  });

  test("tokens are trb_ and 48 hex digits; the store keeps only their sha256", async () => {
    for (const token of Object.values(tokens)) assert.match(token, TOKEN_PATTERN);
    const rows = await store.client.query<Record<string, unknown>>("SELECT * FROM api_tokens");
    const stored = JSON.stringify(rows);
    for (const token of Object.values(tokens)) {
      assert.ok(!stored.includes(token), "no token in the table");
      assert.ok(stored.includes(hashToken(token)), "its hash is");
    }
  });

  test("each role is allowed and refused on each mutation", async () => {
    const mutations: { name: string; query: () => string; role: "operator" | "admin" }[] = [
      { name: "launchRun", query: () => `mutation { launchRun(assetKeys: ["stg_orders"]) { run { id } } }`, role: "operator" },
      { name: "reexecuteRun", query: () => `mutation { reexecuteRun(id: "${endedRunId}") { run { id } } }`, role: "operator" },
      { name: "cancelRun", query: () => `mutation { cancelRun(id: "${endedRunId}") { id } }`, role: "operator" },
      { name: "reportMaterialization", query: () => `mutation { reportMaterialization(assetKey: "stg_orders", dedupeKey: "auth-test-${Math.random()}") { recorded } }`, role: "operator" },
      // A run_results.json with no results: accepted and records nothing, which is all the role check needs.
      {
        name: "reportDbtRunResults",
        query: () => `mutation { reportDbtRunResults(runResults: {metadata: {dbt_schema_version: "https://schemas.getdbt.com/dbt/run-results/v6.json", invocation_id: "auth-test", generated_at: "2026-12-01T00:00:00Z"}, results: [], elapsed_time: 1, args: {}}) { recorded } }`,
        role: "operator",
      },
      { name: "reloadLocations", query: () => `mutation { reloadLocations { ok } }`, role: "admin" },
    ];
    const callers: { label: string; token: string | null; rank: number }[] = [
      { label: "anonymous", token: null, rank: 0 },
      { label: "viewer", token: tokens.viewer, rank: 1 },
      { label: "operator", token: tokens.operator, rank: 2 },
      { label: "admin", token: tokens.admin, rank: 3 },
    ];
    for (const mutation of mutations) {
      for (const caller of callers) {
        const answer = await gql(port, mutation.query(), {}, bearer(caller.token));
        const allowed = caller.rank >= (mutation.role === "operator" ? 2 : 3);
        const what = `${caller.label} → ${mutation.name}`;
        if (allowed) {
          assert.equal(answer.body.errors, undefined, `${what}: ${answer.text}`);
          assert.ok(answer.body.data?.[mutation.name], what);
        } else {
          assert.equal(codeOf(answer), caller.token === null ? "UNAUTHENTICATED" : "FORBIDDEN", `${what}: ${answer.text}`);
          assert.equal(answer.body.data?.[mutation.name] ?? null, null, what);
          if (caller.token !== null) assert.equal(answer.body.errors?.[0]?.extensions?.["requiredRole"], mutation.role.toUpperCase());
        }
      }
    }
  });

  test("reads: anonymous is a viewer here; Query.viewer and launchCapability follow the role", async () => {
    const anonymous = await gql(port, `{ viewer { kind name role canLaunch canReload } launchCapability { available reason } assets(first: 1) { totalCount } }`);
    assert.equal(anonymous.status, 200);
    assert.deepEqual(anonymous.body.data?.["viewer"], { kind: "ANONYMOUS", name: null, role: "VIEWER", canLaunch: false, canReload: false });
    assert.equal((anonymous.body.data?.["launchCapability"] as { available: boolean }).available, false);
    const viewer = await gql(port, `{ viewer { kind name role canLaunch } launchCapability { available reason } }`, {}, bearer(tokens.viewer));
    assert.deepEqual(viewer.body.data?.["viewer"], { kind: "TOKEN", name: "viewer-bot", role: "VIEWER", canLaunch: false });
    assert.match((viewer.body.data?.["launchCapability"] as { reason: string }).reason, /viewer-bot has the viewer role/);
    const operator = await gql(port, `{ viewer { role canLaunch canReload } launchCapability { available reason } }`, {}, bearer(tokens.operator));
    assert.deepEqual(operator.body.data?.["viewer"], { role: "OPERATOR", canLaunch: true, canReload: false });
    assert.deepEqual(operator.body.data?.["launchCapability"], { available: true, reason: null });
  });

  test("a bad, malformed or revoked token is refused (401) even where anonymous callers may read", async () => {
    const unknown = await gql(port, `{ viewer { role } }`, {}, bearer(`trb_${"0".repeat(48)}`));
    assert.equal(unknown.status, 401);
    assert.equal(codeOf(unknown), "UNAUTHENTICATED");
    assert.match(String(unknown.headers["www-authenticate"]), /Bearer/);
    assert.equal(codeOf(await gql(port, `{ viewer { role } }`, {}, { authorization: "Basic abc" })), "UNAUTHENTICATED");
    const { token } = await access.createToken({ name: "short-lived", role: "admin", createdBy: null });
    assert.equal((await gql(port, `{ viewer { name } }`, {}, bearer(token))).status, 200);
    assert.ok(await access.revokeToken("short-lived"));
    const revoked = await gql(port, `{ viewer { name } }`, {}, bearer(token));
    assert.equal(revoked.status, 401);
    assert.equal(codeOf(revoked), "UNAUTHENTICATED");
    const listed = await access.listTokens({ includeRevoked: true });
    assert.ok(listed.find((t) => t.name === "short-lived")?.revokedAt);
    assert.ok(listed.find((t) => t.name === "operator-bot")?.lastUsedAt, "last use recorded");
  });

  test("a forged Host is refused; loopback and configured names are served; probes answer any Host", async () => {
    const query = JSON.stringify({ query: "{ assets(first: 1) { totalCount } }" });
    const headers = { "content-type": "application/json" };
    const forged = await send(port, { headers: { ...headers, host: `attacker.example:${port}` }, body: query });
    assert.equal(forged.status, 403);
    assert.equal(codeOf(forged), "HOST_NOT_ALLOWED");
    const ui = await send(port, { path: "/", method: "GET", headers: { host: "rebound.attacker.example" } });
    assert.equal(ui.status, 403, "the UI's files too");
    const graphiql = await send(port, { method: "GET", headers: { host: "rebound.attacker.example", accept: "text/html" } });
    assert.equal(graphiql.status, 403, "and GraphiQL's page, which yoga answers before any plugin");
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, "catalog.example.com"]) {
      assert.equal((await send(port, { headers: { ...headers, host }, body: query })).status, 200, host);
    }
    assert.equal((await send(port, { path: "/healthz", method: "GET", headers: { host: "10.1.2.3:8080" } })).status, 200);
    const crossOrigin = await send(port, { headers: { ...headers, origin: "http://attacker.example" }, body: query });
    assert.equal(crossOrigin.status, 403);
    assert.equal(codeOf(crossOrigin), "HOST_NOT_ALLOWED");
    assert.equal((await send(port, { headers: { ...headers, origin: "null" }, body: query })).status, 403);
    assert.equal((await send(port, { headers: { ...headers, origin: `http://127.0.0.1:${port}` }, body: query })).status, 200);
  });

  test("the audit log: who launched, re-executed, canceled and reloaded, by token name; Run.launchedBy and Run.audit", async () => {
    const launched = await gql(port, `mutation { launchRun(assetKeys: ["stg_orders"]) { run { id launchedBy { user description } } } }`, {}, bearer(tokens.operator));
    const run = (launched.body.data?.["launchRun"] as { run: { id: string; launchedBy: { user: string; description: string } } }).run;
    assert.deepEqual(run.launchedBy, { user: "operator-bot", description: "manual launch by operator-bot" });
    await waitForRun(store, run.id);
    await gql(port, `mutation { cancelRun(id: "${run.id}") { id } }`, {}, bearer(tokens.admin));
    await gql(port, `mutation { cancelRun(id: "${run.id}") { id } }`, {}, bearer(tokens.viewer));
    const audit = await gql(port, `{ run(id: "${run.id}") { audit { action outcome actor actorKind role runIds errorCode details } } }`);
    const events = (audit.body.data?.["run"] as { audit: { action: string; outcome: string; actor: string; role: string; errorCode: string | null }[] }).audit;
    assert.deepEqual(
      events.map((e) => [e.action, e.outcome, e.actor, e.role, e.errorCode]),
      [
        ["launchRun", "OK", "operator-bot", "OPERATOR", null],
        ["cancelRun", "OK", "admin-bot", "ADMIN", null],
        ["cancelRun", "REFUSED", "viewer-bot", "VIEWER", "FORBIDDEN"],
      ],
    );
    const log = await gql(port, `{ auditEvents(action: ["reloadLocations"], first: 10) { nodes { action outcome actor } pageInfo { hasNextPage endCursor } } }`, {}, bearer(tokens.admin));
    const reloads = (log.body.data?.["auditEvents"] as { nodes: { outcome: string; actor: string }[] }).nodes;
    assert.deepEqual(reloads.map((e) => [e.outcome, e.actor]), [["OK", "admin-bot"], ["REFUSED", "operator-bot"], ["REFUSED", "viewer-bot"]]);
    const page = await gql(port, `{ auditEvents(first: 2) { nodes { id } pageInfo { hasNextPage endCursor } } }`, {}, bearer(tokens.admin));
    const connection = page.body.data?.["auditEvents"] as { nodes: { id: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
    assert.equal(connection.nodes.length, 2);
    assert.equal(connection.pageInfo.hasNextPage, true);
    const next = await gql(port, `{ auditEvents(first: 2, after: "${connection.pageInfo.endCursor}") { nodes { id } } }`, {}, bearer(tokens.admin));
    assert.ok(Number((next.body.data?.["auditEvents"] as { nodes: { id: string }[] }).nodes[0]!.id) < Number(connection.pageInfo.endCursor));
    assert.equal(codeOf(await gql(port, `{ auditEvents { nodes { id } } }`, {}, bearer(tokens.operator))), "FORBIDDEN");
  });

  test("admins manage tokens over GraphQL; the new token is in createApiToken's answer alone", async () => {
    const create = `mutation { createApiToken(name: "made-over-graphql", role: VIEWER) { token apiToken { id name role createdBy revokedAt } } }`;
    assert.equal(codeOf(await gql(port, create, {}, bearer(tokens.operator))), "FORBIDDEN");
    const created = await gql(port, create, {}, bearer(tokens.admin));
    // The one answer that may hold a token: kept out of the grep below, which then proves it is the only one.
    answered.pop();
    const made = created.body.data?.["createApiToken"] as { token: string; apiToken: { id: string; name: string; role: string; createdBy: string; revokedAt: null } };
    assert.match(made.token, TOKEN_PATTERN);
    assert.deepEqual([made.apiToken.name, made.apiToken.role, made.apiToken.createdBy, made.apiToken.revokedAt], ["made-over-graphql", "VIEWER", "admin-bot", null]);
    tokens.madeOverGraphql = made.token;
    assert.equal(codeOf(await gql(port, create, {}, bearer(tokens.admin))), "BAD_USER_INPUT", "one working token per name");
    assert.deepEqual((await gql(port, `{ viewer { name role } }`, {}, bearer(made.token))).body.data?.["viewer"], { name: "made-over-graphql", role: "VIEWER" });
    const listed = await gql(port, `{ apiTokens { id name role lastUsedAt } }`, {}, bearer(tokens.admin));
    assert.ok((listed.body.data?.["apiTokens"] as { name: string }[]).some((t) => t.name === "made-over-graphql"));
    assert.equal(codeOf(await gql(port, `{ apiTokens { id } }`, {}, bearer(tokens.viewer))), "FORBIDDEN");
    const revoked = await gql(port, `mutation { revokeApiToken(idOrName: "${made.apiToken.id}") { name revokedAt } }`, {}, bearer(tokens.admin));
    assert.ok((revoked.body.data?.["revokeApiToken"] as { revokedAt: string }).revokedAt);
    assert.equal((await gql(port, `{ viewer { name } }`, {}, bearer(made.token))).status, 401);
    const audit = await gql(port, `{ auditEvents(action: ["createApiToken", "revokeApiToken"]) { nodes { action outcome actor details } } }`, {}, bearer(tokens.admin));
    const events = (audit.body.data?.["auditEvents"] as { nodes: { action: string; outcome: string; actor: string; details: Record<string, unknown> }[] }).nodes;
    assert.deepEqual(events.map((e) => [e.action, e.outcome, e.actor, e.details["tokenId"] ?? null]).reverse(), [
      ["createApiToken", "REFUSED", "operator-bot", null],
      ["createApiToken", "OK", "admin-bot", made.apiToken.id],
      ["createApiToken", "FAILED", "admin-bot", null],
      ["revokeApiToken", "OK", "admin-bot", made.apiToken.id],
    ]);
  });

  test("without an anonymous role every /graphql request needs a token; the UI's files and GraphiQL's page do not", async () => {
    const closed = await startServer({ ...SECURITY, anonymous: null }, source);
    try {
      const refused = await gql(closed.port, `{ assets(first: 1) { totalCount } }`);
      assert.equal(refused.status, 401);
      assert.equal(codeOf(refused), "UNAUTHENTICATED");
      assert.equal((await gql(closed.port, `{ assets(first: 1) { totalCount } }`, {}, bearer(tokens.viewer))).status, 200);
      const page = await send(closed.port, { method: "GET", headers: { accept: "text/html" } });
      assert.equal(page.status, 200);
      assert.match(page.text, /GraphiQL/);
      const get = await send(closed.port, { path: "/graphql?query=%7Bviewer%7Brole%7D%7D", method: "GET", headers: { accept: "application/json" } });
      assert.equal(get.status, 401, "a GET with a query is a request like any other");
      assert.equal(codeOf(get), "UNAUTHENTICATED");
    } finally {
      await closed.server.close();
    }
  });

  test("rate limits count per token; the over-limit request gets 429 with Retry-After", async () => {
    const limited = await startServer({ ...SECURITY, requestsPerMinute: 3 }, source);
    try {
      for (let i = 0; i < 3; i++) assert.equal((await gql(limited.port, `{ viewer { role } }`, {}, bearer(tokens.viewer))).status, 200);
      const over = await gql(limited.port, `{ viewer { role } }`, {}, bearer(tokens.viewer));
      assert.equal(over.status, 429);
      assert.equal(codeOf(over), "RATE_LIMITED");
      assert.ok(Number(over.headers["retry-after"]) >= 1);
      assert.equal((await gql(limited.port, `{ viewer { role } }`, {}, bearer(tokens.operator))).status, 200, "another token has its own budget");
      for (let i = 0; i < 5; i++) assert.equal((await gql(limited.port, `{ viewer { role } }`)).status, 200, "anonymous callers on loopback are not counted");
    } finally {
      await limited.server.close();
    }
  });

  test("introspection can be turned off (GraphiQL with it)", async () => {
    const closed = await startServer({ ...SECURITY, introspection: false }, source);
    try {
      const answer = await gql(closed.port, `{ __schema { queryType { name } } }`);
      assert.match(answer.body.errors?.[0]?.message ?? "", /introspection/i);
      assert.equal((await gql(closed.port, `{ assets(first: 1) { totalCount } }`)).status, 200);
      const page = await send(closed.port, { method: "GET", headers: { accept: "text/html" } });
      assert.doesNotMatch(page.text, /GraphiQL/);
    } finally {
      await closed.server.close();
    }
    const open = await gql(port, `{ __schema { queryType { name } } }`);
    assert.deepEqual(open.body.data, { __schema: { queryType: { name: "Query" } } });
  });

  test("no token or token hash appears in anything the server logged or answered", async () => {
    assert.ok(answered.length > 40, `many answers were made (${answered.length})`);
    assert.ok(logged.length > 0, "the server logged");
    const everything = `${logged}\n${answered.join("\n")}`;
    for (const token of Object.values(tokens)) {
      assert.ok(!everything.includes(token), "a token leaked");
      assert.ok(!everything.includes(hashToken(token)), "a token hash leaked");
      assert.ok(!everything.includes(token.slice(4)), "a token's secret part leaked");
    }
    assert.doesNotMatch(everything, TOKEN_SEARCH);
    assert.doesNotMatch(everything, /[0-9a-f]{64}/, "no sha256-like string at all");
  });
});
