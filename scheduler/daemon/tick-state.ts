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
import type { IndexRanges } from "../../catalog/model/index.ts";
import { createStringTable } from "../../support/index.ts";
import { assetCursor } from "../conditions/index.ts";
import type { AssetCursor, EvaluationCursor, NodeCursor, StoredPlan } from "../conditions/index.ts";

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

/** An asset cursor read back from a row (JSON), built by assetCursor as evaluate() builds its own. */
export function fromStored(stored: StoredAssetCursor, head: CursorHead): AssetCursor {
  return assetCursor(
    stored.treeHash,
    stored.previousRequested,
    stored.effectiveTime ?? head.evaluatedAt,
    stored.lastEventId ?? head.lastEventId,
    stored.nodes,
    stored.settled ?? null,
    stored.value,
    stored.valueHash,
    stored.lastRequestedAt,
    // A partitioned asset's (scheduler/conditions/partitioned.ts): its partitionings' key, what it requested.
    stored.partitionsKey,
    stored.requestedPartitions,
  );
}

const sameHead = (a: CursorHead, b: CursorHead): boolean => a.evaluationId === b.evaluationId && a.evaluatedAt === b.evaluatedAt && a.lastEventId === b.lastEventId;

/**
 * What a stopping daemon leaves with the cursor (migration 0009): the cursor it committed and its inputs cache,
 * in columns. Version 1 was the cursors and events as objects (4.3 MB of JSON at 10k assets, ≈ 30 ms to parse);
 * columns of numbers parse several times faster, and the stateful nodes' records, which many assets share (the
 * same tree settled at the same tick), are stored once each. A version-1 snapshot is not read: the tick reads the
 * rows, which hold the same cursor.
 */
interface Snapshot {
  readonly version: 2;
  readonly head: CursorHead;
  readonly cursors: CursorColumns;
  readonly inputs: InputsColumns;
  /**
   * The evaluation plan the daemon computed for its graph (scheduler/conditions/plan.ts), the typed arrays'
   * bytes in base64, under its graph's definitions digest: the next process uses it when its graph has the same
   * digest, and computes the plan otherwise. Absent when the graph had no digest (and in older snapshots).
   */
  readonly plan?: { readonly key: string; readonly order: string; readonly depStarts: string; readonly deps: string; readonly shape: string };
}

const bytesOf = (array: Int32Array | Float64Array): string => Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString("base64");

/** A copy (aligned, its own buffer) of the typed array whose bytes `text` holds in base64. */
function typedFrom<T extends Int32Array | Float64Array>(text: string, make: { new (length: number): T; readonly BYTES_PER_ELEMENT: number }): T {
  const bytes = Buffer.from(text, "base64");
  if (bytes.byteLength % make.BYTES_PER_ELEMENT !== 0) throw new Error("the snapshot's plan columns are cut short");
  const array = new make(bytes.byteLength / make.BYTES_PER_ELEMENT);
  new Uint8Array(array.buffer).set(bytes);
  return array;
}

function decodePlan(plan: NonNullable<Snapshot["plan"]>): StoredPlan {
  return {
    key: plan.key,
    order: typedFrom(plan.order, Int32Array),
    depStarts: typedFrom(plan.depStarts, Int32Array),
    deps: typedFrom(plan.deps, Int32Array),
    shape: typedFrom(plan.shape, Float64Array),
  };
}

/** Asset cursors by column, in one order (see {@link encodeCursors}). */
interface CursorColumns {
  readonly ids: readonly string[];
  /** Tree hashes and partition keys, each stored once; the other columns refer to them by index. */
  readonly strings: readonly string[];
  readonly tree: readonly number[];
  /** Per asset, which fields are present and the booleans' values (the CURSOR_* bits). */
  readonly flags: readonly number[];
  /** The present numeric fields of every asset in turn, in the order of the CURSOR_* bits. */
  readonly numbers: readonly number[];
  /** Per asset, its node records' index in `nodeRecords`. */
  readonly nodes: readonly number[];
  readonly nodeRecords: readonly Readonly<Record<string, NodeCursor>>[];
  /** The requested partitions of the assets that have them, in turn. */
  readonly partitions: readonly IndexRanges[];
  /** The partitions key (index in `strings`) of the assets that have one, in turn. */
  readonly partitionsKeys: readonly number[];
}

