/**
 * Conditions per partition (partitioned.ts) over several ticks of a fake world with daily and monthly
 * partitions: eager requests the latest partition after a dependency's update of it, on_missing each new
 * partition once, on_cron the window's partition once the cron tick passed and every dependency updated it;
 * dependencies map across partitionings by their windows; the records say which partitions each node was true
 * for; and carry-forward agrees with full evaluation tick by tick.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { amp, condition, findNode, graphOf, minute, node, partitionsOf, World } from "./test-support.ts";

const DAILY = partitionsOf({ type: "daily", start_date: "2026-02-25" });
const MONTHLY = partitionsOf({ type: "monthly", start_date: "2026-01-01" });
const DAY = 24 * 60;

// At minute(0) = 2026-03-02T00:00Z the daily partitions are 2026-02-25 … 2026-03-01 (the latest), the monthly
// ones 2026-01-01 and 2026-02-01.

describe("eager per partition", () => {
  const graph = () => graphOf(node("a", { partitions: DAILY }), node("b", { deps: ["a"], partitions: DAILY, policy: condition("eager") }));

  test("requests only the latest partition, after its dependency partition is updated; older updates do not count", () => {
    const world = new World(graph());
    for (const key of ["2026-02-25", "2026-02-26", "2026-02-27", "2026-02-28", "2026-03-01"]) world.materializePartition("a", key, minute(0));
    assert.deepEqual(world.tick(minute(1)), [], "first tick: nothing is newly updated, missing partitions are not backfilled");
    world.materializePartition("a", "2026-03-01", minute(2));
    assert.deepEqual(world.tick(minute(3)), ["b"]);
    assert.deepEqual(world.requestedPartitions("b"), ["2026-03-01"], "only the latest partition");
    const root = world.evaluation("b")!;
    assert.deepEqual(root.partitions, { count: 1, of: 5, keys: "2026-03-01" });
    assert.deepEqual(findNode(root, "any_deps_updated")!.partitions, { count: 1, of: 5, keys: "2026-03-01" });
    assert.equal(findNode(root, "in_latest_time_window")!.partitions!.keys, "2026-03-01");
    assert.deepEqual(world.tick(minute(4)), [], "the request resets the latch (newly_requested of that partition)");

    world.materializePartition("a", "2026-02-27", minute(5));
    assert.deepEqual(world.tick(minute(6)), [], "an older partition's update is outside the latest time window");
    assert.deepEqual(findNode(world.evaluation("b"), "any_deps_updated")!.partitions, { count: 1, of: 5, keys: "2026-02-27" }, "…though the dependency node sees it");
  });

  test("a new day: its partition waits while its dependency partition is missing, then is requested once", () => {
    const world = new World(graph());
    world.materializePartition("a", "2026-03-01", minute(0));
    world.materializePartition("b", "2026-03-01", minute(0));
    assert.deepEqual(world.tick(minute(1)), []);
    // 2026-03-03 00:05: partition 2026-03-02 exists, missing for both.
    assert.deepEqual(world.tick(minute(DAY + 5)), [], "newly missing, but any_deps_missing blocks it");
    assert.equal(findNode(world.evaluation("b"), "any_deps_missing")!.partitions!.keys, "2026-03-02");
    world.materializePartition("a", "2026-03-02", minute(DAY + 6));
    assert.deepEqual(world.tick(minute(DAY + 7)), ["b"]);
    assert.deepEqual(world.requestedPartitions("b"), ["2026-03-02"]);
    world.setPartitionInProgress("b", "2026-03-02", true);
    assert.deepEqual(world.tick(minute(DAY + 8)), []);
    world.materializePartition("a", "2026-03-02", minute(DAY + 9));
    assert.deepEqual(world.tick(minute(DAY + 10)), [], "a dependency update while the partition runs: in_progress blocks it…");
    world.setPartitionInProgress("b", "2026-03-02", false);
    world.materializePartition("b", "2026-03-02", minute(DAY + 11), "run-b");
    assert.deepEqual(world.tick(minute(DAY + 12)), [], "…and the run's materialization handles it (newly_updated resets the latch)");
  });
});

describe("on_missing per partition", () => {
  const graph = () => graphOf(node("c", { partitions: DAILY, policy: condition("on_missing") }));

  test("each new partition once, never again while it runs; what was missing at the first tick is left to backfills", () => {
    const world = new World(graph());
    assert.deepEqual(world.tick(minute(1)), [], "the five partitions missing at the first tick are not requested (initial_evaluation)");
    assert.deepEqual(world.tick(minute(2)), []);
    assert.deepEqual(world.tick(minute(DAY + 1)), ["c"]);
    assert.deepEqual(world.requestedPartitions("c"), ["2026-03-02"]);
    world.setPartitionInProgress("c", "2026-03-02", true);
    for (let m = 2; m < 6; m++) assert.deepEqual(world.tick(minute(DAY + m)), [], "requested once: newly_requested handled it");
    world.setPartitionInProgress("c", "2026-03-02", false);
    world.failPartition("c", "2026-03-02", minute(DAY + 6));
    assert.deepEqual(world.tick(minute(DAY + 7)), [], "a failed run does not make it newly missing again");
    assert.deepEqual(world.tick(minute(2 * DAY + 1)), ["c"]);
    assert.deepEqual(world.requestedPartitions("c"), ["2026-03-03"], "the next day's partition, once");
    const root = world.evaluation("c")!;
    assert.deepEqual(findNode(root, "missing")!.partitions, { count: 7, of: 7, keys: "2026-02-25…2026-03-03" });
    assert.deepEqual(findNode(root, "missing_since_last_handled")!.partitions, { count: 1, of: 7, keys: "2026-03-03" });
  });
});

describe("on_cron per partition", () => {
  const graph = () => graphOf(node("a", { partitions: DAILY }), node("d", { deps: ["a"], partitions: DAILY, policy: amp("on_cron", "0 6 * * *") }));

  test("the window's partition once the cron tick passed and its dependency partition updated since", () => {
    const world = new World(graph());
    world.materializePartition("a", "2026-03-01", minute(0));
    assert.deepEqual(world.tick(minute(1)), []);
    assert.deepEqual(world.tick(minute(6 * 60 + 5)), [], "06:05: the tick passed, but a's 2026-03-01 was updated before it");
    world.materializePartition("a", "2026-02-26", minute(6 * 60 + 8));
    assert.deepEqual(world.tick(minute(6 * 60 + 9)), [], "an older partition of a does not count for the latest window");
    world.materializePartition("a", "2026-03-01", minute(6 * 60 + 10));
    assert.deepEqual(world.tick(minute(6 * 60 + 15)), ["d"]);
    assert.deepEqual(world.requestedPartitions("d"), ["2026-03-01"]);
    assert.deepEqual(world.tick(minute(6 * 60 + 20)), [], "once per cron tick");
    world.materializePartition("a", "2026-03-01", minute(6 * 60 + 25));
    assert.deepEqual(world.tick(minute(6 * 60 + 30)), [], "a second update before the next tick does not request again");
  });
});

describe("dependencies across partitionings", () => {
  test("a monthly partition waits for every daily partition of its month, then is requested", () => {
    const world = new World(graphOf(node("a", { partitions: DAILY }), node("m", { deps: ["a"], partitions: MONTHLY, policy: condition("eager") })));
    assert.deepEqual(world.tick(minute(1)), []);
    world.materializePartition("a", "2026-02-25", minute(2));
    assert.deepEqual(world.tick(minute(3)), [], "February's other days are missing");
    assert.equal(findNode(world.evaluation("m"), "any_deps_missing")!.partitions!.keys, "2026-02-01");
    for (const key of ["2026-02-26", "2026-02-27", "2026-02-28"]) world.materializePartition("a", key, minute(4));
    assert.deepEqual(world.tick(minute(5)), ["m"]);
    assert.deepEqual(world.requestedPartitions("m"), ["2026-02-01"]);
    world.materializePartition("a", "2026-03-01", minute(6));
    assert.deepEqual(world.tick(minute(7)), [], "March has no monthly partition yet: nothing to map the update to");
  });

  test("an unpartitioned dependency counts for every partition", () => {
    const world = new World(graphOf(node("u"), node("p", { deps: ["u"], partitions: DAILY, policy: condition("eager") })));
    world.materialize("u", minute(0));
    assert.deepEqual(world.tick(minute(1)), []);
    world.materialize("u", minute(2));
    assert.deepEqual(world.tick(minute(3)), ["p"]);
    assert.deepEqual(world.requestedPartitions("p"), ["2026-03-01"], "every partition is updated, the latest is requested");
    assert.deepEqual(findNode(world.evaluation("p"), "any_deps_updated")!.partitions, { count: 5, of: 5, keys: "2026-02-25…2026-03-01" });
  });

  test("an unpartitioned asset over a partitioned one is judged as before, by the dependency's latest events", () => {
    const world = new World(graphOf(node("a", { partitions: DAILY }), node("u", { deps: ["a"], policy: condition("eager") })));
    world.materializePartition("a", "2026-03-01", minute(0));
    world.materialize("u", minute(0));
    assert.deepEqual(world.tick(minute(1)), []);
    world.materializePartition("a", "2026-02-26", minute(2));
    assert.deepEqual(world.tick(minute(3)), ["u"]);
    assert.equal(world.last!.partitionRequests.size, 0);
    assert.equal(findNode(world.evaluation("u"), "any_deps_updated")!.partitions, undefined);
  });
});

test("carry-forward agrees with full evaluation tick by tick on a partitioned scenario", () => {
  const graph = graphOf(
    node("a", { partitions: DAILY }),
    node("b", { deps: ["a"], partitions: DAILY, policy: condition("eager") }),
    node("c", { partitions: DAILY, policy: condition("on_missing") }),
    node("m", { deps: ["b"], partitions: MONTHLY, policy: condition("eager") }),
  );
  const incremental = new World(graph);
  const full = new World(graph);
  const steps: ((w: World) => void)[] = [
    () => {},
    (w) => w.materializePartition("a", "2026-03-01", minute(10)),
    () => {},
    (w) => w.setPartitionInProgress("b", "2026-03-01", true),
    (w) => {
      w.setPartitionInProgress("b", "2026-03-01", false);
      w.materializePartition("b", "2026-03-01", minute(40), "run-b");
    },
    () => {},
  ];
  let at = 1;
  for (const [i, step] of steps.entries()) {
    step(incremental);
    step(full);
    at += i === 3 ? DAY : 10;
    assert.deepEqual(incremental.tick(minute(at)), full.tick(minute(at), { full: true }), `tick ${i}`);
    for (const id of ["b", "c", "m"]) assert.deepEqual(incremental.requestedPartitions(id), full.requestedPartitions(id), `tick ${i} ${id}`);
    assert.ok(incremental.last!.carriedForward >= 0);
  }
  for (let k = 0; k < 3; k++) {
    at += 10;
    assert.deepEqual(incremental.tick(minute(at)), full.tick(minute(at), { full: true }));
  }
  assert.ok(incremental.last!.carriedForward > 0, "quiet ticks reuse the previous result");
});
