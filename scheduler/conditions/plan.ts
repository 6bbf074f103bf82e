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

export function planFor(graph: CatalogGraph): Plan {
  const cached = plans.get(graph);
  if (cached) return cached;
  const assets = graph.assets;
  const ids = assets.map((a) => a.id);
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
  const plan: Plan = {
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
  };
  plans.set(graph, plan);
  return plan;
}

