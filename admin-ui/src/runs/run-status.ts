/** Run and step states as people read them: a word and a colour. Free of React. */
import type { CheckOutcome, RunStatus, StepStatus } from "../types.ts";

export interface StateStyle {
  readonly label: string;
  readonly color: string;
  readonly background: string;
}

const GREEN = { color: "#067647", background: "#ecfdf3" };
const RED = { color: "#b42318", background: "#fef3f2" };
const BLUE = { color: "#175cd3", background: "#eff8ff" };
const GREY = { color: "#475467", background: "#f2f4f7" };
const AMBER = { color: "#b54708", background: "#fffaeb" };

export const RUN_STATUS_STYLES: Readonly<Record<RunStatus, StateStyle>> = {
  QUEUED: { label: "queued", ...GREY },
  RUNNING: { label: "running", ...BLUE },
  SUCCEEDED: { label: "succeeded", ...GREEN },
  FAILED: { label: "failed", ...RED },
  CANCELED: { label: "canceled", ...AMBER },
};

export const STEP_STATUS_STYLES: Readonly<Record<StepStatus, StateStyle>> = {
  PENDING: { label: "pending", ...GREY },
  RUNNING: { label: "running", ...BLUE },
  SUCCEEDED: { label: "succeeded", ...GREEN },
  FAILED: { label: "failed", ...RED },
  SKIPPED: { label: "skipped", ...AMBER },
  CANCELED: { label: "canceled", ...AMBER },
};

export const CHECK_OUTCOME_STYLES: Readonly<Record<CheckOutcome, StateStyle>> = {
  PASS: { label: "pass", ...GREEN },
  WARN: { label: "warn", ...AMBER },
  FAIL: { label: "fail", ...RED },
  ERROR: { label: "error", ...RED },
  SKIPPED: { label: "skipped", ...GREY },
};

export const RUN_STATUSES: readonly RunStatus[] = ["QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELED"];

export const isEnded = (status: RunStatus): boolean => status === "SUCCEEDED" || status === "FAILED" || status === "CANCELED";

/** Who launched a run, in a word: policy, person, re-execution, retry. */
export function launchKind(kind: string): string {
  switch (kind) {
    case "POLICY":
      return "policy";
    case "MANUAL":
      return "person";
    case "REEXECUTION":
      return "re-execution";
    case "RETRY":
      return "retry";
    case "SCHEDULE":
      return "schedule";
    default:
      return kind.toLowerCase();
  }
}
