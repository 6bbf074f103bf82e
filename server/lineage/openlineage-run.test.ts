/**
 * OpenLineage from real runs: demo-project copied, real dbt on a temp DuckDB warehouse, the Fivetran and Census
 * simulators, `tributary serve` in process (startServe, the real wiring) with `openlineage:` pointing at a
 * collector over real HTTP in this test. Runs are launched and canceled over GraphQL with an operator token.
 *
 *   collector down   a Fivetran sync's run succeeds all the same, and its log says which events were not delivered
 *   a real run       Fivetran sync → dbt build → Census sync: every event valid against the published schemas;
 *                    the run's START/COMPLETE, each step's START/COMPLETE with the run as parent; the Fivetran
 *                    step's outputs (duckdb://{warehouse file}, the warehouse's column types) are the dbt step's
 *                    inputs; the Census sync writes census://{destination}/{object} with its mappings as lineage
 *   a cancel         the run ends with ABORT, and every step that started has its terminal event
 *
 * About a minute and a half here (one full `dbt build` of demo-project). OPENLINEAGE_RUN_LOG=info prints logs.
 */
import assert from "node:assert/strict";
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { CatalogStore } from "../../catalog/store/index.ts";
import { demoCensusWorkspace } from "../../connectors/census/simulator/demo-workspace.ts";
import { startCensusSimulator, type CensusSimulator } from "../../connectors/census/simulator/server.ts";
import { connectorsFromDataDir, startFivetranSimulator, type FivetranSimulator } from "../../connectors/fivetran/simulator/server.ts";
import { createAccessStore } from "../auth/tokens.ts";
import { createLogger } from "../logging.ts";
import { startServe, type RunningServe } from "../serve.ts";
import { createCatalogService } from "../wiring.ts";
import { stepRunId, type RunEvent } from "./events.ts";
import { openLineageProblems } from "./testing.ts";

const DEMO_PROJECT = join(import.meta.dirname, "..", "..", "demo-project");
const NAMESPACE = "tributary-test";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface RunView {
  id: string;
  status: string;
  steps: { tool: string; status: string }[];
  logs: { message: string }[];
}

