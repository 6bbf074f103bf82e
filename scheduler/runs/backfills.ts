/**
 * Backfills: a range of partitions of some partitioned assets, one run per partition, run in parallel.
 *
 * Planning (Dagster's backfill daemon plans the same way, with TimeWindowPartitionMapping):
 * - the range [from, to] is given in keys of the first asset's partitioning and stands for the time it covers;
 * - the assets are grouped by partitioning (and by how many changes of partitioning lie upstream of them within
 *   the selection, so the groups stay ordered); each group gets the partitions of its own partitioning that
 *   overlap the range: a daily model and the monthly model reading it make 31 daily and 1 monthly partition;
 * - a partition depends on the partitions of upstream groups whose windows overlap its own: the monthly
 *   partition runs once the 31 daily ones of its month succeeded; partitions of one group do not wait for each
 *   other (each reads upstream data of its own window).
 * - an unpartitioned asset the selected partitioned ones read, that something builds but that was never
 *   materialized (no materialization recorded, and no warehouse describes its relation), would make every
 *   partition fail: the launch is refused (`unbuilt_upstream`, naming it and how to build it) unless the caller
 *   asks `buildUpstream`; then it is built once, by a run of its own before the partitions that read it (Dagster's
 *   asset backfills likewise materialize an unpartitioned asset once, before the partitions downstream of it).
 * Execution: each partition is a run (one dbt invocation with its window) on the location's partition queue,
 * which runs `partitionConcurrency` at once per process. The runs engine gives a run its exactly-once start,
 * its takeover after a crash and its events (tagged with the partition). A partition that waits is sent in the
 * transaction that finishes the last partition it waits for (the engine's onRunFinished), so a crash can
 * neither lose nor duplicate it. Re-running a backfill sends again only the partitions that failed, were
 * canceled, or were skipped because one they wait for failed.
 */
import { randomUUID } from "node:crypto";
import type { CatalogAsset, CatalogGraph } from "../../catalog/graph/index.ts";
import type { AssetKey, PartitionsDefinition, RunPartition } from "../../catalog/model/index.ts";
import { describePartitions, keyToString, overlappingPartitions, partitionCalendar, partitionsFingerprint, windowArgValues } from "../../catalog/model/index.ts";
import type { BackfillPartition, BackfillRecord, CatalogStore, NewBackfillPartition, NewRun, NewStep, RunRecord, SqlClient } from "../../catalog/store/index.ts";
import { backfillSql } from "../../catalog/store/index.ts";
import type { EngineLogger, RunEngine } from "./engine.ts";
import { newRunId, partitionQueueName } from "./engine.ts";

/** A backfill that cannot be made as asked; `field` names the argument at fault. */
export class BackfillError extends Error {
  override readonly name = "BackfillError";
  constructor(
    readonly code: "unknown_asset" | "not_partitioned" | "not_launchable" | "invalid_range" | "not_found" | "nothing_to_rerun" | "catalog_loading" | "unbuilt_upstream",
    message: string,
    readonly field: string | null = null,
    /** For `unbuilt_upstream`: the upstream assets never materialized, as key strings. */
    readonly upstreamAssetIds: readonly string[] = [],
  ) {
    super(message);
  }
}

export interface LaunchBackfillInput {
  readonly assetIds: readonly string[];
  /** First and last partition key (inclusive), of the first asset's partitioning. */
  readonly from: string;
  readonly to: string;
  readonly user: string | null;
  /** A retried request with the same key finds the backfill it made. */
  readonly idempotencyKey?: string | null;
  /**
   * Build the unpartitioned upstream assets that were never materialized once, before the partitions that read
   * them; without it such an upstream refuses the launch (`unbuilt_upstream`).
   */
  readonly buildUpstream?: boolean;
}

/** The partitioning label and key of a backfill's run of its unpartitioned upstream (built once, first). */
export const UPSTREAM_PARTITIONING = "unpartitioned";
export const UPSTREAM_PARTITION_KEY = "";

