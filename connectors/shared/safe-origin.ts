/**
 * A base URL as a location may show it (its origin in the catalog): shared by the SaaS providers (Fivetran,
 * Census), which must not import each other.
 */

/** The URL without user info or query, safe to show as a location's origin. */
export function safeOrigin(baseUrl: string): string {
  try {
    const url = new URL(baseUrl);
    return `${url.protocol}//${url.host}${url.pathname}`.replace(/\/+$/, "");
  } catch {
    return "(invalid base URL)";
  }
}
