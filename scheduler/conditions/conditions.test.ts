/**
 * Trees from declared policies (the shapes of demo-project's and dagster_meta's policies), the table of
 * malformed policies, cron ticks across DST, and each operator and operand on its own.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseAutoMaterializePolicy, parseAutomationCondition } from "../../catalog/model/policy.ts";
import { latestCronTick } from "./cron.ts";
import { conditionFromPolicy } from "./from-policy.ts";
import { evaluate } from "./evaluate.ts";
import type { AssetRuntimeState } from "./state.ts";
import { matchesKeyGlob } from "../../catalog/model/key-glob.ts";
import { amp, condition, findNode, graphOf, minute, node, World } from "./test-support.ts";
import type { ConditionNode } from "./tree.ts";
import { compileCondition, nodeName, treeView } from "./tree.ts";

/** A compact rendering: `label:NAME(children)`. */
function shape(tree: ConditionNode): string {
  const view = treeView(compileCondition(tree).root);
  const render = (v: typeof view): string => `${v.label ? `${v.label}:` : ""}${v.name}${v.children.length ? `(${v.children.map(render).join(", ")})` : ""}`;
  return render(view);
}

describe("trees from declared policies", () => {
  test("demo-project: eager marts (legacy rules), on_cron daily_revenue, on_missing dim_countries, marketing_roi's condition", () => {
    assert.equal(
      shape(conditionFromPolicy(amp("eager"))),
      "eager (auto_materialize_policy):AND(OR(materialization is missing, required to meet this or downstream asset's freshness policy, " +
        "upstream data has changed since latest materialization), NOT(OR(required parent partitions do not exist, targeted by an in-progress backfill, " +
        "waiting on upstream data to be present, waiting on upstream data to be up to date)), NOT(exceeds 1 materialization(s) per minute))",
    );
    assert.equal(
      shape(conditionFromPolicy(amp("on_cron", "0 6 * * *", "Europe/Copenhagen"))),
      "on_cron(0 6 * * *, Europe/Copenhagen):AND(in_latest_time_window, " +
        "SINCE(cron_tick_passed(cron_schedule=0 6 * * *, cron_timezone=Europe/Copenhagen), handled:OR(newly_requested, newly_updated, initial_evaluation)), " +
        "all_deps_updated_since_cron(0 6 * * *, Europe/Copenhagen):ALL_DEPS(OR(SINCE(newly_updated, cron_tick_passed(cron_schedule=0 6 * * *, cron_timezone=Europe/Copenhagen)), will_be_requested)))",
    );
    assert.equal(
      shape(conditionFromPolicy(amp("on_missing"))),
      "on_missing:AND(in_latest_time_window, missing_since_last_handled:SINCE(NEWLY_TRUE(missing), handled:OR(newly_requested, newly_updated, initial_evaluation)), " +
        "NOT(any_deps_missing:ANY_DEPS(AND(missing, NOT(will_be_requested)))))",
    );
    const marketing = { all_of: [{ any_of: ["missing", "any_deps_updated"] }, { not: "any_deps_missing" }, { not: "any_deps_in_progress" }] };
    assert.equal(
      shape(conditionFromPolicy(condition(marketing))),
      "AND(OR(missing, any_deps_updated:ANY_DEPS(OR(newly_updated_without_root:AND(newly_updated, NOT(executed_with_root_target)), will_be_requested))), " +
        "NOT(any_deps_missing:ANY_DEPS(AND(missing, NOT(will_be_requested)))), NOT(any_deps_in_progress:ANY_DEPS(in_progress:OR(run_in_progress, backfill_in_progress))))",
    );
  });

  test("dagster_meta: {type: \"eager\"} and {type: lazy} map to Dagster's legacy policies", () => {
    assert.match(shape(conditionFromPolicy(amp("lazy"))), /^lazy \(auto_materialize_policy\):AND\(OR\(required to meet this or downstream asset's freshness policy\), NOT/);
  });

  test("automation_condition: eager, since, newly_true, since_last_handled, deps with allow/ignore, cron conditions", () => {
    assert.equal(shape(conditionFromPolicy(condition("eager"))).slice(0, 10), "eager:AND(");
    assert.equal(
      shape(conditionFromPolicy(condition({ since: { trigger: { newly_true: "execution_failed" }, reset: "newly_updated" } }))),
      "SINCE(NEWLY_TRUE(execution_failed), newly_updated)",
    );
    assert.equal(
      shape(conditionFromPolicy(condition({ any_deps_match: { condition: "missing", allow: ["stg_*"], ignore: ["stg_legacy"] } }))),
      "ANY_DEPS(allow=stg_*)(ignore=stg_legacy)(missing)",
    );
    assert.ok(shape(conditionFromPolicy(condition({ since_last_handled: { cron_tick_passed: { cron: "0 * * * *" } } }))).startsWith("SINCE(cron_tick_passed(cron_schedule=0 * * * *, cron_timezone=UTC), handled:OR("));
  });

  test("ids: stable across builds, position- and content-derived; a changed cron changes the hash", () => {
    const a = compileCondition(conditionFromPolicy(amp("on_cron", "0 6 * * *")));
    const b = compileCondition(conditionFromPolicy(amp("on_cron", "0 6 * * *")));
    const c = compileCondition(conditionFromPolicy(amp("on_cron", "0 7 * * *")));
    assert.equal(a.root.id, b.root.id);
    assert.equal(a.treeHash, b.treeHash);
    assert.notEqual(a.treeHash, c.treeHash);
    assert.match(a.root.id, /^[0-9a-f]{32}$/);
    const ids = new Set<string>();
    const walk = (n: typeof a.root): void => {
      ids.add(n.id);
      n.children.forEach(walk);
    };
    walk(a.root);
    assert.equal(ids.size, 14, "every node has its own id");
    const reordered = compileCondition(conditionFromPolicy(condition({ all_of: ["missing", "in_progress"] })));
    const original = compileCondition(conditionFromPolicy(condition({ all_of: ["in_progress", "missing"] })));
    assert.notEqual(reordered.treeHash, original.treeHash, "order matters");
    assert.equal(nodeName({ kind: "operand", operand: "missing", label: "x" }), "missing");
  });
});

describe("malformed policies: each gives a clear error (validated by catalog/model/policy.ts)", () => {
  const at = { file: "models/schema.yml", line: 3 };
  const cases: [string, () => readonly string[], RegExp][] = [
    ["unknown type", () => parseAutoMaterializePolicy({ type: "sometimes" }, at).errors, /unknown type "sometimes"; expected eager, lazy, on_cron, on_missing/],
    ["capitalised type", () => parseAutoMaterializePolicy({ type: "Eager" }, at).errors, /types are lowercase: "eager"/],
    ["bare string", () => parseAutoMaterializePolicy("eager", at).errors, /must be a mapping like \{type: eager\}/],
    ["on_cron without schedule", () => parseAutoMaterializePolicy({ type: "on_cron" }, at).errors, /needs cron_schedule/],
    ["bad cron", () => parseAutoMaterializePolicy({ type: "on_cron", cron_schedule: "every day" }, at).errors, /not a valid cron expression/],
    ["bad timezone", () => parseAutoMaterializePolicy({ type: "on_cron", cron_schedule: "0 6 * * *", cron_timezone: "Mars/Olympus" }, at).errors, /not an IANA time zone/],
    ["unknown condition", () => parseAutomationCondition({ all_of: ["missing", "sometimes"] }, at).errors, /automation_condition\.all_of\[1\]: unknown condition "sometimes"/],
    ["two keys", () => parseAutomationCondition({ not: "missing", since: {} }, at).errors, /exactly one key/],
    ["since without reset", () => parseAutomationCondition({ since: { trigger: "missing" } }, at).errors, /expected \{trigger: <condition>, reset: <condition>\}/],
    ["empty all_of", () => parseAutomationCondition({ all_of: [] }, at).errors, /non-empty list/],
    ["allow not a list", () => parseAutomationCondition({ any_deps_match: { condition: "missing", allow: "stg_*" } }, at).errors, /allow: expected a list of asset key globs/],
    ["cron condition without cron", () => parseAutomationCondition({ cron_tick_passed: { timezone: "UTC" } }, at).errors, /expected \{cron:/],
    ["primitive with arguments", () => parseAutomationCondition({ missing: { x: 1 } }, at).errors, /takes no arguments/],
  ];
  for (const [name, errors, expected] of cases) {
    test(name, () => {
      const found = errors();
      assert.equal(found.length > 0, true);
      assert.match(found.join("\n"), expected);
    });
  }
});

describe("cron ticks (croner)", () => {
  test("latest tick at or before now, in the zone, across DST", () => {
    const at = (iso: string) => Date.parse(iso);
    assert.equal(latestCronTick("0 6 * * *", "UTC", at("2026-03-02T06:00:00Z")), at("2026-03-02T06:00:00Z"), "inclusive");
    assert.equal(latestCronTick("0 6 * * *", "UTC", at("2026-03-02T05:59:59Z")), at("2026-03-01T06:00:00Z"));
    assert.equal(latestCronTick("0 6 * * *", "Europe/Copenhagen", at("2026-01-10T12:00:00Z")), at("2026-01-10T05:00:00Z"), "CET");
    assert.equal(latestCronTick("0 6 * * *", "Europe/Copenhagen", at("2026-07-10T12:00:00Z")), at("2026-07-10T04:00:00Z"), "CEST");
    assert.equal(latestCronTick("30 2 * * *", "Europe/Copenhagen", at("2026-03-29T12:00:00Z")), at("2026-03-29T01:00:00Z"), "02:30 does not exist on the spring-forward day: runs at 03:00 local");
    assert.equal(latestCronTick("30 2 * * *", "Europe/Copenhagen", at("2026-10-25T12:00:00Z")), at("2026-10-25T01:30:00Z"), "02:30 occurs twice in autumn: the second one, as Dagster");
  });
});

describe("key globs", () => {
  test("* within a part, ** across parts", () => {
    assert.ok(matchesKeyGlob("stg_orders", "stg_*"));
    assert.ok(!matchesKeyGlob("raw/stg_orders", "stg_*"));
    assert.ok(matchesKeyGlob("raw/shop/orders", "raw/**"));
    assert.ok(matchesKeyGlob("raw/shop/orders", "raw/*/orders"));
    assert.ok(!matchesKeyGlob("raw.shop", "raw?shop") === false);
  });
});

describe("operators and operands on their own", () => {
  /** One asset `t` with condition `yaml`, deps a (and b); returns the world. */
  const world = (yaml: unknown, deps = ["a"]) => new World(graphOf(node("a"), node("b"), node("t", { deps, policy: condition(yaml) })));

  test("all_of narrows the candidate left to right; any_of; not", () => {
    const w = world({ all_of: ["missing", { not: "in_progress" }] });
    assert.deepEqual(w.tick(minute(0)), ["t"], "missing and not in progress");
    w.setInProgress("t", "r");
    assert.deepEqual(w.tick(minute(1)), []);
    const t = w.evaluation("t")!;
    assert.equal(t.reason, "NOT is false");
    const skip = world({ all_of: [{ not: "missing" }, "execution_failed"] });
    skip.tick(minute(0));
    assert.match(findNode(skip.evaluation("t"), "execution_failed")!.reason!, /not considered/);
    const either = world({ any_of: ["execution_failed", "missing"] });
    assert.deepEqual(either.tick(minute(0)), ["t"]);
    assert.equal(either.evaluation("t")!.reason, "missing true");
  });

  test("since: latches on the trigger, resets on the reset, and a reset without timing wins on the same tick", () => {
    const w = world({ since: { trigger: "execution_failed", reset: "newly_updated" } });
    w.materialize("t", minute(0));
    w.tick(minute(1));
    w.fail("t", minute(2));
    assert.deepEqual(w.tick(minute(3)), ["t"], "trigger");
    w.materialize("t", minute(4));
    assert.deepEqual(w.tick(minute(5)), [], "reset");
    w.fail("t", minute(6));
    w.materialize("t", minute(6));
    w.fail("t", minute(6));
    assert.deepEqual(w.tick(minute(7)), [], "trigger and reset on the same tick: execution_failed carries no time, so the reset wins");
    assert.match(w.evaluation("t")!.reason!, /reset: newly_updated is true/);
  });

  test("newly_true: true only on the tick its operand becomes true", () => {
    const w = world({ newly_true: "execution_failed" });
    w.materialize("t", minute(0));
    assert.deepEqual(w.tick(minute(1)), []);
    w.fail("t", minute(2));
    assert.deepEqual(w.tick(minute(3)), ["t"]);
    assert.deepEqual(w.tick(minute(4)), [], "still failed, no longer newly");
  });

  test("any_deps_match / all_deps_match, with allow and ignore; zero deps: all true, any false", () => {
    const any = world({ any_deps_match: "missing" }, ["a", "b"]);
    any.materialize("a", minute(0));
    assert.deepEqual(any.tick(minute(1)), ["t"], "b is missing");
    const all = world({ all_deps_match: "missing" }, ["a", "b"]);
    all.materialize("a", minute(0));
    assert.deepEqual(all.tick(minute(1)), []);
    const ignored = world({ any_deps_match: { condition: "missing", ignore: ["b"] } }, ["a", "b"]);
    ignored.materialize("a", minute(0));
    assert.deepEqual(ignored.tick(minute(1)), [], "b ignored");
    const allowed = world({ any_deps_match: { condition: "missing", allow: ["b"] } }, ["a", "b"]);
    assert.deepEqual(allowed.tick(minute(1)), ["t"]);
    const dep = findNode(allowed.evaluation("t"), "dep b")!;
    assert.equal(dep.value, true);
    assert.equal(findNode(allowed.evaluation("t"), "dep a"), undefined, "a is not allowed");
    assert.deepEqual(world({ all_deps_match: "missing" }, []).tick(minute(0)), ["t"], "no deps: vacuously true");
    assert.deepEqual(world({ any_deps_match: "missing" }, []).tick(minute(0)), [], "no deps: false");
  });

  test("newly_updated: false on the first tick; observations count only when the data version changes", () => {
    const w = new World(graphOf({ ...node("src"), materializer: null }, node("t", { deps: ["src"], policy: condition({ any_deps_match: "newly_updated" }) })));
    w.observe("src", minute(0), "v1");
    assert.deepEqual(w.tick(minute(1)), [], "first evaluation");
    w.observe("src", minute(2), "v1");
    assert.deepEqual(w.tick(minute(3)), [], "same data version: not an update");
    w.observe("src", minute(4), "v2");
    assert.deepEqual(w.tick(minute(5)), ["t"]);
  });

  test("execution_failed, code_version_changed, initial_evaluation, newly_requested, backfill_in_progress", () => {
    const failed = world("execution_failed");
    failed.materialize("t", minute(0));
    failed.fail("t", minute(1));
    assert.deepEqual(failed.tick(minute(2)), ["t"]);
    failed.materialize("t", minute(3));
    assert.deepEqual(failed.tick(minute(4)), ["t"], "a materialization outside any run does not end it: the latest run that targeted t failed");
    failed.setInProgress("t", "retry");
    assert.deepEqual(failed.tick(minute(5)), [], "a run of t in progress is now the latest");
    failed.setInProgress("t", null);
    failed.run(["t"], minute(6));
    assert.deepEqual(failed.tick(minute(7)), [], "a run that built t clears it");
    failed.fail("t", minute(8), null);
    assert.deepEqual(failed.tick(minute(9)), [], "a failure recorded outside any run is not a run that failed");

    // A state that does not know the latest run-made materialization (the daemon's today): any later one ends it.
    const graph = graphOf(node("t", { policy: condition("execution_failed") }));
    const outside = { storageId: 3, timestamp: minute(3), runId: null, runAssetSelection: null };
    const failure = { storageId: 2, timestamp: minute(2), runId: "r1" };
    const at = (state: AssetRuntimeState) => evaluate({ graph, state: { lastEventId: 3, assets: new Map([["t", state]]) }, now: minute(4), cursor: null }).requests;
    assert.deepEqual(at({ latestMaterialization: outside, latestFailure: failure }), []);
    assert.deepEqual(at({ latestMaterialization: outside, latestRunMaterialization: null, latestFailure: failure }), ["t"]);

    const initial = world("initial_evaluation");
    assert.deepEqual(initial.tick(minute(0)), ["t"]);
    assert.deepEqual(initial.tick(minute(1)), []);

    const requested = world({ any_of: ["initial_evaluation", "newly_requested"] });
    assert.deepEqual(requested.tick(minute(0)), ["t"]);
    assert.deepEqual(requested.tick(minute(1)), ["t"], "newly_requested: requested by the previous tick");

    const code = world("code_version_changed");
    code.graph = graphOf(node("a"), node("b"), node("t", { deps: ["a"], codeVersion: "v1", policy: condition("code_version_changed") }));
    assert.deepEqual(code.tick(minute(0)), []);
    code.graph = graphOf(node("a"), node("b"), node("t", { deps: ["a"], codeVersion: "v2", policy: condition("code_version_changed") }));
    assert.deepEqual(code.tick(minute(1)), ["t"]);
    assert.deepEqual(code.tick(minute(2)), []);

    const backfill = world("backfill_in_progress");
    backfill.setBackfill("t", true);
    assert.deepEqual(backfill.tick(minute(0)), ["t"]);
  });

  test("cron_tick_passed: false on the first evaluation, true on the first tick after each cron time", () => {
    const w = world({ cron_tick_passed: { cron: "*/15 * * * *" } });
    assert.deepEqual(w.tick(minute(14)), []);
    assert.deepEqual(w.tick(minute(15.5)), ["t"]);
    assert.deepEqual(w.tick(minute(16)), []);
    assert.deepEqual(w.tick(minute(30)), ["t"], "a tick exactly at the cron time…");
    assert.deepEqual(w.tick(minute(30.5)), ["t"], "…is true again on the next tick (Dagster: latest tick >= previous evaluation time)");
    assert.deepEqual(w.tick(minute(59)), ["t"], "several cron times missed: true once");
  });

  test("will_be_requested: only for deps requested this tick that can run in the same run", () => {
    const specs = [
      node("f", { policy: condition("initial_evaluation"), materializer: { tool: "fivetran", locationName: "fivetran", runTargetId: "c1" } }),
      node("m", { policy: condition("initial_evaluation") }),
      node("t", { deps: ["f", "m"], policy: condition({ any_deps_match: "will_be_requested" }) }),
    ];
    const w = new World(graphOf(...specs));
    assert.deepEqual(w.tick(minute(0)), ["f", "m", "t"]);
    const t = w.evaluation("t")!;
    assert.equal(findNode(t, "dep f")!.value, false, "a Fivetran sync is another run");
    assert.equal(findNode(t, "dep m")!.value, true);
  });
});

describe("one condition module: the model's grammar and the evaluator tables cover each other", () => {
  test("every operand and named condition the YAML grammar accepts compiles and evaluates", async () => {
    const { OPERANDS: GRAMMAR_OPERANDS, NAMED_CONDITIONS, CRON_CONDITIONS } = await import("../../catalog/model/condition.ts");
    const { OPERANDS: EVALUATED } = await import("./operands.ts");
    const names: unknown[] = [...GRAMMAR_OPERANDS, ...NAMED_CONDITIONS, ...CRON_CONDITIONS.map((name) => ({ [name]: { cron: "0 6 * * *", timezone: "UTC" } }))];
    for (const yaml of names) {
      const parsed = parseAutomationCondition(yaml, { file: "models/schema.yml", line: 3 });
      assert.deepEqual(parsed.errors, [], JSON.stringify(yaml));
      const w = new World(graphOf(node("a"), node("t", { deps: ["a"], policy: parsed.policy! })));
      w.materialize("a", minute(0));
      assert.doesNotThrow(() => w.tick(minute(1)), JSON.stringify(yaml));
      assert.ok(w.evaluation("t"), `${JSON.stringify(yaml)} evaluated`);
    }
    for (const name of GRAMMAR_OPERANDS) assert.ok(name in EVALUATED, `${name} has an evaluator`);
  });
});
