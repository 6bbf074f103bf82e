/**
 * The rules of Dagster's legacy `AutoMaterializePolicy` (auto_materialize_rule_impls.py), one entry each in
 * {@link RULES}, for unpartitioned assets: what `auto_materialize_policy: {type: eager | lazy}` maps to.
 */
import type { EvaluationNode } from "../../catalog/model/index.ts";
import type { Context } from "./context.ts";
import { NONE, isMissing, listDeps, result } from "./context.ts";
import { legacyRuleState, previousValue, readState, valueOnly, writeState } from "./node-state.ts";
import { requiredForFreshness } from "./operands.ts";
import type { CompiledNode, LegacyRuleName } from "./tree.ts";

/** What every rule reads, computed once per rule node. */
interface RuleInput {
  readonly c: CompiledNode;
  readonly id: string;
  readonly target: number;
  readonly candidate: boolean;
  readonly x: Context;
  readonly deps: readonly number[];
  /** A parent updated after the root's previous tick (every existing record on the first), not by a run that also targets this asset. */
  readonly updatedSinceCursor: (d: number) => boolean;
  readonly requestedBefore: boolean;
}

export const RULES: Readonly<Record<LegacyRuleName, (input: RuleInput) => EvaluationNode>> = {
  materialize_on_missing: ({ c, id, target, candidate, x, deps, updatedSinceCursor, requestedBefore }) => {
    const missing = isMissing(target, x);
    const { handled: handledBefore } = readState(x, id, legacyRuleState);
    if (deps.length === 0) {
      // Root: missing and never handled (requested or materialized) since the rule was applied.
      const handled = handledBefore || requestedBefore || !missing;
      const value = candidate && missing && !handled;
      writeState(x, id, value, legacyRuleState, { handled });
      return result(c, id, value, value ? "never materialized, and not yet requested" : missing ? "missing, but already requested once" : null);
    }
    // Non-root: missing, and a parent updated this tick (or the rule was already true and not yet handled).
    const parentUpdated = deps.some((d) => updatedSinceCursor(d) || x.willBeRequested(d));
    const value = candidate && missing && (parentUpdated || (previousValue(x, id) && !requestedBefore));
    writeState(x, id, value, legacyRuleState, { handled: handledBefore || requestedBefore || !missing });
    return result(c, id, value, value ? "never materialized, and a parent has updated" : null);
  },

  materialize_on_parent_updated: ({ c, id, target, candidate, x, deps, updatedSinceCursor, requestedBefore }) => {
    const newer = deps.filter((d) => (updatedSinceCursor(d) && x.updateId[d]! > x.updateId[target]!) || x.willBeRequested(d));
    const handled = requestedBefore || (x.ePrev !== null && x.updateId[target]! > x.ePrev);
    const value = candidate && (newer.length > 0 || (previousValue(x, id) && !handled));
    writeState(x, id, value, valueOnly, null);
    const names = newer.map((d) => x.plan.ids[d]!);
    const reason =
      newer.length > 0
        ? `${listDeps(names)} ${newer.some((d) => x.willBeRequested(d)) ? "updated or requested this tick" : "updated since this asset's latest materialization"}`
        : value
          ? "a parent updated earlier; not yet handled"
          : null;
    return result(c, id, value, reason);
  },

  // Dagster's legacy rule, with Tributary's freshness demand (freshness.ts) in place of its freshness planner.
  materialize_on_required_for_freshness: ({ c, id, target, candidate, x }) => {
    const value = candidate ? requiredForFreshness(target, x, x.runtime[target]) : null;
    return result(c, id, value === true, value === true ? "needed now to meet a freshness target" : value);
  },

  skip_on_parent_outdated: ({ c, id, candidate, x, deps }) => {
    const outdated = x.outdated;
    const stale = outdated ? deps.filter((d) => !x.willBeRequested(d) && outdated[d] === 1) : [];
    return result(c, id, candidate && stale.length > 0, stale.length ? `${listDeps(stale.map((d) => x.plan.ids[d]!))} older than their own upstream` : null);
  },

  skip_on_parent_missing: ({ c, id, candidate, x, deps }) => {
    const missing = deps.filter((d) => x.plan.materializable[d] && !x.willBeRequested(d) && isMissing(d, x));
    return result(c, id, candidate && missing.length > 0, missing.length ? `${listDeps(missing.map((d) => x.plan.ids[d]!))} never materialized` : null);
  },

  skip_on_required_but_nonexistent_parents: ({ c, id }) => result(c, id, false, "unpartitioned: never true"),

  skip_on_backfill_in_progress: ({ c, id, target, candidate, x }) => {
    const value = candidate && x.runtime[target]?.backfillInProgress === true;
    return result(c, id, value, value ? "a backfill targets this asset" : null);
  },

  discard_on_max_materializations_exceeded: ({ c, id }) => result(c, id, false, "unpartitioned: at most one request per tick, never over the limit"),
};

/** Evaluates a legacy rule node through {@link RULES}. */
export function evaluateRule(c: CompiledNode, id: string, target: number, _suffix: string, candidate: boolean, x: Context): EvaluationNode {
  if (c.node.kind !== "rule") throw new Error("unreachable");
  const ePrev = x.ePrev;
  // "Updated after the cursor": with no cursor yet (first tick), every existing record counts. As in Dagster's
  // legacy daemon (`is_asset_planned_for_run` on the parent's latest record), a parent's update made by a run
  // that also targets this asset does not count: that run builds this asset itself, later in the same dbt
  // build, and a tick while it runs must not request the asset again.
  const plannedWithTarget = (d: number) => {
    const latest = x.runtime[d]?.latestMaterialization;
    return latest != null && latest.storageId === x.updateId[d] && latest.runAssetSelection != null && latest.runAssetSelection.includes(x.plan.ids[target]!);
  };
  // An update the tick is the first to see counts whatever its id (one that committed late has a lower one).
  const updatedSinceCursor = (d: number) =>
    ((x.updateId[d]! !== NONE && (ePrev === null || x.updateId[d]! > ePrev)) || x.unseen?.[d] === 1) && !plannedWithTarget(d);
  return RULES[c.node.rule]({ c, id, target, candidate, x, deps: x.plan.deps[target]!, updatedSinceCursor, requestedBefore: x.previousRequested(target) });
}
