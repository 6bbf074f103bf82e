/**
 * The real wiring end to end: real manifests and dbt projects, the real store (embedded PGlite), the real
 * CLI. Bad input must give one clear error and lose nothing already stored.
 */
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { openCatalogStore } from "../catalog/store/index.ts";
import { main } from "./cli.ts";
import { createLogger } from "./logging.ts";
import type { ConsoleOutput } from "./serve.ts";
import { createCatalogService } from "./wiring.ts";
import { sharedFixture } from "../scripts/shared-fixtures.ts";

const ROOT = join(import.meta.dirname, "..");
const JAFFLE = sharedFixture("manifests", "jaffle-shop-state-v11-postgres", "manifest.json");
const logger = createLogger({ level: "silent" });

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "tributary-wiring-"));
}

function capture(): ConsoleOutput & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (line) => stdout.push(line), err: (line) => stderr.push(line) };
}

describe("a broken manifest on reload", () => {
  test("keeps serving the previous catalog, and the store keeps the good snapshot and records the failure", async () => {
    const dir = tempDir();
    const manifest = join(dir, "manifest.json");
    copyFileSync(JAFFLE, manifest);
    const request = { config: null, dbtProjects: [], manifests: [manifest], dataDir: join(dir, "data"), scheduler: false, purpose: "serve" as const, logger };
    const runtime = await createCatalogService(request, () => {});
    const first = await runtime.reload!();
    assert.ok(first.ok);
    assert.equal(runtime.current().assets.length, 19);

    const text = readFileSync(manifest, "utf8");
    writeFileSync(manifest, text.slice(0, text.length / 3));
    const second = await runtime.reload!();
    assert.ok(second.ok, "the catalog stays up");
    assert.equal(second.errors[0]!.code, "manifest_malformed_json");
    assert.equal(runtime.current().assets.length, 19, "still serving the last good definitions");
    assert.equal(runtime.current().locations[0]!.state, "failed");
    await runtime.close!();

    const store = await openCatalogStore({ dataDir: join(dir, "data") });
    try {
      const [current] = await store.currentDefinitions();
      assert.equal(current!.specs.length, 25, "the good snapshot survives");
      const [latest] = await store.latestLoads();
      assert.equal(latest!.status, "failed");
      assert.match(latest!.error!.message, /truncated/);
    } finally {
      await store.close();
    }
  });
});

describe("tributary serve / check with real locations", () => {
  test("serve exits 1 on a malformed manifest at startup, naming the file and where it breaks", async () => {
    const dir = tempDir();
    const manifest = join(dir, "manifest.json");
    writeFileSync(manifest, readFileSync(JAFFLE, "utf8").slice(0, 5000));
    const output = capture();
    const code = await main(["node", "tributary", "serve", "--manifest", manifest, "--data-dir", join(dir, "data"), "--port", "0"], { output, logger, cwd: dir });
    assert.equal(code, 1);
    const errors = output.stderr.join("\n");
    assert.ok(errors.includes(manifest), errors);
    assert.match(errors, /truncated/);
    assert.deepEqual(output.stdout, [], "no URL is printed");
  });

  test("serve exits 1 on a dbt 0.19 manifest at startup", async () => {
    const dir = tempDir();
    const manifest = join(dir, "manifest.json");
    const json = JSON.parse(readFileSync(JAFFLE, "utf8"));
    json.metadata.dbt_schema_version = "https://schemas.getdbt.com/dbt/manifest/v1.json";
    json.metadata.dbt_version = "0.19.0";
    writeFileSync(manifest, JSON.stringify(json));
    const output = capture();
    const code = await main(["node", "tributary", "serve", "--manifest", manifest, "--data-dir", join(dir, "data"), "--port", "0"], { output, logger, cwd: dir });
    assert.equal(code, 1);
    assert.match(output.stderr.join("\n"), /manifest schema v1 \(dbt 0\.19\.0\); Tributary reads v4–v12/);
  });

  test("check on a project with invalid policies exits 1 and prints file:line errors", async () => {
    const project = join(ROOT, "connectors", "dbt", "test-projects", "bad_policies");
    const output = capture();
    const code = await main(["node", "tributary", "check", "--dbt-project", project, "--data-dir", join(tempDir(), "data")], { output, logger, cwd: project });
    assert.equal(code, 1);
    const lines = [...output.stdout, ...output.stderr].join("\n");
    assert.match(lines, /models\/schema\.yml:14: .*unknown type "sometimes"/);
    assert.match(lines, /models\/schema\.yml:38: .*unknown condition "sometimes_true"/);
  });

  test("serve --strict refuses a project with invalid policies; check passes on the demo project", async () => {
    const project = join(ROOT, "connectors", "dbt", "test-projects", "bad_policies");
    const strict = capture();
    const code = await main(["node", "tributary", "serve", "--strict", "--dbt-project", project, "--data-dir", join(tempDir(), "data"), "--port", "0"], { output: strict, logger, cwd: project });
    assert.equal(code, 1);
    assert.deepEqual(strict.stdout, []);

    const demo = capture();
    const demoCode = await main(["node", "tributary", "check", "--dbt-project", join(ROOT, "demo-project"), "--data-dir", join(tempDir(), "data")], { output: demo, logger, cwd: ROOT });
    assert.equal(demoCode, 0, [...demo.stdout, ...demo.stderr].join("\n"));
  });
});

