/**
 * run_results.json: the real fixture (dbt 1.0, schema v4) read in place, broken copies of it written to a
 * temp dir, and the node-result translation on results shaped as dbt 1.11 writes them (the real-dbt builds
 * that prove live and file translations agree are in build-launcher.test.ts).
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { readManifestFile } from "./manifest.ts";
import type { DbtNodeResult, ResolvedDbtNode } from "./run-results.ts";
import {
  RunResultsError,
  canonicalTime,
  compiledSqlPath,
  createManifestNodeResolver,
  parseRunResults,
  readRunResultsFile,
  runResultsToEvents,
  testFailures,
  translateNodeResult,
} from "./run-results.ts";
import { sharedFixture } from "../../scripts/shared-fixtures.ts";

const FIXTURE_DIR = sharedFixture("manifests", "fivetran-log-v4-redshift");
const FIXTURE = join(FIXTURE_DIR, "run_results.json");

let scratch: string;
let fixtureText: string;
before(async () => {
  scratch = await mkdtemp(join(tmpdir(), "tributary-run-results-"));
  fixtureText = await readFile(FIXTURE, "utf8");
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** Writes a variant of the fixture (never the fixture itself) and returns its path. */
async function variant(name: string, text: string): Promise<string> {
  const file = join(scratch, name);
  await writeFile(file, text);
  return file;
}

async function rejectsWith(file: string, check: (error: RunResultsError) => void): Promise<void> {
  await assert.rejects(readRunResultsFile(file), (error: unknown) => {
    assert.ok(error instanceof RunResultsError, String(error));
    assert.equal(error.file, file);
    assert.ok(error.message.includes(file), `the message names the file: ${error.message}`);
    check(error);
    return true;
  });
}

