/**
 * What other parts (benches, tools) may use of the GraphQL layer without going through HTTP: the sources a
 * catalog is served from, and how an asset's status and last update (`Asset.status`, `Asset.lastUpdatedAt`) are computed from run state.
 */
export type { AutomationSource, CatalogSource, GraphQLContext } from "./context.ts";
export { assetStatus, lastUpdatedAt, type AssetStatus } from "./status.ts";
