import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { LoadError, type DefinitionsProvider, type LocationDefinitions } from "../catalog/model/index.ts";
import { createCatalogService } from "../catalog/service.ts";
import { createTributaryServer } from "./http.ts";
import { createLogger } from "./logging.ts";
import { runCheck, startServe, type CatalogServiceRequest, type ConsoleOutput, type ServeDependencies, type ServeOptions } from "./serve.ts";
import { shopDefinitions } from "./test-support.ts";

const logger = createLogger({ level: "silent" });

function capture(): ConsoleOutput & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (line) => stdout.push(line), err: (line) => stderr.push(line) };
}

/** A provider that hands out fixed definitions (or throws), reporting progress like a real one. */
function provider(definitions: LocationDefinitions, failure?: Error): DefinitionsProvider {
  return {
    location: definitions.location,
    async load(options) {
      options?.onProgress?.("reading manifest.json");
      if (failure !== undefined) throw failure;
      return definitions;
    },
  };
}

/** Dependencies building the real catalog service over the given providers; records requests and closes. */
function dependencies(providers: DefinitionsProvider[]): ServeDependencies & { requests: CatalogServiceRequest[]; closed: number } {
  const deps = {
    requests: [] as CatalogServiceRequest[],
    closed: 0,
    async createCatalogService(request: CatalogServiceRequest, onProgress: (message: string) => void) {
      deps.requests.push(request);
      const service = createCatalogService({ providers, onProgress });
      return Object.assign(service, {
        async close() {
          deps.closed++;
        },
      });
    },
  };
  return deps;
}

const serveOptions: ServeOptions = {
  config: null,
  dbtProjects: [],
  manifests: ["target/manifest.json"],
  dataDir: ".tributary",
  host: "127.0.0.1",
  port: 0,
  scheduler: false,
  strict: false,
};

const shopProviders = () => shopDefinitions().map((definitions) => provider(definitions));

