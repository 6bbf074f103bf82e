/**
 * Runs, steps, run logs and check results (migration 0004): the SQL behind the runs engine and the daemon.
 * Every guarantee is a guarded statement, never a read-then-write in code:
 * - reserving a run is an INSERT … ON CONFLICT (idempotency_key) DO NOTHING;
 * - claiming a step is an UPDATE that matches only a pending step, or a running one whose heartbeat is stale;
 * - every later write of a running step names the claim it was given, so a worker that lost its step (it
 *   stalled and another took over) writes nothing.
 */
import type { AssetEvent, AssetEventKind, CheckOutcome, CheckResult, CheckResultInput, LaunchedBy, RunLogInput, RunLogLevel, RunPartition, RunStatus, StepStatus, StepTarget, AssetKey } from "../model/index.ts";
import { keyFromString, keyToString } from "../model/index.ts";
import { StoreError } from "./errors.ts";
import { COLUMNS as EVENT_COLUMNS, toEvent } from "./events.ts";
import type { EventRow } from "./events.ts";
import type { SqlClient } from "./sql-client.ts";

/** A run to reserve, with its steps in execution order. */
export interface NewRun {
  readonly id: string;
  readonly idempotencyKey: string;
  readonly launchedBy: LaunchedBy;
  readonly parentRunId?: string | null;
  readonly attempt?: number;
  /** The partition the run materializes (a backfill's partition run); absent: unpartitioned. */
  readonly partition?: RunPartition | null;
  readonly steps: readonly NewStep[];
}

export interface NewStep {
  readonly tool: string;
  readonly locationName: string;
  readonly targets: readonly StepTarget[];
  /** The job queue the step's job goes to. */
  readonly queue: string;
}

export interface RunStep {
  readonly runId: string;
  readonly index: number;
  readonly tool: string;
  readonly locationName: string;
  readonly targets: readonly StepTarget[];
  readonly assetKeys: readonly AssetKey[];
  readonly status: StepStatus;
  readonly queue: string;
  readonly jobId: string | null;
  readonly claimedBy: string | null;
  readonly attempts: number;
  readonly heartbeatAt: string | null;
  readonly progress: Readonly<Record<string, unknown>> | null;
  readonly message: string | null;
  readonly failedKeys: readonly AssetKey[];
  readonly skippedKeys: readonly AssetKey[];
  readonly toolRunId: string | null;
  readonly url: string | null;
  readonly startedAt: string | null;
  readonly endedAt: string | null;
}

export interface RunRecord {
  readonly id: string;
  readonly idempotencyKey: string;
  readonly status: RunStatus;
  readonly launchedBy: LaunchedBy;
  readonly tick: number | null;
  readonly parentRunId: string | null;
  readonly attempt: number;
  readonly assetKeys: readonly AssetKey[];
  readonly partition?: RunPartition | null;
  readonly message: string | null;
  readonly cancelRequested: boolean;
  readonly createdAt: string;
  /**
   * created_at at the database's precision (microseconds, ISO 8601 UTC): `createdAt` keeps milliseconds only,
   * and a page cursor built from it could skip a run created in the same millisecond.
   */
  readonly createdAtPrecise: string;
  readonly startedAt: string | null;
  readonly endedAt: string | null;
  readonly steps: readonly RunStep[];
}

export interface RunLogLine {
  readonly id: number;
  readonly runId: string;
  readonly stepIndex: number | null;
  readonly at: string;
  readonly level: RunLogLevel;
  readonly message: string;
  readonly assetKey: AssetKey | null;
  readonly data: Readonly<Record<string, unknown>> | null;
}

/** A step handed to a worker: the step, its run, and whether it was taken over from a worker that stopped. */
export interface ClaimedStep {
  readonly run: RunRecord;
  readonly step: RunStep;
  readonly claim: string;
  /**
   * The progress an earlier attempt saved, for the launcher to follow; null on a first attempt, and on a
   * takeover of an attempt that saved none (it had started nothing outside).
   */
  readonly resume: Readonly<Record<string, unknown>> | null;
  readonly takenOver: boolean;
}

