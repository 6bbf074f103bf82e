/**
 * The operators, one entry each in {@link OPERATORS}: how each evaluates its children over the candidate,
 * the state it keeps (node-state.ts) and the timing it passes on (context.ts). Dagster's operators
 * (declarative_automation/operators) are the model.
 */
import type { EvaluationNode } from "../../catalog/model/index.ts";
import { matchesAnyKeyGlob } from "../../catalog/model/index.ts";
import type { NodeEvaluator } from "./context.ts";
import { formatTime, listDeps, result, timed } from "./context.ts";
import { newlyTrueState, priorCursor, sinceState, writeState } from "./node-state.ts";
import type { Plan } from "./plan.ts";
import type { CompiledNode, ConditionNode } from "./tree.ts";

type OperatorKind = Exclude<ConditionNode["kind"], "operand" | "rule">;

/** all_of: each child's candidate is the intersection of the results so far (later children still run). */
const allOf: NodeEvaluator = (c, id, target, suffix, candidate, x) => {
  let current = candidate;
  const children = c.children.map((child) => {
    const r = x.evaluate(child, target, suffix, current);
    current = current && r.value;
    return r;
  });
  const firstFalse = children.find((r) => !r.value);
  return result(c, id, current, current ? null : firstFalse ? `${firstFalse.label} is false` : null, children);
};

const anyOf: NodeEvaluator = (c, id, target, suffix, candidate, x) => {
  const children = c.children.map((child) => x.evaluate(child, target, suffix, candidate));
  const trueOnes = children.filter((r) => r.value);
  return result(c, id, candidate && trueOnes.length > 0, trueOnes.length ? `${trueOnes.map((r) => r.label).join(", ")} true` : null, children);
};

const not: NodeEvaluator = (c, id, target, suffix, candidate, x) => {
  const child = x.evaluate(c.children[0]!, target, suffix, candidate);
  return result(c, id, candidate && !child.value, null, [child]);
};

/**
 * since: `S_t = (S_t-1 ∪ trigger) \ reset`, trigger and reset evaluated over the whole asset whatever the
 * candidate, so no transition is missed, and not intersected with the candidate. When both are true on one
 * tick, the trigger wins if it happened after the reset (Dagster ≥ 1.12). Passes on its trigger's timing.
 */
const since: NodeEvaluator = (c, id, target, suffix, _candidate, x) => {
  const trigger = x.evaluate(c.children[0]!, target, suffix, true);
  const reset = x.evaluate(c.children[1]!, target, suffix, true);
  const previous = priorCursor(x, c, id, suffix);
  const before = previous?.value === true;
  const triggerAt = x.timing.get(trigger);
  const resetAt = x.timing.get(reset);
  const triggerLater = trigger.value && reset.value && triggerAt !== undefined && resetAt !== undefined && triggerAt > resetAt;
  const value = ((before || trigger.value) && !reset.value) || triggerLater;
  const last = sinceState.read(previous);
  const lastTrigger = trigger.value ? x.now : last.lastTrigger;
  writeState(x, id, value, sinceState, { lastTrigger, lastReset: reset.value ? x.now : last.lastReset });
  let reason: string;
  if (triggerLater) reason = `${trigger.label} (${formatTime(triggerAt, x.now)}) happened after the reset ${reset.label} (${formatTime(resetAt, x.now)})`;
  else if (reset.value) reason = `reset: ${reset.label} is true${trigger.value ? " (and not earlier than the trigger)" : ""}`;
  else if (trigger.value) reason = `${trigger.label} became true at ${formatTime(x.now, x.now)}`;
  else if (value) reason = `latched since ${lastTrigger === null ? "an earlier tick" : formatTime(lastTrigger, x.now)}, not reset since`;
  else reason = `${trigger.label} has not been true since the last reset`;
  return timed(x, result(c, id, value, reason, [trigger, reset]), triggerAt);
};

/** newly_true: its operand true now and not at the previous tick; the operand is evaluated over the whole asset. */
const newlyTrue: NodeEvaluator = (c, id, target, suffix, candidate, x) => {
  const child = x.evaluate(c.children[0]!, target, suffix, true);
  const before = newlyTrueState.read(priorCursor(x, c, id, suffix)).operandWasTrue;
  const value = candidate && child.value && !before;
  writeState(x, id, value, newlyTrueState, { operandWasTrue: child.value });
  return result(c, id, value, child.value ? (before ? `${child.label} was already true at the previous tick` : `${child.label} became true`) : null, [child]);
};

/**
 * any_deps_match / all_deps_match: the operand on each dependency (sorted, filtered by allow/ignore key globs);
 * with zero deps ALL is true, ANY false. Each dependency's node carries its operand's timing; ANY passes on the
 * latest, ALL none (as Dagster's AllDepsCondition).
 */
function depsMatch(kind: "any" | "all"): NodeEvaluator {
  return (c, id, target, suffix, candidate, x) => {
    const deps = filteredDeps(c, target, x.plan);
    const children: EvaluationNode[] = [];
    const trueDeps: string[] = [];
    const falseDeps: string[] = [];
    let latest: number | undefined;
    for (const d of deps) {
      const depId = x.plan.ids[d]!;
      const child = x.evaluate(c.children[0]!, d, `${suffix}@${depId}`, candidate);
      (child.value ? trueDeps : falseDeps).push(depId);
      const at = x.timing.get(child);
      if (at !== undefined && (latest === undefined || at > latest)) latest = at;
      const wrapper: EvaluationNode = { id: `${id}@${depId}`, name: `dep ${depId}`, label: `dep ${depId}`, value: child.value, reason: child.reason, children: [child] };
      children.push(timed(x, wrapper, at));
    }
    if (kind === "any") {
      const value = candidate && trueDeps.length > 0;
      const reason = deps.length === 0 ? "no dependencies" : value ? `true for ${listDeps(trueDeps)}` : null;
      return timed(x, result(c, id, value, reason, children), latest);
    }
    const value = candidate && falseDeps.length === 0;
    const reason = deps.length === 0 ? "no dependencies: vacuously true" : value ? `true for every dependency` : `false for ${listDeps(falseDeps)}`;
    return result(c, id, value, reason, children);
  };
}

function filteredDeps(c: CompiledNode, target: number, plan: Plan): readonly number[] {
  const node = c.node;
  const all = plan.deps[target]!;
  if (node.kind !== "any_deps" && node.kind !== "all_deps") return all;
  if (node.allow === null && node.ignore === null) return all;
  let byTarget = plan.filteredDeps.get(c);
  if (!byTarget) plan.filteredDeps.set(c, (byTarget = new Map()));
  let found = byTarget.get(target);
  if (!found) {
    found = all.filter((d) => {
      const key = plan.ids[d]!;
      return (node.allow === null || matchesAnyKeyGlob(key, node.allow)) && !(node.ignore !== null && matchesAnyKeyGlob(key, node.ignore));
    });
    byTarget.set(target, found);
  }
  return found;
}

/** Every operator, by node kind. */
export const OPERATORS: Readonly<Record<OperatorKind, NodeEvaluator>> = {
  and: allOf,
  or: anyOf,
  not,
  since,
  newly_true: newlyTrue,
  any_deps: depsMatch("any"),
  all_deps: depsMatch("all"),
};

