/**
 * Column lineage after the load (./column-lineage-follow-up.ts): the deferred catalog is byte-identical to the one
 * computed in the load, on every shared fixture manifest with compiled SQL and on demo-project compiled by real
 * dbt; the per-location cache re-parses only what changed; the worker stops when aborted; and the real catalog
 * service answers before the lineage is there, swaps it in after, lets a newer load supersede an older
 * computation and keeps the fast catalog when the computation fails.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { DefinitionsProvider, LocationDefinitions } from "../../catalog/model/index.ts";
import { completeDefinitions, hasLazyColumns } from "../../catalog/model/index.ts";
import { createCatalogService } from "../../catalog/service.ts";
import type { DefinitionsStore } from "../../catalog/service.ts";
import { sharedFixture } from "../../scripts/shared-fixtures.ts";
import { columnLineageFollowUp, createColumnLineageCache } from "./column-lineage-follow-up.ts";
import { analyseInWorker } from "./column-lineage-thread.ts";
import { heldColumns, readManifestFile } from "./manifest.ts";
import { analyseColumnLineage, columnLineageInput, inputSql } from "./manifest-column-lineage.ts";
import type { ManifestLineageInput } from "./manifest-column-lineage.ts";
import { createDbtManifestProvider } from "./manifest-provider.ts";
import { compileDemoProject } from "./test-support.ts";
import { dbtNodeState } from "./tool-state.ts";
import { translateManifest } from "./translator.ts";

const manifestsRoot = sharedFixture("manifests");
/** The fixtures whose models carry compiled SQL (jaffle-shop on Postgres, fivetran_log on Redshift, nba-monte-carlo on DuckDB). */
const WITH_SQL = ["jaffle-shop-state-v11-postgres", "fivetran-log-v4-redshift", "nba-monte-carlo-v12-duckdb"];
const JAFFLE = sharedFixture("manifests", "jaffle-shop-state-v11-postgres", "manifest.json");

/** The specs as the load computed them before lineage was deferred: translateManifest with lineage in it. */
async function inLoadSpecs(file: string, locationName: string): Promise<string> {
  return JSON.stringify(translateManifest(await readManifestFile(file, locationName), { locationName, projectDir: null }).specs);
}

const lineageCount = (definitions: LocationDefinitions) => definitions.specs.filter((s) => dbtNodeState.read(s.metadata).column_lineage !== null).length;

describe("column lineage computed after the load is byte-identical to lineage computed in it", () => {
  it("covers the fixtures with compiled SQL, and only they come with a follow-up", async () => {
    const dirs = readdirSync(manifestsRoot).filter((dir) => existsSync(join(manifestsRoot, dir, "manifest.json")));
    for (const dir of dirs) {
      const file = join(manifestsRoot, dir, "manifest.json");
      const provider = createDbtManifestProvider({ file, name: "fixture", catalogFile: null, freshnessFile: null });
      const fast = await provider.load();
      assert.equal(lineageCount(fast), 0, `${dir}: the load's definitions carry no lineage`);
      assert.equal(fast.followUp !== undefined, WITH_SQL.includes(dir), `${dir}: a follow-up exactly when models have compiled SQL`);
      const complete = await completeDefinitions(fast);
      assert.equal(JSON.stringify(complete.specs), await inLoadSpecs(file, "fixture"), `${dir}: the same specs, byte for byte`);
      assert.equal("followUp" in complete, false);
      if (WITH_SQL.includes(dir)) assert.ok(lineageCount(complete) > 0, `${dir}: lineage after the follow-up`);
    }
  });

  describe("demo-project compiled by real dbt", () => {
    let scratch: string;
    let manifest: string;
    before(async () => {
      scratch = await mkdtemp(join(tmpdir(), "tributary-lineage-follow-up-"));
      manifest = await compileDemoProject(scratch);
    });
    after(async () => {
      if (scratch) await rm(scratch, { recursive: true, force: true });
    });

    it("gives the same specs as the load computing lineage itself", async () => {
      const file = manifest;
      const complete = await completeDefinitions(await createDbtManifestProvider({ file, name: "shop", catalogFile: null, freshnessFile: null }).load());
      assert.equal(JSON.stringify(complete.specs), await inLoadSpecs(file, "shop"));
      assert.equal(lineageCount(complete), 20, "every model with compiled SQL that is an asset (21 have SQL; one is ephemeral)");
    });
  });
});