export interface RunFilter {
  readonly statuses?: readonly RunStatus[] | null;
  /** Runs that target this asset (key string). */
  readonly assetId?: string | null;
  readonly first: number;
  /** Cursor: the (created_at, id) of the last run of the previous page; pass `createdAtPrecise` as createdAt. */
  readonly after?: { readonly createdAt: string; readonly id: string } | null;
}

/** Most runs one page returns. */
export const MAX_RUNS_PAGE = 500;

interface RunRow {
  id: string;
  idempotency_key: string;
  status: RunStatus;
  launched_by: LaunchedBy | string;
  tick: number | null;
  parent_run_id: string | null;
  attempt: number;
  asset_keys: string[];
  partition: unknown;
  message: string | null;
  cancel_requested: boolean;
  created_at: Date;
  created_at_precise: string;
  started_at: Date | null;
  ended_at: Date | null;
}

interface StepRow {
  run_id: string;
  step_index: number;
  tool: string;
  location_name: string;
  targets: unknown;
  asset_keys: string[];
  status: StepStatus;
  queue: string;
  job_id: string | null;
  claimed_by: string | null;
  attempts: number;
  heartbeat_at: Date | null;
  progress: unknown;
  message: string | null;
  failed_keys: string[];
  skipped_keys: string[];
  tool_run_id: string | null;
  url: string | null;
  started_at: Date | null;
  ended_at: Date | null;
}

const RUN_COLUMNS =
  "id, idempotency_key, status, launched_by, tick, parent_run_id, attempt, asset_keys, partition, message, cancel_requested, created_at, " +
  `to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at_precise, started_at, ended_at`;
const STEP_COLUMNS =
  "run_id, step_index, tool, location_name, targets, asset_keys, status, queue, job_id, claimed_by, attempts, heartbeat_at, progress, message, failed_keys, skipped_keys, tool_run_id, url, started_at, ended_at";

const json = <T>(value: unknown): T => (typeof value === "string" ? (JSON.parse(value) as T) : (value as T));
const iso = (value: Date | null): string | null => (value === null ? null : new Date(value).toISOString());

function toStep(row: StepRow): RunStep {
  return {
    runId: row.run_id,
    index: row.step_index,
    tool: row.tool,
    locationName: row.location_name,
    targets: json<StepTarget[]>(row.targets),
    assetKeys: row.asset_keys.map(keyFromString),
    status: row.status,
    queue: row.queue,
    jobId: row.job_id,
    claimedBy: row.claimed_by,
    attempts: row.attempts,
    heartbeatAt: iso(row.heartbeat_at),
    progress: row.progress === null ? null : json<Record<string, unknown>>(row.progress),
    message: row.message,
    failedKeys: row.failed_keys.map(keyFromString),
    skippedKeys: row.skipped_keys.map(keyFromString),
    toolRunId: row.tool_run_id,
    url: row.url,
    startedAt: iso(row.started_at),
    endedAt: iso(row.ended_at),
  };
}

function toRun(row: RunRow, steps: readonly RunStep[]): RunRecord {
  return {
    id: row.id,
    idempotencyKey: row.idempotency_key,
    status: row.status,
    launchedBy: json<LaunchedBy>(row.launched_by),
    tick: row.tick === null ? null : Number(row.tick),
    parentRunId: row.parent_run_id,
    attempt: row.attempt,
    assetKeys: row.asset_keys.map(keyFromString),
    partition: row.partition === null || row.partition === undefined ? null : json<RunPartition>(row.partition),
    message: row.message,
    cancelRequested: row.cancel_requested,
    createdAt: iso(row.created_at)!,
    createdAtPrecise: row.created_at_precise,
    startedAt: iso(row.started_at),
    endedAt: iso(row.ended_at),
    steps,
  };
}

