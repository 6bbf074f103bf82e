/**
 * Time partitions: what a partitioned asset's partitions are, the window each covers, and where a user
 * declares them. Pure (luxon does the calendar arithmetic in the partitions' time zone).
 *
 * Semantics follow Dagster's TimeWindowPartitionsDefinition (DailyPartitionsDefinition and its siblings):
 * - a partition is a window [start, end) of the calendar in the definition's time zone; its key is the start's
 *   wall time formatted `yyyy-MM-dd` (daily, weekly, monthly, yearly) or `yyyy-MM-dd-HH:mm` (hourly), Dagster's
 *   default formats, so keys sort as their windows do;
 * - partitions start at `start_date` (rounded up to the first boundary at or after it: the offsets move the
 *   boundaries, e.g. `hour_offset: 6` makes days run 06:00 → 06:00) and exist while their window has ended by
 *   now; `end_offset: 1` adds the window in progress (as Dagster's end_offset), a negative one drops ended ones;
 * - `end_date` (exclusive) stops them.
 *
 * Declared in dbt YAML under `meta.tributary.partitions` (see {@link parsePartitionsSpec}), or derived from a
 * dbt microbatch model's `event_time`, `batch_size` and `begin` (connectors/dbt).
 */
import { DateTime } from "luxon";
import { describeYamlValue, isPlainObject, isValidTimezone } from "./condition.ts";
import type { SourceLocation } from "./index.ts";

export type PartitionCadence = "hourly" | "daily" | "weekly" | "monthly" | "yearly";

export const PARTITION_CADENCES: readonly PartitionCadence[] = ["hourly", "daily", "weekly", "monthly", "yearly"];

/** How one dbt invocation is told its partition's window. */
export type PartitionWindowArgs =
  /** dbt microbatch: `--event-time-start <start> --event-time-end <end>` (UTC timestamps). */
  | { readonly kind: "event_time" }
  /**
   * `--vars '{"<startVar>": …, "<endVar>": …}'`, as dagster-dbt users pass `context.partition_time_window`
   * (its docs name them min_date and max_date). `format`: "date" (`2024-01-31`, the window's wall dates) or
   * "timestamp" (ISO 8601 with the zone's offset, what Python's `isoformat()` gives dagster-dbt users).
   */
  | { readonly kind: "vars"; readonly startVar: string; readonly endVar: string; readonly format: "date" | "timestamp" };

/** A time-partitioned asset's partitions. Plain data (stored in snapshots). */
export interface TimePartitionsDefinition {
  readonly kind: "time";
  readonly cadence: PartitionCadence;
  /** The first partition's start, wall time in `timezone`, `yyyy-MM-ddTHH:mm:ss`. */
  readonly start: string;
  /** Where partitions stop (exclusive), wall time in `timezone`; null: none. */
  readonly end: string | null;
  /** IANA zone the windows follow (DST included). */
  readonly timezone: string;
  readonly endOffset: number;
  readonly minuteOffset: number;
  readonly hourOffset: number;
  /** Weekly: the day a week starts (0 Sunday … 6 Saturday, Dagster's); monthly: the day of the month (1–28). */
  readonly dayOffset: number;
  readonly windowArgs: PartitionWindowArgs;
  /** Where the definition comes from. */
  readonly source: "tributary_meta" | "dbt_microbatch";
  /** For a microbatch model: the event-time column and dbt's lookback (shown; dbt applies it). */
  readonly microbatch?: { readonly eventTime: string; readonly lookback: number } | null;
  readonly declaredIn: SourceLocation;
}

export type PartitionsDefinition = TimePartitionsDefinition;

/** One partition's window: instants, ISO 8601 UTC. */
export interface PartitionWindow {
  readonly key: string;
  readonly start: string;
  readonly end: string;
}

/**
 * The identity of a definition's partition indexes: two definitions with the same fingerprint number the same
 * windows alike (end and end_offset only add or drop partitions at the end, and do not change it).
 */
export function partitionsFingerprint(def: PartitionsDefinition): string {
  let found = fingerprints.get(def);
  if (found === undefined) fingerprints.set(def, (found = [def.cadence, def.start, def.timezone, def.minuteOffset, def.hourOffset, def.dayOffset].join("|")));
  return found;
}

const fingerprints = new WeakMap<PartitionsDefinition, string>();

