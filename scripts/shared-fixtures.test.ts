import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fixtureUnder, sharedFixture } from "./shared-fixtures.ts";

test("a shared fixture is found in place, and a missing one or a missing shared/ says what to do", () => {
  assert.ok(existsSync(sharedFixture("manifests", "jaffle-shop-state-v11-postgres", "manifest.json")));
  assert.throws(() => sharedFixture("manifests", "no-such-project"), /The shared fixture manifests\/no-such-project is missing from .*shared[\\/]fixtures/);
  const nowhere = join(tmpdir(), "no-shared-here", "fixtures");
  assert.throws(() => fixtureUnder(nowhere, "manifests"), (error: Error) => error.message.includes(nowhere) && /Run from a checkout with shared\/ beside it/.test(error.message));
});
