import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { defineToolState } from "./tool-state.ts";

const state = defineToolState("tool", { sync_state: z.string(), paused: z.boolean(), rows: z.number(), tags: z.array(z.string()) });

describe("defineToolState", () => {
  it("writes only the fields given, under the tool's prefix, null kept as null", () => {
    assert.deepEqual(state.write({ sync_state: "syncing", paused: null }), { "tool/sync_state": "syncing", "tool/paused": null });
    assert.equal(state.key("rows"), "tool/rows");
  });

  it("reads back what it wrote, and null for fields absent", () => {
    const read = state.read({ ...state.write({ sync_state: "scheduled", rows: 3, tags: ["a"] }), other: 1 });
    assert.deepEqual(read, { sync_state: "scheduled", paused: null, rows: 3, tags: ["a"] });
  });

  it("reads a value of the wrong type as null rather than passing it on", () => {
    const read = state.read({ "tool/sync_state": 7, "tool/paused": "yes", "tool/rows": "12", "tool/tags": ["a", 2] });
    assert.deepEqual(read, { sync_state: null, paused: null, rows: null, tags: null });
  });

  it("ignores another tool's keys of the same name", () => {
    assert.equal(state.read({ "other/sync_state": "syncing" }).sync_state, null);
  });
});
