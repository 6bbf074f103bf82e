// Lint config: typescript-eslint's recommended rules. The part boundaries are .dependency-cruiser.cjs's, checked
// by `npm run lint` too.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

export default tseslint.config(
  {
    ignores: [
      "node_modules/**", "admin-ui/dist/**", "admin-ui/**", "demo-project/**", ".tributary/**", ".venv/**",
      "**/target/**", "bench/out/**", "dist/**",
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

);
