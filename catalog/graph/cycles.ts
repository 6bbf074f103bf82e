/** Cycles in the merged graph: a load that would form one fails, naming it. */
import { LoadError } from "../model/index.ts";
import type { MutableAsset } from "./merge.ts";
import { topologicalOrder } from "./topo.ts";

/** Throws a LoadError naming one cycle when the edges are not a DAG (the shared topological sort). */
export function assertAcyclic(assets: readonly MutableAsset[], upstream: readonly (readonly number[])[]): void {
  const { remaining, acyclic } = topologicalOrder(upstream);
  if (acyclic) return;
  // Walk upstream from any node left over; in a graph whose sources are all gone, we must revisit one.
  let current = remaining.findIndex((count) => count > 0);
  const seenAt = new Map<number, number>();
  const path: number[] = [];
  while (!seenAt.has(current)) {
    seenAt.set(current, path.length);
    path.push(current);
    current = upstream[current]!.find((p) => remaining[p]! > 0)!;
  }
  const cycle = path.slice(seenAt.get(current)).reverse();
  const names = [...cycle, cycle[0]!].map((i) => assets[i]!.id);
  const first = assets[cycle[0]!]!;
  throw new LoadError("dependency_cycle", `Dependency cycle: ${names.join(" → ")}`, {
    locationName: first.locationNames[0] ?? null,
    nodeId: first.dbtUniqueId,
    file: first.specs[0]?.definedIn?.file ?? null,
  });
}

