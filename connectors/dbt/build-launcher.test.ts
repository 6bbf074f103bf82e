/**
 * The dbt build launcher against the real, pinned dbt (managed virtualenv) on copies of demo-project, with an
 * in-memory step reporter (connectors/shared/testing.ts) that keeps what it is given.
 *
 * The builds are shared between tests to keep the file quick: one parse and one warm-up build of the
 * warehouse (without tests) of a demo-project copy with a broken model, a failing test and a slow model; then
 * one build that succeeds (through the selectors.yml path), one that fails (through --select), and one that
 * is canceled. Everything else reads what those left.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, cp, lstat, mkdir, mkdtemp, readFile, readdir, readlink, rm, stat, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parse as parseYaml } from "yaml";
import type { AssetEventInput } from "../../catalog/model/events.ts";
import type { AssetKey } from "../../catalog/model/index.ts";
import { completeDefinitions, keyToString } from "../../catalog/model/index.ts";
import type { CheckResultInput, StepOutcome, StepTarget } from "../../catalog/model/runs.ts";
import { createMemoryEventSink, createMemoryStepReporter, stepLaunch } from "../shared/testing.ts";
import type { MemoryStepReporter } from "../shared/testing.ts";
import {
  DBT_PID_FILE,
  createDbtBuildLauncher,
  dbtSelectionArgs,
  isDbtProcessAlive,
  prepareSelectorProject,
  readDbtPidFile,
} from "./build-launcher.ts";
import type { DbtBuildLauncherOptions } from "./build-launcher.ts";
import { COMPILED_CODE_FILE, withKeptCompiledCode } from "./compiled-code.ts";
import { readManifestFile } from "./manifest.ts";
import { createDbtProjectProvider } from "./project-provider.ts";
import { dbtNodeState } from "./tool-state.ts";
import { runDbtCommand, runDbtParse } from "./project-runner.ts";
import { createManifestNodeResolver, readRunResultsFile, runResultsToEvents } from "./run-results.ts";
import type { DbtRuntime } from "./runtime.ts";
import { resolveDbtRuntime } from "./runtime.ts";

const demoProject = join(import.meta.dirname, "..", "..", "demo-project");

let runtime: DbtRuntime;
let scratch: string;
let env: Record<string, string>;

before(async () => {
  runtime = await resolveDbtRuntime({ preferManaged: true });
  scratch = await mkdtemp(join(tmpdir(), "tributary-dbt-launcher-"));
  env = { TRIBUTARY_WAREHOUSE_PATH: join(scratch, "warehouse", "warehouse.duckdb") };
  await mkdir(join(scratch, "warehouse"));
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** A memory reporter that also notes the order of what it is told (to see events arrive while dbt runs). */
function sequencedReporter(options: Parameters<typeof createMemoryStepReporter>[0] = {}): MemoryStepReporter & { order: string[] } {
  const inner = createMemoryStepReporter(options);
  const order: string[] = [];
  return {
    ...inner,
    logs: inner.logs,
    progress: inner.progress,
    events: inner.events,
    checks: inner.checks,
    order,
    log(line) {
      order.push(`log:${line.message}`);
      inner.log(line);
    },
    async recordAssetEvents(events) {
      order.push(...events.map((e) => `event:${e.dedupeKey}`));
      await inner.recordAssetEvents(events);
    },
    async recordCheckResults(results) {
      order.push(...results.map((r) => `check:${r.dedupeKey}`));
      await inner.recordCheckResults(results);
    },
  };
}

/** The step targets for some dbt nodes, as the catalog would hand them (keys and checks from the translator). */
async function targetsFor(manifestPath: string, uniqueIds: readonly string[]): Promise<StepTarget[]> {
  const { translateManifest } = await import("./translator.ts");
  const { specs } = translateManifest(await readManifestFile(manifestPath), { locationName: "shop" });
  return uniqueIds.map((id) => {
    const spec = specs.find((s) => s.dbtUniqueId === id);
    assert.ok(spec, `${id} is an asset`);
    return { assetKey: spec.key, runTargetId: id, checks: spec.checks.map((c) => ({ name: c.name, sourceId: c.sourceId })) };
  });
}

const keys = (list: readonly AssetKey[]) => list.map(keyToString).sort();
const stored = (events: readonly (AssetEventInput & { id?: number; recordedAt?: string })[]) =>
  events.map(({ id: _id, recordedAt: _at, ...event }) => event).sort((a, b) => a.dedupeKey.localeCompare(b.dedupeKey));
