/**
 * Runs in GraphQL on a real store (PGlite and Postgres), a real runs engine and job queue, and launchers that
 * record materializations: launch → run → the run, its steps, logs and materializations in the API; failures,
 * re-executing only what failed, cancel, pagination and filters, check results, coded errors, and the
 * runUpdates subscription over real HTTP SSE.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { CatalogStore, RunLogLine, RunRecord } from "../../catalog/store/index.ts";
import { runSql } from "../../catalog/store/index.ts";
import { testEngines } from "../../catalog/store/test-support.ts";
import type { TestDatabase } from "../../catalog/store/test-support.ts";
import { recordingLauncher, startHarness, waitForRun } from "../../scheduler/runs/test-support.ts";
import type { Harness, RecordingLauncher } from "../../scheduler/runs/test-support.ts";
import { createGraphQLClient } from "../graphql-client.ts";
import { createTributaryServer, type TributaryServer } from "../http.ts";
import { createLogger } from "../logging.ts";
import { createRunChanges, createRunsSource } from "../runs-source.ts";
import { execute, query, shopGraph, testYoga } from "../test-support.ts";
import type { TributaryYoga } from "../yoga.ts";
import type { CatalogSource, RunsSource } from "./context.ts";
import { decodeRunCursor, describeLaunchedBy, encodeRunCursor } from "./runs.ts";

const graph = shopGraph();

const RUN_FIELDS = /* GraphQL */ `
  id status assetKeys message attempt parentRunId cancelRequested createdAt startedAt endedAt durationMs
  launchedBy { kind tick user parentRunId attempt onlyFailed description }
  steps { index tool location assetKeys status message failedKeys skippedKeys toolRunId url startedAt endedAt durationMs attempts worker }
`;

interface StepResult {
  index: number;
  tool: string;
  location: string;
  assetKeys: string[];
  status: string;
  message: string | null;
  failedKeys: string[];
  skippedKeys: string[];
  attempts: number;
  worker: string | null;
  durationMs: number | null;
}

interface RunResult {
  id: string;
  status: string;
  assetKeys: string[];
  message: string | null;
  attempt: number;
  parentRunId: string | null;
  cancelRequested: boolean;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  durationMs: number | null;
  launchedBy: { kind: string; tick: number | null; user: string | null; parentRunId: string | null; attempt: number | null; onlyFailed: boolean | null; description: string };
  steps: StepResult[];
}

interface LaunchResult {
  launchRun: { run: RunResult | null; unlaunchable: { assetKey: string; reason: string }[] };
}

async function launch(yoga: TributaryYoga, keys: string[]): Promise<RunResult> {
  const data = await query<LaunchResult>(yoga, `mutation($keys: [String!]!) { launchRun(assetKeys: $keys) { run { ${RUN_FIELDS} } unlaunchable { assetKey reason } } }`, { keys });
  assert.ok(data.launchRun.run, JSON.stringify(data.launchRun.unlaunchable));
  return data.launchRun.run;
}

/** The first error's code of a request that must fail. */
async function errorCode(yoga: TributaryYoga, text: string, variables: Record<string, unknown> = {}): Promise<{ code: unknown; message: string; data: unknown }> {
  const { body } = await execute(yoga, text, variables);
  assert.ok(body.errors && body.errors.length > 0, `expected an error: ${JSON.stringify(body)}`);
  return { code: body.errors[0]!.extensions?.["code"], message: body.errors[0]!.message, data: body.data };
}

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A gate a launcher waits on; `open()` lets it finish. */
function gate(launcher: RecordingLauncher): () => void {
  let open!: () => void;
  launcher.gate = new Promise<void>((resolve) => (open = resolve));
  return () => {
    launcher.gate = null;
    open();
  };
}

