/**
 * dbt's `run_results.json` (schema v4–v6, dbt-core 1.0 → 1.11), and the one translation of a node's result
 * into Tributary's events that every path shares:
 *
 * - the build launcher while dbt runs, from each `NodeFinished` log line (it carries the same `run_result`
 *   object dbt later writes to run_results.json: status, message, timing, adapter_response, failures);
 * - a launcher taking over a step after a crash, from the run_results.json dbt left in the step's target dir;
 * - `tributary report --run-results target/run_results.json`, for a build someone ran by hand.
 *
 * All three go through {@link translateNodeResult}, and every value an event carries is one both sources give
 * alike: times from the nodes' timing phases in one canonical spelling (the log renders them through
 * protobuf, the file through Python), durations from those (not dbt's float `execution_time`, whose two
 * renderings differ in the last digits), the relation and materialization from the manifest (run_results.json
 * has no relation for seeds). So the same build yields the same events, dedupe keys and metadata from either.
 */
import { describeJsonSyntaxError } from "./json-text.ts";
import { dbtResultState } from "./tool-state.ts";
import { basename, join } from "node:path";
import { z } from "zod";
import type { AssetEventInput, AssetKey, CheckOutcome, CheckResultInput } from "../../catalog/model/index.ts";
import type { DbtManifest } from "./manifest.ts";
import { formatJsonPath } from "./manifest.ts";
import { DbtArtifactError, readArtifactText } from "./optional-artifact.ts";
import { translateManifest } from "./translator.ts";

/** The run_results.json schema versions this reader understands. */
export const SUPPORTED_RUN_RESULTS_VERSIONS = [4, 5, 6] as const;

/** The tool name on every event and check result dbt produces. */
export const DBT_TOOL = "dbt";

export type RunResultsErrorCode = "run_results_unreadable" | "run_results_malformed_json" | "run_results_invalid" | "run_results_unsupported_version";

/** A run_results.json that cannot be used, naming the file and, where there is one, the JSON path at fault. */
export class RunResultsError extends DbtArtifactError {
  readonly code: RunResultsErrorCode;

  constructor(code: RunResultsErrorCode, message: string, file: string, jsonPath: string | null) {
    super(message, file, jsonPath);
    this.name = "RunResultsError";
    this.code = code;
  }
}

const nullableString = z.string().nullish();

const timingSchema = z.object({ name: z.string(), started_at: nullableString, completed_at: nullableString });

const resultSchema = z.object({
  unique_id: z.string(),
  status: z.string(),
  timing: z.array(timingSchema),
  thread_id: nullableString,
  execution_time: z.number().nullish(),
  adapter_response: z.record(z.string(), z.unknown()).nullish(),
  message: nullableString,
  failures: z.number().nullish(),
});

const runResultsSchema = z.object({
  metadata: z.object({
    dbt_schema_version: z.string(),
    dbt_version: nullableString,
    generated_at: nullableString,
    invocation_id: nullableString,
  }),
  results: z.array(resultSchema),
  elapsed_time: z.number().nullish(),
  args: z.object({ which: nullableString }).passthrough().nullish(),
});

/** One timing phase of a node ("compile", "execute"), as dbt writes it (ISO 8601 with microseconds, UTC). */
export interface DbtTiming {
  readonly name: string;
  readonly startedAt: string | null;
  readonly completedAt: string | null;
}

/** One node's result, from run_results.json or from a `NodeFinished` log line: the same facts either way. */
export interface DbtNodeResult {
  readonly uniqueId: string;
  /** dbt's status: success, error, skipped, pass, fail, warn, runtime error, partial success, no-op… */
  readonly status: string;
  /** dbt's message (the error for a failed node, "Got 2 results…" for a test); null when empty. */
  readonly message: string | null;
  /** Rows a test returned (dbt's `failures`); null for nodes that are not tests or did not run. */
  readonly failures: number | null;
  readonly timing: readonly DbtTiming[];
  readonly adapterResponse: Readonly<Record<string, unknown>>;
  /** dbt's `execution_time` in seconds (only a fallback: see the file comment). */
  readonly executionTime: number | null;
  /** When the source knows no timing: the node's end (live) or the file's generation time (run_results). */
  readonly fallbackTime: string | null;
}