async function withSteps(client: SqlClient, rows: readonly RunRow[]): Promise<RunRecord[]> {
  if (rows.length === 0) return [];
  const steps = await client.query<StepRow>(`SELECT ${STEP_COLUMNS} FROM run_steps WHERE run_id = ANY($1::text[]) ORDER BY run_id, step_index`, [
    rows.map((r) => r.id),
  ]);
  const byRun = new Map<string, RunStep[]>();
  for (const step of steps) {
    const list = byRun.get(step.run_id) ?? [];
    list.push(toStep(step));
    byRun.set(step.run_id, list);
  }
  return rows.map((row) => toRun(row, byRun.get(row.id) ?? []));
}

const uniqueKeys = (keys: readonly AssetKey[]): string[] => [...new Set(keys.map(keyToString))];

/**
 * Reserves a run and its steps. Returns `created: false` with the stored run when the idempotency key was
 * already taken (a tick replayed after a crash, a retried mutation): nothing is inserted twice.
 */
export async function reserveRun(client: SqlClient, run: NewRun): Promise<{ run: RunRecord; created: boolean }> {
  if (run.steps.length === 0) throw new StoreError("invalid_input", `Run ${run.id} has no steps`);
  for (const step of run.steps) {
    if (step.targets.length === 0) throw new StoreError("invalid_input", `A step of run ${run.id} has no targets`);
  }
  return client.transaction(async (tx) => {
    const tick = run.launchedBy.kind === "policy" ? run.launchedBy.tick : null;
    const inserted = await tx.query<{ id: string }>(
      `INSERT INTO runs (id, idempotency_key, status, launched_by_kind, launched_by, tick, parent_run_id, attempt, asset_keys, partition)
       VALUES ($1, $2, 'queued', $3, $4::jsonb, $5, $6, $7, $8::text[], $9::jsonb)
       ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
      [
        run.id,
        run.idempotencyKey,
        run.launchedBy.kind,
        JSON.stringify(run.launchedBy),
        tick,
        run.parentRunId ?? null,
        run.attempt ?? 1,
        uniqueKeys(run.steps.flatMap((s) => s.targets.map((t) => t.assetKey))),
        run.partition ? JSON.stringify(run.partition) : null,
      ],
    );
    if (inserted.length === 0) {
      const existing = await tx.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE idempotency_key = $1`, [run.idempotencyKey]);
      return { run: (await withSteps(tx, existing))[0]!, created: false };
    }
    for (const [index, step] of run.steps.entries()) {
      await tx.query(
        `INSERT INTO run_steps (run_id, step_index, tool, location_name, targets, asset_keys, status, queue)
         VALUES ($1, $2, $3, $4, $5::jsonb, $6::text[], 'pending', $7)`,
        [run.id, index, step.tool, step.locationName, JSON.stringify(step.targets), uniqueKeys(step.targets.map((t) => t.assetKey)), step.queue],
      );
    }
    const rows = await tx.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = $1`, [run.id]);
    return { run: (await withSteps(tx, rows))[0]!, created: true };
  });
}

/**
 * Locks a run's row until the transaction ends. Every transaction that writes a run and its steps takes this
 * lock first, as {@link claimStep} does: two of them then queue on the run instead of each holding a row the
 * other waits for (a cancel that locked a step and waited for the run while a claim held the run and waited
 * for the step was a deadlock).
 */
export async function lockRun(client: SqlClient, runId: string): Promise<void> {
  await client.query("SELECT id FROM runs WHERE id = $1 FOR UPDATE", [runId]);
}

/** Notes the job queue's id of a step's current job. */
export async function setStepJob(client: SqlClient, runId: string, stepIndex: number, jobId: string | null): Promise<void> {
  await client.query("UPDATE run_steps SET job_id = $3 WHERE run_id = $1 AND step_index = $2", [runId, stepIndex, jobId]);
}

export async function getRun(client: SqlClient, id: string): Promise<RunRecord | null> {
  const rows = await client.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = $1`, [id]);
  return (await withSteps(client, rows))[0] ?? null;
}

