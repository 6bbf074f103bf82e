/**
 * Cron ticks as Dagster computes them (dagster/_utils/schedules.py), with croner matching wall-clock times.
 *
 * croner alone is not enough: in a zone with DST it runs a fall-back repeated time at its *first* occurrence,
 * where Dagster runs it at the *second* (`30 2 * * *` in Europe/Copenhagen on a fall-back day: 01:30 UTC, not
 * 00:30). So, as Dagster does with croniter, croner matches *naive* wall-clock times (it runs in UTC, where
 * there is no DST) and each match is mapped to real instants here:
 * - a wall time that exists once is that instant;
 * - a repeated wall time (fall back) is its later occurrence, or both for a cron whose hour field is `*`
 *   (`0 * * * *` ticks every real hour, as in Dagster);
 * - a wall time that does not exist (spring forward) is the end of the gap (the transition instant: 02:30 →
 *   03:00 in Copenhagen), or skipped for a cron whose hour field is `*`.
 * The differential suite (differential/, cronCases) checks these against Dagster's own ticks; cron.test.ts
 * checks them against the zones' own clocks.
 *
 * The latest tick is cached per (schedule, zone) with the interval it stays valid for: evaluating 10k on_cron
 * assets costs one computation per tick, not 10k.
 */
import { Cron } from "croner";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface CachedTick {
  readonly cron: Cron;
  readonly everyHour: boolean;
  /** The latest tick at or before some time, and the next tick after it (null: none). */
  tick: number | null;
  next: number | null;
}

const cache = new Map<string, CachedTick>();

function entry(schedule: string, timezone: string): CachedTick {
  const key = `${schedule}\u0000${timezone}`;
  let found = cache.get(key);
  if (found === undefined) {
    const hourField = schedule.trim().split(/\s+/)[1] ?? "*";
    found = {
      cron: new Cron(schedule, { timezone: "UTC", paused: true, mode: "5-part" }),
      everyHour: hourField === "*" || hourField === "*/1" || hourField === "0-23",
      tick: null,
      next: null,
    };
    if (cache.size > 1000) cache.clear();
    cache.set(key, found);
  }
  return found;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The zone's UTC offset at an instant, in ms (wall clock − UTC). */
function offsetAt(timezone: string, instant: number): number {
  let format = formatters.get(timezone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: timezone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timezone, format);
  }
  const whole = Math.floor(instant / 1000) * 1000;
  const parts: Record<string, number> = {};
  for (const part of format.formatToParts(new Date(whole))) if (part.type !== "literal") parts[part.type] = Number(part.value);
  const wall = Date.UTC(parts["year"]!, parts["month"]! - 1, parts["day"]!, parts["hour"]!, parts["minute"]!, parts["second"]!);
  return wall - whole;
}

/** The wall-clock time of an instant, as epoch ms of the same clock reading in UTC. */
function wallOf(timezone: string, instant: number): number {
  return instant + offsetAt(timezone, instant);
}

/** The real instants a wall-clock match stands for, ascending (see the module comment). */
function instantsOf(timezone: string, wall: number, everyHour: boolean): number[] {
  const offsets = [...new Set([offsetAt(timezone, wall - 14 * HOUR), offsetAt(timezone, wall + 14 * HOUR), offsetAt(timezone, wall)])];
  const valid = [...new Set(offsets.map((o) => wall - o).filter((instant) => offsetAt(timezone, instant) === wall - instant))].sort((a, b) => a - b);
  if (valid.length === 0) {
    if (everyHour) return [];
    // In a spring-forward gap: the end of the gap, which is the hour's start read with the offset before it.
    return [wall - (wall % HOUR) - Math.min(...offsets)];
  }
  if (valid.length > 1 && !everyHour) return [valid[valid.length - 1]!];
  return valid;
}

/** The latest tick of `schedule` in `timezone` at or before `now` (epoch ms), or null when there is none. */
export function latestCronTick(schedule: string, timezone: string, now: number): number | null {
  const cached = entry(schedule, timezone);
  if (cached.tick !== null && cached.tick <= now && (cached.next === null || now < cached.next)) return cached.tick;
  const tick = previousTick(cached, timezone, now);
  cached.tick = tick;
  cached.next = tick === null ? null : nextTick(cached, timezone, tick);
  return tick;
}

/**
 * The latest tick at or before `now`. Around a fall-back change wall-clock order and real order differ by up
 * to an hour, so matches are read from an hour past `now`'s wall time down to two hours below the first fit.
 */
function previousTick(cached: CachedTick, timezone: string, now: number): number | null {
  let before = new Date(wallOf(timezone, now) + HOUR + 1);
  const limit = wallOf(timezone, now) - 400 * DAY;
  let best: number | null = null;
  let stopBelow = -Infinity;
  for (let guard = 0; guard < 10_000; guard++) {
    const match = cached.cron.previousRuns(1, before)[0];
    if (match === undefined || match.getTime() < limit || match.getTime() < stopBelow) break;
    for (const instant of instantsOf(timezone, match.getTime(), cached.everyHour)) {
      if (instant <= now && (best === null || instant > best)) {
        if (best === null) stopBelow = match.getTime() - 2 * HOUR;
        best = instant;
      }
    }
    before = match;
  }
  return best;
}

/** The first tick after `after` (the same window as {@link previousTick}, mirrored). */
function nextTick(cached: CachedTick, timezone: string, after: number): number | null {
  let from = new Date(wallOf(timezone, after) - HOUR - 1);
  const limit = wallOf(timezone, after) + 400 * DAY;
  let best: number | null = null;
  let stopAbove = Infinity;
  for (let guard = 0; guard < 10_000; guard++) {
    const match = cached.cron.nextRun(from);
    if (match === null || match.getTime() > limit || match.getTime() > stopAbove) break;
    for (const instant of instantsOf(timezone, match.getTime(), cached.everyHour)) {
      if (instant > after && (best === null || instant < best)) {
        if (best === null) stopAbove = match.getTime() + 2 * HOUR;
        best = instant;
      }
    }
    from = match;
  }
  return best;
}

/** The first tick of `schedule` in `timezone` after `after` (epoch ms), or null when there is none within 400 days. */
export function nextCronTick(schedule: string, timezone: string, after: number): number | null {
  return nextTick(entry(schedule, timezone), timezone, after);
}

/** The ticks of `schedule` in `timezone` in (from, to], ascending (tests and explanations). */
export function cronTicksBetween(schedule: string, timezone: string, from: number, to: number): number[] {
  const cached = entry(schedule, timezone);
  const ticks: number[] = [];
  let at: number | null = from;
  while (at !== null && ticks.length < 10_000) {
    at = nextTick(cached, timezone, at);
    if (at === null || at > to) break;
    ticks.push(at);
  }
  return ticks;
}
