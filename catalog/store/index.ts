/**
 * Tributary's store: everything that must survive a restart, in a Postgres-dialect database.
 *
 * Glossary
 * - engine: PGlite (embedded, the default: a data directory on disk) or a Postgres server (`DATABASE_URL`).
 *   One SQL dialect runs on both; see sql-client.ts.
 * - migration: a numbered SQL file in ./migrations, applied once, forward only; see migrations.ts.
 * - snapshot: everything one location said at a load (specs, diagnostics), stored compressed and
 *   deduplicated by content hash; see snapshot-codec.ts.
 * - load: one attempt to load a location, successful (with a snapshot) or failed (with an error).
 * - current definitions: a location's snapshot of its latest successful load — what it serves.
 *
 * Later parts (runs, events, evaluations, cursors, the daemon's leader lock) add their tables as new
 * migrations and their SQL as new modules beside definitions.ts, exposed here.
 */
import type { AssetEventReader, AssetEventSink, LocationDefinitions, CheckResult, CheckResultInput, AssetEvaluation } from "../model/index.ts";
import * as definitions from "./definitions.ts";
import * as events from "./events.ts";
import * as evaluations from "./evaluations.ts";
import * as runs from "./runs.ts";
import type { RunFilter, RunLogLine, RunRecord } from "./runs.ts";
import type { LoadFailure, LocationLoadRecord, PruneResult, SaveDefinitionsResult } from "./definitions.ts";
import { StoreError } from "./errors.ts";
import { silentLogger } from "./logger.ts";
import type { StoreLogger } from "./logger.ts";
import { loadMigrations, migrate } from "./migrations.ts";
import type { Migration } from "./migrations.ts";
import { embeddedDatabaseDir, isNewEmbeddedDatabase, openSqlClient } from "./sql-client.ts";
import { readStoreTemplate } from "./template.ts";
export { ensureStoreTemplate, readStoreTemplate, storeTemplatePath, STORE_TEMPLATE_DIR } from "./template.ts";
import type { SqlClient, SqlClientOptions, SqlDialect } from "./sql-client.ts";

export type { LoadFailure, LoadFailureError, LocationLoadRecord, PruneResult, SaveDefinitionsResult } from "./definitions.ts";
export { StoreError, isStoreError, redactDatabaseUrl } from "./errors.ts";
export type { StoreErrorCode } from "./errors.ts";
export type { StoreLogger } from "./logger.ts";
export { loadMigrations, migrate, readHistory } from "./migrations.ts";
export type { AppliedMigration, Migration, MigrationResult } from "./migrations.ts";
export { DEFAULT_DATA_DIR, IN_MEMORY, openSqlClient } from "./sql-client.ts";
export type { SqlClient, SqlClientOptions, SqlDialect, SqlSession } from "./sql-client.ts";
export * as runSql from "./runs.ts";
export * as automationSql from "./automation.ts";
export * as evaluationSql from "./evaluations.ts";
export * as scheduleSql from "./schedules.ts";
export type { ScheduleStateRecord, ScheduleTickRecord, ScheduleTickStatus } from "./schedules.ts";
export * as partitionSql from "./partitions.ts";
export * as backfillSql from "./backfills.ts";
export type { PartitionedAsset } from "./partitions.ts";
export type { BackfillPartition, BackfillPartitionStatus, BackfillRecord, BackfillStatus, NewBackfill, NewBackfillPartition } from "./backfills.ts";
export type { ClaimedStep, NewRun, NewStep, RunFilter, RunLogLine, RunRecord, RunStep, StepResult } from "./runs.ts";
export type { AutomationInputs, CursorHead, EventRow, LatestEventRow, TickRecord } from "./automation.ts";

