/**
 * Forward-only schema migrations: numbered SQL files in `./migrations` (`0001_definitions.sql`, …), applied
 * in order, each in its own transaction, and recorded in `tributary_migrations` with a checksum.
 *
 * Guarantees, and where they come from:
 * - Two processes migrating at once apply each migration exactly once: every step takes a transaction-scoped
 *   advisory lock on Postgres and re-reads the history under it. (PGlite is one connection in one process
 *   whose transactions never interleave, and its data directory is locked against other processes.)
 * - An applied migration is never edited silently: a changed checksum is an error naming the file.
 * - Old code never runs on a newer schema: a recorded migration the code does not know is an error telling
 *   the user to upgrade.
 * - A failed migration leaves the database at the previous one (its transaction rolls back).
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { StoreError } from "./errors.ts";
import { lockForTransaction } from "./locks.ts";
import { silentLogger } from "./logger.ts";
import type { StoreLogger } from "./logger.ts";
import { createSchemaStatement } from "./sql-client.ts";
import type { SqlClient } from "./sql-client.ts";

/** One migration as shipped in the code. */
export interface Migration {
  /** 1, 2, 3…: the order of application, without gaps. */
  readonly number: number;
  /** The file name without number and extension (`definitions`). */
  readonly name: string;
  readonly sql: string;
  /** sha256 of the SQL with line endings normalised, so a Windows checkout does not look edited. */
  readonly checksum: string;
}

/** One row of `tributary_migrations`. */
export interface AppliedMigration {
  readonly number: number;
  readonly name: string;
  readonly checksum: string;
  readonly appliedAt: Date;
}

/** What {@link migrate} did. */
export interface MigrationResult {
  /** Migrations applied by this call, in order (empty when the database was already current). */
  readonly applied: readonly Migration[];
  /** The database's migration number afterwards. */
  readonly current: number;
}

/** The directory of the migrations that ship with the code. */
export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), "migrations");

const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** Formats a migration number the way files are named: `0007`. */
export function formatMigrationNumber(number: number): string {
  return String(number).padStart(4, "0");
}

/** The checksum recorded for a migration's SQL. */
export function migrationChecksum(sql: string): string {
  return createHash("sha256").update(sql.replace(/\r\n/g, "\n")).digest("hex");
}

/** Builds a migration from its number, name and SQL (tests build lists of their own). */
export function defineMigration(number: number, name: string, sql: string): Migration {
  return { number, name, sql, checksum: migrationChecksum(sql) };
}

/**
 * Reads and checks the migration files of `dir`: names like `0001_name.sql`, numbered 1, 2, 3… without gaps
 * or duplicates. Read synchronously once per process start; it is a handful of small files.
 */
export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  const migrations: Migration[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith(".sql")) continue;
    const match = FILE_NAME.exec(file);
    if (!match) {
      throw new StoreError("migration_invalid", `Migration file ${file} in ${dir} is not named like 0001_some_name.sql.`, { dir, file });
    }
    migrations.push(defineMigration(Number(match[1]), match[2] ?? "", readFileSync(join(dir, file), "utf8")));
  }
  checkSequence(migrations, dir);
  return migrations;
}

function checkSequence(migrations: readonly Migration[], where: string): void {
  migrations.forEach((migration, index) => {
    if (migration.number !== index + 1) {
      throw new StoreError(
        "migration_invalid",
        `Migrations in ${where} must be numbered 0001, 0002… without gaps or duplicates; ` +
          `found ${formatMigrationNumber(migration.number)}_${migration.name} where ${formatMigrationNumber(index + 1)} was expected.`,
        { where, number: migration.number, expected: index + 1 },
      );
    }
  });
}

const CREATE_HISTORY_TABLE = `
  CREATE TABLE IF NOT EXISTS tributary_migrations (
    number integer PRIMARY KEY,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`;

/**
 * Brings the database up to the last of `migrations`, one transaction per migration. Throws a
 * {@link StoreError} (`database_newer_than_code`, `migration_checksum_mismatch`, `migration_failed`) and
 * applies nothing more when the recorded history does not match the code.
 */
