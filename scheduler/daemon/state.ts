/**
 * The frozen state a tick evaluates: the store's latest events per asset (with the selection of the run that
 * recorded each) and the runs in progress, keyed by the catalog's asset ids (events are stored under the key
 * their tool used, which may be an alias of the asset).
 */
import type { CatalogGraph } from "../../catalog/graph/types.ts";
import type { AutomationInputs } from "../../catalog/store/index.ts";
import type { AssetRuntimeState, AutomationState } from "../conditions/state.ts";

export function automationStateFromInputs(inputs: AutomationInputs, graph: CatalogGraph | null): AutomationState {
  const assets = new Map<string, AssetRuntimeState>();
  const idOf = (key: string): string => graph?.get(key)?.id ?? key;
  const patch = (key: string, change: (state: AssetRuntimeState) => AssetRuntimeState): void => {
    const id = idOf(key);
    assets.set(id, change(assets.get(id) ?? {}));
  };
  for (const event of inputs.materializations) {
    patch(event.assetId, (state) => ({
      ...state,
      latestMaterialization: {
        storageId: event.id,
        timestamp: Date.parse(event.occurredAt),
        runId: event.tributaryRunId,
        runAssetSelection: event.runAssetIds === null ? null : event.runAssetIds.map(idOf),
      },
    }));
  }
  for (const event of inputs.failures) {
    patch(event.assetId, (state) => ({ ...state, latestFailure: { storageId: event.id, timestamp: Date.parse(event.occurredAt), runId: event.tributaryRunId } }));
  }
  for (const event of inputs.observations) {
    patch(event.assetId, (state) => ({
      ...state,
      latestObservation: { storageId: event.id, timestamp: Date.parse(event.occurredAt), dataVersion: event.dataVersion, dataVersionStorageId: event.id },
    }));
  }
  for (const [key, runId] of inputs.inProgress) patch(key, (state) => ({ ...state, runInProgress: runId }));
  return { lastEventId: inputs.lastEventId, assets };
}
