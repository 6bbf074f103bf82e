/**
 * Don't over-sync (issue 19): `minimum_interval` and dbt's `build_after`, over many ticks with a fake clock.
 *
 * These are Tributary's own semantics (Dagster has neither: it leaves intervals to hand-written conditions,
 * and dbt's build_after is dbt's), so the expectations are written by hand from the documented meaning, not
 * produced by Dagster: not requested sooner than the interval after the last materialization or request;
 * upstream updates in between coalesce into one run when the interval ends; the last update is never missed.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { PolicySpec } from "../../catalog/model/index.ts";
import { parseAutoMaterializePolicy, parseAutomationCondition } from "../../catalog/model/index.ts";
import { findNode, graphOf, minute, node, World } from "./test-support.ts";

const AT = { file: "models/schema.yml", line: 1 };

function policy(value: Record<string, unknown>): PolicySpec {
  const parsed = parseAutoMaterializePolicy(value, AT);
  assert.deepEqual(parsed.errors, []);
  return parsed.policy!;
}

function condition(value: unknown): PolicySpec {
  const parsed = parseAutomationCondition(value, AT);
  assert.deepEqual(parsed.errors, []);
  return parsed.policy!;
}

const FIVETRAN = { tool: "fivetran", locationName: "fivetran", runTargetId: "connector" };

/** Raw tables synced by Fivetran on its own schedule, and dbt models on them. */
function fivetranGraph(martPolicy: PolicySpec, raws: string[] = ["raw"]) {
  return graphOf(...raws.map((r) => node(r, { materializer: FIVETRAN, dbtUniqueId: null })), node("mart", { deps: raws, policy: martPolicy }));
}

interface Simulation {
  /** Tick times (minutes) at which the mart was requested. */
  readonly requests: number[];
  /** Materializations of the mart (minutes). */
  readonly builds: number[];
  /** The world at the end. */
  readonly world: World;
}

/**
 * Ticks every `tickSeconds` from minute 0 to `untilMinute`; `syncs(m)` says which raw tables Fivetran lands at
 * minute m; a requested mart runs for `runMinutes` (in progress meanwhile), then is materialized.
 * `full` evaluates every tick in full (no carry-forward), to compare with the incremental path.
 */
function simulate(
  world: World,
  options: { untilMinute: number; syncs: (m: number) => string[]; tickSeconds?: number; runMinutes?: number; full?: boolean },
): Simulation {
  const tickSeconds = options.tickSeconds ?? 30;
  const runMinutes = options.runMinutes ?? 1;
  const requests: number[] = [];
  const builds: number[] = [];
  let running: { until: number; id: string } | null = null;
  let runs = 0;
  for (let s = 0; s <= options.untilMinute * 60; s += tickSeconds) {
    const m = s / 60;
    if (Number.isInteger(m)) for (const raw of options.syncs(m)) world.materialize(raw, minute(m));
    if (running !== null && m >= running.until) {
      world.setInProgress("mart", null);
      world.materialize("mart", minute(m), ["mart"], running.id);
      builds.push(m);
      running = null;
    }
    const requested = world.tick(minute(m), { full: options.full ?? false });
    if (requested.includes("mart")) {
      requests.push(m);
      running = { until: m + runMinutes, id: `run-${++runs}` };
      world.setInProgress("mart", running.id);
    }
  }
  return { requests, builds, world };
}

function gaps(times: number[]): number[] {
  return times.slice(1).map((t, i) => t - times[i]!);
}

