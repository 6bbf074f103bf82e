/**
 * Evaluates a parsed selection over the catalog graph, as dbt-core 1.11 evaluates it over its manifest graph
 * (dbt/graph/selector_methods.py, graph.py): each criterion's method picks assets, its graph operators add
 * ancestors / descendants, intersections and unions combine, and the exclusion is taken away last.
 *
 * What differs, on purpose (README, design notes):
 * - The graph is Tributary's unified one: `+orders` reaches the Fivetran table behind a dbt source (the same
 *   asset), `orders+` the Census syncs that read it. On a dbt-only catalog the result is dbt's.
 * - Only assets are selected (models, seeds, snapshots, sources, exposures; not tests, metrics, ephemeral
 *   models), so depths count assets: `orders+1` passes through an ephemeral model as dagster-dbt's graph does.
 * - `key:<glob>` (Tributary's own) selects any asset by key glob (`key:fivetran_log/*`, `key:**`): how Fivetran
 *   tables and Census syncs are selected.
 */
import type { CatalogAsset, CatalogGraph } from "../graph/index.ts";
import type { AssetSpec, CheckSpec } from "../model/index.ts";
import { keyToString, matchesKeyGlob } from "../model/index.ts";
import { fnmatch, hasWildcard, pathGlobMatches, splitPath } from "./fnmatch.ts";
import type { ParsedSelection, SelectionCriterion, SelectionUnion } from "./parse.ts";

/** What a selection picked. */
export interface SelectionResult {
  /** The selected asset ids, sorted. */
  readonly assetIds: readonly string[];
  /** Criteria (as written) that matched no asset by their method, before graph operators: likely typos. */
  readonly unmatched: readonly string[];
}

/** The dbt node behind an asset, read from the dbt connector's tool state (`dbt/…` metadata keys). */
interface DbtFacet {
  readonly uniqueId: string;
  readonly resourceType: string | null;
  readonly fqn: readonly string[] | null;
  readonly packageName: string | null;
  readonly materialized: string | null;
  readonly sourceName: string | null;
  readonly originalFilePath: string | null;
  readonly patchPath: string | null;
  readonly access: string | null;
  readonly version: string | number | null;
  readonly latestVersion: string | number | null;
}

/** Per-graph indexes, built on first use (a graph is immutable). */
interface GraphIndex {
  readonly dbt: ReadonlyMap<string, DbtFacet>;
  /** Checks that read an asset (attached to it or reading it through additionalDeps), by asset id. */
  readonly checksReading: ReadonlyMap<string, readonly CheckSpec[]>;
}

const indexes = new WeakMap<CatalogGraph, GraphIndex>();

function indexOf(graph: CatalogGraph): GraphIndex {
  let index = indexes.get(graph);
  if (index) return index;
  const dbt = new Map<string, DbtFacet>();
  const checksReading = new Map<string, CheckSpec[]>();
  const addCheck = (assetId: string | undefined, check: CheckSpec) => {
    if (assetId === undefined) return;
    const list = checksReading.get(assetId);
    if (list) list.push(check);
    else checksReading.set(assetId, [check]);
  };
  for (const asset of graph.assets) {
    const spec = asset.specs.find((s) => s.dbtUniqueId !== null && s.dbtUniqueId !== undefined);
    if (spec) dbt.set(asset.id, dbtFacet(spec));
    for (const check of asset.checks) {
      addCheck(asset.id, check);
      for (const dep of check.additionalDeps) addCheck(graph.get(keyToString(dep))?.id, check);
    }
  }
  index = { dbt, checksReading };
  indexes.set(graph, index);
  return index;
}

function dbtFacet(spec: AssetSpec): DbtFacet {
  const m = spec.metadata;
  const text = (key: string) => (typeof m[`dbt/${key}`] === "string" ? (m[`dbt/${key}`] as string) : null);
  const fqn = m["dbt/fqn"];
  const version = m["dbt/version"];
  const latest = m["dbt/latest_version"];
  return {
    uniqueId: spec.dbtUniqueId!,
    resourceType: text("resource_type"),
    fqn: Array.isArray(fqn) && fqn.every((p) => typeof p === "string") ? (fqn as string[]) : null,
    packageName: text("package"),
    materialized: text("materialized"),
    sourceName: text("source_name"),
    originalFilePath: text("original_file_path"),
    patchPath: text("patch_path"),
    access: text("access"),
    version: typeof version === "string" || typeof version === "number" ? version : null,
    latestVersion: typeof latest === "string" || typeof latest === "number" ? latest : null,
  };
}

