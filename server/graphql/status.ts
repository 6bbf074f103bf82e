/**
 * An asset's status from run state, for the catalog list's status facet and each row: RUNNING (a run in
 * progress targets it), FAILED (its latest attempt failed after its latest materialization), NEVER_MATERIALIZED,
 * STALE (a direct upstream asset was materialized after it), FRESH. Read once per request from the same snapshot
 * the scheduler's ticks read (AutomationSource.state()).
 */
import type { CatalogAsset, CatalogGraph } from "../../catalog/graph/index.ts";
import type { AutomationState } from "../../scheduler/conditions/index.ts";
import { BREAK, getOperationAST, TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type GraphQLSchema } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { GraphQLContext } from "./context.ts";

export type AssetStatus = "FRESH" | "STALE" | "FAILED" | "RUNNING" | "NEVER_MATERIALIZED";

export const ASSET_STATUSES: readonly AssetStatus[] = ["FRESH", "STALE", "FAILED", "RUNNING", "NEVER_MATERIALIZED"];

const EMPTY: AutomationState = { lastEventId: 0, assets: new Map() };

/** A request's read of run state: under way, then (once read) its value, so later readers need no promise. */
interface StateRead {
  readonly promise: Promise<AutomationState>;
  value: AutomationState | null;
}
const perRequest = new WeakMap<GraphQLContext, StateRead>();

function stateRead(context: GraphQLContext): StateRead {
  const existing = perRequest.get(context);
  if (existing) return existing;
  const source = context.catalog?.automation;
  const read: StateRead = { promise: source ? source.state() : Promise.resolve(EMPTY), value: null };
  read.promise.then(
    (state) => {
      read.value = state;
    },
    () => undefined, // the readers of the promise report the failure
  );
  perRequest.set(context, read);
  return read;
}

/** The request's snapshot of run state (read once, whatever asks). Empty without a store. */
export function requestState(context: GraphQLContext): Promise<AutomationState> {
  return stateRead(context).promise;
}

/**
 * `compute` on the request's run state: at once when it has been read, else once it is. Per-asset fields use it
 * so that a list of thousands of assets, whose state {@link preloadRunState} read before execution, resolves
 * without a promise (and its microtask) per field: for the web UI's lineage query of 3,000 nodes that was half
 * of the answer's time (bench/lineage-bench.ts).
 */
export function withRequestState<T>(context: GraphQLContext, compute: (state: AutomationState) => T): T | Promise<T> {
  const read = stateRead(context);
  return read.value !== null ? compute(read.value) : read.promise.then(compute);
}

/** Asset fields computed from run state, one value per asset. */
const PER_ASSET_STATE_FIELDS = new Set(["status", "lastUpdatedAt"]);

/** Whether an operation selects a per-asset run-state field anywhere (fragments included), cached per document. */
const selectsRunState = new WeakMap<DocumentNode, boolean>();

function documentSelectsRunState(schema: GraphQLSchema, document: DocumentNode): boolean {
  let found = selectsRunState.get(document);
  if (found === undefined) {
    found = false;
    const typeInfo = new TypeInfo(schema);
    visit(
      document,
      visitWithTypeInfo(typeInfo, {
        Field(node) {
          if (typeInfo.getParentType()?.name === "Asset" && PER_ASSET_STATE_FIELDS.has(node.name.value)) {
            found = true;
            return BREAK;
          }
          return undefined;
        },
      }),
    );
    selectsRunState.set(document, found);
  }
  return found;
}

/**
 * Reads the request's run state before executing a query that selects a per-asset run-state field, so the
 * executor finds it read (see {@link withRequestState}). Operations that do not select one read nothing.
 */
export function preloadRunState(): Plugin<GraphQLContext> {
  return {
    async onExecute({ args }) {
      // Queries only: a mutation's answer must show the state after its own work, read when its fields resolve.
      if (getOperationAST(args.document, args.operationName)?.operation !== "query") return;
      if (!documentSelectsRunState(args.schema, args.document)) return;
      // A failed read is left to the fields that need it, which report it where it belongs in the answer.
      await requestState(args.contextValue).catch(() => undefined);
    },
  };
}

/** When the asset's data was last updated (epoch ms): its latest materialization, or observation for a source. */
export function updatedAt(state: AutomationState, id: string): number | null {
  const entry = state.assets.get(id);
  return entry?.latestMaterialization?.timestamp ?? entry?.latestObservation?.timestamp ?? null;
}

/** `Asset.lastUpdatedAt`: {@link updatedAt} as an ISO 8601 instant, null when never. */
export function lastUpdatedAt(state: AutomationState, id: string): string | null {
  const at = updatedAt(state, id);
  return at === null ? null : new Date(at).toISOString();
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
