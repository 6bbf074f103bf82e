/**
 * Named locks that serialize writers across processes sharing one Postgres database.
 *
 * On Postgres: a transaction-scoped advisory lock, released by COMMIT or ROLLBACK, so it can never leak.
 * Keys are two int4s: a constant for "Tributary", and the hash of the lock's name and the schema, so
 * installations in different schemas of one database (parallel test runs) never wait for each other.
 * On PGlite: nothing to do. It is one connection in one process, its transactions never interleave, and its
 * data directory is locked against other processes.
 */
import type { SqlClient } from "./sql-client.ts";

const LOCK_CLASS = 0x7472_6962; // "trib"

/** The locks the store takes; one name per kind of writer that must not interleave with itself. */
export type TransactionLockName = "migrations" | "definitions";

/** Waits for, then holds until `tx` ends, the lock called `name`. Call it first in the transaction. */
export async function lockForTransaction(tx: SqlClient, name: TransactionLockName): Promise<void> {
  if (tx.dialect !== "postgres") return;
  // Keyed by the configured schema, not current_schema(), which is null until the schema exists (and the
  // lock function, being strict, would then silently take no lock).
  await tx.query("SELECT pg_advisory_xact_lock($1, hashtext($2::text))", [LOCK_CLASS, `${name}:${tx.schema ?? "(default search_path)"}`]);
}
