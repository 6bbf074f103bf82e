import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseAutoMaterializePolicy, parseAutomationCondition, policyLabel } from "./policy.ts";

const at = { file: "models/marts/schema.yml", path: "$.nodes.x.meta.dagster" };

describe("auto_materialize_policy", () => {
  test("each named type parses", () => {
    assert.equal(parseAutoMaterializePolicy({ type: "eager" }, at).policy?.source, "auto_materialize_policy");
    const cron = parseAutoMaterializePolicy({ type: "on_cron", cron_schedule: "0 6 * * *", cron_timezone: "Europe/Copenhagen" }, at);
    assert.deepEqual(cron.errors, []);
    assert.equal(policyLabel(cron.policy!), "on_cron 0 6 * * * (Europe/Copenhagen)");
    assert.equal(policyLabel(parseAutoMaterializePolicy({ type: "on_missing" }, at).policy!), "on_missing");
    assert.equal(policyLabel(parseAutoMaterializePolicy({ type: "lazy" }, at).policy!), "lazy");
  });

  const bad: [string, unknown, RegExp][] = [
    ["an unknown type", { type: "sometimes" }, /unknown type "sometimes"; expected eager, lazy, on_cron, on_missing/],
    ["a capitalised type (Dagster compares exactly)", { type: "Eager" }, /types are lowercase: "eager"/],
    ["a bare string", "eager", /must be a mapping like \{type: eager\}, got the string "eager"/],
    ["no type", { cron_schedule: "0 6 * * *" }, /has no type/],
    ["a list", ["eager"], /must be a mapping.*got a list/],
    ["on_cron without a schedule", { type: "on_cron" }, /on_cron needs cron_schedule/],
    ["on_cron with a 6-field schedule", { type: "on_cron", cron_schedule: "0 0 6 * * *" }, /expected 5 fields/],
    ["on_cron with an impossible minute", { type: "on_cron", cron_schedule: "61 6 * * *" }, /not a valid cron expression/],
    ["on_cron with an unknown time zone", { type: "on_cron", cron_schedule: "0 6 * * *", cron_timezone: "Mars/Olympus" }, /"Mars\/Olympus" is not an IANA time zone/],
  ];
  for (const [name, value, message] of bad) {
    test(`${name} is an error and no policy`, () => {
      const result = parseAutoMaterializePolicy(value, at);
      assert.equal(result.policy, null);
      assert.ok(result.errors.some((e) => message.test(e)), `${JSON.stringify(result.errors)} should match ${message}`);
    });
  }

  test("a key Dagster ignores is a warning and keeps the policy", () => {
    const result = parseAutoMaterializePolicy({ type: "eager", max_materializations_per_minute: 5 }, at);
    assert.ok(result.policy);
    assert.match(result.warnings[0]!, /"max_materializations_per_minute" is ignored for type eager/);
  });
});

describe("automation_condition", () => {
  test("a composed tree parses and is kept as written", () => {
    const tree = {
      all_of: [
        "any_deps_updated",
        { not: { any_deps_in_progress: {} } },
        { since: { trigger: { cron_tick_passed: { cron: "0 * * * *", timezone: "UTC" } }, reset: "newly_requested" } },
        { any_deps_match: { condition: "newly_updated", ignore: ["raw/*"] } },
      ],
    };
    const result = parseAutomationCondition(tree, at);
    assert.deepEqual(result.errors, []);
    assert.ok(result.policy?.source === "automation_condition");
    assert.deepEqual(result.policy.condition, tree, "the declaration is kept as written");
    assert.deepEqual(result.policy.tree, {
      op: "all_of",
      children: [
        { op: "named", name: "any_deps_updated" },
        { op: "not", child: { op: "named", name: "any_deps_in_progress" } },
        { op: "since", trigger: { op: "cron_tick_passed", cron: "0 * * * *", timezone: "UTC" }, reset: { op: "operand", name: "newly_requested" } },
        { op: "any_deps_match", child: { op: "operand", name: "newly_updated" }, allow: null, ignore: ["raw/*"] },
      ],
    }, "and parsed once into its typed tree");
  });

  const bad: [string, unknown, RegExp][] = [
    ["an unknown primitive", { all_of: ["missing", "sometimes"] }, /automation_condition\.all_of\[1\]: unknown condition "sometimes"/],
    ["two operators in one mapping", { not: "missing", all_of: [] }, /exactly one key/],
    ["an empty all_of", { all_of: [] }, /non-empty list/],
    ["since without reset", { since: { trigger: "missing" } }, /\{trigger: <condition>, reset: <condition>\}/],
    ["a cron condition with a bad cron", { cron_tick_passed: { cron: "every day" } }, /automation_condition\.cron_tick_passed\.cron: "every day" is not a valid cron/],
    ["arguments to a primitive that takes none", { missing: { lookback: 3 } }, /takes no arguments/],
    ["a number", 7, /a condition must be a name or a mapping/],
  ];
  for (const [name, value, message] of bad) {
    test(`${name} is an error naming the path in the tree`, () => {
      const result = parseAutomationCondition(value, at);
      assert.equal(result.policy, null);
      assert.ok(result.errors.some((e) => message.test(e)), `${JSON.stringify(result.errors)} should match ${message}`);
    });
  }
});

