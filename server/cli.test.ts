import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { cliBundleIsFresh } from "../scripts/build-cli.mjs";
import { sharedFixture } from "../scripts/shared-fixtures.ts";
import { main, resolveLocations } from "./cli.ts";
import { createLogger } from "./logging.ts";
import type { CatalogServiceRequest, ConsoleOutput, ServeDependencies } from "./serve.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const logger = createLogger({ level: "silent" });
const JAFFLE = sharedFixture("manifests", "jaffle-shop-state-v11-postgres", "manifest.json");

function capture(): ConsoleOutput & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (line) => stdout.push(line), err: (line) => stderr.push(line) };
}

/** Dependencies that record the request and refuse to start, so a command ends right after parsing. */
function recordingDeps(): ServeDependencies & { requests: CatalogServiceRequest[] } {
  const requests: CatalogServiceRequest[] = [];
  return {
    requests,
    async createCatalogService(request) {
      requests.push(request);
      throw new Error("stop here");
    },
  };
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "tributary-cli-"));
}

/** A working directory with neither tributary.yaml nor dbt_project.yml. */
const scratch = tempDir();
after(() => rmSync(scratch, { recursive: true }));

describe("tributary CLI", () => {
  test("serve parses the contract's flags", async () => {
    const deps = recordingDeps();
    const output = capture();
    const code = await main(
      ["node", "tributary", "serve", "--config", "tributary.yaml", "--dbt-project", "a", "--dbt-project", "b", "--manifest", "m.json",
        "--host", "127.0.0.1", "--port", "0", "--data-dir", "/tmp/x", "--no-scheduler", "--strict"],
      { deps, output, logger, cwd: scratch },
    );
    assert.equal(code, 1);
    assert.deepEqual(output.stderr.at(-1), "error: stop here");
    const request = deps.requests[0];
    assert.ok(request);
    assert.deepEqual(
      { config: request.config, dbtProjects: request.dbtProjects, manifests: request.manifests, dataDir: request.dataDir, scheduler: request.scheduler, purpose: request.purpose },
      { config: "tributary.yaml", dbtProjects: ["a", "b"], manifests: ["m.json"], dataDir: "/tmp/x", scheduler: false, purpose: "serve" },
    );
  });

  test("defaults: scheduler on, data dir .tributary", async () => {
    const deps = recordingDeps();
    await main(["node", "tributary", "serve", "--manifest", "m.json", "--port", "0"], { deps, output: capture(), logger, cwd: scratch });
    assert.equal(deps.requests[0]?.scheduler, true);
    assert.equal(deps.requests[0]?.dataDir, ".tributary");
  });

  test("check passes its flags with purpose check and no scheduler", async () => {
    const deps = recordingDeps();
    const output = capture();
    const code = await main(["node", "tributary", "check", "--dbt-project", "shop", "--strict"], { deps, output, logger, cwd: scratch });
    assert.equal(code, 1);
    assert.deepEqual(
      deps.requests.map((r) => [r.purpose, r.scheduler, r.dbtProjects]),
      [["check", false, ["shop"]]],
    );
  });

  test("without location flags: tributary.yaml, else the dbt project in the working directory, else a usage error", async () => {
    const withConfig = tempDir();
    writeFileSync(join(withConfig, "tributary.yaml"), "dbt: []\n");
    assert.equal(resolveLocations({ dataDir: ".tributary" }, withConfig).config, join(withConfig, "tributary.yaml"));

    const dbtProject = tempDir();
    writeFileSync(join(dbtProject, "dbt_project.yml"), "name: shop\n");
    assert.deepEqual(resolveLocations({ dataDir: ".tributary" }, dbtProject).dbtProjects, [dbtProject]);

    const empty = tempDir();
    const output = capture();
    const code = await main(["node", "tributary", "check"], { deps: recordingDeps(), output, logger, cwd: empty });
    assert.equal(code, 2);
    assert.match(output.stderr[0] ?? "", /^error: nothing to load: pass --config tributary.yaml, --dbt-project DIR or --manifest FILE/);
    for (const dir of [withConfig, dbtProject, empty]) rmSync(dir, { recursive: true });
  });

  test("a bad port is a usage error", async () => {
    const output = capture();
    const code = await main(["node", "tributary", "serve", "--port", "http"], { deps: recordingDeps(), output, logger, cwd: scratch });
    assert.notEqual(code, 0);
    assert.match(output.stderr.join("\n"), /a port is a whole number from 0 to 65535/);
  });
});

