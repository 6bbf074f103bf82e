/**
 * The demo's Fivetran: the simulator on a free loopback port with three connectors (shopify, stripe,
 * google_ads) that land demo-project/data/fivetran CSV rows into demo-project's DuckDB warehouse on their own
 * schedule. It sets FIVETRAN_BASE_URL, FIVETRAN_API_KEY and FIVETRAN_API_SECRET (fresh random credentials) for
 * this process, which demo-project/tributary.yaml reads, so the demo config looks like a real one.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { connectorsFromDataDir, startFivetranSimulator } from "../connectors/fivetran/simulator/index.ts";
import type { FivetranSimulator } from "../connectors/fivetran/simulator/index.ts";

export interface DemoFivetranOptions {
  /** demo-project/. */
  readonly projectDir: string;
  /** Where the simulator keeps its state (connector timestamps). */
  readonly dataDir: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly log?: (message: string) => void;
}

/** Starts the demo's simulator and points the environment at it. */
export async function startDemoFivetran(options: DemoFivetranOptions): Promise<FivetranSimulator> {
  const env = options.env ?? process.env;
  const minutes = Number(env["TRIBUTARY_DEMO_FIVETRAN_SYNC_MINUTES"] ?? "2");
  const rowsPerSync = Number(env["TRIBUTARY_DEMO_FIVETRAN_ROWS_PER_SYNC"] ?? "25");
  // dbt runs inside the project, so the profile's relative path is relative to it.
  const warehousePath = resolve(options.projectDir, env["TRIBUTARY_WAREHOUSE_PATH"] || "warehouse.duckdb");
  mkdirSync(dirname(warehousePath), { recursive: true });
  mkdirSync(options.dataDir, { recursive: true });
  const apiKey = `demo_${randomBytes(8).toString("hex")}`;
  const apiSecret = randomBytes(16).toString("hex");
  const simulator = await startFivetranSimulator({
    apiKey,
    apiSecret,
    groups: [{ id: "demo_warehouse", name: "Demo warehouse", destination: { service: "duckdb", database: "warehouse" } }],
    // The schedule Fivetran reports is the one the simulator keeps (the connector panel shows it).
    connectors: connectorsFromDataDir(join(options.projectDir, "data", "fivetran"), {
      groupId: "demo_warehouse",
      syncFrequencyMinutes: Math.max(1, Math.round(Number.isFinite(minutes) ? minutes : 2)),
    }),
    warehousePath,
    autoSchedule: true,
    scheduleIntervalMs: () => Math.max(0.1, Number.isFinite(minutes) ? minutes : 2) * 60_000,
    rowsPerSync: Number.isFinite(rowsPerSync) && rowsPerSync > 0 ? rowsPerSync : 25,
    syncDurationMs: 3_000,
    stateFile: join(options.dataDir, "fivetran-simulator.json"),
    ...(options.log ? { log: options.log } : {}),
  });
  env["FIVETRAN_BASE_URL"] = simulator.url;
  env["FIVETRAN_API_KEY"] = apiKey;
  env["FIVETRAN_API_SECRET"] = apiSecret;
  return simulator;
}
