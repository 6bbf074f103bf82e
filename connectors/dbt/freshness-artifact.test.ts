/**
 * dbt's sources.json, parsed: results of every status (a real one, from `dbt source freshness` on demo-project,
 * is read in connectors/dbt/project-runner.test.ts), and files that cannot be used.
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { AssetSpec, LocationDefinitions } from "../../catalog/model/index.ts";
import { spec } from "../../catalog/graph/test-specs.ts";
import { parseDbtFreshness, withDbtFreshnessFile } from "./freshness-artifact.ts";
import { DbtArtifactError } from "./optional-artifact.ts";
import { dbtProjectTargetDir } from "./project-provider.ts";

const SCHEMA = "https://schemas.getdbt.com/dbt/sources/v3.json";

describe("dbt sources.json", () => {
  test("a passing, a warning and a failed check, as reported", () => {
    const text = JSON.stringify({
      metadata: { dbt_schema_version: SCHEMA, generated_at: "2026-11-24T06:00:05Z" },
      results: [
        {
          unique_id: "source.shop.shopify.customer",
          status: "warn",
          max_loaded_at: "2026-11-23T16:00:00+00:00",
          snapshotted_at: "2026-11-24T06:00:00+00:00",
          max_loaded_at_time_ago_in_s: 50_400,
          criteria: { warn_after: { count: 12, period: "hour" }, error_after: { count: 1, period: "day" }, filter: null },
          adapter_response: {},
          timing: [],
          thread_id: "Thread-1",
          execution_time: 0.1,
        },
        { unique_id: "source.shop.stripe.charge", status: "runtime error", error: "Catalog Error: Table with name charge does not exist!" },
      ],
    });
    const freshness = parseDbtFreshness(text, "sources.json");
    assert.deepEqual(freshness.get("source.shop.shopify.customer"), {
      source: "dbt sources.json",
      status: "warn",
      maxLoadedAt: "2026-11-23T16:00:00+00:00",
      checkedAt: "2026-11-24T06:00:00+00:00",
      ageSeconds: 50_400,
      warnAfter: "12 hours",
      errorAfter: "1 day",
      filter: null,
      error: null,
    });
    const failed = freshness.get("source.shop.stripe.charge")!;
    assert.equal(failed.status, "runtime error");
    assert.match(failed.error ?? "", /does not exist/);
    assert.equal(failed.checkedAt, "2026-11-24T06:00:05Z", "the file's time when the result has none");
  });

  test("a file that is not a sources.json names the JSON path; on a location it is a warning and nothing else changes", async () => {
    assert.throws(
      () => parseDbtFreshness(JSON.stringify({ metadata: { dbt_schema_version: "https://schemas.getdbt.com/dbt/catalog/v1.json" }, results: [] }), "sources.json"),
      (error: unknown) => error instanceof DbtArtifactError && error.jsonPath === "$.metadata.dbt_schema_version",
    );
    const dir = mkdtempSync(join(tmpdir(), "tributary-freshness-"));
    const file = join(dir, "sources.json");
    writeFileSync(file, JSON.stringify({ metadata: { dbt_schema_version: SCHEMA }, results: [{ unique_id: 7, status: "pass" }] }));
    const specs: AssetSpec[] = [{ ...spec("shopify/customer"), dbtUniqueId: "source.shop.shopify.customer" }];
    const definitions: LocationDefinitions = { location: { name: "shop", kind: "dbt", origin: dir }, specs, diagnostics: [], loadedAt: "", loadDurationMs: 0 };
    const loaded = await withDbtFreshnessFile(definitions, file);
    assert.equal(loaded.specs[0], specs[0], "the asset is untouched");
    assert.equal(loaded.diagnostics[0]?.code, "freshness_unreadable");
    assert.equal(loaded.diagnostics[0]?.at?.path, "$.results[0].unique_id");
    assert.equal(await withDbtFreshnessFile(definitions, join(dir, "none.json")), definitions, "no file, no change");
  });
});

describe("where a dbt project's own artifacts are", () => {
  test("DBT_TARGET_PATH, else target-path in dbt_project.yml (unless templated), else target/", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tributary-target-path-"));
    writeFileSync(join(dir, "dbt_project.yml"), "name: p\ntarget-path: build/dbt\n");
    assert.equal(await dbtProjectTargetDir(dir, {}), join(dir, "build", "dbt"));
    assert.equal(await dbtProjectTargetDir(dir, { DBT_TARGET_PATH: "/elsewhere/target" }), "/elsewhere/target");
    writeFileSync(join(dir, "dbt_project.yml"), "name: p\ntarget-path: \"{{ env_var('X', 'target') }}\"\n");
    assert.equal(await dbtProjectTargetDir(dir, {}), join(dir, "target"));
    writeFileSync(join(dir, "dbt_project.yml"), "name: p\n");
    assert.equal(await dbtProjectTargetDir(dir, {}), join(dir, "target"));
  });
});
