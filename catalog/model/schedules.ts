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
