/**
 * `evaluate({graph, state, now, cursor}) → {requests, cursor, evaluations}`: one tick of declarative
 * automation, as a pure function (no clock, no I/O). Semantics follow Dagster's declarative_automation
 * (reference §0, §2); the README's design notes list where and why Tributary differs.
 *
 * - Assets with a policy are evaluated in topological order; what an asset's tick requests is visible to its
 *   children in the same tick through `will_be_requested` (when both can run in one run, see `sameRun`).
 * - Values are booleans: only unpartitioned assets are evaluated (partitions are out of scope for now).
 * - Every node's value and a short reason are recorded (explain); stateful nodes keep a node cursor.
 * - Carry-forward: an evaluation that was a fixed point (same inputs → same values and same node state)
 *   stores the fingerprint of its inputs. While an asset's fingerprint stays the same, no event newer than the
 *   previous tick touches it and no cron tick of its tree passes, its previous result is reused without
 *   evaluating the tree: evaluating it again would compute the same values and node states from the same
 *   cursor. Such assets return no evaluation (nothing changed); `full: true` evaluates everything (dry runs).
 */
import type { CatalogAsset, CatalogGraph } from "../../catalog/graph/types.ts";
import type { AssetEvaluation, EvaluationNode } from "../../catalog/model/evaluation.ts";
import { topologicalOrder } from "../../catalog/graph/topo.ts";
import { latestCronTick } from "./cron.ts";
import { compilePolicy } from "./from-policy.ts";
import { matchesAnyKeyGlob } from "../../catalog/model/key-glob.ts";
import type { AssetCursor, AssetRuntimeState, AutomationState, EvaluationCursor, NodeCursor } from "./state.ts";
import type { CompiledCondition, CompiledNode } from "./tree.ts";

/** Decides whether a dependency requested this tick can run in the same run as the asset being evaluated. */
export type SameRunPredicate = (root: CatalogAsset, dep: CatalogAsset) => boolean;

/**
 * The default: both are built by the same tool of the same location (one `dbt build` per project per tick).
 * A Fivetran table requested this tick is not "will be requested" for a dbt model: the sync and the build
 * are separate runs, so the model waits for the sync to land (Dagster's `executable_in_same_run`).
 */
export const sameLocationRun: SameRunPredicate = (root, dep) =>
  root.materializer !== null &&
  dep.materializer !== null &&
  root.materializer.tool === dep.materializer.tool &&
  root.materializer.locationName === dep.materializer.locationName;

export interface EvaluateInput {
  readonly graph: CatalogGraph;
  readonly state: AutomationState;
  /** The tick's time: epoch ms or a Date. */
  readonly now: number | Date;
  /** The previous tick's cursor; null on the very first tick. */
  readonly cursor: EvaluationCursor | null;
  readonly sameRun?: SameRunPredicate;
  /** Evaluate every asset, even those whose result can be carried forward (dry runs, explain). */
  readonly full?: boolean;
  /**
   * Evaluate only these assets (ids) and their upstream closure: what a dry run of a few assets needs, since an
   * asset's condition reads whether its parents will be requested this tick, and nothing downstream. The
   * result's cursor then covers only those assets: a tick that is kept evaluates everything.
   */
  readonly only?: ReadonlySet<string>;
}

export interface EvaluateResult {
  /** Ids of the assets to materialize, in topological order. */
  readonly requests: readonly string[];
  readonly cursor: EvaluationCursor;
  /** The assets evaluated this tick (carried-forward assets are left out unless `full`), in topological order. */
  readonly evaluations: readonly AssetEvaluation[];
  /** How many assets reused their previous result. */
  readonly carriedForward: number;
  /** Policies that could not be turned into a tree (the loader validates, so normally none). */
  readonly errors: readonly { readonly assetId: string; readonly message: string }[];
}

