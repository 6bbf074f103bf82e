/**
 * Freshness targets (issue 19): "this asset must be at most N minutes old", optionally by a cron deadline
 * (Dagster's FreshnessPolicy; declared with `on_freshness` in a condition, catalog/model/condition.ts).
 *
 * - {@link freshnessStatus}: fresh or overdue at a time, from the asset's latest materialization — as Dagster's
 *   current freshness policies judge an asset by its own last materialization (time_window / cron).
 * - {@link freshnessDemand}: once per tick, which assets must be built for the targets to be met: an asset
 *   with a target is *due* when it would be overdue within its lead time (a tenth of the lag, at least 5
 *   minutes, at most the lag); then it and every materializable ancestor not refreshed since the due window
 *   opened — or downstream of one that is not — are needed. The `required_for_freshness` operand
 *   (operands.ts) requests a needed asset only when none of its needed parents is still to be built (unless
 *   it runs in the same run), so the chain runs upstream first: the Fivetran sync, then the dbt models.
 */
import type { FreshnessTarget } from "../../catalog/model/index.ts";
import { cronTicksBetween, latestCronTick } from "./cron.ts";

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** As Dagster's FreshnessState: PASS, FAIL, and UNKNOWN for an asset never materialized (no WARN window here). */
export type FreshnessState = "fresh" | "overdue" | "unknown";

export interface FreshnessStatus {
  readonly state: FreshnessState;
  /** Minutes since the latest materialization (null: never materialized). */
  readonly lagMinutes: number | null;
  /** When it becomes overdue unless materialized again (null: it already is, or no deadline is ahead). */
  readonly overdueAt: number | null;
  /** Since when it is overdue (null: fresh). */
  readonly overdueSince: number | null;
  /** Why, in words. */
  readonly reason: string;
}

/** The next cron tick strictly after `now` (within 366 days), or null. */
function nextCronTick(schedule: string, timezone: string, now: number): number | null {
  for (const days of [2, 32, 366]) {
    const [next] = cronTicksBetween(schedule, timezone, now, now + days * DAY);
    if (next !== undefined) return next;
  }
  return null;
}

/** Whether the asset meets its target at `now`, given its latest materialization (epoch ms, null: never). */
export function freshnessStatus(target: FreshnessTarget, lastMaterialized: number | null, now: number): FreshnessStatus {
  const lag = target.maximumLagMinutes * MINUTE;
  const lagMinutes = lastMaterialized === null ? null : Math.max(0, Math.round((now - lastMaterialized) / MINUTE));
  // As Dagster's evaluators (freshness_evaluator.py): no materialization cannot be judged.
  if (lastMaterialized === null) return { state: "unknown", lagMinutes, overdueAt: null, overdueSince: null, reason: "never materialized: freshness cannot be judged yet" };
  if (target.cron === null) {
    const overdueAt = lastMaterialized + lag;
    // Dagster's time window: FAIL once the age reaches the window.
    return now < overdueAt
      ? { state: "fresh", lagMinutes, overdueAt, overdueSince: null, reason: `materialized ${lagMinutes} min ago, within ${target.maximumLagMinutes} min` }
      : { state: "overdue", lagMinutes, overdueAt: null, overdueSince: overdueAt, reason: `materialized ${lagMinutes} min ago, more than ${target.maximumLagMinutes} min` };
  }
  const deadline = latestCronTick(target.cron, target.timezone, now);
  const next = nextCronTick(target.cron, target.timezone, now);
  const coversNext = next !== null && lastMaterialized >= next - lag;
  if (deadline !== null && lastMaterialized < deadline - lag) {
    return { state: "overdue", lagMinutes, overdueAt: null, overdueSince: deadline, reason: `no materialization in the ${target.maximumLagMinutes} min before the deadline ${new Date(deadline).toISOString()}` };
  }
  return {
    state: "fresh",
    lagMinutes,
    overdueAt: coversNext ? null : next,
    overdueSince: null,
    reason: deadline === null ? "no deadline has passed yet" : `materialized within ${target.maximumLagMinutes} min before the deadline ${new Date(deadline).toISOString()}`,
  };
}

/** How long before a target would be missed its asset is due: a tenth of the lag, at least 5 minutes, at most the lag. */
export function leadTime(target: FreshnessTarget): number {
  const lag = target.maximumLagMinutes * MINUTE;
  return Math.min(lag, Math.max(5 * MINUTE, lag / 10));
}

/**
 * When the asset is due to be built for its target (the due window opened), or null when it is not due at
 * `now`. Data materialized at or after the returned time counts as fresh enough for this round.
 */
export function dueSince(target: FreshnessTarget, lastMaterialized: number | null, now: number): number | null {
  const lag = target.maximumLagMinutes * MINUTE;
  const lead = leadTime(target);
  if (target.cron === null) {
    if (lastMaterialized === null) return now;
    const opens = lastMaterialized + lag - lead;
    return now >= opens ? opens : null;
  }
  const status = freshnessStatus(target, lastMaterialized, now);
  // A deadline already missed: build now.
  if (status.state !== "fresh") return now - lead;
  const next = nextCronTick(target.cron, target.timezone, now);
  if (next === null || (lastMaterialized !== null && lastMaterialized >= next - lag)) return null;
  // Only a materialization after next − lag counts for the next deadline.
  const opens = Math.max(next - lag, next - lead);
  return now >= opens ? next - lag : null;
}

/**
 * Which assets must be built this tick for the targets, by index: `targets[i]` the asset's target (or null),
 * `deps[i]` its parents, `order` parents first, `lastMaterialized[i]` epoch ms or null, `materializable[i]`.
 * Returns 1 for a needed asset. An asset is needed when an asset at or downstream of it is due and it was not
 * materialized since the due window opened, or one of its needed parents will bring newer data.
 */
export function freshnessDemand(input: {
  readonly targets: readonly (FreshnessTarget | null)[];
  readonly deps: readonly (readonly number[])[];
  readonly order: readonly number[];
  readonly lastMaterialized: readonly (number | null)[];
  readonly materializable: readonly boolean[];
  readonly now: number;
}): Uint8Array {
  const n = input.targets.length;
  const needed = new Uint8Array(n);
  // The earliest due window that reaches each asset (from itself or a descendant).
  const since = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  let any = false;
  for (let i = 0; i < n; i++) {
    const target = input.targets[i];
    if (!target) continue;
    const due = dueSince(target, input.lastMaterialized[i] ?? null, input.now);
    if (due === null) continue;
    any = true;
    // Every ancestor of a due asset is reached by its window.
    const stack = [i];
    while (stack.length > 0) {
      const a = stack.pop()!;
      if (since[a]! <= due) continue;
      since[a] = due;
      for (const d of input.deps[a]!) stack.push(d);
    }
  }
  if (!any) return needed;
  for (const i of input.order) {
    if (since[i] === Number.POSITIVE_INFINITY || !input.materializable[i]) continue;
    const last = input.lastMaterialized[i] ?? null;
    if (last === null || last < since[i]! || input.deps[i]!.some((d) => needed[d] === 1)) needed[i] = 1;
  }
  return needed;
}
