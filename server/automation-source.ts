/**
 * Automation state read from the store, for `dryRun` and `Asset.evaluations`: the same snapshot a scheduler
 * tick reads (latest materialization, failure and observation of every asset with the run that recorded it,
 * the runs in progress) and the daemon's stored cursor, so a dry run answers what the next tick would do.
 */
import type { CatalogGraph } from "../catalog/graph/index.ts";
import type { CatalogStore } from "../catalog/store/index.ts";
import { automationSql } from "../catalog/store/index.ts";
import { automationStateFromInputs, CursorCache, InputsCache, withUpdatesAndPartitions } from "../scheduler/daemon/index.ts";
import type { AutomationState } from "../scheduler/conditions/index.ts";
import type { AutomationSource } from "./graphql/context.ts";

/** An {@link AutomationSource} over the store; `graph` gives the catalog being served (for key aliases). */
export function createStoreAutomationSource(store: Pick<CatalogStore, "assetEvaluations" | "client">, graph: () => CatalogGraph | null): AutomationSource {
  // The latest events per asset, kept up to date the way the daemon keeps its own (only what was recorded since
  // the previous read is read again): the list's status column and facet ask on every page.
  const inputs = new InputsCache();
  let reading: Promise<AutomationState> | null = null;
  return {
    evaluations: (assetId, first) => store.assetEvaluations(assetId, { first }),
    state() {
      // Requests arriving while a read is under way share it: the cache is updated by one read at a time.
      reading ??= store.client
        // One transaction: one consistent snapshot, as a tick sees it.
        .transaction(async (tx) => {
          const read = await inputs.read(tx);
          const catalog = graph();
          const state = automationStateFromInputs(read, catalog);
          if (!catalog || !catalog.assets.some((a) => a.partitions != null)) return state;
          // Partitioned assets: their partitions, and what was materialized since the daemon's last tick.
          const head = await automationSql.readCursorHead(tx, { lock: false });
          return (await withUpdatesAndPartitions(tx, catalog, state, head)).state;
        })
        .catch((error: unknown) => {
          inputs.reset();
          throw error;
        })
        .finally(() => {
          reading = null;
        });
      return reading;
    },
    async cursor() {
      return store.client.transaction(async (tx) => (await new CursorCache().read(tx)).cursor);
    },
  };
}
