/**
 * Jobs and schedules (tributary.yaml `jobs:` / `schedules:`): `Query.jobs`, `job`, `schedules`, `schedule`
 * — each job's selection resolved over the request's graph, each schedule's next ticks, latest tick and its
 * run — and the operator's `launchJob`, `startSchedule`, `stopSchedule`.
 */
import cronstrue from "cronstrue";
import type { CatalogGraph } from "../../catalog/graph/index.ts";
import type { JobsAndSchedules, ScheduleStatus } from "../../catalog/model/index.ts";
import { NO_JOBS_OR_SCHEDULES } from "../../catalog/model/index.ts";
import type { ScheduleStateRecord, ScheduleTickRecord } from "../../catalog/store/index.ts";
import type { ResolvedJob, ResolvedJobsAndSchedules, ResolvedSchedule } from "../../scheduler/schedules/index.ts";
import { resolveJobsAndSchedules, upcomingTicks, where } from "../../scheduler/schedules/index.ts";
import type { GraphQLContext } from "./context.ts";
import { requireGraph } from "./context.ts";
import { badUserInput, launchUnavailable, notSupported, scheduleNotFound } from "./errors.ts";
import type { SchemaModule } from "./module.ts";
import { launchResult } from "./runs.ts";

const MAX_NEXT_TICKS = 50;
const MAX_TICKS = 200;

const typeDefs = /* GraphQL */ `
  extend type Query {
    "Every job declared in tributary.yaml, in file order, with the assets its selection picks in the catalog served now."
    jobs: [Job!]!
    job(name: String!): Job
    "Every schedule declared in tributary.yaml, in file order, with its next ticks and its latest."
    schedules: [Schedule!]!
    schedule(name: String!): Schedule
  }

  extend type Mutation {
    "Launches a job's assets now: one run, steps in dependency order (needs the operator role)."
    launchJob(name: String!): LaunchRunResult!
    "Starts a schedule: it fires from its next tick on (the ticks while it was stopped are not caught up). Operator role."
    startSchedule(name: String!): Schedule!
    "Stops a schedule until it is started again. Operator role."
    stopSchedule(name: String!): Schedule!
  }

  "A named selection of assets (dbt's selection syntax, and key:<glob> for any asset), run together."
  type Job {
    name: String!
    description: String
    "dbt --select arguments, as declared."
    select: [String!]!
    "dbt --exclude arguments, as declared."
    exclude: [String!]!
    "The selected assets' keys, sorted (empty when the selection is invalid)."
    assetKeys: [String!]!
    assetCount: Int!
    "Why the job cannot run (its selection is invalid or matches nothing); null when it can."
    error: String
    "Where it is declared: file:line."
    declaredIn: String!
    "The schedules that run it."
    schedules: [Schedule!]!
  }

  enum ScheduleStatus {
    RUNNING
    STOPPED
  }

  "What a schedule does with the ticks that passed while no daemon ran."
  enum ScheduleCatchUp {
    "Runs the latest of them once."
    LATEST
    "Runs none of them."
    NONE
  }

  "A cron (with its time zone) on a job: each tick launches one run of the job, once."
  type Schedule {
    name: String!
    description: String
    jobName: String!
    "The job; null when no job has that name (see errors)."
    job: Job
    cron: String!
    "The cron in words: At 06:00, Monday through Friday."
    cronDescription: String!
    timezone: String!
    catchUp: ScheduleCatchUp!
    "RUNNING or STOPPED now: a person's start or stop, else the declared default."
    status: ScheduleStatus!
    defaultStatus: ScheduleStatus!
    "Who last started or stopped it, and when; null when nobody has."
    statusChangedBy: String
    statusChangedAt: DateTime
    "Why it cannot fire (bad cron or time zone, unknown job, a selection matching nothing); empty when it can."
    errors: [String!]!
    "Where it is declared: file:line."
    declaredIn: String!
    "Its next ticks from now (count: 5 by default, at most 50); empty when it cannot fire."
    nextTicks(count: Int): [DateTime!]!
    "The newest tick it fired (or skipped), with its run."
    latestTick: ScheduleTick
    "Its ticks, newest first (first: 20 by default, at most 200)."
    ticks(first: Int): [ScheduleTick!]!
  }

  enum ScheduleTickStatus {
    "A run was created."
    LAUNCHED
    "Nothing was run (reason says why: nothing to launch, or missed with catch_up: none)."
    SKIPPED
    "The run could not be created."
    FAILED
  }

  "One tick a schedule claimed."
  type ScheduleTick {
    "The cron tick."
    tickAt: DateTime!
    status: ScheduleTickStatus!
    "The run it launched."
    run: Run
    runId: ID
    reason: String
    "Earlier ticks that passed while no daemon ran and were not run (catch-up runs only the latest)."
    missed: Int!
    "The scheduler process that claimed it."
    claimedBy: String!
    claimedAt: DateTime!
  }
`;

