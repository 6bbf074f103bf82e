/**
 * An exclusive lock on the embedded database's data directory. PGlite is one Postgres backend living inside
 * one process: two processes (a `tributary serve` started twice, a daemon beside a server) opening the same
 * files would each believe they own them and corrupt the database. A lock file holding the owner's pid turns
 * that into a clear error. A lock left by a process that died is taken over.
 */
import { readFile, unlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { StoreError } from "./errors.ts";

interface LockOwner {
  readonly pid: number;
  readonly hostname: string;
  readonly acquiredAt: string;
}

/** Releases a lock taken by {@link acquireDataDirLock}; calling it twice is harmless. */
export type ReleaseLock = () => Promise<void>;

/** Takes the lock at `lockPath` or throws a `data_dir_locked` {@link StoreError} naming its owner. */
export async function acquireDataDirLock(lockPath: string, dataDir: string): Promise<ReleaseLock> {
  const owner: LockOwner = { pid: process.pid, hostname: hostname(), acquiredAt: new Date().toISOString() };
  // Two attempts: the second one after removing a stale lock.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(lockPath, JSON.stringify(owner), { flag: "wx" });
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        await unlink(lockPath).catch(() => undefined);
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const current = await readOwner(lockPath);
    if (current !== null && isAlive(current)) {
      throw new StoreError(
        "data_dir_locked",
        `The embedded database at ${dataDir} is already open in process ${current.pid} on ${current.hostname} ` +
          `(since ${current.acquiredAt}). Stop that process, or point this one at another data directory or at a ` +
          `Postgres server with DATABASE_URL.`,
        { dataDir, lockPath, ownerPid: current.pid, ownerHostname: current.hostname },
      );
    }
    // The owner is gone (or the file is unreadable, e.g. half-written by a crash): the lock is stale.
    await unlink(lockPath).catch(() => undefined);
  }
  throw new StoreError("data_dir_locked", `Could not take the lock on the embedded database at ${dataDir}.`, {
    dataDir,
    lockPath,
  });
}

async function readOwner(lockPath: string): Promise<LockOwner | null> {
  try {
    const parsed = JSON.parse(await readFile(lockPath, "utf8")) as Partial<LockOwner>;
    if (typeof parsed.pid !== "number" || typeof parsed.hostname !== "string") return null;
    return { pid: parsed.pid, hostname: parsed.hostname, acquiredAt: String(parsed.acquiredAt ?? "an unknown time") };
  } catch {
    return null;
  }
}

function isAlive(owner: LockOwner): boolean {
  // A pid means nothing on another host (a data directory on a shared volume): assume it is alive there.
  if (owner.hostname !== hostname()) return true;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
