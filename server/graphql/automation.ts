/**
 * Declarative automation in the API: `Policy.tree` (the condition tree a policy stands for, with node ids),
 * `Asset.evaluations(first)` (stored evaluations, newest first) and `Query.dryRun(at)` (what would be
 * requested at that time from the current state, and why). Resolvers only translate; scheduler/conditions
 * does the work.
 *
 * State and history come from an optional {@link AutomationSource} on the context (`context.automation`).
 * Without one (no store attached yet), `evaluations` is empty and `dryRun` evaluates from the empty state with
 * no cursor: the first tick of a fresh daemon.
 */
import { GraphQLScalarType, Kind } from "graphql";
import type { CatalogAsset } from "../../catalog/graph/index.ts";
import type { AssetEvaluation, EvaluationNode, PolicySpec } from "../../catalog/model/index.ts";
import { ConditionBuildError, compilePolicy, evaluate, EMPTY_STATE, freshnessStatus, treeView } from "../../scheduler/conditions/index.ts";
import { findAsset } from "./assets.ts";
import { requireGraph, type GraphQLContext } from "./context.ts";
import { badUserInput } from "./errors.ts";
import type { SchemaModule } from "./module.ts";
import { requestState } from "./status.ts";

export type { AutomationSource } from "./context.ts";

type AutomationContext = GraphQLContext;

const typeDefs = /* GraphQL */ `
  "An instant, ISO 8601 (2026-03-02T06:00:00Z)."
  scalar DateTime

  extend type Query {
    """
    What a tick at \`at\` (default: now) would request from the current state, and why: one evaluation per asset
    with a policy, in the order they are evaluated (parents first). \`assetKeys\` narrows it to those assets
    (what they depend on is evaluated too, but not returned): an asset page asks for its own, which costs its
    upstream closure instead of the whole catalog. An unknown key is ASSET_NOT_FOUND.
    """
    dryRun(at: DateTime, assetKeys: [String!]): [Evaluation!]!
  }

  extend type Policy {
    "The condition tree the policy stands for: {id, name, label, children} per node; null if it cannot be built."
    tree: JSON
  }

  extend type Asset {
    "Stored evaluations of the asset's condition, newest tick first (10 when omitted, at most 500)."
    evaluations(first: Int): [Evaluation!]!
    "The freshness target its condition declares (on_freshness), judged now; null when it declares none."
    freshnessTarget: FreshnessTarget
  }

  enum FreshnessState {
    "Materialized within the target's lag (before the latest deadline, with a cron)."
    FRESH
    "Not: the target was missed."
    OVERDUE
  }

  "How fresh an asset must be (on_freshness), and whether it is, from its latest materialization."
  type FreshnessTarget {
    maximumLagMinutes: Float!
    "A deadline cron: the asset must have a materialization from the lag before each tick; null: at all times."
    cronSchedule: String
    cronTimezone: String
    state: FreshnessState!
    "Minutes since the latest materialization; null when never materialized."
    lagMinutes: Int
    "When it becomes overdue unless materialized again; null when it already is or no deadline is ahead."
    overdueAt: DateTime
    "Since when it is overdue; null when fresh."
    overdueSince: DateTime
    reason: String!
  }

  "One asset's condition evaluated at one tick."
  type Evaluation {
    assetKey: String!
    tick: Int!
    evaluatedAt: DateTime!
    "True when the tick requests a run of the asset."
    requested: Boolean!
    "Changes when the condition is edited."
    treeHash: String!
    "Every node of the tree, root first (depth first); children are node ids."
    tree: [EvaluationNode!]!
  }

  type EvaluationNode {
    id: ID!
    name: String!
    label: String!
    value: Boolean!
    "Why, in a few words."
    reason: String
    children: [ID!]!
  }
`;

const DateTimeScalar = new GraphQLScalarType({
  name: "DateTime",
  description: "An instant, ISO 8601.",
  serialize: (value) => (value instanceof Date ? value.toISOString() : String(value)),
  parseValue: (value) => parseInstant(value),
  parseLiteral: (node) => (node.kind === Kind.STRING ? parseInstant(node.value) : undefined),
});

function parseInstant(value: unknown): Date {
  const date = typeof value === "string" ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) throw new TypeError(`expected an ISO 8601 instant, got ${JSON.stringify(value)}`);
  return date;
}

function flatten(node: EvaluationNode, into: { id: string; name: string; label: string; value: boolean; reason: string | null; children: string[] }[] = []) {
  into.push({ id: node.id, name: node.name, label: node.label, value: node.value, reason: node.reason, children: node.children.map((c) => c.id) });
  node.children.forEach((child) => flatten(child, into));
  return into;
}

const resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    dryRun: async (_root: unknown, args: { at?: Date | null; assetKeys?: readonly string[] | null }, context: AutomationContext): Promise<AssetEvaluation[]> => {
      const graph = requireGraph(context);
      // Resolved before any state is read: an unknown key fails fast.
      const only = args.assetKeys == null ? undefined : new Set(args.assetKeys.map((key) => findAsset(graph, key).id));
      const source = context.catalog?.automation ?? null;
      const [state, cursor] = source ? await Promise.all([source.state(), source.cursor()]) : [EMPTY_STATE, null];
      const now = args.at ?? new Date();
      const { evaluations } = evaluate({ graph, state, cursor, now, full: true, ...(only === undefined ? {} : { only }) });
      return only === undefined ? [...evaluations] : evaluations.filter((evaluation) => only.has(evaluation.assetId));
    },
  },
  Policy: {
    tree: (policy: PolicySpec) => {
      try {
        return treeView(compilePolicy(policy).root);
      } catch (error) {
        if (error instanceof ConditionBuildError) return null;
        throw error;
      }
    },
  },
  Asset: {
    evaluations: async (asset: CatalogAsset, args: { first?: number | null }, context: AutomationContext) => {
      const first = args.first ?? 10;
      if (first < 0 || first > 500) throw badUserInput("first must be between 0 and 500", "first");
      const source = context.catalog?.automation;
      return source ? source.evaluations(asset.id, first) : [];
    },
    freshnessTarget: async (asset: CatalogAsset, _args: unknown, context: AutomationContext) => {
      if (asset.policy === null) return null;
      let target;
      try {
        target = compilePolicy(asset.policy).freshness;
      } catch (error) {
        if (error instanceof ConditionBuildError) return null;
        throw error;
      }
      if (target === null) return null;
      const state = await requestState(context);
      const status = freshnessStatus(target, state.assets.get(asset.id)?.latestMaterialization?.timestamp ?? null, Date.now());
      const instant = (ms: number | null) => (ms === null ? null : new Date(ms));
      return {
        maximumLagMinutes: target.maximumLagMinutes,
        cronSchedule: target.cron,
        cronTimezone: target.cron === null ? null : target.timezone,
        state: status.state === "fresh" ? "FRESH" : "OVERDUE",
        lagMinutes: status.lagMinutes,
        overdueAt: instant(status.overdueAt),
        overdueSince: instant(status.overdueSince),
        reason: status.reason,
      };
    },
  },
  Evaluation: {
    assetKey: (evaluation: AssetEvaluation) => evaluation.assetId,
    evaluatedAt: (evaluation: AssetEvaluation) => evaluation.evaluatedAt,
    tree: (evaluation: AssetEvaluation) => flatten(evaluation.tree),
  },
};

/** The automation module. */
export const automationModule: SchemaModule = { typeDefs, resolvers };
