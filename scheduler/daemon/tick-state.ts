/**
 * What the leader keeps between ticks so that a tick where nothing changed costs little: the cursor it last
 * committed (read back from the store only when another process wrote a newer one), and the latest events per
 * asset (updated from what was recorded since the previous tick, not read in full each time). A daemon that
 * stops leaves both with the stored cursor as one compressed snapshot (migration 0009), so the next process's
 * first tick reads one value and what was recorded since, instead of every asset's cursor row and latest events.
 *
 * A stored asset cursor leaves out `effectiveTime` and `lastEventId` when they equal the tick's own (the head
 * row has them): an asset whose condition was carried forward then stores exactly what it stored before, and
 * the tick writes no row for it.
 */
import { gunzipSync, gzipSync } from "node:zlib";
import type { AutomationInputs, CursorHead, EventRow, LatestEventRow, SqlClient } from "../../catalog/store/index.ts";
import { automationSql } from "../../catalog/store/index.ts";
import type { AssetCursor, EvaluationCursor, NodeCursor } from "../conditions/index.ts";

/** An asset cursor as stored: the tick-level fields only when they differ from the tick's. */
type StoredAssetCursor = Omit<AssetCursor, "effectiveTime" | "lastEventId"> & { readonly effectiveTime?: number; readonly lastEventId?: number };

/** Exported for tick-state.test.ts. */
export function toStored(cursor: AssetCursor, head: CursorHead): StoredAssetCursor {
  const { effectiveTime, lastEventId, ...rest } = cursor;
  return {
    ...rest,
    ...(effectiveTime === head.evaluatedAt ? {} : { effectiveTime }),
    ...(lastEventId === head.lastEventId ? {} : { lastEventId }),
  };
}

/**
 * An asset cursor read back from JSON, built with the fields in the order evaluate() writes them, so the
 * carry-forward loop reads objects of the shapes it reads on a settled tick (jsonb reorders a row's keys).
 */
export function fromStored(stored: StoredAssetCursor, head: CursorHead): AssetCursor {
  const cursor: { -readonly [K in keyof AssetCursor]: AssetCursor[K] } = {
    treeHash: stored.treeHash,
    previousRequested: stored.previousRequested,
    effectiveTime: stored.effectiveTime ?? head.evaluatedAt,
    lastEventId: stored.lastEventId ?? head.lastEventId,
    nodes: stored.nodes as Readonly<Record<string, NodeCursor>>,
    settled: stored.settled ?? null,
    value: stored.value,
  };
  if (stored.valueHash !== undefined) cursor.valueHash = stored.valueHash;
  if (stored.lastRequestedAt != null) cursor.lastRequestedAt = stored.lastRequestedAt;
  // A partitioned asset's (scheduler/conditions/partitioned.ts): what it requested and its partitionings' key.
  if (stored.requestedPartitions !== undefined) cursor.requestedPartitions = stored.requestedPartitions;
  if (stored.partitionsKey !== undefined) cursor.partitionsKey = stored.partitionsKey;
  return cursor;
}

const sameHead = (a: CursorHead, b: CursorHead): boolean => a.evaluationId === b.evaluationId && a.evaluatedAt === b.evaluatedAt && a.lastEventId === b.lastEventId;

/** What a stopping daemon leaves with the cursor (migration 0009): the cursor it committed and its inputs cache. */
interface Snapshot {
  readonly version: 1;
  readonly head: CursorHead;
  /** Asset cursors in their stored form (as the rows hold them). */
  readonly assets: Record<string, StoredAssetCursor>;
  readonly inputs: InputsSnapshot;
}

/** The inputs cache's state: the latest events of each kind per asset, the largest id read and when. */
interface InputsSnapshot {
  readonly maxId: number;
  readonly readAt: number;
  readonly materialization: readonly LatestEventRow[];
  readonly run_materialization: readonly LatestEventRow[];
  readonly materialization_failure: readonly LatestEventRow[];
  readonly observation: readonly LatestEventRow[];
}

