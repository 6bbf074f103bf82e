/**
 * The typed form of a declared `automation_condition`, and its one parser. The loader parses the YAML once,
 * here, into a {@link Condition} kept in the policy (`PolicySpec.tree`); the scheduler compiles that tree
 * (scheduler/conditions/from-policy.ts) and never reads the YAML again.
 *
 * The grammar is one table ({@link GRAMMAR}): each YAML name with the shape of its argument and the node it
 * builds. Each node is a mapping with one key — an operator or a primitive — or the bare name of a primitive
 * that takes no arguments:
 *   all_of: [c, …] · any_of: [c, …] · not: c · since: {trigger: c, reset: c} · newly_true: c · since_last_handled: c
 *   any_deps_match: c | {condition: c, allow: [key glob…], ignore: [key glob…]} · all_deps_match: (same)
 *   operands: missing, newly_updated, newly_requested, in_progress… (OPERANDS), cron_tick_passed: {cron, timezone}
 *   named: eager, lazy, on_missing, newly_missing, in_progress, any_deps_updated, any_deps_missing,
 *   any_deps_in_progress, all_deps_updated_since_cron: {cron, timezone}, on_cron: {cron, timezone}
 *   Tributary's own: minimum_interval_passed: 30m (a duration: 90s, 30m, 2h, 1d, 1h30m) and
 *   build_after: {count, period: minute|hour|day, updates_on: any|all} (dbt's `freshness.build_after`)
 *   on_freshness: {maximum_lag_minutes, cron?, timezone?} (a freshness target; see {@link FreshnessTarget})
 * Pure; no imports of ours besides the model.
 */
import { Cron } from "croner";

/** Operands that take no argument: facts about one asset at one tick (scheduler/conditions/operands.ts). */
export const OPERANDS = [
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
  "required_for_freshness",
] as const;
export type SimpleOperandName = (typeof OPERANDS)[number];

/** Named conditions without arguments: Dagster's compositions (scheduler/conditions/named.ts). */
export const NAMED_CONDITIONS = ["eager", "lazy", "on_missing", "newly_missing", "in_progress", "any_deps_updated", "any_deps_missing", "any_deps_in_progress"] as const;
export type NamedConditionName = (typeof NAMED_CONDITIONS)[number];

/** Conditions that take a cron schedule and time zone. */
export const CRON_CONDITIONS = ["cron_tick_passed", "all_deps_updated_since_cron", "on_cron"] as const;
export type CronConditionName = (typeof CRON_CONDITIONS)[number];

/** A declared condition, typed. Plain JSON data (it is stored with the definitions). */
export type Condition =
  | { readonly op: "all_of" | "any_of"; readonly children: readonly Condition[] }
  | { readonly op: "not" | "newly_true" | "since_last_handled"; readonly child: Condition }
  | { readonly op: "since"; readonly trigger: Condition; readonly reset: Condition }
  | {
      readonly op: "any_deps_match" | "all_deps_match";
      readonly child: Condition;
      /** Key globs: only deps matching one of them count (null: all). */
      readonly allow: readonly string[] | null;
      /** Key globs: deps matching one of them do not count. */
      readonly ignore: readonly string[] | null;
    }
  | { readonly op: "operand"; readonly name: SimpleOperandName }
  | { readonly op: "named"; readonly name: NamedConditionName }
  | { readonly op: CronConditionName; readonly cron: string; readonly timezone: string }
  /** True when at least `seconds` have passed since the asset's last materialization and its last request. */
  | { readonly op: "minimum_interval_passed"; readonly seconds: number }
  /** dbt's `freshness.build_after`, evaluated with dbt's meaning (scheduler/conditions/named.ts). */
  | { readonly op: "build_after"; readonly count: number; readonly period: BuildAfterPeriod; readonly updatesOn: "any" | "all" }
  /** Declares the asset's freshness target and requests what is needed to meet it, upstream first. */
  | ({ readonly op: "on_freshness" } & FreshnessTarget);

/**
 * "This asset must be at most N minutes old" (Dagster's FreshnessPolicy): without a cron, its latest
 * materialization is never older than `maximumLagMinutes`; with one, at each cron tick (the deadline) it has a
 * materialization from at most `maximumLagMinutes` before the deadline.
 */
export interface FreshnessTarget {
  readonly maximumLagMinutes: number;
  readonly cron: string | null;
  readonly timezone: string;
}

