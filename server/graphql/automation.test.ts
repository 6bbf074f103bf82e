import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { query, testYoga } from "../test-support.ts";

describe("automation in GraphQL", () => {
  test("Policy.tree, Asset.evaluations (empty without a store) and dryRun with reasons", async () => {
    const data = await query<{
      asset: { policy: { label: string; tree: { id: string; label: string | null; children: unknown[] } }; evaluations: unknown[] };
      dryRun: { assetKey: string; requested: boolean; tree: { id: string; label: string; value: boolean; reason: string | null; children: string[] }[] }[];
    }>(
      testYoga(),
      /* GraphQL */ `
        {
          asset(key: "marts/orders") { policy { label tree } evaluations(first: 5) { tick } }
          dryRun(at: "2026-03-02T06:00:00Z") { assetKey requested tree { id label value reason children } }
        }
      `,
    );
    assert.match(data.asset.policy.tree.id, /^[0-9a-f]{32}$/);
    assert.ok(data.asset.policy.tree.children.length > 0);
    assert.deepEqual(data.asset.evaluations, []);
    assert.ok(data.dryRun.length > 0);
    for (const evaluation of data.dryRun) {
      const ids = new Set(evaluation.tree.map((n) => n.id));
      for (const n of evaluation.tree) for (const child of n.children) assert.ok(ids.has(child), "children are node ids of the same tree");
    }
  });

  test("dryRun(assetKeys:) answers for those assets only, as the whole dry run does, and names an unknown key", async () => {
    const yoga = testYoga();
    type Evaluation = { assetKey: string; requested: boolean; tree: { label: string; value: boolean }[] };
    const all = await query<{ dryRun: Evaluation[] }>(yoga, `{ dryRun(at: "2026-03-02T06:00:00Z") { assetKey requested tree { label value } } }`);
    const withPolicy = all.dryRun.map((e) => e.assetKey);
    assert.ok(withPolicy.length >= 2, `assets with a policy: ${withPolicy.join(", ")}`);
    for (const key of withPolicy) {
      const one = await query<{ dryRun: Evaluation[] }>(yoga, `query($keys: [String!]) { dryRun(at: "2026-03-02T06:00:00Z", assetKeys: $keys) { assetKey requested tree { label value } } }`, { keys: [key] });
      assert.deepEqual(one.dryRun, all.dryRun.filter((e) => e.assetKey === key), key);
    }
    const response = await yoga.fetch("http://test/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: `{ dryRun(assetKeys: ["marts/orders", "no/such"]) { assetKey } }` }),
    });
    const body = (await response.json()) as { errors?: { message: string; extensions?: { code?: string } }[] };
    assert.equal(body.errors?.[0]?.extensions?.code, "ASSET_NOT_FOUND");
    assert.match(body.errors![0]!.message, /no\/such/);
  });

  test("dryRun of a partitioned asset names the partitions it requests, and each node the partitions it was true for", async () => {
    const { World, condition, graphOf, minute, node, partitionsOf } = await import("../../scheduler/conditions/test-support.ts");
    const daily = partitionsOf({ type: "daily", start_date: "2026-02-25" });
    const graph = graphOf(node("a", { partitions: daily }), node("b", { deps: ["a"], partitions: daily, policy: condition("eager") }), node("u", { deps: ["a"], policy: condition("eager") }));
    const world = new World(graph);
    world.tick(minute(1));
    world.materializePartition("a", "2026-03-01", minute(2));
    const yoga = testYoga({ current: () => graph, automation: { evaluations: async () => [], state: async () => world.state(), cursor: async () => world.cursor } });
    type Node = { label: string; value: boolean; partitions: { count: number; of: number; keys: string } | null };
    const data = await query<{ dryRun: { assetKey: string; requested: boolean; requestedPartitions: string[] | null; tree: Node[] }[] }>(
      yoga,
      `{ dryRun(at: "${new Date(minute(3)).toISOString()}") { assetKey requested requestedPartitions tree { label value partitions { count of keys } } } }`,
    );
    const b = data.dryRun.find((e) => e.assetKey === "b")!;
    assert.equal(b.requested, true);
    assert.deepEqual(b.requestedPartitions, ["2026-03-01"]);
    assert.deepEqual(b.tree[0]!.partitions, { count: 1, of: 5, keys: "2026-03-01" });
    assert.deepEqual(b.tree.find((n) => n.label === "newly_missing")!.partitions, { count: 0, of: 5, keys: "" });
    const u = data.dryRun.find((e) => e.assetKey === "u")!;
    assert.equal(u.requested, true, "the unpartitioned child sees a's update as before");
    assert.equal(u.requestedPartitions, null);
    assert.ok(u.tree.every((n) => n.partitions === null));
  });

  test("dryRun rejects a malformed time", async () => {
    const response = await testYoga().fetch("http://test/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: `{ dryRun(at: "yesterday") { assetKey } }` }),
    });
    const body = (await response.json()) as { errors?: { message: string }[] };
    assert.match(body.errors![0]!.message, /ISO 8601/);
  });
});

