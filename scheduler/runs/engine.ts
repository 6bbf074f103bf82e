/**
 * The runs engine: reserves runs in the store, sends their steps through the job queue, executes the steps
 * this process's workers take (through the connector's {@link Launcher}), and takes over steps whose worker
 * stopped.
 *
 * Exactly once, in order:
 * 1. A run and its first step's job are written in one transaction (the tick's own, for the scheduler), under
 *    an idempotency key: replaying a tick or a mutation finds the run already there.
 * 2. A worker claims the step with a guarded UPDATE and a fresh claim token before calling anything outside;
 *    it heartbeats while the launcher works, and every write it makes names its claim.
 * 3. The launcher saves progress before and after each outside call. A step whose heartbeat goes stale (its
 *    worker died) is handed to another worker with that progress, and the launcher follows the work it names
 *    instead of starting it again (a Fivetran sync is not re-triggered; a dbt build's results are read from
 *    its run_results.json).
 * 4. The step's outcome, the next step's job or the run's end are written in one transaction.
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { CatalogGraph } from "../../catalog/graph/index.ts";
import type { AssetKey, LaunchedBy, Launcher, RunLogInput, RunStatus, StepOutcome, StepTarget } from "../../catalog/model/index.ts";
import { keyToString } from "../../catalog/model/index.ts";
import type { CatalogStore, NewRun, RunRecord, SqlClient } from "../../catalog/store/index.ts";
import { runSql } from "../../catalog/store/index.ts";
import type { PlannedStep, StepPlan } from "./plan.ts";
import { planSteps } from "./plan.ts";
import type { RunQueue, StepJob } from "./queue.ts";
import { queueName } from "./queue.ts";

/** The structured logger the engine writes to (pino's shape). */
export interface EngineLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** How a failed run is retried (per policy, from tributary.yaml or dbt meta). */
export interface RetryPolicy {
  readonly maxRetries: number;
  readonly delayMs: number;
  readonly backoff: "constant" | "exponential";
}

export interface RunEngineOptions {
  readonly store: CatalogStore;
  readonly queue: RunQueue;
  readonly launchers: readonly Launcher[];
  /** The catalog being served (for planning launches); null while it loads. */
  readonly graph: () => CatalogGraph | null;
  readonly logger: EngineLogger;
  /** Names this process in claims and logs. */
  readonly workerId?: string;
  /** How often a running step's worker heartbeats (default 5 s). */
  readonly heartbeatMs?: number;
  /** A running step whose heartbeat is older than this is taken over (default 30 s). */
  readonly staleAfterMs?: number;
  /**
   * On the embedded database one process owns the store (its data directory is locked), so a step left
   * running is a crashed process's: take it over at start without waiting for its heartbeat to go stale.
   */
  readonly takeOverAllAtStart?: boolean;
  /** Retries for failed runs launched by policies; null: none. */
  readonly retryPolicy?: (run: RunRecord) => RetryPolicy | null;
  readonly now?: () => Date;
  /** Run workers in this process (default true); false for a process that only plans and launches. */
  readonly work?: boolean;
  /** Called when a run's state or logs change (for subscriptions). */
  readonly onRunChanged?: (runId: string) => void;
  /**
   * Told of each transition of a run's life once its transaction committed, by the one process whose guarded
   * write made it (so once across processes, barring a crash between the commit and the call): OpenLineage's
   * START / COMPLETE / FAIL / ABORT. A takeover is no new start. Called synchronously: it must not throw or wait.
   */
  readonly onTransition?: (transition: RunTransition) => void;
  /**
   * Called inside the transaction that ends a run, with the run as it ended: the runs it returns are reserved
   * and sent in that same transaction (a backfill's partitions that waited for this one). Exactly once: the
   * transaction that finishes the run is the only one that calls it for that run.
   */
  readonly onRunFinished?: (tx: SqlClient, run: RunRecord) => Promise<readonly NewRun[]>;
}