/** What is precomputed once per graph: the order, dependency lists and compiled conditions. */
interface Plan {
  readonly assets: readonly CatalogAsset[];
  readonly ids: readonly string[];
  /** Indices into `assets`, parents before children (a cycle's members last, in id order). */
  readonly order: readonly number[];
  /** Upstream indices per asset (sorted by id, without the asset itself). */
  readonly deps: readonly (readonly number[])[];
  readonly materializable: readonly boolean[];
  readonly conditions: readonly (CompiledCondition | null)[];
  readonly errors: readonly { readonly assetId: string; readonly message: string }[];
  readonly usesLegacyRules: boolean;
  /** allow/ignore-filtered deps, per dep operator node and asset. */
  readonly filteredDeps: Map<CompiledNode, Map<number, readonly number[]>>;
}

const plans = new WeakMap<CatalogGraph, Plan>();

/** The assets `ids` name and everything upstream of them, marked 1 by index. */
function upstreamClosure(plan: Plan, ids: ReadonlySet<string>): Uint8Array {
  const marked = new Uint8Array(plan.assets.length);
  const stack: number[] = [];
  plan.ids.forEach((id, i) => {
    if (ids.has(id)) stack.push(i);
  });
  while (stack.length > 0) {
    const i = stack.pop()!;
    if (marked[i] === 1) continue;
    marked[i] = 1;
    for (const d of plan.deps[i]!) if (marked[d] !== 1) stack.push(d);
  }
  return marked;
}

function planFor(graph: CatalogGraph): Plan {
  const cached = plans.get(graph);
  if (cached) return cached;
  const assets = graph.assets;
  const ids = assets.map((a) => a.id);
  const indexById = new Map<string, number>();
  assets.forEach((asset, i) => {
    indexById.set(asset.id, i);
    for (const alias of asset.aliasIds) if (!indexById.has(alias)) indexById.set(alias, i);
  });
  const deps = assets.map((asset, i) => {
    const found = new Set<number>();
    for (const upstreamId of asset.upstreamIds) {
      const j = indexById.get(upstreamId);
      if (j !== undefined && j !== i) found.add(j);
    }
    return [...found].sort((a, b) => (ids[a]! < ids[b]! ? -1 : 1));
  });
  // The graph's assets are in id order, so ties fall in id order and the order is deterministic.
  const order = [...topologicalOrder(deps).order];
  if (order.length < assets.length) {
    const placed = new Set(order);
    assets.forEach((_, i) => placed.has(i) || order.push(i));
  }
  const errors: { assetId: string; message: string }[] = [];
  const conditions = assets.map((asset) => {
    if (asset.policy === null) return null;
    try {
      return compilePolicy(asset.policy);
    } catch (error) {
      errors.push({ assetId: asset.id, message: error instanceof Error ? error.message : String(error) });
      return null;
    }
  });
  const plan: Plan = {
    assets,
    ids,
    order,
    deps,
    materializable: assets.map((a) => a.materializer !== null),
    conditions,
    errors,
    usesLegacyRules: conditions.some((c) => c?.usesLegacyRules === true),
    filteredDeps: new Map(),
  };
  plans.set(graph, plan);
  return plan;
}

const NONE = -1;