/** A readable summary: `daily from 2024-01-01 (UTC)`. */
export function describePartitions(def: PartitionsDefinition): string {
  const day = (wall: string) => (def.cadence === "hourly" ? wall.slice(0, 16).replace("T", " ") : wall.slice(0, 10));
  return `${def.cadence} from ${day(def.start)}${def.end ? ` to ${day(def.end)}` : ""} (${def.timezone})`;
}

const DATE_FORMAT = "yyyy-MM-dd";
const HOURLY_FORMAT = "yyyy-MM-dd-HH:mm";

function keyFormat(def: PartitionsDefinition): string {
  return def.cadence === "hourly" ? HOURLY_FORMAT : DATE_FORMAT;
}

function step(def: PartitionsDefinition, count: number): Record<string, number> {
  switch (def.cadence) {
    case "hourly":
      return { hours: count };
    case "daily":
      return { days: count };
    case "weekly":
      return { weeks: count };
    case "monthly":
      return { months: count };
    case "yearly":
      return { years: count };
  }
}

/**
 * The arithmetic of one definition, with the first boundary computed once. Cached per definition object, so
 * that a tick over 10k assets sharing a handful of definitions does the calendar work a handful of times.
 */
export interface PartitionCalendar {
  readonly def: PartitionsDefinition;
  /** How many partitions exist at `now` (0 before the first window ends). */
  count(now: Date): number;
  /** The key of the i-th partition (0 the first). */
  keyAt(index: number): string;
  /** The index of a key, or null when it is no partition's key (wrong format, between boundaries, before start). */
  indexOf(key: string): number | null;
  /** The window of the i-th partition. */
  windowAt(index: number): PartitionWindow;
  /** The index of the partition whose window holds the instant (may be negative or beyond the count). */
  indexAt(instant: Date): number;
}

const calendars = new WeakMap<PartitionsDefinition, PartitionCalendar>();

export function partitionCalendar(def: PartitionsDefinition): PartitionCalendar {
  let found = calendars.get(def);
  if (!found) {
    found = createCalendar(def);
    calendars.set(def, found);
  }
  return found;
}

function createCalendar(def: PartitionsDefinition): PartitionCalendar {
  const zone = def.timezone;
  const format = keyFormat(def);
  const first = firstBoundary(def);
  const firstMs = first.toMillis();
  const endMs = def.end === null ? null : alignUp(def, DateTime.fromISO(def.end, { zone })).toMillis();
  const boundary = (i: number): DateTime => first.plus(step(def, i));
  /** Rough index of an instant, corrected by at most a step or two either way. */
  const indexAt = (ms: number): number => {
    const approx = Math.floor(DateTime.fromMillis(ms, { zone }).diff(first, unitOf(def)).as(unitOf(def)));
    let i = approx;
    while (boundary(i).toMillis() > ms) i -= 1;
    while (boundary(i + 1).toMillis() <= ms) i += 1;
    return i;
  };
  const endCount = endMs === null ? Number.POSITIVE_INFINITY : Math.max(0, indexAt(endMs - 1) + 1);
  let lastNow = Number.NaN;
  let lastCount = 0;
  const keys = new Map<number, string>();
  return {
    def,
    count(now) {
      const ms = now.getTime();
      if (ms === lastNow) return lastCount;
      // Partitions whose window has ended by now: those before the one now falls in.
      const ended = ms < firstMs ? 0 : indexAt(ms);
      lastNow = ms;
      lastCount = Math.max(0, Math.min(endCount, ended + def.endOffset));
      return lastCount;
    },
    keyAt(index) {
      // Memoized: an evaluation names the same few partitions (the latest, a range's ends) over and over.
      let key = keys.get(index);
      if (key === undefined) {
        if (keys.size >= 4096) keys.clear();
        keys.set(index, (key = boundary(index).toFormat(format)));
      }
      return key;
    },
    indexOf(key) {
      const at = DateTime.fromFormat(key, format, { zone });
      if (!at.isValid) return null;
      const index = indexAt(at.toMillis());
      return index >= 0 && boundary(index).toFormat(format) === key ? index : null;
    },
    windowAt(index) {
      const start = boundary(index);
      return { key: start.toFormat(format), start: start.toUTC().toISO()!, end: boundary(index + 1).toUTC().toISO()! };
    },
    indexAt: (instant) => indexAt(instant.getTime()),
  };
}

