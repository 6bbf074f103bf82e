/**
 * Builds the unified asset graph from every location's definitions: specs with the same key or the same
 * relation become one asset, dependencies given by key or relation become edges, and conflicts and
 * dangling references become diagnostics. The result is immutable; a reload builds a new one.
 */
import type { AssetKey, AssetSpec, CheckSpec, ColumnSpec, Diagnostic, LocationDefinitions, MaterializerRef, PolicyRule } from "../model/index.ts";
import { matchesKeyGlob } from "../model/key-glob.ts";
import { INGESTION_LOCATION_KINDS, LoadError, keyToString, relationFullName, relationIdentity } from "../model/index.ts";
import type {
  AssetFacets,
  AssetOrder,
  AssetQuery,
  CatalogAsset,
  CatalogGraph,
  FacetCount,
  ImpactResult,
  LineageDirection,
  LineageEdge,
  LineageResult,
  LocationFailure,
  LocationStatus,
} from "./types.ts";
import { AssetNotFoundError } from "./types.ts";
import { assetOrderValue, comparePositions, isKeyOrder } from "./order.ts";

export interface BuildCatalogGraphInput {
  /** Definitions of the locations that loaded. */
  readonly definitions: readonly LocationDefinitions[];
  /** Locations whose latest load failed; their last good definitions, if any, are still served. */
  readonly failures?: readonly LocationFailure[];
  /** When the graph is built (ISO time); defaults to now. */
  readonly builtAt?: string;
  /** Policies from tributary.yaml, by key glob, for assets that declare none themselves. */
  readonly policyRules?: readonly PolicyRule[];
}

/** Builds the graph. Throws {@link LoadError} when the merged dependencies form a cycle. */
export function buildCatalogGraph(input: BuildCatalogGraphInput): CatalogGraph {
  const failures = input.failures ?? [];
  const served = [...input.definitions, ...failures.flatMap((f) => (f.lastGood ? [f.lastGood] : []))];
  const statuses: LocationStatus[] = [
    ...input.definitions.map((d) => ({
      location: d.location,
      state: "loaded" as const,
      loadedAt: d.loadedAt,
      loadDurationMs: d.loadDurationMs,
      assetCount: d.specs.length,
      error: null,
    })),
    ...failures.map((f) => ({
      location: f.location,
      state: "failed" as const,
      loadedAt: f.lastGood?.loadedAt ?? null,
      loadDurationMs: f.lastGood?.loadDurationMs ?? null,
      assetCount: f.lastGood?.specs.length ?? 0,
      error: f.error,
    })),
  ];
  return new GraphBuilder(served, statuses, input.builtAt ?? new Date().toISOString(), input.policyRules ?? []).build();
}

interface LocatedSpec {
  readonly spec: AssetSpec;
  readonly locationName: string;
  /** `keyToString(spec.key)` and `relationIdentity(spec.relation)`, computed once. */
  readonly id: string;
  readonly relationId: string | null;
}

class GraphBuilder {
  private readonly diagnostics: Diagnostic[] = [];
  /** Key strings by key array: a dependency usually holds the very array its parent's spec has as key. */
  private readonly idByKey = new Map<AssetKey, string>();

  constructor(
    private readonly definitions: readonly LocationDefinitions[],
    private readonly statuses: readonly LocationStatus[],
    private readonly builtAt: string,
    private readonly policyRules: readonly PolicyRule[],
  ) {}

