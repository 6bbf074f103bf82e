/** Links into the asset pages; keys contain slashes, so they travel encoded. */
export function assetPath(key: string): string {
  return `/assets/${encodeURIComponent(key)}/show`;
}
