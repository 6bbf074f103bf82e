import assert from "node:assert/strict";
import { test } from "node:test";
import { createStringTable } from "./string-table.ts";

test("each distinct string is kept once, in first-seen order, and named by its index", () => {
  const table = createStringTable();
  assert.deepEqual(["b", "a", "b", "", "a", ""].map((text) => table.intern(text)), [0, 1, 0, 2, 1, 2]);
  assert.deepEqual(table.strings, ["b", "a", ""]);
  assert.deepEqual(createStringTable().strings, [], "tables do not share their strings");
});
