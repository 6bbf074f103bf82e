/**
 * Warehouse locations, wired in: one per dbt project whose profile's target Tributary can read (DuckDB,
 * Postgres, Snowflake, BigQuery), named `<project>-warehouse`, and one per `warehouses.connections[]` entry of tributary.yaml. Each
 * only describes relations that other locations define (see connectors/warehouse). A profile it cannot read (an
 * adapter it does not know, MotherDuck, missing variables) is logged and skipped: the catalog loads without the
 * warehouse's word. Passwords go to the engine and nowhere else.
 */
import { resolve } from "node:path";
import type { ConnectorLocation } from "../catalog/model/index.ts";
import { readDbtProjectName } from "../connectors/dbt/index.ts";
import { createBigQueryWarehouse, createDuckDbWarehouse, createPostgresWarehouse, createSnowflakeWarehouse, createWarehouseProvider, readProfileTarget } from "../connectors/warehouse/index.ts";
import type { WarehouseConnection, WarehouseEngine } from "../connectors/warehouse/index.ts";
import type { DbtLocationConfig, LoadedConfig, WarehouseConnectionConfig } from "./config.ts";
import type { ConnectorRegistration } from "./connectors.ts";

export const warehouseConnector: ConnectorRegistration = {
  tool: "warehouse",
  async locations({ loaded, dbtProjects, logger }) {
    const log = logger.child({ component: "warehouse" });
    const locations: ConnectorLocation[] = [];
    const names = new Set<string>();
    const add = (name: string, engine: WarehouseEngine, from: string): void => {
      if (names.has(name)) return;
      names.add(name);
      locations.push({ tool: "warehouse", name, provider: createWarehouseProvider({ name, engine, from }), launcher: null, observer: null });
    };
    for (const config of loaded?.config.warehouses.connections ?? []) add(config.name, engineOf(warehouseConnectionOf(config)), "tributary.yaml");
    if (loaded?.config.warehouses.from_dbt_profiles === false) return locations;
    for (const project of dbtProjectDirs(loaded, dbtProjects)) {
      try {
        const name = `${project.name ?? (await readDbtProjectName(project.dir))}-warehouse`;
        const target = await readProfileTarget({ projectDir: project.dir, profilesDir: project.profilesDir, target: project.target, env: { ...process.env, ...project.env } });
        add(name, engineOf(target.connection), `dbt profile ${target.label}`);
      } catch (error) {
        log.warn({ project: project.dir, error: error instanceof Error ? error.message : String(error) }, "no warehouse read for this dbt project");
      }
    }
    return locations;
  },
};

/** Every dbt project directory to serve: tributary.yaml's `dbt.projects[].dir` and the `--dbt-project` flags. */
export function dbtProjectDirs(loaded: LoadedConfig | null, flagDirs: readonly string[]): Extract<DbtLocationConfig, { kind: "project" }>[] {
  return [
    ...(loaded?.dbtLocations ?? []).flatMap((config) => (config.kind === "project" ? [config] : [])),
    ...flagDirs.map((dir) => ({ kind: "project" as const, dir: resolve(dir), name: null, target: null, profilesDir: null, env: {} })),
  ];
}

/** The connection a `warehouses.connections[]` entry names. */
export function warehouseConnectionOf(config: WarehouseConnectionConfig): WarehouseConnection {
  switch (config.type) {
    case "duckdb":
      return { type: "duckdb", path: config.path! };
    case "postgres":
      return { type: "postgres", host: config.host!, port: config.port ?? 5432, user: config.user ?? null, password: config.password ?? null, database: config.database!, schemas: config.schemas ?? null };
    case "snowflake":
      return {
        type: "snowflake",
        account: config.account!,
        user: config.user!,
        password: config.password ?? null,
        privateKey: null,
        privateKeyPath: config.private_key_path ?? null,
        privateKeyPassphrase: config.private_key_passphrase ?? null,
        role: config.role ?? null,
        warehouse: config.warehouse ?? null,
        databases: config.databases ?? [config.database!],
        schemas: config.schemas ?? null,
        accessUrl: config.access_url ?? null,
      };
    case "bigquery":
      return { type: "bigquery", project: config.project!, datasets: config.datasets ?? null, keyFilename: config.keyfile ?? null, credentials: null, billingProject: null, apiEndpoint: config.api_endpoint ?? null };
  }
}

function engineOf(connection: WarehouseConnection): WarehouseEngine {
  switch (connection.type) {
    case "duckdb":
      return createDuckDbWarehouse({ path: connection.path });
    case "postgres":
      return createPostgresWarehouse(connection);
    case "snowflake":
      return createSnowflakeWarehouse(connection);
    case "bigquery":
      return createBigQueryWarehouse(connection);
  }
}
