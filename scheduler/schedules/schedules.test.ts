/**
 * Schedules fired by the real daemon on a real store (PGlite and Postgres), time faked: a tick fires once
 * across a daemon restart and across two daemons on one Postgres that both believe they lead; a tick missed
 * while no daemon ran is run once afterwards (catch_up: latest) or skipped (none); a new or restarted schedule
 * never fires the ticks before it; a stopped or invalid one never fires.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { spec } from "../../catalog/graph/test-specs.ts";
import type { JobsAndSchedules, ScheduleSpec } from "../../catalog/model/index.ts";
import type { CatalogStore, RunRecord } from "../../catalog/store/index.ts";
import { scheduleSql } from "../../catalog/store/index.ts";
import { postgresEngine, testEngines, withDatabase } from "../../catalog/store/test-support.ts";
import { createDaemon } from "../daemon/daemon.ts";
import type { LeaderLease } from "../daemon/leader.ts";
import { createLeaderLease } from "../daemon/leader.ts";
import { createRunEngine } from "../runs/engine.ts";
import { createRunQueue } from "../runs/queue.ts";
import { graphFrom, quietLogger, recordingLauncher } from "../runs/test-support.ts";
import { fireSchedules } from "./fire.ts";
import { resolveJobsAndSchedules } from "./resolve.ts";
import { dueTick, upcomingTicks } from "./ticks.ts";

const graph = graphFrom(
  spec("orders", { tags: ["daily"], deps: ["stg_orders"] }),
  spec("stg_orders", { tags: ["daily"] }),
  spec("customers", { tags: ["weekly"] }),
);
const at = { file: "tributary.yaml", line: 12, path: "schedules[0]" };

function declared(schedule: Partial<ScheduleSpec> = {}, select = "tag:daily"): JobsAndSchedules {
  return {
    jobs: [{ name: "daily_job", description: null, select: [select], exclude: [], declaredIn: { file: "tributary.yaml", line: 3, path: "jobs[0]" } }],
    schedules: [{ name: "daily", job: "daily_job", cron: "0 6 * * *", timezone: "Europe/Copenhagen", catchUp: "latest", defaultStatus: "running", description: null, declaredIn: at, ...schedule }],
  };
}

/** A lease that says this process leads, always: two of them are two daemons that both believe they lead. */
const alwaysLeader: LeaderLease = { isLeader: true, ensure: async () => true, release: async () => {} };

async function daemonOn(store: CatalogStore, name: string, now: () => Date, schedules: JobsAndSchedules, lease?: LeaderLease) {
  const queue = createRunQueue({ client: store.client, schema: `${store.client.schema ?? "tributary"}_queue` });
  await queue.start();
  // No workers: these tests are about what is launched, once.
  const engine = createRunEngine({ store, queue, launchers: [recordingLauncher("dbt", "shop")], graph: () => graph, logger: quietLogger, work: false });
  await engine.start();
  const daemon = createDaemon({ store, engine, lease: lease ?? createLeaderLease(store.client), graph: () => graph, logger: quietLogger, name, now, schedules: () => schedules, intervalMs: 30_000 });
  return {
    daemon,
    async stop() {
      await daemon.stop();
      await engine.stop();
    },
  };
}

async function scheduleRuns(store: CatalogStore): Promise<RunRecord[]> {
  const runs = await store.listRuns({ first: 500 });
  return runs.filter((r) => r.launchedBy.kind === "schedule").sort((a, b) => (a.launchedBy.kind === "schedule" && b.launchedBy.kind === "schedule" ? a.launchedBy.tickAt.localeCompare(b.launchedBy.tickAt) : 0));
}

const tickOf = (run: RunRecord) => (run.launchedBy.kind === "schedule" ? run.launchedBy.tickAt : null);

// 06:00 in Copenhagen on 2026-03-02 (winter time, UTC+1) is 05:00 UTC.
const day = (n: number, hhmm: string) => new Date(Date.parse(`2026-03-0${n}T${hhmm}:00.000Z`));

