/** The tabs GraphiQL opens with: the contract queries, filled in with a real key from the catalog being served. */
import type { CatalogGraph } from "../catalog/graph/index.ts";

const catalogQuery = /* GraphQL */ `# The catalog: search, filters and cursor pagination (pass pageInfo.endCursor as after).
query Catalog($search: String, $after: String) {
  assets(search: $search, first: 20, after: $after) {
    totalCount
    nodes { key kinds group owners tags description relation { fullName } }
    pageInfo { hasNextPage endCursor }
  }
  facets(search: $search) {
    kinds { value count }
    groups { value count }
  }
}
`;

const assetQuery = /* GraphQL */ `# One asset with its columns, checks, policy and direct neighbours.
query Asset($key: String!) {
  asset(key: $key) {
    key kinds group owners tags description dbtUniqueId codeVersion
    relation { database schema name fullName }
    materializedBy { tool location }
    readBy
    columns { name type description tags checks { name } }
    checks { name description blocking additionalDeps columnName }
    policy { type label cronSchedule cronTimezone declaredIn { file line } }
    upstream { key }
    downstream { key }
    impact { count countByKind { kind count } }
    diagnostics { severity code message }
  }
}
`;

const lineageQuery = /* GraphQL */ `# Everything upstream and downstream of an asset (omit depth for the whole closure).
query Lineage($key: String!, $direction: LineageDirection = BOTH, $depth: Int) {
  lineage(key: $key, direction: $direction, depth: $depth) {
    nodes { key kinds materializedBy { tool } }
    edges { from to }
  }
}
`;

const locationsQuery = /* GraphQL */ `# The configured locations, how their last load went, and problems found while loading.
query Locations {
  locations { name kind origin state loadedAt loadDurationMs assetCount error { code message at } }
  diagnostics(severity: ERROR) { code message locationName assetKey at { file line } }
}
`;

/** An asset worth showing first: one with both neighbours, else any. */
function exampleKey(graph: CatalogGraph | null): string {
  if (graph === null) return "marts/customers";
  const connected = graph.assets.find((asset) => asset.upstreamIds.length > 0 && asset.downstreamIds.length > 0);
  return (connected ?? graph.assets[0])?.id ?? "marts/customers";
}

/** GraphiQL's default tabs for the given catalog. */
export function graphiqlTabs(graph: CatalogGraph | null): { query: string; variables: string }[] {
  const variables = JSON.stringify({ key: exampleKey(graph) }, null, 2);
  return [
    { query: catalogQuery, variables: "{}" },
    { query: assetQuery, variables },
    { query: lineageQuery, variables },
    { query: locationsQuery, variables: "{}" },
  ];
}
