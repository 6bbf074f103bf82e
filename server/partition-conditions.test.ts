/**
 * Conditions per partition, end to end with real dbt: a copy of demo-project on a temp DuckDB warehouse (the
 * Shopify tables the Fivetran connector would land, loaded from demo-project/data), its two daily-partitioned
 * models given policies in the copy's YAML — `country_revenue_daily` (windowed by vars) eager,
 * `orders_by_channel_daily` (dbt microbatch) on_missing — and the daemon, the runs engine and the real dbt build
 * launcher on PGlite. The daemon's clock is the test's; dbt runs for real.
 *
 *   first tick        nothing: the ~93 partitions missing at the first evaluation are left to backfills
 *   stg update        a manual run builds the Shopify staging views: the next tick requests the latest partition of
 *                     the eager model only (one run, `--vars` with that day's window), and nothing after it
 *   a day later       the clock moves a day: each model's new latest partition is requested once — the vars
 *                     model's 2026-12-03 (`--vars`), the microbatch model's 2026-12-04 (its partitions include
 *                     the day in progress, as dbt's current batch; `--event-time-start/--event-time-end`)
 *
 * What is checked comes from the store (runs, partition events, the partition status cache), and from a wrapper
 * that notes each dbt it starts with its arguments; never from logs.
 */
import assert from "node:assert/strict";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { DuckDBInstance } from "@duckdb/node-api";
import { buildCatalogGraph } from "../catalog/graph/index.ts";
import { partitionCalendar, rangesSize } from "../catalog/model/index.ts";
import { partitionSql } from "../catalog/store/index.ts";
import { pgliteEngine, withDatabase } from "../catalog/store/test-support.ts";
import { createDbtBuildLauncher, createDbtManifestProvider } from "../connectors/dbt/index.ts";
import { runDbtParse } from "../connectors/dbt/project-runner.ts";
import { resolveDbtRuntime } from "../connectors/dbt/runtime.ts";
import { writeNotingDbt } from "../connectors/dbt/test-support.ts";
import { createDaemon, createLeaderLease } from "../scheduler/daemon/index.ts";
import { createRunEngine, createRunQueue } from "../scheduler/runs/index.ts";
import { quietLogger, waitForRun } from "../scheduler/runs/test-support.ts";

const DEMO_PROJECT = join(import.meta.dirname, "..", "demo-project");
const DAILY = "country_revenue_daily";
const MICROBATCH = "orders_by_channel_daily";

