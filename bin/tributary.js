#!/usr/bin/env node
// The `tributary` command. Tributary is written in TypeScript and runs from source: tsx's loader is
// registered in-process, then the CLI module is imported and run. No build step, and `npx tributary` works
// from a clone after `npm install`.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

// Use Tributary's own tsconfig, not whatever tsconfig.json is in the directory the command runs from.
const tsconfig = fileURLToPath(new URL("../tsconfig.json", import.meta.url));
register({ tsconfig: existsSync(tsconfig) ? tsconfig : false });

const { runAsProcess } = await import("../server/cli.ts");
await runAsProcess(process.argv);
