/**
 * Freshness targets (issue 19, item 3), over many ticks with a fake clock: fresh / overdue, and `on_freshness`
 * requesting the upstream chain — the Fivetran sync first, then the dbt models — early enough to meet the
 * target. Dagster's own freshness planner (legacy `materialize_on_required_for_freshness`) was removed from
 * Dagster, and its current freshness policies only report; so these expectations are hand-written from the
 * documented meaning, not produced by Dagster.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { FreshnessTarget, PolicySpec } from "../../catalog/model/index.ts";
import { parseAutoMaterializePolicy, parseAutomationCondition } from "../../catalog/model/index.ts";
import { dueSince, freshnessStatus } from "./freshness.ts";
import { findNode, graphOf, minute, node, World } from "./test-support.ts";

const AT = { file: "models/schema.yml", line: 1 };
const condition = (value: unknown): PolicySpec => parseAutomationCondition(value, AT).policy!;
const FIVETRAN = { tool: "fivetran", locationName: "fivetran", runTargetId: "connector" };
const HOUR: FreshnessTarget = { maximumLagMinutes: 60, cron: null, timezone: "UTC" };

describe("freshnessStatus", () => {
  test("maximum lag: fresh until the lag has passed since the latest materialization", () => {
    assert.equal(freshnessStatus(HOUR, minute(0), minute(59)).state, "fresh");
    assert.equal(freshnessStatus(HOUR, minute(0), minute(60)).state, "overdue", "as Dagster: FAIL once the age reaches the window");
    const late = freshnessStatus(HOUR, minute(0), minute(61));
    assert.deepEqual([late.state, late.lagMinutes, late.overdueSince], ["overdue", 61, minute(60)]);
    assert.equal(freshnessStatus(HOUR, null, minute(1)).state, "unknown", "never materialized (Dagster's UNKNOWN)");
    assert.equal(freshnessStatus(HOUR, minute(10), minute(30)).overdueAt, minute(70));
  });

  test("a cron deadline: a materialization in the lag before the latest deadline (08:00 UTC is 09:00 in Copenhagen)", () => {
    const nine: FreshnessTarget = { maximumLagMinutes: 30, cron: "0 9 * * *", timezone: "Europe/Copenhagen" };
    const deadline = minute(8 * 60);
    assert.equal(freshnessStatus(nine, minute(7 * 60 + 35), deadline + 60_000).state, "fresh");
    const missed = freshnessStatus(nine, minute(7 * 60 + 25), deadline + 60_000);
    assert.deepEqual([missed.state, missed.overdueSince], ["overdue", deadline]);
    const before = freshnessStatus(nine, minute(7 * 60 + 25), minute(7 * 60 + 50));
    assert.deepEqual([before.state, before.overdueAt], ["fresh", deadline], "the previous day's deadline is met; today's is ahead");
    assert.equal(dueSince(nine, minute(7 * 60 + 25), minute(7 * 60 + 54)), null, "not due before deadline − lead (5 min)");
    assert.equal(dueSince(nine, minute(7 * 60 + 25), minute(7 * 60 + 55)), deadline - 30 * 60_000);
  });
});

/**
 * Ticks every 30 s; requested Fivetran tables sync for 2 minutes, requested dbt models build for 1 minute
 * (in progress meanwhile). Returns each asset's request times (minutes).
 */
function run(world: World, untilMinute: number, onTick: (m: number) => void = () => {}): Map<string, number[]> {
  const requests = new Map<string, number[]>();
  const running: { id: string; until: number; run: string }[] = [];
  let runs = 0;
  for (let s = 0; s <= untilMinute * 60; s += 30) {
    const m = s / 60;
    for (const r of running.filter((r) => r.until <= m)) {
      world.setInProgress(r.id, null);
      world.materialize(r.id, minute(m), [r.id], r.run);
    }
    running.splice(0, running.length, ...running.filter((r) => r.until > m));
    for (const id of world.tick(minute(m))) {
      requests.set(id, [...(requests.get(id) ?? []), m]);
      const duration = id.startsWith("raw") ? 2 : 1;
      running.push({ id, until: m + duration, run: `run-${++runs}` });
      world.setInProgress(id, `run-${runs}`);
    }
    onTick(m);
  }
  return requests;
}

