/**
 * Runs Census syncs and records what happened (dagster-census's `trigger_sync_and_poll`, without its two
 * pitfalls): trigger (optionally a full sync), then poll `GET /sync_runs/{id}` on the run's own
 * `data.status` — never the envelope's — until it is `completed`, `failed` or `skipped` (or `canceled`).
 * A completed run is a materialization carrying the record counts; a failed one is a failure carrying
 * Census's error message (never a materialization). The poll timeout is checked before every wait, so it
 * really ends a run that is still going; the run's later outcome is still recorded by the observer (same
 * dedupe key). Clock and sleep are injected.
 *
 * Exactly one trigger, across crashes (the runs engine's step progress, catalog/model/runs.ts): before the
 * trigger the launcher saves `{phase: "triggering", startedAt, previousRunId}` — the newest run of the sync
 * before it — and after it `{phase: "triggered", syncRunId}`. A worker taking the step over never triggers:
 * it polls the saved run; or, from "triggering" (the POST may or may not have reached Census), it follows the
 * first run newer than `previousRunId` and fails the step when there is none. Runs are matched by Census's
 * own order, not by comparing Census's `created_at` with our clock, which could be skewed.
 */
import { censusRunEventState } from "./tool-state.ts";
import { z } from "zod";
import type { AssetEventInput, AssetKey, Launcher, StepOutcome, StepTarget } from "../../catalog/model/index.ts";
import { abortableSleep, settleStep, singleTargetId, targetKeys } from "../shared/index.ts";
import type { EventRecorder, LaunchLog } from "../shared/index.ts";
import type { CensusClient } from "./client.ts";
import type { CensusSync, CensusSyncRun } from "./schemas.ts";
import { CENSUS_TOOL, syncAssetKey, syncName, syncUrl } from "./translator.ts";

/**
 * `unconfirmed`: a worker taking over found the trigger unconfirmed (it stopped between saving "triggering"
 * and saving "triggered") and no run since, so it did not trigger again.
 */
export type CensusRunStatus = "completed" | "failed" | "skipped" | "canceled" | "timed_out" | "refused" | "unconfirmed";

export interface CensusSyncOutcome {
  readonly syncId: string;
  readonly status: CensusRunStatus;
  readonly message: string;
  readonly syncRunId: string | null;
  readonly assetKey: AssetKey | null;
  readonly run: CensusSyncRun | null;
}

/** Terminal run statuses; `queued`, `working` and unknown values are in progress (deprecated ones map to them). */
const TERMINAL = new Set(["completed", "failed", "skipped"]);

export function isTerminalRun(run: Pick<CensusSyncRun, "status" | "canceled">): boolean {
  return run.canceled === true || TERMINAL.has(run.status.toLowerCase());
}

/** The dedupe key of a run: the launcher and the observer derive the same one. */
export function runDedupeKey(syncId: string, syncRunId: string): string {
  return `census:${syncId}:run:${syncRunId}`;
}

/** The event of a terminal run; null for `skipped` (nothing was attempted). */
export function runEvent(input: {
  readonly sync: Pick<CensusSync, "id" | "label" | "resource_identifier">;
  readonly run: CensusSyncRun;
  readonly locationName: string;
  readonly launchedBy: "tributary" | "census";
}): AssetEventInput | null {
  const { sync, run } = input;
  const status = run.canceled === true ? "canceled" : run.status.toLowerCase();
  if (status === "skipped") return null;
  const succeeded = status === "completed";
  return {
    assetKey: syncAssetKey(sync),
    kind: succeeded ? "materialization" : "materialization_failure",
    tool: CENSUS_TOOL,
    locationName: input.locationName,
    runId: run.id,
    occurredAt: run.completed_at ?? run.updated_at ?? run.created_at,
    dedupeKey: runDedupeKey(sync.id, run.id),
    metadata: censusRunEventState.write({
      sync_id: sync.id,
      sync_run_id: run.id,
      status: status,
      full_sync: run.full_sync ?? null,
      started_at: run.created_at,
      completed_at: run.completed_at,
      source_record_count: run.source_record_count ?? null,
      records_processed: run.records_processed ?? null,
      records_updated: run.records_updated ?? null,
      records_failed: run.records_failed ?? null,
      records_invalid: run.records_invalid ?? null,
      launched_by: input.launchedBy,
      trigger: run.sync_trigger_reason?.ui_tag ?? null,
      ...(succeeded ? {} : { error_code: run.error_code, error_message: run.error_message ?? `Census run ${run.id} ${status}`, error_detail: run.error_detail }),
    }),
  };
}

