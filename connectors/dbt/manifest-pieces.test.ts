/**
 * The manifest read a piece at a time (readManifestPieces) against the manifest read as one text
 * (parseManifest, the path it replaced): on every manifest in shared/fixtures, as dbt wrote it and reshaped
 * (compact, indented, `nodes` first or last, cut into one piece per node), the catalog is byte-identical and
 * the nodes are what zod's parse returns; and on manifests damaged at random, the piece reader either gives
 * that same answer or declines (null), so the one-text path names the fault as before.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { buildCatalogGraph } from "../../catalog/graph/build.ts";
import { sharedFixture } from "../../scripts/shared-fixtures.ts";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { syntheticManifest, writeManifest } from "../../bench/synthetic-manifest.ts";
import { findDuplicateKeys, mayHaveDuplicateKeys } from "./json-text.ts";
import { heldColumns, manifestNodeSchema, parseManifest, readManifestFile, readManifestPieces, startManifestWorker } from "./manifest.ts";
import type { DbtManifest } from "./manifest.ts";
import { translateManifest } from "./translator.ts";

const FIXTURES = sharedFixture("manifests");
const worker = startManifestWorker();
after(() => worker.close());

/** The bytes in a SharedArrayBuffer, as readManifestFile holds a large file for its worker. */
function shared(text: string): Buffer {
  const bytes = Buffer.from(text);
  const copy = Buffer.from(new SharedArrayBuffer(bytes.length));
  bytes.copy(copy);
  return copy;
}
const FOLDERS = readdirSync(FIXTURES).sort();

type Json = Record<string, unknown>;

/** What a location serves of a manifest: its specs and diagnostics as stored, and the graph built from them. */
function catalogOf(manifest: DbtManifest, name: string): string {
  const { specs, diagnostics } = translateManifest(manifest, { locationName: name });
  const graph = buildCatalogGraph({
    definitions: [{ location: { name, kind: "dbt", origin: manifest.file }, specs, diagnostics, loadedAt: "", loadDurationMs: 0 }],
  });
  return JSON.stringify({ specs, diagnostics, assets: graph.assets });
}

/** The result of the one-text path: a catalog, or the error it throws. */
function oneText(text: string, file: string): { catalog: string } | { error: unknown } {
  try {
    return { catalog: catalogOf(parseManifest(text, file, "shop"), "shop") };
  } catch (error) {
    return { error };
  }
}

/** Variants of one manifest's text that JSON writers produce, in dbt's key order or with `nodes` last. */
function reshaped(text: string): [string, string][] {
  const json = JSON.parse(text) as Json;
  const { nodes, ...rest } = json;
  const none = { exposures: {}, metrics: {}, semantic_models: {}, saved_queries: {}, unit_tests: {} };
  return [
    ["as dbt wrote it", text],
    ["compact", JSON.stringify(json)],
    ["indented", JSON.stringify(json, null, 2)],
    ["tab-indented, CRLF", JSON.stringify(json, null, "\t").replaceAll("\n", "\r\n")],
    ["nodes last", JSON.stringify({ ...rest, nodes }, null, 1)],
    // A column's `meta` after an object: the reader's guess of where `columns` ends is wrong, the check's cuts are used.
    ["columns' fields reordered", JSON.stringify(withColumns(json, (column) => ({ ...column, extra: { a: 1 }, meta: column["meta"] ?? {} })))],
    ["no nodes", JSON.stringify({ ...json, ...none, nodes: {} })],
    ["no nodes, last", JSON.stringify({ ...rest, ...none, nodes: {} })],
  ];
}

/** The manifest with every node's columns rewritten by `edit`. */
function withColumns(json: Json, edit: (column: Json) => Json): Json {
  const nodes = Object.fromEntries(
    Object.entries(json["nodes"] as Record<string, Json>).map(([id, node]) => [
      id,
      node["columns"] ? { ...node, columns: Object.fromEntries(Object.entries(node["columns"] as Record<string, Json>).map(([name, column]) => [name, edit(column)])) } : node,
    ]),
  );
  return { ...json, nodes };
}