/** Evaluates every asset's condition for one tick. Pure: same inputs, same outputs. */
export function evaluate(input: EvaluateInput): EvaluateResult {
  const { graph, state } = input;
  const now = typeof input.now === "number" ? input.now : input.now.getTime();
  const sameRun = input.sameRun ?? sameLocationRun;
  const plan = planFor(graph);
  const n = plan.assets.length;
  const tick = (input.cursor?.evaluationId ?? 0) + 1;
  const evaluatedAt = new Date(now).toISOString();
  const previousAssets = input.cursor?.assets ?? {};

  // Per-asset facts of this snapshot and of the previous cursor, looked up once.
  const runtime: (AssetRuntimeState | undefined)[] = new Array(n);
  const previousCursors: (AssetCursor | undefined)[] = new Array(n);
  const updateId = new Float64Array(n);
  const failureId = new Float64Array(n);
  const bits = new Uint8Array(n);
  const previouslyRequested = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const id = plan.ids[i]!;
    const s = state.assets.get(id);
    runtime[i] = s;
    const previous = plan.conditions[i] ? previousAssets[id] : undefined;
    previousCursors[i] = previous;
    if (previous?.previousRequested) previouslyRequested[i] = 1;
    if (s === undefined) {
      updateId[i] = NONE;
      failureId[i] = NONE;
      bits[i] = previouslyRequested[i]! << 3;
      continue;
    }
    const materialized = s.latestMaterialization?.storageId ?? NONE;
    updateId[i] = plan.materializable[i] ? materialized : Math.max(materialized, s.latestObservation?.dataVersionStorageId ?? NONE);
    failureId[i] = s.latestFailure?.storageId ?? NONE;
    bits[i] = (s.runInProgress ? 1 : 0) | (s.backfillInProgress ? 2 : 0) | (s.latestObservation ? 4 : 0) | (previouslyRequested[i]! << 3);
  }
  const requestedNow = new Uint8Array(n);
  const previousRequested = (i: number) => previouslyRequested[i] === 1;

  // skip_on_parent_outdated: a parent is outdated when one of its own materializable parents is newer than
  // it, or is itself outdated (Dagster's get_outdated_ancestors). Once per tick, parents first.
  let outdated: Uint8Array | null = null;
  if (plan.usesLegacyRules) {
    outdated = new Uint8Array(n);
    for (const i of plan.order) {
      if (updateId[i]! === NONE) continue;
      for (const q of plan.deps[i]!) {
        if (plan.materializable[q] && updateId[q]! !== NONE && (updateId[q]! > updateId[i]! || outdated[q] === 1)) {
          outdated[i] = 1;
          break;
        }
      }
    }
  }

  const requests: string[] = [];
  const evaluations: AssetEvaluation[] = [];
  const nextAssets: Record<string, AssetCursor> = {};
  let carriedForward = 0;

  const selected = input.only === undefined ? null : upstreamClosure(plan, input.only);
  for (const i of plan.order) {
    const condition = plan.conditions[i];
    if (!condition || (selected !== null && selected[i] !== 1)) continue;
    const asset = plan.assets[i]!;
    const id = plan.ids[i]!;
    const previous = previousCursors[i];
    const deps = plan.deps[i]!;
    const willBeRequested = (d: number) => requestedNow[d] === 1 && sameRun(asset, plan.assets[d]!);

    // The fingerprint of everything the tree reads besides the cursor and the clock (two 32-bit hash lanes).
    const print = new Fingerprint();
    print.add(updateId[i]!).add(failureId[i]!).add(bits[i]!);
    if (condition.usesCodeVersion) print.addText(asset.codeVersion ?? "");
    let maxUpdate = updateId[i]!;
    for (const d of deps) {
      print.add(d).add(updateId[d]!).add(failureId[d]!).add(bits[d]! | (willBeRequested(d) ? 16 : 0) | (outdated?.[d] ? 32 : 0));
      if (condition.usesCodeVersion) print.addText(plan.assets[d]!.codeVersion ?? "");
      if (updateId[d]! > maxUpdate) maxUpdate = updateId[d]!;
    }
    const fingerprint = print.value();
    const quiet =
      previous !== undefined &&
      previous.treeHash === condition.treeHash &&
      !previous.previousRequested &&
      maxUpdate <= previous.lastEventId &&
      condition.crons.every((c) => (latestCronTick(c.schedule, c.timezone, now) ?? -Infinity) < previous.effectiveTime);

    if (!input.full && quiet && previous.settled === fingerprint) {
      carriedForward++;
      nextAssets[id] = {
        treeHash: previous.treeHash,
        previousRequested: false,
        effectiveTime: now,
        lastEventId: state.lastEventId,
        nodes: previous.nodes,
        settled: previous.settled,
        value: previous.value,
      };
      continue;
    }

    const nodes: Record<string, NodeCursor> = {};
    const context: Context = {
      plan,
      root: i,
      now,
      previousNodes: previous?.nodes ?? {},
      nodes,
      ePrev: previous === undefined ? null : previous.lastEventId,
      previousTime: previous === undefined ? null : previous.effectiveTime,
      timing: new Map(),
      runtime,
      updateId,
      outdated,
      willBeRequested,
      previousRequested,
    };
    const tree = evaluateNode(condition.root, i, "", true, context);
    let requested = tree.value;
    let root = tree;
    if (requested && !plan.materializable[i]) {
      requested = false;
      root = { ...tree, reason: "true, but nothing in the catalog can materialize this asset: not requested" };
    }
    if (requested) {
      requestedNow[i] = 1;
      requests.push(id);
    }
    const settled = quiet && !requested && sameNodes(previous.nodes, nodes) ? fingerprint : null;
    nextAssets[id] = {
      treeHash: condition.treeHash,
      previousRequested: requested,
      effectiveTime: now,
      lastEventId: state.lastEventId,
      nodes,
      settled,
      value: tree.value,
    };
    evaluations.push({ assetId: id, tick, evaluatedAt, requested, treeHash: condition.treeHash, tree: root });
  }
  return {
    requests,
    cursor: { evaluationId: tick, evaluatedAt: now, assets: nextAssets },
    evaluations,
    carriedForward,
    errors: plan.errors,
  };
}

