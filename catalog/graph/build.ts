/**
 * Builds the unified asset graph from every location's definitions: specs with the same key or the same
 * relation become one asset, dependencies given by key or relation become edges, and conflicts and
 * dangling references become diagnostics. The result is immutable; a reload builds a new one.
 *
 * By behaviour: merge.ts (which specs are one asset, and how they merge), policy-rules.ts (tributary.yaml
 * policies by key glob), cycles.ts (a cycle fails the load), queries.ts (the built graph's lookups, lineage,
 * search and facets); topo.ts is the topological sort shared with the scheduler. Here: edges and the
 * diagnostics about them.
 */
import { createHash } from "node:crypto";
import type { AssetKey, Diagnostic, LocationDefinitions, PolicyRule } from "../model/index.ts";
import { INGESTION_LOCATION_KINDS, keyToString, relationFullName, relationIdentity } from "../model/index.ts";
import { assertAcyclic } from "./cycles.ts";
import type { LocatedSpec, MutableAsset } from "./merge.ts";
import { definesAsset, describingSpec, groupSpecs, mergeGroup } from "./merge.ts";
import { applyPolicyRules, yieldToToolSchedules } from "./policy-rules.ts";
import { ImmutableCatalogGraph } from "./queries.ts";
import type { CatalogGraph, LocationFailure, LocationStatus } from "./types.ts";

export { compareIds, facetsOf } from "./queries.ts";

export interface BuildCatalogGraphInput {
  /** Definitions of the locations that loaded. */
  readonly definitions: readonly LocationDefinitions[];
  /** Locations whose latest load failed; their last good definitions, if any, are still served. */
  readonly failures?: readonly LocationFailure[];
  /** When the graph is built (ISO time); defaults to now. */
  readonly builtAt?: string;
  /** Policies from tributary.yaml, by key glob, for assets that declare none themselves. */
  readonly policyRules?: readonly PolicyRule[];
  /**
   * Each location's definitions content hash (the stored snapshot's, catalog/store/snapshot-codec.ts), for the
   * graph's {@link CatalogGraph.definitionsDigest}; without it, or when it gives none for some location, the
   * digest is null.
   */
  readonly contentHash?: (definitions: LocationDefinitions) => string | null;
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
  const graph = new GraphBuilder(served, statuses, input.builtAt ?? new Date().toISOString(), input.policyRules ?? []).build();
  return Object.assign(graph, { definitionsDigest: definitionsDigest(served, input.policyRules ?? [], input.contentHash) });
}

/**
 * The served definitions' content hashes in order (the merge depends on the order) and the policy rules, hashed:
 * cheap (no asset is read), and it changes whenever anything the graph is built from does. The build code's own
 * version is not in it: what is kept under it says its own format version.
 */
function definitionsDigest(
  served: readonly LocationDefinitions[],
  policyRules: readonly PolicyRule[],
  contentHash: BuildCatalogGraphInput["contentHash"],
): string | null {
  if (!contentHash) return null;
  const hashes: string[] = [];
  for (const definitions of served) {
    const hash = contentHash(definitions);
    if (hash === null) return null;
    hashes.push(definitions.location.name, hash);
  }
  return createHash("sha256").update(JSON.stringify([hashes, policyRules])).digest("hex");
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
    const groups = groupSpecs(specs).filter(definesAsset);
    const assets = groups.map((group) => mergeGroup(group, this.diagnostics));
    this.reportMissingRelations(specs, groups, assets);
    applyPolicyRules(assets, this.policyRules, this.diagnostics);
    yieldToToolSchedules(groups, assets, this.diagnostics);
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
    assertAcyclic(assets, upstream);
    this.reportUnfedSources(groups, assets);
    return new ImmutableCatalogGraph(assets, upstream, downstream, indexById, this.diagnostics, this.statuses, this.builtAt);
  }

  /**
   * An asset whose relation lies in a database a warehouse location lists, but which that warehouse does not
   * hold: a model never built, a source table missing (`relation_missing`). Databases are known from the
   * relations the warehouse described, so an empty warehouse reports nothing.
   */
  private reportMissingRelations(specs: readonly LocatedSpec[], groups: readonly (readonly LocatedSpec[])[], assets: readonly MutableAsset[]): void {
    const warehouses = new Map<string, string>();
    for (const { spec, locationName } of specs) {
      if (spec.describesOnly === true && spec.relation) warehouses.set((spec.relation.database ?? "").toLowerCase(), locationName);
    }
    if (warehouses.size === 0) return;
    groups.forEach((group, index) => {
      const asset = assets[index]!;
      if (!asset.relation || describingSpec(group, asset.relation) !== null) return;
      const warehouse = warehouses.get((asset.relation.database ?? "").toLowerCase());
      if (warehouse === undefined) return;
      const lead = group.find((s) => s.spec.describesOnly !== true)!;
      const tool = asset.materializer?.tool ?? null;
      const what = tool === null ? "source table missing" : tool === "dbt" ? "model never built" : `never landed by ${tool}`;
      this.diagnostics.push({
        severity: "warning",
        code: "relation_missing",
        message: `${asset.id}: ${relationFullName(asset.relation)} is not in warehouse "${warehouse}" (${what})`,
        locationName: warehouse,
        assetKey: asset.key,
        nodeId: lead.spec.dbtUniqueId,
        at: lead.spec.definedIn,
      });
    });
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
}
