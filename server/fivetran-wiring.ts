/**
 * Fivetran accounts from tributary.yaml, wired in: one client, provider, launcher and observer per account.
 * Kept beside ./wiring.ts so the shared wiring only calls in. Credentials go to the client and nowhere else:
 * not into location origins, logs or GraphQL answers.
 */
import type { Logger } from "pino";
import type { AssetEventSink } from "../catalog/model/events.ts";
import type { DefinitionsProvider, MaterializerRef } from "../catalog/model/index.ts";
import { createFivetranClient } from "../connectors/fivetran/client.ts";
import type { FivetranClient } from "../connectors/fivetran/client.ts";
import { createFivetranStepLauncher } from "../connectors/fivetran/launcher.ts";
import type { Launcher } from "../catalog/model/runs.ts";
import { createFivetranObserver } from "../connectors/fivetran/observer.ts";
import type { FivetranObserver } from "../connectors/fivetran/observer.ts";
import { createFivetranProvider } from "../connectors/fivetran/provider.ts";
import { connectorMetadata } from "../connectors/fivetran/translator.ts";
import type { FivetranAccountConfig } from "./config.ts";

/** One configured account, ready to load, launch and observe. */
export interface FivetranAccount {
  readonly name: string;
  readonly client: FivetranClient;
  readonly provider: DefinitionsProvider;
  readonly config: FivetranAccountConfig;
}

export interface FivetranLocations {
  readonly accounts: readonly FivetranAccount[];
  readonly providers: readonly DefinitionsProvider[];
  /** A launcher per account, for the runs engine (the scheduler's and manual launches). */
  stepLaunchers(): Launcher[];
  /** Starts one observer per account, recording Fivetran's own syncs in `events`. */
  startObservers(events: AssetEventSink): void;
  /** The connector's state as the observer last saw it, as asset metadata; null when not seen. */
  liveMetadata(materializer: MaterializerRef): Record<string, unknown> | null;
  stop(): Promise<void>;
}

export function createFivetranLocations(configs: readonly FivetranAccountConfig[], logger: Logger): FivetranLocations {
  const log = logger.child({ component: "fivetran" });
  const accounts: FivetranAccount[] = configs.map((config) => {
    const client = createFivetranClient({
      apiKey: config.api_key,
      apiSecret: config.api_secret,
      ...(config.base_url ? { baseUrl: config.base_url } : {}),
      onRetry: (info) => log.debug({ location: config.name, ...info }, "retrying a Fivetran request"),
    });
    const provider = createFivetranProvider({
      name: config.name,
      client,
      ...(config.destination_database_overrides ? { destinationDatabaseOverrides: config.destination_database_overrides } : {}),
    });
    return { name: config.name, client, provider, config };
  });
  const observers = new Map<string, FivetranObserver>();

  return {
    accounts,
    providers: accounts.map((a) => a.provider),
    stepLaunchers() {
      return accounts.map((account) => {
        const { config } = account;
        return createFivetranStepLauncher({
          client: account.client,
          locationName: account.name,
          forceSync: config.force_sync ?? false,
          ...(config.poll_interval_seconds ? { pollIntervalMs: config.poll_interval_seconds * 1000 } : {}),
          ...(config.poll_timeout_seconds ? { pollTimeoutMs: config.poll_timeout_seconds * 1000 } : {}),
        });
      });
    },
    startObservers(events) {
      for (const account of accounts) {
        if (observers.has(account.name)) continue;
        const observer = createFivetranObserver({
          client: account.client,
          locationName: account.name,
          events,
          log: (message) => log.info({ location: account.name }, message),
        });
        observers.set(account.name, observer);
        const intervalMs = (account.config.observe_interval_seconds ?? 30) * 1000;
        observer.start(intervalMs, (error) =>
          // ApiError messages are redacted by the client; the error object is not logged (its cause chain could hold request details).
          log.warn({ location: account.name, error: account.client.redact(error instanceof Error ? error.message : String(error)) }, "observing Fivetran failed"),
        );
        log.info({ location: account.name, intervalMs }, "observing Fivetran syncs");
      }
    },
    liveMetadata(materializer) {
      if (materializer.tool !== "fivetran") return null;
      const observer = observers.get(materializer.locationName);
      const state = observer?.latest().get(materializer.runTargetId);
      if (!observer || !state) return null;
      return { ...connectorMetadata(state), "fivetran/observed_at": observer.polledAt() };
    },
    async stop() {
      await Promise.all([...observers.values()].map((observer) => observer.stop()));
      observers.clear();
    },
  };
}
