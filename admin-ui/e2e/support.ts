/**
 * What the end-to-end tests, the screenshot script and the UI bench share: a real `tributary serve` process and
 * Debian's Chromium driven by playwright-core.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";

/** The repository root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const CHROMIUM = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";

/** Flags for a root, offline, headless Chromium (see the machine notes: background networking is refused here). */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

/** Launches Chromium, or fails saying how to install it. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the UI tests drive Debian's Chromium. Install it with \`apt-get update && apt-get install -y chromium\` (.ci/run does this).`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** A page that fails the test on any uncaught error in the app. */
export async function newPage(browser: Browser, errors: string[], viewport = { width: 1440, height: 900 }): Promise<Page> {
  const page = await browser.newPage({ viewport });
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  return page;
}

export interface ServeProcess {
  readonly baseUrl: string;
  stop(): Promise<void>;
}

export interface ServeOptions {
  /** Run the scheduler side (today: the Fivetran and Census observers); off by default, as `--no-scheduler`. */
  readonly scheduler?: boolean;
  /** Extra environment for the process (secrets a tributary.yaml reads with `${VAR}`). */
  readonly env?: Readonly<Record<string, string>>;
  /** Start with an empty store (no events of an earlier run), keeping dbt's parse output. */
  readonly freshStore?: boolean;
}

/**
 * Starts `tributary serve` (the real CLI) on a free port with the given location flags, and resolves once it
 * printed its URL. The data dir is kept under admin-ui/.e2e-data so dbt's partial parse makes later runs quicker.
 */
export function startServe(locationFlags: readonly string[], dataDirName = "serve", options: ServeOptions = {}): Promise<ServeProcess> {
  const dataDir = join(ROOT, "admin-ui", ".e2e-data", dataDirName);
  if (options.freshStore) rmSync(join(dataDir, "pgdata"), { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const child: ChildProcess = spawn(
    process.execPath,
    ["--import", "tsx", join(ROOT, "server", "cli.ts"), "serve", ...locationFlags, "--port", "0", ...(options.scheduler ? [] : ["--no-scheduler"]), "--data-dir", dataDir],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, TRIBUTARY_LOG_LEVEL: "warn", ...options.env } },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-8000)));
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
    });
  return new Promise((resolve, reject) => {
    let stdout = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /Tributary is serving (http:\/\/\S+?)\/graphql/.exec(stdout);
      if (match?.[1]) resolve({ baseUrl: match[1], stop });
    });
    child.once("exit", (code) => reject(new Error(`tributary serve exited with ${code} before serving:\n${stderr}`)));
  });
}

/** The demo-project, as the tests and screenshots serve it. */
export const DEMO_PROJECT = ["--dbt-project", join(ROOT, "demo-project")];
/** A dbt project whose policies are all invalid: gives the locations page diagnostics to show. */
export const BAD_POLICIES_PROJECT = ["--dbt-project", join(ROOT, "connectors", "dbt", "test-projects", "bad_policies")];

/**
 * An operator token made with `tributary token create` in the fresh store, when this build has API tokens; null
 * when it has none (then every caller may launch).
 */
export function operatorToken(dataDir: string): string | null {
  const made = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "server", "cli.ts"), "token", "create", "--role", "operator", "--name", "e2e", "--data-dir", dataDir], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, TRIBUTARY_LOG_LEVEL: "warn" },
  });
  if (made.status !== 0) {
    if (/unknown command/i.test(made.stderr)) return null;
    throw new Error(`tributary token create failed: ${made.stderr}`);
  }
  return made.stdout.trim();
}
