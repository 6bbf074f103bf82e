/**
 * Backfills through the real runs engine and job queue on PGlite, with a launcher that records each step it is
 * given (its partition window) and materializes or fails its targets: partitions mapped across partitionings,
 * dependencies honoured, parallel partition runs, re-running only what failed, typed errors.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { spec } from "../../catalog/graph/test-specs.ts";
import type { CatalogGraph } from "../../catalog/graph/types.ts";
import type { PartitionsDefinition } from "../../catalog/model/index.ts";
import { keyToString, parsePartitionsSpec } from "../../catalog/model/index.ts";
import type { BackfillRecord, CatalogStore } from "../../catalog/store/index.ts";
import { partitionSql } from "../../catalog/store/index.ts";
import { pgliteEngine, type TestDatabase } from "../../catalog/store/test-support.ts";
import type { BackfillService } from "./backfills.ts";
import { BackfillError, createBackfillService } from "./backfills.ts";
import { graphFrom, quietLogger, recordingLauncher, startHarness, type Harness, type RecordingLauncher } from "./test-support.ts";

const at = { file: "models/schema.yml" };
const partitions = (value: Record<string, unknown>): PartitionsDefinition => parsePartitionsSpec(value, at).definition!;
const daily = partitions({ type: "daily", start_date: "2026-01-01", vars: { format: "date" } });
const monthly = partitions({ type: "monthly", start_date: "2026-01-01", vars: { start: "month_start", end: "month_end", format: "date" } });
// Fixed "now": 2026-03-10, so daily partitions run to 2026-03-09 and monthly ones to February.
const NOW = new Date("2026-03-10T12:00:00Z");

async function waitForBackfill(service: BackfillService, id: string, timeoutMs = 30_000): Promise<BackfillRecord> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const record = (await service.get(id))!;
    if (record.status !== "running") return record;
    if (Date.now() > deadline) throw new Error(`backfill ${id} still running: ${JSON.stringify(record.partitions.map((p) => p.status))}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("backfills on the runs engine", () => {
  let database: TestDatabase;
  let store: CatalogStore;
  let harness: Harness;
  let launcher: RecordingLauncher;
  let service: BackfillService;
  let graph: CatalogGraph;

  before(async () => {
    database = await pgliteEngine.createDatabase();
    store = await database.openStore();
    graph = graphFrom(
      spec("raw_events"),
      // Never materialized by Tributary, but the warehouse describes its table: built.
      spec("countries", { tableStats: { source: "warehouse", collectedAt: null, tableType: "BASE TABLE", owner: null, rowCount: 3, bytes: null, lastModified: null, entries: [] } }),
      spec("events_daily", { deps: ["raw_events", "countries"], partitions: daily }),
      spec("events_clean", { deps: ["events_daily"], partitions: daily }),
      spec("monthly_totals", { deps: ["events_clean"], partitions: monthly }),
    );
    launcher = Object.assign(recordingLauncher("dbt", "shop"), { partitionConcurrency: 3 });
    let backfills: BackfillService | null = null;
    harness = await startHarness(store, () => graph, [launcher], { onRunFinished: (tx, run) => backfills?.onRunFinished(tx, run) ?? Promise.resolve([]) });
    backfills = service = createBackfillService({ store, engine: harness.engine, graph: () => graph, logger: quietLogger, now: () => NOW });
  });
  after(async () => {
    await harness.stop();
    await store.close();
    await database.dispose();
  });

  // First, while raw_events (unpartitioned, read by events_daily) has never been materialized; it leaves it built.
  test("an unpartitioned upstream never materialized refuses the backfill, naming it; buildUpstream builds it once, before the partitions", async () => {
    launcher.launches.length = 0;
    const input = { assetIds: ["events_daily"], from: "2026-01-01", to: "2026-01-02", user: "ada" };
    await assert.rejects(service.launch(input), (error: unknown) => {
      assert.ok(error instanceof BackfillError);
      assert.equal(error.code, "unbuilt_upstream");
      assert.equal(error.field, "assetIds");
      assert.deepEqual(error.upstreamAssetIds, ["raw_events"]);
      assert.equal(
        error.message,
        "events_daily reads raw_events: not partitioned and never materialized, so every partition would fail. Build it first (tributary materialize raw_events), " +
          "or backfill with buildUpstream (tributary backfill … --build-upstream) to build it once before the partitions",
      );
      return true;
    });
    // Nothing was stored or run.
    assert.deepEqual(await service.list({ first: 10 }), []);
    assert.equal(launcher.launches.length, 0);

    const record = await service.launch({ ...input, buildUpstream: true });
    assert.deepEqual(
      record.partitions.map((p) => [p.partitionKey, p.partitioning, p.assetKeys.map(keyToString).join("+"), p.dependsOn, p.status, p.runPartition?.key ?? null]),
      [
        ["", "unpartitioned", "raw_events", [], "queued", null],
        ["2026-01-01", "daily from 2026-01-01 (UTC)", "events_daily", [0], "waiting", "2026-01-01"],
        ["2026-01-02", "daily from 2026-01-01 (UTC)", "events_daily", [0], "waiting", "2026-01-02"],
      ],
    );
    const ended = await waitForBackfill(service, record.id);
    assert.equal(ended.status, "succeeded");
    // raw_events was built once, with no window, before either partition.
    assert.deepEqual(
      launcher.launches.map((step) => [step.partition?.key ?? null, step.targets.map((t) => keyToString(t.assetKey)).join("+")]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      [
        ["2026-01-01", "events_daily"],
        ["2026-01-02", "events_daily"],
        [null, "raw_events"],
      ],
    );
    assert.deepEqual(launcher.launches[0]!.targets.map((t) => keyToString(t.assetKey)), ["raw_events"]);
    const upstreamRun = (await store.getRun(ended.partitions[0]!.runId!))!;
    assert.deepEqual([upstreamRun.partition ?? null, upstreamRun.launchedBy], [null, { kind: "backfill", backfillId: record.id, partitionKey: "", user: "ada" }]);

    // Built now: the next backfill needs no option and does not build it again.
    launcher.launches.length = 0;
    const again = await service.launch({ assetIds: ["events_daily"], from: "2026-01-03", to: "2026-01-03", user: null });
    assert.deepEqual(again.partitions.map((p) => [p.partitionKey, p.dependsOn]), [["2026-01-03", []]]);
    assert.equal((await waitForBackfill(service, again.id)).status, "succeeded");
    assert.deepEqual(launcher.launches.map((step) => step.partition?.key), ["2026-01-03"]);
  });

  test("days and the month they fall in: one run per partition, the month after all of its days", async () => {
    launcher.launches.length = 0;
    const record = await service.launch({ assetIds: ["events_daily", "events_clean", "monthly_totals"], from: "2026-01-30", to: "2026-02-02", user: "ada" });
    // Jan 30 … Feb 2 of the daily pair (one group: same partitioning), and January and February of the monthly.
    assert.deepEqual(
      record.partitions.map((p) => [p.partitionKey, p.assetKeys.map(keyToString).join("+"), p.dependsOn.length]),
      [
        ["2026-01-30", "events_daily+events_clean", 0],
        ["2026-01-31", "events_daily+events_clean", 0],
        ["2026-02-01", "events_daily+events_clean", 0],
        ["2026-02-02", "events_daily+events_clean", 0],
        ["2026-01-01", "monthly_totals", 2],
        ["2026-02-01", "monthly_totals", 2],
      ],
    );
    // The months wait; the days are sent at once.
    assert.deepEqual(record.partitions.map((p) => p.status), ["queued", "queued", "queued", "queued", "waiting", "waiting"]);
    const ended = await waitForBackfill(service, record.id);
    assert.equal(ended.status, "succeeded");
    const windows = launcher.launches.map((step) => [step.partition?.key, step.targets.map((t) => keyToString(t.assetKey)).join("+"), step.partition?.vars]);
    assert.equal(windows.length, 6);
    const months = windows.filter((w) => w[1] === "monthly_totals").map((w) => w[2] as Record<string, string>);
    assert.deepEqual(
      months.sort((a, b) => a["month_start"]!.localeCompare(b["month_start"]!)),
      [
        { month_start: "2026-01-01", month_end: "2026-02-01" },
        { month_start: "2026-02-01", month_end: "2026-03-01" },
      ],
    );
    assert.deepEqual(windows.find((w) => w[0] === "2026-01-31")![2], { min_date: "2026-01-31", max_date: "2026-02-01" });
    // Every month's step came after the steps of the days it reads.
    const order = launcher.launches.map((step) => step.partition!.key + (step.targets.length === 1 ? "/m" : "/d"));
    assert.ok(order.indexOf("2026-01-01/m") > order.indexOf("2026-01-31/d"));
    assert.ok(order.indexOf("2026-02-01/m") > Math.max(order.indexOf("2026-02-01/d"), order.indexOf("2026-02-02/d")));
    // Events carry their partition; the status cache folds them into ranges.
    const statuses = await partitionSql.partitionStatuses(store.client, [
      { assetId: "events_clean", definition: daily },
      { assetId: "monthly_totals", definition: monthly },
    ]);
    assert.deepEqual(statuses.get("events_clean"), { materialized: [[29, 32]], failed: [], inProgress: [] });
    assert.deepEqual(statuses.get("monthly_totals"), { materialized: [[0, 1]], failed: [], inProgress: [] });
  });

  test("partitions run in parallel up to the partition concurrency", async () => {
    launcher.launches.length = 0;
    let release!: () => void;
    launcher.gate = new Promise<void>((resolve) => (release = resolve));
    const record = await service.launch({ assetIds: ["events_daily"], from: "2026-03-01", to: "2026-03-06", user: null });
    const deadline = Date.now() + 10_000;
    while (launcher.launches.length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Three at once (partitionConcurrency 3), the other three queued behind them.
    assert.equal(launcher.launches.length, 3);
    const running = await service.get(record.id);
    assert.equal(running!.partitions.filter((p) => p.status === "running").length, 3);
    launcher.gate = null;
    release();
    assert.equal((await waitForBackfill(service, record.id)).status, "succeeded");
    assert.equal(launcher.launches.length, 6);
  });

  test("a failed day skips its month; re-running sends only the failed day and then the month", async () => {
    launcher.launches.length = 0;
    let failOnce = true;
    const original = launcher.launch.bind(launcher);
    launcher.launch = async (step) => {
      // Only the 2026-02-10 partition fails, and only the first time.
      if (step.partition?.key !== "2026-02-10" || !failOnce) return original(step);
      failOnce = false;
      launcher.launches.push(step);
      const at = new Date().toISOString();
      await step.report.recordAssetEvents(
        step.targets.map((t) => ({ assetKey: t.assetKey, kind: "materialization_failure" as const, tool: "dbt", locationName: "shop", runId: step.runId, occurredAt: at, dedupeKey: `failed:${step.runId}`, metadata: {} })),
      );
      return { status: "failed", message: "division by zero", failedKeys: step.targets.map((t) => t.assetKey), skippedKeys: [] };
    };
    try {
      const record = await service.launch({ assetIds: ["events_clean", "monthly_totals"], from: "2026-02-09", to: "2026-02-11", user: null });
      const ended = await waitForBackfill(service, record.id);
      assert.equal(ended.status, "failed");
      assert.deepEqual(ended.partitions.map((p) => [p.partitionKey, p.status]), [
        ["2026-02-09", "succeeded"],
        ["2026-02-10", "failed"],
        ["2026-02-11", "succeeded"],
        ["2026-02-01", "skipped"],
      ]);
      const statuses = await partitionSql.partitionStatuses(store.client, [{ assetId: "events_clean", definition: daily }]);
      assert.ok(statuses.get("events_clean")!.failed.some(([a, b]) => a <= 40 && 40 <= b), "2026-02-10 (index 40) is failed");
      launcher.launches.length = 0;
      const rerun = await service.rerunFailed(record.id, "ada");
      assert.equal((await waitForBackfill(service, rerun.id)).status, "succeeded");
      assert.deepEqual(launcher.launches.map((s) => s.partition!.key), ["2026-02-10", "2026-02-01"]);
      const after = (await service.get(record.id))!;
      assert.deepEqual(after.partitions.map((p) => p.attempts), [1, 2, 1, 1]);
      const healed = await partitionSql.partitionStatuses(store.client, [{ assetId: "events_clean", definition: daily }]);
      assert.deepEqual(healed.get("events_clean")!.failed, []);
      await assert.rejects(service.rerunFailed(record.id, null), (error: unknown) => error instanceof BackfillError && error.code === "nothing_to_rerun");
    } finally {
      launcher.launch = original;
    }
  });

  test("bad requests are typed errors naming the argument", async () => {
    const expect = async (input: { assetIds: string[]; from: string; to: string }, code: string, field: string, message: RegExp) =>
      assert.rejects(service.launch({ ...input, user: null }), (error: unknown) => {
        assert.ok(error instanceof BackfillError);
        assert.equal(error.code, code);
        assert.equal(error.field, field);
        assert.match(error.message, message);
        return true;
      });
    await expect({ assetIds: ["raw_events"], from: "2026-01-01", to: "2026-01-02" }, "not_partitioned", "assetIds", /raw_events is not partitioned/);
    await expect({ assetIds: ["nope"], from: "2026-01-01", to: "2026-01-02" }, "unknown_asset", "assetIds", /No asset nope/);
    await expect({ assetIds: ["events_daily"], from: "Jan 1", to: "2026-01-02" }, "invalid_range", "from", /"Jan 1" is not a partition of events_daily \(daily from 2026-01-01 \(UTC\); keys look like 2026-01-01\)/);
    await expect({ assetIds: ["events_daily"], from: "2026-01-01", to: "2026-03-10" }, "invalid_range", "to", /does not exist yet; the latest is 2026-03-09/);
    await expect({ assetIds: ["events_daily"], from: "2026-01-05", to: "2026-01-02" }, "invalid_range", "to", /is before from/);
  });
});
