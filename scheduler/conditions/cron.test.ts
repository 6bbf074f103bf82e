/**
 * Cron ticks across both DST changes in several zones, checked against what the zone's own clock says (Intl),
 * not against written-down instants: a daily time that repeats at fall back ticks once, at its second
 * occurrence; one that does not exist at spring forward ticks at the end of the gap; an hourly cron ticks at
 * every real hour (skipping the missing one, taking both repeated ones). Dagster's own ticks for the same
 * cases are in differential/scenarios.json (cronCases), checked by differential.test.ts.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { cronTicksBetween, latestCronTick } from "./cron.ts";

const HOUR = 3_600_000;

/** The wall clock of `instant` in `zone` as "HH:MM". */
function wall(zone: string, instant: number): string {
  return new Intl.DateTimeFormat("en-GB", { timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date(instant));
}

function offset(zone: string, instant: number): number {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric" }).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute")) - instant;
}

/** The instants (whole hours, UTC) in 2026 at which the zone's offset changes, with the offsets before and after. */
function transitions(zone: string): { at: number; before: number; after: number }[] {
  const found: { at: number; before: number; after: number }[] = [];
  for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2027, 0, 1); t += HOUR) {
    const before = offset(zone, t - 60_000);
    const after = offset(zone, t);
    if (before !== after) found.push({ at: t, before, after });
  }
  return found;
}

const ZONES = ["Europe/Copenhagen", "America/New_York", "Australia/Sydney", "America/Santiago", "Europe/London"];

describe("cron ticks across DST changes", () => {
  for (const zone of ZONES) {
    const changes = transitions(zone);
    test(`${zone}: both changes of 2026 (${changes.length} found)`, () => {
      assert.equal(changes.length, 2, "a DST zone changes twice a year");
      for (const change of changes) {
        const shift = change.after - change.before;
        // The wall-clock hour that repeats (fall back) or is skipped (spring forward).
        const hourStart = change.at + Math.min(change.before, change.after);
        const hh = new Date(hourStart).getUTCHours();
        const daily = `30 ${hh} * * *`;
        const ticks = cronTicksBetween(daily, zone, change.at - 12 * HOUR, change.at + 12 * HOUR);
        assert.equal(ticks.length, 1, `${daily} ticks once on the change day`);
        if (shift < 0) {
          // Fall back: HH:30 happens twice; the tick is the second, after the change.
          assert.equal(wall(zone, ticks[0]!), `${String(hh).padStart(2, "0")}:30`);
          assert.ok(ticks[0]! > change.at, "the second occurrence");
          assert.equal(wall(zone, ticks[0]! - Math.abs(shift)), wall(zone, ticks[0]!), "an hour earlier the clock read the same");
        } else {
          // Spring forward: HH:30 does not exist; the tick is the end of the gap.
          assert.equal(ticks[0], change.at);
        }
        assert.equal(latestCronTick(daily, zone, change.at + 12 * HOUR), ticks[0]);
        assert.equal(latestCronTick(daily, zone, ticks[0]!), ticks[0], "inclusive");
        assert.ok((latestCronTick(daily, zone, ticks[0]! - 1) ?? Infinity) < change.at - 12 * HOUR, "before it: the previous day's");

        const hourly = cronTicksBetween("15 * * * *", zone, change.at - 6 * HOUR, change.at + 6 * HOUR);
        assert.equal(hourly.length, 12, "an hourly cron ticks every real hour");
        for (let i = 1; i < hourly.length; i++) assert.equal(hourly[i]! - hourly[i - 1]!, HOUR);
      }
    });
  }
});
