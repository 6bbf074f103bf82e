/**
 * Holds the catalog being served and replaces it atomically. A load fetches every location, unifies them
 * into a new graph, stores the definitions, and only then swaps the new graph in. A location that fails
 * keeps serving its last good definitions and shows its error; a failure of the whole load (a cycle across
 * locations, the store refusing the write) keeps the previous graph. Readers never see half a catalog.
 *
 * Every load gets an abort signal and a time limit: a provider that hangs (a dbt parse that never ends, an
 * API that never answers) fails with `load_timeout` when the limit passes, whether or not it heeds the
 * signal, so it cannot hold reloads forever. `reload()` never rejects: a store that cannot record a failure
 * is reported through `onProgress`, and the load goes on.
 *
 * A location's definitions may come with a follow-up (`LocationDefinitions.followUp`: a dbt manifest's column
 * lineage, minutes of CPU on a worker thread at 10k models): the load swaps the definitions in without waiting
 * for it, and the service runs it in the background, one at a time. Its result is swapped in like a load of
 * that location (graph rebuilt, definitions stored, never half replaced) unless a newer load of the location
 * was swapped in meanwhile, which aborts it. A follow-up that fails leaves the served definitions as they are
 * and is reported as a warning. `reload()` never waits for follow-ups; `settled()` does.
 */
import type { DefinitionsProvider, LocationDefinitions, LocationFollowUp, LocationRef, PolicyRule } from "./model/index.ts";
import { LoadError, withoutFollowUp } from "./model/index.ts";
import { buildCatalogGraph } from "./graph/build.ts";
import type { CatalogGraph, LocationFailure } from "./graph/types.ts";
import { definitionsContentHash, prepareSnapshot } from "./store/snapshot-codec.ts";

/** What the service needs of the store: a subset of `CatalogStore`, so tests and tools can run without one. */
export interface DefinitionsStore {
  saveDefinitions(definitions: readonly LocationDefinitions[]): Promise<unknown>;
  recordLoadFailure(failure: {
    location: LocationRef;
    error: { code: string; message: string; file?: string | null; nodeId?: string | null; jsonPath?: string | null };
    startedAt: string;
    durationMs: number;
  }): Promise<unknown>;
  currentDefinitions(): Promise<LocationDefinitions[]>;
}

/** One location's error in a load. */
export interface LocationLoadError {
  readonly locationName: string;
  readonly code: string;
  readonly message: string;
  readonly file: string | null;
  readonly nodeId: string | null;
  readonly jsonPath: string | null;
}

export type ReloadOutcome =
  | { readonly ok: true; readonly graph: CatalogGraph; readonly durationMs: number; readonly errors: readonly LocationLoadError[] }
  | { readonly ok: false; readonly errors: readonly LocationLoadError[]; readonly durationMs: number };

export interface CatalogService {
  /** The graph being served. Throws before the first successful load. */
  current(): CatalogGraph;
  /** True once a graph is being served. */
  readonly ready: boolean;
  /**
   * Loads every location and swaps the new graph in. Never throws for bad input: `ok` is false only when no
   * new graph could be built (the previous one is kept); per-location errors are listed either way.
   * Concurrent calls share one load.
   */
  reload(): Promise<ReloadOutcome>;
  /**
   * Loads only the named locations again (a warehouse after a materialization) and rebuilds the graph with the
   * others' latest results as they are. Before the first full load it is a full load. Waits for a load in flight.
   */
  reloadLocations(names: readonly string[]): Promise<ReloadOutcome>;
  /** The follow-up of each location whose latest definitions came with one (see the module comment). */
  followUp(locationName: string): FollowUpStatus | null;
  /** Resolves once no load is in flight and every follow-up has ended (applied, failed or superseded). */
  settled(): Promise<void>;
  /** Aborts the follow-ups (on shutdown) and waits for them to end. */
  stopFollowUps(): Promise<void>;
}

