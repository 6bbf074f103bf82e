/**
 * `tributary token create | list | revoke` on a real PGlite data directory, the CLI's own commands sending
 * TRIBUTARY_TOKEN to a real server, and where `serve` listens and how it guards itself (flags, tributary.yaml,
 * defaults, the warning when exposed).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { pgliteEngine, type TestDatabase } from "../catalog/store/test-support.ts";
import { resolveServerSettings } from "./auth/settings.ts";
import { createAccessStore, hashToken, TOKEN_PATTERN } from "./auth/tokens.ts";
import { main } from "./cli.ts";
import { mintDemoToken } from "./cli-token.ts";
import { loadConfig } from "./config.ts";
import { createTributaryServer } from "./http.ts";
import { createLogger } from "./logging.ts";
import { createRunsSource } from "./runs-source.ts";
import { startServe, type ConsoleOutput, type ServeDependencies } from "./serve.ts";
import { shopDefinitions, shopGraph } from "./test-support.ts";
import { createCatalogService } from "../catalog/service.ts";

const logger = createLogger({ level: "silent" });

function capture(): ConsoleOutput & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (line) => stdout.push(line), err: (line) => stderr.push(line) };
}

describe("tributary token, on a PGlite data directory", () => {
  let database: TestDatabase;
  const run = async (args: string[], env: Record<string, string> = {}) => {
    const output = capture();
    const code = await main(["node", "tributary", ...args], { output, logger, cwd: database.options.dataDir!, env });
    return { code, ...output };
  };

  before(async () => {
    database = await pgliteEngine.createDatabase();
  });
  after(async () => {
    await database?.dispose();
  });

  test("create prints the token once on stdout alone; list and revoke never show it; the CLI sends TRIBUTARY_TOKEN", async () => {
    const dataDir = ["--data-dir", database.options.dataDir!];
    const created = await run(["token", "create", "--role", "operator", "--name", "ci", ...dataDir]);
    assert.equal(created.code, 0, created.stderr.join("\n"));
    assert.equal(created.stdout.length, 1);
    const token = created.stdout[0]!;
    assert.match(token, TOKEN_PATTERN);
    assert.match(created.stderr.join("\n"), /Created operator token "ci" \(tok_[0-9a-f]{12}\)/);

    const twice = await run(["token", "create", "--role", "viewer", "--name", "ci", ...dataDir]);
    assert.equal(twice.code, 1);
    assert.match(twice.stderr.join("\n"), /already named "ci"/);
    assert.equal((await run(["token", "create", "--role", "root", "--name", "x", ...dataDir])).code, 2, "an unknown role is a usage error");

    const listed = await run(["token", "list", ...dataDir]);
    assert.equal(listed.code, 0);
    assert.match(listed.stdout.join("\n"), /tok_[0-9a-f]{12}\s+ci\s+operator\s+.*\s+never\s+active/);

    // A server on the same store, where anonymous callers may not read: the CLI's runs command with and without the token.
    const store = await database.openStore();
    const server = createTributaryServer({
      catalog: { current: () => shopGraph(), runs: createRunsSource(store, null), access: createAccessStore(store.client) },
      logger,
      port: 0,
      security: { anonymous: null, allowedHosts: [], requestsPerMinute: 0, introspection: true },
    });
    try {
      const { graphqlUrl } = await server.listen();
      const refused = await run(["runs", "--url", graphqlUrl]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr.join("\n"), /UNAUTHENTICATED[\s\S]*Set TRIBUTARY_TOKEN/);
      const allowed = await run(["runs", "--url", graphqlUrl], { TRIBUTARY_TOKEN: token });
      assert.equal(allowed.code, 0, allowed.stderr.join("\n"));
      const materialize = await run(["materialize", "stg_orders", "--url", graphqlUrl], { TRIBUTARY_TOKEN: token });
      assert.match(materialize.stderr.join("\n"), /LAUNCH_UNAVAILABLE/, "past the role check, to the read-only runs source");
      const reported = await run(["report", "--run-results", join(database.options.dataDir!, "missing.json"), "--url", graphqlUrl], { TRIBUTARY_TOKEN: token });
      assert.match(reported.stderr.join("\n"), /no such file/);
      for (const answer of [refused, allowed, materialize, reported]) assert.ok(!JSON.stringify(answer).includes(token), "the token is never printed back");
    } finally {
      await server.close();
      await store.close();
    }

    const revoked = await run(["token", "revoke", "ci", ...dataDir]);
    assert.equal(revoked.code, 0);
    assert.match(revoked.stdout.join("\n"), /Revoked operator token "ci"/);
    assert.equal((await run(["token", "revoke", "ci", ...dataDir])).code, 1, "nothing working is named ci any more");
    const all = await run(["token", "list", "--all", ...dataDir]);
    assert.match(all.stdout.join("\n"), /ci\s+operator\s+.*revoked/);
    assert.match(all.stdout.join("\n"), /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+revoked/, "its last use was recorded");

    const reopened = await database.openStore();
    try {
      const tokens = JSON.stringify(await reopened.client.query("SELECT * FROM api_tokens"));
      assert.ok(!tokens.includes(token) && tokens.includes(hashToken(token)));
      const audit = await createAccessStore(reopened.client).listAudit({ first: 10 });
      assert.deepEqual(audit.map((e) => [e.action, e.outcome, e.actorKind, e.actor === "ci" ? "ci" : "os user", e.errorCode]).reverse(), [
        ["token.create", "ok", "local", "os user", null],
        ["launchRun", "failed", "token", "ci", "LAUNCH_UNAVAILABLE"],
        ["token.revoke", "ok", "local", "os user", null],
      ]);
      assert.ok(!JSON.stringify(audit).includes(token));
    } finally {
      await reopened.close();
    }
    for (const answer of [created, listed, revoked, all]) assert.equal(answer.stderr.join("\n").includes(token), false);
  });
});

test("the demo mints an operator token named demo at each start, replacing the previous one", async () => {
  const database = await pgliteEngine.createDatabase();
  try {
    const first = await mintDemoToken(database.options.dataDir!, {});
    const second = await mintDemoToken(database.options.dataDir!, {});
    assert.match(first ?? "", TOKEN_PATTERN);
    assert.match(second ?? "", TOKEN_PATTERN);
    const store = await database.openStore();
    try {
      const access = createAccessStore(store.client);
      assert.equal(await access.verifyToken(first!), null, "the previous demo token no longer works");
      assert.deepEqual(await access.verifyToken(second!).then((t) => [t?.name, t?.role]), ["demo", "operator"]);
    } finally {
      await store.close();
    }
  } finally {
    await database.dispose();
  }
});

describe("where serve listens and how it guards itself", () => {
  test("flags win over tributary.yaml, which wins over 127.0.0.1:3000; anonymous is viewer on PGlite, none on Postgres", () => {
    const defaults = resolveServerSettings({}, null, {});
    assert.deepEqual([defaults.host, defaults.port, defaults.security.anonymous, defaults.warnings], ["127.0.0.1", 3000, "viewer", []]);
    assert.equal(resolveServerSettings({}, null, { DATABASE_URL: "postgres://x@db/tributary" }).security.anonymous, null);
  });

  test("server.host / server.port are honoured, auth.anonymous: none refuses anonymous reads, a flag wins", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tributary-serve-config-"));
    try {
      const port = await new Promise<number>((resolve) => {
        const probe = createNetServer().listen(0, "127.0.0.1", () => {
          const { port: free } = probe.address() as { port: number };
          probe.close(() => resolve(free));
        });
      });
      const file = join(dir, "tributary.yaml");
      writeFileSync(file, `server:\n  host: 127.0.0.1\n  port: ${port}\n  allowed_hosts: [catalog.example.com]\n  rate_limit_per_minute: 50\nauth:\n  anonymous: none\n`);
      const config = (await loadConfig(file)).config;
      const fromFile = resolveServerSettings({}, config, {});
      assert.deepEqual([fromFile.host, fromFile.port, fromFile.security.anonymous, fromFile.security.allowedHosts, fromFile.security.requestsPerMinute], ["127.0.0.1", port, null, ["catalog.example.com"], 50]);
      assert.equal(resolveServerSettings({ port: 0 }, config, {}).port, 0);

      const deps: ServeDependencies = {
        createCatalogService: async (_request, onProgress) => {
          const providers = shopDefinitions().map((definitions) => ({ location: definitions.location, load: async () => definitions }));
          return createCatalogService({ providers, onProgress });
        },
      };
      const output = capture();
      const running = await startServe({ config: file, dbtProjects: [], manifests: [], dataDir: dir, scheduler: false, strict: false }, deps, { logger, output });
      assert.ok(running.ok, output.stderr.join("\n"));
      try {
        assert.equal(running.graphqlUrl, `http://127.0.0.1:${port}/graphql`);
        const answer = await fetch(running.graphqlUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ assets(first: 1) { totalCount } }" }) });
        assert.equal(answer.status, 401);
      } finally {
        await running.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("binding beyond loopback with anonymous reads prints a loud warning; the bind address becomes an allowed host", () => {
    const exposed = resolveServerSettings({ host: "0.0.0.0" }, null, {});
    assert.match(exposed.warnings.join("\n"), /^WARNING: listening on 0\.0\.0\.0, beyond this machine.*without a token/);
    assert.match(exposed.warnings.join("\n"), /server\.allowed_hosts/);
    const lan = resolveServerSettings({ host: "10.0.0.5" }, null, { DATABASE_URL: "postgres://db/x" });
    assert.deepEqual(lan.security.allowedHosts, ["10.0.0.5"]);
    assert.doesNotMatch(lan.warnings.join("\n"), /WARNING/, "no anonymous access on Postgres: nothing to warn about");
  });
});