export interface BackfillService {
  launch(input: LaunchBackfillInput): Promise<BackfillRecord>;
  /** Sends again the partitions that failed, were canceled or skipped; the others are left as they are. */
  rerunFailed(backfillId: string, user: string | null): Promise<BackfillRecord>;
  /** Stops sending partitions and cancels the runs in flight. */
  cancel(backfillId: string): Promise<BackfillRecord | null>;
  get(backfillId: string): Promise<BackfillRecord | null>;
  list(options: { readonly first: number; readonly assetId?: string | null }): Promise<BackfillRecord[]>;
  /** The engine's onRunFinished: the partitions the ended run unblocks, as runs to send in its transaction. */
  onRunFinished(tx: SqlClient, run: RunRecord): Promise<NewRun[]>;
}

export interface BackfillServiceOptions {
  readonly store: CatalogStore;
  readonly engine: Pick<RunEngine, "plan" | "submit" | "notify" | "cancel">;
  readonly graph: () => CatalogGraph | null;
  readonly logger: EngineLogger;
  readonly now?: () => Date;
}

/** One group of assets that share a partitioning and a place in the order. */
interface PartitionGroup {
  readonly def: PartitionsDefinition;
  readonly assets: CatalogAsset[];
  readonly depth: number;
  /** Indexes of groups this one reads from. */
  readonly upstream: Set<number>;
}