for (const engineUnderTest of testEngines) {
  describe(`runs in GraphQL on ${engineUnderTest.name}`, { skip: engineUnderTest.skip }, () => {
    let database: TestDatabase;
    let store: CatalogStore;
    let harness: Harness;
    let dbt: RecordingLauncher;
    let fivetran: RecordingLauncher;
    let census: RecordingLauncher;
    let source: CatalogSource;
    let yoga: TributaryYoga;

    before(async () => {
      database = await engineUnderTest.createDatabase();
      store = await database.openStore();
      dbt = recordingLauncher("dbt", "shop");
      fivetran = recordingLauncher("fivetran", "fivetran", { batch: "target", concurrency: 3 });
      census = recordingLauncher("census", "census", { batch: "target" });
      const changes = createRunChanges();
      harness = await startHarness(store, () => graph, [dbt, fivetran, census], { onRunChanged: changes.notify });
      source = { current: () => graph, events: store, runs: createRunsSource(store, harness.engine, { changes }) };
      yoga = testYoga(source);
    });
    after(async () => {
      await harness?.stop();
      // The job queue's schema lives beside the test schema, which dispose() drops alone.
      if (database?.options.schema) await store?.client.exec(`DROP SCHEMA IF EXISTS ${database.options.schema}_queue CASCADE`);
      await store?.close();
      await database?.dispose();
    });

    test("a launched run succeeds; run, runs, logs, materializations and Asset.latestMaterialization answer", async () => {
      const launched = await launch(yoga, ["marts/orders", "raw/shop/orders"]);
      assert.deepEqual(launched.steps.map((s) => [s.tool, s.location, s.assetKeys]), [
        ["fivetran", "fivetran", ["raw/shop/orders"]],
        ["dbt", "shop", ["marts/orders"]],
      ]);
      assert.equal(launched.launchedBy.kind, "MANUAL");
      assert.equal(launched.launchedBy.description, "manual launch");
      await waitForRun(store, launched.id);

      const data = await query<{
        run: RunResult & {
          logs: { id: number; level: string; message: string; stepIndex: number | null; assetKey: string | null; at: string }[];
          materializations: { assetKey: string; status: string; tool: string; location: string }[];
        };
        runs: { totalCount: number; nodes: { id: string }[] };
        asset: { latestMaterialization: { assetKey: string; tool: string; runId: string | null } | null; runs: { id: string; status: string }[] };
      }>(
        yoga,
        `query($id: ID!) {
          run(id: $id) { ${RUN_FIELDS} logs { id at level message stepIndex assetKey } materializations { assetKey status tool location } }
          runs(first: 5) { totalCount nodes { id } }
          asset(key: "marts/orders") { latestMaterialization { assetKey tool runId } runs { id status } }
        }`,
        { id: launched.id },
      );
      const run = data.run;
      assert.equal(run.status, "SUCCEEDED");
      assert.deepEqual(run.steps.map((s) => s.status), ["SUCCEEDED", "SUCCEEDED"]);
      assert.equal(run.steps[0]!.attempts, 1);
      assert.ok(run.steps[0]!.worker);
      assert.ok(run.durationMs !== null && run.durationMs >= 0);
      assert.ok(run.steps.every((s) => s.durationMs !== null));
      assert.ok(Date.parse(run.endedAt!) >= Date.parse(run.startedAt!));
      assert.ok(run.logs.some((l) => l.message === "built 1" && l.stepIndex === 1 && l.level === "INFO"));
      assert.ok(run.logs.every((l, i) => i === 0 || l.id > run.logs[i - 1]!.id), "log ids increase");
      assert.deepEqual(run.materializations.map((m) => [m.assetKey, m.status, m.tool]), [
        ["raw/shop/orders", "SUCCESS", "fivetran"],
        ["marts/orders", "SUCCESS", "dbt"],
      ]);
      assert.ok(data.runs.nodes.some((r) => r.id === launched.id));
      assert.equal(data.asset.latestMaterialization?.tool, "dbt");
      assert.equal(data.asset.latestMaterialization?.runId, `${launched.id}:1`);
      assert.deepEqual(data.asset.runs[0], { id: launched.id, status: "SUCCEEDED" });

      // logs(after:, first:) pages the log.
      const firstLine = run.logs[0]!;
      const paged = await query<{ run: { logs: { id: number }[] } }>(yoga, `query($id: ID!, $after: Int) { run(id: $id) { logs(after: $after, first: 2) { id } } }`, {
        id: launched.id,
        after: firstLine.id,
      });
      assert.deepEqual(paged.run.logs.map((l) => l.id), run.logs.slice(1, 3).map((l) => l.id));
    });

    test("a failing model fails its step with failedKeys; reexecuteRun(onlyFailed) runs only it", async () => {
      dbt.fail.add("stg_orders");
      let failed: RunResult;
      try {
        const launched = await launch(yoga, ["stg_orders", "stg_customers"]);
        await waitForRun(store, launched.id);
        failed = (await query<{ run: RunResult }>(yoga, `query($id: ID!) { run(id: $id) { ${RUN_FIELDS} } }`, { id: launched.id })).run;
      } finally {
        dbt.fail.clear();
      }
      assert.equal(failed.status, "FAILED");
      assert.equal(failed.message, "1 failed");
      assert.equal(failed.steps[0]!.status, "FAILED");
      assert.deepEqual(failed.steps[0]!.failedKeys, ["stg_orders"]);

      const again = await query<{ reexecuteRun: LaunchResult["launchRun"] }>(
        yoga,
        `mutation($id: ID!) { reexecuteRun(id: $id, onlyFailed: true) { run { ${RUN_FIELDS} } unlaunchable { assetKey reason } } }`,
        { id: failed.id },
      );
      const rerun = again.reexecuteRun.run!;
      assert.deepEqual(rerun.assetKeys, ["stg_orders"]);
      assert.equal(rerun.launchedBy.kind, "REEXECUTION");
      assert.equal(rerun.launchedBy.parentRunId, failed.id);
      assert.equal(rerun.launchedBy.onlyFailed, true);
      assert.equal(rerun.launchedBy.description, `re-execution of run ${failed.id.slice(0, 8)} (only what failed)`);
      assert.equal((await waitForRun(store, rerun.id)).status, "succeeded");

      // A run that succeeded has nothing that failed; a run in progress cannot be re-executed yet.
      const succeeded = await errorCode(yoga, `mutation($id: ID!) { reexecuteRun(id: $id, onlyFailed: true) { run { id } } }`, { id: rerun.id });
      assert.equal(succeeded.code, "BAD_USER_INPUT");
      assert.match(succeeded.message, /nothing failed/);
      const whole = await query<{ reexecuteRun: { run: { assetKeys: string[] } } }>(yoga, `mutation($id: ID!) { reexecuteRun(id: $id) { run { assetKeys } } }`, { id: failed.id });
      assert.deepEqual(whole.reexecuteRun.run.assetKeys.sort(), ["stg_customers", "stg_orders"]);
      const open = gate(census);
      try {
        const running = await launch(yoga, ["census/salesforce_contacts"]);
        const inProgress = await errorCode(yoga, `mutation($id: ID!) { reexecuteRun(id: $id) { run { id } } }`, { id: running.id });
        assert.equal(inProgress.code, "BAD_USER_INPUT");
        assert.match(inProgress.message, /still (queued|running)/);
        open();
        await waitForRun(store, running.id);
      } finally {
        open();
      }
    });

    test("cancelRun stops the running step and cancels the rest", async () => {
      const open = gate(fivetran);
      try {
        const launched = await launch(yoga, ["raw/shop/customers", "stg_customers"]);
        await until("the sync to start", () => fivetran.launches.some((l) => l.runId === launched.id));
        const canceled = await query<{ cancelRun: RunResult }>(yoga, `mutation($id: ID!) { cancelRun(id: $id) { ${RUN_FIELDS} } }`, { id: launched.id });
        assert.equal(canceled.cancelRun.cancelRequested, true);
        const ended = await waitForRun(store, launched.id);
        assert.equal(ended.status, "canceled");
        const run = (await query<{ run: RunResult }>(yoga, `query($id: ID!) { run(id: $id) { ${RUN_FIELDS} } }`, { id: launched.id })).run;
        assert.equal(run.status, "CANCELED");
        assert.deepEqual(run.steps.map((s) => s.status), ["CANCELED", "CANCELED"]);
        // Canceling an ended run returns it as it is.
        const again = await query<{ cancelRun: { status: string } }>(yoga, `mutation($id: ID!) { cancelRun(id: $id) { status } }`, { id: launched.id });
        assert.equal(again.cancelRun.status, "CANCELED");
      } finally {
        open();
      }
    });

    test("runs pages with opaque cursors (ties on created_at too), counts, and filters by status and asset", async () => {
      await store.client.exec("TRUNCATE runs CASCADE");
      // Five runs reserved in one transaction share created_at: the id orders them.
      const ids = await store.client.transaction(async (tx) => {
        const made: string[] = [];
        for (let i = 0; i < 5; i++) {
          const { run } = await runSql.reserveRun(tx, {
            id: `00000000-0000-0000-0000-00000000000${i}`,
            idempotencyKey: `test:${i}`,
            launchedBy: { kind: "policy", tick: 40 + i },
            steps: [{ tool: "dbt", locationName: "shop", queue: "unused", targets: [{ assetKey: ["marts", "daily_revenue"], runTargetId: "x", checks: [] }] }],
          });
          made.push(run.id);
        }
        return made;
      });
      const stored = await store.listRuns({ first: 10 });
      assert.equal(new Set(stored.map((r) => r.createdAtPrecise)).size, 1, "one created_at");
      // Plus runs that ended: two succeeded, one failed.
      const ok1 = await launch(yoga, ["stg_payments"]);
      await waitForRun(store, ok1.id);
      const ok2 = await launch(yoga, ["raw/stripe/charges"]);
      await waitForRun(store, ok2.id);
      dbt.fail.add("stg_payments");
      const bad = await launch(yoga, ["stg_payments"]);
      await waitForRun(store, bad.id);
      dbt.fail.clear();

      type Page = { runs: { totalCount: number; nodes: { id: string }[]; edges: { cursor: string; node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
      const PAGE = `query($first: Int, $after: String, $status: [RunStatus!], $asset: String) {
        runs(first: $first, after: $after, status: $status, assetKey: $asset) { totalCount nodes { id } edges { cursor node { id } } pageInfo { hasNextPage endCursor } }
      }`;
      const seen: string[] = [];
      let after: string | null = null;
      let pages = 0;
      for (;;) {
        const page: Page = await query<Page>(yoga, PAGE, { first: 3, after });
        pages += 1;
        assert.equal(page.runs.totalCount, 8);
        assert.deepEqual(page.runs.edges.map((e) => e.node.id), page.runs.nodes.map((n) => n.id));
        assert.equal(page.runs.pageInfo.endCursor, page.runs.edges.at(-1)?.cursor ?? null);
        seen.push(...page.runs.nodes.map((n) => n.id));
        if (!page.runs.pageInfo.hasNextPage) break;
        after = page.runs.pageInfo.endCursor;
      }
      assert.equal(pages, 3);
      assert.deepEqual(seen, [bad.id, ok2.id, ok1.id, ...[...ids].reverse()], "newest first, ties by id, each once");

      const failedOnly = await query<Page>(yoga, PAGE, { status: ["FAILED"] });
      assert.deepEqual(failedOnly.runs.nodes.map((n) => n.id), [bad.id]);
      assert.equal(failedOnly.runs.totalCount, 1);
      const endedOk = await query<Page>(yoga, PAGE, { status: ["SUCCEEDED", "FAILED"], asset: "stg_payments" });
      assert.deepEqual(endedOk.runs.nodes.map((n) => n.id), [bad.id, ok1.id]);
      // An alias finds the asset's runs.
      const byAlias = await query<Page>(yoga, PAGE, { asset: "shop_raw/payments" });
      assert.deepEqual(byAlias.runs.nodes.map((n) => n.id), [ok2.id]);
      const queued = await query<Page>(yoga, PAGE, { status: ["QUEUED"], asset: "marts/daily_revenue", first: 2 });
      assert.equal(queued.runs.totalCount, 5);
      assert.equal(queued.runs.pageInfo.hasNextPage, true);
      const none = await query<Page>(yoga, PAGE, { asset: "no/such/asset" });
      assert.equal(none.runs.totalCount, 0);
      const empty = await query<Page>(yoga, PAGE, { first: 0 });
      assert.deepEqual([empty.runs.nodes, empty.runs.totalCount, empty.runs.pageInfo.endCursor], [[], 8, null]);

      // Cursors: opaque, checked, and not interchangeable with the catalog's.
      const cursor = encodeRunCursor(stored[0]!);
      assert.deepEqual(decodeRunCursor(cursor), { createdAt: stored[0]!.createdAtPrecise, id: stored[0]!.id });
      for (const bad of ["nope", Buffer.from("asset:stg_orders").toString("base64url"), Buffer.from('run:["yesterday","x"]').toString("base64url")]) {
        const error = await errorCode(yoga, PAGE, { after: bad });
        assert.equal(error.code, "BAD_USER_INPUT", bad);
      }
      assert.equal((await errorCode(yoga, PAGE, { first: 201 })).code, "BAD_USER_INPUT");
      await store.client.exec("TRUNCATE runs CASCADE");
    });

    test("check results: Check.latestResult, Asset.checkResults and Run.checkResults", async () => {
      const run = await launch(yoga, ["stg_orders"]);
      await waitForRun(store, run.id);
      const base = { assetKey: ["stg_orders"], tool: "dbt", locationName: "shop", toolRunId: "inv-1", metadata: { message: "ok" } };
      await store.recordCheckResults(
        [
          { ...base, checkName: "unique_stg_orders_order_id", outcome: "pass", failures: 0, occurredAt: "2026-03-02T06:00:00.000Z", dedupeKey: "inv-1:u" },
          { ...base, checkName: "not_null_stg_orders_order_id", outcome: "warn", failures: 3, occurredAt: "2026-03-02T06:00:01.000Z", dedupeKey: "inv-1:n" },
        ],
        run.id,
      );
      await store.recordCheckResults(
        [{ ...base, toolRunId: "inv-2", checkName: "unique_stg_orders_order_id", outcome: "fail", failures: 12, occurredAt: "2026-03-03T06:00:00.000Z", dedupeKey: "inv-2:u" }],
        null,
      );
      type Result = { checkName: string; assetKey: string; outcome: string; failures: number | null; runId: string | null; toolRunId: string | null; occurredAt: string; metadata: unknown };
      const FIELDS = "checkName assetKey outcome failures runId toolRunId occurredAt metadata";
      const data = await query<{
        asset: { checks: { name: string; latestResult: Result | null }[]; columns: { name: string; checks: { latestResult: { outcome: string } | null }[] }[]; all: Result[]; one: Result[] };
        other: { checks: { latestResult: Result | null }[] };
        run: { checkResults: Result[] };
      }>(
        yoga,
        `query($id: ID!) {
          asset(key: "stg_orders") {
            checks { name latestResult { ${FIELDS} } }
            columns { name checks { latestResult { outcome } } }
            all: checkResults { ${FIELDS} }
            one: checkResults(checkName: "unique_stg_orders_order_id", first: 1) { ${FIELDS} }
          }
          other: asset(key: "marts/orders") { checks { latestResult { ${FIELDS} } } }
          run(id: $id) { checkResults { ${FIELDS} } }
        }`,
        { id: run.id },
      );
      const latest = Object.fromEntries(data.asset.checks.map((c) => [c.name, c.latestResult]));
      assert.deepEqual(latest["unique_stg_orders_order_id"], {
        checkName: "unique_stg_orders_order_id",
        assetKey: "stg_orders",
        outcome: "FAIL",
        failures: 12,
        runId: null,
        toolRunId: "inv-2",
        occurredAt: "2026-03-03T06:00:00.000Z",
        metadata: { message: "ok" },
      });
      assert.equal(latest["not_null_stg_orders_order_id"]?.outcome, "WARN");
      assert.equal(latest["not_null_stg_orders_order_id"]?.runId, run.id);
      assert.deepEqual(data.asset.columns.find((c) => c.name === "order_id")?.checks.map((c) => c.latestResult?.outcome).sort(), ["FAIL", "WARN"]);
      assert.deepEqual(data.asset.all.map((r) => [r.checkName, r.outcome]), [
        ["unique_stg_orders_order_id", "FAIL"],
        ["not_null_stg_orders_order_id", "WARN"],
        ["unique_stg_orders_order_id", "PASS"],
      ]);
      assert.deepEqual(data.asset.one.map((r) => r.outcome), ["FAIL"]);
      assert.deepEqual(data.other.checks.map((c) => c.latestResult), [null]);
      assert.deepEqual(data.run.checkResults.map((r) => [r.checkName, r.outcome]), [
        ["unique_stg_orders_order_id", "PASS"],
        ["not_null_stg_orders_order_id", "WARN"],
      ]);
      assert.equal((await errorCode(yoga, `{ asset(key: "stg_orders") { checkResults(first: 501) { outcome } } }`)).code, "BAD_USER_INPUT");
    });

    test("coded errors: unknown keys and runs, bad lists, assets nothing launches, a server that cannot launch", async () => {
      const LAUNCH = `mutation($keys: [String!]!) { launchRun(assetKeys: $keys) { run { id assetKeys } unlaunchable { assetKey reason } } }`;
      const unknown = await errorCode(yoga, LAUNCH, { keys: ["stg_orders", "no/such"] });
      assert.equal(unknown.code, "ASSET_NOT_FOUND");
      assert.match(unknown.message, /no\/such/);
      assert.equal((await errorCode(yoga, LAUNCH, { keys: [] })).code, "BAD_USER_INPUT");
      assert.equal((await errorCode(yoga, LAUNCH, { keys: Array.from({ length: 5001 }, () => "stg_orders") })).code, "BAD_USER_INPUT");
      assert.equal((await errorCode(yoga, `mutation { launchRun(assetKeys: ["stg_orders"], idempotencyKey: " ") { run { id } } }`)).code, "BAD_USER_INPUT");

      // Nothing builds an exposure: it is returned as unlaunchable, and the rest runs.
      const mixed = await query<LaunchResult>(yoga, LAUNCH, { keys: ["exposures/dashboard", "stg_customers"] });
      assert.deepEqual(mixed.launchRun.run?.assetKeys, ["stg_customers"]);
      assert.deepEqual(mixed.launchRun.unlaunchable, [{ assetKey: "exposures/dashboard", reason: "nothing in the catalog builds it" }]);
      await waitForRun(store, mixed.launchRun.run!.id);
      const nothing = await query<LaunchResult>(yoga, LAUNCH, { keys: ["exposures/dashboard"] });
      assert.equal(nothing.launchRun.run, null);
      assert.equal(nothing.launchRun.unlaunchable.length, 1);

      // The same idempotency key returns the run the first call made.
      const KEYED = `mutation { launchRun(assetKeys: ["stg_customers"], idempotencyKey: "deploy-42") { run { id } } }`;
      const first = await query<LaunchResult>(yoga, KEYED);
      const second = await query<LaunchResult>(yoga, KEYED);
      assert.equal(second.launchRun.run?.id, first.launchRun.run?.id);
      await waitForRun(store, first.launchRun.run!.id);

      const missing = await errorCode(yoga, `{ run(id: "nope") { id } }`);
      assert.equal(missing.code, "RUN_NOT_FOUND");
      assert.deepEqual(missing.data, { run: null });
      assert.equal((await errorCode(yoga, `mutation { cancelRun(id: "nope") { id } }`)).code, "RUN_NOT_FOUND");
      assert.equal((await errorCode(yoga, `mutation { reexecuteRun(id: "nope") { run { id } } }`)).code, "RUN_NOT_FOUND");

      // A source without an engine reads, and refuses launches with its reason.
      const readOnly = testYoga({ current: () => graph, events: store, runs: createRunsSource(store, null, { launchUnavailable: "This process only reads runs." }) });
      const refused = await errorCode(readOnly, LAUNCH, { keys: ["stg_orders"] });
      assert.deepEqual([refused.code, refused.message], ["LAUNCH_UNAVAILABLE", "This process only reads runs."]);
      assert.equal((await errorCode(readOnly, `mutation($id: ID!) { cancelRun(id: $id) { id } }`, { id: first.launchRun.run!.id })).code, "LAUNCH_UNAVAILABLE");
      const read = await query<{ run: { status: string } }>(readOnly, `query($id: ID!) { run(id: $id) { status } }`, { id: first.launchRun.run!.id });
      assert.equal(read.run.status, "SUCCEEDED");

      // Without a store: empty lists, unknown runs, and no launches.
      const bare = testYoga();
      const empty = await query<{ runs: { totalCount: number }; asset: { runs: unknown[]; latestMaterialization: unknown; checkResults: unknown[]; checks: { latestResult: unknown }[] } }>(
        bare,
        `{ runs { totalCount } asset(key: "stg_orders") { runs { id } latestMaterialization { id } checkResults { outcome } checks { latestResult { outcome } } } }`,
      );
      assert.deepEqual(empty, { runs: { totalCount: 0 }, asset: { runs: [], latestMaterialization: null, checkResults: [], checks: [{ latestResult: null }, { latestResult: null }] } });
      const noStore = await errorCode(bare, LAUNCH, { keys: ["stg_orders"] });
      assert.equal(noStore.code, "LAUNCH_UNAVAILABLE");
      assert.match(noStore.message, /no store/);
    });

    test("runUpdates streams the run over HTTP SSE until it ends, pushed by the engine and, without it, by polling", async () => {
      const server: TributaryServer = createTributaryServer({ catalog: source, logger: createLogger({ level: "silent" }), port: 0 });
      const { graphqlUrl } = await server.listen();
      const polled: TributaryServer = createTributaryServer({
        catalog: { current: () => graph, runs: createRunsSource(store, null) },
        logger: createLogger({ level: "silent" }),
        port: 0,
      });
      const polledUrl = (await polled.listen()).graphqlUrl;
      const open = gate(dbt);
      try {
        const launched = await launch(yoga, ["stg_orders", "marts/orders"]);
        await until("the build to start", () => dbt.launches.some((l) => l.runId === launched.id));
        const SUBSCRIPTION = `subscription($id: ID!, $after: Int) { runUpdates(id: $id, afterLogId: $after) { run { status steps { status } } logs { id level message } } }`;

        // Raw SSE: the content type, and `event: next` / `event: complete` frames.
        const response = await fetch(graphqlUrl, {
          method: "POST",
          headers: { "content-type": "application/json", accept: "text/event-stream" },
          body: JSON.stringify({ query: SUBSCRIPTION, variables: { id: launched.id } }),
        });
        assert.equal(response.status, 200);
        assert.match(response.headers.get("content-type") ?? "", /^text\/event-stream/);
        const raw = response.text();

        type Update = { runUpdates: { run: { status: string; steps: { status: string }[] }; logs: { id: number; level: string; message: string }[] } };
        const pushed: Update[] = [];
        const viaPolling: Update[] = [];
        const collect = async (url: string, into: Update[]) => {
          for await (const data of createGraphQLClient(url).subscribe<Update>(SUBSCRIPTION, { id: launched.id })) into.push(data);
        };
        const streams = Promise.all([collect(graphqlUrl, pushed), collect(polledUrl, viaPolling)]);
        await until("the first updates", () => pushed.length > 0 && viaPolling.length > 0);
        assert.equal(pushed[0]!.runUpdates.run.status, "RUNNING");
        open();
        await streams;

        for (const updates of [pushed, viaPolling]) {
          const last = updates.at(-1)!.runUpdates;
          assert.equal(last.run.status, "SUCCEEDED");
          assert.deepEqual(last.run.steps.map((s) => s.status), ["SUCCEEDED"]);
          const ids = updates.flatMap((u) => u.runUpdates.logs.map((l) => l.id));
          assert.deepEqual(ids, [...ids].sort((a, b) => a - b), "each log line once, in order");
          assert.equal(new Set(ids).size, ids.length);
          const messages = updates.flatMap((u) => u.runUpdates.logs.map((l) => l.message));
          assert.ok(messages.some((m) => m.startsWith("step 1/1 (dbt shop) started on ")), messages.join(" | "));
          assert.ok(messages.includes("built 2"), messages.join(" | "));
          assert.ok(messages.includes("step 1/1 succeeded: built 2"), messages.join(" | "));
        }
        const text = await raw;
        assert.match(text, /^event: next\ndata: \{"data":\{"runUpdates"/m);
        assert.match(text, /event: complete\n/);
        assert.match(text, /"status":"SUCCEEDED"/);

        // afterLogId resumes a stream: an ended run gives one update with the lines after it, then completes.
        const allIds = pushed.flatMap((u) => u.runUpdates.logs.map((l) => l.id));
        const resumed: Update[] = [];
        for await (const data of createGraphQLClient(graphqlUrl).subscribe<Update>(SUBSCRIPTION, { id: launched.id, after: allIds.at(-2) })) resumed.push(data);
        assert.equal(resumed.length, 1);
        assert.deepEqual(resumed[0]!.runUpdates.logs.map((l) => l.id), [allIds.at(-1)]);

        // An unknown run: one error result, then the stream completes.
        await assert.rejects(
          async () => {
            for await (const data of createGraphQLClient(graphqlUrl).subscribe(SUBSCRIPTION, { id: "nope" })) assert.fail(`unexpected ${JSON.stringify(data)}`);
          },
          (error: Error & { code?: string }) => error.code === "RUN_NOT_FOUND",
        );
      } finally {
        open();
        await server.close();
        await polled.close();
      }
    });
  });
}

test("LaunchedBy.description is a sentence", () => {
  assert.equal(describeLaunchedBy({ kind: "policy", tick: 42 }), "policy tick 42");
  assert.equal(describeLaunchedBy({ kind: "manual", user: "ada" }), "manual launch by ada");
  assert.equal(describeLaunchedBy({ kind: "manual", user: null }), "manual launch");
  assert.equal(describeLaunchedBy({ kind: "retry", parentRunId: "1a2b3c4d-5e6f", attempt: 2 }), "retry 1 of run 1a2b3c4d (attempt 2)");
  assert.equal(describeLaunchedBy({ kind: "reexecution", parentRunId: "1a2b3c4d-5e6f", onlyFailed: false }), "re-execution of run 1a2b3c4d");
});

/** A runs source over one run held in memory, whose changes the test makes (and announces) itself. */
function memoryRunsSource(initial: Partial<RunRecord> = {}) {
  let run: RunRecord = {
    id: "11111111-2222-3333-4444-555555555555",
    idempotencyKey: "memory",
    status: "running",
    launchedBy: { kind: "manual", user: "ada" },
    tick: null,
    parentRunId: null,
    attempt: 1,
    assetKeys: [["stg_orders"]],
    message: null,
    cancelRequested: false,
    createdAt: "2026-03-02T06:00:00.000Z",
    createdAtPrecise: "2026-03-02T06:00:00.000000Z",
    startedAt: "2026-03-02T06:00:00.000Z",
    endedAt: null,
    steps: [],
    ...initial,
  };
  const lines: RunLogLine[] = [];
  const listeners = new Set<() => void>();
  const announce = () => listeners.forEach((listener) => listener());
  const source: RunsSource = {
    list: async () => [run],
    count: async () => 1,
    get: async (id) => (id === run.id ? run : null),
    logs: async (_id, { afterId = 0, limit = 1000 } = {}) => lines.filter((l) => l.id > afterId).slice(0, limit),
    materializations: async () => [],
    checkResults: async () => [],
    latestCheckResults: async () => [],
    checkHistory: async () => [],
    watch: (_id, listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return {
    source,
    listeners,
    runId: run.id,
    set(patch: Partial<RunRecord>) {
      run = { ...run, ...patch };
      announce();
    },
    log(...messages: string[]) {
      for (const message of messages) {
        lines.push({ id: lines.length + 1, runId: run.id, stepIndex: null, at: new Date().toISOString(), level: "info", message, assetKey: null, data: null });
      }
      announce();
    },
  };
}

describe("runUpdates on a source held in memory", () => {
  const SUBSCRIPTION = `subscription($id: ID!) { runUpdates(id: $id) { run { status } logs { id message } } }`;
  type Update = { runUpdates: { run: { status: string }; logs: { id: number; message: string }[] } };

  async function serve(source: RunsSource): Promise<{ url: string; close: () => Promise<void> }> {
    // A short grace: an SSE connection the client dropped may still count as busy when the server closes.
    const server = createTributaryServer({ catalog: { current: () => graph, runs: source }, logger: createLogger({ level: "silent" }), port: 0, shutdownGraceMs: 200 });
    const { graphqlUrl } = await server.listen();
    return { url: graphqlUrl, close: () => server.close() };
  }

  test("a change the source announces is sent at once, not at the next poll", async () => {
    const memory = memoryRunsSource();
    const server = await serve(memory.source);
    try {
      const updates: { at: number; update: Update }[] = [];
      const stream = (async () => {
        for await (const update of createGraphQLClient(server.url).subscribe<Update>(SUBSCRIPTION, { id: memory.runId })) updates.push({ at: performance.now(), update });
      })();
      await until("the first update", () => updates.length === 1);
      const logged = performance.now();
      memory.log("hello");
      await until("the log line", () => updates.length === 2);
      assert.ok(updates[1]!.at - logged < 500, `sent after ${(updates[1]!.at - logged).toFixed(0)} ms`);
      assert.deepEqual(updates[1]!.update.runUpdates.logs.map((l) => l.message), ["hello"]);
      const ended = performance.now();
      memory.set({ status: "succeeded", endedAt: new Date().toISOString() });
      await stream;
      assert.ok(performance.now() - ended < 500);
      assert.deepEqual(updates.map((u) => u.update.runUpdates.run.status), ["RUNNING", "RUNNING", "SUCCEEDED"]);
      assert.equal(memory.listeners.size, 0, "unwatched after the end");
    } finally {
      await server.close();
    }
  });

  test("a client that goes away stops the stream's watching and polling", async () => {
    const memory = memoryRunsSource();
    const server = await serve(memory.source);
    try {
      const controller = new AbortController();
      let received = 0;
      const stream = (async () => {
        for await (const update of createGraphQLClient(server.url).subscribe<Update>(SUBSCRIPTION, { id: memory.runId }, { signal: controller.signal })) {
          assert.ok(update);
          received += 1;
          controller.abort();
        }
      })();
      await assert.rejects(stream);
      assert.equal(received, 1);
      await until("the server to stop watching", () => memory.listeners.size === 0, 5_000);
    } finally {
      await server.close();
    }
  });

  test("a long backlog of log lines comes in several updates, then the stream of an ended run completes", async () => {
    const memory = memoryRunsSource({ status: "failed", endedAt: "2026-03-02T06:01:00.000Z", message: "boom" });
    memory.log(...Array.from({ length: 2500 }, (_, i) => `line ${i + 1}`));
    const server = await serve(memory.source);
    try {
      const sizes: number[] = [];
      const ids: number[] = [];
      for await (const update of createGraphQLClient(server.url).subscribe<Update>(SUBSCRIPTION, { id: memory.runId })) {
        sizes.push(update.runUpdates.logs.length);
        ids.push(...update.runUpdates.logs.map((l) => l.id));
      }
      assert.deepEqual(sizes, [1000, 1000, 500]);
      assert.deepEqual(ids, Array.from({ length: 2500 }, (_, i) => i + 1));
    } finally {
      await server.close();
    }
  });
});
