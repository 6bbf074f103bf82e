/**
 * Locations and load problems: `Query.locations`, `Query.diagnostics` and `Mutation.reloadLocations`.
 */
import type { CatalogGraph, LocationStatus } from "../../catalog/graph/index.ts";
import type { Diagnostic, DiagnosticSeverity } from "../../catalog/model/index.ts";
import type { ReloadOutcome } from "../../catalog/service.ts";
import { COLUMN_LINEAGE_FOLLOW_UP } from "../../connectors/dbt/index.ts";
import { isReady, requireGraph, type GraphQLContext } from "./context.ts";
import { catalogNotReady, notSupported } from "./errors.ts";
import type { SchemaModule } from "./module.ts";

const typeDefs = /* GraphQL */ `
  extend type Query {
    "Every configured location (dbt project, Fivetran account, Census workspace) and how its latest load went."
    locations: [Location!]!
    "Problems found while loading, optionally narrowed by severity, code and location."
    diagnostics(severity: DiagnosticSeverity, code: String, location: String): [Diagnostic!]!
  }

  type Mutation {
    """
    Loads every location again and swaps the new catalog in. When a load fails the previous catalog stays in
    service and the errors are returned.
    """
    reloadLocations: ReloadResult!
  }

  enum LocationState {
    LOADED
    FAILED
  }

  "One configured source of definitions."
  type Location {
    name: String!
    "dbt, fivetran, census or warehouse."
    kind: String!
    "Where it loads from (a path, an account id); never a secret."
    origin: String!
    state: LocationState!
    "When the definitions being served were loaded (ISO 8601)."
    loadedAt: String
    loadDurationMs: Float
    assetCount: Int!
    "Why the latest load failed; the location then serves its last good definitions, if any."
    error: LocationError
    "Problems its load found."
    diagnostics: [Diagnostic!]!
    """
    Its column lineage (dbt compiled SQL), computed on a worker thread after the load is served: until DONE,
    Column.lineage and columnLineage lack this location's models. Null when it has none to compute.
    """
    columnLineage: LocationColumnLineage
  }

  enum ColumnLineageState {
    "Waits for another location's computation."
    PENDING
    COMPUTING
    DONE
    "The location is served without column lineage (error says why) until its next load."
    FAILED
  }

  type LocationColumnLineage {
    state: ColumnLineageState!
    "Models with compiled SQL, once the computation has started."
    models: Int
    modelsDone: Int!
    "How long the computation took (DONE, FAILED)."
    durationMs: Float
    error: String
  }

  type LocationError {
    code: String!
    message: String!
    "When the failed load ran (ISO 8601)."
    at: String!
  }

  type ReloadResult {
    "True when every location loaded and the new catalog is being served."
    ok: Boolean!
    """
    True when a new catalog was built and swapped in, even if some locations failed (they keep serving their
    last good definitions). False when the previous catalog was kept.
    """
    catalogSwapped: Boolean!
    durationMs: Float!
    errors: [ReloadError!]!
    "The locations as served after the reload."
    locations: [Location!]!
  }

  type ReloadError {
    locationName: String!
    code: String!
    message: String!
    "The file at fault, when known."
    file: String
    "The tool's id of the node at fault (a dbt unique_id), when known."
    nodeId: String
    "The JSON path within the file, when known."
    jsonPath: String
  }
`;

interface DiagnosticsArguments {
  readonly severity?: DiagnosticSeverity | null;
  readonly code?: string | null;
  readonly location?: string | null;
}

/** A location's status together with the graph it belongs to, so its diagnostics can be found. */
interface LocationView {
  readonly status: LocationStatus;
  readonly graph: CatalogGraph;
}

function locationViews(graph: CatalogGraph): LocationView[] {
  return graph.locations.map((status) => ({ status, graph }));
}

const resolvers = {
  Query: {
    locations: (_root: unknown, _args: unknown, context: GraphQLContext) => locationViews(requireGraph(context)),
    diagnostics: (_root: unknown, args: DiagnosticsArguments, context: GraphQLContext): readonly Diagnostic[] =>
      requireGraph(context).diagnostics.filter(
        (diagnostic) =>
          (args.severity == null || diagnostic.severity === args.severity) &&
          (args.code == null || diagnostic.code === args.code) &&
          (args.location == null || diagnostic.locationName === args.location),
      ),
  },
  Mutation: {
    reloadLocations: async (_root: unknown, _args: unknown, context: GraphQLContext) => {
      const catalog = context.catalog;
      if (catalog === null) throw catalogNotReady();
      if (catalog.reload === undefined) throw notSupported("This server cannot reload its locations");
      const outcome: ReloadOutcome = await catalog.reload();
      // After a failed reload the service keeps serving its previous graph (if any); show whichever is current.
      const graph = outcome.ok ? outcome.graph : isReady(catalog) ? catalog.current() : null;
      return {
        // ok means every location loaded: a location that failed and kept its last good definitions is an error.
        ok: outcome.ok && outcome.errors.length === 0,
        catalogSwapped: outcome.ok,
        durationMs: outcome.durationMs,
        errors: outcome.errors,
        locations: graph === null ? [] : locationViews(graph),
      };
    },
  },
  LocationState: { LOADED: "loaded", FAILED: "failed" },
  Location: {
    name: ({ status }: LocationView) => status.location.name,
    kind: ({ status }: LocationView) => status.location.kind,
    origin: ({ status }: LocationView) => status.location.origin,
    state: ({ status }: LocationView) => status.state,
    loadedAt: ({ status }: LocationView) => status.loadedAt,
    loadDurationMs: ({ status }: LocationView) => status.loadDurationMs,
    assetCount: ({ status }: LocationView) => status.assetCount,
    error: ({ status }: LocationView) => status.error,
    diagnostics: ({ status, graph }: LocationView) =>
      graph.diagnostics.filter((diagnostic) => diagnostic.locationName === status.location.name),
    columnLineage: ({ status }: LocationView, _args: unknown, context: GraphQLContext) => columnLineageStatus(context, status.location.name),
  },
};

/** A location's column lineage computation as the API shows it; null when it has none. */
export function columnLineageStatus(context: GraphQLContext, locationName: string) {
  const followUp = context.catalog?.followUp?.(locationName) ?? null;
  if (followUp === null || followUp.describe !== COLUMN_LINEAGE_FOLLOW_UP) return null;
  return { state: followUp.state.toUpperCase(), models: followUp.total, modelsDone: followUp.done, durationMs: followUp.durationMs, error: followUp.error };
}

/** The locations module. */
export const locationsModule: SchemaModule = { typeDefs, resolvers };
