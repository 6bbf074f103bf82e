/**
 * What the scheduler's tick reads and writes (migrations 0002–0004, 0009, 0012): the latest events per asset with
 * the run that produced them, the runs in progress, the cursor (moved only from the evaluation id it was read at)
 * with what its tick read of recent partition events, the snapshot a stopping daemon leaves with it, and the
 * tick log.
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
  /** The database's time of the read (its transaction's start, `now()`), on the clock that writes `recorded_at`. */
  readonly readAt: Date;
  readonly materializations: readonly LatestEventRow[];
  /**
   * The newest materialization per asset that a Tributary run recorded (`tributary_run_id` set): what ends an
   * `execution_failed` in Dagster, where a materialization made outside a run (an observed sync, a reported
   * build) does not.
   */
  readonly runMaterializations: readonly LatestEventRow[];
  readonly failures: readonly LatestEventRow[];
  readonly observations: readonly LatestEventRow[];
  /** Asset ids targeted by runs not yet ended, with one such run's id. */
  readonly inProgress: ReadonlyMap<string, string>;
}

interface Row {
  asset_key: string;
  kind?: string;
  id: number;
  occurred_at: Date;
  tributary_run_id: string | null;
  run_asset_keys: string[] | null;
  data_version: string | null;
}

const EVENT_SELECT = `SELECT e.asset_key, e.kind, e.id, e.occurred_at, e.tributary_run_id, r.asset_keys AS run_asset_keys,
            e.metadata->>'data_version' AS data_version
       FROM asset_events e LEFT JOIN runs r ON r.id = e.tributary_run_id`;

function toLatest(row: Row): LatestEventRow {
  return {
    assetId: row.asset_key,
    id: Number(row.id),
    occurredAt: new Date(row.occurred_at).toISOString(),
    tributaryRunId: row.tributary_run_id,
    runAssetIds: row.run_asset_keys,
    dataVersion: row.data_version,
  };
}

/**
 * How long an event's transaction can take, at most, from its start (its `recorded_at`, the default `now()`) to
 * its commit. On a Postgres server event ids come from a sequence and concurrent transactions commit in any
 * order, so an event can become visible after a read that saw a higher id; one that commits later than this
 * after it started is not looked for. Reads that advance by id reach back this far by `recorded_at`, on the
 * database's clock (the tick's read, {@link readAutomationChanges}; the partition status cache and the partition
 * materializations newly updated, partitions.ts). An event is recorded in a short transaction of its own: 15 s is
 * far more than one takes.
 */
export const EVENT_COMMIT_OVERLAP_MS = 15_000;

/** An event row of the incremental read, with its kind. */
export interface EventRow extends LatestEventRow {
  readonly kind: "materialization" | "materialization_failure" | "observation";
}

/** The runs not yet ended, asset id → one such run's id. */
async function runsInProgress(client: SqlClient): Promise<Map<string, string>> {
  const running = await client.query<{ id: string; asset_keys: string[] }>(
    "SELECT id, asset_keys FROM runs WHERE status IN ('queued', 'running') ORDER BY created_at, id",
  );
  const inProgress = new Map<string, string>();
  for (const run of running) for (const key of run.asset_keys) if (!inProgress.has(key)) inProgress.set(key, run.id);
  return inProgress;
}

/** Reads the tick's inputs in full. Call it inside the tick's transaction. */
export async function readAutomationInputs(client: SqlClient): Promise<AutomationInputs> {
  const max = await client.query<{ max: number | null; now: Date }>("SELECT max(id) AS max, now() AS now FROM asset_events");
  const rows = await client.query<Row & { kind: EventRow["kind"] }>(
    `SELECT DISTINCT ON (e.asset_key, e.kind) ${EVENT_SELECT.replace("SELECT ", "")}
      ORDER BY e.asset_key, e.kind, e.occurred_at DESC, e.id DESC`,
  );
  const of = (kind: EventRow["kind"]) => rows.filter((row) => row.kind === kind).map(toLatest);
  const byRun = await client.query<Row>(
    `SELECT DISTINCT ON (e.asset_key) ${EVENT_SELECT.replace("SELECT ", "")}
      WHERE e.kind = 'materialization' AND e.tributary_run_id IS NOT NULL
      ORDER BY e.asset_key, e.occurred_at DESC, e.id DESC`,
  );
  return {
    lastEventId: Number(max[0]?.max ?? 0),
    readAt: new Date(max[0]!.now),
    materializations: of("materialization"),
    runMaterializations: byRun.map(toLatest),
    failures: of("materialization_failure"),
    observations: of("observation"),
    inProgress: await runsInProgress(client),
  };
}

