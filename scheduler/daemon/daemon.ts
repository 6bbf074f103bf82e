/**
 * The scheduler daemon: every `intervalMs`, the leader evaluates every condition on a frozen snapshot of the
 * store and turns the requests into runs (reference §2.6). One tick is ONE transaction:
 *
 *   read the cursor (locked) → read the latest events and the runs in progress → evaluate() →
 *   reserve a run per step under `tick:<evaluation id>:<group>` and send its job → store the evaluations →
 *   move the cursor from the evaluation id it was read at → record the tick
 *
 * so a crash at any point leaves either the whole tick or none of it, and the outside calls happen only in
 * workers, after the commit, on runs that exist. A tick that loses the race for the cursor (another leader
 * committed first) rolls back entirely.
 */
import type { CatalogAsset, CatalogGraph } from "../../catalog/graph/index.ts";
import type { JobsAndSchedules } from "../../catalog/model/index.ts";
import { partitionCalendar, partitionsFingerprint } from "../../catalog/model/index.ts";
import type { CatalogStore, NewRun } from "../../catalog/store/index.ts";
import { automationSql, evaluationSql } from "../../catalog/store/index.ts";
import { evaluate, restorePlan, storablePlan } from "../conditions/index.ts";
import type { SameRunPredicate } from "../conditions/index.ts";
import type { EngineLogger, RunEngine } from "../runs/index.ts";
import { newRunId, partitionQueueName, partitionRunFor } from "../runs/index.ts";
import type { ScheduleFiring } from "../schedules/index.ts";
import { fireSchedules, resolveJobsAndSchedules } from "../schedules/index.ts";
import type { LeaderLease } from "./leader.ts";
import { automationStateFromInputs, withUpdatesAndPartitions } from "./state.ts";
import { CursorCache, InputsCache } from "./tick-state.ts";

export interface DaemonOptions {
  readonly store: CatalogStore;
  readonly engine: RunEngine;
  readonly lease: LeaderLease;
  readonly graph: () => CatalogGraph | null;
  readonly logger: EngineLogger;
  /** Default 30 s (Dagster's default sensor interval). */
  readonly intervalMs?: number;
  readonly now?: () => Date;
  readonly sameRun?: SameRunPredicate;
  /** Names this process in the tick log. */
  readonly name: string;
  /**
   * The jobs and schedules declared (tributary.yaml): after evaluating the policies, each tick fires the
   * schedules whose cron tick has come (scheduler/schedules), each tick claimed in the store once.
   */
  readonly schedules?: () => JobsAndSchedules;
}

/** What one tick did. */
export interface TickOutcome {
  readonly leader: boolean;
  readonly evaluationId: number | null;
  readonly evaluated: number;
  readonly requested: readonly string[];
  /** For each requested partitioned asset, the partitions requested (a run each, per partitioning and location). */
  readonly requestedPartitions: ReadonlyMap<string, readonly string[]>;
  readonly runIds: readonly string[];
  readonly unlaunchable: readonly { readonly assetId: string; readonly reason: string }[];
  readonly durationMs: number;
  /** Why the tick did nothing, when it did nothing. */
  readonly skipped: string | null;
  /** The schedule ticks this tick claimed (fired or skipped). */
  readonly scheduleFirings: readonly ScheduleFiring[];
}

export interface Daemon {
  /**
   * Does ahead of the first tick what a restarted daemon's first tick would otherwise do: takes the lease (on
   * Postgres, opening its connection) and, leading, reads and decodes the snapshot a stopped daemon left with the
   * cursor, and takes its evaluation plan for the graph when the graph is loaded. Optional (the first tick does
   * what was not done) and done once; call it at start-up, beside other start-up work. The first tick waits for
   * it and uses the snapshot only if the cursor is still where it was stored. Never rejects: what fails here is
   * logged and read by the first tick from the store.
   */
  prepare(): Promise<void>;
  start(): void;
  /** One tick now (tests, and `start`'s loop). Ticks never overlap. */
  tick(): Promise<TickOutcome>;
  stop(): Promise<void>;
  readonly isLeader: boolean;
  readonly lastTick: TickOutcome | null;
  /**
   * How many times this daemon took its evaluation plan from the snapshot a stopped daemon left (the graph's
   * definitions digest the same as then) instead of computing it: at most once per graph.
   */
  readonly plansRestored: number;
  /** How many ticks started from a snapshot {@link prepare} had decoded (at most one: the first). */
  readonly preparedSnapshotsUsed: number;
}

class CursorMoved extends Error {}

type StepPlan = ReturnType<RunEngine["plan"]>;

/**
 * A tick's requests of partitions as runs, the way a backfill runs them: one run per partition key of each
 * partitioning (assets sharing a partitioning and a location build that partition in one tool invocation, told
 * its window: dbt `--vars`, `--event-time-start/--event-time-end`), on the location's partition queue.
 */
