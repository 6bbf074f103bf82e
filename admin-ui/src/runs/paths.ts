/** The run page's path. */
export const runPath = (id: string) => `/runs/${encodeURIComponent(id)}/show`;
