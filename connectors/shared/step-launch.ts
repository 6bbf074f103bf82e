/**
 * What the SaaS connectors' step launchers (Fivetran, Census) share, around the runs contract
 * (catalog/model/runs.ts): one step is one tool target (batch "target"); the tool's answers and errors become
 * an outcome, never an exception; an aborted step is `canceled`; and the reporter's own errors are not the
 * tool's — they mean the worker lost the step (or the store is gone), so they propagate and stop the launcher
 * before it calls anything else outside.
 */
import type { AssetEventInput, AssetKey, RunLogLevel, StepLaunch, StepOutcome, StepReporter, StepTarget } from "../../catalog/model/index.ts";

/**
 * Where a launcher records events: the store's {@link AssetEventSink} or a step's reporter (the runs engine
 * attaches the run id). The count of new events is not needed by launchers, so either fits.
 */
export interface EventRecorder {
  recordAssetEvents(events: readonly AssetEventInput[]): Promise<unknown>;
}

/** A launcher's log: a line, and how loud it is. */
export type LaunchLog = (message: string, level?: Extract<RunLogLevel, "info" | "warn">) => void;

/** The one runTargetId of a "target" step. Several (or none) is a planner bug, so it throws. */
export function singleTargetId(step: Pick<StepLaunch, "targets" | "runId" | "stepIndex">, tool: string): string {
  const ids = [...new Set(step.targets.map((target) => target.runTargetId))];
  if (ids.length !== 1) {
    throw new Error(`run ${step.runId} step ${step.stepIndex}: a ${tool} step runs exactly one target, got ${ids.length} (${ids.join(", ")})`);
  }
  return ids[0]!;
}

/** The asset keys of the step's targets (what a failed sync failed to build). */
export const targetKeys = (targets: readonly StepTarget[]): AssetKey[] => targets.map((target) => target.assetKey);

export interface SettleOptions {
  /** Removes credentials from an error's message (the client's `redact`). */
  readonly redact: (text: string) => string;
  /** The outcome's message when the step is canceled (it depends on whether the tool was asked to work). */
  readonly canceledMessage: () => string;
}

/**
 * Runs a step's body with a reporter whose errors are marked, and settles what it throws: a reporter error
 * (lost step, lost store) is rethrown; an abort of `step.signal` is a `canceled` outcome; anything else (the
 * tool refused, a network error) is a `failed` outcome naming every target, with the message redacted.
 */
export async function settleStep(step: StepLaunch, options: SettleOptions, body: (report: StepReporter) => Promise<StepOutcome>): Promise<StepOutcome> {
  const fromReporter = new WeakSet<object>();
  const mark = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      if (typeof error === "object" && error !== null) fromReporter.add(error);
      throw error;
    }
  };
  const report: StepReporter = {
    log: (line) => step.report.log(line),
    recordAssetEvents: (events) => mark(() => step.report.recordAssetEvents(events)),
    recordCheckResults: (results) => mark(() => step.report.recordCheckResults(results)),
    saveProgress: (progress) => mark(() => step.report.saveProgress(progress)),
  };
  try {
    return await body(report);
  } catch (error) {
    if (typeof error === "object" && error !== null && fromReporter.has(error)) throw error;
    if (step.signal.aborted) return { status: "canceled", message: options.canceledMessage(), failedKeys: [], skippedKeys: [] };
    const message = options.redact(error instanceof Error ? error.message : String(error));
    return { status: "failed", message, failedKeys: targetKeys(step.targets), skippedKeys: [] };
  }
}
