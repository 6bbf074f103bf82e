/**
 * Manifests dbt really writes but that a strict reading refuses or misreads: fields of unexpected types that
 * Tributary does not need (issue 12 item 7), tests naming one parent twice (item 8), a node depending on
 * itself and duplicate JSON keys (item 10), NUL bytes, UTF-16 and corrupted files (item 11). Variants are
 * made from a real fixture, changed in memory and written to a temp file.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { LoadError } from "../../catalog/model/index.ts";
import { parseManifest, readManifestFile } from "./manifest.ts";
import type { DbtManifest } from "./manifest.ts";
import { translateManifest } from "./translator.ts";
import type { TranslatedDbtProject } from "./translator.ts";
import { sharedFixture } from "../../scripts/shared-fixtures.ts";

const FIXTURES = sharedFixture("manifests");
const JAFFLE = join(FIXTURES, "jaffle-shop-state-v11-postgres", "manifest.json");
const JAFFLE_TEXT = readFileSync(JAFFLE, "utf8");
const dir = mkdtempSync(join(tmpdir(), "tributary-lenient-manifest-"));

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function jaffle(): Json {
  return JSON.parse(JAFFLE_TEXT);
}

function write(name: string, content: string | Buffer | Json): string {
  const file = join(dir, name);
  writeFileSync(file, typeof content === "string" || Buffer.isBuffer(content) ? content : JSON.stringify(content, null, 2));
  return file;
}

async function translate(file: string): Promise<TranslatedDbtProject & { manifest: DbtManifest }> {
  const manifest = await readManifestFile(file, "shop");
  return { manifest, ...translateManifest(manifest, { locationName: "shop" }) };
}

async function loadError(file: string): Promise<LoadError> {
  try {
    await translate(file);
  } catch (error) {
    assert.ok(error instanceof LoadError, `expected a LoadError, got ${String(error)}`);
    return error;
  }
  assert.fail(`${file} loaded without error`);
}

const baseline = translateManifest(parseManifest(JAFFLE_TEXT, JAFFLE, "shop"), { locationName: "shop" });

test('a source with config.enabled "True and True" (a dbt 1.2 package writes it) loads, enabled, as dagster-dbt loads it', async () => {
  const manifest = jaffle();
  manifest.sources["source.jaffle_shop.ecom.raw_orders"].config.enabled = "True and True";
  const { specs } = await translate(write("enabled-string.json", manifest));
  assert.equal(specs.length, baseline.specs.length);
  assert.ok(specs.some((spec) => spec.dbtUniqueId === "source.jaffle_shop.ecom.raw_orders"));
});

test("a node whose config.enabled is false is still left out", async () => {
  const manifest = jaffle();
  manifest.nodes["model.jaffle_shop.orders"].config.enabled = false;
  const { specs } = await translate(write("enabled-false.json", manifest));
  assert.equal(specs.length, baseline.specs.length - 1);
});

/**
 * Fields dbt's published schemas (v4–v12) type strictly but that users' YAML and Jinja fill as they like,
 * or that only some dbt versions write: Tributary does not need them to build the graph, so each must load.
 */
const overStrict: [string, (manifest: Json) => void][] = [
  ["config.severity in capitals and a test's config.enabled as a string", (m) => {
    const t = m.nodes["test.jaffle_shop.not_null_stg_orders_order_id.81cfe2fe64"];
    t.config.severity = "WARN";
    t.config.enabled = "{{ target.name == 'prod' }}";
  }],
  ["config.schema, config.group and config.meta of unexpected types", (m) => {
    const model = m.nodes["model.jaffle_shop.stg_orders"];
    model.config.schema = 2024;
    model.config.group = ["finance"];
    model.config.meta = "none";
  }],
  ["a node's meta, tags and description of unexpected types", (m) => {
    const model = m.nodes["model.jaffle_shop.stg_orders"];
    model.meta = [];
    model.tags = ["nightly", 7, null];
    model.description = null;
  }],
  ["a column without a name, with a null description and a numeric tag", (m) => {
    const columns = m.nodes["model.jaffle_shop.stg_orders"].columns;
    const name = Object.keys(columns)[0]!;
    delete columns[name].name;
    columns[name].description = null;
    columns[name].tags = [1];
    columns[name].data_type = { type: "int" };
  }],
  ["checksum, test_metadata, version and access of unexpected types", (m) => {
    m.nodes["model.jaffle_shop.stg_orders"].checksum = null;
    m.nodes["model.jaffle_shop.stg_orders"].access = null;
    m.nodes["model.jaffle_shop.stg_orders"].version = { major: 1 };
    m.nodes["test.jaffle_shop.not_null_stg_orders_order_id.81cfe2fe64"].test_metadata = null;
    m.nodes["test.jaffle_shop.not_null_stg_orders_order_id.81cfe2fe64"].column_name = 3;
  }],
  ["a source's identifier, loader and description as null, its loaded_at_field a number", (m) => {
    const source = m.sources["source.jaffle_shop.ecom.raw_orders"];
    source.identifier = null;
    source.loader = null;
    source.source_description = null;
    source.loaded_at_field = 5;
  }],
  ["a user-defined function without unique_id (optional in schema v12)", (m) => {
    m.functions = { "function.jaffle_shop.cents_to_dollars": { name: "cents_to_dollars" } };
    m.nodes["model.jaffle_shop.orders"].depends_on.nodes.push("function.jaffle_shop.cents_to_dollars");
  }],
  ["metadata fields of unexpected types", (m) => {
    m.metadata.project_id = 12345;
    m.metadata.dbt_version = null;
    m.metadata.adapter_type = null;
  }],
  ["an exposure with an owner list, an unknown type and no maturity; a group with no owner", (m) => {
    m.exposures["exposure.jaffle_shop.weekly"] = {
      unique_id: "exposure.jaffle_shop.weekly",
      name: "weekly",
      package_name: "jaffle_shop",
      type: "spreadsheet",
      maturity: "experimental",
      owner: { email: ["a@example.com", "b@example.com"], name: null },
      depends_on: { nodes: ["model.jaffle_shop.orders"] },
      config: { enabled: "yes" },
    };
    m.groups = { "group.jaffle_shop.finance": { name: "finance", owner: null } };
  }],
];

