// Lint config: typescript-eslint's recommended rules plus the part boundaries of ARCHITECTURE.md.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

export default tseslint.config(
  {
    ignores: [
      "node_modules/**", "admin-ui/dist/**", "admin-ui/**", "demo-project/**", ".tributary/**", ".venv/**",
      "**/target/**", "bench/out/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-console": "off",
    },
  },
  {
    // catalog/model is the contract every part builds on: it imports nothing of ours.
    files: ["catalog/model/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["../../*", "../graph/*", "../store/*"], message: "catalog/model imports nothing of ours" }] }],
    },
  },
  {
    // The catalog and the scheduler never import a connector; the server wires connectors in.
    files: ["catalog/**/*.ts", "scheduler/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["**/connectors/**"], message: "the catalog and scheduler never import a connector" }] }],
    },
  },
  {
    // Connectors import only catalog/model (and the small interfaces they implement).
    files: ["connectors/**/*.ts"],
    ignores: ["**/*.test.ts"], // tests may check what the catalog makes of a connector's output
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["**/catalog/graph/**", "**/catalog/store/**", "**/server/**", "**/scheduler/**"], message: "connectors import only catalog/model" }] }],
    },
  },
);