describe("the lineage cache", () => {
  /** The input with one model's SQL changed. */
  const withSql = (input: ManifestLineageInput, id: string, edit: (sql: string) => string): ManifestLineageInput => ({
    ...input,
    nodes: input.nodes.map((node) => (node.id === id ? { ...node, sql: edit(inputSql(node.sql!)) } : node)),
  });

  it("re-parses only the models whose SQL or upstream columns changed, with the result of a full computation", async () => {
    const manifest = await readManifestFile(JAFFLE, "jaffle");
    const input = columnLineageInput(manifest);
    const fast = await createDbtManifestProvider({ file: JAFFLE, name: "jaffle", catalogFile: null, freshnessFile: null }).load();
    const cache = createColumnLineageCache();
    const first = await columnLineageFollowUp(fast, input, cache)!.run({ signal: new AbortController().signal });
    assert.equal(cache.lastRecomputed, 13, "all 13 models parsed the first time");
    const again = await columnLineageFollowUp(fast, input, cache)!.run({ signal: new AbortController().signal });
    assert.equal(cache.lastRecomputed, 0, "nothing changed: nothing parsed");
    assert.equal(JSON.stringify(again.specs), JSON.stringify(first.specs));

    // stg_customers renames a column: it and the models reading its columns are parsed again, no others.
    const edited = withSql(input, "model.jaffle_shop.stg_customers", (sql) => sql.replace("name as customer_name", "name as customer_full_name"));
    assert.notDeepEqual(edited, input, "the edit applies");
    const afterEdit = await columnLineageFollowUp(fast, edited, cache)!.run({ signal: new AbortController().signal });
    assert.ok(cache.lastRecomputed >= 2 && cache.lastRecomputed < 13, `some models parsed again (${cache.lastRecomputed})`);
    const cold = await columnLineageFollowUp(fast, edited, createColumnLineageCache())!.run({ signal: new AbortController().signal });
    assert.equal(JSON.stringify(afterEdit.specs), JSON.stringify(cold.specs), "the cached result is the full computation's");
    const customers = afterEdit.specs.find((s) => s.dbtUniqueId === "model.jaffle_shop.customers")!;
    assert.ok(JSON.stringify(dbtNodeState.read(customers.metadata).column_lineage).includes("customer_full_name"), "a downstream model sees the renamed column");
  });

  it("reuses a model only when every relation it looked up answers the same", () => {
    const input = columnLineageInput({
      file: "<memory>",
      schemaVersion: 12,
      dbtVersion: null,
      adapterType: "postgres",
      projectName: null,
      projectId: null,
      generatedAt: null,
      nodes: {},
      sources: {},
      exposures: {},
      passThrough: {},
      groups: {},
      unitTests: {},
      functionIds: new Set(),
      parentMap: {},
      duplicateKeys: [],
    } as unknown as Parameters<typeof columnLineageInput>[0]);
    const model = (id: string, sql: string, dependsOn: string[] = [], columns: string[] = []) => ({
      id,
      isModel: true,
      relation: { database: null, schema: "s", name: id },
      registered: true,
      columns,
      dependsOn,
      sql,
    });
    const base = { ...input, anySql: true, nodes: [model("a", "select 1 as x, 2 as y"), model("b", "select * from s.a", ["a"])] };
    const first = analyseColumnLineage(base);
    const previous = new Map(first.flatMap((m) => (m.reused ? [] : [[m.id, m.fingerprint] as const])));
    assert.deepEqual(analyseColumnLineage(base, { previous }).map((m) => m.reused), [true, true]);
    // a's columns change while b's SQL does not: b's `select *` reads them, so b is parsed again.
    const changed = { ...base, nodes: [model("a", "select 1 as x, 2 as y, 3 as z"), base.nodes[1]!] };
    const second = analyseColumnLineage(changed, { previous });
    assert.deepEqual(second.map((m) => m.reused), [false, false]);
    const b = second[1]!;
    assert.ok(!b.reused && b.lineage.columns.map((c) => c.column).join() === "x,y,z");
  });
});

