/**
 * What `tributary serve` and `tributary check` do, apart from parsing arguments (./cli.ts) and from building the
 * catalog service out of connectors (./wiring.ts, passed in as `deps`), so both can be tested with fakes.
 */
import type { Logger } from "pino";
import type { CatalogGraph } from "../catalog/graph/index.ts";
import type { Diagnostic } from "../catalog/model/index.ts";
import type { LocationLoadError, ReloadOutcome } from "../catalog/service.ts";
import { isReady, type CatalogSource } from "./graphql/context.ts";
import { createTributaryServer, ServerStartError, type TributaryServer } from "./http.ts";
import { formatDiagnostic, formatLocationError, formatStartupError, sortDiagnostics } from "./report.ts";
import { loadConfig } from "./config.ts";
import { resolveServerSettings, type ServerSettings } from "./auth/settings.ts";
import { resolveJobsAndSchedules } from "../scheduler/schedules/index.ts";

/** Where the definitions come from: the location flags shared by `serve` and `check`. */
export interface LocationOptions {
  /** tributary.yaml, or null when the locations are given by flags only. */
  readonly config: string | null;
  readonly dbtProjects: readonly string[];
  readonly manifests: readonly string[];
  /** Where the embedded store lives (ignored when DATABASE_URL names a Postgres server). */
  readonly dataDir: string;
}

/** What `deps.createCatalogService` is asked to build. */
export interface CatalogServiceRequest extends LocationOptions {
  /** Whether the scheduler daemon should run (false for `check` and `--no-scheduler`). */
  readonly scheduler: boolean;
  /** `check` only validates: it must not write to the store or start anything. */
  readonly purpose: "serve" | "check";
  readonly logger: Logger;
}

/** The catalog service and whatever else the wiring started (store, scheduler), as the server sees it. */
export interface ServeRuntime extends CatalogSource {
  /**
   * Starts the background work (the scheduler's ticks, the observers) once the catalog has loaded and is
   * served, so the first tick evaluates the real catalog at once instead of one interval later.
   */
  startBackground?(): void;
  /** Stops what the wiring started (scheduler, store); called on shutdown. */
  close?(): Promise<void>;
  /** Resolves once no load is in flight and the locations' follow-ups (column lineage) have ended: for tests and tools. */
  settled?(): Promise<void>;
}

/** What the server needs from the wiring of connectors, store and scheduler (./wiring.ts). */
export interface ServeDependencies {
  /**
   * Builds the catalog service for the requested locations. It may load them itself or leave the first load
   * to the caller: when the returned service is not `ready`, `reload()` is called once. Throw a `LoadError`
   * for a configuration that cannot be used at all.
   */
  createCatalogService(request: CatalogServiceRequest, onProgress: (message: string) => void): Promise<ServeRuntime>;
}

/** Lines for people: progress and problems on stderr, results (the URL) on stdout. */
export interface ConsoleOutput {
  out(line: string): void;
  err(line: string): void;
}

/** The process's stdout and stderr. */
export const processOutput: ConsoleOutput = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

export interface ServeOptions extends LocationOptions {
  /** Interface to listen on: the flag; when undefined, tributary.yaml's server.host, else 127.0.0.1. */
  readonly host?: string | undefined;
  /** The flag; when undefined, server.port, else 3000. */
  readonly port?: number | undefined;
  /** Run the scheduler daemon (`--no-scheduler` turns it off). */
  readonly scheduler: boolean;
  /** Treat error diagnostics as fatal at startup. */
  readonly strict: boolean;
}

export interface CheckOptions extends LocationOptions {
  /** Fail on warnings too. */
  readonly strict: boolean;
}

/** A serve that started: where it is, and how to stop it. */
export interface RunningServe {
  readonly ok: true;
  readonly graphqlUrl: string;
  readonly server: TributaryServer;
  /** Stops the HTTP server (letting requests in flight finish) and what the wiring started. Idempotent. */
  stop(): Promise<void>;
}

/** A serve that could not start; everything it started is stopped again, and the reason was printed. */
export interface FailedServe {
  readonly ok: false;
  readonly exitCode: number;
}

interface LoadedCatalog {
  readonly runtime: ServeRuntime;
  readonly graph: CatalogGraph;
  readonly errors: readonly LocationLoadError[];
}