function unitOf(def: PartitionsDefinition): "hours" | "days" | "weeks" | "months" | "years" {
  return def.cadence === "hourly" ? "hours" : def.cadence === "daily" ? "days" : def.cadence === "weekly" ? "weeks" : def.cadence === "monthly" ? "months" : "years";
}

/** The first boundary at or after `at` (the offsets place boundaries within the hour, day, week or month). */
function alignUp(def: PartitionsDefinition, at: DateTime): DateTime {
  let candidate: DateTime;
  switch (def.cadence) {
    case "hourly":
      candidate = at.startOf("hour").set({ minute: def.minuteOffset });
      break;
    case "daily":
      candidate = at.startOf("day").set({ hour: def.hourOffset, minute: def.minuteOffset });
      break;
    case "weekly": {
      // luxon weekdays run 1 (Monday) … 7 (Sunday); Dagster's day_offset 0 (Sunday) … 6 (Saturday).
      const back = (at.weekday - (def.dayOffset === 0 ? 7 : def.dayOffset) + 7) % 7;
      candidate = at.startOf("day").minus({ days: back }).set({ hour: def.hourOffset, minute: def.minuteOffset });
      break;
    }
    case "monthly":
      candidate = at.startOf("month").set({ day: Math.max(1, def.dayOffset), hour: def.hourOffset, minute: def.minuteOffset });
      break;
    case "yearly":
      candidate = at.startOf("year").set({ hour: def.hourOffset, minute: def.minuteOffset });
      break;
  }
  while (candidate.toMillis() < at.toMillis()) candidate = candidate.plus(step(def, 1));
  return candidate;
}

function firstBoundary(def: PartitionsDefinition): DateTime {
  return alignUp(def, DateTime.fromISO(def.start, { zone: def.timezone }));
}

/**
 * The partitions of `def` whose windows overlap [start, end): how a backfill maps a range of one partitioning
 * onto another (a month of daily partitions is one monthly partition; a monthly partition covers ~30 daily
 * ones), as Dagster's TimeWindowPartitionMapping does. Inclusive index range, clipped to what exists at `now`;
 * null when none does.
 */
export function overlappingPartitions(def: PartitionsDefinition, start: Date, end: Date, now: Date): { readonly first: number; readonly last: number } | null {
  const calendar = partitionCalendar(def);
  const count = calendar.count(now);
  const first = Math.max(0, calendar.indexAt(start));
  const last = Math.min(count - 1, calendar.indexAt(new Date(end.getTime() - 1)));
  return first > last ? null : { first, last };
}

// ---------------------------------------------------------------------------------------------------------
// Parsing `meta.tributary.partitions`

/** The result of parsing a partitions declaration: a definition, or every problem found, each naming its field. */
export interface PartitionsParseResult {
  readonly definition: PartitionsDefinition | null;
  readonly errors: readonly { readonly field: string; readonly message: string }[];
}

const SPEC_KEYS = ["type", "start_date", "end_date", "timezone", "end_offset", "minute_offset", "hour_offset", "day_offset", "vars"] as const;

/** The var names dagster-dbt's docs use for a partition's window (`--vars '{"min_date": …, "max_date": …}'`). */
export const DEFAULT_WINDOW_VARS = { startVar: "min_date", endVar: "max_date" } as const;

/**
 * Parses `meta.tributary.partitions`, shaped like Dagster's partitions constructors:
 * `{type: daily, start_date: "2024-01-01", end_date?, timezone?: UTC, end_offset?: 0, hour_offset?, minute_offset?,
 * day_offset?, vars?: {start: min_date, end: max_date, format: date | timestamp}}`.
 */