describe("reading run_results.json", () => {
  test("the real v4 fixture (dbt 1.0, `dbt docs generate` on fivetran_log) parses", async () => {
    const runResults = await readRunResultsFile(FIXTURE);
    assert.equal(runResults.schemaVersion, 4);
    assert.equal(runResults.dbtVersion, "1.0.0");
    assert.equal(runResults.invocationId, "4d606bf1-3ef4-4648-9209-84d958b587f1");
    assert.equal(runResults.command, "generate");
    assert.equal(runResults.generatedAt, "2022-01-07T00:26:48.208066Z");
    assert.equal(runResults.results.length, 41);
    const first = runResults.results[0]!;
    assert.equal(first.uniqueId, "model.fivetran_log.stg_fivetran_log__account");
    assert.equal(first.status, "success");
    assert.equal(first.message, null);
    assert.deepEqual(first.timing.map((t) => t.name), ["compile", "execute"]);
  });

  test("a run_results.json from a command that builds nothing gives no events, and says why", async () => {
    const runResults = await readRunResultsFile(FIXTURE);
    const translation = runResultsToEvents(runResults, { locationName: "fivetran_log", resolveNode: () => ({ kind: "asset", assetKey: ["x"] }) });
    assert.deepEqual(translation.events, []);
    assert.match(translation.note ?? "", /`dbt generate`, which builds nothing/);
  });

  test("the fixture's results, read as a build's, resolve through the fixture's own manifest", async () => {
    const runResults = { ...(await readRunResultsFile(FIXTURE)), command: "build" };
    const manifest = await readManifestFile(join(FIXTURE_DIR, "manifest.json"));
    const resolveNode = createManifestNodeResolver(manifest, { locationName: "fivetran_log", targetPath: "/runs/r-0" });
    const translation = runResultsToEvents(runResults, { locationName: "fivetran_log", resolveNode });
    assert.equal(translation.events.length, 19, "one materialization per model");
    assert.ok(translation.events.every((e) => e.kind === "materialization" && e.runId === runResults.invocationId));
    assert.ok(translation.events.every((e) => e.dedupeKey === `dbt:4d606bf1-3ef4-4648-9209-84d958b587f1:${String(e.metadata["unique_id"])}`));
    const account = translation.events.find((e) => e.metadata["unique_id"] === "model.fivetran_log.stg_fivetran_log__account")!;
    assert.deepEqual(account.assetKey, ["stg_fivetran_log", "stg_fivetran_log__account"], "the model's custom schema is part of its key");
    assert.equal(account.occurredAt, "2022-01-07T00:26:43.620428Z", "the end of the last timing phase");
    assert.equal(account.metadata["dbt/execution_duration_s"], 0.009, "00:26:43.611748 → 00:26:43.620428, exact to the microsecond");
    assert.equal(account.metadata["dbt/materialized"], "table");
    assert.equal(account.metadata["dbt/relation_name"], '"redshift-test"."dbt_stg_fivetran_log"."stg_fivetran_log__account"', "from the manifest: v4 results have none");
    // Tests a compile reports as "success" are not check results: they did not run.
    assert.deepEqual(translation.checkResults, []);
  });

  test("a truncated file names the file, the line and column, and says it is truncated", async () => {
    const file = await variant("truncated.json", fixtureText.slice(0, 5000));
    await rejectsWith(file, (error) => {
      assert.equal(error.code, "run_results_malformed_json");
      assert.match(error.message, /is truncated: the JSON ends unexpectedly at line \d+, column \d+/);
    });
  });

  test("a field of the wrong type names the JSON path", async () => {
    const json = JSON.parse(fixtureText) as { results: Record<string, unknown>[] };
    json.results[3]!["status"] = 5;
    const file = await variant("wrong-type.json", JSON.stringify(json, null, 2));
    await rejectsWith(file, (error) => {
      assert.equal(error.code, "run_results_invalid");
      assert.equal(error.jsonPath, "$.results[3].status");
      assert.match(error.message, /\(run_results v4\) is invalid at \$\.results\[3\]\.status: expected string, got number 5/);
    });
  });

  test("a missing field names the JSON path", async () => {
    const json = JSON.parse(fixtureText) as { results: Record<string, unknown>[] };
    delete json.results[7]!["unique_id"];
    const file = await variant("missing.json", JSON.stringify(json));
    await rejectsWith(file, (error) => {
      assert.equal(error.jsonPath, "$.results[7].unique_id");
      assert.match(error.message, /expected string, got nothing \(the field is missing\)/);
    });
  });

  test("other artifacts and other schema versions are refused with what to do", async () => {
    const manifest = join(FIXTURE_DIR, "manifest.json");
    await rejectsWith(manifest, (error) => {
      assert.equal(error.jsonPath, "$.metadata.dbt_schema_version");
      assert.match(error.message, /is a dbt manifest artifact, not run_results\.json/);
    });
    const old = await variant("v3.json", fixtureText.replace("/run-results/v4.json", "/run-results/v3.json"));
    await rejectsWith(old, (error) => {
      assert.equal(error.code, "run_results_unsupported_version");
      assert.match(error.message, /schema v3; Tributary reads v4–v6: it was written by dbt < 1\.0/);
    });
    const newer = await variant("v7.json", fixtureText.replace("/run-results/v4.json", "/run-results/v7.json"));
    await rejectsWith(newer, (error) => assert.match(error.message, /upgrade Tributary/));
    await rejectsWith(join(scratch, "absent.json"), (error) => {
      assert.equal(error.code, "run_results_unreadable");
      assert.match(error.message, /no such file/);
    });
    assert.throws(() => parseRunResults("[]", "inline.json"), /inline\.json is not a dbt run_results\.json: the top level is not a JSON object/);
  });
});