const CURSOR_PREVIOUS_REQUESTED = 1;
const CURSOR_VALUE = 2;
const CURSOR_SETTLED = 4;
const CURSOR_VALUE_HASH = 8;
const CURSOR_LAST_REQUESTED_AT = 16;
const CURSOR_EFFECTIVE_TIME = 32;
const CURSOR_LAST_EVENT_ID = 64;
const CURSOR_REQUESTED_PARTITIONS = 128;
const CURSOR_PARTITIONS_KEY = 256;

/**
 * The inputs cache's state: the latest events of each kind per asset (by column), the largest id read and when
 * (epoch ms by the database's clock; a snapshot written before that was kept holds this host's).
 */
interface InputsColumns {
  readonly maxId: number;
  readonly readAt: number;
  readonly materialization: EventColumns;
  readonly run_materialization: EventColumns;
  readonly materialization_failure: EventColumns;
  readonly observation: EventColumns;
}

interface EventColumns {
  readonly assetId: readonly string[];
  readonly id: readonly number[];
  readonly occurredAt: readonly string[];
  readonly tributaryRunId: readonly (string | null)[];
  readonly runAssetIds: readonly (readonly string[] | null)[];
  readonly dataVersion: readonly (string | null)[];
}

/** The inputs cache's state, as {@link InputsCache.snapshot} gives it. */
interface InputsSnapshot {
  readonly maxId: number;
  readonly readAt: number;
  readonly materialization: readonly LatestEventRow[];
  readonly run_materialization: readonly LatestEventRow[];
  readonly materialization_failure: readonly LatestEventRow[];
  readonly observation: readonly LatestEventRow[];
}

/** Asset cursors as columns; what {@link decodeCursors} reads back equals `fromStored(toStored(cursor))`. */
function encodeCursors(assets: Readonly<Record<string, AssetCursor>>, head: CursorHead): CursorColumns {
  const ids = Object.keys(assets);
  const { strings, intern } = createStringTable();
  // Node records by identity first (carried-forward assets share theirs), then by content.
  const recordByObject = new Map<object, number>();
  const recordByText = new Map<string, number>();
  const nodeRecords: Readonly<Record<string, NodeCursor>>[] = [];
  const tree: number[] = [];
  const flags: number[] = [];
  const numbers: number[] = [];
  const nodes: number[] = [];
  const partitions: IndexRanges[] = [];
  const partitionsKeys: number[] = [];
  for (const id of ids) {
    const c = assets[id]!;
    let f = (c.previousRequested ? CURSOR_PREVIOUS_REQUESTED : 0) | (c.value ? CURSOR_VALUE : 0);
    if (c.settled !== null) {
      f |= CURSOR_SETTLED;
      numbers.push(c.settled);
    }
    if (c.valueHash !== undefined) {
      f |= CURSOR_VALUE_HASH;
      numbers.push(c.valueHash);
    }
    if (c.lastRequestedAt != null) {
      f |= CURSOR_LAST_REQUESTED_AT;
      numbers.push(c.lastRequestedAt);
    }
    if (c.effectiveTime !== head.evaluatedAt) {
      f |= CURSOR_EFFECTIVE_TIME;
      numbers.push(c.effectiveTime);
    }
    if (c.lastEventId !== head.lastEventId) {
      f |= CURSOR_LAST_EVENT_ID;
      numbers.push(c.lastEventId);
    }
    if (c.requestedPartitions !== undefined) {
      f |= CURSOR_REQUESTED_PARTITIONS;
      partitions.push(c.requestedPartitions);
    }
    if (c.partitionsKey !== undefined) {
      f |= CURSOR_PARTITIONS_KEY;
      partitionsKeys.push(intern(c.partitionsKey));
    }
    let record = recordByObject.get(c.nodes);
    if (record === undefined) {
      const text = JSON.stringify(c.nodes);
      record = recordByText.get(text);
      if (record === undefined) recordByText.set(text, (record = nodeRecords.push(c.nodes) - 1));
      recordByObject.set(c.nodes, record);
    }
    tree.push(intern(c.treeHash));
    flags.push(f);
    nodes.push(record);
  }
  return { ids, strings, tree, flags, numbers, nodes, nodeRecords, partitions, partitionsKeys };
}

