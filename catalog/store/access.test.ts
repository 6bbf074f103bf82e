/** API tokens and the audit log in SQL (migration 0005), on PGlite and on Postgres. */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { createApiToken, findActiveApiToken, listApiTokens, listAuditEvents, recordAuditEvent, revokeApiToken, touchApiToken } from "./access.ts";
import type { CatalogStore } from "./index.ts";
import { isStoreError } from "./errors.ts";
import { testEngines, type TestDatabase } from "./test-support.ts";

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

for (const engine of testEngines) {
  describe(`api tokens and audit events on ${engine.name}`, { skip: engine.skip }, () => {
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

    test("a token is found by its hash while working; one working token per name; revoked ones stay listed", async () => {
      const client = store.client;
      const made = await createApiToken(client, { id: "tok_1", name: "ci", role: "operator", tokenHash: sha("a"), createdBy: "ada" });
      assert.deepEqual([made.name, made.role, made.createdBy, made.revokedAt, made.lastUsedAt], ["ci", "operator", "ada", null, null]);
      assert.equal((await findActiveApiToken(client, sha("a")))?.id, "tok_1");
      assert.equal(await findActiveApiToken(client, sha("b")), null);
      await assert.rejects(createApiToken(client, { id: "tok_2", name: "ci", role: "viewer", tokenHash: sha("b"), createdBy: null }), (error) => isStoreError(error, "invalid_input"));
      await touchApiToken(client, "tok_1", new Date("2026-12-01T10:00:00Z"));
      await touchApiToken(client, "tok_1", new Date("2026-12-01T09:00:00Z"));
      assert.equal((await findActiveApiToken(client, sha("a")))?.lastUsedAt, "2026-12-01T10:00:00.000Z", "last use only moves forward");
      assert.equal((await revokeApiToken(client, "ci"))?.id, "tok_1");
      assert.equal(await revokeApiToken(client, "ci"), null);
      assert.equal(await findActiveApiToken(client, sha("a")), null);
      await createApiToken(client, { id: "tok_3", name: "ci", role: "admin", tokenHash: sha("c"), createdBy: null });
      assert.deepEqual((await listApiTokens(client)).map((t) => t.id), ["tok_3"]);
      assert.deepEqual((await listApiTokens(client, { includeRevoked: true })).map((t) => [t.id, t.revokedAt !== null]), [["tok_3", false], ["tok_1", true]]);
    });

    test("audit events: newest first, by run, action and actor, paged by id", async () => {
      const client = store.client;
      await recordAuditEvent(client, { action: "launchRun", outcome: "ok", actor: "ci", actorKind: "token", role: "operator", runIds: ["r1"], details: { assetKeys: ["a"] } });
      await recordAuditEvent(client, { action: "cancelRun", outcome: "refused", actor: "bob", actorKind: "token", role: "viewer", runIds: ["r1"], errorCode: "FORBIDDEN" });
      await recordAuditEvent(client, { action: "reloadLocations", outcome: "ok", actor: null, actorKind: "local", role: "admin" });
      const all = await listAuditEvents(client, { first: 10 });
      assert.deepEqual(all.map((e) => e.action), ["reloadLocations", "cancelRun", "launchRun"]);
      assert.deepEqual(all[2]!.details, { assetKeys: ["a"] });
      assert.deepEqual((await listAuditEvents(client, { runId: "r1", first: 10 })).map((e) => [e.action, e.outcome, e.errorCode]), [["cancelRun", "refused", "FORBIDDEN"], ["launchRun", "ok", null]]);
      assert.deepEqual((await listAuditEvents(client, { actions: ["launchRun"], first: 10 })).map((e) => e.actor), ["ci"]);
      assert.deepEqual((await listAuditEvents(client, { actor: "bob", first: 10 })).map((e) => e.action), ["cancelRun"]);
      assert.deepEqual((await listAuditEvents(client, { beforeId: all[0]!.id, first: 1 })).map((e) => e.action), ["cancelRun"]);
    });
  });
}
