/**
 * Turns a Fivetran workspace snapshot into asset specs, without I/O (Dagster parity where it applies):
 * every enabled table of an enabled schema of a connected connector is one asset, keyed
 * `[schema name_in_destination, table name_in_destination]`, with the relation
 * `destination database . schema . table` — the join with the dbt source that reads the same table, whatever
 * the names — kinds `fivetran` + the destination type, the enabled columns, and the connector's state.
 */
import { fivetranTableState } from "./tool-state.ts";
import type { AssetKey, AssetSpec, ColumnSpec, Diagnostic } from "../../catalog/model/index.ts";
import type { FivetranSchemaConfig } from "./schemas.ts";
import type { ConnectorState, FivetranWorkspaceSnapshot, GroupSnapshot } from "./snapshot.ts";

export const FIVETRAN_TOOL = "fivetran";

export interface FivetranTranslatorOptions {
  /** The location (account) name: the materializer's `locationName`. */
  readonly locationName: string;
  /** Replaces a destination's database (by destination/group id, or by the database Fivetran reports). */
  readonly destinationDatabaseOverrides?: Readonly<Record<string, string>>;
  /** Where dashboard links point (default `https://fivetran.com`); "" for none (a simulator, a proxy). */
  readonly dashboardUrl?: string;
}

export interface FivetranTranslation {
  readonly specs: AssetSpec[];
  readonly diagnostics: Diagnostic[];
}

/** One table a connector lands, named as in the destination. */
export interface ConnectorTable {
  readonly key: AssetKey;
  readonly sourceSchema: string;
  readonly sourceTable: string;
  readonly schema: string;
  readonly table: string;
  readonly syncMode: string | null;
  readonly columns: readonly ColumnSpec[];
}

/** The enabled tables of enabled schemas, as the destination names them. */
export function connectorTables(schemaConfig: FivetranSchemaConfig | null): ConnectorTable[] {
  const tables: ConnectorTable[] = [];
  for (const [sourceSchema, schema] of Object.entries(schemaConfig?.schemas ?? {})) {
    if (!schema.enabled) continue;
    const schemaName = schema.name_in_destination ?? sourceSchema;
    for (const [sourceTable, table] of Object.entries(schema.tables ?? {})) {
      if (!table.enabled) continue;
      const tableName = table.name_in_destination ?? sourceTable;
      const columns: ColumnSpec[] = Object.entries(table.columns ?? {})
        .filter(([, column]) => column.enabled !== false)
        .map(([name, column]) => ({
          name: column.name_in_destination ?? name,
          type: null,
          description: null,
          tags: column.is_primary_key ? ["primary_key"] : [],
        }));
      tables.push({ key: [schemaName, tableName], sourceSchema, sourceTable, schema: schemaName, table: tableName, syncMode: table.sync_mode ?? null, columns });
    }
  }
  return tables;
}

/** Fivetran's own dashboard, where a real account's connectors are. */
export const FIVETRAN_DASHBOARD_URL = "https://fivetran.com";

/** The dashboard links of a connector; both "" (none) when `dashboardUrl` is "" (an API that is not Fivetran's own). */
export function connectorUrls(connector: Pick<ConnectorState, "service" | "schema" | "id">, dashboardUrl = FIVETRAN_DASHBOARD_URL) {
  if (dashboardUrl === "") return { url: "", logsUrl: "" };
  const base = `${dashboardUrl.replace(/\/+$/, "")}/dashboard/connectors/${encodeURIComponent(connector.service)}/${encodeURIComponent(connector.schema ?? connector.id)}`;
  return { url: base, logsUrl: `${base}/logs` };
}

