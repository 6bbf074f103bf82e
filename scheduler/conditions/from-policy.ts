/**
 * Builds the condition tree a declared policy stands for:
 * - `auto_materialize_policy: {type: eager | lazy}` → Dagster's legacy rule-based policies (reference §0, §2.5),
 *   so a project that runs under Dagster behaves the same here;
 * - `{type: on_cron, cron_schedule, cron_timezone}` and `{type: on_missing}` → the named conditions of §2.4;
 * - `automation_condition` → the YAML tree (grammar in catalog/model/policy.ts), already validated at load.
 *
 * Compiled trees are cached per policy object: a graph's assets share their PolicySpec objects across ticks.
 */
import type { PolicySpec } from "../../catalog/model/index.ts";
import { eager, legacyEager, legacyLazy, onCron, onMissing, allDepsUpdatedSinceCron, anyDepsInProgress, anyDepsMissing, anyDepsUpdated, inProgress, newlyMissing } from "./named.ts";
import type { CompiledCondition, ConditionNode, OperandName } from "./tree.ts";
import { allDeps, and, anyDeps, compileCondition, cronTickPassed, newlyTrue, not, operand, or, since, sinceLastHandled } from "./tree.ts";

/** A policy the loader accepted but that cannot be turned into a tree (should not happen: the loader validates). */
export class ConditionBuildError extends Error {
  override readonly name = "ConditionBuildError";
}

/** The condition tree of a declared policy. Throws {@link ConditionBuildError} for a malformed condition. */
export function conditionFromPolicy(policy: PolicySpec): ConditionNode {
  if (policy.source === "auto_materialize_policy") {
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
  return conditionFromYaml(policy.condition, "automation_condition");
}

const SIMPLE_OPERANDS: readonly OperandName[] = [
  "missing",
  "newly_updated",
  "newly_requested",
  "will_be_requested",
  "run_in_progress",
  "backfill_in_progress",
  "execution_failed",
  "initial_evaluation",
  "in_latest_time_window",
  "executed_with_root_target",
  "code_version_changed",
];

const NAMED: Readonly<Record<string, () => ConditionNode>> = {
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

/** The tree of the YAML form of `automation_condition` (see catalog/model/policy.ts for the grammar). */
export function conditionFromYaml(value: unknown, path: string): ConditionNode {
  if (typeof value === "string") return simple(value, path);
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new ConditionBuildError(`${path}: expected a condition`);
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length !== 1) throw new ConditionBuildError(`${path}: a condition mapping must have exactly one key`);
  const [name, argument] = entries[0]!;
  const here = `${path}.${name}`;
  const list = (): ConditionNode[] => {
    if (!Array.isArray(argument) || argument.length === 0) throw new ConditionBuildError(`${here}: expected a non-empty list`);
    return argument.map((child, i) => conditionFromYaml(child, `${here}[${i}]`));
  };
  const mapping = (): Record<string, unknown> => {
    if (typeof argument !== "object" || argument === null || Array.isArray(argument)) throw new ConditionBuildError(`${here}: expected a mapping`);
    return argument as Record<string, unknown>;
  };
  const cron = (): [string, string] => {
    const { cron: schedule, timezone } = mapping();
    if (typeof schedule !== "string") throw new ConditionBuildError(`${here}: expected {cron, timezone}`);
    return [schedule.trim(), typeof timezone === "string" ? timezone : "UTC"];
  };
  switch (name) {
    case "all_of":
      return and(...list());
    case "any_of":
      return or(...list());
    case "not":
      return not(conditionFromYaml(argument, here));
    case "newly_true":
      return newlyTrue(conditionFromYaml(argument, here));
    case "since_last_handled":
      return sinceLastHandled(conditionFromYaml(argument, here));
    case "since": {
      const { trigger, reset } = mapping();
      return since(conditionFromYaml(trigger, `${here}.trigger`), conditionFromYaml(reset, `${here}.reset`));
    }
    case "any_deps_match":
    case "all_deps_match": {
      const build = name === "any_deps_match" ? anyDeps : allDeps;
      if (typeof argument === "object" && argument !== null && !Array.isArray(argument) && "condition" in argument) {
        const { condition, allow, ignore } = argument as Record<string, unknown>;
        const globs = (v: unknown) => (Array.isArray(v) ? v.map(String) : null);
        return build(conditionFromYaml(condition, `${here}.condition`), globs(allow), globs(ignore));
      }
      return build(conditionFromYaml(argument, here));
    }
    case "cron_tick_passed":
      return cronTickPassed(...cron());
    case "all_deps_updated_since_cron":
      return allDepsUpdatedSinceCron(...cron());
    case "on_cron":
      return onCron(...cron());
    default:
      return simple(name, path);
  }
}

function simple(name: string, path: string): ConditionNode {
  if ((SIMPLE_OPERANDS as readonly string[]).includes(name)) return operand(name as Exclude<OperandName, "cron_tick_passed">);
  const named = NAMED[name];
  if (named) return named();
  throw new ConditionBuildError(`${path}: unknown condition "${name}"`);
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
      ? `amp\u0000${policy.type}\u0000${policy.cronSchedule ?? ""}\u0000${policy.cronTimezone ?? ""}`
      : `ac\u0000${JSON.stringify(policy.condition)}`;
  compiled = compiledByDeclaration.get(declaration);
  if (compiled === undefined) {
    compiled = compileCondition(conditionFromPolicy(policy));
    if (compiledByDeclaration.size >= MAX_SHARED_DECLARATIONS) compiledByDeclaration.clear();
    compiledByDeclaration.set(declaration, compiled);
  }
  compiledByPolicy.set(policy, compiled);
  return compiled;
}
