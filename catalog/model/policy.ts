/**
 * Parses and validates the policies users declare: `auto_materialize_policy` ({type: eager | lazy | on_cron |
 * on_missing}) and `automation_condition` (a YAML tree of conditions). Pure; used by every connector that
 * reads policies (dbt meta, tributary.yaml), so a policy means the same wherever it is written.
 *
 * Dagster silently ignores a policy it does not understand; Tributary reports it, names what is wrong, and
 * loads the asset without a policy.
 */
import { describeYamlValue, formatDuration, isPlainObject, isValidTimezone, parseCondition, parseDuration, validateCron } from "./condition.ts";
import type { PolicySpec, PolicyType, SourceLocation } from "./index.ts";

export { isValidTimezone, validateCron } from "./condition.ts";

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
  eager: ["type", "minimum_interval"],
  lazy: ["type", "minimum_interval"],
  on_cron: ["type", "cron_schedule", "cron_timezone", "minimum_interval"],
  on_missing: ["type", "minimum_interval"],
};

/** Parses `meta.dagster.auto_materialize_policy`. */
export function parseAutoMaterializePolicy(value: unknown, declaredIn: SourceLocation): PolicyParseResult {
  if (typeof value === "string") {
    const hint = (POLICY_TYPES as readonly string[]).includes(value) ? `{type: ${value}}` : "{type: eager}";
    return invalid(`auto_materialize_policy must be a mapping like ${hint}, got the string "${value}"`);
  }
  if (!isPlainObject(value)) {
    return invalid(`auto_materialize_policy must be a mapping like {type: eager}, got ${describeYamlValue(value)}`);
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
  let minimumIntervalSeconds: number | null = null;
  if (value["minimum_interval"] !== undefined) {
    const seconds = parseDuration(value["minimum_interval"]);
    if (typeof seconds === "string") errors.push(`minimum_interval: ${seconds}`);
    else minimumIntervalSeconds = seconds;
  }
  if (errors.length > 0) return { policy: null, errors, warnings };
  return {
    policy: {
      source: "auto_materialize_policy",
      type: policyType,
      cronSchedule,
      cronTimezone,
      ...(minimumIntervalSeconds === null ? {} : { minimumIntervalSeconds }),
      declaredIn,
    },
    errors,
    warnings,
  };
}

/** Parses `meta.dagster.automation_condition` once, into the typed tree the policy keeps (grammar: ./condition.ts). */
export function parseAutomationCondition(value: unknown, declaredIn: SourceLocation): PolicyParseResult {
  const errors: string[] = [];
  const tree = parseCondition(value, "automation_condition", errors);
  if (tree === null) return { policy: null, errors, warnings: [] };
  return { policy: { source: "automation_condition", condition: value, tree, declaredIn }, errors, warnings: [] };
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
  const base = policy.type === "on_cron" ? `on_cron ${policy.cronSchedule ?? "(no schedule)"} (${policy.cronTimezone ?? "UTC"})` : policy.type;
  return policy.minimumIntervalSeconds ? `${base}, at most every ${formatDuration(policy.minimumIntervalSeconds)}` : base;
}

function invalid(message: string): PolicyParseResult {
  return { policy: null, errors: [message], warnings: [] };
}