/**
 * A 53-bit hash of numbers (and strings), in two 32-bit lanes: cheap enough to compute for every asset on
 * every tick. A collision would need two different input sets of one asset to hash alike on both lanes.
 */
class Fingerprint {
  private a = 0x811c9dc5;
  private b = 0x01000193;

  add(value: number): this {
    const low = value | 0;
    const high = Math.floor(value / 4294967296) | 0;
    this.a = Math.imul(this.a ^ low, 0x9e3779b1);
    this.a = Math.imul(this.a ^ high, 0x85ebca6b) ^ (this.a >>> 15);
    this.b = Math.imul(this.b ^ low, 0xc2b2ae35);
    this.b = Math.imul(this.b ^ high, 0x27d4eb2f) ^ (this.b >>> 13);
    return this;
  }

  addText(text: string): this {
    for (let k = 0; k < text.length; k++) this.add(text.charCodeAt(k));
    return this.add(text.length);
  }

  value(): number {
    return (this.a >>> 0) * 2097152 + (this.b >>> 11);
  }
}

function sameNodes(a: Readonly<Record<string, NodeCursor>>, b: Readonly<Record<string, NodeCursor>>): boolean {
  const keys = Object.keys(b);
  if (Object.keys(a).length !== keys.length) return false;
  for (const key of keys) {
    const x = a[key];
    const y = b[key]!;
    if (x === undefined || x.value !== y.value || JSON.stringify(x.extra ?? null) !== JSON.stringify(y.extra ?? null)) return false;
  }
  return true;
}

interface Context {
  readonly plan: Plan;
  readonly root: number;
  readonly now: number;
  readonly previousNodes: Readonly<Record<string, NodeCursor>>;
  readonly nodes: Record<string, NodeCursor>;
  /** The root's previous lastEventId (E_prev); null on its first evaluation. */
  readonly ePrev: number | null;
  /** The root's previous evaluation time; null on its first evaluation. */
  readonly previousTime: number | null;
  /**
   * When the fact behind a true node happened (epoch ms), for the nodes that carry it (Dagster's
   * TimingMetadata): newly_updated (the materialization), newly_requested (the previous tick), cron_tick_passed
   * (the tick), a dependency's node, any_deps_match (the latest of its deps') and since (its trigger's).
   * all_of, any_of, not, newly_true and all_deps_match carry none. `since` reads it when its trigger and reset
   * are both true on one tick: the later one wins.
   */
  readonly timing: Map<EvaluationNode, number>;
  readonly runtime: readonly (AssetRuntimeState | undefined)[];
  readonly updateId: Float64Array;
  readonly outdated: Uint8Array | null;
  readonly willBeRequested: (i: number) => boolean;
  readonly previousRequested: (i: number) => boolean;
}

function result(c: CompiledNode, id: string, value: boolean, reason: string | null, children: readonly EvaluationNode[] = []): EvaluationNode {
  return { id, name: c.name, label: c.display, value, reason, children };
}

const SKIPPED = "not considered: an earlier all_of operand is false";

