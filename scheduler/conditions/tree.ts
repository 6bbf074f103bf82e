/**
 * The condition tree as data: operands (facts about one asset at one tick), operators (all_of, any_of, not,
 * since, newly_true, any/all deps match) and the legacy rules of Dagster's `AutoMaterializePolicy`. The named
 * conditions (eager, on_cron, on_missing…) are labelled compositions of these, built in ./named.ts.
 *
 * Every node has an id: md5(parent id + index + name), as Dagster's `get_node_unique_id`, so stored
 * evaluations line up across ticks — except `since` and `newly_true`, whose ids do not depend on their
 * position (see {@link compileCondition}); and every tree a hash over all ids (Dagster's `get_unique_id`), which
 * changes when the condition is edited (any operand, order, cron string or allow/ignore selection) but not
 * when only a label changes.
 */
import { createHash } from "node:crypto";
import type { FreshnessTarget, SimpleOperandName } from "../../catalog/model/index.ts";

/**
 * Facts about one asset (the root, or a dependency inside any/all deps match) at one tick: the model's list of
 * operands (catalog/model/condition.ts, which the YAML grammar reads) and cron_tick_passed.
 */
export type OperandName = SimpleOperandName | "cron_tick_passed" | "minimum_interval_passed" | "newer_than_root";

/**
 * The rules of Dagster's legacy `AutoMaterializePolicy` (auto_materialize_rule_impls.py), which
 * `auto_materialize_policy: {type: eager | lazy}` maps to. Named by Dagster's rule descriptions.
 */
export type LegacyRuleName =
  | "materialize_on_missing"
  | "materialize_on_parent_updated"
  | "materialize_on_required_for_freshness"
  | "skip_on_parent_outdated"
  | "skip_on_parent_missing"
  | "skip_on_required_but_nonexistent_parents"
  | "skip_on_backfill_in_progress"
  | "discard_on_max_materializations_exceeded";

/** The description Dagster gives each legacy rule; it is the rule node's name, and the sort key of §2.5. */
export const LEGACY_RULE_DESCRIPTIONS: Readonly<Record<LegacyRuleName, string>> = {
  materialize_on_missing: "materialization is missing",
  materialize_on_parent_updated: "upstream data has changed since latest materialization",
  materialize_on_required_for_freshness: "required to meet this or downstream asset's freshness policy",
  skip_on_parent_outdated: "waiting on upstream data to be up to date",
  skip_on_parent_missing: "waiting on upstream data to be present",
  skip_on_required_but_nonexistent_parents: "required parent partitions do not exist",
  skip_on_backfill_in_progress: "targeted by an in-progress backfill",
  discard_on_max_materializations_exceeded: "exceeds 1 materialization(s) per minute",
};

/** A condition tree node. Plain, immutable, JSON-serializable data. */
export type ConditionNode =
  | { readonly kind: "and"; readonly children: readonly ConditionNode[]; readonly label: string | null }
  | { readonly kind: "or"; readonly children: readonly ConditionNode[]; readonly label: string | null }
  | { readonly kind: "not"; readonly child: ConditionNode; readonly label: string | null }
  | { readonly kind: "since"; readonly trigger: ConditionNode; readonly reset: ConditionNode; readonly label: string | null }
  | { readonly kind: "newly_true"; readonly child: ConditionNode; readonly label: string | null }
  | {
      readonly kind: "any_deps" | "all_deps";
      readonly child: ConditionNode;
      /** Key globs: only deps matching one of them count (null: all). */
      readonly allow: readonly string[] | null;
      /** Key globs: deps matching one of them do not count. */
      readonly ignore: readonly string[] | null;
      readonly label: string | null;
    }
  | {
      readonly kind: "operand";
      readonly operand: OperandName;
      /** cron_tick_passed only. */
      readonly cron?: { readonly schedule: string; readonly timezone: string };
      /** minimum_interval_passed only: the interval in seconds. */
      readonly seconds?: number;
      /** required_for_freshness from `on_freshness` only: the root's own freshness target. */
      readonly freshness?: FreshnessTarget;
      readonly label: string | null;
    }
  | { readonly kind: "rule"; readonly rule: LegacyRuleName; readonly label: string | null };

