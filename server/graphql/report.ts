/**
 * Work done elsewhere: `Mutation.reportDbtRunResults` records a dbt run made outside Tributary (in CI, in dbt
 * Cloud) from its run_results.json, and `Mutation.reportMaterialization` records any one materialization.
 * Both are recorded exactly once (dbt's invocation id and node, or the caller's dedupe key, make the event's
 * identity), so sending the same file twice changes nothing, and eager children react at the next tick.
 */
import type { CatalogGraph } from "../../catalog/graph/index.ts";
import type { AssetEventInput } from "../../catalog/model/index.ts";
import { keyToString } from "../../catalog/model/index.ts";
import type { GraphQLContext } from "./context.ts";
import { requireGraph } from "./context.ts";
import { assetNotFound, badUserInput, notSupported } from "./errors.ts";
import type { SchemaModule } from "./module.ts";

const typeDefs = /* GraphQL */ `
  extend type Mutation {
    """
    Records a dbt run made outside Tributary (CI, dbt Cloud) from its run_results.json (schema v4–v6, sent as
    JSON): each built model, seed or snapshot becomes a materialization, each error a failed attempt, each test
    a check result — once, keyed by dbt's invocation id, so sending it again records nothing new. Nodes are
    matched to assets by dbt unique_id; location picks the dbt location when several declare one node. A large
    file may be sent in parts (the same metadata, a slice of results each).
    """
    reportDbtRunResults(runResults: JSON!, location: String): ReportResult!
    """
    Records one materialization made outside Tributary. dedupeKey makes it idempotent (default: the asset and
    occurredAt); occurredAt defaults to now.
    """
    reportMaterialization(assetKey: String!, occurredAt: DateTime, metadata: JSON, dedupeKey: String, tool: String): ReportResult!
  }

  "What a report recorded."
  type ReportResult {
    "Events and check results new to the store."
    recorded: Int!
    "Events and check results it already had (the same run reported again)."
    alreadyRecorded: Int!
    materializations: Int!
    failures: Int!
    checkResults: Int!
    "dbt nodes of the report the catalog has no asset or check for (ignored)."
    unknownNodes: [String!]!
  }
`;

/** What a report recorded (the ReportResult type). */
export interface ReportResult {
  readonly recorded: number;
  readonly alreadyRecorded: number;
  readonly materializations: number;
  readonly failures: number;
  readonly checkResults: number;
  readonly unknownNodes: readonly string[];
}

/**
 * Where reports are recorded (server/report-sink.ts): the dbt translation lives with the dbt connector, so
 * this module only checks arguments and passes them on.
 */
export interface ReportSink {
  /** Throws a {@link ReportInputError} for a run_results the reader refuses or an unknown location. */
  reportDbtRunResults(graph: CatalogGraph, runResults: unknown, location: string | null): Promise<ReportResult>;
  recordAssetEvents(events: readonly AssetEventInput[]): Promise<{ readonly inserted: number }>;
}

/** Bad report input, named by the argument at fault. */
export class ReportInputError extends Error {
  override readonly name = "ReportInputError";
  constructor(
    message: string,
    readonly argumentName: string,
  ) {
    super(message);
  }
}

function sink(context: GraphQLContext): ReportSink {
  const target = context.catalog?.reportSink;
  if (!target) throw notSupported("This server has no store to record reports in.");
  return target;
}

const resolvers = {
  Mutation: {
    reportDbtRunResults: async (_: unknown, args: { runResults: unknown; location?: string | null }, context: GraphQLContext): Promise<ReportResult> => {
      const graph = requireGraph(context);
      try {
        return await sink(context).reportDbtRunResults(graph, args.runResults, args.location ?? null);
      } catch (error) {
        if (error instanceof ReportInputError) throw badUserInput(error.message, error.argumentName);
        throw error;
      }
    },
    reportMaterialization: async (
      _: unknown,
      args: { assetKey: string; occurredAt?: Date | null; metadata?: unknown; dedupeKey?: string | null; tool?: string | null },
      context: GraphQLContext,
    ): Promise<ReportResult> => {
      const graph = requireGraph(context);
      const target = sink(context);
      const asset = graph.get(args.assetKey);
      if (!asset) throw assetNotFound(args.assetKey);
      if (args.metadata !== undefined && args.metadata !== null && (typeof args.metadata !== "object" || Array.isArray(args.metadata))) {
        throw badUserInput("metadata must be a JSON object", "metadata");
      }
      const occurredAt = (args.occurredAt ?? new Date()).toISOString();
      const event: AssetEventInput = {
        assetKey: asset.key,
        kind: "materialization",
        tool: args.tool ?? asset.materializer?.tool ?? "external",
        locationName: asset.materializer?.locationName ?? asset.locationNames[0] ?? "external",
        runId: null,
        occurredAt,
        dedupeKey: args.dedupeKey ?? `reported:${keyToString(asset.key)}:${occurredAt}`,
        metadata: { ...((args.metadata as Record<string, unknown> | null | undefined) ?? {}), "tributary/reported": true },
      };
      const { inserted } = await target.recordAssetEvents([event]);
      return { recorded: inserted, alreadyRecorded: 1 - inserted, materializations: 1, failures: 0, checkResults: 0, unknownNodes: [] };
    },
  },
};

export const reportModule: SchemaModule = { typeDefs, resolvers };