/** Builds the service and makes sure it has loaded once; prints and returns null on a failure that leaves no graph. */
async function loadCatalog(
  request: CatalogServiceRequest,
  deps: ServeDependencies,
  output: ConsoleOutput,
): Promise<{ loaded: LoadedCatalog | null; runtime: ServeRuntime | null }> {
  let runtime: ServeRuntime;
  try {
    runtime = await deps.createCatalogService(request, (message) => output.err(`  ${message}`));
  } catch (error) {
    output.err(formatStartupError(error));
    return { loaded: null, runtime: null };
  }
  let errors: readonly LocationLoadError[] = [];
  if (!isReady(runtime)) {
    if (runtime.reload === undefined) {
      output.err("error: the catalog service has no catalog and cannot load one");
      return { loaded: null, runtime };
    }
    let outcome: ReloadOutcome;
    try {
      outcome = await runtime.reload();
    } catch (error) {
      output.err(formatStartupError(error));
      return { loaded: null, runtime };
    }
    errors = outcome.errors;
    if (!outcome.ok) {
      for (const error of errors) output.err(formatLocationError(error));
      return { loaded: null, runtime };
    }
  }
  return { loaded: { runtime, graph: runtime.current(), errors }, runtime };
}

/** The graph's diagnostics and those of the jobs and schedules resolved over it (a selection matching nothing, a bad cron). */
function diagnosticsOf(loaded: LoadedCatalog): Diagnostic[] {
  const declared = loaded.runtime.jobsAndSchedules;
  if (!declared) return [...loaded.graph.diagnostics];
  return [...loaded.graph.diagnostics, ...resolveJobsAndSchedules(loaded.graph, declared).diagnostics];
}

/** Location errors of a load: those the reload reported, else those recorded on the graph's locations. */
function locationErrors(loaded: LoadedCatalog): LocationLoadError[] {
  if (loaded.errors.length > 0) return [...loaded.errors];
  return loaded.graph.locations
    .filter((status) => status.state === "failed" && status.error !== null)
    .map((status) => ({
      locationName: status.location.name,
      code: status.error?.code ?? "load_failed",
      message: status.error?.message ?? "failed to load",
      file: null,
      nodeId: null,
      jsonPath: null,
    }));
}

function countBySeverity(diagnostics: readonly Diagnostic[]) {
  return {
    errors: diagnostics.filter((d) => d.severity === "error").length,
    warnings: diagnostics.filter((d) => d.severity === "warning").length,
  };
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

/** The address to probe the server on: a wildcard bind address is reached through loopback. */
function probeUrl(graphqlUrl: string, host: string): string {
  if (host === "0.0.0.0") return graphqlUrl.replace("//0.0.0.0:", "//127.0.0.1:");
  if (host === "::") return graphqlUrl.replace("//[::]:", "//[::1]:");
  return graphqlUrl;
}

/** Asks the running server a real query, so the URL is printed only once it is answered. */
async function probe(url: string, anonymousReads: boolean): Promise<void> {
  if (!anonymousReads) {
    // Without an anonymous role a query needs a token: readiness (the catalog is served) is what can be asked.
    const ready = await fetch(url.replace(/\/graphql$/, "/readyz"), { signal: AbortSignal.timeout(10_000) });
    if (ready.status !== 200) throw new Error(`the server is not ready (HTTP ${ready.status} from /readyz)`);
    return;
  }
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ query: "{ assets(first: 0) { totalCount } }" }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await response.json()) as { data?: { assets?: { totalCount?: unknown } }; errors?: { message: string }[] };
  if (typeof body.data?.assets?.totalCount !== "number") {
    throw new Error(`the server did not answer a test query (HTTP ${response.status}: ${body.errors?.[0]?.message ?? "no data"})`);
  }
}

/**
 * `tributary serve`: binds the port first (so a port in use fails at once, and /healthz answers during a long
 * load), loads the locations while printing progress, then serves the catalog and prints the GraphQL URL on
 * stdout once a test query over HTTP is answered. A location that fails to load at startup serves its last
 * good definitions from the store, with its error printed and shown; one that has none stops everything with
 * exit code 1, and so does, with `strict`, any load failure or error diagnostic.
 */
