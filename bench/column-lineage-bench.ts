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

/** The manifest of `models` models, each with compiled SQL over its parents. */
export function syntheticManifestWithSql(models: number): Record<string, unknown> {
  return syntheticManifest({ models, compiledSql: true });
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
