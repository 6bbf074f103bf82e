/**
 * What every operand, operator and legacy rule evaluates against: the plan, the root asset, the frozen facts
 * of this tick, the previous node states, and the timings of true nodes. Built once per asset per tick by
 * evaluate.ts; the node tables (operands.ts, operators.ts, legacy-rules.ts) read it.
 */
import type { EvaluationNode } from "../../catalog/model/index.ts";
import type { PartitionContext } from "./partitioned.ts";
import type { Plan } from "./plan.ts";
import type { AssetRuntimeState, NodeCursor } from "./state.ts";
import type { CompiledNode } from "./tree.ts";

export interface Context {
  readonly plan: Plan;
  readonly root: number;
  readonly now: number;
  readonly previousNodes: Readonly<Record<string, NodeCursor>>;
  /** The node states this evaluation leaves (written through node-state.ts). */
  readonly nodes: Record<string, NodeCursor>;
  /** The root's previous lastEventId (E_prev); null on its first evaluation. */
  readonly ePrev: number | null;
  /** The root's previous evaluation time; null on its first evaluation. */
  readonly previousTime: number | null;
  /**
   * When the fact behind a true node happened (epoch ms), for the nodes that carry it (Dagster's
   * TimingMetadata): newly_updated (the materialization), newly_requested (the previous tick), cron_tick_passed
   * (the tick), a dependency's node, any_deps_match (the latest of its deps') and since (its trigger's).
   * all_of, any_of, not, newly_true and all_deps_match carry none. `since` reads it when its trigger and reset
   * are both true on one tick: the later one wins.
   */
  readonly timing: Map<EvaluationNode, number>;
  readonly runtime: readonly (AssetRuntimeState | undefined)[];
  /** Per asset: the storage id of its latest update (materialization, or a source's new data version). */
  readonly updateId: Float64Array;
  /**
   * Per asset: 1 when it has an update this tick is the first to see (AutomationState.unseenUpdates), newly
   * updated whatever `updateId` says; null when no asset has one.
   */
  readonly unseen: Uint8Array | null;
  readonly outdated: Uint8Array | null;
  readonly willBeRequested: (i: number) => boolean;
  readonly previousRequested: (i: number) => boolean;
  /** When a tick last requested the asset (epoch ms; null: never, as far as the cursor knows). */
  readonly lastRequestedAt: (i: number) => number | null;
  /** Per asset: 1 when a freshness target needs it built (freshness.ts); null when no target is due. */
  readonly freshnessNeeded: Uint8Array | null;
  /** For a partitioned root: its partitions and the per-partition evaluation (partitioned.ts); null otherwise. */
  readonly partitions: PartitionContext | null;
  /** Evaluates a child node (the recursion every operator uses). */
  readonly evaluate: (c: CompiledNode, target: number, suffix: string, candidate: boolean) => EvaluationNode;
}

/** Evaluates one node of one kind: `id` is the node's id for this target (with `@<dep>` under a dependency). */
export type NodeEvaluator = (c: CompiledNode, id: string, target: number, suffix: string, candidate: boolean, x: Context) => EvaluationNode;

/** No storage id: the asset has no such event. */
export const NONE = -1;

export const SKIPPED = "not considered: an earlier all_of operand is false";

export function result(c: CompiledNode, id: string, value: boolean, reason: string | null, children: readonly EvaluationNode[] = []): EvaluationNode {
  return { id, name: c.name, label: c.display, value, reason, children };
}

/** The same node, with the time its fact happened (see {@link Context.timing}). */
export function timed(x: Context, node: EvaluationNode, at: number | undefined): EvaluationNode {
  if (at !== undefined) x.timing.set(node, at);
  return node;
}

export function listDeps(ids: readonly string[]): string {
  return ids.length <= 3 ? ids.join(", ") : `${ids.slice(0, 3).join(", ")} and ${ids.length - 3} more`;
}

export function isMissing(i: number, x: Context): boolean {
  const s = x.runtime[i];
  if (s?.latestMaterialization) return false;
  // An observation counts for an asset nothing materializes (a source).
  return x.plan.materializable[i] || !s?.latestObservation;
}

/** `HH:MM` (UTC) on the same day as `now`, else `YYYY-MM-DD HH:MM` (UTC). */
export function formatTime(ms: number, now: number): string {
  const text = new Date(ms).toISOString();
  const sameDay = text.slice(0, 10) === new Date(now).toISOString().slice(0, 10);
  return sameDay ? `${text.slice(11, 16)} UTC` : `${text.slice(0, 10)} ${text.slice(11, 16)} UTC`;
}
