/** The backfill page's path. */
export const backfillPath = (id: string) => `/backfills/${encodeURIComponent(id)}/show`;
