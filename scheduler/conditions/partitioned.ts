/**
 * Conditions per partition, as Dagster's EntitySubset carries them: for a partitioned root, each node's value is
 * the set of partitions it is true for (sorted index ranges, catalog/model/partitions.ts), and each node is
 * evaluated over a candidate set of partitions.
 *
 * - Operators: all_of narrows each child's candidate to the intersection so far; any_of is the union (within the
 *   candidate); not is the candidate minus the child; since and newly_true keep their state per partition
 *   (`NodeCursor.subset`), their trigger/reset/child evaluated over every partition of the asset.
 * - Operands read the partitions: `missing` (never materialized), `newly_updated` (materialized after the root's
 *   previous tick, or committed late: PartitionUpdate.committedLate), `newly_requested` (requested by the previous tick), `will_be_requested` (a dependency's
 *   partitions requested this tick, in the same run: same location and partitioning), `run_in_progress`
 *   (partitions of runs queued or running), `execution_failed` (latest outcome failed, not running),
 *   `in_latest_time_window` (the latest partition), `executed_with_root_target` (the partition of the dependency's
 *   latest materialization, when its run targeted the root, as Dagster). The others are facts about the whole asset (a cron tick, the
 *   first evaluation, a code version, an interval…): true for the whole candidate or for none of it.
 * - any/all deps match: a partitioned dependency is evaluated over the partitions of its own that overlap the
 *   candidate's windows (Dagster's default TimeWindowPartitionMapping), and a root partition is true for it when
 *   one of the overlapping dependency partitions is; an unpartitioned dependency is evaluated as a whole and,
 *   true, counts for every candidate partition.
 *
 * Only a partitioned root is evaluated this way: an unpartitioned asset keeps its boolean evaluation (its
 * partitioned dependencies are judged as whole assets, by their latest events), so an unpartitioned graph costs
 * what it did.
 */
import type { EvaluationNode, IndexRanges, PartitionCalendar, PartitionsDefinition } from "../../catalog/model/index.ts";
import { describeRanges, mapRanges, matchesAnyKeyGlob, normalizeRanges, rangesIntersect, rangesMinus, rangesSize, rangesUnion } from "../../catalog/model/index.ts";
import type { Context, NodeEvaluator } from "./context.ts";
import { SKIPPED, formatTime, listDeps, timed } from "./context.ts";
import { newlyTrueState, priorCursor, sinceState } from "./node-state.ts";
import { OPERANDS } from "./operands.ts";
import type { PartitionRuntimeState } from "./state.ts";
import type { CompiledNode, ConditionNode } from "./tree.ts";

/** One partitioned asset at this tick. */
export interface PartitionView {
  readonly def: PartitionsDefinition;
  readonly calendar: PartitionCalendar;
  /** Partitions that exist now. */
  readonly count: number;
  /** [[0, count - 1]], or [] before the first. */
  readonly all: IndexRanges;
  readonly status: PartitionRuntimeState | undefined;
  /** A hash of its partitioning, count and states (carry-forward's fingerprint). */
  readonly hash: number;
}

/** What the partitioned evaluation adds to the {@link Context} of a partitioned root. */
export interface PartitionContext {
  /** The asset's partitions; null for an unpartitioned asset. */
  readonly view: (i: number) => PartitionView | null;
  /** The true partitions of each node evaluated over a partitioned target, and that target. */
  readonly subsets: Map<EvaluationNode, { readonly ranges: IndexRanges; readonly target: number }>;
  /** Partitions the previous tick requested (its cursor). */
  readonly previousRequested: (i: number) => IndexRanges;
  /** A dependency's partitions requested earlier in this tick, in the same run as the root. */
  readonly requestedNow: (i: number) => IndexRanges;
  /** Evaluates a child over a candidate: partitions for a partitioned target, a boolean for an unpartitioned one. */
  readonly evaluate: (c: CompiledNode, target: number, suffix: string, candidate: IndexRanges | boolean) => EvaluationNode;
}

type PartitionedEvaluator = (c: CompiledNode, id: string, target: number, suffix: string, candidate: IndexRanges, x: Context, p: PartitionContext, view: PartitionView) => EvaluationNode;

