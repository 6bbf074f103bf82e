/**
 * Parses and validates the policies users declare: `auto_materialize_policy` ({type: eager | lazy | on_cron |
 * on_missing}) and `automation_condition` (a YAML tree of conditions). Pure; used by every connector that
 * reads policies (dbt meta, tributary.yaml), so a policy means the same wherever it is written.
 *
 * Dagster silently ignores a policy it does not understand; Tributary reports it, names what is wrong, and
 * loads the asset without a policy.
 */
import { Cron } from "croner";
import type { PolicySpec, PolicyType, SourceLocation } from "./index.ts";

export const POLICY_TYPES: readonly PolicyType[] = ["eager", "lazy", "on_cron", "on_missing"];

/** The result of parsing: a policy, or the problems found (the asset then has no policy). */
export interface PolicyParseResult {
  readonly policy: PolicySpec | null;
  /** Errors make the policy unusable. */
  readonly errors: readonly string[];
  /** Warnings leave the policy usable (a key Dagster ignores, say). */
  readonly warnings: readonly string[];
}

/** Keys each policy type reads; anything else is reported as ignored. */
const KEYS_BY_TYPE: Record<PolicyType, readonly string[]> = {
  eager: ["type"],
  lazy: ["type"],
  on_cron: ["type", "cron_schedule", "cron_timezone"],
  on_missing: ["type"],
};

/** Parses `meta.dagster.auto_materialize_policy`. */
export function parseAutoMaterializePolicy(value: unknown, declaredIn: SourceLocation): PolicyParseResult {
  if (typeof value === "string") {
    const hint = (POLICY_TYPES as readonly string[]).includes(value) ? `{type: ${value}}` : "{type: eager}";
    return invalid(`auto_materialize_policy must be a mapping like ${hint}, got the string "${value}"`);
  }
  if (!isPlainObject(value)) {
    return invalid(`auto_materialize_policy must be a mapping like {type: eager}, got ${describe(value)}`);
  }
  const type = value["type"];
  if (type === undefined || type === null) {
    return invalid(`auto_materialize_policy has no type; expected one of ${POLICY_TYPES.join(", ")}`);
  }
  if (typeof type !== "string" || !(POLICY_TYPES as readonly string[]).includes(type)) {
    const lower = typeof type === "string" ? type.toLowerCase() : null;
    const caseHint = lower !== null && (POLICY_TYPES as readonly string[]).includes(lower) ? ` (types are lowercase: "${lower}")` : "";
    return invalid(`unknown type ${JSON.stringify(type)}; expected ${POLICY_TYPES.join(", ")}${caseHint}`);
  }
  const policyType = type as PolicyType;
  const errors: string[] = [];
  const warnings: string[] = [];
  for (const key of Object.keys(value)) {
    if (!KEYS_BY_TYPE[policyType].includes(key)) {
      warnings.push(`key "${key}" is ignored for type ${policyType} (read: ${KEYS_BY_TYPE[policyType].join(", ")})`);
    }
  }
  let cronSchedule: string | null = null;
  let cronTimezone: string | null = null;
  if (policyType === "on_cron") {
    const schedule = value["cron_schedule"];
    if (typeof schedule !== "string" || schedule.trim() === "") {
      errors.push(`type on_cron needs cron_schedule, a cron expression such as "0 6 * * *"`);
    } else {
      const cronError = validateCron(schedule);
      if (cronError) errors.push(`cron_schedule "${schedule}" is not a valid cron expression: ${cronError}`);
      cronSchedule = schedule.trim();
    }
    const timezone = value["cron_timezone"];
    if (timezone !== undefined && timezone !== null) {
      if (typeof timezone !== "string" || !isValidTimezone(timezone)) {
        errors.push(`cron_timezone ${JSON.stringify(timezone)} is not an IANA time zone such as "Europe/Copenhagen"`);
      } else {
        cronTimezone = timezone;
      }
    }
  }
  if (errors.length > 0) return { policy: null, errors, warnings };
  return {
    policy: { source: "auto_materialize_policy", type: policyType, cronSchedule, cronTimezone, declaredIn },
    errors,
    warnings,
  };
}

