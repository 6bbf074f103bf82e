/**
 * An asset cursor survives its stored form (the rows and the stop snapshot): every field comes back, so a restarted
 * daemon's first tick sees what the previous process's next tick would have. The cursor below is typed
 * Required<AssetCursor>: a field added to AssetCursor fails this file's typecheck until it is covered here.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { AssetCursor } from "../conditions/index.ts";
import { fromStored, toStored } from "./tick-state.ts";

describe("asset cursors in their stored form", () => {
  const head = { evaluationId: 7, evaluatedAt: 1_796_300_000_000, lastEventId: 420 };
  const full: Required<AssetCursor> = {
    treeHash: "t1",
    previousRequested: true,
    effectiveTime: 1_796_299_000_000,
    lastEventId: 411,
    nodes: { "n:0": { value: true, state: [1, 2] } } as unknown as AssetCursor["nodes"],
    settled: 12345,
    value: true,
    valueHash: 987,
    lastRequestedAt: 1_796_298_000_000,
    requestedPartitions: [[3, 5], [9, 9]],
    partitionsKey: "daily|2026-09-01|UTC;",
  };

  test("every field comes back, through JSON as the store holds it", () => {
    const stored = JSON.parse(JSON.stringify(toStored(full, head))) as ReturnType<typeof toStored>;
    assert.deepEqual(fromStored(stored, head), full);
  });

  test("times equal to the head's are left out of the row and restored from it", () => {
    const atHead: AssetCursor = { ...full, effectiveTime: head.evaluatedAt, lastEventId: head.lastEventId };
    const stored = toStored(atHead, head);
    assert.equal("effectiveTime" in stored, false);
    assert.equal("lastEventId" in stored, false);
    assert.deepEqual(fromStored(stored, head), atHead);
  });
});
