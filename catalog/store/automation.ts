/**
 * What the scheduler's tick reads and writes (migrations 0002–0004, 0009, 0012, 0013): the latest events per asset
 * with the run that produced them, the updates the previous tick did not see, the runs in progress, the cursor
 * (moved only from the evaluation id it was read at) with the recent updates its tick saw, the snapshot a
 * stopping daemon leaves with it, and the tick log.
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
 * database's clock (the tick's read, {@link readAutomationChanges}; the updates newly seen, {@link updatesUnseen};
 * the partition status cache, partitions.ts). An event is recorded in a short transaction of its own: 15 s is
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
   * What that tick read of the updates (migrations 0012, 0013), as the stored head has it; absent in a head built
   * in memory, null when the stored cursor was written before it was kept.
   */
  readonly updatesRead?: UpdatesRead | null;
}

/** What a tick read of materializations and observations, for the next tick's count of the newly updated ones. */
export interface UpdatesRead {
  /** The database's time of the tick's read (its transaction's start). */
  readonly readAt: Date;
  /**
   * The materializations and observations the tick had seen (counted as newly updated then or on an earlier tick,
   * or there before the first) that were recorded less than EVENT_COMMIT_OVERLAP_MS before `readAt`: the next
   * tick's look back for late commits finds them again and must not count them twice.
   */
  readonly recentIds: readonly number[];
}

/** The stored cursor's head, locked until the transaction ends; null before the first tick. */
export async function readCursorHead(client: SqlClient, options: { readonly lock: boolean }): Promise<CursorHead | null> {
  const rows = await client.query<{ evaluation_id: number; evaluated_at: Date; last_event_id: number; read_at: Date | null; recent_event_ids: (string | number)[] | null }>(
    `SELECT evaluation_id, evaluated_at, last_event_id, read_at, recent_event_ids
       FROM automation_cursor WHERE id = 1${options.lock && client.dialect === "postgres" ? " FOR UPDATE" : ""}`,
  );
  const row = rows[0];
  if (!row) return null;
  return {
    evaluationId: Number(row.evaluation_id),
    evaluatedAt: new Date(row.evaluated_at).getTime(),
    lastEventId: Number(row.last_event_id),
    updatesRead: row.read_at === null ? null : { readAt: new Date(row.read_at), recentIds: (row.recent_event_ids ?? []).map(Number) },
  };
}

/** An update (a materialization or an observation) the previous tick did not see. */
export interface UnseenUpdateRow {
  readonly id: number;
  /** The key the event was recorded under (the asset's id or one of its aliases). */
  readonly assetKey: string;
  readonly kind: "materialization" | "observation";
  readonly partitionKey: string | null;
  /** Epoch ms. */
  readonly occurredAt: number;
  /**
   * Its id is not above the previous tick's last event id, yet that tick did not see it: its transaction
   * committed after that tick's read (a Postgres server's ids come from a sequence). Newly updated all the same.
   */
  readonly committedLate: boolean;
}

/** What the previous tick read: its last event id, and what it read of the updates (if known). */
export interface PreviousUpdatesRead {
  readonly lastEventId: number;
  /** Absent or null: not known (see below). A cursor's head ({@link CursorHead}) is one. */
  readonly updatesRead?: UpdatesRead | null;
}

/**
 * The materializations and observations the previous tick did not see, oldest first (what `newly_updated`
 * counts, per asset and per partition), and the ids to remember for the next tick ({@link UpdatesRead.recentIds}).
 *
 * Not seen: an id above the previous tick's last event id, or a lower one that committed after its read. The
 * latter are looked for among the events recorded less than {@link EVENT_COMMIT_OVERLAP_MS} before that read
 * (a transaction that commits after a read started less than that before it), less those the previous tick
 * remembered having seen. Every time is the database's (`now()`, the clock that writes `recorded_at`): this
 * transaction's start, the same `now()` the cursor's `read_at` is written with. `previous` null (the first
 * tick): nothing is new, but what is recent is remembered. A previous tick that remembered nothing (a cursor
 * written before migration 0013) counts the ids above its last event id only. What is read is what arrived
 * since the previous tick and the overlap's events: a settled tick reads nothing.
 *
 * Read up to `throughId`, this tick's last event id: a statement of a READ COMMITTED transaction sees what
 * committed before it, so a higher id may have committed since the tick's other reads; the next tick counts it.
 */
