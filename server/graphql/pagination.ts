/**
 * Cursor pagination over a list of assets sorted by id. A cursor is the base64url form of the id of the last
 * asset a client saw; the next page starts at the first asset that sorts after that id. Because the cursor names
 * a position in the order rather than an index, paging stays correct when assets appear or disappear between
 * two requests (a reload), including when the cursor's own asset is gone.
 *
 * Lists in another order ({@link CursorOrder}) get cursors that also carry the order's name and the last item's
 * value in it; such a cursor is only accepted with the same order.
 */
import { Buffer } from "node:buffer";
import { compareIds } from "../../catalog/graph/index.ts";
import { badUserInput } from "./errors.ts";

/** Page size when `first` is omitted. */
export const DEFAULT_PAGE_SIZE = 50;
/** Largest `first` accepted. */
export const MAX_PAGE_SIZE = 500;

// A prefix inside the encoded text lets a cursor from another list (or random base64) be told apart.
const CURSOR_PREFIX = "asset:";
// Cursors of other orders: the prefix, then JSON of [order name, value, id].
const ORDERED_CURSOR_PREFIX = "order:";

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

/** The order ids are compared in (the graph's own sort order, so a cursor means the same position everywhere). */
export { compareIds };

/** A position in an ordered list: the value it is sorted by, then the id. */
export interface CursorPosition {
  readonly value: string | number | null;
  readonly id: string;
}

/** An order other than by id, as cursors need it. */
export interface CursorOrder<T> {
  /** A stable name, e.g. `GROUP:DESC`, written into the cursors. */
  readonly name: string;
  /** What the default id order is called in messages, e.g. `KEY:ASC`. */
  readonly defaultName: string;
  /** The type of the values (null is always allowed). */
  readonly valueType: "string" | "number";
  position(item: T): CursorPosition;
  /** Negative when `a` comes first. */
  compare(a: CursorPosition, b: CursorPosition): number;
}

/** The cursor of an item's position in a named order. */
export function encodeOrderedCursor(orderName: string, position: CursorPosition): string {
  return Buffer.from(ORDERED_CURSOR_PREFIX + JSON.stringify([orderName, position.value, position.id]), "utf8").toString("base64url");
}

/**
 * The position a cursor stands for in `order`; `BAD_USER_INPUT` when the text is not a cursor this API made, or
 * when it was made for another order (a position in one order means nothing in another).
 */
export function decodeOrderedCursor<T>(cursor: string, order: CursorOrder<T>, argumentName = "after"): CursorPosition {
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  const invalid = () => badUserInput(`"${cursor}" is not a valid cursor`, argumentName);
  const otherOrder = (name: string) =>
    badUserInput(`The cursor "${cursor}" belongs to the order ${name}, not ${order.name}; page this order from its start`, argumentName);
  if (text.startsWith(CURSOR_PREFIX)) {
    decodeCursor(cursor, argumentName);
    throw otherOrder(order.defaultName);
  }
  if (!text.startsWith(ORDERED_CURSOR_PREFIX)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.slice(ORDERED_CURSOR_PREFIX.length));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) throw invalid();
  const [name, value, id] = parsed as unknown[];
  if (typeof name !== "string" || typeof id !== "string") throw invalid();
  if (value !== null && typeof value !== "string" && typeof value !== "number") throw invalid();
  if (encodeOrderedCursor(name, { value, id }) !== cursor) throw invalid();
  if (name !== order.name) throw otherOrder(name);
  if (value !== null && typeof value !== order.valueType) throw invalid();
  return { value, id };
}

/** The order a cursor of a named order was made for; null for any other text. */
function orderedCursorName(cursor: string): string | null {
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  if (!text.startsWith(ORDERED_CURSOR_PREFIX)) return null;
  try {
    const parsed: unknown = JSON.parse(text.slice(ORDERED_CURSOR_PREFIX.length));
    return Array.isArray(parsed) && typeof parsed[0] === "string" && Buffer.from(text, "utf8").toString("base64url") === cursor ? parsed[0] : null;
  } catch {
    return null;
  }
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
  /** The cursor of one of the page's items (its edge's cursor). */
  cursorOf(item: T): string;
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
export function paginate<T extends { readonly id: string }>(items: readonly T[], args: PageArguments, order?: CursorOrder<T> | null): Page<T> {
  if (order !== null && order !== undefined) return paginateInOrder(items, args, order);
  const size = pageSize(args.first);
  const otherOrder = args.after === null || args.after === undefined ? null : orderedCursorName(args.after);
  if (otherOrder !== null) {
    throw badUserInput(`The cursor "${args.after}" belongs to the order ${otherOrder}, not the default one; page this order from its start`, "after");
  }
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
    cursorOf: (item) => encodeCursor(item.id),
  };
}

/**
 * One page of `items`, which are sorted in `order` already (the catalog keeps a sorted view per order). The next
 * page starts at the first item after the cursor's position, so it stays correct across reloads as with ids.
 */
function paginateInOrder<T>(items: readonly T[], args: PageArguments, order: CursorOrder<T>): Page<T> {
  const size = pageSize(args.first);
  const after = args.after === null || args.after === undefined ? null : decodeOrderedCursor(args.after, order);
  let start = 0;
  if (after !== null) {
    let high = items.length;
    while (start < high) {
      const middle = (start + high) >>> 1;
      if (order.compare(order.position(items[middle] as T), after) <= 0) start = middle + 1;
      else high = middle;
    }
  }
  const pageItems = items.slice(start, start + size);
  const cursorOf = (item: T) => encodeOrderedCursor(order.name, order.position(item));
  const last = pageItems[pageItems.length - 1];
  return {
    totalCount: items.length,
    items: pageItems,
    hasNextPage: start + pageItems.length < items.length,
    endCursor: last === undefined ? null : cursorOf(last),
    cursorOf,
  };
}
