/**
 * The platform running by itself, end to end: a copy of demo-project with real dbt on a temp DuckDB warehouse,
 * the Fivetran and Census simulators in this process, and `tributary serve` in process (startServe and the
 * real wiring) with a tributary.yaml of the test's own: a 1 s tick, `scheduler.retry` once after 1 s. What
 * happened is read from the store (runs, run_steps, asset_events, check_results, automation_cursor,
 * condition_evaluations) and from the warehouse, never from logs.
 *
 *   start, initial load  the connectors' first syncs are already in the warehouse: the first tick builds the
 *                        seeds, the staging views and marts follow, the eager Census syncs fire;
 *                        daily_revenue (on_cron) waits for its cron tick; customer_snapshot (on_missing) waits
 *   the cron tick        the daemon's clock (WiringOptions.schedulerNow) passes 06:00 in Copenhagen:
 *                        daily_revenue still waits, now for `orders` to be updated since the tick
 *   the loop             a Stripe sync lands new charges: the tick after it is recorded requests the staging
 *                        views and every mart below them, daily_revenue included, in ONE `dbt build` with
 *                        their tests, and nothing twice; each eager Census sync fires once after it
 *   a failing test       the Stripe source sends a refund twice: unique_stg_stripe__refunds_refund_id fails,
 *                        its check result is `fail`, the run is failed saying so, and the retry policy runs it
 *                        once more (attempt 2) and no more
 *   at rest              nothing queued or running; customer_snapshot never built (no backfill of what was
 *                        missing at its first evaluation); the warehouse holds the marts
 *
 * It takes about 3–4 minutes here (a 2-core machine): real dbt builds of 10–20 s each. DEMO_LOOP_LOG=info (or
 * debug) prints the server's logs.
 */