describe("bin/tributary.js", () => {
  test("runs the compiled CLI from any directory, building it when stale", () => {
    const result = spawnSync(process.execPath, [join(root, "bin", "tributary.js"), "--version"], { cwd: tmpdir(), encoding: "utf8" });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout.trim(), /^\d+\.\d+\.\d+$/);
    // The version comes from package.json, found from server/cli.ts's own location inside the bundle.
    assert.equal(result.stdout.trim(), (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version);
    assert.ok(cliBundleIsFresh(), "bin/tributary.js left dist/tributary.js current");
    const help = spawnSync(process.execPath, [join(root, "bin", "tributary.js"), "serve", "--help"], { cwd: tmpdir(), encoding: "utf8" });
    assert.equal(help.status, 0, help.stderr);
    for (const flag of ["--config", "--dbt-project", "--manifest", "--host", "--port", "--data-dir", "--no-scheduler", "--strict"]) {
      assert.ok(help.stdout.includes(flag), flag);
    }
  });

  test("the compiled command serves a manifest: migrations, GraphQL and the web UI resolve from the bundle", async () => {
    const dataDir = tempDir();
    const child = spawn(
      process.execPath,
      [join(root, "bin", "tributary.js"), "serve", "--manifest", JAFFLE, "--data-dir", dataDir, "--port", "0", "--no-scheduler"],
      { cwd: tmpdir(), env: { ...process.env, TRIBUTARY_LOG_LEVEL: "silent" } },
    );
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let stdout = "";
        child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
          stdout += chunk;
          const match = /Tributary is serving (\S+)\n/.exec(stdout);
          if (match?.[1] !== undefined) resolve(match[1]);
        });
        child.on("exit", () => reject(new Error(`exited early; stderr: ${stderr}`)));
      });
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: `{ asset(key: "orders") { key } locations { name state } }` }),
      });
      assert.deepEqual(await response.json(), {
        data: { asset: { key: "orders" }, locations: [{ name: "jaffle-shop-state-v11-postgres", state: "LOADED" }] },
      });
      const page = await fetch(url.replace(/graphql$/, ""));
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<div id="root">/);
      // Column lineage follows the load on a worker thread: from the bundle, the worker is dist/column-lineage-worker.js.
      const ask = async <T,>(query: string): Promise<T> =>
        ((await (await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query }) })).json()) as { data: T }).data;
      for (;;) {
        const { locations } = await ask<{ locations: { columnLineage: { state: string; error: string | null } }[] }>(`{ locations { columnLineage { state error } } }`);
        assert.notEqual(locations[0]!.columnLineage.state, "FAILED", locations[0]!.columnLineage.error ?? "");
        if (locations[0]!.columnLineage.state === "DONE") break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const lineage = await ask<{ asset: { columns: { name: string; lineage: { transformation: string } | null }[] } }>(`{ asset(key: "stg_customers") { columns { name lineage { transformation } } } }`);
      assert.deepEqual(lineage.asset.columns, [{ name: "customer_id", lineage: { transformation: "RENAME" } }]);
    } finally {
      child.kill("SIGTERM");
      assert.equal(await exited, 0, stderr);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test("serve prints the URL on stdout, answers, and shuts down gracefully on SIGTERM", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", join(root, "server", "test-serve-process.ts")], {
      cwd: root,
      env: { ...process.env, TRIBUTARY_LOG_LEVEL: "silent" },
    });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      let stdout = "";
      const timer = setTimeout(() => reject(new Error(`no URL within 20 s; stderr: ${stderr}`)), 20_000);
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        stdout += chunk;
        const match = /Tributary is serving (\S+)\n/.exec(stdout);
        if (match?.[1] !== undefined) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.on("exit", () => reject(new Error(`exited early; stderr: ${stderr}`)));
    });
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: `{ asset(key: "marts/orders") { policy { label } } }` }),
    });
    assert.deepEqual(await response.json(), { data: { asset: { policy: { label: "eager" } } } });
    child.kill("SIGTERM");
    assert.equal(await exited, 0, stderr);
    assert.match(stderr, /Received SIGTERM; shutting down/);
    assert.match(stderr, /wiring closed/);
    assert.match(stderr, /Stopped/);
  });
});