for (const folder of FOLDERS) {
  describe(`pieces: real manifest ${folder}`, () => {
    const file = join(FIXTURES, folder, "manifest.json");
    const text = readFileSync(file, "utf8");
    for (const [shape, variant] of reshaped(text)) {
      test(`${shape}: the same catalog, byte for byte, in one piece and in a piece per node`, async () => {
        const expected = catalogOf(parseManifest(variant, file), folder);
        for (const pieceBytes of [1 << 20, 1]) {
          const manifest = await readManifestPieces(Buffer.from(variant), file, { pieceBytes });
          assert.ok(manifest, `${shape}: read in pieces of ${pieceBytes} bytes`);
          assert.equal(catalogOf(manifest, folder), expected, `${shape}, pieces of ${pieceBytes} bytes`);
        }
        // With the worker reading the later pieces (most of them, to make it answer for many).
        const manifest = await readManifestPieces(shared(variant), file, { pieceBytes: 1, worker });
        assert.ok(manifest, `${shape}: read with the worker`);
        assert.equal(catalogOf(manifest, folder), expected, `${shape}, with the worker`);
      });
    }

    test("in another key order (sorted keys) the one-text path reads it, to the same catalog", async () => {
      const json = JSON.parse(text) as Json;
      const sorted = JSON.stringify(Object.fromEntries(Object.keys(json).sort().map((key) => [key, json[key]])));
      assert.equal(await readManifestPieces(Buffer.from(sorted), file), null, "declined: nodes is followed by parent_map");
      const dir = mkdtempSync(join(tmpdir(), "tributary-pieces-sorted-"));
      writeFileSync(join(dir, "manifest.json"), sorted);
      assert.equal(catalogOf(await readManifestFile(join(dir, "manifest.json")), folder), catalogOf(parseManifest(sorted, file), folder).replaceAll(JSON.stringify(file).slice(1, -1), JSON.stringify(join(dir, "manifest.json")).slice(1, -1)));
    });

    test("the nodes are zod's parse of them: every declared field, nothing else", async () => {
      const whole = parseManifest(text, file);
      const pieces = (await readManifestPieces(Buffer.from(text), file, { pieceBytes: 1 }))!;
      assert.deepEqual(Object.keys(pieces.nodes), Object.keys(whole.nodes), "the nodes, in order");
      // Every node with columns holds them as text until they are read (the comparison below reads them).
      const withColumnsCount = Object.values(whole.nodes).filter((node) => Object.keys(node.columns ?? {}).length > 0).length;
      assert.equal(Object.values(pieces.nodes).filter((node) => heldColumns(node) !== undefined).length, withColumnsCount, "columns held as text");
      assert.deepEqual(pieces.nodes, strippedNodes(text));
      assert.deepEqual({ ...pieces, nodes: null }, { ...whole, nodes: null });
    });
  });
}

/** The nodes as zod's parse returns them (the one-text path uses the parsed JSON itself when it is valid). */
function strippedNodes(text: string): Json {
  const json = JSON.parse(text) as { nodes: Json };
  return Object.fromEntries(Object.entries(json.nodes).map(([id, node]) => [id, manifestNodeSchema.parse(node)]));
}

describe("pieces: a manifest in UTF-8 with a BOM, and non-ASCII text", () => {
  const file = join(FIXTURES, "jaffle-shop-state-v11-postgres", "manifest.json");
  const text = readFileSync(file, "utf8").replaceAll('"description": ""', '"description": "Café — naïve ✓ 𝄞"');
  test("read in pieces, the same catalog", async () => {
    const expected = catalogOf(parseManifest(text, file), "shop");
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
    for (const bytes of [Buffer.from(text), bom]) {
      const manifest = await readManifestPieces(bytes, file, { pieceBytes: 1 });
      assert.ok(manifest);
      assert.equal(catalogOf(manifest, "shop"), expected);
    }
  });
  test("UTF-16 and invalid UTF-8 are left to the one-text path", async () => {
    assert.equal(await readManifestPieces(Buffer.from(text, "utf16le"), file), null);
    assert.equal(await readManifestPieces(Buffer.concat([Buffer.from(text.slice(0, 100)), Buffer.from([0xc3, 0x28]), Buffer.from(text.slice(100))]), file), null);
  });
});

