/**
 * OpenLineage out, part by part: every event built for a run's and a step's transitions validates against the
 * published JSON schemas (RunEvent and each facet by its _schemaURL, ./testing.ts), and the validator itself
 * refuses bad events; datasets are named as the naming spec says, with schema and column lineage facets where the
 * catalog knows them (jaffle-shop's compiled SQL; a Census sync's mappings); the emitter delivers over real HTTP
 * with its API key, retries a flaky collector, never holds a run up when the collector is down and says so; the
 * file transport writes JSON lines; tributary.yaml's `openlineage:` and the OPENLINEAGE_* variables.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { buildCatalogGraph, type CatalogGraph } from "../../catalog/graph/index.ts";
import { definitions, spec } from "../../catalog/graph/test-specs.ts";
import type { StepOutcome, StepTarget } from "../../catalog/model/index.ts";
import { completeDefinitions, keyFromString } from "../../catalog/model/index.ts";
import type { RunRecord } from "../../catalog/store/index.ts";
import { censusSyncState } from "../../connectors/census/index.ts";
import { createDbtManifestProvider } from "../../connectors/dbt/index.ts";
import type { RunTransition } from "../../scheduler/runs/index.ts";
import { sharedFixture } from "../../scripts/shared-fixtures.ts";
import { loadConfig } from "../config.ts";
import { capturingLogger } from "../test-support.ts";
import { createFileTransport, createHttpTransport, createLineageEmitter } from "./emitter.ts";
import { eventsOf, stepRunId, uuidV5, type EventContext, type RunEvent } from "./events.ts";
import { createDatasetNamer, profileNamespace, snowflakeAccount } from "./namespaces.ts";
import { resolveOpenLineageSettings } from "./setup.ts";
import { openLineageProblems } from "./testing.ts";

const RUN_ID = "0b7e6a52-58d4-4b8e-9d3c-2f1a8f0c9e11";
const AT = new Date("2026-12-03T10:00:00.000Z");

function target(key: string, runTargetId: string): StepTarget {
  return { assetKey: keyFromString(key), runTargetId, checks: [] };
}

/** A run record as the store gives it, with the steps given. */
function runRecord(steps: { tool: string; locationName: string; targets: StepTarget[] }[], overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    id: RUN_ID,
    idempotencyKey: "test",
    status: "running",
    launchedBy: { kind: "manual", user: "ada" },
    tick: null,
    parentRunId: null,
    attempt: 1,
    assetKeys: steps.flatMap((s) => s.targets.map((t) => t.assetKey)),
    message: null,
    cancelRequested: false,
    createdAt: AT.toISOString(),
    createdAtPrecise: AT.toISOString(),
    startedAt: AT.toISOString(),
    endedAt: null,
    steps: steps.map((s, index) => ({
      runId: RUN_ID,
      index,
      tool: s.tool,
      locationName: s.locationName,
      targets: s.targets,
      assetKeys: s.targets.map((t) => t.assetKey),
      status: "running",
      queue: "q",
      jobId: null,
      claimedBy: null,
      attempts: 1,
      heartbeatAt: null,
      progress: null,
      message: null,
      failedKeys: [],
      skippedKeys: [],
      toolRunId: null,
      url: null,
      startedAt: null,
      endedAt: null,
    })),
    ...overrides,
  };
}

function assertValid(events: readonly RunEvent[]): void {
  for (const event of events) assert.deepEqual(openLineageProblems(event), [], `${event.eventType} ${event.job.name}: ${JSON.stringify(event).slice(0, 400)}`);
}

const succeeded: StepOutcome = { status: "succeeded", message: "built", failedKeys: [], skippedKeys: [] };

