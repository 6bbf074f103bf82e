/**
 * Reads dbt's `manifest.json` (schema v4–v12, dbt-core 1.0 → 1.11) into one normalized, typed shape.
 *
 * The file is validated where it enters: only the fields Tributary reads are checked, so a field dbt adds
 * later does not break us, but a field we rely on that has the wrong type fails with the file and the JSON
 * path at fault. Version differences (raw_sql → raw_code, groups from v9, versions from v10…) are resolved
 * here once, so the translator sees a single shape.
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { LoadError } from "../../catalog/model/index.ts";
import { compileCheck } from "./schema-check.ts";

/** The manifest schema versions this reader understands. */
export const SUPPORTED_MANIFEST_VERSIONS = [4, 5, 6, 7, 8, 9, 10, 11, 12] as const;

const nullableString = z.string().nullish();
const stringList = z.array(z.string()).nullish();
const record = z.record(z.string(), z.unknown());

const columnSchema = z.object({
  name: z.string(),
  description: nullableString,
  data_type: nullableString,
  meta: record.nullish(),
  tags: stringList,
});

const dependsOnSchema = z.object({ nodes: stringList }).nullish();

const nodeConfigSchema = z
  .object({
    enabled: z.boolean().nullish(),
    materialized: nullableString,
    schema: nullableString,
    alias: nullableString,
    database: nullableString,
    meta: record.nullish(),
    group: nullableString,
    tags: z.union([z.array(z.string()), z.string()]).nullish(),
    severity: nullableString,
    /** dagster-dbt's pre-1.3.10 policy key, read only to tell users it is ignored now (reference §0). */
    dagster_auto_materialize_policy: z.unknown().optional(),
  })
  .nullish();

/** Fields shared by every entry of `nodes` (models, seeds, snapshots, tests, analyses, operations…). */
const nodeSchema = z.object({
  unique_id: z.string(),
  resource_type: z.string(),
  name: z.string(),
  package_name: z.string(),
  original_file_path: nullableString,
  patch_path: nullableString,
  path: nullableString,
  fqn: z.array(z.string()).nullish(),
  database: nullableString,
  schema: nullableString,
  alias: nullableString,
  description: nullableString,
  meta: record.nullish(),
  tags: stringList,
  config: nodeConfigSchema,
  columns: z.record(z.string(), columnSchema).nullish(),
  depends_on: dependsOnSchema,
  raw_code: nullableString,
  raw_sql: nullableString,
  checksum: z.object({ name: nullableString, checksum: nullableString }).nullish(),
  version: z.union([z.string(), z.number()]).nullish(),
  latest_version: z.union([z.string(), z.number()]).nullish(),
  group: nullableString,
  access: nullableString,
  attached_node: nullableString,
  column_name: nullableString,
  test_metadata: z
    .object({ name: z.string(), kwargs: record.nullish(), namespace: nullableString })
    .nullish(),
  relation_name: nullableString,
});

const sourceSchema = z.object({
  unique_id: z.string(),
  resource_type: z.string(),
  name: z.string(),
  source_name: z.string(),
  package_name: z.string(),
  original_file_path: nullableString,
  path: nullableString,
  fqn: z.array(z.string()).nullish(),
  database: nullableString,
  schema: z.string(),
  identifier: nullableString,
  description: nullableString,
  source_description: nullableString,
  loader: nullableString,
  loaded_at_field: nullableString,
  meta: record.nullish(),
  source_meta: record.nullish(),
  tags: stringList,
  config: nodeConfigSchema,
  columns: z.record(z.string(), columnSchema).nullish(),
  relation_name: nullableString,
  freshness: z.unknown().optional(),
});

const exposureSchema = z.object({
  unique_id: z.string(),
  name: z.string(),
  package_name: z.string(),
  type: nullableString,
  label: nullableString,
  description: nullableString,
  url: nullableString,
  maturity: nullableString,
  original_file_path: nullableString,
  owner: z.object({ name: nullableString, email: z.union([z.string(), z.array(z.string())]).nullish() }).nullish(),
  depends_on: dependsOnSchema,
  meta: record.nullish(),
  tags: stringList,
  config: nodeConfigSchema,
});

const groupSchema = z.object({
  name: z.string(),
  owner: z
    .object({ name: nullableString, email: z.union([z.string(), z.array(z.string())]).nullish() })
    .passthrough()
    .nullish(),
});

/** Nodes dbt resolves through but that are not tables: metrics, semantic models, saved queries. */
const passThroughSchema = z.object({ unique_id: z.string(), name: z.string(), depends_on: dependsOnSchema });

const unitTestSchema = z.object({ unique_id: z.string(), name: z.string(), model: nullableString });