/** The WHERE clause and parameters of a status / asset filter, shared by the page and its count. */
function runFilterClause(filter: Pick<RunFilter, "statuses" | "assetId">): { where: string[]; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.statuses && filter.statuses.length > 0) {
    params.push([...filter.statuses]);
    where.push(`status = ANY($${params.length}::text[])`);
  }
  if (filter.assetId) {
    params.push([filter.assetId]);
    where.push(`asset_keys @> $${params.length}::text[]`);
  }
  return { where, params };
}

/** Runs newest first, filtered, one page. */
export async function listRuns(client: SqlClient, filter: RunFilter): Promise<RunRecord[]> {
  const limit = Math.max(0, Math.min(filter.first, MAX_RUNS_PAGE));
  const { where, params } = runFilterClause(filter);
  if (filter.after) {
    params.push(filter.after.createdAt, filter.after.id);
    where.push(`(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length})`);
  }
  params.push(limit);
  const rows = await client.query<RunRow>(
    `SELECT ${RUN_COLUMNS} FROM runs ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
     ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
    params,
  );
  return withSteps(client, rows);
}

/** How many runs match a filter (without paging). */
export async function countRuns(client: SqlClient, filter: Pick<RunFilter, "statuses" | "assetId">): Promise<number> {
  const { where, params } = runFilterClause(filter);
  const rows = await client.query<{ count: number }>(`SELECT count(*)::int AS count FROM runs ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}`, params);
  return Number(rows[0]?.count ?? 0);
}

/**
 * Claims a step for one worker attempt: a pending step, or a running one whose heartbeat is older than
 * `staleBefore` (its worker stopped: the claim is taken over, and the saved progress returned so the launcher
 * follows the outside work). Returns null when the step is finished, owned by a live worker, or its run was
 * canceled (then the step is marked canceled here).
 */
export async function claimStep(
  client: SqlClient,
  input: { readonly runId: string; readonly stepIndex: number; readonly claim: string; readonly worker: string; readonly staleBefore: Date },
): Promise<ClaimedStep | null> {
  return client.transaction(async (tx) => {
    const runRows = await tx.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = $1 FOR UPDATE`, [input.runId]);
    const runRow = runRows[0];
    if (!runRow) return null;
    const before = await tx.query<StepRow>(`SELECT ${STEP_COLUMNS} FROM run_steps WHERE run_id = $1 AND step_index = $2 FOR UPDATE`, [input.runId, input.stepIndex]);
    const previous = before[0];
    if (!previous) return null;
    if (runRow.cancel_requested && (previous.status === "pending" || previous.status === "running") && previous.claimed_by === null) {
      await tx.query(
        `UPDATE run_steps SET status = 'canceled', ended_at = now(), message = 'canceled before it started' WHERE run_id = $1 AND step_index = $2`,
        [input.runId, input.stepIndex],
      );
      return null;
    }
    const claimed = await tx.query<StepRow>(
      `UPDATE run_steps SET status = 'running', claim = $3, claimed_by = $4, attempts = attempts + 1, heartbeat_at = now(),
              started_at = COALESCE(started_at, now())
        WHERE run_id = $1 AND step_index = $2
          AND (status = 'pending' OR (status = 'running' AND (heartbeat_at IS NULL OR heartbeat_at < $5)))
        RETURNING ${STEP_COLUMNS}`,
      [input.runId, input.stepIndex, input.claim, input.worker, input.staleBefore],
    );
    const step = claimed[0];
    if (!step) return null;
    await tx.query(`UPDATE runs SET status = 'running', started_at = COALESCE(started_at, now()) WHERE id = $1 AND status = 'queued'`, [input.runId]);
    const run = (await withSteps(tx, await tx.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = $1`, [input.runId])))[0]!;
    const takenOver = previous.status === "running";
    return {
      run,
      step: toStep(step),
      claim: input.claim,
      takenOver,
      // A worker saves progress before any outside call that starts work, so one that stopped before its first
      // save started nothing: the step starts afresh (resume null), as on a first attempt.
      resume: takenOver && previous.progress !== null ? json<Record<string, unknown>>(previous.progress) : null,
    };
  });
}

/** Refreshes a running step's heartbeat; tells whether the claim still holds and whether a cancel was asked. */
export async function heartbeatStep(client: SqlClient, runId: string, stepIndex: number, claim: string): Promise<{ owned: boolean; cancelRequested: boolean }> {
  const rows = await client.query<{ cancel_requested: boolean }>(
    `UPDATE run_steps s SET heartbeat_at = now() FROM runs r
      WHERE s.run_id = $1 AND s.step_index = $2 AND s.claim = $3 AND s.status = 'running' AND r.id = s.run_id
      RETURNING r.cancel_requested`,
    [runId, stepIndex, claim],
  );
  return { owned: rows.length > 0, cancelRequested: rows[0]?.cancel_requested ?? false };
}

/** Saves a launcher's progress for a step it owns; false when the claim no longer holds. */
export async function saveStepProgress(client: SqlClient, runId: string, stepIndex: number, claim: string, progress: Readonly<Record<string, unknown>>): Promise<boolean> {
  const rows = await client.query(
    `UPDATE run_steps SET progress = $4::jsonb, heartbeat_at = now() WHERE run_id = $1 AND step_index = $2 AND claim = $3 AND status = 'running' RETURNING run_id`,
    [runId, stepIndex, claim, JSON.stringify(progress)],
  );
  return rows.length > 0;
}

export interface StepResult {
  readonly status: "succeeded" | "failed" | "canceled";
  readonly message: string;
  readonly failedKeys: readonly AssetKey[];
  readonly skippedKeys: readonly AssetKey[];
  readonly toolRunId?: string | null;
  readonly url?: string | null;
}

/** Records a step's outcome if the claim still holds; returns the run afterwards, or null when the claim was lost. */
export async function finishStep(client: SqlClient, runId: string, stepIndex: number, claim: string | null, result: StepResult): Promise<RunRecord | null> {
  const rows = await client.query(
    `UPDATE run_steps SET status = $4, message = $5, failed_keys = $6::text[], skipped_keys = $7::text[], tool_run_id = $8, url = $9,
            ended_at = now(), claim = NULL
      WHERE run_id = $1 AND step_index = $2 AND ${claim === null ? "status IN ('pending', 'running') AND $3::text IS NULL" : "claim = $3 AND status = 'running'"}
      RETURNING run_id`,
    [runId, stepIndex, claim, result.status, result.message, uniqueKeys(result.failedKeys), uniqueKeys(result.skippedKeys), result.toolRunId ?? null, result.url ?? null],
  );
  if (rows.length === 0) return null;
  return getRun(client, runId);
}

/** Marks the steps after `fromIndex` skipped (an earlier step failed or the run was canceled). */
export async function skipRemainingSteps(client: SqlClient, runId: string, fromIndex: number, status: "skipped" | "canceled", message: string): Promise<void> {
  await client.query(
    `UPDATE run_steps SET status = $3, message = $4, ended_at = now() WHERE run_id = $1 AND step_index >= $2 AND status = 'pending'`,
    [runId, fromIndex, status, message],
  );
}

/** Ends a run (once: a run already ended is left as it was). Returns true when this call ended it. */
export async function finishRun(client: SqlClient, runId: string, status: "succeeded" | "failed" | "canceled", message: string): Promise<boolean> {
  const rows = await client.query(
    `UPDATE runs SET status = $2, message = $3, ended_at = now(), started_at = COALESCE(started_at, now())
      WHERE id = $1 AND status IN ('queued', 'running') RETURNING id`,
    [runId, status, message],
  );
  return rows.length > 0;
}

/** Asks a run to stop: its running step's worker sees it at its next heartbeat. False when the run had ended. */
export async function requestCancel(client: SqlClient, runId: string): Promise<boolean> {
  const rows = await client.query(`UPDATE runs SET cancel_requested = true WHERE id = $1 AND status IN ('queued', 'running') RETURNING id`, [runId]);
  return rows.length > 0;
}

/** Running steps whose heartbeat is older than `staleBefore`: their workers stopped. */
export async function staleSteps(client: SqlClient, staleBefore: Date): Promise<RunStep[]> {
  const rows = await client.query<StepRow>(
    `SELECT ${STEP_COLUMNS} FROM run_steps WHERE status = 'running' AND (heartbeat_at IS NULL OR heartbeat_at < $1) ORDER BY run_id, step_index`,
    [staleBefore],
  );
  return rows.map(toStep);
}

/** Runs not yet ended, with their steps. */
export async function unfinishedRuns(client: SqlClient): Promise<RunRecord[]> {
  const rows = await client.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE status IN ('queued', 'running') ORDER BY created_at, id`);
  return withSteps(client, rows);
}