describe("minimum_interval: eager under Fivetran syncs every 2 minutes", () => {
  const every2 = (m: number) => (m > 0 && m % 2 === 0 && m <= 170 ? ["raw"] : []);

  for (const [name, martPolicy] of [
    ["auto_materialize_policy {type: eager, minimum_interval: 30m} (legacy eager)", policy({ type: "eager", minimum_interval: "30m" })],
    ["automation_condition all_of [eager, minimum_interval_passed: 30m]", condition({ all_of: ["eager", { minimum_interval_passed: "30m" }] })],
  ] as const) {
    test(`${name}: at most one build per 30 minutes, and the last update is built`, () => {
      const world = new World(fivetranGraph(martPolicy));
      world.materialize("raw", minute(0));
      world.materialize("mart", minute(0), ["mart"], "seed-run");
      const { requests, builds } = simulate(world, { untilMinute: 240, syncs: every2 });
      assert.ok(requests.length >= 5 && requests.length <= 7, `requests at ${requests.join(", ")}`);
      for (const gap of gaps(requests)) assert.ok(gap >= 30, `requests ${gap} minutes apart: ${requests.join(", ")}`);
      // The interval counts from the later of the last build and the last request: each request comes 30
      // minutes after the previous build (the run takes 1 minute), not every 2 minutes.
      assert.deepEqual(gaps(requests), requests.slice(1).map(() => 31));
      // The last sync landed at minute 170; it is built once the interval after the previous build ends.
      const lastSync = 170;
      assert.ok(builds.some((b) => b > lastSync), `built after the last sync: ${builds.join(", ")}`);
      const after = builds.filter((b) => b > lastSync);
      assert.equal(after.length, 1, "built once after the last sync, then quiet");
      assert.ok(after[0]! <= lastSync + 32, "within the interval (+ the run)");
    });
  }

  test("without an interval the same syncs build every 2 minutes (the saving is real)", () => {
    const world = new World(fivetranGraph(policy({ type: "eager" })));
    world.materialize("raw", minute(0));
    world.materialize("mart", minute(0), ["mart"], "seed-run");
    const { requests } = simulate(world, { untilMinute: 240, syncs: every2 });
    assert.equal(requests.length, 85, "one build per sync");
  });

  test("the interval is measured from the last request too: a request never repeats inside it", () => {
    const world = new World(fivetranGraph(policy({ type: "eager", minimum_interval: "10m" })));
    world.materialize("raw", minute(0));
    world.materialize("mart", minute(0), ["mart"], "seed-run");
    world.materialize("raw", minute(20));
    assert.deepEqual(world.tick(minute(20)), ["mart"], "the interval since the build at 0 has passed");
    // The run is lost (never starts, never materializes): no request again before minute 30.
    world.materialize("raw", minute(22));
    for (let m = 21; m < 30; m++) assert.deepEqual(world.tick(minute(m)), [], `minute ${m}`);
    assert.deepEqual(world.tick(minute(30)), ["mart"], "10 minutes after the request");
    const reason = findNode(world.evaluation("mart"), "eager (auto_materialize_policy), at most every 10m")?.children[1]?.reason;
    assert.match(reason ?? "", /last requested 00:20 UTC, at least 10m ago/);
  });

  test("a waiting asset says until when, and the interval's end is noticed on a quiet tick (carry-forward agrees with full)", () => {
    const syncs = (m: number) => (m === 5 ? ["raw"] : []);
    const runs = [false, true].map((full) => {
      const world = new World(fivetranGraph(policy({ type: "eager", minimum_interval: "30m" })));
      world.materialize("raw", minute(0));
      world.materialize("mart", minute(1), ["mart"], "seed-run");
      return simulate(world, { untilMinute: 60, syncs, full });
    });
    assert.deepEqual(runs[0]!.requests, [31], "the sync at 5 waits for 01:31, with nothing else happening");
    assert.deepEqual(runs[0]!.requests, runs[1]!.requests, "incremental and full evaluation agree");
    const world = new World(fivetranGraph(policy({ type: "eager", minimum_interval: "30m" })));
    world.materialize("raw", minute(0));
    world.materialize("mart", minute(1), ["mart"], "seed-run");
    world.tick(minute(2));
    world.materialize("raw", minute(5));
    assert.deepEqual(world.tick(minute(6)), []);
    const interval = findNode(world.evaluation("mart"), "eager (auto_materialize_policy), at most every 30m")!.children[1]!;
    assert.equal(interval.value, false);
    assert.match(interval.reason!, /last materialized 00:01 UTC: waits until 00:31 UTC \(30m interval\)/);
  });

  test("a missing asset is not held back by an interval", () => {
    const world = new World(fivetranGraph(policy({ type: "eager", minimum_interval: "1h" })));
    world.materialize("raw", minute(0));
    assert.deepEqual(world.tick(minute(1)), ["mart"], "legacy eager builds what is missing at once");
  });
});