/** A parsed run_results.json. */
export interface DbtRunResults {
  readonly file: string;
  readonly schemaVersion: number;
  readonly dbtVersion: string | null;
  readonly invocationId: string | null;
  readonly generatedAt: string | null;
  readonly elapsedTime: number | null;
  /** The dbt command that wrote it (`args.which`: build, run, test, seed, compile, generate…), when recorded. */
  readonly command: string | null;
  readonly results: readonly DbtNodeResult[];
}

/** Reads and validates a run_results.json. Throws {@link RunResultsError} naming the file and JSON path at fault. */
export async function readRunResultsFile(file: string): Promise<DbtRunResults> {
  let text: string;
  try {
    text = await readArtifactText(file);
  } catch (error) {
    throw new RunResultsError("run_results_unreadable", (error as Error).message, file, null);
  }
  return parseRunResults(text, file);
}

/** Parses run_results.json text; `file` names it in errors. */
export function parseRunResults(text: string, file: string): DbtRunResults {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw jsonSyntaxError(text, file, error);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new RunResultsError("run_results_invalid", `${file} is not a dbt run_results.json: the top level is not a JSON object`, file, "$");
  }
  const schemaVersion = readSchemaVersion(json as Record<string, unknown>, file);
  const parsed = runResultsSchema.safeParse(json, { reportInput: true });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const jsonPath = formatJsonPath(issue.path);
    throw new RunResultsError(
      "run_results_invalid",
      `${file} (run_results v${schemaVersion}) is invalid at ${jsonPath}: ${describeIssue(issue)}` +
        (parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more problems)` : ""),
      file,
      jsonPath,
    );
  }
  const raw = parsed.data;
  const generatedAt = raw.metadata.generated_at ?? null;
  return {
    file,
    schemaVersion,
    dbtVersion: raw.metadata.dbt_version ?? null,
    invocationId: raw.metadata.invocation_id ?? null,
    generatedAt,
    elapsedTime: raw.elapsed_time ?? null,
    command: raw.args?.which ?? null,
    results: raw.results.map((result) => ({
      uniqueId: result.unique_id,
      status: result.status,
      message: nonEmpty(result.message),
      failures: testFailures(result.unique_id, result.status, result.failures),
      timing: result.timing.map((t) => ({ name: t.name, startedAt: t.started_at ?? null, completedAt: t.completed_at ?? null })),
      adapterResponse: result.adapter_response ?? {},
      executionTime: result.execution_time ?? null,
      fallbackTime: generatedAt,
    })),
  };
}

function readSchemaVersion(json: Record<string, unknown>, file: string): number {
  const metadata = json["metadata"];
  const url = typeof metadata === "object" && metadata !== null ? (metadata as Record<string, unknown>)["dbt_schema_version"] : undefined;
  const at = "$.metadata.dbt_schema_version";
  if (typeof url !== "string") {
    throw new RunResultsError(
      "run_results_invalid",
      `${file} is not a dbt run_results.json: ${at} is missing (expected e.g. "https://schemas.getdbt.com/dbt/run-results/v6.json")`,
      file,
      at,
    );
  }
  const match = /\/dbt\/([\w-]+)\/v(\d+)\.json$/.exec(url);
  if (!match || match[1] !== "run-results") {
    const what = match ? `a dbt ${match[1]} artifact, not run_results.json` : `an unrecognised schema "${url}"`;
    throw new RunResultsError("run_results_invalid", `${file} is ${what}`, file, at);
  }
  const version = Number(match[2]);
  if (!(SUPPORTED_RUN_RESULTS_VERSIONS as readonly number[]).includes(version)) {
    const hint = version < 4 ? "it was written by dbt < 1.0; re-run the build with dbt-core 1.0 or newer" : "it was written by a newer dbt than this Tributary knows; upgrade Tributary";
    throw new RunResultsError(
      "run_results_unsupported_version",
      `${file} has run_results schema v${version}; Tributary reads v${SUPPORTED_RUN_RESULTS_VERSIONS[0]}–v${SUPPORTED_RUN_RESULTS_VERSIONS.at(-1)}: ${hint}`,
      file,
      at,
    );
  }
  return version;
}

// ---------------------------------------------------------------------------------------------------------
// Translation

/** What a dbt node is in the catalog: an asset dbt builds, or a check (a dbt test) of an asset. */
export type ResolvedDbtNode =
  | {
      readonly kind: "asset";
      readonly assetKey: AssetKey;
      readonly materialized?: string | null;
      /** The relation it builds, from the manifest (run_results.json leaves it out for seeds). */
      readonly relationName?: string | null;
      readonly compiledPath?: string | null;
    }
  | { readonly kind: "check"; readonly assetKey: AssetKey; readonly checkName: string; readonly compiledPath?: string | null };

/** How node results become events. */
export interface NodeTranslationContext {
  readonly locationName: string;
  /** dbt's invocation id: part of every dedupe key. */
  readonly invocationId: string;
  /** What a node is; null for nodes that are neither (hooks, unit tests, nodes unknown to the catalog). */
  readonly resolveNode: (uniqueId: string) => ResolvedDbtNode | null;
}

/** What one node's result came to. */
export type NodeDisposition =
  | { readonly type: "materialized"; readonly assetKey: AssetKey; readonly event: AssetEventInput; readonly partial: boolean }
  | { readonly type: "failed"; readonly assetKey: AssetKey; readonly event: AssetEventInput; readonly message: string }
  | { readonly type: "skipped"; readonly assetKey: AssetKey }
  | { readonly type: "check"; readonly result: CheckResultInput }
  /** A test, hook or unit test that failed without a catalog check to record it on. */
  | { readonly type: "unmapped_failure"; readonly uniqueId: string; readonly status: string; readonly message: string | null }
  | { readonly type: "ignored" };

/** Statuses a model, seed or snapshot ends with that mean its relation was (re)built. */
const BUILT = new Set(["success", "partial success"]);
const FAILED = new Set(["error", "runtime error"]);
const TEST_OUTCOMES: Readonly<Record<string, CheckOutcome>> = {
  pass: "pass",
  warn: "warn",
  fail: "fail",
  error: "error",
  "runtime error": "error",
  skipped: "skipped",
};

/** The dedupe key of everything one dbt invocation says about one node: the live and the run_results paths agree. */
export function dbtDedupeKey(invocationId: string, uniqueId: string): string {
  return `dbt:${invocationId}:${uniqueId}`;
}

/**
 * Translates one node's result (dagster-dbt's `to_default_asset_events`, reference §1.7): a built model, seed
 * or snapshot → a materialization; one that errored → a materialization failure with dbt's message; a
 * skipped one → listed only; a test → a check result on the asset it checks.
 */
export function translateNodeResult(result: DbtNodeResult, context: NodeTranslationContext): NodeDisposition {
  const resolved = context.resolveNode(result.uniqueId);
  const { invocationId, locationName } = context;
  const dedupeKey = dbtDedupeKey(invocationId, result.uniqueId);
  const occurredAt = completedAt(result);
  const duration = durationSeconds(result);
  const status = result.status.toLowerCase();
  if (resolved?.kind === "asset") {
    if (status === "skipped") return { type: "skipped", assetKey: resolved.assetKey };
    const built = BUILT.has(status);
    if (!built && !FAILED.has(status)) return { type: "ignored" }; // no-op, or a status a newer dbt added
    const metadata = compact({
      unique_id: result.uniqueId,
      invocation_id: invocationId,
      ...dbtResultState.write({
        status,
        execution_duration_s: duration,
        materialized: resolved.materialized,
        relation_name: resolved.relationName,
      }),
      ...adapterMetadata(result.adapterResponse),
      ...dbtResultState.write({
        started_at: result.timing[0]?.startedAt ? canonicalTime(result.timing[0].startedAt) : null,
        completed_at: occurredAt,
        message: built && status === "success" ? null : result.message,
        compiled_path: built ? null : resolved.compiledPath,
      }),
    });
    const event: AssetEventInput = {
      assetKey: resolved.assetKey,
      kind: built ? "materialization" : "materialization_failure",
      tool: DBT_TOOL,
      locationName,
      runId: invocationId,
      occurredAt,
      dedupeKey,
      metadata,
    };
    return built
      ? { type: "materialized", assetKey: resolved.assetKey, event, partial: status !== "success" }
      : { type: "failed", assetKey: resolved.assetKey, event, message: result.message ?? `dbt reported ${status}` };
  }
  if (resolved?.kind === "check") {
    const outcome = TEST_OUTCOMES[status];
    if (outcome === undefined) return { type: "ignored" };
    return {
      type: "check",
      result: {
        assetKey: resolved.assetKey,
        checkName: resolved.checkName,
        outcome,
        failures: result.failures,
        tool: DBT_TOOL,
        locationName,
        toolRunId: invocationId,
        occurredAt,
        dedupeKey,
        metadata: compact({
          unique_id: result.uniqueId,
          invocation_id: invocationId,
          ...dbtResultState.write({
            status,
            message: result.message,
            execution_duration_s: outcome === "skipped" ? null : duration,
            // Where the SQL that found the failing rows is, to run it by hand.
            compiled_path: outcome === "skipped" ? null : resolved.compiledPath,
          }),
        }),
      },
    };
  }
  if (FAILED.has(status) || status === "fail") return { type: "unmapped_failure", uniqueId: result.uniqueId, status, message: result.message };
  return { type: "ignored" };
}

/** Options of {@link runResultsToEvents}. */
export interface RunResultsToEventsOptions {
  readonly locationName: string;
  readonly resolveNode: (uniqueId: string) => ResolvedDbtNode | null;
}

/** What a run_results.json says happened, as events and lists of assets. */
export interface RunResultsTranslation {
  readonly invocationId: string | null;
  readonly command: string | null;
  /** Materializations and materialization failures, in dbt's order. */
  readonly events: AssetEventInput[];
  readonly checkResults: CheckResultInput[];
  readonly materializedKeys: AssetKey[];
  /** Assets whose node errored (or was only partly built: a microbatch model with failed batches). */
  readonly failedKeys: AssetKey[];
  /** Assets dbt skipped because something upstream failed. */
  readonly skippedKeys: AssetKey[];
  /** Checks that failed or errored (warnings are not failures), for the outcome's message. */
  readonly failedChecks: CheckResultInput[];
  /** Errors and failures of nodes that are no catalog asset or check (a hook, a unit test, an unknown test). */
  readonly otherFailures: { readonly uniqueId: string; readonly status: string; readonly message: string | null }[];
  /** Why nothing was translated, when nothing was (a compile-only command, no invocation id). */
  readonly note: string | null;
}

/** Commands whose run_results say "success" for nodes they only compiled: no materializations come from them. */
const NON_BUILDING_COMMANDS = new Set(["compile", "generate", "docs", "show", "parse", "list", "ls", "freshness", "source", "debug", "deps", "clean", "run-operation"]);

/**
 * Translates a whole run_results.json with {@link translateNodeResult}. Pure. The same file always gives the
 * same events and dedupe keys as the launcher recorded live for that build.
 */
export function runResultsToEvents(runResults: DbtRunResults, options: RunResultsToEventsOptions): RunResultsTranslation {
  const translation: RunResultsTranslation = {
    invocationId: runResults.invocationId,
    command: runResults.command,
    events: [],
    checkResults: [],
    materializedKeys: [],
    failedKeys: [],
    skippedKeys: [],
    failedChecks: [],
    otherFailures: [],
    note: null,
  };
  if (runResults.command !== null && NON_BUILDING_COMMANDS.has(runResults.command)) {
    return { ...translation, note: `${runResults.file} was written by \`dbt ${runResults.command}\`, which builds nothing: no events` };
  }
  if (runResults.invocationId === null) {
    // Without it, no dedupe key would tell this build from the next one.
    return { ...translation, note: `${runResults.file} has no metadata.invocation_id: its results cannot be recorded once and only once` };
  }
  const context: NodeTranslationContext = { locationName: options.locationName, invocationId: runResults.invocationId, resolveNode: options.resolveNode };
  for (const result of runResults.results) addDisposition(translation, translateNodeResult(result, context));
  return translation;
}

