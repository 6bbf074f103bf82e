/**
 * What the data provider and the first paint share about the documents in ./documents (typed by
 * ../generated/graphql.ts): the asset page's history size and how a facets answer becomes the facet card.
 */
import type { AssetHistoryQueryVariables, AssetQueryVariables, FacetsQuery } from "../generated/graphql.ts";
import type { Facets } from "../types.ts";

/** How many materializations (and failed attempts) the asset page lists, and Census runs its panel shows. */
export const HISTORY_SIZE = 20;
export const CENSUS_RUNS = 5;
/** The runtime trend's points and the check results the asset page reads (its history query). */
export const RUNTIME_POINTS = 1000;
export const CHECK_RESULTS = 500;

/**
 * The asset page's two requests' variables: the data provider sends these, and main.tsx prefetches the same
 * (data-provider/prefetch.ts matches a request by its exact text, so both build them here).
 */
export const assetVariables = (key: string): AssetQueryVariables => ({ key, history: HISTORY_SIZE, censusRuns: CENSUS_RUNS });
export const assetHistoryVariables = (key: string): AssetHistoryQueryVariables => ({ key, points: RUNTIME_POINTS, checks: CHECK_RESULTS });

/** An asset as a react-admin record: identified by its key (the data provider's and the first paint's rows). */
export const withId = <T extends { key: string }>(asset: T): T & { id: string } => ({ ...asset, id: asset.key });

/** The facets query's answer as the facet card shows it (the data provider and the first paint both read it). */
export function facetsFromAnswer(data: FacetsQuery): Facets {
  return {
    kinds: data.kinds.kinds,
    groups: data.groups.groups,
    owners: data.owners.owners,
    tags: data.tags.tags,
    locations: data.locations.locations,
    statuses: data.statuses.statuses,
    hasPolicy: [
      { value: "true", count: data.withPolicy.totalCount },
      { value: "false", count: data.withoutPolicy.totalCount },
    ],
  };
}