export function parsePartitionsSpec(value: unknown, declaredIn: SourceLocation): PartitionsParseResult {
  const errors: { field: string; message: string }[] = [];
  const fail = (field: string, message: string) => errors.push({ field, message });
  if (!isPlainObject(value)) {
    fail("partitions", `must be a mapping like {type: daily, start_date: "2024-01-01"}, got ${describeYamlValue(value)}`);
    return { definition: null, errors };
  }
  for (const key of Object.keys(value)) {
    if (!(SPEC_KEYS as readonly string[]).includes(key)) fail(key, `unknown key; expected one of ${SPEC_KEYS.join(", ")}`);
  }
  const type = value["type"];
  if (typeof type !== "string" || !(PARTITION_CADENCES as readonly string[]).includes(type)) {
    fail("type", `must be one of ${PARTITION_CADENCES.join(", ")}, got ${describeYamlValue(type)}`);
  }
  const timezone = value["timezone"] ?? "UTC";
  if (typeof timezone !== "string" || !isValidTimezone(timezone)) fail("timezone", `must be an IANA time zone such as "Europe/Copenhagen", got ${describeYamlValue(timezone)}`);
  const zone = typeof timezone === "string" && isValidTimezone(timezone) ? timezone : "UTC";
  const start = wallTime(value["start_date"], zone);
  if (start === null) fail("start_date", `must be a date or date-time such as "2024-01-01" or "2024-01-01 06:00", got ${describeYamlValue(value["start_date"])}`);
  const endValue = value["end_date"];
  const end = endValue === undefined || endValue === null ? null : wallTime(endValue, zone);
  if (endValue !== undefined && endValue !== null && end === null) fail("end_date", `must be a date or date-time, got ${describeYamlValue(endValue)}`);
  if (start !== null && end !== null && end <= start) fail("end_date", `must be after start_date (${start.slice(0, 10)})`);
  const integer = (field: string, min: number, max: number, fallback: number): number => {
    const raw = value[field];
    if (raw === undefined || raw === null) return fallback;
    if (typeof raw !== "number" || !Number.isInteger(raw) || raw < min || raw > max) {
      fail(field, `must be an integer from ${min} to ${max}, got ${describeYamlValue(raw)}`);
      return fallback;
    }
    return raw;
  };
  const cadence = type as PartitionCadence;
  const endOffset = integer("end_offset", -10_000, 10_000, 0);
  const minuteOffset = integer("minute_offset", 0, 59, 0);
  const hourOffset = integer("hour_offset", 0, 23, 0);
  const dayOffset = cadence === "weekly" ? integer("day_offset", 0, 6, 0) : cadence === "monthly" ? integer("day_offset", 1, 28, 1) : integer("day_offset", 0, 0, 0);
  let windowArgs: PartitionWindowArgs = { kind: "vars", ...DEFAULT_WINDOW_VARS, format: "timestamp" };
  const vars = value["vars"];
  if (vars !== undefined && vars !== null) {
    if (!isPlainObject(vars)) {
      fail("vars", `must be a mapping like {start: min_date, end: max_date, format: date}, got ${describeYamlValue(vars)}`);
    } else {
      for (const key of Object.keys(vars)) if (!["start", "end", "format"].includes(key)) fail(`vars.${key}`, "unknown key; expected start, end, format");
      const name = (field: "start" | "end", fallback: string): string => {
        const raw = vars[field];
        if (raw === undefined || raw === null) return fallback;
        if (typeof raw !== "string" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(raw)) {
          fail(`vars.${field}`, `must be a dbt var name such as ${fallback}, got ${describeYamlValue(raw)}`);
          return fallback;
        }
        return raw;
      };
      const format = vars["format"] ?? "timestamp";
      if (format !== "date" && format !== "timestamp") fail("vars.format", `must be date or timestamp, got ${describeYamlValue(format)}`);
      const startVar = name("start", DEFAULT_WINDOW_VARS.startVar);
      const endVar = name("end", DEFAULT_WINDOW_VARS.endVar);
      if (startVar === endVar) fail("vars.end", `must differ from vars.start (${startVar})`);
      windowArgs = { kind: "vars", startVar, endVar, format: format === "date" ? "date" : "timestamp" };
    }
  }
  if (errors.length > 0 || start === null) return { definition: null, errors };
  return {
    definition: { kind: "time", cadence, start, end, timezone: zone, endOffset, minuteOffset, hourOffset, dayOffset, windowArgs, source: "tributary_meta", microbatch: null, declaredIn },
    errors,
  };
}

/** dbt microbatch's batch_size → a cadence. */
export function cadenceOfBatchSize(batchSize: string): PartitionCadence | null {
  return ({ hour: "hourly", day: "daily", month: "monthly", year: "yearly" } as const)[batchSize as "hour" | "day" | "month" | "year"] ?? null;
}

/** A YAML date or date-time (a string, or a Date YAML parsed) as a wall time `yyyy-MM-ddTHH:mm:ss` in `zone`. */
export function wallTime(value: unknown, zone: string): string | null {
  let parsed: DateTime | null = null;
  if (value instanceof Date) parsed = DateTime.fromJSDate(value, { zone: "UTC" });
  else if (typeof value === "string") {
    const text = value.trim().replace(" ", "T");
    const iso = DateTime.fromISO(text, { zone, setZone: false });
    if (iso.isValid) parsed = iso.setZone(zone);
  }
  return parsed?.isValid ? parsed.toFormat("yyyy-MM-dd'T'HH:mm:ss") : null;
}