/** The true partitions of a node evaluated over a partitioned target. */
function sub(p: PartitionContext, node: EvaluationNode): IndexRanges {
  return p.subsets.get(node)?.ranges ?? [];
}

function partResult(p: PartitionContext, c: CompiledNode, id: string, target: number, ranges: IndexRanges, reason: string | null, children: readonly EvaluationNode[] = []): EvaluationNode {
  const node: EvaluationNode = { id, name: c.name, label: c.display, value: ranges.length > 0, reason, children };
  p.subsets.set(node, { ranges, target });
  return node;
}

const and: PartitionedEvaluator = (c, id, target, suffix, candidate, _x, p) => {
  let current = candidate;
  const children = c.children.map((child) => {
    const r = p.evaluate(child, target, suffix, current);
    current = rangesIntersect(current, sub(p, r));
    return r;
  });
  const firstFalse = children.find((r) => !r.value);
  return partResult(p, c, id, target, current, current.length > 0 ? null : firstFalse ? `${firstFalse.label} is false` : null, children);
};

const or: PartitionedEvaluator = (c, id, target, suffix, candidate, _x, p) => {
  const children = c.children.map((child) => p.evaluate(child, target, suffix, candidate));
  let union: IndexRanges = [];
  for (const r of children) union = rangesUnion(union, sub(p, r));
  const trueOnes = children.filter((r) => r.value);
  return partResult(p, c, id, target, rangesIntersect(candidate, union), trueOnes.length ? `${trueOnes.map((r) => r.label).join(", ")} true` : null, children);
};

const not: PartitionedEvaluator = (c, id, target, suffix, candidate, _x, p) => {
  const child = p.evaluate(c.children[0]!, target, suffix, candidate);
  return partResult(p, c, id, target, rangesMinus(candidate, sub(p, child)), null, [child]);
};

/** since per partition: `S_t = (S_t-1 ∪ trigger) \ reset`; when both carry times and the trigger's is later, its partitions stay. */
const since: PartitionedEvaluator = (c, id, target, suffix, _candidate, x, p, view) => {
  const trigger = p.evaluate(c.children[0]!, target, suffix, view.all);
  const reset = p.evaluate(c.children[1]!, target, suffix, view.all);
  const previous = priorCursor(x, c, id, suffix);
  const before = previous?.subset ?? [];
  const triggerAt = x.timing.get(trigger);
  const resetAt = x.timing.get(reset);
  const triggerLater = trigger.value && reset.value && triggerAt !== undefined && resetAt !== undefined && triggerAt > resetAt;
  let value = rangesMinus(rangesUnion(before, sub(p, trigger)), sub(p, reset));
  if (triggerLater) value = rangesUnion(value, sub(p, trigger));
  const last = sinceState.read(previous);
  const lastTrigger = trigger.value ? x.now : last.lastTrigger;
  x.nodes[id] = { value: value.length > 0, extra: sinceState.write({ lastTrigger, lastReset: reset.value ? x.now : last.lastReset }), subset: value };
  let reason: string;
  if (triggerLater) reason = `${trigger.label} (${formatTime(triggerAt, x.now)}) happened after the reset ${reset.label} (${formatTime(resetAt, x.now)})`;
  else if (value.length > 0) reason = before.length > 0 ? `latched since ${lastTrigger === null ? "an earlier tick" : formatTime(lastTrigger, x.now)}, not reset since` : `${trigger.label} became true`;
  else if (reset.value) reason = `reset: ${reset.label} is true`;
  else reason = `${trigger.label} has not been true since the last reset`;
  return timed(x, partResult(p, c, id, target, value, reason, [trigger, reset]), triggerAt);
};

const newlyTrue: PartitionedEvaluator = (c, id, target, suffix, candidate, x, p, view) => {
  const child = p.evaluate(c.children[0]!, target, suffix, view.all);
  const now = sub(p, child);
  const before = priorCursor(x, c, id, suffix)?.subset ?? [];
  const value = rangesIntersect(candidate, rangesMinus(now, before));
  x.nodes[id] = { value: value.length > 0, extra: newlyTrueState.write({ operandWasTrue: now.length > 0 }), subset: now };
  return partResult(p, c, id, target, value, value.length > 0 ? `${child.label} became true` : child.value ? `${child.label} was already true at the previous tick` : null, [child]);
};

