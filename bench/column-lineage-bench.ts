/**
 * Column lineage at scale: a synthetic manifest (bench/synthetic-manifest.ts) given compiled SQL shaped like a
 * dbt project's — staging models `select *` from a source into a renaming CTE, the others join 2–5 parents
 * through `select *` CTEs with copies, renames and transformations — read with readManifestFile and analysed
 * by manifestColumnLineage (every model parsed by node-sql-parser, parents first). Prints a markdown table.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { manifestColumnLineage, readManifestFile } from "../connectors/dbt/index.ts";
import { syntheticManifest } from "./synthetic-manifest.ts";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const q = (name: string) => `"${name}"`;

/** The manifest of `models` models, each with compiled SQL over its parents. */
export function syntheticManifestWithSql(models: number): Json {
  const manifest = syntheticManifest({ models });
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

export async function printColumnLineageBench(sizes: readonly number[]): Promise<void> {
  const outDir = join(import.meta.dirname, "out");
  mkdirSync(outDir, { recursive: true });
  console.log("\n| models (column lineage) | models followed | columns resolved | lineage of every model | per model |");
  console.log("|---|---|---|---|---|");
  for (const models of sizes) {
    const file = join(outDir, `manifest-lineage-${models}.json`);
    writeFileSync(file, JSON.stringify(syntheticManifestWithSql(models)));
    const manifest = await readManifestFile(file);
    const started = performance.now();
    const { stats } = manifestColumnLineage(manifest);
    const ms = performance.now() - started;
    console.log(
      `| ${models.toLocaleString("en")} | ${stats.modelsFollowed.toLocaleString("en")} / ${stats.modelsWithSql.toLocaleString("en")} | ` +
        `${stats.columnsResolved.toLocaleString("en")} / ${stats.columns.toLocaleString("en")} | ${Math.round(ms).toLocaleString("en")} ms | ${(ms / stats.modelsWithSql).toFixed(2)} ms |`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await printColumnLineageBench((process.env["BENCH_SIZES"] ?? "10000").split(",").map(Number));
