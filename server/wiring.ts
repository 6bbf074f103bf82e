/**
 * The one place connectors are wired into the catalog: builds the locations named by flags and
 * tributary.yaml, opens the store (embedded PGlite, or Postgres via DATABASE_URL), and returns the catalog
 * service `serve` and `check` run on.
 */
import { resolve } from "node:path";
import type { ConnectorLocation, DefinitionsProvider, PolicyRule } from "../catalog/model/index.ts";
import { createConnectorLocations, liveStateLookup } from "./connectors.ts";
import { createCatalogService as createService } from "../catalog/service.ts";
import { openCatalogStore, scheduleSql } from "../catalog/store/index.ts";
import type { CatalogStore } from "../catalog/store/index.ts";
import { loadConfig } from "./config.ts";
import { createStoreAutomationSource } from "./automation-source.ts";
import type { CatalogServiceRequest, ServeRuntime } from "./serve.ts";
import { matchesKeyGlob, keyToString, NO_JOBS_OR_SCHEDULES } from "../catalog/model/index.ts";
import { createBackfillService, createRunQueue, createRunEngine } from "../scheduler/runs/index.ts";
import type { BackfillService, RetryPolicy } from "../scheduler/runs/index.ts";
import { createDaemon, createLeaderLease } from "../scheduler/daemon/index.ts";
import type { LoadedConfig } from "./config.ts";
import { createRunChanges, createRunsSource } from "./runs-source.ts";
import { createReportSink } from "./report-sink.ts";
import { createPartitionsSource } from "./partitions-source.ts";
import { createAccessStore } from "./auth/tokens.ts";
import { createAlertMonitor } from "./alerts/monitor.ts";
import { createFreshnessRecorder } from "./freshness-checks.ts";
import { createWarehouseRefresh } from "./warehouse-refresh.ts";
import { createOpenLineage, locationNamespaces, resolveOpenLineageSettings } from "./lineage/setup.ts";

/** Builds every connector location the request and its config file name. */
export async function createProviders(request: Pick<CatalogServiceRequest, "config" | "dbtProjects" | "manifests" | "dataDir" | "logger">): Promise<{
  /** Every configured location: its provider, launcher and observer. */
  locations: ConnectorLocation[];
  providers: DefinitionsProvider[];
  databaseUrl: string | null;
  /** The data dir in effect: tributary.yaml's storage.data_dir, else the flag. */
  dataDir: string;
  /** tributary.yaml's `policies`, for assets that declare none. */
  policyRules: readonly PolicyRule[];
  loaded: LoadedConfig | null;
}> {
  const loaded = request.config ? await loadConfig(request.config) : null;
  const dataDir = loaded?.dataDir ?? resolve(request.dataDir);
  const locations = await createConnectorLocations({ loaded, dbtProjects: request.dbtProjects, manifests: request.manifests, dataDir, logger: request.logger });
  const databaseUrl = process.env["DATABASE_URL"] || loaded?.config.storage.database_url || null;
  return { locations, providers: locations.map((l) => l.provider), databaseUrl, dataDir, policyRules: loaded?.policyRules ?? [], loaded };
}

/** The job queue's schema: beside the store's, so installations in different schemas never share jobs. */
export function queueSchemaFor(storeSchema: string | null): string {
  return storeSchema === null ? "tributary_queue" : `${storeSchema}_queue`;
}

/** Retries for a failed run: the first `policies[].retry` rule matching one of its assets, else scheduler.retry. */
function retryPolicyFrom(loaded: LoadedConfig | null): (run: { readonly assetKeys: readonly (readonly string[])[] }) => RetryPolicy | null {
  const toPolicy = (retry: { max_retries: number; delay_seconds: number; backoff: "constant" | "exponential" }): RetryPolicy | null =>
    retry.max_retries > 0 ? { maxRetries: retry.max_retries, delayMs: retry.delay_seconds * 1000, backoff: retry.backoff } : null;
  return (run) => {
    for (const key of run.assetKeys) {
      const rule = loaded?.retryRules.find((r) => matchesKeyGlob(keyToString(key), r.assets));
      if (rule) return toPolicy(rule.retry);
    }
    return loaded?.config.scheduler.retry ? toPolicy(loaded.config.scheduler.retry) : null;
  };
}

/**
 * Seams for tests that run the real wiring (server/demo-loop.test.ts); the CLI sets none of them.
 */
export interface WiringOptions {
  /**
   * The scheduler daemon's clock: what its ticks evaluate cron schedules against and record as their time
   * (default the real one). Only the daemon reads it: runs, heartbeats, retries and the tools keep the real
   * clock, so a test can move it past an `on_cron` tick without waiting for the hour.
   */
  readonly schedulerNow?: () => Date;
  /** Called once the store is open, for a test to read runs, events and check results straight from it. */
  readonly onStore?: (store: CatalogStore) => void;
}

