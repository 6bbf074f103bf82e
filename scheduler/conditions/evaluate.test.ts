/**
 * evaluate() over several ticks with a fake clock: each named condition through the behaviours of reference
 * §2.4 (latch and reset, in-progress and missing deps, cron, first tick, condition edits, two updates between
 * ticks), and the legacy rule-based eager/lazy of §2.5.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { evaluate } from "./evaluate.ts";
import { amp, condition, findNode, graphOf, minute, node, source, World } from "./test-support.ts";

const EAGER = condition("eager");

describe("eager (AutomationCondition.eager)", () => {
  const graph = () => graphOf(node("a"), node("b", { deps: ["a"], policy: EAGER }), node("c", { deps: ["b"], policy: EAGER }));

  test("first tick: never backfills what was already missing; a dep update then requests the chain in one tick", () => {
    const world = new World(graph());
    world.materialize("a", minute(0));
    assert.deepEqual(world.tick(minute(1)), [], "b and c were missing before the condition applied");
    assert.equal(findNode(world.evaluation("b"), "newly_missing")!.value, true, "newly_missing fires…");
    assert.equal(findNode(world.evaluation("b"), "handled")!.value, true, "…but initial_evaluation resets it on the same tick");
    assert.deepEqual(world.tick(minute(2)), []);
    world.materialize("a", minute(3));
    assert.deepEqual(world.tick(minute(4)), ["b", "c"], "c sees b will be requested (same run), so b missing does not block it");
    const c = world.evaluation("c")!;
    assert.equal(findNode(c, "any_deps_updated")!.reason, "true for b");
  });

  test("never re-requests: the request resets the latch, and the run that built b and c does not retrigger c", () => {
    const world = new World(graph());
    world.run(["a", "b", "c"], minute(0));
    world.tick(minute(1));
    world.materialize("a", minute(2));
    assert.deepEqual(world.tick(minute(3)), ["b", "c"]);
    assert.deepEqual(world.tick(minute(4)), [], "newly_requested resets since_last_handled");
    world.setInProgress("b", "r1");
    world.setInProgress("c", "r1");
    assert.deepEqual(world.tick(minute(5)), []);
    world.setInProgress("b", null);
    world.setInProgress("c", null);
    world.run(["b", "c"], minute(6));
    assert.deepEqual(world.tick(minute(7)), [], "b updated c, but by a run that also targeted c (executed_with_root_target)");
    const c = world.evaluation("c")!;
    assert.equal(findNode(c, "newly_updated_without_root")!.value, false);
  });

  test("latch: a dep update while the dep is still in progress waits, then fires once it is done", () => {
    const world = new World(graph());
    world.run(["a", "b", "c"], minute(0));
    world.tick(minute(1));
    world.materialize("a", minute(2));
    world.setInProgress("a", "second-run");
    assert.deepEqual(world.tick(minute(3)), [], "any_deps_in_progress blocks b");
    assert.equal(findNode(world.evaluation("b"), "since")?.value ?? findNode(world.evaluation("b"), "SINCE")?.value, true, "the trigger latched");
    assert.deepEqual(world.tick(minute(4)), [], "still in progress, still latched");
    world.setInProgress("a", null);
    assert.deepEqual(world.tick(minute(5)), ["b", "c"], "the latch held across ticks");
    assert.deepEqual(world.tick(minute(6)), []);
  });

  test("in progress itself: an update while b's own run is in progress waits for it", () => {
    const world = new World(graph());
    world.run(["a", "b", "c"], minute(0));
    world.tick(minute(1));
    world.setInProgress("b", "manual");
    world.materialize("a", minute(2));
    assert.deepEqual(world.tick(minute(3)), []);
    world.setInProgress("b", null);
    assert.deepEqual(world.tick(minute(4)), ["b", "c"]);
  });

  test("missing deps block, then the latch fires once they exist", () => {
    const world = new World(graphOf(node("a"), node("x"), node("d", { deps: ["a", "x"], policy: EAGER })));
    world.materialize("a", minute(0));
    world.materialize("d", minute(0));
    world.tick(minute(1));
    world.materialize("a", minute(2));
    assert.deepEqual(world.tick(minute(3)), [], "x is missing and nothing requests it");
    assert.equal(findNode(world.evaluation("d"), "any_deps_missing")!.reason, "true for x");
    world.materialize("x", minute(4));
    assert.deepEqual(world.tick(minute(5)), ["d"]);
  });

  test("a dep materialized twice between ticks requests once", () => {
    const world = new World(graph());
    world.run(["a", "b", "c"], minute(0));
    world.tick(minute(1));
    world.materialize("a", minute(2));
    world.materialize("a", minute(3));
    assert.deepEqual(world.tick(minute(4)), ["b", "c"]);
    assert.deepEqual(world.tick(minute(5)), []);
  });

  test("an asset that goes missing later is requested (newly_missing)", () => {
    const world = new World(graph());
    world.run(["a", "b", "c"], minute(0));
    world.tick(minute(1));
    world.wipe("c");
    assert.deepEqual(world.tick(minute(2)), ["c"]);
    assert.deepEqual(world.tick(minute(3)), []);
  });

  test("editing the condition keeps its state: the latch survives, initial_evaluation stays false (Dagster ≥ 1.9)", () => {
    const world = new World(graph());
    world.run(["a", "b", "c"], minute(0));
    world.tick(minute(1));
    world.materialize("a", minute(2));
    world.setInProgress("a", "slow");
    assert.deepEqual(world.tick(minute(3)), [], "latched, blocked");
    const before = world.last!.evaluations.find((e) => e.assetId === "b")!;
    world.graph = graphOf(
      node("a"),
      node("b", { deps: ["a"], policy: condition({ all_of: [{ not: "execution_failed" }, "eager"] }) }),
      node("c", { deps: ["b"], policy: EAGER }),
    );
    world.setInProgress("a", null);
    assert.deepEqual(world.tick(minute(4)), ["b", "c"], "eager moved in the tree, its since_last_handled kept the latch");
    const b = world.last!.evaluations.find((e) => e.assetId === "b")!;
    assert.notEqual(b.treeHash, before.treeHash);
    assert.equal(findNode(b.tree, "initial_evaluation")!.value, false);
    const sinceId = findNode(before.tree, "SINCE")!.id;
    assert.equal(findNode(b.tree, "SINCE")!.id, sinceId, "the since node's id does not depend on its position");
  });

  test("a latch stored under the since node's former positional id (before the upgrade) is kept", async () => {
    const { compilePolicy } = await import("./from-policy.ts");
    const world = new World(graph());
    world.run(["a", "b", "c"], minute(0));
    world.tick(minute(1));
    world.materialize("a", minute(2));
    world.setInProgress("a", "slow");
    assert.deepEqual(world.tick(minute(3)), [], "latched, blocked");
    // Rewrite b's cursor as the previous release stored it: since and newly_true under their positional ids.
    const renames = new Map<string, string>();
    const walk = (n: { id: string; previousId?: string; children: readonly unknown[] }) => {
      if (n.previousId) renames.set(n.id, n.previousId);
      for (const child of n.children) walk(child as typeof n);
    };
    walk(compilePolicy(EAGER).root);
    assert.ok(renames.size >= 2, "eager has a since and a newly_true");
    const b = world.cursor!.assets["b"]!;
    const nodes = Object.fromEntries(Object.entries(b.nodes).map(([id, cursor]) => [renames.get(id) ?? id, cursor]));
    assert.notDeepEqual(Object.keys(nodes), Object.keys(b.nodes));
    world.cursor = { ...world.cursor!, assets: { ...world.cursor!.assets, b: { ...b, nodes, settled: null } } };
    world.setInProgress("a", null);
    assert.deepEqual(world.tick(minute(4)), ["b", "c"], "the latch was read from the old id");
  });

  test("a condition given to an asset never evaluated before fires initial_evaluation", () => {
    const world = new World(graphOf(node("a"), node("b", { deps: ["a"] })));
    world.run(["a", "b"], minute(0));
    world.tick(minute(1));
    world.graph = graphOf(node("a"), node("b", { deps: ["a"], policy: EAGER }));
    world.tick(minute(2));
    assert.equal(findNode(world.evaluation("b"), "initial_evaluation")!.value, true);
    assert.equal(findNode(world.evaluation("b"), "initial_evaluation")!.reason, "first evaluation of this asset");
  });

  test("a label-only difference keeps the tree hash", async () => {
    const { compileCondition, withLabel } = await import("./tree.ts");
    const { eager } = await import("./named.ts");
    assert.equal(compileCondition(eager()).treeHash, compileCondition(withLabel(eager(), "renamed")).treeHash);
  });
});

describe("on_missing", () => {
  test("never backfills what was missing at the first tick; requests what goes missing later, once; waits for missing deps", () => {
    const world = new World(graphOf(node("seed"), node("dim", { deps: ["seed"], policy: amp("on_missing") }), node("other", { policy: amp("on_missing") })));
    world.materialize("seed", minute(0));
    assert.deepEqual(world.tick(minute(1)), [], "dim and other were already missing");
    world.materialize("dim", minute(2));
    world.materialize("other", minute(2));
    world.tick(minute(3));
    world.wipe("dim");
    world.wipe("seed");
    assert.deepEqual(world.tick(minute(4)), [], "dim went missing, but its dep seed is missing too");
    world.materialize("seed", minute(5));
    assert.deepEqual(world.tick(minute(6)), ["dim"], "the latch held until seed came back");
    assert.deepEqual(world.tick(minute(7)), [], "requested once");
    world.materialize("seed", minute(8));
    assert.deepEqual(world.tick(minute(9)), [], "on_missing ignores dep updates");
  });
});

describe("on_cron", () => {
  const daily = amp("on_cron", "0 6 * * *", "UTC");
  const hour = (day: number, h: number, m = 0) => Date.UTC(2026, 2, day, h, m);

  test("waits after the cron tick until every dep has updated since it, then requests once", () => {
    const world = new World(graphOf(node("a"), node("r", { deps: ["a"], policy: daily })));
    world.materialize("a", hour(2, 1));
    world.materialize("r", hour(2, 1));
    assert.deepEqual(world.tick(hour(2, 5)), [], "first tick: cron_tick_passed is false");
    assert.deepEqual(world.tick(hour(2, 6, 1)), [], "the cron passed but a has not updated since 06:00");
    const r = world.evaluation("r")!;
    assert.match(findNode(r, "all_deps_updated_since_cron(0 6 * * *, UTC)")!.reason!, /false for a/);
    world.materialize("a", hour(2, 6, 30));
    assert.deepEqual(world.tick(hour(2, 6, 31)), ["r"], "a updated after the cron tick; the cron latch held");
    assert.deepEqual(world.tick(hour(2, 6, 32)), []);
    world.materialize("a", hour(2, 12));
    assert.deepEqual(world.tick(hour(2, 12, 1)), [], "no new cron tick");
    world.materialize("a", hour(3, 5));
    assert.deepEqual(world.tick(hour(3, 6, 1)), [], "a updated before today's cron tick: not enough");
    world.materialize("a", hour(3, 7));
    assert.deepEqual(world.tick(hour(3, 7, 1)), ["r"]);
  });

  test("a dep that lands after the cron time but before the next tick counts: the later trigger wins (Dagster ≥ 1.12)", () => {
    const world = new World(graphOf(node("a"), node("r", { deps: ["a"], policy: daily })));
    world.run(["a", "r"], hour(2, 1));
    assert.deepEqual(world.tick(hour(2, 5, 59)), []);
    world.materialize("a", hour(2, 6, 0) + 30_000);
    assert.deepEqual(world.tick(hour(2, 6, 1)), ["r"], "newly_updated (06:00:30) and cron_tick_passed (06:00) on one tick: the update is later");
    const since = findNode(world.evaluation("r"), "dep a")!.children[0]!.children[0]!;
    assert.match(since.reason!, /happened after the reset/);
    assert.deepEqual(world.tick(hour(2, 6, 2)), []);
    world.materialize("a", hour(3, 5, 59));
    assert.deepEqual(world.tick(hour(3, 6, 1)), [], "an update before the cron time, seen on the same tick as the cron: the reset wins");
  });

  test("a root asset fires on every cron tick (no deps: vacuously all updated); a chain runs in one tick", () => {
    const world = new World(graphOf(node("root", { policy: daily }), node("child", { deps: ["root"], policy: daily })));
    world.run(["root", "child"], hour(2, 0));
    assert.deepEqual(world.tick(hour(2, 5)), []);
    assert.deepEqual(world.tick(hour(2, 6)), ["root", "child"], "a tick exactly at the cron time counts; child sees root will be requested");
    assert.deepEqual(world.tick(hour(2, 6, 1)), []);
    assert.deepEqual(world.tick(hour(2, 23)), []);
    assert.deepEqual(world.tick(hour(3, 6, 2)), ["root", "child"]);
  });

  test("time zones: 06:00 Europe/Copenhagen is 05:00 UTC in winter", () => {
    const world = new World(graphOf(node("root", { policy: amp("on_cron", "0 6 * * *", "Europe/Copenhagen") })));
    world.materialize("root", hour(2, 0));
    world.tick(hour(2, 4, 59));
    assert.deepEqual(world.tick(hour(2, 5, 0)), ["root"]);
  });
});

describe("legacy auto_materialize_policy eager / lazy (Dagster's rule-based policies)", () => {
  test("eager materializes missing roots at once and their children in the same tick, unlike AutomationCondition.eager", () => {
    const world = new World(graphOf(node("a", { policy: amp("eager") }), node("b", { deps: ["a"], policy: amp("eager") })));
    assert.deepEqual(world.tick(minute(0)), ["a", "b"]);
    assert.deepEqual(world.tick(minute(1)), [], "handled: requested");
    world.run(["a", "b"], minute(2));
    assert.deepEqual(world.tick(minute(3)), [], "b is newer than a: nothing to do");
  });

  test("eager: a parent newer than the child requests it; an outdated parent that is not requested skips it", () => {
    const world = new World(graphOf(node("a"), node("b", { deps: ["a"] }), node("c", { deps: ["b"], policy: amp("eager") })));
    world.run(["a", "b", "c"], minute(0));
    assert.deepEqual(world.tick(minute(1)), []);
    world.materialize("b", minute(2));
    assert.deepEqual(world.tick(minute(3)), ["c"]);
    world.materialize("a", minute(4));
    world.materialize("b", minute(4));
    world.materialize("a", minute(5));
    assert.deepEqual(world.tick(minute(6)), [], "b updated, but a is newer than b: b is outdated");
    assert.match(findNode(world.evaluation("c"), "waiting on upstream data to be up to date")!.reason!, /^b /);
    world.materialize("b", minute(7));
    assert.deepEqual(world.tick(minute(8)), ["c"], "parent_updated stayed true until handled");
  });

  test("eager: a parent that is missing and not requested skips the child", () => {
    const world = new World(graphOf(node("a"), node("x"), node("b", { deps: ["a", "x"], policy: amp("eager") })));
    world.materialize("a", minute(0));
    world.materialize("b", minute(0));
    world.tick(minute(1));
    world.materialize("a", minute(2));
    assert.deepEqual(world.tick(minute(3)), []);
    assert.equal(findNode(world.evaluation("b"), "waiting on upstream data to be present")!.reason, "x never materialized");
  });

  test("eager: a parent built by a run that also targets the child does not request the child while that run goes on", () => {
    // Dagster's legacy daemon ignores a parent update whose run planned the child (is_asset_planned_for_run):
    // a dbt build streams each model's materialization, and a tick between the parent's and the child's
    // must not queue a second build of the child.
    const world = new World(graphOf(node("a"), node("b", { deps: ["a"], policy: amp("eager") }), node("c", { deps: ["b"], policy: amp("eager") })));
    world.materialize("a", minute(0));
    assert.deepEqual(world.tick(minute(1)), ["b", "c"], "first build: b (a parent updated) and c with it");
    world.materialize("b", minute(2), ["b", "c"], "r1");
    assert.deepEqual(world.tick(minute(3)), [], "c is still missing, but the run that built b builds c next (materialize_on_missing)");
    world.materialize("c", minute(4), ["b", "c"], "r1");
    assert.deepEqual(world.tick(minute(5)), []);
    world.materialize("a", minute(6));
    assert.deepEqual(world.tick(minute(7)), ["b", "c"]);
    world.materialize("b", minute(8), ["b", "c"], "r2");
    assert.deepEqual(world.tick(minute(9)), [], "b is newer than c, but r2 builds c next (materialize_on_parent_updated)");
    world.materialize("c", minute(10), ["b", "c"], "r2");
    assert.deepEqual(world.tick(minute(11)), []);
    world.materialize("b", minute(12), ["b"], "r3");
    assert.deepEqual(world.tick(minute(13)), ["c"], "a run of b alone still requests c");
  });

  test("lazy never requests on its own (freshness policies are not ported)", () => {
    const world = new World(graphOf(node("a"), node("b", { deps: ["a"], policy: amp("lazy") })));
    assert.deepEqual(world.tick(minute(0)), []);
    world.materialize("a", minute(1));
    assert.deepEqual(world.tick(minute(2)), []);
  });
});

describe("assets nothing can materialize", () => {
  test("a true condition on a source is recorded but not requested", () => {
    const world = new World(graphOf(source("raw"), node("b", { deps: ["raw"], policy: EAGER })));
    world.graph = graphOf({ ...source("raw"), policy: amp("eager") }, node("b", { deps: ["raw"], policy: EAGER }));
    assert.deepEqual(world.tick(minute(0)), []);
    assert.match(world.last!.evaluations.find((e) => e.assetId === "raw")!.tree.reason!, /nothing in the catalog can materialize/);
  });
});

describe("carry-forward", () => {
  test("a quiet graph settles and is carried forward; results equal a full evaluation at every tick", () => {
    const specs = () => [
      node("a"),
      node("b", { deps: ["a"], policy: EAGER }),
      node("c", { deps: ["b"], policy: amp("eager") }),
      node("d", { deps: ["b", "c"], policy: amp("on_cron", "*/10 * * * *") }),
      node("e", { deps: ["a"], policy: amp("on_missing") }),
    ];
    const incremental = new World(graphOf(...specs()));
    const full = new World(graphOf(...specs()));
    const script: ((w: World, t: number) => void)[] = [
      (w, t) => w.run(["a", "b", "c", "d", "e"], t),
      () => undefined,
      () => undefined,
      () => undefined,
      (w, t) => w.materialize("a", t),
      () => undefined,
      (w) => w.setInProgress("c", "r"),
      () => undefined,
      (w, t) => {
        w.setInProgress("c", null);
        w.run(["b", "c"], t);
      },
      () => undefined,
      (w) => w.wipe("e"),
      () => undefined,
      () => undefined,
      () => undefined,
    ];
    script.forEach((step, i) => {
      step(incremental, minute(i * 3));
      step(full, minute(i * 3));
      const at = minute(i * 3 + 1);
      assert.deepEqual(incremental.tick(at), full.tick(at, { full: true }), `tick ${i + 1}`);
      for (const [id, cursor] of Object.entries(full.cursor!.assets)) {
        assert.deepEqual(incremental.cursor!.assets[id]!.nodes, cursor.nodes, `node state of ${id} at tick ${i + 1}`);
      }
    });
    assert.ok(incremental.last!.carriedForward > 0, "the quiet tail was carried forward");
  });

  test("a new manifest re-evaluates exactly the assets whose definitions changed (ids, not plan positions)", () => {
    const before = [node("a"), node("b", { deps: ["a"], policy: EAGER }), node("c", { deps: ["b"], policy: EAGER }), node("d", { deps: ["a"], policy: EAGER })];
    const world = new World(graphOf(...before));
    world.run(["a", "b", "c", "d"], minute(0));
    for (let i = 1; i <= 3; i++) world.tick(minute(i));
    assert.equal(world.last!.carriedForward, 3, "settled");
    // A new asset that sorts first moves every asset's position in the plan; c gains it as a dep.
    world.graph = graphOf(node("0new"), node("a"), node("b", { deps: ["a"], policy: EAGER }), node("c", { deps: ["b", "0new"], policy: EAGER }), node("d", { deps: ["a"], policy: EAGER }));
    world.tick(minute(4));
    assert.deepEqual(world.last!.evaluations.map((e) => e.assetId), ["c"]);
    assert.equal(world.last!.carriedForward, 2);
  });

  test("an asset that becomes materializable is evaluated again, not carried forward", () => {
    const lonely = { materializer: null, dbtUniqueId: null, policy: condition("missing") };
    const world = new World(graphOf(node("s", lonely)));
    for (let i = 1; i <= 3; i++) assert.deepEqual(world.tick(minute(i)), [], "true, but nothing can materialize it");
    assert.equal(world.last!.carriedForward, 1, "settled while true");
    world.graph = graphOf(node("s", { policy: condition("missing") }));
    assert.deepEqual(world.tick(minute(4)), ["s"]);
  });

  test("evaluations are kept when they change: an asset's first, new values, a request (Dagster's rule)", () => {
    const world = new World(graphOf(node("a"), node("b", { deps: ["a"], policy: EAGER })));
    world.run(["a", "b"], minute(0));
    const changed = () => world.last!.changed.map((e) => e.assetId);
    world.tick(minute(1));
    assert.deepEqual(changed(), ["b"], "the first evaluation");
    world.tick(minute(2));
    assert.deepEqual(changed(), ["b"], "initial_evaluation became false");
    world.tick(minute(3));
    assert.equal(world.last!.carriedForward, 1);
    world.fail("a", minute(4));
    world.tick(minute(5));
    assert.deepEqual(world.last!.evaluations.map((e) => e.assetId), ["b"], "a new input: evaluated…");
    assert.deepEqual(changed(), [], "…to the same values: not kept");
    world.materialize("a", minute(6));
    assert.deepEqual(world.tick(minute(7)), ["b"]);
    assert.deepEqual(changed(), ["b"], "a request");
    world.tick(minute(8));
    assert.deepEqual(changed(), ["b"], "newly_requested became false, the latch reset");
  });
});