/** `recorded_at` reaches back this far before `$at` (SQL, on the database's clock): the overlap of a read. */
const overlapBefore = (at: string, overlapMs: string): string => `${at} - make_interval(secs => ${overlapMs}::float8 / 1000)`;

/**
 * What changed since a previous read: events with an id above `afterId`, or recorded less than `overlapMs`
 * before `previousReadAt` (an event whose transaction committed late can carry a lower id than one already
 * read), and the runs in progress now. Merging them into the previous inputs by (occurredAt, id) gives the full
 * read's answer. `previousReadAt` is the database's time of the previous read ({@link AutomationInputs.readAt}):
 * the window is reckoned on the clock that wrote `recorded_at`, so a host whose clock is off does not shrink it.
 */
export async function readAutomationChanges(
  client: SqlClient,
  afterId: number,
  previousReadAt: Date,
  overlapMs: number = EVENT_COMMIT_OVERLAP_MS,
): Promise<{ events: EventRow[]; inProgress: Map<string, string>; readAt: Date }> {
  const now = await client.query<{ now: Date }>("SELECT now() AS now");
  const rows = await client.query<Row & { kind: EventRow["kind"] }>(
    `${EVENT_SELECT} WHERE e.id > $1 OR e.recorded_at > ${overlapBefore("LEAST($2::timestamptz, now())", "$3")} ORDER BY e.id`,
    [afterId, previousReadAt, overlapMs],
  );
  return { events: rows.map((row) => ({ ...toLatest(row), kind: row.kind })), inProgress: await runsInProgress(client), readAt: new Date(now[0]!.now) };
}

/** The cursor's head: the tick that wrote it. */
export interface CursorHead {
  readonly evaluationId: number;
  readonly evaluatedAt: number;
  readonly lastEventId: number;
  /**
   * What that tick read of partition materializations (migration 0012), as the stored head has it; absent in a
   * head built in memory, null when the stored cursor was written before it was kept.
   */
  readonly partitionEvents?: PartitionEventsRead | null;
}

/** What a tick read of partition materializations, for the next tick's count of the newly updated ones. */
export interface PartitionEventsRead {
  /** The database's time of the tick's read (its transaction's start). */
  readonly readAt: Date;
  /**
   * The partition materializations the tick had seen (counted as newly updated then or on an earlier tick, or
   * there before the first) that were recorded less than EVENT_COMMIT_OVERLAP_MS before `readAt`: the next
   * tick's look back for late commits finds them again and must not count them twice.
   */
  readonly recentIds: readonly number[];
}

/** The stored cursor's head, locked until the transaction ends; null before the first tick. */
export async function readCursorHead(client: SqlClient, options: { readonly lock: boolean }): Promise<CursorHead | null> {
  const rows = await client.query<{ evaluation_id: number; evaluated_at: Date; last_event_id: number; read_at: Date | null; recent_partition_event_ids: (string | number)[] | null }>(
    `SELECT evaluation_id, evaluated_at, last_event_id, read_at, recent_partition_event_ids
       FROM automation_cursor WHERE id = 1${options.lock && client.dialect === "postgres" ? " FOR UPDATE" : ""}`,
  );
  const row = rows[0];
  if (!row) return null;
  return {
    evaluationId: Number(row.evaluation_id),
    evaluatedAt: new Date(row.evaluated_at).getTime(),
    lastEventId: Number(row.last_event_id),
    partitionEvents: row.read_at === null ? null : { readAt: new Date(row.read_at), recentIds: (row.recent_partition_event_ids ?? []).map(Number) },
  };
}

