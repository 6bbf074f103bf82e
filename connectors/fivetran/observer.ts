/**
 * Notices syncs Fivetran ran on its own (its schedule, a user in the dashboard) and records them as
 * materializations (or failures) of the connector's tables — dagster-fivetran's polling sensor.
 *
 * Exactly once, even across restarts: each completed sync has one dedupe key per table
 * (`fivetran:<connector>:<succeeded|failed>:<time>`, the same the launcher uses), and the store inserts an
 * event only when that key is new. So the observer needs no cursor of its own: after a restart it simply
 * reports the latest completion again, and the store ignores it. In memory it remembers what it already
 * reported, to spare the API a schema-config call per connector per poll.
 */
import type { AssetEventSink } from "../../catalog/model/index.ts";
import { createPollingLoop } from "../shared/index.ts";
import type { FivetranClient } from "./client.ts";
import { completedSyncEvents } from "./launcher.ts";
import { fetchSchemaConfig, toConnectorState } from "./snapshot.ts";
import type { ConnectorState } from "./snapshot.ts";
import { connectorTables } from "./translator.ts";

export interface FivetranObserverOptions {
  readonly client: FivetranClient;
  readonly locationName: string;
  readonly events: AssetEventSink;
  readonly dashboardUrl?: string;
  readonly log?: (message: string) => void;
  readonly now?: () => Date;
}

export interface ObservationResult {
  /** Events newly stored by this poll. */
  readonly recorded: number;
  /** Connectors whose latest state this poll read. */
  readonly connectors: readonly ConnectorState[];
}

export interface FivetranObserver {
  /** Reads every connector once and records completions not yet recorded. */
  poll(): Promise<ObservationResult>;
  /** Polls every `intervalMs` until stopped; errors are passed to `onError` and polling goes on. */
  start(intervalMs: number, onError?: (error: unknown) => void): void;
  stop(): Promise<void>;
  /** The connectors' state as of the latest poll, by id. */
  latest(): ReadonlyMap<string, ConnectorState>;
  /** When the latest successful read of the connectors happened (ISO 8601), or null. */
  polledAt(): string | null;
}

export function createFivetranObserver(options: FivetranObserverOptions): FivetranObserver {
  const { client, locationName, events, dashboardUrl, log = () => {}, now = () => new Date() } = options;
  /** `<connector>:<status>:<time>` already reported by this process. */
  const reported = new Set<string>();
  const latest = new Map<string, ConnectorState>();
  let polledAt: string | null = null;

  async function poll(): Promise<ObservationResult> {
    const connectors = (await client.listConnections()).map(toConnectorState);
    polledAt = now().toISOString();
    let recorded = 0;
    for (const connector of connectors) {
      latest.set(connector.id, connector);
      if (connector.syncState === "rescheduled") log(`fivetran: connector ${connector.id} is rescheduled until ${connector.rescheduledFor ?? "later"}`);
      const completions: ("succeeded" | "failed")[] = [];
      if (connector.succeededAt !== null) completions.push("succeeded");
      if (connector.failedAt !== null) completions.push("failed");
      const fresh = completions.filter((status) => !reported.has(`${connector.id}:${status}:${status === "succeeded" ? connector.succeededAt : connector.failedAt}`));
      if (fresh.length === 0) continue;
      const keys = connectorTables(await fetchSchemaConfig(client, connector.id)).map((table) => table.key);
      for (const status of fresh) {
        const result = await events.recordAssetEvents(
          completedSyncEvents({ connector, locationName, assetKeys: keys, status, launchedBy: "fivetran_schedule", ...(dashboardUrl !== undefined ? { dashboardUrl } : {}) }),
        );
        recorded += result.inserted;
        if (result.inserted > 0) log(`fivetran: recorded a ${status} sync of ${connector.id} (${result.inserted} tables)`);
        reported.add(`${connector.id}:${status}:${status === "succeeded" ? connector.succeededAt : connector.failedAt}`);
      }
    }
    return { recorded, connectors };
  }

  const loop = createPollingLoop(poll);
  return {
    poll,
    start: (intervalMs, onError) => loop.start(intervalMs, onError),
    stop: () => loop.stop(),
    latest: () => latest,
    polledAt: () => polledAt,
  };
}