export function createBackfillService(options: BackfillServiceOptions): BackfillService {
  const { store, engine, logger } = options;
  const now = options.now ?? (() => new Date());

  /**
   * The unpartitioned assets the selected ones read directly, not selected themselves, that something builds
   * but that were never materialized: no materialization recorded, and no warehouse describes their relation.
   * Each comes with the selected assets that read it.
   */
  async function unbuiltUpstream(graph: CatalogGraph, assets: readonly CatalogAsset[]): Promise<{ asset: CatalogAsset; readers: string[] }[]> {
    const selected = new Set(assets.map((a) => a.id));
    const candidates = new Map<string, { asset: CatalogAsset; readers: string[] }>();
    for (const asset of assets) {
      for (const parent of graph.upstream(asset.id)) {
        if (selected.has(parent.id) || parent.partitions || !parent.materializer || parent.tableStats) continue;
        const entry = candidates.get(parent.id) ?? { asset: parent, readers: [] };
        entry.readers.push(asset.id);
        candidates.set(parent.id, entry);
      }
    }
    const unbuilt: { asset: CatalogAsset; readers: string[] }[] = [];
    for (const entry of candidates.values()) {
      const built = await store.assetEventHistory(entry.asset.key, { kinds: ["materialization"], limit: 1 });
      if (built.length === 0) unbuilt.push(entry);
    }
    return unbuilt.sort((a, b) => a.asset.id.localeCompare(b.asset.id));
  }

  async function plan(input: LaunchBackfillInput, backfillId: string): Promise<{ partitions: NewBackfillPartition[]; rangeStart: string; rangeEnd: string; assetKeys: AssetKey[] }> {
    const graph = options.graph();
    if (!graph) throw new BackfillError("catalog_loading", "The catalog is still loading; try again in a moment");
    if (input.assetIds.length === 0) throw new BackfillError("unknown_asset", "A backfill needs at least one asset", "assetIds");
    const assets: CatalogAsset[] = [];
    for (const id of input.assetIds) {
      const asset = graph.get(id);
      if (!asset) throw new BackfillError("unknown_asset", `No asset ${id} in the catalog`, "assetIds");
      if (!asset.partitions) throw new BackfillError("not_partitioned", `${asset.id} is not partitioned: declare meta.tributary.partitions, or make it a dbt microbatch model`, "assetIds");
      if (!asset.materializer) throw new BackfillError("not_launchable", `${asset.id} has nothing that builds it`, "assetIds");
      if (!assets.includes(asset)) assets.push(asset);
    }
    const primary = partitionCalendar(assets[0]!.partitions!);
    const at = now();
    const count = primary.count(at);
    const indexOf = (key: string, field: "from" | "to"): number => {
      const index = primary.indexOf(key);
      if (index === null) {
        throw new BackfillError("invalid_range", `"${key}" is not a partition of ${assets[0]!.id} (${describePartitions(primary.def)}; keys look like ${primary.keyAt(0)})`, field);
      }
      if (index >= count) {
        throw new BackfillError("invalid_range", `partition ${key} of ${assets[0]!.id} does not exist yet${count > 0 ? `; the latest is ${primary.keyAt(count - 1)}` : ""}`, field);
      }
      return index;
    };
    const fromIndex = indexOf(input.from, "from");
    const toIndex = indexOf(input.to, "to");
    if (toIndex < fromIndex) throw new BackfillError("invalid_range", `to (${input.to}) is before from (${input.from})`, "to");
    const rangeStart = primary.windowAt(fromIndex).start;
    const rangeEnd = primary.windowAt(toIndex).end;

    const partitions: NewBackfillPartition[] = [];
    const unbuilt = await unbuiltUpstream(graph, assets);
    const upstreamIds = new Set(unbuilt.map((u) => u.asset.id));
    if (unbuilt.length > 0 && input.buildUpstream !== true) {
      const ids = unbuilt.map((u) => u.asset.id);
      const reads = unbuilt.map((u) => `${listIds(u.readers)} read${u.readers.length === 1 ? "s" : ""} ${u.asset.id}`).join("; ");
      throw new BackfillError(
        "unbuilt_upstream",
        `${reads}: not partitioned and never materialized, so every partition would fail. ` +
          `Build ${ids.length === 1 ? "it" : "them"} first (tributary materialize ${ids.join(" ")}), or backfill with buildUpstream (tributary backfill … --build-upstream) to build ${ids.length === 1 ? "it" : "them"} once before the partitions`,
        "assetIds",
        ids,
      );
    }
    if (unbuilt.length > 0) {
      // Built once, first: seq 0, which the partitions reading it wait for.
      const planned = engine.plan([...upstreamIds]);
      if (planned.steps.length === 0 || planned.unlaunchable.length > 0) {
        const reason = planned.unlaunchable[0];
        throw new BackfillError("not_launchable", `${reason?.assetId ?? [...upstreamIds][0]} (upstream) cannot be launched: ${reason?.reason ?? "no launcher"}`, "assetIds", [...upstreamIds]);
      }
      partitions.push({
        seq: 0,
        partitioning: UPSTREAM_PARTITIONING,
        partitionKey: UPSTREAM_PARTITION_KEY,
        windowStart: rangeStart,
        windowEnd: rangeEnd,
        assetKeys: unbuilt.map((u) => u.asset.key),
        dependsOn: [],
        runSteps: planned.steps.map((s) => ({ tool: s.tool, locationName: s.locationName, targets: s.targets, queue: s.queue })),
        runPartition: null,
      });
    }

    const groups = groupAssets(graph, assets);
    const seqsByGroup: { seq: number; start: number; end: number }[][] = [];
    for (const group of groups) {
      const calendar = partitionCalendar(group.def);
      const range = overlappingPartitions(group.def, new Date(rangeStart), new Date(rangeEnd), at);
      const mine: { seq: number; start: number; end: number }[] = [];
      seqsByGroup.push(mine);
      if (range === null) continue;
      const planned = engine.plan(group.assets.map((a) => a.id));
      if (planned.steps.length === 0) {
        const reason = planned.unlaunchable[0];
        throw new BackfillError("not_launchable", `${reason?.assetId ?? group.assets[0]!.id} cannot be launched: ${reason?.reason ?? "no launcher"}`, "assetIds");
      }
      const steps: NewStep[] = planned.steps.map((s) => ({ tool: s.tool, locationName: s.locationName, targets: s.targets, queue: partitionQueueName(s.tool, s.locationName) }));
      const label = describePartitions(group.def);
      const readsUpstream = group.assets.some((a) => graph.upstream(a.id).some((parent) => upstreamIds.has(parent.id)));
      for (let index = range.first; index <= range.last; index++) {
        const window = calendar.windowAt(index);
        const start = Date.parse(window.start);
        const end = Date.parse(window.end);
        const dependsOn: number[] = readsUpstream ? [0] : [];
        for (const upstream of group.upstream) {
          for (const other of seqsByGroup[upstream]!) if (other.start < end && start < other.end) dependsOn.push(other.seq);
        }
        const seq = partitions.length;
        mine.push({ seq, start, end });
        partitions.push({
          seq,
          partitioning: label,
          partitionKey: window.key,
          windowStart: window.start,
          windowEnd: window.end,
          assetKeys: group.assets.map((a) => a.key),
          dependsOn,
          runSteps: steps,
          runPartition: partitionRunFor(group.assets, window),
        });
      }
    }
    if (partitions.every((p) => p.runPartition === null)) throw new BackfillError("invalid_range", `No partition of the selected assets overlaps ${input.from} … ${input.to}`, "from");
    logger.info({ backfillId, partitions: partitions.length, groups: groups.length, upstream: [...upstreamIds] }, "backfill planned");
    return { partitions, rangeStart, rangeEnd, assetKeys: assets.map((a) => a.key) };
  }

  function runFor(backfillId: string, partition: BackfillPartition | NewBackfillPartition, attempt: number, user: string | null): NewRun {
    return {
      id: newRunId(),
      idempotencyKey: `backfill:${backfillId}:${partition.seq}:${attempt}`,
      launchedBy: { kind: "backfill", backfillId, partitionKey: partition.partitionKey, user },
      attempt,
      partition: partition.runPartition,
      steps: partition.runSteps,
    };
  }

  /** Sends the ready partitions of a backfill inside `tx`; returns the runs to reserve. */
  async function sendReady(tx: SqlClient, backfillId: string, afterSeq: number | null, user: string | null): Promise<NewRun[]> {
    const ready = await backfillSql.readyPartitions(tx, backfillId, afterSeq);
    const runs: NewRun[] = [];
    for (const partition of ready) {
      const run = runFor(backfillId, partition, partition.attempts + 1, user);
      await backfillSql.setPartitionRun(tx, backfillId, partition.seq, run.id);
      runs.push(run);
    }
    return runs;
  }

  async function mustGet(id: string): Promise<BackfillRecord> {
    const record = await backfillSql.getBackfill(store.client, id);
    if (!record) throw new BackfillError("not_found", `No backfill ${id}`, "id");
    return record;
  }

  return {
    async launch(input) {
      const id = randomUUID();
      const planned = await plan(input, id);
      const created = await store.client.transaction(async (tx) => {
        const inserted = await backfillSql.insertBackfill(tx, {
          id,
          idempotencyKey: input.idempotencyKey ?? `backfill:${id}`,
          assetKeys: planned.assetKeys,
          fromKey: input.from,
          toKey: input.to,
          rangeStart: planned.rangeStart,
          rangeEnd: planned.rangeEnd,
          launchedBy: input.user,
          partitions: planned.partitions,
        });
        if (!inserted) return { id: null, runs: [] as RunRecord[] };
        return { id, runs: await engine.submit(tx, await sendReady(tx, id, null, input.user)) };
      });
      engine.notify(created.runs);
      if (created.id === null) {
        const rows = await store.client.query<{ id: string }>("SELECT id FROM backfills WHERE idempotency_key = $1", [input.idempotencyKey]);
        return mustGet(rows[0]!.id);
      }
      logger.info({ backfillId: id, partitions: planned.partitions.length, sent: created.runs.length, user: input.user }, "backfill launched");
      return mustGet(id);
    },

    async rerunFailed(backfillId, user) {
      await mustGet(backfillId);
      const runs = await store.client.transaction(async (tx) => {
        const again = await backfillSql.unfinishedPartitions(tx, backfillId);
        if (again.length === 0) return null;
        await tx.query("UPDATE backfills SET cancel_requested = false WHERE id = $1", [backfillId]);
        for (const partition of again) await backfillSql.clearPartitionRun(tx, backfillId, partition.seq);
        return engine.submit(tx, await sendReady(tx, backfillId, null, user));
      });
      if (runs === null) throw new BackfillError("nothing_to_rerun", `Backfill ${backfillId} has no partition that failed, was canceled or skipped`, "id");
      engine.notify(runs);
      logger.info({ backfillId, sent: runs.length, user }, "backfill's failed partitions sent again");
      return mustGet(backfillId);
    },

    async cancel(backfillId) {
      if (!(await backfillSql.requestBackfillCancel(store.client, backfillId))) return null;
      const record = await mustGet(backfillId);
      for (const partition of record.partitions) {
        if (partition.runId && (partition.status === "queued" || partition.status === "running")) await engine.cancel(partition.runId);
      }
      logger.info({ backfillId }, "backfill cancel requested");
      return mustGet(backfillId);
    },

    get: (id) => backfillSql.getBackfill(store.client, id),
    list: (listOptions) => backfillSql.listBackfills(store.client, listOptions),

    async onRunFinished(tx, run) {
      if (run.launchedBy.kind !== "backfill" || run.status !== "succeeded") return [];
      const partition = await backfillSql.partitionOfRun(tx, run.id);
      if (!partition) return [];
      const canceled = await tx.query<{ cancel_requested: boolean }>("SELECT cancel_requested FROM backfills WHERE id = $1 FOR UPDATE", [partition.backfillId]);
      if (canceled[0]?.cancel_requested !== false) return [];
      return sendReady(tx, partition.backfillId, partition.seq, run.launchedBy.user);
    },
  };
}

