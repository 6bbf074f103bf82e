/**
 * Test helpers: a Census simulator with the demo's two syncs (customers → CRM contacts, marketing_roi → ads
 * audiences) over a fresh DuckDB warehouse holding small copies of those marts, and a client pointed at it.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openWarehouse } from "../shared/duckdb.ts";
import { createCensusClient } from "./client.ts";
import type { CensusClient, CensusClientOptions } from "./client.ts";
import { demoCensusWorkspace } from "./simulator/demo-workspace.ts";
import { startCensusSimulator } from "./simulator/server.ts";

export { demoCensusWorkspace };
import type { CensusSimulator, CensusSimulatorOptions } from "./simulator/server.ts";

export const TEST_CENSUS_KEY = "secret-token:census_test_Zq81hVw3Lm";


/** Creates small `analytics.customers` (3 rows, one without id) and `analytics.marketing_roi` tables. */
export async function seedMarts(warehousePath: string): Promise<void> {
  const warehouse = await openWarehouse(warehousePath);
  try {
    await warehouse.connection.run("CREATE SCHEMA IF NOT EXISTS analytics");
    await warehouse.connection.run(
      "CREATE OR REPLACE TABLE analytics.customers AS SELECT * FROM (VALUES (1, 'ada@example.com', 12), (2, 'bob@example.com', 8), (NULL, 'nobody@example.com', 0)) t(customer_id, email, number_of_orders)",
    );
    await warehouse.connection.run(
      "CREATE OR REPLACE TABLE analytics.marketing_roi AS SELECT * FROM (VALUES (7, 'Spring beans', 900.0), (8, 'Cold brew', 450.0)) t(campaign_id, campaign_name, attributed_net_revenue)",
    );
  } finally {
    warehouse.close();
  }
}

export interface SimulatedCensus {
  readonly simulator: CensusSimulator;
  readonly client: CensusClient;
  readonly dir: string;
  readonly warehousePath: string;
  close(): Promise<void>;
}

export async function startSimulatedCensus(
  overrides: Partial<CensusSimulatorOptions> & { readonly seed?: boolean } = {},
  clientOptions: Partial<CensusClientOptions> = {},
): Promise<SimulatedCensus> {
  const dir = await mkdtemp(join(tmpdir(), "tributary-census-"));
  const warehousePath = join(dir, "warehouse.duckdb");
  if (overrides.seed !== false) await seedMarts(warehousePath);
  const simulator = await startCensusSimulator({ apiKey: TEST_CENSUS_KEY, ...demoCensusWorkspace(), warehousePath, outputDir: join(dir, "destinations"), stepMs: 5, ...overrides });
  const client = createCensusClient({ apiKey: TEST_CENSUS_KEY, baseUrl: simulator.url, retryDelayMs: 1, timeoutMs: 5_000, ...(overrides.apiVersion ? { apiVersion: overrides.apiVersion } : {}), ...clientOptions });
  return {
    simulator,
    client,
    dir,
    warehousePath,
    async close() {
      await simulator.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
