/**
 * Bad manifests: each gives one clear LoadError naming the file and the node or JSON path at fault.
 * Variants are made from a real fixture, changed in memory and written to a temp file.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { buildCatalogGraph } from "../../catalog/graph/build.ts";
import type { CatalogGraph } from "../../catalog/graph/types.ts";
import { LoadError } from "../../catalog/model/index.ts";
import { readManifestFile } from "./manifest.ts";
import { translateManifest } from "./translator.ts";
import { sharedFixture } from "../../scripts/shared-fixtures.ts";

const FIXTURES = sharedFixture("manifests");
const JAFFLE = join(FIXTURES, "jaffle-shop-state-v11-postgres", "manifest.json");
const dir = mkdtempSync(join(tmpdir(), "tributary-bad-manifest-"));

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function jaffle(): Json {
  return JSON.parse(readFileSync(JAFFLE, "utf8"));
}

function write(name: string, content: string | Json): string {
  const file = join(dir, name);
  writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content, null, 2));
  return file;
}

/** Loads a manifest file the way a location does: read, translate, unify. */
async function load(file: string): Promise<CatalogGraph> {
  const manifest = await readManifestFile(file, "shop");
  const { specs, diagnostics } = translateManifest(manifest, { locationName: "shop" });
  return buildCatalogGraph({ definitions: [{ location: { name: "shop", kind: "dbt", origin: file }, specs, diagnostics, loadedAt: "", loadDurationMs: 0 }] });
}

async function loadError(file: string): Promise<LoadError> {
  try {
    await load(file);
  } catch (error) {
    assert.ok(error instanceof LoadError, `expected a LoadError, got ${String(error)}`);
    return error;
  }
  assert.fail(`${file} loaded without error`);
}

test("a truncated manifest names the file, says truncated, and where it ends", async () => {
  const text = readFileSync(JAFFLE, "utf8");
  const file = write("truncated.json", text.slice(0, Math.floor(text.length / 2)));
  const error = await loadError(file);
  assert.equal(error.code, "manifest_malformed_json");
  assert.equal(error.file, file);
  assert.match(error.message, /truncated/);
  assert.match(error.message, /line \d+, column \d+/);
  assert.ok(error.message.includes(file));
});

test("malformed JSON names the line and column of the fault", async () => {
  const file = write("malformed.json", '{\n  "metadata": {\n    "dbt_schema_version": "x",,\n  }\n}');
  const error = await loadError(file);
  assert.equal(error.code, "manifest_malformed_json");
  assert.match(error.message, /line 3, column \d+/);
});

test("a dbt 0.19 (v1) manifest is refused with the version and what to do", async () => {
  const manifest = jaffle();
  manifest.metadata.dbt_schema_version = "https://schemas.getdbt.com/dbt/manifest/v1.json";
  manifest.metadata.dbt_version = "0.19.0";
  const error = await loadError(write("v1.json", manifest));
  assert.equal(error.code, "manifest_unsupported_version");
  assert.equal(error.jsonPath, "$.metadata.dbt_schema_version");
  assert.match(error.message, /v1 \(dbt 0\.19\.0\)/);
  assert.match(error.message, /v4–v12/);
});

test("a manifest from a future dbt (v13) is refused as too new", async () => {
  const manifest = jaffle();
  manifest.metadata.dbt_schema_version = "https://schemas.getdbt.com/dbt/manifest/v13.json";
  const error = await loadError(write("v13.json", manifest));
  assert.equal(error.code, "manifest_unsupported_version");
  assert.match(error.message, /newer dbt/);
});

test("another dbt artifact (run_results.json) is not mistaken for a manifest", async () => {
  const file = join(FIXTURES, "fivetran-log-v4-redshift", "run_results.json");
  const error = await loadError(file);
  assert.equal(error.code, "manifest_invalid");
  assert.match(error.message, /run-results artifact, not a manifest/);
});

test("a field of the wrong type names the node and JSON path", async () => {
  const manifest = jaffle();
  manifest.nodes["model.jaffle_shop.orders"].depends_on.nodes = "model.jaffle_shop.stg_orders";
  const error = await loadError(write("wrong-type.json", manifest));
  assert.equal(error.code, "manifest_invalid");
  assert.equal(error.nodeId, "model.jaffle_shop.orders");
  assert.equal(error.jsonPath, '$.nodes["model.jaffle_shop.orders"].depends_on.nodes');
  assert.match(error.message, /expected array, got the string "model\.jaffle_shop\.stg_orders"/);
});

