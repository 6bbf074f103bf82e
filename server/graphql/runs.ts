/**
 * Runs in the API: `Query.runs` (filters, cursor pagination), `Query.run`, the `Run` type with its steps, logs,
 * materializations and check results; `Asset.latestMaterialization`, `Asset.runs`, `Asset.checkResults` and
 * `Check.latestResult`; the mutations `launchRun`, `reexecuteRun` and `cancelRun`; and
 * `Subscription.runUpdates`, streamed over SSE (POST or GET /graphql with `Accept: text/event-stream`).
 *
 * Everything goes through the {@link RunsSource} on the context (`context.catalog.runs`). Without one (no
 * store) the lists are empty, `run` is RUN_NOT_FOUND, and the mutations are LAUNCH_UNAVAILABLE.
 */
import { Buffer } from "node:buffer";
import { Repeater } from "graphql-yoga";
import type { CatalogAsset, CatalogGraph } from "../../catalog/graph/index.ts";
import type { AssetEvent, CheckSpec, CheckResult, LaunchedBy, RunStatus } from "../../catalog/model/index.ts";
import { keyFromString, keyToString, TERMINAL_RUN_STATUSES } from "../../catalog/model/index.ts";
import type { RunLogLine, RunRecord, RunStep } from "../../catalog/store/index.ts";
import { assetIdFromKey, findAsset } from "./assets.ts";
import { requireGraph, type GraphQLContext, type LaunchOutcome, type RunsSource } from "./context.ts";
import { badUserInput, launchUnavailable, runNotFound } from "./errors.ts";
import type { SchemaModule } from "./module.ts";

/** Largest `first` of Query.runs and Asset.runs (the store's page is at most 500; one more is read to see if there is a next page). */
export const MAX_RUNS_FIRST = 200;
/** Most assets one launchRun may name. */
export const MAX_LAUNCH_ASSETS = 5000;
/** Longest idempotency key accepted. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;
/** Default and largest `first` of Run.logs. */
export const DEFAULT_RUN_LOGS = 1000;
export const MAX_RUN_LOGS = 10_000;
/** Largest `first` of Asset.checkResults. */
export const MAX_CHECK_RESULTS = 500;
/**
 * How often a runUpdates subscription looks at the store when nothing in this process said the run changed: a
 * step run by another process's worker (several `tributary serve` on one Postgres) is only seen this way.
 */
export const RUN_UPDATES_POLL_MS = 1000;
/** Log lines one runUpdates event carries at most; a longer backlog comes in several events. */
const LOGS_PER_UPDATE = 1000;

