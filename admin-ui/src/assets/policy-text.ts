/** Policies in words: "eager: after any upstream update, when none is missing or running". */
import type { Policy, PolicyTreeNode } from "../types.ts";

/** A cron expression read aloud, for the common shapes; the expression itself otherwise. */
export function describeCron(cron: string): string {
  const parts = cron.trim().split(/\s+/);
  if (parts.length !== 5) return `on cron ${cron}`;
  const [minute, hour, dayOfMonth, month, dayOfWeek] = parts as [string, string, string, string, string];
  const isNumber = (value: string) => /^\d+$/.test(value);
  const time = isNumber(minute) && isNumber(hour) ? `${hour.padStart(2, "0")}:${minute.padStart(2, "0")}` : null;
  if (time !== null && dayOfMonth === "*" && month === "*" && dayOfWeek === "*") return `every day at ${time}`;
  if (isNumber(minute) && hour === "*" && dayOfMonth === "*" && month === "*" && dayOfWeek === "*") return `every hour at :${minute.padStart(2, "0")}`;
  const days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
  if (time !== null && dayOfMonth === "*" && month === "*" && isNumber(dayOfWeek)) return `every ${days[Number(dayOfWeek) % 7]} at ${time}`;
  if (time !== null && isNumber(dayOfMonth) && month === "*" && dayOfWeek === "*") return `on day ${dayOfMonth} of every month at ${time}`;
  return `on cron ${cron}`;
}

const PRIMITIVES: Readonly<Record<string, string>> = {
  missing: "it has never been materialized",
  newly_missing: "it has just become missing",
  newly_updated: "it was just updated",
  any_deps_updated: "any upstream asset was updated",
  all_deps_updated: "every upstream asset was updated",
  any_deps_missing: "an upstream asset is missing",
  all_deps_missing: "every upstream asset is missing",
  any_deps_in_progress: "an upstream asset is being materialized",
  in_progress: "it is being materialized",
  execution_failed: "its latest run failed",
  initial_evaluation: "this is the first evaluation",
  cron_tick_passed: "a cron tick has passed",
  newly_requested: "it was just requested",
  code_version_changed: "its code version changed",
};

/** One sentence for a named policy. */
export function describePolicy(policy: Policy): string {
  switch (policy.type) {
    case "EAGER":
      return "Eager: materialize after any upstream update (or when missing), when no upstream asset is missing or running and it is not already running.";
    case "LAZY":
      return "Lazy: materialize only when a downstream asset needs it.";
    case "ON_MISSING":
      return "On missing: materialize once when it has never been materialized, as soon as its upstream assets exist.";
    case "ON_CRON": {
      const zone = policy.cronTimezone ? ` (${policy.cronTimezone})` : "";
      const when = policy.cronSchedule ? describeCron(policy.cronSchedule) : "on its schedule";
      return `On cron: ${when}${zone}, once every upstream asset has updated since the tick.`;
    }
    default:
      return "Automation condition: materialize when the condition below holds.";
  }
}

/** A node of a declared condition tree, as the UI draws it. */
export interface ConditionNode {
  readonly label: string;
  readonly children: readonly ConditionNode[];
}

/** The declared condition (JSON as written in YAML) as a tree of readable nodes. */
export function conditionTree(condition: unknown): ConditionNode {
  if (typeof condition === "string") return { label: PRIMITIVES[condition] ?? condition.replaceAll("_", " "), children: [] };
  if (Array.isArray(condition)) return { label: "all of", children: condition.map(conditionTree) };
  if (condition !== null && typeof condition === "object") {
    const entries = Object.entries(condition as Record<string, unknown>);
    if (entries.length === 1) {
      const [operator, operand] = entries[0] as [string, unknown];
      const operands = Array.isArray(operand) ? operand : [operand];
      const label =
        operator === "all_of" ? "all of" : operator === "any_of" ? "any of" : operator === "not" ? "not" : operator === "since" ? "since" : operator.replaceAll("_", " ");
      if (PRIMITIVES[operator] !== undefined && !Array.isArray(operand)) {
        return { label: `${PRIMITIVES[operator]} (${JSON.stringify(operand)})`, children: [] };
      }
      return { label, children: operands.map(conditionTree) };
    }
    return { label: entries.map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(", "), children: [] };
  }
  return { label: JSON.stringify(condition), children: [] };
}

/** How many downstream assets an asset affects, in words: "37 downstream assets, 2 Census syncs". */
export function impactSentence(impact: { count: number; countByKind: readonly { kind: string; count: number }[] }): string {
  const plural = (n: number, one: string, many: string) => `${n.toLocaleString("en")} ${n === 1 ? one : many}`;
  // The syncs and exposures are among the downstream assets, not beside them: "8 …, including 2 … and 1 …"
  // (a list of counts would read as their sum).
  const total = plural(impact.count, "downstream asset", "downstream assets");
  const parts: string[] = [];
  const byKind = new Map(impact.countByKind.map(({ kind, count }) => [kind, count]));
  const census = byKind.get("census");
  if (census) parts.push(plural(census, "Census sync", "Census syncs"));
  const dashboards = (byKind.get("dashboard") ?? 0) || (byKind.get("exposure") ?? 0);
  if (dashboards) parts.push(plural(dashboards, "exposure", "exposures"));
  if (parts.length === 0) return total;
  const all = parts.reduce((n, part) => n + Number(part.split(" ")[0]!.replace(/,/g, "")), 0);
  if (all === impact.count) return `${total}: ${parts.join(" and ")}`;
  return `${total}, including ${parts.join(" and ")}`;
}

/** `Policy.tree` from the server as the same readable tree the declared condition gives. */
export function policyTree(tree: PolicyTreeNode): ConditionNode {
  return { label: tree.label || tree.name, children: tree.children.map(policyTree) };
}

/** Whether `Policy.tree` (JSON on the wire) has the shape scheduler/conditions/tree.ts builds, all the way down. */
export function isPolicyTree(value: unknown): value is PolicyTreeNode {
  if (value === null || typeof value !== "object") return false;
  const node = value as Record<string, unknown>;
  return typeof node.name === "string" && (typeof node.label === "string" || node.label === null) && Array.isArray(node.children) && node.children.every(isPolicyTree);
}
