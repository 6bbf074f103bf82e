/**
 * What the web catalog's status and history views need beside the runs API: `Asset.lastUpdatedAt` (from the
 * same run-state snapshot as `Asset.status`, so a list page costs one read), `Materialization.durationMs` (each
 * tool reports its timing in its own metadata keys) and `Materialization.tributaryRunId` (the run that recorded
 * it, to link the history to run pages), and `Query.launchCapability` (whether this server launches runs, so the
 * UI shows its Materialize buttons only where a launch can succeed).
 */
import type { CatalogAsset } from "../../catalog/graph/index.ts";
import type { AssetEvent } from "../../catalog/model/index.ts";
import type { GraphQLContext } from "./context.ts";
import { roleAllows } from "../auth/tokens.ts";
import type { SchemaModule } from "./module.ts";
import { lastUpdatedAt, withRequestState } from "./status.ts";

const typeDefs = /* GraphQL */ `
  extend type Asset {
    "When its data was last updated (its latest materialization; a source's latest observation); null when never."
    lastUpdatedAt: DateTime
  }

  extend type Materialization {
    """
    How long the work took, in milliseconds, from the tool's own timing (dbt's execution time of the node, a
    Fivetran sync from trigger to completion, a Census sync run from start to completion); null when the tool
    did not report it.
    """
    durationMs: Float
    "The Tributary run that recorded it; null for work a tool did on its own (a scheduled sync)."
    tributaryRunId: ID
  }

  "Whether this server can launch runs (launchRun, reexecuteRun, cancelRun)."
  type LaunchCapability {
    available: Boolean!
    "Why not, in one sentence, when it cannot."
    reason: String
  }

  extend type Query {
    "Whether launches are possible here, for this caller (the server can launch and the caller's role is operator or admin): the UI shows its Materialize and re-execute buttons only when they are."
    launchCapability: LaunchCapability!
  }
`;

const text = (metadata: AssetEvent["metadata"], key: string): string | null => {
  const value = metadata[key];
  return typeof value === "string" && value.trim() !== "" ? value : null;
};

const span = (from: string | null, to: string | null): number | null => {
  if (from === null || to === null) return null;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) && ms >= 0 ? ms : null;
};

/** A materialization's duration from its tool's metadata keys; null when the tool did not say. */
export function materializationDurationMs(event: Pick<AssetEvent, "tool" | "metadata">): number | null {
  const { metadata } = event;
  const seconds = metadata["dbt/execution_duration_s"];
  if (event.tool === "dbt" && typeof seconds === "number" && Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  if (event.tool === "fivetran") return span(text(metadata, "fivetran/triggered_at"), text(metadata, "fivetran/sync_completed_at"));
  if (event.tool === "census") return span(text(metadata, "census/started_at"), text(metadata, "census/completed_at"));
  const ms = metadata["duration_ms"];
  return typeof ms === "number" && Number.isFinite(ms) && ms >= 0 ? ms : null;
}

const resolvers = {
  Asset: {
    lastUpdatedAt: (asset: CatalogAsset, _args: unknown, context: GraphQLContext): string | null | Promise<string | null> =>
      withRequestState(context, (state) => lastUpdatedAt(state, asset.id)),
  },
  Materialization: {
    durationMs: (event: AssetEvent) => materializationDurationMs(event),
    tributaryRunId: (event: AssetEvent) => event.tributaryRunId ?? null,
  },
  Query: {
    launchCapability: (_root: unknown, _args: unknown, context: GraphQLContext) => {
      const runs = context.catalog?.runs ?? null;
      if (runs === null) return { available: false, reason: "This server has no store to keep runs in." };
      if (!runs.launch || !runs.reexecute || !runs.cancel) return { available: false, reason: runs.launchUnavailable ?? "This server cannot launch runs." };
      // The caller's role too (server/auth): a viewer sees why instead of buttons that would be refused.
      const { caller } = context;
      if (!roleAllows(caller.role, "operator")) {
        return {
          available: false,
          reason: caller.kind === "anonymous" ? "Sign in with an operator or admin token to launch runs." : `${caller.name ?? "This caller"} has the ${caller.role ?? "no"} role; launching runs needs operator or admin.`,
        };
      }
      return { available: true, reason: null };
    },
  },
};

/** The history and status fields the web catalog reads. */
export const historyModule: SchemaModule = { typeDefs, resolvers };
