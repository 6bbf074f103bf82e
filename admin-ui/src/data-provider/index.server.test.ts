/**
 * The data provider against a real Tributary over loopback: the real wiring (tributary.yaml with a Fivetran
 * account and a Census workspace on their simulators, the embedded store, the observers) behind the real HTTP
 * server, asked through the browser's own `fetch`. Checks the list's pages, orders and filters, an asset's
 * typed tool state, history, policy tree and dry run, and how an unknown asset fails.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { HttpError } from "react-admin";
import { startSimulatedCensus, TEST_CENSUS_KEY, type SimulatedCensus } from "../../../connectors/census/test-support.ts";
import { startSimulatedAccount, TEST_API_KEY, TEST_API_SECRET, type SimulatedAccount } from "../../../connectors/fivetran/test-support.ts";
import { createTributaryServer, type TributaryServer } from "../../../server/http.ts";
import { createLogger } from "../../../server/logging.ts";
import type { ServeRuntime } from "../../../server/serve.ts";
import { createCatalogService } from "../../../server/wiring.ts";
import { isPolicyTree } from "../assets/policy-text.ts";
import { jsonObject } from "../common/json.ts";
import type { AssetDetail, AssetSummary } from "../types.ts";
import { createTributaryDataProvider, type TributaryDataProvider } from "./index.ts";

/** Polls until `probe` returns a value (not undefined), or fails after `ms`. */
async function eventually<T>(what: string, probe: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("data provider against a real Tributary", { timeout: 120_000 }, () => {
  let fivetran: SimulatedAccount;
  let census: SimulatedCensus;
  let runtime: ServeRuntime;
  let server: TributaryServer;
  let graphqlUrl: string;
  let dir: string;
  /** Every asset key, in the API's key order. */
  let allKeys: string[];
  const provider = (): TributaryDataProvider => createTributaryDataProvider(graphqlUrl);
  const keysOf = (rows: readonly AssetSummary[]) => rows.map((row) => row.key);

  before(async () => {
    fivetran = await startSimulatedAccount();
    census = await startSimulatedCensus();
    dir = mkdtempSync(join(tmpdir(), "tributary-ui-data-provider-"));
    process.env["UI_TEST_FT_KEY"] = TEST_API_KEY;
    process.env["UI_TEST_FT_SECRET"] = TEST_API_SECRET;
    process.env["UI_TEST_CENSUS_TOKEN"] = TEST_CENSUS_KEY;
    const config = join(dir, "tributary.yaml");
    writeFileSync(
      config,
      [
        "fivetran:",
        "  accounts:",
        "    - name: fivetran",
        "      api_key: ${UI_TEST_FT_KEY}",
        "      api_secret: ${UI_TEST_FT_SECRET}",
        `      base_url: ${fivetran.simulator.url}`,
        // A simulator's connectors have no dashboard links unless the account says where its dashboard is.
        "      dashboard_url: https://fivetran.example.test",
        "      observe_interval_seconds: 0.2",
        "census:",
        "  workspaces:",
        "    - name: census",
        "      api_key: ${UI_TEST_CENSUS_TOKEN}",
        `      base_url: ${census.simulator.url}`,
        "      observe_interval_seconds: 0.2",
        "policies:",
        '  - assets: "shopify/*"',
        "    auto_materialize_policy: {type: eager}",
        "",
      ].join("\n"),
    );
    const logger = createLogger({ level: "silent" });
    runtime = await createCatalogService({ config, dbtProjects: [], manifests: [], dataDir: join(dir, "data"), scheduler: true, purpose: "serve", logger }, () => {});
    const outcome = await runtime.reload!();
    assert.ok(outcome.ok && outcome.errors.length === 0, JSON.stringify(outcome.errors));
    server = createTributaryServer({ catalog: runtime, logger, port: 0 });
    graphqlUrl = (await server.listen()).graphqlUrl;
    allKeys = runtime.current().assets.map((asset) => asset.id).sort();
  });

  after(async () => {
    await server?.close();
    await runtime?.close?.();
    await fivetran?.close();
    await census?.close();
    for (const name of ["UI_TEST_FT_KEY", "UI_TEST_FT_SECRET", "UI_TEST_CENSUS_TOKEN"]) delete process.env[name];
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("getList: the first page in key order, with the total", async () => {
    assert.equal(allKeys.length, 10, `eight Fivetran tables and two Census syncs: ${allKeys.join(", ")}`);
    const result = await provider().getList<AssetSummary>("assets", { pagination: { page: 1, perPage: 50 }, sort: { field: "key", order: "ASC" }, filter: {} });
    assert.deepEqual(keysOf(result.data), allKeys);
    assert.equal(result.total, allKeys.length);
    assert.deepEqual(result.pageInfo, { hasNextPage: false, hasPreviousPage: false });
    const row = result.data.find((r) => r.key === "shopify/order")!;
    assert.equal(row.id, "shopify/order", "react-admin's id is the key");
    assert.equal(row.materializedBy?.tool, "fivetran");
    assert.equal(row.policy?.type, "EAGER", "the policy rule of tributary.yaml applies");
  });

  test("getList: pages of 3 cover the catalog once, and a page reached directly is the same page", async () => {
    const sequential = provider();
    const pages = [];
    for (let page = 1; page <= 4; page++) {
      pages.push(await sequential.getList<AssetSummary>("assets", { pagination: { page, perPage: 3 }, sort: { field: "key", order: "ASC" }, filter: {} }));
    }
    assert.deepEqual(pages.flatMap((p) => keysOf(p.data)), allKeys);
    assert.deepEqual(pages.map((p) => p.data.length), [3, 3, 3, 1]);
    assert.deepEqual(pages.map((p) => p.pageInfo), [
      { hasNextPage: true, hasPreviousPage: false },
      { hasNextPage: true, hasPreviousPage: true },
      { hasNextPage: true, hasPreviousPage: true },
      { hasNextPage: false, hasPreviousPage: true },
    ]);
    // A fresh provider (a shared URL of page 3) skips to the page with cursor-only requests.
    const direct = await provider().getList<AssetSummary>("assets", { pagination: { page: 3, perPage: 3 }, sort: { field: "key", order: "ASC" }, filter: {} });
    assert.deepEqual(keysOf(direct.data), keysOf(pages[2]!.data));
    assert.equal(direct.total, allKeys.length);
    const past = await provider().getList<AssetSummary>("assets", { pagination: { page: 6, perPage: 3 }, sort: { field: "key", order: "ASC" }, filter: {} });
    assert.deepEqual(past.data, []);
  });

  test("getList: sorting is done by the server, across pages", async () => {
    const descending = provider();
    const byKeyDesc = [
      ...(await descending.getList<AssetSummary>("assets", { pagination: { page: 1, perPage: 5 }, sort: { field: "key", order: "DESC" }, filter: {} })).data,
      ...(await descending.getList<AssetSummary>("assets", { pagination: { page: 2, perPage: 5 }, sort: { field: "key", order: "DESC" }, filter: {} })).data,
    ];
    assert.deepEqual(keysOf(byKeyDesc), [...allKeys].reverse());

    const byTool = await provider().getList<AssetSummary>("assets", { pagination: { page: 1, perPage: 50 }, sort: { field: "tool", order: "ASC" }, filter: {} });
    const expected = byTool.data.map((r) => [r.materializedBy?.tool ?? "~", r.key].join(" ")).sort();
    assert.deepEqual(byTool.data.map((r) => [r.materializedBy?.tool ?? "~", r.key].join(" ")), expected, "by tool, ties by key");
    assert.deepEqual(byTool.data.slice(0, 2).map((r) => r.materializedBy?.tool), ["census", "census"]);

    const byPolicy = await provider().getList<AssetSummary>("assets", { pagination: { page: 1, perPage: 50 }, sort: { field: "policy", order: "DESC" }, filter: {} });
    assert.deepEqual(keysOf(byPolicy.data).slice(0, 4), ["shopify/product", "shopify/order_line", "shopify/order", "shopify/customer"], "assets with a policy first, ties by key descending");
  });

  test("getList: filters narrow the list and its total", async () => {
    const syncs = await provider().getList<AssetSummary>("assets", { pagination: { page: 1, perPage: 50 }, sort: { field: "key", order: "ASC" }, filter: { kinds: ["census"] } });
    assert.deepEqual(keysOf(syncs.data), ["customers_to_crm_contacts", "marketing_roi_to_ad_audiences"]);
    assert.equal(syncs.total, 2);
    const withPolicy = await provider().getList<AssetSummary>("assets", { pagination: { page: 1, perPage: 50 }, sort: { field: "key", order: "ASC" }, filter: { hasPolicy: true } });
    assert.deepEqual(keysOf(withPolicy.data), ["shopify/customer", "shopify/order", "shopify/order_line", "shopify/product"]);
    const searched = await provider().getList<AssetSummary>("assets", { pagination: { page: 1, perPage: 50 }, sort: { field: "key", order: "ASC" }, filter: { q: "  crm  " } });
    assert.deepEqual(keysOf(searched.data), ["customers_to_crm_contacts"]);
    const none = await provider().getList<AssetSummary>("assets", { pagination: { page: 1, perPage: 50 }, sort: { field: "key", order: "ASC" }, filter: { kinds: ["census"], hasPolicy: true } });
    assert.deepEqual(none, { data: [], total: 0, pageInfo: { hasNextPage: false, hasPreviousPage: false } });
  });

  test("getOne: a Fivetran table with its connector, history, policy tree and dry run", async () => {
    const sync = await fivetran.simulator.runScheduledSync("shopify_connector");
    const dataProvider = provider();
    const asset = await eventually("the observed sync", async () => {
      const { data } = await dataProvider.getOne<AssetDetail>("assets", { id: "shopify/order" });
      return data.materializations.length > 0 ? data : undefined;
    });
    assert.equal(asset.id, "shopify/order");
    const connector = asset.fivetran!;
    assert.equal(connector.connectorId, "shopify_connector");
    assert.equal(connector.service, "shopify");
    assert.equal(connector.location, "fivetran");
    assert.equal(connector.setupState, "connected");
    assert.equal(typeof connector.paused, "boolean");
    assert.match(connector.syncState, /^(scheduled|syncing|paused|rescheduled)$/);
    assert.match(connector.url, /^https:\/\/fivetran\.example\.test\/dashboard\/connectors\//);
    assert.match(connector.logsUrl, /^https:\/\/fivetran\.example\.test\/.*\/logs$/);
    assert.ok(connector.asOf !== null && !Number.isNaN(Date.parse(connector.asOf)));
    assert.equal(asset.census, null);

    const [latest] = asset.materializations;
    assert.equal(latest!.status, "SUCCESS");
    assert.equal(latest!.tool, "fivetran");
    assert.equal(latest!.assetKey, "shopify/order");
    assert.equal(latest!.occurredAt, new Date(sync.finishedAt).toISOString());
    assert.equal(jsonObject(latest!.metadata)["fivetran/launched_by"], "fivetran_schedule");

    assert.equal(asset.policy?.type, "EAGER");
    const tree = asset.policy?.tree;
    assert.ok(isPolicyTree(tree) && (tree.label ?? tree.name).length > 0 && tree.children.length > 0, "Policy.tree is the condition tree");
    assert.deepEqual(asset.evaluations, [], "no daemon has evaluated it yet");

    const dryRun = await dataProvider.dryRun("shopify/order");
    assert.equal(dryRun.length, 1);
    assert.equal(dryRun[0]!.assetKey, "shopify/order");
    assert.equal(typeof dryRun[0]!.requested, "boolean");
    assert.ok(dryRun[0]!.tree.length > 1 && dryRun[0]!.tree.every((node) => typeof node.value === "boolean" && Array.isArray(node.children)));
    assert.deepEqual(await dataProvider.dryRun("stripe/charge"), [], "no policy, nothing to evaluate");
  });

  test("getOne: a Census sync with its mappings and an observed run's counts", async () => {
    await census.simulator.runScheduledSync(101);
    const dataProvider = provider();
    const asset = await eventually("the observed run", async () => {
      const { data } = await dataProvider.getOne<AssetDetail>("assets", { id: "customers_to_crm_contacts" });
      return data.census && data.census.lastRuns.length > 0 ? data : undefined;
    });
    const sync = asset.census!;
    assert.equal(sync.syncId, "101");
    assert.equal(sync.destinationObject, "contacts");
    assert.ok(sync.mappings.length > 0);
    assert.ok(sync.mappings.some((mapping) => mapping.primaryIdentifier), "a primary identifier is marked");
    assert.match(sync.url, /^https?:\/\//);
    const [run] = sync.lastRuns;
    assert.equal(run!.status, "completed");
    assert.equal(typeof run!.recordsProcessed, "number");
    assert.equal(run!.errorMessage, null);
    assert.equal(asset.fivetran, null);
    assert.deepEqual(asset.materializations.map((m) => [m.status, m.tool]), [["SUCCESS", "census"]]);
  });

  test("getOne: an unknown asset is a 404 HttpError with the server's message", async () => {
    await assert.rejects(
      () => provider().getOne("assets", { id: "no/such/asset" }),
      (error: unknown) => {
        assert.ok(error instanceof HttpError, `an HttpError, got ${String(error)}`);
        assert.equal(error.status, 404);
        assert.match(error.message, /no\/such\/asset/);
        return true;
      },
    );
  });

  test("no credential reaches the UI's answers", async () => {
    const { data } = await provider().getOne<AssetDetail>("assets", { id: "shopify/order" });
    const text = JSON.stringify(data) + JSON.stringify((await provider().getOne<AssetDetail>("assets", { id: "customers_to_crm_contacts" })).data);
    for (const secret of [TEST_API_KEY, TEST_API_SECRET, TEST_CENSUS_KEY, TEST_CENSUS_KEY.replace("secret-token:", "")]) assert.ok(!text.includes(secret));
  });
});
