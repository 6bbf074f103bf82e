/**
 * admin-ui/src/generated/schema.ts is the server's schema as it is now: a schema change without the UI's types
 * regenerated (`npx tsx scripts/ui-schema-types.ts`) fails here; regenerated, a field the UI still names fails
 * the UI's typecheck (admin-ui/src/types.ts, SchemaChecks).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { buildSchema, type GraphQLSchema } from "graphql";
import { GENERATED_FILE, schemaTypesSource, serverSchema } from "./ui-schema-types.ts";

test("the UI's generated schema types match the server's schema", async () => {
  assert.equal(readFileSync(GENERATED_FILE, "utf8"), schemaTypesSource(await serverSchema()), "run: npx tsx scripts/ui-schema-types.ts");
});

test("the printer maps scalars, lists, nullability and enums", () => {
  const schema = buildSchema(`
    scalar DateTime
    enum Colour { RED GREEN }
    type Query { thing(id: ID!): Thing }
    type Thing { id: ID! at: DateTime tags: [String!]! maybe: [Int] colour: Colour! next: Thing }
  `) as GraphQLSchema;
  const text = schemaTypesSource(schema);
  assert.match(text, /export type Colour = "RED" \| "GREEN";/);
  const thing = text.slice(text.indexOf("export interface Thing {"));
  for (const field of ["readonly id: string;", "readonly at: string | null;", "readonly tags: readonly string[];", "readonly maybe: readonly (number | null)[] | null;", "readonly colour: Colour;", "readonly next: Thing | null;"]) {
    assert.ok(thing.includes(field), field);
  }
});