export async function updatesUnseen(client: SqlClient, previous: PreviousUpdatesRead | null, throughId: number): Promise<{ rows: UnseenUpdateRow[]; recentIds: number[] }> {
  const overlap = (at: string) => `${at} - make_interval(secs => $3::float8 / 1000)`;
  const read = await client.query<{ id: string | number; asset_key: string; kind: UnseenUpdateRow["kind"]; partition_key: string | null; occurred_at: Date | string; recent: boolean }>(
    `SELECT id, asset_key, kind, partition_key, occurred_at, recorded_at > ${overlap("now()")} AS recent FROM asset_events
     WHERE kind IN ('materialization', 'observation') AND id <= $4
       AND (id > $1 OR recorded_at > ${overlap("LEAST(COALESCE($2::timestamptz, now()), now())")})
     ORDER BY id`,
    [previous?.lastEventId ?? Number.MAX_SAFE_INTEGER, previous?.updatesRead?.readAt ?? null, EVENT_COMMIT_OVERLAP_MS, throughId],
  );
  const seen = previous?.updatesRead ? new Set(previous.updatesRead.recentIds) : null;
  const rows: UnseenUpdateRow[] = [];
  const recentIds: number[] = [];
  for (const row of read) {
    const id = Number(row.id);
    if (row.recent) recentIds.push(id);
    if (previous === null) continue;
    const committedLate = id <= previous.lastEventId;
    // A late one is known only from what the previous tick remembered having seen.
    if (committedLate && (seen === null || seen.has(id))) continue;
    rows.push({ id, assetKey: row.asset_key, kind: row.kind, partitionKey: row.partition_key, occurredAt: new Date(row.occurred_at).getTime(), committedLate });
  }
  return { rows, recentIds };
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
 * in it), with `recentEventIds` (see {@link UpdatesRead.recentIds}).
 */
export async function writeCursor(
  client: SqlClient,
  previousEvaluationId: number | null,
  head: CursorHead,
  changed: readonly (readonly [string, unknown])[],
  removed: readonly string[],
  recentEventIds: readonly number[] = [],
): Promise<boolean> {
  const params = [head.evaluationId, new Date(head.evaluatedAt), head.lastEventId, [...recentEventIds]];
  const rows =
    previousEvaluationId === null
      ? await client.query(
          `INSERT INTO automation_cursor (id, evaluation_id, evaluated_at, last_event_id, read_at, recent_event_ids)
           VALUES (1, $1, $2, $3, now(), $4::bigint[]) ON CONFLICT (id) DO NOTHING RETURNING id`,
          params,
        )
      : await client.query(
          // The stop snapshot, of an earlier cursor, stays: it is stale once the cursor moves, which its own
          // evaluation id tells (migration 0014); clearing it here cost its TOAST chunks' deletion in this tick.
          `UPDATE automation_cursor SET evaluation_id = $1, evaluated_at = $2, last_event_id = $3, read_at = now(), recent_event_ids = $4::bigint[],
             updated_at = now() WHERE id = 1 AND evaluation_id = $5 RETURNING id`,
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
 * null when there is none (never written, or a tick moved the cursor since: it is then stale, and left in place
 * until the next stop overwrites it, migration 0014).
 */
export async function readCursorSnapshot(client: SqlClient): Promise<{ head: CursorHead; data: Uint8Array } | null> {
  const rows = await client.query<{ evaluation_id: number; evaluated_at: Date; last_event_id: number; snapshot: Uint8Array | null }>(
    `SELECT evaluation_id, evaluated_at, last_event_id, snapshot FROM automation_cursor
      WHERE id = 1 AND snapshot IS NOT NULL AND snapshot_evaluation_id = evaluation_id`,
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
    "UPDATE automation_cursor SET snapshot = $1, snapshot_evaluation_id = $2 WHERE id = 1 AND evaluation_id = $2 AND evaluated_at = $3 AND last_event_id = $4 RETURNING id",
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