import assert from "node:assert/strict";
import { appendFile, cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { DuckDBInstance } from "@duckdb/node-api";
import { Cron } from "croner";
import type { EvaluationNode } from "../catalog/model/evaluation.ts";
import { keyToString } from "../catalog/model/index.ts";
import type { CatalogStore, RunRecord } from "../catalog/store/index.ts";
import { demoCensusWorkspace } from "../connectors/census/simulator/demo-workspace.ts";
import { startCensusSimulator } from "../connectors/census/simulator/server.ts";
import type { CensusSimulator } from "../connectors/census/simulator/server.ts";
import { connectorsFromDataDir, startFivetranSimulator } from "../connectors/fivetran/simulator/server.ts";
import type { FivetranSimulator } from "../connectors/fivetran/simulator/server.ts";
import { isLockConflict } from "../connectors/shared/duckdb.ts";
import { createLogger } from "./logging.ts";
import { startServe } from "./serve.ts";
import type { RunningServe } from "./serve.ts";
import { createCatalogService } from "./wiring.ts";

const DEMO_PROJECT = join(import.meta.dirname, "..", "demo-project");
const TICK_SECONDS = 1;
const FIVETRAN_KEY = "demo_loop_key_Q7mZ2p";
const FIVETRAN_SECRET = "demo_loop_secret_8WcK1rTn";
const CENSUS_KEY = "secret-token:demo_loop_V3xN9q";
/** Stripe charges the source holds back until the loop's sync, which lands them. */
const HELD_BACK_CHARGES = 12;

/** What a Stripe sync makes eager: the Stripe staging views and every mart below them (daily_revenue once its cron tick passed). */
const LOOP_KEYS = [
  "customers",
  "customers_v1",
  "daily_revenue",
  "finance/payment_reconciliation",
  "marketing_roi",
  "orders",
  "stg_stripe__charges",
  "stg_stripe__refunds",
];
const MARTS = ["customers", "customers_v1", "daily_revenue", "finance/payment_reconciliation", "marketing_roi", "orders"];
const CENSUS_SYNCS = ["customers_to_crm_contacts", "marketing_roi_to_ad_audiences"];
/** The demo's warn-severity test: wholesale invoices are Stripe charges with no Shopify order. */
const WARN_CHECK = "not_null_stg_stripe__charges_shopify_order_id";
const FAILING_CHECK = "unique_stg_stripe__refunds_refund_id";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const keysOf = (run: RunRecord) => run.assetKeys.map(keyToString).sort();
const seconds = (from: string | Date, to: string | Date) => (new Date(to).getTime() - new Date(from).getTime()) / 1000;

function findNode(tree: EvaluationNode, match: (node: EvaluationNode) => boolean): EvaluationNode | undefined {
  if (match(tree)) return tree;
  for (const child of tree.children) {
    const found = findNode(child, match);
    if (found) return found;
  }
  return undefined;
}

interface EventRow {
  id: number;
  asset_key: string;
  kind: string;
  tool: string;
  tributary_run_id: string | null;
  recorded_at: Date;
}

interface CheckRow {
  asset_key: string;
  check_name: string;
  outcome: string;
  failures: string | number | null;
  run_id: string | null;
}

describe("the demo loop: Fivetran → dbt → Census by itself (demo-project, real dbt, the simulators)", { timeout: 15 * 60_000 }, () => {
  let scratch: string;
  let project: string;
  let warehouse: string;
  let fivetran: FivetranSimulator;
  let census: CensusSimulator;
  let serve: RunningServe | null = null;
  let store: CatalogStore;
  /** How far the daemon's clock runs ahead of the real one. */
  let clockOffsetMs = 0;
  let heldBackCharges = "";
  let chargeRows = 0;
  let firstRefund = "";
  const databaseUrl = process.env["DATABASE_URL"];

  const sql = <T extends object>(text: string, params: unknown[] = []): Promise<T[]> => store.client.query<T>(text, params);
  const evaluationId = async () => Number((await sql<{ evaluation_id: string }>("SELECT evaluation_id FROM automation_cursor"))[0]?.evaluation_id ?? 0);
  /** Every run, oldest first. */
  const allRuns = async (): Promise<RunRecord[]> => (await store.listRuns({ first: 500 })).reverse();
  const runsWith = async (key: string) => (await allRuns()).filter((run) => keysOf(run).includes(key));
  const maxEventId = async () => Number((await sql<{ id: string | null }>("SELECT max(id) AS id FROM asset_events"))[0]?.id ?? 0);
  const eventsOfRun = (runId: string) =>
    sql<EventRow>("SELECT id, asset_key, kind, tool, tributary_run_id, recorded_at FROM asset_events WHERE tributary_run_id = $1 ORDER BY id", [runId]);
  const checksOfRun = (runId: string) => sql<CheckRow>("SELECT asset_key, check_name, outcome, failures, run_id FROM check_results WHERE run_id = $1 ORDER BY id", [runId]);

  async function describeRuns(): Promise<string> {
    return (await allRuns())
      .map((r) => `  ${r.id.slice(0, 8)} ${r.status} ${JSON.stringify(r.launchedBy)} attempt ${r.attempt}: ${r.steps.map((s) => `${s.tool}[${s.assetKeys.map(keyToString).join(",")}] ${s.status}`).join(" → ")} ${r.message ?? ""}`)
      .join("\n");
  }

  async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, ms = 180_000, everyMs = 100): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = await probe();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}; the runs:\n${await describeRuns()}`);
      await sleep(everyMs);
    }
  }

  /** Waits until three ticks pass with no run queued or running and no new run: the platform is at rest. */
  async function settle(ms = 300_000): Promise<void> {
    const deadline = Date.now() + ms;
    for (;;) {
      const before = await allRuns();
      const since = await evaluationId();
      if (before.every((r) => r.status !== "queued" && r.status !== "running")) {
        await until("three ticks", async () => (await evaluationId()) >= since + 3, 60_000);
        const now = await allRuns();
        if (now.length === before.length && now.every((r) => r.status !== "queued" && r.status !== "running")) return;
      }
      if (Date.now() > deadline) throw new Error(`the platform did not come to rest in ${ms / 1000} s; the runs:\n${await describeRuns()}`);
      await sleep(250);
    }
  }

  /** A read-only query of the warehouse, at rest only (a reader's lock would keep dbt out). */
  async function warehouseRows(text: string): Promise<unknown[][]> {
    for (let attempt = 1; ; attempt++) {
      try {
        const instance = await DuckDBInstance.create(warehouse, { access_mode: "READ_ONLY" });
        try {
          const connection = await instance.connect();
          try {
            return (await connection.runAndReadAll(text)).getRows();
          } finally {
            connection.closeSync();
          }
        } finally {
          instance.closeSync();
        }
      } catch (error) {
        if (!isLockConflict(error) || attempt >= 40) throw error;
        await sleep(250);
      }
    }
  }

  const tables = async () => (await warehouseRows("SELECT table_schema || '.' || table_name FROM information_schema.tables ORDER BY 1")).map((row) => String(row[0]));

  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), "tributary-demo-loop-"));
    project = join(scratch, "shop");
    await cp(DEMO_PROJECT, project, { recursive: true, filter: (source) => !/(^|[\\/])(target|logs)$|\.duckdb(\.wal)?$/.test(source) });
    // The Stripe source holds back its latest charges that no refund points at: dbt's on-run-start hook and the
    // simulator both read these CSVs, so neither sees them before the loop's sync appends them.
    const stripe = join(project, "data", "fivetran", "stripe");
    const [refundHeader, ...refunds] = (await readFile(join(stripe, "refund.csv"), "utf8")).trimEnd().split("\n");
    assert.ok(refundHeader?.startsWith("id,charge_id,"));
    firstRefund = refunds[0]!;
    const refunded = new Set(refunds.map((row) => row.split(",")[1]));
    const [chargeHeader, ...charges] = (await readFile(join(stripe, "charge.csv"), "utf8")).trimEnd().split("\n");
    const held = charges.filter((row) => !refunded.has(row.split(",")[0])).slice(-HELD_BACK_CHARGES);
    assert.equal(held.length, HELD_BACK_CHARGES);
    chargeRows = charges.length;
    heldBackCharges = held.join("\n") + "\n";
    await writeFile(join(stripe, "charge.csv"), [chargeHeader, ...charges.filter((row) => !held.includes(row))].join("\n") + "\n");
    warehouse = join(scratch, "warehouse", "warehouse.duckdb");
    await mkdir(join(scratch, "warehouse"));

    fivetran = await startFivetranSimulator({
      apiKey: FIVETRAN_KEY,
      apiSecret: FIVETRAN_SECRET,
      groups: [{ id: "demo_warehouse", name: "Demo warehouse", destination: { service: "duckdb", database: "warehouse" } }],
      connectors: connectorsFromDataDir(join(project, "data", "fivetran"), { groupId: "demo_warehouse", syncFrequencyMinutes: 60 }),
      warehousePath: warehouse,
      syncDurationMs: 200,
    });
    // The connectors' first syncs happened before Tributary started (a warehouse Fivetran already fills): the
    // observer records them at its first poll, so the whole source is there at once.
    for (const connector of ["google_ads_connector", "shopify_connector", "stripe_connector"]) await fivetran.runScheduledSync(connector);
    census = await startCensusSimulator({
      apiKey: CENSUS_KEY,
      ...demoCensusWorkspace(),
      warehousePath: warehouse,
      outputDir: join(scratch, "census-destinations"),
      stepMs: 100,
    });
    // The embedded store in the scratch dir, whatever the machine's DATABASE_URL: the history must start empty.
    delete process.env["DATABASE_URL"];
    process.env["DEMO_LOOP_FIVETRAN_KEY"] = FIVETRAN_KEY;
    process.env["DEMO_LOOP_FIVETRAN_SECRET"] = FIVETRAN_SECRET;
    process.env["DEMO_LOOP_CENSUS_KEY"] = CENSUS_KEY;
    const config = join(scratch, "tributary.yaml");
    await writeFile(
      config,
      [
        "dbt:",
        "  projects:",
        `    - dir: ${JSON.stringify(project)}`,
        "      env:",
        `        TRIBUTARY_WAREHOUSE_PATH: ${JSON.stringify(warehouse)}`,
        "storage:",
        `  data_dir: ${JSON.stringify(join(scratch, "data"))}`,
        "scheduler:",
        `  tick_interval_seconds: ${TICK_SECONDS}`,
        "  retry: {max_retries: 1, delay_seconds: 1}",
        "policies:",
        ...CENSUS_SYNCS.flatMap((sync) => [`  - assets: "${sync}"`, "    auto_materialize_policy: {type: eager}"]),
        "fivetran:",
        "  accounts:",
        "    - name: fivetran",
        "      api_key: ${DEMO_LOOP_FIVETRAN_KEY}",
        "      api_secret: ${DEMO_LOOP_FIVETRAN_SECRET}",
        `      base_url: ${fivetran.url}`,
        "      poll_interval_seconds: 0.5",
        "      observe_interval_seconds: 0.25",
        "census:",
        "  workspaces:",
        "    - name: census",
        "      api_key: ${DEMO_LOOP_CENSUS_KEY}",
        `      base_url: ${census.url}`,
        "      poll_interval_seconds: 0.25",
        "      observe_interval_seconds: 0.5",
        // As demo-project/tributary.yaml: the simulated syncs' Census schedules never run; the policies trigger them.
        "      scheduled_syncs: trigger",
        "",
      ].join("\n"),
    );
    // The daemon's clock starts an hour before the next 06:00 in Copenhagen (daily_revenue's cron), so the tick
    // cannot pass by itself while the test runs; the test moves the clock past it when it wants to.
    const nextCron = new Cron("0 6 * * *", { timezone: "Europe/Copenhagen" }).nextRun(new Date(Date.now() + 2 * 3_600_000))!;
    clockOffsetMs = nextCron.getTime() - 3_600_000 - Date.now();
    const level = process.env["DEMO_LOOP_LOG"] ?? "silent";
    const started = await startServe(
      { config, dbtProjects: [], manifests: [], dataDir: join(scratch, "data"), host: "127.0.0.1", port: 0, scheduler: true, strict: false },
      {
        createCatalogService: (request, onProgress) =>
          createCatalogService(request, onProgress, {
            schedulerNow: () => new Date(Date.now() + clockOffsetMs),
            onStore: (opened) => (store = opened),
          }),
      },
      { logger: createLogger({ level }), output: { out: () => {}, err: (line) => void (level === "silent" || process.stderr.write(`${line}\n`)) } },
    );
    assert.ok(started.ok, "tributary serve started");
    serve = started;
  });

  after(async () => {
    await serve?.stop();
    await fivetran?.close();
    await census?.close();
    delete process.env["DEMO_LOOP_FIVETRAN_KEY"];
    delete process.env["DEMO_LOOP_FIVETRAN_SECRET"];
    delete process.env["DEMO_LOOP_CENSUS_KEY"];
    if (databaseUrl !== undefined) process.env["DATABASE_URL"] = databaseUrl;
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  test("start: the first tick builds the seeds; the staging views, the marts and the Census syncs follow", async () => {
    const [seeds] = await until("the seeds' run", async () => (await allRuns()).filter((r) => r.launchedBy.kind === "policy" && r.tick === 1));
    for (const key of ["channel_mapping", "country_codes", "dim_countries"]) {
      assert.ok(keysOf(seeds!).includes(key), `legacy eager builds missing roots (and dim_countries, on a seed only) on the first tick: ${key}`);
    }
    await settle();
    const runs = await allRuns();
    assert.ok(runs.every((r) => r.status === "succeeded" && r.launchedBy.kind === "policy"), `every run succeeded:\n${await describeRuns()}`);
    for (const key of [...LOOP_KEYS.filter((k) => k !== "daily_revenue"), ...CENSUS_SYNCS, "int_orders_attributed", "stg_shopify__orders"]) {
      const built = await runsWith(key);
      assert.equal(built.length, 1, `${key} was built once, not again by a tick while its run was under way:\n${await describeRuns()}`);
    }
    assert.deepEqual(await runsWith("daily_revenue"), [], "daily_revenue (on_cron) waits for its cron tick");
    assert.deepEqual(await runsWith("customer_snapshot"), [], "customer_snapshot (on_missing) is not backfilled");
  });

  test("on_cron: after its cron tick, daily_revenue still waits for `orders` to be updated since the tick", async () => {
    const before = await evaluationId();
    clockOffsetMs += 3_600_000 + 60_000; // 06:01 in Copenhagen
    await until("three ticks", async () => (await evaluationId()) >= before + 3, 60_000);
    await settle();
    assert.deepEqual(await runsWith("daily_revenue"), [], "no run: orders was not updated since the cron tick");
    const evaluations = await store.assetEvaluations("daily_revenue", { first: 20 });
    const atTick = evaluations.find((e) => e.tick > before && findNode(e.tree, (n) => n.name.startsWith("cron_tick_passed") && n.value));
    assert.ok(atTick, `a tick after the jump saw the cron tick pass: ${JSON.stringify(evaluations.map((e) => e.tick))}`);
    assert.equal(atTick.requested, false);
    const deps = findNode(atTick.tree, (n) => n.label.startsWith("all_deps_updated_since_cron"));
    assert.equal(deps?.value, false, "…but not every dependency was updated since");
  });

  test("the loop: a Fivetran sync lands rows → the next tick requests ONE dbt build of the eager models with their tests → the Census syncs fire", async () => {
    const runsBefore = new Set((await allRuns()).map((r) => r.id));
    const lastEvent = await maxEventId();
    await appendFile(join(project, "data", "fivetran", "stripe", "charge.csv"), heldBackCharges);
    const sync = await fivetran.runScheduledSync("stripe_connector");
    assert.equal(sync.status, "succeeded");
    assert.deepEqual(sync.rowsLanded, { "stripe.charge": HELD_BACK_CHARGES, "stripe.refund": 0 }, "the sync landed the new charges");

    // The moment the sync's materialization is in the store, and the last tick committed before it was seen.
    const { synced, tickBefore } = await until(
      "the sync's materialization",
      async () => {
        const rows = await sql<EventRow>("SELECT id, asset_key, kind, tool, tributary_run_id, recorded_at FROM asset_events WHERE asset_key = 'stripe/charge' AND id > $1", [lastEvent]);
        return rows[0] ? { synced: rows[0], tickBefore: await evaluationId() } : null;
      },
      30_000,
      20,
    );
    assert.equal(synced.kind, "materialization");
    assert.equal(synced.tool, "fivetran");
    assert.equal(synced.tributary_run_id, null, "Fivetran synced on its own schedule; the observer recorded it");

    const run = await until("the dbt run", async () => (await allRuns()).find((r) => !runsBefore.has(r.id) && r.steps[0]?.tool === "dbt"), 60_000, 50);
    assert.equal(run.launchedBy.kind, "policy");
    assert.ok(run.tick !== null && run.tick - tickBefore <= 2 && run.tick >= tickBefore, `requested within two ticks of the sync being recorded (tick ${run.tick}, last tick before: ${tickBefore})`);
    assert.deepEqual(run.launchedBy, { kind: "policy", tick: run.tick });
    const ticks = await sql<{ evaluation_id: string; run_ids: string[] }>("SELECT evaluation_id, run_ids FROM automation_ticks WHERE evaluation_id = $1", [run.tick]);
    assert.deepEqual(ticks[0]?.run_ids, [run.id], "the tick's record names the run");

    await settle();
    const done = (await store.getRun(run.id))!;
    assert.equal(done.status, "succeeded", done.message ?? "");
    assert.equal(done.steps.length, 1, "one step: one `dbt build`");
    const [step] = done.steps;
    assert.equal(step!.tool, "dbt");
    assert.equal(step!.status, "succeeded");
    assert.deepEqual(keysOf(done), LOOP_KEYS, "the staging views and the marts together, daily_revenue now with them");

    // Materializations: one per key, recorded by this run.
    const events = await eventsOfRun(run.id);
    assert.deepEqual(events.map((e) => e.asset_key).sort(), LOOP_KEYS);
    assert.ok(events.every((e) => e.kind === "materialization" && e.tool === "dbt"));

    // Check results: one per check of the step's targets; all pass but the demo's warn-severity test.
    const checks = await checksOfRun(run.id);
    const expected = step!.targets.flatMap((t) => t.checks.map((c) => `${keyToString(t.assetKey)}:${c.name}`)).sort();
    assert.ok(expected.length >= 25, `the step carries its tests (${expected.length})`);
    assert.deepEqual(checks.map((c) => `${c.asset_key}:${c.check_name}`).sort(), expected, "every test of the built models ran in the same build");
    const warned = checks.filter((c) => c.outcome !== "pass");
    assert.deepEqual(
      warned.map((c) => [c.asset_key, c.check_name, c.outcome]),
      [["stg_stripe__charges", WARN_CHECK, "warn"]],
    );
    assert.ok(Number(warned[0]!.failures) > 0, "the warning counts its rows");

    // Each eager Census sync fired once, after the mart it reads was materialized by the run.
    const newRuns = (await allRuns()).filter((r) => !runsBefore.has(r.id));
    assert.deepEqual(newRuns.map((r) => `${r.steps.map((s) => s.tool).join("+")}:${keysOf(r).join(",")}`).sort(), [
      "census:customers_to_crm_contacts",
      "census:marketing_roi_to_ad_audiences",
      `dbt:${LOOP_KEYS.join(",")}`,
    ], `nothing else, nothing twice:\n${await describeRuns()}`);
    const martAt = new Map(events.map((e) => [e.asset_key, e.recorded_at]));
    const censusAt = new Map<string, Date>();
    for (const [sync, mart] of [["customers_to_crm_contacts", "customers"], ["marketing_roi_to_ad_audiences", "marketing_roi"]] as const) {
      const censusRun = newRuns.find((r) => keysOf(r).includes(sync))!;
      assert.equal(censusRun.status, "succeeded", censusRun.message ?? "");
      assert.equal(censusRun.launchedBy.kind, "policy");
      assert.ok(new Date(censusRun.createdAt) >= martAt.get(mart)!, `${sync} was requested after ${mart} was materialized`);
      const [materialized, ...more] = await eventsOfRun(censusRun.id);
      assert.equal(more.length, 0);
      assert.deepEqual([materialized?.asset_key, materialized?.kind, materialized?.tool], [sync, "materialization", "census"]);
      censusAt.set(sync, materialized!.recorded_at);
    }

    // The warehouse: the new charges went through the staging view into the marts.
    assert.deepEqual(await warehouseRows("SELECT count(*)::INTEGER FROM warehouse.stripe.charge"), [[chargeRows]]);
    assert.deepEqual(await warehouseRows("SELECT count(*)::INTEGER FROM warehouse.analytics.stg_stripe__charges"), [[chargeRows]]);
    const present = await tables();
    for (const mart of ["analytics.customers", "analytics.customers_v1", "analytics.daily_revenue", "analytics.marketing_roi", "analytics.orders", "finance.payment_reconciliation"]) {
      assert.ok(present.includes(mart), `${mart} is in the warehouse`);
    }
    assert.ok(Number((await warehouseRows("SELECT count(*) FROM warehouse.analytics.daily_revenue"))[0]![0]) > 0, "daily_revenue has rows");

    const firstModel = events[0]!;
    const firstMart = events.find((e) => MARTS.includes(e.asset_key))!;
    const figures = [
      `sync finished → recorded ${seconds(sync.finishedAt, synced.recorded_at).toFixed(1)} s`,
      `recorded → run requested ${seconds(synced.recorded_at, done.createdAt).toFixed(1)} s (tick ${run.tick}, ${run.tick! - tickBefore} after the last tick before it was seen)`,
      `→ dbt started ${seconds(synced.recorded_at, done.startedAt!).toFixed(1)} s`,
      `→ first model (${firstModel.asset_key}) ${seconds(synced.recorded_at, firstModel.recorded_at).toFixed(1)} s`,
      `→ first mart (${firstMart.asset_key}) ${seconds(synced.recorded_at, firstMart.recorded_at).toFixed(1)} s`,
      `→ dbt run ended ${seconds(synced.recorded_at, done.endedAt!).toFixed(1)} s`,
      ...[...censusAt].map(([sync, at]) => `→ Census ${sync} ${seconds(synced.recorded_at, at).toFixed(1)} s`),
    ];
    console.log(`demo loop latency: ${figures.join("; ")}`);
  });

  test("a failing test: its check result is `fail`, its run is failed saying so, and the retry policy runs it once more", async () => {
    const runsBefore = new Set((await allRuns()).map((r) => r.id));
    // The source sends a refund twice.
    await appendFile(join(project, "data", "fivetran", "stripe", "refund.csv"), `${firstRefund}\n`);
    const sync = await fivetran.runScheduledSync("stripe_connector");
    assert.deepEqual(sync.rowsLanded, { "stripe.charge": 0, "stripe.refund": 1 });

    const failed = await until("the failed run", async () => (await allRuns()).find((r) => !runsBefore.has(r.id) && r.launchedBy.kind === "policy" && r.status === "failed"), 120_000);
    assert.deepEqual(
      keysOf(failed),
      LOOP_KEYS.filter((k) => k !== "daily_revenue" && k !== "finance/payment_reconciliation"),
      "the same eager models; daily_revenue only once per cron tick; payment_reconciliation (minimum_interval: 30m) was built by the loop seconds ago",
    );
    // Coalescing, in the store: at the tick that requested the run, payment_reconciliation's policy wanted it,
    // and its interval held it back, saying until when. The refund waits in its policy's state for the interval's end.
    const reconciliation = (await store.assetEvaluations("finance/payment_reconciliation", { first: 50 })).find((e) => e.tick === failed.tick);
    assert.ok(reconciliation, "payment_reconciliation was evaluated at that tick");
    assert.equal(reconciliation.requested, false);
    assert.equal(reconciliation.tree.children[0]?.value, true, "its eager policy wanted a build (a parent updated)");
    const interval = findNode(reconciliation.tree, (n) => n.name.startsWith("minimum_interval_passed"));
    assert.equal(interval?.value, false);
    // Measured from the later of its materialization and the tick that requested it (here the request: the test's
    // scheduler clock runs ahead of dbt's event times).
    assert.match(interval?.reason ?? "", /^last (materialized|requested) \d\d:\d\d UTC: waits until \d\d:\d\d UTC \(30m interval\)$/);
    assert.match(failed.message ?? "", new RegExp(`test ${FAILING_CHECK} on stg_stripe__refunds failed \\(1 failing row\\)`));
    const [step] = failed.steps;
    assert.equal(step!.status, "failed");
    assert.match(step!.message ?? "", new RegExp(FAILING_CHECK));
    assert.deepEqual(step!.failedKeys, [], "every model built; a test failed");
    assert.deepEqual(step!.skippedKeys.map(keyToString).sort(), ["customers", "customers_v1", "marketing_roi", "orders"], "dbt skipped what is below the failing test");
    const failing = (await checksOfRun(failed.id)).filter((c) => c.outcome === "fail" || c.outcome === "error");
    assert.deepEqual(
      failing.map((c) => [c.asset_key, c.check_name, c.outcome, Number(c.failures)]),
      [["stg_stripe__refunds", FAILING_CHECK, "fail", 1]],
    );
    const latest = await store.latestCheckResults("stg_stripe__refunds");
    assert.equal(latest.find((c) => c.checkName === FAILING_CHECK)?.outcome, "fail", "the check's latest result is its failure");

    // scheduler.retry: {max_retries: 1, delay_seconds: 1}: attempt 2 of the failed step, and no attempt 3.
    const retry = await until("the retry", async () => (await allRuns()).find((r) => r.launchedBy.kind === "retry" && r.parentRunId === failed.id), 60_000);
    assert.deepEqual(retry.launchedBy, { kind: "retry", parentRunId: failed.id, attempt: 2 });
    assert.equal(retry.attempt, 2);
    assert.deepEqual(keysOf(retry), keysOf(failed));
    assert.ok(seconds(failed.endedAt!, retry.createdAt) >= 0, "created when the run failed");
    await settle();
    const retried = (await store.getRun(retry.id))!;
    assert.ok(seconds(failed.endedAt!, retried.startedAt!) >= 0.9, "started after the retry delay");
    assert.equal(retried.status, "failed", "the data is still wrong");
    assert.match(retried.message ?? "", new RegExp(FAILING_CHECK));
    assert.equal((await checksOfRun(retry.id)).find((c) => c.check_name === FAILING_CHECK)?.outcome, "fail");

    const newRuns = (await allRuns()).filter((r) => !runsBefore.has(r.id));
    assert.deepEqual(newRuns.map((r) => r.id), [failed.id, retry.id], `no attempt 3, no other run (the Census syncs read marts that were not rebuilt):\n${await describeRuns()}`);
  });

  test("at rest: nothing queued or running, customer_snapshot never built, the warehouse holds the marts", async () => {
    await settle();
    const runs = await allRuns();
    assert.deepEqual(runs.filter((r) => r.status === "queued" || r.status === "running"), []);
    assert.equal(Number((await sql<{ n: string }>("SELECT count(*) AS n FROM run_steps WHERE status IN ('pending', 'running')"))[0]!.n), 0);

    assert.deepEqual(await runsWith("customer_snapshot"), []);
    assert.deepEqual(await sql("SELECT id FROM asset_events WHERE asset_key = 'customer_snapshot'"), []);
    const evaluations = await store.assetEvaluations("customer_snapshot", { first: 500 });
    assert.ok(evaluations.length > 0, "customer_snapshot's on_missing policy was evaluated");
    assert.ok(evaluations.every((e) => !e.requested), "and never requested it: it was missing at its first evaluation");
    const present = await tables();
    assert.ok(!present.some((t) => t.endsWith(".customer_snapshot")), "no snapshot table");
    for (const mart of ["analytics.customers", "analytics.dim_countries", "analytics.marketing_roi", "analytics.orders", "finance.payment_reconciliation"]) {
      assert.ok(present.includes(mart), `${mart} is in the warehouse`);
    }
  });
});
