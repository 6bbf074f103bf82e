/**
 * The record of one condition evaluation: for one asset at one tick, the value of every node of its condition
 * tree with a short reason. Pure types; the scheduler produces them (scheduler/conditions) and the store keeps
 * them (catalog/store/evaluations.ts).
 */

/** One node of an evaluated condition tree. */
export interface EvaluationNode {
  /** Stable id: derived from the node's position and content, so evaluations line up across ticks. */
  readonly id: string;
  /** What the node is: `since`, `missing`, `cron_tick_passed(cron_schedule=0 6 * * *, cron_timezone=UTC)`, `dep stg_orders`. */
  readonly name: string;
  /** The label users read: "eager", "handled", "any_deps_updated"; the name when the node has no label. */
  readonly label: string;
  /** True when the node was true for the asset (unpartitioned: the whole asset). */
  readonly value: boolean;
  /** Why, in a few words ("dep stg_orders updated 12:04 since last cron tick 12:00"); null when obvious. */
  readonly reason: string | null;
  readonly children: readonly EvaluationNode[];
  /**
   * A node evaluated over a partitioned asset: how many of its partitions it was true for (`of`: how many
   * exist), and which (`2026-02-25…2026-03-01, 2026-03-04`). Absent for an unpartitioned asset.
   */
  readonly partitions?: { readonly count: number; readonly of: number; readonly keys: string };
}

/** One asset's evaluation at one tick. */
export interface AssetEvaluation {
  /** The asset id (key string a/b/c). */
  readonly assetId: string;
  /** The tick's evaluation id: 1, 2, 3… */
  readonly tick: number;
  /** The tick's time, ISO 8601 UTC. */
  readonly evaluatedAt: string;
  /** True when the tick requests a run of the asset. */
  readonly requested: boolean;
  /** Hash of the condition tree's structure; it changes when the condition is edited. */
  readonly treeHash: string;
  readonly tree: EvaluationNode;
  /**
   * A partitioned asset: the partition keys the tick requests (one run each); absent for an unpartitioned asset,
   * and when read from an evaluation stored before they were kept (migration 0011).
   */
  readonly requestedPartitions?: readonly string[];
}