/** The connector's state as asset metadata (`fivetran/…` keys); read back by the API. */
export function connectorMetadata(connector: ConnectorState, dashboardUrl?: string): Record<string, unknown> {
  const { url, logsUrl } = connectorUrls(connector, dashboardUrl);
  return fivetranTableState.write({
    connector_id: connector.id,
    connector_name: connector.schema,
    service: connector.service,
    schedule_type: connector.scheduleType,
    sync_frequency_minutes: connector.syncFrequencyMinutes,
    paused: connector.paused,
    setup_state: connector.setupState,
    sync_state: connector.syncState,
    update_state: connector.updateState,
    succeeded_at: connector.succeededAt,
    failed_at: connector.failedAt,
    rescheduled_for: connector.rescheduledFor,
    connector_url: url,
    logs_url: logsUrl,
  });
}

function databaseOf(group: GroupSnapshot | undefined, overrides: Readonly<Record<string, string>>): string | null {
  if (!group?.destination) return null;
  return overrides[group.destination.id] ?? (group.destination.database ? overrides[group.destination.database] : undefined) ?? group.destination.database;
}

/** Translates the snapshot. Pure. */
export function translateWorkspace(snapshot: FivetranWorkspaceSnapshot, options: FivetranTranslatorOptions): FivetranTranslation {
  const { locationName, destinationDatabaseOverrides = {}, dashboardUrl } = options;
  const groups = new Map(snapshot.groups.map((group) => [group.id, group]));
  const specs: AssetSpec[] = [];
  const diagnostics: Diagnostic[] = [];
  const diagnostic = (severity: Diagnostic["severity"], code: string, message: string, nodeId: string | null, assetKey: AssetKey | null = null) =>
    diagnostics.push({ severity, code, message, locationName, assetKey, nodeId, at: null });
  for (const problem of snapshot.problems) diagnostic("warning", problem.code, `${problem.subject}: ${problem.message}`, null);
  const seen = new Map<string, string>();
  for (const connector of [...snapshot.connectors].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    if (connector.setupState !== "connected") {
      diagnostic("info", "connector_not_connected", `Fivetran connector ${connector.id} (${connector.service}) is ${connector.setupState}; its tables are not in the catalog`, connector.id);
      continue;
    }
    if (connector.schemaConfig === null) {
      diagnostic("info", "connector_without_schema", `Fivetran connector ${connector.id} (${connector.service}) has no schema config yet (never synced)`, connector.id);
      continue;
    }
    const group = groups.get(connector.groupId);
    const destination = group?.destination ?? null;
    if (destination === null) {
      diagnostic("warning", "connector_without_destination", `Fivetran connector ${connector.id} is in group ${connector.groupId}, which has no readable destination; its tables have no relation`, connector.id);
    }
    const database = databaseOf(group, destinationDatabaseOverrides);
    const metadata = connectorMetadata(connector, dashboardUrl);
    for (const table of connectorTables(connector.schemaConfig)) {
      const id = table.key.join("/");
      const other = seen.get(id);
      if (other !== undefined) {
        diagnostic("error", "duplicate_fivetran_table", `Fivetran connectors ${other} and ${connector.id} both land ${id}; the table of ${other} is kept`, connector.id, table.key);
        continue;
      }
      seen.set(id, connector.id);
      specs.push({
        key: table.key,
        relation: destination ? { database, schema: table.schema, name: table.table } : null,
        kinds: destination ? [FIVETRAN_TOOL, destination.service] : [FIVETRAN_TOOL],
        group: null,
        owners: [],
        tags: [],
        description: null,
        deps: [],
        columns: table.columns,
        checks: [],
        policy: null,
        codeVersion: null,
        materializer: { tool: FIVETRAN_TOOL, locationName, runTargetId: connector.id },
        dbtUniqueId: null,
        definedIn: null,
        metadata: {
          ...metadata,
          ...fivetranTableState.write({
            group_id: connector.groupId,
            group_name: group?.name ?? null,
            destination_service: destination?.service ?? null,
            source_schema: table.sourceSchema,
            source_table: table.sourceTable,
            destination_schema_name: table.schema,
            destination_table_name: table.table,
            sync_mode: table.syncMode,
            snapshot_fetched_at: snapshot.fetchedAt,
          }),
        },
      });
    }
  }
  return { specs, diagnostics };
}

