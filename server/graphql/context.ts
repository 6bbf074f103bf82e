/**
 * What every resolver receives: the catalog graph this request reads, fixed once per request, and the source
 * it came from (for mutations such as reload).
 */
import type { CatalogGraph } from "../../catalog/graph/index.ts";
import type { AssetEvaluation, AssetEvent, AssetEventReader, MaterializerRef, CheckResult, JobsAndSchedules, LaunchedBy, ScheduleStatus } from "../../catalog/model/index.ts";
import type { AutomationState, EvaluationCursor } from "../../scheduler/conditions/index.ts";
import type { CatalogService } from "../../catalog/service.ts";
import type { BackfillRecord, PartitionedAsset, RunFilter, RunLogLine, RunRecord, ScheduleStateRecord, ScheduleTickRecord, SqlClient } from "../../catalog/store/index.ts";
import type { PartitionStatus } from "../../catalog/model/index.ts";
import type { BackfillService } from "../../scheduler/runs/index.ts";
import { catalogNotReady } from "./errors.ts";
import type { ReportSink } from "./report.ts";
import type { Caller } from "../auth/caller.ts";
import type { AccessStore } from "../auth/tokens.ts";

/**
 * The smallest view of the catalog service (catalog/service.ts) the server needs: the graph being served
 * (swapped atomically on reload), whether there is one yet, and, when the process can load locations, a way
 * to reload them. A plain object with `current()` is enough for tests and tools.
 */
export interface CatalogSource {
  /** The graph being served; may throw while `ready` is false. */
  current(): CatalogGraph;
  /** False until the first load has produced a graph; a source without the flag is always ready. */
  readonly ready?: boolean;
  reload?: CatalogService["reload"];
  /** A location's follow-up (dbt column lineage computed after the load); absent: none run. */
  followUp?: CatalogService["followUp"];
  /** Where asset events (materializations) are read; absent without a store. */
  readonly events?: AssetEventReader;
  /** Where automation state and evaluation history are read (dryRun, Asset.evaluations); absent without a store. */
  readonly automation?: AutomationSource;
  /**
   * The latest known state of what materializes an asset (a Fivetran connector as the observer last saw it),
   * as metadata of the same keys its spec carries; null when nothing newer than the load is known.
   */
  liveMaterializerMetadata?(materializer: MaterializerRef): Readonly<Record<string, unknown>> | null;
  /** Runs: history, logs, launches; absent without a store. */
  readonly runs?: RunsSource;
  /** Where work done outside Tributary is recorded (Mutation.reportDbtRunResults); absent without a store. */
  readonly reportSink?: ReportSink;
  /** API tokens and the audit log; absent without a store (then a token is refused and nothing is audited). */
  readonly access?: AccessStore;
  /** The jobs and schedules declared (tributary.yaml); absent: none. */
  readonly jobsAndSchedules?: JobsAndSchedules;
  /** Schedules' stored state and ticks; absent without a store. */
  readonly schedules?: ScheduleStore;
  /**
   * The Postgres store every `tributary serve` on it shares, where request rate limits are counted together;
   * absent on the embedded store (one process: counted in memory).
   */
  readonly sharedLimitStore?: SqlClient;
  /** Partition states and backfills; absent without a store. */
  readonly partitions?: PartitionsSource;
}

/** Where schedules' state and ticks are read, and started or stopped (the store's schedule tables). */
export interface ScheduleStore {
  states(): Promise<ReadonlyMap<string, ScheduleStateRecord>>;
  latestTicks(): Promise<ReadonlyMap<string, ScheduleTickRecord>>;
  /** A schedule's claimed ticks, newest first. */
  ticks(schedule: string, limit: number): Promise<ScheduleTickRecord[]>;
  setStatus(schedule: string, status: ScheduleStatus, by: string | null): Promise<ScheduleStateRecord>;
}

/** Where the API reads partition states and backfills, and launches backfills (server/wiring.ts). */
export interface PartitionsSource {
  /** The state of each asset's partitions, by asset id. */
  statuses(assets: readonly PartitionedAsset[]): Promise<Map<string, PartitionStatus>>;
  getBackfill(id: string): Promise<BackfillRecord | null>;
  listBackfills(options: { readonly first: number; readonly assetId?: string | null }): Promise<BackfillRecord[]>;
  /** Launching, re-running and canceling; absent when this process cannot launch runs. */
  readonly backfills?: Pick<BackfillService, "launch" | "rerunFailed" | "cancel">;
}