describe("dry run of a few assets (only)", () => {
  test("evaluates an asset with its upstream closure alone, and agrees with evaluating everything", () => {
    const world = new World(
      graphOf(
        node("a"),
        node("b", { deps: ["a"], policy: EAGER }),
        node("c", { deps: ["b"], policy: EAGER }),
        node("d", { deps: ["c"], policy: EAGER }),
        node("x", { deps: ["a"], policy: amp("on_missing") }),
      ),
    );
    world.run(["a", "b", "c", "d", "x"], minute(0));
    world.tick(minute(1));
    world.materialize("a", minute(2));
    const state = world.state();
    const all = evaluate({ graph: world.graph, state, now: minute(3), cursor: world.cursor, full: true });
    assert.deepEqual(all.requests, ["b", "c", "d"], "the chain is requested in one tick");
    for (const id of ["b", "c", "d", "x"]) {
      const one = evaluate({ graph: world.graph, state, now: minute(3), cursor: world.cursor, full: true, only: new Set([id]) });
      const own = one.evaluations.find((e) => e.assetId === id);
      assert.deepEqual(own, all.evaluations.find((e) => e.assetId === id), `${id} alone decides as in the whole`);
      // Its upstream is evaluated too (c reads whether b will be requested), nothing downstream or beside it.
      const upstream: Record<string, string[]> = { b: ["b"], c: ["b", "c"], d: ["b", "c", "d"], x: ["x"] };
      assert.deepEqual(one.evaluations.map((e) => e.assetId), upstream[id], `evaluated for ${id}`);
    }
  });
});

