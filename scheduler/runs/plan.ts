/**
 * From requested assets to steps and runs (pure): each asset goes to the launcher of the tool that builds it;
 * a launcher batching by location takes all its assets in one step (one `dbt build` per project), one
 * batching by target takes one step per target (one sync per Fivetran connector or Census sync). Steps are
 * ordered so a step never runs before one that builds something upstream of it.
 *
 * A tick makes one run per step (Dagster makes one run per code location): the sync and the build are
 * separate runs, and the model waits for the sync to land before its condition asks for it. A manual launch
 * makes one run whose steps run in that order.
 */
import type { CatalogAsset, CatalogGraph } from "../../catalog/graph/index.ts";
import { topologicalOrder } from "../../catalog/graph/index.ts";
import type { StepTarget } from "../../catalog/model/index.ts";

/** What the planner needs to know of a launcher. */
export interface LauncherInfo {
  readonly tool: string;
  readonly locationName: string;
  readonly batch: "location" | "target";
  readonly queue: string;
}

export interface PlannedStep {
  /** Stable within a tick: `dbt:demo` or `fivetran:fivetran:connector_id`. */
  readonly groupKey: string;
  readonly tool: string;
  readonly locationName: string;
  readonly queue: string;
  readonly targets: readonly StepTarget[];
}

export interface Unlaunchable {
  readonly assetId: string;
  readonly reason: string;
}

export interface StepPlan {
  readonly steps: readonly PlannedStep[];
  readonly unlaunchable: readonly Unlaunchable[];
}

/** The target a launcher receives for an asset. */
export function stepTarget(asset: CatalogAsset): StepTarget {
  return {
    assetKey: asset.key,
    runTargetId: asset.materializer!.runTargetId,
    checks: asset.checks.map((check) => ({ name: check.name, sourceId: check.sourceId })),
  };
}

/**
 * Groups `assetIds` into steps in dependency order. Assets nothing builds, or whose location has no launcher
 * (a manifest read without its project), are returned as unlaunchable with the reason.
 */
export function planSteps(graph: CatalogGraph, assetIds: readonly string[], launcher: (tool: string, locationName: string) => LauncherInfo | null): StepPlan {
  const groups = new Map<string, { step: Omit<PlannedStep, "targets">; targets: StepTarget[]; ids: Set<string> }>();
  const unlaunchable: Unlaunchable[] = [];
  const seen = new Set<string>();
  for (const requested of assetIds) {
    const asset = graph.get(requested);
    if (!asset) {
      unlaunchable.push({ assetId: requested, reason: `no asset "${requested}" in the catalog` });
      continue;
    }
    if (seen.has(asset.id)) continue;
    seen.add(asset.id);
    const materializer = asset.materializer;
    if (!materializer) {
      unlaunchable.push({ assetId: asset.id, reason: "nothing in the catalog builds it" });
      continue;
    }
    const info = launcher(materializer.tool, materializer.locationName);
    if (!info) {
      unlaunchable.push({
        assetId: asset.id,
        reason: `${materializer.tool} location "${materializer.locationName}" cannot launch runs (a manifest read without its project, or a tool without a launcher)`,
      });
      continue;
    }
    const groupKey = info.batch === "location" ? `${info.tool}:${info.locationName}` : `${info.tool}:${info.locationName}:${materializer.runTargetId}`;
    let group = groups.get(groupKey);
    if (!group) {
      group = { step: { groupKey, tool: info.tool, locationName: info.locationName, queue: info.queue }, targets: [], ids: new Set() };
      groups.set(groupKey, group);
    }
    group.targets.push(stepTarget(asset));
    group.ids.add(asset.id);
  }
  const list = [...groups.values()].sort((a, b) => (a.step.groupKey < b.step.groupKey ? -1 : a.step.groupKey > b.step.groupKey ? 1 : 0));
  // Group B depends on group A when something A builds is upstream of something B builds (through any path,
  // selected or not). Closures are walked once per group; launches select few groups.
  const upstreamOf = list.map((group) => upstreamClosure(graph, group.ids));
  const dependsOn = list.map((_, b) => list.map((a, ai) => ai !== b && [...a.ids].some((id) => upstreamOf[b]!.has(id))));
  const { order } = topologicalOrder(list.map((_, b) => list.flatMap((_group, a) => (dependsOn[b]![a] ? [a] : []))));
  // A cycle across groups (dbt model ↔ sync) cannot be ordered: the groups on it keep their sorted order, last.
  const placed = new Set(order);
  const ordered = [...order, ...list.map((_, i) => i).filter((i) => !placed.has(i))];
  return {
    steps: ordered.map((i) => ({ ...list[i]!.step, targets: list[i]!.targets })),
    unlaunchable,
  };
}

function upstreamClosure(graph: CatalogGraph, ids: ReadonlySet<string>): Set<string> {
  const found = new Set<string>();
  const stack = [...ids];
  while (stack.length > 0) {
    const id = stack.pop()!;
    const asset = graph.get(id);
    if (!asset) continue;
    for (const parent of asset.upstreamIds) {
      const parentId = graph.get(parent)?.id ?? parent;
      if (!found.has(parentId)) {
        found.add(parentId);
        stack.push(parentId);
      }
    }
  }
  return found;
}
