/** The runtime series (failures marked, spikes found), check histories and the evaluation timeline. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { CheckResult, Evaluation } from "../types.ts";
import { axisSeconds, checkHistories, drawnPoints, evaluationTimeline, runtimeSeries } from "./history-data.ts";

const m = (id: number, at: string, ms: number | null, status: "SUCCESS" | "FAILURE" = "SUCCESS") => ({ id: String(id), status, occurredAt: at, durationMs: ms, tributaryRunId: `run-${id}` });

test("runtime points oldest first, failures kept and marked, a spike is twice the median of successes", () => {
  const series = runtimeSeries([
    m(5, "2026-11-24T10:05:00Z", 9000),
    m(4, "2026-11-24T10:04:00Z", null, "FAILURE"),
    m(3, "2026-11-24T10:03:00Z", 2100),
    m(2, "2026-11-24T10:02:00Z", 1900),
    m(1, "2026-11-24T10:01:00Z", 2000),
  ]);
  assert.deepEqual(series.points.map((p) => p.id), ["1", "2", "3", "4", "5"]);
  assert.equal(series.medianMs, 2050);
  assert.equal(series.failures, 1);
  assert.deepEqual(series.points.filter((p) => p.spike).map((p) => p.id), ["5"]);
  assert.equal(series.points[3]!.failed, true);
  assert.equal(runtimeSeries([]).medianMs, null);
});

const r = (checkName: string, outcome: CheckResult["outcome"], at: string, failures: number | null = null): CheckResult => ({ checkName, assetKey: "orders", outcome, failures, runId: null, occurredAt: at });

test("check histories group results per check, oldest first, with failure counts", () => {
  const histories = checkHistories([
    r("unique_id", "FAIL", "2026-11-24T10:03:00Z", 2),
    r("not_null_id", "PASS", "2026-11-24T10:03:00Z"),
    r("unique_id", "PASS", "2026-11-24T10:02:00Z"),
    r("unique_id", "ERROR", "2026-11-24T10:01:00Z"),
    r("not_null_id", "WARN", "2026-11-24T10:01:00Z"),
  ]);
  const unique = histories.get("unique_id")!;
  assert.deepEqual(unique.results.map((x) => x.outcome), ["ERROR", "PASS", "FAIL"]);
  assert.equal(unique.latest.failures, 2);
  assert.equal(unique.failed, 2);
  assert.equal(histories.get("not_null_id")!.warned, 1);
});

const evaluation = (tick: number, requested: boolean, updated: boolean, hash = "h"): Evaluation => ({
  assetKey: "orders",
  tick,
  evaluatedAt: `2026-11-24T10:0${tick}:00Z`,
  requested,
  treeHash: hash,
  requestedPartitions: null,
  tree: [
    { id: "root", name: "and", label: "all of", value: requested, reason: null, children: ["a", "b"], partitions: null },
    { id: "a", name: "any_deps_updated", label: "any dependency updated", value: updated, reason: null, children: [], partitions: null },
    { id: "b", name: "not_in_progress", label: "not in progress", value: true, reason: null, children: [], partitions: null },
  ],
});

test("the evaluation timeline says what held and what changed at each tick, newest first", () => {
  const timeline = evaluationTimeline([evaluation(3, false, false), evaluation(2, true, true), evaluation(1, false, false)]);
  assert.deepEqual(timeline.map((e) => e.evaluation.tick), [3, 2, 1]);
  assert.deepEqual(timeline[2]!.changes, ["first evaluation"]);
  assert.deepEqual(timeline[1]!.changes, ["any dependency updated became true", "requested a run"]);
  assert.deepEqual(timeline[1]!.trueLeaves, ["any dependency updated", "not in progress"]);
  assert.deepEqual(timeline[0]!.changes, ["any dependency updated became false", "no longer requests a run"]);
  assert.deepEqual(evaluationTimeline([evaluation(1, false, false), evaluation(2, false, true, "other")])[0]!.changes, ["the condition changed"]);
  // No leaf flipped: the composite node that did says what changed.
  const latched = evaluation(5, true, false);
  assert.deepEqual(evaluationTimeline([evaluation(4, false, false), latched])[0]!.changes, ["all of became true", "requested a run"]);
});

test("a partitioned asset's timeline says for how many partitions each leaf held, and which partitions a tick requested", () => {
  const at = (tick: number, requested: string | null, missing: number): Evaluation => ({
    assetKey: "country_revenue_daily",
    tick,
    evaluatedAt: `2026-12-0${tick}T10:00:00Z`,
    requested: requested !== null,
    treeHash: "h",
    requestedPartitions: null,
    tree: [
      { id: "root", name: "and", label: "on_missing", value: requested !== null, reason: null, children: ["m"], partitions: { count: requested ? 1 : 0, of: 93 + tick, keys: requested ?? "" } },
      { id: "m", name: "missing", label: "missing", value: true, reason: null, children: [], partitions: { count: missing, of: 93 + tick, keys: "…" } },
    ],
  });
  const timeline = evaluationTimeline([at(1, null, 93), at(2, "2026-12-02", 94), at(3, "2026-12-03", 95)]);
  assert.deepEqual(timeline[2]!.trueLeaves, ["missing (93 of 94)"]);
  assert.deepEqual(timeline[1]!.changes, ["on_missing became true", "requested partition 2026-12-02"]);
  assert.deepEqual(timeline[0]!.changes, ["requested partition 2026-12-03"], "requested on both ticks, but other partitions");
});

test("a long runtime series is drawn with fewer points, keeping every failure and spike and each stretch's extremes", () => {
  const at = Date.parse("2026-11-01T00:00:00Z");
  const sources = Array.from({ length: 1000 }, (_, i) => ({
    id: String(i + 1),
    status: i % 10 === 9 ? ("FAILURE" as const) : ("SUCCESS" as const),
    occurredAt: new Date(at + i * 3_600_000).toISOString(),
    // 2–3 s, one 40 s spike at 500 and one 0.5 s dip at 700.
    durationMs: i === 500 ? 40_000 : i === 700 ? 500 : 2000 + (i % 7) * 150,
    tributaryRunId: null,
  }));
  const series = runtimeSeries(sources);
  const drawn = drawnPoints(series.points, 400);
  assert.ok(drawn.length < 600 && drawn.length >= 400, `${drawn.length} points drawn`);
  assert.equal(drawn.filter((p) => p.failed).length, 100, "every failure");
  assert.ok(drawn.some((p) => p.spike && p.ms === 40_000), "the spike");
  assert.ok(drawn.some((p) => p.ms === 500), "the dip");
  assert.equal(drawn[0], series.points[0]);
  assert.equal(drawn.at(-1), series.points.at(-1));
  assert.ok(drawn.every((p, i) => i === 0 || p.at > drawn[i - 1]!.at), "oldest first");
  assert.equal(drawnPoints(series.points.slice(0, 300), 400).length, 300, "a short series is drawn whole");
});

test("runtime axis tick labels stay short for sub-second runs and float noise", () => {
  assert.deepEqual([0, 0.025, 0.1 + 0.2, 0.131, 2.5, 61.25, 1234.5678].map(axisSeconds), ["0", "0.025", "0.3", "0.131", "2.5", "61.3", "1235"]);
});
