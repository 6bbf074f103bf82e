/**
 * The operands, one entry each in {@link OPERANDS}: a fact about one asset (the root, or a dependency inside
 * any/all deps match) at one tick, with its state (node-state.ts) and the timing it carries (context.ts).
 * The table is typed by the model's list of operands (catalog/model/condition.ts, which the YAML grammar
 * reads), so an operand the grammar knows cannot lack an evaluator. Dagster's operands
 * (declarative_automation/operands) are the model.
 */
import type { EvaluationNode } from "../../catalog/model/index.ts";
import { formatDuration } from "../../catalog/model/index.ts";
import type { Context } from "./context.ts";
import { NONE, SKIPPED, formatTime, isMissing, result, timed } from "./context.ts";
import { latestCronTick } from "./cron.ts";
import { codeVersionState, readState, writeState } from "./node-state.ts";
import type { AssetRuntimeState } from "./state.ts";
import type { CompiledNode, OperandName } from "./tree.ts";

/** What an operand reads: the node, its id, the asset it is about, whether it is a candidate, and the context. */
interface OperandInput {
  readonly c: CompiledNode;
  readonly id: string;
  readonly target: number;
  readonly x: Context;
  readonly s: AssetRuntimeState | undefined;
  /** "" for the root, else the dependency's id and a space (for reasons). */
  readonly who: string;
}

interface Operand {
  /**
   * Stateful operands run whatever the candidate (their state must follow every tick); the others are only
   * computed for a candidate (a false candidate is false, "not considered").
   */
  readonly always?: boolean;
  evaluate(input: OperandInput, candidate: boolean): EvaluationNode;
}

export const OPERANDS: Readonly<Record<OperandName, Operand>> = {
  /** The asset's first evaluation only (no cursor yet), as in Dagster ≥ 1.9: editing the condition does not make it true again. */
  initial_evaluation: {
    always: true,
    evaluate: ({ c, id, x }, candidate) => {
      const value = candidate && x.previousTime === null;
      return result(c, id, value, candidate ? (value ? "first evaluation of this asset" : null) : SKIPPED);
    },
  },

  /** The code version differs from the one at the previous tick (never on the first). */
  code_version_changed: {
    always: true,
    evaluate: ({ c, id, target, x, who }, candidate) => {
      const current = x.plan.assets[target]!.codeVersion;
      const { version: before } = readState(x, id, codeVersionState);
      const value = candidate && before !== undefined && before !== null && before !== current;
      writeState(x, id, value, codeVersionState, { version: current });
      return result(c, id, value, value ? `${who}code version changed` : null);
    },
  },

  /** Never materialized (for an asset nothing materializes: never observed either). */
  missing: {
    evaluate: ({ c, id, target, x, s, who }) => {
      const value = isMissing(target, x);
      const at = s?.latestMaterialization?.timestamp ?? s?.latestObservation?.timestamp;
      return result(c, id, value, value ? `${who}never materialized` : `${who}materialized ${formatTime(at!, x.now)}`);
    },
  },

  /**
   * Updated after the root's previous tick (false on the first): its latest id is above the previous tick's, or
   * the tick is the first to see one of its updates (`Context.unseen`: one that committed late has a lower id).
   * Carries the materialization's time.
   */
  newly_updated: {
    evaluate: ({ c, id, target, x, s, who }) => {
      if (x.ePrev === null) return result(c, id, false, "first evaluation: nothing is newly updated");
      const value = x.updateId[target]! > x.ePrev || x.unseen?.[target] === 1;
      const at = s?.latestMaterialization?.timestamp ?? s?.latestObservation?.timestamp;
      const evaluated = result(c, id, value, value ? (at === undefined ? `${who}updated since the previous tick` : `${who}updated ${formatTime(at, x.now)}, since the previous tick`) : null);
      // An observation carries no time, as in Dagster (its timing reads the latest materialization record).
      return timed(x, evaluated, value ? s?.latestMaterialization?.timestamp : undefined);
    },
  },

  /** Requested by the previous tick; carries that tick's time. */
  newly_requested: {
    evaluate: ({ c, id, target, x, who }) => {
      const value = x.previousRequested(target);
      const evaluated = result(c, id, value, value ? `${who}requested by the previous tick` : null);
      return timed(x, evaluated, value && x.previousTime !== null ? x.previousTime : undefined);
    },
  },

  /** A dependency requested earlier in this tick that can run in the same run as the root. */
  will_be_requested: {
    evaluate: ({ c, id, target, x, who }) => {
      const value = target !== x.root && x.willBeRequested(target);
      return result(c, id, value, value ? `${who}is requested this tick, in the same run` : null);
    },
  },

  run_in_progress: {
    evaluate: ({ c, id, s, who }) => {
      const value = Boolean(s?.runInProgress);
      return result(c, id, value, value ? `${who}run ${s!.runInProgress} in progress` : null);
    },
  },

  backfill_in_progress: {
    evaluate: ({ c, id, s, who }) => {
      const value = s?.backfillInProgress === true;
      return result(c, id, value, value ? `${who}backfill in progress` : null);
    },
  },

  execution_failed: {
    evaluate: ({ c, id, x, s, who }) => {
      const value = executionFailed(s);
      return result(c, id, value, value ? `${who}the latest run that targeted it failed ${formatTime(s!.latestFailure!.timestamp, x.now)}` : null);
    },
  },

  /** The latest cron tick is at or after the root's previous evaluation (false on the first); carries the tick's time. */
  cron_tick_passed: {
    evaluate: ({ c, id, x }) => {
      const cron = c.node.kind === "operand" ? c.node.cron! : null!;
      if (x.previousTime === null) return result(c, id, false, "first evaluation: no cron tick has passed yet");
      const latest = latestCronTick(cron.schedule, cron.timezone, x.now);
      const value = latest !== null && latest >= x.previousTime;
      const reason =
        latest === null
          ? "no cron tick yet"
          : value
            ? `cron tick ${formatTime(latest, x.now)} passed since the previous tick`
            : `no cron tick since ${formatTime(x.previousTime, x.now)}`;
      return timed(x, result(c, id, value, reason), value ? latest : undefined);
    },
  },

  /**
   * Tributary's own (Dagster leaves it to hand-written conditions): at least the interval has passed since the
   * asset's latest materialization and since the latest tick that requested it (true when neither exists).
   */
  minimum_interval_passed: {
    evaluate: ({ c, id, target, x, s, who }) => {
      const seconds = c.node.kind === "operand" ? c.node.seconds! : 0;
      const last = lastMaterializedOrRequested(target, x, s);
      if (last === null) return result(c, id, true, `${who}never materialized or requested`);
      const ends = last.at + seconds * 1000;
      const value = x.now >= ends;
      const reason = value
        ? `${who}last ${last.what} ${formatTime(last.at, x.now)}, at least ${formatDuration(seconds)} ago`
        : `${who}last ${last.what} ${formatTime(last.at, x.now)}: waits until ${formatTime(ends, x.now)} (${formatDuration(seconds)} interval)`;
      return result(c, id, value, reason);
    },
  },

  /** A dependency with an update newer than the root's latest materialization (dbt build_after's "new data since the last build"). */
  newer_than_root: {
    evaluate: ({ c, id, target, x, who }) => {
      const value = target !== x.root && x.updateId[target]! !== NONE && x.updateId[target]! > x.updateId[x.root]!;
      return result(c, id, value, value ? `${who}has new data since this asset was last built` : null);
    },
  },

  /**
   * A freshness target (this asset's, or one downstream) needs this asset built now (freshness.ts), and none
   * of its parents that the target needs is still to be built first, unless in this same run: upstream first.
   * Not again while its request is pending (requested by the previous tick) or its run is in progress.
   */
  required_for_freshness: {
    evaluate: ({ c, id, target, x, s, who }) => {
      const value = requiredForFreshness(target, x, s);
      return result(c, id, value === true, value === true ? `${who}needed now to meet a freshness target` : value || null);
    },
  },

  in_latest_time_window: {
    evaluate: ({ c, id }) => result(c, id, true, "unpartitioned: always in the latest time window"),
  },

  /** The dependency's latest materialization came from a run whose explicit selection includes the root. */
  executed_with_root_target: {
    evaluate: ({ c, id, target, x, s, who }) => {
      const selection = s?.latestMaterialization?.runAssetSelection;
      const value = target !== x.root && selection != null && selection.includes(x.plan.ids[x.root]!);
      return result(c, id, value, value ? `${who}was built by run ${s!.latestMaterialization!.runId} that also built this asset` : null);
    },
  },
};

