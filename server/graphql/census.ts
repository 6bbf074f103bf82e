/**
 * `Asset.census`: the Census sync an asset is, its definition (source, destination, mappings, schedule),
 * its state (the load overlaid with what the observer saw since) and its last runs, read from the stored
 * asset events (what the launcher and the observer recorded), newest first. No token ever reaches here.
 */
import type { CatalogAsset } from "../../catalog/graph/types.ts";
import type { GraphQLContext } from "./context.ts";
import type { SchemaModule } from "./module.ts";

const typeDefs = /* GraphQL */ `
  extend type Asset {
    "The Census sync this asset is; null for assets Census does not sync."
    census: CensusSync
  }

  "A Census sync: data leaving the warehouse for a business tool."
  type CensusSync {
    syncId: String!
    label: String!
    "The Census workspace (location) it belongs to."
    location: String!
    "upsert, update, create, mirror, append, delete or insert."
    operation: String!
    "What it reads: a relation, a dbt model or a SQL model."
    sourceObject: String!
    destinationName: String
    destinationObject: String!
    destinationType: String!
    mappings: [CensusMapping!]!
    schedule: String
    paused: Boolean!
    "The sync's health as Census reports it: Ready, Up to Date, Failing."
    health: String
    lastRuns(first: Int = 5): [CensusSyncRun!]!
    url: String!
    "When this state was read from Census (ISO 8601)."
    asOf: String
  }

  type CensusMapping {
    "A source column, or a constant."
    from: String!
    "The destination field."
    to: String!
    primaryIdentifier: Boolean!
  }

  "One run of a sync, as recorded when it finished."
  type CensusSyncRun {
    syncRunId: String
    "completed, failed, canceled, timed_out or refused."
    status: String!
    startedAt: String
    completedAt: String
    recordsProcessed: Int
    recordsUpdated: Int
    recordsFailed: Int
    recordsInvalid: Int
    errorMessage: String
    "tributary or census (its schedule, its UI)."
    launchedBy: String
  }
`;

type Metadata = Readonly<Record<string, unknown>>;
const text = (metadata: Metadata, key: string): string | null => {
  const value = metadata[`census/${key}`];
  return typeof value === "string" ? value : null;
};
const int = (metadata: Metadata, key: string): number | null => {
  const value = metadata[`census/${key}`];
  return typeof value === "number" ? value : null;
};

interface CensusParent {
  readonly asset: CatalogAsset;
  readonly metadata: Metadata;
}

const resolvers = {
  Asset: {
    census: (asset: CatalogAsset, _args: unknown, context: GraphQLContext): (CensusParent & Record<string, unknown>) | null => {
      const spec = asset.specs.find((s) => s.materializer?.tool === "census");
      if (!spec?.materializer) return null;
      const live = context.catalog?.liveMaterializerMetadata?.(spec.materializer) ?? null;
      const metadata: Metadata = { ...spec.metadata, ...(live ?? {}) };
      const mappings = Array.isArray(metadata["census/mappings"]) ? (metadata["census/mappings"] as { from: string; to: string; primary?: boolean }[]) : [];
      return {
        asset,
        metadata,
        syncId: spec.materializer.runTargetId,
        label: text(metadata, "label") ?? spec.materializer.runTargetId,
        location: spec.materializer.locationName,
        operation: text(metadata, "operation") ?? "unknown",
        sourceObject: text(metadata, "source_object") ?? "unknown",
        destinationName: text(metadata, "destination_name"),
        destinationObject: text(metadata, "destination_object") ?? "unknown",
        destinationType: text(metadata, "destination_type") ?? "unknown",
        mappings: mappings.map((m) => ({ from: m.from, to: m.to, primaryIdentifier: m.primary === true })),
        schedule: text(metadata, "schedule"),
        paused: metadata["census/paused"] === true,
        health: text(metadata, "health"),
        url: text(metadata, "url") ?? "",
        asOf: text(metadata, "observed_at") ?? text(metadata, "snapshot_fetched_at"),
      };
    },
  },
  CensusSync: {
    lastRuns: async (parent: CensusParent, args: { first?: number | null }, context: GraphQLContext) => {
      const reader = context.catalog?.events;
      if (!reader) return [];
      const first = Math.max(0, Math.min(50, args.first ?? 5));
      const history = await reader.assetEventHistory(parent.asset.key, { kinds: ["materialization", "materialization_failure"], limit: first * 2 });
      return history
        .filter((event) => event.tool === "census")
        .slice(0, first)
        .map((event) => ({
          syncRunId: text(event.metadata, "sync_run_id") ?? event.runId,
          status: text(event.metadata, "status") ?? (event.kind === "materialization" ? "completed" : "failed"),
          startedAt: text(event.metadata, "started_at"),
          completedAt: text(event.metadata, "completed_at") ?? event.occurredAt,
          recordsProcessed: int(event.metadata, "records_processed"),
          recordsUpdated: int(event.metadata, "records_updated"),
          recordsFailed: int(event.metadata, "records_failed"),
          recordsInvalid: int(event.metadata, "records_invalid"),
          errorMessage: text(event.metadata, "error_message"),
          launchedBy: text(event.metadata, "launched_by"),
        }));
    },
  },
};

/** The Census module. */
export const censusModule: SchemaModule = { typeDefs, resolvers };