/**
 * Evaluates one node for `target` (the root asset, or a dependency inside any/all deps match) over the
 * candidate (unpartitioned: true or false). `suffix` makes ids of nodes under a dependency unique per dependency.
 */
function evaluateNode(c: CompiledNode, target: number, suffix: string, candidate: boolean, x: Context): EvaluationNode {
  const node = c.node;
  const id = suffix === "" ? c.id : c.id + suffix;
  switch (node.kind) {
    case "and": {
      // Each child's candidate is the intersection of the results so far.
      let current = candidate;
      const children = c.children.map((child) => {
        const r = evaluateNode(child, target, suffix, current, x);
        current = current && r.value;
        return r;
      });
      const firstFalse = children.find((r) => !r.value);
      return result(c, id, current, current ? null : firstFalse ? `${firstFalse.label} is false` : null, children);
    }
    case "or": {
      const children = c.children.map((child) => evaluateNode(child, target, suffix, candidate, x));
      const trueOnes = children.filter((r) => r.value);
      return result(c, id, candidate && trueOnes.length > 0, trueOnes.length ? `${trueOnes.map((r) => r.label).join(", ")} true` : null, children);
    }
    case "not": {
      const child = evaluateNode(c.children[0]!, target, suffix, candidate, x);
      return result(c, id, candidate && !child.value, null, [child]);
    }
    case "since": {
      // Trigger and reset are evaluated over the whole asset, whatever the candidate, so no transition is
      // missed; the latch is S_t = (S_t-1 ∪ trigger) \ reset (reset wins on the same tick), not intersected
      // with the candidate.
      const trigger = evaluateNode(c.children[0]!, target, suffix, true, x);
      const reset = evaluateNode(c.children[1]!, target, suffix, true, x);
      const previous = x.previousNodes[id];
      const before = previous?.value === true;
      const triggerAt = x.timing.get(trigger);
      const resetAt = x.timing.get(reset);
      // Both true on this tick: the trigger wins when it happened after the reset (Dagster ≥ 1.12).
      const triggerLater = trigger.value && reset.value && triggerAt !== undefined && resetAt !== undefined && triggerAt > resetAt;
      const value = ((before || trigger.value) && !reset.value) || triggerLater;
      const times = Array.isArray(previous?.extra) ? (previous.extra as readonly (number | null)[]) : [null, null];
      const lastTrigger = trigger.value ? x.now : (times[0] ?? null);
      const lastReset = reset.value ? x.now : (times[1] ?? null);
      x.nodes[id] = { value, extra: [lastTrigger, lastReset] };
      let reason: string;
      if (triggerLater) reason = `${trigger.label} (${formatTime(triggerAt, x.now)}) happened after the reset ${reset.label} (${formatTime(resetAt, x.now)})`;
      else if (reset.value) reason = `reset: ${reset.label} is true${trigger.value ? " (and not earlier than the trigger)" : ""}`;
      else if (trigger.value) reason = `${trigger.label} became true at ${formatTime(x.now, x.now)}`;
      else if (value) reason = `latched since ${lastTrigger === null ? "an earlier tick" : formatTime(lastTrigger, x.now)}, not reset since`;
      else reason = `${trigger.label} has not been true since the last reset`;
      const node = result(c, id, value, reason, [trigger, reset]);
      if (triggerAt !== undefined) x.timing.set(node, triggerAt);
      return node;
    }
    case "newly_true": {
      const child = evaluateNode(c.children[0]!, target, suffix, true, x);
      const before = x.previousNodes[id]?.extra === true;
      const value = candidate && child.value && !before;
      x.nodes[id] = { value, extra: child.value };
      return result(c, id, value, child.value ? (before ? `${child.label} was already true at the previous tick` : `${child.label} became true`) : null, [child]);
    }
    case "any_deps":
    case "all_deps": {
      const deps = filteredDeps(c, target, x.plan);
      const children: EvaluationNode[] = [];
      let any = false;
      let all = true;
      const trueDeps: string[] = [];
      const falseDeps: string[] = [];
      let latest: number | undefined;
      for (const d of deps) {
        const depId = x.plan.ids[d]!;
        const child = evaluateNode(c.children[0]!, d, `${suffix}@${depId}`, candidate, x);
        any ||= child.value;
        all &&= child.value;
        (child.value ? trueDeps : falseDeps).push(depId);
        const wrapper: EvaluationNode = { id: `${id}@${depId}`, name: `dep ${depId}`, label: `dep ${depId}`, value: child.value, reason: child.reason, children: [child] };
        const at = x.timing.get(child);
        if (at !== undefined) {
          x.timing.set(wrapper, at);
          if (latest === undefined || at > latest) latest = at;
        }
        children.push(wrapper);
      }
      if (node.kind === "any_deps") {
        const value = candidate && any;
        const reason = deps.length === 0 ? "no dependencies" : value ? `true for ${listDeps(trueDeps)}` : null;
        const evaluated = result(c, id, value, reason, children);
        if (latest !== undefined) x.timing.set(evaluated, latest);
        return evaluated;
      }
      const value = candidate && all;
      const reason = deps.length === 0 ? "no dependencies: vacuously true" : value ? `true for every dependency` : `false for ${listDeps(falseDeps)}`;
      return result(c, id, value, reason, children);
    }
    case "operand":
      return evaluateOperand(c, id, target, candidate, x);
    case "rule":
      return evaluateRule(c, id, target, candidate, x);
  }
}