describe("minimum_interval and build_after (issue 19)", () => {
  test("auto_materialize_policy takes minimum_interval as a duration, on every type", () => {
    const eager = parseAutoMaterializePolicy({ type: "eager", minimum_interval: "30m" }, at);
    assert.deepEqual(eager.errors, []);
    assert.deepEqual(eager.warnings, []);
    assert.ok(eager.policy?.source === "auto_materialize_policy");
    assert.equal(eager.policy.minimumIntervalSeconds, 1800);
    assert.equal(policyLabel(eager.policy), "eager, at most every 30m");
    const cron = parseAutoMaterializePolicy({ type: "on_cron", cron_schedule: "0 * * * *", minimum_interval: "1h30m" }, at);
    assert.equal(cron.policy && policyLabel(cron.policy), "on_cron 0 * * * * (UTC), at most every 1h30m");
    const plain = parseAutoMaterializePolicy({ type: "eager" }, at);
    assert.ok(plain.policy?.source === "auto_materialize_policy" && !("minimumIntervalSeconds" in plain.policy), "no interval: the spec is as before");
  });

  for (const [value, message] of [
    [30, /minimum_interval: expected a duration with a unit such as "30m" \(s, m, h, d\), got the number 30/],
    ["half an hour", /minimum_interval: "half an hour" is not a duration/],
    ["0m", /not a positive duration/],
    [{ minutes: 30 }, /expected a duration/],
  ] as const) {
    test(`minimum_interval ${JSON.stringify(value)} is an error, and the asset has no policy`, () => {
      const result = parseAutoMaterializePolicy({ type: "eager", minimum_interval: value }, at);
      assert.equal(result.policy, null);
      assert.ok(result.errors.some((e) => message.test(e)), JSON.stringify(result.errors));
    });
  }

  test("automation_condition: minimum_interval_passed and build_after parse into typed nodes", () => {
    const result = parseAutomationCondition({ all_of: ["eager", { minimum_interval_passed: "2h" }, { build_after: { count: 4, period: "hour", updates_on: "all" } }] }, at);
    assert.deepEqual(result.errors, []);
    assert.ok(result.policy?.source === "automation_condition");
    assert.deepEqual(result.policy.tree, {
      op: "all_of",
      children: [
        { op: "named", name: "eager" },
        { op: "minimum_interval_passed", seconds: 7200 },
        { op: "build_after", count: 4, period: "hour", updatesOn: "all" },
      ],
    });
    const defaults = parseAutomationCondition({ build_after: { count: 1, period: "day" } }, at);
    assert.ok(defaults.policy?.source === "automation_condition");
    assert.deepEqual(defaults.policy.tree, { op: "build_after", count: 1, period: "day", updatesOn: "any" }, "updates_on defaults to any, as in dbt");
  });

  for (const [value, message] of [
    [{ minimum_interval_passed: "soon" }, /automation_condition\.minimum_interval_passed: "soon" is not a duration/],
    [{ build_after: { count: 4, period: "week" } }, /automation_condition\.build_after\.period: expected one of minute, hour, day/],
    [{ build_after: { count: "4", period: "hour" } }, /build_after\.count: expected a whole number/],
    [{ build_after: { count: 4, period: "hour", updates_on: "some" } }, /build_after\.updates_on: expected any or all/],
    [{ build_after: { count: 4, period: "hour", every: 2 } }, /build_after: unknown key "every"/],
  ] as const) {
    test(`${JSON.stringify(value)} is an error naming the path`, () => {
      const result = parseAutomationCondition(value, at);
      assert.equal(result.policy, null);
      assert.ok(result.errors.some((e) => message.test(e)), JSON.stringify(result.errors));
    });
  }
});

describe("on_freshness (issue 19)", () => {
  test("parses into a freshness target; freshnessTargetOf finds it in a tree", async () => {
    const { freshnessTargetOf } = await import("./condition.ts");
    const result = parseAutomationCondition({ any_of: ["eager", { on_freshness: { maximum_lag_minutes: 30, cron: "0 9 * * *", timezone: "Europe/Copenhagen" } }] }, at);
    assert.deepEqual(result.errors, []);
    assert.ok(result.policy?.source === "automation_condition");
    assert.deepEqual(freshnessTargetOf(result.policy.tree), { maximumLagMinutes: 30, cron: "0 9 * * *", timezone: "Europe/Copenhagen" });
    const plain = parseAutomationCondition({ on_freshness: { maximum_lag_minutes: 60 } }, at);
    assert.ok(plain.policy?.source === "automation_condition");
    assert.deepEqual(freshnessTargetOf(plain.policy.tree), { maximumLagMinutes: 60, cron: null, timezone: "UTC" });
    assert.equal(freshnessTargetOf(parseAutomationCondition("eager", at).policy?.source === "automation_condition" ? { op: "named", name: "eager" } : undefined), null);
  });

  for (const [value, message] of [
    [{ on_freshness: { maximum_lag_minutes: 0 } }, /on_freshness\.maximum_lag_minutes: expected a number of minutes > 0/],
    [{ on_freshness: { maximum_lag_minutes: 60, cron: "at nine" } }, /on_freshness\.cron: "at nine" is not a valid cron expression/],
    [{ on_freshness: { maximum_lag_minutes: 60, lag: 3 } }, /on_freshness: unknown key "lag"/],
    [{ on_freshness: 60 }, /on_freshness: expected \{maximum_lag_minutes/],
  ] as const) {
    test(`${JSON.stringify(value)} is an error naming the path`, () => {
      const result = parseAutomationCondition(value, at);
      assert.equal(result.policy, null);
      assert.ok(result.errors.some((e) => message.test(e)), JSON.stringify(result.errors));
    });
  }
});