describe("translating node results", () => {
  const invocationId = "0b6e0a52-0000-4000-8000-000000000001";
  const nodes: Record<string, ResolvedDbtNode> = {
    "model.shop.orders": {
      kind: "asset",
      assetKey: ["orders"],
      materialized: "table",
      relationName: '"warehouse"."analytics"."orders"',
      compiledPath: "/runs/r-0/compiled/shop/models/orders.sql",
    },
    "model.shop.events": { kind: "asset", assetKey: ["events"], materialized: "incremental" },
    "test.shop.unique_orders_order_id.1a": { kind: "check", assetKey: ["orders"], checkName: "unique_orders_order_id", compiledPath: "/runs/r-0/compiled/shop/x.sql" },
  };
  const context = { locationName: "shop", invocationId, resolveNode: (id: string) => nodes[id] ?? null };
  const result = (overrides: Partial<DbtNodeResult>): DbtNodeResult => ({
    uniqueId: "model.shop.orders",
    status: "success",
    message: null,
    failures: null,
    timing: [
      { name: "compile", startedAt: "2026-12-03T06:35:14.022722Z", completedAt: "2026-12-03T06:35:14.032585Z" },
      { name: "execute", startedAt: "2026-12-03T06:35:14.034271Z", completedAt: "2026-12-03T06:35:14.290220Z" },
    ],
    adapterResponse: { _message: "INSERT 0 12", rows_affected: 12 },
    executionTime: 0.27394652366638184,
    fallbackTime: null,
    ...overrides,
  });

  test("a built model is a materialization with its duration, rows and relation", () => {
    const disposition = translateNodeResult(result({}), context);
    assert.equal(disposition.type, "materialized");
    assert.deepEqual(disposition.type === "materialized" && disposition.event, {
      assetKey: ["orders"],
      kind: "materialization",
      tool: "dbt",
      locationName: "shop",
      runId: invocationId,
      occurredAt: "2026-12-03T06:35:14.290220Z",
      dedupeKey: `dbt:${invocationId}:model.shop.orders`,
      metadata: {
        unique_id: "model.shop.orders",
        invocation_id: invocationId,
        "dbt/status": "success",
        "dbt/execution_duration_s": 0.267,
        "dbt/materialized": "table",
        "dbt/relation_name": '"warehouse"."analytics"."orders"',
        "dbt/rows_affected": 12,
        "dbt/started_at": "2026-12-03T06:35:14.022722Z",
        "dbt/completed_at": "2026-12-03T06:35:14.290220Z",
      },
    });
  });

  test("an errored model is a failure with dbt's message and its compiled SQL; a skipped one only a key", () => {
    const failed = translateNodeResult(result({ status: "error", message: "Runtime Error in model orders\n  Binder Error: x", adapterResponse: {} }), context);
    assert.equal(failed.type, "failed");
    assert.equal(failed.type === "failed" && failed.event.kind, "materialization_failure");
    assert.equal(failed.type === "failed" && failed.event.metadata["dbt/message"], "Runtime Error in model orders\n  Binder Error: x");
    assert.equal(failed.type === "failed" && failed.event.metadata["dbt/compiled_path"], "/runs/r-0/compiled/shop/models/orders.sql");
    assert.deepEqual(translateNodeResult(result({ status: "skipped", timing: [] }), context), { type: "skipped", assetKey: ["orders"] });
  });

  test("a microbatch model with failed batches is built and failed at once; no timing falls back to execution_time", () => {
    const partial = translateNodeResult(result({ uniqueId: "model.shop.events", status: "partial success", timing: [], executionTime: 1.23456, fallbackTime: "2026-12-03T07:00:00Z" }), context);
    assert.equal(partial.type, "materialized");
    assert.equal(partial.type === "materialized" && partial.partial, true);
    assert.equal(partial.type === "materialized" && partial.event.metadata["dbt/execution_duration_s"], 1.235);
    assert.equal(partial.type === "materialized" && partial.event.occurredAt, "2026-12-03T07:00:00.000000Z");
  });

  test("tests are check results: pass, warn, fail with its rows, error without rows", () => {
    const test = (status: string, failures: number | null, message: string | null = null) =>
      translateNodeResult(result({ uniqueId: "test.shop.unique_orders_order_id.1a", status, failures, message }), context);
    const fail = test("fail", 3, "Got 3 results, configured to fail if != 0");
    assert.equal(fail.type, "check");
    if (fail.type !== "check") return;
    assert.equal(fail.result.outcome, "fail");
    assert.equal(fail.result.failures, 3);
    assert.equal(fail.result.checkName, "unique_orders_order_id");
    assert.equal(fail.result.toolRunId, invocationId);
    assert.equal(fail.result.metadata["dbt/compiled_path"], "/runs/r-0/compiled/shop/x.sql");
    assert.equal(fail.result.metadata["dbt/message"], "Got 3 results, configured to fail if != 0");
    for (const [status, outcome] of [["pass", "pass"], ["warn", "warn"], ["error", "error"], ["runtime error", "error"], ["skipped", "skipped"]] as const) {
      const disposition = test(status, null);
      assert.equal(disposition.type === "check" && disposition.result.outcome, outcome, status);
    }
  });

  test("failures of nodes that are no asset or check are kept for the message; the rest is ignored", () => {
    const hook = translateNodeResult(result({ uniqueId: "operation.shop.shop-on-run-start-0", status: "error", message: "hook failed" }), context);
    assert.deepEqual(hook, { type: "unmapped_failure", uniqueId: "operation.shop.shop-on-run-start-0", status: "error", message: "hook failed" });
    assert.deepEqual(translateNodeResult(result({ uniqueId: "exposure.shop.dash", status: "no-op" }), context), { type: "ignored" });
    assert.deepEqual(translateNodeResult(result({ status: "no-op" }), context), { type: "ignored" });
  });

  test("dbt's failures count is kept only for tests that ran (the log writes 0 where the file writes null)", () => {
    assert.equal(testFailures("test.shop.t", "fail", 4), 4);
    assert.equal(testFailures("test.shop.t", "pass", 0), 0);
    assert.equal(testFailures("test.shop.t", "error", 0), null);
    assert.equal(testFailures("model.shop.m", "success", 0), null);
  });

  test("one spelling per instant: the log's protobuf times and the file's Python times agree", () => {
    assert.equal(canonicalTime("2026-12-03T07:27:14.613Z"), "2026-12-03T07:27:14.613000Z");
    assert.equal(canonicalTime("2026-12-03T07:27:14.613000Z"), "2026-12-03T07:27:14.613000Z");
    assert.equal(canonicalTime("2026-12-03T07:27:14.613000001Z"), "2026-12-03T07:27:14.613000Z");
    assert.equal(canonicalTime("2026-12-03T07:27:14Z"), "2026-12-03T07:27:14.000000Z");
    assert.equal(canonicalTime("2026-12-03T06:35:14.294587"), "2026-12-03T06:35:14.294587Z", "dbt's node_finished_at has no zone: UTC");
    assert.equal(canonicalTime("2026-12-03T08:35:14.5+02:00"), "2026-12-03T06:35:14.500000Z");
    assert.equal(canonicalTime("not a time"), "not a time");
    const protobuf = translateNodeResult(result({ timing: [{ name: "execute", startedAt: "2026-12-03T06:35:14Z", completedAt: "2026-12-03T06:35:14.29Z" }] }), context);
    assert.equal(protobuf.type === "materialized" && protobuf.event.occurredAt, "2026-12-03T06:35:14.290000Z");
    assert.equal(protobuf.type === "materialized" && protobuf.event.metadata["dbt/execution_duration_s"], 0.29);
  });

  test("compiled SQL paths follow dbt: one file per model or singular test, a file per generic test under its YAML", () => {
    assert.equal(
      compiledSqlPath("/t", { package_name: "shop", original_file_path: "models/staging/stripe/_stripe__models.yml", path: "not_null_stg_stripe__charges_charge_id.sql" }),
      "/t/compiled/shop/models/staging/stripe/_stripe__models.yml/not_null_stg_stripe__charges_charge_id.sql",
    );
    assert.equal(compiledSqlPath("/t", { package_name: "shop", original_file_path: "tests/assert_x.sql", path: "assert_x.sql" }), "/t/compiled/shop/tests/assert_x.sql");
    assert.equal(compiledSqlPath("/t", { package_name: "shop", original_file_path: "models/marts/orders.sql", path: "marts/orders.sql" }), "/t/compiled/shop/models/marts/orders.sql");
    assert.equal(compiledSqlPath("/t", { package_name: "shop", original_file_path: null, path: "x.sql" }), null);
  });
});