const typeDefs = /* GraphQL */ `
  extend type Query {
    """
    Runs, newest first. status: any of these (all when omitted); assetKey: runs that targeted the asset (an
    alias finds the asset's runs; a key not in the catalog still finds the runs of an asset since removed).
    first: 20 when omitted, at most 200.
    """
    runs(status: [RunStatus!], assetKey: String, first: Int = 20, after: String): RunConnection!
    "One run by id. Null, with a RUN_NOT_FOUND error, when no run has that id."
    run(id: ID!): Run
  }

  extend type Mutation {
    """
    Launches one run materializing these assets now; its steps run in dependency order (a sync before the
    build that reads it). Assets that cannot be launched (nothing builds them, their location has no launcher)
    are returned in unlaunchable, and the others run; run is null when none can. An unknown key is
    ASSET_NOT_FOUND; an empty list or more than 5000 keys is BAD_USER_INPUT. With an idempotencyKey, launching
    again with the same key returns the run the first call made instead of a second one. LAUNCH_UNAVAILABLE
    when this server cannot launch runs.
    """
    launchRun(assetKeys: [String!]!, idempotencyKey: String): LaunchRunResult!
    """
    Launches a new run of what an ended run targeted: all of it, or with onlyFailed what failed or was skipped
    (a dbt model that errored and its children dbt skipped, a step that never ran). RUN_NOT_FOUND for an
    unknown id; BAD_USER_INPUT for a run still in progress, or onlyFailed on a run that succeeded.
    """
    reexecuteRun(id: ID!, onlyFailed: Boolean = false): LaunchRunResult!
    """
    Cancels a run: its pending steps at once, its running step when the worker next checks in (a few seconds).
    Returns the run (unchanged when it had already ended). RUN_NOT_FOUND for an unknown id.
    """
    cancelRun(id: ID!): Run
  }

  type Subscription {
    """
    A run as it goes: an update at once, then one whenever its status or steps change or log lines arrive (each
    carrying the log lines since the previous update), until the run has ended. afterLogId: send only log
    lines after this id (to resume a stream). Over SSE: POST /graphql with Accept: text/event-stream.
    """
    runUpdates(id: ID!, afterLogId: Int): RunUpdate!
  }

  extend type Asset {
    "The newest materialization of the asset (under its key or an alias); null when it was never materialized."
    latestMaterialization: Materialization
    "Runs that targeted the asset, newest first (10 when omitted, at most 200)."
    runs(first: Int = 10): [Run!]!
    "Results of the asset's checks (of one check with checkName), newest first (20 when omitted, at most 500)."
    checkResults(checkName: String, first: Int = 20): [CheckResult!]!
  }

  extend type Check {
    "The check's newest result; null when it never ran."
    latestResult: CheckResult
  }

  enum RunStatus {
    QUEUED
    RUNNING
    SUCCEEDED
    FAILED
    CANCELED
  }

  enum StepStatus {
    PENDING
    RUNNING
    SUCCEEDED
    FAILED
    "Not run because an earlier step failed."
    SKIPPED
    CANCELED
  }

  enum LaunchKind {
    "A policy (automation condition) requested it at a tick of the scheduler."
    POLICY
    "Someone launched it (launchRun, tributary materialize)."
    MANUAL
    "Someone re-executed an earlier run (reexecuteRun)."
    REEXECUTION
    "The scheduler retried a failed run of a policy."
    RETRY
    "A schedule's cron tick ran its job (tributary.yaml schedules)."
    SCHEDULE
  }

  enum RunLogLevel {
    DEBUG
    INFO
    WARN
    ERROR
  }

  enum CheckOutcome {
    PASS
    WARN
    FAIL
    ERROR
    SKIPPED
  }

  "A page of runs."
  type RunConnection {
    "Number of runs matching the filters, over all pages."
    totalCount: Int!
    nodes: [Run!]!
    edges: [RunEdge!]!
    pageInfo: PageInfo!
  }

  type RunEdge {
    cursor: String!
    node: Run!
  }

  "One request to materialize a set of assets, executed as steps in dependency order."
  type Run {
    id: ID!
    status: RunStatus!
    launchedBy: LaunchedBy!
    "Every asset the run targets."
    assetKeys: [String!]!
    steps: [RunStep!]!
    "Log lines after the line with id after (from the start when omitted), oldest first; first: 1000 when omitted, at most 10000."
    logs(after: Int, first: Int): [RunLogLine!]!
    "The materializations (and failed attempts) the run recorded, oldest first."
    materializations: [Materialization!]!
    "The results of the checks (dbt tests) the run executed, oldest first."
    checkResults: [CheckResult!]!
    createdAt: DateTime!
    startedAt: DateTime
    endedAt: DateTime
    "From start to end; while it runs, so far. Null before it starts."
    durationMs: Float
    "How it ended, in one sentence (the failing step's message); null while it runs."
    message: String
    "1 for a first attempt; 2… for the scheduler's retries of a failed run."
    attempt: Int!
    "The run this one retries or re-executes."
    parentRunId: ID
    "True once a cancel was asked; the run ends as CANCELED when its running step stops."
    cancelRequested: Boolean!
  }

  "Who or what asked for a run."
  type LaunchedBy {
    kind: LaunchKind!
    "The scheduler's tick (evaluation id), for POLICY."
    tick: Int
    "Who launched it, for MANUAL, when known."
    user: String
    "The run re-executed (REEXECUTION) or first attempted (RETRY)."
    parentRunId: ID
    "For RETRY: the attempt this run is (2 for the first retry)."
    attempt: Int
    "For REEXECUTION: whether only what failed was re-executed."
    onlyFailed: Boolean
    "For SCHEDULE: the schedule whose tick launched it."
    schedule: String
    "For SCHEDULE: the job it ran."
    job: String
    "For SCHEDULE: the cron tick it ran for."
    tickAt: DateTime
    "One sentence: policy tick 42, manual launch by ada, retry 1 of run 1a2b3c4d (attempt 2)."
    description: String!
  }

  "The part of a run one tool executes: one dbt build of a project, one Fivetran connector's sync, one Census sync."
  type RunStep {
    "0-based position in the run."
    index: Int!
    "dbt, fivetran or census."
    tool: String!
    "The location whose launcher runs it."
    location: String!
    assetKeys: [String!]!
    status: StepStatus!
    "How it ended, in one sentence."
    message: String
    "Targets that failed (re-executing only what failed runs these)."
    failedKeys: [String!]!
    "Targets not attempted because something upstream of them failed."
    skippedKeys: [String!]!
    "The tool's id of the work (dbt invocation id, Census sync run id), when known."
    toolRunId: String
    "A link to the work in the tool, when there is one."
    url: String
    startedAt: DateTime
    endedAt: DateTime
    "From start to end; while it runs, so far. Null before it starts."
    durationMs: Float
    "Workers that took the step (more than 1 when a worker stopped and another took over)."
    attempts: Int!
    "The worker that took it last (host:pid:…)."
    worker: String
  }

  "One line of a run's log, as the tool's launcher reported it."
  type RunLogLine {
    "Increasing within a run: pass the last one seen as Run.logs(after:) or runUpdates(afterLogId:)."
    id: Int!
    at: DateTime!
    level: RunLogLevel!
    message: String!
    "The asset the line is about, when it is about one."
    assetKey: String
    "The step that logged it; null for the run's own lines."
    stepIndex: Int
    "Structured facts (dbt's node status, timings…)."
    data: JSON
  }

  "One result of a check (a dbt test)."
  type CheckResult {
    checkName: String!
    "The asset the check is attached to."
    assetKey: String!
    outcome: CheckOutcome!
    "Rows that failed the test, when known."
    failures: Float
    "The Tributary run that executed it; null when it ran elsewhere."
    runId: ID
    "The tool's id of its run (dbt invocation id)."
    toolRunId: String
    occurredAt: DateTime!
    "What the tool said: message, the compiled SQL's path, timing."
    metadata: JSON!
  }

  "What a launch made."
  type LaunchRunResult {
    "The run; null when none of the assets could be launched."
    run: Run
    "Requested assets left out of the run, with why."
    unlaunchable: [Unlaunchable!]!
  }

  type Unlaunchable {
    assetKey: String!
    reason: String!
  }

  "A run's state, with the log lines that arrived since the previous update."
  type RunUpdate {
    run: Run!
    "Log lines since the previous update (the first update: since afterLogId, or from the start), oldest first."
    logs: [RunLogLine!]!
  }
`;

