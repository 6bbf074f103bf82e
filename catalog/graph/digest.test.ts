/**
 * The graph's definitions digest: equal for the same definitions and policy rules built again (a new process
 * reads the same manifest), different when a spec or a rule changes, and null when some location's content
 * hash is unknown — what the scheduler keeps its stored plan under (scheduler/daemon/restart.test.ts).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { PolicyRule } from "../model/index.ts";
import { definitionsContentHash } from "../store/snapshot-codec.ts";
import { buildCatalogGraph } from "./build.ts";
import { definitions, spec } from "./test-specs.ts";

const specs = () => [spec("raw/orders"), spec("stg_orders", { deps: ["raw/orders"] })];
const rule: PolicyRule = {
  assets: "stg_*",
  policy: { source: "auto_materialize_policy", type: "eager", cronSchedule: null, cronTimezone: null, declaredIn: { file: "tributary.yaml" } },
  errors: [],
  declaredIn: { file: "tributary.yaml" },
};

test("the definitions digest follows the definitions and the policy rules, and only them", () => {
  const build = (s = specs(), policyRules: PolicyRule[] = []) =>
    buildCatalogGraph({ definitions: [definitions("shop", s)], policyRules, contentHash: definitionsContentHash }).definitionsDigest;
  const digest = build();
  assert.match(digest ?? "", /^[0-9a-f]{64}$/);
  assert.equal(build(), digest, "the same definitions, new objects (another process): the same digest");
  assert.notEqual(build([spec("raw/orders"), spec("stg_orders", { deps: [] })]), digest, "a dep removed");
  assert.notEqual(build([...specs(), spec("aaa")]), digest, "an asset added");
  assert.notEqual(build(specs(), [rule]), digest, "a policy rule added");
  assert.equal(buildCatalogGraph({ definitions: [definitions("shop", specs())] }).definitionsDigest, null, "no content hashes: no digest");
  assert.equal(
    buildCatalogGraph({ definitions: [definitions("shop", specs()), definitions("other", [spec("x")])], contentHash: (d) => (d.location.name === "shop" ? "h" : null) }).definitionsDigest,
    null,
    "one location without a hash: no digest",
  );
});