/** Adds one node's disposition to a translation being built (shared by the live path). */
export function addDisposition(translation: RunResultsTranslation, disposition: NodeDisposition): void {
  switch (disposition.type) {
    case "materialized":
      translation.events.push(disposition.event);
      translation.materializedKeys.push(disposition.assetKey);
      if (disposition.partial) translation.failedKeys.push(disposition.assetKey);
      break;
    case "failed":
      translation.events.push(disposition.event);
      translation.failedKeys.push(disposition.assetKey);
      break;
    case "skipped":
      translation.skippedKeys.push(disposition.assetKey);
      break;
    case "check":
      translation.checkResults.push(disposition.result);
      if (disposition.result.outcome === "fail" || disposition.result.outcome === "error") translation.failedChecks.push(disposition.result);
      break;
    case "unmapped_failure":
      translation.otherFailures.push({ uniqueId: disposition.uniqueId, status: disposition.status, message: disposition.message });
      break;
    case "ignored":
      break;
  }
}

/** An empty translation, to fill with {@link addDisposition}. */
export function emptyTranslation(invocationId: string | null, command: string | null): RunResultsTranslation {
  return { invocationId, command, events: [], checkResults: [], materializedKeys: [], failedKeys: [], skippedKeys: [], failedChecks: [], otherFailures: [], note: null };
}