export interface FollowUpStatus {
  readonly describe: string;
  /** PENDING: waits for another location's follow-up; FAILED: the definitions are served without it. */
  readonly state: "pending" | "computing" | "done" | "failed";
  /** Items (models) to go through, once the follow-up has said. */
  readonly total: number | null;
  readonly done: number;
  /** From its start to its end (done or failed); null before. */
  readonly durationMs: number | null;
  readonly error: string | null;
}

export interface CatalogServiceOptions {
  readonly providers: readonly DefinitionsProvider[];
  readonly store?: DefinitionsStore | null;
  /** Policies from tributary.yaml for assets that declare none (Fivetran tables, Census syncs…). */
  readonly policyRules?: readonly PolicyRule[];
  readonly onProgress?: (message: string) => void;
  /** Called after each load with its outcome (for logs). */
  readonly onReload?: (outcome: ReloadOutcome) => void;
  /** How long one location's load may take before it fails with `load_timeout` (default {@link DEFAULT_LOAD_TIMEOUT_MS}). */
  readonly loadTimeoutMs?: number;
  /**
   * Whether to run the definitions' follow-ups (default true). `tributary check` says false: nothing it prints
   * depends on them.
   */
  readonly runFollowUps?: boolean;
  /** Called when a follow-up starts, ends, fails or is superseded (for structured logs). */
  readonly onFollowUp?: (event: FollowUpEvent) => void;
}

export interface FollowUpEvent {
  readonly locationName: string;
  readonly describe: string;
  readonly event: "started" | "progress" | "applied" | "failed" | "superseded";
  readonly total: number | null;
  readonly done: number;
  readonly durationMs: number | null;
  readonly error: string | null;
}

/**
 * 15 minutes: a `dbt parse` of a large project takes a few minutes, and the first load of a dbt location
 * may install dbt into the managed virtualenv first.
 */
export const DEFAULT_LOAD_TIMEOUT_MS = 15 * 60_000;