describe("schedule ticks", () => {
  test("upcoming and due ticks follow the cron in its time zone", () => {
    const spec = declared().schedules[0]!;
    assert.deepEqual(upcomingTicks(spec, day(2, "04:00"), 3).map((d) => d.toISOString()), ["2026-03-02T05:00:00.000Z", "2026-03-03T05:00:00.000Z", "2026-03-04T05:00:00.000Z"]);
    assert.equal(dueTick(spec, day(2, "04:00"), day(2, "04:59")), null);
    assert.deepEqual(dueTick(spec, day(2, "04:00"), day(2, "05:00")), { tickAt: day(2, "05:00"), missed: 0 });
    assert.deepEqual(dueTick(spec, day(2, "05:00"), day(5, "12:00")), { tickAt: day(5, "05:00"), missed: 2 });
  });

  test("resolving refuses a selection matching nothing, a bad cron, an unknown zone and an unknown job, with file:line", () => {
    const resolved = resolveJobsAndSchedules(graph, {
      jobs: [{ name: "none", description: null, select: ["tag:nope"], exclude: [], declaredIn: { file: "tributary.yaml", line: 3 } }],
      schedules: [
        { ...declared().schedules[0]!, name: "a", job: "none" },
        { ...declared().schedules[0]!, name: "b", job: "none", cron: "61 * * * *", timezone: "Mars/Olympus", declaredIn: { file: "tributary.yaml", line: 20 } },
        { ...declared().schedules[0]!, name: "c", job: "missing" },
      ],
    });
    const messages = resolved.diagnostics.map((d) => `${d.severity} ${d.code} ${d.message}`);
    assert.ok(messages.some((m) => m.startsWith('error job_selection_matches_nothing tributary.yaml:3: job "none": the selection "tag:nope" matches no asset')), messages.join("\n"));
    assert.ok(messages.some((m) => /^error schedule_invalid tributary\.yaml:20: schedule "b": cron "61 \* \* \* \*" is invalid/.test(m)), messages.join("\n"));
    assert.ok(messages.some((m) => m.includes('tributary.yaml:20: schedule "b": "Mars/Olympus" is not a time zone')), messages.join("\n"));
    assert.ok(messages.some((m) => m.includes('schedule "c": no job "missing"')), messages.join("\n"));
    assert.ok(resolved.schedules.every((s) => s.errors.length > 0));
  });
});