// ---------------------------------------------------------------------------------------------------------
// Resolving nodes through a manifest

/** Options of {@link createManifestNodeResolver}. */
export interface ManifestNodeResolverOptions {
  readonly locationName: string;
  /** The target dir the build wrote into: compiled SQL paths are under `<targetPath>/compiled/`. */
  readonly targetPath: string;
  /** Asset keys by unique_id that win over the manifest's (a step's targets, as the catalog names them). */
  readonly assets?: ReadonlyMap<string, AssetKey>;
  /** Checks by test unique_id that win over the manifest's. */
  readonly checks?: ReadonlyMap<string, { readonly assetKey: AssetKey; readonly checkName: string }>;
  /** Asked for tests neither `checks` nor the manifest attach to an asset. */
  readonly resolveTest?: (uniqueId: string) => { readonly assetKey: AssetKey; readonly checkName: string } | null;
}

/**
 * Resolves dbt unique_ids through a manifest with the translator's rules (asset keys, tests → checks), plus
 * each node's materialization and compiled SQL path. Throws the translator's LoadError for a manifest it
 * cannot translate.
 */
export function createManifestNodeResolver(manifest: DbtManifest, options: ManifestNodeResolverOptions): (uniqueId: string) => ResolvedDbtNode | null {
  // Keys and checks only: column lineage would parse every model's compiled SQL for nothing.
  const { specs } = translateManifest(manifest, { locationName: options.locationName, columnLineage: "skip" });
  const assetKeys = new Map<string, AssetKey>();
  const checks = new Map<string, { assetKey: AssetKey; checkName: string }>();
  for (const spec of specs) {
    if (spec.materializer !== null && spec.dbtUniqueId !== null) assetKeys.set(spec.dbtUniqueId, spec.key);
    for (const check of spec.checks) if (check.sourceId !== null) checks.set(check.sourceId, { assetKey: spec.key, checkName: check.name });
  }
  const cache = new Map<string, ResolvedDbtNode | null>();
  const resolve = (uniqueId: string): ResolvedDbtNode | null => {
    const node = manifest.nodes[uniqueId];
    const compiledPath = node ? compiledSqlPath(options.targetPath, node) : null;
    const assetKey = options.assets?.get(uniqueId) ?? assetKeys.get(uniqueId);
    if (assetKey !== undefined) {
      return { kind: "asset", assetKey, materialized: node?.config?.materialized ?? null, relationName: node?.relation_name ?? null, compiledPath };
    }
    if (!uniqueId.startsWith("test.")) return null;
    const check = options.checks?.get(uniqueId) ?? options.resolveTest?.(uniqueId) ?? checks.get(uniqueId) ?? null;
    return check === null ? null : { kind: "check", assetKey: check.assetKey, checkName: check.checkName, compiledPath };
  };
  return (uniqueId) => {
    if (!cache.has(uniqueId)) cache.set(uniqueId, resolve(uniqueId));
    return cache.get(uniqueId)!;
  };
}

