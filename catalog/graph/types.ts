import type {
  AssetKey,
  AssetSpec,
  CheckSpec,
  ColumnSpec,
  Diagnostic,
  LocationDefinitions,
  LocationRef,
  MaterializerRef,
  PartitionsDefinition,
  PolicySpec,
  Relation,
  SourceFreshness,
  TableStats,
} from "../model/index.ts";

/** One node of the unified graph: an asset as all locations together describe it. */
export interface CatalogAsset {
  readonly key: AssetKey;
  /** `keyToString(key)`, the id used everywhere outside the model. */
  readonly id: string;
  /** Other keys that name this asset (a dbt source key joined by relation to a Fivetran table). */
  readonly aliasIds: readonly string[];
  readonly relation: Relation | null;
  readonly kinds: readonly string[];
  readonly group: string | null;
  readonly owners: readonly string[];
  readonly tags: readonly string[];
  readonly description: string | null;
  readonly columns: readonly ColumnSpec[];
  /** What the warehouse says about the table (from the first spec that knows). */
  readonly tableStats: TableStats | null;
  /** Its freshness as last checked (from the first spec that knows). */
  readonly freshness: SourceFreshness | null;
  readonly checks: readonly CheckSpec[];
  readonly policy: PolicySpec | null;
  /** Its time partitions (from the first spec that declares them); null: unpartitioned. */
  readonly partitions: PartitionsDefinition | null;
  readonly codeVersion: string | null;
  readonly dbtUniqueId: string | null;
  /** The tool that builds it; null when nothing in the catalog builds it. */
  readonly materializer: MaterializerRef | null;
  /** Tools that read it without building it (e.g. "dbt" for a dbt source fed by Fivetran). */
  readonly readBy: readonly string[];
  /** Names of the locations that declare it. */
  readonly locationNames: readonly string[];
  /** Every spec that was merged into this asset, in location order. */
  readonly specs: readonly AssetSpec[];
  /** Direct neighbours, as ids, sorted. */
  readonly upstreamIds: readonly string[];
  readonly downstreamIds: readonly string[];
  /** Diagnostics that concern this asset (invalid policy, dangling source…). */
  readonly diagnostics: readonly Diagnostic[];
  readonly metadata: Readonly<Record<string, unknown>>;
}

export type LineageDirection = "UPSTREAM" | "DOWNSTREAM" | "BOTH";

export interface LineageEdge {
  /** Upstream asset id. */
  readonly from: string;
  /** Downstream asset id. */
  readonly to: string;
}

export interface LineageResult {
  /** Includes the asset itself. */
  readonly nodes: readonly CatalogAsset[];
  readonly edges: readonly LineageEdge[];
}

export interface ImpactResult {
  /** Every asset downstream (transitively), excluding the asset itself. */
  readonly assets: readonly CatalogAsset[];
  /** Count of downstream assets by kind (an asset with several kinds counts once per kind). */
  readonly countByKind: Readonly<Record<string, number>>;
}

/** Filters for catalog search; every list filter is OR within itself and AND across filters. */
export interface AssetQuery {
  /** Full-text: matches key, description, column names, tags (case-insensitive, all words must match). */
  readonly search?: string | null;
  readonly kinds?: readonly string[] | null;
  readonly groups?: readonly string[] | null;
  readonly owners?: readonly string[] | null;
  readonly tags?: readonly string[] | null;
  readonly locations?: readonly string[] | null;
  readonly hasPolicy?: boolean | null;
}

/**
 * What the catalog can be sorted by: the key, the group, the tool that builds an asset, its number of direct
 * upstream or downstream neighbours, or whether it has a policy (false before true in ascending order).
 */
export type AssetOrderField = "KEY" | "GROUP" | "TOOL" | "UPSTREAM_COUNT" | "DOWNSTREAM_COUNT" | "HAS_POLICY";

export type OrderDirection = "ASC" | "DESC";

/**
 * An order of the catalog. Ties are broken by id in the same direction, so every order is total; assets without
 * a value (no group, nothing builds them) come last in both directions.
 */
export interface AssetOrder {
  readonly field: AssetOrderField;
  readonly direction: OrderDirection;
}

/** An asset's place in an order: its value for the order's field, and its id. */
export interface OrderPosition {
  readonly value: string | number | null;
  readonly id: string;
}

/** A facet value with the number of matching assets. */
export interface FacetCount {
  readonly value: string;
  readonly count: number;
}

export interface AssetFacets {
  readonly kinds: readonly FacetCount[];
  readonly groups: readonly FacetCount[];
  readonly owners: readonly FacetCount[];
  readonly tags: readonly FacetCount[];
  readonly locations: readonly FacetCount[];
}

/** How one location fared in the load that built this graph. */
export interface LocationStatus {
  readonly location: LocationRef;
  readonly state: "loaded" | "failed";
  readonly loadedAt: string | null;
  readonly loadDurationMs: number | null;
  readonly assetCount: number;
  /** Set when the latest load failed; the location then serves its last good definitions, if any. */
  readonly error: { readonly code: string; readonly message: string; readonly at: string } | null;
}

/** A location whose latest load failed: its error, and the last good definitions it still serves (if any). */
export interface LocationFailure {
  readonly location: LocationRef;
  readonly error: { readonly code: string; readonly message: string; readonly at: string };
  readonly lastGood: LocationDefinitions | null;
}

/** The unified, immutable asset graph. A reload builds a new one and swaps it in. */
export interface CatalogGraph {
  /** Every asset, sorted by id. */
  readonly assets: readonly CatalogAsset[];
  readonly diagnostics: readonly Diagnostic[];
  readonly locations: readonly LocationStatus[];
  readonly builtAt: string;
  /**
   * A digest of everything the graph was built from — each served location's stored definitions content hash
   * (catalog/store/snapshot-codec.ts), in order, and the policy rules — or null/absent when some location's hash
   * was not given. Equal digests mean equal assets, deps, policies and partitions: what is computed from the
   * graph alone (the scheduler's evaluation plan) can be kept under it across processes.
   */
  readonly definitionsDigest?: string | null;
  /** Looks an asset up by id or alias id. */
  get(id: string): CatalogAsset | undefined;
  upstream(id: string): readonly CatalogAsset[];
  downstream(id: string): readonly CatalogAsset[];
  /** `depth` undefined or null means the whole closure. Throws {@link AssetNotFoundError} for an unknown id. */
  lineage(id: string, direction: LineageDirection, depth?: number | null): LineageResult;
  impact(id: string): ImpactResult;
  /**
   * Matching assets, sorted by id, or in `order` (see {@link AssetOrder}). Each order's sorted view is computed
   * once per graph, so paging through it costs one filtering pass per request.
   */
  search(query: AssetQuery, order?: AssetOrder | null): readonly CatalogAsset[];
  /** Counts per facet value over the assets matching `query`. */
  facets(query: AssetQuery): AssetFacets;
}

/** An asset id that is not in the catalog. */
export class AssetNotFoundError extends Error {
  override readonly name = "AssetNotFoundError";
  readonly code = "ASSET_NOT_FOUND";
  constructor(readonly assetId: string) {
    super(`No asset with key "${assetId}"`);
  }
}