function depsMatch(kind: "any" | "all"): PartitionedEvaluator {
  return (c, id, target, suffix, candidate, x, p, view) => {
    const node = c.node;
    const all = x.plan.deps[target]!;
    const deps =
      node.kind === "any_deps" || node.kind === "all_deps"
        ? all.filter((d) => {
            const key = x.plan.ids[d]!;
            return (node.allow === null || matchesAnyKeyGlob(key, node.allow)) && !(node.ignore !== null && matchesAnyKeyGlob(key, node.ignore));
          })
        : all;
    const children: EvaluationNode[] = [];
    const trueDeps: string[] = [];
    const falseDeps: string[] = [];
    let latest: number | undefined;
    let union: IndexRanges = [];
    let intersection: IndexRanges = candidate;
    for (const d of deps) {
      const depId = x.plan.ids[d]!;
      const depView = p.view(d);
      let child: EvaluationNode;
      let mapped: IndexRanges;
      if (depView === null) {
        child = p.evaluate(c.children[0]!, d, `${suffix}@${depId}`, candidate.length > 0);
        mapped = child.value ? candidate : [];
      } else {
        child = p.evaluate(c.children[0]!, d, `${suffix}@${depId}`, mapRanges(view.def, candidate, depView.def, depView.count));
        mapped = rangesIntersect(candidate, mapRanges(depView.def, sub(p, child), view.def, view.count));
      }
      (mapped.length > 0 ? trueDeps : falseDeps).push(depId);
      union = rangesUnion(union, mapped);
      intersection = rangesIntersect(intersection, mapped);
      const at = x.timing.get(child);
      if (at !== undefined && (latest === undefined || at > latest)) latest = at;
      const wrapper = partResult(p, { ...c, name: `dep ${depId}`, display: `dep ${depId}` }, `${id}@${depId}`, target, mapped, child.reason, [child]);
      children.push(timed(x, wrapper, at));
    }
    if (kind === "any") {
      const reason = deps.length === 0 ? "no dependencies" : trueDeps.length > 0 ? `true for ${listDeps(trueDeps)}` : null;
      return timed(x, partResult(p, c, id, target, union, reason, children), latest);
    }
    const reason = deps.length === 0 ? "no dependencies: vacuously true" : falseDeps.length === 0 ? "true for every dependency" : `false for ${listDeps(falseDeps)}`;
    return partResult(p, c, id, target, deps.length === 0 ? candidate : intersection, reason, children);
  };
}

