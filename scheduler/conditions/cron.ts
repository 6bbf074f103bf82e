/**
 * Cron ticks through croner (already a dependency; the loader validates cron strings with it). croner was
 * chosen over node-cron because it computes *previous* runs for a reference date (node-cron only schedules
 * callbacks), takes IANA time zones, and handles DST the way schedulers should: a fixed time that falls in a
 * spring-forward gap runs at the first valid time after it, and a time repeated in the autumn runs once.
 *
 * `previousRuns` costs ~0.3 ms a call, so the latest tick is cached per (schedule, zone) with the interval it
 * stays valid for: evaluating 10k on_cron assets costs one computation per tick, not 10k.
 */
import { Cron } from "croner";

interface CachedTick {
  readonly cron: Cron;
  /** The latest tick at or before some time, and the next tick after it (null: none). */
  tick: number | null;
  next: number | null;
}

const cache = new Map<string, CachedTick>();

function entry(schedule: string, timezone: string): CachedTick {
  const key = `${schedule}\u0000${timezone}`;
  let found = cache.get(key);
  if (found === undefined) {
    found = { cron: new Cron(schedule, { timezone, paused: true, mode: "5-part" }), tick: null, next: null };
    if (cache.size > 1000) cache.clear();
    cache.set(key, found);
  }
  return found;
}

/** The latest tick of `schedule` in `timezone` at or before `now` (epoch ms), or null when there is none. */
export function latestCronTick(schedule: string, timezone: string, now: number): number | null {
  const cached = entry(schedule, timezone);
  if (cached.tick !== null && cached.tick <= now && (cached.next === null || now < cached.next)) return cached.tick;
  // croner includes a run earlier in the same second as the reference, so +1 ms makes `now` itself count.
  const previous = cached.cron.previousRuns(1, new Date(now + 1))[0];
  if (previous === undefined) return null;
  cached.tick = previous.getTime();
  cached.next = cached.cron.nextRun(previous)?.getTime() ?? null;
  return cached.tick;
}