describe("on_freshness: the upstream chain, early enough", () => {
  const chain = (target: unknown, upstream: PolicySpec = condition("required_for_freshness")) =>
    graphOf(
      node("raw", { materializer: FIVETRAN, dbtUniqueId: null, policy: upstream }),
      node("stg", { deps: ["raw"], policy: upstream }),
      node("mart", { deps: ["stg"], policy: condition({ on_freshness: target }) }),
    );

  test("maximum_lag_minutes 60: the sync, then one dbt build, before the hour is up; never overdue over 6 hours", () => {
    const world = new World(chain({ maximum_lag_minutes: 60 }));
    world.run(["raw"], minute(0));
    world.run(["stg", "mart"], minute(0));
    const overdue: number[] = [];
    const requests = run(world, 360, (m) => {
      const last = world.state().assets.get("mart")?.latestMaterialization?.timestamp ?? null;
      if (freshnessStatus(HOUR, last, minute(m)).state === "overdue") overdue.push(m);
    });
    assert.deepEqual(overdue, []);
    // Due 6 minutes (the lead: a tenth of the lag, at least 5) before the hour: raw syncs 54 → 56, then
    // stg and mart build in one run 56 → 57; the next round starts 60 − 6 minutes after that build.
    assert.deepEqual(requests.get("raw")!.slice(0, 3), [54, 111, 168]);
    assert.deepEqual(requests.get("stg")!.slice(0, 3), [56, 113, 170]);
    assert.deepEqual(requests.get("mart"), requests.get("stg"), "the mart runs with stg, in the same dbt run");
    assert.equal(requests.get("mart")!.length, 6, "once per round: nothing more than the target needs");
  });

  test("upstream first: while the sync runs, the models wait and say for what", () => {
    const world = new World(chain({ maximum_lag_minutes: 60 }));
    world.run(["raw"], minute(0));
    world.run(["stg", "mart"], minute(0));
    assert.deepEqual(world.tick(minute(54)), ["raw"]);
    world.setInProgress("raw", "sync");
    assert.deepEqual(world.tick(minute(55)), []);
    assert.equal(findNode(world.evaluation("mart"), "on_freshness")!.reason, "needed for freshness, after stg (upstream first)");
    world.setInProgress("raw", null);
    world.materialize("raw", minute(56), ["raw"], "sync");
    assert.deepEqual(world.tick(minute(56)), ["stg", "mart"]);
  });

  test("a sync inside the due window is not repeated: only the models that are older are built", () => {
    const world = new World(chain({ maximum_lag_minutes: 60 }));
    world.run(["raw"], minute(0));
    world.run(["stg", "mart"], minute(0));
    world.materialize("raw", minute(54));
    assert.deepEqual(world.tick(minute(54)), ["stg", "mart"], "raw synced on its own at 54, as the due window opened");
  });

  test("a cron deadline (09:00 Copenhagen, 30 minutes): the chain runs just before it, once a day", () => {
    const world = new World(chain({ maximum_lag_minutes: 30, cron: "0 9 * * *", timezone: "Europe/Copenhagen" }));
    world.run(["raw"], minute(0));
    world.run(["stg", "mart"], minute(0));
    const requests = run(world, 2 * 24 * 60);
    // 09:00 in Copenhagen is 08:00 UTC; due 5 minutes before: 07:55 UTC.
    assert.deepEqual(requests.get("raw"), [7 * 60 + 55, 24 * 60 + 7 * 60 + 55]);
    assert.deepEqual(requests.get("mart"), [7 * 60 + 57, 24 * 60 + 7 * 60 + 57]);
  });

  test("legacy lazy upstream (auto_materialize_policy {type: lazy}) is requested for freshness, as Dagster's materialize_on_required_for_freshness", () => {
    const lazy = parseAutoMaterializePolicy({ type: "lazy" }, AT).policy!;
    const world = new World(chain({ maximum_lag_minutes: 60 }, lazy));
    world.run(["raw"], minute(0));
    world.run(["stg", "mart"], minute(0));
    assert.deepEqual(world.tick(minute(30)), [], "not due yet: lazy does nothing");
    assert.deepEqual(world.tick(minute(54)), ["raw"]);
    assert.equal(findNode(world.evaluation("raw"), "lazy (auto_materialize_policy)")!.children[0]!.value, true);
  });

  test("carry-forward agrees with full evaluation", () => {
    const results = [false, true].map((full) => {
      const world = new World(chain({ maximum_lag_minutes: 60 }));
      world.run(["raw"], minute(0));
      world.run(["stg", "mart"], minute(0));
      const requests: string[] = [];
      for (let m = 1; m <= 120; m++) requests.push(...world.tick(minute(m), { full }).map((id) => `${m}:${id}`));
      return requests;
    });
    assert.deepEqual(results[0], results[1]);
    assert.ok(results[0]!.includes("54:raw"));
  });
});