/** dbt's `build_after.period` values. */
export const BUILD_AFTER_PERIODS = ["minute", "hour", "day"] as const;
export type BuildAfterPeriod = (typeof BUILD_AFTER_PERIODS)[number];
const PERIOD_SECONDS: Readonly<Record<BuildAfterPeriod, number>> = { minute: 60, hour: 3600, day: 86400 };

/** The seconds `count × period` spans. */
export function buildAfterSeconds(count: number, period: BuildAfterPeriod): number {
  return count * PERIOD_SECONDS[period];
}

type Shape = "none" | "list" | "unary" | "since" | "deps" | "cron" | "duration" | "build_after" | "freshness";

/** The grammar: every YAML name, the shape of its argument, and how its node is built from the parsed parts. */
const GRAMMAR: Readonly<Record<string, { readonly shape: Shape; readonly build: (parts: Parts) => Condition }>> = {
  all_of: { shape: "list", build: (p) => ({ op: "all_of", children: p.children! }) },
  any_of: { shape: "list", build: (p) => ({ op: "any_of", children: p.children! }) },
  not: { shape: "unary", build: (p) => ({ op: "not", child: p.child! }) },
  newly_true: { shape: "unary", build: (p) => ({ op: "newly_true", child: p.child! }) },
  since_last_handled: { shape: "unary", build: (p) => ({ op: "since_last_handled", child: p.child! }) },
  since: { shape: "since", build: (p) => ({ op: "since", trigger: p.trigger!, reset: p.reset! }) },
  any_deps_match: { shape: "deps", build: (p) => ({ op: "any_deps_match", child: p.child!, allow: p.allow ?? null, ignore: p.ignore ?? null }) },
  all_deps_match: { shape: "deps", build: (p) => ({ op: "all_deps_match", child: p.child!, allow: p.allow ?? null, ignore: p.ignore ?? null }) },
  minimum_interval_passed: { shape: "duration", build: (p) => ({ op: "minimum_interval_passed", seconds: p.seconds! }) },
  build_after: { shape: "build_after", build: (p) => ({ op: "build_after", ...p.buildAfter! }) },
  on_freshness: { shape: "freshness", build: (p) => ({ op: "on_freshness", ...p.freshness! }) },
  ...Object.fromEntries(CRON_CONDITIONS.map((op) => [op, { shape: "cron" as const, build: (p: Parts) => ({ op, cron: p.cron!, timezone: p.timezone ?? "UTC" }) }])),
  ...Object.fromEntries(OPERANDS.map((name) => [name, { shape: "none" as const, build: () => ({ op: "operand" as const, name }) }])),
  ...Object.fromEntries(NAMED_CONDITIONS.map((name) => [name, { shape: "none" as const, build: () => ({ op: "named" as const, name }) }])),
};

interface Parts {
  children?: Condition[];
  child?: Condition;
  trigger?: Condition;
  reset?: Condition;
  allow?: string[] | null;
  ignore?: string[] | null;
  cron?: string;
  timezone?: string;
  seconds?: number;
  buildAfter?: { count: number; period: BuildAfterPeriod; updatesOn: "any" | "all" };
  freshness?: FreshnessTarget;
}

/**
 * Parses the YAML form of a condition. Returns the typed tree, or null with `errors` saying what is wrong
 * and where (`automation_condition.all_of[1]: unknown condition "sometimes"; expected …`).
 */
export function parseCondition(node: unknown, path: string, errors: string[]): Condition | null {
  const before = errors.length;
  const parsed = parseNode(node, path, errors);
  return errors.length === before ? parsed : null;
}