/** The asset cursors of {@link encodeCursors}' columns; throws on columns that do not line up. */
function decodeCursors(columns: CursorColumns, head: CursorHead): Record<string, AssetCursor> {
  const { ids, strings, tree, flags, numbers, nodes, nodeRecords, partitions, partitionsKeys } = columns;
  if (tree.length !== ids.length || flags.length !== ids.length || nodes.length !== ids.length) throw new Error("the snapshot's cursor columns differ in length");
  const assets: Record<string, AssetCursor> = {};
  let n = 0;
  let p = 0;
  let k = 0;
  for (let i = 0; i < ids.length; i++) {
    const f = flags[i]!;
    const settled = f & CURSOR_SETTLED ? numbers[n++]! : null;
    const valueHash = f & CURSOR_VALUE_HASH ? numbers[n++]! : undefined;
    const lastRequestedAt = f & CURSOR_LAST_REQUESTED_AT ? numbers[n++]! : undefined;
    const effectiveTime = f & CURSOR_EFFECTIVE_TIME ? numbers[n++]! : head.evaluatedAt;
    const lastEventId = f & CURSOR_LAST_EVENT_ID ? numbers[n++]! : head.lastEventId;
    const record = nodeRecords[nodes[i]!];
    const treeHash = strings[tree[i]!];
    if (record === undefined || treeHash === undefined || Number.isNaN(lastEventId)) throw new Error("the snapshot's cursor columns do not line up");
    const requestedPartitions = f & CURSOR_REQUESTED_PARTITIONS ? partitions[p++]! : undefined;
    const partitionsKey = f & CURSOR_PARTITIONS_KEY ? strings[partitionsKeys[k++]!]! : undefined;
    // Built by assetCursor, as evaluate() builds the cursors it carries forward: the same shapes.
    const cursor = assetCursor(treeHash, (f & CURSOR_PREVIOUS_REQUESTED) !== 0, effectiveTime, lastEventId, record, settled, (f & CURSOR_VALUE) !== 0, valueHash, lastRequestedAt, partitionsKey, requestedPartitions);
    assets[ids[i]!] = cursor;
  }
  if (n !== numbers.length || p !== partitions.length || k !== partitionsKeys.length) throw new Error("the snapshot's cursor columns do not line up");
  return assets;
}

function encodeEvents(events: readonly LatestEventRow[]): EventColumns {
  return {
    assetId: events.map((e) => e.assetId),
    id: events.map((e) => e.id),
    occurredAt: events.map((e) => e.occurredAt),
    tributaryRunId: events.map((e) => e.tributaryRunId),
    runAssetIds: events.map((e) => e.runAssetIds),
    dataVersion: events.map((e) => e.dataVersion),
  };
}

function decodeEvents(columns: EventColumns): LatestEventRow[] {
  const { assetId, id, occurredAt, tributaryRunId, runAssetIds, dataVersion } = columns;
  const n = assetId.length;
  if (id.length !== n || occurredAt.length !== n || tributaryRunId.length !== n || runAssetIds.length !== n || dataVersion.length !== n) {
    throw new Error("the snapshot's event columns differ in length");
  }
  const rows: LatestEventRow[] = new Array(n);
  // The fields in the order the store's reads build them (catalog/store/automation.ts toLatest).
  for (let i = 0; i < n; i++) rows[i] = { assetId: assetId[i]!, id: id[i]!, occurredAt: occurredAt[i]!, tributaryRunId: tributaryRunId[i]!, runAssetIds: runAssetIds[i]!, dataVersion: dataVersion[i]! };
  return rows;
}

/** The stop snapshot's bytes: the cursor at `head` and the inputs cache, by column, gzip'd. Exported for tests. */
export function encodeSnapshot(head: CursorHead, assets: Readonly<Record<string, AssetCursor>>, inputs: InputsSnapshot, plan: StoredPlan | null = null): Buffer {
  const snapshot: Snapshot = {
    version: 2,
    head,
    cursors: encodeCursors(assets, head),
    inputs: {
      maxId: inputs.maxId,
      readAt: inputs.readAt,
      materialization: encodeEvents(inputs.materialization),
      run_materialization: encodeEvents(inputs.run_materialization),
      materialization_failure: encodeEvents(inputs.materialization_failure),
      observation: encodeEvents(inputs.observation),
    },
    ...(plan
      ? { plan: { key: plan.key, order: bytesOf(plan.order), depStarts: bytesOf(plan.depStarts), deps: bytesOf(plan.deps), shape: bytesOf(plan.shape) } }
      : {}),
  };
  return gzipSync(JSON.stringify(snapshot), { level: 1 });
}

