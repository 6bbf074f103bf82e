/**
 * The evaluation plan: what is computed once per graph (a WeakMap keyed by the graph) — the topological order
 * (the shared sort of catalog/graph/topo.ts), dependency lists, compiled conditions — and the upstream closure
 * a dry run of a few assets evaluates.
 */
import { topologicalOrder } from "../../catalog/graph/index.ts";
import type { CatalogAsset, CatalogGraph } from "../../catalog/graph/index.ts";
import type { FreshnessTarget, PartitionsDefinition } from "../../catalog/model/index.ts";
import { partitionsFingerprint } from "../../catalog/model/index.ts";
import { Fingerprint } from "./fingerprint.ts";
import { compilePolicy } from "./from-policy.ts";
import type { CompiledCondition, CompiledNode } from "./tree.ts";

/** What is precomputed once per graph: the order, dependency lists and compiled conditions. */
export interface Plan {
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
  /** Per asset: the freshness target its condition declares (on_freshness), or null. */
  readonly freshnessTargets: readonly (FreshnessTarget | null)[];
  readonly hasFreshnessTargets: boolean;
  /** Per asset: its time partitions, or null (unpartitioned). */
  readonly partitions: readonly (PartitionsDefinition | null)[];
  /** Per asset: the fingerprint of its partitions (catalog/model/partitions.ts), or null. */
  readonly partitionings: readonly (string | null)[];
  /** Per asset: a small number per distinct partitioning (0: unpartitioned), for fingerprints and comparisons. */
  readonly partitioningIds: Int32Array;
  /** Per asset (filled when first needed): the partitionings of it and its deps, stored in its cursor. */
  readonly partitionsKeys: (string | undefined)[];
  /** True when some partitioned asset has a condition: only then is anything evaluated per partition. */
  readonly hasPartitionedConditions: boolean;
  /** allow/ignore-filtered deps, per dep operator node and asset. */
  readonly filteredDeps: Map<CompiledNode, Map<number, readonly number[]>>;
  /**
   * Per asset with a condition: the part of its carry-forward fingerprint that the definitions decide — its
   * dependencies' ids, whether it and each of them can be materialized, and their code versions when its
   * condition reads them. Ids, not plan indices: a new manifest (after a reload or a restart) leaves the
   * fingerprint of an asset whose own definitions did not change as it was, and changes it where they did.
   */
  readonly shape: Float64Array;
}

/**
 * A plan as an instance of a class, not an object literal: V8 optimizes evaluate() for the fields of the plan
 * objects it has read, and a second object made by the same literal (the next graph's plan: a reload, or a
 * restarted daemon's restored plan in the same process) invalidates that code, so the next ticks ran evaluate()
 * unoptimized until it was compiled again. Objects a constructor makes do not (checked with --trace-deopt); the
 * fields are declared only (`declare`), so that no class field initializer defines them first.
 */
class PlanRecord implements Plan {
  declare readonly assets: Plan["assets"];
  declare readonly ids: Plan["ids"];
  declare readonly order: Plan["order"];
  declare readonly deps: Plan["deps"];
  declare readonly materializable: Plan["materializable"];
  declare readonly conditions: Plan["conditions"];
  declare readonly errors: Plan["errors"];
  declare readonly usesLegacyRules: boolean;
  declare readonly freshnessTargets: Plan["freshnessTargets"];
  declare readonly hasFreshnessTargets: boolean;
  declare readonly partitions: Plan["partitions"];
  declare readonly partitionings: Plan["partitionings"];
  declare readonly partitioningIds: Int32Array;
  declare readonly partitionsKeys: Plan["partitionsKeys"];
  declare readonly hasPartitionedConditions: boolean;
  declare readonly filteredDeps: Plan["filteredDeps"];
  declare readonly shape: Float64Array;

  constructor(fields: Plan) {
    this.assets = fields.assets;
    this.ids = fields.ids;
    this.order = fields.order;
    this.deps = fields.deps;
    this.materializable = fields.materializable;
    this.conditions = fields.conditions;
    this.errors = fields.errors;
    this.usesLegacyRules = fields.usesLegacyRules;
    this.freshnessTargets = fields.freshnessTargets;
    this.hasFreshnessTargets = fields.hasFreshnessTargets;
    this.partitions = fields.partitions;
    this.partitionings = fields.partitionings;
    this.partitioningIds = fields.partitioningIds;
    this.partitionsKeys = fields.partitionsKeys;
    this.hasPartitionedConditions = fields.hasPartitionedConditions;
    this.filteredDeps = fields.filteredDeps;
    this.shape = fields.shape;
  }
}

const plans = new WeakMap<CatalogGraph, Plan>();

