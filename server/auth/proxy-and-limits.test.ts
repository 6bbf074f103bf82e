/**
 * Over real HTTP: `auth.proxy` (an OIDC proxy's headers become a caller with a role, believed only from the
 * trusted proxy's address; the same headers from another address are ignored), and rate limits kept in a
 * Postgres store, shared by two servers on it as by two `tributary serve` processes (429 with Retry-After).
 * Loopback has many addresses: the trusted proxy connects from 127.0.0.1, an attacker from 127.0.0.2.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { after, before, describe, test } from "node:test";
import type { CatalogStore } from "../../catalog/store/index.ts";
import { pgliteEngine, postgresEngine, type TestDatabase } from "../../catalog/store/test-support.ts";
import { recordingLauncher, startHarness, type Harness } from "../../scheduler/runs/test-support.ts";
import { loadConfig } from "../config.ts";
import type { CatalogSource } from "../graphql/context.ts";
import { createTributaryServer, type TributaryServer } from "../http.ts";
import { createLogger } from "../logging.ts";
import { createRunChanges, createRunsSource } from "../runs-source.ts";
import { shopGraph } from "../test-support.ts";
import { addressMatcher, parseCidr } from "./proxy.ts";
import type { SecurityOptions } from "./security.ts";
import { resolveServerSettings } from "./settings.ts";
import { createAccessStore, type AccessStore } from "./tokens.ts";

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

/** A GraphQL POST from a chosen local address, with any headers. */
function gql(port: number, query: string, headers: Record<string, string> = {}, from = "127.0.0.1"): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: "127.0.0.1", port, path: "/graphql", method: "POST", localAddress: from, headers: { "content-type": "application/json", accept: "application/json", ...headers } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) as Answer["body"] }));
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify({ query }));
  });
}

const codeOf = (answer: Answer): unknown => answer.body.errors?.[0]?.extensions?.["code"];
const graph = shopGraph();

test("trusted proxies: CIDRs and single addresses, IPv4-mapped IPv6 as IPv4", () => {
  assert.deepEqual(parseCidr("10.0.0.0/8"), { address: "10.0.0.0", prefix: 8, family: "ipv4" });
  assert.deepEqual(parseCidr("fd00::/8"), { address: "fd00::", prefix: 8, family: "ipv6" });
  assert.deepEqual(parseCidr("127.0.0.1"), { address: "127.0.0.1", prefix: 32, family: "ipv4" });
  for (const bad of ["10.0.0.0/33", "10.0.0/8", "proxy.internal", "10.0.0.0/8/1", "10.0.0.0/x"]) assert.equal(parseCidr(bad), null, bad);
  const trusted = addressMatcher(["10.0.0.0/8", "127.0.0.1", "fd00::/8"]);
  assert.ok(trusted("10.20.30.40") && trusted("::ffff:10.1.1.1") && trusted("127.0.0.1") && trusted("fd00::1"));
  assert.ok(!trusted("127.0.0.2") && !trusted("11.0.0.1") && !trusted("fe80::1") && !trusted("unknown"));
});

