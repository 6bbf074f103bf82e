/**
 * Runs Census syncs and records what happened (dagster-census's `trigger_sync_and_poll`, without its two
 * pitfalls): trigger (optionally a full sync), then poll `GET /sync_runs/{id}` on the run's own
 * `data.status` — never the envelope's — until it is `completed`, `failed` or `skipped` (or `canceled`).
 * A completed run is a materialization carrying the record counts; a failed one is a failure carrying
 * Census's error message (never a materialization). The poll timeout is checked before every wait, so it
 * really ends a run that is still going; the run's later outcome is still recorded by the observer (same
 * dedupe key). Clock and sleep are injected.
 */
import type { AssetEventInput, AssetEventSink } from "../../catalog/model/events.ts";
import type { AssetKey } from "../../catalog/model/index.ts";
import { abortableSleep } from "../shared/poll.ts";
import type { CensusClient } from "./client.ts";
import type { CensusSync, CensusSyncRun } from "./schemas.ts";
import { CENSUS_TOOL, syncAssetKey, syncName } from "./translator.ts";

export type CensusRunStatus = "completed" | "failed" | "skipped" | "canceled" | "timed_out" | "refused";

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
    metadata: {
      "census/sync_id": sync.id,
      "census/sync_run_id": run.id,
      "census/status": status,
      "census/full_sync": run.full_sync ?? null,
      "census/started_at": run.created_at,
      "census/completed_at": run.completed_at,
      "census/source_record_count": run.source_record_count ?? null,
      "census/records_processed": run.records_processed ?? null,
      "census/records_updated": run.records_updated ?? null,
      "census/records_failed": run.records_failed ?? null,
      "census/records_invalid": run.records_invalid ?? null,
      "census/launched_by": input.launchedBy,
      "census/trigger": run.sync_trigger_reason?.ui_tag ?? null,
      ...(succeeded ? {} : { "census/error_code": run.error_code, "census/error_message": run.error_message ?? `Census run ${run.id} ${status}`, "census/error_detail": run.error_detail }),
    },
  };
}

export interface CensusLauncherOptions {
  readonly client: CensusClient;
  readonly locationName: string;
  readonly events: AssetEventSink;
  readonly forceFullSync?: boolean;
  /** Default 10 s (dagster's). */
  readonly pollIntervalMs?: number;
  /** Default 1 h. */
  readonly pollTimeoutMs?: number;
  readonly now?: () => Date;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly log?: (message: string) => void;
}

export interface CensusLauncher {
  /** Triggers one sync, polls its run, records the outcome. Never throws for Census's answers; see `status`. */
  syncAndPoll(syncId: string, options?: { readonly forceFullSync?: boolean; readonly signal?: AbortSignal }): Promise<CensusSyncOutcome>;
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
        metadata: { "census/sync_id": sync.id, "census/sync_run_id": syncRunId, "census/status": status, "census/error_message": message, "census/launched_by": "tributary" },
      },
    ]);
  }

  async function syncAndPoll(syncId: string, runOptions: { readonly forceFullSync?: boolean; readonly signal?: AbortSignal } = {}): Promise<CensusSyncOutcome> {
    const sync = await client.getSync(syncId);
    const assetKey = syncAssetKey(sync);
    const name = syncName(sync);
    if (sync.paused) {
      const message = `Census sync ${syncId} (${name}) is paused; resume it in Census to run it`;
      await attemptFailure(sync, "refused", message, now().toISOString(), null);
      return { syncId, status: "refused", message, syncRunId: null, assetKey, run: null };
    }
    const full = runOptions.forceFullSync ?? options.forceFullSync ?? false;
    const syncRunId = await client.triggerSync(syncId, { forceFullSync: full });
    log(`census: triggered sync ${syncId} (${name}), run ${syncRunId}${full ? " (full sync)" : ""}`);
    const deadline = now().getTime() + pollTimeoutMs;
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
      await sleep(Math.min(pollIntervalMs, left), runOptions.signal);
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
