/**
 * Synthetic dbt manifests of any size for benchmarks, shaped like real ones: every node is a clone of a real
 * v12 node from shared/fixtures (all of dbt's config fields, raw SQL, columns), so the JSON has the size and
 * structure of a real project. Layers: sources → staging → intermediate (some ephemeral) → marts, each model
 * with columns and several tests (unique, not_null, a relationships test on most marts).
 */
import { closeSync, openSync, readFileSync, writeSync } from "node:fs";
import { sharedFixture } from "../scripts/shared-fixtures.ts";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const TEMPLATE_MANIFEST = sharedFixture("manifests", "nba-monte-carlo-v12-duckdb", "manifest.json");

/** A deterministic pseudo-random sequence, so two runs bench the same graph. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

export interface SyntheticManifestOptions {
  readonly models: number;
  readonly testsPerModel?: number;
  readonly seed?: number;
  /**
   * Columns per model, each a copy of a real v12 column object (name, description, meta, data_type,
   * constraints, quote, tags, granularity); by default the template model's own (2).
   */
  readonly columnsPerModel?: number;
  /** Give every model compiled SQL over its parents' columns (see {@link addCompiledSql}). */
  readonly compiledSql?: boolean;
}

/**
 * The shape of issue 18's 393-MB-class manifest: ~34 KB per model, 23 KB of it columns (190 real v12 column
 * objects) and 8.6 KB compiled SQL; 10k models make ≈390 MB.
 */
export const HEAVY_SHAPE = { columnsPerModel: 190, compiledSql: true } as const;

/** Builds a manifest object with `models` models (plus sources and tests). */
export function syntheticManifest({ models, testsPerModel = 3, seed = 42, columnsPerModel, compiledSql = false }: SyntheticManifestOptions): Json {
  const template = JSON.parse(readFileSync(TEMPLATE_MANIFEST, "utf8")) as Json;
  const modelTemplate = Object.values(template.nodes as Record<string, Json>).find((n) => n.resource_type === "model" && Object.keys(n.columns).length > 0)!;
  const testTemplate = Object.values(template.nodes as Record<string, Json>).find((n) => n.resource_type === "test" && n.test_metadata)!;
  const sourceTemplate = Object.values(template.sources as Record<string, Json>)[0]!;
  const columnTemplate = Object.values(modelTemplate.columns as Record<string, Json>)[0]!;
  const wideColumns = (count: number): Json => {
    const columns: Json = {};
    for (let c = 0; c < count; c++) columns[`column_${c}`] = { ...structuredClone(columnTemplate), name: `column_${c}` };
    return columns;
  };
  const rand = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const project = "bench";
  const nodes: Json = {};
  const sources: Json = {};
  const parentMap: Record<string, string[]> = {};

  const sourceCount = Math.max(1, Math.round(models / 10));
  const sourceIds: string[] = [];
  for (let i = 0; i < sourceCount; i++) {
    const id = `source.${project}.raw_${i % 50}.table_${i}`;
    sources[id] = {
      ...structuredClone(sourceTemplate),
      unique_id: id,
      name: `table_${i}`,
      source_name: `raw_${i % 50}`,
      package_name: project,
      schema: `raw_${i % 50}`,
      identifier: `table_${i}`,
      fqn: [project, `raw_${i % 50}`, `table_${i}`],
    };
    sourceIds.push(id);
    parentMap[id] = [];
  }

  const layers: { name: string; share: number; materialized: string }[] = [
    { name: "stg", share: 0.3, materialized: "view" },
    { name: "int", share: 0.3, materialized: "table" },
    { name: "mart", share: 0.4, materialized: "table" },
  ];
  const built: string[] = [];
  /** Models that are tables or views (relationships tests point at these). */
  const tables: string[] = [];
  let index = 0;
  for (const layer of layers) {
    const count = Math.round(models * layer.share);
    const layerIds: string[] = [];
    for (let i = 0; i < count; i++, index++) {
      const name = `${layer.name}_${index}`;
      const id = `model.${project}.${name}`;
      // Marts read earlier layers and earlier marts; picking by index avoids copying the lists per model.
      const pickUpstream = (): string => {
        const pool = built.length + (layer.name === "mart" ? layerIds.length : 0);
        const at = Math.floor(rand() * pool);
        return at < built.length ? built[at]! : layerIds[at - built.length]!;
      };
      const parents = layer.name === "stg" ? [pick(sourceIds)] : Array.from({ length: 2 + Math.floor(rand() * 3) }, pickUpstream);
      const uniqueParents = [...new Set(parents)];
      const node = structuredClone(modelTemplate);
      Object.assign(node, {
        unique_id: id,
        name,
        alias: name,
        package_name: project,
        schema: "main",
        fqn: [project, layer.name, name],
        path: `${layer.name}/${name}.sql`,
        original_file_path: `models/${layer.name}/${name}.sql`,
        patch_path: `${project}://models/${layer.name}/schema.yml`,
        raw_code: `select * from ${uniqueParents.map((p) => `{{ ref('${p.split(".").pop()}') }}`).join(" join ")} -- ${name}`,
        depends_on: { macros: [], nodes: uniqueParents },
        description: `The ${name} model of the ${layer.name} layer`,
        meta: layer.name === "mart" ? { dagster: { auto_materialize_policy: { type: "eager" } } } : {},
      });
      node.config = { ...node.config, materialized: layer.name === "int" && i % 10 === 0 ? "ephemeral" : layer.materialized, schema: null, meta: node.meta };
      if (columnsPerModel !== undefined) node.columns = wideColumns(columnsPerModel);
      nodes[id] = node;
      parentMap[id] = uniqueParents;
      layerIds.push(id);
      if (node.config.materialized !== "ephemeral") {
        tables.push(id);
        for (let t = 0; t < testsPerModel; t++) {
          const testName = t === 0 ? "unique" : t === 1 ? "not_null" : "relationships";
          const column = Object.keys(node.columns)[t % Object.keys(node.columns).length]!;
          const testId = `test.${project}.${testName}_${name}_${column}.${index.toString(16)}${t}`;
          const other = testName === "relationships" && tables.length > 0 ? pick(tables.slice(-50)) : null;
          const testDeps = other && other !== id ? [other, id] : [id];
          nodes[testId] = {
            ...structuredClone(testTemplate),
            unique_id: testId,
            name: `${testName}_${name}_${column}`,
            package_name: project,
            attached_node: id,
            column_name: column,
            depends_on: { macros: [], nodes: testDeps },
            test_metadata: { name: testName, kwargs: { column_name: column }, namespace: null },
            fqn: [project, layer.name, `${testName}_${name}_${column}`],
          };
          parentMap[testId] = testDeps;
        }
      }
    }
    built.push(...layerIds);
  }
  const manifest: Json = {
    metadata: { ...template.metadata, project_name: project },
    nodes,
    sources,
    macros: {},
    docs: {},
    exposures: {},
    metrics: {},
    groups: {},
    selectors: {},
    disabled: {},
    parent_map: parentMap,
    child_map: {},
    group_map: {},
    saved_queries: {},
    semantic_models: {},
    unit_tests: {},
  };
  if (compiledSql) addCompiledSql(manifest);
  return manifest;
}

