/**
 * The frozen state a tick evaluates: the store's latest events per asset (with the selection of the run that
 * recorded each) and the runs in progress, keyed by the catalog's asset ids (events are stored under the key
 * their tool used, which may be an alias of the asset).
 */
import type { CatalogGraph } from "../../catalog/graph/index.ts";
import type { AutomationInputs, LatestEventRow } from "../../catalog/store/index.ts";
import type { AssetRuntimeState, AutomationState } from "../conditions/index.ts";

export function automationStateFromInputs(inputs: AutomationInputs, graph: CatalogGraph | null): AutomationState {
  // Built with plain mutable records (no object spreads): a tick at 10k assets rebuilds it in a few ms.
  const assets = new Map<string, { -readonly [K in keyof AssetRuntimeState]: AssetRuntimeState[K] }>();
  const idOf = (key: string): string => graph?.get(key)?.id ?? key;
  const entry = (key: string) => {
    const id = idOf(key);
    let state = assets.get(id);
    if (!state) assets.set(id, (state = {}));
    return state;
  };
  const materialization = (event: LatestEventRow) => ({
    storageId: event.id,
    timestamp: Date.parse(event.occurredAt),
    runId: event.tributaryRunId,
    runAssetSelection: event.runAssetIds === null ? null : event.runAssetIds.map(idOf),
  });
  for (const event of inputs.materializations) entry(event.assetId).latestMaterialization = materialization(event);
  // Every asset gets a latestRunMaterialization (null when no run materialized it), so `execution_failed`
  // follows the latest run that targeted it: a materialization made outside a run does not end it.
  for (const state of assets.values()) state.latestRunMaterialization = null;
  for (const event of inputs.runMaterializations) entry(event.assetId).latestRunMaterialization = materialization(event);
  for (const event of inputs.failures) {
    entry(event.assetId).latestFailure = { storageId: event.id, timestamp: Date.parse(event.occurredAt), runId: event.tributaryRunId };
  }
  for (const event of inputs.observations) {
    entry(event.assetId).latestObservation = { storageId: event.id, timestamp: Date.parse(event.occurredAt), dataVersion: event.dataVersion, dataVersionStorageId: event.id };
  }
  for (const [key, runId] of inputs.inProgress) entry(key).runInProgress = runId;
  return { lastEventId: inputs.lastEventId, assets };
}