/** Appends log lines to a run. */
export async function appendRunLogs(client: SqlClient, runId: string, stepIndex: number | null, lines: readonly (RunLogInput & { readonly at?: string })[]): Promise<void> {
  if (lines.length === 0) return;
  await client.query(
    `INSERT INTO run_logs (run_id, step_index, at, level, message, asset_key, data)
     SELECT $1, $2, l.at, l.level, l.message, l.asset_key, l.data
       FROM jsonb_to_recordset($3::jsonb) AS l(at timestamptz, level text, message text, asset_key text, data jsonb)`,
    [
      runId,
      stepIndex,
      JSON.stringify(
        lines.map((line) => ({
          at: line.at ?? new Date().toISOString(),
          level: line.level,
          message: line.message,
          asset_key: line.assetKey ? keyToString(line.assetKey) : null,
          data: line.data ?? null,
        })),
      ),
    ],
  );
}

/** A run's log lines after `afterId`, oldest first. */
export async function runLogs(client: SqlClient, runId: string, options: { readonly afterId?: number; readonly limit?: number } = {}): Promise<RunLogLine[]> {
  const rows = await client.query<{ id: number; run_id: string; step_index: number | null; at: Date; level: RunLogLevel; message: string; asset_key: string | null; data: unknown }>(
    `SELECT id, run_id, step_index, at, level, message, asset_key, data FROM run_logs WHERE run_id = $1 AND id > $2 ORDER BY id LIMIT $3`,
    [runId, options.afterId ?? 0, Math.max(0, Math.min(options.limit ?? 1000, 10_000))],
  );
  return rows.map((row) => ({
    id: Number(row.id),
    runId: row.run_id,
    stepIndex: row.step_index,
    at: new Date(row.at).toISOString(),
    level: row.level,
    message: row.message,
    assetKey: row.asset_key === null ? null : keyFromString(row.asset_key),
    data: row.data === null ? null : json<Record<string, unknown>>(row.data),
  }));
}