describe("startServe", () => {
  test("prints progress while loading, then the URL only once the server answers", async () => {
    const output = capture();
    let answeredWhenPrinted: Promise<number> | null = null;
    const out: ConsoleOutput = {
      err: output.err,
      out(line) {
        output.out(line);
        const url = line.replace("Tributary is serving ", "");
        answeredWhenPrinted = fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ query: "{ assets { totalCount } }" }),
        }).then(async (response) => ((await response.json()) as { data: { assets: { totalCount: number } } }).data.assets.totalCount);
      },
    };
    const deps = dependencies(shopProviders());
    const running = await startServe(serveOptions, deps, { logger, output: out });
    assert.ok(running.ok);
    try {
      assert.equal(output.stdout.length, 1);
      assert.match(output.stdout[0] ?? "", /^Tributary is serving http:\/\/127\.0\.0\.1:\d+\/graphql$/);
      assert.equal(output.stdout[0], `Tributary is serving ${running.graphqlUrl}`);
      assert.equal(await answeredWhenPrinted, 11);
      assert.ok(output.stderr.some((line) => line.includes('loading dbt location "shop" from test:shop')), output.stderr.join("\n"));
      assert.ok(output.stderr.some((line) => line.includes("shop: reading manifest.json")));
      // Error diagnostics are shown (not fatal without --strict), with file:line first.
      assert.ok(
        output.stderr.includes(
          "models/staging/schema.yml:14: error: auto_materialize_policy.type must be eager, lazy, on_cron or on_missing [invalid_policy] (node model.shop.stg_payments, asset stg_payments, at models[2].config.meta.dagster)",
        ),
        output.stderr.join("\n"),
      );
      assert.ok(output.stderr.some((line) => /^Loaded 3 locations, 11 assets in [\d.]+ s \(1 error, 1 warning; see the diagnostics query\)$/.test(line)));
      assert.deepEqual(
        deps.requests.map((r) => [r.purpose, r.scheduler, r.manifests]),
        [["serve", false, ["target/manifest.json"]]],
      );
    } finally {
      await running.stop();
    }
    assert.equal(deps.closed, 1);
    await running.stop(); // idempotent
    assert.equal(deps.closed, 1);
  });

  test("a load error at startup prints file, node and JSON path and exits 1 without printing a URL", async () => {
    const output = capture();
    const [fivetran, shop] = shopDefinitions();
    const failure = new LoadError("manifest_invalid", 'missing field "config"', {
      locationName: "shop",
      file: "target/manifest.json",
      nodeId: "model.shop.orders",
      jsonPath: 'nodes["model.shop.orders"].config',
    });
    const deps = dependencies([provider(fivetran!), provider(shop!, failure)]);
    const result = await startServe(serveOptions, deps, { logger, output });
    assert.deepEqual(result, { ok: false, exitCode: 1 });
    assert.deepEqual(output.stdout, []);
    assert.ok(
      output.stderr.includes(
        'target/manifest.json: error: missing field "config" [manifest_invalid] (location shop, node model.shop.orders, at nodes["model.shop.orders"].config)',
      ),
      output.stderr.join("\n"),
    );
    assert.equal(output.stderr.at(-1), "error: 1 location failed to load; fix it and start again");
    assert.equal(deps.closed, 1);
  });

  test("--strict makes error diagnostics fatal", async () => {
    const output = capture();
    const deps = dependencies(shopProviders());
    const result = await startServe({ ...serveOptions, strict: true }, deps, { logger, output });
    assert.deepEqual(result, { ok: false, exitCode: 1 });
    assert.deepEqual(output.stdout, []);
    assert.equal(output.stderr.at(-1), "error: 1 error diagnostic and --strict is set");
  });

  test("a port in use is a clear message and exit 1, before anything is loaded", async () => {
    const blocker = createTributaryServer({ catalog: null, logger, port: 0 });
    const { port } = await blocker.listen();
    try {
      const output = capture();
      const deps = dependencies(shopProviders());
      const result = await startServe({ ...serveOptions, port }, deps, { logger, output });
      assert.deepEqual(result, { ok: false, exitCode: 1 });
      assert.deepEqual(output.stderr, [`error: Port ${port} on 127.0.0.1 is already in use; choose another with --port`]);
      assert.equal(deps.requests.length, 0);
    } finally {
      await blocker.close();
    }
  });

  test("a wiring that cannot start is reported and exits 1", async () => {
    const output = capture();
    const result = await startServe(
      serveOptions,
      {
        createCatalogService: async () => {
          throw new LoadError("config_invalid", "fivetran.api_key is required", { file: "tributary.yaml", jsonPath: "fivetran.api_key" });
        },
      },
      { logger, output },
    );
    assert.deepEqual(result, { ok: false, exitCode: 1 });
    assert.ok(output.stderr.includes("tributary.yaml: error: fivetran.api_key is required [config_invalid] (location tributary, at fivetran.api_key)"), output.stderr.join("\n"));
  });
});