describe("Asset.freshnessTarget (issue 19)", () => {
  test("the target an on_freshness declares, judged now; null without one", async () => {
    const { buildCatalogGraph } = await import("../../catalog/graph/build.ts");
    const { definitions, spec } = await import("../../catalog/graph/test-specs.ts");
    const graph = buildCatalogGraph({
      definitions: [
        definitions("shop", [
          spec("raw"),
          spec("mart", {
            deps: ["raw"],
            policy: { source: "automation_condition", condition: { on_freshness: { maximum_lag_minutes: 60 } }, declaredIn: { file: "x.yml" } },
          }),
        ]),
      ],
    });
    const materializedAt = Date.now() - 90 * 60_000;
    const state = { lastEventId: 1, assets: new Map([["mart", { latestMaterialization: { storageId: 1, timestamp: materializedAt, runId: null, runAssetSelection: null } }]]) };
    const yoga = testYoga({ current: () => graph, automation: { evaluations: async () => [], state: async () => state, cursor: async () => null } });
    type Target = { maximumLagMinutes: number; cronSchedule: string | null; state: string; lagMinutes: number | null; overdueSince: string | null; reason: string } | null;
    const data = await query<{ mart: { freshnessTarget: Target }; raw: { freshnessTarget: Target } }>(
      yoga,
      `{ mart: asset(key: "mart") { freshnessTarget { maximumLagMinutes cronSchedule state lagMinutes overdueSince reason } } raw: asset(key: "raw") { freshnessTarget { state } } }`,
    );
    assert.equal(data.raw.freshnessTarget, null);
    const target = data.mart.freshnessTarget!;
    assert.deepEqual([target.maximumLagMinutes, target.cronSchedule, target.state, target.lagMinutes], [60, null, "OVERDUE", 90]);
    assert.equal(target.overdueSince, new Date(materializedAt + 60 * 60_000).toISOString());
    assert.equal(target.reason, "materialized 90 min ago, more than 60 min");
  });
});

describe("runSavings (issue 19, item 4)", () => {
  test("per asset and overall: requested runs against the upstream updates that landed, over the window", async () => {
    const { buildCatalogGraph } = await import("../../catalog/graph/build.ts");
    const { definitions, spec } = await import("../../catalog/graph/test-specs.ts");
    const { parseAutoMaterializePolicy } = await import("../../catalog/model/index.ts");
    const graph = buildCatalogGraph({
      definitions: [
        definitions("shop", [
          spec("raw", { materializer: { tool: "fivetran", locationName: "fivetran", runTargetId: "c" } }),
          spec("mart", { deps: ["raw"], policy: parseAutoMaterializePolicy({ type: "eager", minimum_interval: "30m" }, { file: "x.yml" }).policy }),
          spec("other", { deps: ["raw"], policy: parseAutoMaterializePolicy({ type: "eager" }, { file: "x.yml" }).policy }),
        ]),
      ],
    });
    const now = Date.now();
    const ago = (minutes: number) => new Date(now - minutes * 60_000).toISOString();
    const evaluation = (minutes: number, requested: boolean) => ({ assetId: "mart", tick: 1, evaluatedAt: ago(minutes), requested, treeHash: "h", tree: { id: "r", name: "AND", label: "AND", value: requested, reason: null, children: [] } });
    // mart: requested at 2 h and 1 h ago (and 30 h ago, outside a day); raw synced every 10 min for 2 h, and 30 h ago.
    const evaluations = [evaluation(60, true), evaluation(70, false), evaluation(120, true), evaluation(30 * 60, true)];
    const syncs = [...Array.from({ length: 12 }, (_, i) => 5 + i * 10), 30 * 60].map((minutes, i) => ({
      id: i + 1, assetKey: ["raw"], kind: "materialization" as const, tool: "fivetran", locationName: "fivetran", runId: null, occurredAt: ago(minutes),
      dedupeKey: `s${i}`, metadata: {}, recordedAt: ago(minutes), tributaryRunId: null,
    }));
    const yoga = testYoga({
      current: () => graph,
      automation: { evaluations: async (id: string) => (id === "mart" ? evaluations : []), state: async () => ({ lastEventId: 0, assets: new Map() }), cursor: async () => null },
      events: { assetEventHistory: async (key: readonly string[]) => (key.join("/") === "raw" ? syncs : []), latestAssetEvents: async () => [] },
    });
    type Savings = { assets: number; requested: number; upstreamUpdates: number; coalesced: number; complete: boolean };
    const data = await query<{ asset: { runSavings: Savings }; week: { runSavings: Savings }; runSavings: Savings; raw: { runSavings: Savings | null } }>(
      yoga,
      `{ asset(key: "mart") { runSavings { assets requested upstreamUpdates coalesced complete } }
         week: asset(key: "mart") { runSavings(hours: 168) { requested upstreamUpdates coalesced } }
         raw: asset(key: "raw") { runSavings { requested } }
         runSavings { assets requested upstreamUpdates coalesced complete } }`,
    );
    assert.deepEqual(data.asset.runSavings, { assets: 1, requested: 2, upstreamUpdates: 12, coalesced: 10, complete: true });
    assert.deepEqual(data.week.runSavings, { requested: 3, upstreamUpdates: 13, coalesced: 10 });
    assert.equal(data.raw.runSavings, null, "no policy");
    assert.deepEqual(data.runSavings, { assets: 1, requested: 2, upstreamUpdates: 12, coalesced: 10, complete: true }, "overall: only assets with an interval (not `other`)");
  });
});
