/**
 * The frozen state a tick evaluates: the store's latest events per asset (with the selection of the run that
 * recorded each) and the runs in progress, keyed by the catalog's asset ids (events are stored under the key
 * their tool used, which may be an alias of the asset).
 */
import type { CatalogAsset, CatalogGraph } from "../../catalog/graph/index.ts";
import { partitionCalendar } from "../../catalog/model/index.ts";
import type { AutomationInputs, CursorHead, LatestEventRow, SqlClient } from "../../catalog/store/index.ts";
import { automationSql, partitionSql } from "../../catalog/store/index.ts";
import type { AssetRuntimeState, AutomationState, PartitionUpdate, UnseenUpdates } from "../conditions/index.ts";

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

const partitionedAssets = new WeakMap<CatalogGraph, readonly CatalogAsset[]>();

/** A tick's state with the updates it is the first to see and the partitions, and what to remember of its read. */
export interface StateWithUpdates {
  readonly state: AutomationState;
  /** The recent updates seen, for the cursor (automationSql.UpdatesRead.recentIds). */
  readonly recentEventIds: readonly number[];
}

/**
 * Adds to the state of the latest events what the tick reads besides them: the materializations and
 * observations the previous tick did not see — recorded after its last event id, or committed late with a lower
 * id (automationSql.updatesUnseen) — each of which is newly updated on this tick only: per asset
 * (`unseenUpdates`) and, for a partitioned asset, per partition (`committedLate` when late); and each partitioned
 * asset's partitions from the store's partition status cache (materialized, failed, in progress). `previous` is
 * the stored cursor's head (null on the first tick, when nothing is newly updated). A tick where nothing arrived
 * reads no event; a catalog without partitioned assets reads no partition status.
 */
export async function withUpdatesAndPartitions(client: SqlClient, graph: CatalogGraph, state: AutomationState, previous: CursorHead | null): Promise<StateWithUpdates> {
  const unseen = await automationSql.updatesUnseen(client, previous, state.lastEventId);
  const unseenUpdates = new Map<string, UnseenUpdates>();
  const partitionRows: { assetId: string; partitionKey: string; row: automationSql.UnseenUpdateRow }[] = [];
  for (const row of unseen.rows) {
    const asset = graph.get(row.assetKey);
    const assetId = asset?.id ?? row.assetKey;
    const before = unseenUpdates.get(assetId);
    unseenUpdates.set(assetId, {
      materialized: (before?.materialized ?? false) || row.kind === "materialization",
      observed: (before?.observed ?? false) || row.kind === "observation",
    });
    if (asset?.partitions && row.kind === "materialization" && row.partitionKey !== null) partitionRows.push({ assetId, partitionKey: row.partitionKey, row });
  }
  const withUnseen: AutomationState = unseenUpdates.size === 0 ? state : { lastEventId: state.lastEventId, assets: state.assets, unseenUpdates };
  let assets = partitionedAssets.get(graph);
  if (!assets) partitionedAssets.set(graph, (assets = graph.assets.filter((a) => a.partitions != null)));
  if (assets.length === 0) return { state: withUnseen, recentEventIds: unseen.recentIds };
  const statuses = await partitionSql.partitionStatuses(client, assets.map((a) => ({ assetId: a.id, definition: a.partitions! })));
  const updates = new Map<string, Map<number, PartitionUpdate>>();
  for (const { assetId, partitionKey, row } of partitionRows) {
    const index = partitionCalendar(graph.get(assetId)!.partitions!).indexOf(partitionKey);
    if (index === null) continue;
    let byIndex = updates.get(assetId);
    if (!byIndex) updates.set(assetId, (byIndex = new Map()));
    // In id order: the partition's latest wins (a late one is older by id than one read with it).
    byIndex.set(index, { index, storageId: row.id, timestamp: row.occurredAt, ...(row.committedLate ? { committedLate: true } : {}) });
  }
  const merged = new Map(state.assets);
  for (const asset of assets) {
    const status = statuses.get(asset.id);
    if (!status) continue;
    merged.set(asset.id, { ...merged.get(asset.id), partitions: { ...status, updates: [...(updates.get(asset.id)?.values() ?? [])] } });
  }
  return { state: { ...withUnseen, assets: merged }, recentEventIds: unseen.recentIds };
}
