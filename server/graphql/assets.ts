/**
 * The asset catalog: `Query.assets` (search, filters, cursor pagination), `Query.asset`, `Query.facets`, and the
 * `Asset` type with its columns, checks, policy, neighbours and impact. Resolvers only translate between the
 * schema and {@link CatalogGraph}; the graph does the work.
 */
import { facetsOf, comparePositions, isKeyOrder, orderPosition } from "../../catalog/graph/index.ts";
import { assetStatus, requestState, withRequestState } from "./status.ts";
import type { AssetStatus } from "./status.ts";
import type { AssetFacets, AssetOrder, AssetQuery, CatalogAsset, CatalogGraph, FacetCount } from "../../catalog/graph/index.ts";
import type { CheckSpec, ColumnSpec, PolicySpec, Relation, SourceLocation } from "../../catalog/model/index.ts";
import { keyFromString, keyToString, relationFullName, policyLabel } from "../../catalog/model/index.ts";
import { requireGraph, type GraphQLContext } from "./context.ts";
import { assetNotFound, badUserInput, queryLimitExceeded } from "./errors.ts";
import type { SchemaModule } from "./module.ts";
import { paginate, type CursorOrder, type Page } from "./pagination.ts";

const typeDefs = /* GraphQL */ `
  type Query {
    """
    The catalog, filtered and paginated. Every list filter matches any of its values; filters combine with AND.
    Assets come sorted by key unless orderBy says otherwise.
    """
    assets(
      "Words that must all appear in the key, description, column names or tags (case-insensitive); at most 200 characters and 10 distinct words."
      search: String
      kinds: [String!]
      groups: [String!]
      owners: [String!]
      tags: [String!]
      "Names of the locations that declare the asset."
      locations: [String!]
      "Only assets with (true) or without (false) a policy."
      hasPolicy: Boolean
      "Only assets in these states (from the runs and events Tributary recorded)."
      statuses: [AssetStatus!]
      "Page size: 50 when omitted, at most 500."
      first: Int
      "The endCursor of the previous page. A cursor is valid only with the orderBy it was issued for."
      after: String
      "The order of the pages; ties are broken by key in the same direction."
      orderBy: AssetOrder = { field: KEY, direction: ASC }
    ): AssetConnection!

    "One asset by key (a/b/c). Null, with an ASSET_NOT_FOUND error, when no asset has that key."
    asset(key: String!): Asset

    "How many assets matching the filters fall under each kind, group, owner, tag and location."
    facets(
      search: String
      kinds: [String!]
      groups: [String!]
      owners: [String!]
      tags: [String!]
      locations: [String!]
      hasPolicy: Boolean
      statuses: [AssetStatus!]
    ): AssetFacets!
  }

  "What the catalog can be sorted by."
  enum AssetOrderField {
    "The key (a/b/c), by UTF-16 code units."
    KEY
    "The group; assets without a group come last in both directions."
    GROUP
    "The tool that builds the asset (materializedBy.tool); assets nothing builds come last in both directions."
    TOOL
    "Number of direct upstream neighbours."
    UPSTREAM_COUNT
    "Number of direct downstream neighbours."
    DOWNSTREAM_COUNT
    "Whether the asset has a policy: ASC puts assets without one first."
    HAS_POLICY
  }

  enum OrderDirection {
    ASC
    DESC
  }

  "An order of Query.assets."
  input AssetOrder {
    field: AssetOrderField! = KEY
    direction: OrderDirection! = ASC
  }

  "A page of assets."
  type AssetConnection {
    "Number of assets matching the filters, over all pages."
    totalCount: Int!
    nodes: [Asset!]!
    edges: [AssetEdge!]!
    pageInfo: PageInfo!
  }

  type AssetEdge {
    cursor: String!
    node: Asset!
  }

  type PageInfo {
    hasNextPage: Boolean!
    "Pass as after to get the next page; null on an empty page."
    endCursor: String
  }

  "A table (or synced object) one of the tools produces, as all locations together describe it."
  type Asset {
    "The key as a/b/c (a slash inside a part is written \\\\/)."
    key: String!
    "The same as key; for clients that normalise objects by id."
    id: ID!
    "The parts of the key."
    keyPath: [String!]!
    "Other keys that name the same asset (a dbt source joined by relation to a Fivetran table); asset(key:) accepts them too."
    aliases: [String!]!
    "Technologies involved, e.g. dbt, duckdb, fivetran, census."
    kinds: [String!]!
    group: String
    owners: [String!]!
    tags: [String!]!
    description: String
    "dbt's unique_id when the asset comes from dbt."
    dbtUniqueId: String
    "Where it lives in the warehouse, named as the warehouse names it."
    relation: Relation
    "Direct upstream neighbours."
    upstream: [Asset!]!
    "Direct downstream neighbours."
    downstream: [Asset!]!
    columns: [Column!]!
    "What the warehouse says about the table (dbt's catalog.json, when the location has one); null when unknown."
    tableStats: TableStats
    "A source table's freshness as last checked (dbt's sources.json, when the location has one); null when unknown."
    freshness: SourceFreshness
    checks: [Check!]!
    "When the asset should be materialized, as declared; null when it has no policy."
    policy: Policy
    "The tool that builds it; null when nothing in the catalog builds it (e.g. a dbt source nothing feeds)."
    materializedBy: Materializer
    "Tools that read it without building it."
    readBy: [String!]!
    "Names of the locations that declare it."
    locations: [String!]!
    codeVersion: String
    "Where it is declared in the user's files."
    definedIn: SourceLocation
    "Problems found while loading that concern this asset."
    diagnostics: [Diagnostic!]!
    "Everything downstream of it, transitively: what breaks if it is dropped."
    impact: Impact!
    "Tool-specific facts (materialization type, connector state…)."
    metadata: JSON!
  }

  "A warehouse relation."
  type Relation {
    database: String
    schema: String!
    name: String!
    "database.schema.name, or schema.name without a database."
    fullName: String!
  }

  "What the warehouse says about a table. Row count and bytes only where the warehouse reports them."
  type TableStats {
    "Where the figures come from, e.g. dbt catalog.json."
    source: String!
    "When they were collected."
    collectedAt: String
    "As the warehouse names it: BASE TABLE, VIEW…"
    tableType: String
    owner: String
    "Rows (a Float: counts beyond 2^31 are common)."
    rowCount: Float
    bytes: Float
    "As the warehouse reports it."
    lastModified: String
    "Every statistic as reported."
    entries: [TableStatEntry!]!
  }

  "A source table's freshness as last checked: the newest row's load time against the source's policy."
  type SourceFreshness {
    "Where it comes from, e.g. dbt sources.json."
    source: String!
    "As dbt reports it: pass, warn, error or runtime error."
    status: String!
    "When the newest row was loaded."
    maxLoadedAt: String
    "When it was checked."
    checkedAt: String
    "The newest row's age when checked, in seconds."
    ageSeconds: Float
    "The policy, e.g. 12 hours."
    warnAfter: String
    errorAfter: String
    filter: String
    "Why the check failed."
    error: String
  }

  type TableStatEntry {
    label: String!
    value: String
    description: String
  }

  type Column {
    name: String!
    "The type as the warehouse reports it, when known."
    type: String
    description: String
    tags: [String!]!
    "Checks that test this column."
    checks: [Check!]!
  }

  "A test of an asset's data (a dbt test becomes one)."
  type Check {
    name: String!
    "Key of the asset the check is attached to."
    assetKey: String!
    description: String
    "True when a failure blocks downstream work (dbt severity error)."
    blocking: Boolean!
    "Keys of other assets the check reads (the to table of a relationships test)."
    additionalDeps: [String!]!
    "The column the check tests, when it tests one."
    columnName: String
    "The tool's own id of the test (dbt unique_id)."
    sourceId: String
    metadata: JSON!
  }

  enum PolicySource {
    "meta.dagster.auto_materialize_policy"
    AUTO_MATERIALIZE_POLICY
    "meta.dagster.automation_condition"
    AUTOMATION_CONDITION
  }

  enum PolicyType {
    EAGER
    LAZY
    ON_CRON
    ON_MISSING
  }

  "A policy as the user declared it."
  type Policy {
    source: PolicySource!
    "The named policy; null for an automation condition."
    type: PolicyType
    "A readable sentence: eager, on_cron 0 6 * * * (Europe/Copenhagen), automation condition and(…)."
    label: String!
    cronSchedule: String
    cronTimezone: String
    "The condition tree as declared, for automation conditions."
    condition: JSON
    declaredIn: SourceLocation
  }

  "Which tool builds an asset and how its runs are addressed."
  type Materializer {
    "dbt, fivetran or census."
    tool: String!
    "The location that launches it."
    location: String!
    "The tool's own id of what runs (dbt unique_id, Fivetran connector id, Census sync id)."
    runTargetId: String!
  }

  "Everything downstream of an asset."
  type Impact {
    "Number of downstream assets, excluding the asset itself."
    count: Int!
    "Downstream assets per kind, most first (an asset with several kinds counts once per kind)."
    countByKind: [KindCount!]!
    assets: [Asset!]!
  }

  type KindCount {
    kind: String!
    count: Int!
  }

  "An asset's state, from the runs and events Tributary recorded."
  enum AssetStatus {
    "Materialized, and nothing upstream was materialized since."
    FRESH
    "A direct upstream asset was materialized after it."
    STALE
    "Its latest attempt failed (after its latest materialization)."
    FAILED
    "A run in progress targets it."
    RUNNING
    "Never materialized (or, for a source, never observed) as far as Tributary knows."
    NEVER_MATERIALIZED
  }

  extend type Asset {
    status: AssetStatus!
  }

  "Facet values, most frequent first."
  type AssetFacets {
    "Counted with every filter except statuses (as each facet)."
    statuses: [FacetCount!]!
    kinds: [FacetCount!]!
    groups: [FacetCount!]!
    owners: [FacetCount!]!
    tags: [FacetCount!]!
    locations: [FacetCount!]!
  }

  type FacetCount {
    value: String!
    count: Int!
  }
`;