const q = (name: string) => `"${name}"`;

/**
 * Gives every model compiled SQL shaped like a dbt project's: staging models `select *` from a source into a
 * renaming CTE, the others join 2–5 parents through `select *` CTEs with copies, renames and transformations.
 */
export function addCompiledSql(manifest: Json): Json {
  const relationOf = (id: string): string => {
    const node = (manifest["nodes"][id] ?? manifest["sources"][id]) as Json;
    return [node["database"] ?? "bench", node["schema"], node["alias"] ?? node["identifier"] ?? node["name"]].map(String).map(q).join(".");
  };
  for (const node of Object.values(manifest["nodes"] as Record<string, Json>)) {
    if (node["resource_type"] !== "model") continue;
    const columns = Object.keys(node["columns"] as Json);
    const parents = node["depends_on"]["nodes"] as string[];
    if (parents[0]!.startsWith("source.")) {
      const list = columns.map((c, i) => (i === 0 ? `${c}_raw as ${c}` : i % 3 === 0 ? `lower(${c}) as ${c}` : c));
      node["compiled_code"] = `with source as (select * from ${relationOf(parents[0]!)}),\nrenamed as (select ${list.join(",\n  ")} from source)\nselect * from renamed`;
      continue;
    }
    const ctes = parents.map((p, i) => `p${i} as (select * from ${relationOf(p)})`);
    const list = columns.map((c, i) => {
      const from = `p${i % parents.length}`;
      if (i === 0) return `${from}.${c}`;
      if (i % 3 === 1) return `${from}.${columns[(i + 1) % columns.length]} as ${c}`;
      return `coalesce(p0.${c}, p1.${c}) as ${c}`;
    });
    const joins = parents.slice(1).map((_, i) => `left join p${i + 1} on p${i + 1}.${columns[0]} = p0.${columns[0]}`);
    node["compiled_code"] = `with ${ctes.join(",\n")}\nselect ${list.join(",\n  ")}\nfrom p0 ${joins.join(" ")}`;
  }
  return manifest;
}

/**
 * Writes a manifest as `JSON.stringify(manifest)` would, a node at a time: a 400 MB manifest is near V8's
 * longest string, and one string of it would double the generator's memory.
 */
export function writeManifest(file: string, manifest: Json): void {
  const fd = openSync(file, "w");
  try {
    const keys = Object.keys(manifest);
    writeSync(fd, "{");
    keys.forEach((key, k) => {
      writeSync(fd, `${k === 0 ? "" : ","}${JSON.stringify(key)}:`);
      const value = manifest[key];
      if (key !== "nodes") return void writeSync(fd, JSON.stringify(value));
      let chunk = "{";
      let first = true;
      for (const id in value) {
        chunk += `${first ? "" : ","}${JSON.stringify(id)}:${JSON.stringify(value[id])}`;
        first = false;
        if (chunk.length > 1 << 20) {
          writeSync(fd, chunk);
          chunk = "";
        }
      }
      writeSync(fd, chunk + "}");
    });
    writeSync(fd, "}");
  } finally {
    closeSync(fd);
  }
}

// `tsx bench/synthetic-manifest.ts <models> <out.json> [--heavy] [--no-sql]` writes one manifest (--heavy:
// HEAVY_SHAPE; --no-sql: without its compiled SQL, so a load does no column lineage).
if (import.meta.url === `file://${process.argv[1]}`) {
  const [models, out] = process.argv.slice(2);
  if (!models || !out) throw new Error("usage: synthetic-manifest.ts <models> <out.json> [--heavy] [--no-sql]");
  const shape = process.argv.includes("--heavy") ? { ...HEAVY_SHAPE, compiledSql: !process.argv.includes("--no-sql") } : {};
  writeManifest(out, syntheticManifest({ models: Number(models), ...shape }));
}
