/**
 * Fetches a Fivetran account into a plain, serializable snapshot: groups → destinations (warehouse type,
 * database) → connectors → schema config. The only code of the load path that talks to Fivetran; the
 * translator (./translator.ts) turns the snapshot into asset specs without I/O.
 */
import { isApiError } from "../shared/index.ts";
import type { FivetranClient } from "./client.ts";
import type { FivetranConnection, FivetranSchemaConfig } from "./schemas.ts";

/** A destination as the translator needs it: its warehouse type and the database tables land in. */
export interface DestinationSnapshot {
  readonly id: string;
  /** The warehouse type (`snowflake`, `big_query`, …, `duckdb` in the simulator). */
  readonly service: string;
  readonly database: string | null;
  readonly region: string | null;
  readonly setupStatus: string | null;
}

export interface GroupSnapshot {
  readonly id: string;
  readonly name: string;
  /** Null when the group has no destination (or it could not be read: see the snapshot's problems). */
  readonly destination: DestinationSnapshot | null;
}

/** A connector's state: what Fivetran says about it, in our words. */
export interface ConnectorState {
  readonly id: string;
  readonly groupId: string;
  readonly service: string;
  /** The connector's `schema` field (its name in the dashboard). */
  readonly schema: string | null;
  readonly paused: boolean;
  readonly scheduleType: string | null;
  readonly syncFrequencyMinutes: number | null;
  readonly dailySyncTime: string | null;
  readonly succeededAt: string | null;
  readonly failedAt: string | null;
  readonly setupState: string;
  readonly syncState: string;
  readonly updateState: string | null;
  readonly rescheduledFor: string | null;
  readonly isHistoricalSync: boolean | null;
  readonly tasks: readonly { readonly code: string; readonly message: string | null }[];
  readonly warnings: readonly { readonly code: string; readonly message: string | null }[];
  readonly schemaPrefix: string | null;
}

export interface ConnectorSnapshot extends ConnectorState {
  /** Null when not fetched (the connector is not connected) or when Fivetran has none yet (never synced). */
  readonly schemaConfig: FivetranSchemaConfig | null;
}

export interface FivetranWorkspaceSnapshot {
  readonly fetchedAt: string;
  readonly groups: readonly GroupSnapshot[];
  readonly connectors: readonly ConnectorSnapshot[];
  /** Things that could not be read but did not stop the load (a group without destination). */
  readonly problems: readonly { readonly code: string; readonly message: string; readonly subject: string }[];
}

/** Our view of a connection object. */
export function toConnectorState(connection: FivetranConnection): ConnectorState {
  return {
    id: connection.id,
    groupId: connection.group_id,
    service: connection.service,
    schema: connection.schema ?? null,
    paused: connection.paused,
    scheduleType: connection.schedule_type ?? null,
    syncFrequencyMinutes: connection.sync_frequency ?? null,
    dailySyncTime: connection.daily_sync_time ?? null,
    succeededAt: connection.succeeded_at,
    failedAt: connection.failed_at,
    setupState: connection.status.setup_state.toLowerCase(),
    syncState: connection.status.sync_state.toLowerCase(),
    updateState: connection.status.update_state ?? null,
    rescheduledFor: connection.status.rescheduled_for,
    isHistoricalSync: connection.status.is_historical_sync ?? null,
    tasks: (connection.status.tasks ?? []).map((t) => ({ code: t.code, message: t.message ?? null })),
    warnings: (connection.status.warnings ?? []).map((t) => ({ code: t.code, message: t.message ?? null })),
    schemaPrefix: connection.config.schemaPrefix,
  };
}

/** Runs `fn` over `items` with at most `concurrency` in flight, keeping order; no new call once `signal` aborts. */
async function mapLimited<T, R>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<R>, signal?: AbortSignal): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      signal?.throwIfAborted();
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  });
  await Promise.all(workers);
  return results;
}

/**
 * Reads the whole account. A connector that is not connected keeps its state but no schema config (it
 * lands nothing Tributary can name); a 404 on a schema config means "never synced" and is not an error.
 * Any other API error fails the whole fetch, so a half-read account never replaces a good catalog.
 */
export async function fetchWorkspaceSnapshot(
  client: FivetranClient,
  options: { readonly concurrency?: number; readonly now?: () => Date; readonly onProgress?: (message: string) => void; readonly signal?: AbortSignal } = {},
): Promise<FivetranWorkspaceSnapshot> {
  const { concurrency = 4, now = () => new Date(), onProgress = () => {}, signal } = options;
  // An aborted load (a reload's time limit, shutdown) makes no further call: each call already in flight ends
  // by its own timeout.
  signal?.throwIfAborted();
  const problems: { code: string; message: string; subject: string }[] = [];
  const groups = await client.listGroups();
  onProgress(`${groups.length} groups`);
  const groupSnapshots = await mapLimited(groups, concurrency, async (group): Promise<GroupSnapshot> => {
    try {
      const destination = await client.getDestination(group.id);
      return {
        id: group.id,
        name: group.name,
        destination: {
          id: destination.id,
          service: destination.service,
          database: destination.config.database,
          region: destination.region ?? null,
          setupStatus: destination.setup_status ? destination.setup_status.toLowerCase() : null,
        },
      };
    } catch (error) {
      if (!isApiError(error, "not_found")) throw error;
      problems.push({ code: "destination_not_found", message: error.message, subject: `group ${group.id}` });
      return { id: group.id, name: group.name, destination: null };
    }
  }, signal);
  const connections = (await mapLimited(groups, concurrency, (group) => client.listConnections(group.id), signal)).flat();
  onProgress(`${connections.length} connectors`);
  const connectors = await mapLimited(connections, concurrency, async (connection): Promise<ConnectorSnapshot> => {
    const state = toConnectorState(connection);
    if (state.setupState !== "connected") return { ...state, schemaConfig: null };
    return { ...state, schemaConfig: await fetchSchemaConfig(client, connection.id) };
  }, signal);
  return { fetchedAt: now().toISOString(), groups: groupSnapshots, connectors, problems };
}

/** A connector's schema config; null when Fivetran has none (404: the connector never synced). */
export async function fetchSchemaConfig(client: FivetranClient, connectorId: string): Promise<FivetranSchemaConfig | null> {
  try {
    return await client.getSchemaConfig(connectorId);
  } catch (error) {
    if (isApiError(error, "not_found")) return null;
    throw error;
  }
}