// Constructors, so trees read like Dagster's formulas.
export const and = (...children: ConditionNode[]): ConditionNode => ({ kind: "and", children, label: null });
export const or = (...children: ConditionNode[]): ConditionNode => ({ kind: "or", children, label: null });
export const not = (child: ConditionNode): ConditionNode => ({ kind: "not", child, label: null });
export const since = (trigger: ConditionNode, reset: ConditionNode): ConditionNode => ({ kind: "since", trigger, reset, label: null });
export const newlyTrue = (child: ConditionNode): ConditionNode => ({ kind: "newly_true", child, label: null });
export const anyDeps = (child: ConditionNode, allow: readonly string[] | null = null, ignore: readonly string[] | null = null): ConditionNode => ({
  kind: "any_deps",
  child,
  allow,
  ignore,
  label: null,
});
export const allDeps = (child: ConditionNode, allow: readonly string[] | null = null, ignore: readonly string[] | null = null): ConditionNode => ({
  kind: "all_deps",
  child,
  allow,
  ignore,
  label: null,
});
export const operand = (name: Exclude<OperandName, "cron_tick_passed" | "minimum_interval_passed">): ConditionNode => ({ kind: "operand", operand: name, label: null });
export const onFreshness = (target: FreshnessTarget): ConditionNode => ({ kind: "operand", operand: "required_for_freshness", freshness: target, label: null });
export const minimumIntervalPassed = (seconds: number): ConditionNode => ({ kind: "operand", operand: "minimum_interval_passed", seconds, label: null });
export const cronTickPassed = (schedule: string, timezone = "UTC"): ConditionNode => ({
  kind: "operand",
  operand: "cron_tick_passed",
  cron: { schedule, timezone },
  label: null,
});
export const rule = (name: LegacyRuleName): ConditionNode => ({ kind: "rule", rule: name, label: null });

/** The same node with a label (labels are for people; they change no id). */
export function withLabel(node: ConditionNode, label: string | null): ConditionNode {
  return { ...node, label };
}

/** `X.since_last_handled()` = `X.since((newly_requested ∨ newly_updated ∨ initial_evaluation) labelled "handled")`. */
export function sinceLastHandled(trigger: ConditionNode): ConditionNode {
  return since(trigger, withLabel(or(operand("newly_requested"), operand("newly_updated"), operand("initial_evaluation")), "handled"));
}

/** A node's children, in position order (since: trigger, reset). */
export function childrenOf(node: ConditionNode): readonly ConditionNode[] {
  switch (node.kind) {
    case "and":
    case "or":
      return node.children;
    case "not":
    case "newly_true":
    case "any_deps":
    case "all_deps":
      return [node.child];
    case "since":
      return [node.trigger, node.reset];
    default:
      return [];
  }
}

/**
 * The node's formal name, as Dagster names it: part of its id, so anything that changes what the node means
 * (a cron string, an allow selection) changes the id. Labels are not part of it.
 */
export function nodeName(node: ConditionNode): string {
  switch (node.kind) {
    case "and":
      return "AND";
    case "or":
      return "OR";
    case "not":
      return "NOT";
    case "since":
      return "SINCE";
    case "newly_true":
      return "NEWLY_TRUE";
    case "any_deps":
    case "all_deps": {
      let name = node.kind === "any_deps" ? "ANY_DEPS" : "ALL_DEPS";
      if (node.allow) name += `(allow=${[...node.allow].sort().join(",")})`;
      if (node.ignore) name += `(ignore=${[...node.ignore].sort().join(",")})`;
      return name;
    }
    case "operand":
      if (node.cron) return `cron_tick_passed(cron_schedule=${node.cron.schedule}, cron_timezone=${node.cron.timezone})`;
      if (node.freshness) {
        const { maximumLagMinutes, cron, timezone } = node.freshness;
        return `${node.operand}(maximum_lag_minutes=${maximumLagMinutes}${cron === null ? "" : `, cron=${cron}, timezone=${timezone}`})`;
      }
      return node.seconds !== undefined ? `${node.operand}(seconds=${node.seconds})` : node.operand;
    case "rule":
      return LEGACY_RULE_DESCRIPTIONS[node.rule];
  }
}

/** md5 hex, as Dagster's `non_secure_md5_hash_str`. */
export function md5(text: string): string {
  return createHash("md5").update(text).digest("hex");
}

/** A node's id from its parent's id (null at the root), its index among its siblings and its name. */
export function nodeId(parentId: string | null, index: number | null, name: string): string {
  return md5(`${String(parentId)}${String(index)}${name}`);
}

