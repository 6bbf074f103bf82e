/**
 * Automation state read from the store, for `dryRun` and `Asset.evaluations`: the latest materialization,
 * failure and observation of every asset, frozen at one moment. Runs in progress and the daemon's cursor
 * arrive with the daemon; until then the state has no runs and dry runs evaluate as a first tick would.
 */
import type { CatalogGraph } from "../catalog/graph/types.ts";
import type { AssetEvaluation } from "../catalog/model/evaluation.ts";
import type { AssetEvent, AssetEventReader } from "../catalog/model/events.ts";
import { keyToString } from "../catalog/model/index.ts";
import type { AssetRuntimeState, AutomationState } from "../scheduler/conditions/state.ts";
import type { AutomationSource } from "./graphql/context.ts";

export interface AutomationStore extends AssetEventReader {
  assetEvaluations(assetId: string, options: { readonly first: number }): Promise<AssetEvaluation[]>;
}

/** Builds the state the conditions see from the latest events per asset. Pure; exported for tests. */
export function automationStateFromEvents(
  events: { readonly materializations: readonly AssetEvent[]; readonly failures: readonly AssetEvent[]; readonly observations: readonly AssetEvent[] },
  graph: CatalogGraph | null,
): AutomationState {
  const assets = new Map<string, AssetRuntimeState>();
  let lastEventId = 0;
  // Events are keyed as their tool named the asset; the catalog may know it under another key (an alias).
  const idOf = (event: AssetEvent): string => {
    const key = keyToString(event.assetKey);
    return graph?.get(key)?.id ?? key;
  };
  const update = (event: AssetEvent, patch: (state: AssetRuntimeState) => AssetRuntimeState): void => {
    lastEventId = Math.max(lastEventId, event.id);
    const id = idOf(event);
    assets.set(id, patch(assets.get(id) ?? {}));
  };
  for (const event of events.materializations) {
    update(event, (state) => ({
      ...state,
      latestMaterialization: { storageId: event.id, timestamp: Date.parse(event.occurredAt), runId: event.runId, runAssetSelection: null },
    }));
  }
  for (const event of events.failures) {
    update(event, (state) => ({ ...state, latestFailure: { storageId: event.id, timestamp: Date.parse(event.occurredAt), runId: event.runId } }));
  }
  for (const event of events.observations) {
    const dataVersion = typeof event.metadata["data_version"] === "string" ? (event.metadata["data_version"] as string) : null;
    update(event, (state) => ({
      ...state,
      latestObservation: { storageId: event.id, timestamp: Date.parse(event.occurredAt), dataVersion, dataVersionStorageId: event.id },
    }));
  }
  return { lastEventId, assets };
}

/** An {@link AutomationSource} over the store; `graph` gives the catalog being served (for key aliases). */
export function createStoreAutomationSource(store: AutomationStore, graph: () => CatalogGraph | null): AutomationSource {
  return {
    evaluations: (assetId, first) => store.assetEvaluations(assetId, { first }),
    async state() {
      const [materializations, failures, observations] = await Promise.all([
        store.latestAssetEvents({ kinds: ["materialization"] }),
        store.latestAssetEvents({ kinds: ["materialization_failure"] }),
        store.latestAssetEvents({ kinds: ["observation"] }),
      ]);
      return automationStateFromEvents({ materializations, failures, observations }, graph());
    },
    // The daemon (next issue) stores its cursor; until then every dry run is a first tick.
    async cursor() {
      return null;
    },
  };
}