describe("OpenLineage events of a dbt build (jaffle-shop, compiled SQL, a Postgres warehouse)", () => {
  let graph: CatalogGraph;
  let context: EventContext;
  before(async () => {
    const provider = createDbtManifestProvider({ file: sharedFixture("manifests", "jaffle-shop-state-v11-postgres", "manifest.json"), name: "jaffle" });
    // The load serves the definitions first; column lineage is their follow-up (computed on a worker thread).
    graph = buildCatalogGraph({ definitions: [await completeDefinitions(await provider.load())] });
    context = { namespace: "analytics", graph, namer: createDatasetNamer(new Map([["jaffle", "postgres://db.internal:5432"]])) };
  });

  test("the run and its step: START and COMPLETE, the step's parent is the run, every event valid", () => {
    const customers = graph.get("customers")!;
    const stg = graph.get("stg_customers")!;
    const run = runRecord([{ tool: "dbt", locationName: "jaffle", targets: [target(stg.id, stg.dbtUniqueId!), target(customers.id, customers.dbtUniqueId!)] }]);
    const events = [
      ...eventsOf({ kind: "run_started", run, at: AT }, context),
      ...eventsOf({ kind: "step_started", run, stepIndex: 0, at: AT }, context),
      ...eventsOf({ kind: "step_ended", run, stepIndex: 0, outcome: succeeded, at: AT }, context),
      ...eventsOf({ kind: "run_ended", run, status: "succeeded", message: "built", at: AT }, context),
    ];
    assertValid(events);
    assert.deepEqual(
      events.map((e) => [e.eventType, e.job.namespace, e.job.name, e.run.runId]),
      [
        ["START", "analytics", "runs.manual", RUN_ID],
        ["START", "analytics", "dbt.jaffle", stepRunId(RUN_ID, 0)],
        ["COMPLETE", "analytics", "dbt.jaffle", stepRunId(RUN_ID, 0)],
        ["COMPLETE", "analytics", "runs.manual", RUN_ID],
      ],
    );
    const complete = events[2]!;
    assert.deepEqual(complete.run.facets["parent"]!["run"], { runId: RUN_ID });
    assert.deepEqual(complete.run.facets["parent"]!["job"], { namespace: "analytics", name: "runs.manual" });
    // Outputs: what the step builds, named {database}.{schema}.{table} in the warehouse's namespace.
    const relationName = (key: string) => {
      const r = graph.get(key)!.relation!;
      return [r.database, r.schema, r.name].filter(Boolean).join(".");
    };
    assert.deepEqual(complete.outputs.map((d) => [d.namespace, d.name]).sort(), [
      ["postgres://db.internal:5432", relationName("customers")],
      ["postgres://db.internal:5432", relationName("stg_customers")],
    ]);
    // Inputs: what those read that the step does not build (stg_customers is built here, so not an input).
    const inputNames = complete.inputs.map((d) => d.name);
    assert.ok(inputNames.includes(relationName("orders")), inputNames.join(", "));
    assert.ok(inputNames.includes(relationName("jaffle_shop_raw/raw_customers")), inputNames.join(", "));
    assert.ok(!inputNames.includes(relationName("stg_customers")));
    // Column lineage from the compiled SQL: stg_customers.customer_id is raw_customers.id renamed.
    const stgOut = complete.outputs.find((d) => d.name === relationName("stg_customers"))!;
    const fields = stgOut.facets["columnLineage"]!["fields"] as Record<string, { inputFields: { namespace: string; name: string; field: string; transformations: { type: string; subtype: string }[] }[] }>;
    assert.deepEqual(fields["customer_id"]!.inputFields, [
      { namespace: "postgres://db.internal:5432", name: relationName("jaffle_shop_raw/raw_customers"), field: "id", transformations: [{ type: "DIRECT", subtype: "IDENTITY", description: "renamed" }] },
    ]);
    assert.equal(stgOut.facets["dataSource"]!["uri"], "postgres://db.internal:5432");
    // The schema facet lists the catalog's columns, in order.
    const schemaFields = complete.outputs.find((d) => d.name === relationName("customers"))!.facets["schema"]!["fields"] as { name: string; ordinal_position: number }[];
    assert.deepEqual(schemaFields.map((f) => f.name), graph.get("customers")!.columns.map((c) => c.name));
  });

  test("the published schemas refuse what is not an OpenLineage event", () => {
    const stg = graph.get("stg_customers")!;
    const run = runRecord([{ tool: "dbt", locationName: "jaffle", targets: [target(stg.id, stg.dbtUniqueId!)] }]);
    const [event] = eventsOf({ kind: "step_ended", run, stepIndex: 0, outcome: succeeded, at: AT }, context);
    assert.deepEqual(openLineageProblems(event), []);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a deliberately broken copy of the event, reached into freely
    type Loose = Record<string, any>;
    const broken = (mutate: (e: Loose) => void) => {
      const copy = JSON.parse(JSON.stringify(event)) as Loose;
      mutate(copy);
      return openLineageProblems(copy).join("\n");
    };
    assert.match(broken((e) => (e["run"].runId = "run-1")), /RunEvent: \/run\/runId must match format "uuid"/);
    assert.match(broken((e) => (e["eventType"] = "DONE")), /eventType must be equal to one of the allowed values/);
    assert.match(broken((e) => delete e["job"].name), /RunEvent: \/job must have required property 'name'/);
    assert.match(broken((e) => delete e["run"].facets.parent._producer), /facet parent: .*_producer/);
    assert.match(broken((e) => (e["outputs"][0].facets.schema.fields = { name: "x" })), /facet schema: \/fields must be array/);
    assert.match(broken((e) => (e["outputs"][0].facets.columnLineage.fields.customer_id.inputFields[0].field = 3)), /facet columnLineage: .*must be string/);
    assert.match(broken((e) => (e["run"].facets.parent._schemaURL = "https://example.test/Other.json")), /not a kept published schema/);
  });
});