for (const [what, change] of overStrict) {
  test(`over-strict fields load: ${what}`, async () => {
    const manifest = jaffle();
    change(manifest);
    const { specs } = await translate(write(`over-strict-${overStrict.findIndex(([w]) => w === what)}.json`, manifest));
    assert.ok(specs.length >= baseline.specs.length);
  });
}

test("lenient fields read sensibly: a nameless column is named by its key, non-string tags are dropped, WARN is not blocking", async () => {
  const manifest = jaffle();
  const model = manifest.nodes["model.jaffle_shop.stg_orders"];
  const columnName = Object.keys(model.columns)[0]!;
  delete model.columns[columnName].name;
  model.tags = ["nightly", 7];
  const testId = "test.jaffle_shop.not_null_stg_orders_order_id.81cfe2fe64";
  manifest.nodes[testId].config.severity = "WARN";
  manifest.exposures["exposure.jaffle_shop.weekly"] = {
    unique_id: "exposure.jaffle_shop.weekly",
    name: "weekly",
    package_name: "jaffle_shop",
    owner: { email: ["a@example.com", "b@example.com"] },
    depends_on: { nodes: ["model.jaffle_shop.orders"] },
  };
  const { specs } = await translate(write("lenient-values.json", manifest));
  const stgOrders = specs.find((spec) => spec.dbtUniqueId === "model.jaffle_shop.stg_orders")!;
  assert.equal(stgOrders.columns[0]?.name, columnName);
  assert.deepEqual(stgOrders.tags, ["nightly"]);
  assert.equal(stgOrders.checks.find((check) => check.sourceId === testId)?.blocking, false);
  assert.deepEqual(specs.find((spec) => spec.dbtUniqueId === "exposure.jaffle_shop.weekly")?.owners, ["a@example.com", "b@example.com"]);
});

test("what gives the graph its shape stays strict: depends_on.nodes of the wrong type is still refused", async () => {
  const manifest = jaffle();
  manifest.nodes["model.jaffle_shop.orders"].depends_on.nodes = "model.jaffle_shop.stg_orders";
  assert.equal((await loadError(write("strict-depends-on.json", manifest))).code, "manifest_invalid");
});

test("a test naming one parent twice in depends_on (no attached_node) gets its check, as dagster-dbt's set() gives it", async () => {
  const manifest = jaffle();
  const testId = "test.jaffle_shop.not_null_stg_orders_order_id.81cfe2fe64";
  const t = manifest.nodes[testId];
  t.depends_on.nodes = ["model.jaffle_shop.stg_orders", "model.jaffle_shop.stg_orders"];
  delete t.attached_node;
  const { specs } = await translate(write("duplicate-parent.json", manifest));
  const check = specs.find((spec) => spec.dbtUniqueId === "model.jaffle_shop.stg_orders")!.checks.find((c) => c.sourceId === testId);
  assert.ok(check, "the check is attached to stg_orders");
  assert.deepEqual(check.additionalDeps, []);
});

test("a node whose depends_on names itself is a dependency cycle, not silently dropped", async () => {
  const manifest = jaffle();
  manifest.nodes["model.jaffle_shop.orders"].depends_on.nodes.push("model.jaffle_shop.orders");
  const index = manifest.nodes["model.jaffle_shop.orders"].depends_on.nodes.length - 1;
  const error = await loadError(write("self-dependency.json", manifest));
  assert.equal(error.code, "dependency_cycle");
  assert.equal(error.nodeId, "model.jaffle_shop.orders");
  assert.equal(error.jsonPath, `$.nodes["model.jaffle_shop.orders"].depends_on.nodes[${index}]`);
  assert.match(error.message, /model\.jaffle_shop\.orders → model\.jaffle_shop\.orders/);
});

