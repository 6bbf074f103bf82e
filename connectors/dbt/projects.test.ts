/**
 * The real `dbt parse` (pinned dbt in the managed virtualenv) on our own projects, through the same provider
 * `tributary serve --dbt-project` uses, checked asset by asset.
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { buildCatalogGraph } from "../../catalog/graph/build.ts";
import type { CatalogGraph } from "../../catalog/graph/types.ts";
import type { Diagnostic, PolicySpec } from "../../catalog/model/index.ts";
import { compilePolicy } from "../../scheduler/conditions/from-policy.ts";
import { createDbtProjectProvider } from "./project-provider.ts";

const ROOT = join(import.meta.dirname, "..", "..");

async function loadProject(dir: string): Promise<{ graph: CatalogGraph; diagnostics: readonly Diagnostic[] }> {
  const provider = await createDbtProjectProvider({
    projectDir: dir,
    targetDir: join(mkdtempSync(join(tmpdir(), "tributary-parse-")), "target"),
    preferManagedDbt: true,
  });
  const definitions = await provider.load();
  return { graph: buildCatalogGraph({ definitions: [definitions] }), diagnostics: definitions.diagnostics };
}

/** The tree hash a declared policy compiles to: equal hashes mean equal condition trees. */
function treeHash(policy: PolicySpec | null): string {
  assert.ok(policy, "a policy");
  return compilePolicy(policy).treeHash;
}
const declared = { file: "x.yml" };
const amp = (type: "eager" | "lazy" | "on_cron" | "on_missing", cronSchedule: string | null = null, cronTimezone: string | null = null): PolicySpec =>
  ({ source: "auto_materialize_policy", type, cronSchedule, cronTimezone, declaredIn: declared });

function ampType(policy: PolicySpec | null): string | null {
  return policy?.source === "auto_materialize_policy" ? policy.type : policy ? "automation_condition" : null;
}

