/**
 * What the leader keeps between ticks so that a tick where nothing changed costs little: the cursor it last
 * committed (read back from the store only when another process wrote a newer one), and the latest events per
 * asset (updated from what was recorded since the previous tick, not read in full each time).
 *
 * A stored asset cursor leaves out `effectiveTime` and `lastEventId` when they equal the tick's own (the head
 * row has them): an asset whose condition was carried forward then stores exactly what it stored before, and
 * the tick writes no row for it.
 */
import type { AutomationInputs, CursorHead, EventRow, LatestEventRow, SqlClient } from "../../catalog/store/index.ts";
import { automationSql } from "../../catalog/store/index.ts";
import type { AssetCursor, EvaluationCursor } from "../conditions/index.ts";

/** An asset cursor as stored: the tick-level fields only when they differ from the tick's. */
type StoredAssetCursor = Omit<AssetCursor, "effectiveTime" | "lastEventId"> & { readonly effectiveTime?: number; readonly lastEventId?: number };

function toStored(cursor: AssetCursor, head: CursorHead): StoredAssetCursor {
  const { effectiveTime, lastEventId, ...rest } = cursor;
  return {
    ...rest,
    ...(effectiveTime === head.evaluatedAt ? {} : { effectiveTime }),
    ...(lastEventId === head.lastEventId ? {} : { lastEventId }),
  };
}

function fromStored(stored: StoredAssetCursor, head: CursorHead): AssetCursor {
  return { ...stored, effectiveTime: stored.effectiveTime ?? head.evaluatedAt, lastEventId: stored.lastEventId ?? head.lastEventId };
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

  /** Reads the stored cursor (locked), from the cache when this daemon wrote the stored one. */
  async read(tx: SqlClient): Promise<{ head: CursorHead | null; cursor: EvaluationCursor | null }> {
    const head = await automationSql.readCursorHead(tx, { lock: true });
    if (head === null) return { head: null, cursor: null };
    if (this.#committed && this.#committed.head.evaluationId === head.evaluationId) return { head, cursor: this.#committed.cursor };
    const assets: Record<string, AssetCursor> = {};
    for (const [id, stored] of await automationSql.readAssetCursors(tx)) assets[id] = fromStored(stored as StoredAssetCursor, head);
    const cursor: EvaluationCursor = { evaluationId: head.evaluationId, evaluatedAt: head.evaluatedAt, assets };
    this.#committed = { head, cursor };
    return { head, cursor };
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
}
