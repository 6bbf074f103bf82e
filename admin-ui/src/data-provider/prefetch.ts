/**
 * The catalog list's first page, requested before the app's bundle is evaluated (main.tsx calls
 * {@link prefetchFirstPage} first, then imports the app): the request then overlaps react-admin's boot instead
 * of waiting for the list to mount. The data provider's first identical request takes the response
 * ({@link takePrefetched}); anything else is fetched as usual. Free of react-admin, so it lands in the small
 * entry chunk.
 */
import { LIST_PAGE_SIZE, LIST_SORT } from "../assets/list-defaults.ts";
import type { AssetFilter } from "../types.ts";
import { AssetDocument, AssetHistoryDocument, AssetPageDocument, FacetsDocument } from "../generated/graphql.ts";
import { assetHistoryVariables, assetVariables } from "./queries.ts";
import { apiHeaders } from "./token.ts";
import { filterVariables } from "./variables.ts";

/** A prefetched response older than this is not used (the user may have come back much later). */
const MAX_AGE_MS = 10_000;

const pending = new Map<string, { response: Promise<Response>; at: number }>();

const requestKey = (url: string, query: string, variables: Record<string, unknown>) => `${url}\n${query}\n${JSON.stringify(variables)}`;

/**
 * Starts a GraphQL POST whose response {@link takePrefetched} hands out once; resolves with a copy of its body
 * (for the first paint), or rejects when it fails.
 */
export function prefetch(url: string, query: string, variables: Record<string, unknown>): Promise<unknown> {
  const response = fetch(url, {
    method: "POST",
    headers: apiHeaders(),
    body: JSON.stringify({ query, variables }),
  });
  // Cloned here, before the app's request can read the body. A failure is reported by the regular request
  // that replaces it.
  const copy = response.then((answer) => (answer.ok ? answer.clone().json() : Promise.reject(new Error(`${answer.status}`))));
  copy.catch(() => undefined);
  response.catch(() => undefined);
  pending.set(requestKey(url, query, variables), { response, at: performance.now() });
  return copy;
}

/** The prefetched response of exactly this request, once; undefined when there is none (or it is stale). */
export function takePrefetched(url: string, query: string, variables: Record<string, unknown>): Promise<Response> | undefined {
  const key = requestKey(url, query, variables);
  const entry = pending.get(key);
  if (entry === undefined) return undefined;
  pending.delete(key);
  return performance.now() - entry.at <= MAX_AGE_MS ? entry.response : undefined;
}

/**
 * When the URL is the catalog list in its default order on its first page (what `/` redirects to), asks for the
 * page with the variables the data provider will use. react-admin keeps the list's state in the query string:
 * `filter` (JSON), `sort`, `order`, `page`, `perPage`.
 */
export function prefetchFirstPage(url: string, location: { pathname: string; search: string }): FirstPage | null {
  if (location.pathname !== "/" && location.pathname !== "/assets") return null;
  const params = new URLSearchParams(location.search);
  const defaults: Record<string, string> = { sort: LIST_SORT.field, order: LIST_SORT.order, page: "1", perPage: String(LIST_PAGE_SIZE) };
  if (Object.entries(defaults).some(([name, value]) => (params.get(name) ?? value) !== value)) return null;
  let filter: unknown;
  try {
    filter = JSON.parse(params.get("filter") ?? "{}");
  } catch {
    return null;
  }
  if (typeof filter !== "object" || filter === null || Array.isArray(filter)) return null;
  const variables = filterVariables(filter);
  return {
    filter: filter as AssetFilter,
    page: prefetch(url, AssetPageDocument.toString(), { ...variables, first: LIST_PAGE_SIZE, after: null }),
    // The facets the list asks for as soon as its rows are in: the same request, started now.
    facets: prefetch(url, FacetsDocument.toString(), variables),
  };
}

/** The list view whose first page was prefetched: react-admin's getList parameters are derived from it. */
export interface FirstPage {
  readonly filter: AssetFilter;
  /** The GraphQL answers' bodies, for the first paint. */
  readonly page: Promise<unknown>;
  readonly facets: Promise<unknown>;
}

/**
 * When the URL is an asset's page, asks for the asset and its history (the runtime trend's points) with the
 * variables the data provider will use, so both answers arrive while the app boots instead of after the asset
 * page's code has loaded and mounted. Returns whether it did.
 */
export function prefetchAssetPage(url: string, location: { pathname: string }): boolean {
  const match = /^\/assets\/([^/]+)\/show\/?$/.exec(location.pathname);
  if (match === null) return false;
  let key: string;
  try {
    key = decodeURIComponent(match[1]!);
  } catch {
    return false;
  }
  void prefetch(url, AssetDocument.toString(), assetVariables(key));
  void prefetch(url, AssetHistoryDocument.toString(), assetHistoryVariables(key));
  return true;
}
