/**
 * "One process owns this": an exclusive lock file, for the embedded database's data directory (two processes
 * opening one PGlite would corrupt it) and the managed dbt virtualenv (two parallel installs would). The file
 * names its owner; a lock whose owner is gone is taken over. How that is told:
 *
 * - On the owner's host (same hostname and, on Linux, the same boot): the owner is gone when its pid is not
 *   running, or when that pid now belongs to another process — its start time (Linux `/proc/<pid>/stat`)
 *   differs from the one recorded in the lock, or, for a lock without one, its command line is not Node's.
 *   A pid reused after a crash (common in containers, where Tributary is often pid 1 or 7) is so not taken
 *   for the owner.
 * - On another host (a directory on a shared volume, a container restarted under a new hostname), or this
 *   host before a reboot: the pid means nothing, so the owner touches the lock file every heartbeat and a
 *   lock not touched for `staleAfterMs` is stale. Hosts whose clocks differ by more than that could take a
 *   live lock; keep clocks in sync (NTP) on hosts sharing a directory.
 *
 * Taking over is race-free: a taker that judged a lock stale removes it only under a takeover guard, after
 * reading it again (see removeStale) — deleting it outright could delete the lock another taker has just
 * written in its place, and both would own it. Then every taker competes to create the lock anew, which only
 * one can (an atomic link).
 * Release removes the file only while it is still this owner's (by a token). A lock file is created whole
 * (written aside, then hard-linked into place), so no reader ever sees one half-written.
 */
import { randomUUID } from "node:crypto";
import { link, readFile, stat, unlink, utimes, writeFile } from "node:fs/promises";
import { hostname as osHostname } from "node:os";

/** How often the owner touches its lock file. */
export const LOCK_HEARTBEAT_MS = 15_000;
/** How old the last touch of a lock from another host must be for the lock to count as stale: 8 missed heartbeats. */
export const LOCK_STALE_AFTER_MS = 120_000;

