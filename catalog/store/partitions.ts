/**
 * Per-partition state of partitioned assets (migration 0008), as Dagster's partition status cache keeps it:
 * per asset, sorted ranges of partition indexes that are materialized and failed (the latest outcome of each
 * partition, by event id, wins), the fingerprint of the definition the indexes were counted with, and the id of
 * the last event folded in. Reading folds in only the newer partition events; a definition whose fingerprint
 * changed (a new start date, another cadence) is recounted from its events. In progress is not cached: it is the
 * partitions of the runs queued or running now.
 *
 * What is stored is only ever final. On a Postgres server event ids come from a sequence and concurrent
 * transactions commit in any order (two partition runs of one asset, each recording its outcome in its own
 * transaction): an event can become visible after a read that saw a higher id. So the stored position advances
 * only to events after which no lower id can still commit (see {@link partitionStatuses}); the newer ones are
 * folded onto the stored state by every read, in id order, until they are final. Folding is not idempotent (a
 * materialization folded again after a later failure would clear it), which is why the tick's way (re-read a
 * window of `recorded_at` and merge what was seen twice) is not used as is: nothing is folded onto a state that
 * already holds it. On PGlite one connection runs one transaction at a time, so ids commit in order and every
 * event read is final.
 *
 * 10,000 assets × 365 daily partitions built in one stretch are 10,000 small rows of one range each, not
 * 3.65 million rows.
 */
import type { IndexRanges, PartitionStatus, PartitionsDefinition } from "../model/index.ts";
import { normalizeRanges, partitionCalendar, partitionsFingerprint, rangesAdd, rangesRemove } from "../model/index.ts";
import { EVENT_COMMIT_OVERLAP_MS } from "./automation.ts";
import type { SqlClient } from "./sql-client.ts";

/** One partitioned asset whose status is wanted. */
export interface PartitionedAsset {
  readonly assetId: string;
  readonly definition: PartitionsDefinition;
}

interface StatusRow {
  asset_key: string;
  fingerprint: string;
  last_event_id: string | number;
  materialized: unknown;
  failed: unknown;
}

interface PartitionEventRow {
  id: string | number;
  asset_key: string;
  kind: string;
  partition_key: string;
  /** Recorded long enough ago that no event with a lower id can still commit (see partitionStatuses). */
  final: boolean;
}

const json = <T>(value: unknown): T => (typeof value === "string" ? (JSON.parse(value) as T) : (value as T));

/**
 * The state of each asset's partitions (by asset id). Folds the partition events recorded since each asset's
 * stored status into it, and stores what became final. Unpartitioned assets are never read here, so what an
 * unpartitioned catalog pays per tick is unchanged.
 *
 * Final: an event E recorded (its transaction started) at least 2 × {@link EVENT_COMMIT_OVERLAP_MS} before this
 * read's transaction started took its id at least one overlap before this read (a transaction lasts less than
 * one), and every lower id was taken before E's. Each transaction holding a lower id thus started more than one
 * overlap before this read and has committed (or rolled back) by now: the events up to E's id are all visible.
 * The stored position advances to the last such event; the events after it (those of the last half minute or
 * so) are folded onto the stored state by each read, until one finds them final and stores them.
 */