export interface CensusLauncherOptions {
  readonly client: CensusClient;
  readonly locationName: string;
  /** Where events go: the store (an AssetEventSink), or a run step's reporter. */
  readonly events: EventRecorder;
  readonly forceFullSync?: boolean;
  /** Default 10 s (dagster's). */
  readonly pollIntervalMs?: number;
  /** Default 1 h. */
  readonly pollTimeoutMs?: number;
  readonly now?: () => Date;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly log?: LaunchLog;
}

/** What a sync saves so that a worker taking over its step follows its run. JSON only (it is stored as such). */
export type CensusSyncProgress =
  | {
      readonly phase: "triggering";
      readonly syncId: string;
      /** When the trigger was about to be sent (our clock; for people). */
      readonly startedAt: string;
      /** The sync's newest run before the trigger (null: it had none): the trigger's run is newer. */
      readonly previousRunId: string | null;
    }
  | {
      readonly phase: "triggered";
      readonly syncId: string;
      readonly syncRunId: string;
      /** When Census answered the trigger (our clock); polling ends `pollTimeoutMs` after it. */
      readonly triggeredAt: string;
    };

const progressSchema = z.discriminatedUnion("phase", [
  z.object({ phase: z.literal("triggering"), syncId: z.string(), startedAt: z.string(), previousRunId: z.string().nullable() }),
  z.object({ phase: z.literal("triggered"), syncId: z.string(), syncRunId: z.string(), triggeredAt: z.string() }),
]);