/** Who holds a lock, as its file says. */
export interface LockOwner {
  readonly pid: number;
  readonly hostname: string;
  readonly acquiredAt: string;
  /** Tells this owner's file from another's with the same pid (release removes only its own). */
  readonly token?: string | null;
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

export const systemLockEnvironment: LockEnvironment = {
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

/** The lock is held by a live owner (and the caller would not, or could no longer, wait). */
export class LockHeldError extends Error {
  override readonly name = "LockHeldError";
  constructor(
    readonly lockPath: string,
    /** Null when the file could not be read (being written). */
    readonly owner: LockOwner | null,
    /** For a lock from another host: when it would count as stale (a sentence, or ""). */
    readonly detail: string,
  ) {
    super(`${lockPath} is held by ${owner ? `process ${owner.pid} on ${owner.hostname} (since ${owner.acquiredAt})` : "another process"}.${detail}`);
  }
}

/** A lock this process holds. */
export interface HeldLock {
  /** Stops the heartbeat and removes the file if it is still this owner's; calling it twice is harmless. */
  release(): Promise<void>;
}

export interface AcquireLockOptions {
  readonly environment?: Partial<LockEnvironment>;
  /** Wait for a live owner instead of failing at once: up to `maxMs`, looking every `pollMs`. */
  readonly wait?: { readonly maxMs: number; readonly pollMs?: number; readonly onWait?: (owner: LockOwner | null) => void };
}

/** Takes the lock at `lockPath`, or throws a {@link LockHeldError} naming its live owner. */
export async function acquireLock(lockPath: string, options: AcquireLockOptions = {}): Promise<HeldLock> {
  const env: LockEnvironment = { ...systemLockEnvironment, ...options.environment };
  const owner: LockOwner = {
    pid: process.pid,
    hostname: env.hostname(),
    acquiredAt: new Date(env.now()).toISOString(),
    token: randomUUID(),
    bootId: await env.bootId(),
    startTime: await env.startTime(process.pid),
  };
  const text = JSON.stringify(owner);
  const started = Date.now();
  let announced = false;
  for (;;) {
    if (await createWhole(lockPath, text)) return hold(lockPath, owner, env);
    const current = await readLock(lockPath);
    if (current === null) continue; // released meanwhile
    // A file that cannot be read as an owner was damaged (every lock is created whole): stale once nobody has
    // touched it for a heartbeat.
    const verdict =
      current.owner === null ? await judgeUnreadable(lockPath, env) : await judge(current.owner, lockPath, env);
    if (verdict.stale) {
      if (!(await removeStale(lockPath, current.text))) await new Promise((resolve) => setTimeout(resolve, 5));
      continue;
    }
    if (!options.wait || Date.now() - started >= options.wait.maxMs) throw new LockHeldError(lockPath, current.owner, verdict.reason);
    if (!announced) {
      announced = true;
      options.wait.onWait?.(current.owner);
    }
    await new Promise((resolve) => setTimeout(resolve, options.wait!.pollMs ?? 300));
  }
}

/**
 * Creates the lock file with its whole content at once, or returns false when it exists: the content is
 * written to a file of this process's own and hard-linked into place (link fails if the name is taken), so no
 * other process ever reads a lock file half-written.
 */
async function createWhole(lockPath: string, text: string): Promise<boolean> {
  const own = `${lockPath}.new-${process.pid}-${randomUUID()}`;
  await writeFile(own, text, { flag: "wx" });
  try {
    await link(own, lockPath);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    await unlink(own).catch(() => undefined);
  }
}

function hold(lockPath: string, owner: LockOwner, env: LockEnvironment): HeldLock {
  const timer = setInterval(() => {
    const now = new Date(env.now());
    utimes(lockPath, now, now).catch(() => undefined);
  }, env.heartbeatMs);
  timer.unref();
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      const current = await readLock(lockPath);
      if (current?.owner?.token === owner.token) await unlink(lockPath).catch(() => undefined);
    },
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

async function judgeUnreadable(lockPath: string, env: LockEnvironment): Promise<{ stale: boolean; reason: string }> {
  const touched = await stat(lockPath).then((s) => s.mtimeMs, () => null);
  return { stale: touched === null || env.now() - touched >= env.heartbeatMs, reason: "" };
}

async function readLock(lockPath: string): Promise<{ text: string; owner: LockOwner | null } | null> {
  let text: string;
  try {
    text = await readFile(lockPath, "utf8");
  } catch {
    return null;
  }
  try {
    const parsed = JSON.parse(text) as Partial<LockOwner>;
    if (typeof parsed.pid !== "number" || typeof parsed.hostname !== "string") return { text, owner: null };
    return {
      text,
      owner: {
        pid: parsed.pid,
        hostname: parsed.hostname,
        acquiredAt: String(parsed.acquiredAt ?? "an unknown time"),
        token: typeof parsed.token === "string" ? parsed.token : null,
        bootId: typeof parsed.bootId === "string" ? parsed.bootId : null,
        startTime: typeof parsed.startTime === "string" ? parsed.startTime : null,
      },
    };
  } catch {
    return { text, owner: null };
  }
}

/** A takeover guard older than this was left by a taker that died in the middle of removing a stale lock. */
const GUARD_STALE_MS = 10_000;

/**
 * Removes the stale lock whose content is `staleText`, if it still is that lock. Takers are serialized by a
 * guard file (created whole, like the lock): under it the lock is read again and removed only if unchanged.
 * Nothing else ever removes or replaces an existing lock (its owner only removes its own on release), so the
 * lock cannot change between that read and the removal, and no taker can remove a lock another has just
 * taken. Returns false when another taker holds the guard (the caller looks again shortly).
 */
async function removeStale(lockPath: string, staleText: string): Promise<boolean> {
  const guard = `${lockPath}.takeover`;
  if (!(await createWhole(guard, `${process.pid}`))) {
    const age = await stat(guard).then((s) => Date.now() - s.mtimeMs, () => 0);
    if (age > GUARD_STALE_MS) await unlink(guard).catch(() => undefined);
    return false;
  }
  try {
    const current = await readFile(lockPath, "utf8").catch(() => null);
    if (current === staleText) await unlink(lockPath).catch(() => undefined);
    return true;
  } finally {
    await unlink(guard).catch(() => undefined);
  }
}
