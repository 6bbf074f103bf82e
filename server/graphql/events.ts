/**
 * Asset history: `Asset.materializations` (successes, and with `includeFailures` the failed attempts), read
 * from the store's asset events. Without a store (tests, `check`) the history is empty.
 */
import type { CatalogAsset } from "../../catalog/graph/index.ts";
import type { AssetEvent, AssetEventKind } from "../../catalog/model/index.ts";
import { keyFromString, keyToString } from "../../catalog/model/index.ts";
import type { GraphQLContext } from "./context.ts";
import { badUserInput } from "./errors.ts";
import type { SchemaModule } from "./module.ts";

/** Most events one field returns. */
export const MAX_MATERIALIZATIONS = 1000;

const typeDefs = /* GraphQL */ `
  extend type Asset {
    """
    The asset's materializations, newest first: runs Tributary launched and work the tools did on their own
    (a Fivetran scheduled sync). With includeFailures, failed attempts too (a failed, refused, rescheduled or
    timed-out sync). first: 20 when omitted, at most 1000 (a runtime trend plots up to 1,000).
    """
    materializations(first: Int, includeFailures: Boolean = false): [Materialization!]!
  }

  enum MaterializationStatus {
    SUCCESS
    FAILURE
  }

  "One materialization (or failed attempt) of an asset."
  type Materialization {
    id: ID!
    "The key it was recorded under (the asset's key or one of its aliases)."
    assetKey: String!
    status: MaterializationStatus!
    "The tool that did it: fivetran, dbt, census."
    tool: String!
    "The location whose tool did it."
    location: String!
    "The tool's id of the run or sync."
    runId: String
    "When it happened (ISO 8601), as the tool reports it."
    occurredAt: String!
    "When Tributary recorded it (ISO 8601)."
    recordedAt: String!
    "What the tool said: sync status, links, messages."
    metadata: JSON!
  }
`;

const resolvers = {
  Asset: {
    materializations: async (
      asset: CatalogAsset,
      args: { first?: number | null; includeFailures?: boolean | null },
      context: GraphQLContext,
    ): Promise<AssetEvent[]> => {
      const first = args.first ?? 20;
      if (!Number.isInteger(first) || first < 0 || first > MAX_MATERIALIZATIONS) {
        throw badUserInput(`first must be between 0 and ${MAX_MATERIALIZATIONS}`, "first");
      }
      const reader = context.catalog?.events;
      if (!reader || first === 0) return [];
      const kinds: AssetEventKind[] = args.includeFailures ? ["materialization", "materialization_failure"] : ["materialization"];
      const lists = await Promise.all([asset.id, ...asset.aliasIds].map((id) => reader.assetEventHistory(keyFromString(id), { kinds, limit: first })));
      return lists
        .flat()
        .sort((a, b) => Date.parse(b.occurredAt) - Date.parse(a.occurredAt) || b.id - a.id)
        .slice(0, first);
    },
  },
  MaterializationStatus: { SUCCESS: "materialization", FAILURE: "materialization_failure" },
  Materialization: {
    id: (event: AssetEvent) => String(event.id),
    assetKey: (event: AssetEvent) => keyToString(event.assetKey),
    status: (event: AssetEvent) => event.kind,
    location: (event: AssetEvent) => event.locationName,
  },
};

/** The asset history module. */
export const eventsModule: SchemaModule = { typeDefs, resolvers };