describe("updates committed late (AutomationState.unseenUpdates)", () => {
  // b (eager) and c (the legacy eager policy) read a; nothing reads x.
  const graph = () => graphOf(node("a"), node("x"), node("b", { deps: ["a"], policy: EAGER }), node("c", { deps: ["a"], policy: amp("eager") }));

  test("a dependency's materialization with an id a tick already passed is newly updated on the tick that first sees it, once", () => {
    const world = new World(graph());
    world.run(["a", "x", "b", "c"], minute(0));
    const late = world.reserveId();
    world.materialize("x", minute(1));
    for (let i = 2; i <= 4; i++) assert.deepEqual(world.tick(minute(i)), []);
    assert.equal(world.last!.carriedForward, 2, "b and c settled");
    world.updateLate("a", minute(1), late);
    assert.deepEqual(world.tick(minute(5)), ["b", "c"], "not carried forward past it, and newly updated");
    assert.equal(findNode(world.evaluation("b"), "any_deps_updated")!.value, true);
    assert.deepEqual(world.tick(minute(6)), [], "once");
    assert.equal(findNode(world.evaluation("b"), "any_deps_updated")!.value, false);
    assert.deepEqual(world.tick(minute(7)), []);
  });

  test("a settled dependent is not carried forward past a late update that is not the dependency's latest", () => {
    const world = new World(graph());
    world.run(["a", "x", "b", "c"], minute(0));
    assert.deepEqual(world.tick(minute(1)), []);
    const late = world.reserveId();
    world.materialize("a", minute(2));
    assert.deepEqual(world.tick(minute(3)), ["b", "c"]);
    for (let i = 4; i <= 6; i++) assert.deepEqual(world.tick(minute(i)), []);
    assert.equal(world.last!.carriedForward, 2, "b and c settled");
    // It happened before a's latest materialization: a's latest events, ids and fingerprint do not change.
    world.updateLate("a", minute(1), late, "materialization", { latest: false });
    assert.deepEqual(world.tick(minute(7)), ["b", "c"]);
    assert.equal(world.last!.carriedForward, 0);
    assert.deepEqual(world.tick(minute(8)), []);
  });

  test("a late observation is an update of a source, not of an asset something materializes", () => {
    const world = new World(graphOf(source("s"), node("a"), node("b", { deps: ["s"], policy: EAGER }), node("c", { deps: ["a"], policy: EAGER })));
    world.observe("s", minute(0), null);
    world.run(["a", "b", "c"], minute(0));
    const lateSource = world.reserveId();
    const lateAsset = world.reserveId();
    for (let i = 1; i <= 3; i++) assert.deepEqual(world.tick(minute(i)), []);
    world.updateLate("s", minute(1), lateSource, "observation");
    world.updateLate("a", minute(1), lateAsset, "observation");
    assert.deepEqual(world.tick(minute(4)), ["b"]);
  });
});
