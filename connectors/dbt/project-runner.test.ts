import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { createDbtManifestProvider } from "./manifest-provider.ts";
import { DbtRunError, findMissingDbtPackages, parseDbtLogLine, runDbtCommand, runDbtParse } from "./project-runner.ts";
import type { DbtRuntime } from "./runtime.ts";
import { resolveDbtRuntime } from "./runtime.ts";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const demoProject = join(repoRoot, "demo-project");

interface Manifest {
  metadata: { dbt_schema_version: string; dbt_version: string; project_name: string; adapter_type: string };
  nodes: Record<string, Record<string, unknown> & { config: Record<string, unknown> }>;
  sources: Record<string, Record<string, unknown>>;
  exposures: Record<string, Record<string, unknown>>;
  groups: Record<string, { name: string; owner: { name?: string; email?: string | string[] | null } }>;
  unit_tests: Record<string, unknown>;
}

let runtime: DbtRuntime;
let scratch: string;

before(async () => {
  runtime = await resolveDbtRuntime({ preferManaged: true });
  scratch = await mkdtemp(join(tmpdir(), "tributary-dbt-runner-"));
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** Writes a tiny dbt project on in-memory DuckDB into the scratch directory. */
async function tinyProject(name: string, files: Record<string, string>): Promise<string> {
  const dir = join(scratch, name);
  const all: Record<string, string> = {
    "dbt_project.yml": `name: ${name}\nversion: "1.0"\nconfig-version: 2\nprofile: tiny\n`,
    "profiles.yml": `tiny:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: ":memory:"\n`,
    ...files,
  };
  for (const [path, content] of Object.entries(all)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}

describe("dbt parse on demo-project", () => {
  let manifest: Manifest;
  let manifestPath: string;
  let targetPath: string;

  before(async () => {
    targetPath = join(scratch, "demo-parse");
    const progress: string[] = [];
    const result = await runDbtParse({
      runtime,
      projectDir: demoProject,
      targetPath,
      env: { TRIBUTARY_WAREHOUSE_PATH: join(scratch, "parse-warehouse", "warehouse.duckdb") },
      onProgress: (message) => progress.push(message),
    });
    manifestPath = result.manifestPath;
    manifest = JSON.parse(await readFile(manifestPath, "utf8")) as Manifest;
    assert.ok(result.durationMs > 0);
    assert.ok(progress.some((message) => message.startsWith("Running with dbt=")), progress.join("\n"));
    assert.ok(
      result.logLines.every((line) => line.level !== "warn" && line.level !== "error"),
      `no warnings or deprecations:\n${result.logLines.filter((line) => line.level === "warn").map((line) => line.message).join("\n")}`,
    );
  });

  test("writes a schema v12 manifest into the given target path, not the project's target/", () => {
    assert.equal(manifestPath, join(targetPath, "manifest.json"));
    assert.match(manifest.metadata.dbt_schema_version, /\/v12\.json$/);
    assert.equal(manifest.metadata.project_name, "shop");
    assert.equal(manifest.metadata.adapter_type, "duckdb");
    assert.ok(existsSync(join(targetPath, "dbt.log")), "dbt's log file goes to the target path too");
    assert.equal(existsSync(join(scratch, "parse-warehouse", "warehouse.duckdb")), false, "parse does not open the warehouse");
  });

  test("has the expected sources, seeds, models, tests, exposure and groups", () => {
    const ids = Object.keys(manifest.nodes);
    for (const id of [
      "seed.shop.country_codes",
      "seed.shop.channel_mapping",
      "model.shop.stg_shopify__orders",
      "model.shop.stg_stripe__charges",
      "model.shop.stg_google_ads__campaign_stats",
      "model.shop.int_payments_by_order",
      "model.shop.orders",
      "model.shop.customers.v1",
      "model.shop.customers.v2",
      "model.shop.daily_revenue",
      "model.shop.marketing_roi",
      "model.shop.payment_reconciliation",
      "model.shop.dim_countries",
      "snapshot.shop.customer_snapshot",
      "test.shop.assert_order_totals_match_line_items",
    ]) {
      assert.ok(ids.includes(id), `${id} is in the manifest`);
    }
    assert.deepEqual(Object.keys(manifest.sources).sort(), [
      "source.shop.google_ads.campaign_history",
      "source.shop.google_ads.campaign_stats",
      "source.shop.shopify.customer",
      "source.shop.shopify.order",
      "source.shop.shopify.order_line",
      "source.shop.shopify.product",
      "source.shop.stripe.charge",
      "source.shop.stripe.refund",
    ]);
    assert.deepEqual(Object.keys(manifest.exposures), ["exposure.shop.executive_dashboard"]);
    assert.deepEqual(Object.values(manifest.groups).map((group) => group.name).sort(), ["commerce", "finance", "marketing"]);
    assert.ok(Object.values(manifest.groups).every((group) => group.owner.name && group.owner.email));
    assert.equal(Object.keys(manifest.unit_tests).length, 1);

    const tests = Object.values(manifest.nodes).filter((node) => node["resource_type"] === "test");
    const testNames = tests.map((node) => String(node["name"]));
    assert.ok(testNames.some((name) => name.startsWith("relationships_")));
    assert.ok(testNames.some((name) => name.startsWith("accepted_values_")));
    assert.ok(tests.some((node) => node.config["severity"] === "warn" || node.config["severity"] === "WARN"));

    assert.equal(manifest.nodes["model.shop.int_payments_by_order"]!.config["materialized"], "ephemeral");
    assert.equal(manifest.nodes["model.shop.payment_reconciliation"]!.config["schema"], "finance");
    assert.equal(manifest.nodes["model.shop.payment_reconciliation"]!["schema"], "finance");
    const customersV2 = manifest.nodes["model.shop.customers.v2"]!;
    assert.equal(customersV2["alias"], "customers");
    assert.equal(customersV2["latest_version"], 2);
    assert.deepEqual((manifest.nodes["model.shop.dim_countries"]!["depends_on"] as { nodes: string[] }).nodes, ["seed.shop.country_codes"]);
  });

  test("policies land in both config.meta and the top-level meta dagster-dbt reads", () => {
    const policy = (id: string) => {
      const node = manifest.nodes[id]!;
      const meta = node["meta"] as { dagster?: Record<string, unknown> };
      assert.deepEqual(node.config["meta"], meta, `${id}: config.meta equals meta`);
      return meta.dagster;
    };
    // +meta in dbt_project.yml, on every model…
    assert.deepEqual(policy("model.shop.orders"), { auto_materialize_policy: { type: "eager" } });
    assert.deepEqual(policy("model.shop.customers.v2"), { auto_materialize_policy: { type: "eager" } });
    // …replaced, not deep-merged, by a model's own config.meta.dagster.
    assert.deepEqual(policy("model.shop.daily_revenue"), {
      auto_materialize_policy: { type: "on_cron", cron_schedule: "0 6 * * *", cron_timezone: "Europe/Copenhagen" },
    });
    assert.deepEqual(policy("snapshot.shop.customer_snapshot"), { auto_materialize_policy: { type: "on_missing" } });
    assert.deepEqual(policy("model.shop.dim_countries"), { auto_materialize_policy: { type: "eager" } });
    assert.deepEqual(policy("model.shop.marketing_roi"), {
      automation_condition: {
        all_of: [{ any_of: ["missing", "any_deps_updated"] }, { not: "any_deps_missing" }, { not: "any_deps_in_progress" }, { not: "in_progress" }],
      },
    });
    assert.deepEqual(policy("model.shop.stg_shopify__orders"), { auto_materialize_policy: { type: "eager" } });
  });
});

describe("dbt parse on the dagster_meta test project", () => {
  test("parses, with the Dagster meta keys where dagster-dbt reads them", async () => {
    const { manifestPath } = await runDbtParse({
      runtime,
      projectDir: join(repoRoot, "connectors", "dbt", "test-projects", "dagster_meta"),
      targetPath: join(scratch, "dagster-meta-parse"),
    });
    const manifest = JSON.parse(await readFile(manifestPath, "utf8")) as Manifest;
    const meta = (id: string) => {
      const node = manifest.nodes[id] ?? manifest.sources[id];
      assert.ok(node, `${id} is in the manifest`);
      return (node["meta"] as { dagster?: Record<string, unknown> }).dagster;
    };
    // Project-wide +meta, including the legacy freshness_policy.
    assert.deepEqual(meta("model.dagster_meta.orders"), {
      auto_materialize_policy: { type: "eager" },
      freshness_policy: { maximum_lag_minutes: 1, cron_schedule: "0 * * * *" },
    });
    assert.deepEqual(meta("source.dagster_meta.jaffle_shop.raw_customers"), {
      asset_key: ["customized", "source", "jaffle_shop", "main", "raw_customers"],
    });
    assert.deepEqual(meta("model.dagster_meta.customer_origins"), { asset_key: ["customized", "marts", "customer_origins"] });
    assert.deepEqual(meta("model.dagster_meta.stg_payments"), {
      asset_key: ["customized", "staging", "payments"],
      group: "customized_dagster_group",
    });
    assert.equal(manifest.nodes["model.dagster_meta.stg_payments"]!["group"], "customized_dbt_group");
    assert.deepEqual(meta("model.dagster_meta.stg_events"), {
      owners: ["team:analytics", "data-eng@example.com"],
      auto_materialize_policy: { type: "lazy" },
    });
    assert.equal(manifest.nodes["seed.dagster_meta.raw_orders"]!["group"], "customized_dbt_seed_group");
    assert.deepEqual(meta("test.dagster_meta.singular_test_with_meta_and_multiple_dependencies"), { ref: { name: "customers" } });
    const owners = Object.fromEntries(Object.values(manifest.groups).map((group) => [group.name, group.owner.email ?? null]));
    assert.deepEqual(owners, {
      analytics_engineering: ["ae-lead@example.com", "ae-oncall@example.com"],
      customized_dbt_group: null,
      customized_dbt_seed_group: "kafka@judgment.example.com",
    });
  });
});

describe("dbt build on demo-project", () => {
  test("succeeds: every seed, model, snapshot and test, against a warehouse in a temp directory", async () => {
    const targetPath = join(scratch, "demo-build");
    const warehouse = join(scratch, "build-warehouse", "warehouse.duckdb");
    await mkdir(dirname(warehouse), { recursive: true });
    const names: string[] = [];
    const result = await runDbtCommand({
      runtime,
      projectDir: demoProject,
      targetPath,
      args: ["build"],
      env: { TRIBUTARY_WAREHOUSE_PATH: warehouse },
      onLogLine: (line) => names.push(line.name),
    });
    const errors = result.logLines.filter((line) => line.level === "error").map((line) => line.message);
    assert.equal(result.exitCode, 0, errors.join("\n") || result.stderr);
    assert.ok(existsSync(warehouse), "the warehouse is created where TRIBUTARY_WAREHOUSE_PATH points");
    assert.ok(names.includes("LogModelResult") && names.includes("LogTestResult") && names.includes("LogSeedResult"));

    const runResults = JSON.parse(await readFile(join(targetPath, "run_results.json"), "utf8")) as {
      results: { unique_id: string; status: string }[];
    };
    const byStatus = new Map<string, string[]>();
    for (const { unique_id, status } of runResults.results) byStatus.set(status, [...(byStatus.get(status) ?? []), unique_id]);
    assert.deepEqual([...byStatus.keys()].filter((status) => !["success", "pass", "warn", "no-op"].includes(status)), []);
    assert.deepEqual(byStatus.get("no-op"), ["exposure.shop.executive_dashboard"], "only the exposure has nothing to run");
    // The one warn-severity test that finds rows: Stripe charges without a Shopify order (wholesale invoices).
    assert.deepEqual(
      byStatus.get("warn")?.map((id) => id.replace(/\.[0-9a-f]{10}$/, "")),
      ["test.shop.not_null_stg_stripe__charges_shopify_order_id"],
    );
    const built = (prefix: string) => runResults.results.filter((r) => r.unique_id.startsWith(prefix)).length;
    assert.equal(built("seed."), 2);
    assert.equal(built("snapshot."), 1);
    assert.equal(built("model."), 20, "every model but the ephemeral one (the three of models/partitioned included)");
    assert.ok(built("test.") >= 60);
    assert.equal(built("unit_test."), 1);
  });

  test("then `dbt docs generate` and `dbt source freshness`: a manifest location reads the catalog.json and sources.json beside it", async () => {
    const targetPath = join(scratch, "demo-build");
    const warehouse = join(scratch, "build-warehouse", "warehouse.duckdb");
    for (const args of [["docs", "generate"], ["source", "freshness"]]) {
      const result = await runDbtCommand({ runtime, projectDir: demoProject, targetPath, args, env: { TRIBUTARY_WAREHOUSE_PATH: warehouse } });
      // Freshness exits 1 when a source is past error_after (the demo's CSV rows are old): the file is written either way.
      assert.ok(result.exitCode === 0 || args[0] === "source", `dbt ${args.join(" ")}: ${result.stderr}`);
    }
    const definitions = await createDbtManifestProvider({ file: join(targetPath, "manifest.json"), name: "shop" }).load();
    assert.deepEqual(definitions.diagnostics.filter((d) => /_unreadable$/.test(d.code)), [], "both files are usable");
    const byKey = new Map(definitions.specs.map((spec) => [spec.key.join("/"), spec]));

    // What DuckDB itself says about the tables dbt built, through catalog.json.
    const orders = byKey.get("orders")!;
    assert.equal(orders.tableStats?.tableType, "BASE TABLE");
    assert.equal(orders.columns.find((c) => c.name === "financial_status")?.type, "VARCHAR");
    assert.ok(orders.columns.every((c) => c.type !== null), "every column of the built table is typed");
    assert.equal(byKey.get("stg_shopify__orders")?.tableStats?.tableType, "VIEW");

    // Each source table with a freshness policy, checked on _fivetran_synced.
    const customer = byKey.get("shopify/customer")!;
    assert.ok(customer.freshness, "shopify/customer has a freshness result");
    assert.ok(["pass", "warn", "error"].includes(customer.freshness.status), customer.freshness.status);
    assert.equal(customer.freshness.warnAfter, "12 hours");
    assert.equal(customer.freshness.errorAfter, "24 hours");
    assert.ok(customer.freshness.maxLoadedAt !== null && customer.freshness.ageSeconds !== null);
    assert.equal(byKey.get("orders")!.freshness ?? null, null, "models have no freshness result");
  });
});

describe("errors before and from dbt", () => {
  test("a project whose packages are not installed gets dbt_packages_missing, without running dbt", async () => {
    const projectDir = await tinyProject("needs_packages", {
      "packages.yml": "packages:\n  - package: dbt-labs/dbt_utils\n    version: [\">=1.0.0\", \"<2.0.0\"]\n  - git: https://user:secret@github.com/acme/dbt-internal-macros.git\n    revision: v2\n",
      "models/a.sql": "select 1 as id\n",
    });
    await assert.rejects(runDbtParse({ runtime, projectDir, targetPath: join(projectDir, "tributary-target") }), (error: unknown) => {
      assert.ok(error instanceof DbtRunError);
      assert.equal(error.code, "dbt_packages_missing");
      assert.equal(error.projectDir, projectDir);
      assert.equal(
        error.message,
        `dbt project ${projectDir} uses packages (dbt-labs/dbt_utils, https://github.com/acme/dbt-internal-macros.git) that are not ` +
          "installed in dbt_packages/. Run `dbt deps` in the project (Tributary does not download packages).",
      );
      return true;
    });
    assert.equal(existsSync(join(projectDir, "tributary-target")), false, "dbt never ran");
  });

  test("installed packages are found by their project names, in the configured packages-install-path", async () => {
    const projectDir = await tinyProject("has_packages", {
      "dbt_project.yml": `name: has_packages\nversion: "1.0"\nconfig-version: 2\nprofile: tiny\npackages-install-path: vendor/dbt\n`,
      "dependencies.yml": "packages:\n  - package: dbt-labs/dbt_utils\n    version: 1.3.0\n  - git: https://github.com/acme/dbt-internal-macros.git\n",
    });
    assert.deepEqual(await findMissingDbtPackages(projectDir), {
      installPath: "vendor/dbt",
      missing: ["dbt-labs/dbt_utils", "https://github.com/acme/dbt-internal-macros.git"],
    });
    await mkdir(join(projectDir, "vendor/dbt/dbt_utils"), { recursive: true });
    await writeFile(join(projectDir, "vendor/dbt/dbt_utils/dbt_project.yml"), "name: dbt_utils\n");
    await mkdir(join(projectDir, "vendor/dbt/internal_macros"), { recursive: true });
    await writeFile(join(projectDir, "vendor/dbt/internal_macros/dbt_project.yml"), "name: acme_internal_macros\n");
    // The git package's name is only a guess, and two packages are installed for two declared: trust dbt.
    assert.deepEqual(await findMissingDbtPackages(projectDir), { installPath: "vendor/dbt", missing: [] });
  });

  test("a syntax error in a model gives dbt_parse_failed with dbt's message naming the file", async () => {
    const projectDir = await tinyProject("broken", {
      "models/good.sql": "select 1 as id\n",
      "models/staging/broken_model.sql": "select 1 as id {{ config(materialized='table' }}\n",
    });
    await assert.rejects(runDbtParse({ runtime, projectDir, targetPath: join(scratch, "broken-target") }), (error: unknown) => {
      assert.ok(error instanceof DbtRunError);
      assert.equal(error.code, "dbt_parse_failed");
      assert.equal(error.projectDir, projectDir);
      assert.match(error.message, /models\/staging\/broken_model\.sql/);
      assert.match(error.message, /Compilation Error/);
      assert.doesNotMatch(error.message, /Traceback|Encountered an error/);
      assert.equal(error.dbtMessages.length, 1);
      return true;
    });
  });

  test("an aborted run gives dbt_cancelled", async () => {
    const projectDir = await tinyProject("cancelled", { "models/a.sql": "select 1 as id\n" });
    const controller = new AbortController();
    const run = runDbtCommand({
      runtime,
      projectDir,
      targetPath: join(scratch, "cancelled-target"),
      args: ["parse"],
      signal: controller.signal,
      onLogLine: () => controller.abort(),
    });
    await assert.rejects(run, (error: unknown) => error instanceof DbtRunError && error.code === "dbt_cancelled");
  });
});

describe("parseDbtLogLine", () => {
  test("reads dbt's JSON log lines and keeps other output as info", () => {
    const line = parseDbtLogLine(
      JSON.stringify({
        data: { node_info: { unique_id: "model.shop.orders", node_status: "success" } },
        info: { code: "Q012", level: "info", msg: "1 of 1 OK created sql table model analytics.orders", name: "LogModelResult", ts: "2026-11-24T00:27:02.1Z" },
      }),
    );
    assert.deepEqual(line, {
      level: "info",
      name: "LogModelResult",
      code: "Q012",
      message: "1 of 1 OK created sql table model analytics.orders",
      timestamp: "2026-11-24T00:27:02.1Z",
      data: { node_info: { unique_id: "model.shop.orders", node_status: "success" } },
    });
    assert.deepEqual(parseDbtLogLine("hello from a macro"), { level: "info", name: "", code: "", message: "hello from a macro", timestamp: null, data: {} });
  });
});