/**
 * The YAML form of a condition tree. Each node is a mapping with one key — an operator or a primitive — or
 * the bare name of a primitive that takes no arguments:
 *   all_of: [c, …] · any_of: [c, …] · not: c · since: {trigger: c, reset: c} · newly_true: c · since_last_handled: c
 *   any_deps_match: c | {condition: c, allow: [key glob…], ignore: [key glob…]} · all_deps_match: (same)
 *   primitives: missing, newly_updated, newly_requested, newly_missing, in_progress, execution_failed,
 *   initial_evaluation, code_version_changed, will_be_requested, any_deps_updated, any_deps_missing,
 *   any_deps_in_progress, in_latest_time_window, run_in_progress, backfill_in_progress, executed_with_root_target,
 *   cron_tick_passed: {cron, timezone}, all_deps_updated_since_cron: {cron, timezone}
 *   named: eager, lazy, on_missing, on_cron: {cron, timezone}
 */
export const CONDITION_PRIMITIVES = [
  "missing",
  "newly_updated",
  "newly_requested",
  "newly_missing",
  "in_progress",
  "execution_failed",
  "initial_evaluation",
  "code_version_changed",
  "will_be_requested",
  "any_deps_updated",
  "any_deps_missing",
  "any_deps_in_progress",
  "in_latest_time_window",
  "run_in_progress",
  "backfill_in_progress",
  "executed_with_root_target",
] as const;
export const CRON_CONDITIONS = ["cron_tick_passed", "all_deps_updated_since_cron", "on_cron"] as const;
export const NAMED_CONDITIONS = ["eager", "lazy", "on_missing"] as const;
const LIST_OPERATORS = ["all_of", "any_of"] as const;
const UNARY_OPERATORS = ["not", "newly_true", "since_last_handled"] as const;
const DEP_OPERATORS = ["any_deps_match", "all_deps_match"] as const;

/** Parses `meta.dagster.automation_condition`. */
export function parseAutomationCondition(value: unknown, declaredIn: SourceLocation): PolicyParseResult {
  const errors: string[] = [];
  validateConditionNode(value, "automation_condition", errors);
  if (errors.length > 0) return { policy: null, errors, warnings: [] };
  return { policy: { source: "automation_condition", condition: value, declaredIn }, errors, warnings: [] };
}

function validateConditionNode(node: unknown, path: string, errors: string[]): void {
  if (typeof node === "string") {
    if (!isArgumentFree(node)) {
      errors.push(`${path}: unknown condition "${node}"; expected ${knownNames()}`);
    }
    return;
  }
  if (!isPlainObject(node)) {
    errors.push(`${path}: a condition must be a name or a mapping with one key, got ${describe(node)}`);
    return;
  }
  const keys = Object.keys(node);
  if (keys.length !== 1) {
    errors.push(`${path}: a condition mapping must have exactly one key (the operator), got ${keys.length ? keys.join(", ") : "none"}`);
    return;
  }
  const name = keys[0]!;
  const argument = node[name];
  const here = `${path}.${name}`;
  if ((LIST_OPERATORS as readonly string[]).includes(name)) {
    if (!Array.isArray(argument) || argument.length === 0) {
      errors.push(`${here}: expected a non-empty list of conditions`);
      return;
    }
    argument.forEach((child, index) => validateConditionNode(child, `${here}[${index}]`, errors));
  } else if ((UNARY_OPERATORS as readonly string[]).includes(name)) {
    validateConditionNode(argument, here, errors);
  } else if (name === "since") {
    if (!isPlainObject(argument) || !("trigger" in argument) || !("reset" in argument)) {
      errors.push(`${here}: expected {trigger: <condition>, reset: <condition>}`);
      return;
    }
    for (const key of Object.keys(argument)) {
      if (key !== "trigger" && key !== "reset") errors.push(`${here}: unknown key "${key}"; expected trigger, reset`);
    }
    validateConditionNode(argument["trigger"], `${here}.trigger`, errors);
    validateConditionNode(argument["reset"], `${here}.reset`, errors);
  } else if ((DEP_OPERATORS as readonly string[]).includes(name)) {
    if (isPlainObject(argument) && "condition" in argument) {
      for (const key of Object.keys(argument)) {
        if (!["condition", "allow", "ignore"].includes(key)) {
          errors.push(`${here}: unknown key "${key}"; expected condition, allow, ignore`);
        }
      }
      for (const key of ["allow", "ignore"]) {
        const selection = argument[key];
        if (selection !== undefined && !(Array.isArray(selection) && selection.every((s) => typeof s === "string"))) {
          errors.push(`${here}.${key}: expected a list of asset key globs`);
        }
      }
      validateConditionNode(argument["condition"], `${here}.condition`, errors);
    } else {
      validateConditionNode(argument, here, errors);
    }
  } else if ((CRON_CONDITIONS as readonly string[]).includes(name)) {
    if (!isPlainObject(argument) || typeof argument["cron"] !== "string") {
      errors.push(`${here}: expected {cron: "<cron expression>", timezone: "<IANA zone>"}`);
      return;
    }
    const cronError = validateCron(argument["cron"]);
    if (cronError) errors.push(`${here}.cron: "${argument["cron"]}" is not a valid cron expression: ${cronError}`);
    const timezone = argument["timezone"];
    if (timezone !== undefined && (typeof timezone !== "string" || !isValidTimezone(timezone))) {
      errors.push(`${here}.timezone: ${JSON.stringify(timezone)} is not an IANA time zone`);
    }
    for (const key of Object.keys(argument)) {
      if (key !== "cron" && key !== "timezone") errors.push(`${here}: unknown key "${key}"; expected cron, timezone`);
    }
  } else if (isArgumentFree(name)) {
    if (argument !== null && !(isPlainObject(argument) && Object.keys(argument).length === 0)) {
      errors.push(`${here}: takes no arguments; write "${name}" or {${name}: {}}`);
    }
  } else {
    errors.push(`${path}: unknown condition "${name}"; expected ${knownNames()}`);
  }
}