for (const engine of testEngines) {
  describe(`schedules fired by the daemon (${engine.name})`, { skip: engine.skip }, () => {
    test("a tick fires once, across ticks of the daemon and a restart; the run names the schedule and selects the job's assets", { timeout: 120_000 }, async () => {
      await withDatabase(engine, async (database) => {
        let now = day(2, "04:00");
        const schedules = declared();
        let store = await database.openStore();
        let running = await daemonOn(store, "first", () => now, schedules);
        try {
          // First seen at 04:00: nothing before it fires.
          assert.deepEqual((await running.daemon.tick()).scheduleFirings, []);
          now = day(2, "05:00");
          const fired = (await running.daemon.tick()).scheduleFirings;
          assert.equal(fired.length, 1);
          assert.equal(fired[0]!.status, "launched");
          now = new Date(day(2, "05:00").getTime() + 20_000);
          assert.deepEqual((await running.daemon.tick()).scheduleFirings, [], "a second pass in the same minute finds the tick claimed");
          // Restart: a new daemon (and store) on the same database, within the same minute.
          await running.stop();
          await store.close();
          store = await database.openStore();
          running = await daemonOn(store, "restarted", () => now, schedules);
          assert.deepEqual((await running.daemon.tick()).scheduleFirings, [], "a restarted daemon does not fire the tick again");
          now = new Date(day(3, "05:00").getTime() + 5_000);
          assert.equal((await running.daemon.tick()).scheduleFirings.length, 1, "the next day's tick fires");
          const runs = await scheduleRuns(store);
          assert.deepEqual(runs.map(tickOf), ["2026-03-02T05:00:00.000Z", "2026-03-03T05:00:00.000Z"]);
          assert.deepEqual(runs[0]!.launchedBy, { kind: "schedule", schedule: "daily", job: "daily_job", tickAt: "2026-03-02T05:00:00.000Z" });
          assert.deepEqual([...runs[0]!.assetKeys.map((k) => k.join("/"))].sort(), ["orders", "stg_orders"]);
          const ticks = await scheduleSql.scheduleTicks(store.client, "daily", 10);
          assert.deepEqual(ticks.map((t) => [t.status, t.runId, t.claimedBy]), [["launched", runs[1]!.id, "restarted"], ["launched", runs[0]!.id, "first"]]);
        } finally {
          await running.stop();
          await store.close();
        }
      });
    });

    test("after downtime the latest missed tick runs once (catch_up: latest), or is skipped (catch_up: none)", { timeout: 120_000 }, async () => {
      await withDatabase(engine, async (database) => {
        let now = day(2, "04:00");
        const latest = declared();
        const none = { jobs: latest.jobs, schedules: [{ ...latest.schedules[0]!, name: "daily_no_catch_up", catchUp: "none" as const }] };
        const both = { jobs: latest.jobs, schedules: [...latest.schedules, ...none.schedules] };
        const store = await database.openStore();
        const running = await daemonOn(store, "d", () => now, both);
        try {
          await running.daemon.tick();
          now = day(2, "05:00");
          assert.equal((await running.daemon.tick()).scheduleFirings.length, 2);
          // Down from 05:01 on the 2nd until 12:00 on the 5th: the 3rd's, 4th's and 5th's 06:00 passed.
          now = day(5, "12:00");
          const after = (await running.daemon.tick()).scheduleFirings;
          const byName = new Map(after.map((f) => [f.schedule, f]));
          assert.deepEqual({ ...byName.get("daily"), runId: null }, { schedule: "daily", tickAt: "2026-03-05T05:00:00.000Z", status: "launched", runId: null, reason: null, missed: 2 });
          assert.equal(byName.get("daily_no_catch_up")!.status, "skipped");
          assert.match(byName.get("daily_no_catch_up")!.reason!, /catch_up: none/);
          assert.deepEqual((await running.daemon.tick()).scheduleFirings, [], "no storm: nothing more to fire");
          // Back on time the next day: both fire.
          now = new Date(day(6, "05:00").getTime() + 10_000);
          assert.deepEqual((await running.daemon.tick()).scheduleFirings.map((f) => [f.schedule, f.status]).sort(), [["daily", "launched"], ["daily_no_catch_up", "launched"]]);
          const runs = await scheduleRuns(store);
          const ticksOf = (name: string) => runs.filter((r) => r.launchedBy.kind === "schedule" && r.launchedBy.schedule === name).map(tickOf);
          assert.deepEqual(ticksOf("daily"), ["2026-03-02T05:00:00.000Z", "2026-03-05T05:00:00.000Z", "2026-03-06T05:00:00.000Z"]);
          assert.deepEqual(ticksOf("daily_no_catch_up"), ["2026-03-02T05:00:00.000Z", "2026-03-06T05:00:00.000Z"]);
        } finally {
          await running.stop();
          await store.close();
        }
      });
    });

    test("stopped and invalid schedules never fire; starting one does not catch up the time it was stopped", { timeout: 120_000 }, async () => {
      await withDatabase(engine, async (database) => {
        let now = day(2, "04:00");
        const stopped = declared({ defaultStatus: "stopped" });
        const invalid = { jobs: [{ ...stopped.jobs[0]!, name: "bad", select: ["tag:nope"] }], schedules: [{ ...stopped.schedules[0]!, name: "bad", job: "bad", defaultStatus: "running" as const }] };
        const all = { jobs: [...stopped.jobs, ...invalid.jobs], schedules: [...stopped.schedules, ...invalid.schedules] };
        const store = await database.openStore();
        const running = await daemonOn(store, "d", () => now, all);
        try {
          await running.daemon.tick();
          now = day(3, "05:00");
          assert.deepEqual((await running.daemon.tick()).scheduleFirings, []);
          now = day(4, "12:00");
          await scheduleSql.setScheduleStatus(store.client, "daily", "running", "ada", now);
          assert.deepEqual((await running.daemon.tick()).scheduleFirings, [], "the 4th's 06:00 passed while it was stopped");
          now = day(5, "05:00");
          assert.deepEqual((await running.daemon.tick()).scheduleFirings.map((f) => f.tickAt), ["2026-03-05T05:00:00.000Z"]);
          await scheduleSql.setScheduleStatus(store.client, "daily", "stopped", "ada", now);
          now = day(6, "05:00");
          assert.deepEqual((await running.daemon.tick()).scheduleFirings, []);
          assert.equal((await scheduleRuns(store)).length, 1);
        } finally {
          await running.stop();
          await store.close();
        }
      });
    });
  });
}

