/**
 * OpenLineage dataset namespaces: the warehouse a relation lives in, named as the OpenLineage naming spec
 * (openlineage.io/docs/spec/naming) and its dbt integration name it, so Tributary's datasets join those dbt-ol,
 * Airflow and Spark emit for the same tables: `duckdb://{path}`, `postgres://{host}:{port}`,
 * `redshift://{host}:{port}`, `snowflake://{org-account | locator.region.cloud}`, `bigquery`.
 */
import { resolve } from "node:path";
import type { CatalogAsset } from "../../catalog/graph/index.ts";
import { censusSyncState } from "../../connectors/census/index.ts";
import { warehouseRelationState } from "../../connectors/warehouse/index.ts";
import type { ProfileOutput, WarehouseConnection } from "../../connectors/warehouse/index.ts";

/**
 * A Snowflake account as OpenLineage normalises it (openlineage-integration-common's `fix_account_name`): an
 * `org-account` identifier as it is; a legacy locator completed with AWS us-west-1 defaults.
 */
export function snowflakeAccount(account: string): string {
  const parts = account.trim().toLowerCase().replace(/\.snowflakecomputing\.com$/, "").split(".");
  const [locator] = parts;
  if (locator!.includes("-")) return locator!;
  if (parts.length === 1) return `${locator}.us-west-1.aws`;
  if (parts.length === 2) return `${locator}.${parts[1]}.aws`;
  return parts.join(".");
}

/** The namespace of a warehouse Tributary reads (tributary.yaml `warehouses.connections[]`, a dbt profile). */
export function connectionNamespace(connection: WarehouseConnection): string {
  switch (connection.type) {
    case "duckdb":
      return `duckdb://${resolve(connection.path)}`;
    case "postgres":
      return `postgres://${connection.host}:${connection.port}`;
    case "snowflake":
      return `snowflake://${snowflakeAccount(connection.account)}`;
    case "bigquery":
      return "bigquery";
  }
}

/**
 * The namespace of a dbt profile target, for the adapters the naming spec names; null for another adapter (its
 * datasets then fall back to the location's namespace, see {@link DatasetNamer}).
 */
export function profileNamespace(output: Pick<ProfileOutput, "type" | "field" | "projectDir">): string | null {
  const { field } = output;
  switch (output.type) {
    case "duckdb": {
      const path = field("path");
      return path === null || path === ":memory:" ? null : path.startsWith("md:") ? `duckdb://${path}` : `duckdb://${resolve(output.projectDir, path)}`;
    }
    case "postgres":
    case "redshift": {
      const host = field("host");
      return host === null ? null : `${output.type}://${host}:${field("port") ?? (output.type === "redshift" ? "5439" : "5432")}`;
    }
    case "snowflake": {
      const account = field("account");
      return account === null ? null : `snowflake://${snowflakeAccount(account)}`;
    }
    case "bigquery":
      return "bigquery";
    default:
      return null;
  }
}

/** An OpenLineage dataset's identity. */
export interface DatasetId {
  readonly namespace: string;
  readonly name: string;
}

/**
 * Names the catalog's assets as OpenLineage datasets. `locationNamespaces` maps a location's name (a dbt project,
 * a warehouse location) to the namespace of the warehouse it builds into or reads.
 */
export interface DatasetNamer {
  /** The dataset an asset is, or null for an asset with no place to name (no relation, not a Census sync). */
  datasetOf(asset: CatalogAsset): DatasetId | null;
  /** The namespace of a relation a dbt model reads that no asset names, by the location that reads it. */
  namespaceOfLocation(locationName: string): string;
}

export function createDatasetNamer(locationNamespaces: ReadonlyMap<string, string>): DatasetNamer {
  const namespaceOfLocation = (locationName: string) => locationNamespaces.get(locationName) ?? `tributary://${locationName}`;
  return {
    namespaceOfLocation,
    datasetOf(asset) {
      const census = censusSyncState.read(asset.metadata);
      if (census.sync_id !== null && census.destination_object !== null) {
        // A SaaS object (a CRM's contacts) has no namespace in the spec: the Census destination connection names it.
        return { namespace: `census://${census.destination_connection_id ?? asset.locationNames[0] ?? "unknown"}`, name: census.destination_object };
      }
      if (asset.relation === null) return null;
      const name = [asset.relation.database, asset.relation.schema, asset.relation.name].filter((p) => p !== null && p !== "").join(".");
      // The warehouse that described the relation knows best; then a location that declares it and whose warehouse
      // is known (a dbt project's profile); else the first location's own namespace.
      const described = warehouseRelationState.read(asset.metadata).location;
      const known = [described, ...asset.locationNames].find((location): location is string => location !== null && locationNamespaces.has(location));
      return { namespace: known !== undefined ? locationNamespaces.get(known)! : namespaceOfLocation(asset.locationNames[0] ?? "unknown"), name };
    },
  };
}
