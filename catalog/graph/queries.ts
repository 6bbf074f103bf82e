/**
 * The built graph and what it answers: lookups, lineage, impact, search with filters and orders, facets.
 */
import type { Diagnostic } from "../model/index.ts";
import { keyToString, peekColumns } from "../model/index.ts";
import type { MutableAsset } from "./merge.ts";
import { unique } from "./merge.ts";
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
  LocationStatus,
} from "./types.ts";
import { AssetNotFoundError } from "./types.ts";
import { assetOrderValue, comparePositions, isKeyOrder } from "./order.ts";

export class ImmutableCatalogGraph implements CatalogGraph {
  readonly assets: readonly CatalogAsset[];
  private searchTextMade: string[] | null = null;
  private readonly order: number[];
  /** Node indexes sorted in each order asked for so far (by `FIELD:DIRECTION`); the key order is `order`. */
  private readonly views = new Map<string, readonly number[]>();
  /** Per node index, its lineage edges once made (see {@link lineage}). */
  private readonly upstreamEdges: (readonly LineageEdge[] | undefined)[] = [];
  private readonly downstreamEdges: (readonly LineageEdge[] | undefined)[] = [];

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
  }

  /**
   * The text search looks in, made on the first search: with a large manifest's columns still unmade
   * (catalog/model/lazy-columns.ts) it reads them without keeping them, so a search never makes the catalog
   * hold every column.
   */
  private get searchText(): readonly string[] {
    this.searchTextMade ??= this.nodes.map(searchableText);
    return this.searchTextMade;
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

  /**
   * Breadth-first, upstream then downstream, as before: the nodes in the order they are reached (the asset first)
   * and, for each node expanded, the edges to its neighbours in index order. Marks live in one byte array per
   * walk and the edges are the graph's own objects (one per graph edge, made the first time a node is expanded),
   * so a closure of thousands of nodes allocates its two arrays and little else.
   */
  lineage(id: string, direction: LineageDirection, depth?: number | null): LineageResult {
    const start = this.indexOf(id);
    const limit = depth === null || depth === undefined ? Number.POSITIVE_INFINITY : depth;
    const included = new Uint8Array(this.nodes.length);
    included[start] = 1;
    const nodes: CatalogAsset[] = [this.nodes[start]!];
    const edges: LineageEdge[] = [];
    const walk = (neighbours: number[][], upstreamWalk: boolean): void => {
      const seen = new Uint8Array(this.nodes.length);
      seen[start] = 1;
      let frontier = [start];
      for (let level = 0; level < limit && frontier.length > 0; level++) {
        const next: number[] = [];
        for (const index of frontier) {
          const around = neighbours[index]!;
          const aroundEdges = upstreamWalk ? this.upstreamEdgesOf(index) : this.downstreamEdgesOf(index);
          for (let k = 0; k < around.length; k++) {
            const neighbour = around[k]!;
            edges.push(aroundEdges[k]!);
            if (seen[neighbour] === 0) {
              seen[neighbour] = 1;
              next.push(neighbour);
              if (included[neighbour] === 0) {
                included[neighbour] = 1;
                nodes.push(this.nodes[neighbour]!);
              }
            }
          }
        }
        frontier = next;
      }
    };
    if (direction !== "DOWNSTREAM") walk(this.upstreamIndex, true);
    if (direction !== "UPSTREAM") walk(this.downstreamIndex, false);
    return { nodes, edges };
  }

  /** The edges from a node's upstream neighbours to it, in `upstreamIndex` order; shared with the neighbours' downstream edges. */
  private upstreamEdgesOf(index: number): readonly LineageEdge[] {
    let made = this.upstreamEdges[index];
    if (made === undefined) {
      const to = this.nodes[index]!.id;
      made = this.upstreamIndex[index]!.map((from) => ({ from: this.nodes[from]!.id, to }));
      this.upstreamEdges[index] = made;
    }
    return made;
  }

  /** The edges from a node to its downstream neighbours, in `downstreamIndex` order. */
  private downstreamEdgesOf(index: number): readonly LineageEdge[] {
    let made = this.downstreamEdges[index];
    if (made === undefined) {
      const from = this.nodes[index]!.id;
      made = this.downstreamIndex[index]!.map((to) => this.upstreamEdgesOf(to)[this.upstreamIndex[to]!.indexOf(index)] ?? { from, to: this.nodes[to]!.id });
      this.downstreamEdges[index] = made;
    }
    return made;
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
    ...peekColumns(asset).flatMap((c) => [c.name, c.description ?? ""]),
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