describe("demo-project, parsed by real dbt", () => {
  let graph: CatalogGraph;
  let diagnostics: readonly Diagnostic[];
  before(async () => ({ graph, diagnostics } = await loadProject(join(ROOT, "demo-project"))));

  test("loads without diagnostics", () => {
    assert.deepEqual(diagnostics, []);
  });

  test("policies from dbt_project.yml (+meta) and from model YAML", () => {
    assert.equal(ampType(graph.get("orders")!.policy), "eager", "eager from +meta on the project's models");
    const rollup = graph.get("daily_revenue")!.policy!;
    assert.equal(rollup.source, "auto_materialize_policy");
    assert.deepEqual(rollup.source === "auto_materialize_policy" && [rollup.type, rollup.cronSchedule, rollup.cronTimezone], ["on_cron", "0 6 * * *", "Europe/Copenhagen"]);
    assert.match(rollup.declaredIn.file!, /models\/marts\/finance\/_finance\.yml$/);
    assert.equal(ampType(graph.get("customer_snapshot")!.policy), "on_missing");
    assert.equal(ampType(graph.get("marketing_roi")!.policy), "automation_condition");
    assert.equal(ampType(graph.get("stg_shopify__orders")!.policy), "eager", "staging is eager too");
    assert.equal(ampType(graph.get("country_codes")!.policy), "eager", "seeds are eager");
  });

  test("the demo's over-sync guards: a 30-minute interval on a mart, dbt's build_after on an intermediate model", () => {
    const reconciliation = graph.get("finance/payment_reconciliation")!.policy!;
    assert.ok(reconciliation.source === "auto_materialize_policy");
    assert.deepEqual([reconciliation.type, reconciliation.minimumIntervalSeconds], ["eager", 1800]);
    const spend = graph.get("int_campaign_spend_daily")!.policy!;
    assert.ok(spend.source === "automation_condition");
    assert.deepEqual(spend.tree, { op: "build_after", count: 1, period: "hour", updatesOn: "all" });
    assert.match(spend.declaredIn.path!, /config\.freshness\.build_after$/);
  });

  test("each parsed policy compiles to the condition tree it declares", () => {
    assert.equal(treeHash(graph.get("orders")!.policy), treeHash(amp("eager")));
    assert.equal(treeHash(graph.get("daily_revenue")!.policy), treeHash(amp("on_cron", "0 6 * * *", "Europe/Copenhagen")));
    assert.equal(treeHash(graph.get("customer_snapshot")!.policy), treeHash(amp("on_missing")));
    const marketing = { all_of: [{ any_of: ["missing", "any_deps_updated"] }, { not: "any_deps_missing" }, { not: "any_deps_in_progress" }, { not: "in_progress" }] };
    assert.equal(treeHash(graph.get("marketing_roi")!.policy), treeHash({ source: "automation_condition", condition: marketing, declaredIn: declared }));
    assert.notEqual(treeHash(amp("eager")), treeHash(amp("on_missing")), "different policies have different trees");
  });

  test("keys: sources by source name, custom schema, versions by alias, exposures", () => {
    for (const key of ["shopify/order", "stripe/charge", "google_ads/campaign_stats", "finance/payment_reconciliation", "customers", "customers_v1", "exposures/executive_dashboard"]) {
      assert.ok(graph.get(key), `asset ${key}`);
    }
    assert.equal(graph.get("customers")!.metadata["dbt/version"], 2);
    assert.equal(graph.get("finance/payment_reconciliation")!.relation!.schema, "finance");
    assert.deepEqual(graph.get("shopify/order")!.relation, { database: "warehouse", schema: "shopify", name: "order" });
  });

  test("the ephemeral model is not an asset, and dependencies pass through it", () => {
    const ephemeral = graph.assets.filter((a) => a.metadata["dbt/materialized"] === "ephemeral");
    assert.deepEqual(ephemeral, []);
    const payments = graph.assets.find((a) => a.id === "int_payments_by_order");
    assert.equal(payments, undefined, "int_payments_by_order is ephemeral");
    assert.ok(graph.get("orders")!.upstreamIds.includes("stg_stripe__charges"), "orders reads charges through the ephemeral model");
  });

  test("lineage from a mart reaches the Fivetran-fed sources", () => {
    const upstream = graph.lineage("daily_revenue", "UPSTREAM").nodes.map((n) => n.id);
    for (const source of ["shopify/order", "shopify/order_line", "stripe/charge", "stripe/refund"]) assert.ok(upstream.includes(source), source);
  });

  test("groups carry their owners; tags and column docs come through", () => {
    const orders = graph.get("orders")!;
    assert.equal(orders.group, "commerce");
    assert.deepEqual(orders.owners, ["maya.lindqvist@example.com"]);
    assert.ok(orders.tags.includes("mart"));
    assert.ok(orders.columns.length > 3 && orders.columns.every((c) => c.description), "every mart column documented");
    assert.ok(orders.columns.some((c) => c.type !== null));
  });

  test("tests are checks: generic per column, relationships with the other table, singular", () => {
    const checks = graph.assets.flatMap((a) => a.checks);
    assert.ok(checks.some((c) => c.metadata["dbt/test_name"] === "unique" && c.columnName));
    const relationship = checks.find((c) => c.metadata["dbt/test_name"] === "relationships");
    assert.ok(relationship && relationship.additionalDeps.length === 1, "relationships test reads the other table");
    assert.ok(checks.some((c) => c.metadata["dbt/test_type"] === "singular"));
    assert.ok(checks.some((c) => !c.blocking), "the warn-severity test does not block");
  });
});

