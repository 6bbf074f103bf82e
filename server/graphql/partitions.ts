/**
 * Partitions and backfills in the API: `Asset.partitions` (the definition and the state of every partition, as
 * runs of one state for a partitions bar), `Query.backfill(s)`, the mutations `launchBackfill`, `rerunBackfill`
 * (only what failed, was canceled or skipped) and `cancelBackfill`, and a run's partition.
 */
import type { CatalogAsset } from "../../catalog/graph/index.ts";
import type { LaunchedBy, PartitionState, PartitionStatus, RunPartition } from "../../catalog/model/index.ts";
import { describePartitions, keyToString, partitionCalendar, partitionStateRuns } from "../../catalog/model/index.ts";
import type { BackfillPartition, BackfillRecord, RunRecord } from "../../catalog/store/index.ts";
import { BackfillError } from "../../scheduler/runs/index.ts";
import { findAsset } from "./assets.ts";
import { requireGraph, type GraphQLContext, type PartitionsSource } from "./context.ts";
import { badUserInput, launchUnavailable, upstreamNotBuilt } from "./errors.ts";
import type { SchemaModule } from "./module.ts";

/** Most keys one `AssetPartitions.keys` returns. */
export const MAX_PARTITION_KEYS = 1000;
/** Most assets one backfill may name. */
export const MAX_BACKFILL_ASSETS = 500;

