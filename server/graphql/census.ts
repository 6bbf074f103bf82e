/**
 * `Asset.census`: the Census sync an asset is, its definition (source, destination, mappings, schedule),
 * its state (the load overlaid with what the observer saw since) and its last runs, read from the stored
 * asset events (what the launcher and the observer recorded), newest first. No token ever reaches here.
 */
import type { CatalogAsset } from "../../catalog/graph/index.ts";
import { censusRunEventState, censusSyncState } from "../../connectors/census/index.ts";
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

interface CensusParent {
  readonly asset: CatalogAsset;
}

const resolvers = {
  Asset: {
    census: (asset: CatalogAsset, _args: unknown, context: GraphQLContext): (CensusParent & Record<string, unknown>) | null => {
      const spec = asset.specs.find((s) => s.materializer?.tool === "census");
      if (!spec?.materializer) return null;
      const live = context.catalog?.liveMaterializerMetadata?.(spec.materializer) ?? null;
      const state = censusSyncState.read({ ...spec.metadata, ...(live ?? {}) });
      return {
        asset,
        syncId: spec.materializer.runTargetId,
        label: state.label ?? spec.materializer.runTargetId,
        location: spec.materializer.locationName,
        operation: state.operation ?? "unknown",
        sourceObject: state.source_object ?? "unknown",
        destinationName: state.destination_name,
        destinationObject: state.destination_object ?? "unknown",
        destinationType: state.destination_type ?? "unknown",
        mappings: (state.mappings ?? []).map((m) => ({ from: m.from, to: m.to, primaryIdentifier: m.primary === true })),
        schedule: state.schedule,
        paused: state.paused === true,
        health: state.health,
        url: state.url ?? "",
        asOf: state.observed_at ?? state.snapshot_fetched_at,
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
        .map((event) => {
          const run = censusRunEventState.read(event.metadata);
          return {
            syncRunId: run.sync_run_id ?? event.runId,
            status: run.status ?? (event.kind === "materialization" ? "completed" : "failed"),
            startedAt: run.started_at,
            completedAt: run.completed_at ?? event.occurredAt,
            recordsProcessed: run.records_processed,
            recordsUpdated: run.records_updated,
            recordsFailed: run.records_failed,
            recordsInvalid: run.records_invalid,
            errorMessage: run.error_message,
            launchedBy: run.launched_by,
          };
        });
    },
  },
};

/** The Census module. */
export const censusModule: SchemaModule = { typeDefs, resolvers };
