/** The GraphQL documents the data provider sends. Fragments keep list rows small and detail pages complete. */

export const ASSET_ROW = /* GraphQL */ `
  fragment AssetRow on Asset {
    key
    kinds
    group
    owners
    tags
    description
    relation { fullName }
    materializedBy { tool }
    policy { source type label }
  }
`;

const FILTER_PARAMETERS = `$search: String, $kinds: [String!], $groups: [String!], $owners: [String!], $tags: [String!], $locations: [String!], $hasPolicy: Boolean`;
const FILTER_ARGUMENTS = `search: $search, kinds: $kinds, groups: $groups, owners: $owners, tags: $tags, locations: $locations, hasPolicy: $hasPolicy`;

/** A page of the list; `ordered` adds `orderBy` (only servers that have it may get it). */
export function assetPageQuery(ordered: boolean): string {
  return /* GraphQL */ `
  query AssetPage(${FILTER_PARAMETERS}, $first: Int, $after: String${ordered ? ", $orderBy: AssetOrder" : ""}) {
    assets(${FILTER_ARGUMENTS}, first: $first, after: $after${ordered ? ", orderBy: $orderBy" : ""}) {
      totalCount
      nodes { ...AssetRow }
      pageInfo { hasNextPage endCursor }
    }
  }
  ${ASSET_ROW}
`;
}

/** A page in key order: the contract's query, and the one main.tsx prefetches. */
export const ASSET_PAGE = assetPageQuery(false);

/** How many assets match. */
export const ASSET_COUNT = /* GraphQL */ `
  query AssetCount(${FILTER_PARAMETERS}, $first: Int) {
    assets(${FILTER_ARGUMENTS}, first: $first) { totalCount }
  }
`;

/** Only the cursor at the end of a run of assets: how a page number becomes a cursor, cheaply. */
export function skipQuery(ordered: boolean): string {
  return /* GraphQL */ `
  query Skip(${FILTER_PARAMETERS}, $first: Int, $after: String${ordered ? ", $orderBy: AssetOrder" : ""}) {
    assets(${FILTER_ARGUMENTS}, first: $first, after: $after${ordered ? ", orderBy: $orderBy" : ""}) { pageInfo { endCursor } }
  }
`;
}

/**
 * Every facet counted with the other filters only (an alias per facet), and the has-policy split, in one request.
 * Variables are prefixed with the facet they leave out.
 */
export function facetsQuery(): string {
  const facets = ["kinds", "groups", "owners", "tags", "locations"] as const;
  const filters = ["kinds", "groups", "owners", "tags", "locations"] as const;
  const parts = facets.map((facet) => {
    const args = [`search: $search`, `hasPolicy: $hasPolicy`, ...filters.filter((f) => f !== facet).map((f) => `${f}: $${f}`)];
    return `${facet}: facets(${args.join(", ")}) { ${facet} { value count } }`;
  });
  const noPolicy = `search: $search, kinds: $kinds, groups: $groups, owners: $owners, tags: $tags, locations: $locations`;
  return `query Facets(${FILTER_PARAMETERS}) {
    ${parts.join("\n    ")}
    withPolicy: assets(${noPolicy}, hasPolicy: true, first: 0) { totalCount }
    withoutPolicy: assets(${noPolicy}, hasPolicy: false, first: 0) { totalCount }
  }`;
}

export const NEIGHBOUR = `key kinds materializedBy { tool }`;

/** The asset page; `extras` adds the optional fields the server was found to have. */
export function assetQuery(extras: { policy: string; asset: string }): string {
  return /* GraphQL */ `
    query Asset($key: String!) {
      asset(key: $key) {
        key keyPath aliases kinds group owners tags description dbtUniqueId codeVersion
        relation { database schema name fullName }
        materializedBy { tool location runTargetId }
        readBy
        locations
        definedIn { file line path }
        columns { name type description tags checks { name blocking } }
        checks { name description blocking columnName additionalDeps }
        policy { source type label cronSchedule cronTimezone condition declaredIn { file line path } ${extras.policy} }
        upstream { ${NEIGHBOUR} }
        downstream { ${NEIGHBOUR} }
        impact { count countByKind { kind count } }
        diagnostics { severity code message }
        metadata
        ${extras.asset}
      }
    }
  `;
}

export const LINEAGE = /* GraphQL */ `
  query Lineage($key: String!, $direction: LineageDirection, $depth: Int) {
    lineage(key: $key, direction: $direction, depth: $depth) {
      nodes { ${NEIGHBOUR} }
      edges { from to }
    }
  }
`;

export const LOCATIONS = /* GraphQL */ `
  query Locations {
    locations {
      name kind origin state loadedAt loadDurationMs assetCount
      error { code message at }
      diagnostics { severity code message locationName assetKey asset { key } nodeId at { file line path } }
    }
  }
`;

/** What the server offers beyond the base contract; asked once. */
export const INTROSPECTION = /* GraphQL */ `
  query Capabilities {
    __schema {
      queryType { fields { name args { name type { kind } } type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } }
      types { name kind fields { name args { name type { kind } } type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } }
    }
  }
`;