const typeDefs = /* GraphQL */ `
  extend type Asset {
    "Its time partitions and the state of each; null for an unpartitioned asset."
    partitions: AssetPartitions
  }

  extend type Query {
    "One backfill by id; null when there is none."
    backfill(id: ID!): Backfill
    "Backfills newest first, of one asset when assetKey is given. first: 20 when omitted, at most 200."
    backfills(assetKey: String, first: Int = 20): [Backfill!]!
  }

  extend type Mutation {
    """
    Backfills partitions from..to (keys of the first asset's partitioning, inclusive) of the assets: one run per
    partition, run in parallel up to the location's partition concurrency. Assets with other partitionings get
    their partitions that overlap the range, and run after the upstream partitions they read. BAD_USER_INPUT
    (naming the argument) for an unpartitioned asset or a key that is no partition; LAUNCH_UNAVAILABLE when this
    server cannot launch runs. A retry with the same idempotencyKey returns the backfill the first call made.
    An unpartitioned asset the partitioned ones read that was never materialized (no materialization recorded,
    no warehouse describing its relation) would fail every partition: UPSTREAM_NOT_BUILT (extensions.
    upstreamAssetKeys names them) unless buildUpstream is true; then they are built once, by the backfill's
    first run (its partition with an empty key, of partitioning "unpartitioned"), before the partitions that read them.
    """
    launchBackfill(assetKeys: [String!]!, from: String!, to: String!, idempotencyKey: String, buildUpstream: Boolean = false): Backfill!
    "Sends again only the partitions that failed, were canceled, or were skipped because one they wait for failed."
    rerunBackfill(id: ID!): Backfill!
    "Sends no more partitions and cancels those running. Null when there is no such backfill."
    cancelBackfill(id: ID!): Backfill
  }

  enum PartitionCadence {
    HOURLY
    DAILY
    WEEKLY
    MONTHLY
    YEARLY
  }

  enum PartitionState {
    MISSING
    MATERIALIZED
    FAILED
    IN_PROGRESS
  }

  "A partitioned asset's partitions: how they are defined, and the state of each."
  type AssetPartitions {
    cadence: PartitionCadence!
    "daily from 2026-09-01 (UTC)"
    description: String!
    "The first partition's start, wall time in timezone."
    start: String!
    timezone: String!
    endOffset: Int!
    "tributary_meta (meta.tributary.partitions) or dbt_microbatch (event_time, batch_size, begin)."
    source: String!
    "How a dbt invocation is told the window, e.g. --vars min_date, max_date (date)."
    windowArgs: String!
    "Partitions that exist now."
    total: Int!
    materialized: Int!
    failed: Int!
    inProgress: Int!
    missing: Int!
    "The latest partition's key; null while none exists."
    latestKey: String
    "Every partition, first to last, as runs of one state (what a partitions bar draws)."
    ranges: [PartitionRange!]!
    "Partition keys from offset (0 the first); first: 1000 when omitted, at most 1000."
    keys(offset: Int = 0, first: Int = 1000): [String!]!
  }

  "Consecutive partitions in one state."
  type PartitionRange {
    state: PartitionState!
    firstKey: String!
    lastKey: String!
    firstIndex: Int!
    lastIndex: Int!
    count: Int!
  }

  enum BackfillStatus {
    RUNNING
    SUCCEEDED
    "Ended with partitions that failed or were skipped: rerunBackfill sends them again."
    FAILED
    CANCELED
  }

  enum BackfillPartitionStatus {
    "Waits for the upstream partitions it reads."
    WAITING
    QUEUED
    RUNNING
    SUCCEEDED
    FAILED
    CANCELED
    "Not run: a partition it waits for failed."
    SKIPPED
  }

  "Partitions of some assets built one run per partition."
  type Backfill {
    id: ID!
    status: BackfillStatus!
    assetKeys: [String!]!
    from: String!
    to: String!
    rangeStart: DateTime!
    rangeEnd: DateTime!
    createdAt: DateTime!
    "Who launched it."
    launchedBy: String
    cancelRequested: Boolean!
    "Its partitions by state (not counting the run that builds its unpartitioned upstream first)."
    counts: BackfillCounts!
    "Its partitions in order; with buildUpstream, the first (an empty key) builds the unpartitioned upstream once."
    partitions: [BackfillPartition!]!
  }

  type BackfillCounts {
    total: Int!
    waiting: Int!
    queued: Int!
    running: Int!
    succeeded: Int!
    failed: Int!
    canceled: Int!
    skipped: Int!
  }

  "One partition of a backfill (of one partitioning), built by its current run."
  type BackfillPartition {
    "The partition's key; empty for the run that builds the backfill's unpartitioned upstream once (launchBackfill's buildUpstream)."
    key: String!
    "daily from 2026-09-01 (UTC)"
    partitioning: String!
    assetKeys: [String!]!
    status: BackfillPartitionStatus!
    runId: ID
    "Runs it has had (more than 1 after rerunBackfill)."
    attempts: Int!
    windowStart: DateTime!
    windowEnd: DateTime!
    startedAt: DateTime
    endedAt: DateTime
    message: String
    "Keys of the partitions it waits for (of other partitionings)."
    dependsOn: [String!]!
  }

  "The partition a run materializes, and the window its tool was given."
  type RunPartition {
    key: String!
    start: DateTime!
    end: DateTime!
    "The --vars the window gave dbt."
    vars: JSON!
  }

  extend type Run {
    "The partition it materializes (a backfill's run); null for an unpartitioned run."
    partition: RunPartition
  }

  extend enum LaunchKind {
    "A backfill launched it for one partition."
    BACKFILL
  }

  extend type LaunchedBy {
    "For BACKFILL: the backfill."
    backfillId: ID
    "For BACKFILL: the partition."
    partitionKey: String
  }
`;

function source(context: GraphQLContext): PartitionsSource | null {
  return context.catalog?.partitions ?? null;
}

const STATE: Record<PartitionState, string> = { missing: "MISSING", materialized: "MATERIALIZED", failed: "FAILED", in_progress: "IN_PROGRESS" };

interface PartitionsView {
  readonly asset: CatalogAsset;
  readonly status: PartitionStatus;
  readonly total: number;
}

function backfillError(error: unknown): never {
  if (error instanceof BackfillError && error.code === "unbuilt_upstream") throw upstreamNotBuilt(error.message, error.upstreamAssetIds);
  if (error instanceof BackfillError) throw badUserInput(error.message, error.field ?? "assetKeys");
  throw error;
}