test("depends_on naming a node that does not exist names the node and the JSON path", async () => {
  const manifest = jaffle();
  manifest.nodes["model.jaffle_shop.orders"].depends_on.nodes.push("model.jaffle_shop.ghost");
  const index = manifest.nodes["model.jaffle_shop.orders"].depends_on.nodes.length - 1;
  const error = await loadError(write("dangling.json", manifest));
  assert.equal(error.code, "dangling_dependency");
  assert.equal(error.nodeId, "model.jaffle_shop.orders");
  assert.equal(error.jsonPath, `$.nodes["model.jaffle_shop.orders"].depends_on.nodes[${index}]`);
  assert.match(error.message, /model\.jaffle_shop\.ghost, which is not in the manifest/);
});

test("a cycle between models names the models in it", async () => {
  const manifest = jaffle();
  manifest.nodes["model.jaffle_shop.stg_orders"].depends_on.nodes.push("model.jaffle_shop.orders");
  const error = await loadError(write("cycle.json", manifest));
  assert.equal(error.code, "dependency_cycle");
  assert.match(error.message, /orders → .*stg_orders|stg_orders → .*orders/);
});

test("a cycle through ephemeral models names the ephemeral nodes", async () => {
  const manifest = jaffle();
  const a = manifest.nodes["model.jaffle_shop.stg_orders"];
  const b = manifest.nodes["model.jaffle_shop.stg_customers"];
  a.config.materialized = "ephemeral";
  b.config.materialized = "ephemeral";
  a.depends_on.nodes = ["model.jaffle_shop.stg_customers"];
  b.depends_on.nodes = ["model.jaffle_shop.stg_orders"];
  const error = await loadError(write("ephemeral-cycle.json", manifest));
  assert.equal(error.code, "dependency_cycle");
  assert.match(error.message, /stg_orders/);
  assert.match(error.message, /stg_customers/);
});

test("two nodes with one asset key are a load error naming both", async () => {
  const manifest = jaffle();
  manifest.nodes["model.jaffle_shop.orders"].config.meta = { dagster: { asset_key: ["customers"] } };
  const error = await loadError(write("duplicate.json", manifest));
  assert.equal(error.code, "duplicate_asset_key");
  assert.match(error.message, /model\.jaffle_shop\.customers and model\.jaffle_shop\.orders both map to the asset key "customers"|model\.jaffle_shop\.orders and model\.jaffle_shop\.customers/);
  assert.ok(error.jsonPath?.startsWith("$.nodes["));
});

test("a missing file is a clear error, not a stack trace", async () => {
  const error = await loadError(join(dir, "nope", "manifest.json"));
  assert.equal(error.code, "manifest_unreadable");
  assert.match(error.message, /no such file/);
});

test("a model that calls a user-defined function (dbt 1.11) loads; the function is not a dependency of data", async () => {
  const manifest = jaffle();
  manifest.functions = { "function.jaffle_shop.cents_to_dollars": { unique_id: "function.jaffle_shop.cents_to_dollars", name: "cents_to_dollars" } };
  manifest.nodes["model.jaffle_shop.orders"].depends_on.nodes.push("function.jaffle_shop.cents_to_dollars");
  const graph = await load(write("function.json", manifest));
  assert.deepEqual(graph.get("orders")!.upstreamIds, ["order_items", "stg_orders"]);
});

test("dagster-dbt's pre-1.3.10 config.dagster_auto_materialize_policy is ignored, with a warning saying where to move it", async () => {
  const manifest = jaffle();
  manifest.nodes["model.jaffle_shop.orders"].config.dagster_auto_materialize_policy = { type: "eager" };
  const file = write("legacy-policy-key.json", manifest);
  const parsed = await readManifestFile(file, "shop");
  const { specs, diagnostics } = translateManifest(parsed, { locationName: "shop" });
  const warning = diagnostics.find((d) => d.code === "legacy_policy_key");
  assert.equal(warning?.severity, "warning");
  assert.equal(warning?.nodeId, "model.jaffle_shop.orders");
  assert.match(warning?.message ?? "", /move it to meta\.dagster\.auto_materialize_policy/);
  assert.equal(specs.find((spec) => spec.dbtUniqueId === "model.jaffle_shop.orders")?.policy, null, "no policy comes of it");
  // Without the key, no such warning.
  assert.deepEqual(translateManifest(await readManifestFile(JAFFLE, "shop"), { locationName: "shop" }).diagnostics.filter((d) => d.code === "legacy_policy_key"), []);
});