function filteredDeps(c: CompiledNode, target: number, plan: Plan): readonly number[] {
  const node = c.node;
  const all = plan.deps[target]!;
  if (node.kind !== "any_deps" && node.kind !== "all_deps") return all;
  if (node.allow === null && node.ignore === null) return all;
  let byTarget = plan.filteredDeps.get(c);
  if (!byTarget) plan.filteredDeps.set(c, (byTarget = new Map()));
  let found = byTarget.get(target);
  if (!found) {
    found = all.filter((d) => {
      const key = plan.ids[d]!;
      return (node.allow === null || matchesAnyKeyGlob(key, node.allow)) && !(node.ignore !== null && matchesAnyKeyGlob(key, node.ignore));
    });
    byTarget.set(target, found);
  }
  return found;
}

function listDeps(ids: readonly string[]): string {
  return ids.length <= 3 ? ids.join(", ") : `${ids.slice(0, 3).join(", ")} and ${ids.length - 3} more`;
}

function isMissing(i: number, x: Context): boolean {
  const s = x.runtime[i];
  if (s?.latestMaterialization) return false;
  // An observation counts for an asset nothing materializes (a source).
  return x.plan.materializable[i] || !s?.latestObservation;
}

function evaluateOperand(c: CompiledNode, id: string, target: number, candidate: boolean, x: Context): EvaluationNode {
  const node = c.node;
  if (node.kind !== "operand") throw new Error("unreachable");
  const s = x.runtime[target];
  const who = target === x.root ? "" : `${x.plan.ids[target]} `;
  switch (node.operand) {
    case "initial_evaluation": {
      // True on the asset's first evaluation only (no cursor yet), as in Dagster ≥ 1.9: editing the condition
      // does not make it true again (node state is kept by id; see tree.ts).
      const value = candidate && x.previousTime === null;
      return result(c, id, value, candidate ? (value ? "first evaluation of this asset" : null) : SKIPPED);
    }
    case "code_version_changed": {
      const current = x.plan.assets[target]!.codeVersion;
      const before = x.previousNodes[id]?.extra;
      const value = candidate && before !== undefined && before !== null && before !== current;
      x.nodes[id] = { value, extra: current };
      return result(c, id, value, value ? `${who}code version changed` : null);
    }
    default:
      break;
  }
  if (!candidate) return result(c, id, false, SKIPPED);
  switch (node.operand) {
    case "missing": {
      const value = isMissing(target, x);
      const at = s?.latestMaterialization?.timestamp ?? s?.latestObservation?.timestamp;
      return result(c, id, value, value ? `${who}never materialized` : `${who}materialized ${formatTime(at!, x.now)}`);
    }
    case "newly_updated": {
      if (x.ePrev === null) return result(c, id, false, "first evaluation: nothing is newly updated");
      const value = x.updateId[target]! > x.ePrev;
      const at = s?.latestMaterialization?.timestamp ?? s?.latestObservation?.timestamp;
      const evaluated = result(c, id, value, value ? `${who}updated ${formatTime(at!, x.now)}, since the previous tick` : null);
      // The timing is the latest materialization's (an observation carries none, as in Dagster).
      if (value && s?.latestMaterialization) x.timing.set(evaluated, s.latestMaterialization.timestamp);
      return evaluated;
    }
    case "newly_requested": {
      const value = x.previousRequested(target);
      const evaluated = result(c, id, value, value ? `${who}requested by the previous tick` : null);
      if (value && x.previousTime !== null) x.timing.set(evaluated, x.previousTime);
      return evaluated;
    }
    case "will_be_requested": {
      const value = target !== x.root && x.willBeRequested(target);
      return result(c, id, value, value ? `${who}is requested this tick, in the same run` : null);
    }
    case "run_in_progress": {
      const value = Boolean(s?.runInProgress);
      return result(c, id, value, value ? `${who}run ${s!.runInProgress} in progress` : null);
    }
    case "backfill_in_progress": {
      const value = s?.backfillInProgress === true;
      return result(c, id, value, value ? `${who}backfill in progress` : null);
    }
    case "execution_failed": {
      const value = executionFailed(s);
      return result(c, id, value, value ? `${who}the latest run that targeted it failed ${formatTime(s!.latestFailure!.timestamp, x.now)}` : null);
    }
    case "cron_tick_passed": {
      const cron = node.cron!;
      if (x.previousTime === null) return result(c, id, false, "first evaluation: no cron tick has passed yet");
      const latest = latestCronTick(cron.schedule, cron.timezone, x.now);
      const value = latest !== null && latest >= x.previousTime;
      const evaluated = result(c, id, value, latest === null ? "no cron tick yet" : `${value ? "" : "no "}cron tick ${value ? formatTime(latest, x.now) : "since " + formatTime(x.previousTime, x.now)}${value ? " passed since the previous tick" : ""}`);
      if (value) x.timing.set(evaluated, latest);
      return evaluated;
    }
    case "in_latest_time_window":
      return result(c, id, true, "unpartitioned: always in the latest time window");
    case "executed_with_root_target": {
      const selection = s?.latestMaterialization?.runAssetSelection;
      const value = target !== x.root && selection != null && selection.includes(x.plan.ids[x.root]!);
      return result(c, id, value, value ? `${who}was built by run ${s!.latestMaterialization!.runId} that also built this asset` : null);
    }
  }
}