describe("policies in tributary.yaml", () => {
  test("apply to assets by key glob; an invalid one makes check exit 1 naming tributary.yaml and its line", async () => {
    const dir = tempDir();
    const config = join(dir, "tributary.yaml");
    writeFileSync(
      config,
      [
        "dbt:",
        "  projects:",
        `    - manifest: ${JAFFLE}`,
        "      name: jaffle",
        "policies:",
        "  - assets: \"jaffle_shop_raw/*\"",
        "    auto_materialize_policy: {type: on_cron, cron_schedule: \"0 * * * *\"}",
        "  - assets: \"stg_*\"",
        "    auto_materialize_policy: {type: sometimes}",
        "",
      ].join("\n"),
    );
    const runtime = await createCatalogService({ config, dbtProjects: [], manifests: [], dataDir: join(dir, "data"), scheduler: false, purpose: "check", logger }, () => {});
    await runtime.reload!();
    const graph = runtime.current();
    const seed = graph.get("jaffle_shop_raw/raw_customers")!;
    assert.deepEqual(seed.policy?.source === "auto_materialize_policy" && [seed.policy.type, seed.policy.cronSchedule, seed.policy.declaredIn.line], ["on_cron", "0 * * * *", 6]);
    assert.equal(graph.get("stg_orders")!.policy, null);

    const output = capture();
    const code = await main(["node", "tributary", "check", "--config", config], { output, logger, cwd: dir });
    assert.equal(code, 1);
    assert.match([...output.stdout, ...output.stderr].join("\n"), /tributary\.yaml:8: .*"stg_\*" is invalid \(unknown type "sometimes"/);
  });
});

describe("snapshot retention from tributary.yaml", () => {
  test("storage.keep_snapshots_per_location bounds the snapshots a location keeps", async () => {
    const dir = tempDir();
    const manifest = join(dir, "manifest.json");
    const original = JSON.parse(readFileSync(JAFFLE, "utf8")) as { nodes: Record<string, { resource_type: string; description?: string }> };
    const model = Object.keys(original.nodes).find((id) => original.nodes[id]!.resource_type === "model")!;
    const config = join(dir, "tributary.yaml");
    writeFileSync(config, `dbt:\n  projects:\n    - manifest: manifest.json\n      name: jaffle\nstorage:\n  data_dir: data\n  keep_snapshots_per_location: 1\n`);
    const runtime = await createCatalogService({ config, dbtProjects: [], manifests: [], dataDir: join(dir, "ignored"), scheduler: false, purpose: "serve", logger }, () => {});
    try {
      // Four loads of definitions that differ each time (a model's description): four snapshots written, the
      // older ones pruned to one.
      for (let i = 0; i < 4; i++) {
        original.nodes[model]!.description = `version ${i}`;
        writeFileSync(manifest, JSON.stringify(original));
        assert.ok((await runtime.reload!()).ok);
      }
    } finally {
      await runtime.close!();
    }
    const store = await openCatalogStore({ dataDir: join(dir, "data") });
    try {
      const rows = await store.client.query<{ n: string }>("SELECT count(*) AS n FROM definition_snapshots");
      assert.equal(Number(rows[0]!.n), 2, "the current snapshot and one older one");
    } finally {
      await store.close();
    }
  });
});
