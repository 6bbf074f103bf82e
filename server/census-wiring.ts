/**
 * Census workspaces from tributary.yaml, wired in like Fivetran accounts (./fivetran-wiring.ts): one client,
 * provider, launcher and observer per workspace. The token goes to the client and nowhere else.
 */
import type { Logger } from "pino";
import type { ConnectorLocation, ToolObserver } from "../catalog/model/index.ts";
import { createCensusClient, createCensusStepLauncher, createCensusObserver, createCensusProvider, censusSyncState, scheduleText } from "../connectors/census/index.ts";
import type { CensusClient, CensusObserver } from "../connectors/census/index.ts";
import type { CensusWorkspaceConfig } from "./config.ts";
import type { ConnectorRegistration } from "./connectors.ts";

export const censusConnector: ConnectorRegistration = {
  tool: "census",
  async locations({ loaded, logger }) {
    return (loaded?.config.census.workspaces ?? []).map((config) => censusWorkspace(config, logger.child({ component: "census" })));
  },
};

function censusWorkspace(config: CensusWorkspaceConfig, log: Logger): ConnectorLocation {
  const client = createCensusClient({
    apiKey: config.api_key,
    ...(config.base_url ? { baseUrl: config.base_url } : {}),
    ...(config.api_version ? { apiVersion: config.api_version } : {}),
    ...(config.group_id ? { groupId: config.group_id } : {}),
    onRetry: (info) => log.debug({ location: config.name, ...info }, "retrying a Census request"),
  });
  return {
    tool: "census",
    name: config.name,
    provider: createCensusProvider({ name: config.name, client, scheduledSyncs: config.scheduled_syncs ?? "respect" }),
    launcher: createCensusStepLauncher({
      client,
      locationName: config.name,
      forceFullSync: config.force_full_sync ?? false,
      ...(config.poll_interval_seconds ? { pollIntervalMs: config.poll_interval_seconds * 1000 } : {}),
      ...(config.poll_timeout_seconds ? { pollTimeoutMs: config.poll_timeout_seconds * 1000 } : {}),
    }),
    observer: censusWorkspaceObserver(config, client, log),
  };
}

function censusWorkspaceObserver(config: CensusWorkspaceConfig, client: CensusClient, log: Logger): ToolObserver {
  let observer: CensusObserver | null = null;
  return {
    start(events, onError) {
      if (observer) return;
      observer = createCensusObserver({ client, locationName: config.name, events, log: (message) => log.info({ location: config.name }, message) });
      observer.start((config.observe_interval_seconds ?? 30) * 1000, (error) => onError(new Error(client.redact(error instanceof Error ? error.message : String(error)))));
    },
    async stop() {
      await observer?.stop();
      observer = null;
    },
    liveState(syncId) {
      const sync = observer?.latest().get(syncId);
      if (!observer || !sync) return null;
      return censusSyncState.write({ paused: sync.paused, health: sync.status, schedule: scheduleText(sync), observed_at: observer.polledAt() });
    },
  };
}
