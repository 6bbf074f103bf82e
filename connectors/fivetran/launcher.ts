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
 *    itself); and polling always ends at `pollTimeoutMs` after the trigger, recording the outcome
 *    (`rescheduled` or `timed_out`) — a sync never hangs a run forever.
 *
 * Exactly one trigger, across crashes (the runs engine's step progress, catalog/model/runs.ts): the launcher
 * saves `{phase: "triggering", baseline}` before the POST and `{phase: "triggered", …}` after it. A worker
 * taking the step over never sends that POST again: from "triggered" it polls from the saved baseline; from
 * "triggering" (the POST may or may not have reached Fivetran) it follows a sync only if the connector shows
 * one since the baseline (completed, syncing or rescheduled), and otherwise fails the step rather than risk
 * a second sync. The re-trigger of a rescheduled manual sync is saved the same way, once per `rescheduled_for`.
 *
 * Clock and sleep are injected, so tests run the whole loop in fake time.
 */
import { fivetranSyncEventState } from "./tool-state.ts";
import { z } from "zod";
import type { AssetEventInput, AssetKey, Launcher, StepOutcome, StepTarget } from "../../catalog/model/index.ts";
import { abortableSleep, settleStep, singleTargetId, targetKeys } from "../shared/index.ts";
import type { EventRecorder, LaunchLog } from "../shared/index.ts";
import type { FivetranClient } from "./client.ts";
import { fetchSchemaConfig, toConnectorState } from "./snapshot.ts";
import type { ConnectorState } from "./snapshot.ts";
import { connectorTables, connectorUrls, FIVETRAN_TOOL } from "./translator.ts";

/**
 * `unconfirmed`: a worker taking over found the trigger unconfirmed (it stopped between saving "triggering"
 * and saving "triggered") and no sync since the baseline, so it did not trigger again.
 */
export type SyncStatus = "succeeded" | "failed" | "rescheduled" | "timed_out" | "refused" | "unconfirmed";

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
  /** Where events go: the store (an AssetEventSink), or a run step's reporter. */
  readonly events: EventRecorder;
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
  readonly log?: LaunchLog;
}

/**
 * What a sync saves so that a worker taking over its step follows it. JSON only (it is stored as such):
 * times are Fivetran's own strings or ISO 8601; `baseline` is null for a connector that never completed a sync.
 */
export type FivetranSyncProgress =
  | {
      readonly phase: "triggering";
      readonly connectorId: string;
      readonly baseline: string | null;
      /** When the trigger was about to be sent (our clock). */
      readonly requestedAt: string;
    }
  | {
      readonly phase: "triggered";
      readonly connectorId: string;
      readonly baseline: string | null;
      /** When Fivetran accepted the trigger (our clock); polling ends `pollTimeoutMs` after it. */
      readonly triggeredAt: string;
      /** The `rescheduled_for` a re-trigger was sent (or about to be sent) for: never sent twice. */
      readonly retriggeredFor: string | null;
      readonly retriggeredAt: string | null;
    };

const progressSchema = z.discriminatedUnion("phase", [
  z.object({ phase: z.literal("triggering"), connectorId: z.string(), baseline: z.string().nullable(), requestedAt: z.string() }),
  z.object({
    phase: z.literal("triggered"),
    connectorId: z.string(),
    baseline: z.string().nullable(),
    triggeredAt: z.string(),
    retriggeredFor: z.string().nullable().default(null),
    retriggeredAt: z.string().nullable().default(null),
  }),
]);

