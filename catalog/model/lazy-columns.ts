/**
 * Columns made on first read. A large manifest documents most of its bytes as columns (issue 18's 10k
 * models: 190 a model, 1.9 million column objects, 26 KB of a model's 40 KB), and a load that built them
 * all spent most of its time and memory there, for columns few pages ever show. A spec or an asset can
 * instead hold its columns as a function that makes them (e.g. from the manifest's own text of them): the
 * `columns` property is then an accessor that calls it once, on first read, and becomes the plain array it
 * made; every reader of `.columns` sees an array as before.
 *
 * Readers that only pass over columns once and need not keep them (search text, the store's snapshot) use
 * {@link peekColumns}, which makes them without keeping them, so the catalog holds them only once a page
 * has asked. Copying a spec with `{ ...spec }` reads (and so makes) its columns; copy it with
 * {@link copyWithColumns} to keep them lazy.
 */
import type { ColumnSpec } from "./index.ts";

type Make = () => readonly ColumnSpec[];

/** What makes the columns of each object whose columns are still to be made. */
const pending = new WeakMap<object, Make>();

/** One accessor for every lazy object (no closure per object): it looks the maker up by `this`. */
const accessor: PropertyDescriptor = {
  enumerable: true,
  configurable: true,
  get(this: object): readonly ColumnSpec[] {
    const make = pending.get(this);
    const columns = make === undefined ? [] : make();
    settle(this, columns);
    return columns;
  },
  set(this: object, columns: readonly ColumnSpec[]): void {
    settle(this, columns);
  },
};

function settle(target: object, columns: readonly ColumnSpec[]): void {
  pending.delete(target);
  Object.defineProperty(target, "columns", { value: columns, writable: true, enumerable: true, configurable: true });
}

/**
 * Makes `target.columns` lazy: `make` runs on its first read (or never, if it is assigned first). The
 * property keeps its place among the object's keys when it is already there (JSON of the object is unchanged).
 */
export function defineLazyColumns(target: { readonly columns: readonly ColumnSpec[] }, make: Make): void {
  pending.set(target, make);
  Object.defineProperty(target, "columns", accessor);
}

/** Whether `target.columns` is still to be made. */
export function hasLazyColumns(target: object): boolean {
  return pending.has(target);
}

/** `target.columns`, made without being kept when it is still to be made (the next read makes it again). */
export function peekColumns(target: { readonly columns: readonly ColumnSpec[] }): readonly ColumnSpec[] {
  const make = pending.get(target);
  return make === undefined ? target.columns : make();
}

/**
 * The maker of `source`'s columns when they are still to be made, else null: for a derived object whose
 * columns are `source`'s (or made from them) to stay lazy too.
 */
export function lazyColumnsOf(source: object): Make | null {
  return pending.get(source) ?? null;
}

/**
 * A shallow copy of `source` (same keys, same order) whose columns are `columns(sourceColumns)`, made when
 * first read if `source`'s are still to be made; other fields are replaced from `changes`.
 */
export function copyWithColumns<T extends { readonly columns: readonly ColumnSpec[] }>(
  source: T,
  changes: Partial<T>,
  columns: (columns: readonly ColumnSpec[]) => readonly ColumnSpec[] = (same) => same,
): T {
  const make = pending.get(source);
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(source)) copy[key] = key === "columns" ? (make === undefined ? columns(source.columns) : []) : source[key as keyof T];
  Object.assign(copy, changes);
  const result = copy as T;
  if (make !== undefined) defineLazyColumns(result, () => columns(make()));
  return result;
}