/** The values a dbt invocation gets for a window: what `--vars` carries and what `--event-time-*` carry. */
export function windowArgValues(def: PartitionsDefinition, window: PartitionWindow): { readonly vars: Record<string, string>; readonly eventTimeStart: string; readonly eventTimeEnd: string } {
  const start = DateTime.fromISO(window.start, { zone: "UTC" });
  const end = DateTime.fromISO(window.end, { zone: "UTC" });
  const utc = (at: DateTime) => at.toFormat("yyyy-MM-dd'T'HH:mm:ss");
  const vars: Record<string, string> = {};
  if (def.windowArgs.kind === "vars") {
    const show = (at: DateTime) => (def.windowArgs.kind === "vars" && def.windowArgs.format === "date" ? at.setZone(def.timezone).toFormat("yyyy-MM-dd") : at.setZone(def.timezone).toISO({ suppressMilliseconds: true })!);
    vars[def.windowArgs.startVar] = show(start);
    vars[def.windowArgs.endVar] = show(end);
  }
  return { vars, eventTimeStart: utc(start), eventTimeEnd: utc(end) };
}

// ---------------------------------------------------------------------------------------------------------
// Sets of partition indexes, as sorted disjoint ranges (Dagster's partition status cache keeps time-window
// subsets the same way): 365 daily partitions materialized in one stretch are one pair of numbers.

/** Inclusive [first, last] ranges, sorted and disjoint, never adjacent. */
export type IndexRanges = readonly (readonly [number, number])[];

export function rangesHas(ranges: IndexRanges, index: number): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [a, b] = ranges[mid]!;
    if (index < a) hi = mid - 1;
    else if (index > b) lo = mid + 1;
    else return true;
  }
  return false;
}

export function rangesAdd(ranges: IndexRanges, index: number): IndexRanges {
  if (rangesHas(ranges, index)) return ranges;
  const out: [number, number][] = [];
  let placed = false;
  for (const [a, b] of ranges) {
    if (!placed && index < a) {
      out.push([index, index]);
      placed = true;
    }
    out.push([a, b]);
  }
  if (!placed) out.push([index, index]);
  return normalizeRanges(out);
}

export function rangesRemove(ranges: IndexRanges, index: number): IndexRanges {
  if (!rangesHas(ranges, index)) return ranges;
  const out: [number, number][] = [];
  for (const [a, b] of ranges) {
    if (index < a || index > b) out.push([a, b]);
    else {
      if (a <= index - 1) out.push([a, index - 1]);
      if (index + 1 <= b) out.push([index + 1, b]);
    }
  }
  return out;
}

/** Sorts and merges overlapping or adjacent ranges. */
export function normalizeRanges(ranges: readonly (readonly [number, number])[]): IndexRanges {
  const sorted = [...ranges].filter(([a, b]) => a <= b).sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** How many indexes of [0, count) the ranges hold. */
export function rangesCount(ranges: IndexRanges, count: number): number {
  let total = 0;
  for (const [a, b] of ranges) {
    if (a >= count) break;
    total += Math.min(b, count - 1) - Math.max(a, 0) + 1;
  }
  return total;
}

/** The state of one partition of an asset. */
export type PartitionState = "missing" | "materialized" | "failed" | "in_progress";

/** What the store knows of an asset's partitions: the latest outcome per partition, and what runs now. */
export interface PartitionStatus {
  readonly materialized: IndexRanges;
  readonly failed: IndexRanges;
  readonly inProgress: IndexRanges;
}

export const EMPTY_PARTITION_STATUS: PartitionStatus = { materialized: [], failed: [], inProgress: [] };

export function partitionState(status: PartitionStatus, index: number): PartitionState {
  if (rangesHas(status.inProgress, index)) return "in_progress";
  if (rangesHas(status.failed, index)) return "failed";
  if (rangesHas(status.materialized, index)) return "materialized";
  return "missing";
}

/** The partitions [0, count) as runs of one state: what a partitions bar draws. */
export function partitionStateRuns(status: PartitionStatus, count: number): { readonly first: number; readonly last: number; readonly state: PartitionState }[] {
  // Every range edge is where the state may change; between two edges it is constant.
  const edges = new Set<number>([0, count]);
  for (const ranges of [status.materialized, status.failed, status.inProgress]) {
    for (const [a, b] of ranges) {
      if (a > 0 && a < count) edges.add(a);
      if (b + 1 > 0 && b + 1 < count) edges.add(b + 1);
    }
  }
  const sorted = [...edges].sort((x, y) => x - y);
  const runs: { first: number; last: number; state: PartitionState }[] = [];
  for (let i = 0; i + 1 < sorted.length; i++) {
    const first = sorted[i]!;
    const last = sorted[i + 1]! - 1;
    const state = partitionState(status, first);
    const previous = runs[runs.length - 1];
    if (previous && previous.state === state && previous.last + 1 === first) previous.last = last;
    else runs.push({ first, last, state });
  }
  return runs;
}

/** The indexes in both. */
export function rangesIntersect(a: IndexRanges, b: IndexRanges): IndexRanges {
  const out: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const [a0, a1] = a[i]!;
    const [b0, b1] = b[j]!;
    const lo = Math.max(a0, b0);
    const hi = Math.min(a1, b1);
    if (lo <= hi) out.push([lo, hi]);
    if (a1 < b1) i++;
    else j++;
  }
  return out;
}

