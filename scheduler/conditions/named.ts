/**
 * The named conditions, as Dagster builds them (automation_condition.py, auto_materialize_policy.py):
 * labelled compositions of the operands and operators of ./tree.ts.
 */
import type { ConditionNode, LegacyRuleName } from "./tree.ts";
import { formatDuration } from "../../catalog/model/index.ts";
import { LEGACY_RULE_DESCRIPTIONS, allDeps, and, anyDeps, cronTickPassed, minimumIntervalPassed, newlyTrue, not, operand, or, rule, since, sinceLastHandled, withLabel } from "./tree.ts";

/** `in_progress` = run_in_progress ∨ backfill_in_progress. */
export const inProgress = (): ConditionNode => withLabel(or(operand("run_in_progress"), operand("backfill_in_progress")), "in_progress");

/** `newly_missing` = missing.newly_true(). */
export const newlyMissing = (): ConditionNode => withLabel(newlyTrue(operand("missing")), "newly_missing");

/** `any_deps_updated` = ANY_DEPS((newly_updated ∧ ¬executed_with_root_target) ∨ will_be_requested). */
export const anyDepsUpdated = (): ConditionNode =>
  withLabel(
    anyDeps(or(withLabel(and(operand("newly_updated"), not(operand("executed_with_root_target"))), "newly_updated_without_root"), operand("will_be_requested"))),
    "any_deps_updated",
  );

/** `any_deps_missing` = ANY_DEPS(missing ∧ ¬will_be_requested). */
export const anyDepsMissing = (): ConditionNode =>
  withLabel(anyDeps(and(operand("missing"), not(operand("will_be_requested")))), "any_deps_missing");

/** `any_deps_in_progress` = ANY_DEPS(in_progress). */
export const anyDepsInProgress = (): ConditionNode => withLabel(anyDeps(inProgress()), "any_deps_in_progress");

/** `all_deps_updated_since_cron(c, tz)` = ALL_DEPS(newly_updated.since(cron_tick_passed(c, tz)) ∨ will_be_requested). */
export const allDepsUpdatedSinceCron = (schedule: string, timezone = "UTC"): ConditionNode =>
  withLabel(
    allDeps(or(since(operand("newly_updated"), cronTickPassed(schedule, timezone)), operand("will_be_requested"))),
    `all_deps_updated_since_cron(${schedule}, ${timezone})`,
  );

/** `AutomationCondition.eager()`. */
export const eager = (): ConditionNode =>
  withLabel(
    and(
      operand("in_latest_time_window"),
      sinceLastHandled(or(newlyMissing(), anyDepsUpdated())),
      not(anyDepsMissing()),
      not(anyDepsInProgress()),
      not(inProgress()),
    ),
    "eager",
  );

/** `AutomationCondition.on_cron(c, tz)`. */
export const onCron = (schedule: string, timezone = "UTC"): ConditionNode =>
  withLabel(
    and(operand("in_latest_time_window"), sinceLastHandled(cronTickPassed(schedule, timezone)), allDepsUpdatedSinceCron(schedule, timezone)),
    `on_cron(${schedule}, ${timezone})`,
  );

/** `AutomationCondition.on_missing()`. */
export const onMissing = (): ConditionNode =>
  withLabel(
    and(operand("in_latest_time_window"), withLabel(sinceLastHandled(newlyTrue(operand("missing"))), "missing_since_last_handled"), not(anyDepsMissing())),
    "on_missing",
  );

const LEGACY_EAGER_RULES: readonly LegacyRuleName[] = [
  "materialize_on_missing",
  "materialize_on_parent_updated",
  "materialize_on_required_for_freshness",
  "skip_on_parent_outdated",
  "skip_on_parent_missing",
  "skip_on_required_but_nonexistent_parents",
  "skip_on_backfill_in_progress",
];

/**
 * A legacy `AutoMaterializePolicy` as Dagster converts it (`to_automation_condition`):
 * `(OR of materialize rules, sorted by description) ∧ ¬(OR of skip rules, sorted) ∧ ¬discard(1)`.
 */
function legacyPolicy(rules: readonly LegacyRuleName[], label: string): ConditionNode {
  const byDescription = (a: LegacyRuleName, b: LegacyRuleName) => (LEGACY_RULE_DESCRIPTIONS[a] < LEGACY_RULE_DESCRIPTIONS[b] ? -1 : 1);
  const materialize = rules.filter((r) => r.startsWith("materialize_")).sort(byDescription);
  const skip = rules.filter((r) => r.startsWith("skip_")).sort(byDescription);
  return withLabel(
    and(or(...materialize.map(rule)), not(or(...skip.map(rule))), not(rule("discard_on_max_materializations_exceeded"))),
    label,
  );
}

/** `AutoMaterializePolicy.eager()` converted to a condition: what dagster-dbt gives `{type: eager}`. */
export const legacyEager = (): ConditionNode => legacyPolicy(LEGACY_EAGER_RULES, "eager (auto_materialize_policy)");

/** `AutoMaterializePolicy.lazy()`: eager without materialize_on_missing and materialize_on_parent_updated. */
export const legacyLazy = (): ConditionNode =>
  legacyPolicy(
    LEGACY_EAGER_RULES.filter((r) => r !== "materialize_on_missing" && r !== "materialize_on_parent_updated"),
    "lazy (auto_materialize_policy)",
  );

/**
 * `minimum_interval` (Tributary's own; Dagster leaves it to hand-written conditions): the policy, and at least
 * `seconds` since the asset's last materialization and its last request. The policy's own state keeps what it
 * wants in the meantime (eager's since_last_handled latch, legacy eager's parent_updated rule, which hold until
 * the asset is requested or updated), so updates during the interval become one request when it ends.
 */
export const withMinimumInterval = (policy: ConditionNode, seconds: number): ConditionNode =>
  withLabel(and(policy, minimumIntervalPassed(seconds)), `${policy.label ?? "policy"}, at most every ${formatDuration(seconds)}`);

/**
 * dbt's `freshness.build_after: {count, period, updates_on}` (dbt ≥ 1.10), with dbt's documented meaning (Tributary's
 * own translation; Dagster has no counterpart): build when the model has never been built, or when
 * `updates_on: any` — some upstream — or `all` — every upstream — has new data since the model's last build
 * (or is requested in this tick's same run), and not sooner than `count × period` after its last build or
 * request; never while it or an upstream is running or an upstream is missing (dbt builds upstream first), nor
 * on the tick right after its own request.
 */
export const buildAfter = (seconds: number, updatesOn: "any" | "all", text: string): ConditionNode => {
  const updated = or(operand("newer_than_root"), operand("will_be_requested"));
  return withLabel(
    and(
      or(operand("missing"), withLabel(updatesOn === "all" ? allDeps(updated) : anyDeps(updated), `${updatesOn === "all" ? "all" : "any"}_deps_updated_since_last_build`)),
      minimumIntervalPassed(seconds),
      not(operand("newly_requested")),
      not(anyDepsMissing()),
      not(inProgress()),
      not(anyDepsInProgress()),
    ),
    `build_after(${text})`,
  );
};