/**
 * Dagster's `execution_failed`: the latest run that targeted the asset failed without materializing it. Read
 * from events: a failure a run recorded, no run of the asset in progress, and no materialization by a run
 * since. A failure recorded outside any run does not count. When the state carries
 * `latestRunMaterialization`, a materialization recorded outside any run (an observed sync) does not end it,
 * as in Dagster; without it (the daemon's state today) any later materialization does, since the latest one
 * may hide a run's. A run that failed or was canceled without recording an event for the asset is not seen
 * (the README lists both differences).
 */
function executionFailed(s: AssetRuntimeState | undefined): boolean {
  const failure = s?.latestFailure;
  if (failure == null || failure.runId === null || s!.runInProgress) return false;
  const byRun = s!.latestRunMaterialization !== undefined ? s!.latestRunMaterialization : s!.latestMaterialization;
  return failure.storageId > (byRun?.storageId ?? NONE);
}

function evaluateRule(c: CompiledNode, id: string, target: number, candidate: boolean, x: Context): EvaluationNode {
  const node = c.node;
  if (node.kind !== "rule") throw new Error("unreachable");
  const deps = x.plan.deps[target]!;
  const previous = x.previousNodes[id];
  const ePrev = x.ePrev;
  // "Updated after the cursor": with no cursor yet (first tick), every existing record counts. As in Dagster's
  // legacy daemon (`is_asset_planned_for_run` on the parent's latest record), a parent's update made by a run
  // that also targets this asset does not count: that run builds this asset itself, later in the same dbt
  // build, and a tick while it runs must not request the asset again.
  const plannedWithTarget = (d: number) => {
    const latest = x.runtime[d]?.latestMaterialization;
    return latest != null && latest.storageId === x.updateId[d] && latest.runAssetSelection != null && latest.runAssetSelection.includes(x.plan.ids[target]!);
  };
  const updatedSinceCursor = (d: number) => x.updateId[d]! !== NONE && (ePrev === null || x.updateId[d]! > ePrev) && !plannedWithTarget(d);
  const requestedBefore = x.previousRequested(target);
  switch (node.rule) {
    case "materialize_on_missing": {
      const missing = isMissing(target, x);
      const handledBefore = previous?.extra === true;
      if (deps.length === 0) {
        // Root: missing and never handled (requested or materialized) since the rule was applied.
        const handled = handledBefore || requestedBefore || !missing;
        const value = candidate && missing && !handled;
        x.nodes[id] = { value, extra: handled };
        return result(c, id, value, value ? "never materialized, and not yet requested" : missing ? "missing, but already requested once" : null);
      }
      // Non-root: missing, and a parent updated this tick (or the rule was already true and not yet handled).
      const parentUpdated = deps.some((d) => updatedSinceCursor(d) || x.willBeRequested(d));
      const value = candidate && missing && (parentUpdated || (previous?.value === true && !requestedBefore));
      x.nodes[id] = { value, extra: handledBefore || requestedBefore || !missing };
      return result(c, id, value, value ? "never materialized, and a parent has updated" : null);
    }
    case "materialize_on_parent_updated": {
      const newer = deps.filter((d) => (updatedSinceCursor(d) && x.updateId[d]! > x.updateId[target]!) || x.willBeRequested(d));
      const handled = requestedBefore || (ePrev !== null && x.updateId[target]! > ePrev);
      const value = candidate && (newer.length > 0 || (previous?.value === true && !handled));
      x.nodes[id] = { value, extra: null };
      const names = newer.map((d) => x.plan.ids[d]!);
      const reason =
        newer.length > 0
          ? `${listDeps(names)} ${newer.some((d) => x.willBeRequested(d)) ? "updated or requested this tick" : "updated since this asset's latest materialization"}`
          : value
            ? "a parent updated earlier; not yet handled"
            : null;
      return result(c, id, value, reason);
    }
    case "materialize_on_required_for_freshness":
      return result(c, id, false, "freshness policies are not supported: never true");
    case "skip_on_parent_outdated": {
      const outdated = x.outdated;
      const stale = outdated ? deps.filter((d) => !x.willBeRequested(d) && outdated[d] === 1) : [];
      return result(c, id, candidate && stale.length > 0, stale.length ? `${listDeps(stale.map((d) => x.plan.ids[d]!))} older than their own upstream` : null);
    }
    case "skip_on_parent_missing": {
      const missing = deps.filter((d) => x.plan.materializable[d] && !x.willBeRequested(d) && isMissing(d, x));
      return result(c, id, candidate && missing.length > 0, missing.length ? `${listDeps(missing.map((d) => x.plan.ids[d]!))} never materialized` : null);
    }
    case "skip_on_required_but_nonexistent_parents":
      return result(c, id, false, "unpartitioned: never true");
    case "skip_on_backfill_in_progress": {
      const value = candidate && x.runtime[target]?.backfillInProgress === true;
      return result(c, id, value, value ? "a backfill targets this asset" : null);
    }
    case "discard_on_max_materializations_exceeded":
      return result(c, id, false, "unpartitioned: at most one request per tick, never over the limit");
  }
}

/** `HH:MM` (UTC) on the same day as `now`, else `YYYY-MM-DD HH:MM` (UTC). */
function formatTime(ms: number, now: number): string {
  const text = new Date(ms).toISOString();
  const sameDay = text.slice(0, 10) === new Date(now).toISOString().slice(0, 10);
  return sameDay ? `${text.slice(11, 16)} UTC` : `${text.slice(0, 10)} ${text.slice(11, 16)} UTC`;
}
