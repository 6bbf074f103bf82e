/**
 * Definitions snapshots and load attempts (tables of migration 0001): the SQL behind the store's
 * `saveDefinitions`, `recordLoadFailure`, `currentDefinitions`, `latestLoads` and `pruneSnapshots`.
 *
 * The rule they keep: a location's current definitions are those of its latest successful load, and they
 * change only by a successful save. A batch of locations is saved in one transaction, so either every
 * location in it becomes current or none does: a broken load never half-replaces a good catalog.
 */
import type { LocationDefinitions, LocationRef } from "../model/index.ts";
import { StoreError } from "./errors.ts";
import { lockForTransaction } from "./locks.ts";
import type { StoreLogger } from "./logger.ts";
import { SNAPSHOT_ENCODING, SNAPSHOT_FORMAT_VERSION, decodeSnapshot, serializeSnapshot } from "./snapshot-codec.ts";
import type { SerializedSnapshot } from "./snapshot-codec.ts";
import type { SqlClient } from "./sql-client.ts";

/** What {@link saveDefinitions} did. */
export interface SaveDefinitionsResult {
  /** The snapshot each location now serves, by location name. */
  readonly snapshotIds: Readonly<Record<string, number>>;
  /** The load recorded for each location, by location name. */
  readonly loadIds: Readonly<Record<string, number>>;
  /** Locations whose definitions equal their previous current ones (no new snapshot was stored). */
  readonly unchanged: readonly string[];
}

/** The error of a failed load, as a user should see it: code, message, and the file, node or JSON path at fault. */
export interface LoadFailureError {
  readonly code: string;
  readonly message: string;
  readonly file?: string | null;
  readonly nodeId?: string | null;
  readonly jsonPath?: string | null;
}

/** A load attempt that produced no definitions. A `LoadError` fits `error` as it is. */
export interface LoadFailure {
  readonly location: LocationRef;
  readonly error: LoadFailureError;
  /** ISO 8601. */
  readonly startedAt: string;
  readonly durationMs: number;
}

/** One recorded load attempt of a location, with what the location serves now. */
export interface LocationLoadRecord {
  readonly loadId: number;
  /** The location as configured at this attempt. */
  readonly location: LocationRef;
  readonly status: "loaded" | "failed";
  /** ISO 8601, UTC. */
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  /** The snapshot this attempt stored or reused; null for a failure (or a pruned snapshot). */
  readonly snapshotId: number | null;
  /** Assets and diagnostics in that snapshot; null when there is none. */
  readonly assetCount: number | null;
  readonly diagnosticCount: number | null;
  /** Set for a failed attempt. */
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly file: string | null;
    readonly nodeId: string | null;
    readonly jsonPath: string | null;
  } | null;
  /**
   * The location's latest successful load, whose definitions it serves; null if it never loaded. When this
   * record is itself a success, it is this record's own load.
   */
  readonly current: {
    readonly loadId: number;
    readonly snapshotId: number | null;
    readonly finishedAt: string;
    readonly assetCount: number | null;
  } | null;
}

/** What {@link pruneSnapshots} removed. */
export interface PruneResult {
  readonly deletedSnapshots: number;
}

// ---------------------------------------------------------------------------------------------------------
// Validation

function isoInstant(value: string, field: string, locationName: string): Date {
  const parsed = new Date(value);
  if (typeof value !== "string" || Number.isNaN(parsed.getTime())) {
    throw new StoreError("invalid_input", `Location "${locationName}": ${field} "${String(value)}" is not an ISO 8601 time.`, {
      locationName,
      field,
    });
  }
  return parsed;
}

function duration(value: number, field: string, locationName: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new StoreError("invalid_input", `Location "${locationName}": ${field} must be a finite number of milliseconds >= 0, got ${String(value)}.`, {
      locationName,
      field,
    });
  }
  return value;
}

function locationName(location: LocationRef): string {
  if (typeof location.name !== "string" || location.name === "") {
    throw new StoreError("invalid_input", "A location's name must be a non-empty string.", {});
  }
  return location.name;
}

// ---------------------------------------------------------------------------------------------------------
// Writes

interface PreparedSave {
  readonly definitions: LocationDefinitions;
  readonly snapshot: SerializedSnapshot;
  /** The compressed payload to insert; null when the snapshot already existed when the save began. */
  compressed: Buffer | null;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly durationMs: number;
}

