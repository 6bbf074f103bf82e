/**
 * Census through the real wiring: tributary.yaml with `${ENV}` tokens, the simulator over loopback, the embedded
 * store, the observer and GraphQL in process — one workspace with the right token, one with a wrong one. Ends
 * by grepping every log line, progress message, error and GraphQL answer for the tokens.
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { startSimulatedCensus, TEST_CENSUS_KEY } from "../connectors/census/test-support.ts";
import { startSimulatedAccount, TEST_API_KEY, TEST_API_SECRET } from "../connectors/fivetran/test-support.ts";
import { createLogger } from "./logging.ts";
import { capturingLogger, execute, testYoga } from "./test-support.ts";
import { createCatalogService } from "./wiring.ts";

const WRONG_KEY = "secret-token:census_wrong_P0x7Rt";

test("Census workspaces from tributary.yaml: syncs as assets, observed runs, and no token in any log, error or answer", async () => {
  const workspace = await startSimulatedCensus();
  const dir = mkdtempSync(join(tmpdir(), "tributary-census-wiring-"));
  const { logger, lines: logLines } = capturingLogger();
  process.env["TEST_CENSUS_TOKEN"] = TEST_CENSUS_KEY;
  process.env["TEST_CENSUS_WRONG_TOKEN"] = WRONG_KEY;
  const config = join(dir, "tributary.yaml");
  writeFileSync(
    config,
    [
      "census:",
      "  workspaces:",
      "    - name: census",
      "      api_key: ${TEST_CENSUS_TOKEN}",
      `      base_url: ${workspace.simulator.url}`,
      "      observe_interval_seconds: 0.25",
      "    - name: census_wrong_key",
      "      api_key: ${TEST_CENSUS_WRONG_TOKEN}",
      `      base_url: ${workspace.simulator.url}`,
      "      observe_interval_seconds: 0.25",
      "",
    ].join("\n"),
  );
  const progress: string[] = [];
  const runtime = await createCatalogService(
    { config, dbtProjects: [], manifests: [], dataDir: join(dir, "data"), scheduler: true, purpose: "serve", logger },
    (message) => progress.push(message),
  );
  const answers: string[] = [];
  try {
    const outcome = await runtime.reload!();
    assert.ok(outcome.ok);
    assert.deepEqual(outcome.errors.map((e) => e.locationName), ["census_wrong_key"]);
    const yoga = testYoga(runtime);
    const ask = async (text: string) => {
      const { body } = await execute(yoga, text);
      answers.push(JSON.stringify(body));
      assert.equal(body.errors, undefined, JSON.stringify(body.errors));
      return body.data as Record<string, unknown>;
    };
    const syncs = (await ask(`{ assets(kinds: ["census"]) { nodes { key kinds } } }`)) as { assets: { nodes: { key: string; kinds: string[] }[] } };
    assert.deepEqual(syncs.assets.nodes.map((n) => n.key), ["customers_to_crm_contacts", "marketing_roi_to_ad_audiences"]);

    // Census runs a sync on its own schedule; the observer records it once in the store.
    await workspace.simulator.runScheduledSync(101);
    const query = `{ asset(key: "customers_to_crm_contacts") { census { syncId operation destinationObject mappings { from to } } materializations(first: 5) { status tool metadata } } }`;
    let asset: { census: Record<string, unknown>; materializations: { status: string; tool: string }[] };
    for (;;) {
      asset = ((await ask(query)) as { asset: typeof asset }).asset;
      if (asset.materializations.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.deepEqual(asset.materializations.map((m) => [m.status, m.tool]), [["SUCCESS", "census"]]);
    assert.equal(asset.census["destinationObject"], "contacts");
    await ask(`{ locations { name state error { message } } diagnostics { code message } }`);
  } finally {
    await runtime.close?.();
    await workspace.close();
    delete process.env["TEST_CENSUS_TOKEN"];
    delete process.env["TEST_CENSUS_WRONG_TOKEN"];
  }
  const everything = [...logLines, ...answers, ...progress].join("\n");
  assert.ok(everything.includes("census_wrong_key"), "the failing workspace is reported");
  for (const token of [TEST_CENSUS_KEY, WRONG_KEY, TEST_CENSUS_KEY.replace("secret-token:", ""), WRONG_KEY.replace("secret-token:", "")]) {
    assert.ok(!everything.includes(token), `a token leaked: ${token}`);
  }
});

test("the demo's lineage: upstream of a Census sync reaches the Fivetran tables through the dbt models (real dbt parse)", async () => {
  const fivetran = await startSimulatedAccount();
  const census = await startSimulatedCensus();
  const dir = mkdtempSync(join(tmpdir(), "tributary-census-lineage-"));
  const config = join(dir, "tributary.yaml");
  process.env["TEST_LINEAGE_FT_KEY"] = TEST_API_KEY;
  process.env["TEST_LINEAGE_FT_SECRET"] = TEST_API_SECRET;
  process.env["TEST_LINEAGE_CENSUS_TOKEN"] = TEST_CENSUS_KEY;
  writeFileSync(
    config,
    [
      "dbt:",
      "  projects:",
      `    - dir: ${JSON.stringify(join(import.meta.dirname, "..", "demo-project"))}`,
      "fivetran:",
      "  accounts:",
      "    - name: fivetran",
      "      api_key: ${TEST_LINEAGE_FT_KEY}",
      "      api_secret: ${TEST_LINEAGE_FT_SECRET}",
      `      base_url: ${fivetran.simulator.url}`,
      "census:",
      "  workspaces:",
      "    - name: census",
      "      api_key: ${TEST_LINEAGE_CENSUS_TOKEN}",
      `      base_url: ${census.simulator.url}`,
      "",
    ].join("\n"),
  );
  const runtime = await createCatalogService(
    { config, dbtProjects: [], manifests: [], dataDir: join(dir, "data"), scheduler: false, purpose: "check", logger: createLogger({ level: "silent" }) },
    () => {},
  );
  try {
    const outcome = await runtime.reload!();
    assert.ok(outcome.ok && outcome.errors.length === 0, JSON.stringify(outcome.errors));
    const graph = runtime.current();
    for (const [sync, mart] of [["customers_to_crm_contacts", "customers"], ["marketing_roi_to_ad_audiences", "marketing_roi"]] as const) {
      assert.deepEqual(graph.get(sync)!.upstreamIds, [mart], `${sync} reads the dbt mart ${mart}`);
      const upstream = graph.lineage(sync, "UPSTREAM").nodes;
      const viaDbt = upstream.filter((a) => a.materializer?.tool === "dbt").map((a) => a.id);
      const fivetranTables = upstream.filter((a) => a.materializer?.tool === "fivetran").map((a) => a.id);
      assert.ok(viaDbt.includes(mart), `${sync}: through dbt`);
      assert.ok(fivetranTables.length >= 2, `${sync} reaches Fivetran tables: ${fivetranTables.join(", ")}`);
    }
    assert.equal(graph.diagnostics.filter((d) => d.code === "unbuilt_dependency").length, 0, "both syncs read something dbt builds");
  } finally {
    await runtime.close?.();
    await fivetran.close();
    await census.close();
    delete process.env["TEST_LINEAGE_FT_KEY"];
    delete process.env["TEST_LINEAGE_FT_SECRET"];
    delete process.env["TEST_LINEAGE_CENSUS_TOKEN"];
  }
});

test("a sync Census runs on its own schedule gets no Tributary policy unless the workspace says trigger (issue 19: its schedule respected)", async () => {
  const workspace = await startSimulatedCensus();
  // The demo workspace: sync 101 runs hourly in Census, 102 daily; 102 is paused, so Census does not run it.
  workspace.simulator.updateSync(102, { paused: true });
  const dir = mkdtempSync(join(tmpdir(), "tributary-census-schedule-"));
  process.env["TEST_SCHEDULE_CENSUS_TOKEN"] = TEST_CENSUS_KEY;
  const config = join(dir, "tributary.yaml");
  const write = (scheduledSyncs: string | null) =>
    writeFileSync(
      config,
      [
        "census:",
        "  workspaces:",
        "    - name: census",
        "      api_key: ${TEST_SCHEDULE_CENSUS_TOKEN}",
        `      base_url: ${workspace.simulator.url}`,
        ...(scheduledSyncs ? [`      scheduled_syncs: ${scheduledSyncs}`] : []),
        "policies:",
        '  - assets: "*_to_*"',
        "    auto_materialize_policy: {type: eager}",
        "",
      ].join("\n"),
    );
  const ask = async (scheduledSyncs: string | null) => {
    write(scheduledSyncs);
    const runtime = await createCatalogService(
      { config, dbtProjects: [], manifests: [], dataDir: join(dir, `data-${scheduledSyncs ?? "default"}`), scheduler: false, purpose: "serve", logger: createLogger({ level: "silent" }) },
      () => {},
    );
    try {
      assert.ok((await runtime.reload!()).ok);
      const { body } = await execute(
        testYoga(runtime),
        `{ crm: asset(key: "customers_to_crm_contacts") { policy { label } diagnostics { code message } }
           roi: asset(key: "marketing_roi_to_ad_audiences") { policy { label } diagnostics { code } }
           dryRun { assetKey requested } }`,
      );
      assert.equal(body.errors, undefined, JSON.stringify(body.errors));
      return body.data as {
        crm: { policy: { label: string } | null; diagnostics: { code: string; message: string }[] };
        roi: { policy: { label: string } | null; diagnostics: { code: string }[] };
        dryRun: { assetKey: string; requested: boolean }[];
      };
    } finally {
      await runtime.close?.();
    }
  };
  try {
    const respected = await ask(null);
    assert.equal(respected.crm.policy, null, "the hourly sync is left to Census");
    const warning = respected.crm.diagnostics.find((d) => d.code === "policy_yields_to_tool_schedule")!;
    assert.match(warning.message, /runs on Census's own schedule \(hourly\), so its policy \(declared in .*tributary\.yaml:7\) does not apply/);
    assert.match(warning.message, /scheduled_syncs: trigger on the "census" workspace/);
    assert.equal(respected.roi.policy?.label, "eager", "a paused sync is not run by Census: the policy applies");
    assert.deepEqual(respected.roi.diagnostics.map((d) => d.code).filter((c) => c === "policy_yields_to_tool_schedule"), []);
    assert.deepEqual(respected.dryRun.map((e) => [e.assetKey, e.requested]), [["marketing_roi_to_ad_audiences", true]], "only the sync Census does not run is requested");

    const triggered = await ask("trigger");
    assert.equal(triggered.crm.policy?.label, "eager");
    assert.deepEqual(triggered.dryRun.map((e) => [e.assetKey, e.requested]), [["customers_to_crm_contacts", true], ["marketing_roi_to_ad_audiences", true]]);
  } finally {
    await workspace.close();
    delete process.env["TEST_SCHEDULE_CENSUS_TOKEN"];
  }
});
