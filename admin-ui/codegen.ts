/**
 * graphql-codegen: the UI's result and variable types, and its documents as typed strings, from the server's
 * schema (schema.graphql, printed by ../scripts/ui-schema.ts) and the documents in src/data-provider/documents.
 * `npm run codegen` regenerates both; src/data-provider/codegen.server.test.ts fails while the output is stale.
 */
import type { CodegenConfig } from "@graphql-codegen/cli";

export const GENERATED_TYPES = "src/generated/graphql.ts";

const config: CodegenConfig = {
  schema: "schema.graphql",
  documents: "src/data-provider/documents/*.graphql",
  emitLegacyCommonJSImports: false,
  generates: {
    [GENERATED_TYPES]: {
      // typescript-operations (v6) writes the enums and inputs the documents use; no schema-wide types.
      plugins: ["typescript-operations", "typed-document-node"],
      config: {
        // Sent as plain strings (no GraphQL AST or parser in the bundle), typed by result and variables.
        documentMode: "string",
        // Enums as string unions (no runtime enums).
        enumsAsTypes: true,
        immutableTypes: true,
        skipTypename: true,
        // A selected field is always present (null when the schema says it may be); variables may be left out.
        avoidOptionals: { field: true, inputValue: false, object: false, defaultValue: false },
        maybeValue: "T | null",
        strictScalars: true,
        scalars: { DateTime: "string", JSON: "unknown" },
        useTypeImports: true,
      },
    },
  },
};

export default config;
