/**
 * Runs, and the contract every connector implements to launch its tool's work. Pure types; the store keeps runs
 * (catalog/store/runs.ts), the scheduler plans and executes them (scheduler/runs), and each connector provides
 * a {@link Launcher} (connectors/<tool>/…), wired together in server/connectors.ts.
 *
 * Glossary
 * - run: one request to materialize a set of assets, stored before anything outside is called. It has one or
 *   more steps, executed in dependency order.
 * - step: the part of a run one launcher executes: one `dbt build` of a project, one Fivetran connector's
 *   sync, one Census sync's trigger. A step is a job on the Postgres job queue.
 * - progress: durable facts a launcher saves about the outside work it started (the Fivetran baseline, the
 *   Census sync run id, dbt's target path) before and after each outside call, so a worker that takes over a
 *   step after a crash follows that work instead of starting it a second time.
 * - check result: the outcome of one check (a dbt test) in a run: pass, warn, fail or error.
 */
import type { AssetEventInput } from "./events.ts";
import type { AssetKey } from "./index.ts";

export type RunStatus = "queued" | "running" | "succeeded" | "failed" | "canceled";
export type StepStatus = "pending" | "running" | "succeeded" | "failed" | "skipped" | "canceled";

export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = ["succeeded", "failed", "canceled"];
export const TERMINAL_STEP_STATUSES: readonly StepStatus[] = ["succeeded", "failed", "skipped", "canceled"];

/** Who or what asked for a run. */
export type LaunchedBy =
  | { readonly kind: "policy"; readonly tick: number }
  | { readonly kind: "manual"; readonly user: string | null }
  | { readonly kind: "reexecution"; readonly parentRunId: string; readonly onlyFailed: boolean }
  | { readonly kind: "retry"; readonly parentRunId: string; readonly attempt: number }
  /** A schedule's tick (the tick's instant, ISO 8601 UTC), running the schedule's job. */
  | { readonly kind: "schedule"; readonly schedule: string; readonly job: string; readonly tickAt: string }
  | { readonly kind: "backfill"; readonly backfillId: string; readonly partitionKey: string; readonly user: string | null };

/**
 * The partition a run materializes, and how its tool is told the window: dbt gets `--vars` with `vars` and,
 * for microbatch models, `--event-time-start/--event-time-end`. Computed once when the run is reserved.
 */
export interface RunPartition {
  readonly key: string;
  /** The window, ISO 8601 UTC instants, start inclusive, end exclusive. */
  readonly start: string;
  readonly end: string;
  readonly vars: Readonly<Record<string, string>>;
  /** UTC `yyyy-MM-ddTHH:mm:ss`, as dbt's flags take them. */
  readonly eventTimeStart: string;
  readonly eventTimeEnd: string;
}

/** One asset a step materializes, as the launcher's tool names it. */
export interface StepTarget {
  readonly assetKey: AssetKey;
  /** The tool's own id (dbt unique_id, Fivetran connector id, Census sync id): the materializer's runTargetId. */
  readonly runTargetId: string;
  /** The asset's checks the tool runs with it (dbt tests), by the tool's own id. */
  readonly checks: readonly { readonly name: string; readonly sourceId: string | null }[];
}

export type CheckOutcome = "pass" | "warn" | "fail" | "error" | "skipped";

/** One check's result in a run. Unique per (asset, check, dedupeKey), recorded once. */
export interface CheckResultInput {
  readonly assetKey: AssetKey;
  readonly checkName: string;
  readonly outcome: CheckOutcome;
  /** Rows that failed the test (dbt's `failures`), when known. */
  readonly failures: number | null;
  readonly tool: string;
  readonly locationName: string;
  /** The tool's run id (dbt invocation id). */
  readonly toolRunId: string | null;
  readonly occurredAt: string;
  readonly dedupeKey: string;
  /** Message, the failing SQL's location (compiled path), duration… Never a secret. */
  readonly metadata: Readonly<Record<string, unknown>>;
}

