/**
 * `Asset.fivetran`: the Fivetran connector that lands a table, and its state. A typed field per tool rather
 * than one generic `Asset.connector`: a connector's fields (sync state, schedule, setup state) and a Census
 * sync's (operation, destination object, last run) have little in common, and clients want to select them by
 * name. The state is the account's last load, overlaid with what the observer saw since (`asOf` says when).
 */
import type { CatalogAsset } from "../../catalog/graph/types.ts";
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

type Metadata = Readonly<Record<string, unknown>>;

const text = (metadata: Metadata, key: string): string | null => {
  const value = metadata[`fivetran/${key}`];
  return typeof value === "string" ? value : null;
};

const resolvers = {
  Asset: {
    fivetran: (asset: CatalogAsset, _args: unknown, context: GraphQLContext) => {
      const spec = asset.specs.find((s) => s.materializer?.tool === "fivetran");
      if (!spec?.materializer) return null;
      const live = context.catalog?.liveMaterializerMetadata?.(spec.materializer) ?? null;
      const metadata: Metadata = { ...spec.metadata, ...(live ?? {}) };
      const frequency = metadata["fivetran/sync_frequency_minutes"];
      return {
        connectorId: spec.materializer.runTargetId,
        name: text(metadata, "connector_name"),
        service: text(metadata, "service") ?? "unknown",
        location: spec.materializer.locationName,
        groupId: text(metadata, "group_id"),
        groupName: text(metadata, "group_name"),
        destinationService: text(metadata, "destination_service"),
        scheduleType: text(metadata, "schedule_type"),
        syncFrequencyMinutes: typeof frequency === "number" ? frequency : null,
        paused: metadata["fivetran/paused"] === true,
        setupState: text(metadata, "setup_state") ?? "unknown",
        syncState: text(metadata, "sync_state") ?? "unknown",
        updateState: text(metadata, "update_state"),
        succeededAt: text(metadata, "succeeded_at"),
        failedAt: text(metadata, "failed_at"),
        rescheduledFor: text(metadata, "rescheduled_for"),
        url: text(metadata, "connector_url") ?? "",
        logsUrl: text(metadata, "logs_url") ?? "",
        sourceSchema: text(metadata, "source_schema"),
        sourceTable: text(metadata, "source_table"),
        asOf: text(metadata, "observed_at") ?? text(metadata, "snapshot_fetched_at"),
      };
    },
  },
};

/** The Fivetran module. */
export const fivetranModule: SchemaModule = { typeDefs, resolvers };