/** See {@link import("./serve.ts").ServeDependencies.createCatalogService}. */
export async function createCatalogService(
  request: CatalogServiceRequest,
  onProgress: (message: string) => void,
  options: WiringOptions = {},
): Promise<ServeRuntime> {
  const { locations, providers, databaseUrl, dataDir, policyRules, loaded } = await createProviders(request);
  // Checked before anything opens, by `check` too: an http transport without a URL stops the start.
  const lineageSettings = resolveOpenLineageSettings(loaded, process.env);
  // `check` validates only: it writes nothing, so it needs no store; nor column lineage (no diagnostic comes of it).
  if (request.purpose !== "serve") {
    const service = createService({ providers, store: null, policyRules, onProgress, runFollowUps: false });
    return {
      jobsAndSchedules: loaded?.jobsAndSchedules ?? NO_JOBS_OR_SCHEDULES,
      current: () => service.current(),
      get ready() {
        return service.ready;
      },
      reload: () => service.reload(),
      async close() {},
    };
  }
  onProgress(databaseUrl ? "opening the Postgres store (DATABASE_URL)" : `opening the embedded store in ${dataDir}`);
  const keep = loaded?.config.storage.keep_snapshots_per_location;
  const followUpLog = request.logger.child({ component: "catalog" });
  const opening = openCatalogStore({ databaseUrl, dataDir, logger: request.logger, ...(keep !== undefined ? { keepSnapshotsPerLocation: keep } : {}) });
  // The first load starts now and reads its manifests while the store opens (PGlite compiles its WebAssembly
  // off the main thread meanwhile); it reaches the store only to read the last good definitions and to save.
  // `serve` joins this load with its own reload() call. Should the store fail to open, the load ends
  // with the same error, and the start stops with it below.
  const service = createService({
    providers,
    store: {
      saveDefinitions: async (batch) => (await opening).saveDefinitions(batch),
      recordLoadFailure: async (failure) => (await opening).recordLoadFailure(failure),
      currentDefinitions: async () => (await opening).currentDefinitions(),
    },
    policyRules,
    onProgress,
    // Column lineage, computed on a worker thread after each load of a dbt location is served.
    onFollowUp: (event) => {
      const fields = { location: event.locationName, models: event.total, modelsDone: event.done, durationMs: event.durationMs };
      const what = event.describe;
      if (event.event === "failed") followUpLog.warn({ ...fields, error: event.error }, `${what} failed; the location is served without it`);
      else if (event.event === "applied") followUpLog.info(fields, `${what} swapped in`);
      else if (event.event === "started") followUpLog.info(fields, `computing ${what} in the background`);
      else if (event.event === "progress") followUpLog.info(fields, `computing ${what}`);
      else followUpLog.debug(fields, `${what} superseded by a newer load`);
    },
  });
  void service.reload();
  const store = await opening;
  options.onStore?.(store);
  const graph = () => (service.ready ? service.current() : null);
  const scheduler = loaded?.config.scheduler ?? { tick_interval_seconds: 30, heartbeat_seconds: 5, stale_after_seconds: 30 };
  const runsLog = request.logger.child({ component: "runs" });
  const launchers = locations.flatMap((location) => (location.launcher ? [location.launcher] : []));
  const changes = createRunChanges();
  // What the warehouses hold is read again when a run ends and when an observer records a tool's own sync.
  const warehouseLog = request.logger.child({ component: "warehouse" });
  const warehouseRefresh = createWarehouseRefresh({
    locationNames: locations.filter((location) => location.tool === "warehouse").map((location) => location.name),
    reloadLocations: (names) => service.reloadLocations(names),
    changedLocations: async () => {
      const changed = await Promise.all(locations.map(async (location) => ((await location.changedByRuns?.()) ? [location.name] : [])));
      return changed.flat();
    },
    runEnded: async (runId) => (await store.getRun(runId))?.endedAt != null,
    onRefreshed: (outcome) => {
      if (outcome.errors.length > 0) warehouseLog.warn({ errors: outcome.errors.map((e) => `${e.locationName}: ${e.message}`) }, "refreshing the warehouse failed");
      else warehouseLog.debug({ durationMs: outcome.durationMs }, "refreshed the warehouse after new data");
    },
    onError: (error) => warehouseLog.warn({ error: error instanceof Error ? error.message : String(error) }, "refreshing the warehouse failed"),
  });
  // OpenLineage (tributary.yaml openlineage:, or OPENLINEAGE_URL): each run's and step's transitions, sent in the background.
  const lineage =
    lineageSettings === null
      ? null
      : createOpenLineage({
          settings: lineageSettings,
          namespaces: await locationNamespaces(loaded, request.dbtProjects, request.logger),
          graph,
          client: store.client,
          logger: request.logger,
          onRunChanged: (runId) => changes.notify(runId),
        });
  const queue = createRunQueue({
    client: store.client,
    schema: queueSchemaFor(store.client.schema),
    onError: (error) => runsLog.warn({ error: error.message }, "the job queue reported an error"),
  });
  let engine: ReturnType<typeof createRunEngine>;
  // The engine hands each ended run to the backfills (a partition that waited for it is sent then); they plan with the engine.
  let backfills: BackfillService | null = null;
  try {
    onProgress("starting the job queue and run workers");
    await queue.start();
    engine = createRunEngine({
      store,
      queue,
      launchers,
      graph,
      logger: runsLog,
      heartbeatMs: scheduler.heartbeat_seconds * 1000,
      staleAfterMs: scheduler.stale_after_seconds * 1000,
      // One process owns the embedded store: a step left running there is a crashed process's.
      takeOverAllAtStart: store.dialect === "pglite",
      retryPolicy: retryPolicyFrom(loaded),
      onRunChanged: (runId) => {
        changes.notify(runId);
        warehouseRefresh.runChanged(runId);
      },
      ...(lineage ? { onTransition: (transition) => lineage.onTransition(transition) } : {}),
      onRunFinished: (tx, run) => backfills?.onRunFinished(tx, run) ?? Promise.resolve([]),
    });
    backfills = createBackfillService({ store, engine, graph, logger: runsLog });
    await engine.start();
  } catch (error) {
    await queue.stop().catch(() => undefined);
    await store.close();
    throw error;
  }
  const jobsAndSchedules = loaded?.jobsAndSchedules ?? NO_JOBS_OR_SCHEDULES;
  const daemon = request.scheduler
    ? createDaemon({
        store,
        engine,
        lease: createLeaderLease(store.client),
        graph,
        logger: request.logger.child({ component: "scheduler" }),
        intervalMs: scheduler.tick_interval_seconds * 1000,
        name: engine.workerId,
        schedules: () => jobsAndSchedules,
        ...(options.schedulerNow ? { now: options.schedulerNow } : {}),
      })
    : null;
  // While the catalog loads, the daemon takes the lease and reads back what it left at its last stop (the
  // snapshot decoded, the plan once the graph is there): its first tick then costs what a settled one does.
  void daemon?.prepare();
  // The tools' own syncs are recorded as materializations while serving (they need no catalog).
  const observed = request.scheduler ? locations.filter((location) => location.observer !== null) : [];
  for (const location of observed) {
    location.observer!.start(warehouseRefresh.wrapSink(store), (error) =>
      request.logger.warn({ component: location.tool, location: location.name, error: error instanceof Error ? error.message : String(error) }, `observing ${location.tool} failed`),
    );
  }
  // Alerts (tributary.yaml alerts:) run with the scheduler's background work; incidents are sent once across processes.
  const alerts =
    request.scheduler && loaded && loaded.config.alerts.rules.length > 0
      ? createAlertMonitor({ config: loaded.config.alerts, client: store.client, graph, state: createStoreAutomationSource(store, graph).state, logger: request.logger })
      : null;
  // Freshness targets (on_freshness) become `freshness` check results on each change of state, with the scheduler.
  const freshness = request.scheduler
    ? createFreshnessRecorder({
        store,
        graph,
        state: createStoreAutomationSource(store, graph).state,
        intervalMs: scheduler.tick_interval_seconds * 1000,
        logger: request.logger,
        ...(options.schedulerNow ? { now: () => options.schedulerNow!().getTime() } : {}),
      })
    : null;
  let backgroundStarted = false;
  return {
    current: () => service.current(),
    get ready() {
      return service.ready;
    },
    reload: () => service.reload(),
    followUp: (name) => service.followUp(name),
    settled: () => service.settled(),
    events: store,
    automation: createStoreAutomationSource(store, graph),
    runs: createRunsSource(store, engine, { changes }),
    reportSink: createReportSink(store),
    access: createAccessStore(store.client),
    ...(store.dialect === "postgres" ? { sharedLimitStore: store.client } : {}),
    partitions: createPartitionsSource(store, backfills),
    liveMaterializerMetadata: liveStateLookup(locations),
    jobsAndSchedules,
    schedules: {
      states: () => scheduleSql.scheduleStates(store.client),
      latestTicks: () => scheduleSql.latestScheduleTicks(store.client),
      ticks: (schedule, limit) => scheduleSql.scheduleTicks(store.client, schedule, limit),
      setStatus: (schedule, status, by) => scheduleSql.setScheduleStatus(store.client, schedule, status, by, options.schedulerNow?.() ?? new Date()),
    },
    startBackground() {
      alerts?.start();
      freshness?.start();
      if (backgroundStarted || !daemon) return;
      backgroundStarted = true;
      daemon.start();
    },
    async close() {
      await service.stopFollowUps();
      await alerts?.stop();
      await freshness?.stop();
      await daemon?.stop();
      await Promise.all(observed.map((location) => location.observer!.stop()));
      await engine.stop();
      await lineage?.stop();
      await warehouseRefresh.stop();
      await store.close();
    },
  };
}