/** A transition of a run's life (see {@link RunEngineOptions.onTransition}); `run` gives its steps and origin. */
export type RunTransition =
  | { readonly kind: "run_started"; readonly run: RunRecord; readonly at: Date }
  | { readonly kind: "step_started"; readonly run: RunRecord; readonly stepIndex: number; readonly at: Date }
  | { readonly kind: "step_ended"; readonly run: RunRecord; readonly stepIndex: number; readonly outcome: StepOutcome; readonly at: Date }
  | { readonly kind: "run_ended"; readonly run: RunRecord; readonly status: Exclude<RunStatus, "queued" | "running">; readonly message: string; readonly at: Date };

export interface LaunchResult {
  readonly run: RunRecord | null;
  readonly unlaunchable: StepPlan["unlaunchable"];
}

export interface RunEngine {
  /** Creates the queues, starts this process's workers, and takes over steps left by stopped workers. */
  start(): Promise<void>;
  /** Plans `assetIds` into steps (the scheduler makes one run per step). */
  plan(assetIds: readonly string[]): StepPlan;
  /**
   * Reserves runs and sends their first steps' jobs inside `tx`; returns the runs it created (a run whose
   * idempotency key exists is not created again). Call {@link RunEngine.notify} after the commit.
   */
  submit(tx: SqlClient, runs: readonly NewRun[]): Promise<RunRecord[]>;
  /** Wakes the local workers of the queues these runs use. */
  notify(runs: readonly RunRecord[]): void;
  /** A manual launch of any selection: one run whose steps run in dependency order. */
  launch(assetIds: readonly string[], launchedBy: LaunchedBy, options?: { readonly idempotencyKey?: string }): Promise<LaunchResult>;
  /** Re-executes a run: all of it, or only what failed or was skipped. */
  reexecute(runId: string, onlyFailed: boolean, user?: string | null): Promise<LaunchResult>;
  /** Cancels a run: pending steps at once, the running one at its worker's next heartbeat. */
  cancel(runId: string): Promise<RunRecord | null>;
  /** Hands steps whose worker stopped to a worker (run every `staleAfterMs / 2` while started). */
  reconcile(options?: { readonly all?: boolean }): Promise<number>;
  stop(): Promise<void>;
  readonly workerId: string;
}

/**
 * The queue of a location's partition runs (a backfill's): apart from its one-at-a-time queue, so partitions
 * run in parallel up to the launcher's partitionConcurrency, each its own tool invocation.
 */
export function partitionQueueName(tool: string, locationName: string): string {
  return `${queueName(tool, locationName)}.partitions`;
}

/** A run's new id: time-ordered, readable in logs. */
export function newRunId(): string {
  return randomUUID();
}