/** A small deterministic random source, so a failure names the damage that caused it. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

describe("pieces: damaged manifests", () => {
  const file = join(FIXTURES, "jaffle-shop-state-v11-postgres", "manifest.json");
  const original = readFileSync(file, "utf8");
  // Damage that keeps JSON valid is the dangerous kind: a brace or a key moved where the piece finder looks.
  const edits: [string, (text: string, at: number, char: string) => string][] = [
    ["truncate", (text, at) => text.slice(0, at)],
    ["insert", (text, at, char) => text.slice(0, at) + char + text.slice(at)],
    ["replace", (text, at, char) => text.slice(0, at) + char + text.slice(at + 1)],
    ["delete", (text, at) => text.slice(0, at) + text.slice(at + 1)],
    ["close brace", (text, at) => text.slice(0, at) + "}" + text.slice(at)],
    ["node-shaped key", (text, at) => text.slice(0, at) + '}, "model.a.b": {' + text.slice(at)],
    ["top-level key", (text, at) => text.slice(0, at) + '}}, "sources": {' + text.slice(at)],
    ["duplicate key", (text, at) => text.slice(0, at) + '"name": "dup", ' + text.slice(at)],
    ["second nodes", (text) => text.replace(/}\s*$/, ', "nodes": {}}')],
    ["proto key", (text) => text.replace('"model.jaffle_shop.orders": {', '"__proto__": {"x": 1}, "model.jaffle_shop.orders": {')],
    ["wrong type", (text) => text.replace('"resource_type": "model"', '"resource_type": 1')],
  ];
  test("every damaged manifest read in pieces gives the one-text answer, or is left to it (440 damages)", async () => {
    const next = random(11);
    let read = 0;
    for (let round = 0; round < 440; round++) {
      const [kind, edit] = edits[round % edits.length]!;
      const at = Math.floor(next() * original.length);
      const text = edit(original, at, String.fromCharCode(32 + Math.floor(next() * 95)));
      const expected = oneText(text, file);
      for (const pieceBytes of [1 << 20, 1, 4096]) {
        let manifest: DbtManifest | null;
        try {
          manifest = await readManifestPieces(pieceBytes === 4096 ? shared(text) : Buffer.from(text), file, { pieceBytes, worker });
        } catch (error) {
          assert.fail(`round ${round} (${kind} at ${at}): the piece reader threw ${String(error)}`);
        }
        if (manifest === null) continue;
        read++;
        assert.ok("catalog" in expected, `round ${round} (${kind} at ${at}): read in pieces, but the one-text path fails: ${"error" in expected ? String(expected.error) : ""}`);
        let catalog: string | null = null;
        try {
          catalog = catalogOf(manifest, "shop");
        } catch (error) {
          assert.fail(`round ${round} (${kind} at ${at}): ${String(error)}`);
        }
        assert.equal(catalog, expected.catalog, `round ${round} (${kind} at ${at}), pieces of ${pieceBytes} bytes`);
      }
    }
    assert.ok(read > 100, `some damaged manifests are still valid and read in pieces (${read})`);
  });

  test("the quick duplicate-key scan says 'maybe' wherever the exact one finds a duplicate (every fixture, 300 duplicates placed at random)", () => {
    const next = random(5);
    for (const folder of FOLDERS) {
      const text = readFileSync(join(FIXTURES, folder, "manifest.json"), "utf8");
      assert.equal(mayHaveDuplicateKeys(text), false, `${folder} has no duplicate key`);
      assert.equal(mayHaveDuplicateKeys(JSON.stringify(JSON.parse(text), null, 2)), false, `${folder}, indented`);
    }
    const keys = [...original.matchAll(/"([^"\\]{1,40})": /g)];
    let found = 0;
    for (let round = 0; round < 300; round++) {
      // A key of some object written again before itself: `"k": null, "k": v`.
      const { 1: key, index: at } = keys[Math.floor(next() * keys.length)]!;
      const text = original.slice(0, at) + `"${key}": null, ` + original.slice(at);
      try {
        JSON.parse(text);
      } catch {
        continue; // the match was not a key
      }
      if (findDuplicateKeys(text, 1).length === 0) continue;
      found++;
      assert.equal(mayHaveDuplicateKeys(text), true, `round ${round}: "${key}" twice at ${at}`);
    }
    assert.ok(found > 200, `${found} duplicates placed`);
  });
});

test("a manifest of 17 MB, read from its file in pieces by two threads, gives the one-text catalog", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tributary-pieces-"));
  const file = join(dir, "manifest.json");
  writeManifest(file, syntheticManifest({ models: 2500 }));
  const text = readFileSync(file, "utf8");
  assert.ok(text.length > 16 << 20, `${text.length} bytes: over the two-thread threshold`);
  assert.equal(catalogOf(await readManifestFile(file, "bench", { piecesFromBytes: 16 << 20 }), "bench"), catalogOf(parseManifest(text, file, "bench"), "bench"));
  writeFileSync(file, text.replace('"resource_type": "model"', '"resource_type": 7').replace('"resource_type":"model"', '"resource_type":7'));
  await assert.rejects(readManifestFile(file, "bench", { piecesFromBytes: 16 << 20 }), /invalid at \$\.nodes\["model\.bench\.stg_0"\]\.resource_type: expected string/);
});

describe("the duplicate-key scans on text that is not JSON", () => {
  test("an unterminated string ends the scan instead of starting it over", () => {
    assert.deepEqual(findDuplicateKeys('{"a": 1, "b": "never closed'), []);
    assert.deepEqual(findDuplicateKeys('{"a": 1, "a": 2, "b": "never closed').map((d) => d.key), ["a"]);
  });
});
