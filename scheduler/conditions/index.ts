/**
 * Declarative automation's decision core: the condition tree (./tree.ts), the named conditions (./named.ts),
 * trees from declared policies (./from-policy.ts) and the pure `evaluate()` (./evaluate.ts).
 */
export * from "./tree.ts";
export * from "./named.ts";
export { ConditionBuildError, compilePolicy, conditionFromPolicy, conditionFromTree, conditionFromYaml } from "./from-policy.ts";
export { evaluate, sameLocationRun } from "./evaluate.ts";
export { restorePlan, storablePlan } from "./plan.ts";
export type { StoredPlan } from "./plan.ts";
export type { EvaluateInput, EvaluateResult, SameRunPredicate } from "./evaluate.ts";
export { cronTicksBetween, latestCronTick, nextCronTick } from "./cron.ts";
export { freshnessStatus } from "./freshness.ts";
export type { FreshnessState, FreshnessStatus } from "./freshness.ts";
export { keyGlobPattern, matchesAnyKeyGlob, matchesKeyGlob } from "../../catalog/model/index.ts";
export * from "./state.ts";
export * from "./evaluate.ts";
export * from "./from-policy.ts";
