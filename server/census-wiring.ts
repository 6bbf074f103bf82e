/**
 * Census workspaces from tributary.yaml, wired in like Fivetran accounts (./fivetran-wiring.ts): one client,
 * provider, launcher and observer per workspace. The token goes to the client and nowhere else.
 */
import type { Logger } from "pino";
import type { AssetEventSink } from "../catalog/model/events.ts";
import type { DefinitionsProvider, MaterializerRef } from "../catalog/model/index.ts";
import { createCensusClient } from "../connectors/census/client.ts";
import type { CensusClient } from "../connectors/census/client.ts";
import { createCensusStepLauncher } from "../connectors/census/launcher.ts";
import type { Launcher } from "../catalog/model/runs.ts";
import { createCensusObserver } from "../connectors/census/observer.ts";
import type { CensusObserver } from "../connectors/census/observer.ts";
import { createCensusProvider } from "../connectors/census/provider.ts";
import { scheduleText } from "../connectors/census/translator.ts";
import type { CensusWorkspaceConfig } from "./config.ts";

export interface CensusWorkspace {
  readonly name: string;
  readonly client: CensusClient;
  readonly provider: DefinitionsProvider;
  readonly config: CensusWorkspaceConfig;
}

export interface CensusLocations {
  readonly workspaces: readonly CensusWorkspace[];
  readonly providers: readonly DefinitionsProvider[];
  /** A launcher per workspace, for the runs engine. */
  stepLaunchers(): Launcher[];
  startObservers(events: AssetEventSink): void;
  /** The sync's state as the observer last saw it, as asset metadata; null when not seen. */
  liveMetadata(materializer: MaterializerRef): Record<string, unknown> | null;
  stop(): Promise<void>;
}

export function createCensusLocations(configs: readonly CensusWorkspaceConfig[], logger: Logger): CensusLocations {
  const log = logger.child({ component: "census" });
  const workspaces: CensusWorkspace[] = configs.map((config) => {
    const client = createCensusClient({
      apiKey: config.api_key,
      ...(config.base_url ? { baseUrl: config.base_url } : {}),
      ...(config.api_version ? { apiVersion: config.api_version } : {}),
      ...(config.group_id ? { groupId: config.group_id } : {}),
      onRetry: (info) => log.debug({ location: config.name, ...info }, "retrying a Census request"),
    });
    return { name: config.name, client, provider: createCensusProvider({ name: config.name, client }), config };
  });
  const observers = new Map<string, CensusObserver>();
  return {
    workspaces,
    providers: workspaces.map((w) => w.provider),
    stepLaunchers() {
      return workspaces.map((workspace) => {
        const { config } = workspace;
        return createCensusStepLauncher({
          client: workspace.client,
          locationName: workspace.name,
          forceFullSync: config.force_full_sync ?? false,
          ...(config.poll_interval_seconds ? { pollIntervalMs: config.poll_interval_seconds * 1000 } : {}),
          ...(config.poll_timeout_seconds ? { pollTimeoutMs: config.poll_timeout_seconds * 1000 } : {}),
        });
      });
    },
    startObservers(events) {
      for (const workspace of workspaces) {
        if (observers.has(workspace.name)) continue;
        const observer = createCensusObserver({ client: workspace.client, locationName: workspace.name, events, log: (message) => log.info({ location: workspace.name }, message) });
        observers.set(workspace.name, observer);
        observer.start((workspace.config.observe_interval_seconds ?? 30) * 1000, (error) =>
          log.warn({ location: workspace.name, error: workspace.client.redact(error instanceof Error ? error.message : String(error)) }, "observing Census failed"),
        );
      }
    },
    liveMetadata(materializer) {
      if (materializer.tool !== "census") return null;
      const observer = observers.get(materializer.locationName);
      const sync = observer?.latest().get(materializer.runTargetId);
      if (!observer || !sync) return null;
      return { "census/paused": sync.paused, "census/health": sync.status, "census/schedule": scheduleText(sync), "census/observed_at": observer.polledAt() };
    },
    async stop() {
      await Promise.all([...observers.values()].map((o) => o.stop()));
      observers.clear();
    },
  };
}
