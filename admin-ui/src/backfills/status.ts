/** Partition and backfill states as people read them: a word and a colour. Free of React. */
import type { StateStyle } from "../runs/run-status.ts";
import type { BackfillPartitionStatus, BackfillStatus, PartitionState } from "../types.ts";

const GREEN = { color: "#067647", background: "#ecfdf3" };
const RED = { color: "#b42318", background: "#fef3f2" };
const BLUE = { color: "#175cd3", background: "#eff8ff" };
const GREY = { color: "#475467", background: "#f2f4f7" };
const AMBER = { color: "#b54708", background: "#fffaeb" };

/** The fill of a partition in a bar, by state. */
export const PARTITION_FILL: Readonly<Record<PartitionState, string>> = {
  MATERIALIZED: "#12b76a",
  FAILED: "#f04438",
  IN_PROGRESS: "#2e90fa",
  MISSING: "#e4e7ec",
};

export const PARTITION_LABEL: Readonly<Record<PartitionState, string>> = {
  MATERIALIZED: "materialized",
  FAILED: "failed",
  IN_PROGRESS: "in progress",
  MISSING: "missing",
};

export const BACKFILL_STATUS_STYLES: Readonly<Record<BackfillStatus, StateStyle>> = {
  RUNNING: { label: "running", ...BLUE },
  SUCCEEDED: { label: "succeeded", ...GREEN },
  FAILED: { label: "failed", ...RED },
  CANCELED: { label: "canceled", ...AMBER },
};

export const BACKFILL_PARTITION_STYLES: Readonly<Record<BackfillPartitionStatus, StateStyle>> = {
  WAITING: { label: "waiting", ...GREY },
  QUEUED: { label: "queued", ...GREY },
  RUNNING: { label: "running", ...BLUE },
  SUCCEEDED: { label: "succeeded", ...GREEN },
  FAILED: { label: "failed", ...RED },
  CANCELED: { label: "canceled", ...AMBER },
  SKIPPED: { label: "skipped", ...AMBER },
};

/** The fill of a backfill's partition cell. */
export const BACKFILL_CELL_FILL: Readonly<Record<BackfillPartitionStatus, string>> = {
  WAITING: "#f2f4f7",
  QUEUED: "#d0d5dd",
  RUNNING: "#2e90fa",
  SUCCEEDED: "#12b76a",
  FAILED: "#f04438",
  CANCELED: "#f79009",
  SKIPPED: "#fdb022",
};

/** The index range a drag from `a` to `b` selects, in order. */
export function selectedRange(a: number, b: number): { readonly first: number; readonly last: number } {
  return a <= b ? { first: a, last: b } : { first: b, last: a };
}

/** The partition under a pointer at `x` px of a bar `width` px wide holding `total` partitions. */
export function indexAtX(x: number, width: number, total: number): number {
  if (total <= 0 || width <= 0) return 0;
  return Math.min(total - 1, Math.max(0, Math.floor((x / width) * total)));
}
