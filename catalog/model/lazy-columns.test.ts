import assert from "node:assert/strict";
import { test } from "node:test";
import type { AssetSpec, ColumnSpec } from "./index.ts";
import { copyWithColumns, defineLazyColumns, hasLazyColumns, peekColumns } from "./lazy-columns.ts";

const columns: ColumnSpec[] = [
  { name: "id", type: "integer", description: "the key", tags: ["pk"] },
  { name: "amount", type: null, description: null, tags: [] },
];

/** A spec-shaped object whose columns are made by a counting maker. */
function lazyThing(): { thing: { key: string; columns: readonly ColumnSpec[]; after: number }; made: () => number } {
  let made = 0;
  const thing = { key: "orders", columns: [] as readonly ColumnSpec[], after: 1 };
  defineLazyColumns(thing, () => {
    made++;
    return columns.map((c) => ({ ...c }));
  });
  return { thing, made: () => made };
}

test("lazy columns are made once, on first read, and are then a plain array in the same place", () => {
  const { thing, made } = lazyThing();
  assert.equal(made(), 0);
  assert.equal(hasLazyColumns(thing), true);
  const first = thing.columns;
  assert.deepEqual(first, columns);
  assert.equal(thing.columns, first, "the same array on the next read");
  assert.equal(made(), 1);
  assert.equal(hasLazyColumns(thing), false);
  assert.deepEqual(Object.keys(thing), ["key", "columns", "after"]);
  assert.equal(Object.getOwnPropertyDescriptor(thing, "columns")?.writable, true);
});

test("JSON of an object with lazy columns is the JSON of its plain twin", () => {
  const { thing } = lazyThing();
  assert.equal(JSON.stringify(thing), JSON.stringify({ key: "orders", columns, after: 1 }));
});

test("columns assigned before they are read are never made", () => {
  const { thing, made } = lazyThing();
  thing.columns = [];
  assert.deepEqual(thing.columns, []);
  assert.equal(made(), 0);
});

test("peekColumns makes them without keeping them", () => {
  const { thing, made } = lazyThing();
  assert.deepEqual(peekColumns(thing), columns);
  assert.deepEqual(peekColumns(thing), columns);
  assert.equal(made(), 2);
  assert.equal(hasLazyColumns(thing), true, "still to be made");
  assert.deepEqual(thing.columns, columns);
  assert.equal(peekColumns(thing), thing.columns, "once made, the kept array");
  assert.equal(made(), 3);
});

test("copyWithColumns copies like a spread, keeping columns lazy, derived from the source's when read", () => {
  const { thing, made } = lazyThing();
  const derive = (list: readonly ColumnSpec[]) => list.map((c) => ({ ...c, type: c.type ?? "text" }));
  const copy = copyWithColumns(thing, { after: 2, tableStats: null } as Partial<typeof thing>, derive);
  assert.equal(made(), 0);
  assert.equal(hasLazyColumns(copy), true);
  const plain = { ...{ key: "orders", columns: derive(columns), after: 1 }, after: 2, tableStats: null };
  assert.equal(JSON.stringify(copy), JSON.stringify(plain));
  assert.equal(hasLazyColumns(thing), true, "reading the copy's columns leaves the source's unmade");
  // A source whose columns are plain: copied at once.
  const spec = { key: ["a"], columns } as unknown as AssetSpec;
  const eager = copyWithColumns(spec, {}, derive);
  assert.equal(hasLazyColumns(eager), false);
  assert.deepEqual(eager.columns, derive(columns));
});
