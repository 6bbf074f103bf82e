/**
 * Runs Fivetran syncs for the assets it owns and records what happened (dagster-fivetran's `sync_and_poll`,
 * with Airflow's handling of rescheduled syncs):
 *
 * 1. Read the connector. Paused, or not `connected` (broken, incomplete): fail at once with a clear message.
 *    `baseline = max(succeeded_at, failed_at)` before the trigger.
 * 2. `POST /connections/{id}/sync {force}`.
 * 3. Poll until `max(succeeded_at, failed_at) > baseline`: the sync's own completion, as Fivetran stamps it.
 *    (Comparing Fivetran's timestamps with each other, not with our clock, is immune to clock skew.)
 * 4. Success (`succeeded_at` is the later): a materialization for each table the connector lands. Failure: a
 *    failure event per table, with Fivetran's own status and a link to the connector's logs.
 * 5. `rescheduled` (waiting for source quota) is neither: it is recorded when first seen; on a manual
 *    schedule the sync is triggered again once `rescheduled_for` has passed (Fivetran will not resume it by
 *    itself); and polling always ends at `pollTimeoutMs`, recording the outcome (`rescheduled` or
 *    `timed_out`) — a sync never hangs a run forever.
 *
 * Clock and sleep are injected, so tests run the whole loop in fake time.
 */
import type { AssetEventInput, AssetEventSink } from "../../catalog/model/events.ts";
import type { AssetKey } from "../../catalog/model/index.ts";
import { abortableSleep } from "../shared/poll.ts";
import type { FivetranClient } from "./client.ts";
import { fetchSchemaConfig, toConnectorState } from "./snapshot.ts";
import type { ConnectorState } from "./snapshot.ts";
import { connectorTables, connectorUrls, FIVETRAN_TOOL } from "./translator.ts";

export type SyncStatus = "succeeded" | "failed" | "rescheduled" | "timed_out" | "refused";

/** What one connector's sync came to. */
export interface SyncOutcome {
  readonly connectorId: string;
  readonly status: SyncStatus;
  /** A sentence for people: why it failed, or what landed. */
  readonly message: string;
  readonly triggeredAt: string | null;
  /** Fivetran's completion time (`succeeded_at` / `failed_at`), when the sync completed. */
  readonly completedAt: string | null;
  /** The assets recorded as materialized (success) or failed. */
  readonly assetKeys: readonly AssetKey[];
  readonly url: string | null;
  /** The connector as last read. */
  readonly connector: ConnectorState | null;
}

export interface FivetranLauncherOptions {
  readonly client: FivetranClient;
  /** The account's location name. */
  readonly locationName: string;
  readonly events: AssetEventSink;
  /** `force:true` restarts a running sync; false (default) joins it. */
  readonly forceSync?: boolean;
  /** Default 10 s (dagster's). */
  readonly pollIntervalMs?: number;
  /** Default 1 h. */
  readonly pollTimeoutMs?: number;
  /** How long after `rescheduled_for` a manual-schedule connector is triggered again (default 60 s, as Airflow). */
  readonly rescheduleGraceMs?: number;
  readonly now?: () => Date;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly dashboardUrl?: string;
  readonly log?: (message: string) => void;
}

export interface FivetranLauncher {
  /** Syncs one connector and records the outcome. Never throws for Fivetran's answers; see `status`. */
  syncConnector(connectorId: string, options?: { readonly signal?: AbortSignal }): Promise<SyncOutcome>;
  /**
   * Syncs the connectors owning the requested assets (each once, concurrently) and records the outcomes.
   * `requests` are the assets with their connector ids (the catalog's `materializer.runTargetId`).
   */
  launch(requests: readonly { readonly assetKey: AssetKey; readonly connectorId: string }[], options?: { readonly signal?: AbortSignal }): Promise<SyncOutcome[]>;
}

const time = (value: string | null): number => (value === null ? Number.NEGATIVE_INFINITY : Date.parse(value));

/** The dedupe key of a completed sync: the launcher and the observer derive the same one. */
export function syncDedupeKey(connectorId: string, status: "succeeded" | "failed", completedAt: string): string {
  return `fivetran:${connectorId}:${status}:${new Date(completedAt).toISOString()}`;
}

