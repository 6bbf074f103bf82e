/**
 * A fake world for evaluate() tests: a graph from specs, an event log with growing storage ids, runs in
 * progress, and a tick() that passes the previous cursor along. Time is passed, never read from a clock.
 */
import { buildCatalogGraph } from "../../catalog/graph/build.ts";
import { definitions, spec } from "../../catalog/graph/test-specs.ts";
import type { CatalogGraph } from "../../catalog/graph/types.ts";
import type { AssetSpec, PartitionsDefinition, PolicySpec } from "../../catalog/model/index.ts";
import { parsePartitionsSpec, partitionCalendar, rangesAdd, rangesRemove } from "../../catalog/model/index.ts";
import type { EvaluationNode } from "../../catalog/model/evaluation.ts";
import { evaluate } from "./evaluate.ts";
import type { EvaluateResult } from "./evaluate.ts";
import type { AssetRuntimeState, AutomationState, EvaluationCursor, PartitionRuntimeState, UnseenUpdates } from "./state.ts";

const AT = { file: "models/schema.yml", line: 1 };

/** A policy spec as the loader would produce it. */
export function amp(type: "eager" | "lazy" | "on_missing"): PolicySpec;
export function amp(type: "on_cron", cronSchedule: string, cronTimezone?: string): PolicySpec;
export function amp(type: "eager" | "lazy" | "on_missing" | "on_cron", cronSchedule: string | null = null, cronTimezone: string | null = null): PolicySpec {
  return { source: "auto_materialize_policy", type, cronSchedule, cronTimezone, declaredIn: AT };
}

/** An automation_condition policy from its YAML form. */
export function condition(yaml: unknown): PolicySpec {
  return { source: "automation_condition", condition: yaml, declaredIn: AT };
}

/** A node spec: `node("b", {deps: ["a"], policy})`. */
export function node(key: string, overrides: Parameters<typeof spec>[1] = {}): AssetSpec {
  return spec(key, overrides);
}

/** A source nothing in the catalog builds. */
export function source(key: string): AssetSpec {
  return spec(key, { materializer: null, dbtUniqueId: null });
}

export function graphOf(...specs: AssetSpec[]): CatalogGraph {
  return buildCatalogGraph({ definitions: [definitions("shop", specs)] });
}

/** Time partitions as `meta.tributary.partitions` declares them: `partitionsOf({type: "daily", start_date: "2026-02-25"})`. */
export function partitionsOf(spec: Record<string, unknown>): PartitionsDefinition {
  const parsed = parsePartitionsSpec(spec, AT);
  if (!parsed.definition) throw new Error(`bad partitions spec: ${parsed.errors.map((e) => `${e.field}: ${e.message}`).join("; ")}`);
  return parsed.definition;
}

/** Minutes after 2026-03-02T00:00Z, as epoch ms. */
export function minute(m: number): number {
  return Date.UTC(2026, 2, 2) + m * 60_000;
}

/** A world that ticks: holds the event log, runs and the cursor between ticks. */
export class World {
  private nextId = 1;
  private readonly assets = new Map<string, AssetRuntimeState>();
  cursor: EvaluationCursor | null = null;
  last: EvaluateResult | null = null;

  constructor(public graph: CatalogGraph) {}

  private update(id: string, change: Partial<AssetRuntimeState>): void {
    this.assets.set(id, { ...this.assets.get(id), ...change });
  }

  /** Records a materialization; `runSelection` is the explicit selection of the run that made it. */
  materialize(id: string, at: number, runSelection: string[] | null = null, runId: string | null = null): void {
    const record = { storageId: this.nextId++, timestamp: at, runId, runAssetSelection: runSelection };
    // The world knows which materializations runs made, so it always says (see AssetRuntimeState).
    const latestRunMaterialization = runId === null ? (this.assets.get(id)?.latestRunMaterialization ?? null) : record;
    this.update(id, { latestMaterialization: record, latestRunMaterialization });
  }

  /** One run that builds several assets, in order, with an explicit selection of all of them. */
  run(ids: string[], at: number): void {
    for (const id of ids) this.materialize(id, at, ids, `run-${this.nextId}`);
  }

  observe(id: string, at: number, dataVersion: string | null): void {
    const previous = this.assets.get(id)?.latestObservation;
    const storageId = this.nextId++;
    const changed = dataVersion === null || previous?.dataVersion !== dataVersion;
    this.update(id, {
      latestObservation: { storageId, timestamp: at, dataVersion, dataVersionStorageId: changed ? storageId : previous!.dataVersionStorageId },
    });
  }

  /** Forgets the asset's materialization (a table dropped and its history wiped). */
  wipe(id: string): void {
    this.update(id, { latestMaterialization: null, latestRunMaterialization: null, latestObservation: null });
  }

  fail(id: string, at: number, runId: string | null = "failed-run"): void {
    this.update(id, { latestFailure: { storageId: this.nextId++, timestamp: at, runId } });
  }

