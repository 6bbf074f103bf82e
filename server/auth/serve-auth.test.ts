/**
 * The real thing: `tributary token create`, then `tributary serve` as a process on the same embedded store (the
 * real wiring, store and runs engine), asked over HTTP: anonymous reads, refusals, a token's launch, a forged
 * Host; and nothing it printed or logged holds the token.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { sharedFixture } from "../../scripts/shared-fixtures.ts";
import { main } from "../cli.ts";
import { createLogger } from "../logging.ts";
import { hashToken, TOKEN_SEARCH } from "./tokens.ts";

const ROOT = join(import.meta.dirname, "..", "..");

function post(url: string, query: string, headers: Record<string, string> = {}): Promise<{ status: number; body: { data?: Record<string, unknown> | null; errors?: { extensions?: { code?: string } }[] } }> {
  const { hostname, port, pathname } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, path: pathname, method: "POST", headers: { "content-type": "application/json", ...headers } }, (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as never }));
    });
    req.on("error", reject);
    req.end(JSON.stringify({ query }));
  });
}

describe("tributary serve with tokens, as a process", { timeout: 120_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), "tributary-serve-auth-"));
  let child: ChildProcess;
  let url = "";
  let token = "";
  let printed = "";

  before(async () => {
    const stdout: string[] = [];
    const code = await main(["node", "tributary", "token", "create", "--role", "operator", "--name", "ops", "--data-dir", dataDir], {
      output: { out: (line) => stdout.push(line), err: () => undefined },
      logger: createLogger({ level: "silent" }),
      cwd: dataDir,
      env: {},
    });
    assert.equal(code, 0);
    token = stdout[0]!;
    const manifest = sharedFixture("manifests", "dbt-core-state-v12", "manifest.json");
    child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "server", "cli.ts"), "serve", "--manifest", manifest, "--data-dir", dataDir, "--port", "0", "--no-scheduler"], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, TRIBUTARY_LOG_LEVEL: "debug", TRIBUTARY_LOG_FORMAT: "json" },
    });
    child.stderr!.on("data", (chunk: Buffer) => (printed += chunk.toString()));
    url = await new Promise<string>((resolve, reject) => {
      let stdoutText = "";
      child.stdout!.on("data", (chunk: Buffer) => {
        stdoutText += chunk.toString();
        printed += chunk.toString();
        const match = /Tributary is serving (\S+)/.exec(stdoutText);
        if (match) resolve(match[1]!);
      });
      child.once("exit", (code) => reject(new Error(`serve exited with ${code}:\n${printed}`)));
    });
  });

  after(async () => {
    if (child && child.exitCode === null) {
      await new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      });
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  test("anonymous callers read; mutations need a token of the right role; a forged Host is refused", async () => {
    const read = await post(url, "{ assets(first: 1) { totalCount } viewer { kind role } }");
    assert.equal(read.status, 200);
    assert.deepEqual(read.body.data?.["viewer"], { kind: "ANONYMOUS", role: "VIEWER" });
    const anonymous = await post(url, "mutation { reloadLocations { ok } }");
    assert.equal(anonymous.body.errors?.[0]?.extensions?.code, "UNAUTHENTICATED");
    const auth = { authorization: `Bearer ${token}` };
    const operator = await post(url, "{ viewer { kind name role } }", auth);
    assert.deepEqual(operator.body.data?.["viewer"], { kind: "TOKEN", name: "ops", role: "OPERATOR" });
    assert.equal((await post(url, "mutation { reloadLocations { ok } }", auth)).body.errors?.[0]?.extensions?.code, "FORBIDDEN");
    const key = ((await post(url, "{ assets(first: 1) { nodes { key } } }")).body.data?.["assets"] as { nodes: { key: string }[] }).nodes[0]!.key;
    const launched = await post(url, `mutation { launchRun(assetKeys: ["${key}"]) { run { id } unlaunchable { reason } } }`, auth);
    assert.equal(launched.body.errors, undefined, JSON.stringify(launched.body));
    const audit = await post(url, `{ auditEvents { nodes { action } } }`, auth);
    assert.equal(audit.body.errors?.[0]?.extensions?.code, "FORBIDDEN", "the audit log is for admins");
    const forged = await post(url, "{ assets(first: 1) { totalCount } }", { host: "attacker.example" });
    assert.equal(forged.status, 403);
    assert.equal(forged.body.errors?.[0]?.extensions?.code, "HOST_NOT_ALLOWED");
    assert.equal((await post(url, "{ viewer { role } }", { authorization: "Bearer trb_" + "f".repeat(48) })).status, 401);
  });

  test("token commands on the store a running serve holds say what to do instead", async () => {
    const stderr: string[] = [];
    const code = await main(["node", "tributary", "token", "list", "--data-dir", dataDir], {
      output: { out: () => undefined, err: (line) => stderr.push(line) },
      logger: createLogger({ level: "silent" }),
      cwd: dataDir,
      env: {},
    });
    assert.equal(code, 1);
    assert.match(stderr.join("\n"), /open in a running `tributary serve`/);
  });

  test("nothing the process printed or logged holds the token or its hash", () => {
    assert.match(printed, /"level":/, "debug logs were written");
    assert.ok(!printed.includes(token) && !printed.includes(hashToken(token)));
    assert.doesNotMatch(printed, TOKEN_SEARCH);
  });
});
