import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { describe, test } from "node:test";
import type { CatalogGraph } from "../../catalog/graph/types.ts";
import type { ReloadOutcome } from "../../catalog/service.ts";
import { createLogger } from "../logging.ts";
import { execute, mutableSource, query, shopGraph, testYoga } from "../test-support.ts";
import { createTributaryYoga } from "../yoga.ts";

describe("Query.locations and Query.diagnostics", () => {
  test("every location with its state, counts and load error", async () => {
    const data = await query<{ locations: Record<string, unknown>[] }>(
      testYoga(),
      `{ locations { name kind origin state loadedAt loadDurationMs assetCount error { code message at } diagnostics { code } } }`,
    );
    assert.deepEqual(data.locations, [
      { name: "fivetran", kind: "fivetran", origin: "test:fivetran", state: "LOADED", loadedAt: "2026-11-24T08:00:00.000Z", loadDurationMs: 12, assetCount: 3, error: null, diagnostics: [] },
      {
        name: "shop",
        kind: "dbt",
        origin: "test:shop",
        state: "LOADED",
        loadedAt: "2026-11-24T08:00:00.000Z",
        loadDurationMs: 12,
        assetCount: 8,
        error: null,
        diagnostics: [{ code: "invalid_policy" }, { code: "dangling_source" }],
      },
      { name: "census", kind: "census", origin: "test:census", state: "LOADED", loadedAt: "2026-11-24T08:00:00.000Z", loadDurationMs: 12, assetCount: 1, error: null, diagnostics: [] },
      {
        name: "marketing",
        kind: "dbt",
        origin: "test:marketing",
        state: "FAILED",
        loadedAt: null,
        loadDurationMs: null,
        assetCount: 0,
        error: { code: "manifest_invalid", message: 'nodes.model.marketing.spend: missing field "config"', at: "2026-11-24T08:00:00.000Z" },
        diagnostics: [],
      },
    ]);
  });

  test("diagnostics narrowed by severity, code and location, with the asset they concern", async () => {
    const yoga = testYoga();
    const all = await query<{ diagnostics: unknown[] }>(yoga, `{ diagnostics { code } }`);
    assert.equal(all.diagnostics.length, 2);
    const errors = await query<{ diagnostics: unknown[] }>(
      yoga,
      `{ diagnostics(severity: ERROR) { severity code message locationName assetKey asset { key } nodeId at { file line path } } }`,
    );
    assert.deepEqual(errors.diagnostics, [
      {
        severity: "ERROR",
        code: "invalid_policy",
        message: "auto_materialize_policy.type must be eager, lazy, on_cron or on_missing",
        locationName: "shop",
        assetKey: "stg_payments",
        asset: { key: "stg_payments" },
        nodeId: "model.shop.stg_payments",
        at: { file: "models/staging/schema.yml", line: 14, path: "models[2].config.meta.dagster" },
      },
    ]);
    const dangling = await query<{ diagnostics: unknown[] }>(yoga, `{ diagnostics(code: "dangling_source", location: "shop") { severity assetKey asset { key } } }`);
    assert.deepEqual(dangling.diagnostics, [{ severity: "WARNING", assetKey: null, asset: null }]);
    const none = await query<{ diagnostics: unknown[] }>(yoga, `{ diagnostics(location: "census") { code } }`);
    assert.deepEqual(none.diagnostics, []);
  });
});

describe("Mutation.reloadLocations", () => {
  const RELOAD = `mutation { reloadLocations { ok catalogSwapped durationMs errors { locationName code message file nodeId jsonPath } locations { name state } } }`;

  test("a successful reload swaps the catalog for the next requests", async () => {
    const source = mutableSource(shopGraph());
    const next = shopGraph(["census/salesforce_contacts"]);
    const reloading = {
      current: () => source.current(),
      reload: async (): Promise<ReloadOutcome> => {
        source.set(next);
        return { ok: true, graph: next, durationMs: 7, errors: [] };
      },
    };
    const yoga = testYoga(reloading);
    const before = await query<{ assets: { totalCount: number } }>(yoga, `{ assets { totalCount } }`);
    assert.equal(before.assets.totalCount, 11);
    const data = await query<{ reloadLocations: { ok: boolean; catalogSwapped: boolean; durationMs: number; errors: unknown[]; locations: { name: string }[] } }>(yoga, RELOAD);
    assert.equal(data.reloadLocations.ok, true);
    assert.equal(data.reloadLocations.catalogSwapped, true);
    assert.equal(data.reloadLocations.durationMs, 7);
    assert.deepEqual(data.reloadLocations.errors, []);
    assert.equal(data.reloadLocations.locations.length, 4);
    const after = await query<{ assets: { totalCount: number } }>(yoga, `{ assets { totalCount } }`);
    assert.equal(after.assets.totalCount, 10);
  });

  test("a failed reload reports the errors and keeps serving the previous catalog", async () => {
    const graph = shopGraph();
    const yoga = testYoga({
      current: () => graph,
      reload: async (): Promise<ReloadOutcome> => ({
        ok: false,
        durationMs: 3,
        errors: [{ locationName: "shop", code: "dependency_cycle", message: "a → b → a", file: "target/manifest.json", nodeId: "model.shop.a", jsonPath: "nodes.model.shop.a.depends_on" }],
      }),
    });
    const data = await query<{ reloadLocations: { ok: boolean; catalogSwapped: boolean; errors: unknown[]; locations: unknown[] } }>(yoga, RELOAD);
    assert.equal(data.reloadLocations.ok, false);
    assert.equal(data.reloadLocations.catalogSwapped, false);
    assert.deepEqual(data.reloadLocations.errors, [
      { locationName: "shop", code: "dependency_cycle", message: "a → b → a", file: "target/manifest.json", nodeId: "model.shop.a", jsonPath: "nodes.model.shop.a.depends_on" },
    ]);
    assert.equal(data.reloadLocations.locations.length, 4);
  });

  test("a catalog without a loader says NOT_SUPPORTED", async () => {
    const { body } = await execute(testYoga(mutableSource(shopGraph())), RELOAD);
    assert.equal(body.errors?.[0]?.extensions?.["code"], "NOT_SUPPORTED");
  });
});

