/**
 * Every real manifest in shared/fixtures, read in place, checked against its own `depends_on`: each enabled
 * non-ephemeral model/seed/snapshot and each source is an asset with dagster-dbt's key, each dependency is
 * an edge (through ephemeral models), and tests are checks, never assets.
 */
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { buildCatalogGraph } from "../../catalog/graph/build.ts";
import { keyToString } from "../../catalog/model/index.ts";
import { readManifestFile } from "./manifest.ts";
import { translateManifest } from "./translator.ts";
import { sharedFixture } from "../../scripts/shared-fixtures.ts";

export const FIXTURES = sharedFixture("manifests");

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The key rule of dagster-semantics §1.2, written independently of the translator. */
function expectedKey(node: Json): string {
  const configMeta = node.config?.meta ?? {};
  const meta = Object.keys(configMeta).length > 0 ? configMeta : (node.meta ?? {});
  const override = meta.dagster?.asset_key;
  if (Array.isArray(override) && override.length > 0) return override.join("/");
  if (node.resource_type === "source") return `${node.source_name}/${node.name}`;
  if (node.version) return node.alias;
  return node.config?.schema ? `${node.config.schema}/${node.name}` : node.name;
}

function isAsset(node: Json): boolean {
  if (node.resource_type === "source") return true;
  if (!["model", "seed", "snapshot"].includes(node.resource_type)) return false;
  return node.config?.enabled !== false && node.config?.materialized !== "ephemeral";
}

for (const folder of readdirSync(FIXTURES).sort()) {
  describe(`real manifest ${folder}`, () => {
    const file = join(FIXTURES, folder, "manifest.json");
    const raw: Json = JSON.parse(readFileSync(file, "utf8"));
    const all: Record<string, Json> = { ...raw.nodes, ...raw.sources };

    test("every model, seed, snapshot and source is an asset with dagster-dbt's key, and every dependency an edge", async () => {
      const manifest = await readManifestFile(file);
      const { specs, diagnostics } = translateManifest(manifest, { locationName: folder });
      assert.deepEqual(diagnostics.filter((d) => d.severity === "error"), []);
      const graph = buildCatalogGraph({
        definitions: [{ location: { name: folder, kind: "dbt", origin: file }, specs, diagnostics, loadedAt: "", loadDurationMs: 0 }],
      });

      const parentsBehind = (id: string): string[] => {
        const node = all[id] ?? raw.metrics?.[id] ?? raw.semantic_models?.[id];
        if (!node) throw new Error(`fixture ${folder}: ${id} not found`);
        if (isAsset(node)) return [expectedKey(node)];
        if (node.resource_type === "model" || raw.metrics?.[id] || raw.semantic_models?.[id]) {
          return (node.depends_on?.nodes ?? []).flatMap(parentsBehind);
        }
        return [];
      };

      // A source reading the table a seed or model builds is the same asset (joined by relation).
      const relationOf = (node: Json): string =>
        [node.database, node.schema, node.resource_type === "source" ? (node.identifier ?? node.name) : (node.alias ?? node.name)]
          .filter(Boolean).join(".").toLowerCase();
      const expectedAssets = Object.values(all).filter(isAsset);
      const exposures = Object.keys(raw.exposures ?? {}).length;
      const relations = new Set(expectedAssets.map(relationOf));
      assert.equal(graph.assets.length, relations.size + exposures, "asset count");
      const canonical = (key: string): string => graph.get(key)?.id ?? `<missing ${key}>`;
      for (const node of expectedAssets) {
        const key = expectedKey(node);
        const asset = graph.get(key);
        assert.ok(asset, `${node.unique_id} should be asset ${key}`);
        assert.ok(asset.specs.some((spec) => spec.dbtUniqueId === node.unique_id));
        if (node.resource_type !== "source") assert.equal(asset.id, key, "the built node's key leads");
        const expectedParents: string[] = [...new Set<string>((node.depends_on?.nodes ?? []).flatMap(parentsBehind).map(canonical))].sort();
        const sharesRelation = asset.specs.length > 1;
        if (!sharesRelation) assert.deepEqual([...asset.upstreamIds].sort(), expectedParents, `upstream of ${key}`);
        else for (const parent of expectedParents) assert.ok(asset.upstreamIds.includes(parent), `${parent} upstream of ${key}`);
        assert.deepEqual(asset.kinds.slice(0, 2), ["dbt", raw.metadata.adapter_type]);
      }
      // Tests are checks, never assets.
      const testIds = Object.keys(raw.nodes).filter((id) => id.startsWith("test."));
      for (const asset of graph.assets) assert.ok(!testIds.includes(asset.dbtUniqueId ?? ""), `${asset.id} is a test`);
      const checkIds = graph.assets.flatMap((a) => a.checks.map((c) => c.sourceId));
      for (const id of checkIds) assert.ok(testIds.includes(id!), `${id} is a check but not a test`);
    });

    test("each test is a check on the node it tests, with its other parents", async () => {
      const manifest = await readManifestFile(file);
      const { specs } = translateManifest(manifest, { locationName: folder });
      const checksByAsset = new Map(specs.map((s) => [keyToString(s.key), s.checks]));
      for (const [id, testNode] of Object.entries(raw.nodes as Record<string, Json>)) {
        if (testNode.resource_type !== "test" || testNode.meta?.dagster?.ref || testNode.config?.meta?.dagster?.ref) continue;
        const deps: string[] = testNode.depends_on?.nodes ?? [];
        const attached = deps.length === 1 ? deps[0]! : testNode.attached_node;
        if (!attached || !all[attached] || !isAsset(all[attached]!)) continue;
        const key = expectedKey(all[attached]!);
        const check = checksByAsset.get(key)?.find((c) => c.name === testNode.name);
        assert.ok(check, `${id} should be check ${testNode.name} on ${key}`);
        const others = (raw.parent_map[id] as string[]).filter((p) => all[p] && isAsset(all[p]!)).map((p) => expectedKey(all[p]!)).filter((k) => k !== key);
        if (check.sourceId === id) assert.deepEqual(check.additionalDeps.map(keyToString).sort(), [...new Set(others)].sort());
      }
    });
  });
}