describe("the worker thread", () => {
  it("is terminated when aborted, and the analysis rejects with the reason", async () => {
    const input = columnLineageInput(await readManifestFile(JAFFLE, "jaffle"));
    const controller = new AbortController();
    // The worker waits a minute before it starts: it is surely running when the abort comes.
    const analysis = analyseInWorker(input, { signal: controller.signal, delayMs: 60_000 });
    controller.abort(new Error("a newer load"));
    await assert.rejects(analysis, /a newer load/);
  });

  it("answers what the analysis on this thread answers", async () => {
    const input = columnLineageInput(await readManifestFile(sharedFixture("manifests", "nba-monte-carlo-v12-duckdb", "manifest.json"), "nba"));
    let progress = 0;
    const inWorker = await analyseInWorker(input, { onProgress: (done) => (progress = done) });
    assert.deepEqual(inWorker, analyseColumnLineage(input));
    assert.equal(progress, inWorker.length, "the last progress report is the end");
  });
});

describe("a large manifest's held columns", () => {
  it("reach the worker as shared bytes, never parsed in the load, and give the lineage of the whole-text read", async () => {
    for (const dir of WITH_SQL) {
      const file = join(manifestsRoot, dir, "manifest.json");
      // Read in pieces (as from 96 MB on): each node's columns held as the manifest's bytes.
      const pieces = await readManifestFile(file, "fixture", { piecesFromBytes: 1 });
      const input = columnLineageInput(pieces);
      const held = input.nodes.filter((node) => !Array.isArray(node.columns));
      assert.ok(held.length > 0, `${dir}: some nodes' columns are held`);
      for (const node of held) assert.ok("bytes" in node.columns && node.columns.bytes.buffer instanceof SharedArrayBuffer, `${dir}: ${node.id}'s bytes are shared memory`);
      for (const node of held) assert.ok(heldColumns(pieces.nodes[node.id]!) !== undefined, `${dir}: building the input left ${node.id}'s columns unread`);
      const withSql = input.nodes.filter((node) => node.sql !== null);
      assert.ok(withSql.length > 0 && withSql.every((node) => typeof node.sql !== "string" && node.sql!.bytes.buffer instanceof SharedArrayBuffer), `${dir}: compiled SQL in shared memory`);
      const whole = columnLineageInput(await readManifestFile(file, "fixture", { piecesFromBytes: Number.MAX_SAFE_INTEGER }));
      assert.ok(whole.nodes.every((node) => Array.isArray(node.columns)), `${dir}: read whole, the input carries names`);
      assert.deepEqual(await analyseInWorker(input), analyseColumnLineage(whole), `${dir}: the worker reads the same names from the bytes`);
      const fast = await createDbtManifestProvider({ file, name: "fixture", catalogFile: null, freshnessFile: null }).load();
      const complete = await columnLineageFollowUp(fast, input, createColumnLineageCache())!.run({ signal: new AbortController().signal });
      assert.equal(JSON.stringify(complete.specs), await inLoadSpecs(file, "fixture"), `${dir}: the same specs, byte for byte`);
      // The follow-up copies the specs it adds lineage to without making their columns (a page makes them).
      const { specs, diagnostics } = translateManifest(pieces, { locationName: "fixture", projectDir: null, columnLineage: "skip" });
      const lazy = specs.filter(hasLazyColumns).length;
      assert.ok(lazy > 0, `${dir}: specs of held columns make them when first read`);
      const followed = await columnLineageFollowUp({ location: fast.location, specs, diagnostics, loadedAt: "", loadDurationMs: 0 }, input, createColumnLineageCache())!.run({ signal: new AbortController().signal });
      assert.ok(lineageCount(followed) > 0, `${dir}: lineage added`);
      assert.equal(followed.specs.filter(hasLazyColumns).length, lazy, `${dir}: no columns made by the follow-up`);
      assert.equal(JSON.stringify(followed.specs), JSON.stringify(complete.specs), `${dir}: and the same specs once made`);
    }
  });
});

