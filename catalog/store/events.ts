/**
 * Asset events (table of migration 0002): the SQL behind the store's `recordAssetEvents`,
 * `assetEventHistory` and `latestAssetEvents`. Exactly-once is the table's unique (asset, dedupe key) and an
 * `ON CONFLICT DO NOTHING` insert, never a check-then-insert in code.
 */
import type { AssetEvent, AssetEventInput, AssetEventKind, AssetKey } from "../model/index.ts";
import { keyFromString, keyToString } from "../model/index.ts";
import { StoreError } from "./errors.ts";
import type { SqlClient } from "./sql-client.ts";

const KINDS: readonly AssetEventKind[] = ["materialization", "materialization_failure", "observation"];

/** Most rows one history read returns. */
export const MAX_EVENT_HISTORY = 1000;

/** A row of asset_events as read with {@link COLUMNS} (also read by ./runs.ts for a run's events). */
export interface EventRow {
  id: number;
  asset_key: string;
  kind: AssetEventKind;
  tool: string;
  location_name: string;
  run_id: string | null;
  occurred_at: Date;
  recorded_at: Date;
  dedupe_key: string;
  metadata: Record<string, unknown> | string;
  tributary_run_id: string | null;
  partition_key?: string | null;
}

export const COLUMNS = "id, asset_key, kind, tool, location_name, run_id, occurred_at, recorded_at, dedupe_key, metadata, tributary_run_id, partition_key";

export function toEvent(row: EventRow): AssetEvent {
  return {
    id: Number(row.id),
    assetKey: keyFromString(row.asset_key),
    kind: row.kind,
    tool: row.tool,
    locationName: row.location_name,
    runId: row.run_id,
    occurredAt: new Date(row.occurred_at).toISOString(),
    recordedAt: new Date(row.recorded_at).toISOString(),
    dedupeKey: row.dedupe_key,
    metadata: typeof row.metadata === "string" ? (JSON.parse(row.metadata) as Record<string, unknown>) : row.metadata,
    tributaryRunId: row.tributary_run_id,
    ...(row.partition_key ? { partitionKey: row.partition_key } : {}),
  };
}

function checkKinds(kinds: readonly AssetEventKind[] | undefined): readonly AssetEventKind[] {
  const wanted = kinds && kinds.length > 0 ? kinds : KINDS;
  for (const kind of wanted) if (!KINDS.includes(kind)) throw new StoreError("invalid_input", `Unknown asset event kind "${kind}"`);
  return wanted;
}

/** Inserts the events in one transaction; those already recorded (same asset and dedupe key) are skipped. */
export async function recordAssetEvents(client: SqlClient, events: readonly AssetEventInput[]): Promise<{ inserted: number }> {
  if (events.length === 0) return { inserted: 0 };
  for (const event of events) {
    if (event.assetKey.length === 0) throw new StoreError("invalid_input", "An asset event needs an asset key");
    if (!KINDS.includes(event.kind)) throw new StoreError("invalid_input", `Unknown asset event kind "${event.kind}"`);
    if (Number.isNaN(Date.parse(event.occurredAt))) throw new StoreError("invalid_input", `Invalid occurredAt "${event.occurredAt}"`);
  }
  return client.transaction(async (tx) => {
    let inserted = 0;
    for (const event of events) {
      // A run that records an event an observer already stored (a Fivetran sync seen both ways) adds its run
      // id to it: only the first writer's facts are kept, but which run did it must not be lost.
      const rows = await tx.query<{ inserted: boolean }>(
        `INSERT INTO asset_events (asset_key, kind, tool, location_name, run_id, occurred_at, dedupe_key, metadata, tributary_run_id, partition_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10)
         ON CONFLICT (asset_key, dedupe_key) DO UPDATE SET tributary_run_id = EXCLUDED.tributary_run_id
           WHERE asset_events.tributary_run_id IS NULL AND EXCLUDED.tributary_run_id IS NOT NULL
         RETURNING (xmax = 0) AS inserted`,
        [
          keyToString(event.assetKey),
          event.kind,
          event.tool,
          event.locationName,
          event.runId,
          new Date(event.occurredAt).toISOString(),
          event.dedupeKey,
          JSON.stringify(event.metadata),
          event.tributaryRunId ?? null,
          event.partitionKey ?? null,
        ],
      );
      if (rows[0]?.inserted === true) inserted += 1;
    }
    return { inserted };
  });
}

/** An asset's events, newest first. */
export async function assetEventHistory(
  client: SqlClient,
  assetKey: AssetKey,
  options: { readonly kinds?: readonly AssetEventKind[]; readonly limit?: number } = {},
): Promise<AssetEvent[]> {
  const limit = Math.max(0, Math.min(options.limit ?? 100, MAX_EVENT_HISTORY));
  const rows = await client.query<EventRow>(
    `SELECT ${COLUMNS} FROM asset_events
     WHERE asset_key = $1 AND kind = ANY($2::text[])
     ORDER BY occurred_at DESC, id DESC
     LIMIT $3`,
    [keyToString(assetKey), [...checkKinds(options.kinds)], limit],
  );
  return rows.map(toEvent);
}

/** The newest event of every asset that has one. */
export async function latestAssetEvents(client: SqlClient, options: { readonly kinds?: readonly AssetEventKind[] } = {}): Promise<AssetEvent[]> {
  const rows = await client.query<EventRow>(
    `SELECT DISTINCT ON (asset_key) ${COLUMNS} FROM asset_events
     WHERE kind = ANY($1::text[])
     ORDER BY asset_key, occurred_at DESC, id DESC`,
    [[...checkKinds(options.kinds)]],
  );
  return rows.map(toEvent);
}
