/**
 * Column lineage over GraphQL, on the jaffle-shop manifest of the shared fixtures (compiled SQL, Postgres):
 * `Column.lineage` and `columnLineage` upstream and downstream, with hand-checked expectations from its SQL.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { buildCatalogGraph } from "../../catalog/graph/index.ts";
import { completeDefinitions } from "../../catalog/model/index.ts";
import type { DefinitionsProvider } from "../../catalog/model/index.ts";
import { createCatalogService } from "../../catalog/service.ts";
import { createDbtManifestProvider } from "../../connectors/dbt/index.ts";
import { sharedFixture } from "../../scripts/shared-fixtures.ts";
import { mutableSource, query, testYoga } from "../test-support.ts";
import type { TributaryYoga } from "../yoga.ts";

interface Ref {
  assetKey: string | null;
  column: string;
}

describe("column lineage over GraphQL (jaffle-shop, compiled SQL)", () => {
  let yoga: TributaryYoga;

  before(async () => {
    const provider = createDbtManifestProvider({ file: sharedFixture("manifests", "jaffle-shop-state-v11-postgres", "manifest.json"), name: "jaffle" });
    // The load serves the definitions first; column lineage is their follow-up (computed on a worker thread).
    const graph = buildCatalogGraph({ definitions: [await completeDefinitions(await provider.load())] });
    yoga = testYoga(mutableSource(graph));
  });

  it("gives each column of a model its upstream columns and how it derives from them", async () => {
    // stg_customers: `with source as (select * from raw_customers), renamed as (select id as customer_id, name as customer_name from source) select * from renamed`
    const body = await query<{ asset: { columns: { name: string; lineage: { followed: boolean; transformation: string | null; upstream: Ref[] } | null }[] } }>(
      yoga,
      `{ asset(key: "stg_customers") { columns { name lineage { followed transformation upstream { assetKey column } } } } }`,
    );
    const byName = Object.fromEntries(body.asset.columns.map((c) => [c.name, c.lineage]));
    assert.deepEqual(byName["customer_id"], { followed: true, transformation: "RENAME", upstream: [{ assetKey: "jaffle_shop_raw/raw_customers", column: "id" }] });
    // Only the columns the catalog lists have a Column.lineage (customer_name is not documented); columnLineage follows every one.
    assert.equal(byName["customer_name"], undefined);
  });

  it("follows a column upstream across models (customers.* of a CTE over stg_customers), and downstream again", async () => {
    const up = await query<{ columnLineage: { nodes: Ref[]; edges: { from: Ref; to: Ref; transformation: string }[] } }>(
      yoga,
      `{ columnLineage(key: "customers", column: "customer_name", direction: UPSTREAM) { nodes { assetKey column } edges { from { assetKey column } to { assetKey column } transformation } } }`,
    );
    assert.deepEqual(up.columnLineage.edges, [
      { from: { assetKey: "stg_customers", column: "customer_name" }, to: { assetKey: "customers", column: "customer_name" }, transformation: "COPY" },
      { from: { assetKey: "jaffle_shop_raw/raw_customers", column: "name" }, to: { assetKey: "stg_customers", column: "customer_name" }, transformation: "RENAME" },
    ]);
    const one = await query<{ columnLineage: { nodes: Ref[] } }>(yoga, `{ columnLineage(key: "customers", column: "customer_name", depth: 1) { nodes { assetKey column } } }`);
    assert.equal(one.columnLineage.nodes.length, 2);
    const down = await query<{ columnLineage: { nodes: Ref[] } }>(
      yoga,
      `{ columnLineage(key: "jaffle_shop_raw/raw_customers", column: "name", direction: DOWNSTREAM) { nodes { assetKey column } } }`,
    );
    assert.deepEqual(down.columnLineage.nodes.map((n) => `${n.assetKey}.${n.column}`).sort(), ["customers.customer_name", "jaffle_shop_raw/raw_customers.name", "stg_customers.customer_name"]);
  });

  it("answers an unknown key with ASSET_NOT_FOUND", async () => {
    await assert.rejects(query(yoga, `{ columnLineage(key: "nope", column: "x") { nodes { column } } }`), /ASSET_NOT_FOUND/);
  });
});

describe("column lineage while it is computed after the load", () => {
  it("says so on the location and in columnLineage, then answers with it", async () => {
    const real = createDbtManifestProvider({ file: sharedFixture("manifests", "jaffle-shop-state-v11-postgres", "manifest.json"), name: "jaffle" });
    let release!: () => void;
    const opened = new Promise<void>((resolve) => (release = resolve));
    // The real follow-up, held until the test has looked at the catalog without it.
    const provider: DefinitionsProvider = {
      location: real.location,
      async load(options) {
        const definitions = await real.load(options);
        const followUp = definitions.followUp!;
        return { ...definitions, followUp: { describe: followUp.describe, run: async (o) => (await opened, followUp.run(o)) } };
      },
    };
    const service = createCatalogService({ providers: [provider] });
    await service.reload();
    const yoga = testYoga({ current: () => service.current(), followUp: (name) => service.followUp(name) });
    const ask = `{ locations { name columnLineage { state models modelsDone durationMs error } }
      asset(key: "stg_customers") { columns { name lineage { followed } } }
      columnLineage(key: "customers", column: "customer_name", direction: UPSTREAM) { edges { transformation } incompleteLocations } }`;
    type Answer = {
      locations: { name: string; columnLineage: { state: string; models: number | null; modelsDone: number; durationMs: number | null; error: string | null } | null }[];
      asset: { columns: { name: string; lineage: { followed: boolean } | null }[] };
      columnLineage: { edges: unknown[]; incompleteLocations: string[] };
    };
    const before = await query<Answer>(yoga, ask);
    assert.equal(before.locations[0]!.columnLineage!.state, "COMPUTING");
    assert.ok(before.asset.columns.every((c) => c.lineage === null));
    assert.deepEqual(before.columnLineage, { edges: [], incompleteLocations: ["jaffle"] }, "no edges yet, and it says why");

    release();
    await service.settled();
    const done = await query<Answer>(yoga, ask);
    const status = done.locations[0]!.columnLineage!;
    assert.deepEqual({ ...status, durationMs: typeof status.durationMs }, { state: "DONE", models: 13, modelsDone: 13, durationMs: "number", error: null });
    assert.ok(done.asset.columns.some((c) => c.lineage?.followed === true));
    assert.equal(done.columnLineage.edges.length, 2);
    assert.deepEqual(done.columnLineage.incompleteLocations, []);
  });
});
