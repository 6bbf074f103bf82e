/**
 * `tributary materialize` and `tributary runs` against a real server in this process: HTTP, GraphQL, the runs
 * engine and job queue on the embedded store, and launchers that record materializations.
 */
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, before, describe, test } from "node:test";
import type { CatalogStore, RunLogLine, RunRecord } from "../catalog/store/index.ts";
import { pgliteEngine } from "../catalog/store/test-support.ts";
import type { TestDatabase } from "../catalog/store/test-support.ts";
import { recordingLauncher, startHarness, waitForRun } from "../scheduler/runs/test-support.ts";
import type { Harness, RecordingLauncher } from "../scheduler/runs/test-support.ts";
import { main } from "./cli.ts";
import { formatDuration, resolveServerUrl } from "./cli-runs.ts";
import { createTributaryServer, type TributaryServer } from "./http.ts";
import { createLogger } from "./logging.ts";
import { createRunChanges, createRunsSource } from "./runs-source.ts";
import type { RunsSource } from "./graphql/context.ts";
import type { ConsoleOutput } from "./serve.ts";
import { shopGraph } from "./test-support.ts";

const logger = createLogger({ level: "silent" });
const graph = shopGraph();

function capture(): ConsoleOutput & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (line) => stdout.push(line), err: (line) => stderr.push(line) };
}