/** A schedule as the resolvers pass it on. */
interface ScheduleView {
  readonly resolved: ResolvedSchedule;
  readonly all: ResolvedJobsAndSchedules;
  readonly state: ScheduleStateRecord | null;
}

interface JobView {
  readonly resolved: ResolvedJob;
  readonly all: ResolvedJobsAndSchedules;
}

function declaredOf(context: GraphQLContext): JobsAndSchedules {
  return context.catalog?.jobsAndSchedules ?? NO_JOBS_OR_SCHEDULES;
}

function resolvedOf(context: GraphQLContext): { graph: CatalogGraph; all: ResolvedJobsAndSchedules } {
  const graph = requireGraph(context);
  return { graph, all: resolveJobsAndSchedules(graph, declaredOf(context)) };
}

async function statesOf(context: GraphQLContext): Promise<ReadonlyMap<string, ScheduleStateRecord>> {
  return (await context.catalog?.schedules?.states()) ?? new Map();
}

function statusOf(view: ScheduleView): ScheduleStatus {
  return view.state?.status ?? view.resolved.spec.defaultStatus;
}

/** The cron in words (cronstrue, 24-hour clock); the expression itself when it cannot be read. */
export function describeScheduleCron(cron: string): string {
  try {
    return cronstrue.toString(cron, { use24HourTimeFormat: true, verbose: false });
  } catch {
    return `cron ${cron}`;
  }
}

function findSchedule(all: ResolvedJobsAndSchedules, name: string): ResolvedSchedule | null {
  return all.schedules.find((s) => s.spec.name === name) ?? null;
}

function checkCount(value: number | null | undefined, fallback: number, max: number, name: string): number {
  const count = value ?? fallback;
  if (!Number.isInteger(count) || count < 0 || count > max) throw badUserInput(`${name} must be between 0 and ${max} (got ${count})`, name);
  return count;
}

async function setStatus(context: GraphQLContext, name: string, status: ScheduleStatus): Promise<ScheduleView> {
  const { all } = resolvedOf(context);
  const resolved = findSchedule(all, name);
  if (!resolved) throw scheduleNotFound("schedule", name);
  const store = context.catalog?.schedules;
  if (!store) throw notSupported("This server keeps no schedule state: it has no store (tributary check, or a server started without one).");
  const state = await store.setStatus(name, status, context.caller.name);
  return { resolved, all, state };
}

const tickStatus = (tick: ScheduleTickRecord) => tick.status.toUpperCase();