describe("OpenLineage events of failures, cancels and a Census sync", () => {
  const namespaces = new Map([
    ["shop", "duckdb:///data/warehouse.duckdb"],
    ["fivetran", "duckdb:///data/warehouse.duckdb"],
  ]);
  const relation = (schema: string, name: string) => ({ database: "warehouse", schema, name });
  const graph = buildCatalogGraph({
    definitions: [
      definitions("fivetran", [spec("stripe/charges", { relation: relation("stripe", "charges"), location: "fivetran", materializer: { tool: "fivetran", locationName: "fivetran", runTargetId: "stripe_connector" } })], "fivetran"),
      definitions("shop", [
        spec("stg_charges", { relation: relation("staging", "stg_charges"), deps: ["stripe/charges"], columns: [{ name: "charge_id", type: "VARCHAR", description: "the charge", tags: [] }] }),
        spec("revenue", { relation: relation("marts", "revenue"), deps: ["stg_charges"] }),
      ]),
      definitions(
        "census",
        [
          spec("census/crm_contacts", {
            deps: ["revenue"],
            location: "census",
            materializer: { tool: "census", locationName: "census", runTargetId: "sync_7" },
            metadata: censusSyncState.write({ sync_id: "sync_7", destination_connection_id: "sf_1", destination_object: "Contact", mappings: [{ from: "email", to: "Email" }, { from: "total", to: "Revenue__c" }] }),
          }),
        ],
        "census",
      ),
    ],
  });
  const context: EventContext = { namespace: "tributary", graph, namer: createDatasetNamer(namespaces) };

  test("a failed dbt step outputs only what it built; the run's FAIL says why", () => {
    const run = runRecord([{ tool: "dbt", locationName: "shop", targets: [target("stg_charges", "model.shop.stg_charges"), target("revenue", "model.shop.revenue")] }]);
    const outcome: StepOutcome = { status: "failed", message: "revenue failed: division by zero", failedKeys: [["revenue"]], skippedKeys: [] };
    const events = [...eventsOf({ kind: "step_ended", run, stepIndex: 0, outcome, at: AT }, context), ...eventsOf({ kind: "run_ended", run, status: "failed", message: outcome.message, at: AT }, context)];
    assertValid(events);
    const [step, ended] = events;
    assert.equal(step!.eventType, "FAIL");
    assert.deepEqual(step!.outputs.map((d) => d.name), ["warehouse.staging.stg_charges"]);
    assert.deepEqual(step!.inputs.map((d) => `${d.namespace} ${d.name}`), ["duckdb:///data/warehouse.duckdb warehouse.stripe.charges"]);
    assert.equal(step!.run.facets["errorMessage"]!["message"], "revenue failed: division by zero");
    assert.deepEqual([ended!.eventType, ended!.job.name, ended!.run.facets["errorMessage"]!["message"]], ["FAIL", "runs.manual", "revenue failed: division by zero"]);
    // A schema facet only where columns are known, with their types.
    assert.deepEqual(step!.outputs[0]!.facets["schema"]!["fields"], [{ name: "charge_id", type: "VARCHAR", description: "the charge", ordinal_position: 1 }]);
  });

  test("a canceled step is ABORT with no outputs; a run canceled before it started is START then ABORT", () => {
    const run = runRecord([{ tool: "fivetran", locationName: "fivetran", targets: [target("stripe/charges", "stripe_connector")] }], { launchedBy: { kind: "policy", tick: 4 } });
    const aborted = eventsOf({ kind: "step_ended", run, stepIndex: 0, outcome: { status: "canceled", message: "canceled", failedKeys: [], skippedKeys: [] }, at: AT }, context);
    const never = eventsOf({ kind: "run_ended", run: { ...run, startedAt: null, status: "queued" }, status: "canceled", message: "canceled before any step started", at: AT }, context);
    assertValid([...aborted, ...never]);
    assert.deepEqual(aborted.map((e) => [e.eventType, e.job.name, e.outputs.length]), [["ABORT", "fivetran.fivetran.stripe_connector", 0]]);
    assert.deepEqual(never.map((e) => [e.eventType, e.job.name, e.run.runId]), [
      ["START", "runs.policy", RUN_ID],
      ["ABORT", "runs.policy", RUN_ID],
    ]);
  });

  test("a Census sync writes census://{destination}/{object}, its fields mapped from the model's columns", () => {
    const run = runRecord([{ tool: "census", locationName: "census", targets: [target("census/crm_contacts", "sync_7")] }]);
    const [event] = eventsOf({ kind: "step_ended", run, stepIndex: 0, outcome: succeeded, at: AT }, context);
    assertValid([event!]);
    assert.equal(event!.job.name, "census.census.sync_7");
    assert.deepEqual(event!.inputs.map((d) => `${d.namespace} ${d.name}`), ["duckdb:///data/warehouse.duckdb warehouse.marts.revenue"]);
    const [output] = event!.outputs;
    assert.deepEqual([output!.namespace, output!.name], ["census://sf_1", "Contact"]);
    assert.deepEqual(output!.facets["columnLineage"]!["fields"], {
      Email: { inputFields: [{ namespace: "duckdb:///data/warehouse.duckdb", name: "warehouse.marts.revenue", field: "email", transformations: [{ type: "DIRECT", subtype: "IDENTITY" }] }] },
      Revenue__c: { inputFields: [{ namespace: "duckdb:///data/warehouse.duckdb", name: "warehouse.marts.revenue", field: "total", transformations: [{ type: "DIRECT", subtype: "IDENTITY" }] }] },
    });
  });

  test("an asset of a location whose warehouse is unknown falls back to tributary://{location}", () => {
    const namer = createDatasetNamer(new Map());
    assert.deepEqual(namer.datasetOf(graph.get("revenue")!), { namespace: "tributary://shop", name: "warehouse.marts.revenue" });
  });
});