// A prefix inside the encoded text tells a run cursor from an asset cursor or random base64.
const RUN_CURSOR_PREFIX = "run:";

/** The opaque cursor of a run's position (newest first): base64url of its precise creation time and id. */
export function encodeRunCursor(run: Pick<RunRecord, "createdAtPrecise" | "id">): string {
  return Buffer.from(RUN_CURSOR_PREFIX + JSON.stringify([run.createdAtPrecise, run.id]), "utf8").toString("base64url");
}

/** The position a run cursor stands for; BAD_USER_INPUT when the text is not a cursor this API made. */
export function decodeRunCursor(cursor: string, argumentName = "after"): { createdAt: string; id: string } {
  const invalid = () => badUserInput(`"${cursor}" is not a valid cursor of runs`, argumentName);
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  if (!text.startsWith(RUN_CURSOR_PREFIX)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.slice(RUN_CURSOR_PREFIX.length));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw invalid();
  const [createdAt, id] = parsed as unknown[];
  if (typeof createdAt !== "string" || typeof id !== "string" || Number.isNaN(Date.parse(createdAt))) throw invalid();
  // Node decodes any string leniently, so re-encoding is the test that this is a cursor we issued.
  if (encodeRunCursor({ createdAtPrecise: createdAt, id }) !== cursor) throw invalid();
  return { createdAt, id };
}