export async function partitionStatuses(client: SqlClient, assets: readonly PartitionedAsset[]): Promise<Map<string, PartitionStatus>> {
  const result = new Map<string, PartitionStatus>();
  if (assets.length === 0) return result;
  const ids = assets.map((a) => a.assetId);
  const cached = new Map<string, StatusRow>();
  for (const row of await client.query<StatusRow>("SELECT asset_key, fingerprint, last_event_id, materialized, failed FROM asset_partition_status WHERE asset_key = ANY($1::text[])", [ids])) {
    cached.set(row.asset_key, row);
  }
  interface Working {
    readonly asset: PartitionedAsset;
    readonly fingerprint: string;
    /** The stored position and state, then advanced over the final events read. */
    storedEventId: number;
    storedMaterialized: IndexRanges;
    storedFailed: IndexRanges;
    /** The last final event read (0: none); events up to it are folded into the stored state. */
    finalThrough: number;
    /** The state with every event read. */
    materialized: IndexRanges;
    failed: IndexRanges;
    /** The stored row must be written: missing, of another definition, or advanced. */
    store: boolean;
  }
  const working = new Map<string, Working>();
  for (const asset of assets) {
    const fingerprint = partitionsFingerprint(asset.definition);
    const row = cached.get(asset.assetId);
    const valid = row !== undefined && row.fingerprint === fingerprint;
    const materialized = valid ? normalizeRanges(json<[number, number][]>(row.materialized)) : [];
    const failed = valid ? normalizeRanges(json<[number, number][]>(row.failed)) : [];
    working.set(asset.assetId, {
      asset,
      fingerprint,
      storedEventId: valid ? Number(row.last_event_id) : 0,
      storedMaterialized: materialized,
      storedFailed: failed,
      finalThrough: 0,
      materialized,
      failed,
      store: !valid,
    });
  }
  // The partition events newer than each asset's stored position (usually none): one index range scan per asset
  // (asset_events_by_partition), so a tick costs what is new. One scan from the oldest position with
  // `asset_key = ANY(…)` read every event after it and compared each with every key: 83 s a tick at 10k assets ×
  // 365 partitions (bench/partitions-bench.ts), where an asset that had not changed for a while held `since` back.
  // `now()` is this transaction's start, on the clock that wrote `recorded_at`; null on PGlite (all final).
  const finalAfterMs = client.dialect === "postgres" ? 2 * EVENT_COMMIT_OVERLAP_MS : null;
  const events = await client.query<PartitionEventRow>(
    `SELECT e.id, e.asset_key, e.kind, e.partition_key,
            ($3::float8 IS NULL OR e.recorded_at <= now() - make_interval(secs => $3::float8 / 1000)) AS final
     FROM unnest($1::text[], $2::bigint[]) AS w(asset_key, since)
     CROSS JOIN LATERAL (
       SELECT id, asset_key, kind, partition_key, recorded_at FROM asset_events
       WHERE asset_key = w.asset_key AND id > w.since AND partition_key IS NOT NULL AND kind IN ('materialization', 'materialization_failure')
     ) AS e
     ORDER BY e.id`,
    [ids, ids.map((id) => working.get(id)!.storedEventId), finalAfterMs],
  );
  for (const event of events) {
    const entry = working.get(event.asset_key);
    if (entry && event.final) entry.finalThrough = Math.max(entry.finalThrough, Number(event.id));
  }
  for (const event of events) {
    const entry = working.get(event.asset_key);
    if (!entry) continue;
    const id = Number(event.id);
    const index = partitionCalendar(entry.asset.definition).indexOf(event.partition_key);
    // A key of an older definition is not a partition now (but still moves the position).
    if (index !== null) {
      if (event.kind === "materialization") {
        entry.materialized = rangesAdd(entry.materialized, index);
        entry.failed = rangesRemove(entry.failed, index);
      } else {
        entry.failed = rangesAdd(entry.failed, index);
      }
    }
    // In id order, so the state after the last final event is the one to store.
    if (id <= entry.finalThrough) {
      entry.storedEventId = id;
      entry.storedMaterialized = entry.materialized;
      entry.storedFailed = entry.failed;
      entry.store = true;
    }
  }
  const changed = [...working.values()].filter((w) => w.store);
  if (changed.length > 0) {
    await client.query(
      `INSERT INTO asset_partition_status (asset_key, fingerprint, last_event_id, materialized, failed)
       SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::jsonb[], $5::jsonb[])
       ON CONFLICT (asset_key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, last_event_id = EXCLUDED.last_event_id,
         materialized = EXCLUDED.materialized, failed = EXCLUDED.failed, updated_at = now()`,
      [
        changed.map((w) => w.asset.assetId),
        changed.map((w) => w.fingerprint),
        changed.map((w) => w.storedEventId),
        changed.map((w) => JSON.stringify(w.storedMaterialized)),
        changed.map((w) => JSON.stringify(w.storedFailed)),
      ],
    );
  }
  const inProgress = await partitionsInProgress(client, ids);
  for (const [assetId, entry] of working) {
    const running = inProgress.get(assetId) ?? [];
    const calendar = partitionCalendar(entry.asset.definition);
    const indexes = running.map((key) => calendar.indexOf(key)).filter((i): i is number => i !== null);
    result.set(assetId, { materialized: entry.materialized, failed: entry.failed, inProgress: normalizeRanges(indexes.map((i) => [i, i] as const)) });
  }
  return result;
}

/** The partition keys each asset has in runs queued or running now. */
export async function partitionsInProgress(client: SqlClient, assetIds: readonly string[]): Promise<Map<string, string[]>> {
  const rows = await client.query<{ key: string; asset_keys: string[] }>(
    `SELECT partition->>'key' AS key, asset_keys FROM runs WHERE partition IS NOT NULL AND status IN ('queued', 'running') AND asset_keys && $1::text[]`,
    [[...assetIds]],
  );
  const wanted = new Set(assetIds);
  const result = new Map<string, string[]>();
  for (const row of rows) {
    for (const assetId of row.asset_keys) {
      if (!wanted.has(assetId)) continue;
      const list = result.get(assetId) ?? [];
      list.push(row.key);
      result.set(assetId, list);
    }
  }
  return result;
}
