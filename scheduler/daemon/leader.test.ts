/**
 * Two daemons on one Postgres: only the leader ticks, a tick is never committed twice (so never a double
 * launch), and when the leader's session dies the other takes over at its next tick.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { spec } from "../../catalog/graph/test-specs.ts";
import { postgresEngine, withDatabase } from "../../catalog/store/test-support.ts";
import { amp } from "../conditions/test-support.ts";
import { graphFrom, quietLogger, recordingLauncher } from "../runs/test-support.ts";
import { createRunEngine } from "../runs/engine.ts";
import { createRunQueue } from "../runs/queue.ts";
import { createDaemon } from "./daemon.ts";
import { createLeaderLease } from "./leader.ts";

// Every minute a cron tick passes, and a root with on_cron requests itself at each one.
const graph = graphFrom(spec("every_minute", { policy: amp("on_cron", "* * * * *", "UTC") }));

describe("two daemons on one Postgres", { skip: postgresEngine.skip }, () => {
  test("over 1,000 ticks only the leader launches, each cron tick once; a dead leader is replaced at the next tick", { timeout: 240_000 }, async () => {
    await withDatabase(postgresEngine, async (database) => {
      const stores = [await database.openStore(), await database.openStore()];
      // Fake time: each round advances one minute, the same for both daemons (one wall clock).
      let minute = 0;
      const now = () => new Date(Date.UTC(2026, 2, 2) + minute * 60_000 + 1_000);
      const launcher = recordingLauncher("dbt", "shop");
      const parts = await Promise.all(
        stores.map(async (store, i) => {
          const queue = createRunQueue({ client: store.client, schema: `${store.client.schema}_queue` });
          await queue.start();
          // No workers: this test is about who launches, not about running.
          const engine = createRunEngine({ store, queue, launchers: [launcher], graph: () => graph, logger: quietLogger, work: false });
          await engine.start();
          const lease = createLeaderLease(store.client);
          const daemon = createDaemon({ store, engine, lease, graph: () => graph, logger: quietLogger, name: `daemon-${i}`, now });
          return { store, queue, engine, lease, daemon };
        }),
      );
      try {
        let requestedTicks = 0;
        let leaderChanges = 0;
        let previousLeader = -1;
        let killedAt = -1;
        for (let round = 0; round < 500; round++) {
          minute += 1;
          // Both tick at once, as two processes would.
          const outcomes = await Promise.all(parts.map((p) => p.daemon.tick()));
          const leaders = outcomes.flatMap((o, i) => (o.leader && o.skipped === null ? [i] : []));
          assert.ok(leaders.length <= 1, `round ${round}: ${leaders.length} daemons committed a tick`);
          if (leaders.length === 1) {
            if (leaders[0] !== previousLeader) leaderChanges += 1;
            previousLeader = leaders[0]!;
            if (outcomes[leaders[0]!]!.runIds.length > 0) requestedTicks += 1;
          }
          if (round === 250) {
            // The leader's session dies (its process was killed): the standby must lead at its next tick.
            killedAt = round;
            await parts[previousLeader]!.lease.release();
            const next = await Promise.all(parts.map((p, i) => (i === previousLeader ? Promise.resolve(null) : p.daemon.tick())));
            const standby = next.find((o) => o !== null)!;
            assert.equal(standby.leader, true, "the standby leads at the first tick after the leader died");
          }
        }
        assert.ok(killedAt > 0);
        assert.ok(leaderChanges >= 2, "leadership moved once the leader died");
        // 1,000 daemon ticks (2 × 500 rounds): every cron minute made exactly one run, never two.
        const runs = await stores[0]!.listRuns({ first: 500 });
        assert.ok(runs.length < 500);
        const total = await stores[0]!.countRuns({});
        const ticks = runs.map((r) => (r.launchedBy.kind === "policy" ? r.launchedBy.tick : -1));
        assert.equal(new Set(ticks).size, ticks.length, "one run per tick");
        // on_cron requests at a cron tick unless it requested at the previous tick (since_last_handled), so with
        // one cron tick per round the leader launches every other round: 250 runs, each from one tick.
        assert.ok(total >= 240, `a run every other cron minute (${total})`);
        assert.equal(total, requestedTicks, "each run came from a tick that a single daemon committed");
        const perMinute = await stores[0]!.client.query<{ n: number }>("SELECT count(*)::int AS n FROM runs GROUP BY tick HAVING count(*) > 1");
        assert.equal(perMinute.length, 0);
      } finally {
        for (const p of parts) {
          await p.daemon.stop();
          await p.engine.stop();
          await p.store.close();
        }
      }
    });
  });

  test("two daemons that both believe they lead (a lost session) never both commit a tick", { timeout: 120_000 }, async () => {
    await withDatabase(postgresEngine, async (database) => {
      const stores = [await database.openStore(), await database.openStore()];
      let minute = 0;
      const now = () => new Date(Date.UTC(2026, 2, 2) + minute * 60_000 + 1_000);
      const launcher = recordingLauncher("dbt", "shop");
      const alwaysLeader = { ensure: async () => true, isLeader: true, release: async () => undefined };
      const parts = await Promise.all(
        stores.map(async (store, i) => {
          const queue = createRunQueue({ client: store.client, schema: `${store.client.schema}_queue` });
          await queue.start();
          const engine = createRunEngine({ store, queue, launchers: [launcher], graph: () => graph, logger: quietLogger, work: false });
          await engine.start();
          const daemon = createDaemon({ store, engine, lease: alwaysLeader, graph: () => graph, logger: quietLogger, name: `split-${i}`, now });
          return { store, engine, daemon };
        }),
      );
      try {
        let committed = 0;
        let rolledBack = 0;
        for (let round = 0; round < 200; round++) {
          minute += 1;
          const outcomes = await Promise.all(parts.map((p) => p.daemon.tick()));
          committed += outcomes.filter((o) => o.skipped === null).length;
          rolledBack += outcomes.filter((o) => o.skipped !== null).length;
        }
        assert.ok(rolledBack > 0, "the race happened: some ticks lost the cursor and rolled back");
        const rows = await stores[0]!.client.query<{ n: number; ticks: number }>("SELECT count(*)::int AS n, count(DISTINCT tick)::int AS ticks FROM runs");
        assert.equal(rows[0]!.n, rows[0]!.ticks, "never two runs for one tick");
        const cursor = await stores[0]!.client.query<{ evaluation_id: number }>("SELECT evaluation_id FROM automation_cursor");
        assert.equal(Number(cursor[0]!.evaluation_id), committed, "every committed tick moved the cursor by one");
      } finally {
        for (const p of parts) {
          await p.daemon.stop();
          await p.engine.stop();
          await p.store.close();
        }
      }
    });
  });
});