/** The first 8 characters of a run id: enough to tell runs apart in a sentence or a table. */
export function shortRunId(id: string): string {
  return id.slice(0, 8);
}

/** A sentence saying who or what asked for a run. */
export function describeLaunchedBy(launchedBy: LaunchedBy): string {
  switch (launchedBy.kind) {
    case "policy":
      return `policy tick ${launchedBy.tick}`;
    case "manual":
      return launchedBy.user ? `manual launch by ${launchedBy.user}` : "manual launch";
    case "reexecution":
      return `re-execution of run ${shortRunId(launchedBy.parentRunId)}${launchedBy.onlyFailed ? " (only what failed)" : ""}`;
    case "retry":
      return `retry ${launchedBy.attempt - 1} of run ${shortRunId(launchedBy.parentRunId)} (attempt ${launchedBy.attempt})`;
    case "schedule":
      return `schedule ${launchedBy.schedule} (job ${launchedBy.job}), tick ${launchedBy.tickAt.slice(0, 16).replace("T", " ")} UTC`;
    case "backfill":
      return `${launchedBy.partitionKey === "" ? "unpartitioned upstream" : `partition ${launchedBy.partitionKey}`} of backfill ${shortRunId(launchedBy.backfillId)}${launchedBy.user ? ` by ${launchedBy.user}` : ""}`;
  }
}

function durationMs(startedAt: string | null, endedAt: string | null): number | null {
  if (startedAt === null) return null;
  return Math.max(0, (endedAt === null ? Date.now() : Date.parse(endedAt)) - Date.parse(startedAt));
}

function checkFirst(first: number | null | undefined, fallback: number, max: number, argumentName = "first"): number {
  const value = first ?? fallback;
  if (!Number.isInteger(value) || value < 0 || value > max) throw badUserInput(`${argumentName} must be between 0 and ${max} (got ${value})`, argumentName);
  return value;
}

const isTerminal = (status: RunStatus): boolean => TERMINAL_RUN_STATUSES.includes(status);

/** The context's runs source, or null without a store. */
function runsOf(context: GraphQLContext): RunsSource | null {
  return context.catalog?.runs ?? null;
}

/** A run that exists, or RUN_NOT_FOUND. */
async function requireRun(context: GraphQLContext, id: string): Promise<{ source: RunsSource; run: RunRecord }> {
  const source = runsOf(context);
  const run = source ? await source.get(id) : null;
  if (!source || !run) throw runNotFound(id);
  return { source, run };
}

/** The source's launch operations, or LAUNCH_UNAVAILABLE with the reason. */
function requireLauncher(context: GraphQLContext): Required<Pick<RunsSource, "launch" | "reexecute" | "cancel">> {
  const source = runsOf(context);
  if (!source) throw launchUnavailable("This server cannot launch runs: it has no store to keep them in (tributary check, or a server started without one).");
  if (!source.launch || !source.reexecute || !source.cancel) throw launchUnavailable(source.launchUnavailable ?? "This server cannot launch runs.");
  return { launch: source.launch.bind(source), reexecute: source.reexecute.bind(source), cancel: source.cancel.bind(source) };
}

/** The key strings an asset is known by: its key, then its aliases. */
function idsOf(asset: CatalogAsset): string[] {
  return [asset.id, ...asset.aliasIds];
}

/** The ids a check's asset is known by (the check's own key when the asset left the catalog). */
function checkAssetIds(check: CheckSpec, graph: CatalogGraph | null): string[] {
  const key = keyToString(check.assetKey);
  const asset = graph?.get(key);
  return asset ? idsOf(asset) : [key];
}

// The latest results per asset, read once per request however many checks ask (an asset page lists them all).
const latestResultsByRequest = new WeakMap<GraphQLContext, Map<string, Promise<CheckResult[]>>>();