/** Reads a step's saved progress. Progress it cannot read throws: guessing could trigger a second sync. */
export function parseFivetranProgress(progress: Readonly<Record<string, unknown>>, connectorId: string): FivetranSyncProgress {
  const parsed = progressSchema.safeParse(progress);
  if (!parsed.success) throw new Error(`cannot follow the saved progress of Fivetran connector ${connectorId}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  if (parsed.data.connectorId !== connectorId) throw new Error(`the saved progress is for Fivetran connector ${parsed.data.connectorId}, not ${connectorId}`);
  return parsed.data;
}

/** How one sync is run: canceled by a signal; resumed from, and saving, step progress. */
export interface FivetranSyncRunOptions {
  readonly signal?: AbortSignal;
  /** Progress an earlier attempt saved: follow the sync it names; the first trigger is never sent again. */
  readonly resume?: FivetranSyncProgress | null;
  /** Saves progress durably; called before and after each trigger. Its errors stop the sync at once. */
  readonly saveProgress?: (progress: FivetranSyncProgress) => Promise<void>;
}

export interface FivetranLauncher {
  /** Syncs one connector and records the outcome. Never throws for Fivetran's answers; see `status`. */
  syncConnector(connectorId: string, options?: FivetranSyncRunOptions): Promise<SyncOutcome>;
  /**
   * Syncs the connectors owning the requested assets (each once, concurrently) and records the outcomes.
   * `requests` are the assets with their connector ids (the catalog's `materializer.runTargetId`).
   */
  launch(requests: readonly { readonly assetKey: AssetKey; readonly connectorId: string }[], options?: { readonly signal?: AbortSignal }): Promise<SyncOutcome[]>;
}

const time = (value: string | null): number => (value === null ? Number.NEGATIVE_INFINITY : Date.parse(value));

/** The later of the connector's completion times (the baseline a new sync must pass), or null. */
function latestCompletion(connector: ConnectorState): string | null {
  if (connector.succeededAt === null) return connector.failedAt;
  if (connector.failedAt === null) return connector.succeededAt;
  return time(connector.succeededAt) >= time(connector.failedAt) ? connector.succeededAt : connector.failedAt;
}

/** Whether the connector shows a sync since `baseline`: completed after it, running, or waiting on a reschedule. */
function showsSyncSince(connector: ConnectorState, baseline: string | null): boolean {
  return time(latestCompletion(connector)) > time(baseline) || connector.syncState === "syncing" || connector.syncState === "rescheduled";
}
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
  const metadata = fivetranSyncEventState.write({
    connector_id: connector.id,
    sync_completed_at: completedAt,
    status: status,
    sync_state: connector.syncState,
    setup_state: connector.setupState,
    launched_by: input.launchedBy,
    connector_url: url,
    logs_url: logsUrl,
    ...(input.triggeredAt ? { triggered_at: input.triggeredAt } : {}),
    ...(status === "failed" && connector.tasks.length + connector.warnings.length > 0
      ? { messages: [...connector.tasks, ...connector.warnings].map((t) => `${t.code}${t.message ? `: ${t.message}` : ""}`) }
      : {}),
  });
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

  const readConnector = async (connectorId: string): Promise<ConnectorState> => toConnectorState(await client.getConnection(connectorId));

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
        metadata: fivetranSyncEventState.write({
          connector_id: connector.id,
          status: status,
          message: message,
          sync_state: connector.syncState,
          setup_state: connector.setupState,
          paused: connector.paused,
          rescheduled_for: connector.rescheduledFor,
          triggered_at: triggeredAt,
          connector_url: url,
          logs_url: logsUrl,
        }),
      })),
    );
  }

  async function syncConnector(connectorId: string, runOptions: FivetranSyncRunOptions = {}): Promise<SyncOutcome> {
    const { signal, resume = null, saveProgress = async () => {} } = runOptions;
    if (resume !== null && resume.connectorId !== connectorId) throw new Error(`the saved progress is for Fivetran connector ${resume.connectorId}, not ${connectorId}`);
    let connector = await readConnector(connectorId);
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

    let baseline: string | null;
    /** The first trigger's time: the poll timeout counts from it, also for a worker taking over. */
    let triggeredAt: string;
    /** The latest trigger's time (a re-trigger after a reschedule moves it): what events name. */
    let lastTriggeredAt: string;
    let retriggeredFor: string | null = null;
    /** Whether `connector` was read after the trigger (the read before it must not be taken for its result). */
    let current: boolean;
    if (resume === null) {
      if (connector.paused || connector.setupState !== "connected") {
        const message = connector.paused
          ? `Fivetran connector ${connectorId} (${connector.service}) is paused; resume it in Fivetran (${url}) to sync it`
          : `Fivetran connector ${connectorId} (${connector.service}) is ${connector.setupState}, not connected; fix its setup in Fivetran (${url}/setup)`;
        await recordAttemptFailure(connector, "refused", message, now().toISOString(), keys);
        return outcome("refused", message, null, null);
      }
      baseline = latestCompletion(connector);
      // A step canceled before the trigger must not start a sync.
      signal?.throwIfAborted();
      await saveProgress({ phase: "triggering", connectorId, baseline, requestedAt: now().toISOString() });
      current = false;
      try {
        await client.triggerSync(connectorId, { force: forceSync });
      } catch (error) {
        // A timeout or a lost answer may hide a trigger Fivetran accepted: follow the sync it shows rather
        // than fail a step whose sync is running (and whose outcome would then be recorded by no run).
        const seen = await readConnector(connectorId).catch(() => null);
        if (seen === null || !showsSyncSince(seen, baseline)) throw error;
        connector = seen;
        current = true;
        log(`fivetran: the trigger of ${connectorId} failed (${client.redact(error instanceof Error ? error.message : String(error))}), but Fivetran shows a sync since; following it`, "warn");
      }
      triggeredAt = now().toISOString();
      await saveProgress({ phase: "triggered", connectorId, baseline, triggeredAt, retriggeredFor: null, retriggeredAt: null });
      lastTriggeredAt = triggeredAt;
      log(`fivetran: triggered ${connectorId} (force ${forceSync})`);
    } else {
      baseline = resume.baseline;
      current = true;
      if (resume.phase === "triggering") {
        if (!showsSyncSince(connector, baseline)) {
          const message = `The worker syncing Fivetran connector ${connectorId} stopped before Fivetran confirmed the trigger, and Fivetran shows no sync since ${baseline ?? "the connector was created"}; the sync was not triggered again, to avoid a double sync`;
          log(`fivetran: ${message}`, "warn");
          return outcome("unconfirmed", message, null, null);
        }
        triggeredAt = resume.requestedAt;
        await saveProgress({ phase: "triggered", connectorId, baseline, triggeredAt, retriggeredFor: null, retriggeredAt: null });
        log(`fivetran: following the sync of ${connectorId} that a stopped worker triggered (sync state ${connector.syncState})`);
      } else {
        triggeredAt = resume.triggeredAt;
        retriggeredFor = resume.retriggeredFor;
        log(`fivetran: following the sync of ${connectorId} triggered at ${triggeredAt} by a stopped worker`);
      }
      lastTriggeredAt = resume.phase === "triggered" ? (resume.retriggeredAt ?? triggeredAt) : triggeredAt;
    }

    const deadline = Date.parse(triggeredAt) + pollTimeoutMs;
    let rescheduleRecorded: string | null = null;
    for (;;) {
      if (current) {
        const succeeded = time(connector.succeededAt);
        const failed = time(connector.failedAt);
        if (Math.max(succeeded, failed) > time(baseline)) {
          const status = succeeded >= failed ? "succeeded" : "failed";
          const recorded = completedSyncEvents({ connector, locationName, assetKeys: keys, status, launchedBy: "tributary", triggeredAt: lastTriggeredAt, ...(dashboardUrl !== undefined ? { dashboardUrl } : {}) });
          await events.recordAssetEvents(recorded);
          const completedAt = status === "succeeded" ? connector.succeededAt : connector.failedAt;
          const message =
            status === "succeeded"
              ? `Fivetran synced ${connectorId}: ${keys.length} tables at ${completedAt}`
              : `The Fivetran sync of ${connectorId} failed at ${completedAt} (sync state ${connector.syncState}${connector.tasks.length > 0 ? `; ${connector.tasks.map((t) => t.message ?? t.code).join("; ")}` : ""}); see ${url}/logs`;
          return outcome(status, message, lastTriggeredAt, completedAt);
        }
        if (connector.syncState === "rescheduled") {
          if (rescheduleRecorded !== connector.rescheduledFor) {
            rescheduleRecorded = connector.rescheduledFor;
            const message = `Fivetran rescheduled the sync of ${connectorId} until ${connector.rescheduledFor ?? "later"} (waiting for source API quota)`;
            log(`fivetran: ${message}`, "warn");
            await recordAttemptFailure(connector, "rescheduled", message, lastTriggeredAt, keys);
          }
          // On a manual schedule Fivetran waits for a new trigger once the quota is back: one per reschedule.
          const resumeAt = connector.rescheduledFor === null ? Number.NaN : Date.parse(connector.rescheduledFor) + rescheduleGraceMs;
          if (connector.scheduleType === "manual" && now().getTime() >= resumeAt && retriggeredFor !== connector.rescheduledFor) {
            retriggeredFor = connector.rescheduledFor;
            await saveProgress({ phase: "triggered", connectorId, baseline, triggeredAt, retriggeredFor, retriggeredAt: null });
            await client.triggerSync(connectorId, { force: false });
            lastTriggeredAt = now().toISOString();
            await saveProgress({ phase: "triggered", connectorId, baseline, triggeredAt, retriggeredFor, retriggeredAt: lastTriggeredAt });
            log(`fivetran: triggered ${connectorId} again after its reschedule`);
          }
        }
      }
      if (now().getTime() >= deadline) {
        const rescheduled = connector.syncState === "rescheduled";
        const status: SyncStatus = rescheduled ? "rescheduled" : "timed_out";
        const message = rescheduled
          ? `Fivetran rescheduled the sync of ${connectorId} until ${connector.rescheduledFor ?? "later"} (source quota); gave up after ${Math.round(pollTimeoutMs / 1000)} s`
          : `The sync of Fivetran connector ${connectorId} did not complete within ${Math.round(pollTimeoutMs / 1000)} s (sync state ${connector.syncState})`;
        await recordAttemptFailure(connector, status, message, lastTriggeredAt, keys);
        return outcome(status, message, lastTriggeredAt, null);
      }
      await sleep(Math.min(pollIntervalMs, Math.max(0, deadline - now().getTime())), signal);
      connector = await readConnector(connectorId);
      current = true;
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

/** What a sync came to, as a run step's outcome: only `succeeded` succeeds; the rest fail every target. */
export function fivetranStepOutcome(sync: SyncOutcome, targets: readonly StepTarget[]): StepOutcome {
  const toolRunId = sync.completedAt === null ? null : `${sync.connectorId}@${new Date(sync.completedAt).toISOString()}`;
  return {
    status: sync.status === "succeeded" ? "succeeded" : "failed",
    message: sync.message,
    failedKeys: sync.status === "succeeded" ? [] : targetKeys(targets),
    skippedKeys: [],
    toolRunId,
    url: sync.url,
  };
}

export interface FivetranStepLauncherOptions extends Omit<FivetranLauncherOptions, "events" | "log"> {
  /** How many connectors may sync at once on the whole cluster (default 4). */
  readonly concurrency?: number;
}

/**
 * The account's {@link Launcher} for the runs engine: one step per connector (batch "target", the step's
 * runTargetId is the connector id). Events and log lines go to the step's reporter; progress is saved around
 * each trigger, and a step taken over after a crash follows its sync instead of triggering it again. A
 * canceled step stops polling; the sync itself goes on in Fivetran (the API cannot cancel a sync) and the
 * observer records its outcome.
 */
export function createFivetranStepLauncher(options: FivetranStepLauncherOptions): Launcher {
  const { concurrency = 4, ...syncOptions } = options;
  return {
    tool: FIVETRAN_TOOL,
    locationName: options.locationName,
    concurrency,
    batch: "target",
    async launch(step) {
      const connectorId = singleTargetId(step, FIVETRAN_TOOL);
      let triggering = step.resume !== null;
      const canceledMessage = () =>
        triggering
          ? `Canceled: stopped following the sync of Fivetran connector ${connectorId}; the sync itself was not canceled in Fivetran and its outcome is recorded when it completes`
          : `Canceled before Fivetran connector ${connectorId} was asked to sync`;
      return settleStep(step, { redact: (text) => options.client.redact(text), canceledMessage }, async (report) => {
        const resume = step.resume === null ? null : parseFivetranProgress(step.resume, connectorId);
        const sync = createFivetranLauncher({
          ...syncOptions,
          events: report,
          log: (message, level = "info") => report.log({ level, message }),
        });
        const outcome = await sync.syncConnector(connectorId, {
          signal: step.signal,
          resume,
          saveProgress: async (progress) => {
            await report.saveProgress(progress);
            triggering = true;
          },
        });
        return fivetranStepOutcome(outcome, step.targets);
      });
    },
  };
}
