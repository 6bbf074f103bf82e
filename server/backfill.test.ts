/**
 * A 31-partition backfill with real dbt on DuckDB and real Postgres, SIGKILLed mid-way and resumed by a second
 * process: every partition finishes exactly once.
 *
 * The dbt project: `events_daily`, daily partitions declared in meta.tributary.partitions and windowed by vars
 * (min_date, max_date); `events_doubled`, a dbt microbatch model over it (its daily partitions come from
 * event_time, batch_size and begin, and share events_daily's partitioning, so both build in one invocation per
 * day); `monthly_totals`, monthly partitions (vars month_start, month_end) reading the daily ones. A backfill of
 * 2026-09-01 … 2026-09-30 of all three is 30 daily partitions and 1 monthly one, which must wait for all 30.
 *
 * What is checked, from the tools' side and the store, never from logs:
 * - the first life was killed with partitions done and partitions not yet done;
 * - a wrapper around dbt notes every dbt it starts with its arguments: each day's window was given to exactly
 *   one `dbt build` (`--vars` with its min_date, and the event-time flags of the microbatch model), and the
 *   month's to exactly one, after every day had ended;
 * - partitions ran in parallel (steps of different partitions overlapped in time);
 * - the warehouse holds each day once, the microbatch table each day once, and the month sums all 30 days;
 * - each partition's materialization of each asset is recorded once, with its partition key, and the partition
 *   status cache holds the 30 days as one range.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { DuckDBInstance } from "@duckdb/node-api";
import { partitionCalendar, parsePartitionsSpec } from "../catalog/model/index.ts";
import { backfillSql, openCatalogStore, partitionSql } from "../catalog/store/index.ts";
import { postgresEngine, withDatabase, SKIP_POSTGRES } from "../catalog/store/test-support.ts";
import { runDbtParse } from "../connectors/dbt/project-runner.ts";
import { resolveDbtRuntime } from "../connectors/dbt/runtime.ts";
import { writeNotingDbt } from "../connectors/dbt/test-support.ts";
import type { BackfillChildConfig } from "./backfill-child.ts";

const CHILD = fileURLToPath(new URL("./backfill-child.ts", import.meta.url));
const ENV = "TRIBUTARY_BACKFILL_CHILD";

interface Life {
  readonly process: ChildProcess;
  readonly messages: Record<string, unknown>[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitFor(predicate: (message: Record<string, unknown>) => boolean, timeoutMs: number): Promise<Record<string, unknown>>;
}

function startLife(config: BackfillChildConfig, stderr: string[]): Life {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD], { env: { ...process.env, [ENV]: JSON.stringify(config) }, stdio: ["ignore", "pipe", "pipe"] });
  const messages: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  let pending = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    pending += chunk;
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      if (!line.startsWith("{")) continue;
      try {
        messages.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        continue;
      }
      for (const wake of waiters.splice(0)) wake();
    }
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => stderr.push(...chunk.split("\n").filter((l) => l.trim() !== "")));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => {
      for (const wake of waiters.splice(0)) wake();
      resolve({ code, signal });
    }),
  );
  let done = false;
  void exited.then(() => (done = true));
  return {
    process: child,
    messages,
    exited,
    async waitFor(predicate, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = messages.find(predicate);
        if (found) return found;
        if (done) throw new Error(`the child exited before the awaited message; stderr:\n${stderr.slice(-30).join("\n")}`);
        if (Date.now() > deadline) throw new Error(`timed out; last messages ${JSON.stringify(messages.slice(-3))}; stderr:\n${stderr.slice(-30).join("\n")}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 1000);
        });
      }
    },
  };
}

const DAILY = `{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='day', event_time='day') }}
select cast(day as date) as day, cast(extract(day from day) as integer) * 10 as amount
from range(timestamp '2026-09-01', timestamp '2026-10-01', interval 1 day) as t(day)
where day >= cast('{{ var("min_date", "1900-01-01") }}' as timestamp)
  and day < cast('{{ var("max_date", "9999-01-01") }}' as timestamp)
`;
const MICROBATCH = `{{ config(materialized='incremental', incremental_strategy='microbatch', event_time='day', batch_size='day', begin='2026-09-01') }}
select day, amount * 2 as doubled from {{ ref('events_daily') }}
`;
const MONTHLY = `{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='month') }}
select cast(date_trunc('month', day) as date) as month, sum(amount) as total, count(*) as days
from {{ ref('events_daily') }}
where day >= cast('{{ var("month_start", "1900-01-01") }}' as date) and day < cast('{{ var("month_end", "9999-01-01") }}' as date)
group by 1
`;
const SCHEMA_YML = `version: 2
models:
  - name: events_daily
    config:
      meta:
        tributary:
          partitions: {type: daily, start_date: "2026-09-01", vars: {format: date}}
  - name: monthly_totals
    config:
      meta:
        tributary:
          partitions: {type: monthly, start_date: "2026-09-01", vars: {start: month_start, end: month_end, format: date}}
`;

test("a 31-partition backfill with real dbt runs in parallel, survives a SIGKILL mid-way and builds every partition exactly once", { skip: SKIP_POSTGRES, timeout: 2_400_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), "tributary-backfill-"));
  const stderr: string[] = [];
  const lives: Life[] = [];
  try {
    const runtime = await resolveDbtRuntime({ preferManaged: true });
    const projectDir = join(dir, "project");
    await mkdir(join(projectDir, "models"), { recursive: true });
    await writeFile(join(projectDir, "dbt_project.yml"), 'name: "bf"\nconfig-version: 2\nversion: "0.1"\nprofile: "bf"\nmodel-paths: ["models"]\nflags:\n  send_anonymous_usage_stats: false\n');
    const warehouse = join(dir, "warehouse.duckdb");
    await writeFile(
      join(projectDir, "profiles.yml"),
      `bf:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: ${JSON.stringify(warehouse)}\n      schema: main\n      threads: 1\n      retries:\n        connect_attempts: 12\n`,
    );
    await writeFile(join(projectDir, "models", "events_daily.sql"), DAILY);
    await writeFile(join(projectDir, "models", "events_doubled.sql"), MICROBATCH);
    await writeFile(join(projectDir, "models", "monthly_totals.sql"), MONTHLY);
    await writeFile(join(projectDir, "models", "schema.yml"), SCHEMA_YML);
    const invocationsFile = join(dir, "dbt-invocations.txt");
    const wrapper = await writeNotingDbt(join(dir, "dbt-noting"), runtime, invocationsFile, `'%s %s %s\\n' "$$" "$(date +%s%N)" "$*"`);
    const parseTargetDir = join(dir, "parse");
    await runDbtParse({ runtime, projectDir, targetPath: parseTargetDir, profilesDir: projectDir });

    await withDatabase(postgresEngine, async (database) => {
      const base: BackfillChildConfig = {
        mode: "launch",
        store: database.options,
        queueSchema: `${database.options.schema}_queue`,
        backfill: { assetIds: ["events_daily", "events_doubled", "monthly_totals"], from: "2026-09-01", to: "2026-09-30" },
        parallelism: 3,
        heartbeatMs: 250,
        staleAfterMs: 2_000,
        dbt: { locationName: "bf", projectDir, parseTargetDir, runsDir: join(dir, "runs"), executable: wrapper, profilesDir: projectDir },
      };
      const first = startLife(base, stderr);
      lives.push(first);
      const launched = await first.waitFor((m) => typeof m["backfill"] === "string", 120_000);
      assert.equal(launched["partitions"], 31);
      // Killed once some partitions have succeeded and others have not ended.
      const atKill = await first.waitFor((m) => {
        const progress = m["progress"] as Record<string, number> | undefined;
        return progress !== undefined && (progress["succeeded"] ?? 0) >= 4;
      }, 1_200_000);
      first.process.kill("SIGKILL");
      await first.exited;
      const progress = atKill["progress"] as Record<string, number>;
      assert.ok((progress["succeeded"] ?? 0) < 31, `killed mid-way: ${JSON.stringify(progress)}`);

      const second = startLife({ ...base, mode: "resume", backfill: { ...base.backfill, id: launched["backfill"] as string } }, stderr);
      lives.push(second);
      const ended = await second.waitFor((m) => typeof m["ended"] === "string", 1_500_000);
      assert.equal(ended["ended"], "succeeded", stderr.slice(-20).join("\n"));
      await second.exited;

      const store = await openCatalogStore(database.options);
      try {
        const backfill = (await backfillSql.getBackfill(store.client, launched["backfill"] as string))!;
        assert.equal(backfill.partitions.length, 31);
        assert.deepEqual(
          backfill.partitions.filter((p) => p.status !== "succeeded" || p.attempts !== 1).map((p) => `${p.partitionKey}:${p.status}:${p.attempts}`),
          [],
        );

        // Every window went to exactly one dbt build, from the tool's side.
        const builds = (await readFile(invocationsFile, "utf8"))
          .split("\n")
          .filter((line) => / build /.test(line))
          .map((line) => {
            const [, at, ...args] = line.split(" ");
            const vars = JSON.parse(args[args.indexOf("--vars") + 1]!) as Record<string, string>;
            const eventTimeStart = args.includes("--event-time-start") ? args[args.indexOf("--event-time-start") + 1] : null;
            return { at: Number(at), vars, eventTimeStart };
          });
        const days = builds.filter((b) => "min_date" in b.vars);
        const months = builds.filter((b) => "month_start" in b.vars);
        assert.equal(days.length, 30, `daily builds: ${days.map((d) => d.vars["min_date"]).join(" ")}`);
        assert.equal(new Set(days.map((d) => d.vars["min_date"])).size, 30);
        assert.ok(days.every((d) => d.eventTimeStart === `${d.vars["min_date"]}T00:00:00`), "the microbatch model got each day's event-time window");
        assert.deepEqual(months.map((m) => m.vars), [{ month_start: "2026-09-01", month_end: "2026-10-01" }]);
        assert.ok(months[0]!.at > Math.max(...days.map((d) => d.at)), "the month was built after every day's build had started");

        // Partitions overlapped in time.
        const runs = await Promise.all(backfill.partitions.map((p) => store.getRun(p.runId!)));
        const spans = runs.map((run) => [Date.parse(run!.steps[0]!.startedAt!), Date.parse(run!.steps[0]!.endedAt!)] as const);
        const overlapping = spans.some(([s1, e1], i) => spans.some(([s2, e2], j) => i !== j && s1 < e2 && s2 < e1));
        assert.ok(overlapping, "some partitions ran at the same time");

        // Each partition's materialization of each asset is recorded once, with its key.
        const events = await store.client.query<{ asset_key: string; partition_key: string; n: number }>(
          "SELECT asset_key, partition_key, count(*)::int AS n FROM asset_events WHERE kind = 'materialization' GROUP BY 1, 2 ORDER BY 1, 2",
        );
        const per = (asset: string) => events.filter((e) => e.asset_key === asset);
        assert.equal(per("events_daily").length, 30);
        assert.equal(per("events_doubled").length, 30);
        assert.deepEqual(per("monthly_totals").map((e) => [e.partition_key, e.n]), [["2026-09-01", 1]]);
        assert.ok(events.every((e) => e.n === 1), `recorded twice: ${JSON.stringify(events.filter((e) => e.n !== 1))}`);

        const definition = parsePartitionsSpec({ type: "daily", start_date: "2026-09-01", vars: { format: "date" } }, { file: null }).definition!;
        const statuses = await partitionSql.partitionStatuses(store.client, [{ assetId: "events_daily", definition }]);
        assert.deepEqual(statuses.get("events_daily"), { materialized: [[0, 29]], failed: [], inProgress: [] });
        assert.equal(partitionCalendar(definition).keyAt(29), "2026-09-30");
      } finally {
        await store.close();
      }

      // The warehouse, as dbt left it.
      const instance = await DuckDBInstance.create(warehouse, { access_mode: "READ_ONLY" });
      const connection = await instance.connect();
      const read = async (sql: string) => (await connection.runAndReadAll(sql)).getRowObjectsJS();
      assert.deepEqual(await read("SELECT count(*)::int AS n, count(DISTINCT day)::int AS days FROM main.events_daily"), [{ n: 30, days: 30 }]);
      assert.deepEqual(await read("SELECT count(*)::int AS n, count(DISTINCT day)::int AS days FROM main.events_doubled"), [{ n: 30, days: 30 }]);
      assert.deepEqual(await read("SELECT days::int AS days, total::int AS total FROM main.monthly_totals"), [{ days: 30, total: 4650 }]);
      connection.closeSync();
      instance.closeSync();
    });
  } finally {
    for (const life of lives) if (life.process.exitCode === null && life.process.signalCode === null) life.process.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
  }
});
