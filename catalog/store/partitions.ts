/**
 * Per-partition state of partitioned assets (migration 0008), as Dagster's partition status cache keeps it:
 * per asset, sorted ranges of partition indexes that are materialized and failed (the latest outcome of each
 * partition wins), the fingerprint of the definition the indexes were counted with, and the id of the last
 * event folded in. Reading folds in only the newer partition events; a definition whose fingerprint changed
 * (a new start date, another cadence) is recounted from its events. In progress is not cached: it is the
 * partitions of the runs queued or running now.
 *
 * 10,000 assets × 365 daily partitions built in one stretch are 10,000 small rows of one range each, not
 * 3.65 million rows.
 */
import type { IndexRanges, PartitionStatus, PartitionsDefinition } from "../model/index.ts";
import { normalizeRanges, partitionCalendar, partitionsFingerprint, rangesAdd, rangesRemove } from "../model/index.ts";
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
}

const json = <T>(value: unknown): T => (typeof value === "string" ? (JSON.parse(value) as T) : (value as T));

/**
 * The state of each asset's partitions (by asset id). Folds the partition events recorded since each asset's
 * cached status into it and stores what changed. Unpartitioned assets are never read here, so what an
 * unpartitioned catalog pays per tick is unchanged.
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
    lastEventId: number;
    materialized: IndexRanges;
    failed: IndexRanges;
    changed: boolean;
  }
  const working = new Map<string, Working>();
  for (const asset of assets) {
    const fingerprint = partitionsFingerprint(asset.definition);
    const row = cached.get(asset.assetId);
    const valid = row !== undefined && row.fingerprint === fingerprint;
    const entry: Working = {
      asset,
      fingerprint,
      lastEventId: valid ? Number(row.last_event_id) : 0,
      materialized: valid ? normalizeRanges(json<[number, number][]>(row.materialized)) : [],
      failed: valid ? normalizeRanges(json<[number, number][]>(row.failed)) : [],
      changed: !valid,
    };
    working.set(asset.assetId, entry);
  }
  // The partition events newer than each asset's cached position (usually none): one index range scan per asset
  // (asset_events_by_partition), so a tick costs what is new. One scan from the oldest position with
  // `asset_key = ANY(…)` read every event after it and compared each with every key: 83 s a tick at 10k assets ×
  // 365 partitions (bench/partitions-bench.ts), where an asset that had not changed for a while held `since` back.
  const events = await client.query<PartitionEventRow>(
    `SELECT e.id, e.asset_key, e.kind, e.partition_key
     FROM unnest($1::text[], $2::bigint[]) AS w(asset_key, since)
     CROSS JOIN LATERAL (
       SELECT id, asset_key, kind, partition_key FROM asset_events
       WHERE asset_key = w.asset_key AND id > w.since AND partition_key IS NOT NULL AND kind IN ('materialization', 'materialization_failure')
     ) AS e
     ORDER BY e.id`,
    [ids, ids.map((id) => working.get(id)!.lastEventId)],
  );
  for (const event of events) {
    const entry = working.get(event.asset_key);
    const id = Number(event.id);
    if (!entry || id <= entry.lastEventId) continue;
    entry.lastEventId = id;
    entry.changed = true;
    const index = partitionCalendar(entry.asset.definition).indexOf(event.partition_key);
    if (index === null) continue; // a key of an older definition: not a partition now
    if (event.kind === "materialization") {
      entry.materialized = rangesAdd(entry.materialized, index);
      entry.failed = rangesRemove(entry.failed, index);
    } else {
      entry.failed = rangesAdd(entry.failed, index);
    }
  }
  const changed = [...working.values()].filter((w) => w.changed);
  if (changed.length > 0) {
    await client.query(
      `INSERT INTO asset_partition_status (asset_key, fingerprint, last_event_id, materialized, failed)
       SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::jsonb[], $5::jsonb[])
       ON CONFLICT (asset_key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, last_event_id = EXCLUDED.last_event_id,
         materialized = EXCLUDED.materialized, failed = EXCLUDED.failed, updated_at = now()`,
      [
        changed.map((w) => w.asset.assetId),
        changed.map((w) => w.fingerprint),
        changed.map((w) => w.lastEventId),
        changed.map((w) => JSON.stringify(w.materialized)),
        changed.map((w) => JSON.stringify(w.failed)),
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


/** One partition materialization: its event id, asset, partition key and time. */
export interface PartitionMaterializationRow {
  readonly id: number;
  readonly assetId: string;
  readonly partitionKey: string;
  /** Epoch ms. */
  readonly occurredAt: number;
}

/**
 * The partition materializations of these assets recorded with an id above `afterId`, oldest first: what
 * `newly_updated` reads per partition (the scheduler passes its previous tick's last event id).
 */
export async function partitionMaterializationsSince(client: SqlClient, assetIds: readonly string[], afterId: number): Promise<PartitionMaterializationRow[]> {
  if (assetIds.length === 0) return [];
  const rows = await client.query<{ id: string | number; asset_key: string; partition_key: string; occurred_at: Date | string }>(
    `SELECT id, asset_key, partition_key, occurred_at FROM asset_events
     WHERE partition_key IS NOT NULL AND kind = 'materialization' AND id > $1 AND asset_key = ANY($2::text[])
     ORDER BY id`,
    [afterId, [...assetIds]],
  );
  return rows.map((row) => ({ id: Number(row.id), assetId: row.asset_key, partitionKey: row.partition_key, occurredAt: new Date(row.occurred_at).getTime() }));
}
