/**
 * The {@link PartitionsSource} the API reads partition states and backfills through: the store's partition
 * status cache and backfill tables, and the backfill service (null in a process that cannot launch runs).
 */
import type { CatalogStore } from "../catalog/store/index.ts";
import { backfillSql, partitionSql } from "../catalog/store/index.ts";
import type { BackfillService } from "../scheduler/runs/index.ts";
import type { PartitionsSource } from "./graphql/context.ts";

export function createPartitionsSource(store: Pick<CatalogStore, "client">, backfills: BackfillService | null): PartitionsSource {
  return {
    statuses: (assets) => partitionSql.partitionStatuses(store.client, assets),
    getBackfill: (id) => backfillSql.getBackfill(store.client, id),
    listBackfills: (options) => backfillSql.listBackfills(store.client, options),
    ...(backfills ? { backfills } : {}),
  };
}