function latestResults(context: GraphQLContext, source: RunsSource, assetId: string): Promise<CheckResult[]> {
  let cache = latestResultsByRequest.get(context);
  if (!cache) {
    cache = new Map();
    latestResultsByRequest.set(context, cache);
  }
  let results = cache.get(assetId);
  if (!results) {
    results = source.latestCheckResults(assetId);
    cache.set(assetId, results);
  }
  return results;
}

const newestFirst = (a: { occurredAt: string; id: number }, b: { occurredAt: string; id: number }) =>
  Date.parse(b.occurredAt) - Date.parse(a.occurredAt) || b.id - a.id;

/** A launch's outcome as the LaunchRunResult type (runs and jobs). */
export function launchResult(outcome: LaunchOutcome) {
  return { run: outcome.run, unlaunchable: outcome.unlaunchable.map((u) => ({ assetKey: u.assetId, reason: u.reason })) };
}

interface RunsArguments {
  readonly status?: readonly RunStatus[] | null;
  readonly assetKey?: string | null;
  readonly first?: number | null;
  readonly after?: string | null;
}

interface RunPage {
  /** Counted only when asked for (a count of a large history is not free). */
  readonly totalCount: () => Promise<number>;
  readonly runs: readonly RunRecord[];
  readonly hasNextPage: boolean;
}

interface RunUpdate {
  readonly run: RunRecord;
  readonly logs: readonly RunLogLine[];
}

/** What about a run an update reports; heartbeats alone are not news. */
function fingerprint(run: RunRecord): string {
  return JSON.stringify({ ...run, steps: run.steps.map((step) => ({ ...step, heartbeatAt: null })) });
}

/**
 * The stream of a run's updates: one at once, then one per change (told by `source.watch`, or seen by polling
 * every {@link RUN_UPDATES_POLL_MS}), ending after the update that shows the run ended with all its log lines.
 */
function runUpdates(source: RunsSource, runId: string, afterLogId: number): Repeater<RunUpdate> {
  return new Repeater<RunUpdate>(async (push, stop) => {
    let stopped = false;
    let changed: boolean;
    let wake: (() => void) | null = null;
    const unwatch = source.watch(runId, () => {
      changed = true;
      wake?.();
    });
    void stop.then(() => {
      stopped = true;
      wake?.();
    });
    let lastLogId = afterLogId;
    let lastSeen = "";
    try {
      while (!stopped) {
        changed = false;
        // The run before its logs: a launcher's lines are stored before its step ends, so when the run read
        // here has ended, the logs read next are all of them.
        const run = await source.get(runId);
        if (!run) break;
        const logs = await source.logs(runId, { afterId: lastLogId, limit: LOGS_PER_UPDATE });
        const seen = fingerprint(run);
        if (logs.length > 0 || seen !== lastSeen) {
          lastSeen = seen;
          lastLogId = logs.at(-1)?.id ?? lastLogId;
          await push({ run, logs });
        }
        if (logs.length === LOGS_PER_UPDATE) continue; // more lines are waiting
        if (isTerminal(run.status)) break;
        if (changed || stopped) continue;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, RUN_UPDATES_POLL_MS);
          timer.unref();
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = null;
      }
    } finally {
      unwatch();
      stop();
    }
  });
}

