/**
 * Automation state read from the store, for `dryRun` and `Asset.evaluations`: the same snapshot a scheduler
 * tick reads (latest materialization, failure and observation of every asset with the run that recorded it,
 * the runs in progress) and the daemon's stored cursor, so a dry run answers what the next tick would do.
 */
import type { CatalogGraph } from "../catalog/graph/types.ts";
import type { CatalogStore } from "../catalog/store/index.ts";
import { automationSql } from "../catalog/store/index.ts";
import { automationStateFromInputs } from "../scheduler/daemon/state.ts";
import { CursorCache } from "../scheduler/daemon/tick-state.ts";
import type { AutomationSource } from "./graphql/context.ts";

/** An {@link AutomationSource} over the store; `graph` gives the catalog being served (for key aliases). */
export function createStoreAutomationSource(store: Pick<CatalogStore, "assetEvaluations" | "client">, graph: () => CatalogGraph | null): AutomationSource {
  return {
    evaluations: (assetId, first) => store.assetEvaluations(assetId, { first }),
    async state() {
      // One transaction: one consistent snapshot, as a tick sees it.
      const inputs = await store.client.transaction((tx) => automationSql.readAutomationInputs(tx));
      return automationStateFromInputs(inputs, graph());
    },
    async cursor() {
      return store.client.transaction(async (tx) => (await new CursorCache().read(tx)).cursor);
    },
  };
}