function isArgumentFree(name: string): boolean {
  return (CONDITION_PRIMITIVES as readonly string[]).includes(name) || (NAMED_CONDITIONS as readonly string[]).includes(name);
}

function knownNames(): string {
  return [...LIST_OPERATORS, ...UNARY_OPERATORS, "since", ...DEP_OPERATORS, ...CRON_CONDITIONS, ...NAMED_CONDITIONS, ...CONDITION_PRIMITIVES].join(", ");
}

/** Returns why a 5-field cron expression is invalid, or null when croner accepts it. */
export function validateCron(expression: string): string | null {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5 && !/^@\w+$/.test(expression.trim())) {
    return `expected 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}`;
  }
  try {
    new Cron(expression.trim(), { paused: true });
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** True for a time zone the runtime's ICU knows (IANA names such as "Europe/Copenhagen", or "UTC"). */
export function isValidTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

// A condition tree can be large; a label is for a list row, the full tree is in the policy itself.
const MAX_CONDITION_LABEL = 200;

/** Renders a declared condition (the YAML form: strings, lists, single-key mappings) as `all_of(missing, not(in_progress))`. */
function describeCondition(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return value.map(describeCondition).join(", ");
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [name, argument] = entries[0] as [string, unknown];
      return `${name}(${describeCondition(argument)})`;
    }
    return entries.map(([name, argument]) => `${name}=${describeCondition(argument)}`).join(", ");
  }
  return String(value);
}

/** A one-line description of a policy: "eager", "on_cron 0 6 * * * (Europe/Copenhagen)", "automation condition all_of(…)". */
export function policyLabel(policy: PolicySpec): string {
  if (policy.source === "automation_condition") {
    const text = describeCondition(policy.condition);
    const shortened = text.length > MAX_CONDITION_LABEL ? `${text.slice(0, MAX_CONDITION_LABEL - 1)}…` : text;
    return shortened === "" ? "automation condition" : `automation condition ${shortened}`;
  }
  if (policy.type === "on_cron") return `on_cron ${policy.cronSchedule ?? "(no schedule)"} (${policy.cronTimezone ?? "UTC"})`;
  return policy.type;
}

function invalid(message: string): PolicyParseResult {
  return { policy: null, errors: [message], warnings: [] };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "a mapping" : `${typeof value} ${JSON.stringify(value)}`;
}
