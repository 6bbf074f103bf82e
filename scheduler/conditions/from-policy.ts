/**
 * Builds the condition tree a declared policy stands for:
 * - `auto_materialize_policy: {type: eager | lazy}` → Dagster's legacy rule-based policies (reference §0, §2.5),
 *   so a project that runs under Dagster behaves the same here;
 * - `{type: on_cron, cron_schedule, cron_timezone}` and `{type: on_missing}` → the named conditions of §2.4;
 * - `automation_condition` → the typed tree the loader parsed (catalog/model/condition.ts), compiled here;
 *   the YAML is never parsed a second time.
 *
 * Compiled trees are cached per policy object: a graph's assets share their PolicySpec objects across ticks.
 */
import type { Condition, NamedConditionName, PolicySpec } from "../../catalog/model/index.ts";
import { buildAfterSeconds, parseCondition } from "../../catalog/model/index.ts";
import { buildAfter, withMinimumInterval, eager, legacyEager, legacyLazy, onCron, onMissing, allDepsUpdatedSinceCron, anyDepsInProgress, anyDepsMissing, anyDepsUpdated, inProgress, newlyMissing } from "./named.ts";
import type { CompiledCondition, ConditionNode } from "./tree.ts";
import { withLabel } from "./tree.ts";
import { allDeps, and, anyDeps, compileCondition, cronTickPassed, minimumIntervalPassed, newlyTrue, not, onFreshness, operand, or, since, sinceLastHandled } from "./tree.ts";

/** A policy the loader accepted but that cannot be turned into a tree (should not happen: the loader validates). */
export class ConditionBuildError extends Error {
  override readonly name = "ConditionBuildError";
}

/** The condition tree of a declared policy. Throws {@link ConditionBuildError} for a malformed condition. */
export function conditionFromPolicy(policy: PolicySpec): ConditionNode {
  if (policy.source === "auto_materialize_policy") {
    const tree = namedPolicy(policy);
    return policy.minimumIntervalSeconds ? withMinimumInterval(tree, policy.minimumIntervalSeconds) : tree;
  }
  return conditionFromTree(policy.tree ?? parseOrThrow(policy.condition, "automation_condition"));
}

function namedPolicy(policy: Extract<PolicySpec, { source: "auto_materialize_policy" }>): ConditionNode {
  switch (policy.type) {
    case "eager":
      return legacyEager();
    case "lazy":
      return legacyLazy();
    case "on_missing":
      return onMissing();
    case "on_cron":
      if (policy.cronSchedule === null) throw new ConditionBuildError("on_cron needs a cron_schedule");
      return onCron(policy.cronSchedule, policy.cronTimezone ?? "UTC");
  }
}

/** The tree of a declared condition (named conditions expanded into Dagster's formulas). Total over the typed tree. */
export function conditionFromTree(condition: Condition): ConditionNode {
  switch (condition.op) {
    case "all_of":
      return and(...condition.children.map(conditionFromTree));
    case "any_of":
      return or(...condition.children.map(conditionFromTree));
    case "not":
      return not(conditionFromTree(condition.child));
    case "newly_true":
      return newlyTrue(conditionFromTree(condition.child));
    case "since_last_handled":
      return sinceLastHandled(conditionFromTree(condition.child));
    case "since":
      return since(conditionFromTree(condition.trigger), conditionFromTree(condition.reset));
    case "any_deps_match":
      return anyDeps(conditionFromTree(condition.child), condition.allow, condition.ignore);
    case "all_deps_match":
      return allDeps(conditionFromTree(condition.child), condition.allow, condition.ignore);
    case "cron_tick_passed":
      return cronTickPassed(condition.cron, condition.timezone);
    case "all_deps_updated_since_cron":
      return allDepsUpdatedSinceCron(condition.cron, condition.timezone);
    case "on_cron":
      return onCron(condition.cron, condition.timezone);
    case "minimum_interval_passed":
      return minimumIntervalPassed(condition.seconds);
    case "build_after":
      return buildAfter(
        buildAfterSeconds(condition.count, condition.period),
        condition.updatesOn,
        `count=${condition.count}, period=${condition.period}, updates_on=${condition.updatesOn}`,
      );
    case "on_freshness":
      return withLabel(onFreshness({ maximumLagMinutes: condition.maximumLagMinutes, cron: condition.cron, timezone: condition.timezone }), "on_freshness");
    case "operand":
      return operand(condition.name);
    case "named":
      return NAMED[condition.name]();
  }
}

const NAMED: Readonly<Record<NamedConditionName, () => ConditionNode>> = {
  newly_missing: newlyMissing,
  in_progress: inProgress,
  any_deps_updated: anyDepsUpdated,
  any_deps_missing: anyDepsMissing,
  any_deps_in_progress: anyDepsInProgress,
  eager,
  // `lazy` has no AutomationCondition counterpart in Dagster; inside a YAML tree it means the legacy lazy policy.
  lazy: legacyLazy,
  on_missing: onMissing,
};

/**
 * The tree of a YAML condition, through the loader's one parser (catalog/model/condition.ts): for specs that
 * carry no parsed tree (written by hand, or stored before trees were kept). Throws {@link ConditionBuildError}.
 */
export function conditionFromYaml(value: unknown, path: string): ConditionNode {
  return conditionFromTree(parseOrThrow(value, path));
}

function parseOrThrow(value: unknown, path: string): Condition {
  const errors: string[] = [];
  const tree = parseCondition(value, path, errors);
  if (tree === null) throw new ConditionBuildError(errors.join("; "));
  return tree;
}

const compiledByPolicy = new WeakMap<PolicySpec, CompiledCondition>();
// Equal declarations share one compiled tree (10k dbt models with `+meta` eager hash their tree once).
const compiledByDeclaration = new Map<string, CompiledCondition>();
const MAX_SHARED_DECLARATIONS = 10_000;

/** The compiled condition of a policy, cached per policy object and per declaration. */
export function compilePolicy(policy: PolicySpec): CompiledCondition {
  let compiled = compiledByPolicy.get(policy);
  if (compiled !== undefined) return compiled;
  const declaration =
    policy.source === "auto_materialize_policy"
      ? `amp\u0000${policy.type}\u0000${policy.cronSchedule ?? ""}\u0000${policy.cronTimezone ?? ""}\u0000${policy.minimumIntervalSeconds ?? ""}`
      : `ac\u0000${JSON.stringify(policy.tree ?? policy.condition)}`;
  compiled = compiledByDeclaration.get(declaration);
  if (compiled === undefined) {
    compiled = compileCondition(conditionFromPolicy(policy));
    if (compiledByDeclaration.size >= MAX_SHARED_DECLARATIONS) compiledByDeclaration.clear();
    compiledByDeclaration.set(declaration, compiled);
  }
  compiledByPolicy.set(policy, compiled);
  return compiled;
}
