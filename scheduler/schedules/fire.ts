/**
 * Fires the schedules whose tick has come, from the scheduler daemon's tick (the leader's, so one process
 * normally tries; the store's claim makes it once even when two processes both believe they lead, or one
 * restarts mid-way). Per schedule, ONE transaction:
 *
 *   claim (schedule, tick) with a guarded insert → plan the job's assets → reserve the run under
 *   `schedule:<name>:<tick>` and send its first step's job → record the tick's outcome
 *
 * A tick is looked for after the later of the schedule's `since` (first seen, or last started) and the newest
 * tick it claimed, so ticks that passed while no daemon ran are found after a restart: the latest is run once
 * (catch_up: latest) or recorded as skipped (catch_up: none, once it is later than `lateAfterMs`), and the
 * earlier ones are counted, never run.
 */
import type { CatalogStore, RunRecord } from "../../catalog/store/index.ts";
import { scheduleSql } from "../../catalog/store/index.ts";
import type { EngineLogger, RunEngine } from "../runs/index.ts";
import { newRunId } from "../runs/index.ts";
import type { ResolvedJobsAndSchedules } from "./resolve.ts";
import { dueTick } from "./ticks.ts";

export interface FireSchedulesOptions {
  readonly store: CatalogStore;
  readonly engine: RunEngine;
  readonly resolved: ResolvedJobsAndSchedules;
  readonly now: Date;
  /** Names this process in the tick's claim. */
  readonly claimedBy: string;
  /** With catch_up: none, a tick found later than this after its time is skipped, not run. */
  readonly lateAfterMs: number;
  readonly logger: EngineLogger;
}

/** What one schedule did at one tick. */
export interface ScheduleFiring {
  readonly schedule: string;
  readonly tickAt: string;
  readonly status: "launched" | "skipped" | "failed";
  readonly runId: string | null;
  readonly reason: string | null;
  readonly missed: number;
}

/** The idempotency key of a schedule tick's run. */
export function scheduleRunKey(schedule: string, tickAt: Date): string {
  return `schedule:${schedule}:${tickAt.toISOString()}`;
}

/** Fires every due tick of every valid, running schedule; returns what this call claimed (not others' claims). */
export async function fireSchedules(options: FireSchedulesOptions): Promise<ScheduleFiring[]> {
  const { store, engine, resolved, now, logger } = options;
  const valid = resolved.schedules.filter((s) => s.errors.length === 0);
  if (valid.length === 0) return [];
  await scheduleSql.ensureScheduleStates(store.client, valid.map((s) => s.spec.name), now);
  const states = await scheduleSql.scheduleStates(store.client);
  const latest = await scheduleSql.latestScheduleTicks(store.client);
  const firings: ScheduleFiring[] = [];
  for (const { spec } of valid) {
    const state = states.get(spec.name);
    if (!state || (state.status ?? spec.defaultStatus) !== "running") continue;
    const lastTick = latest.get(spec.name)?.tickAt;
    const from = new Date(Math.max(Date.parse(state.since), lastTick ? Date.parse(lastTick) : 0));
    const due = dueTick(spec, from, now);
    if (!due) continue;
    const job = resolved.jobs.get(spec.job)!;
    let created: RunRecord[] = [];
    const firing = await store.client.transaction(async (tx): Promise<ScheduleFiring | null> => {
      const claimed = await scheduleSql.claimScheduleTick(tx, { schedule: spec.name, tickAt: due.tickAt, job: spec.job, claimedBy: options.claimedBy, missed: due.missed, claimedAt: now });
      if (!claimed) return null;
      const base = { schedule: spec.name, tickAt: due.tickAt.toISOString(), missed: due.missed };
      const finish = async (status: ScheduleFiring["status"], runId: string | null, reason: string | null): Promise<ScheduleFiring> => {
        await scheduleSql.finishScheduleTick(tx, spec.name, due.tickAt, { status, runId, reason });
        return { ...base, status, runId, reason };
      };
      const lateMs = now.getTime() - due.tickAt.getTime();
      if (spec.catchUp === "none" && lateMs > options.lateAfterMs) {
        return finish("skipped", null, `found ${Math.round(lateMs / 60_000)} min late, after the scheduler was down (catch_up: none)`);
      }
      const plan = engine.plan(job.assetIds);
      if (plan.steps.length === 0) {
        const why = plan.unlaunchable.slice(0, 3).map((u) => `${u.assetId}: ${u.reason}`).join("; ");
        return finish("skipped", null, `nothing to launch: no selected asset can be materialized by Tributary (${why})`);
      }
      created = await engine.submit(tx, [
        {
          id: newRunId(),
          idempotencyKey: scheduleRunKey(spec.name, due.tickAt),
          launchedBy: { kind: "schedule", schedule: spec.name, job: spec.job, tickAt: due.tickAt.toISOString() },
          steps: plan.steps.map((s) => ({ tool: s.tool, locationName: s.locationName, targets: s.targets, queue: s.queue })),
        },
      ]);
      const runId = created[0]?.id ?? null;
      if (runId === null) return finish("failed", null, "its run's key was taken already");
      return finish("launched", runId, null);
    });
    if (firing === null) continue;
    engine.notify(created);
    firings.push(firing);
    const fields = { schedule: spec.name, job: spec.job, tick: firing.tickAt, runId: firing.runId, missed: firing.missed };
    if (firing.status === "launched") logger.info(fields, "schedule tick launched a run");
    else logger.warn({ ...fields, reason: firing.reason }, `schedule tick ${firing.status}`);
  }
  return firings;
}
