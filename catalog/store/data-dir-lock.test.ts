/**
 * Stale data-directory locks (issue 12 item 13): a lock naming another host, or a pid now held by a process
 * that is not Tributary, must not block a restart forever; a live owner still blocks.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { LOCK_STALE_AFTER_MS, acquireDataDirLock } from "./data-dir-lock.ts";
import { isStoreError } from "./errors.ts";

const dir = await mkdtemp(join(tmpdir(), "tributary-lock-"));
after(() => rm(dir, { recursive: true, force: true }));

let counter = 0;
async function lockFile(owner: Record<string, unknown>, ageMs = 0): Promise<string> {
  const path = join(dir, `pgdata-${counter++}.lock`);
  await writeFile(path, JSON.stringify({ acquiredAt: "2024-01-01T00:00:00.000Z", ...owner }));
  const touched = new Date(Date.now() - ageMs);
  await utimes(path, touched, touched);
  return path;
}

/** A process that is surely not Tributary, holding a pid, until killed. */
async function otherProcess(): Promise<{ pid: number; stop: () => void }> {
  const child = spawn("sleep", ["60"], { stdio: "ignore" });
  await new Promise((resolve) => child.once("spawn", resolve));
  return { pid: child.pid!, stop: () => child.kill("SIGKILL") };
}

test("a lock from another host that has not been renewed for the stale time is taken over", async () => {
  const path = await lockFile({ pid: 1, hostname: "container-4f2a9c" }, LOCK_STALE_AFTER_MS + 5_000);
  const release = await acquireDataDirLock(path, "/data/pgdata");
  assert.equal(JSON.parse(await readFile(path, "utf8")).pid, process.pid);
  await release();
});

test("a renewed lock from another host blocks, saying when it would count as stale", async () => {
  const path = await lockFile({ pid: 1, hostname: "container-4f2a9c" }, 30_000);
  await assert.rejects(acquireDataDirLock(path, "/data/pgdata"), (error: unknown) =>
    isStoreError(error, "data_dir_locked") &&
    /process 1 on container-4f2a9c/.test(error.message) &&
    /last renewed 30 s ago and is taken over if not renewed within 9\d s/.test(error.message),
  );
});

test("a lock naming this host and a pid now held by another program (no start time recorded) is taken over", async () => {
  const other = await otherProcess();
  try {
    const path = await lockFile({ pid: other.pid, hostname: hostname() });
    const release = await acquireDataDirLock(path, "/data/pgdata");
    assert.equal(JSON.parse(await readFile(path, "utf8")).pid, process.pid);
    await release();
  } finally {
    other.stop();
  }
});

test("a lock whose pid runs but started at another time than the owner recorded (a reused pid) is taken over", async () => {
  const path = await lockFile({ pid: process.pid, hostname: hostname(), startTime: "1" });
  const release = await acquireDataDirLock(path, "/data/pgdata");
  await release();
});

test("a lock from this host before a reboot is taken over, whatever runs under its pid now", async () => {
  const path = await lockFile({ pid: process.pid, hostname: hostname(), bootId: "a-boot-long-ago" });
  const release = await acquireDataDirLock(path, "/data/pgdata", { bootId: async () => "this-boot" });
  await release();
});

test("a live owner still blocks: the same process, recorded with its start time", async () => {
  const path = join(dir, "live.lock");
  const release = await acquireDataDirLock(path, "/data/pgdata");
  try {
    const recorded = JSON.parse(await readFile(path, "utf8"));
    assert.equal(typeof recorded.startTime, "string", "Linux: the start time is recorded");
    await assert.rejects(acquireDataDirLock(path, "/data/pgdata"), (error: unknown) => isStoreError(error, "data_dir_locked") && /already open in process/.test(error.message));
  } finally {
    await release();
  }
});

test("the owner renews its lock file while it holds it", async () => {
  const path = join(dir, "heartbeat.lock");
  const release = await acquireDataDirLock(path, "/data/pgdata", { heartbeatMs: 50 });
  try {
    const old = new Date(Date.now() - 60_000);
    await utimes(path, old, old);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.ok(Date.now() - (await stat(path)).mtimeMs < 10_000, "renewed");
  } finally {
    await release();
  }
});
