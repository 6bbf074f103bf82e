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
import { keyFromString } from "../../catalog/model/index.ts";
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
    """
    Over the last \`hours\` (default 24, at most 168: a week), summed over every asset whose policy has an interval
    (minimum_interval, build_after): the runs its policy requested against the upstream updates that landed.
    """
    runSavings(hours: Int): RunSavings!
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
    """
    Over the last \`hours\` (default 24, at most 168): how many runs its policy requested, against the upstream
    updates that landed (what eager without an interval would have built on, one each); null without a policy.
    """
    runSavings(hours: Int): RunSavings
  }

  "Runs requested against upstream updates: what intervals coalesced."
  type RunSavings {
    since: DateTime!
    "Assets counted (Query.runSavings: those whose policy has an interval)."
    assets: Int!
    "Ticks that requested a run of the asset(s)."
    requested: Int!
    "Upstream runs and syncs that landed new data (distinct per upstream asset and run, or time outside runs)."
    upstreamUpdates: Int!
    "upstreamUpdates − requested, at least 0: updates that did not get a run of their own."
    coalesced: Int!
    "False when a history read hit its cap (500 evaluations or 1,000 events per asset): the counts are then lower bounds."
    complete: Boolean!
  }

  enum FreshnessState {
    "Materialized within the target's lag (before the latest deadline, with a cron)."
    FRESH
    "Not: the target was missed."
    OVERDUE
    "Never materialized: it cannot be judged yet (as Dagster's UNKNOWN)."
    UNKNOWN
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
    "A partitioned asset: the partition keys the tick requests (one run each); null for an unpartitioned asset, and for an evaluation stored before they were kept (migration 0011)."
    requestedPartitions: [String!]
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
    "A node evaluated over a partitioned asset: the partitions it was true for; null for an unpartitioned asset."
    partitions: EvaluationPartitions
  }

  "The partitions a condition node was true for."
  type EvaluationPartitions {
    "How many partitions it was true for."
    count: Int!
    "How many partitions exist."
    of: Int!
    "Which, as keys and ranges: 2026-02-25…2026-03-01, 2026-03-04."
    keys: String!
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

function flatten(
  node: EvaluationNode,
  into: { id: string; name: string; label: string; value: boolean; reason: string | null; children: string[]; partitions: EvaluationNode["partitions"] | null }[] = [],
) {
  into.push({ id: node.id, name: node.name, label: node.label, value: node.value, reason: node.reason, children: node.children.map((c) => c.id), partitions: node.partitions ?? null });
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
    runSavings: async (_root: unknown, args: { hours?: number | null }, context: AutomationContext) => {
      const since = savingsSince(args.hours);
      const graph = requireGraph(context);
      const counted = graph.assets.filter((asset) => asset.policy !== null && intervalsOf(asset.policy) > 0);
      const each = await Promise.all(counted.map((asset) => runSavingsOf(asset, since, context)));
      const total = { since: new Date(since), assets: counted.length, requested: 0, upstreamUpdates: 0, coalesced: 0, complete: true };
      for (const one of each) {
        total.requested += one.requested;
        total.upstreamUpdates += one.upstreamUpdates;
        total.coalesced += one.coalesced;
        total.complete &&= one.complete;
      }
      return total;
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
    runSavings: async (asset: CatalogAsset, args: { hours?: number | null }, context: AutomationContext) =>
      asset.policy === null ? null : runSavingsOf(asset, savingsSince(args.hours), context),
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
        state: status.state.toUpperCase(),
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

const MAX_EVALUATIONS = 500;
const MAX_EVENTS = 1000;

function savingsSince(hours: number | null | undefined): number {
  const h = hours ?? 24;
  if (!Number.isInteger(h) || h < 1 || h > 168) throw badUserInput("hours must be a whole number from 1 to 168", "hours");
  return Date.now() - h * 3_600_000;
}

function intervalsOf(policy: PolicySpec): number {
  try {
    return compilePolicy(policy).intervals.length;
  } catch (error) {
    if (error instanceof ConditionBuildError) return 0;
    throw error;
  }
}

/** One asset's requested runs and upstream updates since `since` (epoch ms), from the stored history. */
async function runSavingsOf(asset: CatalogAsset, since: number, context: AutomationContext) {
  const graph = requireGraph(context);
  const source = context.catalog?.automation;
  const reader = context.catalog?.events;
  let complete = true;
  const evaluations = source ? await source.evaluations(asset.id, MAX_EVALUATIONS) : [];
  const inWindow = evaluations.filter((e) => Date.parse(e.evaluatedAt) >= since);
  if (evaluations.length === MAX_EVALUATIONS && inWindow.length === evaluations.length) complete = false;
  const requested = inWindow.filter((e) => e.requested).length;
  let upstreamUpdates = 0;
  if (reader) {
    for (const parent of graph.upstream(asset.id)) {
      const seen = new Set<string>();
      for (const id of [parent.id, ...parent.aliasIds]) {
        const events = await reader.assetEventHistory(keyFromString(id), { kinds: ["materialization"], limit: MAX_EVENTS });
        const recent = events.filter((e) => Date.parse(e.occurredAt) >= since);
        if (events.length === MAX_EVENTS && recent.length === events.length) complete = false;
        for (const event of recent) seen.add(event.tributaryRunId ?? event.runId ?? event.occurredAt);
      }
      upstreamUpdates += seen.size;
    }
  }
  return { since: new Date(since), assets: 1, requested, upstreamUpdates, coalesced: Math.max(0, upstreamUpdates - requested), complete };
}

/** The automation module. */
export const automationModule: SchemaModule = { typeDefs, resolvers };
