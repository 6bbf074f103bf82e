#!/usr/bin/env node
// The `tributary` command. It runs dist/tributary.js, the CLI compiled into one JavaScript module by
// scripts/build-cli.mjs, and builds it first when it is missing or older than a source file (a fraction of a
// second), so a start does not compile TypeScript. When the bundle cannot be built (no esbuild, a read-only
// checkout), it runs the TypeScript source through tsx's loader as before.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildCli, cliBundleIsFresh, CLI_BUNDLE } from "../scripts/build-cli.mjs";

let bundle = cliBundleIsFresh() ? CLI_BUNDLE : await buildCli().catch(() => null);
let runAsProcess;
if (bundle !== null) {
  ({ runAsProcess } = await import(bundle));
} else {
  const { register } = await import("tsx/esm/api");
  // Tributary's own tsconfig, not whatever tsconfig.json is in the directory the command runs from.
  const tsconfig = fileURLToPath(new URL("../tsconfig.json", import.meta.url));
  register({ tsconfig: existsSync(tsconfig) ? tsconfig : false });
  ({ runAsProcess } = await import("../server/cli.ts"));
}
await runAsProcess(process.argv);
