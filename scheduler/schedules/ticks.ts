/** A schedule's ticks: the next ones, and the one due now after the last it fired. */
import type { ScheduleSpec } from "../../catalog/model/index.ts";
import { cronTicksBetween, latestCronTick, nextCronTick } from "../conditions/index.ts";

/** The next `count` ticks after `after`. */
export function upcomingTicks(spec: Pick<ScheduleSpec, "cron" | "timezone">, after: Date, count: number): Date[] {
  const ticks: Date[] = [];
  let at = after.getTime();
  while (ticks.length < count) {
    const next = nextCronTick(spec.cron, spec.timezone, at);
    if (next === null) break;
    ticks.push(new Date(next));
    at = next;
  }
  return ticks;
}

/** Most earlier ticks counted as missed (a minutely cron after a week down says "10000 or more"). */
export const MISSED_COUNT_CAP = 10_000;

/**
 * The tick to fire at `now`: the latest tick in (`from`, `now`], with the number of earlier ticks in that window
 * (they passed while no daemon ran; they are never fired: a schedule catches up once, never a storm). Null when
 * no tick passed since `from`.
 */
export function dueTick(spec: Pick<ScheduleSpec, "cron" | "timezone">, from: Date, now: Date): { readonly tickAt: Date; readonly missed: number } | null {
  const latest = latestCronTick(spec.cron, spec.timezone, now.getTime());
  if (latest === null || latest <= from.getTime()) return null;
  const missed = cronTicksBetween(spec.cron, spec.timezone, from.getTime(), latest - 1).length;
  return { tickAt: new Date(latest), missed: Math.min(missed, MISSED_COUNT_CAP) };
}