test("dataset namespaces as the naming spec and the dbt integration write them", () => {
  assert.equal(snowflakeAccount("myorg-myaccount"), "myorg-myaccount");
  assert.equal(snowflakeAccount("xy12345"), "xy12345.us-west-1.aws");
  assert.equal(snowflakeAccount("xy12345.us-east-1"), "xy12345.us-east-1.aws");
  assert.equal(snowflakeAccount("hq12345.us-east-1.aws.snowflakecomputing.com"), "hq12345.us-east-1.aws");
  const output = (type: string, fields: Record<string, string>) => ({ type, field: (name: string) => fields[name] ?? null, projectDir: "/srv/shop" });
  assert.equal(profileNamespace(output("duckdb", { path: "warehouse.duckdb" })), "duckdb:///srv/shop/warehouse.duckdb");
  assert.equal(profileNamespace(output("postgres", { host: "pg.internal", port: "6543" })), "postgres://pg.internal:6543");
  assert.equal(profileNamespace(output("redshift", { host: "cl.abc.eu-west-1.redshift.amazonaws.com" })), "redshift://cl.abc.eu-west-1.redshift.amazonaws.com:5439");
  assert.equal(profileNamespace(output("snowflake", { account: "xy12345.eu-central-1" })), "snowflake://xy12345.eu-central-1.aws");
  assert.equal(profileNamespace(output("bigquery", { project: "acme" })), "bigquery");
  assert.equal(profileNamespace(output("databricks", { host: "x" })), null);
  // Step run ids are RFC 4122 v5 (Python: uuid.uuid5(uuid.NAMESPACE_URL, 'tributary:run:x:step:0')).
  assert.equal(uuidV5("tributary:run:x:step:0"), "118e723c-3837-5092-b61c-98f376e5a9ee");
});