  build(): CatalogGraph {
    for (const definitions of this.definitions) this.diagnostics.push(...definitions.diagnostics);
    const specs: LocatedSpec[] = [];
    for (const { specs: located, location } of this.definitions) {
      for (const spec of located) {
        const relationId = spec.relation ? relationIdentity(spec.relation) : null;
        specs.push({ spec, locationName: location.name, id: this.idOf(spec.key), relationId });
      }
    }
    const groups = groupSpecs(specs);
    const assets = groups.map((group) => this.mergeGroup(group));
    this.applyPolicyRules(assets);
    const indexById = new Map<string, number>();
    const indexByRelation = new Map<string, number>();
    assets.forEach((asset, index) => {
      indexById.set(asset.id, index);
      for (const alias of asset.aliasIds) indexById.set(alias, index);
      for (const { relationId } of groups[index]!) if (relationId !== null) indexByRelation.set(relationId, index);
    });
    const upstream: number[][] = assets.map(() => []);
    const downstream: number[][] = assets.map(() => []);
    groups.forEach((group, childIndex) => {
      const parents = new Set<number>();
      for (const { spec, locationName } of group) {
        for (const dep of spec.deps) {
          const parentIndex =
            dep.kind === "key" ? indexById.get(this.idOf(dep.key)) : indexByRelation.get(relationIdentity(dep.relation));
          if (parentIndex === undefined) {
            const what = dep.kind === "key" ? `asset "${keyToString(dep.key)}"` : `relation ${relationIdentity(dep.relation)}`;
            // An asset that copies what it reads (a Census sync) says so as `unbuilt_dependency`.
            const unbuilt = spec.readsBuiltAssets === true;
            this.diagnostics.push({
              severity: "warning",
              code: unbuilt ? "unbuilt_dependency" : "unresolved_dependency",
              message: unbuilt
                ? `${keyToString(spec.key)} reads ${what}, which no location defines or builds`
                : `${keyToString(spec.key)} depends on ${what}, which no location defines`,
              locationName,
              assetKey: spec.key,
              nodeId: spec.dbtUniqueId,
              at: spec.definedIn,
            });
            continue;
          }
          if (parentIndex !== childIndex) parents.add(parentIndex);
          if (spec.readsBuiltAssets === true && assets[parentIndex]!.materializer === null) {
            this.diagnostics.push({
              severity: "warning",
              code: "unbuilt_dependency",
              message: `${keyToString(spec.key)} reads ${assets[parentIndex]!.id}, which no location builds (nothing materializes it)`,
              locationName,
              assetKey: spec.key,
              nodeId: spec.dbtUniqueId,
              at: spec.definedIn,
            });
          }
        }
      }
      for (const parentIndex of parents) {
        upstream[childIndex]!.push(parentIndex);
        downstream[parentIndex]!.push(childIndex);
      }
    });
    assertAcyclic(assets, upstream, downstream);
    this.reportUnfedSources(groups, assets);
    return new ImmutableCatalogGraph(assets, upstream, downstream, indexById, this.diagnostics, this.statuses, this.builtAt);
  }

  private idOf(key: AssetKey): string {
    let id = this.idByKey.get(key);
    if (id === undefined) this.idByKey.set(key, (id = keyToString(key)));
    return id;
  }

  /**
   * A table declared as loaded by another tool (a dbt source) that no location materializes is a dangling
   * reference — but only worth a warning once the catalog has an ingestion location (a Fivetran account);
   * without one, every source of a dbt-only catalog would warn.
   */
  private reportUnfedSources(groups: readonly (readonly LocatedSpec[])[], assets: readonly MutableAsset[]): void {
    const kinds = new Set(this.definitions.map((d) => d.location.kind));
    const ingestion = INGESTION_LOCATION_KINDS.filter((kind) => kinds.has(kind));
    if (ingestion.length === 0) return;
    groups.forEach((group, index) => {
      const asset = assets[index]!;
      if (asset.materializer !== null) return;
      const declared = group.find((s) => s.spec.loadedExternally === true);
      if (!declared) return;
      const where = asset.relation ? ` (${relationFullName(asset.relation)})` : "";
      this.diagnostics.push({
        severity: "warning",
        code: "unfed_source",
        message: `${asset.id}${where} is read as a source, but no ${ingestion.join(" or ")} location lands it`,
        locationName: declared.locationName,
        assetKey: declared.spec.key,
        nodeId: declared.spec.dbtUniqueId,
        at: declared.spec.definedIn,
      });
    });
  }

