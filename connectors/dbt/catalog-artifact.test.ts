/**
 * dbt's catalog.json, read in place from shared/fixtures (a DuckDB project without statistics, a Redshift one
 * with them), merged into the assets of the same project's manifest; and catalogs that cannot be used.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { applyDbtCatalog, withWarehouseColumns, parseDbtCatalog, readDbtCatalog } from "./catalog-artifact.ts";
import { DbtArtifactError } from "./optional-artifact.ts";
import { readManifestFile } from "./manifest.ts";
import { createDbtManifestProvider } from "./manifest-provider.ts";
import { translateManifest } from "./translator.ts";
import type { LocationDefinitions } from "../../catalog/model/index.ts";
import { sharedFixture } from "../../scripts/shared-fixtures.ts";

const FIXTURES = sharedFixture("manifests");

async function definitionsOf(project: string): Promise<LocationDefinitions> {
  const manifest = await readManifestFile(join(FIXTURES, project, "manifest.json"), project);
  const { specs, diagnostics } = translateManifest(manifest, { locationName: project, projectDir: null });
  return { location: { name: project, kind: "dbt", origin: project }, specs, diagnostics, loadedAt: new Date(0).toISOString(), loadDurationMs: 0 };
}

describe("dbt catalog.json", () => {
  test("DuckDB (nba-monte-carlo): every listed asset gets the warehouse's columns and types, documented ones first", async () => {
    const project = "nba-monte-carlo-v12-duckdb";
    const catalog = await readDbtCatalog(join(FIXTURES, project, "catalog.json"));
    const raw = JSON.parse(readFileSync(join(FIXTURES, project, "catalog.json"), "utf8")) as {
      nodes: Record<string, { columns: Record<string, { name: string; type: string; index: number }>; metadata: { type: string } }>;
    };
    const before = await definitionsOf(project);
    const enriched = applyDbtCatalog(before, catalog);
    let checked = 0;
    let undocumented = 0;
    for (const [i, spec] of enriched.specs.entries()) {
      const table = spec.dbtUniqueId === null ? undefined : raw.nodes[spec.dbtUniqueId];
      if (table === undefined) {
        assert.equal(spec.tableStats ?? null, null, `${spec.dbtUniqueId} is not in the catalog`);
        continue;
      }
      checked++;
      // Worked out from the two files directly: the YAML's columns in their order, then the warehouse's others.
      const warehouse = Object.values(table.columns).sort((a, b) => a.index - b.index);
      const typeOf = new Map(warehouse.map((c) => [c.name.toLowerCase(), c.type]));
      const documented = before.specs[i]!.columns;
      const documentedNames = new Set(documented.map((c) => c.name.toLowerCase()));
      const expected = [
        ...documented.map((c) => [c.name, typeOf.get(c.name.toLowerCase()) ?? c.type]),
        ...warehouse.filter((c) => !documentedNames.has(c.name.toLowerCase())).map((c) => [c.name, c.type]),
      ];
      undocumented += expected.length - documented.length;
      assert.deepEqual(spec.columns.map((c) => [c.name, c.type]), expected, spec.dbtUniqueId!);
      assert.equal(spec.tableStats?.tableType, table.metadata.type);
      assert.equal(spec.tableStats?.rowCount, null, "DuckDB reports no statistics");
      assert.deepEqual(spec.tableStats?.entries, []);
      assert.equal(spec.tableStats?.collectedAt, "2025-04-10T17:41:32.692436Z");
    }
    assert.equal(checked, Object.keys(raw.nodes).length, "every table of the catalog found its asset");
    assert.ok(undocumented > 100, `columns only the warehouse knew: ${undocumented}`);
  });

  test("Redshift (fivetran_log): documented columns keep their descriptions and order; rows and bytes from the statistics", async () => {
    const project = "fivetran-log-v4-redshift";
    const enriched = applyDbtCatalog(await definitionsOf(project), await readDbtCatalog(join(FIXTURES, project, "catalog.json")));
    const account = enriched.specs.find((spec) => spec.dbtUniqueId === "model.fivetran_log.stg_fivetran_log__account")!;
    assert.deepEqual(account.columns.map((c) => c.name), ["account_id", "country", "created_at", "account_name", "status"]);
    assert.equal(account.columns.find((c) => c.name === "created_at")!.type, "timestamp without time zone");
    assert.ok(account.columns.every((c) => c.description !== null), "the YAML's descriptions are kept");
    assert.equal(account.tableStats?.rowCount, 1);
    assert.equal(account.tableStats?.bytes, 8_000_000);
    assert.equal(account.tableStats?.owner, "awsuser");
    assert.deepEqual(
      account.tableStats?.entries.map((e) => e.label),
      ["Approximate Size", "Stats Off", "Disk Utilization", "Approximate Row Count", "Dist Style", "Encoded", "Max Varchar"],
      "every included statistic, has_stats left out",
    );
    // Sources are in the catalog too.
    const volume = enriched.specs.find((spec) => spec.dbtUniqueId === "source.fivetran_log.fivetran_log.active_volume")!;
    assert.equal(volume.tableStats?.rowCount, 13_154);
    assert.ok(volume.columns.length > 0 && volume.columns.every((c) => c.type !== null));
  });

  test("withWarehouseColumns: documented first with the warehouse's type, matched case-insensitively; the rest in the warehouse's order", () => {
    const merged = withWarehouseColumns(
      [
        { name: "ID", type: "int", description: "the key", tags: ["pk"] },
        { name: "gone", type: "text", description: "dropped from the table", tags: [] },
      ],
      [
        { name: "amount", type: "DECIMAL(18,2)", comment: null },
        { name: "id", type: "BIGINT", comment: null },
        { name: "note", type: null, comment: "free text" },
      ],
    );
    assert.deepEqual(merged, [
      { name: "ID", type: "BIGINT", description: "the key", tags: ["pk"] },
      { name: "gone", type: "text", description: "dropped from the table", tags: [] },
      { name: "amount", type: "DECIMAL(18,2)", description: null, tags: [] },
      { name: "note", type: null, description: "free text", tags: [] },
    ]);
  });

  test("a catalog that cannot be used says which file and where", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tributary-catalog-"));
    const truncated = join(dir, "truncated.json");
    writeFileSync(truncated, readFileSync(join(FIXTURES, "nba-monte-carlo-v12-duckdb", "catalog.json"), "utf8").slice(0, 5000));
    await assert.rejects(readDbtCatalog(truncated), (error: unknown) => error instanceof DbtArtifactError && error.file === truncated && /is truncated: the JSON ends unexpectedly at line \d+, column \d+/.test(error.message));
    await assert.rejects(readDbtCatalog(join(dir, "missing.json")), /no such file/);

    const manifestText = readFileSync(join(FIXTURES, "nba-monte-carlo-v12-duckdb", "manifest.json"), "utf8");
    assert.throws(() => parseDbtCatalog(manifestText, "manifest.json"), (error: unknown) => {
      assert.ok(error instanceof DbtArtifactError);
      assert.equal(error.jsonPath, "$.metadata.dbt_schema_version");
      assert.match(error.message, /manifest\.json is not a usable dbt catalog at \$\.metadata\.dbt_schema_version: is not a dbt catalog schema/);
      return true;
    });
    const wrongColumn = JSON.stringify({
      metadata: { dbt_schema_version: "https://schemas.getdbt.com/dbt/catalog/v1.json" },
      nodes: { "model.p.m": { metadata: { schema: "s", name: "m" }, columns: { id: { type: "int", index: "first", name: "id" } }, stats: {} } },
      sources: {},
    });
    assert.throws(() => parseDbtCatalog(wrongColumn, "c.json"), (error: unknown) => error instanceof DbtArtifactError && error.jsonPath === '$.nodes["model.p.m"].columns.id.index');
  });
});

describe("catalog.json through the manifest location", () => {
  const nba = join(FIXTURES, "nba-monte-carlo-v12-duckdb", "manifest.json");

  test("the catalog.json beside the manifest is read by default, and can be turned off", async () => {
    const withCatalog = await createDbtManifestProvider({ file: nba }).load();
    const listed = withCatalog.specs.filter((spec) => spec.tableStats);
    assert.equal(listed.length, 56);
    assert.ok(withCatalog.specs.some((spec) => spec.columns.some((c) => c.type !== null)));
    assert.deepEqual(withCatalog.diagnostics.filter((d) => d.code === "catalog_unreadable"), []);
    const without = await createDbtManifestProvider({ file: nba, catalogFile: null }).load();
    assert.equal(without.specs.filter((spec) => spec.tableStats).length, 0);
  });

  test("an unusable catalog.json is a warning naming it; the assets load without it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tributary-catalog-"));
    const broken = join(dir, "catalog.json");
    writeFileSync(broken, '{"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/catalog/v1.json"}, "nodes": []}');
    const loaded = await createDbtManifestProvider({ file: nba, catalogFile: broken }).load();
    const plain = await createDbtManifestProvider({ file: nba, catalogFile: null }).load();
    assert.equal(loaded.specs.length, plain.specs.length);
    const warning = loaded.diagnostics.find((d) => d.code === "catalog_unreadable");
    assert.equal(warning?.severity, "warning");
    assert.equal(warning?.at?.file, broken);
    assert.equal(warning?.at?.path, "$.nodes");
    assert.match(warning?.message ?? "", /dbt docs generate/);
  });
});

test("a catalog.json with NUL bytes or a bad token is a warning naming line and column, quoting no NUL; a UTF-16 one is read", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tributary-catalog-json-"));
  const nul = join(dir, "nul.json");
  writeFileSync(nul, '{\n  "metadata": {\u0000}\n}');
  await assert.rejects(readDbtCatalog(nul), (error: unknown) =>
    error instanceof DbtArtifactError && /not valid JSON at line 2, column 16/.test(error.message) && !error.message.includes("\u0000"),
  );
  const token = join(dir, "token.json");
  writeFileSync(token, '{"metadata": x}');
  await assert.rejects(readDbtCatalog(token), (error: unknown) => error instanceof DbtArtifactError && /at line 1, column 14: unexpected 'x'/.test(error.message));
  const utf16 = join(dir, "utf16.json");
  writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(readFileSync(join(FIXTURES, "fivetran-log-v4-redshift", "catalog.json"), "utf8"), "utf16le")]));
  await readDbtCatalog(utf16);
});
