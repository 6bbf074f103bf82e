/**
 * The compiled SQL of a served project's models, kept from its builds: `dbt parse` (what a project location
 * runs on each load) compiles nothing, but every `dbt build` writes a manifest whose built models carry their
 * `compiled_code`. After each build step the launcher keeps those in `compiled-code.json` beside the parse's
 * manifest, keyed by unique_id with the model's source checksum; a load puts a kept compiled SQL back on the
 * parsed model whose checksum is the same (an edited model waits for its next build), so column lineage
 * appears without a `dbt compile` of its own (which would also open the warehouse while builds write it).
 */
import { readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { DbtManifest, ManifestNode } from "./manifest.ts";
import { readManifestFile } from "./manifest.ts";

export const COMPILED_CODE_FILE = "compiled-code.json";

interface Kept {
  readonly checksum: string;
  readonly compiled_code: string;
}

type KeptFile = Record<string, Kept>;

function checksumOf(node: ManifestNode): string | null {
  const checksum = (node.checksum as { checksum?: unknown } | null | undefined)?.checksum;
  return typeof checksum === "string" && checksum !== "" ? checksum : null;
}

function compiledOf(node: ManifestNode): string | null {
  const code = node.compiled_code ?? node.compiled_sql;
  return typeof code === "string" && code.trim() !== "" ? code : null;
}

async function readKept(dir: string): Promise<KeptFile> {
  try {
    const parsed: unknown = JSON.parse(await readFile(join(dir, COMPILED_CODE_FILE), "utf8"));
    return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as KeptFile) : {};
  } catch {
    return {}; // none kept yet, or a torn file: the next build writes it again
  }
}

/**
 * Keeps the compiled SQL of the models in a build's manifest (`stepManifestPath`) in `keepDir`; returns how
 * many models' kept SQL is new or changed. A manifest that cannot be read keeps nothing.
 */
export async function keepCompiledCode(stepManifestPath: string, keepDir: string, locationName: string): Promise<number> {
  let manifest: DbtManifest;
  try {
    manifest = await readManifestFile(stepManifestPath, locationName);
  } catch {
    return 0;
  }
  const kept = await readKept(keepDir);
  let changed = 0;
  for (const [uniqueId, node] of Object.entries(manifest.nodes)) {
    if (node.resource_type !== "model") continue;
    const compiled = compiledOf(node);
    const checksum = checksumOf(node);
    if (compiled === null || checksum === null) continue;
    const before = kept[uniqueId];
    if (before?.checksum === checksum && before.compiled_code === compiled) continue;
    kept[uniqueId] = { checksum, compiled_code: compiled };
    changed++;
  }
  if (changed > 0) {
    // Written whole and renamed into place: a load never reads half a file.
    const temporary = join(keepDir, `${COMPILED_CODE_FILE}.${process.pid}.${Date.now()}.tmp`);
    await writeFile(temporary, JSON.stringify(kept));
    await rename(temporary, join(keepDir, COMPILED_CODE_FILE));
  }
  return changed;
}

/** The manifest with kept compiled SQL on each model that has none and whose source is unchanged. */
export async function withKeptCompiledCode(manifest: DbtManifest, keepDir: string): Promise<DbtManifest> {
  const kept = await readKept(keepDir);
  if (Object.keys(kept).length === 0) return manifest;
  let nodes: Record<string, ManifestNode> | null = null;
  for (const [uniqueId, node] of Object.entries(manifest.nodes)) {
    const found = kept[uniqueId];
    if (!found || node.resource_type !== "model" || compiledOf(node) !== null || checksumOf(node) !== found.checksum) continue;
    nodes ??= { ...manifest.nodes };
    nodes[uniqueId] = { ...node, compiled_code: found.compiled_code };
  }
  return nodes === null ? manifest : { ...manifest, nodes };
}