  /**
   * Gives each asset without a policy of its own the first tributary.yaml rule whose glob matches its key or an
   * alias. An invalid rule is an error on every asset it matches (which then has no policy); a rule that
   * matches nothing, or only assets that declare their own policy, is a warning.
   */
  private applyPolicyRules(assets: MutableAsset[]): void {
    const file = (rule: PolicyRule): string => rule.declaredIn.file ?? "tributary.yaml";
    const at = (rule: PolicyRule): string => `${file(rule)}${rule.declaredIn.line ? `:${rule.declaredIn.line}` : ""}`;
    const used = new Set<PolicyRule>();
    for (const asset of assets) {
      const ids = [asset.id, ...asset.aliasIds];
      const rule = this.policyRules.find((r) => ids.some((id) => matchesKeyGlob(id, r.assets)));
      if (!rule) continue;
      used.add(rule);
      const diagnostic = (severity: Diagnostic["severity"], code: string, message: string): void => {
        this.diagnostics.push({ severity, code, message, locationName: file(rule), assetKey: asset.key, nodeId: null, at: rule.declaredIn });
      };
      if (asset.policy !== null) {
        diagnostic("warning", "policy_rule_shadowed", `${at(rule)}: the policy for "${rule.assets}" does not apply to ${asset.id}, which declares its own policy`);
      } else if (rule.policy === null) {
        diagnostic("error", "invalid_policy", `${at(rule)}: the policy for "${rule.assets}" is invalid (${rule.errors.join("; ")}); ${asset.id} has no policy`);
      } else {
        asset.policy = rule.policy;
      }
    }
    for (const rule of this.policyRules) {
      if (used.has(rule)) continue;
      const invalid = rule.policy === null ? ` and is invalid (${rule.errors.join("; ")})` : "";
      this.diagnostics.push({
        severity: rule.policy === null ? "error" : "warning",
        code: rule.policy === null ? "invalid_policy" : "policy_rule_unmatched",
        message: `${at(rule)}: the policy for "${rule.assets}" matches no asset${invalid}`,
        locationName: file(rule),
        assetKey: null,
        nodeId: null,
        at: rule.declaredIn,
      });
    }
  }

  /** Merges the specs of one asset: the spec of the tool that builds it leads, the others fill gaps. */
  private mergeGroup(group: readonly LocatedSpec[]): MutableAsset {
    const builders = group.filter((s) => s.spec.materializer !== null);
    const lead = builders[0] ?? group[0]!;
    const leadSpec = lead.spec;
    const id = lead.id;
    const aliasIds = unique(group.map((s) => s.id).filter((k) => k !== id));
    const materializer: MaterializerRef | null = leadSpec.materializer;
    for (const other of builders.slice(1)) {
      const m = other.spec.materializer!;
      if (m.tool !== materializer!.tool || m.locationName !== materializer!.locationName || m.runTargetId !== materializer!.runTargetId) {
        this.diagnostics.push({
          severity: "error",
          code: "conflicting_materializers",
          message: `${id} is built by both ${materializer!.tool} (${materializer!.locationName}) and ${m.tool} (${m.locationName}); ${materializer!.locationName} is kept`,
          locationName: other.locationName,
          assetKey: leadSpec.key,
          nodeId: other.spec.dbtUniqueId,
          at: other.spec.definedIn,
        });
      }
    }
    const ordered = [lead, ...group.filter((s) => s !== lead)];
    const first = <T>(pick: (spec: AssetSpec) => T | null): T | null => {
      for (const { spec } of ordered) {
        const value = pick(spec);
        if (value !== null && value !== undefined) return value;
      }
      return null;
    };
    const policies = ordered.filter((s) => s.spec.policy !== null);
    if (policies.length > 1) {
      this.diagnostics.push({
        severity: "warning",
        code: "conflicting_policies",
        message: `${id} has policies in ${policies.map((p) => p.locationName).join(" and ")}; the one from ${policies[0]!.locationName} is used`,
        locationName: policies[1]!.locationName,
        assetKey: leadSpec.key,
        nodeId: policies[1]!.spec.dbtUniqueId,
        at: policies[1]!.spec.policy!.declaredIn,
      });
    }
    const metadata: Record<string, unknown> = {};
    for (const { spec } of [...ordered].reverse()) Object.assign(metadata, spec.metadata);
    return {
      key: leadSpec.key,
      id,
      aliasIds,
      relation: first((s) => s.relation),
      kinds: unique(ordered.flatMap((s) => s.spec.kinds)),
      group: first((s) => s.group),
      owners: unique(ordered.flatMap((s) => s.spec.owners)),
      tags: unique(ordered.flatMap((s) => s.spec.tags)),
      description: first((s) => s.description),
      columns: mergeColumns(ordered.map((s) => s.spec.columns)),
      tableStats: first((s) => s.tableStats ?? null),
      freshness: first((s) => s.freshness ?? null),
      checks: mergeChecks(ordered.map((s) => s.spec.checks)),
      policy: policies[0]?.spec.policy ?? null,
      codeVersion: first((s) => s.codeVersion),
      dbtUniqueId: first((s) => s.dbtUniqueId),
      materializer,
      readBy: [],
      locationNames: unique(ordered.map((s) => s.locationName)),
      specs: ordered.map((s) => s.spec),
      upstreamIds: [],
      downstreamIds: [],
      diagnostics: [],
      metadata,
    };
  }
}

