/**
 * Synthetic dbt manifests of any size for benchmarks, shaped like real ones: every node is a clone of a real
 * v12 node from shared/fixtures (all of dbt's config fields, raw SQL, columns), so the JSON has the size and
 * structure of a real project. Layers: sources → staging → intermediate (some ephemeral) → marts, each model
 * with columns and several tests (unique, not_null, a relationships test on most marts).
 */
import { readFileSync } from "node:fs";
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
}

/** Builds a manifest object with `models` models (plus sources and tests). */
export function syntheticManifest({ models, testsPerModel = 3, seed = 42 }: SyntheticManifestOptions): Json {
  const template = JSON.parse(readFileSync(TEMPLATE_MANIFEST, "utf8")) as Json;
  const modelTemplate = Object.values(template.nodes as Record<string, Json>).find((n) => n.resource_type === "model" && Object.keys(n.columns).length > 0)!;
  const testTemplate = Object.values(template.nodes as Record<string, Json>).find((n) => n.resource_type === "test" && n.test_metadata)!;
  const sourceTemplate = Object.values(template.sources as Record<string, Json>)[0]!;
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
  return {
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
}