interface FilterArguments {
  readonly search?: string | null;
  readonly kinds?: readonly string[] | null;
  readonly groups?: readonly string[] | null;
  readonly owners?: readonly string[] | null;
  readonly tags?: readonly string[] | null;
  readonly locations?: readonly string[] | null;
  readonly hasPolicy?: boolean | null;
  readonly statuses?: readonly AssetStatus[] | null;
}

/** The facets of a query, with the assets they count (for the status counts, resolved on demand). */
type FacetsResult = AssetFacets & { readonly matching: readonly CatalogAsset[] };

interface AssetsArguments extends FilterArguments {
  readonly first?: number | null;
  readonly after?: string | null;
  readonly orderBy?: AssetOrder | null;
}

/** How cursors follow an order other than by key; null for the key order (plain id cursors, as before orderBy). */
function cursorOrder(order: AssetOrder | null | undefined): CursorOrder<CatalogAsset> | null {
  if (order === null || order === undefined || isKeyOrder(order)) return null;
  return {
    name: `${order.field}:${order.direction}`,
    defaultName: "KEY:ASC",
    valueType: order.field === "KEY" || order.field === "GROUP" || order.field === "TOOL" ? "string" : "number",
    position: (asset) => orderPosition(asset, order),
    compare: (a, b) => comparePositions(order, a, b),
  };
}

