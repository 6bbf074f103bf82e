/**
 * Jobs and schedules in GraphQL, on a real store (PGlite) with the real daemon firing a tick through the runs
 * engine: the job's selected assets, the schedule's cron in words, next ticks, status, the latest tick and its
 * run (whose launcher is the schedule), start / stop, and what a selection matching nothing shows.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { JobsAndSchedules } from "../../catalog/model/index.ts";
import type { CatalogStore } from "../../catalog/store/index.ts";
import { scheduleSql } from "../../catalog/store/index.ts";
import { pgliteEngine } from "../../catalog/store/test-support.ts";
import type { TestDatabase } from "../../catalog/store/test-support.ts";
import { createDaemon } from "../../scheduler/daemon/index.ts";
import { createLeaderLease } from "../../scheduler/daemon/index.ts";
import { quietLogger, recordingLauncher, startHarness } from "../../scheduler/runs/test-support.ts";
import type { Harness } from "../../scheduler/runs/test-support.ts";
import { createRunsSource } from "../runs-source.ts";
import { execute, query, shopGraph, testYoga } from "../test-support.ts";
import type { CatalogSource } from "./context.ts";

const graph = shopGraph();
const declared: JobsAndSchedules = {
  jobs: [
    { name: "marts", description: "Every mart", select: ["tag:mart"], exclude: ["tag:pii"], declaredIn: { file: "/etc/tributary.yaml", line: 4 } },
    { name: "typo", description: null, select: ["tag:nope"], exclude: [], declaredIn: { file: "/etc/tributary.yaml", line: 8 } },
  ],
  schedules: [
    { name: "marts_daily", job: "marts", cron: "0 6 * * *", timezone: "Europe/Copenhagen", catchUp: "latest", defaultStatus: "running", description: null, declaredIn: { file: "/etc/tributary.yaml", line: 12 } },
    { name: "broken", job: "typo", cron: "0 * * * *", timezone: "UTC", catchUp: "none", defaultStatus: "stopped", description: null, declaredIn: { file: "/etc/tributary.yaml", line: 17 } },
  ],
};

describe("jobs and schedules in GraphQL (pglite)", () => {
  let database: TestDatabase;
  let store: CatalogStore;
  let harness: Harness;
  let source: CatalogSource;

  before(async () => {
    database = await pgliteEngine.createDatabase();
    store = await database.openStore();
    harness = await startHarness(store, () => graph, [recordingLauncher("dbt", "shop")], { work: false });
    source = {
      current: () => graph,
      jobsAndSchedules: declared,
      runs: createRunsSource(store, harness.engine),
      schedules: {
        states: () => scheduleSql.scheduleStates(store.client),
        latestTicks: () => scheduleSql.latestScheduleTicks(store.client),
        ticks: (name, limit) => scheduleSql.scheduleTicks(store.client, name, limit),
        setStatus: (name, status, by) => scheduleSql.setScheduleStatus(store.client, name, status, by, new Date()),
      },
    };
    // The real daemon fires yesterday's 06:00 (Copenhagen) tick: first seen the day before, ticked after it.
    const tick = Date.now() - ((Date.now() % 86_400_000) + 86_400_000);
    let now = new Date(tick - 86_400_000);
    const daemon = createDaemon({ store, engine: harness.engine, lease: createLeaderLease(store.client), graph: () => graph, logger: quietLogger, name: "gql-test", now: () => now, schedules: () => declared });
    await daemon.tick();
    now = new Date(tick + 12 * 3_600_000);
    const fired = await daemon.tick();
    assert.equal(fired.scheduleFirings.length, 1);
    await daemon.stop();
  });

  after(async () => {
    await harness.stop();
    await store.close();
    await database.dispose();
  });

  test("jobs show what their selection picks, and why one picks nothing", async () => {
    const yoga = testYoga(source);
    const data = await query<{ jobs: { name: string; assetKeys: string[]; assetCount: number; error: string | null; declaredIn: string; schedules: { name: string }[] }[] }>(
      yoga,
      `{ jobs { name assetKeys assetCount error declaredIn schedules { name } } }`,
    );
    assert.deepEqual(data.jobs[0], { name: "marts", assetKeys: ["marts/daily_revenue", "marts/orders"], assetCount: 2, error: null, declaredIn: "/etc/tributary.yaml:4", schedules: [{ name: "marts_daily" }] });
    assert.equal(data.jobs[1]!.assetCount, 0);
    assert.match(data.jobs[1]!.error!, /the selection "tag:nope" matches no asset/);
  });

  test("a schedule: cron in words, time zone, status, next ticks, its latest tick and the run it launched", async () => {
    const yoga = testYoga(source);
    type Schedule = {
      name: string; cronDescription: string; timezone: string; status: string; errors: string[]; nextTicks: string[];
      latestTick: { status: string; missed: number; claimedBy: string; run: { id: string; assetKeys: string[]; launchedBy: { kind: string; schedule: string; job: string; description: string } } | null } | null;
    };
    const data = await query<{ schedules: Schedule[] }>(
      yoga,
      `{ schedules { name cronDescription timezone status errors nextTicks(count: 3)
          latestTick { status missed claimedBy run { id assetKeys launchedBy { kind schedule job description } } } } }`,
    );
    const [daily, broken] = data.schedules;
    assert.equal(daily!.cronDescription, "At 06:00");
    assert.equal(daily!.status, "RUNNING");
    assert.deepEqual(daily!.errors, []);
    assert.equal(daily!.nextTicks.length, 3);
    assert.ok(daily!.nextTicks.every((t) => Date.parse(t) > Date.now() && /T0[45]:00:00\.000Z$/.test(t)), daily!.nextTicks.join(", "));
    assert.equal(daily!.latestTick!.status, "LAUNCHED");
    assert.equal(daily!.latestTick!.claimedBy, "gql-test");
    assert.deepEqual(daily!.latestTick!.run!.assetKeys.sort(), ["marts/daily_revenue", "marts/orders"]);
    assert.equal(daily!.latestTick!.run!.launchedBy.kind, "SCHEDULE");
    assert.equal(daily!.latestTick!.run!.launchedBy.schedule, "marts_daily");
    assert.match(daily!.latestTick!.run!.launchedBy.description, /^schedule marts_daily \(job marts\), tick \d{4}-\d\d-\d\d 0[45]:00 UTC$/);
    assert.equal(broken!.status, "STOPPED");
    assert.deepEqual(broken!.nextTicks, []);
    assert.match(broken!.errors[0]!, /its job "typo" cannot run/);
    // The runs list shows the schedule as the launcher.
    const runs = await query<{ runs: { nodes: { launchedBy: { kind: string; schedule: string | null } }[] } }>(yoga, `{ runs(first: 5) { nodes { launchedBy { kind schedule } } } }`);
    assert.deepEqual(runs.runs.nodes.map((r) => r.launchedBy), [{ kind: "SCHEDULE", schedule: "marts_daily" }]);
  });

  test("stop and start a schedule; an unknown name is a coded error", async () => {
    const yoga = testYoga(source);
    const stopped = await query<{ stopSchedule: { status: string; statusChangedAt: string | null } }>(yoga, `mutation { stopSchedule(name: "marts_daily") { status statusChangedAt } }`);
    assert.equal(stopped.stopSchedule.status, "STOPPED");
    assert.ok(stopped.stopSchedule.statusChangedAt);
    const started = await query<{ startSchedule: { status: string } }>(yoga, `mutation { startSchedule(name: "marts_daily") { status } }`);
    assert.equal(started.startSchedule.status, "RUNNING");
    const state = (await scheduleSql.scheduleStates(store.client)).get("marts_daily")!;
    assert.ok(Date.now() - Date.parse(state.since) < 60_000, "starting moves since to now: the stopped time is not caught up");
    const { body } = await execute(yoga, `mutation { startSchedule(name: "nope") { status } }`);
    assert.equal(body.errors?.[0]?.extensions?.["code"], "SCHEDULE_NOT_FOUND");
  });
});
