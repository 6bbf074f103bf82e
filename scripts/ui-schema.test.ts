/**
 * admin-ui/schema.graphql is the server's schema as it is now: a schema change without `npm run codegen` fails
 * here; regenerated, a field the UI still names fails codegen (its documents are validated against the schema)
 * and the UI's typecheck (its types come from the generated file).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { SCHEMA_FILE, schemaText, serverSchema } from "./ui-schema.ts";

test("the UI's schema.graphql is the server's schema", async () => {
  assert.equal(readFileSync(SCHEMA_FILE, "utf8"), schemaText(await serverSchema()), "run: npm run codegen");
});
