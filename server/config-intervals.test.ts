/**
 * tributary.yaml policy rules with the over-sync options (issue 19): valid ones parse, invalid ones carry
 * their errors and the rule's line (what `tributary check` prints as file:line).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadConfig } from "./config.ts";

test("minimum_interval, minimum_interval_passed and on_freshness in tributary.yaml rules", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tributary-intervals-config-"));
  try {
    const file = join(dir, "tributary.yaml");
    writeFileSync(
      file,
      [
        "policies:",
        '  - assets: "stripe/*"',
        "    automation_condition: {all_of: [required_for_freshness, {minimum_interval_passed: 30m}]}",
        '  - assets: "marts/**"',
        "    auto_materialize_policy: {type: eager, minimum_interval: 2h}",
        '  - assets: "census/*"',
        "    auto_materialize_policy: {type: eager, minimum_interval: 30}",
        '  - assets: "finance/*"',
        "    automation_condition: {on_freshness: {maximum_lag_minutes: 60, cron: '0 25 * * *'}}",
        "",
      ].join("\n"),
    );
    const { policyRules } = await loadConfig(file, {});
    assert.equal(policyRules.length, 4);
    const [stripe, marts, census, finance] = policyRules;
    assert.deepEqual(stripe!.errors, []);
    assert.ok(marts!.policy?.source === "auto_materialize_policy");
    assert.equal(marts!.policy.minimumIntervalSeconds, 7200);
    assert.equal(census!.policy, null);
    assert.match(census!.errors[0]!, /minimum_interval: expected a duration with a unit such as "30m"/);
    assert.equal(census!.declaredIn.line, 6);
    assert.equal(finance!.policy, null);
    assert.match(finance!.errors[0]!, /automation_condition\.on_freshness\.cron: "0 25 \* \* \*" is not a valid cron expression/);
    assert.equal(finance!.declaredIn.line, 8);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