/** Operands that read partitions; the others are facts about the whole asset. */
const PARTITION_OPERANDS: Partial<Record<string, (input: { c: CompiledNode; id: string; target: number; x: Context; p: PartitionContext; view: PartitionView; who: string }, candidate: IndexRanges) => EvaluationNode>> = {
  missing: ({ c, id, target, p, view, who }, candidate) => {
    const value = rangesMinus(candidate, view.status?.materialized ?? []);
    return partResult(p, c, id, target, value, value.length > 0 ? `${who}never materialized` : `${who}materialized`);
  },
  newly_updated: ({ c, id, target, x, p, view, who }, candidate) => {
    if (x.ePrev === null) return partResult(p, c, id, target, [], "first evaluation: nothing is newly updated");
    const indexes: [number, number][] = [];
    let at: number | undefined;
    for (const u of view.status?.updates ?? []) {
      if (u.storageId <= x.ePrev && u.committedLate !== true) continue;
      indexes.push([u.index, u.index]);
      if (at === undefined || u.timestamp > at) at = u.timestamp;
    }
    const value = rangesIntersect(candidate, normalizeRanges(indexes));
    return timed(x, partResult(p, c, id, target, value, value.length > 0 ? `${who}materialized since the previous tick` : null), value.length > 0 ? at : undefined);
  },
  newly_requested: ({ c, id, target, x, p, who }, candidate) => {
    const value = rangesIntersect(candidate, p.previousRequested(target));
    return timed(x, partResult(p, c, id, target, value, value.length > 0 ? `${who}requested by the previous tick` : null), value.length > 0 && x.previousTime !== null ? x.previousTime : undefined);
  },
  will_be_requested: ({ c, id, target, x, p, who }, candidate) => {
    const value = target === x.root ? [] : rangesIntersect(candidate, p.requestedNow(target));
    return partResult(p, c, id, target, value, value.length > 0 ? `${who}is requested this tick, in the same run` : null);
  },
  run_in_progress: ({ c, id, target, p, view, who }, candidate) => {
    const value = rangesIntersect(candidate, view.status?.inProgress ?? []);
    return partResult(p, c, id, target, value, value.length > 0 ? `${who}a run of the partition is in progress` : null);
  },
  execution_failed: ({ c, id, target, p, view, who }, candidate) => {
    const value = rangesIntersect(candidate, rangesMinus(view.status?.failed ?? [], view.status?.inProgress ?? []));
    return partResult(p, c, id, target, value, value.length > 0 ? `${who}the latest run of the partition failed` : null);
  },
  /** As Dagster: only the dependency's single latest materialization (its partition) can come from a run that targeted the root. */
  executed_with_root_target: ({ c, id, target, x, p, view, who }, candidate) => {
    const latest = x.runtime[target]?.latestMaterialization;
    const selection = latest?.runAssetSelection;
    const update = target !== x.root && selection != null && selection.includes(x.plan.ids[x.root]!) ? view.status?.updates.find((u) => u.storageId === latest!.storageId) : undefined;
    const value = update === undefined ? [] : rangesIntersect(candidate, [[update.index, update.index]]);
    return partResult(p, c, id, target, value, value.length > 0 ? `${who}was built by run ${latest!.runId} that also built this asset` : null);
  },
  in_latest_time_window: ({ c, id, target, p, view }, candidate) => {
    const value = view.count === 0 ? [] : rangesIntersect(candidate, [[view.count - 1, view.count - 1]]);
    return partResult(p, c, id, target, value, view.count === 0 ? "no partition exists yet" : `the latest partition is ${view.calendar.keyAt(view.count - 1)}`);
  },
};

const operand: PartitionedEvaluator = (c, id, target, suffix, candidate, x, p, view) => {
  if (c.node.kind !== "operand") throw new Error("unreachable");
  const name = c.node.operand;
  const perPartition = PARTITION_OPERANDS[name];
  const who = target === x.root ? "" : `${x.plan.ids[target]} `;
  if (perPartition) {
    if (candidate.length === 0) return partResult(p, c, id, target, [], SKIPPED);
    return perPartition({ c, id, target, x, p, view, who }, candidate);
  }
  // A fact about the whole asset: true for every candidate partition, or none.
  const whole = OPERANDS[name];
  if (candidate.length === 0 && whole.always !== true) return partResult(p, c, id, target, [], SKIPPED);
  const r = whole.evaluate({ c, id, target, x, s: x.runtime[target], who }, candidate.length > 0);
  const node = partResult(p, c, id, target, r.value ? candidate : [], r.reason, r.children);
  const at = x.timing.get(r);
  return timed(x, node, at);
};

/** A legacy rule over a partitioned asset: judged for the whole asset (the rules are Dagster's unpartitioned ones). */
function rule(evaluateRule: NodeEvaluator): PartitionedEvaluator {
  return (c, id, target, suffix, candidate, x, p) => {
    const r = evaluateRule(c, id, target, suffix, candidate.length > 0, x);
    return partResult(p, c, id, target, r.value ? candidate : [], r.reason, r.children);
  };
}

/** Every node kind over a partitioned target. */
export function partitionedKinds(evaluateRule: NodeEvaluator): Readonly<Record<ConditionNode["kind"], PartitionedEvaluator>> {
  return { and, or, not, since, newly_true: newlyTrue, any_deps: depsMatch("any"), all_deps: depsMatch("all"), operand, rule: rule(evaluateRule) };
}

/** The partitions a node over a partitioned target was true for, for the evaluation record: counts and keys. */
export function annotate(node: EvaluationNode, p: PartitionContext): EvaluationNode {
  const children = node.children.map((child) => annotate(child, p));
  const found = p.subsets.get(node);
  const view = found ? p.view(found.target) : null;
  if (!found || !view) return children.every((child, i) => child === node.children[i]) ? node : { ...node, children };
  const partitions = { count: rangesSize(found.ranges), of: view.count, keys: describeRanges(view.def, found.ranges) };
  return { ...node, partitions, children };
}
