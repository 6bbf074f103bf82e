/**
 * Freshness targets as check results (issue 19, item 3): every asset whose condition declares a target
 * (`on_freshness`) gets a `freshness` check result — pass while fresh, fail once overdue, none while never
 * materialized (unknown) — recorded when its
 * state changes, so the check history shows it and `check_failure` alerts fire on it. Runs beside the
 * scheduler (started and stopped with it, server/wiring.ts); recording is idempotent across processes: each
 * state has one dedupe key (fresh: per materialization; overdue: per time it became overdue).
 */
import type { CatalogGraph } from "../catalog/graph/index.ts";
import type { CheckResultInput } from "../catalog/model/index.ts";
import type { CatalogStore } from "../catalog/store/index.ts";
import type { AutomationState } from "../scheduler/conditions/index.ts";
import { ConditionBuildError, compilePolicy, freshnessStatus } from "../scheduler/conditions/index.ts";
import type { Logger } from "pino";

export const FRESHNESS_CHECK = "freshness";

/** The freshness check results of this moment (one per asset with a target). Pure. */
export function freshnessCheckResults(graph: CatalogGraph, state: AutomationState, now: number): CheckResultInput[] {
  const results: CheckResultInput[] = [];
  for (const asset of graph.assets) {
    if (asset.policy === null) continue;
    let target;
    try {
      target = compilePolicy(asset.policy).freshness;
    } catch (error) {
      if (error instanceof ConditionBuildError) continue;
      throw error;
    }
    if (target === null) continue;
    const materialization = state.assets.get(asset.id)?.latestMaterialization ?? null;
    const status = freshnessStatus(target, materialization?.timestamp ?? null, now);
    // Never materialized: nothing to judge yet (Dagster's UNKNOWN), so no result.
    if (status.state === "unknown") continue;
    const fresh = status.state === "fresh";
    const at = fresh ? (materialization?.timestamp ?? now) : (status.overdueSince ?? now);
    results.push({
      assetKey: asset.key,
      checkName: FRESHNESS_CHECK,
      outcome: fresh ? "pass" : "fail",
      failures: null,
      tool: "tributary",
      locationName: asset.materializer?.locationName ?? asset.locationNames[0] ?? "",
      toolRunId: null,
      occurredAt: new Date(at).toISOString(),
      dedupeKey: fresh ? `fresh@${materialization?.storageId ?? "none"}` : `overdue@${status.overdueSince ?? "never"}`,
      metadata: {
        message: status.reason,
        maximum_lag_minutes: target.maximumLagMinutes,
        ...(target.cron === null ? {} : { cron_schedule: target.cron, cron_timezone: target.timezone }),
        lag_minutes: status.lagMinutes,
      },
    });
  }
  return results;
}

export interface FreshnessRecorder {
  /** Records the current results (new states only); returns how many were new. */
  recordOnce(now?: number): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

export function createFreshnessRecorder(options: {
  readonly store: Pick<CatalogStore, "recordCheckResults">;
  readonly graph: () => CatalogGraph | null;
  readonly state: () => Promise<AutomationState>;
  readonly intervalMs: number;
  readonly logger: Logger;
  readonly now?: () => number;
}): FreshnessRecorder {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = true;
  const clock = options.now ?? Date.now;
  const recordOnce = async (now = clock()): Promise<number> => {
    const graph = options.graph();
    if (graph === null) return 0;
    const results = freshnessCheckResults(graph, await options.state(), now);
    if (results.length === 0) return 0;
    return (await options.store.recordCheckResults(results)).inserted;
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = recordOnce()
        .catch((error: unknown) => options.logger.warn({ component: "freshness", error: error instanceof Error ? error.message : String(error) }, "recording freshness checks failed"))
        .finally(schedule);
    }, options.intervalMs);
    timer.unref();
  };
  return {
    recordOnce,
    start() {
      if (!stopped) return;
      stopped = false;
      schedule();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