/** Longest `search` accepted, in characters: a search is a few words typed into a box. */
export const MAX_SEARCH_LENGTH = 200;
/** Most distinct words in one `search`: each is looked for in every asset's text. */
export const MAX_SEARCH_TERMS = 10;
/**
 * Most different searches one request may run (`assets` and `facets` fields asking for different words or
 * filters); the same search asked again in one request (aliases) is run once. With the two limits above, a
 * request's search work is bounded, and each search runs in its own turn of the event loop, so no request
 * holds the server for more than one search (a few milliseconds at 10k assets). The catalog UI's facet card
 * asks 8 in one request.
 */
export const MAX_SEARCHES_PER_REQUEST = 16;

/** The filters as the graph takes them; a blank search means no search. A search beyond the limits is BAD_USER_INPUT. */
function toAssetQuery(args: FilterArguments): AssetQuery {
  const raw = args.search ?? "";
  if (raw.length > MAX_SEARCH_LENGTH) {
    throw badUserInput(`search is ${raw.length} characters long; at most ${MAX_SEARCH_LENGTH} are allowed`, "search");
  }
  const words = [...new Set(raw.toLowerCase().split(/\s+/).filter(Boolean))];
  if (words.length > MAX_SEARCH_TERMS) {
    throw badUserInput(`search has ${words.length} different words; at most ${MAX_SEARCH_TERMS} are allowed`, "search");
  }
  return {
    search: words.length === 0 ? null : words.join(" "),
    kinds: args.kinds ?? null,
    groups: args.groups ?? null,
    owners: args.owners ?? null,
    tags: args.tags ?? null,
    locations: args.locations ?? null,
    hasPolicy: args.hasPolicy ?? null,
  };
}

