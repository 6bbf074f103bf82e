/**
 * The demo's Census: the simulator on a free loopback port with two syncs reading demo-project marts
 * (customers → CRM contacts, marketing_roi → ad audiences), writing each destination object as a JSON file
 * under the demo's data dir. It sets CENSUS_BASE_URL and CENSUS_API_KEY (a fresh random token) for this
 * process, which demo-project/tributary.yaml reads, so the demo config looks like a real one.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { demoCensusWorkspace, startCensusSimulator } from "../connectors/census/simulator/index.ts";
import type { CensusSimulator } from "../connectors/census/simulator/index.ts";

export interface DemoCensusOptions {
  /** demo-project/. */
  readonly projectDir: string;
  /** Where the simulator keeps its state and writes the destinations. */
  readonly dataDir: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly log?: (message: string) => void;
}

/** Starts the demo's Census simulator and points the environment at it. */
export async function startDemoCensus(options: DemoCensusOptions): Promise<CensusSimulator> {
  const env = options.env ?? process.env;
  const warehousePath = resolve(options.projectDir, env["TRIBUTARY_WAREHOUSE_PATH"] || "warehouse.duckdb");
  const outputDir = join(options.dataDir, "census-destinations");
  mkdirSync(outputDir, { recursive: true });
  const apiKey = `secret-token:demo_${randomBytes(12).toString("hex")}`;
  const simulator = await startCensusSimulator({
    apiKey,
    ...demoCensusWorkspace(),
    warehousePath,
    outputDir,
    stepMs: 1_000,
    stateFile: join(options.dataDir, "census-simulator.json"),
    ...(options.log ? { log: options.log } : {}),
  });
  env["CENSUS_BASE_URL"] = simulator.url;
  env["CENSUS_API_KEY"] = apiKey;
  return simulator;
}