describe("auth.proxy over HTTP", () => {
  let database: TestDatabase;
  let store: CatalogStore;
  let harness: Harness;
  let access: AccessStore;
  let server: TributaryServer;
  let port = 0;
  let logged = "";
  let operatorToken = "";
  let dir = "";

  before(async () => {
    database = await pgliteEngine.createDatabase();
    store = await database.openStore();
    const changes = createRunChanges();
    harness = await startHarness(store, () => graph, [recordingLauncher("dbt", "shop"), recordingLauncher("fivetran", "fivetran", { batch: "target" }), recordingLauncher("census", "census", { batch: "target" })], {
      onRunChanged: changes.notify,
    });
    access = createAccessStore(store.client);
    operatorToken = (await access.createToken({ name: "ci", role: "operator", createdBy: "test" })).token;
    const source: CatalogSource = {
      current: () => graph,
      events: store,
      runs: createRunsSource(store, harness.engine, { changes }),
      reload: async () => ({ ok: true, graph, durationMs: 1, errors: [] }),
      access,
    };
    // The settings `tributary serve` would take from this tributary.yaml (an oauth2-proxy on 127.0.0.1).
    dir = mkdtempSync(join(tmpdir(), "tributary-proxy-"));
    const file = join(dir, "tributary.yaml");
    writeFileSync(
      file,
      [
        "auth:",
        "  anonymous: viewer",
        "  proxy:",
        "    header: X-Forwarded-Email",
        "    role_header: X-Forwarded-Groups",
        "    trusted_proxies: [127.0.0.1/32]",
        "    roles:",
        "      ada@example.com: admin",
        "      data-engineers: operator",
        "      analysts: viewer",
        "",
      ].join("\n"),
    );
    const settings = resolveServerSettings({ host: "127.0.0.1", port: 0 }, (await loadConfig(file)).config, {});
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        logged += chunk.toString();
        callback();
      },
    });
    server = createTributaryServer({ catalog: source, logger: createLogger({ level: "debug", destination }), port: 0, security: { ...settings.security, requestsPerMinute: 0 } });
    port = (await server.listen()).port;
  });

  after(async () => {
    await server?.close();
    await harness?.stop();
    await store?.close();
    await database?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const viewer = async (headers: Record<string, string>, from?: string) => (await gql(port, "{ viewer { kind name role } }", headers, from)).body.data?.["viewer"];

  test("the proxy's user gets the strongest role their email or groups map to", async () => {
    assert.deepEqual(await viewer({ "x-forwarded-email": "ada@example.com" }), { kind: "PROXY", name: "ada@example.com", role: "ADMIN" });
    assert.deepEqual(await viewer({ "x-forwarded-email": "bo@example.com", "x-forwarded-groups": "analysts, data-engineers" }), { kind: "PROXY", name: "bo@example.com", role: "OPERATOR" });
    assert.deepEqual(await viewer({ "x-forwarded-email": "cy@example.com", "x-forwarded-groups": "Analysts" }), { kind: "PROXY", name: "cy@example.com", role: "VIEWER" });
  });

  test("what each proxied role may do, and the audit log names the user", async () => {
    const reload = "mutation { reloadLocations { ok } }";
    assert.equal(codeOf(await gql(port, reload, { "x-forwarded-email": "cy@example.com", "x-forwarded-groups": "analysts" })), "FORBIDDEN");
    const launched = await gql(port, `mutation { launchRun(assetKeys: ["stg_orders"]) { run { id launchedBy { user } } } }`, { "x-forwarded-email": "bo@example.com", "x-forwarded-groups": "data-engineers" });
    assert.equal(launched.body.errors, undefined, JSON.stringify(launched.body));
    assert.deepEqual((launched.body.data?.["launchRun"] as { run: { launchedBy: { user: string } } }).run.launchedBy, { user: "bo@example.com" });
    assert.equal((await gql(port, reload, { "x-forwarded-email": "ada@example.com" })).body.errors, undefined);
    const audit = await access.listAudit({ first: 10 });
    assert.deepEqual(
      audit.map((event) => [event.action, event.actor, event.actorKind, event.outcome]).slice(0, 3).reverse(),
      [
        ["reloadLocations", "cy@example.com", "proxy", "refused"],
        ["launchRun", "bo@example.com", "proxy", "ok"],
        ["reloadLocations", "ada@example.com", "proxy", "ok"],
      ],
    );
  });

  test("a signed-in user nothing maps is refused with FORBIDDEN (default_role: none), saying what to do", async () => {
    const answer = await gql(port, "{ assets(first: 1) { totalCount } }", { "x-forwarded-email": "eve@example.com", "x-forwarded-groups": "sales" });
    assert.equal(answer.status, 403);
    assert.equal(codeOf(answer), "FORBIDDEN");
    assert.match(answer.body.errors![0]!.message, /eve@example.com is signed in but has no role here: map their email or a group of theirs in auth.proxy.roles/);
  });

  test("the same headers from an address that is not a trusted proxy are ignored (and said so once)", async () => {
    const forged = { "x-forwarded-email": "ada@example.com", "x-forwarded-groups": "data-engineers" };
    assert.deepEqual(await viewer(forged, "127.0.0.2"), { kind: "ANONYMOUS", name: null, role: "VIEWER" });
    assert.equal(codeOf(await gql(port, "mutation { reloadLocations { ok } }", forged, "127.0.0.2")), "UNAUTHENTICATED");
    // With a token as well, the token decides.
    assert.deepEqual(await viewer({ ...forged, authorization: `Bearer ${operatorToken}` }, "127.0.0.2"), { kind: "TOKEN", name: "ci", role: "OPERATOR" });
    const warnings = logged.split("\n").filter((line) => line.includes("not in auth.proxy.trusted_proxies"));
    assert.equal(warnings.length, 1, "one warning per address");
    assert.match(warnings[0]!, /"remoteAddress":"(::ffff:)?127\.0\.0\.2"/);
  });

  test("tributary.yaml auth.proxy is checked where it enters", async () => {
    const file = join(dir, "bad.yaml");
    writeFileSync(file, "auth:\n  proxy:\n    header: X-Forwarded-Email\n    trusted_proxies: [proxy.internal]\n");
    await assert.rejects(loadConfig(file), /auth\.proxy\.trusted_proxies\.0: a CIDR \(10\.0\.0\.0\/8, fd00::\/8\) or an IP address/);
    writeFileSync(file, "auth:\n  proxy:\n    header: X-Forwarded-Email\n    trusted_proxies: []\n");
    await assert.rejects(loadConfig(file), /auth\.proxy\.trusted_proxies/);
    writeFileSync(file, "auth:\n  proxy:\n    header: X Email\n    trusted_proxies: [10.0.0.0/8]\n");
    await assert.rejects(loadConfig(file), /auth\.proxy\.header: an HTTP header name/);
    writeFileSync(file, "auth:\n  proxy:\n    header: X-Email\n    trusted_proxies: [10.0.0.0/8]\n    roles: {ada: root}\n");
    await assert.rejects(loadConfig(file), /auth\.proxy\.roles\.ada/);
  });
});