/** True when the two cursors store the same row (cheap: carried-forward assets share their node objects). */
function sameStored(a: AssetCursor, aHead: CursorHead, b: AssetCursor, bHead: CursorHead): boolean {
  return (
    a.nodes === b.nodes &&
    a.treeHash === b.treeHash &&
    a.previousRequested === b.previousRequested &&
    a.settled === b.settled &&
    a.value === b.value &&
    (a.valueHash ?? null) === (b.valueHash ?? null) &&
    (a.lastRequestedAt ?? null) === (b.lastRequestedAt ?? null) &&
    a.partitionsKey === b.partitionsKey &&
    (a.requestedPartitions === b.requestedPartitions || JSON.stringify(a.requestedPartitions ?? null) === JSON.stringify(b.requestedPartitions ?? null)) &&
    (a.effectiveTime === aHead.evaluatedAt) === (b.effectiveTime === bHead.evaluatedAt) &&
    (a.effectiveTime === aHead.evaluatedAt || a.effectiveTime === b.effectiveTime) &&
    (a.lastEventId === aHead.lastEventId) === (b.lastEventId === bHead.lastEventId) &&
    (a.lastEventId === aHead.lastEventId || a.lastEventId === b.lastEventId)
  );
}

/** The cursor as the daemon last committed it, cached. */
export class CursorCache {
  #committed: { head: CursorHead; cursor: EvaluationCursor } | null = null;

  /**
   * Reads the stored cursor (locked), from the cache when this daemon wrote the stored one. Otherwise (the first
   * tick of a process, or another process ticked last) from the snapshot a stopped daemon left at this very
   * cursor, which also fills an empty `inputs` cache; else from every asset's row.
   */
  async read(tx: SqlClient, inputs?: InputsCache): Promise<{ head: CursorHead | null; cursor: EvaluationCursor | null }> {
    const head = await automationSql.readCursorHead(tx, { lock: true });
    if (head === null) return { head: null, cursor: null };
    if (this.#committed && this.#committed.head.evaluationId === head.evaluationId) return { head, cursor: this.#committed.cursor };
    const assets: Record<string, AssetCursor> = {};
    const snapshot = await readSnapshot(tx, head);
    if (snapshot) {
      for (const id of Object.keys(snapshot.assets)) assets[id] = fromStored(snapshot.assets[id]!, head);
      inputs?.restore(snapshot.inputs);
    } else {
      for (const [id, stored] of await automationSql.readAssetCursors(tx)) assets[id] = fromStored(stored as StoredAssetCursor, head);
    }
    const cursor: EvaluationCursor = { evaluationId: head.evaluationId, evaluatedAt: head.evaluatedAt, assets };
    this.#committed = { head, cursor };
    return { head, cursor };
  }

  /**
   * Leaves the committed cursor and the inputs cache with the stored cursor, as one compressed value (the
   * daemon does when it stops): the next process's first tick then reads that instead of every row. Written
   * only while the stored cursor is still the one this daemon committed; the next tick that moves it drops it.
   */
  async saveSnapshot(client: SqlClient, inputs: InputsCache): Promise<boolean> {
    const committed = this.#committed;
    const cached = inputs.snapshot();
    if (committed === null || cached === null) return false;
    const assets: Record<string, StoredAssetCursor> = {};
    for (const id of Object.keys(committed.cursor.assets)) assets[id] = toStored(committed.cursor.assets[id]!, committed.head);
    const snapshot: Snapshot = { version: 1, head: committed.head, assets, inputs: cached };
    return automationSql.writeCursorSnapshot(client, committed.head, gzipSync(JSON.stringify(snapshot), { level: 1 }));
  }

  /** Writes `next` over `previous` (rows of changed assets only); false when another tick moved the cursor first. */
  async write(tx: SqlClient, previous: { head: CursorHead | null; cursor: EvaluationCursor | null }, next: EvaluationCursor, lastEventId: number): Promise<{ ok: boolean; commit: () => void }> {
    const head: CursorHead = { evaluationId: next.evaluationId, evaluatedAt: next.evaluatedAt, lastEventId };
    const changed: [string, StoredAssetCursor][] = [];
    for (const [id, cursor] of Object.entries(next.assets)) {
      const before = previous.cursor?.assets[id];
      if (before && previous.head && sameStored(cursor, head, before, previous.head)) continue;
      changed.push([id, toStored(cursor, head)]);
    }
    const removed = previous.cursor ? Object.keys(previous.cursor.assets).filter((id) => !(id in next.assets)) : [];
    const ok = await automationSql.writeCursor(tx, previous.head?.evaluationId ?? null, head, changed, removed);
    return {
      ok,
      // Called after the transaction commits: until then the cache must not believe the new cursor is stored.
      commit: () => {
        if (ok) this.#committed = { head, cursor: next };
      },
    };
  }

  /** Forgets the cache (a tick that failed after writing may have left nothing). */
  reset(): void {
    this.#committed = null;
  }
}

/** The snapshot stored at `head`, or null (none, another head, or a form this version does not read). */
async function readSnapshot(tx: SqlClient, head: CursorHead): Promise<Snapshot | null> {
  const stored = await automationSql.readCursorSnapshot(tx);
  if (stored === null || !sameHead(stored.head, head)) return null;
  try {
    const snapshot = JSON.parse(gunzipSync(stored.data).toString("utf8")) as Snapshot;
    return snapshot.version === 1 && sameHead(snapshot.head, head) ? snapshot : null;
  } catch {
    return null; // unreadable: the rows hold the same cursor
  }
}

const newer = (a: LatestEventRow, b: LatestEventRow | undefined): boolean =>
  b === undefined || a.occurredAt > b.occurredAt || (a.occurredAt === b.occurredAt && a.id > b.id);

/** The latest events per asset, kept up to date from what was recorded since the previous read. */
export class InputsCache {
  #latest: {
    materialization: Map<string, LatestEventRow>;
    /** Materializations a Tributary run recorded (see AutomationInputs.runMaterializations). */
    run_materialization: Map<string, LatestEventRow>;
    materialization_failure: Map<string, LatestEventRow>;
    observation: Map<string, LatestEventRow>;
  } | null = null;
  #maxId = 0;
  #readAt = new Date(0);