export interface CheckResult extends CheckResultInput {
  readonly id: number;
  /** The Tributary run that produced it, when one did. */
  readonly runId: string | null;
}

export type RunLogLevel = "debug" | "info" | "warn" | "error";

/** One line of a run's log, as a launcher reports it. */
export interface RunLogInput {
  readonly level: RunLogLevel;
  readonly message: string;
  /** The asset the line is about, when it is about one. */
  readonly assetKey?: AssetKey | null;
  /** Structured facts (dbt's node status, timings…). */
  readonly data?: Readonly<Record<string, unknown>> | null;
}

/** Where a launcher reports what happens while it runs a step. Every method is safe to call again after a crash. */
export interface StepReporter {
  /** A log line of the run (stored in order and streamed to subscribers). */
  log(line: RunLogInput): void;
  /** Materializations and failures; the run's id is attached; an event already recorded is kept once. */
  recordAssetEvents(events: readonly AssetEventInput[]): Promise<void>;
  /** Check results; one already recorded is kept once. */
  recordCheckResults(results: readonly CheckResultInput[]): Promise<void>;
  /**
   * Saves what a worker that takes over this step must know, durably, before returning. Call it before an
   * outside call that starts work (with what identifies the work to follow) and after it (with its id).
   */
  saveProgress(progress: Readonly<Record<string, unknown>>): Promise<void>;
}

/** One step handed to a launcher. */
export interface StepLaunch {
  readonly runId: string;
  readonly stepIndex: number;
  readonly targets: readonly StepTarget[];
  /** The partition the run materializes; null or absent for an unpartitioned run. */
  readonly partition?: RunPartition | null;
  /**
   * The progress an earlier attempt saved, when this step is taken over after a crash: the launcher must
   * follow the work that progress names and never start it again. Null on a step's first attempt, and when the
   * attempt taken over saved no progress (progress is saved before any outside call that starts work, so that
   * attempt started nothing, and this one starts afresh).
   */
  readonly resume: Readonly<Record<string, unknown>> | null;
  /** Aborted when the run is canceled: stop dbt, stop polling. */
  readonly signal: AbortSignal;
  readonly report: StepReporter;
}

/** What a step came to. */
export interface StepOutcome {
  readonly status: "succeeded" | "failed" | "canceled";
  /** One sentence for people. */
  readonly message: string;
  /** Targets that failed (a model that errored, a sync that failed): re-executing "only failed" runs these. */
  readonly failedKeys: readonly AssetKey[];
  /** Targets not attempted because something upstream failed (dbt skips them). */
  readonly skippedKeys: readonly AssetKey[];
  /** The tool's id for the work (dbt invocation id, Fivetran sync time, Census sync run id), when known. */
  readonly toolRunId?: string | null;
  /** A link to the work in the tool, when there is one. */
  readonly url?: string | null;
}

/**
 * A connector's launcher: runs a set of its assets under a run id the store has already reserved, follows the
 * work to its end, and reports what happened. It never throws for the tool's answers (a failed sync is a
 * `failed` outcome); it throws only for bugs and lost infrastructure, which fail the step with the error.
 */
export interface Launcher {
  readonly tool: string;
  readonly locationName: string;
  /**
   * How many steps of this location may run at once on the whole cluster: 1 for a dbt project (two builds of
   * one project would race on its target and warehouse), several for SaaS syncs of different connectors.
   */
  readonly concurrency: number;
  /**
   * How requested assets become steps: "location" — every asset of the location in one step (one `dbt build
   * --select …` per project); "target" — one step per runTargetId (one sync per Fivetran connector, whose
   * tables all land together; one trigger per Census sync).
   */
  readonly batch: "location" | "target";
  /**
   * How many partitions of this location one process runs at once (a backfill's partition runs go to their own
   * queue with this concurrency, each its own tool invocation); absent: partitions run one at a time.
   */
  readonly partitionConcurrency?: number;
  launch(step: StepLaunch): Promise<StepOutcome>;
}