const manifestSchema = z.object({
  metadata: z.object({
    dbt_schema_version: z.string(),
    dbt_version: nullableString,
    adapter_type: nullableString,
    project_id: nullableString,
    project_name: nullableString,
    generated_at: nullableString,
  }),
  nodes: z.record(z.string(), nodeSchema),
  sources: z.record(z.string(), sourceSchema),
  exposures: z.record(z.string(), exposureSchema).nullish(),
  metrics: z.record(z.string(), passThroughSchema).nullish(),
  semantic_models: z.record(z.string(), passThroughSchema).nullish(),
  saved_queries: z.record(z.string(), passThroughSchema).nullish(),
  groups: z.record(z.string(), groupSchema).nullish(),
  unit_tests: z.record(z.string(), unitTestSchema).nullish(),
  /** User-defined functions (dbt 1.11+): built by dbt, but not tables. */
  functions: z.record(z.string(), z.object({ unique_id: z.string(), name: z.string() })).nullish(),
  parent_map: z.record(z.string(), z.array(z.string())).nullish(),
  child_map: z.record(z.string(), z.array(z.string())).nullish(),
});

/** Whether zod would accept the manifest; then the parsed JSON serves as is, without zod's copy of it. */
const isValidManifest = compileCheck(manifestSchema);

export type ManifestNode = z.infer<typeof nodeSchema>;
export type ManifestSource = z.infer<typeof sourceSchema>;
export type ManifestExposure = z.infer<typeof exposureSchema>;
export type ManifestGroup = z.infer<typeof groupSchema>;
export type ManifestColumn = z.infer<typeof columnSchema>;
type RawManifest = z.infer<typeof manifestSchema>;

/**
 * A manifest of any supported version, normalized to one shape. Its objects are usually the parsed JSON
 * itself, so they carry fields the types do not declare: read only declared fields, and never test with `in`.
 */
export interface DbtManifest {
  /** The file it was read from (for error messages), or a label such as `<memory>`. */
  readonly file: string;
  readonly schemaVersion: number;
  readonly dbtVersion: string | null;
  readonly adapterType: string | null;
  readonly projectName: string | null;
  readonly projectId: string | null;
  readonly generatedAt: string | null;
  readonly nodes: Readonly<Record<string, ManifestNode>>;
  readonly sources: Readonly<Record<string, ManifestSource>>;
  readonly exposures: Readonly<Record<string, ManifestExposure>>;
  /** Metrics, semantic models and saved queries: nodes dependencies pass through. */
  readonly passThrough: Readonly<Record<string, { readonly name: string; readonly dependsOn: readonly string[] }>>;
  readonly groups: Readonly<Record<string, ManifestGroup>>;
  readonly unitTests: Readonly<Record<string, z.infer<typeof unitTestSchema>>>;
  /** Ids of user-defined functions; a model may depend on one, but it is not data. */
  readonly functionIds: ReadonlySet<string>;
  /** `parent_map`; rebuilt from `depends_on` when the manifest has none. */
  readonly parentMap: Readonly<Record<string, readonly string[]>>;
}

/** Reads and validates a manifest file. Throws {@link LoadError} naming the file and JSON path at fault. */
export async function readManifestFile(file: string, locationName: string | null = null): Promise<DbtManifest> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : String(error);
    throw new LoadError("manifest_unreadable", `Cannot read dbt manifest ${file}: ${reason}`, {
      file,
      locationName,
      cause: error,
    });
  }
  return parseManifest(text, file, locationName);
}

/** Parses manifest text. `file` names it in errors. */
export function parseManifest(text: string, file: string, locationName: string | null = null): DbtManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw jsonSyntaxError(text, file, locationName, error);
  }
  return normalizeManifest(json, file, locationName);
}

