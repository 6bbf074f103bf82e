/**
 * Work done elsewhere, recorded once: a real dbt run_results.json (fivetran/dbt_fivetran_log, read in place
 * from shared/fixtures beside its manifest) reported over GraphQL and through `tributary report` against a real
 * HTTP server, into a real store.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { buildCatalogGraph } from "../catalog/graph/build.ts";
import type { CatalogGraph } from "../catalog/graph/types.ts";
import { openCatalogStore } from "../catalog/store/index.ts";
import type { CatalogStore } from "../catalog/store/index.ts";
import { createDbtManifestProvider } from "../connectors/dbt/manifest-provider.ts";
import { reportRunResults } from "./cli-report.ts";
import { createGraphQLClient } from "./graphql-client.ts";
import { createTributaryServer, type TributaryServer } from "./http.ts";
import { dbtNodeState, dbtResultState } from "../connectors/dbt/tool-state.ts";
import { createLogger } from "./logging.ts";
import { createReportSink } from "./report-sink.ts";
import { execute, query } from "./test-support.ts";
import { createTributaryYoga, type TributaryYoga } from "./yoga.ts";
import { sharedFixture } from "../scripts/shared-fixtures.ts";

const FIXTURE = sharedFixture("manifests", "fivetran-log-v4-redshift");
const REPORT = /* GraphQL */ `
  mutation($runResults: JSON!, $location: String) {
    reportDbtRunResults(runResults: $runResults, location: $location) { recorded alreadyRecorded materializations failures checkResults unknownNodes }
  }
`;

/** The fixture is `dbt docs generate` output; the same nodes as a `dbt build` would report them. */
function asBuild(raw: Record<string, unknown>): Record<string, unknown> {
  const results = (raw["results"] as Record<string, unknown>[]).map((result, index) => {
    const id = result["unique_id"] as string;
    if (!id.startsWith("test.")) return result;
    return index === (raw["results"] as unknown[]).findIndex((r) => (r as { unique_id: string }).unique_id.startsWith("test."))
      ? { ...result, status: "fail", failures: 3, message: "Got 3 results, configured to fail if != 0" }
      : { ...result, status: "pass", failures: 0 };
  });
  return { ...raw, args: { ...(raw["args"] as object), which: "build" }, results };
}

