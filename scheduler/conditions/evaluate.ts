/**
 * `evaluate({graph, state, now, cursor}) → {requests, cursor, evaluations}`: one tick of declarative
 * automation, as a pure function (no clock, no I/O). Semantics follow Dagster's declarative_automation
 * (reference §0, §2); the README's design notes list where and why Tributary differs.
 *
 * - Assets with a policy are evaluated in topological order; what an asset's tick requests is visible to its
 *   children in the same tick through `will_be_requested` (when both can run in one run, see `sameRun`).
 * - An unpartitioned asset's values are booleans; a partitioned asset's are sets of partitions (partitioned.ts):
 *   its condition is evaluated per partition and the tick requests the partitions it is true for.
 * - Each node kind evaluates through one table entry: {@link NODE_KINDS} → operators.ts (all_of, since…),
 *   operands.ts (missing, newly_updated…) and legacy-rules.ts; their state is typed in node-state.ts, the
 *   plan (order, deps, compiled trees) is plan.ts, carry-forward's fingerprints fingerprint.ts.
 * - Every node's value and a short reason are recorded (explain); stateful nodes keep a node cursor.
 * - Carry-forward: an evaluation that was a fixed point (same inputs → same values and same node state)
 *   stores the fingerprint of its inputs. While an asset's fingerprint stays the same, no event newer than the
 *   previous tick (nor one it did not see, `unseenUpdates`) touches it and no cron tick of its tree passes, its
 *   previous result is reused without evaluating the tree: evaluating it again would compute the same values
 *   and node states from the same cursor. Such assets return no evaluation (nothing changed); `full: true` evaluates everything (dry runs).
 */