/**
 * Where dbt writes a node's compiled SQL (dbt-core's `get_target_write_path`): one file per node for a
 * model or singular test, a file per test under the YAML file that declares a generic test.
 */
export function compiledSqlPath(
  targetPath: string,
  node: { readonly package_name: string; readonly original_file_path?: string | null; readonly path?: string | null },
): string | null {
  const original = node.original_file_path;
  const path = node.path;
  if (!original || !path) return null;
  const relative = basename(path) === basename(original) ? original : join(original, path);
  return join(targetPath, "compiled", node.package_name, relative);
}

// ---------------------------------------------------------------------------------------------------------

/** The node's end: the end of its last timing phase, the same instant in the log line and the file. */
function completedAt(result: DbtNodeResult): string {
  for (let i = result.timing.length - 1; i >= 0; i--) {
    const at = result.timing[i]!.completedAt;
    if (at) return canonicalTime(at);
  }
  return result.fallbackTime ? canonicalTime(result.fallbackTime) : new Date(0).toISOString();
}

/**
 * One spelling per instant, `2026-12-03T06:35:14.613000Z`: the file writes Python's six digits, the log
 * line protobuf's shortest of three, six or nine (`…14.613Z`), so the strings differ when they may not.
 */
export function canonicalTime(iso: string): string {
  const micros = microseconds(iso);
  if (micros === null) return iso;
  const seconds = Math.floor(micros / 1_000_000);
  const fraction = micros - seconds * 1_000_000;
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}.${String(fraction).padStart(6, "0")}Z`;
}

/** Seconds from the first phase's start to the last phase's end, exact to the microsecond dbt writes. */
function durationSeconds(result: DbtNodeResult): number | null {
  const start = result.timing.find((t) => t.startedAt)?.startedAt;
  const end = [...result.timing].reverse().find((t) => t.completedAt)?.completedAt;
  const from = start ? microseconds(start) : null;
  const to = end ? microseconds(end) : null;
  if (from !== null && to !== null && to >= from) return Math.round((to - from) / 1000) / 1000;
  // Microbatch models report no timing (dagster-dbt falls back the same way).
  return result.executionTime === null ? null : Math.round(result.executionTime * 1000) / 1000;
}

/** Microseconds since the epoch of dbt's `2026-12-03T06:35:14.290220Z` (Date.parse would drop the last 3 digits). */
function microseconds(iso: string): number | null {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:?\d{2})?$/.exec(iso);
  if (!match) return null;
  // dbt writes UTC; a time without a zone (node_finished_at) is UTC too.
  const millis = Date.parse(`${match[1]}${match[3] === undefined || match[3] === "z" ? "Z" : match[3]}`);
  if (Number.isNaN(millis)) return null;
  return millis * 1000 + Number((match[2] ?? "").padEnd(6, "0").slice(0, 6));
}

/** The adapter's facts worth keeping (dagster-dbt's allow-list); the rest (a status string) is noise. */
function adapterMetadata(response: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const key of ["rows_affected", "bytes_processed", "bytes_billed", "slot_ms", "job_id", "query_id"]) {
    const value = response[key];
    if (value !== null && value !== undefined && value !== "") kept[`dbt/${key}`] = value;
  }
  return kept;
}

/** A test's returned rows; dbt writes 0 or null for everything else, and the two sources disagree on which. */
export function testFailures(uniqueId: string, status: string, failures: number | null | undefined): number | null {
  if (!uniqueId.startsWith("test.")) return null;
  return ["pass", "warn", "fail"].includes(status.toLowerCase()) ? (failures ?? null) : null;
}

function nonEmpty(value: string | null | undefined): string | null {
  return value === null || value === undefined || value === "" ? null : value;
}

function compact(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in record) {
    const value = record[key];
    if (value !== null && value !== undefined) out[key] = value;
  }
  return out;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_type") {
    const received = (issue as { input?: unknown }).input;
    const got =
      received === undefined
        ? "nothing (the field is missing)"
        : received === null
          ? "null"
          : Array.isArray(received)
            ? "an array"
            : typeof received === "string"
              ? `the string ${JSON.stringify(received.length > 40 ? received.slice(0, 40) + "…" : received)}`
              : typeof received === "object"
                ? "an object"
                : `${typeof received} ${String(received)}`;
    return `expected ${issue.expected}, got ${got}`;
  }
  return issue.message;
}

/** A syntax error naming the line and column; "truncated" when the file just ends (dbt killed mid-write). */
function jsonSyntaxError(text: string, file: string, error: unknown): RunResultsError {
  return new RunResultsError("run_results_malformed_json", `${file} ${describeJsonSyntaxError(text, error, "Was dbt stopped while writing it?")}`, file, null);
}