/** Reads a step's saved progress. Progress it cannot read throws: guessing could trigger a second run. */
export function parseCensusProgress(progress: Readonly<Record<string, unknown>>, syncId: string): CensusSyncProgress {
  const parsed = progressSchema.safeParse(progress);
  if (!parsed.success) throw new Error(`cannot follow the saved progress of Census sync ${syncId}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  if (parsed.data.syncId !== syncId) throw new Error(`the saved progress is for Census sync ${parsed.data.syncId}, not ${syncId}`);
  return parsed.data;
}

/** How one sync is run: full or not, canceled by a signal, resumed from and saving step progress. */
export interface CensusSyncRunOptions {
  readonly forceFullSync?: boolean;
  readonly signal?: AbortSignal;
  /** Progress an earlier attempt saved: follow the run it names; the sync is never triggered again. */
  readonly resume?: CensusSyncProgress | null;
  /** Saves progress durably; called before and after the trigger. Its errors stop the sync at once. */
  readonly saveProgress?: (progress: CensusSyncProgress) => Promise<void>;
}

export interface CensusLauncher {
  /** Triggers one sync, polls its run, records the outcome. Never throws for Census's answers; see `status`. */
  syncAndPoll(syncId: string, options?: CensusSyncRunOptions): Promise<CensusSyncOutcome>;
  /** Syncs each requested sync (the catalog's `materializer.runTargetId`) once, concurrently. */
  launch(requests: readonly { readonly assetKey: AssetKey; readonly syncId: string }[], options?: { readonly signal?: AbortSignal }): Promise<CensusSyncOutcome[]>;
}

export function createCensusLauncher(options: CensusLauncherOptions): CensusLauncher {
  const { client, locationName, events, pollIntervalMs = 10_000, pollTimeoutMs = 3_600_000, now = () => new Date(), sleep = abortableSleep, log = () => {} } = options;

  async function attemptFailure(sync: CensusSync, status: "refused" | "timed_out", message: string, at: string, syncRunId: string | null): Promise<void> {
    await events.recordAssetEvents([
      {
        assetKey: syncAssetKey(sync),
        kind: "materialization_failure",
        tool: CENSUS_TOOL,
        locationName,
        runId: syncRunId,
        occurredAt: at,
        dedupeKey: `census:${sync.id}:${status}:${syncRunId ?? at}`,
        metadata: censusRunEventState.write({ sync_id: sync.id, sync_run_id: syncRunId, status, error_message: message, launched_by: "tributary" }),
      },
    ]);
  }

  /** The first run of the sync newer than `previousRunId` (Census lists runs newest first), or null. */
  async function runSince(syncId: string, previousRunId: string | null): Promise<CensusSyncRun | null> {
    const runs = await client.latestSyncRuns(syncId, 25);
    const cut = previousRunId === null ? -1 : runs.findIndex((run) => run.id === previousRunId);
    // Not on the page: every run shown is newer (or the old run was deleted); following one starts nothing.
    return (cut === -1 ? runs : runs.slice(0, cut)).at(-1) ?? null;
  }

  async function syncAndPoll(syncId: string, runOptions: CensusSyncRunOptions = {}): Promise<CensusSyncOutcome> {
    const { signal, resume = null, saveProgress = async () => {} } = runOptions;
    if (resume !== null && resume.syncId !== syncId) throw new Error(`the saved progress is for Census sync ${resume.syncId}, not ${syncId}`);
    const sync = await client.getSync(syncId);
    const assetKey = syncAssetKey(sync);
    const name = syncName(sync);
    let syncRunId: string;
    /** The trigger's time: the poll timeout counts from it, also for a worker taking over. */
    let triggeredAt: string;
    if (resume === null) {
      if (sync.paused) {
        const message = `Census sync ${syncId} (${name}) is paused; resume it in Census to run it`;
        await attemptFailure(sync, "refused", message, now().toISOString(), null);
        return { syncId, status: "refused", message, syncRunId: null, assetKey, run: null };
      }
      const full = runOptions.forceFullSync ?? options.forceFullSync ?? false;
      const previousRunId = (await client.latestSyncRuns(syncId, 1))[0]?.id ?? null;
      // A step canceled before the trigger must not start a run.
      signal?.throwIfAborted();
      await saveProgress({ phase: "triggering", syncId, startedAt: now().toISOString(), previousRunId });
      try {
        syncRunId = await client.triggerSync(syncId, { forceFullSync: full });
      } catch (error) {
        // A timeout or a lost answer may hide a run Census started: follow it rather than fail a step whose
        // run is going (and whose outcome would then be recorded by no run).
        const started = await runSince(syncId, previousRunId).catch(() => null);
        if (started === null) throw error;
        syncRunId = started.id;
        log(`census: the trigger of sync ${syncId} failed (${client.redact(error instanceof Error ? error.message : String(error))}), but Census shows run ${syncRunId} since; following it`, "warn");
      }
      triggeredAt = now().toISOString();
      await saveProgress({ phase: "triggered", syncId, syncRunId, triggeredAt });
      log(`census: triggered sync ${syncId} (${name}), run ${syncRunId}${full ? " (full sync)" : ""}`);
    } else if (resume.phase === "triggered") {
      syncRunId = resume.syncRunId;
      triggeredAt = resume.triggeredAt;
      log(`census: following run ${syncRunId} of sync ${syncId} (${name}), triggered by a stopped worker`);
    } else {
      const started = await runSince(syncId, resume.previousRunId);
      if (started === null) {
        const message = `The worker running Census sync ${syncId} (${name}) stopped before Census confirmed the trigger, and Census shows no run since; the sync was not triggered again, to avoid a double sync`;
        log(`census: ${message}`, "warn");
        return { syncId, status: "unconfirmed", message, syncRunId: null, assetKey, run: null };
      }
      syncRunId = started.id;
      triggeredAt = resume.startedAt;
      await saveProgress({ phase: "triggered", syncId, syncRunId, triggeredAt });
      log(`census: following run ${syncRunId} of sync ${syncId} (${name}), which a stopped worker's trigger started`);
    }
    const deadline = Date.parse(triggeredAt) + pollTimeoutMs;
    let run: CensusSyncRun;
    for (;;) {
      run = await client.getSyncRun(syncRunId, syncId);
      if (isTerminalRun(run)) break;
      const left = deadline - now().getTime();
      if (left <= 0) {
        const message = `Census sync ${syncId} (${name}) run ${syncRunId} did not finish within ${Math.round(pollTimeoutMs / 1000)} s (status ${run.status})`;
        await attemptFailure(sync, "timed_out", message, now().toISOString(), syncRunId);
        return { syncId, status: "timed_out", message, syncRunId, assetKey, run };
      }
      await sleep(Math.min(pollIntervalMs, left), signal);
    }
    const event = runEvent({ sync, run, locationName, launchedBy: "tributary" });
    if (event) await events.recordAssetEvents([event]);
    const status: CensusRunStatus = run.canceled === true ? "canceled" : (run.status.toLowerCase() as CensusRunStatus);
    const message =
      status === "completed"
        ? `Census synced ${name}: ${run.records_processed ?? 0} records processed, ${run.records_updated ?? 0} updated, ${run.records_failed ?? 0} failed, ${run.records_invalid ?? 0} invalid`
        : status === "skipped"
          ? `Census skipped run ${syncRunId} of ${name}: an earlier run was still going`
          : `Census sync ${syncId} (${name}) run ${syncRunId} ${status}: ${run.error_message ?? run.error_code ?? "no message"}`;
    return { syncId, status, message, syncRunId, assetKey, run };
  }

  return {
    syncAndPoll,
    async launch(requests, launchOptions = {}) {
      const ids = [...new Set(requests.map((r) => r.syncId))].sort();
      return Promise.all(
        ids.map(async (syncId) => {
          try {
            return await syncAndPoll(syncId, launchOptions);
          } catch (error) {
            const message = client.redact(error instanceof Error ? error.message : String(error));
            return { syncId, status: "failed" as const, message, syncRunId: null, assetKey: requests.find((r) => r.syncId === syncId)?.assetKey ?? null, run: null };
          }
        }),
      );
    },
  };
}

