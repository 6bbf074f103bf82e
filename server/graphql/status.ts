/**
 * An asset's status from run state, for the catalog list's status facet and each row: RUNNING (a run in
 * progress targets it), FAILED (its latest attempt failed after its latest materialization), NEVER_MATERIALIZED,
 * STALE (a direct upstream asset was materialized after it), FRESH. Read once per request from the same snapshot
 * the scheduler's ticks read (AutomationSource.state()).
 */
import type { CatalogAsset, CatalogGraph } from "../../catalog/graph/index.ts";
import type { AutomationState } from "../../scheduler/conditions/index.ts";
import type { GraphQLContext } from "./context.ts";

export type AssetStatus = "FRESH" | "STALE" | "FAILED" | "RUNNING" | "NEVER_MATERIALIZED";

export const ASSET_STATUSES: readonly AssetStatus[] = ["FRESH", "STALE", "FAILED", "RUNNING", "NEVER_MATERIALIZED"];

const EMPTY: AutomationState = { lastEventId: 0, assets: new Map() };
const perRequest = new WeakMap<GraphQLContext, Promise<AutomationState>>();

/** The request's snapshot of run state (read once, whatever asks). Empty without a store. */
export function requestState(context: GraphQLContext): Promise<AutomationState> {
  let state = perRequest.get(context);
  if (!state) {
    const source = context.catalog?.automation;
    state = source ? source.state() : Promise.resolve(EMPTY);
    perRequest.set(context, state);
  }
  return state;
}

/** When the asset's data was last updated (epoch ms): its latest materialization, or observation for a source. */
export function updatedAt(state: AutomationState, id: string): number | null {
  const entry = state.assets.get(id);
  return entry?.latestMaterialization?.timestamp ?? entry?.latestObservation?.timestamp ?? null;
}

export function assetStatus(asset: CatalogAsset, graph: CatalogGraph, state: AutomationState): AssetStatus {
  const entry = state.assets.get(asset.id);
  if (entry?.runInProgress) return "RUNNING";
  const materialized = entry?.latestMaterialization ?? null;
  const failure = entry?.latestFailure ?? null;
  if (failure && (!materialized || failure.storageId > materialized.storageId)) return "FAILED";
  const updated = updatedAt(state, asset.id);
  if (updated === null) return "NEVER_MATERIALIZED";
  for (const parentId of asset.upstreamIds) {
    const parent = graph.get(parentId);
    const parentUpdated = parent ? updatedAt(state, parent.id) : null;
    if (parentUpdated !== null && parentUpdated > updated) return "STALE";
  }
  return "FRESH";
}
