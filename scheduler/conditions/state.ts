/**
 * The inputs of {@link import("./evaluate.ts").evaluate} besides the graph: a frozen snapshot of what happened
 * to the assets (state), and what the previous tick remembered (cursor). Plain, JSON-serializable data.
 *
 * Storage ids are the event log's ids (catalog/store asset_events.id): they only grow, and a snapshot holds
 * every event with an id up to `lastEventId`, so "updated since the previous tick" is `id > previous lastEventId`
 * — but for an update whose transaction committed after the previous tick with a lower id (on a Postgres server
 * ids come from a sequence): the state's builder lists it in `unseenUpdates` (per asset) or as a partition
 * update's `committedLate`, on the one tick that first sees it.
 */
import type { IndexRanges } from "../../catalog/model/index.ts";

/** The latest materialization of an asset. */
export interface MaterializationRecord {
  readonly storageId: number;
  /** Epoch ms. */
  readonly timestamp: number;
  readonly runId: string | null;
  /**
   * The asset ids the run that produced it explicitly selected; null when the run had no explicit selection
   * (an outside sync, a manual dbt run), which never counts as "executed with the root target".
   */
  readonly runAssetSelection: readonly string[] | null;
}

/** The latest observation of an asset (a source seen, not built). */
export interface ObservationRecord {
  readonly storageId: number;
  readonly timestamp: number;
  readonly dataVersion: string | null;
  /**
   * The storage id of the first observation carrying the current data version: a re-observation with the
   * same data version is not an update. Equal to storageId when the asset reports no data versions.
   */
  readonly dataVersionStorageId: number;
}

/** The latest failed attempt to materialize an asset (`execution_failed` counts only one a run recorded). */
export interface FailureRecord {
  readonly storageId: number;
  readonly timestamp: number;
  readonly runId: string | null;
}

/**
 * What the snapshot knows of a partitioned asset's partitions, as indexes of its definition in the graph
 * (catalog/model/partitions.ts): the store's partition status cache, and the partition materializations recorded
 * after the previous tick (what `newly_updated` reads per partition).
 */
export interface PartitionRuntimeState {
  readonly materialized: IndexRanges;
  readonly failed: IndexRanges;
  /** Partitions of runs queued or running now. */
  readonly inProgress: IndexRanges;
  /**
   * Partition materializations with their storage ids, at least those after the previous tick's lastEventId
   * (older ones may be left out) and those committed late; one per partition is enough (its latest).
   */
  readonly updates: readonly PartitionUpdate[];
}

export interface PartitionUpdate {
  readonly index: number;
  readonly storageId: number;
  /** Epoch ms. */
  readonly timestamp: number;
  /**
   * Not above the previous tick's lastEventId, yet recorded after that tick's snapshot (on a Postgres server an
   * event's transaction can commit after a read that saw a higher id): newly updated all the same. The state's
   * builder sets it on the one tick that first sees the event.
   */
  readonly committedLate?: boolean;
}

/** What the snapshot knows of one asset; absent fields mean "none". */
export interface AssetRuntimeState {
  readonly latestMaterialization?: MaterializationRecord | null;
  /**
   * The latest materialization recorded by a run (runId set), when the state builder knows it: a
   * materialization recorded outside any run after it does not end an `execution_failed`, as in Dagster.
   * Undefined: only `latestMaterialization` is known, and any later one ends `execution_failed`.
   */
  readonly latestRunMaterialization?: MaterializationRecord | null;
  readonly latestObservation?: ObservationRecord | null;
  readonly latestFailure?: FailureRecord | null;
  /** The id of a run in progress that targets the asset. */
  readonly runInProgress?: string | null;
  /** True while a backfill targets the asset. */
  readonly backfillInProgress?: boolean;
  /** For a partitioned asset: per partition (absent: nothing known, every partition missing). */
  readonly partitions?: PartitionRuntimeState;
}

/** One frozen snapshot of state for one tick. */
export interface AutomationState {
  /** The largest event storage id in the snapshot (0 for an empty log). */
  readonly lastEventId: number;
  /** Per asset id. An asset with no entry has never been materialized, observed, failed or run. */
  readonly assets: ReadonlyMap<string, AssetRuntimeState>;
  /**
   * Per asset id: the kinds of updates this tick is the first to see, whatever their ids (the daemon's builder
   * reads them: what arrived since the previous tick, and what committed late with an id not above its
   * lastEventId). `newly_updated` counts an asset listed here, as it counts a latest id above the previous
   * lastEventId: a late one's id is not, nor need it be the asset's latest. Absent or empty: the ids tell.
   */
  readonly unseenUpdates?: ReadonlyMap<string, UnseenUpdates>;
}