/** True when a freshness target needs the asset built now; otherwise why not (null: no target needs it). */
export function requiredForFreshness(target: number, x: Context, s: AssetRuntimeState | undefined): true | string | null {
  if (x.freshnessNeeded?.[target] !== 1) return null;
  if (s?.runInProgress) return "needed for freshness: its run is in progress";
  if (x.previousRequested(target)) return "needed for freshness: requested by the previous tick";
  const waiting = x.plan.deps[target]!.filter((d) => x.freshnessNeeded![d] === 1 && !x.willBeRequested(d));
  if (waiting.length > 0) return `needed for freshness, after ${waiting.map((d) => x.plan.ids[d]).join(", ")} (upstream first)`;
  return true;
}

/** The later of an asset's latest materialization and the latest tick that requested it. */
export function lastMaterializedOrRequested(target: number, x: Context, s: AssetRuntimeState | undefined): { at: number; what: string } | null {
  const materialized = s?.latestMaterialization?.timestamp ?? null;
  const requested = x.lastRequestedAt(target);
  if (materialized === null && requested === null) return null;
  if (requested !== null && (materialized === null || requested > materialized)) return { at: requested, what: "requested" };
  return { at: materialized!, what: "materialized" };
}

/** Evaluates an operand node through {@link OPERANDS}. */
export function evaluateOperand(c: CompiledNode, id: string, target: number, _suffix: string, candidate: boolean, x: Context): EvaluationNode {
  if (c.node.kind !== "operand") throw new Error("unreachable");
  const operand = OPERANDS[c.node.operand];
  if (!candidate && operand.always !== true) return result(c, id, false, SKIPPED);
  return operand.evaluate({ c, id, target, x, s: x.runtime[target], who: target === x.root ? "" : `${x.plan.ids[target]} ` }, candidate);
}

/**
 * Dagster's `execution_failed`: the latest run that targeted the asset failed without materializing it. Read
 * from events: a failure a run recorded, no run of the asset in progress, and no materialization by a run
 * since. A failure recorded outside any run does not count. When the state carries
 * `latestRunMaterialization`, a materialization recorded outside any run (an observed sync) does not end it,
 * as in Dagster; without it (the daemon's state today) any later materialization does, since the latest one
 * may hide a run's. A run that failed or was canceled without recording an event for the asset is not seen
 * (the README lists both differences).
 */
function executionFailed(s: AssetRuntimeState | undefined): boolean {
  const failure = s?.latestFailure;
  if (failure == null || failure.runId === null || s!.runInProgress) return false;
  const byRun = s!.latestRunMaterialization !== undefined ? s!.latestRunMaterialization : s!.latestMaterialization;
  return failure.storageId > (byRun?.storageId ?? NONE);
}
