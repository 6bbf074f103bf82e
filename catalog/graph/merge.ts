/**
 * Merging: specs with the same key or the same relation are one asset (union-find); the spec of the tool that
 * builds it leads and the others fill gaps, with a diagnostic for each conflict.
 */
import type { AssetSpec, CheckSpec, ColumnSpec, Diagnostic, MaterializerRef, Relation } from "../model/index.ts";
import { defineLazyColumns, hasLazyColumns, namingRank, peekColumns } from "../model/index.ts";
import type { CatalogAsset } from "./types.ts";

/** A spec with where it came from, and its key and relation strings computed once. */
export interface LocatedSpec {
  readonly spec: AssetSpec;
  readonly locationName: string;
  /** `keyToString(spec.key)` and `relationIdentity(spec.relation)`, computed once. */
  readonly id: string;
  readonly relationId: string | null;
}

export type MutableAsset = { -readonly [K in keyof CatalogAsset]: CatalogAsset[K] };

/**
 * Merges the specs of one asset: the spec of the tool that builds it leads, the others fill gaps; then what a
 * warehouse says about its relation (a describe-only spec) is laid over it ({@link withWarehouse}). A group of
 * describe-only specs alone is no asset (see {@link definesAsset}).
 */
export function mergeGroup(located: readonly LocatedSpec[], diagnostics: Diagnostic[]): MutableAsset {
  const group = located.filter((s) => s.spec.describesOnly !== true);
  const asset = mergeDefining(group, diagnostics);
  const described = describingSpec(located, asset.relation);
  if (described) withWarehouse(asset, described.spec);
  return asset;
}

/**
 * The describe-only spec of a group that `relation` names by its warehouse's naming rules (the group joined
 * relations equal ignoring case: Snowflake's `ORDERS` and a quoted `"orders"`, BigQuery's `Orders` and
 * `orders`): the best-named one, or null when none is the relation (a case-sensitive warehouse holds another).
 */
export function describingSpec(located: readonly LocatedSpec[], relation: Relation | null): LocatedSpec | null {
  let best: LocatedSpec | null = null;
  let bestRank = Infinity;
  for (const candidate of located) {
    const { spec } = candidate;
    if (spec.describesOnly !== true) continue;
    const rank = relation && spec.relation && spec.relationNaming ? namingRank(relation, spec.relation, spec.relationNaming) : 0;
    if (rank !== null && rank < bestRank) {
      best = candidate;
      bestRank = rank;
    }
  }
  return best;
}

/** True when some spec of the group defines the asset (not only a warehouse describing its relation). */
export function definesAsset(group: readonly LocatedSpec[]): boolean {
  return group.some((s) => s.spec.describesOnly !== true);
}

/**
 * The warehouse's word on the asset: its columns merged with the documented ones (the warehouse's type and
 * nullability win; a documented column the warehouse lacks is `inWarehouse: false`, a warehouse column nobody
 * documents is appended with `documented: false`), its table statistics, and its `warehouse/…` metadata.
 */
function withWarehouse(asset: MutableAsset, described: AssetSpec): void {
  const actual = new Map(described.columns.map((column) => [column.name.toLowerCase(), column]));
  const seen = new Set<string>();
  const columns: ColumnSpec[] = asset.columns.map((column) => {
    const name = column.name.toLowerCase();
    seen.add(name);
    const found = actual.get(name);
    return found
      ? { ...column, type: found.type ?? column.type, nullable: found.nullable ?? null, inWarehouse: true, documented: true }
      : { ...column, inWarehouse: false, documented: true };
  });
  for (const column of described.columns) {
    if (!seen.has(column.name.toLowerCase())) columns.push({ ...column, inWarehouse: true, documented: false });
  }
  asset.columns = columns;
  asset.tableStats = described.tableStats ?? asset.tableStats;
  asset.metadata = { ...asset.metadata, ...described.metadata };
}

function mergeDefining(group: readonly LocatedSpec[], diagnostics: Diagnostic[]): MutableAsset {
  const builders = group.filter((s) => s.spec.materializer !== null);
  const lead = builders[0] ?? group[0]!;
  const leadSpec = lead.spec;
  const id = lead.id;
  const aliasIds = unique(group.map((s) => s.id).filter((k) => k !== id));
  const materializer: MaterializerRef | null = leadSpec.materializer;
  for (const other of builders.slice(1)) {
    const m = other.spec.materializer!;
    if (m.tool !== materializer!.tool || m.locationName !== materializer!.locationName || m.runTargetId !== materializer!.runTargetId) {
      diagnostics.push({
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
    diagnostics.push({
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
  // Columns a spec holds unmade (a large manifest's) stay so until a reader asks for the asset's; making
  // them then leaves the specs' unmade (peeked), so the store's snapshot of the specs never keeps them.
  const lazy = ordered.some((s) => hasLazyColumns(s.spec));
  const asset: MutableAsset = {
    key: leadSpec.key,
    id,
    aliasIds,
    relation: first((s) => s.relation),
    kinds: unique(ordered.flatMap((s) => s.spec.kinds)),
    group: first((s) => s.group),
    owners: unique(ordered.flatMap((s) => s.spec.owners)),
    tags: unique(ordered.flatMap((s) => s.spec.tags)),
    description: first((s) => s.description),
    columns: lazy ? [] : mergeColumns(ordered.map((s) => s.spec.columns)),
    tableStats: first((s) => s.tableStats ?? null),
    freshness: first((s) => s.freshness ?? null),
    checks: mergeChecks(ordered.map((s) => s.spec.checks)),
    policy: policies[0]?.spec.policy ?? null,
    partitions: first((s) => s.partitions ?? null),
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
  if (lazy) defineLazyColumns(asset, () => mergeColumns(ordered.map((s) => peekColumns(s.spec))));
  return asset;
}

/** Groups specs that are one asset: same key, or same relation. Union-find keeps it linear. */
export function groupSpecs(specs: readonly LocatedSpec[]): LocatedSpec[][] {
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
    // A warehouse's describe-only spec joins by relation only: its key is no one's.
    if (specs[index]!.spec.describesOnly !== true) {
      const seenKey = byKey.get(id);
      if (seenKey === undefined) byKey.set(id, index);
      else union(seenKey, index);
    }
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

export function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
