/**
 * The lock that keeps a second process out of a PGlite data directory: PGlite is one Postgres backend living
 * inside one process, and two processes (a `tributary serve` started twice, a daemon beside a server) opening
 * the same files would each believe they own them and corrupt the database. The lock itself, and how a lock
 * whose owner is gone is told and taken over, is support/dir-lock.ts (shared with the dbt install lock).
 */
import { LockHeldError, acquireLock } from "../../support/index.ts";
import type { LockEnvironment } from "../../support/index.ts";
import { StoreError } from "./errors.ts";

export { LOCK_HEARTBEAT_MS, LOCK_STALE_AFTER_MS } from "../../support/index.ts";
export type { LockEnvironment } from "../../support/index.ts";

/** Releases a lock taken by {@link acquireDataDirLock}; calling it twice is harmless. */
export type ReleaseLock = () => Promise<void>;

/** Takes the lock at `lockPath` or throws a `data_dir_locked` {@link StoreError} naming its owner. */
export async function acquireDataDirLock(lockPath: string, dataDir: string, overrides: Partial<LockEnvironment> = {}): Promise<ReleaseLock> {
  try {
    const lock = await acquireLock(lockPath, { environment: overrides });
    return () => lock.release();
  } catch (error) {
    if (!(error instanceof LockHeldError)) throw error;
    const owner = error.owner;
    throw new StoreError(
      "data_dir_locked",
      `The embedded database at ${dataDir} is already open in ${owner ? `process ${owner.pid} on ${owner.hostname} (since ${owner.acquiredAt})` : "another process"}. ` +
        `Stop that process, or point this one at another data directory or at a Postgres server with DATABASE_URL.${error.detail}`,
      { dataDir, lockPath, ...(owner ? { ownerPid: owner.pid, ownerHostname: owner.hostname } : {}) },
    );
  }
}
