/** Which stale assets the lineage graph marks as held back by a failure upstream. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { AssetStatus, LineageGraph } from "../types.ts";
import { staleBehindFailure } from "./status.ts";

const node = (key: string, status: AssetStatus) => ({ key, kinds: ["dbt"], materializedBy: { tool: "dbt" }, status, lastUpdatedAt: null });

test("stale and never-built assets downstream of a failure, through any path; stale ones elsewhere are not", () => {
  const graph: LineageGraph = {
    nodes: [node("raw", "FRESH"), node("stg", "FAILED"), node("mart", "STALE"), node("rollup", "NEVER_MATERIALIZED"), node("sync", "FRESH"), node("other", "STALE")],
    edges: [
      { from: "raw", to: "stg" },
      { from: "stg", to: "mart" },
      { from: "mart", to: "rollup" },
      { from: "mart", to: "sync" },
      { from: "raw", to: "other" },
    ],
  };
  assert.deepEqual([...staleBehindFailure(graph)].sort(), ["mart", "rollup"]);
  assert.deepEqual([...staleBehindFailure({ ...graph, nodes: graph.nodes.map((n) => (n.key === "stg" ? { ...n, status: "FRESH" as const } : n)) })], []);
});
