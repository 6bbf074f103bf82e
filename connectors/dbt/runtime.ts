/**
 * Finds the dbt executable Tributary runs, in this order:
 * 1. the configured one (`dbt.executable` in tributary.yaml, or env TRIBUTARY_DBT_EXECUTABLE);
 * 2. `dbt` on PATH, when `dbt --version` works and reports dbt-core;
 * 3. the project-managed virtualenv at `<repo>/.venv/dbt`, created on first need from requirements.txt.
 *
 * The managed virtualenv carries a stamp file written only after a complete install. The stamp holds a hash of
 * the pins, so a changed pin, or an install killed midway, is noticed and the virtualenv is built again.
 * Creation is guarded by a lock file, because two processes (parallel test files on a fresh clone) may ask at
 * the same moment.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { constants as fsConstants, existsSync } from "node:fs";
import { access, mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { delimiter, dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { LockHeldError, acquireLock } from "../../support/index.ts";

/** A dbt executable Tributary can run. */
export interface DbtRuntime {
  /** Absolute path of the `dbt` executable. */
  executable: string;
  /** The dbt-core version it reports, e.g. "1.11.16". */
  version: string;
  /** Where it was found. */
  source: "configured" | "path" | "managed-venv";
}

/** What went wrong while finding or installing dbt. */
export type DbtRuntimeErrorCode = "python_missing" | "venv_failed" | "pip_failed" | "dbt_not_runnable";

/** An error finding or installing dbt, with a message a user can act on. */
export class DbtRuntimeError extends Error {
  override readonly name = "DbtRuntimeError";
  readonly code: DbtRuntimeErrorCode;

