/**
 * The {@link RunsSource} the API reads and launches runs through: the store's runs, logs, events and check
 * results, and the runs engine's launch, re-execute and cancel. Subscriptions learn of this process's changes
 * from a {@link RunChanges} hub the engine reports to (its `onRunChanged` option); other processes' changes
 * reach them by polling.
 *
 * Wiring (server/wiring.ts):
 *
 *   const changes = createRunChanges();
 *   const engine = createRunEngine({ …, onRunChanged: changes.notify });
 *   const runs = createRunsSource(store, engine, { changes });
 *   // a process without an engine: createRunsSource(store, null, { launchUnavailable: "…why…" })
 */
import type { CatalogStore } from "../catalog/store/index.ts";
import { runSql } from "../catalog/store/index.ts";
import type { RunEngine } from "../scheduler/runs/index.ts";
import type { RunsSource } from "./graphql/context.ts";

/** Who is told when a run changes in this process. */
export interface RunChanges {
  /** Tells the run's watchers it changed; pass it as the engine's `onRunChanged`. Never throws. */
  readonly notify: (runId: string) => void;
  /** Calls `listener` on each change of the run until the returned function is called. */
  watch(runId: string, listener: () => void): () => void;
}

/** A hub of run changes within this process. */
export function createRunChanges(): RunChanges {
  const listeners = new Map<string, Set<() => void>>();
  return {
    notify(runId) {
      for (const listener of [...(listeners.get(runId) ?? [])]) {
        try {
          listener();
        } catch {
          // A watcher's failure is its own; the engine that reported the change must not see it.
        }
      }
    },
    watch(runId, listener) {
      let set = listeners.get(runId);
      if (!set) {
        set = new Set();
        listeners.set(runId, set);
      }
      set.add(listener);
      return () => {
        const current = listeners.get(runId);
        if (!current) return;
        current.delete(listener);
        if (current.size === 0) listeners.delete(runId);
      };
    },
  };
}

/** What the source reads from the store. */
export type RunsStore = Pick<CatalogStore, "getRun" | "listRuns" | "countRuns" | "runLogs" | "latestCheckResults" | "checkHistory" | "client">;

export interface RunsSourceOptions {
  /** The hub the engine reports changes to; without it, subscriptions only poll. */
  readonly changes?: RunChanges;
  /** Why this process cannot launch when `engine` is null (one sentence, shown to API clients). */
  readonly launchUnavailable?: string;
}

/** The default sentence when there is no engine. */
export const NO_ENGINE_REASON = "This server cannot launch runs: it was started without a runs engine.";

/**
 * A {@link RunsSource} over `store`, launching through `engine` (null: reads only, and launches are refused with
 * `options.launchUnavailable`).
 */
export function createRunsSource(store: RunsStore, engine: RunEngine | null, options: RunsSourceOptions = {}): RunsSource {
  const reads: RunsSource = {
    list: (filter) => store.listRuns(filter),
    count: (filter) => store.countRuns(filter),
    get: (id) => store.getRun(id),
    logs: (runId, logOptions) => store.runLogs(runId, logOptions),
    materializations: (run) => runSql.runAssetEvents(store.client, run.id),
    checkResults: (run) => runSql.runCheckResults(store.client, run),
    latestCheckResults: (assetId) => store.latestCheckResults(assetId),
    checkHistory: (assetId, checkName, limit) => store.checkHistory(assetId, checkName, limit),
    watch: (runId, listener) => options.changes?.watch(runId, listener) ?? (() => undefined),
  };
  if (engine === null) return { ...reads, launchUnavailable: options.launchUnavailable ?? NO_ENGINE_REASON };
  return {
    ...reads,
    launch: (assetIds, launchedBy, launchOptions) => engine.launch(assetIds, launchedBy, launchOptions),
    reexecute: (runId, onlyFailed) => engine.reexecute(runId, onlyFailed),
    cancel: (runId) => engine.cancel(runId),
  };
}
