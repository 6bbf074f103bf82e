import assert from "node:assert/strict";
import { test } from "node:test";
import type { AssetSpec, DefinitionsProvider, LocationDefinitions } from "./model/index.ts";
import { LoadError } from "./model/index.ts";
import { definitions, spec } from "./graph/test-specs.ts";
import { createCatalogService } from "./service.ts";

/** A location whose next load returns the given specs, or throws the given error. */
function scriptedLocation(name: string) {
  let next: AssetSpec[] | LoadError = [];
  const provider: DefinitionsProvider = {
    location: { name, kind: "dbt", origin: `test:${name}` },
    async load(): Promise<LocationDefinitions> {
      if (next instanceof LoadError) throw next;
      return definitions(name, next);
    },
  };
  return {
    provider,
    serve(specs: AssetSpec[]) {
      next = specs;
    },
    fail(error: LoadError) {
      next = error;
    },
  };
}

const owned = (key: string, location: string, deps: string[] = []) =>
  spec(key, { deps, materializer: { tool: "dbt", locationName: location, runTargetId: key } });

test("a location that breaks on reload keeps serving its last good assets; the others update", async () => {
  const a = scriptedLocation("a");
  const b = scriptedLocation("b");
  a.serve([owned("orders", "a")]);
  b.serve([owned("customers", "b")]);
  const catalog = createCatalogService({ providers: [a.provider, b.provider] });
  assert.equal(catalog.ready, false);
  const first = await catalog.reload();
  assert.ok(first.ok);
  assert.deepEqual(catalog.current().assets.map((x) => x.id), ["customers", "orders"]);

  a.serve([owned("orders", "a"), owned("revenue", "a", ["orders"])]);
  b.fail(new LoadError("manifest_malformed_json", "b/manifest.json is truncated", { file: "b/manifest.json" }));
  const second = await catalog.reload();
  assert.ok(second.ok);
  assert.deepEqual(second.errors.map((e) => [e.locationName, e.code, e.file]), [["b", "manifest_malformed_json", "b/manifest.json"]]);
  assert.deepEqual(catalog.current().assets.map((x) => x.id), ["customers", "orders", "revenue"]);
  const status = catalog.current().locations.find((l) => l.location.name === "b")!;
  assert.equal(status.state, "failed");
  assert.match(status.error!.message, /truncated/);
});

test("a reload that cannot build a graph keeps the previous graph, swapped as a whole", async () => {
  const a = scriptedLocation("a");
  const b = scriptedLocation("b");
  a.serve([owned("x", "a")]);
  b.serve([owned("y", "b", ["x"])]);
  const catalog = createCatalogService({ providers: [a.provider, b.provider] });
  await catalog.reload();
  const before = catalog.current();

  a.serve([owned("x", "a", ["y"])]); // a cycle across the two locations
  const outcome = await catalog.reload();
  assert.equal(outcome.ok, false);
  assert.equal(outcome.errors[0]!.code, "dependency_cycle");
  assert.equal(catalog.current(), before, "the previous graph object is still served");
  assert.deepEqual(catalog.current().get("x")!.upstreamIds, []);
});

test("concurrent reloads share one load", async () => {
  let loads = 0;
  const provider: DefinitionsProvider = {
    location: { name: "a", kind: "dbt", origin: "test" },
    async load() {
      loads++;
      await new Promise((resolve) => setImmediate(resolve));
      return definitions("a", [owned("x", "a")]);
    },
  };
  const catalog = createCatalogService({ providers: [provider] });
  const [one, two] = await Promise.all([catalog.reload(), catalog.reload()]);
  assert.equal(one, two);
  assert.equal(loads, 1);
});

test("two locations with one name are refused", () => {
  const a = scriptedLocation("same");
  const b = scriptedLocation("same");
  assert.throws(() => createCatalogService({ providers: [a.provider, b.provider] }), /Two locations are named "same"/);
});

test("a provider that hangs fails with load_timeout after the limit, its signal aborted; the other locations load and reloads go on", async () => {
  let signal: AbortSignal | undefined;
  const hung: DefinitionsProvider = {
    location: { name: "hung", kind: "dbt", origin: "test:hung" },
    load(options) {
      signal = options?.signal;
      return new Promise(() => {}); // never settles, and ignores the signal
    },
  };
  const a = scriptedLocation("a");
  a.serve([owned("orders", "a")]);
  const catalog = createCatalogService({ providers: [a.provider, hung], loadTimeoutMs: 200 });
  const started = performance.now();
  const outcome = await catalog.reload();
  assert.ok(performance.now() - started < 5_000);
  assert.ok(outcome.ok);
  assert.deepEqual(outcome.errors.map((e) => [e.locationName, e.code]), [["hung", "load_timeout"]]);
  assert.match(outcome.errors[0]!.message, /took longer than 200 ms/);
  assert.equal(signal?.aborted, true, "the provider was told to stop");
  assert.deepEqual(catalog.current().assets.map((x) => x.id), ["orders"]);
  // The next reload is a new load, not the hung one.
  assert.ok((await catalog.reload()).ok);
});

test("a store that cannot record a load failure does not reject reload(); the failure is still shown", async () => {
  const a = scriptedLocation("a");
  const b = scriptedLocation("b");
  a.serve([owned("orders", "a")]);
  b.fail(new LoadError("manifest_malformed_json", "b/manifest.json holds U+0000", { file: "b/manifest.json" }));
  const progress: string[] = [];
  const store = {
    saveDefinitions: async () => ({}),
    recordLoadFailure: async () => {
      throw new Error('invalid byte sequence for encoding "UTF8": 0x00');
    },
    currentDefinitions: async () => [],
  };
  const catalog = createCatalogService({ providers: [a.provider, b.provider], store, onProgress: (m) => progress.push(m) });
  const outcome = await catalog.reload();
  assert.ok(outcome.ok);
  assert.deepEqual(outcome.errors.map((e) => e.locationName), ["b"]);
  assert.equal(catalog.current().locations.find((l) => l.location.name === "b")?.state, "failed");
  assert.ok(progress.some((m) => /could not record the failed load of "b" in the store: invalid byte sequence/.test(m)));
});

test("a store that cannot be read at the first load makes reload() report it, not reject", async () => {
  const a = scriptedLocation("a");
  a.serve([owned("orders", "a")]);
  const store = {
    saveDefinitions: async () => ({}),
    recordLoadFailure: async () => ({}),
    currentDefinitions: async (): Promise<LocationDefinitions[]> => {
      throw new Error("connection refused");
    },
  };
  const outcome = await createCatalogService({ providers: [a.provider], store }).reload();
  assert.equal(outcome.ok, false);
  assert.deepEqual(outcome.errors.map((e) => [e.locationName, e.message]), [["(store)", "connection refused"]]);
});
