/**
 * Which of several `tributary serve` processes on one Postgres runs the scheduler's ticks: the one holding a
 * session advisory lock on a connection of its own. Postgres releases the lock the moment that connection
 * ends — the process exits or is killed, or the network drops — so a standby that tries at each tick takes
 * over at its next tick. On the embedded database one process owns the store (its data directory is locked),
 * so that process always leads.
 *
 * Two processes that both believe they lead (a session lost while a tick was running) still cannot both
 * commit a tick: the cursor only moves from the evaluation id it was read at (catalog/store/automation.ts).
 */
import type { SqlClient, SqlSession } from "../../catalog/store/index.ts";

const LOCK_CLASS = 0x7472_6962; // "trib", as catalog/store/locks.ts

export interface LeaderLease {
  /** Tries to become or stay the leader; true while this process leads. */
  ensure(): Promise<boolean>;
  readonly isLeader: boolean;
  /** Gives up the lease (at shutdown), so a standby takes over at once. */
  release(): Promise<void>;
}

export function createLeaderLease(client: SqlClient): LeaderLease {
  const lockName = `scheduler:${client.schema ?? "(default search_path)"}`;
  let session: SqlSession | null = null;
  let leader = false;
  let embedded = client.dialect === "pglite";
  return {
    get isLeader() {
      return leader;
    },
    async ensure() {
      if (embedded) return (leader = true);
      if (session?.lost) {
        leader = false;
        await session.close();
        session = null;
      }
      if (leader && session) {
        try {
          // The lock lives as long as the session; a session that answers still holds it.
          await session.query("SELECT 1");
          return true;
        } catch {
          leader = false;
          await session.close();
          session = null;
          return false;
        }
      }
      try {
        session ??= await client.openSession();
        if (session === null) {
          embedded = true;
          return (leader = true);
        }
        const rows = await session.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1, hashtext($2::text)) AS locked", [LOCK_CLASS, lockName]);
        leader = rows[0]?.locked === true;
      } catch {
        leader = false;
        await session?.close();
        session = null;
      }
      return leader;
    },
    async release() {
      leader = false;
      await session?.close();
      session = null;
    },
  };
}