const byKey = (checks: readonly CheckResultInput[]) => [...checks].sort((a, b) => a.dedupeKey.localeCompare(b.dedupeKey));

/** Copies demo-project into the scratch dir (never touching the original). */
async function copyDemo(name: string): Promise<string> {
  const dir = join(scratch, name);
  await cp(demoProject, dir, { recursive: true, filter: (source) => !/(^|[\\/])(target|logs)$|\.duckdb(\.wal)?$/.test(source) });
  return dir;
}

/** Parses a project as a dbt location's load does. */
async function parse(projectDir: string, targetPath: string): Promise<string> {
  return (await runDbtParse({ runtime, projectDir, targetPath, env })).manifestPath;
}

describe("selection arguments (pure)", () => {
  const fqns = Array.from({ length: 201 }, (_, i) => `shop.staging.model_${i}`);

  test("up to the threshold, one --select with the fqns joined by spaces (dagster-dbt's form)", () => {
    assert.deepEqual(dbtSelectionArgs(fqns.slice(0, 200), { selectorName: "tributary_run_r_0" }), { kind: "select", args: ["--select", fqns.slice(0, 200).join(" ")] });
  });

  test("beyond it, a named selector whose selectors.yml unions every fqn", () => {
    const selection = dbtSelectionArgs(fqns, { selectorName: "tributary_run_r_0" });
    assert.equal(selection.kind, "selector");
    if (selection.kind !== "selector") return;
    assert.deepEqual(selection.args, ["--selector", "tributary_run_r_0"]);
    const yaml = parseYaml(selection.selectorsYaml) as { selectors: { name: string; definition: { union: string[] } }[] };
    assert.equal(yaml.selectors.length, 1);
    assert.equal(yaml.selectors[0]!.name, "tributary_run_r_0");
    assert.deepEqual(yaml.selectors[0]!.definition.union, fqns);
    assert.equal(dbtSelectionArgs(fqns.slice(0, 3), { selectorName: "s", threshold: 2 }).kind, "selector");
  });

  test("the selector project links the user's project, leaves out their selectors.yml, target and logs, and adds ours", async () => {
    const project = join(scratch, "shadowed");
    for (const dir of ["models", "target", "logs"]) await mkdir(join(project, dir), { recursive: true });
    await writeFile(join(project, "dbt_project.yml"), "name: x\n");
    await writeFile(join(project, "selectors.yml"), "selectors: []\n");
    const shadow = await prepareSelectorProject(project, join(project, "runs", "r-0", "selector-project"), "selectors: [{name: ours}]\n");
    assert.deepEqual((await readdir(shadow)).sort(), ["dbt_project.yml", "models", "selectors.yml"], "runs/ (holding the shadow) is not linked either");
    assert.equal(await readlink(join(shadow, "models")), join(project, "models"));
    assert.ok((await lstat(join(shadow, "selectors.yml"))).isFile());
    assert.equal(await readFile(join(shadow, "selectors.yml"), "utf8"), "selectors: [{name: ours}]\n");
    assert.equal(await readFile(join(project, "selectors.yml"), "utf8"), "selectors: []\n", "the user's file is untouched");
  });
});

