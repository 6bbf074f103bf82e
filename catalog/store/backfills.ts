/**
 * Backfills (migration 0008): a range of partitions of some assets, one row per partition (per partitioning),
 * each run by a run of its own. A partition's state is its run's; the row only says which run is current and
 * what it waits for. Guarantees are in SQL: a backfill is created under an idempotency key; the runs of the
 * partitions a finished partition unblocks are chosen under a row lock in the transaction that finishes it.
 */
import type { AssetKey, RunPartition } from "../model/index.ts";
import type { NewStep } from "./runs.ts";
import { keyFromString, keyToString } from "../model/index.ts";
import type { SqlClient } from "./sql-client.ts";

export interface NewBackfillPartition {
  readonly seq: number;
  /** The partitioning's name for people: `daily from 2024-01-01 (UTC)`. */
  readonly partitioning: string;
  readonly partitionKey: string;
  readonly windowStart: string;
  readonly windowEnd: string;
  readonly assetKeys: readonly AssetKey[];
  readonly dependsOn: readonly number[];
  /** The steps and partition of each run the partition gets. */
  readonly runSteps: readonly NewStep[];
  /** Null for the run that builds a backfill's unpartitioned upstream once, before its partitions. */
  readonly runPartition: RunPartition | null;
}

export interface NewBackfill {
  readonly id: string;
  readonly idempotencyKey: string;
  readonly assetKeys: readonly AssetKey[];
  readonly fromKey: string;
  readonly toKey: string;
  readonly rangeStart: string;
  readonly rangeEnd: string;
  readonly launchedBy: string | null;
  readonly partitions: readonly NewBackfillPartition[];
}

/** A partition's state: its current run's, or what it waits for. */
export type BackfillPartitionStatus = "waiting" | "queued" | "running" | "succeeded" | "failed" | "canceled" | "skipped";

/** A stored partition: what was planned for it, and its current run. */
export interface BackfillPartition extends NewBackfillPartition {
  readonly runId: string | null;
  readonly attempts: number;
  readonly status: BackfillPartitionStatus;
  readonly message: string | null;
  readonly startedAt: string | null;
  readonly endedAt: string | null;
}

export type BackfillStatus = "running" | "succeeded" | "failed" | "canceled";

export interface BackfillRecord {
  readonly id: string;
  readonly assetKeys: readonly AssetKey[];
  readonly fromKey: string;
  readonly toKey: string;
  readonly rangeStart: string;
  readonly rangeEnd: string;
  readonly launchedBy: string | null;
  readonly cancelRequested: boolean;
  readonly createdAt: string;
  readonly status: BackfillStatus;
  readonly partitions: readonly BackfillPartition[];
}

interface BackfillRow {
  id: string;
  asset_keys: string[];
  from_key: string;
  to_key: string;
  range_start: Date;
  range_end: Date;
  launched_by: string | null;
  cancel_requested: boolean;
  created_at: Date;
}

interface PartitionRow {
  backfill_id: string;
  seq: number;
  partitioning: string;
  partition_key: string;
  window_start: Date;
  window_end: Date;
  asset_keys: string[];
  depends_on: number[];
  run_steps: unknown;
  run_partition: unknown;
  run_id: string | null;
  attempts: number;
  run_status: string | null;
  run_message: string | null;
  started_at: Date | null;
  ended_at: Date | null;
}

const json = <T>(value: unknown): T => (typeof value === "string" ? (JSON.parse(value) as T) : (value as T));
const iso = (value: Date | null): string | null => (value === null ? null : new Date(value).toISOString());