const OUTCOMES: readonly CheckOutcome[] = ["pass", "warn", "fail", "error", "skipped"];

/** Records check results once each (same asset, check and dedupe key → kept once). */
export async function recordCheckResults(client: SqlClient, results: readonly CheckResultInput[], runId: string | null): Promise<{ inserted: number }> {
  if (results.length === 0) return { inserted: 0 };
  for (const result of results) {
    if (!OUTCOMES.includes(result.outcome)) throw new StoreError("invalid_input", `Unknown check outcome "${result.outcome}" for ${result.checkName}`);
    if (Number.isNaN(Date.parse(result.occurredAt))) throw new StoreError("invalid_input", `Invalid occurredAt "${result.occurredAt}" for ${result.checkName}`);
  }
  return client.transaction(async (tx) => {
    let inserted = 0;
    for (const r of results) {
      const rows = await tx.query(
        `INSERT INTO check_results (asset_key, check_name, outcome, failures, tool, location_name, tool_run_id, run_id, occurred_at, dedupe_key, metadata)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb)
         ON CONFLICT (asset_key, check_name, dedupe_key) DO NOTHING RETURNING id`,
        [keyToString(r.assetKey), r.checkName, r.outcome, r.failures, r.tool, r.locationName, r.toolRunId, runId, r.occurredAt, r.dedupeKey, JSON.stringify(r.metadata)],
      );
      inserted += rows.length;
    }
    return { inserted };
  });
}