test('a duplicate JSON key (a second "nodes") is a warning naming the key and where it is', async () => {
  // JSON.parse keeps the last "nodes": the catalog has only the sources, and the warning says why.
  const text = JAFFLE_TEXT.replace(/}\s*$/, ', "nodes": {}}');
  assert.notEqual(text, JAFFLE_TEXT);
  const { specs, diagnostics } = await translate(write("duplicate-nodes.json", text));
  assert.equal(specs.length, Object.keys(jaffle().sources).length);
  const warning = diagnostics.find((d) => d.code === "duplicate_json_key");
  assert.equal(warning?.severity, "warning");
  assert.match(warning?.message ?? "", /the key "nodes" appears more than once in the object at \$;/);
  assert.equal(warning?.at?.path, "$");
});

test("a duplicate key deep inside a node is named with the node's path", async () => {
  const text = JAFFLE_TEXT.replace('"unique_id": "model.jaffle_shop.orders",', '"unique_id": "model.jaffle_shop.orders", "alias": "x",');
  assert.notEqual(text, JAFFLE_TEXT);
  const { diagnostics } = await translate(write("duplicate-alias.json", text));
  const warnings = diagnostics.filter((d) => d.code === "duplicate_json_key");
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!.message, /"alias" appears more than once in the object at \$\.nodes\["model\.jaffle_shop\.orders"\]/);
  assert.deepEqual(baseline.diagnostics.filter((d) => d.code === "duplicate_json_key"), [], "the real fixture has none");
});

test("a UTF-16 manifest (LE or BE, with or without BOM) loads like the UTF-8 one; a UTF-8 BOM is ignored", async () => {
  const le = Buffer.from(JAFFLE_TEXT, "utf16le");
  const be = Buffer.from(le).swap16();
  const variants: [string, Buffer][] = [
    ["utf16le-bom.json", Buffer.concat([Buffer.from([0xff, 0xfe]), le])],
    ["utf16be-bom.json", Buffer.concat([Buffer.from([0xfe, 0xff]), be])],
    ["utf16le.json", le],
    ["utf16be.json", be],
    ["utf8-bom.json", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JAFFLE_TEXT)])],
  ];
  for (const [name, bytes] of variants) {
    const { specs } = await translate(write(name, bytes));
    assert.equal(specs.length, baseline.specs.length, name);
  }
});

test("NUL bytes in a manifest: the error names line and column, and its message holds no NUL", async () => {
  const text = JAFFLE_TEXT.slice(0, 500) + "\u0000\u0000" + JAFFLE_TEXT.slice(500);
  const error = await loadError(write("nul.json", text));
  assert.equal(error.code, "manifest_malformed_json");
  assert.match(error.message, /line \d+, column \d+/);
  assert.match(error.message, /U\+0000/);
  assert.ok(!error.message.includes("\u0000"));
});

/** A small deterministic random source, so a failure names the corruption that caused it. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

test("every corrupted manifest fails with line and column and no control characters in the message (300 corruptions)", () => {
  const next = random(7);
  const kinds = ["truncate", "insert", "replace", "delete", "nul", "utf16-fragment", "duplicate-close"] as const;
  for (let round = 0; round < 300; round++) {
    const kind = kinds[round % kinds.length]!;
    const at = Math.floor(next() * JAFFLE_TEXT.length);
    const char = String.fromCharCode(Math.floor(next() * 128));
    const text =
      kind === "truncate" ? JAFFLE_TEXT.slice(0, at)
      : kind === "insert" ? JAFFLE_TEXT.slice(0, at) + char + JAFFLE_TEXT.slice(at)
      : kind === "replace" ? JAFFLE_TEXT.slice(0, at) + char + JAFFLE_TEXT.slice(at + 1)
      : kind === "delete" ? JAFFLE_TEXT.slice(0, at) + JAFFLE_TEXT.slice(at + 1)
      : kind === "nul" ? JAFFLE_TEXT.slice(0, at) + "\u0000" + JAFFLE_TEXT.slice(at)
      : kind === "utf16-fragment" ? JAFFLE_TEXT.slice(0, at) + "\u0000{\u0000\"" + JAFFLE_TEXT.slice(at)
      : JAFFLE_TEXT.slice(0, at) + "}" + JAFFLE_TEXT.slice(at);
    let error: unknown = null;
    try {
      parseManifest(text, "corrupt.json", "shop");
    } catch (caught) {
      error = caught;
    }
    if (error === null) continue; // a corruption can leave valid JSON (a space in a string)
    assert.ok(error instanceof LoadError, `round ${round} (${kind} at ${at}): ${String(error)}`);
    if (error.code !== "manifest_malformed_json") continue; // valid JSON, not a manifest: named by JSON path
    assert.match(error.message, /at line \d+, column \d+/, `round ${round} (${kind} at ${at}): ${error.message}`);
    assert.ok(![...error.message].some((c) => c.charCodeAt(0) < 0x20 && c !== "\n"), `round ${round}: control character in ${JSON.stringify(error.message)}`);
  }
});

test("the line and column are where the fault is", () => {
  const text = '{\n  "metadata": {\n    "dbt_schema_version": x\n  }\n}';
  assert.throws(() => parseManifest(text, "m.json"), (error: unknown) => error instanceof LoadError && /at line 3, column 27: unexpected 'x' where a value was expected/.test(error.message));
});