describe("OpenLineage from real runs (demo-project, real dbt, the simulators, a collector over HTTP)", { timeout: 15 * 60_000 }, () => {
  let scratch: string;
  let warehouse: string;
  let fivetran: FivetranSimulator;
  let census: CensusSimulator;
  let collector: Server;
  let serve: RunningServe | null = null;
  let store: CatalogStore;
  let token = "";
  /** The collector answers 503 while this is set. */
  let refusing = false;
  const received: RunEvent[] = [];
  const databaseUrl = process.env["DATABASE_URL"];

  async function graphql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const response = await fetch(serve!.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
    if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join("; "));
    return body.data!;
  }

  async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, ms = 600_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = await probe();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(200);
    }
  }

  const runView = async (id: string) =>
    (await graphql<{ run: RunView }>(`query($id: ID!) { run(id: $id) { id status steps { tool status } logs(first: 1000) { message } } }`, { id })).run;
  const ended = (id: string) => until(`run ${id} to end`, async () => {
    const run = await runView(id);
    return ["SUCCEEDED", "FAILED", "CANCELED"].includes(run.status) ? run : null;
  });
  async function launch(assetKeys: string[]): Promise<string> {
    const data = await graphql<{ launchRun: { run: { id: string } | null; unlaunchable: { assetKey: string; reason: string }[] } }>(
      `mutation($keys: [String!]!) { launchRun(assetKeys: $keys) { run { id } unlaunchable { assetKey reason } } }`,
      { keys: assetKeys },
    );
    assert.deepEqual(data.launchRun.unlaunchable, []);
    return data.launchRun.run!.id;
  }
  const eventsOfRun = (runId: string, steps: number) => {
    const ids = new Set([runId, ...Array.from({ length: steps }, (_, i) => stepRunId(runId, i))]);
    return received.filter((e) => ids.has(e.run.runId));
  };
  let assets: { key: string; materializedBy: { tool: string; runTargetId: string } | null }[] = [];
  const keysOf = (tool: string, runTargetId?: string) =>
    assets.filter((a) => a.materializedBy?.tool === tool && (runTargetId === undefined || a.materializedBy.runTargetId === runTargetId)).map((a) => a.key);

  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), "tributary-openlineage-run-"));
    const project = join(scratch, "shop");
    await cp(DEMO_PROJECT, project, { recursive: true, filter: (source) => !/(^|[\\/])(target|logs)$|\.duckdb(\.wal)?$/.test(source) });
    warehouse = join(scratch, "warehouse", "warehouse.duckdb");
    await mkdir(join(scratch, "warehouse"));
    fivetran = await startFivetranSimulator({
      apiKey: "ol-fivetran-key",
      apiSecret: "ol-fivetran-secret",
      groups: [{ id: "demo_warehouse", name: "Demo warehouse", destination: { service: "duckdb", database: "warehouse" } }],
      connectors: connectorsFromDataDir(join(project, "data", "fivetran"), { groupId: "demo_warehouse", syncFrequencyMinutes: 60 }),
      warehousePath: warehouse,
      syncDurationMs: 200,
    });
    for (const connector of ["google_ads_connector", "shopify_connector", "stripe_connector"]) await fivetran.runScheduledSync(connector);
    census = await startCensusSimulator({ apiKey: "secret-token:ol-census", ...demoCensusWorkspace(), warehousePath: warehouse, outputDir: join(scratch, "census-out"), stepMs: 100 });
    collector = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        if (refusing || req.url !== "/api/v1/lineage") {
          res.writeHead(503).end();
          return;
        }
        received.push(JSON.parse(Buffer.concat(chunks).toString("utf8")) as RunEvent);
        res.writeHead(201).end();
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, "127.0.0.1", resolve));
    delete process.env["DATABASE_URL"];
    process.env["OL_RUN_FIVETRAN_KEY"] = "ol-fivetran-key";
    process.env["OL_RUN_FIVETRAN_SECRET"] = "ol-fivetran-secret";
    process.env["OL_RUN_CENSUS_KEY"] = "secret-token:ol-census";
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
        "  heartbeat_seconds: 0.2",
        "openlineage:",
        `  url: http://127.0.0.1:${(collector.address() as AddressInfo).port}`,
        `  namespace: ${NAMESPACE}`,
        "  attempts: 2",
        "  retry_delay_seconds: 0.01",
        "fivetran:",
        "  accounts:",
        "    - name: fivetran",
        "      api_key: ${OL_RUN_FIVETRAN_KEY}",
        "      api_secret: ${OL_RUN_FIVETRAN_SECRET}",
        `      base_url: ${fivetran.url}`,
        "      poll_interval_seconds: 0.25",
        "census:",
        "  workspaces:",
        "    - name: census",
        "      api_key: ${OL_RUN_CENSUS_KEY}",
        `      base_url: ${census.url}`,
        "      poll_interval_seconds: 0.25",
        "",
      ].join("\n"),
    );
    const level = process.env["OPENLINEAGE_RUN_LOG"] ?? "silent";
    const started = await startServe(
      { config, dbtProjects: [], manifests: [], dataDir: join(scratch, "data"), host: "127.0.0.1", port: 0, scheduler: false, strict: false },
      { createCatalogService: (request, onProgress) => createCatalogService(request, onProgress, { onStore: (opened) => (store = opened) }) },
      { logger: createLogger({ level }), output: { out: () => {}, err: (line) => void (level === "silent" || process.stderr.write(`${line}\n`)) } },
    );
    assert.ok(started.ok, "tributary serve started");
    serve = started;
    token = (await createAccessStore(store.client).createToken({ name: "openlineage-test", role: "operator", createdBy: null })).token;
    assets = (await graphql<{ assets: { nodes: typeof assets } }>(`{ assets(first: 500) { nodes { key materializedBy { tool runTargetId } } } }`)).assets.nodes;
  });

  after(async () => {
    await serve?.stop();
    await fivetran?.close();
    await census?.close();
    await new Promise<void>((resolve) => (collector ? collector.close(() => resolve()) : resolve()));
    for (const name of ["OL_RUN_FIVETRAN_KEY", "OL_RUN_FIVETRAN_SECRET", "OL_RUN_CENSUS_KEY"]) delete process.env[name];
    if (databaseUrl !== undefined) process.env["DATABASE_URL"] = databaseUrl;
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  test("a collector that refuses everything holds no run up: the run succeeds and its log says what was not delivered", async () => {
    refusing = true;
    const runId = await launch(keysOf("fivetran", "google_ads_connector"));
    const run = await ended(runId);
    assert.equal(run.status, "SUCCEEDED");
    // The run's COMPLETE is its last event: once it is reported, every event of the run was tried.
    const logs = await until("the undelivered run COMPLETE in the run's log", async () => {
      const { logs: lines } = await runView(runId);
      return lines.some((l) => /OpenLineage: the COMPLETE event of the run .* not delivered: HTTP 503/.test(l.message)) ? lines : null;
    });
    const undelivered = logs.filter((l) => l.message.startsWith("OpenLineage:")).map((l) => l.message.replace(/ \(job .*/, ""));
    assert.deepEqual(undelivered.sort(), ["OpenLineage: the COMPLETE event of step 1", "OpenLineage: the COMPLETE event of the run", "OpenLineage: the START event of step 1", "OpenLineage: the START event of the run"]);
    assert.equal(received.length, 0);
    refusing = false;
  });

  test("a Fivetran → dbt → Census run: valid events, steps under their run, datasets joined across the tools", async () => {
    const stripe = keysOf("fivetran", "stripe_connector");
    const dbt = keysOf("dbt");
    assert.ok(stripe.length > 0 && dbt.length > 5, `${stripe.length} Stripe tables, ${dbt.length} dbt assets`);
    const runId = await launch([...stripe, ...dbt, "customers_to_crm_contacts"]);
    const run = await ended(runId);
    assert.equal(run.status, "SUCCEEDED", JSON.stringify(run.steps));
    assert.deepEqual(run.steps.map((s) => s.tool), ["fivetran", "dbt", "census"]);
    await until("the run's COMPLETE at the collector", async () => eventsOfRun(runId, 3).some((e) => e.run.runId === runId && e.eventType === "COMPLETE"), 60_000);
    const events = eventsOfRun(runId, 3);
    for (const event of events) assert.deepEqual(openLineageProblems(event), [], `${event.eventType} ${event.job.name}`);
    const summary = events.map((e) => `${e.eventType} ${e.job.name}`);
    assert.deepEqual(summary, [
      "START runs.manual",
      "START fivetran.fivetran.stripe_connector",
      "COMPLETE fivetran.fivetran.stripe_connector",
      "START dbt.shop",
      "COMPLETE dbt.shop",
      "START census.census.101",
      "COMPLETE census.census.101",
      "COMPLETE runs.manual",
    ]);
    for (const event of events) {
      assert.equal(event.job.namespace, NAMESPACE);
      if (event.job.name === "runs.manual") continue;
      assert.deepEqual(event.run.facets["parent"]!["run"], { runId }, `${event.job.name}'s parent is the run`);
    }
    const completeOf = (prefix: string) => events.find((e) => e.eventType === "COMPLETE" && e.job.name.startsWith(prefix))!;
    const fivetranOut = completeOf("fivetran.").outputs;
    const namespace = `duckdb://${warehouse}`;
    assert.ok(fivetranOut.length > 0 && fivetranOut.every((d) => d.namespace === namespace), JSON.stringify(fivetranOut.map((d) => d.namespace)));
    const charge = fivetranOut.find((d) => d.name.endsWith(".charge"))!;
    assert.ok(charge, fivetranOut.map((d) => d.name).join(", "));
    const chargeFields = charge.facets["schema"]!["fields"] as { name: string; type?: string }[];
    assert.ok(chargeFields.length > 3 && chargeFields.every((f) => typeof f.type === "string" && f.type !== ""), `the warehouse's types: ${JSON.stringify(chargeFields)}`);
    // The dbt step reads what the Fivetran step wrote: the same dataset, named the same.
    const dbtComplete = completeOf("dbt.");
    const dbtInputs = new Set(dbtComplete.inputs.map((d) => `${d.namespace} ${d.name}`));
    assert.ok(dbtInputs.has(`${namespace} ${charge.name}`), [...dbtInputs].join("\n"));
    const customers = dbtComplete.outputs.find((d) => d.name.endsWith(".customers"));
    assert.ok(customers && customers.namespace === namespace, dbtComplete.outputs.map((d) => d.name).join(", "));
    // Census: the sync reads the customers mart and writes the CRM's contacts, field by field.
    const censusComplete = completeOf("census.");
    assert.deepEqual(censusComplete.inputs.map((d) => `${d.namespace} ${d.name}`), [`${namespace} ${customers.name}`]);
    const [contacts] = censusComplete.outputs;
    assert.equal(contacts!.namespace, "census://11");
    assert.equal(contacts!.name, "contacts");
    const lineage = contacts!.facets["columnLineage"]!["fields"] as Record<string, { inputFields: { namespace: string; name: string; field: string }[] }>;
    assert.deepEqual(Object.keys(lineage).sort(), ["email", "external_id", "order_count"]);
    assert.equal(lineage["external_id"]!.inputFields[0]!.field, "customer_id");
    for (const field of Object.values(lineage)) assert.deepEqual(field.inputFields.map((f) => `${f.namespace} ${f.name}`), [`${namespace} ${customers.name}`]);
  });

  test("a canceled run ends with ABORT, and every step that started has its end", async () => {
    const runId = await launch([...keysOf("fivetran", "shopify_connector"), ...keysOf("dbt")]);
    await graphql(`mutation($id: ID!) { cancelRun(id: $id) { id } }`, { id: runId });
    const run = await ended(runId);
    assert.equal(run.status, "CANCELED");
    await until("the run's ABORT at the collector", async () => eventsOfRun(runId, 2).some((e) => e.run.runId === runId && e.eventType === "ABORT"), 60_000);
    const events = eventsOfRun(runId, 2);
    for (const event of events) assert.deepEqual(openLineageProblems(event), []);
    const byRun = new Map<string, string[]>();
    for (const event of events) byRun.set(event.run.runId, [...(byRun.get(event.run.runId) ?? []), event.eventType]);
    assert.deepEqual(byRun.get(runId), ["START", "ABORT"]);
    for (const [id, types] of byRun) {
      if (id === runId) continue;
      assert.equal(types[0], "START");
      assert.ok(types.length === 2 && ["ABORT", "COMPLETE"].includes(types[1]!), `a step run is START then its end: ${types.join(", ")}`);
    }
  });
});