describe("compiled SQL handed to the worker", () => {
  it("is shared as UTF-8 bytes, except a text with a lone surrogate, which stays a string; both read back exactly", async () => {
    const manifest = await readManifestFile(JAFFLE, "jaffle");
    const [first, second] = Object.values(manifest.nodes).filter((node) => node.resource_type === "model" && typeof node.compiled_code === "string");
    const lone = `${first!.compiled_code as string}\n-- \ud800 é`;
    const multibyte = `${second!.compiled_code as string}\n-- café ☕ 𝄞`;
    first!.compiled_code = lone;
    second!.compiled_code = multibyte;
    const input = columnLineageInput(manifest);
    const sqlOf = (id: string) => input.nodes.find((node) => node.id === id)!.sql!;
    assert.equal(sqlOf(first!.unique_id), lone, "a lone surrogate: kept as the string");
    assert.notEqual(typeof sqlOf(second!.unique_id), "string");
    assert.equal(inputSql(sqlOf(second!.unique_id)), multibyte, "read back from the bytes exactly");
    assert.deepEqual(await analyseInWorker(input), analyseColumnLineage(input));
  });
});

describe("the catalog service with a dbt location's column lineage as its follow-up", () => {
  /** The jaffle-shop manifest provider, whose follow-ups wait for `release()` and note their abort signals. */
  function gatedJaffle() {
    const real = createDbtManifestProvider({ file: JAFFLE, name: "jaffle", catalogFile: null, freshnessFile: null });
    const gates: { release: () => void; signal: AbortSignal | null; fail: boolean }[] = [];
    const provider: DefinitionsProvider = {
      location: real.location,
      async load(options) {
        const definitions = await real.load(options);
        const followUp = definitions.followUp!;
        let release!: () => void;
        const opened = new Promise<void>((resolve) => (release = resolve));
        const gate = { release, signal: null as AbortSignal | null, fail: false };
        gates.push(gate);
        return {
          ...definitions,
          followUp: {
            describe: followUp.describe,
            async run(runOptions) {
              gate.signal = runOptions.signal;
              await opened;
              if (gate.fail) throw new Error("the worker ran out of memory");
              return followUp.run(runOptions);
            },
          },
        };
      },
    };
    return { provider, gates };
  }

  /** A store that keeps what it is given (the service's contract; the real stores are tested in catalog/store). */
  function recordingStore() {
    const saved: LocationDefinitions[][] = [];
    const store: DefinitionsStore = {
      async saveDefinitions(batch) {
        saved.push([...batch]);
      },
      async recordLoadFailure() {},
      async currentDefinitions() {
        return [];
      },
    };
    return { store, saved };
  }

  const lineageIn = (graph: { assets: readonly { metadata: Readonly<Record<string, unknown>> }[] }) =>
    graph.assets.filter((asset) => dbtNodeState.read(asset.metadata).column_lineage !== null).length;

  it("answers at once without lineage, then swaps the lineage in and stores it", async () => {
    const { provider, gates } = gatedJaffle();
    const { store, saved } = recordingStore();
    const catalog = createCatalogService({ providers: [provider], store });
    const outcome = await catalog.reload();
    assert.ok(outcome.ok, "reload() does not wait for the follow-up (its gate is still closed)");
    assert.equal(lineageIn(catalog.current()), 0);
    assert.ok(catalog.current().get("customers"), "the catalog answers");
    assert.equal(catalog.followUp("jaffle")?.state, "computing");
    assert.equal(saved.length, 1);
    assert.equal(JSON.stringify(saved[0]).includes("followUp"), false, "the follow-up itself is never stored");

    gates[0]!.release();
    await catalog.settled();
    assert.equal(lineageIn(catalog.current()), 13, "every model with compiled SQL");
    const status = catalog.followUp("jaffle")!;
    assert.equal(status.state, "done");
    assert.equal(status.done, 13);
    assert.equal(status.total, 13);
    assert.equal(saved.length, 2, "the definitions with lineage are stored");
    assert.equal(JSON.stringify(saved[1]![0]!.specs), await inLoadSpecs(JAFFLE, "jaffle"), "stored as the load used to compute them");
  });

  it("lets a newer load supersede an older computation (aborted, its result never swapped in)", async () => {
    const { provider, gates } = gatedJaffle();
    const { store, saved } = recordingStore();
    const catalog = createCatalogService({ providers: [provider], store });
    await catalog.reload();
    await new Promise((resolve) => setImmediate(resolve));
    const older = gates[0]!;
    assert.ok(older.signal, "the first computation runs");
    const second = await catalog.reload();
    assert.ok(second.ok);
    assert.equal(older.signal.aborted, true, "the newer load aborted it");
    older.release();
    gates[1]!.release();
    await catalog.settled();
    assert.equal(lineageIn(catalog.current()), 13);
    assert.equal(saved.length, 3, "two loads and one follow-up stored");
    assert.equal(saved[2]![0]!.loadedAt, saved[1]![0]!.loadedAt, "the newer load's definitions got the lineage");
  });

  it("completes the last good definitions when a newer load fails meanwhile", async () => {
    const { provider, gates } = gatedJaffle();
    let failNext = false;
    const failing: DefinitionsProvider = {
      location: provider.location,
      load: async (options) => {
        if (failNext) throw new Error("dbt parse failed");
        return provider.load(options);
      },
    };
    const catalog = createCatalogService({ providers: [failing] });
    await catalog.reload();
    failNext = true;
    const second = await catalog.reload();
    assert.equal(second.errors.length, 1, "the newer load failed");
    assert.equal(catalog.current().locations[0]!.state, "failed");
    assert.equal(gates[0]!.signal?.aborted, false, "a failed load does not supersede the computation");
    gates[0]!.release();
    await catalog.settled();
    assert.equal(lineageIn(catalog.current()), 13, "the last good definitions served with their lineage");
    assert.equal(catalog.current().locations[0]!.state, "failed", "and the failure still shown");
  });

  it("keeps serving the fast catalog when the computation fails, and says so", async () => {
    const { provider, gates } = gatedJaffle();
    const progress: string[] = [];
    const catalog = createCatalogService({ providers: [provider], onProgress: (message) => progress.push(message) });
    await catalog.reload();
    const fast = catalog.current();
    gates[0]!.fail = true;
    gates[0]!.release();
    await catalog.settled();
    assert.equal(catalog.current(), fast, "the same graph");
    assert.equal(catalog.followUp("jaffle")?.state, "failed");
    assert.match(catalog.followUp("jaffle")!.error!, /ran out of memory/);
    assert.ok(progress.some((line) => /^warning: column lineage of "jaffle" failed.*ran out of memory/.test(line)), progress.join("\n"));
    // The next load computes it again.
    await catalog.reload();
    gates[1]!.release();
    await catalog.settled();
    assert.equal(lineageIn(catalog.current()), 13);
  });

  it("runs no follow-up when told not to (tributary check)", async () => {
    const { provider, gates } = gatedJaffle();
    const catalog = createCatalogService({ providers: [provider], runFollowUps: false });
    await catalog.reload();
    await catalog.settled();
    assert.equal(gates[0]!.signal, null, "never started");
    assert.equal(catalog.followUp("jaffle"), null);
  });

  it("stops its follow-ups on shutdown", async () => {
    const { provider, gates } = gatedJaffle();
    const catalog = createCatalogService({ providers: [provider] });
    await catalog.reload();
    await new Promise((resolve) => setImmediate(resolve));
    const stopping = catalog.stopFollowUps();
    assert.equal(gates[0]!.signal?.aborted, true);
    gates[0]!.release();
    await stopping;
    assert.equal(lineageIn(catalog.current()), 0);
  });
});