describe("startServe with last good definitions in the store", () => {
  /** The real catalog service over the providers, with a store that holds `lastGood` from an earlier run. */
  function withStore(providers: DefinitionsProvider[], lastGood: LocationDefinitions[]): ServeDependencies & { closed: number } {
    const deps = {
      closed: 0,
      async createCatalogService(_request: CatalogServiceRequest, onProgress: (message: string) => void) {
        const store = {
          saveDefinitions: async () => ({}),
          recordLoadFailure: async () => ({}),
          currentDefinitions: async () => lastGood,
        };
        return Object.assign(createCatalogService({ providers, store, onProgress }), {
          async close() {
            deps.closed++;
          },
        });
      },
    };
    return deps;
  }

  const broken = new LoadError("manifest_malformed_json", "target/manifest.json is not valid JSON at line 3, column 7: unexpected 'x'", {
    locationName: "shop",
    file: "target/manifest.json",
  });

  test("a location whose source is broken serves its last good definitions, with the load error printed and on the location", async () => {
    const all = shopDefinitions();
    const shop = all.find((d) => d.location.name === "shop");
    const output = capture();
    const providers = all.map((d) => (d === shop ? provider(d, broken) : provider(d)));
    const deps = withStore(providers, [{ ...shop!, loadedAt: "2024-05-01T12:00:00.000Z" }]);
    const running = await startServe(serveOptions, deps, { logger, output });
    assert.ok(running.ok, output.stderr.join("\n"));
    try {
      assert.ok(output.stderr.some((line) => line.includes("error: target/manifest.json is not valid JSON at line 3, column 7")), output.stderr.join("\n"));
      assert.ok(output.stderr.includes(
        "warning: location shop failed to load; serving its last good definitions, loaded 2024-05-01T12:00:00.000Z (the error shows on the location until a reload succeeds)",
      ), output.stderr.join("\n"));
      const response = await fetch(running.graphqlUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: "{ assets { totalCount } locations { name state loadedAt assetCount error { code } } }" }),
      });
      const body = (await response.json()) as {
        data: { assets: { totalCount: number }; locations: { name: string; state: string; loadedAt: string; assetCount: number; error: { code: string } | null }[] };
      };
      const healthy = createCatalogService({ providers: shopProviders() });
      await healthy.reload();
      assert.equal(body.data.assets.totalCount, healthy.current().assets.length, "the same catalog as when the location loads");
      assert.deepEqual(body.data.locations.find((location) => location.name === "shop"), {
        name: "shop",
        state: "FAILED",
        loadedAt: "2024-05-01T12:00:00.000Z",
        assetCount: shop!.specs.length,
        error: { code: "manifest_malformed_json" },
      });
    } finally {
      await running.stop();
    }
  });

  test("--strict still refuses to start", async () => {
    const [fivetran, shop] = shopDefinitions();
    const output = capture();
    const deps = withStore([provider(fivetran!), provider(shop!, broken)], [shop!]);
    const result = await startServe({ ...serveOptions, strict: true }, deps, { logger, output });
    assert.deepEqual(result, { ok: false, exitCode: 1 });
    assert.deepEqual(output.stdout, []);
    assert.equal(output.stderr.at(-1), "error: 1 location failed to load and --strict is set (their last good definitions are not served)");
    assert.equal(deps.closed, 1);
  });

  test("a broken location with nothing in the store still stops the start", async () => {
    const [fivetran, shop] = shopDefinitions();
    const output = capture();
    const result = await startServe(serveOptions, withStore([provider(fivetran!), provider(shop!, broken)], []), { logger, output });
    assert.deepEqual(result, { ok: false, exitCode: 1 });
    assert.equal(output.stderr.at(-1), "error: 1 location failed to load; fix it and start again");
  });
});

describe("runCheck", () => {
  const checkOptions = { config: null, dbtProjects: ["."], manifests: [], dataDir: ".tributary", strict: false };

  test("prints every diagnostic as file:line and fails on an error diagnostic", async () => {
    const output = capture();
    const deps = dependencies(shopProviders());
    assert.equal(await runCheck(checkOptions, deps, { logger, output }), 1);
    const problems = output.stderr.filter((line) => !line.startsWith("  "));
    assert.deepEqual(problems, [
      "models/staging/schema.yml:14: error: auto_materialize_policy.type must be eager, lazy, on_cron or on_missing [invalid_policy] (node model.shop.stg_payments, asset stg_payments, at models[2].config.meta.dagster)",
      "models/sources.yml:30: warning: No connector feeds source shop_raw.refunds [dangling_source] (node source.shop.shop_raw.refunds)",
      "Check failed: 3 locations, 11 assets, 0 load failures, 1 error, 1 warning",
    ]);
    assert.deepEqual(deps.requests.map((r) => [r.purpose, r.scheduler]), [["check", false]]);
    assert.equal(deps.closed, 1);
  });

  test("passes with warnings only, and --strict fails on them", async () => {
    const withWarningOnly = shopDefinitions().map((definitions) => ({
      ...definitions,
      diagnostics: definitions.diagnostics.filter((d) => d.severity !== "error"),
    }));
    const output = capture();
    assert.equal(await runCheck(checkOptions, dependencies(withWarningOnly.map((d) => provider(d))), { logger, output }), 0);
    assert.equal(output.stderr.at(-1), "Check passed: 3 locations, 11 assets, 0 load failures, 0 errors, 1 warning");
    const strict = capture();
    assert.equal(await runCheck({ ...checkOptions, strict: true }, dependencies(withWarningOnly.map((d) => provider(d))), { logger, output: strict }), 1);
  });

  test("fails when a location fails to load", async () => {
    const [fivetran, shop] = shopDefinitions();
    const output = capture();
    const deps = dependencies([provider(fivetran!), provider(shop!, new LoadError("manifest_unreadable", "no such file", { file: "target/manifest.json" }))]);
    assert.equal(await runCheck(checkOptions, deps, { logger, output }), 1);
    assert.ok(output.stderr.includes("target/manifest.json: error: no such file [manifest_unreadable] (location shop)"), output.stderr.join("\n"));
  });
});
