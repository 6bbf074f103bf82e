/** Markdown as one line of plain text, for places that cannot render it (the list's descriptions). */

/**
 * Markdown as plain text: emphasis marks, code ticks, headings, quotes and link targets dropped, but underscores
 * inside words (`updated_at`) kept — they are names, not emphasis.
 */
export function plainText(markdown: string): string {
  return markdown
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/`+/g, "")
    .replace(/^\s{0,3}(#{1,6}|>)\s?/gm, "")
    .replace(/(\*\*|\*)(?=\S)([\s\S]*?\S)\1/g, "$2")
    // _emphasis_ and __strong__ only at word edges, as CommonMark reads them: stg_shopify__orders stays whole.
    .replace(/(^|[^\w])(__?)(?=[^\s_])([^_]*?[^\s_])\2(?!\w)/g, "$1$3")
    .replace(/\s+/g, " ")
    .trim();
}