const resolvers = {
  Query: {
    runs: async (_root: unknown, args: RunsArguments, context: GraphQLContext): Promise<RunPage> => {
      const first = checkFirst(args.first, 20, MAX_RUNS_FIRST);
      const after = args.after == null ? null : decodeRunCursor(args.after);
      let assetId: string | null = null;
      if (args.assetKey != null) {
        const id = assetIdFromKey(args.assetKey, "assetKey");
        // An alias names the asset's runs (they are stored under its key); an unknown key its past runs.
        assetId = context.graph?.get(id)?.id ?? id;
      }
      const statuses = args.status && args.status.length > 0 ? args.status : null;
      const source = runsOf(context);
      if (!source) return { totalCount: async () => 0, runs: [], hasNextPage: false };
      const runs = first === 0 ? [] : await source.list({ statuses, assetId, first: first + 1, after });
      return { totalCount: () => source.count({ statuses, assetId }), runs: runs.slice(0, first), hasNextPage: runs.length > first };
    },
    run: async (_root: unknown, args: { id: string }, context: GraphQLContext): Promise<RunRecord> => (await requireRun(context, args.id)).run,
  },
  Mutation: {
    launchRun: async (_root: unknown, args: { assetKeys: readonly string[]; idempotencyKey?: string | null }, context: GraphQLContext) => {
      if (args.assetKeys.length === 0) throw badUserInput("assetKeys must name at least one asset", "assetKeys");
      if (args.assetKeys.length > MAX_LAUNCH_ASSETS) {
        throw badUserInput(`assetKeys may name at most ${MAX_LAUNCH_ASSETS} assets (got ${args.assetKeys.length})`, "assetKeys");
      }
      const key = args.idempotencyKey ?? null;
      if (key !== null && (key.trim() === "" || key.length > MAX_IDEMPOTENCY_KEY_LENGTH)) {
        throw badUserInput(`idempotencyKey must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters, not blank`, "idempotencyKey");
      }
      const graph = requireGraph(context);
      const assetIds = [...new Set(args.assetKeys.map((assetKey) => findAsset(graph, assetKey).id))];
      const { launch } = requireLauncher(context);
      // The client's key lives in its own namespace, so it can never name a run of the scheduler's.
      const outcome = await launch(assetIds, { kind: "manual", user: context.caller.name }, key === null ? {} : { idempotencyKey: `api:${key}` });
      return launchResult(outcome);
    },
    reexecuteRun: async (_root: unknown, args: { id: string; onlyFailed?: boolean | null }, context: GraphQLContext) => {
      const { run } = await requireRun(context, args.id);
      const { reexecute } = requireLauncher(context);
      if (!isTerminal(run.status)) {
        throw badUserInput(`Run ${run.id} is still ${run.status}; wait for it to end, or cancel it, before re-executing it`, "id");
      }
      const onlyFailed = args.onlyFailed ?? false;
      if (onlyFailed && run.status === "succeeded") throw badUserInput(`Run ${run.id} succeeded: nothing failed to re-execute`, "onlyFailed");
      return launchResult(await reexecute(run.id, onlyFailed));
    },
    cancelRun: async (_root: unknown, args: { id: string }, context: GraphQLContext) => {
      const { run } = await requireRun(context, args.id);
      const { cancel } = requireLauncher(context);
      return (await cancel(run.id)) ?? run;
    },
  },
  Subscription: {
    runUpdates: {
      subscribe: async (_root: unknown, args: { id: string; afterLogId?: number | null }, context: GraphQLContext) => {
        const { source, run } = await requireRun(context, args.id);
        return runUpdates(source, run.id, Math.max(0, args.afterLogId ?? 0));
      },
      resolve: (update: RunUpdate) => update,
    },
  },
  Asset: {
    latestMaterialization: async (asset: CatalogAsset, _args: unknown, context: GraphQLContext): Promise<AssetEvent | null> => {
      const reader = context.catalog?.events;
      if (!reader) return null;
      const lists = await Promise.all(idsOf(asset).map((id) => reader.assetEventHistory(keyFromString(id), { kinds: ["materialization"], limit: 1 })));
      return lists.flat().sort(newestFirst)[0] ?? null;
    },
    runs: async (asset: CatalogAsset, args: { first?: number | null }, context: GraphQLContext): Promise<RunRecord[]> => {
      const first = checkFirst(args.first, 10, MAX_RUNS_FIRST);
      const source = runsOf(context);
      return source && first > 0 ? source.list({ assetId: asset.id, first }) : [];
    },
    checkResults: async (asset: CatalogAsset, args: { checkName?: string | null; first?: number | null }, context: GraphQLContext): Promise<CheckResult[]> => {
      const first = checkFirst(args.first, 20, MAX_CHECK_RESULTS);
      const source = runsOf(context);
      if (!source || first === 0) return [];
      const lists = await Promise.all(idsOf(asset).map((id) => source.checkHistory(id, args.checkName ?? null, first)));
      return lists.flat().sort(newestFirst).slice(0, first);
    },
  },
  Check: {
    latestResult: async (check: CheckSpec, _args: unknown, context: GraphQLContext): Promise<CheckResult | null> => {
      const source = runsOf(context);
      if (!source) return null;
      const lists = await Promise.all(checkAssetIds(check, context.graph).map((id) => latestResults(context, source, id)));
      return lists.flat().filter((result) => result.checkName === check.name).sort(newestFirst)[0] ?? null;
    },
  },
  RunStatus: { QUEUED: "queued", RUNNING: "running", SUCCEEDED: "succeeded", FAILED: "failed", CANCELED: "canceled" },
  StepStatus: { PENDING: "pending", RUNNING: "running", SUCCEEDED: "succeeded", FAILED: "failed", SKIPPED: "skipped", CANCELED: "canceled" },
  LaunchKind: { POLICY: "policy", MANUAL: "manual", REEXECUTION: "reexecution", RETRY: "retry", SCHEDULE: "schedule" },
  RunLogLevel: { DEBUG: "debug", INFO: "info", WARN: "warn", ERROR: "error" },
  CheckOutcome: { PASS: "pass", WARN: "warn", FAIL: "fail", ERROR: "error", SKIPPED: "skipped" },
  RunConnection: {
    totalCount: (page: RunPage) => page.totalCount(),
    nodes: (page: RunPage) => page.runs,
    edges: (page: RunPage) => page.runs.map((run) => ({ cursor: encodeRunCursor(run), node: run })),
    pageInfo: (page: RunPage) => {
      const last = page.runs.at(-1);
      return { hasNextPage: page.hasNextPage, endCursor: last === undefined ? null : encodeRunCursor(last) };
    },
  },
  Run: {
    assetKeys: (run: RunRecord) => run.assetKeys.map(keyToString),
    logs: async (run: RunRecord, args: { after?: number | null; first?: number | null }, context: GraphQLContext) => {
      const first = checkFirst(args.first, DEFAULT_RUN_LOGS, MAX_RUN_LOGS);
      const source = runsOf(context);
      return source && first > 0 ? source.logs(run.id, { afterId: Math.max(0, args.after ?? 0), limit: first }) : [];
    },
    materializations: async (run: RunRecord, _args: unknown, context: GraphQLContext) => (await runsOf(context)?.materializations(run)) ?? [],
    checkResults: async (run: RunRecord, _args: unknown, context: GraphQLContext) => (await runsOf(context)?.checkResults(run)) ?? [],
    durationMs: (run: RunRecord) => durationMs(run.startedAt, run.endedAt),
  },
  LaunchedBy: {
    tick: (by: LaunchedBy) => (by.kind === "policy" ? by.tick : null),
    user: (by: LaunchedBy) => (by.kind === "manual" ? by.user : null),
    parentRunId: (by: LaunchedBy) => (by.kind === "reexecution" || by.kind === "retry" ? by.parentRunId : null),
    attempt: (by: LaunchedBy) => (by.kind === "retry" ? by.attempt : null),
    onlyFailed: (by: LaunchedBy) => (by.kind === "reexecution" ? by.onlyFailed : null),
    schedule: (by: LaunchedBy) => (by.kind === "schedule" ? by.schedule : null),
    job: (by: LaunchedBy) => (by.kind === "schedule" ? by.job : null),
    tickAt: (by: LaunchedBy) => (by.kind === "schedule" ? by.tickAt : null),
    description: (by: LaunchedBy) => describeLaunchedBy(by),
  },
  RunStep: {
    location: (step: RunStep) => step.locationName,
    assetKeys: (step: RunStep) => step.assetKeys.map(keyToString),
    failedKeys: (step: RunStep) => step.failedKeys.map(keyToString),
    skippedKeys: (step: RunStep) => step.skippedKeys.map(keyToString),
    durationMs: (step: RunStep) => durationMs(step.startedAt, step.endedAt),
    worker: (step: RunStep) => step.claimedBy,
  },
  RunLogLine: {
    assetKey: (line: RunLogLine) => (line.assetKey === null ? null : keyToString(line.assetKey)),
  },
  CheckResult: {
    assetKey: (result: CheckResult) => keyToString(result.assetKey),
  },
};

/** The runs module. */
export const runsModule: SchemaModule = { typeDefs, resolvers };
