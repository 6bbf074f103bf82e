/**
 * The warehouse enrichment end to end, on real tools: demo-project copied, its raw tables landed by the Fivetran
 * simulator and built by real dbt (`dbt build`, daily_revenue excluded) into a DuckDB file, then the catalog
 * loaded through the real registry (dbt project, Fivetran account, and the warehouse read from the project's
 * profile) and asked over GraphQL: the warehouse's columns merged with dbt's, row counts, a Fivetran table's
 * column types, and the model never built as a diagnostic.
 */
import assert from "node:assert/strict";
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createCatalogService } from "../catalog/service.ts";
import { resolveDbtRuntime } from "../connectors/dbt/runtime.ts";
import { runDbtCommand } from "../connectors/dbt/project-runner.ts";
import { connectorsFromDataDir, startFivetranSimulator } from "../connectors/fivetran/simulator/server.ts";
import type { FivetranSimulator } from "../connectors/fivetran/simulator/server.ts";
import { loadConfig } from "./config.ts";
import { createConnectorLocations } from "./connectors.ts";
import { capturingLogger, mutableSource, query, testYoga } from "./test-support.ts";
import type { CatalogGraph } from "../catalog/graph/index.ts";

const DEMO = join(import.meta.dirname, "..", "demo-project");

describe("the demo project's warehouse in the catalog, after a real dbt build", () => {
  let scratch: string;
  let fivetran: FivetranSimulator;
  let graph: CatalogGraph;

  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), "tributary-warehouse-e2e-"));
    const project = join(scratch, "shop");
    await cp(DEMO, project, { recursive: true, filter: (source) => !/(^|[\\/])(target|logs)$|\.duckdb(\.wal)?$/.test(source) });
    const warehouse = join(scratch, "warehouse", "warehouse.duckdb");
    await mkdir(join(scratch, "warehouse"));
    fivetran = await startFivetranSimulator({
      apiKey: "wh-key",
      apiSecret: "wh-secret",
      groups: [{ id: "demo_warehouse", name: "Demo warehouse", destination: { service: "duckdb", database: "warehouse" } }],
      connectors: connectorsFromDataDir(join(project, "data", "fivetran"), { groupId: "demo_warehouse", syncFrequencyMinutes: 60 }),
      warehousePath: warehouse,
      syncDurationMs: 50,
    });
    for (const connector of ["google_ads_connector", "shopify_connector", "stripe_connector"]) await fivetran.runScheduledSync(connector);
    const env = { TRIBUTARY_WAREHOUSE_PATH: warehouse };
    const runtime = await resolveDbtRuntime({ preferManaged: true });
    const built = await runDbtCommand({ runtime, projectDir: project, targetPath: join(scratch, "target"), args: ["build", "--exclude", "daily_revenue", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"], env });
    assert.equal(built.exitCode, 0, built.logLines.map((l) => l.message).join("\n"));

    process.env["WH_E2E_KEY"] = "wh-key";
    process.env["WH_E2E_SECRET"] = "wh-secret";
    const config = join(scratch, "tributary.yaml");
    await writeFile(
      config,
      [
        "dbt:",
        "  projects:",
        `    - dir: ${JSON.stringify(project)}`,
        "      env:",
        `        TRIBUTARY_WAREHOUSE_PATH: ${JSON.stringify(warehouse)}`,
        "fivetran:",
        "  accounts:",
        "    - name: fivetran",
        "      api_key: ${WH_E2E_KEY}",
        "      api_secret: ${WH_E2E_SECRET}",
        `      base_url: ${fivetran.url}`,
        "",
      ].join("\n"),
    );
    const { logger } = capturingLogger();
    const locations = await createConnectorLocations({ loaded: await loadConfig(config), dbtProjects: [], manifests: [], dataDir: join(scratch, "data"), logger });
    assert.deepEqual(locations.map((l) => `${l.tool}:${l.name}`), ["dbt:shop", "fivetran:fivetran", "warehouse:shop-warehouse"]);
    const service = createCatalogService({ providers: locations.map((l) => l.provider) });
    const outcome = await service.reload();
    assert.ok(outcome.ok);
    assert.deepEqual(outcome.errors, []);
    graph = service.current();
  });
  after(async () => {
    await fivetran?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it("merges the warehouse's columns into a model's: types and nullability as built, documented ones flagged", async () => {
    const body = await query<{ asset: { columns: { name: string; type: string | null; inWarehouse: boolean | null; documented: boolean | null; nullable: boolean | null }[]; tableStats: { source: string; rowCount: number | null; tableType: string | null }; warehouse: { location: string; engine: string; kind: string } } }>(
      testYoga(mutableSource(graph)),
      `{ asset(key: "orders") { columns { name type inWarehouse documented nullable } tableStats { source rowCount tableType } warehouse { location engine kind } } }`,
    );
    const { columns, tableStats, warehouse } = body.asset;
    assert.deepEqual(warehouse, { location: "shop-warehouse", engine: "duckdb", kind: "table" });
    assert.equal(tableStats.source, "DuckDB warehouse");
    assert.equal(tableStats.tableType, "BASE TABLE");
    assert.ok(tableStats.rowCount !== null && tableStats.rowCount > 0);
    assert.ok(columns.length > 5);
    assert.ok(columns.every((c) => c.inWarehouse === true), `every documented column of orders is built: ${JSON.stringify(columns.filter((c) => !c.inWarehouse))}`);
    assert.ok(columns.every((c) => c.type !== null && /^[A-Z]/.test(c.type)), "DuckDB's own type names");
    const orderId = columns.find((c) => c.name === "order_id")!;
    assert.equal(orderId.documented, true);
  });

  it("gives a Fivetran table the warehouse's column types, where Fivetran gives none", async () => {
    const order = graph.get("shopify/order")!;
    assert.ok(order.materializer?.tool === "fivetran");
    assert.ok(order.columns.length > 0);
    assert.ok(order.columns.every((c) => c.type !== null), JSON.stringify(order.columns.filter((c) => c.type === null)));
    assert.ok(order.tableStats!.rowCount! > 0);
  });

  it("reports the model the build left out as never built, and only that one among dbt's tables", () => {
    const missing = graph.diagnostics.filter((d) => d.code === "relation_missing");
    assert.ok(missing.some((d) => d.assetKey?.join("/") === "daily_revenue" && /model never built/.test(d.message)), JSON.stringify(missing.map((d) => d.message)));
    for (const d of missing) assert.ok(!["orders", "customers", "shopify/order"].includes(d.assetKey!.join("/")), d.message);
  });

  it("lists columns only the warehouse has as undocumented, and finds their asset by them", () => {
    const withUndocumented = graph.assets.filter((a) => a.columns.some((c) => c.documented === false));
    assert.ok(withUndocumented.length > 0, "demo-project documents only some columns of its models");
    for (const asset of withUndocumented.slice(0, 5)) {
      const column = asset.columns.find((c) => c.documented === false)!;
      assert.equal(column.inWarehouse, true);
      assert.ok(graph.search({ search: column.name }).some((a) => a.id === asset.id), `${asset.id} found by ${column.name}`);
    }
  });
});
