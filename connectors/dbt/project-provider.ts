/**
 * A location backed by a dbt project directory: each load runs `dbt parse` (with the project's own profile)
 * into a Tributary-owned target directory, then reads and translates the manifest it wrote.
 */
import { readFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import type { AssetSpec, DefinitionsProvider, Diagnostic, LocationDefinitions, LocationRef, SourceLocation } from "../../catalog/model/index.ts";
import { copyWithColumns, LoadError } from "../../catalog/model/index.ts";
import { withKeptCompiledCode } from "./compiled-code.ts";
import { columnLineageFollowUp, createColumnLineageCache } from "./column-lineage-follow-up.ts";
import { columnLineageInput } from "./manifest-column-lineage.ts";
import { readManifestFile } from "./manifest.ts";
import { runDbtParse } from "./project-runner.ts";
import type { DbtRuntime } from "./runtime.ts";
import { resolveDbtRuntime } from "./runtime.ts";
import { withDbtCatalogFile } from "./catalog-artifact.ts";
import { withDbtFreshnessFile } from "./freshness-artifact.ts";
import { translateManifest } from "./translator.ts";

export interface DbtProjectLocationOptions {
  readonly projectDir: string;
  /** Defaults to the project's `name` in dbt_project.yml. */
  readonly name?: string | null;
  /** Where `dbt parse` writes (a parse never clobbers the project's own target/). */
  readonly targetDir: string;
  /** A dbt executable to use instead of PATH / the managed virtualenv. */
  readonly dbtExecutable?: string | null;
  readonly profilesDir?: string | null;
  readonly target?: string | null;
  /** Extra environment for dbt (e.g. the warehouse path). */
  readonly env?: Readonly<Record<string, string>>;
  /** Use the managed virtualenv even when a dbt is on PATH. */
  readonly preferManagedDbt?: boolean;
}

/** Reads `name` from dbt_project.yml; throws a LoadError when the directory is not a dbt project. */
export async function readDbtProjectName(projectDir: string): Promise<string> {
  const file = join(resolve(projectDir), "dbt_project.yml");
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    throw new LoadError("not_a_dbt_project", `${resolve(projectDir)} is not a dbt project: it has no dbt_project.yml`, { file });
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new LoadError("dbt_project_invalid", `${file} is not valid YAML: ${error instanceof Error ? error.message : String(error)}`, { file, cause: error });
  }
  const name = (parsed as { name?: unknown } | null)?.name;
  if (typeof name !== "string" || name === "") {
    throw new LoadError("dbt_project_invalid", `${file} has no project name (the "name:" key)`, { file, jsonPath: "name" });
  }
  return name;
}

/**
 * Where the project's own dbt commands write their artifacts, as dbt decides it: `DBT_TARGET_PATH`, else
 * `target-path` in dbt_project.yml (unless it is templated), else `target/`. `dbt docs generate` and
 * `dbt source freshness` leave catalog.json and sources.json there.
 */
export async function dbtProjectTargetDir(projectDir: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const fromEnv = env["DBT_TARGET_PATH"];
  if (fromEnv) return resolve(projectDir, fromEnv);
  let configured: unknown;
  try {
    configured = (parseYaml(await readFile(join(projectDir, "dbt_project.yml"), "utf8")) as Record<string, unknown> | null)?.["target-path"];
  } catch {
    configured = undefined;
  }
  return resolve(projectDir, typeof configured === "string" && configured !== "" && !configured.includes("{{") ? configured : "target");
}

/** A dbt project location. Its name is read from dbt_project.yml unless given. */
export async function createDbtProjectProvider(options: DbtProjectLocationOptions): Promise<DefinitionsProvider> {
  const projectDir = resolve(options.projectDir);
  const name = options.name ?? (await readDbtProjectName(projectDir).catch(() => basename(projectDir)));
  const location: LocationRef = { name, kind: "dbt", origin: projectDir };
  let runtime: DbtRuntime | null = null;
  // Kept across loads: a reload after a build (changedByRuns) re-parses only the models whose SQL or upstream changed.
  const lineageCache = createColumnLineageCache();
  return {
    location,
    async load({ onProgress = () => {}, signal } = {}): Promise<LocationDefinitions> {
      const started = performance.now();
      await readDbtProjectName(projectDir);
      try {
        runtime ??= await resolveDbtRuntime({
          configuredExecutable: options.dbtExecutable ?? null,
          preferManaged: options.preferManagedDbt ?? false,
          onProgress,
        });
      } catch (error) {
        throw asLoadError(error, name, projectDir);
      }
      onProgress(`running dbt parse (dbt ${runtime.version}, ${runtime.source})`);
      let manifestPath: string;
      try {
        ({ manifestPath } = await runDbtParse({
          runtime,
          projectDir,
          targetPath: resolve(options.targetDir),
          profilesDir: options.profilesDir ?? null,
          target: options.target ?? null,
          env: { ...options.env },
          onProgress,
          signal,
        }));
      } catch (error) {
        throw asLoadError(error, name, projectDir);
      }
      // Compiled SQL kept from this project's builds (a parse compiles none): column lineage reads it.
      const manifest = await withKeptCompiledCode(await readManifestFile(manifestPath, name), resolve(options.targetDir));
      // Column lineage follows the load (on a worker thread, see ./column-lineage-follow-up.ts).
      const { specs, diagnostics } = translateManifest(manifest, { locationName: name, projectDir, columnLineage: "skip" });
      const lineageInput = columnLineageInput(manifest);
      // The project's own docs catalog and source freshness, when someone ran `dbt docs generate` or
      // `dbt source freshness` (Tributary's parse writes neither).
      const projectTarget = await dbtProjectTargetDir(projectDir);
      const withCatalog = await withDbtCatalogFile(
        { location, specs: await withScheduleLines(specs, projectDir), diagnostics: await withLineNumbers(diagnostics, projectDir), loadedAt: "", loadDurationMs: 0 },
        join(projectTarget, "catalog.json"),
      );
      const definitions = await withDbtFreshnessFile(withCatalog, join(projectTarget, "sources.json"));
      const served = { ...definitions, loadedAt: new Date().toISOString(), loadDurationMs: Math.round(performance.now() - started) };
      const followUp = columnLineageFollowUp(served, lineageInput, lineageCache);
      return followUp ? { ...served, followUp } : served;
    },
  };
}