describe("dagster_meta (Dagster's meta keys), parsed by real dbt", () => {
  let graph: CatalogGraph;
  let diagnostics: readonly Diagnostic[];
  before(async () => ({ graph, diagnostics } = await loadProject(join(ROOT, "connectors", "dbt", "test-projects", "dagster_meta"))));

  test("meta.dagster.asset_key overrides keys of sources and models, from YAML and from config()", () => {
    assert.ok(graph.get("customized/staging/customers"));
    assert.ok(graph.get("customized/source/jaffle_shop/main/raw_customers"));
    assert.ok(graph.get("customized/marts/customer_origins"));
    assert.deepEqual(graph.get("customers")!.upstreamIds, ["customized/staging/customers", "customized/staging/orders", "customized/staging/payments"]);
  });

  test("meta.dagster.group wins over the dbt group; a seeds-level group applies", () => {
    assert.equal(graph.get("customized/staging/customers")!.group, "customized_dagster_group");
    assert.equal(graph.get("customized/staging/orders")!.group, "customized_dbt_group");
    assert.equal(graph.get("customized/staging/payments")!.group, "customized_dagster_group");
    assert.equal(graph.get("raw_customers")!.group, "customized_dbt_seed_group");
  });

  test("owners from meta.dagster.owners, else the dbt group's email (a string or a list)", () => {
    assert.deepEqual(graph.get("stg_events")!.owners, ["team:analytics", "data-eng@example.com"]);
    assert.deepEqual(graph.get("customized/marts/customer_origins")!.owners, ["ae-lead@example.com", "ae-oncall@example.com"]);
  });

  test("eager from project-wide +meta, lazy where a model says so, compiled to Dagster's legacy policies", () => {
    assert.equal(ampType(graph.get("orders")!.policy), "eager");
    assert.equal(ampType(graph.get("lazy_orders_summary")!.policy), "lazy");
    assert.equal(treeHash(graph.get("orders")!.policy), treeHash(amp("eager")));
    assert.equal(treeHash(graph.get("stg_events")!.policy), treeHash(amp("lazy")));
  });

  test("singular tests attach by meta.dagster.ref; an unmatched ref is no check, reported with its file", () => {
    const checks = graph.assets.flatMap((a) => a.checks.map((c) => `${a.id}:${c.name}`));
    assert.ok(checks.includes("customers:singular_test_with_meta_and_multiple_dependencies"));
    assert.ok(!checks.some((c) => c.endsWith(":singular_test_with_no_meta_and_multiple_dependencies")));
    assert.ok(!checks.some((c) => c.endsWith(":singular_test_with_unmatched_ref")));
    const unmatched = diagnostics.find((d) => d.code === "unresolved_test_ref")!;
    assert.match(unmatched.at!.file!, /tests\/singular_test_with_unmatched_ref\.sql$/);
  });

  test("a tag that is not a valid Dagster tag key is dropped with a warning naming the node", () => {
    const invalid = diagnostics.find((d) => d.code === "invalid_tag")!;
    assert.match(invalid.message, /invalid_tag_key=fdjskl/);
    assert.ok(invalid.nodeId?.startsWith("model.dagster_meta."));
    assert.ok(!graph.assets.some((a) => a.tags.includes("invalid_tag_key=fdjskl")));
  });
});

describe("bad_policies: each invalid policy is a diagnostic, and the asset loads without a policy", () => {
  let graph: CatalogGraph;
  let diagnostics: readonly Diagnostic[];
  before(async () => ({ graph, diagnostics } = await loadProject(join(ROOT, "connectors", "dbt", "test-projects", "bad_policies"))));

  const expected: [string, RegExp, number][] = [
    ["unknown_type", /unknown type "sometimes"; expected eager, lazy, on_cron, on_missing/, 14],
    ["bare_string", /must be a mapping like \{type: eager\}, got the string "eager"/, 20],
    ["cron_without_schedule", /on_cron needs cron_schedule/, 26],
    ["bad_timezone", /"Europe\/Atlantis" is not an IANA time zone/, 32],
    ["unknown_primitive", /all_of\[1\]: unknown condition "sometimes_true"/, 38],
    ["both_keys", /declares both meta\.dagster\.auto_materialize_policy and meta\.dagster\.automation_condition/, 45],
    ["capitalised", /types are lowercase: "eager"/, 52],
  ];
  for (const [model, message, line] of expected) {
    test(`${model}: names the node, models/schema.yml and line ${line}`, () => {
      const diagnostic = diagnostics.find((d) => d.nodeId === `model.bad_policies.${model}`);
      assert.ok(diagnostic, `a diagnostic for ${model}`);
      assert.equal(diagnostic.severity, "error");
      assert.equal(diagnostic.code, "invalid_policy");
      assert.match(diagnostic.message, message);
      assert.match(diagnostic.message, /models\/schema\.yml/);
      assert.equal(diagnostic.at?.file, "models/schema.yml");
      assert.equal(diagnostic.at?.line, line);
      assert.equal(graph.get(model)!.policy, null, "loaded without a policy");
      assert.equal(graph.get(model)!.diagnostics.length, 1, "shown on the asset");
    });
  }

  test("the valid policy beside them is kept", () => {
    assert.equal(ampType(graph.get("good_eager")!.policy), "eager");
    assert.equal(graph.assets.length, 8);
  });
});

