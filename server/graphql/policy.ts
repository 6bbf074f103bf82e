/** Readable labels for policies, so a catalog can show "on_cron 0 6 * * * (Europe/Copenhagen)" as is. */
import type { PolicySpec } from "../../catalog/model/index.ts";

// A condition tree can be large; a label is for a list row, the full tree is in `Policy.condition`.
const MAX_CONDITION_LABEL = 200;

/** Renders a declared condition (the YAML form: strings, lists, single-key mappings) as `and(missing, not(in_progress))`. */
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

/** A one-line description of a policy: "eager", "on_cron 0 6 * * * (Europe/Copenhagen)", "condition and(…)". */
export function policyLabel(policy: PolicySpec): string {
  if (policy.source === "automation_condition") {
    const text = describeCondition(policy.condition);
    const shortened = text.length > MAX_CONDITION_LABEL ? `${text.slice(0, MAX_CONDITION_LABEL - 1)}…` : text;
    return shortened === "" ? "automation condition" : `automation condition ${shortened}`;
  }
  if (policy.type === "on_cron") {
    const schedule = policy.cronSchedule ?? "(no schedule)";
    return `on_cron ${schedule} (${policy.cronTimezone ?? "UTC"})`;
  }
  return policy.type;
}