/**
 * What a sync came to, as a run step's outcome: only `completed` succeeds. `skipped` fails: Census skipped
 * the run because an earlier one was still going, so nothing this step asked for was sent — the earlier run
 * read its source before this run's upstream was rebuilt — and a retry (or the next run) sends it.
 */
export function censusStepOutcome(sync: CensusSyncOutcome, targets: readonly StepTarget[], url: string | null): StepOutcome {
  const succeeded = sync.status === "completed";
  const message = sync.status === "skipped" ? `${sync.message}, so this run sent nothing; run it again to send the latest data` : sync.message;
  return { status: succeeded ? "succeeded" : "failed", message, failedKeys: succeeded ? [] : targetKeys(targets), skippedKeys: [], toolRunId: sync.syncRunId, url };
}

export interface CensusStepLauncherOptions extends Omit<CensusLauncherOptions, "events" | "log"> {
  /** How many syncs may run at once on the whole cluster (default 4). */
  readonly concurrency?: number;
  /** Where links to syncs point (default: the API's origin, as the translator's). */
  readonly appUrl?: string;
}

/**
 * The workspace's {@link Launcher} for the runs engine: one step per sync (batch "target", the step's
 * runTargetId is the sync id). Events and log lines go to the step's reporter; progress is saved around the
 * trigger, and a step taken over after a crash follows its run instead of triggering another. A canceled
 * step stops polling; the Census run itself goes on (it is not canceled) and the observer records its outcome.
 */
export function createCensusStepLauncher(options: CensusStepLauncherOptions): Launcher {
  const { concurrency = 4, appUrl, ...syncOptions } = options;
  const links = appUrl ?? new URL(options.client.baseUrl).origin;
  return {
    tool: CENSUS_TOOL,
    locationName: options.locationName,
    concurrency,
    batch: "target",
    async launch(step) {
      const syncId = singleTargetId(step, CENSUS_TOOL);
      let triggering = step.resume !== null;
      const canceledMessage = () =>
        triggering
          ? `Canceled: stopped following Census sync ${syncId}; its run was not canceled in Census and its outcome is recorded when it ends`
          : `Canceled before Census sync ${syncId} was triggered`;
      return settleStep(step, { redact: (text) => options.client.redact(text), canceledMessage }, async (report) => {
        const resume = step.resume === null ? null : parseCensusProgress(step.resume, syncId);
        const sync = createCensusLauncher({ ...syncOptions, events: report, log: (message, level = "info") => report.log({ level, message }) });
        const outcome = await sync.syncAndPoll(syncId, {
          signal: step.signal,
          resume,
          saveProgress: async (progress) => {
            await report.saveProgress(progress);
            triggering = true;
          },
        });
        return censusStepOutcome(outcome, step.targets, syncUrl(links, syncId));
      });
    },
  };
}
