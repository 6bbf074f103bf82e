/**
 * Test helpers shared by the SaaS connectors: an in-memory event sink with the store's exactly-once rule, an
 * in-memory step reporter (the runs engine's side of a launch), and a fake clock whose sleep advances it
 * instantly.
 */
import type { AssetEvent, AssetEventInput, AssetEventSink } from "../../catalog/model/events.ts";
import { keyToString } from "../../catalog/model/index.ts";
import type { CheckResultInput, RunLogInput, StepLaunch, StepReporter, StepTarget } from "../../catalog/model/runs.ts";

/** An in-memory {@link AssetEventSink} that, like the store, records each (asset, dedupe key) once. */
export function createMemoryEventSink(): AssetEventSink & { readonly events: AssetEvent[] } {
  const events: AssetEvent[] = [];
  const seen = new Set<string>();
  return {
    events,
    async recordAssetEvents(batch: readonly AssetEventInput[]) {
      let inserted = 0;
      for (const event of batch) {
        const id = `${keyToString(event.assetKey)}\u0000${event.dedupeKey}`;
        if (seen.has(id)) continue;
        seen.add(id);
        events.push({ ...event, id: events.length + 1, recordedAt: new Date().toISOString() });
        inserted++;
      }
      return { inserted };
    },
  };
}

/** A fake clock whose sleep advances it instantly (no real waiting). */
export function createFakeClock(start = Date.parse("2026-10-01T06:00:00Z")) {
  let current = start;
  return {
    now: () => new Date(current),
    advance(ms: number) {
      current += ms;
    },
    async sleep(ms: number) {
      current += ms;
      // Let I/O (the simulator's timers, sockets) run between polls.
      await new Promise((resolve) => setTimeout(resolve, 2));
    },
  };
}

/** A {@link StepReporter} that keeps what it is given, as the runs engine would store it. */
export interface MemoryStepReporter extends StepReporter {
  readonly logs: RunLogInput[];
  /** Progress saved, oldest first, as read back from storage (JSON). */
  readonly progress: Readonly<Record<string, unknown>>[];
  /** Events kept (each asset and dedupe key once, across every reporter sharing the sink). */
  readonly events: AssetEvent[];
  readonly checks: CheckResultInput[];
}

export interface MemoryStepReporterOptions {
  /** Share one sink between attempts of a step to see what is recorded once. */
  readonly sink?: ReturnType<typeof createMemoryEventSink>;
  /** Called before each save is kept, with its 1-based number: throw to play a worker killed while writing it. */
  readonly beforeSave?: (progress: Readonly<Record<string, unknown>>, count: number) => void;
  /**
   * Called after each save is kept, with its 1-based number: throw to play a worker killed right after that
   * save (the engine's saveProgress throws when the step was lost, too).
   */
  readonly afterSave?: (progress: Readonly<Record<string, unknown>>, count: number) => void;
}

export function createMemoryStepReporter(options: MemoryStepReporterOptions = {}): MemoryStepReporter {
  const sink = options.sink ?? createMemoryEventSink();
  const logs: RunLogInput[] = [];
  const progress: Readonly<Record<string, unknown>>[] = [];
  const checks: CheckResultInput[] = [];
  return {
    logs,
    progress,
    events: sink.events,
    checks,
    log: (line) => void logs.push(line),
    async recordAssetEvents(events) {
      await sink.recordAssetEvents(events);
    },
    async recordCheckResults(results) {
      checks.push(...results);
    },
    async saveProgress(saved) {
      // Stored as JSON (Postgres jsonb): a value JSON cannot hold (-Infinity, a Date) is lost as it would be.
      const stored = JSON.parse(JSON.stringify(saved)) as Record<string, unknown>;
      options.beforeSave?.(stored, progress.length + 1);
      progress.push(stored);
      options.afterSave?.(stored, progress.length);
    },
  };
}

/** A step of a run as the engine hands it to a launcher. */
export function stepLaunch(
  targets: readonly StepTarget[],
  report: StepReporter,
  options: { readonly resume?: Readonly<Record<string, unknown>> | null; readonly signal?: AbortSignal; readonly runId?: string } = {},
): StepLaunch {
  return { runId: options.runId ?? "run-1", stepIndex: 0, targets, resume: options.resume ?? null, signal: options.signal ?? new AbortController().signal, report };
}
