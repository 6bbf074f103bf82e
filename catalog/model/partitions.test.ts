import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { PartitionsDefinition } from "./partitions.ts";
import {
  cadenceOfBatchSize,
  normalizeRanges,
  overlappingPartitions,
  parsePartitionsSpec,
  partitionCalendar,
  partitionStateRuns,
  rangesAdd,
  rangesCount,
  rangesHas,
  rangesRemove,
  windowArgValues,
} from "./partitions.ts";

const at = { file: "models/marts/schema.yml", path: "$.nodes.x.meta.tributary.partitions" };

function def(spec: Record<string, unknown>): PartitionsDefinition {
  const parsed = parsePartitionsSpec(spec, at);
  assert.deepEqual(parsed.errors, []);
  return parsed.definition!;
}

describe("time partitions (Dagster's TimeWindowPartitionsDefinition)", () => {
  test("daily in UTC: keys, indexes, windows, and the count of ended windows", () => {
    const daily = partitionCalendar(def({ type: "daily", start_date: "2024-01-01" }));
    // At noon on Jan 31 the windows of Jan 1 … Jan 30 have ended: 30 partitions.
    assert.equal(daily.count(new Date("2024-01-31T12:00:00Z")), 30);
    // At exactly midnight, Jan 31's window (of Jan 30) has just ended.
    assert.equal(daily.count(new Date("2024-01-31T00:00:00Z")), 30);
    assert.equal(daily.count(new Date("2024-01-30T23:59:59Z")), 29);
    assert.equal(daily.count(new Date("2023-12-01T00:00:00Z")), 0);
    assert.equal(daily.keyAt(0), "2024-01-01");
    assert.equal(daily.keyAt(59), "2024-02-29");
    assert.equal(daily.indexOf("2024-02-29"), 59);
    assert.equal(daily.indexOf("2024-02-30"), null);
    assert.equal(daily.indexOf("2023-12-31"), null);
    assert.equal(daily.indexOf("Jan 5"), null);
    assert.deepEqual(daily.windowAt(0), { key: "2024-01-01", start: "2024-01-01T00:00:00.000Z", end: "2024-01-02T00:00:00.000Z" });
  });

  test("end_offset adds the window in progress; end_date stops the partitions", () => {
    const now = new Date("2024-01-31T12:00:00Z");
    assert.equal(partitionCalendar(def({ type: "daily", start_date: "2024-01-01", end_offset: 1 })).count(now), 31);
    assert.equal(partitionCalendar(def({ type: "daily", start_date: "2024-01-01", end_offset: -2 })).count(now), 28);
    assert.equal(partitionCalendar(def({ type: "daily", start_date: "2024-01-01", end_date: "2024-01-11" })).count(now), 10);
  });

  test("a daily window in Copenhagen follows its clock across the spring DST change (a 23-hour day)", () => {
    const cph = partitionCalendar(def({ type: "daily", start_date: "2024-03-01", timezone: "Europe/Copenhagen" }));
    const index = cph.indexOf("2024-03-31")!;
    assert.equal(index, 30);
    assert.deepEqual(cph.windowAt(index), { key: "2024-03-31", start: "2024-03-30T23:00:00.000Z", end: "2024-03-31T22:00:00.000Z" });
    // At 23:30 UTC on Mar 31 it is 01:30 on Apr 1 in Copenhagen: Mar 31 has ended there.
    assert.equal(cph.count(new Date("2024-03-31T22:30:00Z")), 31);
    assert.equal(cph.count(new Date("2024-03-31T21:30:00Z")), 30);
  });

  test("hourly keys use Dagster's format; offsets move the boundaries", () => {
    const hourly = partitionCalendar(def({ type: "hourly", start_date: "2024-01-01 00:00", minute_offset: 15 }));
    assert.equal(hourly.keyAt(0), "2024-01-01-00:15");
    assert.equal(hourly.keyAt(25), "2024-01-02-01:15");
    assert.equal(hourly.indexOf("2024-01-02-01:15"), 25);
    assert.equal(hourly.indexOf("2024-01-02-01:00"), null);
    const sixToSix = partitionCalendar(def({ type: "daily", start_date: "2024-01-01", hour_offset: 6 }));
    assert.deepEqual(sixToSix.windowAt(0), { key: "2024-01-01", start: "2024-01-01T06:00:00.000Z", end: "2024-01-02T06:00:00.000Z" });
  });

  test("weekly starts on day_offset (0 Sunday); monthly on the first (or day_offset)", () => {
    // 2024-01-01 is a Monday: the first Sunday at or after it is Jan 7.
    const weekly = partitionCalendar(def({ type: "weekly", start_date: "2024-01-01" }));
    assert.equal(weekly.keyAt(0), "2024-01-07");
    const mondays = partitionCalendar(def({ type: "weekly", start_date: "2024-01-01", day_offset: 1 }));
    assert.equal(mondays.keyAt(1), "2024-01-08");
    const monthly = partitionCalendar(def({ type: "monthly", start_date: "2024-01-01" }));
    assert.equal(monthly.count(new Date("2024-04-15T00:00:00Z")), 3);
    assert.deepEqual(monthly.windowAt(1), { key: "2024-02-01", start: "2024-02-01T00:00:00.000Z", end: "2024-03-01T00:00:00.000Z" });
  });

  test("partitions map across partitionings by overlapping windows (daily → monthly and back)", () => {
    const now = new Date("2024-06-01T00:00:00Z");
    const daily = def({ type: "daily", start_date: "2024-01-01" });
    const monthly = def({ type: "monthly", start_date: "2024-01-01" });
    // February's monthly partition covers daily partitions 31 (Feb 1) … 59 (Feb 29).
    const feb = partitionCalendar(monthly).windowAt(1);
    assert.deepEqual(overlappingPartitions(daily, new Date(feb.start), new Date(feb.end), now), { first: 31, last: 59 });
    // Jan 15 … Feb 2 of daily touches January and February.
    const from = partitionCalendar(daily).windowAt(14);
    const to = partitionCalendar(daily).windowAt(32);
    assert.deepEqual(overlappingPartitions(monthly, new Date(from.start), new Date(to.end), now), { first: 0, last: 1 });
    // Nothing of a partitioning that does not exist yet.
    assert.equal(overlappingPartitions(monthly, new Date("2030-01-01T00:00:00Z"), new Date("2030-02-01T00:00:00Z"), now), null);
  });

  test("window arguments: vars (named, as dates or timestamps) and microbatch event times", () => {
    const dates = def({ type: "daily", start_date: "2024-01-01", timezone: "America/New_York", vars: { start: "from_day", end: "to_day", format: "date" } });
    const window = partitionCalendar(dates).windowAt(0);
    assert.deepEqual(windowArgValues(dates, window), {
      vars: { from_day: "2024-01-01", to_day: "2024-01-02" },
      eventTimeStart: "2024-01-01T05:00:00",
      eventTimeEnd: "2024-01-02T05:00:00",
    });
    const stamps = def({ type: "daily", start_date: "2024-01-01", timezone: "America/New_York" });
    assert.deepEqual(windowArgValues(stamps, window).vars, { min_date: "2024-01-01T00:00:00-05:00", max_date: "2024-01-02T00:00:00-05:00" });
    assert.equal(cadenceOfBatchSize("day"), "daily");
    assert.equal(cadenceOfBatchSize("week"), null);
  });

  test("a bad declaration names every field at fault", () => {
    const parsed = parsePartitionsSpec(
      { type: "Daily", start_date: "last tuesday", timezone: "Mars/Olympus", end_offset: 1.5, hour_offset: 24, vars: { start: "min date", end: "max_date", fmt: "x" }, cron: "0 0 * * *" },
      at,
    );
    assert.equal(parsed.definition, null);
    const fields = parsed.errors.map((e) => e.field).sort();
    assert.deepEqual(fields, ["cron", "end_offset", "hour_offset", "start_date", "timezone", "type", "vars.fmt", "vars.start"]);
    assert.match(parsed.errors.find((e) => e.field === "type")!.message, /must be one of hourly, daily, weekly, monthly, yearly, got string "Daily"/);
    assert.match(parsePartitionsSpec("daily", at).errors[0]!.message, /must be a mapping like \{type: daily/);
    assert.match(parsePartitionsSpec({ type: "daily", start_date: "2024-02-01", end_date: "2024-01-01" }, at).errors[0]!.message, /must be after start_date \(2024-02-01\)/);
  });
});

describe("index ranges (the compact partition sets)", () => {
  test("add, remove, count and runs of states", () => {
    let ranges = normalizeRanges([[5, 9], [0, 2], [3, 3]]);
    assert.deepEqual(ranges, [[0, 3], [5, 9]]);
    ranges = rangesAdd(ranges, 4);
    assert.deepEqual(ranges, [[0, 9]]);
    ranges = rangesRemove(ranges, 5);
    assert.deepEqual(ranges, [[0, 4], [6, 9]]);
    assert.equal(rangesHas(ranges, 5), false);
    assert.equal(rangesHas(ranges, 6), true);
    assert.equal(rangesCount(ranges, 8), 7);
    const runs = partitionStateRuns({ materialized: [[0, 9]], failed: [[3, 3]], inProgress: [[9, 11]] }, 12);
    assert.deepEqual(runs, [
      { first: 0, last: 2, state: "materialized" },
      { first: 3, last: 3, state: "failed" },
      { first: 4, last: 8, state: "materialized" },
      { first: 9, last: 11, state: "in_progress" },
    ]);
    assert.deepEqual(partitionStateRuns({ materialized: [], failed: [], inProgress: [] }, 3), [{ first: 0, last: 2, state: "missing" }]);
  });
});