describe("freshness: minimum_interval and dbt's build_after, parsed by real dbt (issue 19)", () => {
  let graph: CatalogGraph;
  let diagnostics: readonly Diagnostic[];
  before(async () => ({ graph, diagnostics } = await loadProject(join(ROOT, "connectors", "dbt", "test-projects", "freshness"))));

  test("minimum_interval on auto_materialize_policy", () => {
    const policy = graph.get("interval_eager")!.policy!;
    assert.ok(policy.source === "auto_materialize_policy");
    assert.equal(policy.minimumIntervalSeconds, 1800);
  });

  test("build_after from a model's config and from the project's +freshness becomes the model's policy", () => {
    const all = graph.get("build_after_all")!.policy!;
    assert.ok(all.source === "automation_condition");
    assert.deepEqual(all.tree, { op: "build_after", count: 2, period: "hour", updatesOn: "all" });
    assert.equal(all.declaredIn.file, "models/schema.yml");
    const hourly = graph.get("hourly_rollup")!.policy!;
    assert.ok(hourly.source === "automation_condition");
    assert.deepEqual(hourly.tree, { op: "build_after", count: 1, period: "hour", updatesOn: "any" });
    assert.notEqual(compilePolicy(all).treeHash, compilePolicy(hourly).treeHash);
  });

  test("a meta.dagster policy and build_after on one model: the meta.dagster policy wins, with a warning saying why", () => {
    const policy = graph.get("policy_and_build_after")!.policy!;
    assert.ok(policy.source === "auto_materialize_policy");
    assert.deepEqual([policy.type, policy.minimumIntervalSeconds], ["eager", 900]);
    const warning = diagnostics.find((d) => d.code === "policy_build_after_ignored")!;
    assert.equal(warning.severity, "warning");
    assert.equal(warning.nodeId, "model.freshness.policy_and_build_after");
    assert.match(warning.message, /the meta\.dagster policy wins .*build_after is not applied/);
    assert.deepEqual([warning.at?.file, warning.at?.line], ["models/schema.yml", 31]);
  });

  for (const [model, message, line] of [
    ["bad_interval", /minimum_interval: expected a duration with a unit such as "30m"/, 20],
    ["bad_interval_operand", /automation_condition\.all_of\[1\]\.minimum_interval_passed: "half an hour" is not a duration/, 26],
  ] as const) {
    test(`${model}: an invalid interval is an error naming models/schema.yml:${line}, and the model loads without a policy`, () => {
      const diagnostic = diagnostics.find((d) => d.nodeId === `model.freshness.${model}`)!;
      assert.equal(diagnostic.code, "invalid_policy");
      assert.match(diagnostic.message, message);
      assert.deepEqual([diagnostic.at?.file, diagnostic.at?.line], ["models/schema.yml", line]);
      assert.equal(graph.get(model)!.policy, null);
    });
  }

  test("nothing else is reported", () => {
    assert.deepEqual(diagnostics.map((d) => d.nodeId).sort(), ["model.freshness.bad_interval", "model.freshness.bad_interval_operand", "model.freshness.policy_and_build_after"]);
  });
});

