/** What the lineage graph derives from its nodes' states. Free of React, so it is tested on its own. */
import type { LineageGraph as LineageData } from "../types.ts";

/**
 * Stale assets downstream of a failed one (through any path in the graph shown): what a failure is holding back.
 */
export function staleBehindFailure(data: LineageData): Set<string> {
  const status = new Map(data.nodes.map((node) => [node.key, node.status] as const));
  const children = new Map<string, string[]>();
  for (const edge of data.edges) children.set(edge.from, [...(children.get(edge.from) ?? []), edge.to]);
  const reached = new Set<string>();
  const queue = data.nodes.filter((node) => node.status === "FAILED").map((node) => node.key);
  while (queue.length > 0) {
    const key = queue.pop()!;
    for (const child of children.get(key) ?? []) {
      if (reached.has(child)) continue;
      reached.add(child);
      queue.push(child);
    }
  }
  return new Set([...reached].filter((key) => status.get(key) === "STALE" || status.get(key) === "NEVER_MATERIALIZED"));
}