interface CheckRow {
  id: number;
  asset_key: string;
  check_name: string;
  outcome: CheckOutcome;
  failures: number | null;
  tool: string;
  location_name: string;
  tool_run_id: string | null;
  run_id: string | null;
  occurred_at: Date;
  dedupe_key: string;
  metadata: unknown;
}

const CHECK_COLUMNS = "id, asset_key, check_name, outcome, failures, tool, location_name, tool_run_id, run_id, occurred_at, dedupe_key, metadata";

function toCheckResult(row: CheckRow): CheckResult {
  return {
    id: Number(row.id),
    assetKey: keyFromString(row.asset_key),
    checkName: row.check_name,
    outcome: row.outcome,
    failures: row.failures === null ? null : Number(row.failures),
    tool: row.tool,
    locationName: row.location_name,
    toolRunId: row.tool_run_id,
    runId: row.run_id,
    occurredAt: new Date(row.occurred_at).toISOString(),
    dedupeKey: row.dedupe_key,
    metadata: json<Record<string, unknown>>(row.metadata),
  };
}

/** The latest result of each check of an asset. */
export async function latestCheckResults(client: SqlClient, assetId: string): Promise<CheckResult[]> {
  const rows = await client.query<CheckRow>(
    `SELECT DISTINCT ON (check_name) ${CHECK_COLUMNS} FROM check_results WHERE asset_key = $1 ORDER BY check_name, occurred_at DESC, id DESC`,
    [assetId],
  );
  return rows.map(toCheckResult);
}

/** A check's results, newest first. */
export async function checkHistory(client: SqlClient, assetId: string, checkName: string | null, limit: number): Promise<CheckResult[]> {
  const rows = await client.query<CheckRow>(
    `SELECT ${CHECK_COLUMNS} FROM check_results WHERE asset_key = $1 AND ($2::text IS NULL OR check_name = $2)
      ORDER BY occurred_at DESC, id DESC LIMIT $3`,
    [assetId, checkName, Math.max(0, Math.min(limit, 1000))],
  );
  return rows.map(toCheckResult);
}

const RUN_EVENT_KINDS: readonly AssetEventKind[] = ["materialization", "materialization_failure"];

/** The materializations (and failed attempts) a run recorded, oldest first (at most `limit`, 1000 by default). */
export async function runAssetEvents(client: SqlClient, runId: string, options: { readonly limit?: number } = {}): Promise<AssetEvent[]> {
  const rows = await client.query<EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM asset_events WHERE tributary_run_id = $1 AND kind = ANY($2::text[]) ORDER BY occurred_at, id LIMIT $3`,
    [runId, [...RUN_EVENT_KINDS], Math.max(0, Math.min(options.limit ?? 1000, 10_000))],
  );
  return rows.map(toEvent);
}

/**
 * The check results a run recorded, oldest first. A launcher records results for its targets' checks, so
 * they are looked for under the run's asset keys (the index of check_results starts with the asset key).
 */
export async function runCheckResults(client: SqlClient, run: Pick<RunRecord, "id" | "assetKeys">, options: { readonly limit?: number } = {}): Promise<CheckResult[]> {
  const rows = await client.query<CheckRow>(
    `SELECT ${CHECK_COLUMNS} FROM check_results WHERE asset_key = ANY($1::text[]) AND run_id = $2 ORDER BY occurred_at, id LIMIT $3`,
    [uniqueKeys(run.assetKeys), run.id, Math.max(0, Math.min(options.limit ?? 1000, 10_000))],
  );
  return rows.map(toCheckResult);
}