function partitionRuns(
  graph: CatalogGraph,
  requests: ReadonlyMap<string, readonly string[]>,
  evaluationId: number,
  plan: (ids: readonly string[]) => StepPlan,
): { runs: NewRun[]; unlaunchable: StepPlan["unlaunchable"][number][] } {
  const groups = new Map<string, { assets: CatalogAsset[]; key: string }>();
  for (const [id, keys] of requests) {
    const asset = graph.get(id);
    if (!asset?.partitions) continue;
    const partitioning = partitionsFingerprint(asset.partitions);
    for (const key of keys) {
      const group = groups.get(`${partitioning}|${key}`) ?? { assets: [], key };
      group.assets.push(asset);
      groups.set(`${partitioning}|${key}`, group);
    }
  }
  const runs: NewRun[] = [];
  const unlaunchable: StepPlan["unlaunchable"][number][] = [];
  for (const [groupKey, group] of groups) {
    const calendar = partitionCalendar(group.assets[0]!.partitions!);
    const window = calendar.windowAt(calendar.indexOf(group.key)!);
    const planned = plan(group.assets.map((a) => a.id));
    unlaunchable.push(...planned.unlaunchable);
    for (const step of planned.steps) {
      runs.push({
        id: newRunId(),
        idempotencyKey: `tick:${evaluationId}:${step.groupKey}:${groupKey}`,
        launchedBy: { kind: "policy", tick: evaluationId },
        partition: partitionRunFor(group.assets, window),
        steps: [{ tool: step.tool, locationName: step.locationName, targets: step.targets, queue: partitionQueueName(step.tool, step.locationName) }],
      });
    }
  }
  return { runs, unlaunchable };
}

