/**
 * Cursor pagination over a list of assets sorted by id. A cursor is the base64url form of the id of the last
 * asset a client saw; the next page starts at the first asset that sorts after that id. Because the cursor names
 * a position in the order rather than an index, paging stays correct when assets appear or disappear between
 * two requests (a reload), including when the cursor's own asset is gone.
 */
import { Buffer } from "node:buffer";
import { badUserInput } from "./errors.ts";

/** Page size when `first` is omitted. */
export const DEFAULT_PAGE_SIZE = 50;
/** Largest `first` accepted. */
export const MAX_PAGE_SIZE = 500;

// A prefix inside the encoded text lets a cursor from another list (or random base64) be told apart.
const CURSOR_PREFIX = "asset:";

/** The opaque cursor of an asset id. */
export function encodeCursor(id: string): string {
  return Buffer.from(CURSOR_PREFIX + id, "utf8").toString("base64url");
}

/** The asset id a cursor stands for; `BAD_USER_INPUT` when the text is not a cursor this API made. */
export function decodeCursor(cursor: string, argumentName = "after"): string {
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  // Node decodes any string leniently, so re-encoding is the test that this is a cursor we issued.
  if (!text.startsWith(CURSOR_PREFIX) || encodeCursor(text.slice(CURSOR_PREFIX.length)) !== cursor) {
    throw badUserInput(`"${cursor}" is not a valid cursor`, argumentName);
  }
  return text.slice(CURSOR_PREFIX.length);
}

/**
 * The order ids are compared in: UTF-16 code units, as `<` compares strings. It does not depend on the locale,
 * so a cursor means the same position on every server.
 */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The arguments of a paginated field. */
export interface PageArguments {
  readonly first?: number | null;
  readonly after?: string | null;
}

/** One page of items and where it ends. */
export interface Page<T> {
  readonly totalCount: number;
  readonly items: readonly T[];
  readonly hasNextPage: boolean;
  readonly endCursor: string | null;
}

/** Checks `first` and returns the page size. */
export function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (first < 0) throw badUserInput(`"first" must not be negative (got ${first})`, "first");
  if (first > MAX_PAGE_SIZE) throw badUserInput(`"first" must be at most ${MAX_PAGE_SIZE} (got ${first})`, "first");
  return first;
}

/** Index of the first item whose id sorts strictly after `id` (binary search over a sorted list). */
function indexAfter<T extends { readonly id: string }>(items: readonly T[], id: string): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareIds((items[middle] as T).id, id) <= 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

function isSorted<T extends { readonly id: string }>(items: readonly T[]): boolean {
  for (let i = 1; i < items.length; i++) {
    if (compareIds((items[i - 1] as T).id, (items[i] as T).id) > 0) return false;
  }
  return true;
}

/**
 * One page of `items`. The catalog returns assets sorted by id already; the list is re-sorted only if it is not
 * in {@link compareIds} order, since cursors must follow exactly that order.
 */
export function paginate<T extends { readonly id: string }>(items: readonly T[], args: PageArguments): Page<T> {
  const size = pageSize(args.first);
  const afterId = args.after === null || args.after === undefined ? null : decodeCursor(args.after);
  const sorted = isSorted(items) ? items : [...items].sort((a, b) => compareIds(a.id, b.id));
  const start = afterId === null ? 0 : indexAfter(sorted, afterId);
  const pageItems = sorted.slice(start, start + size);
  const last = pageItems[pageItems.length - 1];
  return {
    totalCount: sorted.length,
    items: pageItems,
    hasNextPage: start + pageItems.length < sorted.length,
    endCursor: last === undefined ? null : encodeCursor(last.id),
  };
}
