/** Alert incidents in SQL (migration 0006), on PGlite and on Postgres: one open incident per rule and subject. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { latestCheckOutcomes, listAlertIncidents, openAlertIncident, openAlertIncidents, recordAlertDelivery, resolveAlertIncident } from "./alerts.ts";
import type { CatalogStore } from "./index.ts";
import { testEngines, type TestDatabase } from "./test-support.ts";

for (const engine of testEngines) {
  describe(`alert incidents on ${engine.name}`, { skip: engine.skip }, () => {
    let database: TestDatabase;
    let store: CatalogStore;
    before(async () => {
      database = await engine.createDatabase();
      store = await database.openStore();
    });
    after(async () => {
      await store?.close();
      await database?.dispose();
    });

    test("opened once, resolved once, opened anew afterwards; deliveries appended", async () => {
      const client = store.client;
      const at = new Date("2026-12-01T10:00:00Z");
      const incident = { rule: "r", kind: "run_failure", subject: "orders", summary: "orders: failed", at };
      const opened = await openAlertIncident(client, incident);
      assert.ok(opened);
      assert.equal(await openAlertIncident(client, incident), null, "one open incident per rule and subject");
      assert.ok(await openAlertIncident(client, { ...incident, rule: "other" }), "another rule has its own");
      assert.deepEqual((await openAlertIncidents(client)).map((i) => i.rule), ["r", "other"]);
      await recordAlertDelivery(client, opened.id, { destination: "oncall", ok: true });
      await recordAlertDelivery(client, opened.id, { destination: "slack", ok: false });
      const resolved = await resolveAlertIncident(client, "r", "orders", new Date("2026-12-01T11:00:00Z"));
      assert.deepEqual([resolved?.id, resolved?.resolvedAt, resolved?.deliveries.map((d) => d["destination"])], [opened.id, "2026-12-01T11:00:00.000Z", ["oncall", "slack"]]);
      assert.equal(await resolveAlertIncident(client, "r", "orders", new Date()), null, "resolved once");
      const reopened = await openAlertIncident(client, incident);
      assert.ok(reopened && reopened.id !== opened.id);
      assert.equal((await listAlertIncidents(client)).length, 3);
    });

    test("the latest result of each check, in one read", async () => {
      const result = (outcome: "pass" | "fail", at: string, dedupeKey: string, checkName = "unique_id") => ({
        assetKey: ["orders"], checkName, outcome, failures: null, tool: "dbt", locationName: "shop", toolRunId: null, occurredAt: at, dedupeKey, metadata: {},
      });
      await store.recordCheckResults([result("fail", "2026-12-01T10:00:00Z", "a"), result("pass", "2026-12-01T11:00:00Z", "b"), result("fail", "2026-12-01T09:00:00Z", "c", "not_null_id")]);
      assert.deepEqual((await latestCheckOutcomes(store.client)).map((c) => [c.assetId, c.checkName, c.outcome]), [["orders", "not_null_id", "fail"], ["orders", "unique_id", "pass"]]);
    });
  });
}