  constructor(code: DbtRuntimeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Versions reported by `dbt --version`. */
export interface DbtVersionInfo {
  /** The dbt-core version, e.g. "1.11.16". */
  core: string;
  /** Adapter plugins and their versions, e.g. `{ duckdb: "1.11.1" }`. */
  plugins: Record<string, string>;
}

/** Options shared by {@link resolveDbtRuntime} and {@link ensureManagedDbt}. */
export interface ManagedDbtOptions {
  /** The repository root holding `.venv/`; defaults to the root of this checkout. */
  repoRoot?: string;
  /** Called with short human-readable progress messages (creating the virtualenv, installing, waiting). */
  onProgress?: (message: string) => void;
  /** The environment to search PATH in and to run processes with; defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/** Options of {@link resolveDbtRuntime}. */
export interface ResolveDbtRuntimeOptions extends ManagedDbtOptions {
  /** `dbt.executable` from tributary.yaml; env TRIBUTARY_DBT_EXECUTABLE is used when this is empty. */
  configuredExecutable?: string | null;
  /** Skip `dbt` on PATH and use the managed virtualenv (tests use this to be deterministic). */
  preferManaged?: boolean;
}

/** The oldest Python dbt-core 1.11 installs on (its `Requires-Python: >=3.10`). */
export const MINIMUM_PYTHON: readonly [number, number] = [3, 10];

/** The root of this checkout (two levels above connectors/dbt/). */
export const DEFAULT_REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The pins the managed virtualenv is built from. */
export const REQUIREMENTS_PATH = fileURLToPath(new URL("./requirements.txt", import.meta.url));

const STAMP_FILE = "tributary-install.json";
const PYTHON_CANDIDATES = ["python3", "python"];
const LOCK_POLL_MS = 300;
const LOCK_MAX_WAIT_MS = 30 * 60_000;

interface InstallStamp {
  requirementsHash: string;
  dbtVersion: string;
  python: string;
  installedAt: string;
}

/**
 * Returns the dbt to run: the configured executable, else `dbt` on PATH (unless `preferManaged`), else the
 * managed virtualenv, created on first need. A configured executable that does not run is an error, never
 * silently replaced.
 */
export async function resolveDbtRuntime(options: ResolveDbtRuntimeOptions = {}): Promise<DbtRuntime> {
  const env = options.env ?? process.env;
  const configured = nonEmpty(options.configuredExecutable) ?? nonEmpty(env["TRIBUTARY_DBT_EXECUTABLE"]);
  if (configured !== null) {
    const executable = isAbsolute(configured) || /[\\/]/.test(configured) ? resolve(configured) : await findOnPath(configured, env);
    const probe = executable === null ? null : await probeDbtVersion(executable, env);
    if (executable === null || probe === null) {
      throw new DbtRuntimeError(
        "dbt_not_runnable",
        `The configured dbt executable "${configured}" (TRIBUTARY_DBT_EXECUTABLE / dbt.executable in tributary.yaml) ` +
          (executable === null ? "was not found on PATH." : `did not run: \`${executable} --version\` failed or did not report dbt-core.`) +
          " Point it at a working dbt, or remove the setting to let Tributary manage its own dbt.",
      );
    }
    return { executable, version: probe.core, source: "configured" };
  }
  if (!options.preferManaged) {
    const onPath = await findOnPath("dbt", env);
    if (onPath !== null) {
      const probe = await probeDbtVersion(onPath, env);
      if (probe !== null) return { executable: onPath, version: probe.core, source: "path" };
      options.onProgress?.(`ignoring dbt on PATH (${onPath}): \`dbt --version\` failed or did not report dbt-core`);
    }
  }
  return ensureManagedDbt(options);
}

/**
 * Returns the dbt of the managed virtualenv at `<repoRoot>/.venv/dbt`, creating it first if it is missing,
 * half-installed, or built from other pins. Safe to call from several processes at once.
 */
export async function ensureManagedDbt(options: ManagedDbtOptions = {}): Promise<DbtRuntime> {
  const env = options.env ?? process.env;
  const progress = options.onProgress ?? (() => undefined);
  const repoRoot = options.repoRoot ?? DEFAULT_REPO_ROOT;
  const venvDir = managedVenvDir(repoRoot);
  const requirements = await readFile(REQUIREMENTS_PATH, "utf8");
  const requirementsHash = hashRequirements(requirements);

  const ready = await readyManagedRuntime(venvDir, requirementsHash);
  if (ready !== null) return ready;

  // Look for Python before taking the lock, so a machine without it fails at once.
  const python = await findPython(env);
  await mkdir(dirname(venvDir), { recursive: true });
  return withInstallLock(join(dirname(venvDir), "dbt.lock"), progress, async () => {
    // Another process may have finished the install while this one waited for the lock.
    const installedMeanwhile = await readyManagedRuntime(venvDir, requirementsHash);
    if (installedMeanwhile !== null) return installedMeanwhile;
    return installManagedDbt({ venvDir, python, requirements, requirementsHash, env, progress });
  });
}

/** The managed virtualenv's directory for a repository root. */
export function managedVenvDir(repoRoot: string = DEFAULT_REPO_ROOT): string {
  return join(repoRoot, ".venv", "dbt");
}

/** The pinned packages of requirements.txt, e.g. `{ "dbt-core": "1.11.16", … }`. */
export function parsePins(requirements: string): Record<string, string> {
  const pins: Record<string, string> = {};
  for (const line of requirementLines(requirements)) {
    const match = /^([A-Za-z0-9._-]+)(?:\[[^\]]*\])?\s*==\s*([^\s;#]+)/.exec(line);
    if (match) pins[match[1]!.toLowerCase()] = match[2]!;
  }
  return pins;
}

/** Runs `<executable> --version` and parses it; null when it fails or is not dbt-core (dbt Fusion, say). */
export async function probeDbtVersion(executable: string, env: NodeJS.ProcessEnv = process.env): Promise<DbtVersionInfo | null> {
  let result: ProcessResult;
  try {
    result = await runProcess(executable, ["--version"], {
      env: { ...env, DBT_SEND_ANONYMOUS_USAGE_STATS: "false" },
      timeoutMs: 60_000,
    });
  } catch {
    return null;
  }
  if (result.exitCode !== 0) return null;
  return parseDbtVersionOutput(result.stdout + "\n" + result.stderr);
}

/** Parses the text of `dbt --version` (dbt-core ≥1.0); null when it names no dbt-core version. */
export function parseDbtVersionOutput(text: string): DbtVersionInfo | null {
  // dbt ≥1.5 prints "Core:\n  - installed: 1.11.16"; 1.0–1.4 printed "installed version: 1.4.9".
  const core = /installed(?: version)?:\s*v?(\d+\.\d+\.\d+[^\s]*)/.exec(text)?.[1];
  if (core === undefined) return null;
  const plugins: Record<string, string> = {};
  const pluginsAt = text.indexOf("Plugins:");
  if (pluginsAt >= 0) {
    for (const match of text.slice(pluginsAt).matchAll(/^\s*-\s*([A-Za-z0-9_-]+):\s*v?(\d+\.\d+\.\d+[^\s]*)/gm)) {
      plugins[match[1]!] = match[2]!;
    }
  }
  return { core, plugins };
}

async function readyManagedRuntime(venvDir: string, requirementsHash: string): Promise<DbtRuntime | null> {
  const stamp = await readStamp(join(venvDir, STAMP_FILE));
  if (stamp === null || stamp.requirementsHash !== requirementsHash) return null;
  const executable = venvExecutable(venvDir, "dbt");
  // existsSync follows symlinks: a virtualenv whose base Python was removed has a dangling bin/python.
  if (!existsSync(executable) || !existsSync(venvExecutable(venvDir, "python"))) return null;
  return { executable, version: stamp.dbtVersion, source: "managed-venv" };
}

interface InstallContext {
  venvDir: string;
  python: PythonInfo;
  requirements: string;
  requirementsHash: string;
  env: NodeJS.ProcessEnv;
  progress: (message: string) => void;
}

async function installManagedDbt(context: InstallContext): Promise<DbtRuntime> {
  const { venvDir, python, requirements, requirementsHash, env, progress } = context;
  const started = Date.now();
  // Whatever is there is incomplete or built from other pins: start clean rather than patch it.
  await rm(venvDir, { recursive: true, force: true });

  progress(`creating dbt virtualenv in ${venvDir} (Python ${python.version})…`);
  const venv = await runProcess(python.executable, ["-m", "venv", venvDir], { env, timeoutMs: 10 * 60_000 }).catch(
    (error: unknown) => {
      throw new DbtRuntimeError("venv_failed", `Could not start ${python.executable} to create a virtualenv: ${errorMessage(error)}`, { cause: error });
    },
  );
  const venvPython = venvExecutable(venvDir, "python");
  if (venv.exitCode !== 0 || !existsSync(venvPython)) {
    const ensurepipMissing = /ensurepip|python3-venv/.test(venv.stderr + venv.stdout);
    throw new DbtRuntimeError(
      "venv_failed",
      `Could not create the dbt virtualenv at ${venvDir} with \`${python.executable} -m venv\`` +
        (ensurepipMissing ? " (the venv module is not installed: on Debian/Ubuntu, install the python3-venv package)" : "") +
        `.\n${tail(venv.stderr || venv.stdout)}`,
    );
  }

  const pins = parsePins(requirements);
  const pinList = Object.entries(pins).map(([name, version]) => `${name} ${version}`).join(", ");
  progress(`installing ${pinList} (first run only; this takes a minute or two)…`);
  let collected = 0;
  const pip = await runProcess(
    venvPython,
    ["-m", "pip", "install", "--disable-pip-version-check", "--no-input", "--progress-bar", "off", "-r", REQUIREMENTS_PATH],
    {
      env: { ...env, PIP_DISABLE_PIP_VERSION_CHECK: "1", PIP_NO_INPUT: "1" },
      timeoutMs: 30 * 60_000,
      onStdoutLine: (line) => {
        // pip prints one "Collecting x" per package; report every tenth, then the install step itself.
        if (line.startsWith("Collecting ")) {
          collected++;
          if (collected % 10 === 0) progress(`  resolved ${collected} packages…`);
        } else if (line.startsWith("Installing collected packages:")) {
          const count = line.slice("Installing collected packages:".length).split(",").length;
          progress(`  installing ${count} packages into the virtualenv…`);
        }
      },
    },
  ).catch((error: unknown) => {
    throw new DbtRuntimeError("pip_failed", `Could not start pip in ${venvDir}: ${errorMessage(error)}`, { cause: error });
  });
  if (pip.exitCode !== 0) {
    throw new DbtRuntimeError(
      "pip_failed",
      `pip could not install dbt (${pinList}) into ${venvDir} (exit code ${pip.exitCode}). ` +
        `Check your network or package index settings, or point Tributary at an existing dbt with ` +
        `TRIBUTARY_DBT_EXECUTABLE / dbt.executable in tributary.yaml. pip said:\n${tail(pip.stderr || pip.stdout)}`,
    );
  }

  const executable = venvExecutable(venvDir, "dbt");
  const probe = await probeDbtVersion(executable, env);
  if (probe === null) {
    throw new DbtRuntimeError(
      "dbt_not_runnable",
      `dbt was installed into ${venvDir} but \`${executable} --version\` fails. Delete ${venvDir} and try again.`,
    );
  }
  const stamp: InstallStamp = {
    requirementsHash,
    dbtVersion: probe.core,
    python: `${python.version} (${python.executable})`,
    installedAt: new Date().toISOString(),
  };
  // Written last, and atomically: its presence means the install finished.
  const stampPath = join(venvDir, STAMP_FILE);
  await writeFile(`${stampPath}.tmp`, JSON.stringify(stamp, null, 2) + "\n");
  await rename(`${stampPath}.tmp`, stampPath);
  progress(`dbt ${probe.core} ready in ${venvDir} (${Math.round((Date.now() - started) / 1000)} s)`);
  return { executable, version: probe.core, source: "managed-venv" };
}

async function readStamp(path: string): Promise<InstallStamp | null> {
  try {
    const parsed = JSON.parse(await readFile(path, "utf8")) as Partial<InstallStamp>;
    if (typeof parsed.requirementsHash !== "string" || typeof parsed.dbtVersion !== "string") return null;
    return parsed as InstallStamp;
  } catch {
    return null;
  }
}

/** Hashes the requirement lines only, so editing a comment does not rebuild the virtualenv. */
function hashRequirements(requirements: string): string {
  return createHash("sha256").update(requirementLines(requirements).join("\n")).digest("hex");
}

function requirementLines(requirements: string): string[] {
  return requirements
    .split(/\r?\n/)
    .map((line) => line.replace(/(^|\s)#.*$/, "").trim())
    .filter((line) => line !== "");
}

function venvExecutable(venvDir: string, name: string): string {
  return process.platform === "win32" ? join(venvDir, "Scripts", `${name}.exe`) : join(venvDir, "bin", name);
}

// ---------------------------------------------------------------------------------------------------------
// Python

interface PythonInfo {
  /** The interpreter's own path (sys.executable), not a shim in front of it. */
  executable: string;
  version: string;
}

async function findPython(env: NodeJS.ProcessEnv): Promise<PythonInfo> {
  const tooOld: string[] = [];
  for (const name of PYTHON_CANDIDATES) {
    const found = await findOnPath(name, env);
    if (found === null) continue;
    let result: ProcessResult;
    try {
      result = await runProcess(found, ["-c", "import sys; print('%d.%d.%d' % sys.version_info[:3]); print(sys.executable)"], {
        env,
        timeoutMs: 30_000,
      });
    } catch {
      continue;
    }
    const [version, executable] = result.stdout.trim().split(/\r?\n/);
    const match = /^(\d+)\.(\d+)\.\d+$/.exec(version ?? "");
    if (result.exitCode !== 0 || !match) continue;
    const [major, minor] = [Number(match[1]), Number(match[2])];
    if (major > MINIMUM_PYTHON[0] || (major === MINIMUM_PYTHON[0] && minor >= MINIMUM_PYTHON[1])) {
      return { executable: executable && isAbsolute(executable) ? executable : found, version: version! };
    }
    tooOld.push(`${found} is Python ${version}`);
  }
  const required = `${MINIMUM_PYTHON[0]}.${MINIMUM_PYTHON[1]}`;
  throw new DbtRuntimeError(
    "python_missing",
    `Python ${required}+ is needed to run dbt (looked for ${PYTHON_CANDIDATES.join(", ")} on PATH` +
      (tooOld.length > 0 ? `; found only older ones: ${tooOld.join(", ")}` : "") +
      "). Install Python, or point Tributary at an existing dbt with TRIBUTARY_DBT_EXECUTABLE / dbt.executable in tributary.yaml.",
  );
}

/** The absolute path of an executable found on the PATH of `env`, or null. */
export async function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  const pathValue = env["PATH"] ?? env["Path"] ?? "";
  const extensions = process.platform === "win32" ? (env["PATHEXT"] ?? ".EXE;.CMD;.BAT").split(";") : [""];
  for (const dir of pathValue.split(delimiter)) {
    if (dir === "") continue;
    for (const extension of extensions) {
      const candidate = join(dir, name + extension);
      try {
        await access(candidate, fsConstants.X_OK);
        if ((await stat(candidate)).isFile()) return resolve(candidate);
      } catch {
        // not here
      }
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------
// The install lock

/**
 * Runs `fn` holding the install lock (support/dir-lock.ts): a second process setting up dbt waits for the first
 * (it then finds the install done) instead of installing into the same virtualenv at once.
 */
async function withInstallLock<T>(lockPath: string, progress: (message: string) => void, fn: () => Promise<T>): Promise<T> {
  let lock;
  try {
    lock = await acquireLock(lockPath, {
      wait: {
        maxMs: LOCK_MAX_WAIT_MS,
        pollMs: LOCK_POLL_MS,
        onWait: (owner) => progress(`waiting for ${owner ? `process ${owner.pid} on ${owner.hostname}` : "another process"} to finish setting up dbt…`),
      },
    });
  } catch (error) {
    if (!(error instanceof LockHeldError)) throw error;
    throw new DbtRuntimeError("venv_failed", `Timed out waiting for ${lockPath}, held by another process setting up dbt. ${error.message}`);
  }
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}

// ---------------------------------------------------------------------------------------------------------
// Processes

interface ProcessResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

interface RunProcessOptions {
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  onStdoutLine?: (line: string) => void;
}

/** Runs a process to completion, collecting its output (at most the last 1 MB of each stream). */
function runProcess(command: string, args: readonly string[], options: RunProcessOptions): Promise<ProcessResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { env: options.env, stdio: ["ignore", "pipe", "pipe"], windowsHide: true });
    let stdout = "";
    let stderr = "";
    let pending = "";
    const keep = (text: string) => (text.length > 1_000_000 ? text.slice(-1_000_000) : text);
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      stdout = keep(stdout + chunk);
      if (options.onStdoutLine) {
        pending += chunk;
        const lines = pending.split(/\r?\n/);
        pending = lines.pop() ?? "";
        for (const line of lines) options.onStdoutLine(line);
      }
    });
    child.stderr.on("data", (chunk: string) => {
      stderr = keep(stderr + chunk);
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
    timer.unref();
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (exitCode) => {
      clearTimeout(timer);
      if (pending !== "" && options.onStdoutLine) options.onStdoutLine(pending);
      resolvePromise({ exitCode, stdout, stderr });
    });
  });
}

/** The last lines of a process's output, for error messages. */
function tail(text: string, lines = 15): string {
  return text
    .split(/\r?\n/)
    .filter((line) => line.trim() !== "")
    .slice(-lines)
    .map((line) => `  ${line}`)
    .join("\n");
}

function nonEmpty(value: string | null | undefined): string | null {
  return value !== undefined && value !== null && value.trim() !== "" ? value.trim() : null;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