/** What {@link encodeSnapshot} stored, when it was stored at `head` in this version's form; else null. Exported for tests. */
export function decodeSnapshot(data: Uint8Array, head: CursorHead): { assets: Record<string, AssetCursor>; inputs: InputsSnapshot; plan: StoredPlan | null } | null {
  try {
    const snapshot = JSON.parse(gunzipSync(data).toString("utf8")) as Snapshot;
    if (snapshot.version !== 2 || !sameHead(snapshot.head, head)) return null;
    const { inputs } = snapshot;
    return {
      assets: decodeCursors(snapshot.cursors, head),
      inputs: {
        maxId: inputs.maxId,
        readAt: inputs.readAt,
        materialization: decodeEvents(inputs.materialization),
        run_materialization: decodeEvents(inputs.run_materialization),
        materialization_failure: decodeEvents(inputs.materialization_failure),
        observation: decodeEvents(inputs.observation),
      },
      plan: snapshot.plan ? decodePlan(snapshot.plan) : null,
    };
  } catch {
    return null; // unreadable: the rows hold the same cursor
  }
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

/** What {@link CursorCache.read} gives: the stored cursor, and the stop snapshot's plan when it was read from one. */
export interface StoredCursor {
  readonly head: CursorHead | null;
  readonly cursor: EvaluationCursor | null;
  readonly plan: StoredPlan | null;
  /** True when the cursor came from the snapshot {@link CursorCache.prepare} decoded. */
  readonly fromPrepared: boolean;
}

/**
 * Every read's result is made here, with the same fields: the tick reads it (and the cursor diff in `write`)
 * with code optimized on settled ticks, which a result of another shape on a restart's first tick deoptimized.
 */
const storedCursor = (head: CursorHead | null, cursor: EvaluationCursor | null, plan: StoredPlan | null, fromPrepared: boolean): StoredCursor => ({ head, cursor, plan, fromPrepared });

/** A stop snapshot decoded: the cursor at its head, the inputs cache's state, the plan. */
type DecodedSnapshot = NonNullable<ReturnType<typeof decodeSnapshot>>;

/** The cursor as the daemon last committed it, cached. */
export class CursorCache {
  #committed: { head: CursorHead; cursor: EvaluationCursor } | null = null;
  /** The stop snapshot {@link prepare} read ahead of the first tick, with the head it was stored at. */
  #prepared: { head: CursorHead; snapshot: DecodedSnapshot } | null = null;

  /**
   * Reads and decodes the snapshot a stopped daemon left (outside any tick, before the first one), so that the
   * first tick finds it decoded: {@link read} takes it when the cursor is still at the head it was stored at,
   * and reads the store as before when another tick has moved the cursor since. Returns the snapshot's plan,
   * or null (no snapshot, or one this version does not read). A plan is keyed by its graph's definitions, not
   * by the cursor: it stays right for those definitions however the cursor moves.
   */
  async prepare(client: SqlClient): Promise<StoredPlan | null> {
    if (this.#committed !== null) return null;
    const stored = await automationSql.readCursorSnapshot(client);
    if (stored === null) return null;
    const snapshot = decodeSnapshot(stored.data, stored.head);
    if (snapshot === null) return null;
    this.#prepared = { head: stored.head, snapshot };
    return snapshot.plan;
  }

  /**
   * Reads the stored cursor (locked), from the cache when this daemon wrote the stored one. Otherwise (the first
   * tick of a process, or another process ticked last) from the snapshot a stopped daemon left at this very
   * cursor (decoded ahead by {@link prepare}, or read now), which also fills an empty `inputs` cache; else from
   * every asset's row.
   */
  async read(tx: SqlClient, inputs?: InputsCache): Promise<StoredCursor> {
    const head = await automationSql.readCursorHead(tx, { lock: true });
    // Used by the first read only: past it, the cursor this daemon commits is newer than the snapshot's.
    const prepared = this.#prepared;
    this.#prepared = null;
    if (head === null) return storedCursor(null, null, null, false);
    if (this.#committed && this.#committed.head.evaluationId === head.evaluationId) return storedCursor(head, this.#committed.cursor, null, false);
    let assets: Record<string, AssetCursor> = {};
    let plan: StoredPlan | null = null;
    const fromPrepared = prepared !== null && sameHead(prepared.head, head);
    const snapshot = fromPrepared ? prepared.snapshot : await readSnapshot(tx, head);
    if (snapshot) {
      assets = snapshot.assets;
      plan = snapshot.plan;
      inputs?.restore(snapshot.inputs);
    } else {
      for (const [id, stored] of await automationSql.readAssetCursors(tx)) assets[id] = fromStored(stored as StoredAssetCursor, head);
    }
    const cursor: EvaluationCursor = { evaluationId: head.evaluationId, evaluatedAt: head.evaluatedAt, assets };
    this.#committed = { head, cursor };
    return storedCursor(head, cursor, plan, fromPrepared);
  }

  /**
   * Leaves the committed cursor and the inputs cache with the stored cursor, as one compressed value (the
   * daemon does when it stops): the next process's first tick then reads that instead of every row. Written
   * only while the stored cursor is still the one this daemon committed; a tick that moves the cursor leaves it
   * in place, stale, and known so by its evaluation id (migration 0014).
   */
  async saveSnapshot(client: SqlClient, inputs: InputsCache, plan: StoredPlan | null = null): Promise<boolean> {
    const committed = this.#committed;
    const cached = inputs.snapshot();
    if (committed === null || cached === null) return false;
    return automationSql.writeCursorSnapshot(client, committed.head, encodeSnapshot(committed.head, committed.cursor.assets, cached, plan));
  }

  /**
   * Writes `next` over `previous` (rows of changed assets only), with the recent updates the tick saw
   * (automationSql.UpdatesRead); false when another tick moved the cursor first.
   */
  async write(
    tx: SqlClient,
    previous: { head: CursorHead | null; cursor: EvaluationCursor | null },
    next: EvaluationCursor,
    lastEventId: number,
    recentEventIds: readonly number[] = [],
  ): Promise<{ ok: boolean; commit: () => void }> {
    const head: CursorHead = { evaluationId: next.evaluationId, evaluatedAt: next.evaluatedAt, lastEventId };
    const changed: [string, StoredAssetCursor][] = [];
    for (const [id, cursor] of Object.entries(next.assets)) {
      const before = previous.cursor?.assets[id];
      if (before && previous.head && sameStored(cursor, head, before, previous.head)) continue;
      changed.push([id, toStored(cursor, head)]);
    }
    const removed = previous.cursor ? Object.keys(previous.cursor.assets).filter((id) => !(id in next.assets)) : [];
    const ok = await automationSql.writeCursor(tx, previous.head?.evaluationId ?? null, head, changed, removed, recentEventIds);
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
    this.#prepared = null;
  }
}

/** The snapshot stored at `head`, or null (none, another head, or a form this version does not read). */
async function readSnapshot(tx: SqlClient, head: CursorHead): Promise<ReturnType<typeof decodeSnapshot>> {
  const stored = await automationSql.readCursorSnapshot(tx);
  if (stored === null || !sameHead(stored.head, head)) return null;
  return decodeSnapshot(stored.data, head);
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
   * previous read for events whose transactions committed after it with lower ids (see
   * automationSql.EVENT_COMMIT_OVERLAP_MS), by the database's clock (the one that writes `recorded_at`).
   */
  async read(tx: SqlClient, overlapMs = automationSql.EVENT_COMMIT_OVERLAP_MS): Promise<AutomationInputs> {
    if (this.#latest === null) {
      const full = await automationSql.readAutomationInputs(tx);
      this.#latest = {
        materialization: new Map(full.materializations.map((e) => [e.assetId, e])),
        run_materialization: new Map(full.runMaterializations.map((e) => [e.assetId, e])),
        materialization_failure: new Map(full.failures.map((e) => [e.assetId, e])),
        observation: new Map(full.observations.map((e) => [e.assetId, e])),
      };
      this.#maxId = full.lastEventId;
      this.#readAt = full.readAt;
      return full;
    }
    // The database's time of the previous read, not this host's: the window is reckoned where recorded_at is.
    const changes = await automationSql.readAutomationChanges(tx, this.#maxId, this.#readAt, overlapMs);
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
    this.#readAt = changes.readAt;
    return {
      lastEventId: this.#maxId,
      readAt: changes.readAt,
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