import type { CatalogAsset, CatalogGraph } from "../../catalog/graph/index.ts";
import type { AssetEvaluation, EvaluationNode, IndexRanges } from "../../catalog/model/index.ts";
import { partitionCalendar } from "../../catalog/model/index.ts";
import type { Context, NodeEvaluator } from "./context.ts";
import { NONE } from "./context.ts";
import { latestCronTick } from "./cron.ts";
import { Fingerprint, sameNodes, valueHash } from "./fingerprint.ts";
import { freshnessDemand } from "./freshness.ts";
import { evaluateRule } from "./legacy-rules.ts";
import { evaluateOperand } from "./operands.ts";
import { OPERATORS } from "./operators.ts";
import type { PartitionContext, PartitionView } from "./partitioned.ts";
import { annotate, partitionedKinds } from "./partitioned.ts";
import { planFor, upstreamClosure } from "./plan.ts";
import type { Plan } from "./plan.ts";
import { assetCursor } from "./state.ts";
import type { AssetCursor, AssetRuntimeState, AutomationState, EvaluationCursor, NodeCursor } from "./state.ts";
import type { CompiledNode, ConditionNode } from "./tree.ts";

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
  /** Ids of the assets to materialize, in topological order (a partitioned one: see `partitionRequests`). */
  readonly requests: readonly string[];
  /** For each requested partitioned asset: the partition keys requested, one run each. */
  readonly partitionRequests: ReadonlyMap<string, readonly string[]>;
  readonly cursor: EvaluationCursor;
  /** The assets evaluated this tick (carried-forward assets are left out unless `full`), in topological order. */
  readonly evaluations: readonly AssetEvaluation[];
  /**
   * Of `evaluations`, those a tick stores (Dagster's rule, `_get_updated_evaluations`): an asset's first
   * evaluation, one that requests a run, and one whose values differ from the asset's previous evaluation.
   */
  readonly changed: readonly AssetEvaluation[];
  /** How many assets reused their previous result. */
  readonly carriedForward: number;
  /** Policies that could not be turned into a tree (the loader validates, so normally none). */
  readonly errors: readonly { readonly assetId: string; readonly message: string }[];
}

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
  const lastRequested: (number | null)[] = new Array(n).fill(null);
  for (let i = 0; i < n; i++) {
    const id = plan.ids[i]!;
    const s = state.assets.get(id);
    runtime[i] = s;
    const previous = plan.conditions[i] ? previousAssets[id] : undefined;
    previousCursors[i] = previous;
    if (previous?.previousRequested) previouslyRequested[i] = 1;
    lastRequested[i] = previousAssets[id]?.lastRequestedAt ?? null;
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
  // Assets with an update this tick is the first to see, whatever its id (AutomationState.unseenUpdates: one
  // that committed late has an id not above the previous lastEventId): newly updated, and not carried forward,
  // as an asset whose latest id is above it. Work per listed asset only: none on a tick where nothing arrived.
  let unseen: Uint8Array | null = null;
  if (state.unseenUpdates !== undefined && state.unseenUpdates.size > 0) {
    const indexOf = assetIndexes(plan);
    for (const [id, u] of state.unseenUpdates) {
      const i = indexOf.get(id);
      if (i !== undefined && (u.materialized || (u.observed && !plan.materializable[i]))) (unseen ??= new Uint8Array(n))[i] = 1;
    }
  }
  // Freshness targets: which assets must be built this tick to meet them (freshness.ts), once per tick.
  const freshnessNeeded = plan.hasFreshnessTargets
    ? freshnessDemand({
        targets: plan.freshnessTargets,
        deps: plan.deps,
        order: plan.order,
        lastMaterialized: runtime.map((s) => s?.latestMaterialization?.timestamp ?? null),
        materializable: plan.materializable,
        now,
      })
    : null;
  const requestedNow = new Uint8Array(n);
  const previousRequested = (i: number) => previouslyRequested[i] === 1;
  const lastRequestedAt = (i: number) => lastRequested[i]!;
  // When an interval of minimum_interval_passed ends for an asset (its last materialization or request + the
  // interval): a time a quiet asset must notice, as a cron tick.
  const intervalEnds = (i: number, seconds: number): number | null => {
    const materialized = runtime[i]?.latestMaterialization?.timestamp ?? null;
    const last = Math.max(materialized ?? -Infinity, lastRequested[i] ?? -Infinity);
    return last === -Infinity ? null : last + seconds * 1000;
  };

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

  // Partitioned assets: their partitions at this tick, looked up when a partitioned root reads them.
  const views: (PartitionView | null | undefined)[] = plan.hasPartitionedConditions ? new Array(n) : [];
  const viewOf = (i: number): PartitionView | null => {
    let found = views[i];
    if (found === undefined) {
      const def = plan.partitions[i];
      if (!def) found = null;
      else {
        const calendar = partitionCalendar(def);
        const count = calendar.count(new Date(now));
        const status = runtime[i]?.partitions;
        // What the asset's partitions contribute to carry-forward's fingerprints: which exist, and their states.
        const hash = new Fingerprint().add(plan.partitioningIds[i]!).add(count);
        for (const ranges of status === undefined ? [] : [status.materialized, status.failed, status.inProgress]) {
          hash.add(-1);
          for (const [a, b] of ranges) hash.add(a).add(b);
        }
        // A partition materialization committed late changes neither the states nor (its id being lower) the
        // latest event ids: without it here, a settled dependent would be carried forward past it.
        for (const u of status?.updates ?? []) if (u.committedLate === true) hash.add(-2).add(u.index).add(u.storageId);
        found = { def, calendar, count, all: count > 0 ? [[0, count - 1]] : [], status, hash: hash.value() };
      }
      views[i] = found;
    }
    return found;
  };
  const requestedPartitions: (IndexRanges | undefined)[] = plan.hasPartitionedConditions ? new Array(n) : [];
  const partitionRequests = new Map<string, readonly string[]>();

  const requests: string[] = [];
  const evaluations: AssetEvaluation[] = [];
  const changed: AssetEvaluation[] = [];
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
    const view = plan.hasPartitionedConditions ? viewOf(i) : null;
    // A partitioned asset runs a partition at a time: a dependency's request is in its run only when both share
    // a partitioning (one run per partition key).
    const willBeRequested =
      view === null
        ? (d: number) => requestedNow[d] === 1 && sameRun(asset, plan.assets[d]!)
        : (d: number) => requestedNow[d] === 1 && plan.partitioningIds[d] === plan.partitioningIds[i] && sameRun(asset, plan.assets[d]!);

    // The fingerprint of everything the tree reads besides the cursor and the clock (two 32-bit hash lanes).
    // The definitions' part (deps by id, what can be materialized, code versions) is hashed once per plan.
    const print = new Fingerprint();
    print.add(plan.shape[i]!).add(updateId[i]!).add(failureId[i]!).add(bits[i]! | (freshnessNeeded?.[i] ? 64 : 0));
    let maxUpdate = updateId[i]!;
    for (const d of deps) {
      print.add(updateId[d]!).add(failureId[d]!).add(bits[d]! | (willBeRequested(d) ? 16 : 0) | (outdated?.[d] ? 32 : 0) | (freshnessNeeded?.[d] ? 64 : 0));
      if (updateId[d]! > maxUpdate) maxUpdate = updateId[d]!;
    }
    let partitionsKey: string | undefined;
    if (view !== null) {
      // What a partitioned root also reads: which partitions exist, their states, a dependency's requested ones.
      partitionsKey = plan.partitionsKeys[i] ??= [i, ...deps].map((a) => plan.partitionings[a] ?? "").join(";");
      print.add(view.hash);
      for (const d of deps) {
        const v = viewOf(d);
        if (v === null) continue;
        print.add(v.hash);
        const requested = requestedPartitions[d];
        if (requested !== undefined) for (const [x0, x1] of requested) print.add(x0).add(x1);
      }
    }
    const fingerprint = print.value();
    const touchedUnseen = unseen !== null && (unseen[i] === 1 || deps.some((d) => unseen[d] === 1));
    const quiet =
      previous !== undefined &&
      !touchedUnseen &&
      previous.treeHash === condition.treeHash &&
      !previous.previousRequested &&
      maxUpdate <= previous.lastEventId &&
      condition.crons.every((c) => (latestCronTick(c.schedule, c.timezone, now) ?? -Infinity) < previous.effectiveTime) &&
      condition.intervals.every((seconds) =>
        [i, ...deps].every((a) => {
          const ends = intervalEnds(a, seconds);
          return ends === null || ends <= previous.effectiveTime || ends > now;
        }),
      );

    if (!input.full && quiet && previous.settled === fingerprint) {
      carriedForward++;
      // Built by assetCursor, as every cursor is (state.ts): one set of shapes for this loop and the daemon's.
      nextAssets[id] = assetCursor(
        previous.treeHash,
        false,
        now,
        state.lastEventId,
        previous.nodes,
        previous.settled,
        previous.value,
        previous.valueHash,
        previous.lastRequestedAt,
        partitionsKey,
      );
      continue;
    }

    const nodes: Record<string, NodeCursor> = {};
    // A partitioned root's stored partition state counts partitions of the definitions it was written with.
    const keptState = view === null || previous?.partitionsKey === partitionsKey;
    let partitions: PartitionContext | null = null;
    if (view !== null) {
      const rootRequested = keptState ? (previous?.requestedPartitions ?? []) : [];
      partitions = {
        view: viewOf,
        subsets: new Map(),
        previousRequested: (d) => (d === i ? rootRequested : (previousAssets[plan.ids[d]!]?.requestedPartitions ?? [])),
        requestedNow: (d) => (willBeRequested(d) ? (requestedPartitions[d] ?? []) : []),
        evaluate: (child, target, suffix, candidate) => evaluateAny(child, target, suffix, candidate, context),
      };
    }
    const context: Context = {
      evaluate: (child, target, suffix, candidate) => evaluateNode(child, target, suffix, candidate, context),
      partitions,
      plan,
      root: i,
      now,
      previousNodes: keptState ? (previous?.nodes ?? {}) : {},
      nodes,
      // A partitioned asset whose partition state was dropped starts afresh, as on its first evaluation.
      ePrev: previous === undefined || !keptState ? null : previous.lastEventId,
      previousTime: previous === undefined || !keptState ? null : previous.effectiveTime,
      timing: new Map(),
      runtime,
      updateId,
      unseen,
      outdated,
      willBeRequested,
      previousRequested,
      lastRequestedAt,
      freshnessNeeded,
    };
    const tree = view === null ? evaluateNode(condition.root, i, "", true, context) : evaluateAny(condition.root, i, "", view.all, context);
    let requested = tree.value;
    let root = partitions === null ? tree : annotate(tree, partitions);
    if (requested && !plan.materializable[i]) {
      requested = false;
      root = { ...root, reason: "true, but nothing in the catalog can materialize this asset: not requested" };
    }
    let requestedKeys: string[] | undefined;
    let requestedRanges: IndexRanges | undefined;
    if (requested) {
      requestedNow[i] = 1;
      requests.push(id);
      if (view !== null) {
        requestedRanges = partitions!.subsets.get(tree)?.ranges ?? [];
        requestedPartitions[i] = requestedRanges;
        requestedKeys = [];
        for (const [a, b] of requestedRanges) for (let k = a; k <= b; k++) requestedKeys.push(view.calendar.keyAt(k));
        partitionRequests.set(id, requestedKeys);
      }
    }
    const settled = quiet && !requested && sameNodes(previous.nodes, nodes) ? fingerprint : null;
    const values = valueHash(root, requested);
    nextAssets[id] = assetCursor(
      condition.treeHash,
      requested,
      now,
      state.lastEventId,
      nodes,
      settled,
      tree.value,
      values,
      requested ? now : previous?.lastRequestedAt,
      partitionsKey,
      requestedRanges,
    );
    const evaluation: AssetEvaluation = { assetId: id, tick, evaluatedAt, requested, treeHash: condition.treeHash, tree: root };
    if (view === null) {
      evaluations.push(evaluation);
      if (requested || previous?.valueHash !== values) changed.push(evaluation);
    } else {
      const partitioned = { ...evaluation, requestedPartitions: requestedKeys ?? [] };
      evaluations.push(partitioned);
      if (requested || previous?.valueHash !== values) changed.push(partitioned);
    }
  }
  return {
    requests,
    partitionRequests,
    cursor: { evaluationId: tick, evaluatedAt: now, assets: nextAssets },
    evaluations,
    changed,
    carriedForward,
    errors: plan.errors,
  };
}

