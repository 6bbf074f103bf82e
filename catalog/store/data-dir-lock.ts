/**
 * An exclusive lock on the embedded database's data directory. PGlite is one Postgres backend living inside
 * one process: two processes (a `tributary serve` started twice, a daemon beside a server) opening the same
 * files would each believe they own them and corrupt the database. A lock file naming its owner turns that
 * into a clear error. A lock whose owner is gone is taken over; how that is told:
 *
 * - On the owner's host (same hostname and, on Linux, the same boot): the owner is gone when its pid is not
 *   running, or when that pid now belongs to another process — its start time (Linux `/proc/<pid>/stat`)
 *   differs from the one recorded in the lock, or, for a lock without one, its command line is not Node's.
 *   A pid reused after a crash (common in containers, where Tributary is often pid 1 or 7) is so not taken
 *   for the owner.
 * - On another host (a data directory on a shared volume, or a container restarted under a new hostname)
 *   the pid means nothing: the owner touches the lock file every {@link LOCK_HEARTBEAT_MS}, and a lock not
 *   touched for {@link LOCK_STALE_AFTER_MS} is stale. Hosts whose clocks differ by more than that could take
 *   a live lock; keep clocks in sync (NTP) on hosts sharing a data directory.
 */
import { readFile, stat, unlink, utimes, writeFile } from "node:fs/promises";
import { hostname as osHostname } from "node:os";
import { StoreError } from "./errors.ts";

/** How often the owner touches its lock file. */
export const LOCK_HEARTBEAT_MS = 15_000;
/** How old the last touch of a lock from another host must be for the lock to count as stale: 8 missed heartbeats. */
export const LOCK_STALE_AFTER_MS = 120_000;

interface LockOwner {
  readonly pid: number;
  readonly hostname: string;
  readonly acquiredAt: string;
  /** Linux: `/proc/sys/kernel/random/boot_id` of the owner's boot; absent elsewhere and in older locks. */
  readonly bootId?: string | null;
  /** Linux: the owner's start time, in clock ticks after boot (`/proc/<pid>/stat` field 22). */
  readonly startTime?: string | null;
}

/** What the lock reads about processes and the clock; tests pass their own. */
export interface LockEnvironment {
  readonly hostname: () => string;
  readonly now: () => number;
  /** The current boot's id, or null where it is unknown (not Linux). */
  readonly bootId: () => Promise<string | null>;
  /** Whether `pid` is a running process here (EPERM counts as running). */
  readonly isRunning: (pid: number) => boolean;
  /** The start time of `pid` (see {@link LockOwner.startTime}), or null where it is unknown. */
  readonly startTime: (pid: number) => Promise<string | null>;
  /** The command line of `pid`, or null where it is unknown. */
  readonly commandLine: (pid: number) => Promise<string | null>;
  readonly heartbeatMs: number;
  readonly staleAfterMs: number;
}

const systemEnvironment: LockEnvironment = {
  hostname: osHostname,
  now: Date.now,
  bootId: () => readFile("/proc/sys/kernel/random/boot_id", "utf8").then((text) => text.trim() || null, () => null),
  isRunning(pid) {
    try {
      process.kill(pid, 0);
      return true;
    } catch (error) {
      // EPERM: the process exists but belongs to someone else.
      return (error as NodeJS.ErrnoException).code === "EPERM";
    }
  },
  startTime: (pid) =>
    readFile(`/proc/${pid}/stat`, "utf8").then(
      // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ")".
      (text) => text.slice(text.lastIndexOf(")") + 2).split(" ")[19] ?? null,
      () => null,
    ),
  commandLine: (pid) => readFile(`/proc/${pid}/cmdline`, "utf8").then((text) => text.replaceAll("\0", " ").trim(), () => null),
  heartbeatMs: LOCK_HEARTBEAT_MS,
  staleAfterMs: LOCK_STALE_AFTER_MS,
};

/** Releases a lock taken by {@link acquireDataDirLock}; calling it twice is harmless. */
export type ReleaseLock = () => Promise<void>;