test("per-partition conditions request only the partitions that need it (real dbt, demo-project's partitioned models)", { timeout: 600_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), "tributary-partition-conditions-"));
  try {
    const runtime = await resolveDbtRuntime({ preferManaged: true });
    const projectDir = join(dir, "project");
    await cp(DEMO_PROJECT, projectDir, { recursive: true, filter: (source) => !/[/\\](target|logs|dbt_packages)$|\.duckdb(\.wal)?$/.test(source) });
    const warehouse = join(dir, "warehouse.duckdb");
    const profiles = (await readFile(join(projectDir, "profiles.yml"), "utf8")).replace(/path: .*/, `path: ${JSON.stringify(warehouse)}`);
    await writeFile(join(projectDir, "profiles.yml"), profiles);
    // The test copy's policies: eager on the vars-windowed model, on_missing on the microbatch one.
    const yml = join(projectDir, "models", "partitioned", "_partitioned.yml");
    const original = await readFile(yml, "utf8");
    const edited = original
      .replace(/(- name: orders_by_channel_daily[\s\S]*?meta:\n\s*)dagster: \{\}/, "$1dagster: {automation_condition: on_missing}")
      .replace(/(- name: country_revenue_daily[\s\S]*?meta:\n\s*)dagster: \{\}/, "$1dagster: {automation_condition: eager}");
    assert.equal((edited.match(/automation_condition/g) ?? []).length, 2, "both policies written into the copy");
    await writeFile(yml, edited);

    // What Fivetran would have landed: the Shopify orders.
    const instance = await DuckDBInstance.create(warehouse);
    const connection = await instance.connect();
    await connection.run("CREATE SCHEMA shopify");
    for (const table of ["order", "customer", "order_line", "product"]) {
      await connection.run(`CREATE TABLE shopify."${table}" AS SELECT * FROM read_csv_auto(${sqlString(join(DEMO_PROJECT, "data", "fivetran", "shopify", `${table}.csv`))})`);
    }
    connection.closeSync();
    instance.closeSync();

    // A dbt that notes its arguments, then runs the real one.
    const invocationsFile = join(dir, "dbt-invocations.txt");
    const wrapper = await writeNotingDbt(join(dir, "dbt-noting"), runtime, invocationsFile, `'%s\\n' "$*"`);
    const parseTargetDir = join(dir, "parse");
    await runDbtParse({ runtime, projectDir, targetPath: parseTargetDir, profilesDir: projectDir });
    const definitions = await createDbtManifestProvider({ file: join(parseTargetDir, "manifest.json"), name: "shop" }).load();
    // Only the two partitioned models keep a policy: the demo's other policies would build the marts, which
    // need sources this test does not load.
    const graph = buildCatalogGraph({
      definitions: [{ ...definitions, specs: definitions.specs.map((s) => (s.key.join("/") === DAILY || s.key.join("/") === MICROBATCH ? s : { ...s, policy: null })) }],
    });
    assert.ok(graph.get(DAILY)?.partitions && graph.get(MICROBATCH)?.partitions, "both models are partitioned");
    assert.ok(graph.get(DAILY)?.policy && graph.get(MICROBATCH)?.policy, "both have their policy from the copy's YAML");

    await withDatabase(pgliteEngine, async (database) => {
      const store = await database.openStore();
      const queue = createRunQueue({ client: store.client, schema: `${store.client.schema ?? "tributary"}_queue`, pollingIntervalSeconds: 0.5 });
      await queue.start();
      const engine = createRunEngine({
        store,
        queue,
        launchers: [
          createDbtBuildLauncher({ locationName: "shop", projectDir, parseTargetDir, runsDir: join(dir, "runs"), dbtExecutable: wrapper, profilesDir: projectDir, resumePollMs: 100, partitionConcurrency: 2 }),
        ],
        graph: () => graph,
        logger: quietLogger,
        heartbeatMs: 250,
        staleAfterMs: 5_000,
      });
      await engine.start();
      let clock = Date.parse("2026-12-03T10:00:00Z");
      const daemon = createDaemon({ store, engine, lease: createLeaderLease(store.client), graph: () => graph, logger: quietLogger, name: "partitions", now: () => new Date(clock), intervalMs: 60_000 });
      const calendar = partitionCalendar(graph.get(DAILY)!.partitions!);
      const builds = async () =>
        (await readFile(invocationsFile, "utf8").catch(() => ""))
          .split("\n")
          .filter((line) => /(^| )build /.test(line) && (line.includes("--vars") || line.includes("--event-time-start")))
          .map((line) => {
            const args = line.split(" ");
            const flag = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1]! : null);
            return { vars: JSON.parse(flag("--vars") ?? "{}") as Record<string, string>, eventTimeStart: flag("--event-time-start"), eventTimeEnd: flag("--event-time-end") };
          });
      try {
        const first = await daemon.tick();
        assert.deepEqual(first.requested, [], "first tick: nothing missing at the first evaluation is requested");
        assert.equal(first.evaluated, 2);
        assert.equal(calendar.count(new Date(clock)), 93, "2026-09-01 … 2026-12-02");

        const manual = await engine.launch(["stg_shopify__orders", "stg_shopify__customers", "stg_shopify__order_lines", "stg_shopify__products"], { kind: "manual", user: "test" });
        assert.equal((await waitForRun(store, manual.run!.id, 240_000)).status, "succeeded");

        clock += 60_000;
        const second = await daemon.tick();
        assert.deepEqual([...second.requested], [DAILY], "the eager model; on_missing has nothing newly missing");
        assert.deepEqual(Object.fromEntries(second.requestedPartitions), { [DAILY]: ["2026-12-02"] }, "only its latest partition");
        assert.equal(second.runIds.length, 1);
        const run = await waitForRun(store, second.runIds[0]!, 240_000);
        assert.equal(run.status, "succeeded", JSON.stringify(run));
        assert.equal(run.partition?.key, "2026-12-02");
        assert.deepEqual(run.launchedBy, { kind: "policy", tick: second.evaluationId });
        assert.deepEqual(
          (await builds()).map((b) => b.vars),
          [{ min_date: "2026-12-02", max_date: "2026-12-03" }],
          "one dbt build, told the latest day's window",
        );
        clock += 60_000;
        assert.deepEqual((await daemon.tick()).requested, [], "its own run handled it: nothing requested again");

        // A day later (2026-12-04 10:02): the vars model's partition 2026-12-03 has ended and appears; the
        // microbatch model's partitions include the day in progress (dbt builds the current batch: end_offset 1),
        // so its new one is 2026-12-04. Each is requested once, as its own run (different partition keys).
        clock += 24 * 3600_000;
        const fourth = await daemon.tick();
        assert.deepEqual([...fourth.requested].sort(), [DAILY, MICROBATCH].sort());
        assert.deepEqual(Object.fromEntries(fourth.requestedPartitions), { [DAILY]: ["2026-12-03"], [MICROBATCH]: ["2026-12-04"] });
        assert.equal(fourth.runIds.length, 2);
        const dayRuns = await Promise.all(fourth.runIds.map((id) => waitForRun(store, id, 240_000)));
        assert.deepEqual(dayRuns.map((r) => [r.status, r.partition?.key, r.steps[0]!.assetKeys.map((k) => k.join("/")).join(",")]).sort(), [
          ["succeeded", "2026-12-03", DAILY],
          ["succeeded", "2026-12-04", MICROBATCH],
        ]);
        const later = (await builds()).slice(1);
        assert.ok(later.some((b) => b.vars["min_date"] === "2026-12-03" && b.vars["max_date"] === "2026-12-04"), JSON.stringify(later));
        assert.ok(later.some((b) => b.eventTimeStart === "2026-12-04T00:00:00" && b.eventTimeEnd === "2026-12-05T00:00:00"), JSON.stringify(later));
        clock += 60_000;
        assert.deepEqual((await daemon.tick()).requested, [], "nothing requested twice");
        assert.equal((await builds()).length, 3, "three partition builds in all");

        // The store: each model has exactly the partitions that needed a build, of the ~94 that exist.
        const events = await store.client.query<{ asset_key: string; partition_key: string }>(
          "SELECT asset_key, partition_key FROM asset_events WHERE kind = 'materialization' AND partition_key IS NOT NULL ORDER BY asset_key, partition_key",
        );
        assert.deepEqual(
          events.map((e) => `${e.asset_key}:${e.partition_key}`),
          [`${DAILY}:2026-12-02`, `${DAILY}:2026-12-03`, `${MICROBATCH}:2026-12-04`],
        );
        const statuses = await partitionSql.partitionStatuses(store.client, [{ assetId: DAILY, definition: graph.get(DAILY)!.partitions! }]);
        assert.equal(rangesSize(statuses.get(DAILY)!.materialized), 2);
        // The evaluation record says which partitions each node was true for.
        const evaluations = await store.assetEvaluations(DAILY, { first: 10 });
        const requested = evaluations.find((e) => e.tick === fourth.evaluationId)!;
        assert.deepEqual(requested.tree.partitions, { count: 1, of: 94, keys: "2026-12-03" });
      } finally {
        await daemon.stop();
        await engine.stop();
        await store.close();
      }
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
