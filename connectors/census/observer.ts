/**
 * Records the sync runs Census ran on its own (its schedule, the UI) as materializations (or failures) of the
 * sync's asset. Exactly once, even across restarts: each terminal run has one dedupe key
 * (`census:<sync>:run:<run id>`, the same the launcher uses) and the store inserts an event only when the key
 * is new; so the observer needs no persisted cursor. In memory it remembers what it reported, and the syncs'
 * latest state for the API.
 */
import type { AssetEventSink } from "../../catalog/model/index.ts";
import { createPollingLoop } from "../shared/index.ts";
import type { CensusClient } from "./client.ts";
import { isTerminalRun, runEvent } from "./launcher.ts";
import type { CensusSync } from "./schemas.ts";

export interface CensusObserverOptions {
  readonly client: CensusClient;
  readonly locationName: string;
  readonly events: AssetEventSink;
  /** Runs read per sync per poll (newest first; default 10). */
  readonly runsPerSync?: number;
  readonly log?: (message: string) => void;
  readonly now?: () => Date;
}

export interface CensusObserver {
  poll(): Promise<{ readonly recorded: number; readonly syncs: readonly CensusSync[] }>;
  start(intervalMs: number, onError?: (error: unknown) => void): void;
  stop(): Promise<void>;
  latest(): ReadonlyMap<string, CensusSync>;
  polledAt(): string | null;
}

export function createCensusObserver(options: CensusObserverOptions): CensusObserver {
  const { client, locationName, events, runsPerSync = 10, log = () => {}, now = () => new Date() } = options;
  const reported = new Set<string>();
  const latest = new Map<string, CensusSync>();
  let polledAt: string | null = null;

  async function poll() {
    const syncs = await client.listSyncs();
    polledAt = now().toISOString();
    let recorded = 0;
    for (const sync of syncs) {
      latest.set(sync.id, sync);
      const runs = await client.latestSyncRuns(sync.id, runsPerSync);
      for (const run of [...runs].reverse()) {
        if (!isTerminalRun(run) || reported.has(`${sync.id}:${run.id}`)) continue;
        const event = runEvent({ sync, run, locationName, launchedBy: "census" });
        if (event) {
          const result = await events.recordAssetEvents([event]);
          recorded += result.inserted;
          if (result.inserted > 0) log(`census: recorded run ${run.id} of sync ${sync.id} (${run.status})`);
        }
        reported.add(`${sync.id}:${run.id}`);
      }
    }
    return { recorded, syncs };
  }

  const loop = createPollingLoop(poll);
  return { poll, start: (intervalMs, onError) => loop.start(intervalMs, onError), stop: () => loop.stop(), latest: () => latest, polledAt: () => polledAt };
}