/** The events of a completed sync, one per table. */
export function completedSyncEvents(input: {
  readonly connector: ConnectorState;
  readonly locationName: string;
  readonly assetKeys: readonly AssetKey[];
  readonly status: "succeeded" | "failed";
  readonly launchedBy: "tributary" | "fivetran_schedule";
  readonly triggeredAt?: string | null;
  readonly dashboardUrl?: string;
}): AssetEventInput[] {
  const { connector, status } = input;
  const completedAt = status === "succeeded" ? connector.succeededAt! : connector.failedAt!;
  const { url, logsUrl } = connectorUrls(connector, input.dashboardUrl);
  const metadata: Record<string, unknown> = {
    "fivetran/connector_id": connector.id,
    "fivetran/sync_completed_at": completedAt,
    "fivetran/status": status,
    "fivetran/sync_state": connector.syncState,
    "fivetran/setup_state": connector.setupState,
    "fivetran/launched_by": input.launchedBy,
    "fivetran/connector_url": url,
    "fivetran/logs_url": logsUrl,
    ...(input.triggeredAt ? { "fivetran/triggered_at": input.triggeredAt } : {}),
    ...(status === "failed" && connector.tasks.length + connector.warnings.length > 0
      ? { "fivetran/messages": [...connector.tasks, ...connector.warnings].map((t) => `${t.code}${t.message ? `: ${t.message}` : ""}`) }
      : {}),
  };
  return input.assetKeys.map((assetKey) => ({
    assetKey,
    kind: status === "succeeded" ? "materialization" : "materialization_failure",
    tool: FIVETRAN_TOOL,
    locationName: input.locationName,
    runId: `${connector.id}@${new Date(completedAt).toISOString()}`,
    occurredAt: completedAt,
    dedupeKey: syncDedupeKey(connector.id, status, completedAt),
    metadata,
  }));
}