function asLoadError(error: unknown, locationName: string, projectDir: string): LoadError {
  if (error instanceof LoadError) return error;
  const code = typeof (error as { code?: unknown })?.code === "string" ? (error as { code: string }).code : "dbt_failed";
  return new LoadError(code, error instanceof Error ? error.message : String(error), { locationName, file: projectDir, cause: error });
}

/**
 * Puts a line number on policy diagnostics so `tributary check` can print `file:line`. dbt does not record
 * where in a YAML file a node's config came from, so the line is found by reading the file: the node's
 * `- name:` entry, then the first policy key after it (or, in dbt_project.yml, the first policy key).
 */
async function withLineNumbers(diagnostics: readonly Diagnostic[], projectDir: string): Promise<Diagnostic[]> {
  const linesOf = projectFileLines(projectDir);
  const result: Diagnostic[] = [];
  for (const diagnostic of diagnostics) {
    const file = diagnostic.at?.file;
    const keys = !file ? null : diagnostic.code.includes("policy") ? POLICY_KEYS : diagnostic.code.includes("schedule") ? SCHEDULE_KEY : null;
    if (!file || keys === null) {
      result.push(diagnostic);
      continue;
    }
    const lines = await linesOf(file);
    const nodeName = diagnostic.nodeId?.split(".").at(-1) ?? null;
    const line = lines ? findKeyLine(lines, file.endsWith(".sql") ? null : nodeName, keys) : null;
    result.push(line === null ? diagnostic : { ...diagnostic, at: { ...diagnostic.at, line } });
  }
  return result;
}

/** Puts the line of `schedule:` on each schedule declared beside a model, for `tributary check`'s file:line. */
async function withScheduleLines(specs: readonly AssetSpec[], projectDir: string): Promise<AssetSpec[]> {
  const linesOf = projectFileLines(projectDir);
  const result: AssetSpec[] = [];
  for (const spec of specs) {
    if (!spec.schedules || spec.schedules.length === 0) {
      result.push(spec);
      continue;
    }
    const file = spec.schedules[0]!.schedule.declaredIn.file;
    const lines = file ? await linesOf(file) : null;
    const nodeName = spec.dbtUniqueId?.split(".").at(-1) ?? null;
    const line = lines && file ? findKeyLine(lines, file.endsWith(".sql") ? null : nodeName, SCHEDULE_KEY) : null;
    if (line === null) {
      result.push(spec);
      continue;
    }
    const at = <T extends { declaredIn: SourceLocation }>(item: T): T => ({ ...item, declaredIn: { ...item.declaredIn, line } });
    result.push(copyWithColumns(spec, { schedules: spec.schedules.map((declared) => ({ job: at(declared.job), schedule: at(declared.schedule) })) }));
  }
  return result;
}

/** Reads a project's files once each (null when one cannot be read). */
function projectFileLines(projectDir: string): (file: string) => Promise<string[] | null> {
  const files = new Map<string, string[] | null>();
  return async (file) => {
    if (!files.has(file)) files.set(file, await readFile(join(projectDir, file), "utf8").then((t) => t.split("\n"), () => null));
    return files.get(file) ?? null;
  };
}

const POLICY_KEYS = /\b(auto_materialize_policy|automation_condition|build_after)\b/;
const SCHEDULE_KEY = /^\s*schedule:/;

function findKeyLine(lines: readonly string[], nodeName: string | null, keys: RegExp): number | null {
  let start = 0;
  if (nodeName !== null) {
    const entry = new RegExp(`^\\s*-\\s*name:\\s*["']?${nodeName.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}["']?\\s*$`);
    const found = lines.findIndex((line) => entry.test(line));
    if (found >= 0) start = found;
  }
  for (let i = start; i < lines.length; i++) {
    if (keys.test(lines[i]!)) return i + 1;
  }
  return null;
}