/** What a launch made: the run, and the requested assets that cannot be launched, with why. */
export interface LaunchOutcome {
  /** Null when nothing requested could be launched. */
  readonly run: RunRecord | null;
  readonly unlaunchable: readonly { readonly assetId: string; readonly reason: string }[];
}

/**
 * Where the API reads and launches runs: the store and the runs engine (server/runs-source.ts builds one;
 * server/wiring.ts attaches it). Reads always work with a store; launching needs the engine.
 */
export interface RunsSource {
  /** Runs newest first, filtered, one page (`after` carries the last run's `createdAtPrecise` and id). */
  list(filter: RunFilter): Promise<RunRecord[]>;
  count(filter: Pick<RunFilter, "statuses" | "assetId">): Promise<number>;
  get(id: string): Promise<RunRecord | null>;
  /** A run's log lines after `afterId`, oldest first. */
  logs(runId: string, options?: { readonly afterId?: number; readonly limit?: number }): Promise<RunLogLine[]>;
  /** The materializations (and failed attempts) the run recorded, oldest first. */
  materializations(run: RunRecord): Promise<AssetEvent[]>;
  /** The check results the run recorded, oldest first. */
  checkResults(run: RunRecord): Promise<CheckResult[]>;
  /** The latest result of each check of an asset (by key string). */
  latestCheckResults(assetId: string): Promise<CheckResult[]>;
  /** An asset's check results (of one check, or of all when `checkName` is null), newest first. */
  checkHistory(assetId: string, checkName: string | null, limit: number): Promise<CheckResult[]>;
  /**
   * Launches the assets (ids) now: one run, steps in dependency order. Absent when this process cannot launch;
   * then `reexecute` and `cancel` are absent too, and `launchUnavailable` says why.
   */
  launch?(assetIds: readonly string[], launchedBy: LaunchedBy, options?: { readonly idempotencyKey?: string }): Promise<LaunchOutcome>;
  /** Re-executes an ended run: all of it, or only what failed or was skipped. */
  reexecute?(runId: string, onlyFailed: boolean): Promise<LaunchOutcome>;
  /** Cancels a run; returns it afterwards (unchanged when it had ended), null when there is no such run. */
  cancel?(runId: string): Promise<RunRecord | null>;
  /** Why `launch` is absent: one sentence for people (sent as the LAUNCH_UNAVAILABLE error's message). */
  readonly launchUnavailable?: string;
  /**
   * Calls `listener` whenever something about the run changed in this process (state, events, logs); other
   * processes' changes are seen by polling. Returns the unsubscribe function.
   */
  watch(runId: string, listener: () => void): () => void;
}

/** Where the API reads automation state and history. */
export interface AutomationSource {
  /** An asset's stored evaluations, newest first. */
  evaluations(assetId: string, first: number): Promise<AssetEvaluation[]>;
  /** A frozen snapshot of the current state (latest materializations, runs in progress…). */
  state(): Promise<AutomationState>;
  /** The daemon's latest cursor; null before its first tick. */
  cursor(): Promise<EvaluationCursor | null>;
}

/** True when the source has a graph to serve. */
export function isReady(source: CatalogSource): boolean {
  return source.ready !== false;
}

/** The per-request context of every resolver. */
export interface GraphQLContext {
  /**
   * The graph this request reads, taken once when the request starts, so a reload in the middle of a request
   * never mixes two catalogs in one response. Null while the first load is still running.
   */
  readonly graph: CatalogGraph | null;
  /** Where the graph came from; null while nothing is attached. */
  readonly catalog: CatalogSource | null;
  /** Who is calling (server/auth): a token's name and role, an anonymous caller, or a local one without security. */
  readonly caller: Caller;
}

/** The request's graph, or a `CATALOG_NOT_READY` error while the first load is running. */
export function requireGraph(context: GraphQLContext): CatalogGraph {
  if (context.graph === null) throw catalogNotReady();
  return context.graph;
}
