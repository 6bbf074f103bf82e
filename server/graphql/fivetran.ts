/**
 * `Asset.fivetran`: the Fivetran connector that lands a table, and its state. A typed field per tool rather
 * than one generic `Asset.connector`: a connector's fields (sync state, schedule, setup state) and a Census
 * sync's (operation, destination object, last run) have little in common, and clients want to select them by
 * name. The state is the account's last load, overlaid with what the observer saw since (`asOf` says when).
 */
import type { CatalogAsset } from "../../catalog/graph/index.ts";
import { fivetranTableState } from "../../connectors/fivetran/index.ts";
import type { GraphQLContext } from "./context.ts";
import type { SchemaModule } from "./module.ts";

const typeDefs = /* GraphQL */ `
  extend type Asset {
    "The Fivetran connector that lands this table; null for assets Fivetran does not land."
    fivetran: FivetranConnector
  }

  "A Fivetran connector (connection) and its state."
  type FivetranConnector {
    connectorId: String!
    "The connector's name in Fivetran (its schema field)."
    name: String
    "The source type: shopify, stripe, google_ads…"
    service: String!
    "The Fivetran account (location) it belongs to."
    location: String!
    groupId: String
    groupName: String
    "The warehouse type of its destination."
    destinationService: String
    "auto (Fivetran's schedule) or manual (only when triggered)."
    scheduleType: String
    syncFrequencyMinutes: Int
    paused: Boolean!
    "connected, incomplete or broken."
    setupState: String!
    "scheduled, syncing, paused or rescheduled."
    syncState: String!
    updateState: String
    "When the latest successful sync finished (ISO 8601)."
    succeededAt: String
    "When the latest failed sync finished (ISO 8601)."
    failedAt: String
    "When a rescheduled sync will resume (ISO 8601)."
    rescheduledFor: String
    "The connector in Fivetran's dashboard."
    url: String!
    logsUrl: String!
    "The table's schema and name in the source."
    sourceSchema: String
    sourceTable: String
    "When this state was read from Fivetran (ISO 8601)."
    asOf: String
  }
`;

const resolvers = {
  Asset: {
    fivetran: (asset: CatalogAsset, _args: unknown, context: GraphQLContext) => {
      const spec = asset.specs.find((s) => s.materializer?.tool === "fivetran");
      if (!spec?.materializer) return null;
      const live = context.catalog?.liveMaterializerMetadata?.(spec.materializer) ?? null;
      const state = fivetranTableState.read({ ...spec.metadata, ...(live ?? {}) });
      return {
        connectorId: spec.materializer.runTargetId,
        name: state.connector_name,
        service: state.service ?? "unknown",
        location: spec.materializer.locationName,
        groupId: state.group_id,
        groupName: state.group_name,
        destinationService: state.destination_service,
        scheduleType: state.schedule_type,
        syncFrequencyMinutes: state.sync_frequency_minutes,
        paused: state.paused === true,
        setupState: state.setup_state ?? "unknown",
        syncState: state.sync_state ?? "unknown",
        updateState: state.update_state,
        succeededAt: state.succeeded_at,
        failedAt: state.failed_at,
        rescheduledFor: state.rescheduled_for,
        url: state.connector_url ?? "",
        logsUrl: state.logs_url ?? "",
        sourceSchema: state.source_schema,
        sourceTable: state.source_table,
        asOf: state.observed_at ?? state.snapshot_fetched_at,
      };
    },
  },
};

/** The Fivetran module. */
export const fivetranModule: SchemaModule = { typeDefs, resolvers };
