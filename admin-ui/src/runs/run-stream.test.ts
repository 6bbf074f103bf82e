/** The live log's bookkeeping: a resumed stream never shows a line twice, and the URL resumes after the last one. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { RunLogLine } from "../types.ts";
import { appendNew, runUpdatesUrl } from "./run-stream.ts";

const line = (id: number): RunLogLine => ({ id, at: "2026-11-24T10:00:00Z", level: "INFO", message: `line ${id}`, assetKey: null, stepIndex: 0 });

test("appendNew keeps only lines after the last one held", () => {
  const held = [line(1), line(2)];
  assert.equal(appendNew(held, [line(2), line(3), line(4)]), 2);
  assert.deepEqual(held.map((l) => l.id), [1, 2, 3, 4]);
  assert.equal(appendNew(held, [line(1), line(4)]), 0);
  assert.equal(appendNew([], [line(7)]), 1);
});

test("the stream's URL carries the subscription and where to resume", () => {
  const url = new URL(runUpdatesUrl("/graphql", "run-1", 42), "http://localhost");
  assert.equal(url.pathname, "/graphql");
  assert.match(url.searchParams.get("query") ?? "", /subscription RunUpdates/);
  assert.deepEqual(JSON.parse(url.searchParams.get("variables") ?? "{}"), { id: "run-1", afterLogId: 42 });
});