/** The indexes in either. */
export function rangesUnion(a: IndexRanges, b: IndexRanges): IndexRanges {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  return normalizeRanges([...a, ...b]);
}

/** The indexes of `a` not in `b`. */
export function rangesMinus(a: IndexRanges, b: IndexRanges): IndexRanges {
  if (a.length === 0 || b.length === 0) return a;
  const out: [number, number][] = [];
  let j = 0;
  for (const [a0, a1] of a) {
    let start = a0;
    while (j < b.length && b[j]![1] < start) j++;
    let k = j;
    while (k < b.length && b[k]![0] <= a1) {
      const [b0, b1] = b[k]!;
      if (b0 > start) out.push([start, b0 - 1]);
      start = Math.max(start, b1 + 1);
      if (start > a1) break;
      k++;
    }
    if (start <= a1) out.push([start, a1]);
  }
  return out;
}

/** How many indexes the ranges hold. */
export function rangesSize(ranges: IndexRanges): number {
  let total = 0;
  for (const [a, b] of ranges) total += b - a + 1;
  return total;
}

/** The same indexes. */
export function rangesEqual(a: IndexRanges, b: IndexRanges): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]![0] !== b[i]![0] || a[i]![1] !== b[i]![1]) return false;
  return true;
}

/**
 * The partitions of `to` whose windows overlap those of `ranges` (partitions of `from`), clipped to what exists
 * at `now` (`toCount` partitions): Dagster's default TimeWindowPartitionMapping, both ways. The same partitioning
 * maps onto itself unchanged.
 */
export function mapRanges(from: PartitionsDefinition, ranges: IndexRanges, to: PartitionsDefinition, toCount: number): IndexRanges {
  if (ranges.length === 0 || toCount === 0) return [];
  if (from === to || partitionsFingerprint(from) === partitionsFingerprint(to)) return rangesIntersect(ranges, [[0, toCount - 1]]);
  const source = partitionCalendar(from);
  const target = partitionCalendar(to);
  const out: [number, number][] = [];
  for (const [a, b] of ranges) {
    const start = Date.parse(source.windowAt(a).start);
    const end = Date.parse(source.windowAt(b).end);
    const first = Math.max(0, target.indexAt(new Date(start)));
    const last = Math.min(toCount - 1, target.indexAt(new Date(end - 1)));
    if (first <= last) out.push([first, last]);
  }
  return normalizeRanges(out);
}

/** Partition keys of the ranges, as text: `2026-03-01`, `2026-02-25…2026-03-01, 2026-03-04` (at most `limit` ranges, then "and N more"). */
export function describeRanges(def: PartitionsDefinition, ranges: IndexRanges, limit = 5): string {
  const calendar = partitionCalendar(def);
  const parts = ranges.slice(0, limit).map(([a, b]) => (a === b ? calendar.keyAt(a) : `${calendar.keyAt(a)}…${calendar.keyAt(b)}`));
  return ranges.length > limit ? `${parts.join(", ")} and ${ranges.length - limit} more ranges` : parts.join(", ");
}
