/**
 * What the scheduler's tick reads and writes (migrations 0002–0004): the latest events per asset with the run
 * that produced them, the runs in progress, the cursor (moved only from the evaluation id it was read at) and
 * the tick log.
 */
import type { SqlClient } from "./sql-client.ts";

/** The newest event of one kind for one asset, with the selection of the Tributary run that recorded it. */
export interface LatestEventRow {
  readonly assetId: string;
  readonly id: number;
  readonly occurredAt: string;
  readonly tributaryRunId: string | null;
  /** The asset ids the run targeted; null when no Tributary run recorded the event. */
  readonly runAssetIds: readonly string[] | null;
  readonly dataVersion: string | null;
}

/** Everything one tick needs from the store, read in one transaction so it is one consistent snapshot. */
export interface AutomationInputs {
  readonly lastEventId: number;
  readonly materializations: readonly LatestEventRow[];
  readonly failures: readonly LatestEventRow[];
  readonly observations: readonly LatestEventRow[];
  /** Asset ids targeted by runs not yet ended, with one such run's id. */
  readonly inProgress: ReadonlyMap<string, string>;
}

interface Row {
  asset_key: string;
  id: number;
  occurred_at: Date;
  tributary_run_id: string | null;
  run_asset_keys: string[] | null;
  data_version: string | null;
}

async function latest(client: SqlClient, kind: string): Promise<LatestEventRow[]> {
  const rows = await client.query<Row>(
    `SELECT DISTINCT ON (e.asset_key) e.asset_key, e.id, e.occurred_at, e.tributary_run_id, r.asset_keys AS run_asset_keys,
            e.metadata->>'data_version' AS data_version
       FROM asset_events e LEFT JOIN runs r ON r.id = e.tributary_run_id
      WHERE e.kind = $1
      ORDER BY e.asset_key, e.occurred_at DESC, e.id DESC`,
    [kind],
  );
  return rows.map((row) => ({
    assetId: row.asset_key,
    id: Number(row.id),
    occurredAt: new Date(row.occurred_at).toISOString(),
    tributaryRunId: row.tributary_run_id,
    runAssetIds: row.run_asset_keys,
    dataVersion: row.data_version,
  }));
}

/** Reads the tick's inputs. Call it inside the tick's transaction. */
export async function readAutomationInputs(client: SqlClient): Promise<AutomationInputs> {
  const max = await client.query<{ max: number | null }>("SELECT max(id) AS max FROM asset_events");
  const materializations = await latest(client, "materialization");
  const failures = await latest(client, "materialization_failure");
  const observations = await latest(client, "observation");
  const running = await client.query<{ id: string; asset_keys: string[] }>(
    "SELECT id, asset_keys FROM runs WHERE status IN ('queued', 'running') ORDER BY created_at, id",
  );
  const inProgress = new Map<string, string>();
  for (const run of running) for (const key of run.asset_keys) if (!inProgress.has(key)) inProgress.set(key, run.id);
  return { lastEventId: Number(max[0]?.max ?? 0), materializations, failures, observations, inProgress };
}

/** The stored cursor, locked until the transaction ends; null before the first tick. */
export async function readCursor<T>(client: SqlClient, options: { readonly lock: boolean }): Promise<{ evaluationId: number; cursor: T } | null> {
  const rows = await client.query<{ evaluation_id: number; cursor: unknown }>(
    `SELECT evaluation_id, cursor FROM automation_cursor WHERE id = 1${options.lock && client.dialect === "postgres" ? " FOR UPDATE" : ""}`,
  );
  const row = rows[0];
  if (!row) return null;
  return { evaluationId: Number(row.evaluation_id), cursor: (typeof row.cursor === "string" ? JSON.parse(row.cursor) : row.cursor) as T };
}

/**
 * Moves the cursor from `previousEvaluationId` (null: no cursor yet) to `evaluationId`. Returns false, writing
 * nothing, when another tick moved it first: the caller must roll its tick back.
 */
export async function writeCursor(client: SqlClient, previousEvaluationId: number | null, evaluationId: number, cursor: unknown): Promise<boolean> {
  const rows =
    previousEvaluationId === null
      ? await client.query(
          `INSERT INTO automation_cursor (id, evaluation_id, cursor) VALUES (1, $1, $2::jsonb) ON CONFLICT (id) DO NOTHING RETURNING id`,
          [evaluationId, JSON.stringify(cursor)],
        )
      : await client.query(
          `UPDATE automation_cursor SET evaluation_id = $2, cursor = $3::jsonb, updated_at = now() WHERE id = 1 AND evaluation_id = $1 RETURNING id`,
          [previousEvaluationId, evaluationId, JSON.stringify(cursor)],
        );
  return rows.length > 0;
}

export interface TickRecord {
  readonly evaluationId: number;
  readonly evaluatedAt: string;
  readonly leader: string;
  readonly evaluated: number;
  readonly requested: number;
  readonly runIds: readonly string[];
  readonly durationMs: number;
}

export async function recordTick(client: SqlClient, tick: TickRecord): Promise<void> {
  await client.query(
    `INSERT INTO automation_ticks (evaluation_id, evaluated_at, leader, evaluated, requested, run_ids, duration_ms)
     VALUES ($1, $2, $3, $4, $5, $6::text[], $7) ON CONFLICT (evaluation_id) DO NOTHING`,
    [tick.evaluationId, tick.evaluatedAt, tick.leader, tick.evaluated, tick.requested, [...tick.runIds], tick.durationMs],
  );
}

/** The latest ticks, newest first. */
export async function latestTicks(client: SqlClient, limit: number): Promise<TickRecord[]> {
  const rows = await client.query<{ evaluation_id: number; evaluated_at: Date; leader: string; evaluated: number; requested: number; run_ids: string[]; duration_ms: number }>(
    `SELECT evaluation_id, evaluated_at, leader, evaluated, requested, run_ids, duration_ms FROM automation_ticks ORDER BY evaluation_id DESC LIMIT $1`,
    [Math.max(0, Math.min(limit, 1000))],
  );
  return rows.map((row) => ({
    evaluationId: Number(row.evaluation_id),
    evaluatedAt: new Date(row.evaluated_at).toISOString(),
    leader: row.leader,
    evaluated: row.evaluated,
    requested: row.requested,
    runIds: row.run_ids,
    durationMs: row.duration_ms,
  }));
}