export function createRunEngine(options: RunEngineOptions): RunEngine {
  const { store, queue, logger } = options;
  const now = options.now ?? (() => new Date());
  const heartbeatMs = options.heartbeatMs ?? 5_000;
  const staleAfterMs = options.staleAfterMs ?? 30_000;
  const workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const launchers = new Map(options.launchers.map((l) => [`${l.tool}\u0000${l.locationName}`, l]));
  const launcherFor = (tool: string, locationName: string) => launchers.get(`${tool}\u0000${locationName}`) ?? null;
  let reconcileTimer: NodeJS.Timeout | null = null;
  let stopped = false;
  const active = new Map<string, AbortController>();

  const changed = (runId: string) => options.onRunChanged?.(runId);
  const transition = (event: RunTransition) => {
    try {
      options.onTransition?.(event);
    } catch (error) {
      logger.warn({ runId: event.run.id, kind: event.kind, error: error instanceof Error ? error.message : String(error) }, "a run transition listener failed");
    }
  };

  function plan(assetIds: readonly string[]): StepPlan {
    const graph = options.graph();
    if (!graph) return { steps: [], unlaunchable: assetIds.map((assetId) => ({ assetId, reason: "the catalog is still loading" })) };
    return planSteps(graph, assetIds, (tool, locationName) => {
      const launcher = launcherFor(tool, locationName);
      return launcher ? { tool, locationName, batch: launcher.batch, queue: queueName(tool, locationName) } : null;
    });
  }

  async function submit(tx: SqlClient, runs: readonly NewRun[], startAfter?: Date): Promise<RunRecord[]> {
    const created: RunRecord[] = [];
    for (const newRun of runs) {
      const { run, created: isNew } = await runSql.reserveRun(tx, newRun);
      if (!isNew) continue;
      const first = run.steps[0]!;
      const jobId = await queue.send(tx, first.queue, { runId: run.id, stepIndex: 0 }, startAfter ? { startAfter } : {});
      await runSql.setStepJob(tx, run.id, 0, jobId);
      created.push(run);
    }
    return created;
  }

  function notify(runs: readonly RunRecord[]): void {
    for (const run of runs) {
      const step = run.steps.find((s) => s.status === "pending");
      if (step) queue.notify(step.queue);
      changed(run.id);
    }
  }

  function runFromSteps(steps: readonly PlannedStep[], launchedBy: LaunchedBy, extra: Partial<NewRun> = {}): NewRun {
    return {
      id: newRunId(),
      idempotencyKey: extra.idempotencyKey ?? `manual:${randomUUID()}`,
      launchedBy,
      steps: steps.map((s) => ({ tool: s.tool, locationName: s.locationName, targets: s.targets, queue: s.queue })),
      ...(extra.parentRunId ? { parentRunId: extra.parentRunId } : {}),
      ...(extra.attempt ? { attempt: extra.attempt } : {}),
    };
  }

  async function launch(assetIds: readonly string[], launchedBy: LaunchedBy, launchOptions: { readonly idempotencyKey?: string } = {}): Promise<LaunchResult> {
    const planned = plan(assetIds);
    if (planned.steps.length === 0) return { run: null, unlaunchable: planned.unlaunchable };
    const newRun = runFromSteps(planned.steps, launchedBy, launchOptions.idempotencyKey ? { idempotencyKey: launchOptions.idempotencyKey } : {});
    const created = await store.client.transaction((tx) => submit(tx, [newRun]));
    notify(created);
    const stored = created[0] ?? (await findByKey(newRun.idempotencyKey));
    logger.info({ runId: stored?.id, assets: assetIds.length, by: launchedBy.kind }, "run launched");
    return { run: stored, unlaunchable: planned.unlaunchable };
  }

  async function findByKey(idempotencyKey: string): Promise<RunRecord | null> {
    const rows = await store.client.query<{ id: string }>("SELECT id FROM runs WHERE idempotency_key = $1", [idempotencyKey]);
    return rows[0] ? store.getRun(rows[0].id) : null;
  }

  async function reexecute(runId: string, onlyFailed: boolean, user: string | null = null): Promise<LaunchResult> {
    const parent = await store.getRun(runId);
    if (!parent) return { run: null, unlaunchable: [{ assetId: runId, reason: `no run ${runId}` }] };
    const keys: AssetKey[] = [];
    for (const step of parent.steps) {
      if (!onlyFailed) keys.push(...step.assetKeys);
      else if (step.status === "failed") keys.push(...(step.failedKeys.length + step.skippedKeys.length > 0 ? [...step.failedKeys, ...step.skippedKeys] : step.assetKeys));
      else if (step.status !== "succeeded") keys.push(...step.assetKeys);
    }
    if (keys.length === 0) return { run: null, unlaunchable: [{ assetId: runId, reason: `run ${runId} has nothing that failed` }] };
    return launch(
      keys.map(keyToString),
      { kind: "reexecution", parentRunId: runId, onlyFailed },
      { idempotencyKey: `reexecution:${runId}:${onlyFailed ? "failed" : "all"}:${randomUUID()}` },
    ).then(async (result) => {
      if (result.run && user !== null) logger.info({ runId: result.run.id, parent: runId, user }, "run re-executed");
      return result;
    });
  }

  async function cancel(runId: string): Promise<RunRecord | null> {
    const asked = await runSql.requestCancel(store.client, runId);
    if (asked) {
      const ended = await store.client.transaction(async (tx) => {
        await runSql.lockRun(tx, runId);
        const run = await runSql.getRun(tx, runId);
        if (!run) return null;
        if (!run.steps.some((s) => s.status === "running")) {
          await runSql.skipRemainingSteps(tx, runId, 0, "canceled", "canceled before it started");
          if (await runSql.finishRun(tx, runId, "canceled", "canceled before any step started")) return run;
        }
        return null;
      });
      if (ended) transition({ kind: "run_ended", run: ended, status: "canceled", message: "canceled before any step started", at: now() });
      active.get(runId)?.abort(new Error("canceled"));
      logger.info({ runId }, "run cancel requested");
      changed(runId);
    }
    return store.getRun(runId);
  }

  /** Executes one step job taken by this process's worker. */
  async function executeStep(job: StepJob): Promise<void> {
    const claim = randomUUID();
    const claimed = await runSql.claimStep(store.client, {
      runId: job.runId,
      stepIndex: job.stepIndex,
      claim,
      worker: workerId,
      staleBefore: new Date(now().getTime() - staleAfterMs),
    });
    if (!claimed) {
      await finishIfCanceled(job.runId);
      return;
    }
    const { run, step } = claimed;
    changed(run.id);
    if (!claimed.takenOver) {
      if (step.index === 0) transition({ kind: "run_started", run, at: now() });
      transition({ kind: "step_started", run, stepIndex: step.index, at: now() });
    }
    const launcher = launcherFor(step.tool, step.locationName);
    const controller = new AbortController();
    active.set(run.id, controller);
    let lost = false;
    let canceled = false;
    const pendingLogs: (RunLogInput & { at: string })[] = [];
    let flushing: Promise<void> = Promise.resolve();
    const flush = () => {
      const lines = pendingLogs.splice(0);
      if (lines.length === 0) return flushing;
      flushing = flushing
        .then(() => runSql.appendRunLogs(store.client, run.id, step.index, lines))
        .then(() => changed(run.id))
        .catch((error: unknown) => logger.warn({ runId: run.id, error: String(error) }, "could not store run log lines"));
      return flushing;
    };
    const flushTimer = setInterval(() => void flush(), 250);
    flushTimer.unref();
    const heartbeat = setInterval(() => {
      runSql
        .heartbeatStep(store.client, run.id, step.index, claim)
        .then(({ owned, cancelRequested }) => {
          if (!owned && !lost) {
            lost = true;
            controller.abort(new Error("this worker lost the step (another worker took it over)"));
          } else if (cancelRequested && !canceled) {
            canceled = true;
            controller.abort(new Error("canceled"));
          }
        })
        .catch((error: unknown) => logger.warn({ runId: run.id, error: String(error) }, "heartbeat failed"));
    }, heartbeatMs);
    heartbeat.unref();
    if (run.cancelRequested) {
      canceled = true;
      controller.abort(new Error("canceled"));
    }
    const log = (line: RunLogInput) => pendingLogs.push({ ...line, at: now().toISOString() });
    log({
      level: "info",
      message: claimed.takenOver
        ? claimed.resume === null
          ? `step ${step.index + 1}/${run.steps.length} (${step.tool} ${step.locationName}) taken over by ${workerId} after its worker stopped before starting anything; starting it`
          : `step ${step.index + 1}/${run.steps.length} (${step.tool} ${step.locationName}) taken over by ${workerId} after its worker stopped; following the work it started`
        : `step ${step.index + 1}/${run.steps.length} (${step.tool} ${step.locationName}) started on ${workerId}: ${step.assetKeys.map(keyToString).join(", ")}`,
    });
    logger.info({ runId: run.id, step: step.index, tool: step.tool, location: step.locationName, assets: step.assetKeys.length, takenOver: claimed.takenOver }, "step started");
    let outcome: StepOutcome;
    try {
      if (!launcher) {
        outcome = failedOutcome(step.targets, `no launcher for ${step.tool} location "${step.locationName}" in this configuration`);
      } else {
        outcome = await launcher.launch({
          runId: run.id,
          stepIndex: step.index,
          targets: step.targets,
          partition: run.partition ?? null,
          resume: claimed.resume,
          signal: controller.signal,
          report: {
            log,
            recordAssetEvents: async (events) => {
              await store.recordAssetEvents(events.map((event) => ({ ...event, tributaryRunId: run.id, ...(run.partition ? { partitionKey: run.partition.key } : {}) })));
              changed(run.id);
            },
            recordCheckResults: async (results) => {
              await store.recordCheckResults(results, run.id);
              changed(run.id);
            },
            saveProgress: async (progress) => {
              if (!(await runSql.saveStepProgress(store.client, run.id, step.index, claim, progress))) {
                lost = true;
                controller.abort(new Error("this worker lost the step"));
                throw new Error(`run ${run.id} step ${step.index}: this worker no longer owns the step`);
              }
            },
          },
        });
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      outcome = canceled ? { status: "canceled", message: "canceled", failedKeys: [], skippedKeys: [] } : failedOutcome(step.targets, message);
    } finally {
      clearInterval(heartbeat);
      clearInterval(flushTimer);
      active.delete(run.id);
    }
    if (canceled && outcome.status === "failed") outcome = { ...outcome, status: "canceled" };
    log({ level: outcome.status === "succeeded" ? "info" : "error", message: `step ${step.index + 1}/${run.steps.length} ${outcome.status}: ${outcome.message}` });
    await flush();
    if (lost) {
      logger.warn({ runId: run.id, step: step.index }, "step lost to another worker; its outcome here is not recorded");
      return;
    }
    await completeStep(run, step.index, claim, outcome);
  }

  async function completeStep(run: RunRecord, stepIndex: number, claim: string | null, outcome: StepOutcome): Promise<void> {
    let retry: NewRun | null = null;
    let retryAt: Date | undefined;
    let runEnded: Exclude<RunStatus, "queued" | "running"> | null = null;
    let followers: RunRecord[] = [];
    const nextRuns = await store.client.transaction(async (tx) => {
      runEnded = null;
      await runSql.lockRun(tx, run.id);
      const after = await runSql.finishStep(tx, run.id, stepIndex, claim, outcome);
      if (!after) return null;
      const next = after.steps[stepIndex + 1];
      if (outcome.status === "succeeded" && next && !after.cancelRequested) {
        const jobId = await queue.send(tx, next.queue, { runId: run.id, stepIndex: stepIndex + 1 });
        await runSql.setStepJob(tx, run.id, stepIndex + 1, jobId);
        return after;
      }
      if (outcome.status !== "succeeded" || after.cancelRequested) {
        const status = outcome.status === "canceled" || after.cancelRequested ? "canceled" : "failed";
        await runSql.skipRemainingSteps(tx, run.id, stepIndex + 1, status === "canceled" ? "canceled" : "skipped", `step ${stepIndex + 1} ${outcome.status}`);
        if (await runSql.finishRun(tx, run.id, status, outcome.message)) runEnded = status;
        if (status === "failed") {
          const policy = options.retryPolicy?.(after) ?? null;
          if (policy && after.attempt <= policy.maxRetries && (after.launchedBy.kind === "policy" || after.launchedBy.kind === "retry")) {
            const delay = policy.backoff === "exponential" ? policy.delayMs * 2 ** (after.attempt - 1) : policy.delayMs;
            retryAt = new Date(now().getTime() + delay);
            const root = after.launchedBy.kind === "retry" ? after.launchedBy.parentRunId : after.id;
            retry = {
              id: newRunId(),
              idempotencyKey: `retry:${root}:${after.attempt + 1}`,
              launchedBy: { kind: "retry", parentRunId: root, attempt: after.attempt + 1 },
              parentRunId: after.id,
              attempt: after.attempt + 1,
              steps: after.steps.slice(stepIndex).map((s) => ({ tool: s.tool, locationName: s.locationName, targets: s.targets, queue: s.queue })),
            };
            await submit(tx, [retry], retryAt);
          }
        }
      } else if (await runSql.finishRun(tx, run.id, "succeeded", outcome.message)) {
        runEnded = "succeeded";
      }
      followers = await followRun(tx, run.id);
      return after;
    });
    notify(followers);
    if (nextRuns) {
      const next = nextRuns.steps[stepIndex + 1];
      if (next && outcome.status === "succeeded") queue.notify(next.queue);
      transition({ kind: "step_ended", run: nextRuns, stepIndex, outcome, at: now() });
      const ended: Exclude<RunStatus, "queued" | "running"> | null = runEnded;
      if (ended !== null) transition({ kind: "run_ended", run: nextRuns, status: ended, message: outcome.message, at: now() });
    }
    logger.info({ runId: run.id, step: stepIndex, status: outcome.status, message: outcome.message }, "step finished");
    if (retry) logger.info({ runId: (retry as NewRun).id, parent: run.id, at: retryAt?.toISOString() }, "failed run will be retried");
    changed(run.id);
  }

  /** The runs that wait for a run that just ended (the onRunFinished hook), reserved and sent in `tx`. */
  async function followRun(tx: SqlClient, runId: string): Promise<RunRecord[]> {
    if (!options.onRunFinished) return [];
    const ended = await runSql.getRun(tx, runId);
    if (!ended) return [];
    const next = await options.onRunFinished(tx, ended);
    return next.length > 0 ? submit(tx, next) : [];
  }

  /** A canceled run whose pending step's job arrives: end the run. */
  async function finishIfCanceled(runId: string): Promise<void> {
    const ended = await store.client.transaction(async (tx) => {
      await runSql.lockRun(tx, runId);
      const run = await runSql.getRun(tx, runId);
      if (!run || !run.cancelRequested || !(run.status === "queued" || run.status === "running") || run.steps.some((s) => s.status === "running")) return false;
      await runSql.skipRemainingSteps(tx, runId, 0, "canceled", "canceled before it started");
      return (await runSql.finishRun(tx, runId, "canceled", "canceled")) ? run : null;
    });
    if (ended) {
      changed(runId);
      transition({ kind: "run_ended", run: ended, status: "canceled", message: "canceled", at: now() });
    }
  }

  async function reconcile({ all = false }: { readonly all?: boolean } = {}): Promise<number> {
    const staleBefore = all ? new Date(now().getTime() + 1) : new Date(now().getTime() - staleAfterMs);
    const stale = await runSql.staleSteps(store.client, staleBefore);
    let handed = 0;
    for (const step of stale) {
      if (active.has(step.runId)) continue; // this process runs it
      if (step.jobId) await queue.failJob(step.queue, step.jobId, `worker ${step.claimedBy ?? "?"} stopped heartbeating`).catch(() => undefined);
      const sent = await store.client.transaction(async (tx) => {
        // Still stale (another process may have taken it over meanwhile)?
        const rows = await tx.query<{ job_id: string | null }>(
          `SELECT job_id FROM run_steps WHERE run_id = $1 AND step_index = $2 AND status = 'running' AND (heartbeat_at IS NULL OR heartbeat_at < $3) FOR UPDATE`,
          [step.runId, step.index, staleBefore],
        );
        if (rows.length === 0 || rows[0]!.job_id !== step.jobId) return false;
        if (all) await tx.query(`UPDATE run_steps SET heartbeat_at = NULL WHERE run_id = $1 AND step_index = $2`, [step.runId, step.index]);
        const jobId = await queue.send(tx, step.queue, { runId: step.runId, stepIndex: step.index });
        await runSql.setStepJob(tx, step.runId, step.index, jobId);
        return true;
      });
      if (sent) {
        handed += 1;
        queue.notify(step.queue);
        logger.warn({ runId: step.runId, step: step.index, worker: step.claimedBy }, "a step's worker stopped; handing the step to another worker to follow its work");
      }
    }
    handed += await reconcileJobs(staleBefore);
    return handed;
  }

  /**
   * Jobs a worker took (active in the queue) and never finished because its process died. Heartbeats cover a
   * claimed step, not these two windows:
   * - the worker took the job and died before its claim committed: the step is still pending and its only
   *   job is active, so no worker would ever take it again. It is sent again (a second claim of a pending step
   *   loses the guarded UPDATE, so a slow live worker cannot make it run twice);
   * - the worker recorded the step's outcome and died before telling the queue: the job stays active and,
   *   on a one-at-a-time queue (a dbt project), holds the queue so no later step of it would ever start. It
   *   is failed (the store, not the queue, says how the step ended).
   * A job taken after `staleBefore` is left alone: its worker is claiming it now.
   */
  async function reconcileJobs(staleBefore: Date): Promise<number> {
    const queues = [...new Set(options.launchers.flatMap((l) => [queueName(l.tool, l.locationName), partitionQueueName(l.tool, l.locationName)]))];
    let handed = 0;
    for (const job of await queue.activeJobs(queues, staleBefore)) {
      const { runId, stepIndex } = job.job;
      if (active.has(runId)) continue; // this process runs it
      const rows = await store.client.query<{ status: string; job_id: string | null }>("SELECT status, job_id FROM run_steps WHERE run_id = $1 AND step_index = $2", [
        runId,
        stepIndex,
      ]);
      const step = rows[0];
      // A running step's own job: its heartbeat tells whether its worker lives (above).
      if (step?.status === "running" && step.job_id === job.id) continue;
      if (step?.status === "pending" && step.job_id === job.id) {
        // The new job first, then the old one failed: a crash between the two leaves an old job whose step has
        // moved on to another, which the next pass fails.
        const sent = await store.client.transaction(async (tx) => {
          const still = await tx.query(`SELECT 1 FROM run_steps WHERE run_id = $1 AND step_index = $2 AND status = 'pending' AND job_id = $3 FOR UPDATE`, [
            runId,
            stepIndex,
            job.id,
          ]);
          if (still.length === 0) return false;
          const jobId = await queue.send(tx, job.queue, { runId, stepIndex });
          await runSql.setStepJob(tx, runId, stepIndex, jobId);
          return true;
        });
        await queue.failJob(job.queue, job.id, "its worker stopped before claiming the step; the step was sent again").catch(() => undefined);
        if (sent) {
          handed += 1;
          queue.notify(job.queue);
          logger.warn({ runId, step: stepIndex }, "a worker stopped after taking a step's job and before claiming the step; sending the step again");
        }
        continue;
      }
      await queue.failJob(job.queue, job.id, "its worker stopped after the step had ended or been handed on").catch(() => undefined);
    }
    return handed;
  }

  return {
    workerId,
    plan,
    submit: (tx, runs) => submit(tx, runs),
    notify,
    launch,
    reexecute,
    cancel,
    reconcile,
    async start() {
      for (const launcher of options.launchers) {
        await queue.ensureQueue(queueName(launcher.tool, launcher.locationName), { oneAtATime: launcher.concurrency === 1 });
        await queue.ensureQueue(partitionQueueName(launcher.tool, launcher.locationName), { oneAtATime: (launcher.partitionConcurrency ?? 1) === 1 });
      }
      // Before this process's workers start: with `takeOverAllAtStart` every running step and every active job
      // is taken for a dead process's, which is only true while no worker of this one has claimed anything.
      await reconcile({ all: options.takeOverAllAtStart ?? false });
      if (options.work ?? true) {
        for (const launcher of options.launchers) {
          const handle = (job: StepJob) =>
            executeStep(job).catch((error: unknown) => {
              logger.error({ runId: job.runId, step: job.stepIndex, error: error instanceof Error ? error.message : String(error) }, "a step could not be executed");
            });
          await queue.work(queueName(launcher.tool, launcher.locationName), launcher.concurrency, handle);
          await queue.work(partitionQueueName(launcher.tool, launcher.locationName), launcher.partitionConcurrency ?? 1, handle);
        }
      }
      reconcileTimer = setInterval(() => {
        if (stopped) return;
        reconcile().catch((error: unknown) => logger.warn({ error: String(error) }, "reconciling runs failed"));
      }, Math.max(250, staleAfterMs / 2));
      reconcileTimer.unref();
    },
    async stop() {
      stopped = true;
      if (reconcileTimer) clearInterval(reconcileTimer);
      await queue.stop();
    },
  };
}

function failedOutcome(targets: readonly StepTarget[], message: string): StepOutcome {
  return { status: "failed", message, failedKeys: targets.map((t) => t.assetKey), skippedKeys: [] };
}