/**
 * The catalog id for a key as a client typed it. Re-serializing the parsed key makes `a/b` and equivalent
 * escapings name the same asset.
 */
export function assetIdFromKey(key: string, argumentName = "key"): string {
  if (key === "") throw badUserInput("An asset key must not be empty", argumentName);
  return keyToString(keyFromString(key));
}

/** The asset with a key, or `ASSET_NOT_FOUND`. */
export function findAsset(graph: CatalogGraph, key: string): CatalogAsset {
  const asset = graph.get(assetIdFromKey(key));
  if (asset === undefined) throw assetNotFound(key);
  return asset;
}

/** The searches a request has run, by query and order: aliases asking the same search share one run. */
const searchesByRequest = new WeakMap<GraphQLContext, Map<string, { graph: CatalogGraph; result: Promise<readonly CatalogAsset[]> }>>();
/** The end of the latest piece of work each request queued with {@link inOwnTurn}. */
const lastTurnByRequest = new WeakMap<GraphQLContext, Promise<unknown>>();

/**
 * Runs `work` in a turn of the event loop of its own, after the request's previous such work: GraphQL calls
 * sibling resolvers in one synchronous loop, and immediates queued together run back to back, so thirty
 * aliases would otherwise work through while /healthz and other requests wait.
 */
function inOwnTurn<T>(context: GraphQLContext, work: () => T): Promise<T> {
  const previous = lastTurnByRequest.get(context) ?? Promise.resolve();
  const result = previous.then(
    () => new Promise<void>((resolve) => setImmediate(resolve)),
    () => new Promise<void>((resolve) => setImmediate(resolve)),
  ).then(work);
  lastTurnByRequest.set(context, result.catch(() => undefined));
  return result;
}

/**
 * `graph.search` for one request: run once per distinct query, at most {@link MAX_SEARCHES_PER_REQUEST}
 * distinct ones, each in its own turn of the event loop ({@link inOwnTurn}).
 */
function searchOnce(context: GraphQLContext, graph: CatalogGraph, query: AssetQuery, order: AssetOrder | null | undefined): Promise<readonly CatalogAsset[]> {
  let searches = searchesByRequest.get(context);
  if (searches === undefined) searchesByRequest.set(context, (searches = new Map()));
  const key = JSON.stringify([query, order ?? null]);
  const known = searches.get(key);
  if (known !== undefined && known.graph === graph) return known.result;
  if (searches.size >= MAX_SEARCHES_PER_REQUEST) {
    throw queryLimitExceeded(
      "searches",
      MAX_SEARCHES_PER_REQUEST,
      `A request may run at most ${MAX_SEARCHES_PER_REQUEST} different searches (assets or facets with different search words or filters)`,
    );
  }
  const result = inOwnTurn(context, () => graph.search(query, order));
  searches.set(key, { graph, result });
  return result;
}