describe("before the first load, and unexpected errors", () => {
  test("queries get CATALOG_NOT_READY and /readyz is 503 until the catalog is there; /healthz is 200 throughout", async () => {
    let graph: CatalogGraph | null = null;
    const source = {
      get ready() {
        return graph !== null;
      },
      current(): CatalogGraph {
        if (graph === null) throw new Error("not loaded");
        return graph;
      },
    };
    const yoga = testYoga(source);
    const { body } = await execute(yoga, `{ assets { totalCount } }`);
    assert.equal(body.errors?.[0]?.extensions?.["code"], "CATALOG_NOT_READY");
    assert.equal((await yoga.fetch("http://tributary.test/healthz")).status, 200);
    const notReady = await yoga.fetch("http://tributary.test/readyz");
    assert.equal(notReady.status, 503);
    assert.deepEqual(await notReady.json(), { status: "loading" });

    graph = shopGraph();
    const ready = await yoga.fetch("http://tributary.test/readyz");
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: "ready", builtAt: "2026-11-24T08:00:01.000Z", assetCount: 11 });
    const data = await query<{ assets: { totalCount: number } }>(yoga, `{ assets { totalCount } }`);
    assert.equal(data.assets.totalCount, 11);
  });

  test("an unexpected error is masked for the client and logged with its cause", async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString());
        callback();
      },
    });
    const graph = shopGraph();
    const broken: CatalogGraph = Object.assign(Object.create(graph) as CatalogGraph, {
      search: () => {
        throw new Error("connection to db failed: password=hunter2");
      },
    });
    const yoga = createTributaryYoga({ catalog: { current: () => broken }, logger: createLogger({ level: "error", destination }) });
    const { body } = await execute(yoga, `{ assets { totalCount } }`);
    assert.equal(body.errors?.[0]?.message, "Unexpected error.");
    assert.equal(body.errors?.[0]?.extensions?.["code"], "INTERNAL_SERVER_ERROR");
    assert.doesNotMatch(JSON.stringify(body), /hunter2/);
    const logged = lines.map((line) => JSON.parse(line) as { level: number; err?: { message: string }; path?: string });
    const entry = logged.find((line) => line.err?.message.includes("connection to db failed"));
    assert.ok(entry, `logged: ${lines.join("")}`);
    assert.equal(entry.level, 50);
    assert.equal(entry.path, "assets");
  });

  test("without a built UI, / sends browsers to GraphiQL, which opens with the contract queries", async () => {
    const yoga = createTributaryYoga({
      catalog: mutableSource(shopGraph()),
      logger: createLogger({ level: "silent" }),
      uiDir: join(tmpdir(), "tributary-no-ui-here"),
    });
    const root = await yoga.fetch("http://tributary.test/", { redirect: "manual" });
    assert.equal(root.status, 302);
    assert.equal(root.headers.get("location"), "/graphql");
    const page = await yoga.fetch("http://tributary.test/graphql", { headers: { accept: "text/html" } });
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /Tributary GraphiQL/);
    assert.match(html, /query Lineage/);
    // The example key is a real asset with both neighbours.
    assert.match(html, /marts\/customers/);
  });

  test("a POST that a browser could send cross-site without a preflight is refused", async () => {
    const yoga = testYoga();
    for (const contentType of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
      const response = await yoga.fetch("http://tributary.test/graphql", {
        method: "POST",
        headers: { "content-type": contentType },
        body: JSON.stringify({ query: "mutation { reloadLocations { ok } }" }),
      });
      assert.equal(response.status, 415, contentType);
      assert.equal(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code, "BAD_REQUEST");
    }
  });

  test("a body over 1 MB is refused before it is parsed", async () => {
    const response = await testYoga().fetch("http://tributary.test/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ assets { totalCount } }", variables: { padding: "x".repeat(1_100_000) } }),
    });
    assert.equal(response.status, 413);
  });
});
