/**
 * Writes admin-ui/src/generated/schema.ts: the GraphQL schema's enums as string unions and its object types as
 * TypeScript interfaces (scalars mapped, lists readonly, nullable fields `| null`), printed from the server's own
 * schema. admin-ui/src/types.ts takes its enums from it and checks its hand-written shapes' fields against it, so
 * a field renamed or removed on the server fails the UI's typecheck once this file is regenerated, and
 * scripts/ui-schema-types.test.ts fails until it is: `npx tsx scripts/ui-schema-types.ts`.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type IntrospectionQuery,
} from "graphql";
import { createLogger } from "../server/logging.ts";
import { createTributaryYoga } from "../server/yoga.ts";

export const GENERATED_FILE = join(import.meta.dirname, "..", "admin-ui", "src", "generated", "schema.ts");

const SCALARS: Readonly<Record<string, string>> = { String: "string", ID: "string", Int: "number", Float: "number", Boolean: "boolean", DateTime: "string", JSON: "unknown" };

function typeText(type: GraphQLOutputType, nullable = true): string {
  if (isNonNullType(type)) return typeText(type.ofType, false);
  const inner = isListType(type) ? `readonly ${wrap(typeText(type.ofType as GraphQLOutputType))}[]` : isScalarType(type) ? (SCALARS[type.name] ?? "unknown") : type.name;
  return nullable ? `${inner} | null` : inner;
}

const wrap = (text: string) => (text.includes("|") ? `(${text})` : text);

/** The schema the server serves, read by introspection (as any client sees it). */
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

/** The generated module's text. */
export function schemaTypesSource(schema: GraphQLSchema): string {
  const lines = [
    "// Generated from the server's GraphQL schema by scripts/ui-schema-types.ts; do not edit.",
    "// Regenerate after a schema change: npx tsx scripts/ui-schema-types.ts",
    "",
  ];
  const types = Object.values(schema.getTypeMap())
    .filter((type) => !type.name.startsWith("__") && !isScalarType(type) && !isInputObjectType(type))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const type of types) {
    if (isEnumType(type)) {
      lines.push(`export type ${type.name} = ${type.getValues().map((value) => JSON.stringify(value.name)).join(" | ")};`, "");
    } else if (isObjectType(type) || isInterfaceType(type)) {
      lines.push(`export interface ${type.name} {`);
      for (const field of Object.values(type.getFields())) lines.push(`  readonly ${field.name}: ${typeText(field.type)};`);
      lines.push("}", "");
    } else if (isUnionType(type)) {
      lines.push(`export type ${type.name} = ${type.getTypes().map((member) => getNamedType(member).name).join(" | ")};`, "");
    }
  }
  return lines.join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  writeFileSync(GENERATED_FILE, schemaTypesSource(await serverSchema()));
  console.log(`wrote ${GENERATED_FILE}`);
}
