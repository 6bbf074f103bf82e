/**
 * URL filters → GraphQL variables. Kept free of react-admin so main.tsx can prefetch the first page with it
 * before the app's bundle is evaluated.
 */
import type { FacetsQueryVariables } from "../generated/graphql.ts";
import type { AssetFilter } from "../types.ts";

/** The list's filters: the variables every list query (a page, the facets, a skip) takes. */
export type FilterVariables = FacetsQueryVariables;

/** URL filters → GraphQL variables; empty lists and blank search mean no filter. */
export function filterVariables(filter: AssetFilter): FilterVariables {
  const list = <T,>(values: readonly T[] | undefined) => (values && values.length > 0 ? values : null);
  const search = filter.q?.trim();
  return {
    search: search ? search : null,
    kinds: list(filter.kinds),
    groups: list(filter.groups),
    owners: list(filter.owners),
    tags: list(filter.tags),
    locations: list(filter.locations),
    hasPolicy: typeof filter.hasPolicy === "boolean" ? filter.hasPolicy : null,
    statuses: list(filter.statuses),
  };
}