/** The store's operations. Every write is one transaction; every read sees one committed state. */
export interface CatalogStore extends AssetEventSink, AssetEventReader {
  readonly dialect: SqlDialect;
  /**
   * Stores several locations' definitions in ONE transaction: all become current, or none do (and the
   * error is thrown). A location whose content equals a stored snapshot reuses it and only records the load.
   */
  saveDefinitions(batch: readonly LocationDefinitions[]): Promise<SaveDefinitionsResult>;
  /** Records a failed load; the location's current definitions are left as they were. */
  recordLoadFailure(failure: LoadFailure): Promise<{ loadId: number }>;
  /**
   * The latest successful definitions of every location that ever loaded, sorted by location name.
   * `loadedAt` is that load's time, in UTC ISO 8601 with milliseconds, whatever offset it was saved with.
   */
  currentDefinitions(): Promise<LocationDefinitions[]>;
  /** The latest load attempt of every location, with what it serves now, sorted by location name. */
  latestLoads(): Promise<LocationLoadRecord[]>;
  /**
   * Deletes snapshots no load needs: keeps each location's current one and its `keepPerLocation` latest others.
   * `saveDefinitions` runs it after each save that stored a new snapshot, with the store's
   * `keepSnapshotsPerLocation` setting.
   */
  pruneSnapshots(options: { keepPerLocation: number }): Promise<PruneResult>;
  /** Stores a tick's condition evaluations (one transaction; an (asset, tick) already stored is kept). */
  saveEvaluations(batch: readonly AssetEvaluation[]): Promise<{ inserted: number }>;
  /** An asset's condition evaluations, newest tick first (at most 500). */
  assetEvaluations(assetId: string, options: { readonly first: number }): Promise<AssetEvaluation[]>;
  /** Records check results (dbt tests) once each; `runId` is the Tributary run that produced them, if any. */
  recordCheckResults(results: readonly CheckResultInput[], runId?: string | null): Promise<{ inserted: number }>;
  /** The latest result of each check of an asset (by key string). */
  latestCheckResults(assetId: string): Promise<CheckResult[]>;
  /** One check's results (or all checks' of the asset when `checkName` is null), newest first. */
  checkHistory(assetId: string, checkName: string | null, limit: number): Promise<CheckResult[]>;
  getRun(id: string): Promise<RunRecord | null>;
  listRuns(filter: RunFilter): Promise<RunRecord[]>;
  countRuns(filter: Pick<RunFilter, "statuses" | "assetId">): Promise<number>;
  runLogs(runId: string, options?: { readonly afterId?: number; readonly limit?: number }): Promise<RunLogLine[]>;
  /**
   * The client itself, for the runs engine and the scheduler's tick: they compose the SQL of ./runs.ts and
   * ./automation.ts (exported as runSql, automationSql) in transactions of their own, and hand the same
   * transaction to the job queue, so a tick's runs and their jobs commit together.
   */
  readonly client: SqlClient;
  /** Closes the database; a second call is harmless, other calls afterwards throw a `closed` StoreError. */
  close(): Promise<void>;
}

/** Options of {@link openCatalogStore}: where the database is, and what to log to. */
export interface CatalogStoreOptions extends SqlClientOptions {
  /** The migrations to apply; the files in ./migrations by default. Tests pass their own. */
  readonly migrations?: readonly Migration[];
  /**
   * Snapshot retention: how many definitions snapshots each location keeps besides its current one
   * (default {@link DEFAULT_KEEP_SNAPSHOTS_PER_LOCATION}); older ones are deleted after each save that
   * stores a new one, their loads staying on record. `null` keeps every snapshot forever.
   */
  readonly keepSnapshotsPerLocation?: number | null;
}

/**
 * 20 older snapshots per location: enough to look back over a day of frequent reloads, while 1,600 reloads
 * of changing definitions no longer grow the database without bound (they grew PGlite from 40 to 65 MB).
 */
export const DEFAULT_KEEP_SNAPSHOTS_PER_LOCATION = 20;

/**
 * Opens the store: a Postgres server when `databaseUrl` is set, else the embedded database in
 * `<dataDir>/pgdata`. Applies pending migrations before returning, and fails with a {@link StoreError} when
 * the database cannot be reached or its migrations do not match this code.
 */
