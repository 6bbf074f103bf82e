#!/usr/bin/env node
// Makes a fresh clone runnable with no manual steps: installs npm packages when they are missing or stale,
// then the web UI's packages and build, the compiled command, then the project-managed dbt virtualenv. Plain Node (no dependencies), because it runs before `npm ci`.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

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

// The web catalog (admin-ui/) has packages of its own, and `tributary serve` serves its build (admin-ui/dist):
// install them when missing or stale, and build when dist is missing or older than any of its sources.
const ui = join(root, "admin-ui");
if (existsSync(join(ui, "package.json"))) {
  const uiLock = join(ui, "package-lock.json");
  const uiInstalled = join(ui, "node_modules", ".package-lock.json");
  if (!existsSync(uiInstalled) || statSync(uiInstalled).mtimeMs < statSync(uiLock).mtimeMs) {
    console.error("[setup] installing the web UI's npm packages (npm ci in admin-ui)…");
    execFileSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: ui, stdio: "inherit" });
  }
  const newest = (path) => {
    if (!existsSync(path)) return 0;
    const stat = statSync(path);
    if (!stat.isDirectory()) return stat.mtimeMs;
    return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
  };
  const built = join(ui, "dist", "index.html");
  const sources = ["src", "public", "index.html", "vite.config.ts", "package-lock.json"].map((name) => newest(join(ui, name)));
  if (!existsSync(built) || Math.max(...sources) > statSync(built).mtimeMs) {
    console.error("[setup] building the web UI (admin-ui/dist)…");
    execFileSync("npm", ["run", "build", "--silent"], { cwd: ui, stdio: ["ignore", "ignore", "inherit"] });
  }
}

// The compiled command (dist/tributary.js, see ./build-cli.mjs) that bin/tributary.js, `npm run demo` and
// `npm run serve` run; bin/tributary.js would build it on its first start otherwise.
const { buildCli, cliBundleIsFresh } = await import("./build-cli.mjs");
if (!cliBundleIsFresh()) {
  console.error("[setup] compiling the tributary command (dist/tributary.js)…");
  await buildCli();
}

// A new embedded database starts from a template with every migration applied (catalog/store/template.ts):
// made once per PGlite version and set of migrations, it saves a new data directory's initdb (≈3 s of CPU).
if (!process.argv.includes("--npm-only")) {
  const { ensureStoreTemplate } = await import(pathToFileURL(join(root, "dist", "tributary.js")).href);
  const { made } = await ensureStoreTemplate();
  if (made) console.error("[setup] made the embedded database's template (dist/store-template)");
}

if (!process.argv.includes("--npm-only") && existsSync(join(root, "scripts", "setup-dbt.ts"))) {
  const tsx = join(root, "node_modules", ".bin", "tsx");
  const result = spawnSync(tsx, [join(root, "scripts", "setup-dbt.ts")], { cwd: root, stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