/**
 * `since` and `newly_true` evaluate their children over the whole asset whatever comes before them, so, as in
 * Dagster (≥ 1.9, `_get_stable_unique_id`), their id does not depend on where they sit in the tree: it is
 * md5(name + the ids their children would have at the root). Wrapping a policy in `all_of`, or reordering
 * the operands around it, keeps their state (and their subtrees', whose ids derive from theirs). Under a
 * dependency the evaluator appends `@<dep key>`, as Dagster adds the target key.
 */
function hasStableId(node: ConditionNode): boolean {
  return node.kind === "since" || node.kind === "newly_true";
}

function stableNodeId(node: ConditionNode, name: string): string {
  return md5([name, ...childrenOf(node).map((child, i) => nodeId(null, i, nodeName(child)))].join(""));
}

/**
 * A tree ready to evaluate: every node with its id, name and display label, and the tree's hash. Built once
 * per condition (see {@link compileCondition}); the evaluator never hashes on the hot path.
 */
export interface CompiledNode {
  readonly node: ConditionNode;
  readonly id: string;
  readonly name: string;
  /** The label, else the name. */
  readonly display: string;
  readonly children: readonly CompiledNode[];
  /** Hash of this subtree (Dagster's get_unique_id). */
  readonly hash: string;
  /**
   * The id this node had before `since` and `newly_true` got position-independent ids (md5 of parent id,
   * index and name all the way down), when it differs: their state stored under it is read once, as Dagster's
   * `get_backcompat_node_unique_ids` does, so a latch pending at an upgrade is not dropped.
   */
  readonly previousId?: string;
}

/** A compiled condition and facts the evaluator uses to skip work. */
export interface CompiledCondition {
  readonly tree: ConditionNode;
  readonly root: CompiledNode;
  /** Hash of the whole tree; stored with each evaluation (a change re-evaluates the asset; state is kept by node id). */
  readonly treeHash: string;
  /** Every cron (schedule, timezone) of the tree, so a tick knows cheaply whether one passed. */
  readonly crons: readonly { readonly schedule: string; readonly timezone: string }[];
  readonly usesCodeVersion: boolean;
  readonly usesLegacyRules: boolean;
  /** Every minimum_interval_passed interval of the tree (seconds): its end is a time a quiet tick must notice. */
  readonly intervals: readonly number[];
  /** The freshness target an `on_freshness` in the tree declares for its asset (the first one), or null. */
  readonly freshness: FreshnessTarget | null;
}

/** Compiles a tree: ids, hashes, crons. Pure; callers cache the result (it is the same for equal trees). */
export function compileCondition(tree: ConditionNode): CompiledCondition {
  const crons = new Map<string, { schedule: string; timezone: string }>();
  let usesCodeVersion = false;
  let usesLegacyRules = false;
  const intervals = new Set<number>();
  let freshness: FreshnessTarget | null = null;
  const visit = (node: ConditionNode, parentId: string | null, index: number | null, parentPositional: string | null): CompiledNode => {
    const name = nodeName(node);
    const positional = nodeId(parentPositional, index, name);
    const id = hasStableId(node) ? stableNodeId(node, name) : nodeId(parentId, index, name);
    if (node.kind === "operand" && node.cron) crons.set(`${node.cron.schedule}\u0000${node.cron.timezone}`, node.cron);
    if (node.kind === "operand" && node.operand === "code_version_changed") usesCodeVersion = true;
    if (node.kind === "rule") usesLegacyRules = true;
    if (node.kind === "operand" && node.seconds !== undefined) intervals.add(node.seconds);
    if (node.kind === "operand" && node.freshness !== undefined) freshness ??= node.freshness;
    const children = childrenOf(node).map((child, i) => visit(child, id, i, positional));
    const hash = md5([id, ...children.map((child) => child.hash)].join(""));
    const compiled = { node, id, name, display: node.label ?? name, children, hash };
    return positional === id ? compiled : { ...compiled, previousId: positional };
  };
  const root = visit(tree, null, null, null);
  return { tree, root, treeHash: root.hash, crons: [...crons.values()], usesCodeVersion, usesLegacyRules, intervals: [...intervals], freshness };
}

/** The tree as JSON for people and the API: `{id, name, label, children}` per node. */
export interface ConditionTreeView {
  readonly id: string;
  readonly name: string;
  readonly label: string | null;
  readonly children: readonly ConditionTreeView[];
}

/** The compiled tree in its JSON form. */
export function treeView(node: CompiledNode): ConditionTreeView {
  return { id: node.id, name: node.name, label: node.node.label, children: node.children.map(treeView) };
}
