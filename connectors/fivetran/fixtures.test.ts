/**
 * Real Fivetran API responses (../shared/fixtures/api-samples, read in place) through the validator and the
 * translator, and the simulator's answers through the same schemas.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { z } from "zod";
import { actionResponseSchema, connectionSchema, destinationSchema, envelope, groupSchema, listPage, schemaConfigSchema } from "./schemas.ts";
import { toConnectorState } from "./snapshot.ts";
import type { FivetranWorkspaceSnapshot } from "./snapshot.ts";
import { API_SAMPLES_DIR, startSimulatedAccount, TEST_API_KEY, TEST_API_SECRET } from "./test-support.ts";
import { connectorTables, translateWorkspace } from "./translator.ts";

function sample<T>(name: string, schema: z.ZodType<T>): T {
  const parsed = schema.safeParse(JSON.parse(readFileSync(join(API_SAMPLES_DIR, name), "utf8")));
  assert.ok(parsed.success, `${name}: ${parsed.success ? "" : JSON.stringify(parsed.error.issues[0])}`);
  return parsed.data;
}

describe("real Fivetran responses", () => {
  it("validate, with times of any precision and open enums", () => {
    const groups = sample("fivetran-groups-list.json", listPage(groupSchema));
    assert.deepEqual(groups.data.items.map((g) => g.name), ["Staging", "Production"]);
    assert.equal(groups.data.next_cursor, "eyJza2lwIjoyfQ");
    const list = sample("fivetran-connections-list.json", listPage(connectionSchema));
    assert.equal(list.data.next_cursor, "cursor_value");
    assert.equal(list.data.items[0]!.status.rescheduled_for, "2024-12-01T15:43:29.013729Z");
    const rescheduled = toConnectorState(sample("fivetran-connection-details-rescheduled.json", envelope(connectionSchema)).data);
    assert.deepEqual([rescheduled.syncState, rescheduled.scheduleType, rescheduled.rescheduledFor], ["rescheduled", "manual", "2021-03-05T22:59:56.238875Z"]);
    const incomplete = toConnectorState(sample("fivetran-connection-details-incomplete.json", envelope(connectionSchema)).data);
    assert.deepEqual([incomplete.setupState, incomplete.paused, incomplete.succeededAt, incomplete.failedAt], ["incomplete", true, null, null]);
    sample("fivetran-sync-trigger.json", actionResponseSchema);
  });

  it("keep no credential from a destination's or connection's config", () => {
    const destination = sample("fivetran-destination-snowflake.json", envelope(destinationSchema)).data;
    assert.deepEqual(destination.config, { database: "TEST" });
    const connection = sample("fivetran-connection-details-incomplete.json", envelope(connectionSchema)).data;
    assert.ok(!JSON.stringify(connection).includes("secrets_list"));
  });

  it("translate: the GCS connector lands TEST.demo.subscription_periods in Snowflake", () => {
    const destination = sample("fivetran-destination-snowflake.json", envelope(destinationSchema)).data;
    const gcs = toConnectorState(sample("fivetran-connection-details-gcs.json", envelope(connectionSchema)).data);
    const incomplete = toConnectorState(sample("fivetran-connection-details-incomplete.json", envelope(connectionSchema)).data);
    const snapshot: FivetranWorkspaceSnapshot = {
      fetchedAt: "2026-10-01T00:00:00.000Z",
      groups: [
        { id: "stowing_sway", name: "Production", destination: { id: destination.id, service: destination.service, database: destination.config.database, region: destination.region ?? null, setupStatus: "connected" } },
      ],
      connectors: [
        { ...gcs, schemaConfig: sample("fivetran-schema-config-gcs.json", envelope(schemaConfigSchema)).data },
        { ...incomplete, schemaConfig: null },
      ],
      problems: [],
    };
    const { specs, diagnostics } = translateWorkspace(snapshot, { locationName: "fivetran_prod" });
    assert.equal(specs.length, 1);
    const [spec] = specs;
    assert.deepEqual(spec!.key, ["demo", "subscription_periods"]);
    assert.deepEqual(spec!.relation, { database: "TEST", schema: "demo", name: "subscription_periods" });
    assert.deepEqual(spec!.kinds, ["fivetran", "snowflake"]);
    assert.deepEqual(spec!.materializer, { tool: "fivetran", locationName: "fivetran_prod", runTargetId: "cropping_limitation" });
    assert.equal(spec!.metadata["fivetran/connector_url"], "https://fivetran.com/dashboard/connectors/gcs/demo.subscription_periods");
    assert.equal(spec!.metadata["fivetran/succeeded_at"], "2023-01-05T18:12:49.562Z");
    assert.deepEqual(diagnostics.map((d) => [d.code, d.nodeId]), [["connector_not_connected", "speak_inexpensive"]]);
    // A destination database override (e.g. a Snowflake database reached under another name).
    const overridden = translateWorkspace(snapshot, { locationName: "fivetran_prod", destinationDatabaseOverrides: { stowing_sway: "ANALYTICS_RAW" } });
    assert.equal(overridden.specs[0]!.relation!.database, "ANALYTICS_RAW");
  });

  it("translate columns from a schema config: enabled ones, primary keys tagged", () => {
    const tables = connectorTables(sample("fivetran-schema-config-with-columns.json", envelope(schemaConfigSchema)).data);
    assert.deepEqual(tables.map((t) => t.key), [["schema_1", "table_1"], ["schema_1", "table_2"]]);
    assert.deepEqual(tables[0]!.columns.map((c) => [c.name, c.tags]), [["column_1", ["primary_key"]], ["column_2", []]]);
    assert.equal(tables[0]!.syncMode, "HISTORY");
  });

  it("the simulator answers in the same shapes", async () => {
    const account = await startSimulatedAccount({ warehousePath: null });
    try {
      const auth = { authorization: `Basic ${Buffer.from(`${TEST_API_KEY}:${TEST_API_SECRET}`).toString("base64")}` };
      const get = async (path: string) => (await fetch(`${account.simulator.url}${path}`, { headers: auth })).json() as Promise<unknown>;
      // The sample's fields, top level and status, are all present in the simulator's connection.
      const real = JSON.parse(readFileSync(join(API_SAMPLES_DIR, "fivetran-connection-details-gcs.json"), "utf8")) as { data: Record<string, unknown> & { status: Record<string, unknown> } };
      const simulated = (await get("/connections/shopify_connector")) as { code: string; data: Record<string, unknown> & { status: Record<string, unknown> } };
      assert.equal(simulated.code, "Success");
      for (const field of Object.keys(real.data)) if (field !== "daily_sync_time") assert.ok(field in simulated.data, `connection field ${field}`);
      for (const field of Object.keys(real.data.status)) assert.ok(field in simulated.data.status, `status field ${field}`);
      connectionSchema.parse(simulated.data);
      listPage(groupSchema).parse(await get("/groups"));
      envelope(destinationSchema).parse(await get("/destinations/warehouse_group"));
      envelope(schemaConfigSchema).parse(await get("/connections/shopify_connector/schemas"));
    } finally {
      await account.close();
    }
  });
});
