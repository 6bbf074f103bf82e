/**
 * `tributary backfill` against a real server in this process (HTTP, GraphQL, the runs engine, job queue and
 * backfill service on the embedded store, a launcher that records materializations): a backfill whose
 * partitioned asset reads an unpartitioned upstream never materialized is refused with exit 2, naming it and
 * how to build it; `--build-upstream` builds it once, first, then the partitions.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { spec } from "../catalog/graph/test-specs.ts";
import type { CatalogGraph } from "../catalog/graph/types.ts";
import { keyToString, parsePartitionsSpec, partitionCalendar } from "../catalog/model/index.ts";
import type { CatalogStore } from "../catalog/store/index.ts";
import { pgliteEngine, type TestDatabase } from "../catalog/store/test-support.ts";
import type { BackfillService } from "../scheduler/runs/index.ts";
import { createBackfillService } from "../scheduler/runs/index.ts";
import { graphFrom, quietLogger, recordingLauncher, startHarness, type Harness, type RecordingLauncher } from "../scheduler/runs/test-support.ts";
import { main } from "./cli.ts";
import { createTributaryServer, type TributaryServer } from "./http.ts";
import { createLogger } from "./logging.ts";
import { createPartitionsSource } from "./partitions-source.ts";
import { createRunsSource } from "./runs-source.ts";

const logger = createLogger({ level: "silent" });
// Five daily partitions have ended by now, whatever day the test runs.
const today = new Date();
const start = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - 5)).toISOString().slice(0, 10);
const daily = parsePartitionsSpec({ type: "daily", start_date: start, vars: { format: "date" } }, { file: "models/schema.yml" }).definition!;
const key = (i: number) => partitionCalendar(daily).keyAt(i);

describe("tributary backfill and an unpartitioned upstream never built", () => {
  let database: TestDatabase;
  let store: CatalogStore;
  let harness: Harness;
  let launcher: RecordingLauncher;
  let server: TributaryServer;
  let url: string;
  const graph: CatalogGraph = graphFrom(spec("stg_orders"), spec("orders_daily", { deps: ["stg_orders"], partitions: daily }));

  const cli = async (args: string[]) => {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const code = await main(["node", "tributary", ...args], { output: { out: (line) => stdout.push(line), err: (line) => stderr.push(line) }, logger, cwd: process.cwd(), env: {} });
    return { code, stdout, stderr };
  };

  before(async () => {
    database = await pgliteEngine.createDatabase();
    store = await database.openStore();
    launcher = Object.assign(recordingLauncher("dbt", "shop"), { partitionConcurrency: 2 });
    let backfills: BackfillService | null = null;
    harness = await startHarness(store, () => graph, [launcher], { onRunFinished: (tx, run) => backfills?.onRunFinished(tx, run) ?? Promise.resolve([]) });
    backfills = createBackfillService({ store, engine: harness.engine, graph: () => graph, logger: quietLogger });
    server = createTributaryServer({
      catalog: { current: () => graph, events: store, runs: createRunsSource(store, harness.engine), partitions: createPartitionsSource(store, backfills) },
      logger,
      port: 0,
      shutdownGraceMs: 200,
    });
    url = (await server.listen()).graphqlUrl;
  });
  after(async () => {
    await server?.close();
    await harness?.stop();
    await store?.close();
    await database?.dispose();
  });

  test("refused with exit 2 naming the upstream and how to build it; --build-upstream builds it once, then the partitions", async () => {
    const refused = await cli(["backfill", "orders_daily", "--from", key(0), "--to", key(1), "--url", url]);
    assert.equal(refused.code, 2, refused.stderr.join("\n"));
    assert.deepEqual(refused.stderr, [
      "error: orders_daily reads stg_orders: not partitioned and never materialized, so every partition would fail. Build it first (tributary materialize stg_orders), " +
        "or backfill with buildUpstream (tributary backfill … --build-upstream) to build it once before the partitions [UPSTREAM_NOT_BUILT]",
    ]);
    assert.equal(launcher.launches.length, 0);

    const built = await cli(["backfill", "orders_daily", "--from", key(0), "--to", key(1), "--build-upstream", "--url", url]);
    assert.equal(built.code, 0, [...built.stdout, ...built.stderr].join("\n"));
    assert.match(built.stdout[0]!, new RegExp(`^Launched backfill \\S+: 2 partitions of orders_daily \\(${key(0)} … ${key(1)}\\) on `));
    assert.match(built.stdout.at(-1)!, /^Backfill \S+ succeeded$/);
    // stg_orders once, with no window, before the two partitions.
    assert.deepEqual(launcher.launches[0]!.targets.map((t) => keyToString(t.assetKey)), ["stg_orders"]);
    assert.equal(launcher.launches[0]!.partition ?? null, null);
    assert.deepEqual(launcher.launches.slice(1).map((step) => step.partition?.key).sort(), [key(0), key(1)]);
  });
});