describe("the emitter against a local collector over HTTP", () => {
  let collector: Server;
  let base = "";
  const received: { path: string; authorization: string | null; body: RunEvent }[] = [];
  /** How the collector answers: the status of each next request (then 201). */
  const script: number[] = [];
  let requests = 0;

  before(async () => {
    collector = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        requests += 1;
        const status = script.shift() ?? 201;
        if (status === 201) received.push({ path: req.url ?? "", authorization: req.headers["authorization"] ?? null, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as RunEvent });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => collector.close(() => resolve())));

  const graph = buildCatalogGraph({ definitions: [definitions("shop", [spec("orders", { relation: { database: "w", schema: "marts", name: "orders" } })])] });
  const context = (): EventContext => ({ namespace: "tributary", graph, namer: createDatasetNamer(new Map([["shop", "postgres://pg:5432"]])) });
  const run = runRecord([{ tool: "dbt", locationName: "shop", targets: [target("orders", "model.shop.orders")] }]);
  const start: RunTransition = { kind: "step_started", run, stepIndex: 0, at: AT };
  const end: RunTransition = { kind: "step_ended", run, stepIndex: 0, outcome: succeeded, at: AT };

  test("posts each event to {url}/api/v1/lineage with the API key, in order, retrying a collector that fails twice", async () => {
    received.length = 0;
    script.push(503, 500);
    const { logger } = capturingLogger();
    const emitter = createLineageEmitter({ transport: createHttpTransport({ url: base, apiKey: "ol-key-123" }), context, logger, retryDelayMs: 1 });
    emitter.onTransition(start);
    emitter.onTransition(end);
    await emitter.flush();
    assert.deepEqual(received.map((r) => [r.path, r.authorization, r.body.eventType]), [
      ["/api/v1/lineage", "Bearer ol-key-123", "START"],
      ["/api/v1/lineage", "Bearer ol-key-123", "COMPLETE"],
    ]);
    assertValid(received.map((r) => r.body));
    assert.deepEqual(emitter.stats(), { delivered: 2, undelivered: 0, dropped: 0, queued: 0 });
    await emitter.stop();
  });

  test("a collector that is down holds nothing up: the event is queued at once, given up after its attempts, and reported", async () => {
    const { logger, lines } = capturingLogger();
    const undelivered: { type: string; reason: string; runId: string; stepIndex: number | null }[] = [];
    const down = `http://127.0.0.1:1`;
    const emitter = createLineageEmitter({
      transport: createHttpTransport({ url: down, apiKey: "secret-ol-key" }),
      context,
      logger,
      attempts: 3,
      retryDelayMs: 1,
      onUndelivered: (event, reason, origin) => undelivered.push({ type: event.eventType, reason, ...origin }),
    });
    emitter.onTransition(start);
    // onTransition returned with the event still queued or in flight: the caller (the runs engine) never waits.
    assert.equal(emitter.stats().delivered + emitter.stats().undelivered, 0);
    emitter.onTransition(end);
    await emitter.flush();
    assert.deepEqual(undelivered.map((u) => [u.type, u.runId, u.stepIndex]), [
      ["START", RUN_ID, 0],
      ["COMPLETE", RUN_ID, 0],
    ]);
    assert.match(undelivered[0]!.reason, /cannot reach the endpoint/);
    assert.deepEqual(emitter.stats(), { delivered: 0, undelivered: 2, dropped: 0, queued: 0 });
    const logged = lines.join("\n");
    assert.match(logged, /could not deliver an OpenLineage event/);
    assert.ok(!logged.includes("secret-ol-key") && !logged.includes(down), "neither the key nor the URL is logged");
    await emitter.stop();
  });

  test("while the collector stays down, each later event is tried once; when it is back, they flow again", async () => {
    received.length = 0;
    requests = 0;
    script.push(503, 503, 503, 503);
    const { logger } = capturingLogger();
    const emitter = createLineageEmitter({ transport: createHttpTransport({ url: base }), context, logger, attempts: 3, retryDelayMs: 1 });
    emitter.onTransition(start); // 3 attempts, all refused
    emitter.onTransition(end); // once, refused
    await emitter.flush();
    assert.equal(requests, 4);
    emitter.onTransition(end); // once, accepted
    emitter.onTransition(end);
    await emitter.flush();
    assert.equal(requests, 6);
    assert.deepEqual(emitter.stats(), { delivered: 2, undelivered: 2, dropped: 0, queued: 0 });
    assert.equal(received[0]!.authorization, null);
    await emitter.stop();
  });
});

