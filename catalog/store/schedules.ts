/**
 * Schedules' state and ticks (migration 0007). A tick is claimed by the guarded insert of its (schedule,
 * tick_at) row, in the transaction that creates its run: a second daemon, or the same one after a restart,
 * finds it claimed and does nothing (graphile-worker's and Dagster's pattern: the store, not the leader lease,
 * is what makes a tick fire once).
 */
import type { ScheduleStatus } from "../model/index.ts";
import type { SqlClient } from "./sql-client.ts";

export type ScheduleTickStatus = "launched" | "skipped" | "failed";

/** A schedule's stored state. */
export interface ScheduleStateRecord {
  readonly schedule: string;
  /** Ticks at or before this are never fired (first seen, or last started). */
  readonly since: string;
  /** A person's start / stop; null: the declared default holds. */
  readonly status: ScheduleStatus | null;
  readonly updatedAt: string;
  readonly updatedBy: string | null;
}

/** One claimed tick. */
export interface ScheduleTickRecord {
  readonly schedule: string;
  readonly tickAt: string;
  readonly status: ScheduleTickStatus;
  readonly job: string;
  readonly runId: string | null;
  readonly reason: string | null;
  readonly missed: number;
  readonly claimedBy: string;
  readonly claimedAt: string;
}

interface StateRow {
  schedule: string;
  since: Date | string;
  status: ScheduleStatus | null;
  updated_at: Date | string;
  updated_by: string | null;
}

interface TickRow {
  schedule: string;
  tick_at: Date | string;
  status: ScheduleTickStatus;
  job: string;
  run_id: string | null;
  reason: string | null;
  missed: number;
  claimed_by: string;
  claimed_at: Date | string;
}

const iso = (value: Date | string): string => new Date(value).toISOString();

function toState(row: StateRow): ScheduleStateRecord {
  return { schedule: row.schedule, since: iso(row.since), status: row.status, updatedAt: iso(row.updated_at), updatedBy: row.updated_by };
}

function toTick(row: TickRow): ScheduleTickRecord {
  return {
    schedule: row.schedule,
    tickAt: iso(row.tick_at),
    status: row.status,
    job: row.job,
    runId: row.run_id,
    reason: row.reason,
    missed: Number(row.missed),
    claimedBy: row.claimed_by,
    claimedAt: iso(row.claimed_at),
  };
}

const TICK_COLUMNS = "schedule, tick_at, status, job, run_id, reason, missed, claimed_by, claimed_at";

/** Records each schedule not seen before, from `now` on (its earlier ticks are never fired). */
export async function ensureScheduleStates(client: SqlClient, schedules: readonly string[], now: Date): Promise<void> {
  for (const schedule of schedules) {
    await client.query(`INSERT INTO schedule_states (schedule, since, updated_at) VALUES ($1, $2, $2) ON CONFLICT (schedule) DO NOTHING`, [schedule, now]);
  }
}

/** Every schedule's stored state, by name. */
export async function scheduleStates(client: SqlClient): Promise<Map<string, ScheduleStateRecord>> {
  const rows = await client.query<StateRow>(`SELECT schedule, since, status, updated_at, updated_by FROM schedule_states`);
  return new Map(rows.map((row) => [row.schedule, toState(row)]));
}

/**
 * A person starts or stops a schedule. Starting moves `since` to now: the ticks that passed while it was
 * stopped are not caught up.
 */
export async function setScheduleStatus(client: SqlClient, schedule: string, status: ScheduleStatus, by: string | null, now: Date): Promise<ScheduleStateRecord> {
  const rows = await client.query<StateRow>(
    `INSERT INTO schedule_states (schedule, since, status, updated_at, updated_by) VALUES ($1, $3, $2, $3, $4)
     ON CONFLICT (schedule) DO UPDATE SET
       status = EXCLUDED.status,
       since = CASE WHEN EXCLUDED.status = 'running' AND schedule_states.status IS DISTINCT FROM 'running' THEN EXCLUDED.since ELSE schedule_states.since END,
       updated_at = EXCLUDED.updated_at,
       updated_by = EXCLUDED.updated_by
     RETURNING schedule, since, status, updated_at, updated_by`,
    [schedule, status, now, by],
  );
  return toState(rows[0]!);
}

/** The newest claimed tick of every schedule, by name. */
export async function latestScheduleTicks(client: SqlClient): Promise<Map<string, ScheduleTickRecord>> {
  const rows = await client.query<TickRow>(`SELECT DISTINCT ON (schedule) ${TICK_COLUMNS} FROM schedule_ticks ORDER BY schedule, tick_at DESC`);
  return new Map(rows.map((row) => [row.schedule, toTick(row)]));
}

/** A schedule's claimed ticks, newest first. */
export async function scheduleTicks(client: SqlClient, schedule: string, limit: number): Promise<ScheduleTickRecord[]> {
  const rows = await client.query<TickRow>(`SELECT ${TICK_COLUMNS} FROM schedule_ticks WHERE schedule = $1 ORDER BY tick_at DESC LIMIT $2`, [schedule, limit]);
  return rows.map(toTick);
}

export interface TickClaim {
  readonly schedule: string;
  readonly tickAt: Date;
  readonly job: string;
  readonly claimedBy: string;
  readonly missed: number;
  readonly claimedAt: Date;
}

/**
 * Claims a tick: true when this call inserted it (the caller then creates its run in the same transaction and
 * records the outcome with {@link finishScheduleTick}); false when it was claimed already.
 */
export async function claimScheduleTick(tx: SqlClient, claim: TickClaim): Promise<boolean> {
  const rows = await tx.query<{ schedule: string }>(
    `INSERT INTO schedule_ticks (schedule, tick_at, status, job, missed, claimed_by, claimed_at) VALUES ($1, $2, 'skipped', $3, $4, $5, $6)
     ON CONFLICT (schedule, tick_at) DO NOTHING RETURNING schedule`,
    [claim.schedule, claim.tickAt, claim.job, claim.missed, claim.claimedBy, claim.claimedAt],
  );
  return rows.length === 1;
}

/** Records what a claimed tick did. */
export async function finishScheduleTick(
  tx: SqlClient,
  schedule: string,
  tickAt: Date,
  outcome: { readonly status: ScheduleTickStatus; readonly runId: string | null; readonly reason: string | null },
): Promise<void> {
  await tx.query(`UPDATE schedule_ticks SET status = $3, run_id = $4, reason = $5 WHERE schedule = $1 AND tick_at = $2`, [schedule, tickAt, outcome.status, outcome.runId, outcome.reason]);
}
