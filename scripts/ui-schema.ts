/**
 * Writes admin-ui/schema.graphql: the server's GraphQL schema as SDL, read by introspection (as any client sees
 * it) and sorted, so a change shows as a small diff. The UI's types are generated from it and from the UI's own
 * documents by graphql-codegen (admin-ui/codegen.ts); `npm run codegen` (here or in admin-ui) does both, and
 * scripts/ui-schema.test.ts and admin-ui's codegen test fail while either file is stale.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { buildClientSchema, getIntrospectionQuery, lexicographicSortSchema, printSchema, type GraphQLSchema, type IntrospectionQuery } from "graphql";
import { createLogger } from "../server/logging.ts";
import { createTributaryYoga } from "../server/yoga.ts";

export const SCHEMA_FILE = join(import.meta.dirname, "..", "admin-ui", "schema.graphql");

/** The schema the server serves, read by introspection. */
export async function serverSchema(): Promise<GraphQLSchema> {
  const yoga = createTributaryYoga({ catalog: null, logger: createLogger({ level: "silent" }) });
  const response = await yoga.fetch("http://localhost/graphql", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: getIntrospectionQuery() }),
  });
  const body = (await response.json()) as { data?: IntrospectionQuery };
  if (!body.data) throw new Error(`introspection failed: ${JSON.stringify(body)}`);
  return buildClientSchema(body.data);
}

/** schema.graphql's text. */
export function schemaText(schema: GraphQLSchema): string {
  return [
    "# The server's GraphQL schema, printed by scripts/ui-schema.ts (`npm run codegen`); do not edit.",
    printSchema(lexicographicSortSchema(schema)),
    "",
  ].join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  writeFileSync(SCHEMA_FILE, schemaText(await serverSchema()));
  console.log(`wrote ${SCHEMA_FILE}`);
}
