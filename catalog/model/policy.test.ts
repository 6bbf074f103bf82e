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
