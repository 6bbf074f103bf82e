/** The catalog list's default view, shared by the list and the first-page prefetch (main.tsx, App.tsx). */
export const LIST_PAGE_SIZE = 50;
export const LIST_SORT = { field: "key", order: "ASC" } as const;
/**
 * How long a fetched list page counts as fresh: long enough that the prefetched first page is not asked for
 * again the moment the list mounts; the catalog changes only when a location reloads.
 */
export const LIST_STALE_MS = 5_000;