/** Stores a batch of locations' definitions in one transaction. See `CatalogStore.saveDefinitions`. */
export async function saveDefinitions(
  client: SqlClient,
  batch: readonly LocationDefinitions[],
  logger: StoreLogger,
): Promise<SaveDefinitionsResult> {
  const started = performance.now();
  const seen = new Set<string>();
  const prepared: PreparedSave[] = [];
  for (const definitions of batch) {
    const name = locationName(definitions.location);
    if (seen.has(name)) {
      throw new StoreError("invalid_input", `Location "${name}" appears twice in one batch of definitions.`, { locationName: name });
    }
    seen.add(name);
    const finishedAt = isoInstant(definitions.loadedAt, "loadedAt", name);
    const durationMs = duration(definitions.loadDurationMs, "loadDurationMs", name);
    prepared.push({
      definitions,
      snapshot: await serializeSnapshot(definitions),
      compressed: null,
      // `loadedAt` is when the load finished; its start is derived so both ends are on record.
      startedAt: new Date(finishedAt.getTime() - durationMs),
      finishedAt,
      durationMs,
    });
  }
  // A fixed order: two batches on Postgres then lock their locations' rows in the same order, never in
  // opposite orders (a deadlock).
  prepared.sort((a, b) => (a.snapshot.locationName < b.snapshot.locationName ? -1 : a.snapshot.locationName > b.snapshot.locationName ? 1 : 0));
  if (prepared.length === 0) return { snapshotIds: {}, loadIds: {}, unchanged: [] };

  // Only what is new is sent to the database (compressed while it was serialized, outside the transaction).
  const existing = await findSnapshots(client, prepared.map((p) => p.snapshot));
  for (const p of prepared) if (!existing.has(snapshotKey(p.snapshot))) p.compressed = p.snapshot.compressed;
  const serialized = performance.now();

  const result = await client.transaction(async (tx) => {
    // Saves and failures of all processes take turns: load ids then follow commit order, so the latest load
    // of every location in a batch is from the same batch, and no reader can see two batches mixed.
    await lockForTransaction(tx, "definitions");
    const snapshotIds: Record<string, number> = {};
    const loadIds: Record<string, number> = {};
    const unchanged: string[] = [];
    for (const p of prepared) {
      const name = p.snapshot.locationName;
      const previous = await tx.query<{ snapshot_id: number | null }>(
        `SELECT load.snapshot_id FROM locations
           JOIN location_loads AS load ON load.id = locations.current_load_id
          WHERE locations.name = $1`,
        [name],
      );
      const snapshotId = await storeSnapshot(tx, p);
      const [load] = await tx.query<{ id: number }>(
        `INSERT INTO location_loads (location_name, location_kind, origin, status, started_at, finished_at, duration_ms, snapshot_id)
         VALUES ($1, $2, $3, 'loaded', $4, $5, $6, $7)
         RETURNING id`,
        [name, p.definitions.location.kind, p.definitions.location.origin, p.startedAt.toISOString(), p.finishedAt.toISOString(), p.durationMs, snapshotId],
      );
      if (load === undefined) throw new StoreError("query_failed", "Recording a load returned no id.", { locationName: name });
      await movePointers(tx, name, load.id, true);
      snapshotIds[name] = snapshotId;
      loadIds[name] = load.id;
      if (previous[0]?.snapshot_id === snapshotId) unchanged.push(name);
    }
    return { snapshotIds, loadIds, unchanged };
  });
  logger.debug(
    {
      locations: prepared.map((p) => p.snapshot.locationName),
      unchanged: result.unchanged,
      jsonBytes: prepared.reduce((sum, p) => sum + p.snapshot.jsonBytes, 0),
      storedBytes: prepared.reduce((sum, p) => sum + (p.compressed?.length ?? 0), 0),
      serializeMs: Math.round(serialized - started),
      writeMs: Math.round(performance.now() - serialized),
    },
    "saved definitions",
  );
  return result;
}

function snapshotKey(snapshot: { readonly locationName: string; readonly contentHash: string }): string {
  return `${snapshot.contentHash}:${snapshot.locationName}`;
}