/** Runs the CLI with these arguments; returns the exit code and what it printed. */
async function cli(args: string[], env: Record<string, string | undefined> = {}) {
  const output = capture();
  const code = await main(["node", "tributary", ...args], { output, logger, cwd: process.cwd(), env });
  return { code, stdout: output.stdout, stderr: output.stderr };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe("tributary materialize and runs against a running server", () => {
  let database: TestDatabase;
  let store: CatalogStore;
  let harness: Harness;
  let dbt: RecordingLauncher;
  let fivetran: RecordingLauncher;
  let server: TributaryServer;
  let url: string;

  before(async () => {
    database = await pgliteEngine.createDatabase();
    store = await database.openStore();
    dbt = recordingLauncher("dbt", "shop");
    fivetran = recordingLauncher("fivetran", "fivetran", { batch: "target", concurrency: 3 });
    const changes = createRunChanges();
    harness = await startHarness(store, () => graph, [dbt, fivetran, recordingLauncher("census", "census", { batch: "target" })], { onRunChanged: changes.notify });
    server = createTributaryServer({
      catalog: { current: () => graph, events: store, runs: createRunsSource(store, harness.engine, { changes }) },
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

  test("materialize launches, prints each step and the tools' log lines, and exits 0 when the run succeeds", async () => {
    const { code, stdout, stderr } = await cli(["materialize", "marts/orders", "raw/shop/orders", "--url", url]);
    assert.equal(code, 0, stderr.join("\n"));
    assert.deepEqual(stderr, []);
    const text = stdout.join("\n");
    assert.match(stdout[0]!, /^Launched run [0-9a-f-]{36} \(2 assets in 2 steps\) on http:\/\/127\.0\.0\.1:\d+\/graphql$/);
    const steps = stdout.filter((line) => / step \d\/2 /.test(line)).map((line) => line.replace(/^\d\d:\d\d:\d\d /, "").replace(/in \d+\.\d s/, "in T"));
    assert.deepEqual(steps, [
      "step 1/2 started: fivetran fivetran (raw/shop/orders)",
      "step 1/2 succeeded in T: built 1",
      "step 2/2 started: dbt shop (marts/orders)",
      "step 2/2 succeeded in T: built 1",
    ]);
    assert.equal(stdout.filter((line) => /^\d\d:\d\d:\d\d {3}built 1$/.test(line)).length, 2, text);
    assert.match(stdout.at(-1)!, /^Run [0-9a-f]{8} succeeded in \d+\.\d s$/);
    assert.ok(!text.includes("{"), "no raw JSON");
    assert.ok(!/started on /.test(text), "the engine's own step lines are not repeated");
  });

  test("materialize exits 1 when the run fails, naming what failed", async () => {
    dbt.fail.add("stg_orders");
    try {
      const { code, stdout } = await cli(["materialize", "stg_orders", "stg_customers", "--url", url]);
      assert.equal(code, 1);
      assert.ok(stdout.some((line) => /step 1\/1 failed in \d+\.\d s: 1 failed \(failed: stg_orders\)$/.test(line)), stdout.join("\n"));
      assert.match(stdout.at(-1)!, /^Run [0-9a-f]{8} failed in \d+\.\d s: 1 failed$/);
    } finally {
      dbt.fail.clear();
    }
  });

  test("materialize exits 1 when the run is canceled", async () => {
    let release!: () => void;
    fivetran.gate = new Promise((resolve) => (release = resolve));
    try {
      const running = cli(["materialize", "raw/shop/customers", "stg_customers", "--url", url]);
      await until("the sync to start", () => fivetran.launches.some((l) => l.targets[0]?.assetKey.join("/") === "raw/shop/customers"));
      const runId = fivetran.launches.at(-1)!.runId;
      await harness.engine.cancel(runId);
      release();
      const { code, stdout } = await running;
      assert.equal(code, 1);
      assert.ok(stdout.some((line) => / step 2\/2 canceled: /.test(line)), stdout.join("\n"));
      assert.match(stdout.at(-1)!, new RegExp(`^Run ${runId.slice(0, 8)} canceled in `));
    } finally {
      fivetran.gate = null;
      release();
    }
  });

  test("materialize: unknown keys exit 2; assets nothing launches are warned about; none launchable exits 1", async () => {
    const unknown = await cli(["materialize", "stg_orders", "no/such", "--url", url]);
    assert.equal(unknown.code, 2);
    assert.deepEqual(unknown.stderr, ['error: No asset with key "no/such" [ASSET_NOT_FOUND]']);

    const mixed = await cli(["materialize", "exposures/dashboard", "stg_payments", "--url", url]);
    assert.equal(mixed.code, 0);
    assert.deepEqual(mixed.stderr, ["warning: exposures/dashboard cannot be launched: nothing in the catalog builds it"]);

    const none = await cli(["materialize", "exposures/dashboard", "--url", url]);
    assert.equal(none.code, 1);
    assert.equal(none.stderr.at(-1), "error: none of the assets can be launched; nothing was run");
  });

  test("without a server: a clear error saying to start one or pass --url; TRIBUTARY_URL is read", async () => {
    const port = await closedPort();
    for (const [args, env] of [
      [["materialize", "stg_orders", "--url", `http://127.0.0.1:${port}`], {}],
      [["runs"], { TRIBUTARY_URL: `http://127.0.0.1:${port}/graphql` }],
    ] as const) {
      const { code, stdout, stderr } = await cli([...args], env);
      assert.equal(code, 1);
      assert.deepEqual(stdout, []);
      assert.equal(stderr[0], `error: no Tributary server answers at http://127.0.0.1:${port}/graphql (ECONNREFUSED)`);
      assert.match(stderr[1]!, /tributary serve/);
      assert.match(stderr[1]!, /--url/);
    }
    const viaEnv = await cli(["runs", "--first", "1"], { TRIBUTARY_URL: url });
    assert.equal(viaEnv.code, 0, viaEnv.stderr.join("\n"));
    assert.match(viaEnv.stdout[0]!, /^RUN/);
  });

  test("usage errors exit 2", async () => {
    for (const args of [
      ["materialize"],
      ["materialize", "stg_orders", "--url", "not a url"],
      ["runs", "--status", "bogus"],
      ["runs", "--first", "0"],
      ["runs", "--first", "many"],
    ]) {
      const { code, stderr } = await cli(args);
      assert.equal(code, 2, args.join(" "));
      assert.match(stderr.join("\n"), /^error: /, args.join(" "));
    }
    const badEnv = await cli(["runs"], { TRIBUTARY_URL: "ftp://example" });
    assert.equal(badEnv.code, 2);
    assert.match(badEnv.stderr.join("\n"), /not an http\(s\) URL/);
  });

  test("runs prints a table, newest first, filtered by status and asset", async () => {
    await store.client.exec("TRUNCATE runs CASCADE");
    const ok = await harness.engine.launch(["stg_orders"], { kind: "manual", user: "ada" });
    await waitForRun(store, ok.run!.id);
    dbt.fail.add("stg_payments");
    const bad = await harness.engine.launch(["stg_payments", "stg_customers", "marts/orders"], { kind: "policy", tick: 42 });
    await waitForRun(store, bad.run!.id);
    dbt.fail.clear();

    const all = await cli(["runs", "--url", url]);
    assert.equal(all.code, 0, all.stderr.join("\n"));
    const row = (line: string) => line.split(/ {2,}/);
    assert.deepEqual(row(all.stdout[0]!), ["RUN", "STATUS", "LAUNCHED BY", "ASSETS", "STARTED", "DURATION"]);
    // Columns line up: each cell starts where its title does.
    const starts = ["STATUS", "LAUNCHED BY", "ASSETS", "STARTED", "DURATION"].map((title) => all.stdout[0]!.indexOf(title));
    for (const line of all.stdout.slice(1)) assert.deepEqual(row(line).slice(1).map((cell) => line.indexOf(cell, 8)), starts, line);
    const rows = all.stdout.slice(1).map(row);
    assert.equal(rows.length, 2);
    assert.deepEqual(rows[0]!.slice(0, 4), [bad.run!.id.slice(0, 8), "failed", "policy tick 42", "stg_payments, stg_customers +1 more"]);
    assert.deepEqual(rows[1]!.slice(0, 4), [ok.run!.id.slice(0, 8), "succeeded", "manual launch by ada", "stg_orders"]);
    assert.match(rows[1]![4]!, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    assert.match(rows[1]![5]!, /^\d+\.\d s$/);

    const failed = await cli(["runs", "--status", "failed", "--url", url]);
    assert.deepEqual(failed.stdout.slice(1).map((line) => row(line)[0]), [bad.run!.id.slice(0, 8)]);
    const byAsset = await cli(["runs", "--asset", "stg_orders", "--status", "SUCCEEDED,failed", "--url", url]);
    assert.deepEqual(byAsset.stdout.slice(1).map((line) => row(line)[0]), [ok.run!.id.slice(0, 8)]);
    const one = await cli(["runs", "--first", "1", "--url", url]);
    assert.equal(one.stdout.length, 3);
    assert.equal(one.stdout[2], "1 of 2 runs; --first 2 shows more");
    const none = await cli(["runs", "--status", "queued", "--url", url]);
    assert.deepEqual(none.stdout, ["No runs match the filters"]);
  });
});

describe("CLI helpers and help", () => {
  test("server URLs: flag, else TRIBUTARY_URL, else the default; a bare address gets /graphql", () => {
    assert.equal(resolveServerUrl(undefined, {}), "http://127.0.0.1:3000/graphql");
    assert.equal(resolveServerUrl(undefined, { TRIBUTARY_URL: "http://tributary.internal:8080" }), "http://tributary.internal:8080/graphql");
    assert.equal(resolveServerUrl("https://x.test/api/graphql", { TRIBUTARY_URL: "http://y" }), "https://x.test/api/graphql");
    assert.throws(() => resolveServerUrl("nope", {}), /is not a URL/);
  });

  test("durations read as people say them", () => {
    assert.deepEqual([formatDuration(null), formatDuration(1234), formatDuration(125_000), formatDuration(7_380_000)], ["-", "1.2 s", "2 min 5 s", "2 h 3 min"]);
  });

  test("--no-scheduler says what it turns off, for serve and demo; the new commands have help", async () => {
    for (const command of ["serve", "demo"]) {
      const { code, stdout } = await cli([command, "--help"]);
      assert.equal(code, 0);
      assert.match(stdout.join("\n").replace(/\s+/g, " "), /--no-scheduler do not run the scheduler daemon \(no policy ticks\) nor the observers; runs launched by hand still execute/);
    }
    const help = await cli(["--help"]);
    assert.match(help.stdout.join("\n"), /materialize \[options\] <keys\.\.\.>/);
    assert.match(help.stdout.join("\n"), /runs \[options\]/);
  });
});

describe("tributary materialize when the server goes away mid-run", () => {
  test("it reconnects and resumes after the last log line it printed", async () => {
    let run: RunRecord = {
      id: "11111111-2222-3333-4444-555555555555",
      idempotencyKey: "memory",
      status: "running",
      launchedBy: { kind: "manual", user: null },
      tick: null,
      parentRunId: null,
      attempt: 1,
      assetKeys: [["stg_orders"]],
      message: null,
      cancelRequested: false,
      createdAt: new Date().toISOString(),
      createdAtPrecise: new Date().toISOString(),
      startedAt: new Date().toISOString(),
      endedAt: null,
      steps: [],
    };
    const lines: RunLogLine[] = [];
    const listeners = new Set<() => void>();
    const log = (message: string) => {
      lines.push({ id: lines.length + 1, runId: run.id, stepIndex: null, at: new Date().toISOString(), level: "info", message, assetKey: null, data: null });
      listeners.forEach((listener) => listener());
    };
    const source: RunsSource = {
      list: async () => [run],
      count: async () => 1,
      get: async (id) => (id === run.id ? run : null),
      logs: async (_id, { afterId = 0, limit = 1000 } = {}) => lines.filter((l) => l.id > afterId).slice(0, limit),
      materializations: async () => [],
      checkResults: async () => [],
      latestCheckResults: async () => [],
      checkHistory: async () => [],
      launch: async () => ({ run, unlaunchable: [] }),
      reexecute: async () => ({ run: null, unlaunchable: [] }),
      cancel: async () => run,
      watch: (_id, listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    };
    const start = (port: number) => {
      const server = createTributaryServer({ catalog: { current: () => graph, runs: source }, logger, port, shutdownGraceMs: 50 });
      return server.listen().then((address) => ({ server, address }));
    };
    const first = await start(0);
    let second: TributaryServer | null = null;
    try {
      const output = capture();
      const running = main(["node", "tributary", "materialize", "stg_orders", "--url", first.address.graphqlUrl], { output, logger, env: {} });
      log("before the restart");
      await until("the first line", () => output.stdout.some((line) => line.endsWith("before the restart")));
      await first.server.close();
      second = (await start(first.address.port)).server;
      log("after the restart");
      await until("the reconnection", () => output.stdout.some((line) => line.endsWith("after the restart")), 15_000);
      run = { ...run, status: "succeeded", endedAt: new Date().toISOString(), message: "built 1" };
      log("done");
      assert.equal(await running, 0);
      assert.match(output.stderr.join("\n"), /^warning: lost the run's updates \(no Tributary server answers at .*\); reconnecting…$/m);
      const printed = output.stdout.filter((line) => / {3}(before the restart|after the restart|done)$/.test(line)).map((line) => line.slice(11));
      assert.deepEqual(printed, ["before the restart", "after the restart", "done"], "each line once");
      assert.match(output.stdout.at(-1)!, /^Run 11111111 succeeded in /);
    } finally {
      await first.server.close();
      await second?.close();
    }
  });
});