  /**
   * Reads the tick's inputs: in full the first time, then only what changed. `overlapMs` reaches back before the
   * previous read for events whose transactions committed after it with lower ids (an event is recorded in a
   * short transaction of its own; 15 s is far more than one takes).
   */
  async read(tx: SqlClient, overlapMs = 15_000): Promise<AutomationInputs> {
    // Wall time, not the tick's (which tests fake): it is compared with the store's recorded_at.
    const now = new Date();
    if (this.#latest === null) {
      const full = await automationSql.readAutomationInputs(tx);
      this.#latest = {
        materialization: new Map(full.materializations.map((e) => [e.assetId, e])),
        run_materialization: new Map(full.runMaterializations.map((e) => [e.assetId, e])),
        materialization_failure: new Map(full.failures.map((e) => [e.assetId, e])),
        observation: new Map(full.observations.map((e) => [e.assetId, e])),
      };
      this.#maxId = full.lastEventId;
      this.#readAt = now;
      return full;
    }
    const since = new Date(Math.min(this.#readAt.getTime(), now.getTime()) - overlapMs);
    const changes = await automationSql.readAutomationChanges(tx, this.#maxId, since);
    const merge = (map: Map<string, LatestEventRow>, event: EventRow) => {
      const current = map.get(event.assetId);
      if (newer(event, current)) map.set(event.assetId, event);
      else if (current && current.id === event.id) map.set(event.assetId, event); // the same event, updated (its run)
    };
    for (const event of changes.events as EventRow[]) {
      merge(this.#latest[event.kind], event);
      if (event.kind === "materialization" && event.tributaryRunId !== null) merge(this.#latest.run_materialization, event);
      if (event.id > this.#maxId) this.#maxId = event.id;
    }
    this.#readAt = now;
    return {
      lastEventId: this.#maxId,
      materializations: [...this.#latest.materialization.values()],
      runMaterializations: [...this.#latest.run_materialization.values()],
      failures: [...this.#latest.materialization_failure.values()],
      observations: [...this.#latest.observation.values()],
      inProgress: changes.inProgress,
    };
  }

  reset(): void {
    this.#latest = null;
  }

  /** The cache's state, for a snapshot; null before the first read. */
  snapshot(): InputsSnapshot | null {
    if (this.#latest === null) return null;
    return {
      maxId: this.#maxId,
      readAt: this.#readAt.getTime(),
      materialization: [...this.#latest.materialization.values()],
      run_materialization: [...this.#latest.run_materialization.values()],
      materialization_failure: [...this.#latest.materialization_failure.values()],
      observation: [...this.#latest.observation.values()],
    };
  }

  /**
   * Takes a snapshot's state when the cache is empty. The next read is then incremental from the snapshot's read:
   * events with a larger id, or recorded since shortly before it (the same overlap as between two ticks).
   */
  restore(snapshot: InputsSnapshot): void {
    if (this.#latest !== null) return;
    const byAsset = (events: readonly LatestEventRow[]) => new Map(events.map((e) => [e.assetId, e]));
    this.#latest = {
      materialization: byAsset(snapshot.materialization),
      run_materialization: byAsset(snapshot.run_materialization),
      materialization_failure: byAsset(snapshot.materialization_failure),
      observation: byAsset(snapshot.observation),
    };
    this.#maxId = snapshot.maxId;
    this.#readAt = new Date(snapshot.readAt);
  }
}
