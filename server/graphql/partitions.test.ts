/**
 * Asset.partitions, launchBackfill, Query.backfill and Run.partition over GraphQL, on a real store (PGlite) with
 * the runs engine and a recording launcher.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { spec } from "../../catalog/graph/test-specs.ts";
import type { CatalogGraph } from "../../catalog/graph/types.ts";
import { parsePartitionsSpec, partitionCalendar } from "../../catalog/model/index.ts";
import type { CatalogStore } from "../../catalog/store/index.ts";
import { pgliteEngine, type TestDatabase } from "../../catalog/store/test-support.ts";
import type { BackfillService } from "../../scheduler/runs/index.ts";
import { createBackfillService } from "../../scheduler/runs/index.ts";
import { graphFrom, quietLogger, recordingLauncher, startHarness, type Harness } from "../../scheduler/runs/test-support.ts";
import { createPartitionsSource } from "../partitions-source.ts";
import { createRunsSource } from "../runs-source.ts";
import { execute, query, testYoga } from "../test-support.ts";

// Ten daily partitions have ended by now, whatever day the test runs.
const today = new Date();
const start = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - 10)).toISOString().slice(0, 10);
const daily = parsePartitionsSpec({ type: "daily", start_date: start, vars: { format: "date" } }, { file: "models/schema.yml" }).definition!;
const key = (i: number) => partitionCalendar(daily).keyAt(i);

describe("partitions over GraphQL", () => {
  let database: TestDatabase;
  let store: CatalogStore;
  let harness: Harness;
  let graph: CatalogGraph;
  let backfills: BackfillService;

  before(async () => {
    database = await pgliteEngine.createDatabase();
    store = await database.openStore();
    graph = graphFrom(spec("raw"), spec("events_daily", { deps: ["raw"], partitions: daily }));
    const launcher = Object.assign(recordingLauncher("dbt", "shop"), { partitionConcurrency: 2 });
    let service: BackfillService | null = null;
    harness = await startHarness(store, () => graph, [launcher], { onRunFinished: (tx, run) => service?.onRunFinished(tx, run) ?? Promise.resolve([]) });
    backfills = service = createBackfillService({ store, engine: harness.engine, graph: () => graph, logger: quietLogger });
    const event = (i: number, kind: "materialization" | "materialization_failure") => ({
      assetKey: ["events_daily"],
      kind,
      tool: "dbt",
      locationName: "shop",
      runId: null,
      occurredAt: new Date().toISOString(),
      dedupeKey: `seed:${i}:${kind}`,
      metadata: {},
      partitionKey: key(i),
    });
    await store.recordAssetEvents([0, 1, 2, 3].map((i) => event(i, "materialization")));
    await store.recordAssetEvents([event(5, "materialization_failure")]);
  });
  after(async () => {
    await harness.stop();
    await store.close();
    await database.dispose();
  });

  const yoga = (withBackfills: boolean) =>
    testYoga({ current: () => graph, events: store, runs: createRunsSource(store, harness.engine), partitions: createPartitionsSource(store, withBackfills ? backfills : null) });

  test("Asset.partitions: counts, states as ranges, keys; null for an unpartitioned asset", async () => {
    const data = await query<{ asset: { partitions: Record<string, unknown> }; raw: { partitions: null } }>(
      yoga(true),
      `{ asset(key: "events_daily") { partitions { cadence description windowArgs total materialized failed inProgress missing latestKey
           ranges { state firstKey lastKey count } keys(offset: 8, first: 5) } }
         raw: asset(key: "raw") { partitions { total } } }`,
    );
    assert.equal(data.raw.partitions, null);
    assert.deepEqual(data.asset.partitions, {
      cadence: "DAILY",
      description: `daily from ${start} (UTC)`,
      windowArgs: "--vars min_date, max_date (date)",
      total: 10,
      materialized: 4,
      failed: 1,
      inProgress: 0,
      missing: 5,
      latestKey: key(9),
      ranges: [
        { state: "MATERIALIZED", firstKey: key(0), lastKey: key(3), count: 4 },
        { state: "MISSING", firstKey: key(4), lastKey: key(4), count: 1 },
        { state: "FAILED", firstKey: key(5), lastKey: key(5), count: 1 },
        { state: "MISSING", firstKey: key(6), lastKey: key(9), count: 4 },
      ],
      keys: [key(8), key(9)],
    });
  });

  test("launchBackfill: the backfill, its partitions' runs with their window; bad keys are BAD_USER_INPUT naming the argument; an unbuilt upstream is UPSTREAM_NOT_BUILT", async () => {
    const api = yoga(true);
    const bad = await execute(api, `mutation { launchBackfill(assetKeys: ["events_daily"], from: "someday", to: "${key(1)}") { id } }`);
    assert.equal(bad.body.errors?.[0]?.extensions?.["code"], "BAD_USER_INPUT");
    assert.equal(bad.body.errors?.[0]?.extensions?.["argumentName"], "from");
    assert.match(String(bad.body.errors?.[0]?.message), /"someday" is not a partition of events_daily/);
    const unpartitioned = await execute(api, `mutation { launchBackfill(assetKeys: ["raw"], from: "${key(0)}", to: "${key(1)}") { id } }`);
    assert.match(String(unpartitioned.body.errors?.[0]?.message), /raw is not partitioned/);
    const unavailable = await execute(yoga(false), `mutation { launchBackfill(assetKeys: ["events_daily"], from: "${key(4)}", to: "${key(4)}") { id } }`);
    assert.equal(unavailable.body.errors?.[0]?.extensions?.["code"], "LAUNCH_UNAVAILABLE");
    // events_daily reads raw, which is unpartitioned and was never materialized: refused, naming it.
    const unbuilt = await execute(api, `mutation { launchBackfill(assetKeys: ["events_daily"], from: "${key(4)}", to: "${key(6)}") { id } }`);
    assert.equal(unbuilt.body.errors?.[0]?.extensions?.["code"], "UPSTREAM_NOT_BUILT");
    assert.deepEqual(unbuilt.body.errors?.[0]?.extensions?.["upstreamAssetKeys"], ["raw"]);
    assert.match(String(unbuilt.body.errors?.[0]?.message), /^events_daily reads raw: not partitioned and never materialized.*\(tributary materialize raw\).*buildUpstream/);
    assert.equal((await query<{ backfills: unknown[] }>(api, `{ backfills { id } }`)).backfills.length, 0);
    // Once raw is materialized (as `tributary materialize raw` would), the same launch goes through.
    await store.recordAssetEvents([{ assetKey: ["raw"], kind: "materialization", tool: "dbt", locationName: "shop", runId: null, occurredAt: new Date().toISOString(), dedupeKey: "seed:raw", metadata: {} }]);

    const launched = await query<{ launchBackfill: { id: string; status: string; counts: { total: number } } }>(
      api,
      `mutation { launchBackfill(assetKeys: ["events_daily"], from: "${key(4)}", to: "${key(6)}") { id status counts { total } } }`,
    );
    assert.equal(launched.launchBackfill.counts.total, 3);
    const deadline = Date.now() + 30_000;
    let backfill: { status: string; partitions: { key: string; status: string; runId: string }[] };
    for (;;) {
      backfill = (await query<{ backfill: typeof backfill }>(api, `{ backfill(id: "${launched.launchBackfill.id}") { status partitions { key status runId } } }`)).backfill;
      if (backfill.status !== "RUNNING" || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(backfill.status, "SUCCEEDED");
    assert.deepEqual(backfill.partitions.map((p) => [p.key, p.status]), [
      [key(4), "SUCCEEDED"],
      [key(5), "SUCCEEDED"],
      [key(6), "SUCCEEDED"],
    ]);
    const run = await query<{ run: { partition: { key: string; vars: Record<string, string> }; launchedBy: { kind: string; partitionKey: string; backfillId: string } } }>(
      api,
      `{ run(id: "${backfill.partitions[0]!.runId}") { partition { key vars } launchedBy { kind partitionKey backfillId } } }`,
    );
    assert.deepEqual(run.run, {
      partition: { key: key(4), vars: { min_date: key(4), max_date: key(5) } },
      launchedBy: { kind: "BACKFILL", partitionKey: key(4), backfillId: launched.launchBackfill.id },
    });
    // The failed partition 5 was built again: every partition up to 6 materialized now.
    const after = await query<{ asset: { partitions: { materialized: number; failed: number } } }>(api, `{ asset(key: "events_daily") { partitions { materialized failed } } }`);
    assert.deepEqual(after.asset.partitions, { materialized: 7, failed: 0 });
  });
});