type MutableAsset = { -readonly [K in keyof CatalogAsset]: CatalogAsset[K] };

/** Groups specs that are one asset: same key, or same relation. Union-find keeps it linear. */
function groupSpecs(specs: readonly LocatedSpec[]): LocatedSpec[][] {
  const parent = specs.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  const union = (a: number, b: number): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };
  const byKey = new Map<string, number>();
  const byRelation = new Map<string, number>();
  specs.forEach(({ id, relationId }, index) => {
    const seenKey = byKey.get(id);
    if (seenKey === undefined) byKey.set(id, index);
    else union(seenKey, index);
    if (relationId !== null) {
      const seenRelation = byRelation.get(relationId);
      if (seenRelation === undefined) byRelation.set(relationId, index);
      else union(seenRelation, index);
    }
  });
  const groups = new Map<number, LocatedSpec[]>();
  specs.forEach((spec, index) => {
    const root = find(index);
    const group = groups.get(root);
    if (group) group.push(spec);
    else groups.set(root, [spec]);
  });
  return [...groups.values()];
}

function mergeColumns(lists: readonly (readonly ColumnSpec[])[]): ColumnSpec[] {
  const byName = new Map<string, ColumnSpec>();
  for (const list of lists) {
    for (const column of list) {
      const key = column.name.toLowerCase();
      const known = byName.get(key);
      byName.set(
        key,
        known
          ? {
              name: known.name,
              type: known.type ?? column.type,
              description: known.description ?? column.description,
              tags: unique([...known.tags, ...column.tags]),
            }
          : column,
      );
    }
  }
  return [...byName.values()];
}

function mergeChecks(lists: readonly (readonly CheckSpec[])[]): CheckSpec[] {
  const byName = new Map<string, CheckSpec>();
  for (const list of lists) for (const check of list) if (!byName.has(check.name)) byName.set(check.name, check);
  return [...byName.values()];
}

/** Throws a LoadError naming one cycle when the edges are not a DAG (Kahn's algorithm). */
function assertAcyclic(assets: readonly MutableAsset[], upstream: number[][], downstream: number[][]): void {
  const remaining = upstream.map((parents) => parents.length);
  const queue: number[] = [];
  remaining.forEach((count, index) => count === 0 && queue.push(index));
  let visited = 0;
  while (queue.length > 0) {
    const index = queue.pop()!;
    visited++;
    for (const child of downstream[index]!) if (--remaining[child]! === 0) queue.push(child);
  }
  if (visited === assets.length) return;
  // Walk upstream from any node left over; in a graph whose sources are all gone, we must revisit one.
  let current = remaining.findIndex((count) => count > 0);
  const seenAt = new Map<number, number>();
  const path: number[] = [];
  while (!seenAt.has(current)) {
    seenAt.set(current, path.length);
    path.push(current);
    current = upstream[current]!.find((p) => remaining[p]! > 0)!;
  }
  const cycle = path.slice(seenAt.get(current)).reverse();
  const names = [...cycle, cycle[0]!].map((i) => assets[i]!.id);
  const first = assets[cycle[0]!]!;
  throw new LoadError("dependency_cycle", `Dependency cycle: ${names.join(" → ")}`, {
    locationName: first.locationNames[0] ?? null,
    nodeId: first.dbtUniqueId,
    file: first.specs[0]?.definedIn?.file ?? null,
  });
}

