/**
 * The embedded database's template (./template.ts): a new data directory starts from it with every migration
 * applied, an existing one never does, and a template made for other migrations is never used.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { openCatalogStore } from "./index.ts";
import { defineMigration, loadMigrations, readHistory } from "./migrations.ts";
import { ensureStoreTemplate, readStoreTemplate, storeTemplatePath } from "./template.ts";

describe("the embedded database's template", () => {
  let scratch: string;
  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), "tributary-template-"));
  });
  after(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it("is made once per PGlite version and set of migrations, and only for those migrations", async () => {
    const dir = join(scratch, "templates");
    const made = await ensureStoreTemplate(dir);
    assert.equal(made.made, true);
    assert.ok(existsSync(made.path));
    assert.equal((await ensureStoreTemplate(dir)).made, false, "a second call reuses the file");
    assert.notEqual(await readStoreTemplate(undefined, dir), null);
    // A migration added (or edited) after the template was made: another name, so the template is not used.
    const shipped = loadMigrations();
    const withOneMore = [...shipped, defineMigration(shipped.length + 1, "later", "CREATE TABLE later (id int);")];
    assert.notEqual(storeTemplatePath(withOneMore, dir), made.path);
    assert.equal(await readStoreTemplate(withOneMore, dir), null);
    const edited = shipped.map((m, i) => (i === 0 ? defineMigration(m.number, m.name, `${m.sql}\n-- edited`) : m));
    assert.equal(await readStoreTemplate(edited, dir), null);
  });

  it("starts a new data directory with every migration applied, and never replaces an existing one", async () => {
    await ensureStoreTemplate(); // the shipped location, as scripts/ensure-setup.mjs makes it
    const dataDir = join(scratch, "data");
    const openedAt = Date.now();
    const store = await openCatalogStore({ dataDir });
    const history = await readHistory(store.client);
    assert.deepEqual(
      history.map((m) => [m.number, m.checksum]),
      loadMigrations().map((m) => [m.number, m.checksum]),
    );
    // Applied when the template was made, not by this open: the data directory came from the template.
    assert.ok(history.every((m) => m.appliedAt.getTime() < openedAt), `applied at ${history.map((m) => m.appliedAt.toISOString()).join(", ")}`);
    await store.client.query("CREATE TABLE kept (id int)");
    await store.client.query("INSERT INTO kept VALUES (7)");
    await store.close();

    const reopened = await openCatalogStore({ dataDir });
    assert.deepEqual(await reopened.client.query("SELECT id FROM kept"), [{ id: 7 }]);
    await reopened.close();
  });
});