export async function openCatalogStore(options: CatalogStoreOptions = {}): Promise<CatalogStore> {
  // A new embedded database starts from the template of the shipped migrations when one was made (./template.ts).
  const embedded = !options.databaseUrl?.trim() && (options.schema ?? null) === null && options.migrations === undefined;
  // Read once: the template's name and the migrator both need them.
  const migrations = options.migrations ?? loadMigrations();
  const template = embedded && isNewEmbeddedDatabase(embeddedDatabaseDir(options.dataDir)) ? await readStoreTemplate(migrations) : null;
  const client = await openSqlClient({ ...options, initialData: template });
  try {
    return await createCatalogStore(client, { ...options, migrations });
  } catch (error) {
    await client.close().catch(() => undefined);
    throw error;
  }
}

/**
 * The store on an open client, which it then owns (closing the store closes it). Applies pending
 * migrations first. For callers that build the client themselves: tests, tools.
 */
export async function createCatalogStore(
  client: SqlClient,
  options: { readonly logger?: StoreLogger; readonly migrations?: readonly Migration[]; readonly keepSnapshotsPerLocation?: number | null } = {},
): Promise<CatalogStore> {
  const logger = options.logger ?? silentLogger;
  const keep = options.keepSnapshotsPerLocation === undefined ? DEFAULT_KEEP_SNAPSHOTS_PER_LOCATION : options.keepSnapshotsPerLocation;
  if (keep !== null && (!Number.isInteger(keep) || keep < 0)) {
    throw new StoreError("invalid_input", `keepSnapshotsPerLocation must be an integer >= 0 or null, got ${String(keep)}.`, {});
  }
  await migrate(client, options.migrations ?? loadMigrations(), logger);
  let closed = false;
  const open = (): SqlClient => {
    if (closed) throw new StoreError("closed", "The catalog store is closed.");
    return client;
  };
  return {
    dialect: client.dialect,
    saveDefinitions: async (batch) => {
      const result = await definitions.saveDefinitions(open(), batch, logger);
      if (keep !== null && Object.keys(result.snapshotIds).length > result.unchanged.length) {
        // The save has committed: a failed prune only leaves old snapshots for the next save to delete.
        try {
          const { deletedSnapshots } = await definitions.pruneSnapshots(open(), keep);
          if (deletedSnapshots > 0) logger.debug({ deletedSnapshots, keepPerLocation: keep }, "pruned old definitions snapshots");
        } catch (error) {
          logger.warn({ error: error instanceof Error ? error.message : String(error) }, "could not prune old definitions snapshots");
        }
      }
      return result;
    },
    recordLoadFailure: async (failure) => definitions.recordLoadFailure(open(), failure),
    currentDefinitions: async () => definitions.currentDefinitions(open()),
    latestLoads: async () => definitions.latestLoads(open()),
    pruneSnapshots: async ({ keepPerLocation }) => definitions.pruneSnapshots(open(), keepPerLocation),
    recordAssetEvents: async (batch) => events.recordAssetEvents(open(), batch),
    assetEventHistory: async (assetKey, options) => events.assetEventHistory(open(), assetKey, options),
    latestAssetEvents: async (options) => events.latestAssetEvents(open(), options),
    saveEvaluations: async (batch) => evaluations.saveEvaluations(open(), batch),
    assetEvaluations: async (assetId, { first }) => evaluations.assetEvaluations(open(), assetId, first),
    recordCheckResults: async (results, runId = null) => runs.recordCheckResults(open(), results, runId),
    latestCheckResults: async (assetId) => runs.latestCheckResults(open(), assetId),
    checkHistory: async (assetId, checkName, limit) => runs.checkHistory(open(), assetId, checkName, limit),
    getRun: async (id) => runs.getRun(open(), id),
    listRuns: async (filter) => runs.listRuns(open(), filter),
    countRuns: async (filter) => runs.countRuns(open(), filter),
    runLogs: async (runId, options) => runs.runLogs(open(), runId, options),
    get client() {
      return open();
    },
    async close() {
      if (closed) return;
      closed = true;
      await client.close();
    },
  };
}
export * from "./access.ts";
export * from "./alerts.ts";
export { definitionsContentHash } from "./snapshot-codec.ts";