class ImmutableCatalogGraph implements CatalogGraph {
  readonly assets: readonly CatalogAsset[];
  private readonly searchText: string[];
  private readonly order: number[];
  /** Node indexes sorted in each order asked for so far (by `FIELD:DIRECTION`); the key order is `order`. */
  private readonly views = new Map<string, readonly number[]>();

  constructor(
    private readonly nodes: MutableAsset[],
    private readonly upstreamIndex: number[][],
    private readonly downstreamIndex: number[][],
    private readonly indexById: Map<string, number>,
    readonly diagnostics: readonly Diagnostic[],
    readonly locations: readonly LocationStatus[],
    readonly builtAt: string,
  ) {
    const diagnosticsByKey = new Map<string, Diagnostic[]>();
    for (const diagnostic of diagnostics) {
      if (!diagnostic.assetKey) continue;
      const index = indexById.get(keyToString(diagnostic.assetKey));
      if (index === undefined) continue;
      const id = nodes[index]!.id;
      const list = diagnosticsByKey.get(id) ?? [];
      list.push(diagnostic);
      diagnosticsByKey.set(id, list);
    }
    nodes.forEach((node, index) => {
      node.upstreamIds = upstreamIndex[index]!.map((i) => nodes[i]!.id).sort();
      node.downstreamIds = downstreamIndex[index]!.map((i) => nodes[i]!.id).sort();
      node.readBy = unique(downstreamIndex[index]!.flatMap((i) => (nodes[i]!.materializer ? [nodes[i]!.materializer!.tool] : []))).sort();
      node.diagnostics = diagnosticsByKey.get(node.id) ?? [];
    });
    this.order = nodes.map((_, i) => i).sort((a, b) => compareIds(nodes[a]!.id, nodes[b]!.id));
    this.assets = this.order.map((i) => nodes[i]!);
    this.searchText = nodes.map(searchableText);
  }

  get(id: string): CatalogAsset | undefined {
    const index = this.indexById.get(id);
    return index === undefined ? undefined : this.nodes[index];
  }

  upstream(id: string): readonly CatalogAsset[] {
    return this.upstreamIndex[this.indexOf(id)]!.map((i) => this.nodes[i]!);
  }

  downstream(id: string): readonly CatalogAsset[] {
    return this.downstreamIndex[this.indexOf(id)]!.map((i) => this.nodes[i]!);
  }

  lineage(id: string, direction: LineageDirection, depth?: number | null): LineageResult {
    const start = this.indexOf(id);
    const limit = depth === null || depth === undefined ? Number.POSITIVE_INFINITY : depth;
    const included = new Set<number>([start]);
    const edges: LineageEdge[] = [];
    const walk = (neighbours: number[][], upstreamWalk: boolean): void => {
      let frontier = [start];
      const seen = new Set<number>([start]);
      for (let level = 0; level < limit && frontier.length > 0; level++) {
        const next: number[] = [];
        for (const index of frontier) {
          for (const neighbour of neighbours[index]!) {
            const from = upstreamWalk ? neighbour : index;
            const to = upstreamWalk ? index : neighbour;
            edges.push({ from: this.nodes[from]!.id, to: this.nodes[to]!.id });
            if (!seen.has(neighbour)) {
              seen.add(neighbour);
              included.add(neighbour);
              next.push(neighbour);
            }
          }
        }
        frontier = next;
      }
    };
    if (direction !== "DOWNSTREAM") walk(this.upstreamIndex, true);
    if (direction !== "UPSTREAM") walk(this.downstreamIndex, false);
    return { nodes: [...included].map((i) => this.nodes[i]!), edges };
  }