describe("partitions, parsed by real dbt: meta.tributary.partitions and microbatch models", () => {
  test("demo-project: a microbatch model, a vars-windowed daily model and a monthly one", async () => {
    const { graph } = await loadProject(join(ROOT, "demo-project"));
    const microbatch = graph.get("orders_by_channel_daily")!.partitions!;
    assert.deepEqual(
      [microbatch.source, microbatch.cadence, microbatch.start, microbatch.timezone, microbatch.endOffset, microbatch.windowArgs.kind, microbatch.microbatch],
      ["dbt_microbatch", "daily", "2026-09-01T00:00:00", "UTC", 1, "event_time", { eventTime: "order_day", lookback: 1 }],
    );
    const daily = graph.get("country_revenue_daily")!.partitions!;
    assert.deepEqual([daily.source, daily.cadence, daily.start, daily.windowArgs], ["tributary_meta", "daily", "2026-09-01T00:00:00", { kind: "vars", startVar: "min_date", endVar: "max_date", format: "date" }]);
    assert.match(daily.declaredIn.file!, /models\/partitioned\/_partitioned\.yml$/);
    const monthly = graph.get("country_revenue_monthly")!.partitions!;
    assert.deepEqual([monthly.cadence, monthly.windowArgs], ["monthly", { kind: "vars", startVar: "month_start", endVar: "month_end", format: "date" }]);
    assert.equal(graph.get("orders")!.partitions, null, "unpartitioned models stay so");
  });

  describe("bad_partitions: each bad declaration is an invalid_partitions error naming node and field", () => {
    let graph: CatalogGraph;
    let diagnostics: readonly Diagnostic[];
    before(async () => ({ graph, diagnostics } = await loadProject(join(ROOT, "connectors", "dbt", "test-projects", "bad_partitions"))));

    const expected: [string, RegExp[]][] = [
      ["unknown_type", [/meta\.tributary\.partitions\.type must be one of hourly, daily, weekly, monthly, yearly, got string "fortnightly"/]],
      ["bad_start", [/meta\.tributary\.partitions\.start_date must be a date or date-time/]],
      ["bad_vars", [/meta\.tributary\.partitions\.vars\.start must be a dbt var name such as min_date, got string "min date"/]],
      ["two_problems", [/meta\.tributary\.partitions\.timezone must be an IANA time zone/, /meta\.tributary\.partitions\.hour_offset must be an integer from 0 to 23, got number 25/]],
    ];
    for (const [model, messages] of expected) {
      test(`${model}: names the node, the field and models/schema.yml; the model is unpartitioned`, () => {
        const found = diagnostics.filter((d) => d.nodeId === `model.bad_partitions.${model}`);
        assert.equal(found.length, messages.length, JSON.stringify(found.map((d) => d.message)));
        for (const [i, message] of messages.entries()) {
          assert.equal(found[i]!.code, "invalid_partitions");
          assert.equal(found[i]!.severity, "error");
          assert.match(found[i]!.message, message);
          assert.match(found[i]!.message, /^model\.bad_partitions\.\w+ \(models\/schema\.yml\): /);
          assert.match(found[i]!.at!.path!, /\.meta\.tributary\.partitions\.\w+/);
        }
        assert.equal(graph.get(model)!.partitions, null);
      });
    }

    test("the good declarations beside them are kept", () => {
      const hourly = graph.get("good_hourly")!.partitions!;
      assert.deepEqual([hourly.cadence, hourly.timezone, hourly.endOffset], ["hourly", "Europe/Copenhagen", 1]);
      const monthly = graph.get("good_microbatch")!.partitions!;
      assert.deepEqual([monthly.cadence, monthly.start, monthly.microbatch], ["monthly", "2024-01-01T00:00:00", { eventTime: "at", lookback: 2 }]);
    });
  });
});