/** The assets `ids` name and everything upstream of them, marked 1 by index. */
export function upstreamClosure(plan: Plan, ids: ReadonlySet<string>): Uint8Array {
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

/**
 * The part of a plan that costs to compute (deps resolved by id, the order, the definitions' fingerprints), as
 * a stopping daemon stores it with its snapshot, under the graph's definitions digest. The compiled conditions
 * are not in it: compiling them again costs far less than storing them would.
 */
export interface StoredPlan {
  /** {@link PLAN_FORMAT} and the graph's definitionsDigest: anything else and the plan is computed. */
  readonly key: string;
  readonly order: Int32Array;
  /** Asset i's deps are deps[depStarts[i]..depStarts[i + 1]). */
  readonly depStarts: Int32Array;
  readonly deps: Int32Array;
  readonly shape: Float64Array;
}

/** Changes whenever what a {@link StoredPlan} holds, or how it is computed, changes. */
const PLAN_FORMAT = "plan-1";

const storedKey = (graph: CatalogGraph): string | null => (graph.definitionsDigest ? `${PLAN_FORMAT}:${graph.definitionsDigest}` : null);

/** The plan this process computed for `graph`, to store; null when none was or the graph has no digest. */
export function storablePlan(graph: CatalogGraph): StoredPlan | null {
  const key = storedKey(graph);
  const plan = plans.get(graph);
  if (key === null || !plan) return null;
  const depStarts = new Int32Array(plan.assets.length + 1);
  plan.deps.forEach((d, i) => (depStarts[i + 1] = depStarts[i]! + d.length));
  const deps = new Int32Array(depStarts[plan.assets.length]!);
  plan.deps.forEach((d, i) => deps.set(d, depStarts[i]!));
  return { key, order: Int32Array.from(plan.order), depStarts, deps, shape: plan.shape };
}

/**
 * Makes `stored` the plan of `graph` when it was stored for the same definitions (the same digest and plan
 * format); true when it did. A graph that has a plan already keeps it.
 */
export function restorePlan(graph: CatalogGraph, stored: StoredPlan): boolean {
  const n = graph.assets.length;
  if (plans.has(graph) || storedKey(graph) !== stored.key) return false;
  if (stored.order.length !== n || stored.depStarts.length !== n + 1 || stored.shape.length !== n) return false;
  // Arrays of the kinds computePlan's own are (a packed array of packed small-integer arrays), so that
  // evaluate() reads a restored plan with the code it runs on computed ones.
  const deps: number[][] = [];
  for (let i = 0; i < n; i++) deps.push(Array.from(stored.deps.subarray(stored.depStarts[i]!, stored.depStarts[i + 1]!)));
  computePlan(graph, { order: Array.from(stored.order), deps, shape: stored.shape });
  return true;
}

export function planFor(graph: CatalogGraph): Plan {
  return plans.get(graph) ?? computePlan(graph, null);
}

function computePlan(graph: CatalogGraph, stored: { order: number[]; deps: number[][]; shape: Float64Array } | null): Plan {
  const assets = graph.assets;
  const ids = assets.map((a) => a.id);
  const { deps, order } = stored ?? orderAndDeps(assets, ids);
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
  const partitionings = assets.map((a) => (a.partitions ? partitionsFingerprint(a.partitions) : null));
  const partitioningNumbers = new Map<string, number>();
  const materializable = assets.map((a) => a.materializer !== null);
  const shape = stored?.shape ?? shapes(assets, ids, deps, conditions, materializable);
  const plan: Plan = new PlanRecord({
    assets,
    ids,
    order,
    deps,
    materializable,
    conditions,
    errors,
    usesLegacyRules: conditions.some((c) => c?.usesLegacyRules === true),
    freshnessTargets: conditions.map((c) => c?.freshness ?? null),
    hasFreshnessTargets: conditions.some((c) => c?.freshness != null),
    partitions: assets.map((a) => a.partitions ?? null),
    partitionings,
    partitioningIds: Int32Array.from(partitionings, (p) => {
      if (p === null) return 0;
      let found = partitioningNumbers.get(p);
      if (found === undefined) partitioningNumbers.set(p, (found = partitioningNumbers.size + 1));
      return found;
    }),
    partitionsKeys: new Array(assets.length),
    hasPartitionedConditions: assets.some((a, i) => a.partitions != null && conditions[i] != null),
    filteredDeps: new Map(),
    shape,
  });
  plans.set(graph, plan);
  return plan;
}

/** Each asset's deps by index (sorted by id) and the topological order. */
function orderAndDeps(assets: readonly CatalogAsset[], ids: readonly string[]): { deps: number[][]; order: number[] } {
  const indexById = new Map<string, number>();
  assets.forEach((asset, i) => {
    indexById.set(asset.id, i);
    for (const alias of asset.aliasIds) if (!indexById.has(alias)) indexById.set(alias, i);
  });
  // The graph's assets are sorted by id, so sorting deps by index sorts them by id; checked once, as the order
  // of deps is part of every fingerprint. (A plain array: an asset has a handful of deps, a Set costs more.)
  let sortedIds = true;
  for (let i = 1; i < ids.length && sortedIds; i++) sortedIds = ids[i - 1]! < ids[i]!;
  const byId = sortedIds ? (a: number, b: number) => a - b : (a: number, b: number) => (ids[a]! < ids[b]! ? -1 : 1);
  const deps = assets.map((asset, i) => {
    const found: number[] = [];
    for (const upstreamId of asset.upstreamIds) {
      const j = indexById.get(upstreamId);
      if (j !== undefined && j !== i && !found.includes(j)) found.push(j);
    }
    return found.length > 1 ? found.sort(byId) : found;
  });
  // The graph's assets are in id order, so ties fall in id order and the order is deterministic.
  const order = [...topologicalOrder(deps).order];
  if (order.length < assets.length) {
    const placed = new Set(order);
    assets.forEach((_, i) => placed.has(i) || order.push(i));
  }
  return { deps, order };
}

/** Per asset with a condition: the definitions' part of its fingerprint (see {@link Plan.shape}). */
function shapes(
  assets: readonly CatalogAsset[],
  ids: readonly string[],
  deps: readonly (readonly number[])[],
  conditions: readonly (CompiledCondition | null)[],
  materializable: readonly boolean[],
): Float64Array {
  const shape = new Float64Array(assets.length);
  conditions.forEach((condition, i) => {
    if (!condition) return;
    const print = new Fingerprint().add(materializable[i] ? 1 : 0);
    if (condition.usesCodeVersion) print.addText(assets[i]!.codeVersion ?? "");
    for (const d of deps[i]!) {
      print.addText(ids[d]!).add(materializable[d] ? 1 : 0);
      if (condition.usesCodeVersion) print.addText(assets[d]!.codeVersion ?? "");
    }
    shape[i] = print.value();
  });
  return shape;
}