  setInProgress(id: string, runId: string | null): void {
    this.update(id, { runInProgress: runId });
  }

  setBackfill(id: string, on: boolean): void {
    this.update(id, { backfillInProgress: on });
  }

  private partitionIndex(id: string, key: string): number {
    const def = this.graph.get(id)?.partitions;
    if (!def) throw new Error(`${id} is not partitioned`);
    const index = partitionCalendar(def).indexOf(key);
    if (index === null) throw new Error(`${key} is not a partition of ${id}`);
    return index;
  }

  private updatePartitions(id: string, change: (p: PartitionRuntimeState) => PartitionRuntimeState): void {
    const current = this.assets.get(id)?.partitions ?? { materialized: [], failed: [], inProgress: [], updates: [] };
    this.update(id, { partitions: change(current) });
  }

  /** Records a materialization of one partition (also the asset's latest materialization, as the event log has it). */
  materializePartition(id: string, key: string, at: number, runId: string | null = null, runSelection: string[] = [id]): void {
    const index = this.partitionIndex(id, key);
    const storageId = this.nextId;
    this.materialize(id, at, runId === null ? null : runSelection, runId);
    this.updatePartitions(id, (p) => ({
      ...p,
      materialized: rangesAdd(p.materialized, index),
      failed: rangesRemove(p.failed, index),
      updates: [...p.updates.filter((u) => u.index !== index), { index, storageId, timestamp: at }],
    }));
  }

  /** A run of one partition failed. */
  failPartition(id: string, key: string, at: number): void {
    const index = this.partitionIndex(id, key);
    this.fail(id, at);
    this.updatePartitions(id, (p) => ({ ...p, failed: rangesAdd(p.failed, index) }));
  }

  /** A run of one partition is queued or running (on), or ended (off). */
  setPartitionInProgress(id: string, key: string, on: boolean): void {
    const index = this.partitionIndex(id, key);
    this.updatePartitions(id, (p) => ({ ...p, inProgress: on ? rangesAdd(p.inProgress, index) : rangesRemove(p.inProgress, index) }));
    // As the store has it: a run of any partition is a run of the asset in progress.
    this.update(id, { runInProgress: this.assets.get(id)!.partitions!.inProgress.length > 0 ? `run-of-${id}` : null });
  }

  /** The partition keys the last tick requested for an asset. */
  requestedPartitions(id: string): readonly string[] {
    return this.last?.partitionRequests.get(id) ?? [];
  }

  /**
   * An update whose transaction committed late (on a Postgres server): it took `storageId`, an id a tick has
   * already passed, and only the next tick sees it (listed in its `unseenUpdates`, as the daemon's builder does).
   * `latest: false`: it happened before the asset's latest update, which stays the latest.
   */
  updateLate(id: string, at: number, storageId: number, kind: "materialization" | "observation" = "materialization", options: { latest?: boolean } = {}): void {
    if (storageId >= this.nextId) throw new Error("a late update takes an id a tick has already passed");
    if (options.latest !== false) {
      if (kind === "materialization") this.update(id, { latestMaterialization: { storageId, timestamp: at, runId: null, runAssetSelection: null } });
      else this.update(id, { latestObservation: { storageId, timestamp: at, dataVersion: null, dataVersionStorageId: storageId } });
    }
    this.unseen.set(id, { materialized: kind === "materialization", observed: kind === "observation" });
  }

  private unseen = new Map<string, UnseenUpdates>();

  /** Takes the next storage id for an update that commits later ({@link updateLate}). */
  reserveId(): number {
    return this.nextId++;
  }

  /** The automation state as a tick reads it now. */
  state(): AutomationState {
    const state = { lastEventId: this.nextId - 1, assets: new Map(this.assets) };
    return this.unseen.size === 0 ? state : { ...state, unseenUpdates: new Map(this.unseen) };
  }

  /** Evaluates at `at` with the previous cursor; returns the requested ids. */
  tick(at: number, options: { full?: boolean } = {}): string[] {
    this.last = evaluate({
      graph: this.graph,
      state: this.state(),
      now: at,
      cursor: this.cursor,
      full: options.full ?? false,
    });
    this.cursor = this.last.cursor;
    // The next tick has seen them.
    this.unseen.clear();
    return [...this.last.requests];
  }

  /** The evaluation tree of an asset at the last tick (undefined when it was carried forward). */
  evaluation(id: string): EvaluationNode | undefined {
    return this.last?.evaluations.find((e) => e.assetId === id)?.tree;
  }
}

/** Finds the first node with a label (depth first). */
export function findNode(tree: EvaluationNode | undefined, label: string): EvaluationNode | undefined {
  if (tree === undefined) return undefined;
  if (tree.label === label) return tree;
  for (const child of tree.children) {
    const found = findNode(child, label);
    if (found) return found;
  }
  return undefined;
}