  impact(id: string): ImpactResult {
    const { nodes } = this.lineage(id, "DOWNSTREAM");
    const assets = nodes.filter((node) => node.id !== this.nodes[this.indexOf(id)]!.id);
    const countByKind: Record<string, number> = {};
    for (const asset of assets) for (const kind of asset.kinds) countByKind[kind] = (countByKind[kind] ?? 0) + 1;
    return { assets, countByKind };
  }

  search(query: AssetQuery, order?: AssetOrder | null): readonly CatalogAsset[] {
    const words = (query.search ?? "").toLowerCase().split(/\s+/).filter(Boolean);
    const result: CatalogAsset[] = [];
    for (const index of this.view(order)) {
      const asset = this.nodes[index]!;
      if (!matchesFilters(asset, query)) continue;
      if (words.length > 0) {
        const text = this.searchText[index]!;
        if (!words.every((word) => text.includes(word))) continue;
      }
      result.push(asset);
    }
    return result;
  }

  facets(query: AssetQuery): AssetFacets {
    return facetsOf(this.search(query));
  }

  /** Node indexes in `order`, sorted once per graph and order. */
  private view(order: AssetOrder | null | undefined): readonly number[] {
    if (order === null || order === undefined || isKeyOrder(order)) return this.order;
    const name = `${order.field}:${order.direction}`;
    let view = this.views.get(name);
    if (view === undefined) {
      const positions = this.nodes.map((node) => ({ value: assetOrderValue(node, order.field), id: node.id }));
      view = positions.map((_, i) => i).sort((a, b) => comparePositions(order, positions[a]!, positions[b]!));
      this.views.set(name, view);
    }
    return view;
  }

  private indexOf(id: string): number {
    const index = this.indexById.get(id);
    if (index === undefined) throw new AssetNotFoundError(id);
    return index;
  }
}

function matchesFilters(asset: CatalogAsset, query: AssetQuery): boolean {
  const anyOf = (wanted: readonly string[] | null | undefined, values: readonly string[]): boolean =>
    !wanted || wanted.length === 0 || wanted.some((w) => values.includes(w));
  return (
    anyOf(query.kinds, asset.kinds) &&
    anyOf(query.groups, asset.group ? [asset.group] : []) &&
    anyOf(query.owners, asset.owners) &&
    anyOf(query.tags, asset.tags) &&
    anyOf(query.locations, asset.locationNames) &&
    (query.hasPolicy === null || query.hasPolicy === undefined || (asset.policy !== null) === query.hasPolicy)
  );
}

/** The lowercase text full-text search looks in: key, aliases, relation, description, columns, tags, group, owners. */
function searchableText(asset: CatalogAsset): string {
  return [
    asset.id,
    ...asset.aliasIds,
    asset.relation ? `${asset.relation.database ?? ""}.${asset.relation.schema}.${asset.relation.name}` : "",
    asset.description ?? "",
    ...asset.columns.flatMap((c) => [c.name, c.description ?? ""]),
    ...asset.tags,
    asset.group ?? "",
    ...asset.owners,
  ]
    .join("\n")
    .toLowerCase();
}

function countValues(values: readonly string[]): FacetCount[] {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts]
    .map(([value, count]) => ({ value, count }))
    .sort((a, b) => b.count - a.count || compareIds(a.value, b.value));
}

/** Plain code-unit order: stable across runtimes and locales, so cursors stay valid. */
/** Counts per facet value over `assets` (what {@link CatalogGraph.facets} returns for a query's matches). */
export function facetsOf(assets: readonly CatalogAsset[]): AssetFacets {
  return {
    kinds: countValues(assets.flatMap((a) => a.kinds)),
    groups: countValues(assets.flatMap((a) => (a.group ? [a.group] : []))),
    owners: countValues(assets.flatMap((a) => a.owners)),
    tags: countValues(assets.flatMap((a) => a.tags)),
    locations: countValues(assets.flatMap((a) => a.locationNames)),
  };
}

export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