describe("rate limits kept in the Postgres store, shared by two servers", { skip: postgresEngine.skip }, () => {
  let database: TestDatabase;
  let store: CatalogStore;
  let access: AccessStore;
  const servers: TributaryServer[] = [];
  const ports: number[] = [];
  const tokens: string[] = [];

  before(async () => {
    database = await postgresEngine.createDatabase();
    store = await database.openStore();
    access = createAccessStore(store.client);
    for (const name of ["a", "b"]) tokens.push((await access.createToken({ name, role: "viewer", createdBy: "test" })).token);
    const source: CatalogSource = { current: () => graph, access, sharedLimitStore: store.client };
    const security: SecurityOptions = { anonymous: "viewer", allowedHosts: [], requestsPerMinute: 3, introspection: true };
    for (let i = 0; i < 2; i++) {
      const server = createTributaryServer({ catalog: source, logger: createLogger({ level: "silent" }), port: 0, security });
      servers.push(server);
      ports.push((await server.listen()).port);
    }
  });

  after(async () => {
    for (const server of servers) await server.close();
    await store?.close();
    await database?.dispose();
  });

  test("one budget per token across both servers; over it, 429 RATE_LIMITED with Retry-After", async () => {
    const [first, second] = ports as [number, number];
    const auth = (token: string) => ({ authorization: `Bearer ${token}` });
    assert.equal((await gql(first, "{ viewer { role } }", auth(tokens[0]!))).status, 200);
    assert.equal((await gql(first, "{ viewer { role } }", auth(tokens[0]!))).status, 200);
    assert.equal((await gql(second, "{ viewer { role } }", auth(tokens[0]!))).status, 200);
    const over = await gql(second, "{ viewer { role } }", auth(tokens[0]!));
    assert.equal(over.status, 429, "the other server counted the first two");
    assert.equal(codeOf(over), "RATE_LIMITED");
    const retryAfter = Number(over.headers["retry-after"]);
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${String(over.headers["retry-after"])}`);
    assert.equal((await gql(first, "{ viewer { role } }", auth(tokens[0]!))).status, 429);
    assert.equal((await gql(first, "{ viewer { role } }", auth(tokens[1]!))).status, 200, "another token has its own budget");
    // The counters are rows of the store's rate_limits table (created by the library), one per caller.
    const rows = await store.client.query<{ key: string; points: number }>("SELECT key, points FROM rate_limits ORDER BY key");
    assert.equal(rows.length, 2);
    assert.ok(rows.every((row) => row.key.startsWith("tributary:token:tok_")));
    assert.deepEqual(rows.map((row) => Number(row.points)).sort(), [1, 5], "the second server had not blocked the token in its memory yet: one more write");
  });
});
