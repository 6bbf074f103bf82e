/**
 * What the asset page's history plots and tables read, derived from `Asset.materializations` and
 * `Asset.checkResults` (newest first on the wire). Free of React, so it is tested on its own.
 */
import type { CheckOutcome, CheckResult, Evaluation, Materialization } from "../types.ts";

export type RuntimeSource = Pick<Materialization, "id" | "status" | "occurredAt" | "durationMs" | "tributaryRunId">;

export interface RuntimePoint {
  readonly id: string;
  readonly at: Date;
  /** How long it took; null when the tool did not say (a failure often has no duration). */
  readonly ms: number | null;
  readonly failed: boolean;
  readonly runId: string | null;
  /** At least twice the median of the successful runs (and a second longer): a spike. */
  readonly spike: boolean;
}

export interface RuntimeSeries {
  /** Oldest first. */
  readonly points: readonly RuntimePoint[];
  /** Median duration of the successful materializations with a duration; null without any. */
  readonly medianMs: number | null;
  readonly failures: number;
  readonly spikes: number;
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function runtimeSeries(materializations: readonly RuntimeSource[]): RuntimeSeries {
  const ordered = materializations
    .map((m) => ({ m, at: new Date(m.occurredAt) }))
    .filter(({ at }) => !Number.isNaN(at.getTime()))
    .sort((a, b) => a.at.getTime() - b.at.getTime() || Number(a.m.id) - Number(b.m.id));
  const medianMs = median(ordered.filter(({ m }) => m.status === "SUCCESS" && m.durationMs !== null).map(({ m }) => m.durationMs!));
  const points = ordered.map(({ m, at }) => ({
    id: m.id,
    at,
    ms: m.durationMs,
    failed: m.status === "FAILURE",
    runId: m.tributaryRunId,
    spike: medianMs !== null && m.durationMs !== null && m.durationMs >= 2 * medianMs && m.durationMs - medianMs >= 1000,
  }));
  return { points, medianMs, failures: points.filter((p) => p.failed).length, spikes: points.filter((p) => p.spike).length };
}

/**
 * The points the plot draws: all of them up to `max`; beyond, in each of `max / 2` runs of consecutive points
 * the fastest and the slowest success (so the line keeps every spike and dip a reader could see at that width),
 * and every failure and spike (they are marked one by one). Oldest first, as given.
 */
export function drawnPoints(points: readonly RuntimePoint[], max = 400): readonly RuntimePoint[] {
  if (points.length <= max) return points;
  const buckets = Math.max(1, Math.floor(max / 2));
  const size = points.length / buckets;
  const kept = new Set<number>([0, points.length - 1]);
  for (let b = 0; b < buckets; b++) {
    let fastest = -1;
    let slowest = -1;
    for (let i = Math.floor(b * size); i < Math.min(points.length, Math.floor((b + 1) * size)); i++) {
      const point = points[i]!;
      if (point.failed || point.spike) {
        kept.add(i);
        continue;
      }
      if (point.ms === null) continue;
      if (fastest < 0 || point.ms < points[fastest]!.ms!) fastest = i;
      if (slowest < 0 || point.ms > points[slowest]!.ms!) slowest = i;
    }
    if (fastest >= 0) kept.add(fastest);
    if (slowest >= 0) kept.add(slowest);
  }
  return [...kept].sort((a, b) => a - b).map((i) => points[i]!);
}

export interface CheckHistory {
  readonly checkName: string;
  /** The newest result. */
  readonly latest: CheckResult;
  /** Oldest first. */
  readonly results: readonly CheckResult[];
  /** Results that failed or errored. */
  readonly failed: number;
  readonly warned: number;
}

const FAILING: ReadonlySet<CheckOutcome> = new Set(["FAIL", "ERROR"]);

/** The results per check, each check's newest first in the input; checks whose latest result fails come first. */
export function checkHistories(results: readonly CheckResult[]): Map<string, CheckHistory> {
  const byCheck = new Map<string, CheckResult[]>();
  for (const result of results) byCheck.set(result.checkName, [...(byCheck.get(result.checkName) ?? []), result]);
  const histories = new Map<string, CheckHistory>();
  for (const [checkName, list] of byCheck) {
    const ordered = [...list].sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt));
    histories.set(checkName, {
      checkName,
      latest: ordered.at(-1)!,
      results: ordered,
      failed: ordered.filter((r) => FAILING.has(r.outcome)).length,
      warned: ordered.filter((r) => r.outcome === "WARN").length,
    });
  }
  return histories;
}

export const isFailing = (outcome: CheckOutcome): boolean => FAILING.has(outcome);

export interface TimelineEntry {
  readonly evaluation: Evaluation;
  /** Labels of the condition's true leaves (what held at that tick). */
  readonly trueLeaves: readonly string[];
  /**
   * What changed from the tick before: "requested" (a partitioned asset: which partitions), "no longer requested",
   * leaves that became true or false.
   */
  readonly changes: readonly string[];
}

/**
 * The evaluation timeline, newest first: each stored evaluation with the leaves that were true and what changed
 * since the one before it (the daemon stores a tick's evaluation when something about the asset changed).
 */
export function evaluationTimeline(evaluations: readonly Evaluation[]): TimelineEntry[] {
  const oldestFirst = [...evaluations].sort((a, b) => a.tick - b.tick);
  const entries: TimelineEntry[] = [];
  let before: Evaluation | null = null;
  for (const evaluation of oldestFirst) {
    const leaves = evaluation.tree.filter((node) => node.children.length === 0);
    // A partitioned asset's nodes say for how many of its partitions they held.
    const trueLeaves = leaves.filter((node) => node.value).map((node) => (node.partitions ? `${node.label} (${node.partitions.count} of ${node.partitions.of})` : node.label));
    const changes: string[] = [];
    if (before === null) changes.push("first evaluation");
    else {
      if (before.treeHash !== evaluation.treeHash) changes.push("the condition changed");
      else {
        const previous = new Map(before.tree.map((node) => [node.id, node.value]));
        const flipped = (nodes: readonly Evaluation["tree"][number][]) =>
          nodes.filter((node) => previous.has(node.id) && previous.get(node.id) !== node.value).map((node) => `${node.label} became ${node.value ? "true" : "false"}`);
        // The leaves say why; when no leaf flipped (a latch, a since), the composite nodes that did.
        const leafChanges = flipped(leaves);
        changes.push(...(leafChanges.length > 0 ? leafChanges : flipped(evaluation.tree.filter((node) => node.children.length > 0))));
      }
      const requestedPartitions = evaluation.requested ? evaluation.tree[0]?.partitions : null;
      if (requestedPartitions && (!before.requested || before.tree[0]?.partitions?.keys !== requestedPartitions.keys)) {
        changes.push(`requested ${requestedPartitions.count === 1 ? "partition" : `${requestedPartitions.count} partitions`} ${requestedPartitions.keys}`);
      } else if (before.requested !== evaluation.requested) changes.push(evaluation.requested ? "requested a run" : "no longer requests a run");
    }
    entries.push({ evaluation, trueLeaves, changes });
    before = evaluation;
  }
  return entries.reverse();
}

/**
 * Tick labels in at most 3 significant digits: sub-second runs (a dbt view, a seed) gave ticks like 0.025 or
 * float noise that the axis cut to "0….".
 */
export function axisSeconds(value: number): string {
  if (value === 0) return "0";
  return String(Number(value.toPrecision(value >= 100 ? 4 : 3)));
}
