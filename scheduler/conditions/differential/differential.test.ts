/**
 * The differential suite: multi-tick scenarios whose expected requests were produced by running real Dagster
 * (`evaluate_automation_conditions`, version recorded in scenarios.json) on the same assets, conditions and
 * events; generate.py regenerates them. Here each scenario is replayed through evaluate() tick by tick and must
 * request exactly what Dagster requested. No Python is needed to run it.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import type { PartitionsDefinition, PolicySpec } from "../../../catalog/model/index.ts";
import { latestCronTick } from "../cron.ts";
import { graphOf, node, partitionsOf, source, World } from "../test-support.ts";

interface AssetDecl {
  readonly key: string;
  readonly deps?: string[];
  readonly source?: boolean | "observable";
  readonly policy?: Policy | null;
  readonly code_version?: string;
  /** Time partitions, as Dagster's DailyPartitionsDefinition / MonthlyPartitionsDefinition(start_date). */
  readonly partitions?: { readonly type: "daily" | "monthly"; readonly start_date: string };
}
type Policy = { readonly automation_condition: unknown } | { readonly auto_materialize_policy: { type: string; cron_schedule?: string; cron_timezone?: string } };
type Event =
  | { readonly materialize: string[]; readonly at: string; readonly run?: boolean; readonly partition?: string }
  | { readonly fail: string[]; readonly at: string }
  | { readonly wipe: string[] }
  | { readonly observe: Record<string, string>; readonly at: string }
  | { readonly start: string[]; readonly run: string; readonly at: string; readonly partition?: string }
  | { readonly finish: string; readonly at: string; readonly failed?: boolean }
  | { readonly policy: Record<string, Policy | null> }
  | { readonly code_version: Record<string, string> };
interface Scenario {
  readonly name: string;
  readonly covers?: string;
  readonly assets: AssetDecl[];
  readonly ticks: { readonly at: string; readonly events?: Event[]; readonly expect: string[] }[];
}
interface Suite {
  readonly dagsterVersion: string;
  readonly scenarios: Scenario[];
  readonly cronCases: { readonly cron: string; readonly timezone: string; readonly at: string; readonly expect: string }[];
}

const suite = JSON.parse(readFileSync(new URL("./scenarios.json", import.meta.url), "utf8")) as Suite;
const AT = { file: "differential/scenarios.json", line: 1 };

function policySpec(policy: Policy | null | undefined): PolicySpec | null {
  if (!policy) return null;
  if ("automation_condition" in policy) return { source: "automation_condition", condition: policy.automation_condition, declaredIn: AT };
  const amp = policy.auto_materialize_policy;
  return {
    source: "auto_materialize_policy",
    type: amp.type as "eager" | "lazy" | "on_cron" | "on_missing",
    cronSchedule: amp.cron_schedule ?? null,
    cronTimezone: amp.cron_timezone ?? null,
    declaredIn: AT,
  };
}

const definitions = new Map<string, PartitionsDefinition>();
/** One definition object per declaration, as the loader shares them. */
function partitionsDef(declared: { readonly type: "daily" | "monthly"; readonly start_date: string }): PartitionsDefinition {
  const key = `${declared.type}:${declared.start_date}`;
  let found = definitions.get(key);
  if (!found) definitions.set(key, (found = partitionsOf(declared)));
  return found;
}

/** Replays a scenario; returns the requests of every tick (a partitioned asset's as `key:partition`). */
function replay(scenario: Scenario): string[][] {
  const policies = new Map(scenario.assets.map((a) => [a.key, a.policy ?? null]));
  const codeVersions = new Map(scenario.assets.map((a) => [a.key, a.code_version ?? null]));
  const graph = () =>
    graphOf(
      ...scenario.assets.map((a) =>
        a.source
          ? source(a.key)
          : node(a.key, {
              deps: a.deps ?? [],
              policy: policySpec(policies.get(a.key)),
              codeVersion: codeVersions.get(a.key) ?? null,
              ...(a.partitions ? { partitions: partitionsDef(a.partitions) } : {}),
            }),
      ),
    );
  const world = new World(graph());
  const runs = new Map<string, string[]>();
  const partitionOf = new Map<string, string>();
  const requests: string[][] = [];
  for (const tick of scenario.ticks) {
    for (const event of tick.events ?? []) {
      if ("policy" in event) {
        for (const [key, policy] of Object.entries(event.policy)) policies.set(key, policy);
        world.graph = graph();
      } else if ("code_version" in event) {
        for (const [key, version] of Object.entries(event.code_version)) codeVersions.set(key, version);
        world.graph = graph();
      } else if ("materialize" in event) {
        const at = Date.parse(event.at);
        if (event.partition !== undefined) for (const key of event.materialize) world.materializePartition(key, event.partition, at, `run-${event.at}`, event.materialize);
        else if (event.run === false) for (const key of event.materialize) world.materialize(key, at);
        else world.run(event.materialize, at);
      } else if ("observe" in event) {
        for (const [key, version] of Object.entries(event.observe)) world.observe(key, Date.parse(event.at), version);
      } else if ("wipe" in event) {
        for (const key of event.wipe) world.wipe(key);
      } else if ("fail" in event) {
        for (const key of event.fail) world.fail(key, Date.parse(event.at), `failed-${event.at}`);
      } else if ("start" in event) {
        runs.set(event.run, event.start);
        if (event.partition !== undefined) {
          partitionOf.set(event.run, event.partition);
          for (const key of event.start) world.setPartitionInProgress(key, event.partition, true);
        } else for (const key of event.start) world.setInProgress(key, event.run);
      } else if ("finish" in event) {
        const keys = runs.get(event.finish)!;
        const at = Date.parse(event.at);
        const partition = partitionOf.get(event.finish);
        if (partition !== undefined) {
          for (const key of keys) {
            world.setPartitionInProgress(key, partition, false);
            if (event.failed) world.failPartition(key, partition, at);
            else world.materializePartition(key, partition, at, event.finish, keys);
          }
          continue;
        }
        for (const key of keys) {
          world.setInProgress(key, null);
          if (event.failed) world.fail(key, at, event.finish);
          else world.materialize(key, at, keys, event.finish);
        }
      }
    }
    const requested = world.tick(Date.parse(tick.at)).flatMap((key) => (world.last!.partitionRequests.has(key) ? world.requestedPartitions(key).map((p) => `${key}:${p}`) : [key]));
    requests.push(requested.sort());
  }
  return requests;
}

describe(`differential: Tributary decides as Dagster ${suite.dagsterVersion} did`, () => {
  test("the suite is big enough and was generated", () => {
    assert.ok(suite.scenarios.length >= 25, `${suite.scenarios.length} scenarios`);
    assert.match(suite.dagsterVersion, /^\d+\.\d+\.\d+$/);
    for (const scenario of suite.scenarios) {
      assert.ok(scenario.ticks.length >= 2, `${scenario.name}: multi-tick`);
      for (const tick of scenario.ticks) assert.ok(Array.isArray(tick.expect), `${scenario.name}: expectations generated`);
    }
  });

  for (const scenario of suite.scenarios) {
    test(scenario.name, () => {
      const expected = scenario.ticks.map((t) => t.expect);
      assert.deepEqual(replay(scenario), expected);
    });
  }

  test("cron ticks across DST changes", () => {
    for (const c of suite.cronCases) {
      const tick = latestCronTick(c.cron, c.timezone, Date.parse(c.at));
      assert.equal(tick === null ? null : new Date(tick).toISOString().replace(".000Z", "Z"), c.expect, `${c.cron} ${c.timezone} at ${c.at}`);
    }
  });
});