export function createDaemon(options: DaemonOptions): Daemon {
  const { store, engine, lease, logger } = options;
  const now = options.now ?? (() => new Date());
  const intervalMs = options.intervalMs ?? 30_000;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<TickOutcome> | null = null;
  let stopped = false;
  let lastTick: TickOutcome | null = null;
  const reportedUnlaunchable = new Set<string>();
  const cursors = new CursorCache();
  const inputsCache = new InputsCache();
  let plansRestored = 0;
  let preparedSnapshotsUsed = 0;
  let preparing: Promise<void> | null = null;

  /** The lease, logging when this process starts or stops leading. */
  async function ensureLease(): Promise<boolean> {
    const wasLeader = lease.isLeader;
    const leader = await lease.ensure();
    if (leader && !wasLeader) logger.info({ daemon: options.name }, "this process now leads the scheduler");
    if (!leader && wasLeader) logger.warn({ daemon: options.name }, "this process no longer leads the scheduler");
    return leader;
  }

  async function prepareFirstTick(): Promise<void> {
    try {
      // Side by side: on Postgres the lease takes a connection of its own, the snapshot is read on the pool.
      const [leader, plan] = await Promise.all([ensureLease(), cursors.prepare(store.client)]);
      if (!leader) {
        cursors.reset(); // a standby: the leader's next tick moves the cursor past this snapshot
        return;
      }
      const graph = options.graph();
      if (plan && graph && restorePlan(graph, plan)) plansRestored++;
    } catch (error) {
      cursors.reset();
      logger.warn({ error: error instanceof Error ? error.message : String(error) }, "the scheduler's stored state could not be read ahead; the first tick reads it");
    }
  }

  const idle = (skipped: string, leader: boolean, started: number): TickOutcome => ({
    leader,
    evaluationId: null,
    evaluated: 0,
    requested: [],
    requestedPartitions: new Map(),
    runIds: [],
    unlaunchable: [],
    durationMs: performance.now() - started,
    skipped,
    scheduleFirings: [],
  });

  /**
   * The schedules' pass, after the policies' transaction, in transactions of its own (one per schedule tick): a
   * schedule whose run cannot be created does not roll back the policies' evaluation, nor the other schedules.
   */
  async function fire(graph: CatalogGraph, at: Date): Promise<ScheduleFiring[]> {
    if (!options.schedules) return [];
    const resolved = resolveJobsAndSchedules(graph, options.schedules());
    return fireSchedules({ store, engine, resolved, now: at, claimedBy: options.name, lateAfterMs: 2 * intervalMs + 60_000, logger });
  }

  async function runTick(): Promise<TickOutcome> {
    const started = performance.now();
    if (preparing) await preparing;
    const leader = await ensureLease();
    if (!leader) return idle("another process leads the scheduler", false, started);
    const graph = options.graph();
    if (!graph) return idle("the catalog is still loading", true, started);
    const at = now();
    let outcome: TickOutcome;
    let commitCursor = () => {};
    try {
      outcome = await store.client.transaction(async (tx) => {
        const stored = await cursors.read(tx, inputsCache);
        if (stored.fromPrepared) preparedSnapshotsUsed++;
        // A plan stored for the same definitions saves computing it (deps by id, the order, fingerprints).
        if (stored.plan && restorePlan(graph, stored.plan)) plansRestored++;
        const inputs = await inputsCache.read(tx);
        const { state, recentEventIds } = await withUpdatesAndPartitions(tx, graph, automationStateFromInputs(inputs, graph), stored.head);
        const result = evaluate({ graph, state, now: at, cursor: stored.cursor, ...(options.sameRun ? { sameRun: options.sameRun } : {}) });
        const evaluationId = result.cursor.evaluationId;
        const plan = engine.plan(result.partitionRequests.size === 0 ? result.requests : result.requests.filter((id) => !result.partitionRequests.has(id)));
        const runs: NewRun[] = plan.steps.map((step) => ({
          id: newRunId(),
          idempotencyKey: `tick:${evaluationId}:${step.groupKey}`,
          launchedBy: { kind: "policy", tick: evaluationId },
          steps: [{ tool: step.tool, locationName: step.locationName, targets: step.targets, queue: step.queue }],
        }));
        const unlaunchable = [...plan.unlaunchable];
        if (result.partitionRequests.size > 0) {
          const partitioned = partitionRuns(graph, result.partitionRequests, evaluationId, (ids) => engine.plan(ids));
          runs.push(...partitioned.runs);
          unlaunchable.push(...partitioned.unlaunchable);
        }
        const created = await engine.submit(tx, runs);
        // Only what changed is stored (an asset's first evaluation, new values, a request), as Dagster does.
        await evaluationSql.saveEvaluations(tx, result.changed);
        const written = await cursors.write(tx, stored, result.cursor, state.lastEventId, recentEventIds);
        if (!written.ok) throw new CursorMoved();
        commitCursor = written.commit;
        const durationMs = performance.now() - started;
        if (result.evaluations.length > 0 || result.requests.length > 0) {
          await automationSql.recordTick(tx, {
            evaluationId,
            evaluatedAt: at.toISOString(),
            leader: options.name,
            evaluated: result.evaluations.length,
            requested: result.requests.length,
            runIds: created.map((r) => r.id),
            durationMs,
          });
        }
        return {
          leader: true,
          evaluationId,
          evaluated: result.evaluations.length,
          requested: result.requests,
          requestedPartitions: result.partitionRequests,
          runIds: created.map((r) => r.id),
          unlaunchable,
          durationMs,
          skipped: null,
          scheduleFirings: [] as ScheduleFiring[],
          created,
        };
      }).then(({ created, ...rest }) => {
        commitCursor();
        engine.notify(created);
        return rest;
      });
    } catch (error) {
      cursors.reset();
      if (!(error instanceof CursorMoved)) throw error;
      logger.warn({ daemon: options.name }, "another scheduler committed a tick first; this tick was rolled back");
      // The schedules still get their pass: each tick's claim, not the cursor, makes it fire once.
      return { ...idle("another scheduler committed this tick first", true, started), scheduleFirings: await fire(graph, at) };
    }
    outcome = { ...outcome, scheduleFirings: await fire(graph, at) };
    for (const item of outcome.unlaunchable) {
      if (reportedUnlaunchable.has(item.assetId)) continue;
      reportedUnlaunchable.add(item.assetId);
      logger.warn({ asset: item.assetId, reason: item.reason }, "a policy requested an asset Tributary cannot launch");
    }
    if (outcome.runIds.length > 0) {
      const partitions = [...outcome.requestedPartitions.values()].reduce((sum, keys) => sum + keys.length, 0);
      logger.info({ tick: outcome.evaluationId, requested: outcome.requested.length, runs: outcome.runIds.length, ...(partitions > 0 ? { partitions } : {}) }, "tick requested runs");
    } else {
      logger.debug({ tick: outcome.evaluationId, evaluated: outcome.evaluated, ms: Math.round(outcome.durationMs) }, "tick");
    }
    return outcome;
  }

  async function tick(): Promise<TickOutcome> {
    // Ticks never overlap: a slow tick makes the next one wait, never run beside it.
    while (running) await running.catch(() => undefined);
    running = runTick();
    try {
      lastTick = await running;
      return lastTick;
    } finally {
      running = null;
    }
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      tick()
        .catch((error: unknown) => logger.error({ error: error instanceof Error ? error.message : String(error) }, "a scheduler tick failed; the next tick tries again"))
        .finally(schedule);
    }, intervalMs);
    timer.unref();
  }

  return {
    prepare() {
      return (preparing ??= prepareFirstTick());
    },
    start() {
      stopped = false;
      // The first tick right away: a restarted daemon picks up where the cursor left off.
      tick()
        .catch((error: unknown) => logger.error({ error: error instanceof Error ? error.message : String(error) }, "a scheduler tick failed; the next tick tries again"))
        .finally(schedule);
    },
    tick,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await preparing;
      await running?.catch(() => undefined);
      // Leave what this daemon kept in memory with the cursor: the next process's first tick reads it back.
      if (lease.isLeader) {
        const graph = options.graph();
        await cursors.saveSnapshot(store.client, inputsCache, graph ? storablePlan(graph) : null).catch((error: unknown) => {
          logger.warn({ error: error instanceof Error ? error.message : String(error) }, "the scheduler's state could not be saved for the next start; it will be read from the store");
        });
      }
      await lease.release();
    },
    get isLeader() {
      return lease.isLeader;
    },
    get lastTick() {
      return lastTick;
    },
    get plansRestored() {
      return plansRestored;
    },
    get preparedSnapshotsUsed() {
      return preparedSnapshotsUsed;
    },
  };
}