describe("two daemons on one Postgres that both believe they lead", { skip: postgresEngine.skip }, () => {
  test("every minute's tick of an every-minute schedule fires exactly once over 120 rounds of concurrent ticks", { timeout: 240_000 }, async () => {
    await withDatabase(postgresEngine, async (database) => {
      let minute = 0;
      const now = () => new Date(Date.UTC(2026, 2, 2) + minute * 60_000 + 1_000);
      const schedules = declared({ cron: "* * * * *", timezone: "UTC" });
      const stores = [await database.openStore(), await database.openStore()];
      const daemons = await Promise.all(stores.map((store, i) => daemonOn(store, `daemon-${i}`, now, schedules, alwaysLeader)));
      try {
        await Promise.all(daemons.map((d) => d.daemon.tick()));
        const claimedBy = [0, 0];
        const rounds = 120;
        for (let round = 0; round < rounds; round++) {
          minute += 1;
          const outcomes = await Promise.all(daemons.map((d) => d.daemon.tick()));
          const firings = outcomes.flatMap((o) => o.scheduleFirings);
          assert.equal(firings.length, 1, `minute ${minute}: ${firings.length} daemons fired the tick`);
          outcomes.forEach((o, i) => (claimedBy[i]! += o.scheduleFirings.length));
        }
        const runs = await scheduleRuns(stores[0]!);
        assert.equal(runs.length, rounds);
        assert.equal(new Set(runs.map(tickOf)).size, rounds, "one run per tick");
        // Both raced for real: each daemon won some ticks (a daemon that always lost would prove nothing).
        assert.ok(claimedBy.every((n) => n > 0), `claims per daemon: ${claimedBy.join(", ")}`);
        // The claim alone, without the daemons' cursor: both fire the same due tick at once, 60 times.
        const resolved = resolveJobsAndSchedules(graph, schedules);
        const engines = await Promise.all(stores.map(async (store) => {
          const queue = createRunQueue({ client: store.client, schema: `${store.client.schema ?? "tributary"}_queue` });
          await queue.start();
          return { queue, engine: createRunEngine({ store, queue, launchers: [recordingLauncher("dbt", "shop")], graph: () => graph, logger: quietLogger, work: false }) };
        }));
        try {
          for (let round = 0; round < 60; round++) {
            minute += 1;
            const fired = await Promise.all(stores.map((store, i) => fireSchedules({ store, engine: engines[i]!.engine, resolved, now: now(), claimedBy: `racer-${i}`, lateAfterMs: 60_000, logger: quietLogger })));
            assert.equal(fired.flat().length, 1, `minute ${minute}: ${fired.flat().length} claims of one tick`);
          }
        } finally {
          for (const e of engines) await e.engine.stop();
        }
        assert.equal((await scheduleRuns(stores[0]!)).length, rounds + 60);
      } finally {
        for (const d of daemons) await d.stop();
        for (const s of stores) await s.close();
      }
    });
  });
});