/** dbt's `is_selected_node`: does an fqn match a dotted selector (with wildcards)? */
function fqnMatches(fqn: readonly string[], selector: string, versioned: boolean): boolean {
  if (versioned) {
    if (fqn[fqn.length - 2] === selector) return true;
    const flatSelector = selector.split(".");
    if (fqn.slice(-2).join("_") === flatSelector.slice(-2).join("_")) return true;
  } else if (fqn[fqn.length - 1] === selector) return true;
  const flat = fqn.flatMap((segment) => segment.split("."));
  const parts = selector.split(".");
  if (flat.length < parts.length) return false;
  let slurpFrom: number | null = null;
  for (let i = 0; i < parts.length; i++) {
    if (hasWildcard(parts[i]!)) {
      slurpFrom = i;
      break;
    }
    if (flat[i] !== parts[i]) return false;
  }
  if (slurpFrom !== null) {
    if (fnmatch(flat.slice(slurpFrom).join("."), parts.slice(slurpFrom).join("."))) return true;
    if (!selector.includes(".")) return fnmatch(versioned ? fqn[fqn.length - 2]! : fqn[fqn.length - 1]!, selector);
    return false;
  }
  return true;
}

function compareVersions(a: string | number, b: string | number): number {
  const na = Number(a);
  const nb = Number(b);
  if (!Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

/** Does the criterion's method (without graph operators) pick this asset? */
function methodMatches(criterion: SelectionCriterion, asset: CatalogAsset, facet: DbtFacet | undefined): boolean {
  const value = criterion.value;
  switch (criterion.method) {
    case "key":
      return matchesKeyGlob(asset.id, value) || asset.aliasIds.some((alias) => matchesKeyGlob(alias, value));
    case "tag":
      return asset.tags.some((tag) => fnmatch(tag, value));
    default:
      break;
  }
  if (!facet) return false;
  switch (criterion.method) {
    case "fqn": {
      // dbt: every node but sources, matched with and without its package.
      if (facet.resourceType === "source" || !facet.fqn || facet.fqn.length === 0) return false;
      const versioned = facet.version !== null;
      return fqnMatches(facet.fqn, value, versioned) || (facet.fqn.length > 1 && fqnMatches(facet.fqn.slice(1), value, versioned));
    }
    case "package":
      return facet.packageName !== null && fnmatch(facet.packageName, value);
    case "resource_type":
      return facet.resourceType === value;
    case "config":
      // Sources have no materialization; dbt compares the value as written (true/false aside).
      return facet.materialized !== null && facet.materialized === value;
    case "source": {
      if (facet.resourceType !== "source" || !facet.fqn) return false;
      const parts = value.split(".");
      const [pkg, source, table] = parts.length === 1 ? ["*", parts[0]!, "*"] : parts.length === 2 ? ["*", parts[0]!, parts[1]!] : [parts[0]!, parts[1]!, parts[2]!];
      const name = facet.fqn[facet.fqn.length - 1] ?? "";
      return fnmatch(facet.packageName ?? "", pkg) && fnmatch(facet.sourceName ?? "", source) && fnmatch(name, table);
    }
    case "exposure": {
      if (facet.resourceType !== "exposure") return false;
      const parts = value.split(".");
      const [pkg, name] = parts.length === 1 ? ["*", parts[0]!] : [parts[0]!, parts[1]!];
      return fnmatch(facet.packageName ?? "", pkg) && fnmatch(asset.key[asset.key.length - 1] ?? "", name);
    }
    case "access":
      return facet.resourceType === "model" && facet.access === value;
    case "version": {
      if (facet.resourceType !== "model") return false;
      const { version, latestVersion } = facet;
      if (value === "none") return version === null;
      if (value === "latest") return version !== null && latestVersion !== null && String(version) === String(latestVersion);
      if (version === null || latestVersion === null) return false;
      if (value === "prerelease") return compareVersions(version, latestVersion) > 0;
      if (value === "old") return compareVersions(version, latestVersion) < 0;
      return false;
    }
    case "file": {
      if (!facet.originalFilePath) return false;
      const base = facet.originalFilePath.split("/").pop() ?? "";
      const stem = base.includes(".") ? base.slice(0, base.lastIndexOf(".")) : base;
      return fnmatch(base, value) || fnmatch(stem, value);
    }
    case "path": {
      // dbt globs the pattern under the project root and matches the node's file, its YAML patch, or any
      // folder the file is in.
      const pattern = splitPath(value).join("/");
      if (facet.patchPath && pathGlobMatches(facet.patchPath, pattern)) return true;
      if (!facet.originalFilePath) return false;
      const parts = splitPath(facet.originalFilePath);
      for (let end = parts.length; end >= 1; end--) {
        if (pathGlobMatches(parts.slice(0, end).join("/"), pattern)) return true;
      }
      return false;
    }
    default:
      return false;
  }
}

/** Ancestors (direction "up") or descendants of `start`, up to `depth` generations, not counting `start` itself unless reached. */
function neighbours(graph: CatalogGraph, start: ReadonlySet<string>, direction: "up" | "down", depth: number): Set<string> {
  const found = new Set<string>();
  let layer = [...start];
  for (let generation = 0; layer.length > 0 && generation < depth; generation++) {
    const next: string[] = [];
    for (const id of layer) {
      const asset = graph.get(id);
      if (!asset) continue;
      for (const neighbour of direction === "up" ? asset.upstreamIds : asset.downstreamIds) {
        if (found.has(neighbour)) continue;
        found.add(neighbour);
        next.push(neighbour);
      }
    }
    layer = next;
  }
  return found;
}

/**
 * `@x`: dbt takes x's descendants — tests among them — and the ancestors of all of them; a test's ancestors are
 * every asset it reads (a relationships test on a descendant brings in the table it refers to).
 */
function childrensParents(graph: CatalogGraph, index: GraphIndex, selected: ReadonlySet<string>): Set<string> {
  const descendants = new Set([...selected, ...neighbours(graph, selected, "down", Number.POSITIVE_INFINITY)]);
  const seeds = new Set(descendants);
  for (const id of descendants) {
    for (const check of index.checksReading.get(id) ?? []) {
      for (const key of [check.assetKey, ...check.additionalDeps]) {
        const asset = graph.get(keyToString(key));
        if (asset) seeds.add(asset.id);
      }
    }
  }
  return new Set([...seeds, ...neighbours(graph, seeds, "up", Number.POSITIVE_INFINITY)]);
}

function evaluateCriterion(graph: CatalogGraph, index: GraphIndex, criterion: SelectionCriterion, unmatched: string[]): Set<string> {
  const direct = new Set<string>();
  for (const asset of graph.assets) {
    if (methodMatches(criterion, asset, index.dbt.get(asset.id))) direct.add(asset.id);
  }
  if (direct.size === 0) unmatched.push(criterion.raw);
  const result = new Set(direct);
  if (criterion.childrensParents) for (const id of childrensParents(graph, index, direct)) result.add(id);
  if (criterion.parentsDepth !== null) for (const id of neighbours(graph, direct, "up", criterion.parentsDepth)) result.add(id);
  if (criterion.childrenDepth !== null) for (const id of neighbours(graph, direct, "down", criterion.childrenDepth)) result.add(id);
  return result;
}

function evaluateUnion(graph: CatalogGraph, index: GraphIndex, union: SelectionUnion, unmatched: string[]): Set<string> {
  const result = new Set<string>();
  for (const intersection of union) {
    const [first, ...rest] = intersection.map((criterion) => evaluateCriterion(graph, index, criterion, unmatched));
    for (const id of first ?? []) if (rest.every((picked) => picked.has(id))) result.add(id);
  }
  return result;
}

/** The assets a parsed selection picks from the graph. */
export function selectAssets(graph: CatalogGraph, selection: ParsedSelection): SelectionResult {
  const index = indexOf(graph);
  const unmatched: string[] = [];
  const selected = evaluateUnion(graph, index, selection.select, unmatched);
  const excluded = evaluateUnion(graph, index, selection.exclude, unmatched);
  const assetIds = [...selected].filter((id) => !excluded.has(id)).sort();
  return { assetIds, unmatched: [...new Set(unmatched)] };
}