/** Validates an already-parsed manifest object. */
export function normalizeManifest(json: unknown, file: string, locationName: string | null = null): DbtManifest {
  const context = { file, locationName };
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new LoadError("manifest_invalid", `${file} is not a dbt manifest: the top level is not a JSON object`, {
      ...context,
      jsonPath: "$",
    });
  }
  const schemaVersion = readSchemaVersion(json as Record<string, unknown>, file, locationName);
  // Nearly every manifest is valid: check it in place, and let zod parse only to name what is wrong.
  if (isValidManifest(json)) return toDbtManifest(json, file, schemaVersion);
  const result = manifestSchema.safeParse(json, { reportInput: true });
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const jsonPath = formatJsonPath(issue.path);
    const nodeId = nodeIdFromPath(issue.path);
    throw new LoadError(
      "manifest_invalid",
      `${file} (manifest v${schemaVersion}) is invalid at ${jsonPath}: ${describeIssue(issue)}` +
        (result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more problems)` : ""),
      { ...context, jsonPath, nodeId },
    );
  }
  return toDbtManifest(result.data, file, schemaVersion);
}

function readSchemaVersion(json: Record<string, unknown>, file: string, locationName: string | null): number {
  const metadata = json["metadata"];
  const url =
    typeof metadata === "object" && metadata !== null
      ? (metadata as Record<string, unknown>)["dbt_schema_version"]
      : undefined;
  if (typeof url !== "string") {
    throw new LoadError(
      "manifest_invalid",
      `${file} is not a dbt manifest: metadata.dbt_schema_version is missing (expected e.g. "https://schemas.getdbt.com/dbt/manifest/v12.json")`,
      { file, locationName, jsonPath: "$.metadata.dbt_schema_version" },
    );
  }
  const match = /\/dbt\/([\w-]+)\/v(\d+)\.json$/.exec(url);
  if (!match || match[1] !== "manifest") {
    const what = match ? `a dbt ${match[1]} artifact, not a manifest` : `an unrecognised schema "${url}"`;
    throw new LoadError("manifest_invalid", `${file} is ${what}`, {
      file,
      locationName,
      jsonPath: "$.metadata.dbt_schema_version",
    });
  }
  const version = Number(match[2]);
  if (!(SUPPORTED_MANIFEST_VERSIONS as readonly number[]).includes(version)) {
    const dbtVersion = (metadata as Record<string, unknown>)["dbt_version"];
    const hint =
      version < 4
        ? "it was written by dbt < 1.0; re-run `dbt parse` with dbt-core 1.0 or newer"
        : "it was written by a newer dbt than this Tributary knows; upgrade Tributary";
    throw new LoadError(
      "manifest_unsupported_version",
      `${file} has manifest schema v${version}${typeof dbtVersion === "string" ? ` (dbt ${dbtVersion})` : ""}; ` +
        `Tributary reads v${SUPPORTED_MANIFEST_VERSIONS[0]}–v${SUPPORTED_MANIFEST_VERSIONS.at(-1)}: ${hint}`,
      { file, locationName, jsonPath: "$.metadata.dbt_schema_version" },
    );
  }
  return version;
}

function toDbtManifest(raw: RawManifest, file: string, schemaVersion: number): DbtManifest {
  const passThrough: Record<string, { name: string; dependsOn: string[] }> = {};
  for (const collection of [raw.metrics, raw.semantic_models, raw.saved_queries]) {
    for (const [id, item] of Object.entries(collection ?? {})) {
      passThrough[id] = { name: item.name, dependsOn: item.depends_on?.nodes ?? [] };
    }
  }
  return {
    file,
    schemaVersion,
    dbtVersion: raw.metadata.dbt_version ?? null,
    adapterType: raw.metadata.adapter_type ?? null,
    projectName: raw.metadata.project_name ?? null,
    projectId: raw.metadata.project_id ?? null,
    generatedAt: raw.metadata.generated_at ?? null,
    nodes: raw.nodes,
    sources: raw.sources,
    exposures: raw.exposures ?? {},
    passThrough,
    groups: raw.groups ?? {},
    unitTests: raw.unit_tests ?? {},
    functionIds: new Set(Object.keys(raw.functions ?? {})),
    parentMap: raw.parent_map ?? rebuildParentMap(raw),
  };
}

/** Early dbt Fusion manifests lack `parent_map`; `depends_on` carries the same edges. */
function rebuildParentMap(raw: RawManifest): Record<string, string[]> {
  const parents: Record<string, string[]> = {};
  for (const [id, node] of Object.entries(raw.nodes)) parents[id] = [...(node.depends_on?.nodes ?? [])];
  for (const id of Object.keys(raw.sources)) parents[id] = [];
  for (const [id, exposure] of Object.entries(raw.exposures ?? {})) parents[id] = [...(exposure.depends_on?.nodes ?? [])];
  return parents;
}

/** `$.nodes["model.shop.orders"].depends_on.nodes[2]` */
export function formatJsonPath(path: readonly PropertyKey[]): string {
  let out = "$";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (typeof part === "string" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(part)) out += `.${part}`;
    else out += `[${JSON.stringify(String(part))}]`;
  }
  return out;
}

function nodeIdFromPath(path: readonly PropertyKey[]): string | null {
  const [collection, id] = path;
  const collections = ["nodes", "sources", "exposures", "metrics", "semantic_models", "saved_queries", "groups", "unit_tests"];
  return typeof collection === "string" && collections.includes(collection) && typeof id === "string" ? id : null;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_type") {
    const received = (issue as { input?: unknown }).input;
    return `expected ${issue.expected}, got ${received === undefined ? "nothing (the field is missing)" : describeValue(received)}`;
  }
  return issue.message;
}

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value)}`;
  return typeof value === "object" ? "an object" : `${typeof value} ${String(value)}`;
}

/** Turns JSON.parse's message into one naming the line and column, and "truncated" when the file just ends. */
function jsonSyntaxError(text: string, file: string, locationName: string | null, error: unknown): LoadError {
  const message = error instanceof Error ? error.message : String(error);
  const positionMatch = /position (\d+)/.exec(message);
  const truncated = /Unexpected end of JSON input|Unterminated string|end of data/i.test(message);
  const position = positionMatch ? Number(positionMatch[1]) : truncated ? text.length : null;
  let where = "";
  if (position !== null) {
    const before = text.slice(0, position);
    const line = before.split("\n").length;
    const column = position - before.lastIndexOf("\n");
    where = ` at line ${line}, column ${column}`;
  }
  const what = truncated
    ? `is truncated: the JSON ends unexpectedly${where} (${text.length} bytes). Was it copied while dbt was still writing it?`
    : `is not valid JSON${where}: ${message.replace(/^[^:]*JSON[^:]*: /, "")}`;
  return new LoadError("manifest_malformed_json", `${file} ${what}`, { file, locationName, cause: error });
}