function parseNode(node: unknown, path: string, errors: string[]): Condition | null {
  if (typeof node === "string") {
    const entry = GRAMMAR[node];
    if (entry?.shape !== "none") {
      errors.push(`${path}: unknown condition "${node}"; expected ${knownNames()}`);
      return null;
    }
    return entry.build({});
  }
  if (!isPlainObject(node)) {
    errors.push(`${path}: a condition must be a name or a mapping with one key, got ${describeYamlValue(node)}`);
    return null;
  }
  const keys = Object.keys(node);
  if (keys.length !== 1) {
    errors.push(`${path}: a condition mapping must have exactly one key (the operator), got ${keys.length ? keys.join(", ") : "none"}`);
    return null;
  }
  const name = keys[0]!;
  const entry = Object.hasOwn(GRAMMAR, name) ? GRAMMAR[name] : undefined;
  if (entry === undefined) {
    errors.push(`${path}: unknown condition "${name}"; expected ${knownNames()}`);
    return null;
  }
  const argument = node[name];
  const here = `${path}.${name}`;
  const parts: Parts = {};
  const before = errors.length;
  switch (entry.shape) {
    case "none":
      if (argument !== null && !(isPlainObject(argument) && Object.keys(argument).length === 0)) {
        errors.push(`${here}: takes no arguments; write "${name}" or {${name}: {}}`);
      }
      break;
    case "list":
      if (!Array.isArray(argument) || argument.length === 0) {
        errors.push(`${here}: expected a non-empty list of conditions`);
        return null;
      }
      parts.children = argument.map((child, index) => parseNode(child, `${here}[${index}]`, errors)!);
      break;
    case "unary":
      parts.child = parseNode(argument, here, errors)!;
      break;
    case "since":
      if (!isPlainObject(argument) || !("trigger" in argument) || !("reset" in argument)) {
        errors.push(`${here}: expected {trigger: <condition>, reset: <condition>}`);
        return null;
      }
      for (const key of Object.keys(argument)) {
        if (key !== "trigger" && key !== "reset") errors.push(`${here}: unknown key "${key}"; expected trigger, reset`);
      }
      parts.trigger = parseNode(argument["trigger"], `${here}.trigger`, errors)!;
      parts.reset = parseNode(argument["reset"], `${here}.reset`, errors)!;
      break;
    case "deps":
      if (isPlainObject(argument) && "condition" in argument) {
        for (const key of Object.keys(argument)) {
          if (!["condition", "allow", "ignore"].includes(key)) errors.push(`${here}: unknown key "${key}"; expected condition, allow, ignore`);
        }
        for (const key of ["allow", "ignore"] as const) {
          const selection = argument[key];
          if (selection === undefined) continue;
          if (Array.isArray(selection) && selection.every((s) => typeof s === "string")) parts[key] = selection as string[];
          else errors.push(`${here}.${key}: expected a list of asset key globs`);
        }
        parts.child = parseNode(argument["condition"], `${here}.condition`, errors)!;
      } else {
        parts.child = parseNode(argument, here, errors)!;
      }
      break;
    case "cron": {
      if (!isPlainObject(argument) || typeof argument["cron"] !== "string") {
        errors.push(`${here}: expected {cron: "<cron expression>", timezone: "<IANA zone>"}`);
        return null;
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
      parts.cron = argument["cron"].trim();
      if (typeof timezone === "string") parts.timezone = timezone;
      break;
    }
    case "duration": {
      const seconds = parseDuration(argument);
      if (typeof seconds === "string") errors.push(`${here}: ${seconds}`);
      else parts.seconds = seconds;
      break;
    }
    case "build_after": {
      const parsed = parseBuildAfter(argument, here, errors);
      if (parsed !== null) parts.buildAfter = parsed;
      break;
    }
    case "freshness": {
      const parsed = parseFreshnessTarget(argument, here, errors);
      if (parsed !== null) parts.freshness = parsed;
      break;
    }
  }
  return errors.length === before ? entry.build(parts) : null;
}

/** Parses `{maximum_lag_minutes, cron?, timezone?}`; null with `errors` pushed when malformed. */
export function parseFreshnessTarget(argument: unknown, here: string, errors: string[]): FreshnessTarget | null {
  if (!isPlainObject(argument)) {
    errors.push(`${here}: expected {maximum_lag_minutes: <n>, cron: "<cron expression>", timezone: "<IANA zone>"}, got ${describeYamlValue(argument)}`);
    return null;
  }
  const before = errors.length;
  for (const key of Object.keys(argument)) {
    if (!["maximum_lag_minutes", "cron", "timezone"].includes(key)) errors.push(`${here}: unknown key "${key}"; expected maximum_lag_minutes, cron, timezone`);
  }
  const lag = argument["maximum_lag_minutes"];
  if (typeof lag !== "number" || !Number.isFinite(lag) || lag <= 0) errors.push(`${here}.maximum_lag_minutes: expected a number of minutes > 0, got ${describeYamlValue(lag)}`);
  const cron = argument["cron"];
  if (cron !== undefined && cron !== null) {
    const cronError = typeof cron === "string" ? validateCron(cron) : "expected a string";
    if (cronError) errors.push(`${here}.cron: ${JSON.stringify(cron)} is not a valid cron expression: ${cronError}`);
  }
  const timezone = argument["timezone"];
  if (timezone !== undefined && (typeof timezone !== "string" || !isValidTimezone(timezone))) errors.push(`${here}.timezone: ${JSON.stringify(timezone)} is not an IANA time zone`);
  if (errors.length > before) return null;
  return { maximumLagMinutes: lag as number, cron: typeof cron === "string" ? cron.trim() : null, timezone: typeof timezone === "string" ? timezone : "UTC" };
}

/** The freshness target a policy declares (an `on_freshness` anywhere in its condition), or null. */
export function freshnessTargetOf(tree: Condition | undefined): FreshnessTarget | null {
  if (tree === undefined) return null;
  switch (tree.op) {
    case "on_freshness":
      return { maximumLagMinutes: tree.maximumLagMinutes, cron: tree.cron, timezone: tree.timezone };
    case "all_of":
    case "any_of":
      for (const child of tree.children) {
        const found = freshnessTargetOf(child);
        if (found) return found;
      }
      return null;
    case "not":
    case "newly_true":
    case "since_last_handled":
      return freshnessTargetOf(tree.child);
    case "since":
      return freshnessTargetOf(tree.trigger) ?? freshnessTargetOf(tree.reset);
    default:
      return null;
  }
}

const DURATION = /^(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s)?$/;

/**
 * Parses a duration as people write it: `90s`, `30m`, `2h`, `1d`, `1h30m`. Returns the seconds (at least 1),
 * or why it is not a duration. A bare number is refused: minutes or seconds would be a guess.
 */
export function parseDuration(value: unknown): number | string {
  if (typeof value === "number") return `expected a duration with a unit such as "30m" (s, m, h, d), got the number ${value}`;
  if (typeof value !== "string") return `expected a duration such as "30m" (s, m, h, d), got ${describeYamlValue(value)}`;
  const match = DURATION.exec(value.trim());
  if (match === null || value.trim() === "") return `"${value}" is not a duration; write e.g. "90s", "30m", "2h", "1d" or "1h30m"`;
  const [, d, h, m, s] = match;
  const seconds = Number(d ?? 0) * 86400 + Number(h ?? 0) * 3600 + Number(m ?? 0) * 60 + Number(s ?? 0);
  if (seconds <= 0) return `"${value}" is not a positive duration`;
  return seconds;
}

/** A duration in seconds, written back compactly: 1800 → "30m", 5400 → "1h30m". */
export function formatDuration(seconds: number): string {
  const parts: string[] = [];
  let rest = Math.round(seconds);
  for (const [unit, size] of [["d", 86400], ["h", 3600], ["m", 60], ["s", 1]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join("") || "0s";
}

/**
 * Parses dbt's `build_after: {count, period, updates_on}` (dbt ≥ 1.10). `updates_on` defaults to `any`, as in
 * dbt. Returns null with `errors` pushed when it is malformed.
 */
export function parseBuildAfter(
  argument: unknown,
  here: string,
  errors: string[],
): { count: number; period: BuildAfterPeriod; updatesOn: "any" | "all" } | null {
  if (!isPlainObject(argument)) {
    errors.push(`${here}: expected {count: <n>, period: minute|hour|day, updates_on: any|all}, got ${describeYamlValue(argument)}`);
    return null;
  }
  const before = errors.length;
  for (const key of Object.keys(argument)) {
    if (!["count", "period", "updates_on"].includes(key)) errors.push(`${here}: unknown key "${key}"; expected count, period, updates_on`);
  }
  const count = argument["count"];
  if (typeof count !== "number" || !Number.isInteger(count) || count < 0) errors.push(`${here}.count: expected a whole number ≥ 0, got ${describeYamlValue(count)}`);
  const period = argument["period"];
  if (typeof period !== "string" || !(BUILD_AFTER_PERIODS as readonly string[]).includes(period)) {
    errors.push(`${here}.period: expected one of ${BUILD_AFTER_PERIODS.join(", ")}, got ${describeYamlValue(period)}`);
  }
  const updatesOn = argument["updates_on"] ?? "any";
  if (updatesOn !== "any" && updatesOn !== "all") errors.push(`${here}.updates_on: expected any or all, got ${describeYamlValue(updatesOn)}`);
  if (errors.length > before) return null;
  return { count: count as number, period: period as BuildAfterPeriod, updatesOn: updatesOn as "any" | "all" };
}

function knownNames(): string {
  return Object.keys(GRAMMAR).join(", ");
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

/** A YAML mapping (not a list, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** What a YAML value is, for messages: "a list", "a mapping", "string \"x\"". */
export function describeYamlValue(value: unknown): string {
  if (value === null || value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "a mapping" : `${typeof value} ${JSON.stringify(value)}`;
}
