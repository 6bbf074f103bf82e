/**
 * Jobs and schedules, as declared (tributary.yaml `jobs:` / `schedules:`). Pure types; the scheduler resolves a
 * job's selection over the graph and fires its schedules (scheduler/schedules), the store claims each tick.
 *
 * Glossary
 * - job: a named selection of assets — dbt's selection syntax (`tag:daily`, `+orders`, `path:models/marts`)
 *   and `key:<glob>` for any asset — materialized together as one run.
 * - schedule: a cron (with a time zone) on a job. Each tick launches one run of the job, once, whatever the
 *   number of daemons; a tick missed while no daemon ran is run once afterwards (catch_up: latest) or not at
 *   all (catch_up: none).
 */
import { describeYamlValue, isPlainObject } from "./condition.ts";
import type { SourceLocation } from "./index.ts";

export interface JobSpec {
  readonly name: string;
  readonly description: string | null;
  /** dbt `--select` arguments (each split on spaces: a union; commas: an intersection). */
  readonly select: readonly string[];
  /** dbt `--exclude` arguments. */
  readonly exclude: readonly string[];
  readonly declaredIn: SourceLocation;
}

/** What a schedule does with the ticks that passed while no daemon ran: run the latest once, or none. */
export type ScheduleCatchUp = "latest" | "none";

/** Whether a schedule runs until a person stops it (running) or waits for a person to start it (stopped). */
export type ScheduleStatus = "running" | "stopped";

export interface ScheduleSpec {
  readonly name: string;
  /** The job's name. */
  readonly job: string;
  /** Five cron fields (or @daily, @hourly…). */
  readonly cron: string;
  /** An IANA time zone; default UTC. */
  readonly timezone: string;
  readonly catchUp: ScheduleCatchUp;
  /** Its status until a person starts or stops it (the stored status wins afterwards). */
  readonly defaultStatus: ScheduleStatus;
  readonly description: string | null;
  readonly declaredIn: SourceLocation;
}

/** Every job and schedule declared, with where. */
export interface JobsAndSchedules {
  readonly jobs: readonly JobSpec[];
  readonly schedules: readonly ScheduleSpec[];
}

export const NO_JOBS_OR_SCHEDULES: JobsAndSchedules = { jobs: [], schedules: [] };

/**
 * A schedule declared beside a dbt model, under `meta.tributary.schedule` in its YAML: a cron on a job of its own,
 * whose selection is the model (`select` may widen it, e.g. `+orders` for the model and everything upstream).
 * It joins the schedules of tributary.yaml, checked and fired the same way.
 */
export interface AssetScheduleSpec {
  readonly job: JobSpec;
  /** `job` is the job above (same name as the schedule). */
  readonly schedule: ScheduleSpec;
}

const ASSET_SCHEDULE_KEYS = ["name", "cron", "timezone", "select", "exclude", "catch_up", "default_status", "description"] as const;

/** What {@link parseAssetSchedules} found: the schedules, and what is wrong (each with the field at fault). */
export interface AssetSchedulesParseResult {
  readonly schedules: readonly AssetScheduleSpec[];
  readonly errors: readonly { readonly field: string; readonly message: string }[];
}

/**
 * Reads `meta.tributary.schedule`: a cron string (UTC), a mapping ({cron, timezone, name, select, exclude,
 * catch_up, default_status, description}), or a list of those. `modelName` names the schedule (a list's
 * unnamed entries get `_2`, `_3`…) and is the default selection. Cron and time zone are checked where every
 * schedule is (scheduler/schedules/resolve.ts), so their errors carry the same file:line.
 */
export function parseAssetSchedules(value: unknown, modelName: string, declaredIn: SourceLocation): AssetSchedulesParseResult {
  const entries = Array.isArray(value) ? value : [value];
  const schedules: AssetScheduleSpec[] = [];
  const errors: { field: string; message: string }[] = [];
  entries.forEach((entry, index) => {
    const field = (name: string) => (Array.isArray(value) ? `[${index}]${name ? `.${name}` : ""}` : name);
    const at: SourceLocation = { ...declaredIn, path: `${declaredIn.path ?? "meta.tributary.schedule"}${Array.isArray(value) ? `[${index}]` : ""}` };
    const spec = typeof entry === "string" ? { cron: entry } : entry;
    if (!isPlainObject(spec)) {
      errors.push({ field: field(""), message: `must be a cron string or a mapping like {cron: "0 6 * * *", timezone: Europe/Copenhagen}, got ${describeYamlValue(entry)}` });
      return;
    }
    const before = errors.length;
    for (const key of Object.keys(spec)) {
      if (!(ASSET_SCHEDULE_KEYS as readonly string[]).includes(key)) errors.push({ field: field(key), message: `unknown key; expected one of ${ASSET_SCHEDULE_KEYS.join(", ")}` });
    }
    const text = (key: string, fallback: string | null): string | null => {
      const raw = spec[key];
      if (raw === undefined || raw === null) return fallback;
      if (typeof raw === "string" && raw.trim() !== "") return raw.trim();
      errors.push({ field: field(key), message: `must be a non-empty string, got ${describeYamlValue(raw)}` });
      return fallback;
    };
    const texts = (key: string): string[] => {
      const raw = spec[key];
      if (raw === undefined || raw === null) return [];
      const list = Array.isArray(raw) ? raw : [raw];
      if (list.every((item) => typeof item === "string" && item.trim() !== "")) return list.map((item) => (item as string).trim());
      errors.push({ field: field(key), message: `must be a selection string or a list of them, got ${describeYamlValue(raw)}` });
      return [];
    };
    const cron = text("cron", null);
    if (cron === null && spec["cron"] === undefined) errors.push({ field: field("cron"), message: 'is required (five cron fields such as "0 6 * * *", or @daily)' });
    const catchUp = text("catch_up", "latest");
    if (catchUp !== "latest" && catchUp !== "none") errors.push({ field: field("catch_up"), message: `must be latest or none, got ${describeYamlValue(spec["catch_up"])}` });
    const defaultStatus = text("default_status", "running");
    if (defaultStatus !== "running" && defaultStatus !== "stopped") errors.push({ field: field("default_status"), message: `must be running or stopped, got ${describeYamlValue(spec["default_status"])}` });
    const name = text("name", entries.length > 1 && index > 0 ? `${modelName}_${index + 1}` : modelName)!;
    const select = texts("select");
    const exclude = texts("exclude");
    if (errors.length > before || cron === null) return;
    const description = text("description", null);
    schedules.push({
      job: { name, description, select: select.length > 0 ? select : [modelName], exclude, declaredIn: at },
      schedule: { name, job: name, cron, timezone: text("timezone", "UTC")!, catchUp: catchUp as ScheduleCatchUp, defaultStatus: defaultStatus as ScheduleStatus, description, declaredIn: at },
    });
  });
  return { schedules, errors };
}