/** Inserts a backfill and its partitions; false when its idempotency key exists (nothing inserted). */
export async function insertBackfill(tx: SqlClient, backfill: NewBackfill): Promise<boolean> {
  const inserted = await tx.query<{ id: string }>(
    `INSERT INTO backfills (id, idempotency_key, asset_keys, from_key, to_key, range_start, range_end, launched_by)
     VALUES ($1, $2, $3::text[], $4, $5, $6, $7, $8) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
    [backfill.id, backfill.idempotencyKey, backfill.assetKeys.map(keyToString), backfill.fromKey, backfill.toKey, backfill.rangeStart, backfill.rangeEnd, backfill.launchedBy],
  );
  if (inserted.length === 0) return false;
  const p = backfill.partitions;
  await tx.query(
    `INSERT INTO backfill_partitions (backfill_id, seq, partitioning, partition_key, window_start, window_end, asset_keys, depends_on, run_steps, run_partition)
     SELECT $1, seq, partitioning, partition_key, window_start, window_end,
            ARRAY(SELECT jsonb_array_elements_text(keys)), ARRAY(SELECT jsonb_array_elements_text(deps)::int), steps, part
     FROM unnest($2::int[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::jsonb[], $8::jsonb[], $9::jsonb[], $10::jsonb[])
       AS t(seq, partitioning, partition_key, window_start, window_end, keys, deps, steps, part)`,
    [
      backfill.id,
      p.map((x) => x.seq),
      p.map((x) => x.partitioning),
      p.map((x) => x.partitionKey),
      p.map((x) => x.windowStart),
      p.map((x) => x.windowEnd),
      p.map((x) => JSON.stringify(x.assetKeys.map(keyToString))),
      p.map((x) => JSON.stringify(x.dependsOn)),
      p.map((x) => JSON.stringify(x.runSteps)),
      p.map((x) => JSON.stringify(x.runPartition)),
    ],
  );
  return true;
}

/** Makes `runId` the partition's current run. */
export async function setPartitionRun(tx: SqlClient, backfillId: string, seq: number, runId: string): Promise<void> {
  await tx.query("UPDATE backfill_partitions SET run_id = $3, attempts = attempts + 1 WHERE backfill_id = $1 AND seq = $2", [backfillId, seq, runId]);
}

/** The backfill partition a run is the current run of. */
export async function partitionOfRun(tx: SqlClient, runId: string): Promise<{ readonly backfillId: string; readonly seq: number } | null> {
  const rows = await tx.query<{ backfill_id: string; seq: number }>("SELECT backfill_id, seq FROM backfill_partitions WHERE run_id = $1", [runId]);
  return rows[0] ? { backfillId: rows[0].backfill_id, seq: rows[0].seq } : null;
}

/**
 * The partitions of a backfill with no run whose every dependency's current run succeeded (locked): those to
 * send now. `afterSeq`, when given, keeps only those that depend on it (the one that just succeeded).
 */
export async function readyPartitions(tx: SqlClient, backfillId: string, afterSeq: number | null): Promise<BackfillPartition[]> {
  const rows = await tx.query<PartitionRow>(
    `SELECT p.*, NULL AS run_status, NULL AS run_message, NULL::timestamptz AS started_at, NULL::timestamptz AS ended_at
     FROM backfill_partitions p
     WHERE p.backfill_id = $1 AND p.run_id IS NULL AND ($2::int IS NULL OR $2::int = ANY (p.depends_on))
       AND NOT EXISTS (
         SELECT 1 FROM backfill_partitions q LEFT JOIN runs r ON r.id = q.run_id
         WHERE q.backfill_id = p.backfill_id AND q.seq = ANY (p.depends_on) AND (r.status IS NULL OR r.status <> 'succeeded'))
     ORDER BY p.seq
     FOR UPDATE OF p`,
    [backfillId, afterSeq],
  );
  return rows.map((row) => toPartition(row));
}

/** The partitions whose current run failed or was canceled, or that were skipped (locked): what a re-run sends again. */
export async function unfinishedPartitions(tx: SqlClient, backfillId: string): Promise<BackfillPartition[]> {
  const record = await getBackfill(tx, backfillId);
  if (!record) return [];
  await tx.query("SELECT seq FROM backfill_partitions WHERE backfill_id = $1 FOR UPDATE", [backfillId]);
  return record.partitions.filter((p) => p.status === "failed" || p.status === "canceled" || p.status === "skipped");
}

/** Forgets a partition's current run (it is to be sent again once its dependencies succeed). */
export async function clearPartitionRun(tx: SqlClient, backfillId: string, seq: number): Promise<void> {
  await tx.query("UPDATE backfill_partitions SET run_id = NULL WHERE backfill_id = $1 AND seq = $2", [backfillId, seq]);
}

export async function requestBackfillCancel(client: SqlClient, backfillId: string): Promise<boolean> {
  const rows = await client.query<{ id: string }>("UPDATE backfills SET cancel_requested = true WHERE id = $1 RETURNING id", [backfillId]);
  return rows.length > 0;
}

function toPartition(row: PartitionRow, failedSeqs: ReadonlySet<number> = new Set(), canceled = false): BackfillPartition {
  let status: BackfillPartitionStatus;
  if (row.run_id === null) status = row.depends_on.some((seq) => failedSeqs.has(seq)) ? "skipped" : canceled ? "canceled" : "waiting";
  else status = (row.run_status ?? "queued") as BackfillPartitionStatus;
  return {
    seq: row.seq,
    partitioning: row.partitioning,
    partitionKey: row.partition_key,
    windowStart: iso(row.window_start)!,
    windowEnd: iso(row.window_end)!,
    assetKeys: row.asset_keys.map(keyFromString),
    dependsOn: row.depends_on.map(Number),
    runSteps: json<NewStep[]>(row.run_steps),
    runPartition: json<RunPartition | null>(row.run_partition) ?? null,
    runId: row.run_id,
    attempts: row.attempts,
    status,
    message: status === "skipped" ? "not run: a partition it depends on did not succeed" : row.run_message,
    startedAt: iso(row.started_at),
    endedAt: iso(row.ended_at),
  };
}

function withPartitions(row: BackfillRow, partitionRows: readonly PartitionRow[]): BackfillRecord {
  // A waiting partition whose dependency ended without success (or was skipped itself) will not run: skipped.
  // Dependencies always have lower seqs, so one pass in seq order sees them first.
  const failed = new Set<number>();
  for (const p of [...partitionRows].sort((a, b) => a.seq - b.seq)) {
    if (p.run_id !== null ? p.run_status === "failed" || p.run_status === "canceled" : p.depends_on.some((seq) => failed.has(seq))) failed.add(p.seq);
  }
  const partitions = partitionRows.map((p) => toPartition(p, failed, row.cancel_requested));
  const active = partitions.some((p) => p.status === "queued" || p.status === "running" || (p.status === "waiting" && !row.cancel_requested));
  const status: BackfillStatus = active
    ? "running"
    : row.cancel_requested && partitions.some((p) => p.status !== "succeeded")
      ? "canceled"
      : partitions.every((p) => p.status === "succeeded")
        ? "succeeded"
        : "failed";
  return {
    id: row.id,
    assetKeys: row.asset_keys.map(keyFromString),
    fromKey: row.from_key,
    toKey: row.to_key,
    rangeStart: iso(row.range_start)!,
    rangeEnd: iso(row.range_end)!,
    launchedBy: row.launched_by,
    cancelRequested: row.cancel_requested,
    createdAt: iso(row.created_at)!,
    status,
    partitions,
  };
}

const PARTITIONS_WITH_RUNS = `SELECT p.*, r.status AS run_status, r.message AS run_message, r.started_at, r.ended_at
  FROM backfill_partitions p LEFT JOIN runs r ON r.id = p.run_id`;

export async function getBackfill(client: SqlClient, id: string): Promise<BackfillRecord | null> {
  const rows = await client.query<BackfillRow>("SELECT * FROM backfills WHERE id = $1", [id]);
  if (!rows[0]) return null;
  const partitions = await client.query<PartitionRow>(`${PARTITIONS_WITH_RUNS} WHERE p.backfill_id = $1 ORDER BY p.seq`, [id]);
  return withPartitions(rows[0], partitions);
}

/** Backfills newest first (at most 200), optionally only those of an asset. */
export async function listBackfills(client: SqlClient, options: { readonly first: number; readonly assetId?: string | null }): Promise<BackfillRecord[]> {
  const limit = Math.max(0, Math.min(options.first, 200));
  const rows = options.assetId
    ? await client.query<BackfillRow>("SELECT * FROM backfills WHERE asset_keys @> $1::text[] ORDER BY created_at DESC, id DESC LIMIT $2", [[options.assetId], limit])
    : await client.query<BackfillRow>("SELECT * FROM backfills ORDER BY created_at DESC, id DESC LIMIT $1", [limit]);
  if (rows.length === 0) return [];
  const partitions = await client.query<PartitionRow>(`${PARTITIONS_WITH_RUNS} WHERE p.backfill_id = ANY($1::text[]) ORDER BY p.backfill_id, p.seq`, [rows.map((r) => r.id)]);
  const byBackfill = new Map<string, PartitionRow[]>();
  for (const p of partitions) {
    const list = byBackfill.get(p.backfill_id) ?? [];
    list.push(p);
    byBackfill.set(p.backfill_id, list);
  }
  return rows.map((row) => withPartitions(row, byBackfill.get(row.id) ?? []));
}
