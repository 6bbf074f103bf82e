import assert from "node:assert/strict";
import { test } from "node:test";
import { spec } from "../../catalog/graph/test-specs.ts";
import { planSteps } from "./plan.ts";
import type { LauncherInfo } from "./plan.ts";
import { graphFrom } from "./test-support.ts";

const materializer = (tool: string, runTargetId: string) => ({ materializer: { tool, locationName: tool, runTargetId }, dbtUniqueId: null });
const graph = graphFrom(
  spec("raw/orders", materializer("sim", "connector_1")),
  spec("raw/refunds", materializer("sim", "connector_2")),
  spec("stg_orders", { deps: ["raw/orders", "raw/refunds"] }),
  spec("orders", { deps: ["stg_orders"] }),
  spec("crm_sync", { deps: ["orders"], ...materializer("reverse", "sync_1") }),
  spec("manifest_only", { deps: ["orders"], ...materializer("dbt-manifest", "model.x") }),
);
const launchers = (tool: string, locationName: string): LauncherInfo | null =>
  tool === "dbt-manifest" ? null : { tool, locationName, batch: tool === "dbt" ? "location" : "target", queue: `q.${tool}` };
const idOf = (key: string) => graph.get(key)!.id;

test("steps come in dependency order whatever the request's order: syncs, then one dbt step, then the reverse sync", () => {
  const plan = planSteps(graph, ["crm_sync", "orders", "stg_orders", "raw/refunds", "raw/orders"].map(idOf), launchers);
  assert.deepEqual(
    plan.steps.map((s) => `${s.tool}:${s.targets.map((t) => t.assetKey.join("/")).sort().join(",")}`),
    ["sim:raw/orders", "sim:raw/refunds", "dbt:orders,stg_orders", "reverse:crm_sync"],
  );
  assert.deepEqual(plan.unlaunchable, []);
});

test("an asset whose location cannot launch is returned with the reason, the rest still planned", () => {
  const plan = planSteps(graph, ["manifest_only", "orders"].map(idOf), launchers);
  assert.deepEqual(plan.steps.map((s) => s.tool), ["dbt"]);
  assert.equal(plan.unlaunchable.length, 1);
  assert.equal(plan.unlaunchable[0]!.assetId, idOf("manifest_only"));
  assert.match(plan.unlaunchable[0]!.reason, /./);
});
