// The compiled `tributary` command: server/cli.ts and everything it imports from this repository, bundled by
// esbuild into one ES module, dist/tributary.js (npm packages stay external, loaded from node_modules as
// before). bin/tributary.js runs the bundle, rebuilding it first when a source file is newer, so a process
// starts without compiling TypeScript: importing the bundle takes a fraction of what tsx's loader needs for
// the ~300 source files (measured in bench/startup-bench.ts). Plain Node, like scripts/ensure-setup.mjs.
import { mkdirSync, readFileSync, renameSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const CLI_ENTRY = join(root, "server", "cli.ts");
export const CLI_BUNDLE = join(root, "dist", "tributary.js");
/**
 * The column lineage worker thread's program, bundled beside the CLI as its own file (a worker runs a file):
 * connectors/dbt/column-lineage-thread.ts finds it through the banner's `__tributaryPath`.
 */
const LINEAGE_WORKER_ENTRY = join(root, "connectors", "dbt", "column-lineage-worker.ts");
const LINEAGE_WORKER_BUNDLE = join(root, "dist", "column-lineage-worker.js");
/** The bundle's inputs (paths relative to the repository), written beside it, for the freshness check. */
const INPUTS = join(root, "dist", "tributary.inputs.json");
/** What the bundle depends on besides its inputs: this script's options. */
const THIS_SCRIPT = fileURLToPath(import.meta.url);

/**
 * Whether dist/tributary.js exists and is newer than every file it was built from (and this script). A
 * checkout, pull or edit gives a changed file a newer time, so the bundle is rebuilt.
 */
export function cliBundleIsFresh() {
  let builtAt;
  let inputs;
  try {
    builtAt = statSync(CLI_BUNDLE).mtimeMs;
    statSync(LINEAGE_WORKER_BUNDLE);
    inputs = JSON.parse(readFileSync(INPUTS, "utf8"));
  } catch {
    return false;
  }
  if (!Array.isArray(inputs)) return false;
  try {
    for (const input of [THIS_SCRIPT, ...inputs.map((path) => join(root, path))]) {
      if (statSync(input).mtimeMs > builtAt) return false;
    }
  } catch {
    return false; // an input was deleted or renamed
  }
  return true;
}

/**
 * Each module's `import.meta.url` / `dirname` / `filename` as they are in the source tree, so paths built
 * from them (migrations, the web UI's dist, demo-project, package.json) resolve as when run from source:
 * in a bundle every module would otherwise share dist/tributary.js's.
 */
const sourceLocations = {
  name: "source-locations",
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      const text = readFileSync(args.path, "utf8");
      if (!text.includes("import.meta.")) return undefined;
      const fromBundle = relative(dirname(CLI_BUNDLE), args.path).split(sep).join("/");
      const dirFromBundle = relative(dirname(CLI_BUNDLE), dirname(args.path)).split(sep).join("/") || ".";
      const contents = text
        .replaceAll("import.meta.url", `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`)
        .replaceAll("import.meta.filename", `__tributaryPath(${JSON.stringify(fromBundle)})`)
        .replaceAll("import.meta.dirname", `__tributaryPath(${JSON.stringify(dirFromBundle)})`);
      return { contents, loader: "ts" };
    });
  },
};

/** Builds dist/tributary.js and dist/column-lineage-worker.js (and their source maps and inputs list); written through renames, so a concurrent start never reads half a file. */
export async function buildCli() {
  const esbuild = await import("esbuild");
  // The bundle is dated when its sources were read: a file saved during the build makes it stale.
  const startedAt = new Date();
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: { tributary: CLI_ENTRY, "column-lineage-worker": LINEAGE_WORKER_ENTRY },
    outdir: dirname(CLI_BUNDLE),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    sourcemap: "linked",
    metafile: true,
    write: false,
    logLevel: "silent",
    plugins: [sourceLocations],
    banner: {
      js: [
        "// Built by scripts/build-cli.mjs from server/cli.ts (and the column lineage worker); do not edit.",
        'import { fileURLToPath as __tributaryFileURLToPath } from "node:url";',
        "const __tributaryPath = (relative) => __tributaryFileURLToPath(new URL(relative, import.meta.url));",
      ].join("\n"),
    },
  });
  mkdirSync(dirname(CLI_BUNDLE), { recursive: true });
  const suffix = `.${process.pid}.tmp`;
  const inputs = Object.keys(result.metafile.inputs).filter((path) => !path.includes("node_modules"));
  // The inputs list first and the bundle last: the bundle's time is what the freshness check compares against.
  writeFileSync(INPUTS + suffix, JSON.stringify(inputs));
  renameSync(INPUTS + suffix, INPUTS);
  const files = [...result.outputFiles].sort((a, b) => Number(a.path === CLI_BUNDLE) - Number(b.path === CLI_BUNDLE));
  for (const file of files) {
    writeFileSync(file.path + suffix, file.contents);
    renameSync(file.path + suffix, file.path);
  }
  utimesSync(CLI_BUNDLE, startedAt, startedAt);
  return CLI_BUNDLE;
}

// `node scripts/build-cli.mjs` builds unconditionally.
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildCli();
  process.stderr.write(`built ${relative(process.cwd(), CLI_BUNDLE)}\n`);
}