export function createFivetranLauncher(options: FivetranLauncherOptions): FivetranLauncher {
  const {
    client,
    locationName,
    events,
    forceSync = false,
    pollIntervalMs = 10_000,
    pollTimeoutMs = 3_600_000,
    rescheduleGraceMs = 60_000,
    now = () => new Date(),
    sleep = abortableSleep,
    dashboardUrl,
    log = () => {},
  } = options;

  async function tableKeys(connectorId: string): Promise<AssetKey[]> {
    return connectorTables(await fetchSchemaConfig(client, connectorId)).map((table) => table.key);
  }

  /** Failure events for an attempt that did not complete (refused, rescheduled, timed out). */
  async function recordAttemptFailure(connector: ConnectorState, status: SyncStatus, message: string, triggeredAt: string, keys: readonly AssetKey[]): Promise<void> {
    const { url, logsUrl } = connectorUrls(connector, dashboardUrl);
    await events.recordAssetEvents(
      keys.map((assetKey) => ({
        assetKey,
        kind: "materialization_failure",
        tool: FIVETRAN_TOOL,
        locationName,
        runId: null,
        occurredAt: triggeredAt,
        dedupeKey: `fivetran:${connector.id}:${status}:${triggeredAt}`,
        metadata: {
          "fivetran/connector_id": connector.id,
          "fivetran/status": status,
          "fivetran/message": message,
          "fivetran/sync_state": connector.syncState,
          "fivetran/setup_state": connector.setupState,
          "fivetran/paused": connector.paused,
          "fivetran/rescheduled_for": connector.rescheduledFor,
          "fivetran/triggered_at": triggeredAt,
          "fivetran/connector_url": url,
          "fivetran/logs_url": logsUrl,
        },
      })),
    );
  }

  async function syncConnector(connectorId: string, syncOptions: { readonly signal?: AbortSignal } = {}): Promise<SyncOutcome> {
    const { signal } = syncOptions;
    let connector = toConnectorState(await client.getConnection(connectorId));
    const { url } = connectorUrls(connector, dashboardUrl);
    const keys = await tableKeys(connectorId);
    const outcome = (status: SyncStatus, message: string, triggeredAt: string | null, completedAt: string | null): SyncOutcome => ({
      connectorId,
      status,
      message,
      triggeredAt,
      completedAt,
      assetKeys: keys,
      url,
      connector,
    });
    const startedAt = now().toISOString();
    if (connector.paused || connector.setupState !== "connected") {
      const message = connector.paused
        ? `Fivetran connector ${connectorId} (${connector.service}) is paused; resume it in Fivetran (${url}) to sync it`
        : `Fivetran connector ${connectorId} (${connector.service}) is ${connector.setupState}, not connected; fix its setup in Fivetran (${url}/setup)`;
      await recordAttemptFailure(connector, "refused", message, startedAt, keys);
      return outcome("refused", message, null, null);
    }
    const baseline = Math.max(time(connector.succeededAt), time(connector.failedAt));
    await client.triggerSync(connectorId, { force: forceSync });
    let triggeredAt = now().toISOString();
    const deadline = now().getTime() + pollTimeoutMs;
    let rescheduleRecorded: string | null = null;
    log(`fivetran: triggered ${connectorId} (force ${forceSync})`);
    for (;;) {
      if (now().getTime() >= deadline) {
        const rescheduled = connector.syncState === "rescheduled";
        const status: SyncStatus = rescheduled ? "rescheduled" : "timed_out";
        const message = rescheduled
          ? `Fivetran rescheduled the sync of ${connectorId} until ${connector.rescheduledFor ?? "later"} (source quota); gave up after ${Math.round(pollTimeoutMs / 1000)} s`
          : `The sync of Fivetran connector ${connectorId} did not complete within ${Math.round(pollTimeoutMs / 1000)} s (sync state ${connector.syncState})`;
        await recordAttemptFailure(connector, status, message, triggeredAt, keys);
        return outcome(status, message, triggeredAt, null);
      }
      await sleep(Math.min(pollIntervalMs, Math.max(0, deadline - now().getTime())), signal);
      connector = toConnectorState(await client.getConnection(connectorId));
      const succeeded = time(connector.succeededAt);
      const failed = time(connector.failedAt);
      if (Math.max(succeeded, failed) > baseline) {
        const status = succeeded >= failed ? "succeeded" : "failed";
        const recorded = completedSyncEvents({ connector, locationName, assetKeys: keys, status, launchedBy: "tributary", triggeredAt, ...(dashboardUrl ? { dashboardUrl } : {}) });
        await events.recordAssetEvents(recorded);
        const completedAt = status === "succeeded" ? connector.succeededAt : connector.failedAt;
        const message =
          status === "succeeded"
            ? `Fivetran synced ${connectorId}: ${keys.length} tables at ${completedAt}`
            : `The Fivetran sync of ${connectorId} failed at ${completedAt} (sync state ${connector.syncState}${connector.tasks.length > 0 ? `; ${connector.tasks.map((t) => t.message ?? t.code).join("; ")}` : ""}); see ${url}/logs`;
        return outcome(status, message, triggeredAt, completedAt);
      }
      if (connector.syncState === "rescheduled") {
        if (rescheduleRecorded !== connector.rescheduledFor) {
          rescheduleRecorded = connector.rescheduledFor;
          const message = `Fivetran rescheduled the sync of ${connectorId} until ${connector.rescheduledFor ?? "later"} (waiting for source API quota)`;
          log(`fivetran: ${message}`);
          await recordAttemptFailure(connector, "rescheduled", message, triggeredAt, keys);
        }
        // On a manual schedule Fivetran waits for a new trigger once the quota is back.
        const resumeAt = connector.rescheduledFor === null ? Number.NaN : Date.parse(connector.rescheduledFor) + rescheduleGraceMs;
        if (connector.scheduleType === "manual" && now().getTime() >= resumeAt) {
          await client.triggerSync(connectorId, { force: false });
          triggeredAt = now().toISOString();
          log(`fivetran: triggered ${connectorId} again after its reschedule`);
        }
      }
    }
  }

  return {
    syncConnector,
    async launch(requests, launchOptions = {}) {
      const connectorIds = [...new Set(requests.map((r) => r.connectorId))].sort();
      return Promise.all(
        connectorIds.map(async (connectorId) => {
          try {
            return await syncConnector(connectorId, launchOptions);
          } catch (error) {
            const message = client.redact(error instanceof Error ? error.message : String(error));
            return {
              connectorId,
              status: "failed" as const,
              message,
              triggeredAt: null,
              completedAt: null,
              assetKeys: requests.filter((r) => r.connectorId === connectorId).map((r) => r.assetKey),
              url: null,
              connector: null,
            };
          }
        }),
      );
    },
  };
}
