/**
 * Test helpers: a Fivetran simulator on demo-project's CSVs with a fresh DuckDB warehouse in a temp dir, a
 * client pointed at it, and an in-memory event sink with the store's exactly-once rule.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createFivetranClient } from "./client.ts";
import type { FivetranClient, FivetranClientOptions } from "./client.ts";
import { connectorsFromDataDir, startFivetranSimulator } from "./simulator/server.ts";
import type { FivetranSimulator, FivetranSimulatorOptions } from "./simulator/server.ts";
import { sharedFixture } from "../../scripts/shared-fixtures.ts";

/** demo-project's raw CSVs, one folder per connector schema. */
export const DEMO_DATA_DIR = fileURLToPath(new URL("../../demo-project/data/fivetran", import.meta.url));
/** The real API samples (read in place, never copied). */
export const API_SAMPLES_DIR = sharedFixture("api-samples");

export const TEST_API_KEY = "tk_live_key_7QzX1pLmN3vB";
export const TEST_API_SECRET = "ts_secret_9HdK2wRfYu6TsE4c";

export interface SimulatedAccount {
  readonly simulator: FivetranSimulator;
  readonly client: FivetranClient;
  readonly dir: string;
  readonly warehousePath: string;
  close(): Promise<void>;
}

/** The demo's three connectors (shopify, stripe, google_ads) in group `warehouse_group`, destination database `warehouse`. */
export async function startSimulatedAccount(
  overrides: Partial<FivetranSimulatorOptions> = {},
  clientOptions: Partial<FivetranClientOptions> = {},
): Promise<SimulatedAccount> {
  const dir = await mkdtemp(join(tmpdir(), "tributary-fivetran-"));
  const warehousePath = join(dir, "warehouse.duckdb");
  const simulator = await startFivetranSimulator({
    apiKey: TEST_API_KEY,
    apiSecret: TEST_API_SECRET,
    groups: [{ id: "warehouse_group", name: "Warehouse", destination: { service: "duckdb", database: "warehouse" } }],
    connectors: connectorsFromDataDir(DEMO_DATA_DIR, { groupId: "warehouse_group" }),
    warehousePath,
    syncDurationMs: 5,
    ...overrides,
  });
  const client = createFivetranClient({
    apiKey: TEST_API_KEY,
    apiSecret: TEST_API_SECRET,
    baseUrl: simulator.url,
    retryDelayMs: 1,
    timeoutMs: 5_000,
    ...clientOptions,
  });
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

/** Shared with the Census connector (connectors/shared/testing.ts). */
export { createFakeClock, createMemoryEventSink } from "../shared/testing.ts";