const resolvers = {
  Query: {
    assets: async (_root: unknown, args: AssetsArguments, context: GraphQLContext): Promise<Page<CatalogAsset>> => {
      const graph = requireGraph(context);
      let found = await searchOnce(context, graph, toAssetQuery(args), args.orderBy);
      if (args.statuses && args.statuses.length > 0) {
        const state = await requestState(context);
        const wanted = new Set(args.statuses);
        const unfiltered = found;
        found = await inOwnTurn(context, () => unfiltered.filter((asset) => wanted.has(assetStatus(asset, graph, state))));
      }
      return paginate(found, args, cursorOrder(args.orderBy));
    },
    asset: (_root: unknown, args: { key: string }, context: GraphQLContext): CatalogAsset =>
      findAsset(requireGraph(context), args.key),
    facets: async (_root: unknown, args: FilterArguments, context: GraphQLContext): Promise<FacetsResult> => {
      const graph = requireGraph(context);
      let matching = await searchOnce(context, graph, toAssetQuery(args), null);
      if (args.statuses && args.statuses.length > 0) {
        const state = await requestState(context);
        const wanted = new Set(args.statuses);
        matching = await inOwnTurn(context, () => matching.filter((asset) => wanted.has(assetStatus(asset, graph, state))));
      }
      const found = matching;
      return inOwnTurn(context, () => ({ ...facetsOf(found), matching: found }));
    },
  },
  AssetFacets: {
    // Run state is read only when a client asks for the status counts.
    statuses: async (facets: FacetsResult, _args: unknown, context: GraphQLContext): Promise<FacetCount[]> => {
      const graph = requireGraph(context);
      const state = await requestState(context);
      return inOwnTurn(context, () => {
        const counts = new Map<string, number>();
        for (const asset of facets.matching) {
          const status = assetStatus(asset, graph, state);
          counts.set(status, (counts.get(status) ?? 0) + 1);
        }
        return [...counts.entries()].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));
      });
    },
  },
  AssetConnection: {
    nodes: (page: Page<CatalogAsset>) => page.items,
    edges: (page: Page<CatalogAsset>) => page.items.map((asset) => ({ cursor: page.cursorOf(asset), node: asset })),
    pageInfo: (page: Page<CatalogAsset>) => ({ hasNextPage: page.hasNextPage, endCursor: page.endCursor }),
  },
  Asset: {
    status: (asset: CatalogAsset, _args: unknown, context: GraphQLContext): AssetStatus | Promise<AssetStatus> => {
      const graph = requireGraph(context);
      return withRequestState(context, (state) => assetStatus(asset, graph, state));
    },
    key: (asset: CatalogAsset) => asset.id,
    keyPath: (asset: CatalogAsset) => asset.key,
    aliases: (asset: CatalogAsset) => asset.aliasIds,
    upstream: (asset: CatalogAsset, _args: unknown, context: GraphQLContext) => requireGraph(context).upstream(asset.id),
    downstream: (asset: CatalogAsset, _args: unknown, context: GraphQLContext) =>
      requireGraph(context).downstream(asset.id),
    // Column checks are derived from the asset's checks so both views always agree.
    columns: (asset: CatalogAsset) =>
      asset.columns.map((column) => ({ column, asset, checks: asset.checks.filter((check) => check.columnName === column.name) })),
    materializedBy: (asset: CatalogAsset) =>
      asset.materializer === null
        ? null
        : { tool: asset.materializer.tool, location: asset.materializer.locationName, runTargetId: asset.materializer.runTargetId },
    locations: (asset: CatalogAsset) => asset.locationNames,
    // The first declaration that says where it is, in location order (the graph keeps specs in that order).
    definedIn: (asset: CatalogAsset): SourceLocation | null =>
      asset.specs.find((spec) => spec.definedIn !== null)?.definedIn ?? null,
    impact: (asset: CatalogAsset, _args: unknown, context: GraphQLContext) => {
      const impact = requireGraph(context).impact(asset.id);
      const countByKind = Object.entries(impact.countByKind)
        .map(([kind, count]) => ({ kind, count }))
        .sort((a, b) => b.count - a.count || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
      return { count: impact.assets.length, countByKind, assets: impact.assets };
    },
  },
  Relation: {
    fullName: (relation: Relation) => relationFullName(relation),
  },
  Column: {
    name: ({ column }: { column: ColumnSpec }) => column.name,
    type: ({ column }: { column: ColumnSpec }) => column.type,
    description: ({ column }: { column: ColumnSpec }) => column.description,
    tags: ({ column }: { column: ColumnSpec }) => column.tags,
    checks: ({ checks }: { checks: readonly CheckSpec[] }) => checks,
  },
  Check: {
    assetKey: (check: CheckSpec) => keyToString(check.assetKey),
    additionalDeps: (check: CheckSpec) => check.additionalDeps.map(keyToString),
  },
  PolicySource: { AUTO_MATERIALIZE_POLICY: "auto_materialize_policy", AUTOMATION_CONDITION: "automation_condition" },
  PolicyType: { EAGER: "eager", LAZY: "lazy", ON_CRON: "on_cron", ON_MISSING: "on_missing" },
  Policy: {
    type: (policy: PolicySpec) => (policy.source === "auto_materialize_policy" ? policy.type : null),
    label: (policy: PolicySpec) => policyLabel(policy),
    cronSchedule: (policy: PolicySpec) => (policy.source === "auto_materialize_policy" ? policy.cronSchedule : null),
    cronTimezone: (policy: PolicySpec) => (policy.source === "auto_materialize_policy" ? policy.cronTimezone : null),
    condition: (policy: PolicySpec) => (policy.source === "automation_condition" ? policy.condition : null),
    declaredIn: (policy: PolicySpec): SourceLocation | null => policy.declaredIn,
  },
};

/** The asset catalog module. */
export const assetsModule: SchemaModule = { typeDefs, resolvers };
