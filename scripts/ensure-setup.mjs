#!/usr/bin/env node
// Makes a fresh clone runnable with no manual steps: installs npm packages when they are missing or stale,
// then the project-managed dbt virtualenv. Plain Node (no dependencies), because it runs before `npm ci`.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const lock = join(root, "package-lock.json");
const installedLock = join(root, "node_modules", ".package-lock.json");

function npmPackagesAreCurrent() {
  if (!existsSync(installedLock)) return false;
  return statSync(installedLock).mtimeMs >= statSync(lock).mtimeMs;
}

if (!npmPackagesAreCurrent()) {
  console.error("[setup] installing npm packages (npm ci)…");
  execFileSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" });
}

if (!process.argv.includes("--npm-only") && existsSync(join(root, "scripts", "setup-dbt.ts"))) {
  const tsx = join(root, "node_modules", ".bin", "tsx");
  const result = spawnSync(tsx, [join(root, "scripts", "setup-dbt.ts")], { cwd: root, stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
