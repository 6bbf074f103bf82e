/**
 * Refreshes what the warehouse locations say after data changed: when a run ends (its materializations are
 * recorded by then) and when an observer records a materialization a tool made on its own (a scheduled
 * Fivetran sync). The simplest honest hook: the runs engine's change notice, filtered to runs that have ended,
 * and a wrapper of the observers' event sink; the refresh reloads the warehouse locations only
 * (CatalogService.reloadLocations), after a short pause that gathers the ends close together into one read,
 * and never while another refresh runs (one more follows it instead).
 */
import type { AssetEventSink } from "../catalog/model/index.ts";
import type { ReloadOutcome } from "../catalog/service.ts";

export interface WarehouseRefreshOptions {
  /** The warehouse locations' names; with none, nothing is ever refreshed. */
  readonly locationNames: readonly string[];
  readonly reloadLocations: (names: readonly string[]) => Promise<ReloadOutcome>;
  /** Other locations to reload with them, asked at each refresh (those a run changed, see ConnectorLocation.changedByRuns). */
  readonly changedLocations?: () => Promise<readonly string[]>;
  /** Whether a run has ended (read from the store). */
  readonly runEnded: (runId: string) => Promise<boolean>;
  /** Gathers ends within this pause into one refresh (default 1 s). */
  readonly delayMs?: number;
  readonly onRefreshed?: (outcome: ReloadOutcome) => void;
  readonly onError?: (error: unknown) => void;
}

export interface WarehouseRefresh {
  /** Pass the runs engine's change notices here. */
  runChanged(runId: string): void;
  /** The observers' event sink, refreshing after each materialization it records. */
  wrapSink(sink: AssetEventSink): AssetEventSink;
  /** Stops scheduling (a refresh waiting for its pause is dropped) and waits for one running. */
  stop(): Promise<void>;
}

export function createWarehouseRefresh(options: WarehouseRefreshOptions): WarehouseRefresh {
  const { locationNames, delayMs = 1000 } = options;
  const refreshedRuns = new Set<string>();
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;

  const refresh = async (): Promise<void> => {
    timer = null;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        try {
          const names = [...locationNames, ...((await options.changedLocations?.()) ?? [])];
          if (names.length > 0) {
            const outcome = await options.reloadLocations(names);
            options.onRefreshed?.(outcome);
          }
        } catch (error) {
          options.onError?.(error);
        }
      } while (again && !stopped);
    })().finally(() => {
      running = null;
    });
    await running;
  };
  const schedule = (): void => {
    if (stopped || (locationNames.length === 0 && !options.changedLocations) || timer) return;
    timer = setTimeout(() => void refresh(), delayMs);
  };

  return {
    runChanged(runId) {
      if (stopped || (locationNames.length === 0 && !options.changedLocations) || refreshedRuns.has(runId)) return;
      options.runEnded(runId).then(
        (ended) => {
          if (!ended || refreshedRuns.has(runId)) return;
          refreshedRuns.add(runId);
          if (refreshedRuns.size > 10_000) refreshedRuns.delete(refreshedRuns.values().next().value!);
          schedule();
        },
        (error: unknown) => options.onError?.(error),
      );
    },
    wrapSink(sink) {
      return {
        async recordAssetEvents(events) {
          const result = await sink.recordAssetEvents(events);
          if (result.inserted > 0 && events.some((event) => event.kind === "materialization")) schedule();
          return result;
        },
      };
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await running;
    },
  };
}