export async function startServe(
  options: ServeOptions,
  deps: ServeDependencies,
  context: { readonly logger: Logger; readonly output?: ConsoleOutput },
): Promise<RunningServe | FailedServe> {
  const { logger, output = processOutput } = context;
  // tributary.yaml's server: and auth: sections. A file that cannot be read is the wiring's to report (it reads
  // the same file next, and stops the start with its error).
  const config = options.config ? await loadConfig(options.config).then((loaded) => loaded.config, () => null) : null;
  const settings: ServerSettings = resolveServerSettings(options, config, process.env);
  const { host, security } = settings;
  const server = createTributaryServer({ catalog: null, logger, host, port: settings.port, security });
  let graphqlUrl: string;
  try {
    graphqlUrl = (await server.listen()).graphqlUrl;
    for (const warning of settings.warnings) output.err(warning);
  } catch (error) {
    output.err(error instanceof ServerStartError ? `error: ${error.message}` : formatStartupError(error));
    await server.close();
    return { ok: false, exitCode: 1 };
  }

  const started = performance.now();
  output.err("Loading locations…");
  const { loaded, runtime } = await loadCatalog(
    { ...options, scheduler: options.scheduler, purpose: "serve", logger },
    deps,
    output,
  );
  const fail = async (): Promise<FailedServe> => {
    await server.close();
    await runtime?.close?.();
    return { ok: false, exitCode: 1 };
  };
  if (loaded === null) return fail();

  // A location that failed but has last good definitions in the store serves those, as a reload does; one
  // with nothing to serve stops the start. --strict refuses both.
  const failures = locationErrors(loaded);
  const lastGoodAt = new Map(
    loaded.graph.locations.filter((status) => status.state === "failed" && status.loadedAt !== null).map((status) => [status.location.name, status.loadedAt!]),
  );
  const unserved = failures.filter((failure) => !lastGoodAt.has(failure.locationName));
  for (const failure of failures) output.err(formatLocationError(failure));
  if (unserved.length > 0) {
    output.err(`error: ${plural(unserved.length, "location")} failed to load; fix ${unserved.length === 1 ? "it" : "them"} and start again`);
    return fail();
  }
  if (failures.length > 0 && options.strict) {
    output.err(`error: ${plural(failures.length, "location")} failed to load and --strict is set (their last good definitions are not served)`);
    return fail();
  }
  for (const failure of failures) {
    output.err(
      `warning: location ${failure.locationName} failed to load; serving its last good definitions, loaded ${lastGoodAt.get(failure.locationName)} ` +
        `(the error shows on the location until a reload succeeds)`,
    );
  }
  const diagnostics = sortDiagnostics(diagnosticsOf(loaded));
  const { errors, warnings } = countBySeverity(diagnostics);
  for (const diagnostic of diagnostics.filter((d) => d.severity === "error")) output.err(formatDiagnostic(diagnostic));
  if (options.strict && errors > 0) {
    output.err(`error: ${plural(errors, "error diagnostic")} and --strict is set`);
    return fail();
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  output.err(
    `Loaded ${plural(loaded.graph.locations.length, "location")}, ${plural(loaded.graph.assets.length, "asset")} in ${seconds} s` +
      (errors + warnings > 0 ? ` (${plural(errors, "error")}, ${plural(warnings, "warning")}; see the diagnostics query)` : ""),
  );

  server.setCatalog(loaded.runtime);
  try {
    await probe(probeUrl(graphqlUrl, host), security.anonymous !== null);
  } catch (error) {
    output.err(formatStartupError(error));
    return fail();
  }
  output.out(`Tributary is serving ${graphqlUrl}`);
  output.err(
    `Open the catalog at ${graphqlUrl.replace(/graphql$/, "")} (GraphQL and GraphiQL at ${graphqlUrl}); ` +
      `another port: --port <n>${options.scheduler ? "; the scheduler ticks and launches runs (--no-scheduler turns it off)" : ""}`,
  );
  loaded.runtime.startBackground?.();

  let stopping: Promise<void> | null = null;
  return {
    ok: true,
    graphqlUrl,
    server,
    stop() {
      stopping ??= (async () => {
        await server.close();
        await loaded.runtime.close?.();
      })();
      return stopping;
    },
  };
}

/**
 * `tributary check`: loads every location without serving or storing anything, prints each problem as
 * `file:line: severity: message`, and returns the exit code: 1 when a location fails to load or any error
 * diagnostic exists (with `strict`, any warning too), else 0.
 */
export async function runCheck(
  options: CheckOptions,
  deps: ServeDependencies,
  context: { readonly logger: Logger; readonly output?: ConsoleOutput },
): Promise<number> {
  const { logger, output = processOutput } = context;
  const { loaded, runtime } = await loadCatalog({ ...options, scheduler: false, purpose: "check", logger }, deps, output);
  try {
    if (loaded === null) return 1;
    const failures = locationErrors(loaded);
    for (const failure of failures) output.err(formatLocationError(failure));
    const diagnostics = sortDiagnostics(diagnosticsOf(loaded));
    for (const diagnostic of diagnostics) output.err(formatDiagnostic(diagnostic));
    const { errors, warnings } = countBySeverity(diagnostics);
    const failed = failures.length > 0 || errors > 0 || (options.strict && warnings > 0);
    output.err(
      `${failed ? "Check failed" : "Check passed"}: ${plural(loaded.graph.locations.length, "location")}, ` +
        `${plural(loaded.graph.assets.length, "asset")}, ${plural(failures.length, "load failure")}, ` +
        `${plural(errors, "error")}, ${plural(warnings, "warning")}`,
    );
    return failed ? 1 : 0;
  } finally {
    await runtime?.close?.();
  }
}
