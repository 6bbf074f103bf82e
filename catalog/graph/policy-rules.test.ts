import assert from "node:assert/strict";
import { test } from "node:test";
import type { AssetSpec, PolicyRule, PolicySpec } from "../model/index.ts";
import { buildCatalogGraph } from "./build.ts";
import { definitions, spec } from "./test-specs.ts";

const at = (line: number) => ({ file: "/etc/tributary.yaml", line, path: `policies[${line}]` });
const onCron: PolicySpec = { source: "auto_materialize_policy", type: "on_cron", cronSchedule: "0 * * * *", cronTimezone: null, declaredIn: at(3) };
const rule = (assets: string, policy: PolicySpec | null, line: number, errors: string[] = []): PolicyRule => ({ assets, policy, errors, declaredIn: at(line) });
const fivetran = (key: string) => spec(key, { materializer: { tool: "fivetran", locationName: "ingest", runTargetId: "c1" }, dbtUniqueId: null });
const eager: PolicySpec = { source: "auto_materialize_policy", type: "eager", cronSchedule: null, cronTimezone: null, declaredIn: { file: "models/schema.yml" } };

function build(rules: PolicyRule[]) {
  return buildCatalogGraph({
    definitions: [
      definitions("ingest", [fivetran("shopify/order"), fivetran("shopify/customer"), fivetran("stripe/charge")], "fivetran"),
      definitions("shop", [spec("shopify/order_summary", { deps: ["shopify/order"], policy: eager })]),
    ],
    policyRules: rules,
  });
}

test("a tributary.yaml rule gives its policy to the non-dbt assets its glob matches; the first matching rule wins", () => {
  const graph = build([rule("shopify/*", onCron, 3), rule("**", { ...eager, declaredIn: at(9) }, 9)]);
  assert.equal(graph.get("shopify/order")!.policy, onCron);
  assert.equal(graph.get("shopify/customer")!.policy, onCron);
  assert.equal(graph.get("stripe/charge")!.policy!.declaredIn.line, 9, "only ** matches stripe/charge");
});

test("a policy the asset declares itself wins, with a warning naming the rule's file and line", () => {
  const graph = build([rule("shopify/*", onCron, 3)]);
  const summary = graph.get("shopify/order_summary")!;
  assert.equal(summary.policy, eager);
  const warning = summary.diagnostics.find((d) => d.code === "policy_rule_shadowed")!;
  assert.match(warning.message, /^\/etc\/tributary\.yaml:3: the policy for "shopify\/\*" does not apply to shopify\/order_summary/);
});

test("an invalid rule is an error on each asset it matches, which loads without a policy", () => {
  const graph = build([rule("stripe/*", null, 5, ['unknown type "sometimes"; expected eager, lazy, on_cron, on_missing'])]);
  const charge = graph.get("stripe/charge")!;
  assert.equal(charge.policy, null);
  const error = charge.diagnostics.find((d) => d.code === "invalid_policy")!;
  assert.equal(error.severity, "error");
  assert.match(error.message, /tributary\.yaml:5: .*unknown type "sometimes"/);
});

test("a rule that matches nothing is a warning", () => {
  const graph = build([rule("census/*", onCron, 7)]);
  const warning = graph.diagnostics.find((d) => d.code === "policy_rule_unmatched")!;
  assert.match(warning.message, /tributary\.yaml:7: the policy for "census\/\*" matches no asset/);
  assert.equal(warning.severity, "warning");
});

test("an asset its tool runs on a schedule of its own gets no policy: a rule's or its own is dropped with a warning naming where it was declared", () => {
  const scheduledByTool = { tool: "Census", schedule: "hourly", howToTrigger: "Set it to manual in Census." };
  const census = (key: string, extra: Pick<Partial<AssetSpec>, "scheduledByTool" | "policy"> = {}) =>
    spec(key, { materializer: { tool: "census", locationName: "crm", runTargetId: key }, dbtUniqueId: null, ...extra });
  const graph = buildCatalogGraph({
    definitions: [definitions("crm", [census("scheduled", { scheduledByTool }), census("manual"), census("own", { scheduledByTool, policy: eager })], "census")],
    policyRules: [rule("*", { ...onCron, declaredIn: at(7) }, 7)],
  });
  assert.equal(graph.get("scheduled")!.policy, null);
  const warning = graph.get("scheduled")!.diagnostics.find((d) => d.code === "policy_yields_to_tool_schedule")!;
  assert.equal(warning.severity, "warning");
  assert.match(warning.message, /^scheduled runs on Census's own schedule \(hourly\), so its policy \(declared in \/etc\/tributary\.yaml:7\) does not apply: Tributary records the Census runs and adds none\. Set it to manual in Census\.$/);
  assert.deepEqual(warning.at, at(7));
  assert.equal(graph.get("manual")!.policy!.declaredIn.line, 7, "a sync without a schedule of its own keeps the rule's policy");
  assert.equal(graph.get("own")!.policy, null);
  assert.match(graph.get("own")!.diagnostics.find((d) => d.code === "policy_yields_to_tool_schedule")!.message, /declared in models\/schema\.yml\)/);
});