export async function migrate(
  client: SqlClient,
  migrations: readonly Migration[] = loadMigrations(),
  logger: StoreLogger = silentLogger,
): Promise<MigrationResult> {
  checkSequence(migrations, "the given list");
  // A database that is already current (every start but the first after an upgrade) is recognised by one
  // query, without a transaction or lock: a history holding every migration can only have been completed.
  const history = await readHistory(client).catch(() => null); // no history table yet: the steps below create it
  if (history !== null && history.length >= migrations.length) {
    checkHistory(history, migrations);
    return { applied: [], current: history.length };
  }
  const applied: Migration[] = [];
  for (;;) {
    const step = await client.transaction(async (tx) => {
      // Held until this step's transaction ends: a second process blocks here, then finds the step done.
      await lockForTransaction(tx, "migrations");
      const createSchema = createSchemaStatement(tx);
      if (createSchema !== null) {
        // Looked up first: a role allowed to use an existing schema may lack the right to create one, and
        // CREATE SCHEMA IF NOT EXISTS checks that right before it checks existence.
        const found = await tx.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [tx.schema]);
        if (found.length === 0) await tx.exec(createSchema);
      }
      // Under the lock, so two processes cannot race to create it.
      await tx.exec(CREATE_HISTORY_TABLE);
      const history = await readHistory(tx);
      checkHistory(history, migrations);
      const next = migrations[history.length];
      if (next === undefined) return { done: true as const, current: history.length };
      const started = performance.now();
      try {
        // Rethrown with the file's name; the step's transaction rolls back, record and all.
        await tx.exec(next.sql);
      } catch (error) {
        throw new StoreError(
          "migration_failed",
          `Migration ${formatMigrationNumber(next.number)}_${next.name} failed: ${error instanceof Error ? error.message : String(error)}`,
          { number: next.number, name: next.name, ...(error instanceof StoreError ? error.context : {}) },
          { cause: error },
        );
      }
      await tx.query("INSERT INTO tributary_migrations (number, name, checksum) VALUES ($1, $2, $3)", [next.number, next.name, next.checksum]);
      logger.info(
        { migration: `${formatMigrationNumber(next.number)}_${next.name}`, ms: Math.round(performance.now() - started) },
        "applied a database migration",
      );
      return { done: false as const, migration: next };
    });
    if (step.done) return { applied, current: step.current };
    applied.push(step.migration);
  }
}

/** The recorded history, oldest first. */
export async function readHistory(client: SqlClient): Promise<AppliedMigration[]> {
  const rows = await client.query<{ number: number; name: string; checksum: string; applied_at: Date }>(
    "SELECT number, name, checksum, applied_at FROM tributary_migrations ORDER BY number",
  );
  return rows.map((row) => ({ number: row.number, name: row.name, checksum: row.checksum, appliedAt: row.applied_at }));
}

function checkHistory(history: readonly AppliedMigration[], migrations: readonly Migration[]): void {
  const newest = history[history.length - 1];
  if (newest !== undefined && newest.number > migrations.length) {
    const known = migrations.length === 0 ? "none" : formatMigrationNumber(migrations.length);
    throw new StoreError(
      "database_newer_than_code",
      `This database was migrated by a newer Tributary (migration ${formatMigrationNumber(newest.number)}_${newest.name}); ` +
        `this version knows migrations up to ${known}. Upgrade Tributary, or point it at another database.`,
      { databaseMigration: newest.number, codeMigration: migrations.length },
    );
  }
  history.forEach((row, index) => {
    const migration = migrations[row.number - 1];
    if (row.number !== index + 1 || migration === undefined) {
      throw new StoreError(
        "migration_invalid",
        `The migration history in tributary_migrations has a gap or duplicate at ${formatMigrationNumber(row.number)}; ` +
          `it was edited by hand. Restore it from a backup.`,
        { number: row.number },
      );
    }
    if (row.checksum !== migration.checksum) {
      throw new StoreError(
        "migration_checksum_mismatch",
        `Migration ${formatMigrationNumber(row.number)}_${migration.name} was changed after it was applied to this database ` +
          `(recorded checksum ${row.checksum.slice(0, 12)}…, file ${migration.checksum.slice(0, 12)}…). ` +
          `Applied migrations are never edited: restore the file and add a new migration instead.`,
        { number: row.number, name: migration.name, recordedChecksum: row.checksum, fileChecksum: migration.checksum },
      );
    }
  });
}
