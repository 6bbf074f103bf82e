/**
 * The lock's own guarantees (the data-dir and dbt-install tests check how their owners are judged):
 * takeover of a stale lock has exactly one winner however many take it at once, release removes only the
 * releaser's own file, and a waiter gets the lock once its owner lets go.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { LockHeldError, acquireLock } from "./dir-lock.ts";
import type { HeldLock } from "./dir-lock.ts";

const dir = await mkdtemp(join(tmpdir(), "tributary-dir-lock-"));
after(() => rm(dir, { recursive: true, force: true }));

/** A pid no process has (beyond the kernel's pid_max). */
const DEAD_PID = 2 ** 22 + 17;

test("many takers of one stale lock at once: exactly one wins, the others are told who holds it", async () => {
  for (let round = 0; round < 20; round++) {
    const path = join(dir, `race-${round}.lock`);
    await writeFile(path, JSON.stringify({ pid: DEAD_PID, hostname: hostname(), acquiredAt: "2026-01-01T00:00:00Z" }));
    const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => acquireLock(path)));
    const won = outcomes.filter((o): o is PromiseFulfilledResult<HeldLock> => o.status === "fulfilled");
    assert.equal(won.length, 1, `round ${round}: ${won.length} winners`);
    for (const lost of outcomes.filter((o) => o.status === "rejected")) {
      assert.ok(lost.reason instanceof LockHeldError, String(lost.reason));
      assert.equal(lost.reason.owner?.pid, process.pid);
    }
    await won[0]!.value.release();
  }
});

test("release removes the file only while it is still the releaser's", async () => {
  const path = join(dir, "taken-over.lock");
  const lock = await acquireLock(path);
  // Another owner took the lock over meanwhile (this one was judged gone).
  const other = JSON.stringify({ pid: DEAD_PID, hostname: "elsewhere", acquiredAt: "2026-01-01T00:00:00Z", token: "theirs" });
  await writeFile(path, other);
  await lock.release();
  assert.equal(await readFile(path, "utf8"), other);
});

test("a waiter gets the lock when its owner releases it, and is told once who it waits for", async () => {
  const path = join(dir, "wait.lock");
  const first = await acquireLock(path);
  const waits: (number | null)[] = [];
  const second = acquireLock(path, { wait: { maxMs: 10_000, pollMs: 20, onWait: (owner) => waits.push(owner?.pid ?? null) } });
  setTimeout(() => void first.release(), 200);
  const lock = await second;
  assert.deepEqual(waits, [process.pid]);
  assert.equal(JSON.parse(await readFile(path, "utf8")).pid, process.pid);
  await lock.release();
  await assert.rejects(readFile(path, "utf8"), /ENOENT/);
});

test("a waiter that waits too long is told who holds the lock", async () => {
  const path = join(dir, "timeout.lock");
  const held = await acquireLock(path);
  try {
    await assert.rejects(acquireLock(path, { wait: { maxMs: 100, pollMs: 20 } }), (error: unknown) => error instanceof LockHeldError && new RegExp(`process ${process.pid}`).test(error.message));
  } finally {
    await held.release();
  }
});
