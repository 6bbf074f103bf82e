/**
 * The one topological sort of the codebase (Kahn's algorithm), shared by the graph builder (cycle detection)
 * and the scheduler's evaluation plan (parents before children).
 */

/** The result of {@link topologicalOrder}: the nodes in order and those left over, which lie on or below a cycle. */
export interface TopologicalOrder {
  /** Node indices, every node after all its parents (ready nodes in ascending index order). */
  readonly order: readonly number[];
  /** How many of each node's parents were not placed: non-zero only for nodes on or below a cycle. */
  readonly remaining: readonly number[];
  readonly acyclic: boolean;
}

/**
 * Sorts `upstream.length` nodes given each one's parents (indices). Ties are broken by index, so a caller that
 * numbers its nodes in a stable order gets a deterministic order. Self-edges must be left out by the caller.
 */
export function topologicalOrder(upstream: readonly (readonly number[])[]): TopologicalOrder {
  const n = upstream.length;
  const children: number[][] = Array.from({ length: n }, () => []);
  const remaining = upstream.map((parents) => parents.length);
  upstream.forEach((parents, child) => {
    for (const parent of parents) children[parent]!.push(child);
  });
  const order: number[] = [];
  remaining.forEach((count, i) => count === 0 && order.push(i));
  for (let head = 0; head < order.length; head++) {
    for (const child of children[order[head]!]!) if (--remaining[child]! === 0) order.push(child);
  }
  return { order, remaining, acyclic: order.length === n };
}