const indexesByPlan = new WeakMap<Plan, Map<string, number>>();

/** The plan's asset indexes by id, built once per plan (on the first tick that needs one). */
function assetIndexes(plan: Plan): Map<string, number> {
  let indexes = indexesByPlan.get(plan);
  if (!indexes) indexesByPlan.set(plan, (indexes = new Map(plan.ids.map((id, i) => [id, i]))));
  return indexes;
}

/** Every node kind, evaluated by one entry. */
const NODE_KINDS: Readonly<Record<ConditionNode["kind"], NodeEvaluator>> = { ...OPERATORS, operand: evaluateOperand, rule: evaluateRule };

/** Every node kind over a partitioned target (partitioned.ts). */
const PARTITIONED_KINDS = partitionedKinds(evaluateRule);

/**
 * Evaluates a node under a partitioned root: over a partitioned target, with a candidate set of partitions;
 * over an unpartitioned one (a dependency), as a whole.
 */
function evaluateAny(c: CompiledNode, target: number, suffix: string, candidate: IndexRanges | boolean, x: Context): EvaluationNode {
  const id = suffix === "" ? c.id : c.id + suffix;
  const view = typeof candidate === "boolean" ? null : x.partitions!.view(target);
  if (view === null) return NODE_KINDS[c.node.kind](c, id, target, suffix, typeof candidate === "boolean" ? candidate : candidate.length > 0, x);
  return PARTITIONED_KINDS[c.node.kind](c, id, target, suffix, candidate as IndexRanges, x, x.partitions!, view);
}

/**
 * Evaluates one node for `target` (the root asset, or a dependency inside any/all deps match) over the
 * candidate (unpartitioned: true or false). `suffix` makes ids of nodes under a dependency unique per dependency.
 */
function evaluateNode(c: CompiledNode, target: number, suffix: string, candidate: boolean, x: Context): EvaluationNode {
  return NODE_KINDS[c.node.kind](c, suffix === "" ? c.id : c.id + suffix, target, suffix, candidate, x);
}
