/**
 * Jobs and schedules resolved against a catalog graph: each job's selection evaluated (dbt's syntax, through
 * catalog/selection), each schedule's cron, time zone and job checked. What is wrong becomes a diagnostic
 * naming the file and line it was declared at — `tributary check` prints them, `serve --strict` refuses them,
 * and an invalid schedule never fires.
 */
import type { CatalogGraph } from "../../catalog/graph/index.ts";
import type { Diagnostic, JobSpec, JobsAndSchedules, ScheduleSpec, SourceLocation } from "../../catalog/model/index.ts";
import { isValidTimezone, validateCron } from "../../catalog/model/index.ts";
import { parseSelection, selectAssets, SelectionSyntaxError } from "../../catalog/selection/index.ts";

export interface ResolvedJob {
  readonly spec: JobSpec;
  /** The selected asset ids, sorted (empty when the selection is invalid). */
  readonly assetIds: readonly string[];
  /** Why the job cannot run (invalid selection, or it selects nothing); null when it can. */
  readonly error: string | null;
}

export interface ResolvedSchedule {
  readonly spec: ScheduleSpec;
  /** Why the schedule cannot fire (bad cron or time zone, unknown or invalid job); empty when it can. */
  readonly errors: readonly string[];
}

export interface ResolvedJobsAndSchedules {
  readonly jobs: ReadonlyMap<string, ResolvedJob>;
  /** In declaration order. */
  readonly schedules: readonly ResolvedSchedule[];
  readonly diagnostics: readonly Diagnostic[];
}

/** `file:line`, for messages. */
export function where(at: SourceLocation): string {
  return `${at.file ?? "tributary.yaml"}${at.line ? `:${at.line}` : ""}`;
}

function diagnostic(severity: Diagnostic["severity"], code: string, message: string, at: SourceLocation): Diagnostic {
  return { severity, code, message: `${where(at)}: ${message}`, locationName: at.file ?? "tributary.yaml", assetKey: null, nodeId: null, at };
}

function resolveJob(graph: CatalogGraph, spec: JobSpec, diagnostics: Diagnostic[]): ResolvedJob {
  let parsed;
  try {
    parsed = parseSelection(spec.select, spec.exclude);
  } catch (error) {
    if (!(error instanceof SelectionSyntaxError)) throw error;
    diagnostics.push(diagnostic("error", "job_selection_invalid", `job "${spec.name}": ${error.message}`, spec.declaredIn));
    return { spec, assetIds: [], error: error.message };
  }
  if (parsed.select.length === 0) {
    const error = "its selection is empty: give select";
    diagnostics.push(diagnostic("error", "job_selection_empty", `job "${spec.name}": ${error}`, spec.declaredIn));
    return { spec, assetIds: [], error };
  }
  const { assetIds, unmatched } = selectAssets(graph, parsed);
  const selection = [spec.select.join(" "), spec.exclude.length > 0 ? `--exclude ${spec.exclude.join(" ")}` : ""].filter(Boolean).join(" ");
  if (assetIds.length === 0) {
    const error = `the selection "${selection}" matches no asset${unmatched.length > 0 ? ` (${unmatched.map((c) => `"${c}"`).join(", ")} match nothing)` : ""}`;
    diagnostics.push(diagnostic("error", "job_selection_matches_nothing", `job "${spec.name}": ${error}`, spec.declaredIn));
    return { spec, assetIds, error };
  }
  for (const criterion of unmatched) {
    diagnostics.push(diagnostic("warning", "job_selector_matches_nothing", `job "${spec.name}": "${criterion}" matches no asset (the rest of the selection does)`, spec.declaredIn));
  }
  return { spec, assetIds, error: null };
}

function resolveSchedule(spec: ScheduleSpec, jobs: ReadonlyMap<string, ResolvedJob>, diagnostics: Diagnostic[]): ResolvedSchedule {
  const errors: string[] = [];
  const cronError = validateCron(spec.cron);
  if (cronError !== null) errors.push(`cron "${spec.cron}" is invalid: ${cronError}`);
  if (!isValidTimezone(spec.timezone)) errors.push(`"${spec.timezone}" is not a time zone (an IANA name such as Europe/Copenhagen, or UTC)`);
  const job = jobs.get(spec.job);
  if (!job) errors.push(`no job "${spec.job}"${jobs.size > 0 ? ` (jobs: ${[...jobs.keys()].join(", ")})` : " (declare it under jobs:)"}`);
  else if (job.error !== null) errors.push(`its job "${spec.job}" cannot run: ${job.error}`);
  for (const error of errors) diagnostics.push(diagnostic("error", "schedule_invalid", `schedule "${spec.name}": ${error}`, spec.declaredIn));
  return { spec, errors };
}

const cache = new WeakMap<CatalogGraph, WeakMap<JobsAndSchedules, ResolvedJobsAndSchedules>>();

/** The schedules declared beside assets (dbt YAML `meta.tributary.schedule`), each with its own job. */
export function assetSchedules(graph: CatalogGraph): JobsAndSchedules {
  const jobs: JobSpec[] = [];
  const schedules: ScheduleSpec[] = [];
  for (const asset of graph.assets) {
    for (const spec of asset.specs) {
      for (const declared of spec.schedules ?? []) {
        jobs.push(declared.job);
        schedules.push(declared.schedule);
      }
    }
  }
  return { jobs, schedules };
}

/**
 * Resolves every job and schedule over the graph (cached per graph and declaration): those of tributary.yaml
 * first, then those declared beside assets in the graph (a name taken by tributary.yaml is a duplicate there).
 */
export function resolveJobsAndSchedules(graph: CatalogGraph, declared: JobsAndSchedules): ResolvedJobsAndSchedules {
  let byDeclared = cache.get(graph);
  const cached = byDeclared?.get(declared);
  if (cached) return cached;
  const besideAssets = assetSchedules(graph);
  const diagnostics: Diagnostic[] = [];
  const jobs = new Map<string, ResolvedJob>();
  for (const spec of [...declared.jobs, ...besideAssets.jobs]) {
    if (jobs.has(spec.name)) {
      diagnostics.push(diagnostic("error", "job_duplicate", `a second job named "${spec.name}" (the first is kept)`, spec.declaredIn));
      continue;
    }
    jobs.set(spec.name, resolveJob(graph, spec, diagnostics));
  }
  const names = new Set<string>();
  const schedules: ResolvedSchedule[] = [];
  for (const spec of [...declared.schedules, ...besideAssets.schedules]) {
    if (names.has(spec.name)) {
      diagnostics.push(diagnostic("error", "schedule_duplicate", `a second schedule named "${spec.name}" (the first is kept)`, spec.declaredIn));
      continue;
    }
    names.add(spec.name);
    schedules.push(resolveSchedule(spec, jobs, diagnostics));
  }
  const resolved = { jobs, schedules, diagnostics };
  if (!byDeclared) {
    byDeclared = new WeakMap();
    cache.set(graph, byDeclared);
  }
  byDeclared.set(declared, resolved);
  return resolved;
}
