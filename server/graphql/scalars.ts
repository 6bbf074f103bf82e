/**
 * Shared building blocks of the schema: the JSON scalar and the types several modules use (places in files,
 * diagnostics).
 */
import { GraphQLScalarType, Kind, type ValueNode } from "graphql";
import type { Diagnostic, SourceLocation } from "../../catalog/model/index.ts";
import { keyToString } from "../../catalog/model/index.ts";
import type { GraphQLContext } from "./context.ts";
import type { SchemaModule } from "./module.ts";

/** Reads a literal in a query as plain JSON (objects, lists, strings, numbers, booleans, null). */
function literalToJson(node: ValueNode, variables: Readonly<Record<string, unknown>> | null | undefined): unknown {
  switch (node.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return node.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.NULL:
      return null;
    case Kind.ENUM:
      return node.value;
    case Kind.LIST:
      return node.values.map((value) => literalToJson(value, variables));
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((field) => [field.name.value, literalToJson(field.value, variables)]));
    case Kind.VARIABLE:
      return variables?.[node.name.value];
  }
}

/** Any JSON value: tool metadata, condition trees. Sent as is. */
export const JsonScalar = new GraphQLScalarType({
  name: "JSON",
  description: "Any JSON value (tool-specific metadata, a condition tree as declared).",
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (node, variables) => literalToJson(node, variables),
});

const typeDefs = /* GraphQL */ `
  "Any JSON value (tool-specific metadata, a condition tree as declared)."
  scalar JSON

  "A place in a user's files."
  type SourceLocation {
    "The file, relative to the location's root when it lives inside it."
    file: String
    "1-based line, when known."
    line: Int
    "Path of the field within the file, e.g. models[0].config.meta.dagster."
    path: String
  }

  enum DiagnosticSeverity {
    ERROR
    WARNING
    INFO
  }

  "Something wrong or dangling found while loading: an invalid policy, a source nothing feeds, a sync reading a table nothing builds."
  type Diagnostic {
    severity: DiagnosticSeverity!
    "Stable machine-readable code, e.g. invalid_policy, dangling_source."
    code: String!
    message: String!
    "The location whose load found it."
    locationName: String!
    "The key of the asset it concerns, as a/b/c."
    assetKey: String
    "The asset it concerns, when that asset is in the catalog."
    asset: Asset
    "The tool's own id of the node at fault (a dbt unique_id…)."
    nodeId: String
    "Where in the user's files."
    at: SourceLocation
  }
`;

const resolvers = {
  JSON: JsonScalar,
  DiagnosticSeverity: { ERROR: "error", WARNING: "warning", INFO: "info" },
  SourceLocation: {
    line: (location: SourceLocation) => location.line ?? null,
    path: (location: SourceLocation) => location.path ?? null,
  },
  Diagnostic: {
    assetKey: (diagnostic: Diagnostic) => (diagnostic.assetKey === null ? null : keyToString(diagnostic.assetKey)),
    asset: (diagnostic: Diagnostic, _args: unknown, context: GraphQLContext) =>
      diagnostic.assetKey === null ? null : (context.graph?.get(keyToString(diagnostic.assetKey)) ?? null),
  },
};

/** The shared scalar and types module. */
export const scalarsModule: SchemaModule = { typeDefs, resolvers };