describe("dbt build_after", () => {
  test("updates_on: all waits for every upstream, and not sooner than count × period after the last build", () => {
    // orders syncs every 2 minutes; payments every 45 minutes: the model builds only once both have new data.
    const syncs = (m: number) => [...(m > 0 && m % 2 === 0 ? ["orders"] : []), ...(m > 0 && m % 45 === 0 ? ["payments"] : [])];
    const world = new World(fivetranGraph(condition({ build_after: { count: 10, period: "minute", updates_on: "all" } }), ["orders", "payments"]));
    world.materialize("orders", minute(0));
    world.materialize("payments", minute(0));
    world.materialize("mart", minute(0), ["mart"], "seed-run");
    const { requests, builds } = simulate(world, { untilMinute: 180, syncs });
    assert.deepEqual(requests, [45, 90, 135, 180], "one build per payments sync, the first tick both have new data");
    assert.deepEqual(builds, [46, 91, 136]);
  });

  test("updates_on: any builds on any upstream's new data, at most once per count × period", () => {
    const syncs = (m: number) => [...(m > 0 && m % 2 === 0 && m <= 100 ? ["orders"] : []), ...(m > 0 && m % 45 === 0 ? ["payments"] : [])];
    const world = new World(fivetranGraph(condition({ build_after: { count: 1, period: "hour", updates_on: "any" } }), ["orders", "payments"]));
    world.materialize("orders", minute(0));
    world.materialize("payments", minute(0));
    world.materialize("mart", minute(0), ["mart"], "seed-run");
    const { requests } = simulate(world, { untilMinute: 240, syncs });
    assert.deepEqual(requests, [60, 121, 182], "every hour after the last build while something changed; the payments sync at 180 waits for 182");
  });

  test("updates_on defaults to any; with no new upstream data it never builds, however long it waits", () => {
    const world = new World(fivetranGraph(condition({ build_after: { count: 1, period: "minute" } })));
    world.materialize("raw", minute(0));
    world.materialize("mart", minute(1), ["mart"], "seed-run");
    const { requests } = simulate(world, { untilMinute: 120, syncs: () => [] });
    assert.deepEqual(requests, []);
  });

  test("a model never built is built at once", () => {
    const world = new World(fivetranGraph(condition({ build_after: { count: 4, period: "hour", updates_on: "all" } })));
    world.materialize("raw", minute(0));
    assert.deepEqual(world.tick(minute(1)), ["mart"]);
    assert.deepEqual(world.tick(minute(2)), [], "not twice");
  });
});

describe("dbt build_after: upstream first", () => {
  test("a missing upstream holds a never-built model back, unless it is built in the same run", () => {
    const graph = graphOf(
      node("raw", { materializer: FIVETRAN, dbtUniqueId: null }),
      node("stg", { deps: ["raw"], policy: policy({ type: "eager" }) }),
      node("mart", { deps: ["stg"], policy: condition({ build_after: { count: 1, period: "hour", updates_on: "all" } }) }),
    );
    const world = new World(graph);
    assert.deepEqual(world.tick(minute(0)), [], "raw was never synced: stg and mart wait");
    world.materialize("raw", minute(1));
    assert.deepEqual(world.tick(minute(2)), ["stg", "mart"], "stg is requested this tick, in the same dbt run: mart comes along");
  });
});
