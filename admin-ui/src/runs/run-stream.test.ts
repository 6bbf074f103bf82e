/** The live log's bookkeeping: SSE text split into events across chunks, and a resumed stream never shows a line twice. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { RunLogLine } from "../types.ts";
import { appendNew, parseSse } from "./run-stream.ts";

const line = (id: number): RunLogLine => ({ id, at: "2026-11-24T10:00:00Z", level: "INFO", message: `line ${id}`, assetKey: null, stepIndex: 0 });

test("appendNew keeps only lines after the last one held", () => {
  const held = [line(1), line(2)];
  assert.equal(appendNew(held, [line(2), line(3), line(4)]), 2);
  assert.deepEqual(held.map((l) => l.id), [1, 2, 3, 4]);
  assert.equal(appendNew(held, [line(1), line(4)]), 0);
  assert.equal(appendNew([], [line(7)]), 1);
});

test("SSE text becomes events, an unfinished one waits for the next chunk, comments are skipped", () => {
  const first = parseSse(':\n\nevent: next\ndata: {"a":1}\n\nevent: next\ndata: {"b"');
  assert.deepEqual(first.events, [{ event: "next", data: '{"a":1}' }]);
  const second = parseSse(first.rest + ':2}\n\nevent: complete\ndata:\n\n');
  assert.deepEqual(second.events, [
    { event: "next", data: '{"b":2}' },
    { event: "complete", data: "" },
  ]);
  assert.equal(second.rest, "");
  assert.deepEqual(parseSse("data: one\r\ndata: two\r\n\r\n").events, [{ event: "message", data: "one\ntwo" }]);
});
