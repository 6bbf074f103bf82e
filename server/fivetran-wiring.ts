/**
 * Fivetran accounts from tributary.yaml, wired in: one client, provider, launcher and observer per account.
 * Credentials go to the client and nowhere else: not into location origins, logs or GraphQL answers.
 */
import type { Logger } from "pino";
import type { ConnectorLocation, ToolObserver } from "../catalog/model/index.ts";
import { createFivetranClient, createFivetranStepLauncher, createFivetranObserver, createFivetranProvider, fivetranTableState, connectorMetadata, FIVETRAN_DASHBOARD_URL } from "../connectors/fivetran/index.ts";
import type { FivetranClient, FivetranObserver } from "../connectors/fivetran/index.ts";
import type { FivetranAccountConfig } from "./config.ts";
import type { ConnectorRegistration } from "./connectors.ts";

export const fivetranConnector: ConnectorRegistration = {
  tool: "fivetran",
  async locations({ loaded, logger }) {
    return (loaded?.config.fivetran.accounts ?? []).map((config) => fivetranAccount(config, logger.child({ component: "fivetran" })));
  },
};

function fivetranAccount(config: FivetranAccountConfig, log: Logger): ConnectorLocation {
  const client = createFivetranClient({
    apiKey: config.api_key,
    apiSecret: config.api_secret,
    ...(config.base_url ? { baseUrl: config.base_url } : {}),
    onRetry: (info) => log.debug({ location: config.name, ...info }, "retrying a Fivetran request"),
  });
  // Links to Fivetran's dashboard only for Fivetran's own API (a simulator's connectors are not on fivetran.com).
  const dashboardUrl = config.dashboard_url ?? (config.base_url === undefined || new URL(config.base_url).hostname === "api.fivetran.com" ? FIVETRAN_DASHBOARD_URL : "");
  return {
    tool: "fivetran",
    name: config.name,
    provider: createFivetranProvider({
      name: config.name,
      client,
      dashboardUrl,
      ...(config.destination_database_overrides ? { destinationDatabaseOverrides: config.destination_database_overrides } : {}),
    }),
    launcher: createFivetranStepLauncher({
      client,
      locationName: config.name,
      forceSync: config.force_sync ?? false,
      dashboardUrl,
      ...(config.poll_interval_seconds ? { pollIntervalMs: config.poll_interval_seconds * 1000 } : {}),
      ...(config.poll_timeout_seconds ? { pollTimeoutMs: config.poll_timeout_seconds * 1000 } : {}),
    }),
    observer: fivetranAccountObserver(config, client, log, dashboardUrl),
  };
}

function fivetranAccountObserver(config: FivetranAccountConfig, client: FivetranClient, log: Logger, dashboardUrl: string): ToolObserver {
  let observer: FivetranObserver | null = null;
  return {
    start(events, onError) {
      if (observer) return;
      observer = createFivetranObserver({ client, locationName: config.name, events, dashboardUrl, log: (message) => log.info({ location: config.name }, message) });
      const intervalMs = (config.observe_interval_seconds ?? 30) * 1000;
      // ApiError messages are redacted by the client; the error object is not passed on (its cause chain could hold request details).
      observer.start(intervalMs, (error) => onError(new Error(client.redact(error instanceof Error ? error.message : String(error)))));
      log.info({ location: config.name, intervalMs }, "observing Fivetran syncs");
    },
    async stop() {
      await observer?.stop();
      observer = null;
    },
    liveState(connectorId) {
      const state = observer?.latest().get(connectorId);
      if (!observer || !state) return null;
      return { ...connectorMetadata(state, dashboardUrl), ...fivetranTableState.write({ observed_at: observer.polledAt() }) };
    },
  };
}