/** Takes the lock at `lockPath` or throws a `data_dir_locked` {@link StoreError} naming its owner. */
export async function acquireDataDirLock(lockPath: string, dataDir: string, overrides: Partial<LockEnvironment> = {}): Promise<ReleaseLock> {
  const env: LockEnvironment = { ...systemEnvironment, ...overrides };
  const owner: LockOwner = {
    pid: process.pid,
    hostname: env.hostname(),
    acquiredAt: new Date(env.now()).toISOString(),
    bootId: await env.bootId(),
    startTime: await env.startTime(process.pid),
  };
  // Two attempts: the second one after removing a stale lock.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(lockPath, JSON.stringify(owner), { flag: "wx" });
      return holdLock(lockPath, env);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const current = await readOwner(lockPath);
    const verdict = current === null ? { stale: true, reason: "" } : await judge(current, lockPath, env);
    if (current !== null && !verdict.stale) {
      throw new StoreError(
        "data_dir_locked",
        `The embedded database at ${dataDir} is already open in process ${current.pid} on ${current.hostname} ` +
          `(since ${current.acquiredAt}). Stop that process, or point this one at another data directory or at a ` +
          `Postgres server with DATABASE_URL.${verdict.reason}`,
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

/** Touches the lock file every heartbeat until released. */
function holdLock(lockPath: string, env: LockEnvironment): ReleaseLock {
  const timer = setInterval(() => {
    const now = new Date(env.now());
    utimes(lockPath, now, now).catch(() => undefined);
  }, env.heartbeatMs);
  timer.unref();
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    clearInterval(timer);
    await unlink(lockPath).catch(() => undefined);
  };
}

/** Whether the lock's owner is gone; for a live one from another host, when it would count as stale. */
async function judge(owner: LockOwner, lockPath: string, env: LockEnvironment): Promise<{ stale: boolean; reason: string }> {
  const bootId = await env.bootId();
  const sameBoot = !owner.bootId || !bootId || owner.bootId === bootId;
  if (owner.hostname !== env.hostname() || !sameBoot) {
    // Another host, or this host before a reboot (a restarted container may keep its hostname): the pid is
    // meaningless; the heartbeat tells.
    if (owner.hostname === env.hostname() && !sameBoot) return { stale: true, reason: "" };
    const touched = await stat(lockPath).then((s) => s.mtimeMs, () => null);
    if (touched === null) return { stale: true, reason: "" };
    const age = env.now() - touched;
    if (age >= env.staleAfterMs) return { stale: true, reason: "" };
    const seconds = Math.ceil((env.staleAfterMs - age) / 1000);
    return {
      stale: false,
      reason:
        ` The lock is from another host; it was last renewed ${Math.round(age / 1000)} s ago and is taken over if not renewed ` +
        `within ${seconds} s (its owner renews it every ${env.heartbeatMs / 1000} s while it runs).`,
    };
  }
  if (!env.isRunning(owner.pid)) return { stale: true, reason: "" };
  // The pid runs: is it still the owner, or a process that got the same pid after the owner died?
  const startTime = await env.startTime(owner.pid);
  if (owner.startTime && startTime) return { stale: owner.startTime !== startTime, reason: "" };
  const commandLine = await env.commandLine(owner.pid);
  if (commandLine !== null && !/\b(node|tributary|tsx)\b/.test(commandLine)) return { stale: true, reason: "" };
  return { stale: false, reason: "" };
}

async function readOwner(lockPath: string): Promise<LockOwner | null> {
  try {
    const parsed = JSON.parse(await readFile(lockPath, "utf8")) as Partial<LockOwner>;
    if (typeof parsed.pid !== "number" || typeof parsed.hostname !== "string") return null;
    return {
      pid: parsed.pid,
      hostname: parsed.hostname,
      acquiredAt: String(parsed.acquiredAt ?? "an unknown time"),
      bootId: typeof parsed.bootId === "string" ? parsed.bootId : null,
      startTime: typeof parsed.startTime === "string" ? parsed.startTime : null,
    };
  } catch {
    return null;
  }
}