export function createCatalogService(options: CatalogServiceOptions): CatalogService {
  const { providers, store = null, onProgress = () => {}, loadTimeoutMs = DEFAULT_LOAD_TIMEOUT_MS, runFollowUps = true, onFollowUp = () => {} } = options;
  const names = new Set<string>();
  for (const provider of providers) {
    if (names.has(provider.location.name)) {
      throw new LoadError("duplicate_location", `Two locations are named "${provider.location.name}"; give each a distinct name`);
    }
    names.add(provider.location.name);
  }

  let graph: CatalogGraph | null = null;
  /** The last good definitions of each location, so a failing location keeps serving them. */
  let lastGood: Map<string, LocationDefinitions> | null = null;
  let inFlight: Promise<ReloadOutcome> | null = null;
  /** A follow-up's result being swapped in: loads wait for it, and it waits for loads. */
  let applying: Promise<unknown> | null = null;
  /** The latest follow-up of each location. */
  const followUps = new Map<string, { readonly controller: AbortController; status: FollowUpStatus }>();
  /** Follow-ups not yet ended, for settled(). */
  const running = new Set<Promise<void>>();
  /** Follow-ups run one after another: each may keep a core busy for minutes. */
  let followUpQueue: Promise<void> = Promise.resolve();
  /** Each location's result in the latest load that included it, for reloads of some locations only. */
  const latest = new Map<string, { readonly definitions: LocationDefinitions } | { readonly failure: LocationFailure }>();

  /** The graph of each location's outcome, in the providers' order (a load and a follow-up's swap alike). */
  function graphOf(inOrder: readonly ({ readonly definitions: LocationDefinitions } | { readonly failure: LocationFailure })[]): CatalogGraph {
    return buildCatalogGraph({
      definitions: inOrder.flatMap((o) => ("definitions" in o ? [o.definitions] : [])),
      failures: inOrder.flatMap((o) => ("failure" in o ? [o.failure] : [])),
      policyRules: options.policyRules ?? [],
      // The stored snapshots' hashes (computed for storing them anyway): the graph's definitions digest.
      ...(store ? { contentHash: definitionsContentHash } : {}),
    });
  }

  async function lastGoodDefinitions(): Promise<Map<string, LocationDefinitions>> {
    if (lastGood) return lastGood;
    lastGood = new Map();
    if (store) for (const definitions of await store.currentDefinitions()) lastGood.set(definitions.location.name, definitions);
    return lastGood;
  }

  async function loadAll(only: ReadonlySet<string> | null = null): Promise<ReloadOutcome> {
    const started = performance.now();
    // Read while the locations load (at a start, the store may still be opening): neither waits for the other.
    const reading = lastGoodDefinitions().then(
      (definitions) => ({ definitions, error: null }),
      (error: unknown) => ({ definitions: null, error }),
    );
    const reloaded = only === null || graph === null ? providers : providers.filter((p) => only.has(p.location.name) || !latest.has(p.location.name));
    const kept = providers.filter((p) => !reloaded.includes(p)).map((p) => latest.get(p.location.name)!);
    const results = await Promise.all(
      reloaded.map(async (provider) => {
        const startedAt = new Date().toISOString();
        const locationStarted = performance.now();
        onProgress(`loading ${provider.location.kind} location "${provider.location.name}" from ${provider.location.origin}`);
        try {
          const definitions = await loadWithTimeout(provider, loadTimeoutMs, (message) => onProgress(`${provider.location.name}: ${message}`));
          onProgress(`loaded "${provider.location.name}": ${definitions.specs.length} assets in ${definitions.loadDurationMs} ms`);
          return { provider, definitions, error: null } as const;
        } catch (error) {
          return { provider, definitions: null, error: toLocationError(provider.location.name, error), startedAt, durationMs: Math.round(performance.now() - locationStarted) } as const;
        }
      }),
    );
    const read = await reading;
    if (read.definitions === null) {
      lastGood = null; // read it again next time
      return { ok: false, errors: [toLocationError("(store)", read.error)], durationMs: Math.round(performance.now() - started) };
    }
    const previous = read.definitions;
    const loaded: LocationDefinitions[] = [];
    const failures: LocationFailure[] = [];
    const errors: LocationLoadError[] = [];
    const outcomes = new Map<string, { readonly definitions: LocationDefinitions } | { readonly failure: LocationFailure }>();
    const followUpsOf = new Map<string, LocationFollowUp>();
    for (const result of results) {
      if (result.definitions) {
        const definitions = withoutFollowUp(result.definitions);
        if (result.definitions.followUp) followUpsOf.set(result.provider.location.name, result.definitions.followUp);
        loaded.push(definitions);
        outcomes.set(result.provider.location.name, { definitions });
        continue;
      }
      errors.push(result.error);
      const failure: LocationFailure = {
        location: result.provider.location,
        error: { code: result.error.code, message: result.error.message, at: result.startedAt },
        lastGood: previous.get(result.provider.location.name) ?? null,
      };
      failures.push(failure);
      outcomes.set(result.provider.location.name, { failure });
      try {
        await store?.recordLoadFailure({
          location: result.provider.location,
          error: result.error,
          startedAt: result.startedAt,
          durationMs: result.durationMs,
        });
      } catch (error) {
        // The failure is still shown (the graph carries it); only its record in the load history is missing.
        onProgress(`could not record the failed load of "${result.provider.location.name}" in the store: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    // In the providers' order, whether loaded now or kept from before.
    const inOrder = providers.flatMap((p) => {
      const outcome = outcomes.get(p.location.name) ?? (kept.length > 0 ? latest.get(p.location.name) : undefined);
      return outcome ? [outcome] : [];
    });
    let next: CatalogGraph;
    try {
      // Serialized (and compressed) for the store before the graph needs their hashes: one pass, off the event loop's back.
      if (store) await Promise.all(loaded.map(prepareSnapshot));
      next = graphOf(inOrder);
    } catch (error) {
      errors.push(toLocationError(error instanceof LoadError && error.locationName ? error.locationName : "(catalog)", error));
      return { ok: false, errors, durationMs: Math.round(performance.now() - started) };
    }
    if (store && loaded.length > 0) {
      try {
        await store.saveDefinitions(loaded);
      } catch (error) {
        errors.push(toLocationError("(store)", error));
        return { ok: false, errors, durationMs: Math.round(performance.now() - started) };
      }
    }
    for (const definitions of loaded) previous.set(definitions.location.name, definitions);
    for (const [name, outcome] of outcomes) latest.set(name, outcome);
    graph = next;
    for (const definitions of loaded) {
      const name = definitions.location.name;
      // A newer load of the location is served: an older follow-up's result would replace it with older definitions.
      followUps.get(name)?.controller.abort(new LoadError("superseded", `a newer load of "${name}" was swapped in`, { locationName: name }));
      followUps.delete(name);
      const followUp = followUpsOf.get(name);
      if (followUp && runFollowUps) startFollowUp(name, definitions, followUp);
    }
    return { ok: true, graph: next, errors, durationMs: Math.round(performance.now() - started) };
  }

  function startFollowUp(name: string, base: LocationDefinitions, followUp: LocationFollowUp): void {
    const controller = new AbortController();
    const entry = { controller, status: { describe: followUp.describe, state: "pending", total: null, done: 0, durationMs: null, error: null } as FollowUpStatus };
    followUps.set(name, entry);
    const event = (kind: FollowUpEvent["event"]) => {
      const { total, done, durationMs, error } = entry.status;
      onFollowUp({ locationName: name, describe: followUp.describe, event: kind, total, done, durationMs, error });
    };
    const superseded = () => event("superseded");
    const work = followUpQueue.then(async () => {
      if (controller.signal.aborted) return superseded();
      const started = performance.now();
      entry.status = { ...entry.status, state: "computing" };
      event("started");
      let lastEvent = 0;
      let result: LocationDefinitions;
      try {
        result = withoutFollowUp(
          await followUp.run({
            signal: controller.signal,
            onProgress: (done, total) => {
              entry.status = { ...entry.status, done, total };
              const now = performance.now();
              if (now - lastEvent >= 5000) {
                lastEvent = now;
                event("progress");
              }
            },
          }),
        );
      } catch (error) {
        if (controller.signal.aborted) return superseded();
        const message = error instanceof Error ? error.message : String(error);
        entry.status = { ...entry.status, state: "failed", durationMs: Math.round(performance.now() - started), error: message };
        onProgress(`warning: ${followUp.describe} of "${name}" failed; it is served without it: ${message}`);
        return event("failed");
      }
      const applied = await exclusive(() => apply(name, base, result, controller.signal));
      if (applied === "superseded") return superseded();
      const durationMs = Math.round(performance.now() - started);
      if (applied !== "applied") {
        entry.status = { ...entry.status, state: "failed", durationMs, error: applied.error };
        onProgress(`warning: ${followUp.describe} of "${name}" could not be swapped in; it is served without it: ${applied.error}`);
        return event("failed");
      }
      entry.status = { ...entry.status, state: "done", durationMs, done: entry.status.total ?? entry.status.done };
      onProgress(`${followUp.describe} of "${name}" swapped in after ${durationMs} ms`);
      event("applied");
    }).catch((error: unknown) => {
      // Only a bug gets here (a listener that throws): the served definitions stay as they are.
      onProgress(`warning: ${followUp.describe} of "${name}" stopped: ${error instanceof Error ? error.message : String(error)}`);
    });
    followUpQueue = work;
    running.add(work);
    void work.finally(() => running.delete(work));
  }

  /**
   * Swaps a follow-up's result in for `base`, like a load of that location: only while the location still
   * serves `base` (as its definitions, or as the last good ones behind a failed newer load).
   */
  async function apply(name: string, base: LocationDefinitions, result: LocationDefinitions, signal: AbortSignal): Promise<"applied" | "superseded" | { error: string }> {
    const current = latest.get(name);
    if (signal.aborted || !current || !graph) return "superseded";
    let replaced: { readonly definitions: LocationDefinitions } | { readonly failure: LocationFailure };
    if ("definitions" in current && current.definitions === base) replaced = { definitions: result };
    else if ("failure" in current && current.failure.lastGood === base) replaced = { failure: { ...current.failure, lastGood: result } };
    else return "superseded";
    const inOrder = providers.flatMap((p) => {
      const outcome = p.location.name === name ? replaced : latest.get(p.location.name);
      return outcome ? [outcome] : [];
    });
    let next: CatalogGraph;
    try {
      if (store) await prepareSnapshot(result);
      next = graphOf(inOrder);
      await store?.saveDefinitions([result]);
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
    latest.set(name, replaced);
    lastGood?.set(name, result);
    graph = next;
    return "applied";
  }

  /** Runs `work` while no load is in flight and no other result is being swapped in. */
  async function exclusive<T>(work: () => Promise<T>): Promise<T> {
    while (inFlight || applying) await (inFlight ?? applying)!.catch(() => undefined);
    const promise = work();
    applying = promise;
    try {
      return await promise;
    } finally {
      if (applying === promise) applying = null;
    }
  }

  function start(only: ReadonlySet<string> | null): Promise<ReloadOutcome> {
    if (!inFlight) {
      inFlight = (async () => {
        while (applying) await applying.catch(() => undefined);
        return loadAll(only);
      })()
        // Bad input never throws (loadAll catches it); this is for a bug, so reload() still never rejects.
        .catch((error: unknown): ReloadOutcome => ({ ok: false, errors: [toLocationError("(catalog)", error)], durationMs: 0 }))
        .then((outcome) => {
          options.onReload?.(outcome);
          return outcome;
        })
        .finally(() => {
          inFlight = null;
        });
    }
    return inFlight;
  }

  return {
    current() {
      if (!graph) throw new Error("The catalog has not loaded yet");
      return graph;
    },
    get ready() {
      return graph !== null;
    },
    reload() {
      return start(null);
    },
    async reloadLocations(names) {
      while (inFlight) await inFlight;
      return start(new Set(names));
    },
    followUp(locationName) {
      return followUps.get(locationName)?.status ?? null;
    },
    async settled() {
      while (inFlight || running.size > 0) await Promise.allSettled([inFlight, ...running]);
    },
    async stopFollowUps() {
      for (const [name, { controller }] of followUps) controller.abort(new LoadError("stopped", `the catalog service stopped`, { locationName: name }));
      await Promise.allSettled([...running]);
    },
  };
}

/**
 * `provider.load` with an abort signal that fires after `timeoutMs`; the load fails with `load_timeout` then
 * even if the provider ignores the signal (its work is abandoned, its result dropped).
 */
async function loadWithTimeout(provider: DefinitionsProvider, timeoutMs: number, onProgress: (message: string) => void): Promise<LocationDefinitions> {
  const controller = new AbortController();
  const { name, origin } = provider.location;
  const timeout = new LoadError(
    "load_timeout",
    `Loading location "${name}" (${origin}) took longer than ${formatDuration(timeoutMs)} and was stopped`,
    { locationName: name },
  );
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort(timeout);
      reject(timeout);
    }, timeoutMs);
  });
  try {
    return await Promise.race([provider.load({ signal: controller.signal, onProgress }), expired]);
  } finally {
    clearTimeout(timer);
  }
}

function formatDuration(ms: number): string {
  return ms >= 60_000 && ms % 60_000 === 0 ? `${ms / 60_000} min` : ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`;
}

function toLocationError(locationName: string, error: unknown): LocationLoadError {
  if (error instanceof LoadError) {
    return { locationName: error.locationName ?? locationName, code: error.code, message: error.message, file: error.file, nodeId: error.nodeId, jsonPath: error.jsonPath };
  }
  const code = typeof (error as { code?: unknown })?.code === "string" ? (error as { code: string }).code : "load_failed";
  return { locationName, code, message: error instanceof Error ? error.message : String(error), file: null, nodeId: null, jsonPath: null };
}