/** Every asset's stored cursor (as JSON values). */
export async function readAssetCursors(client: SqlClient): Promise<Map<string, unknown>> {
  const rows = await client.query<{ asset_key: string; cursor: unknown }>("SELECT asset_key, cursor FROM automation_asset_cursors");
  return new Map(rows.map((row) => [row.asset_key, typeof row.cursor === "string" ? JSON.parse(row.cursor) : row.cursor]));
}

/**
 * Moves the cursor from `previousEvaluationId` (null: no cursor yet) to `head`, writing the asset cursors that
 * changed and deleting the removed ones. Returns false, writing nothing, when another tick moved it first:
 * the caller must roll its tick back. The head's read time is this transaction's `now()` (the tick's reads ran
 * in it), with `recentPartitionEventIds` (see {@link PartitionEventsRead.recentIds}).
 */
export async function writeCursor(
  client: SqlClient,
  previousEvaluationId: number | null,
  head: CursorHead,
  changed: readonly (readonly [string, unknown])[],
  removed: readonly string[],
  recentPartitionEventIds: readonly number[] = [],
): Promise<boolean> {
  const params = [head.evaluationId, new Date(head.evaluatedAt), head.lastEventId, [...recentPartitionEventIds]];
  const rows =
    previousEvaluationId === null
      ? await client.query(
          `INSERT INTO automation_cursor (id, evaluation_id, evaluated_at, last_event_id, read_at, recent_partition_event_ids)
           VALUES (1, $1, $2, $3, now(), $4::bigint[]) ON CONFLICT (id) DO NOTHING RETURNING id`,
          params,
        )
      : await client.query(
          // The snapshot was of the previous cursor (migration 0009): a moved cursor drops it.
          `UPDATE automation_cursor SET evaluation_id = $1, evaluated_at = $2, last_event_id = $3, read_at = now(), recent_partition_event_ids = $4::bigint[],
             snapshot = NULL, updated_at = now() WHERE id = 1 AND evaluation_id = $5 RETURNING id`,
          [...params, previousEvaluationId],
        );
  if (rows.length === 0) return false;
  for (let i = 0; i < changed.length; i += 1000) {
    const slice = changed.slice(i, i + 1000);
    await client.query(
      `INSERT INTO automation_asset_cursors (asset_key, cursor)
       SELECT c.asset_key, c.cursor FROM jsonb_to_recordset($1::jsonb) AS c(asset_key text, cursor jsonb)
       ON CONFLICT (asset_key) DO UPDATE SET cursor = EXCLUDED.cursor`,
      [JSON.stringify(slice.map(([assetKey, cursor]) => ({ asset_key: assetKey, cursor })))],
    );
  }
  if (removed.length > 0) await client.query("DELETE FROM automation_asset_cursors WHERE asset_key = ANY($1::text[])", [[...removed]]);
  return true;
}

/**
 * The snapshot of the daemon's state stored with the cursor (migration 0009), with the head it was written at;
 * null when there is none (never written, or a tick moved the cursor since).
 */
export async function readCursorSnapshot(client: SqlClient): Promise<{ head: CursorHead; data: Uint8Array } | null> {
  const rows = await client.query<{ evaluation_id: number; evaluated_at: Date; last_event_id: number; snapshot: Uint8Array | null }>(
    "SELECT evaluation_id, evaluated_at, last_event_id, snapshot FROM automation_cursor WHERE id = 1 AND snapshot IS NOT NULL",
  );
  const row = rows[0];
  if (!row?.snapshot) return null;
  return {
    head: { evaluationId: Number(row.evaluation_id), evaluatedAt: new Date(row.evaluated_at).getTime(), lastEventId: Number(row.last_event_id) },
    data: row.snapshot,
  };
}

/** Stores a snapshot of the daemon's state at `head`; false (nothing written) when the cursor has moved on since. */
export async function writeCursorSnapshot(client: SqlClient, head: CursorHead, data: Uint8Array): Promise<boolean> {
  const rows = await client.query(
    "UPDATE automation_cursor SET snapshot = $1 WHERE id = 1 AND evaluation_id = $2 AND evaluated_at = $3 AND last_event_id = $4 RETURNING id",
    [data, head.evaluationId, new Date(head.evaluatedAt), head.lastEventId],
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
