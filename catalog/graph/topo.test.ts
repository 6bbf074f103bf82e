import assert from "node:assert/strict";
import { test } from "node:test";
import { topologicalOrder } from "./topo.ts";

test("every node after its parents, ties by index; a cycle leaves its members and what is below it", () => {
  // 0 → 2, 1 → 2, 2 → 3; 4 alone.
  const dag = topologicalOrder([[], [], [0, 1], [2], []]);
  assert.equal(dag.acyclic, true);
  assert.deepEqual(dag.order, [0, 1, 4, 2, 3]);
  const position = new Map(dag.order.map((node, i) => [node, i]));
  for (const [child, parents] of [[], [], [0, 1], [2], []].entries()) for (const p of parents) assert.ok(position.get(p)! < position.get(child)!);

  // 0 → 1 → 2 → 1 (cycle 1–2), 2 → 3; 4 alone.
  const cyclic = topologicalOrder([[], [0, 2], [1], [2], []]);
  assert.equal(cyclic.acyclic, false);
  assert.deepEqual(cyclic.order, [0, 4]);
  assert.deepEqual([1, 2, 3].map((i) => cyclic.remaining[i]! > 0), [true, true, true]);
});