describe("dbt build launcher on demo-project", () => {
  let shop: string;
  let shopParse: string;
  let runsDir: string;
  let options: DbtBuildLauncherOptions;

  before(async () => {
    // demo-project, plus: a broken staging model, a failing error-severity test with a child model, a slow model.
    shop = await copyDemo("shop");
    const campaigns = join(shop, "models/staging/google_ads/stg_google_ads__campaigns.sql");
    await writeFile(campaigns, (await readFile(campaigns, "utf8")).replace("        serving_status,", "        no_such_column as serving_status,"));
    await writeFile(join(shop, "tests/assert_no_eu_countries.sql"), "-- Fails: the shop ships to the EU.\nselect country_code from {{ ref('dim_countries') }} where is_eu\n");
    await writeFile(join(shop, "models/marts/core/eu_countries.sql"), "select * from {{ ref('dim_countries') }} where is_eu\n");
    await mkdir(join(shop, "models/slow"), { recursive: true });
    await writeFile(join(shop, "models/slow/slow_model.sql"), "{{ config(materialized='table') }}\nselect sum(hash(i) % 7) as s from range(400000000000) t(i)\n");
    shopParse = join(scratch, "shop-parse");
    await parse(shop, shopParse);
    // A warehouse where the relations exist, as in production: eager test selection also runs tests that read
    // unselected models (relationships), which need those relations.
    await mkdir(join(scratch, "warm"), { recursive: true });
    await copyFile(join(shopParse, "partial_parse.msgpack"), join(scratch, "warm", "partial_parse.msgpack"));
    const warm = await runDbtCommand({
      runtime,
      projectDir: shop,
      targetPath: join(scratch, "warm"),
      args: ["build", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test", "--exclude", "stg_google_ads__campaigns+", "slow_model"],
      env,
    });
    assert.equal(warm.exitCode, 0, warm.logLines.map((l) => l.message).join("\n"));

    runsDir = join(scratch, "runs");
    options = { locationName: "shop", projectDir: shop, parseTargetDir: shopParse, runsDir, preferManagedDbt: true, env };
  });

  describe("a build that succeeds (through a selectors.yml: threshold 3)", () => {
    const ids = ["seed.shop.country_codes", "model.shop.payment_reconciliation", "model.shop.stg_stripe__charges", "model.shop.customers.v2"];
    let targets: StepTarget[];
    let report: ReturnType<typeof sequencedReporter>;
    let outcome: StepOutcome;
    let targetPath: string;
    const sink = createMemoryEventSink();

    before(async () => {
      targets = await targetsFor(join(shopParse, "manifest.json"), ids);
      report = sequencedReporter({ sink });
      const launcher = createDbtBuildLauncher({ ...options, selectorThreshold: 3 });
      assert.deepEqual([launcher.tool, launcher.locationName, launcher.concurrency, launcher.batch], ["dbt", "shop", 1, "location"]);
      outcome = await launcher.launch(stepLaunch(targets, report, { runId: "run-a" }));
      targetPath = join(runsDir, "run-a-0");
    });

    test("succeeds with dbt's invocation id", () => {
      assert.equal(outcome.status, "succeeded", outcome.message);
      assert.match(outcome.toolRunId ?? "", /^[0-9a-f]{8}-[0-9a-f]{4}-/);
      assert.deepEqual([outcome.failedKeys, outcome.skippedKeys], [[], []]);
      assert.match(outcome.message, /^dbt built 4 assets; \d+ checks passed, 1 warned \(invocation [0-9a-f-]+\)$/);
    });

    test("dbt ran the selector Tributary wrote, from a shadow of the project", async () => {
      const runResults = JSON.parse(await readFile(join(targetPath, "run_results.json"), "utf8")) as { args: { selector?: string; project_dir?: string } };
      assert.equal(runResults.args.selector, "tributary_run_run_a_0");
      assert.equal(runResults.args.project_dir, join(targetPath, "selector-project"));
      assert.ok(report.logs.some((l) => /^running dbt build --selector tributary_run_run_a_0 \(4 assets and \d+ checks/.test(l.message)));
    });

    test("a materialization for exactly the targets, with duration, relation, rows and the invocation id", () => {
      const events = report.events;
      assert.deepEqual(keys(events.map((e) => e.assetKey)), keys(targets.map((t) => t.assetKey)));
      for (const event of events) {
        assert.equal(event.kind, "materialization");
        assert.equal(event.tool, "dbt");
        assert.equal(event.locationName, "shop");
        assert.equal(event.runId, outcome.toolRunId);
        assert.equal(event.dedupeKey, `dbt:${outcome.toolRunId}:${String(event.metadata["unique_id"])}`);
        assert.equal(event.metadata["invocation_id"], outcome.toolRunId);
        const duration = event.metadata["dbt/execution_duration_s"];
        assert.ok(typeof duration === "number" && duration > 0 && duration < 60, `duration ${String(duration)}`);
        assert.match(event.occurredAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      }
      const byUniqueId = new Map(events.map((e) => [e.metadata["unique_id"], e.metadata]));
      assert.equal(byUniqueId.get("seed.shop.country_codes")?.["dbt/rows_affected"], 20, "dbt-duckdb reports the rows a seed loaded");
      assert.equal(byUniqueId.get("seed.shop.country_codes")?.["dbt/materialized"], "seed");
      assert.equal(byUniqueId.get("model.shop.stg_stripe__charges")?.["dbt/materialized"], "view");
      assert.equal(byUniqueId.get("model.shop.customers.v2")?.["dbt/relation_name"], '"warehouse"."analytics"."customers"', "the versioned model builds under its stable name");
      assert.equal(byUniqueId.get("model.shop.payment_reconciliation")?.["dbt/relation_name"], '"warehouse"."finance"."payment_reconciliation"');
      assert.ok(events.some((e) => keyToString(e.assetKey) === "finance/payment_reconciliation"), "the custom schema is part of the key");
    });

    test("keeps the built models' compiled SQL beside the parse, and the project's next load has their column lineage", async () => {
      const kept = JSON.parse(await readFile(join(shopParse, COMPILED_CODE_FILE), "utf8")) as Record<string, { checksum: string; compiled_code: string }>;
      assert.deepEqual(Object.keys(kept).sort(), ["model.shop.customers.v2", "model.shop.payment_reconciliation", "model.shop.stg_stripe__charges"], "the models this build compiled, no seed");
      assert.match(kept["model.shop.stg_stripe__charges"]!.compiled_code, /from "warehouse"\."stripe"\."charge"/i, "compiled: refs and sources resolved");
      // The location's load: dbt parse (no compiled SQL), then the kept SQL on the models whose source is unchanged.
      const provider = await createDbtProjectProvider({ projectDir: shop, targetDir: shopParse, env, preferManagedDbt: true });
      // Column lineage is the load's follow-up (computed on a worker thread after the catalog is served).
      const { specs } = await completeDefinitions(await provider.load());
      const lineageOf = (id: string) => dbtNodeState.read(specs.find((spec) => spec.dbtUniqueId === id)!.metadata).column_lineage;
      const charges = lineageOf("model.shop.stg_stripe__charges");
      assert.equal(charges?.followed, true, "a built model has column lineage");
      const chargeId = charges!.columns.find((c) => c.column === "charge_id");
      assert.deepEqual(chargeId?.upstream.map((u) => u.column), ["id"], "stg_stripe__charges.charge_id is the source's id, renamed");
      assert.equal(chargeId?.transformation, "rename");
      assert.equal(lineageOf("model.shop.stg_stripe__refunds") ?? null, null, "a model no build compiled has none");
      // An edited model's kept SQL is stale: it waits for the model's next build.
      const parsed = await readManifestFile(join(shopParse, "manifest.json"), "shop");
      const edited = { ...parsed, nodes: { ...parsed.nodes, "model.shop.stg_stripe__charges": { ...parsed.nodes["model.shop.stg_stripe__charges"]!, checksum: { name: "sha256", checksum: "edited" } } } };
      const filled = await withKeptCompiledCode(edited, shopParse);
      assert.equal(filled.nodes["model.shop.stg_stripe__charges"]!.compiled_code ?? null, null);
      assert.equal(filled.nodes["model.shop.payment_reconciliation"]!.compiled_code, kept["model.shop.payment_reconciliation"]!.compiled_code);
    });

    test("a check result for every test of the targets, the warning with its rows and compiled SQL", () => {
      for (const target of targets) {
        for (const check of target.checks) {
          const result = report.checks.find((c) => c.checkName === check.name && keyToString(c.assetKey) === keyToString(target.assetKey));
          assert.ok(result, `a result for ${check.name}`);
          assert.ok(result.outcome === "pass" || result.outcome === "warn", `${check.name}: ${result.outcome}`);
          assert.equal(result.toolRunId, outcome.toolRunId);
          assert.equal(result.dedupeKey, `dbt:${outcome.toolRunId}:${check.sourceId}`);
        }
      }
      const warned = report.checks.filter((c) => c.outcome === "warn");
      assert.equal(warned.length, 1);
      const warning = warned[0]!;
      assert.deepEqual([warning.assetKey, warning.checkName, warning.failures], [["stg_stripe__charges"], "not_null_stg_stripe__charges_shopify_order_id", 2]);
      assert.equal(warning.metadata["dbt/message"], "Got 2 results, configured to warn if != 0");
      const compiled = warning.metadata["dbt/compiled_path"];
      assert.equal(compiled, join(targetPath, "compiled/shop/models/staging/stripe/_stripe__models.yml/not_null_stg_stripe__charges_shopify_order_id.sql"));
      assert.ok(existsSync(compiled as string), "the compiled SQL is where the metadata says");
    });

    test("only the checks of the step's assets run, not tests of other assets that read them", () => {
      // dbt's eager indirect selection would run the relationships test of orders (not in the step) because it
      // reads customers (in the step); Tributary selects the step's own checks and nothing else.
      assert.equal(report.checks.find((c) => c.checkName === "relationships_orders_customer_id__customer_id__ref_customers_"), undefined);
      const own = new Set(targets.flatMap((t) => t.checks.map((c) => `${keyToString(t.assetKey)}:${c.name}`)));
      assert.deepEqual(new Set(report.checks.map((c) => `${keyToString(c.assetKey)}:${c.checkName}`)), own);
    });

    test("results are recorded while dbt runs, not after; and what the log says", () => {
      const exited = report.order.findIndex((entry) => entry.startsWith("log:dbt exited with code 0"));
      assert.ok(exited > 0);
      const recordedAfter = report.order.slice(exited).filter((entry) => !entry.startsWith("log:"));
      assert.deepEqual(recordedAfter, [], "nothing was left for run_results.json to fill in");
      assert.ok(report.order.findIndex((e) => e.startsWith("event:")) < report.order.findIndex((e) => e.startsWith("log:Finished running")), "the first event precedes dbt's summary");
      const messages = report.logs.map((l) => l.message);
      assert.ok(messages.some((m) => /OK created sql table model finance\.payment_reconciliation/.test(m)));
      assert.ok(report.logs.some((l) => l.level === "warn" && /WARN 2 not_null_stg_stripe__charges_shopify_order_id/.test(l.message)));
      assert.ok(report.logs.every((l) => l.level !== "debug"), "debug lines are not logged");
      assert.ok(messages.every((m) => !m.includes("\u001b[")), "no terminal colors");
      assert.ok(messages.every((m) => !m.includes(env["TRIBUTARY_WAREHOUSE_PATH"]!)), "the environment is not logged");
      const line = report.logs.find((l) => /OK created sql table model finance\.payment_reconciliation/.test(l.message))!;
      assert.deepEqual(line.assetKey, ["finance", "payment_reconciliation"]);
      assert.deepEqual(line.data, { dbt_event: "LogModelResult", unique_id: "model.shop.payment_reconciliation", status: "OK" });
      assert.equal(report.logs.at(-1)!.message, `dbt exited with code 0; run_results.json kept at ${join(targetPath, "run_results.json")}`);
    });

    test("progress: the target dir before dbt starts, the pid once it runs, the kept run_results.json at the end", () => {
      assert.deepEqual(report.progress.map((p) => p["phase"]), ["starting", "running", "finished"]);
      const [starting, running, finished] = report.progress;
      assert.equal(starting!["targetPath"], targetPath);
      assert.equal(typeof starting!["startedAt"], "string");
      assert.equal(typeof running!["pid"], "number");
      assert.equal(finished!["runResultsPath"], join(targetPath, "run_results.json"));
      assert.equal(finished!["invocationId"], outcome.toolRunId);
      assert.equal(finished!["exitCode"], 0);
      assert.equal(isDbtProcessAlive(running!["pid"] as number), false, "dbt has exited");
      assert.equal(readDbtPidFile(targetPath), running!["pid"], "dbt's own pid file names the process the launcher saved");
    });

    test("run_results.json gives the very events and check results the launcher recorded live", async () => {
      const runResults = await readRunResultsFile(join(targetPath, "run_results.json"));
      assert.equal(runResults.schemaVersion, 6);
      assert.equal(runResults.invocationId, outcome.toolRunId);
      const resolveNode = createManifestNodeResolver(await readManifestFile(join(targetPath, "manifest.json")), { locationName: "shop", targetPath });
      const translation = runResultsToEvents(runResults, { locationName: "shop", resolveNode });
      assert.deepEqual(stored(translation.events), stored(report.events));
      assert.deepEqual(byKey(translation.checkResults), byKey(report.checks));
    });

    test("taken over after the worker died (its dbt gone): the same events from run_results.json, dbt not started again", async () => {
      const runResultsFile = join(targetPath, "run_results.json");
      const before = (await stat(runResultsFile)).mtimeMs;
      const runsBefore = await readdir(runsDir);
      const takeover = createMemoryStepReporter({ sink });
      const resumed = await createDbtBuildLauncher({ ...options, selectorThreshold: 3 }).launch(
        stepLaunch(targets, takeover, { runId: "run-a", resume: report.progress[1]! }),
      );
      assert.deepEqual(resumed, outcome);
      assert.equal(sink.events.length, 4, "nothing new was stored: same assets, same dedupe keys");
      const again = createMemoryStepReporter();
      await createDbtBuildLauncher(options).launch(stepLaunch(targets, again, { runId: "run-a", resume: report.progress[1]! }));
      assert.deepEqual(stored(again.events), stored(report.events), "the same events, one by one");
      assert.deepEqual(byKey(again.checks), byKey(report.checks));
      assert.equal((await stat(runResultsFile)).mtimeMs, before, "dbt did not run again: run_results.json is untouched");
      assert.deepEqual(await readdir(runsDir), runsBefore, "no new target dir");
      assert.ok(takeover.logs.some((l) => /dbt is not started again/.test(l.message)));
      assert.equal(takeover.progress.at(-1)!["phase"], "finished");
    });

    test("taken over while dbt still runs: it waits for that process, then reads its results", async () => {
      // A stand-in for the orphaned dbt: a process whose command line names dbt, ending on its own.
      const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 1500)", "dbt-build-stand-in"], { stdio: "ignore" });
      const started = Date.now();
      const takeover = createMemoryStepReporter();
      const resumed = await createDbtBuildLauncher({ ...options, resumePollMs: 100 }).launch(
        stepLaunch(targets, takeover, { runId: "run-a", resume: { ...report.progress[1]!, pid: child.pid } }),
      );
      assert.ok(Date.now() - started >= 1200, "it waited for the process to exit");
      assert.equal(resumed.status, "succeeded");
      assert.ok(takeover.logs.some((l) => l.message === `dbt (pid ${child.pid}) is still running; waiting for it to finish`));
    });

    test("taken over while dbt still runs, then canceled: the process is stopped", async () => {
      const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)", "dbt-build-stand-in"], { stdio: "ignore" });
      const exited = new Promise((resolve) => child.once("exit", resolve));
      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error("canceled")), 300);
      const resumed = await createDbtBuildLauncher({ ...options, resumePollMs: 50 }).launch(
        stepLaunch(targets, createMemoryStepReporter(), { runId: "run-a", resume: { ...report.progress[1]!, pid: child.pid }, signal: controller.signal }),
      );
      assert.equal(resumed.status, "canceled", resumed.message);
      await exited;
      assert.equal(isDbtProcessAlive(child.pid!), false);
    });

    test("a pid reused by another program is not waited for", { skip: !existsSync("/proc/self/cmdline") && "tells programs apart through /proc" }, async () => {
      const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 5000)"], { stdio: "ignore" });
      try {
        const started = Date.now();
        const resumed = await createDbtBuildLauncher(options).launch(
          stepLaunch(targets, createMemoryStepReporter(), { runId: "run-a", resume: { ...report.progress[1]!, pid: child.pid } }),
        );
        assert.equal(resumed.status, "succeeded");
        assert.ok(Date.now() - started < 4000, "it read the results without waiting for the unrelated process");
      } finally {
        child.kill();
      }
    });
    test("taken over from 'starting' (the worker died before saving the pid): it follows the dbt its pid file names", async () => {
      const starting = report.progress[0]!;
      assert.equal(starting["phase"], "starting");
      assert.equal(starting["pid"], undefined);
      const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 1500)", "dbt-build-stand-in"], { stdio: "ignore" });
      await writeFile(join(targetPath, DBT_PID_FILE), `${child.pid}\n`);
      const runsBefore = await readdir(runsDir);
      const started = Date.now();
      const takeover = createMemoryStepReporter();
      const resumed = await createDbtBuildLauncher({ ...options, resumePollMs: 100 }).launch(stepLaunch(targets, takeover, { runId: "run-a", resume: starting }));
      assert.ok(Date.now() - started >= 1200, "it waited for the process the pid file names");
      assert.equal(resumed.status, "succeeded", resumed.message);
      assert.ok(takeover.logs.some((l) => l.message === `dbt (pid ${child.pid}) is still running; waiting for it to finish`));
      assert.deepEqual(await readdir(runsDir), runsBefore, "dbt was not started again");
    });

    test("taken over from 'starting' with no pid file: no dbt was ever started, so the takeover starts it", async () => {
      const fresh = join(runsDir, "run-fresh-0");
      await mkdir(fresh, { recursive: true });
      const takeover = createMemoryStepReporter();
      const resumed = await createDbtBuildLauncher(options).launch(
        stepLaunch(targets.slice(0, 1), takeover, { runId: "run-fresh", resume: { phase: "starting", targetPath: fresh, startedAt: new Date().toISOString(), host: hostname() } }),
      );
      assert.equal(resumed.status, "succeeded", resumed.message);
      assert.ok(takeover.logs.some((l) => /stopped before dbt started \(no dbt\.pid in .*\); starting it now/.test(l.message)));
      assert.equal(takeover.events.filter((e) => e.kind === "materialization").length, 1);
      assert.ok(existsSync(join(fresh, "run_results.json")), "this build's results are in the step's target dir");
      assert.notEqual(readDbtPidFile(fresh), null);
    });
  });

  describe("a build that fails (a broken model, a failing test; through --select)", () => {
    const ids = ["model.shop.stg_google_ads__campaigns", "model.shop.int_campaign_spend_daily", "model.shop.dim_countries", "model.shop.eu_countries"];
    let targets: StepTarget[];
    let report: ReturnType<typeof sequencedReporter>;
    let outcome: StepOutcome;
    let targetPath: string;

    before(async () => {
      targets = await targetsFor(join(shopParse, "manifest.json"), ids);
      report = sequencedReporter();
      const launcher = createDbtBuildLauncher(options);
      outcome = await launcher.launch(stepLaunch(targets, report, { runId: "run-b" }));
      targetPath = join(runsDir, "run-b-0");
    });

    test("failed: the broken model is failed, its child and the failing test's child skipped", () => {
      assert.equal(outcome.status, "failed");
      assert.deepEqual(keys(outcome.failedKeys), ["stg_google_ads__campaigns"]);
      assert.deepEqual(keys(outcome.skippedKeys), ["eu_countries", "int_campaign_spend_daily"]);
      assert.match(outcome.toolRunId ?? "", /^[0-9a-f-]{36}$/);
      assert.ok(report.logs.some((l) => l.message.startsWith("running dbt build --select ")), "the --select path");
    });

    test("the message says which model and which test failed, with dbt's own words", () => {
      assert.match(outcome.message, /^dbt build failed: model\.shop\.stg_google_ads__campaigns failed: Runtime Error in model stg_google_ads__campaigns .*no_such_column/);
      assert.match(outcome.message, /test assert_no_eu_countries on dim_countries failed \(12 failing rows\)/);
      assert.match(outcome.message, /2 assets skipped because something upstream failed/);
    });

    test("a materialization failure carrying dbt's error; the model whose test failed was built; skipped ones have no event", () => {
      const failure = report.events.find((e) => e.kind === "materialization_failure");
      assert.ok(failure);
      assert.deepEqual(failure.assetKey, ["stg_google_ads__campaigns"]);
      assert.match(String(failure.metadata["dbt/message"]), /Binder Error: Referenced column "no_such_column" not found/);
      assert.equal(failure.metadata["dbt/compiled_path"], join(targetPath, "compiled/shop/models/staging/google_ads/stg_google_ads__campaigns.sql"));
      assert.deepEqual(keys(report.events.filter((e) => e.kind === "materialization").map((e) => e.assetKey)), ["dim_countries"]);
      assert.equal(report.events.length, 2);
    });

    test("the failing test is a `fail` check result with its rows and the compiled SQL that finds them", async () => {
      const result = report.checks.find((c) => c.checkName === "assert_no_eu_countries");
      assert.ok(result);
      assert.deepEqual([result.assetKey, result.outcome, result.failures], [["dim_countries"], "fail", 12]);
      assert.equal(result.metadata["dbt/message"], "Got 12 results, configured to fail if != 0");
      const compiled = join(targetPath, "compiled/shop/tests/assert_no_eu_countries.sql");
      assert.equal(result.metadata["dbt/compiled_path"], compiled);
      assert.match(await readFile(compiled, "utf8"), /where is_eu/);
      const skipped = report.checks.filter((c) => c.outcome === "skipped");
      assert.ok(skipped.some((c) => c.checkName === "not_null_stg_google_ads__campaigns_campaign_id" || keyToString(c.assetKey) === "stg_google_ads__campaigns"), "the broken model's tests are recorded as skipped");
    });

    test("run_results.json gives the same events and check results as the live stream", async () => {
      const runResults = await readRunResultsFile(join(targetPath, "run_results.json"));
      const resolveNode = createManifestNodeResolver(await readManifestFile(join(targetPath, "manifest.json")), { locationName: "shop", targetPath });
      const translation = runResultsToEvents(runResults, { locationName: "shop", resolveNode });
      assert.deepEqual(stored(translation.events), stored(report.events));
      assert.deepEqual(byKey(translation.checkResults), byKey(report.checks));
      // Only skipped tests wait for run_results.json: the stream gives them no time of their own.
      const exited = report.order.findIndex((entry) => entry.startsWith("log:dbt exited with code 1"));
      const skipped = new Set(report.checks.filter((c) => c.outcome === "skipped").map((c) => `check:${c.dedupeKey}`));
      assert.ok(skipped.size > 0);
      assert.deepEqual(report.order.slice(0, exited).filter((entry) => skipped.has(entry)), []);
      assert.deepEqual(report.order.slice(exited).filter((entry) => !entry.startsWith("log:") && !skipped.has(entry)), []);
    });

    test("taken over: the same failed outcome from run_results.json", async () => {
      const resumed = await createDbtBuildLauncher(options).launch(
        stepLaunch(targets, createMemoryStepReporter(), { runId: "run-b", resume: report.progress.at(-1)! }),
      );
      assert.deepEqual(resumed, outcome);
    });
  });

  describe("canceling and refusing", () => {
    test("aborting the signal during a build: canceled, and dbt's process is gone", async () => {
      const targets = await targetsFor(join(shopParse, "manifest.json"), ["model.shop.slow_model"]);
      const controller = new AbortController();
      const report = createMemoryStepReporter();
      const started = Date.now();
      const watching: typeof report = {
        ...report,
        log(line) {
          report.log(line);
          // The slow query is running: cancel the run.
          if (/START sql table model analytics\.slow_model/.test(line.message)) setTimeout(() => controller.abort(new Error("canceled")), 500);
        },
      };
      const outcome = await createDbtBuildLauncher(options).launch(
        stepLaunch(targets, watching, { runId: "run-c", signal: controller.signal }),
      );
      assert.equal(outcome.status, "canceled", outcome.message);
      assert.match(outcome.message, /^dbt build canceled \(invocation [0-9a-f-]+\); 0 of 1 assets were built before it stopped$/);
      assert.ok(Date.now() - started < 60_000);
      const pid = report.progress.find((p) => typeof p["pid"] === "number")!["pid"] as number;
      assert.throws(() => process.kill(pid, 0), { code: "ESRCH" });
      assert.equal(report.progress.at(-1)!["canceled"], true);
      assert.deepEqual(report.events, []);
    });

    test("taken over with no run_results.json (dbt never started, or killed with its worker): failed, not built again", async () => {
      const targets = await targetsFor(join(shopParse, "manifest.json"), ["model.shop.dim_countries"]);
      const report = createMemoryStepReporter();
      const empty = join(scratch, "runs-empty", "run-d-0");
      const outcome = await createDbtBuildLauncher({ ...options, runsDir: join(scratch, "runs-empty") }).launch(
        stepLaunch(targets, report, { runId: "run-d", resume: { phase: "starting", targetPath: empty, startedAt: new Date().toISOString(), host: "elsewhere" } }),
      );
      assert.equal(outcome.status, "failed");
      assert.equal(
        outcome.message,
        `The worker running this dbt build stopped and dbt left no run_results.json in ${empty}; not restarted, to avoid building twice. Re-execute the run to build these assets.`,
      );
      assert.deepEqual(keys(outcome.failedKeys), ["dim_countries"]);
      assert.equal(existsSync(empty), false, "nothing was started");
    });

    test("a dbt that cannot run, missing packages, and assets the project no longer has are failed outcomes, not throws", async () => {
      const targets = await targetsFor(join(shopParse, "manifest.json"), ["model.shop.dim_countries"]);
      const noDbt = await createDbtBuildLauncher({ ...options, dbtExecutable: join(scratch, "no", "dbt") }).launch(stepLaunch(targets, createMemoryStepReporter(), { runId: "run-e" }));
      assert.equal(noDbt.status, "failed");
      assert.match(noDbt.message, /The configured dbt executable .* did not run/);
      assert.deepEqual(keys(noDbt.failedKeys), ["dim_countries"]);

      const withPackages = await copyDemo("shop-packages");
      await writeFile(join(withPackages, "packages.yml"), "packages:\n  - package: dbt-labs/dbt_utils\n    version: 1.3.0\n");
      const report = createMemoryStepReporter();
      const missing = await createDbtBuildLauncher({ ...options, projectDir: withPackages }).launch(stepLaunch(targets, report, { runId: "run-f" }));
      assert.equal(missing.status, "failed");
      assert.match(missing.message, /uses packages \(dbt-labs\/dbt_utils\) that are not installed in dbt_packages\/\. Run `dbt deps`/);
      assert.deepEqual(report.progress.map((p) => p["phase"]), ["starting", "finished"]);

      const gone = await createDbtBuildLauncher(options).launch(
        stepLaunch([{ assetKey: ["old_model"], runTargetId: "model.shop.old_model", checks: [] }], createMemoryStepReporter(), { runId: "run-g" }),
      );
      assert.equal(gone.status, "failed");
      assert.match(gone.message, /has no model, seed or snapshot for old_model \(model\.shop\.old_model\)/);
    });
  });
});