test("the file transport appends one event per line", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tributary-openlineage-"));
  try {
    const file = join(dir, "out", "lineage.jsonl");
    const graph = buildCatalogGraph({ definitions: [definitions("shop", [spec("orders", { relation: { database: "w", schema: "marts", name: "orders" } })])] });
    const { logger } = capturingLogger();
    const emitter = createLineageEmitter({ transport: createFileTransport({ path: file }), context: () => ({ namespace: "tributary", graph, namer: createDatasetNamer(new Map()) }), logger });
    const run = runRecord([{ tool: "dbt", locationName: "shop", targets: [target("orders", "model.shop.orders")] }]);
    emitter.onTransition({ kind: "run_started", run, at: AT });
    emitter.onTransition({ kind: "run_ended", run, status: "succeeded", message: "ok", at: AT });
    await emitter.stop();
    const events = readFileSync(file, "utf8").trimEnd().split("\n").map((line) => JSON.parse(line) as RunEvent);
    assert.deepEqual(events.map((e) => e.eventType), ["START", "COMPLETE"]);
    assertValid(events);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("tributary.yaml openlineage: and the OPENLINEAGE_* variables", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tributary-openlineage-config-"));
  try {
    const file = join(dir, "tributary.yaml");
    const load = async (text: string, env: Record<string, string> = {}) => {
      writeFileSync(file, text);
      return loadConfig(file, env);
    };
    assert.equal(resolveOpenLineageSettings(await load(""), {}), null, "off without a section or OPENLINEAGE_URL");
    assert.deepEqual(resolveOpenLineageSettings(await load(""), { OPENLINEAGE_URL: "http://marquez:5000", OPENLINEAGE_API_KEY: "k", OPENLINEAGE_NAMESPACE: "prod" }), {
      transport: { kind: "http", url: "http://marquez:5000", endpoint: "api/v1/lineage", apiKey: "k", timeoutMs: 5000 },
      namespace: "prod",
      attempts: 5,
      retryDelayMs: 1000,
    });
    assert.equal(resolveOpenLineageSettings(await load(""), { OPENLINEAGE_URL: "http://marquez:5000", OPENLINEAGE_DISABLED: "true" }), null);
    const fileSettings = resolveOpenLineageSettings(await load("openlineage:\n  path: out/events.jsonl\n  namespace: laptop\n"), {});
    assert.deepEqual(fileSettings?.transport, { kind: "file", path: join(dir, "out", "events.jsonl") });
    assert.equal(fileSettings?.namespace, "laptop");
    const http = resolveOpenLineageSettings(await load("openlineage:\n  url: ${OL_URL}\n  api_key: ${OL_KEY}\n  endpoint: /api/v2/events\n", { OL_URL: "https://ol.example.com", OL_KEY: "abc" }), {});
    assert.deepEqual(http?.transport, { kind: "http", url: "https://ol.example.com", endpoint: "/api/v2/events", apiKey: "abc", timeoutMs: 5000 });
    assert.throws(() => resolveOpenLineageSettings({ file, config: { openlineage: { transport: "http", timeout_seconds: 5, attempts: 5, retry_delay_seconds: 1 } } as never }, {}), /openlineage: the http transport needs url \(or OPENLINEAGE_URL/);
    await assert.rejects(load("openlineage:\n  transport: file\n"), /openlineage: give path with transport: file/);
    await assert.rejects(load("openlineage:\n  path: x.jsonl\n  url: http://x\n"), /url, endpoint and api_key are for the http transport/);
    await assert.rejects(load("openlineage:\n  url: not a url\n"), /openlineage\.url/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