describe("reporting a dbt run made elsewhere", () => {
  let store: CatalogStore;
  let graph: CatalogGraph;
  let yoga: TributaryYoga;
  let dir: string;
  let raw: Record<string, unknown>;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "tributary-report-"));
    store = await openCatalogStore({ dataDir: join(dir, "data") });
    const definitions = await createDbtManifestProvider({ file: join(FIXTURE, "manifest.json"), name: "fivetran_log" }).load();
    graph = buildCatalogGraph({ definitions: [definitions] });
    yoga = createTributaryYoga({ catalog: { current: () => graph, events: store, reportSink: createReportSink(store) }, logger: createLogger({ level: "silent" }) });
    raw = JSON.parse(readFileSync(join(FIXTURE, "run_results.json"), "utf8")) as Record<string, unknown>;
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("a docs generate run records nothing (it built nothing)", async () => {
    const data = await query<{ reportDbtRunResults: { recorded: number; materializations: number } }>(yoga, REPORT, { runResults: raw });
    assert.equal(data.reportDbtRunResults.materializations, 0);
    assert.equal(data.reportDbtRunResults.recorded, 0);
  });

  test("a build's models become materializations and its tests check results, once", async () => {
    const build = asBuild(raw);
    const models = (build["results"] as { unique_id: string }[]).filter((r) => r.unique_id.startsWith("model."));
    const first = await query<{ reportDbtRunResults: { recorded: number; alreadyRecorded: number; materializations: number; checkResults: number; unknownNodes: string[] } }>(
      yoga,
      REPORT,
      { runResults: build },
    );
    assert.equal(first.reportDbtRunResults.materializations, models.length);
    assert.equal(first.reportDbtRunResults.checkResults, 22);
    assert.equal(first.reportDbtRunResults.alreadyRecorded, 0);
    assert.deepEqual(first.reportDbtRunResults.unknownNodes, []);
    // Every model's asset has exactly one materialization from this invocation.
    for (const model of models) {
      const asset = graph.assets.find((a) => a.dbtUniqueId === model.unique_id)!;
      const events = await store.assetEventHistory(asset.key);
      assert.equal(events.length, 1, model.unique_id);
      assert.equal(events[0]!.runId, raw["metadata"] && (raw["metadata"] as { invocation_id: string }).invocation_id);
      // The same facts a build Tributary ran records, from the catalog's spec of the model.
      const result = dbtResultState.read(events[0]!.metadata);
      const spec = dbtNodeState.read(asset.specs[0]!.metadata);
      assert.equal(result.reported, true);
      assert.equal(result.materialized, spec.materialized, model.unique_id);
      assert.ok(result.materialized !== null && result.relation_name !== null, `${model.unique_id}: ${JSON.stringify(events[0]!.metadata)}`);
      assert.equal(result.relation_name, spec.relation_name);
    }
    const failing = (build["results"] as { unique_id: string; status: string }[]).find((r) => r.status === "fail")!;
    const checked = graph.assets.find((a) => a.checks.some((c) => c.sourceId === failing.unique_id))!;
    const check = checked.checks.find((c) => c.sourceId === failing.unique_id)!;
    const latest = (await store.latestCheckResults(checked.id)).find((r) => r.checkName === check.name)!;
    assert.equal(latest.outcome, "fail");
    assert.equal(latest.failures, 3);

    const again = await query<{ reportDbtRunResults: { recorded: number; alreadyRecorded: number } }>(yoga, REPORT, { runResults: build });
    assert.equal(again.reportDbtRunResults.recorded, 0, "the same run reported again records nothing");
    assert.equal(again.reportDbtRunResults.alreadyRecorded, first.reportDbtRunResults.recorded);
  });

  test("bad input is a coded error naming the JSON path; an unknown location too", async () => {
    const broken = { ...raw, results: [{ ...(raw["results"] as object[])[0], status: 42 }] };
    const { body } = await execute(yoga, REPORT, { runResults: broken });
    assert.equal(body.errors?.[0]?.extensions?.["code"], "BAD_USER_INPUT");
    assert.match(body.errors![0]!.message, /results\[0\]\.status/);
    const unknown = await execute(yoga, REPORT, { runResults: raw, location: "nope" });
    assert.equal(unknown.body.errors?.[0]?.extensions?.["code"], "BAD_USER_INPUT");
  });

  test("tributary report sends a file in parts to a running server", async () => {
    const server: TributaryServer = createTributaryServer({
      catalog: { current: () => graph, events: store, reportSink: createReportSink(store) },
      logger: createLogger({ level: "silent" }),
      host: "127.0.0.1",
      port: 0,
    });
    const { graphqlUrl } = await server.listen();
    try {
      const build = asBuild(raw);
      (build["metadata"] as Record<string, unknown>)["invocation_id"] = "cli-report-invocation";
      const file = join(dir, "run_results.json");
      writeFileSync(file, JSON.stringify(build));
      const lines: string[] = [];
      const output = { out: (line: string) => lines.push(line), err: (line: string) => lines.push(line) };
      assert.equal(await reportRunResults(createGraphQLClient(graphqlUrl), file, null, output), 0);
      assert.match(lines.join("\n"), /19 materializations, 0 failures, 22 check results \(41 new, 0 already recorded\)/);
      writeFileSync(file, "{ not json");
      assert.equal(await reportRunResults(createGraphQLClient(graphqlUrl), file, null, output), 1);
      assert.match(lines.at(-1)!, /run_results\.json/);
    } finally {
      await server.close();
    }
  });
});