/** What kinds of updates of one asset a tick is the first to see. */
export interface UnseenUpdates {
  readonly materialized: boolean;
  /** An observation: an update of an asset nothing materializes (a source), as its latest observation is. */
  readonly observed: boolean;
}

/** The empty state: nothing ever happened. */
export const EMPTY_STATE: AutomationState = { lastEventId: 0, assets: new Map() };

/** What a stateful node remembers between ticks. */
export interface NodeCursor {
  /** The node's value at the previous tick. */
  readonly value: boolean;
  /**
   * Node-specific state: newly_true — the child's previous value; initial_evaluation — the tree hash;
   * code_version_changed — the code version; since — [trigger time, reset time]; legacy missing — handled.
   */
  readonly extra?: string | boolean | readonly (number | null)[] | null;
  /** For a node evaluated over a partitioned asset: the partitions it was true for (its value: any). */
  readonly subset?: IndexRanges;
}

/** What the previous tick remembered for one asset (Dagster's AutomationConditionCursor). */
export interface AssetCursor {
  readonly treeHash: string;
  /** True when the previous tick requested the asset (newly_requested). */
  readonly previousRequested: boolean;
  /** Epoch ms of the evaluation (the previous evaluation time for cron_tick_passed). */
  readonly effectiveTime: number;
  /** The snapshot's lastEventId at the evaluation (E_prev for newly_updated). */
  readonly lastEventId: number;
  /** Stateful nodes only (since, newly_true, initial_evaluation, code_version_changed, legacy rules), by node id. */
  readonly nodes: Readonly<Record<string, NodeCursor>>;
  /**
   * Set when the evaluation was a fixed point (same inputs → same values and node states): the fingerprint
   * of its inputs. A later tick with the same fingerprint and no new event or cron tick reuses the result.
   */
  readonly settled: number | null;
  /** The root value at that evaluation. */
  readonly value: boolean;
  /**
   * A hash of the latest evaluation's values (every node's id and value, and whether it requested): a tick
   * stores an evaluation only when this changes, when it requests a run, or for the asset's first (Dagster's
   * `result_value_hash`). Absent in cursors stored before it was kept: the next evaluation is then stored.
   */
  readonly valueHash?: number;
  /**
   * Epoch ms of the latest tick that requested the asset (minimum_interval_passed reads it); absent or null:
   * never requested since the cursor began keeping it.
   */
  readonly lastRequestedAt?: number | null;
  /** A partitioned asset: the partitions the evaluation requested (newly_requested reads them at the next tick). */
  readonly requestedPartitions?: IndexRanges;
  /**
   * A partitioned asset: the fingerprints of its and its partitioned deps' definitions the node subsets were
   * counted with; when it changes (a new start date), partition state is dropped, as its indexes moved.
   */
  readonly partitionsKey?: string;
}

/**
 * An asset cursor, built in this one place with its fields in one order: evaluate() (an asset evaluated or
 * carried forward) and the daemon's reads of a stored cursor (its rows, or the snapshot a stopped daemon left)
 * all call it, so the loops that read the previous cursor (evaluate's, the daemon's diff of what to store) see
 * objects of the same few shapes however they were made. Cursors built elsewhere (object literals, spreads,
 * JSON) have other hidden classes: a restarted daemon's first tick then ran on shapes its code was not
 * optimized for, and deoptimized evaluate() and the cursor diff. Optional fields are present only when set
 * (`lastRequestedAt` only when not null), as before.
 */
export function assetCursor(
  treeHash: string,
  previousRequested: boolean,
  effectiveTime: number,
  lastEventId: number,
  nodes: Readonly<Record<string, NodeCursor>>,
  settled: number | null,
  value: boolean,
  valueHash: number | undefined,
  lastRequestedAt: number | null | undefined,
  partitionsKey?: string,
  requestedPartitions?: IndexRanges,
): AssetCursor {
  const cursor: { -readonly [K in keyof AssetCursor]: AssetCursor[K] } = { treeHash, previousRequested, effectiveTime, lastEventId, nodes, settled, value };
  if (valueHash !== undefined) cursor.valueHash = valueHash;
  if (lastRequestedAt != null) cursor.lastRequestedAt = lastRequestedAt;
  if (partitionsKey !== undefined) cursor.partitionsKey = partitionsKey;
  if (requestedPartitions !== undefined) cursor.requestedPartitions = requestedPartitions;
  return cursor;
}

/** Everything the previous tick remembered. */
export interface EvaluationCursor {
  /** The previous tick's evaluation id; the next tick is this + 1. */
  readonly evaluationId: number;
  readonly evaluatedAt: number;
  readonly assets: Readonly<Record<string, AssetCursor>>;
}