export const schedulesModule: SchemaModule = {
  typeDefs,
  resolvers: {
    Query: {
      jobs: (_root: unknown, _args: unknown, context: GraphQLContext): JobView[] => {
        const { all } = resolvedOf(context);
        return [...all.jobs.values()].map((resolved) => ({ resolved, all }));
      },
      job: (_root: unknown, args: { name: string }, context: GraphQLContext): JobView | null => {
        const { all } = resolvedOf(context);
        const resolved = all.jobs.get(args.name);
        return resolved ? { resolved, all } : null;
      },
      schedules: async (_root: unknown, _args: unknown, context: GraphQLContext): Promise<ScheduleView[]> => {
        const { all } = resolvedOf(context);
        const states = await statesOf(context);
        return all.schedules.map((resolved) => ({ resolved, all, state: states.get(resolved.spec.name) ?? null }));
      },
      schedule: async (_root: unknown, args: { name: string }, context: GraphQLContext): Promise<ScheduleView | null> => {
        const { all } = resolvedOf(context);
        const resolved = findSchedule(all, args.name);
        if (!resolved) return null;
        return { resolved, all, state: (await statesOf(context)).get(resolved.spec.name) ?? null };
      },
    },
    Mutation: {
      launchJob: async (_root: unknown, args: { name: string }, context: GraphQLContext) => {
        const { all } = resolvedOf(context);
        const job = all.jobs.get(args.name);
        if (!job) throw scheduleNotFound("job", args.name);
        if (job.error !== null) throw badUserInput(`Job "${args.name}" cannot run: ${job.error}`, "name");
        const launch = context.catalog?.runs?.launch;
        if (!launch) throw launchUnavailable(context.catalog?.runs?.launchUnavailable ?? "This server cannot launch runs.");
        return launchResult(await launch.call(context.catalog!.runs, job.assetIds, { kind: "manual", user: context.caller.name }));
      },
      startSchedule: (_root: unknown, args: { name: string }, context: GraphQLContext) => setStatus(context, args.name, "running"),
      stopSchedule: (_root: unknown, args: { name: string }, context: GraphQLContext) => setStatus(context, args.name, "stopped"),
    },
    Job: {
      name: (job: JobView) => job.resolved.spec.name,
      description: (job: JobView) => job.resolved.spec.description,
      select: (job: JobView) => job.resolved.spec.select,
      exclude: (job: JobView) => job.resolved.spec.exclude,
      assetKeys: (job: JobView) => job.resolved.assetIds,
      assetCount: (job: JobView) => job.resolved.assetIds.length,
      error: (job: JobView) => job.resolved.error,
      declaredIn: (job: JobView) => where(job.resolved.spec.declaredIn),
      schedules: async (job: JobView, _args: unknown, context: GraphQLContext): Promise<ScheduleView[]> => {
        const states = await statesOf(context);
        return job.all.schedules.filter((s) => s.spec.job === job.resolved.spec.name).map((resolved) => ({ resolved, all: job.all, state: states.get(resolved.spec.name) ?? null }));
      },
    },
    ScheduleStatus: { RUNNING: "running", STOPPED: "stopped" },
    ScheduleCatchUp: { LATEST: "latest", NONE: "none" },
    Schedule: {
      name: (s: ScheduleView) => s.resolved.spec.name,
      description: (s: ScheduleView) => s.resolved.spec.description,
      jobName: (s: ScheduleView) => s.resolved.spec.job,
      job: (s: ScheduleView): JobView | null => {
        const resolved = s.all.jobs.get(s.resolved.spec.job);
        return resolved ? { resolved, all: s.all } : null;
      },
      cron: (s: ScheduleView) => s.resolved.spec.cron,
      cronDescription: (s: ScheduleView) => describeScheduleCron(s.resolved.spec.cron),
      timezone: (s: ScheduleView) => s.resolved.spec.timezone,
      catchUp: (s: ScheduleView) => s.resolved.spec.catchUp,
      status: (s: ScheduleView) => statusOf(s),
      defaultStatus: (s: ScheduleView) => s.resolved.spec.defaultStatus,
      statusChangedBy: (s: ScheduleView) => (s.state?.status ? s.state.updatedBy : null),
      statusChangedAt: (s: ScheduleView) => (s.state?.status ? s.state.updatedAt : null),
      errors: (s: ScheduleView) => s.resolved.errors,
      declaredIn: (s: ScheduleView) => where(s.resolved.spec.declaredIn),
      nextTicks: (s: ScheduleView, args: { count?: number | null }) => {
        const count = checkCount(args.count, 5, MAX_NEXT_TICKS, "count");
        if (s.resolved.errors.length > 0) return [];
        return upcomingTicks(s.resolved.spec, new Date(), count).map((d) => d.toISOString());
      },
      latestTick: async (s: ScheduleView, _args: unknown, context: GraphQLContext): Promise<ScheduleTickRecord | null> => {
        const ticks = await context.catalog?.schedules?.ticks(s.resolved.spec.name, 1);
        return ticks?.[0] ?? null;
      },
      ticks: async (s: ScheduleView, args: { first?: number | null }, context: GraphQLContext): Promise<ScheduleTickRecord[]> => {
        const first = checkCount(args.first, 20, MAX_TICKS, "first");
        if (first === 0) return [];
        return (await context.catalog?.schedules?.ticks(s.resolved.spec.name, first)) ?? [];
      },
    },
    ScheduleTick: {
      status: tickStatus,
      run: async (tick: ScheduleTickRecord, _args: unknown, context: GraphQLContext) => (tick.runId ? ((await context.catalog?.runs?.get(tick.runId)) ?? null) : null),
    },
  },
};