/** The ids of the given snapshots that are already stored, by {@link snapshotKey}. */
async function findSnapshots(client: SqlClient, snapshots: readonly SerializedSnapshot[]): Promise<Map<string, number>> {
  const rows = await client.query<{ id: number; location_name: string; content_hash: string }>(
    `SELECT id, location_name, content_hash FROM definition_snapshots
      WHERE (location_name, content_hash) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
    [snapshots.map((s) => s.locationName), snapshots.map((s) => s.contentHash)],
  );
  return new Map(rows.map((row) => [snapshotKey({ locationName: row.location_name, contentHash: row.content_hash }), row.id]));
}

/** The id of the stored snapshot with this content, inserting it when there is none. */
async function storeSnapshot(tx: SqlClient, p: PreparedSave): Promise<number> {
  const { snapshot } = p;
  if (p.compressed === null) {
    const found = await findSnapshots(tx, [snapshot]);
    const id = found.get(snapshotKey(snapshot));
    if (id !== undefined) return id;
    // Pruned between the check and this transaction.
    p.compressed = snapshot.compressed;
  }
  // ON CONFLICT: a concurrent save of the same content (another process, on Postgres) wins the insert; this
  // one then waits for it to commit and reads its row. Never two copies, never a unique-violation error.
  const inserted = await tx.query<{ id: number }>(
    `INSERT INTO definition_snapshots
       (location_name, content_hash, encoding, format_version, payload, payload_bytes, asset_count, diagnostic_count)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (location_name, content_hash) DO NOTHING
     RETURNING id`,
    [snapshot.locationName, snapshot.contentHash, SNAPSHOT_ENCODING, SNAPSHOT_FORMAT_VERSION, p.compressed, snapshot.jsonBytes, snapshot.assetCount, snapshot.diagnosticCount],
  );
  const id = inserted[0]?.id ?? (await findSnapshots(tx, [snapshot])).get(snapshotKey(snapshot));
  if (id === undefined) throw new StoreError("query_failed", `Storing the snapshot of "${snapshot.locationName}" returned no id.`, { locationName: snapshot.locationName });
  return id;
}

/**
 * Points the location at its new latest (and, for a success, current) load. GREATEST keeps the pointers
 * moving forward even if a writer ever skipped the definitions lock.
 */
async function movePointers(tx: SqlClient, name: string, loadId: number, succeeded: boolean): Promise<void> {
  await tx.query(
    `INSERT INTO locations (name, current_load_id, latest_load_id) VALUES ($1, $2, $3)
     ON CONFLICT (name) DO UPDATE SET
       current_load_id = GREATEST(locations.current_load_id, EXCLUDED.current_load_id),
       latest_load_id = GREATEST(locations.latest_load_id, EXCLUDED.latest_load_id),
       updated_at = now()`,
    [name, succeeded ? loadId : null, loadId],
  );
}

/**
 * Text as Postgres can store it: a `text` column refuses NUL (`invalid byte sequence for encoding "UTF8":
 * 0x00`), which an error about a damaged file may quote. NUL is written as the six characters `\u0000`.
 */
export function storableText(value: string): string;
export function storableText(value: string | null): string | null;
export function storableText(value: string | null): string | null {
  return value !== null && value.includes("\0") ? value.replaceAll("\0", "\\u0000") : value;
}

/** Records a failed load attempt; the location keeps its current definitions. The error's texts are stored escaped ({@link storableText}). */
export async function recordLoadFailure(client: SqlClient, failure: LoadFailure): Promise<{ loadId: number }> {
  const name = locationName(failure.location);
  const startedAt = isoInstant(failure.startedAt, "startedAt", name);
  const durationMs = duration(failure.durationMs, "durationMs", name);
  const { error } = failure;
  if (typeof error?.code !== "string" || error.code === "" || typeof error.message !== "string") {
    throw new StoreError("invalid_input", `Location "${name}": a load failure needs an error code and message.`, { locationName: name });
  }
  return client.transaction(async (tx) => {
    await lockForTransaction(tx, "definitions");
    const [load] = await tx.query<{ id: number }>(
      `INSERT INTO location_loads
         (location_name, location_kind, origin, status, started_at, finished_at, duration_ms,
          error_code, error_message, error_file, error_node_id, error_json_path)
       VALUES ($1, $2, $3, 'failed', $4, $5, $6, $7, $8, $9, $10, $11)
       RETURNING id`,
      [
        name,
        failure.location.kind,
        storableText(failure.location.origin),
        startedAt.toISOString(),
        new Date(startedAt.getTime() + durationMs).toISOString(),
        durationMs,
        storableText(error.code),
        storableText(error.message),
        storableText(error.file ?? null),
        storableText(error.nodeId ?? null),
        storableText(error.jsonPath ?? null),
      ],
    );
    if (load === undefined) throw new StoreError("query_failed", "Recording a load returned no id.", { locationName: name });
    await movePointers(tx, name, load.id, false);
    return { loadId: load.id };
  });
}

/**
 * Deletes old snapshots, keeping for each location its current one and the `keepPerLocation` most recently
 * loaded others. Their loads stay on record, with no snapshot.
 */
export async function pruneSnapshots(client: SqlClient, keepPerLocation: number): Promise<PruneResult> {
  if (!Number.isInteger(keepPerLocation) || keepPerLocation < 0) {
    throw new StoreError("invalid_input", `keepPerLocation must be an integer >= 0, got ${String(keepPerLocation)}.`, {});
  }
  const deleted = await client.query<{ id: number }>(
    `WITH last_use AS (
       SELECT snapshot.id, snapshot.location_name, max(load.id) AS last_load_id
         FROM definition_snapshots AS snapshot
         LEFT JOIN location_loads AS load ON load.snapshot_id = snapshot.id
        GROUP BY snapshot.id, snapshot.location_name
     ), current_snapshots AS (
       SELECT load.snapshot_id AS id FROM locations JOIN location_loads AS load ON load.id = locations.current_load_id
     ), ranked AS (
       SELECT id, row_number() OVER (PARTITION BY location_name ORDER BY last_load_id DESC NULLS LAST, id DESC) AS position
         FROM last_use
        WHERE id NOT IN (SELECT id FROM current_snapshots WHERE id IS NOT NULL)
     )
     DELETE FROM definition_snapshots WHERE id IN (SELECT id FROM ranked WHERE position > $1)
     RETURNING id`,
    [keepPerLocation],
  );
  return { deletedSnapshots: deleted.length };
}

// ---------------------------------------------------------------------------------------------------------
// Reads

interface CurrentRow {
  name: string;
  finished_at: Date;
  duration_ms: number;
  snapshot_id: number;
  encoding: string;
  format_version: number;
  payload: Uint8Array;
}

/** The current definitions of every location, by location name; see `CatalogStore.currentDefinitions`. */
export async function currentDefinitions(client: SqlClient): Promise<LocationDefinitions[]> {
  // One statement, so every location is read from the same committed state (a save of a batch is seen
  // whole or not at all).
  const rows = await client.query<CurrentRow>(
    `SELECT locations.name, load.finished_at, load.duration_ms,
            snapshot.id AS snapshot_id, snapshot.encoding, snapshot.format_version, snapshot.payload
       FROM locations
       JOIN location_loads AS load ON load.id = locations.current_load_id
       JOIN definition_snapshots AS snapshot ON snapshot.id = load.snapshot_id
      ORDER BY locations.name`,
  );
  return Promise.all(
    rows.map(async (row) => {
      const payload = await decodeSnapshot({ id: row.snapshot_id, encoding: row.encoding, formatVersion: row.format_version, payload: row.payload });
      return {
        location: payload.location,
        specs: payload.specs,
        diagnostics: payload.diagnostics,
        loadedAt: row.finished_at.toISOString(),
        loadDurationMs: row.duration_ms,
      };
    }),
  );
}

interface LoadRow {
  load_id: number;
  name: string;
  location_kind: string;
  origin: string;
  status: "loaded" | "failed";
  started_at: Date;
  finished_at: Date;
  duration_ms: number;
  snapshot_id: number | null;
  asset_count: number | null;
  diagnostic_count: number | null;
  error_code: string | null;
  error_message: string | null;
  error_file: string | null;
  error_node_id: string | null;
  error_json_path: string | null;
  current_load_id: number | null;
  current_snapshot_id: number | null;
  current_finished_at: Date | null;
  current_asset_count: number | null;
}

/** The latest attempt of every location, by location name; see `CatalogStore.latestLoads`. */
export async function latestLoads(client: SqlClient): Promise<LocationLoadRecord[]> {
  const rows = await client.query<LoadRow>(
    `SELECT latest.id AS load_id, locations.name, latest.location_kind, latest.origin, latest.status,
            latest.started_at, latest.finished_at, latest.duration_ms, latest.snapshot_id,
            latest_snapshot.asset_count, latest_snapshot.diagnostic_count,
            latest.error_code, latest.error_message, latest.error_file, latest.error_node_id, latest.error_json_path,
            current.id AS current_load_id, current.snapshot_id AS current_snapshot_id,
            current.finished_at AS current_finished_at, current_snapshot.asset_count AS current_asset_count
       FROM locations
       JOIN location_loads AS latest ON latest.id = locations.latest_load_id
       LEFT JOIN definition_snapshots AS latest_snapshot ON latest_snapshot.id = latest.snapshot_id
       LEFT JOIN location_loads AS current ON current.id = locations.current_load_id
       LEFT JOIN definition_snapshots AS current_snapshot ON current_snapshot.id = current.snapshot_id
      ORDER BY locations.name`,
  );
  return rows.map((row) => ({
    loadId: row.load_id,
    // The kind column is written only from LocationRef values, so it holds a LocationKind.
    location: { name: row.name, kind: row.location_kind as LocationRef["kind"], origin: row.origin },
    status: row.status,
    startedAt: row.started_at.toISOString(),
    finishedAt: row.finished_at.toISOString(),
    durationMs: row.duration_ms,
    snapshotId: row.snapshot_id,
    assetCount: row.asset_count,
    diagnosticCount: row.diagnostic_count,
    error:
      row.status === "failed"
        ? {
            code: row.error_code ?? "",
            message: row.error_message ?? "",
            file: row.error_file,
            nodeId: row.error_node_id,
            jsonPath: row.error_json_path,
          }
        : null,
    current:
      row.current_load_id === null || row.current_finished_at === null
        ? null
        : {
            loadId: row.current_load_id,
            snapshotId: row.current_snapshot_id,
            finishedAt: row.current_finished_at.toISOString(),
            assetCount: row.current_asset_count,
          },
  }));
}