function requireBackfills(context: GraphQLContext) {
  const backfills = source(context)?.backfills;
  if (!backfills) throw launchUnavailable("This server cannot launch backfills: it was started without a store or runs engine.");
  return backfills;
}

/** The backfill's partitions by state; the run that builds its unpartitioned upstream first is not one. */
function counts(record: BackfillRecord) {
  const partitions = record.partitions.filter((p) => p.runPartition !== null);
  const count = (status: BackfillPartition["status"]) => partitions.filter((p) => p.status === status).length;
  return {
    total: partitions.length,
    waiting: count("waiting"),
    queued: count("queued"),
    running: count("running"),
    succeeded: count("succeeded"),
    failed: count("failed"),
    canceled: count("canceled"),
    skipped: count("skipped"),
  };
}

const resolvers: SchemaModule["resolvers"] = {
  Asset: {
    partitions: async (asset: CatalogAsset, _args: unknown, context: GraphQLContext): Promise<PartitionsView | null> => {
      if (!asset.partitions) return null;
      const total = partitionCalendar(asset.partitions).count(new Date());
      const statuses = source(context);
      const status = statuses ? ((await statuses.statuses([{ assetId: asset.id, definition: asset.partitions }])).get(asset.id) ?? null) : null;
      return { asset, status: status ?? { materialized: [], failed: [], inProgress: [] }, total };
    },
  },
  AssetPartitions: {
    cadence: (view: PartitionsView) => view.asset.partitions!.cadence.toUpperCase(),
    description: (view: PartitionsView) => describePartitions(view.asset.partitions!),
    start: (view: PartitionsView) => view.asset.partitions!.start,
    timezone: (view: PartitionsView) => view.asset.partitions!.timezone,
    endOffset: (view: PartitionsView) => view.asset.partitions!.endOffset,
    source: (view: PartitionsView) => view.asset.partitions!.source,
    windowArgs: (view: PartitionsView) => {
      const args = view.asset.partitions!.windowArgs;
      return args.kind === "event_time" ? "--event-time-start/--event-time-end (dbt microbatch)" : `--vars ${args.startVar}, ${args.endVar} (${args.format})`;
    },
    total: (view: PartitionsView) => view.total,
    materialized: (view: PartitionsView) => countState(view, "materialized"),
    failed: (view: PartitionsView) => countState(view, "failed"),
    inProgress: (view: PartitionsView) => countState(view, "in_progress"),
    missing: (view: PartitionsView) => countState(view, "missing"),
    latestKey: (view: PartitionsView) => (view.total > 0 ? partitionCalendar(view.asset.partitions!).keyAt(view.total - 1) : null),
    ranges: (view: PartitionsView) => {
      const calendar = partitionCalendar(view.asset.partitions!);
      return partitionStateRuns(view.status, view.total).map((run) => ({
        state: STATE[run.state],
        firstKey: calendar.keyAt(run.first),
        lastKey: calendar.keyAt(run.last),
        firstIndex: run.first,
        lastIndex: run.last,
        count: run.last - run.first + 1,
      }));
    },
    keys: (view: PartitionsView, args: { offset?: number | null; first?: number | null }) => {
      const offset = args.offset ?? 0;
      const first = args.first ?? MAX_PARTITION_KEYS;
      if (!Number.isInteger(offset) || offset < 0) throw badUserInput("offset must be 0 or more", "offset");
      if (!Number.isInteger(first) || first < 0 || first > MAX_PARTITION_KEYS) throw badUserInput(`first must be between 0 and ${MAX_PARTITION_KEYS}`, "first");
      const calendar = partitionCalendar(view.asset.partitions!);
      const keys: string[] = [];
      for (let i = offset; i < Math.min(view.total, offset + first); i++) keys.push(calendar.keyAt(i));
      return keys;
    },
  },
  Query: {
    backfill: async (_root: unknown, args: { id: string }, context: GraphQLContext) => (await source(context)?.getBackfill(args.id)) ?? null,
    backfills: async (_root: unknown, args: { assetKey?: string | null; first?: number | null }, context: GraphQLContext) => {
      const first = args.first ?? 20;
      if (!Number.isInteger(first) || first < 0 || first > 200) throw badUserInput("first must be between 0 and 200", "first");
      const assetId = args.assetKey ? findAsset(requireGraph(context), args.assetKey).id : null;
      return (await source(context)?.listBackfills({ first, assetId })) ?? [];
    },
  },
  Mutation: {
    launchBackfill: async (
      _root: unknown,
      args: { assetKeys: readonly string[]; from: string; to: string; idempotencyKey?: string | null; buildUpstream?: boolean | null },
      context: GraphQLContext,
    ) => {
      if (args.assetKeys.length === 0) throw badUserInput("assetKeys must name at least one asset", "assetKeys");
      if (args.assetKeys.length > MAX_BACKFILL_ASSETS) throw badUserInput(`assetKeys may name at most ${MAX_BACKFILL_ASSETS} assets`, "assetKeys");
      const key = args.idempotencyKey ?? null;
      if (key !== null && (key.trim() === "" || key.length > 200)) throw badUserInput("idempotencyKey must be 1 to 200 characters, not blank", "idempotencyKey");
      const graph = requireGraph(context);
      const assetIds = [...new Set(args.assetKeys.map((assetKey) => findAsset(graph, assetKey).id))];
      const backfills = requireBackfills(context);
      return backfills
        .launch({ assetIds, from: args.from.trim(), to: args.to.trim(), user: context.caller.name, idempotencyKey: key === null ? null : `api:${key}`, buildUpstream: args.buildUpstream === true })
        .catch(backfillError);
    },
    rerunBackfill: async (_root: unknown, args: { id: string }, context: GraphQLContext) => requireBackfills(context).rerunFailed(args.id, context.caller.name).catch(backfillError),
    cancelBackfill: async (_root: unknown, args: { id: string }, context: GraphQLContext) => requireBackfills(context).cancel(args.id).catch(backfillError),
  },
  Backfill: {
    status: (record: BackfillRecord) => record.status.toUpperCase(),
    assetKeys: (record: BackfillRecord) => record.assetKeys.map(keyToString),
    from: (record: BackfillRecord) => record.fromKey,
    to: (record: BackfillRecord) => record.toKey,
    counts,
    partitions: (record: BackfillRecord) => record.partitions.map((p) => ({ ...p, bySeq: new Map(record.partitions.map((q) => [q.seq, q.partitionKey])) })),
  },
  BackfillPartition: {
    key: (p: BackfillPartition) => p.partitionKey,
    assetKeys: (p: BackfillPartition) => p.assetKeys.map(keyToString),
    status: (p: BackfillPartition) => p.status.toUpperCase(),
    dependsOn: (p: BackfillPartition & { bySeq: Map<number, string> }) => p.dependsOn.map((seq) => p.bySeq.get(seq) ?? String(seq)),
  },
  Run: {
    partition: (run: RunRecord): RunPartition | null => run.partition ?? null,
  },
  LaunchKind: { BACKFILL: "backfill" },
  LaunchedBy: {
    backfillId: (by: LaunchedBy) => (by.kind === "backfill" ? by.backfillId : null),
    partitionKey: (by: LaunchedBy) => (by.kind === "backfill" ? by.partitionKey : null),
  },
};

/** How many partitions are in a state now (a partition in progress counts as in progress only). */
function countState(view: PartitionsView, state: PartitionState): number {
  return partitionStateRuns(view.status, view.total)
    .filter((run) => run.state === state)
    .reduce((sum, run) => sum + run.last - run.first + 1, 0);
}

export const partitionsModule: SchemaModule = { typeDefs, resolvers };