/**
 * What a run of one partition of assets sharing a partitioning tells its tool: the window, and every asset's
 * window vars (a backfill's partition, and a policy's request of a partition).
 */
export function partitionRunFor(assets: readonly CatalogAsset[], window: { readonly key: string; readonly start: string; readonly end: string }): RunPartition {
  const vars: Record<string, string> = {};
  let eventTimeStart = "";
  let eventTimeEnd = "";
  for (const asset of assets) {
    const values = windowArgValues(asset.partitions!, window);
    Object.assign(vars, values.vars);
    eventTimeStart = values.eventTimeStart;
    eventTimeEnd = values.eventTimeEnd;
  }
  return { key: window.key, start: window.start, end: window.end, vars, eventTimeStart, eventTimeEnd };
}

/**
 * Groups the selected assets by partitioning and depth: an asset's depth is the most changes of partitioning
 * on a path to it from selected ancestors. Assets of one group run together (one invocation per partition);
 * groups are returned upstream first, each naming the groups it reads from.
 */
function groupAssets(graph: CatalogGraph, assets: readonly CatalogAsset[]): PartitionGroup[] {
  const selected = new Set(assets.map((a) => a.id));
  const ancestorsMemo = new Map<string, Set<string>>();
  /** The selected assets upstream of `id` (through unselected ones too). */
  const selectedAncestors = (id: string, visiting = new Set<string>()): Set<string> => {
    const known = ancestorsMemo.get(id);
    if (known) return known;
    const found = new Set<string>();
    if (visiting.has(id)) return found;
    visiting.add(id);
    for (const parent of graph.upstream(id)) {
      if (selected.has(parent.id)) found.add(parent.id);
      for (const a of selectedAncestors(parent.id, visiting)) found.add(a);
    }
    ancestorsMemo.set(id, found);
    return found;
  };
  const depthMemo = new Map<string, number>();
  const byId = new Map(assets.map((a) => [a.id, a]));
  const depth = (asset: CatalogAsset, visiting = new Set<string>()): number => {
    const known = depthMemo.get(asset.id);
    if (known !== undefined) return known;
    if (visiting.has(asset.id)) return 0;
    visiting.add(asset.id);
    let result = 0;
    for (const id of selectedAncestors(asset.id)) {
      const parent = byId.get(id)!;
      const change = partitionsFingerprint(parent.partitions!) === partitionsFingerprint(asset.partitions!) ? 0 : 1;
      result = Math.max(result, depth(parent, visiting) + change);
    }
    depthMemo.set(asset.id, result);
    return result;
  };
  const groups: PartitionGroup[] = [];
  const groupOf = new Map<string, number>();
  const keyed = new Map<string, number>();
  const ordered = [...assets].sort((a, b) => depth(a) - depth(b));
  for (const asset of ordered) {
    const key = `${partitionsFingerprint(asset.partitions!)}@${depth(asset)}`;
    let index = keyed.get(key);
    if (index === undefined) {
      index = groups.length;
      keyed.set(key, index);
      groups.push({ def: asset.partitions!, assets: [], depth: depth(asset), upstream: new Set() });
    }
    groups[index]!.assets.push(asset);
    groupOf.set(asset.id, index);
  }
  for (const asset of assets) {
    const mine = groupOf.get(asset.id)!;
    for (const id of selectedAncestors(asset.id)) {
      const theirs = groupOf.get(id)!;
      if (theirs !== mine) groups[mine]!.upstream.add(theirs);
    }
  }
  return groups;
}

/** `a`, `a and b`, `a, b and c`. */
function listIds(ids: readonly string[]): string {
  return ids.length <= 1 ? (ids[0] ?? "") : `${ids.slice(0, -1).join(", ")} and ${ids[ids.length - 1]}`;
}

/** The key string of each asset of a backfill, for logs and messages. */
export function backfillAssetIds(record: BackfillRecord): string[] {
  return record.assetKeys.map(keyToString);
}
