/**
 * Runs dbt commands on a project: `dbt parse` for loading definitions, and any other command (`dbt build`)
 * through {@link runDbtCommand}.
 *
 * Every run writes its artifacts and logs into a target directory the caller chooses, never into the
 * project's own target/, so Tributary never clobbers a user's artifacts. dbt logs one JSON object per stdout
 * line (`DBT_LOG_FORMAT=json`); the lines are parsed and handed back, and errors are taken from the lines of
 * level `error` rather than from a stack trace.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, readdir, stat } from "node:fs/promises";
import { basename, isAbsolute, join, relative, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import type { DbtRuntime } from "./runtime.ts";

/** One line of dbt's structured log. Lines that are not JSON are kept with level "info" and an empty name. */
export interface DbtLogLine {
  /** "debug", "info", "warn" or "error". */
  level: string;
  /** The event name, e.g. "LogModelResult", "MainEncounteredError". */
  name: string;
  /** The event code, e.g. "Q012". */
  code: string;
  /** The human-readable message. */
  message: string;
  /** When dbt logged it (ISO 8601), when known. */
  timestamp: string | null;
  /** The event's structured data (node_info, status, exc, …). */
  data: Record<string, unknown>;
  /** dbt's id of the invocation (`info.invocation_id`); present on every JSON line of dbt ≥ 1.0. */
  invocationId?: string;
}

/** What went wrong running dbt. */
export type DbtRunErrorCode =
  | "dbt_parse_failed"
  | "dbt_packages_missing"
  | "dbt_not_started"
  | "dbt_cancelled"
  | "dbt_project_missing";

/** An error running dbt on a project, with dbt's own error messages. */
export class DbtRunError extends Error {
  override readonly name = "DbtRunError";
  readonly code: DbtRunErrorCode;
  /** The dbt project directory. */
  readonly projectDir: string;
  /** dbt's error messages (from its log lines of level error), when it got that far. */
  readonly dbtMessages: readonly string[];

  constructor(code: DbtRunErrorCode, projectDir: string, message: string, options?: { dbtMessages?: readonly string[]; cause?: unknown }) {
    super(message, { cause: options?.cause });
    this.code = code;
    this.projectDir = projectDir;
    this.dbtMessages = options?.dbtMessages ?? [];
  }
}

/** Options shared by every dbt command. */
export interface DbtCommandOptions {
  /** The dbt to run (see resolveDbtRuntime). */
  runtime: DbtRuntime;
  /** The dbt project directory (holding dbt_project.yml); dbt runs with it as working directory. */
  projectDir: string;
  /** Where dbt writes artifacts (manifest.json, run_results.json) and its log file. Created if missing. */
  targetPath: string;
  /** Directory of profiles.yml; when absent, dbt's own lookup applies (the project dir, then ~/.dbt). */
  profilesDir?: string | null;
  /** The profile target to use; when absent, the profile's default target. */
  target?: string | null;
  /** Extra environment variables for dbt (added to this process's environment). */
  env?: Record<string, string>;
  /** Called with dbt's info, warn and error messages as they arrive. */
  onProgress?: (message: string) => void;
  /** Called with every parsed log line as it arrives (including debug lines). */
  onLogLine?: (line: DbtLogLine) => void;
  /** Aborting it interrupts dbt (SIGINT, then SIGKILL) and rejects with code `dbt_cancelled`. */
  signal?: AbortSignal;
  /**
   * Called once dbt's process exists, with its pid, before any of its output: a launcher saves it so that a
   * worker taking over after a crash can follow the running dbt instead of starting another.
   */
  onSpawn?: (pid: number) => void;
  /**
   * A file the dbt process writes its own pid into before dbt starts (POSIX only): dbt is started through
   * `sh`, which writes `$$` to the file (atomically, by rename) and then `exec`s dbt under that same pid. So
   * a dbt exists only if its pid file does, whatever moment the launching process dies at — which `onSpawn`
   * alone cannot promise: a worker killed between the spawn and saving the pid leaves a dbt nobody knows of.
   */
  pidFile?: string;
}

/** Exit status of `sh` when the command it was to `exec` is not found. */
const SHELL_NOT_FOUND = 127;
/** Writes the shell's pid to "$0" by rename, then becomes the command "$@" (same pid). */
const PID_FILE_SHIM = 'echo $$ > "$0.tmp" && mv -f "$0.tmp" "$0" && exec "$@"';

/** Options of {@link runDbtCommand}. */
export interface RunDbtCommandOptions extends DbtCommandOptions {
  /** The dbt arguments, starting with the subcommand: `["build", "--select", "orders"]`. */
  args: readonly string[];
  /** Check that declared packages are installed before running (default: true, except for `deps`). */
  checkPackages?: boolean;
}

/** The outcome of a dbt command that ran to its end (successful or not). */
export interface DbtCommandResult {
  /** The arguments dbt ran with, including the ones added here. */
  args: readonly string[];
  /** dbt's exit code: 0 success, 1 some nodes failed, 2 dbt itself failed (null if killed by a signal). */
  exitCode: number | null;
  durationMs: number;
  /** The log lines of level info and above, in order. */
  logLines: DbtLogLine[];
  /** What dbt wrote to stderr (the last 64 kB). */
  stderr: string;
  /** The absolute target path the artifacts are in. */
  targetPath: string;
}

/** The outcome of a successful `dbt parse`. */
export interface DbtParseResult {
  /** Absolute path of the manifest.json dbt wrote. */
  manifestPath: string;
  durationMs: number;
  logLines: DbtLogLine[];
}

const KILL_GRACE_MS = 10_000;
const STDERR_KEEP = 64 * 1024;

/**
 * Runs `dbt parse` and returns the manifest it wrote. Throws {@link DbtRunError} `dbt_parse_failed` with dbt's
 * error message when the project does not parse, and `dbt_packages_missing` when it needs `dbt deps` first.
 */
export async function runDbtParse(options: DbtCommandOptions): Promise<DbtParseResult> {
  const result = await runDbtCommand({ ...options, args: ["parse"] });
  const projectDir = resolve(options.projectDir);
  const manifestPath = join(result.targetPath, "manifest.json");
  if (result.exitCode !== 0) {
    const messages = dbtErrorMessages(result.logLines);
    const detail = messages.length > 0 ? messages.join("\n") : stderrTail(result.stderr) || `dbt exited with code ${result.exitCode}`;
    throw new DbtRunError("dbt_parse_failed", projectDir, `dbt parse failed for the project at ${projectDir}:\n${detail}`, {
      dbtMessages: messages,
    });
  }
  if (!existsSync(manifestPath)) {
    throw new DbtRunError("dbt_parse_failed", projectDir, `dbt parse succeeded for ${projectDir} but wrote no manifest at ${manifestPath}.`);
  }
  return { manifestPath, durationMs: result.durationMs, logLines: result.logLines };
}

/**
 * Runs one dbt command in the project and returns its outcome once dbt exits, whatever the exit code (a build
 * whose tests fail still produces results). Throws {@link DbtRunError} only when dbt could not run at all,
 * when packages are missing, or when cancelled.
 */
export async function runDbtCommand(options: RunDbtCommandOptions): Promise<DbtCommandResult> {
  const projectDir = resolve(options.projectDir);
  const targetPath = resolve(projectDir, options.targetPath);
  if (!existsSync(join(projectDir, "dbt_project.yml"))) {
    throw new DbtRunError("dbt_project_missing", projectDir, `${projectDir} is not a dbt project: it has no dbt_project.yml.`);
  }
  const subcommand = options.args[0];
  if (options.checkPackages ?? subcommand !== "deps") {
    const { installPath, missing } = await findMissingDbtPackages(projectDir);
    if (missing.length > 0) {
      throw new DbtRunError(
        "dbt_packages_missing",
        projectDir,
        `dbt project ${projectDir} uses packages (${missing.join(", ")}) that are not installed in ${installPath}/. ` +
          "Run `dbt deps` in the project (Tributary does not download packages).",
      );
    }
  }
  if (options.signal?.aborted) throw cancelled(projectDir, options.signal);
  await mkdir(targetPath, { recursive: true });

  const args = [...options.args];
  if (options.profilesDir) args.push("--profiles-dir", resolve(options.profilesDir));
  if (options.target) args.push("--target", options.target);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...options.env,
    DBT_LOG_FORMAT: "json",
    DBT_TARGET_PATH: targetPath,
    DBT_LOG_PATH: targetPath,
    DBT_SEND_ANONYMOUS_USAGE_STATS: "false",
    DBT_USE_COLORS: "false",
    // Line-buffered output, so progress arrives while dbt runs.
    PYTHONUNBUFFERED: "1",
  };

  const started = Date.now();
  return new Promise<DbtCommandResult>((resolvePromise, reject) => {
    const shim = options.pidFile !== undefined && process.platform !== "win32";
    const child = shim
      ? spawn("/bin/sh", ["-c", PID_FILE_SHIM, resolve(options.pidFile!), options.runtime.executable, ...args], { cwd: projectDir, env, stdio: ["ignore", "pipe", "pipe"] })
      : spawn(options.runtime.executable, args, { cwd: projectDir, env, stdio: ["ignore", "pipe", "pipe"], windowsHide: true });
    // No pid means the spawn failed; the "error" event below reports it.
    if (child.pid !== undefined && options.onSpawn) {
      try {
        options.onSpawn(child.pid);
      } catch (error) {
        child.kill("SIGKILL"); // nobody could follow this dbt: do not leave it running
        reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
    }
    const logLines: DbtLogLine[] = [];
    let stderr = "";
    let pending = "";
    let cancelledBy: AbortSignal | null = null;
    let killTimer: NodeJS.Timeout | null = null;

    const handleLine = (text: string) => {
      if (text.trim() === "") return;
      const line = parseDbtLogLine(text);
      options.onLogLine?.(line);
      if (line.level === "debug") return;
      logLines.push(line);
      if (options.onProgress && line.message !== "") options.onProgress(line.message);
    };
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      pending += chunk;
      const lines = pending.split(/\r?\n/);
      pending = lines.pop() ?? "";
      for (const line of lines) handleLine(line);
    });
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_KEEP);
    });

    const onAbort = () => {
      if (!options.signal) return;
      cancelledBy = options.signal;
      child.kill("SIGINT"); // dbt cancels its open queries on SIGINT
      killTimer = setTimeout(() => child.kill("SIGKILL"), KILL_GRACE_MS);
      killTimer.unref();
    };
    options.signal?.addEventListener("abort", onAbort, { once: true });
    const cleanUp = () => {
      options.signal?.removeEventListener("abort", onAbort);
      if (killTimer) clearTimeout(killTimer);
    };

    child.on("error", (error) => {
      cleanUp();
      reject(
        new DbtRunError("dbt_not_started", projectDir, `Could not run ${options.runtime.executable}: ${error.message}`, { cause: error }),
      );
    });
    child.on("close", (exitCode) => {
      cleanUp();
      handleLine(pending);
      if (cancelledBy) {
        reject(cancelled(projectDir, cancelledBy));
        return;
      }
      if (shim && exitCode === SHELL_NOT_FOUND && logLines.length === 0) {
        reject(new DbtRunError("dbt_not_started", projectDir, `Could not run ${options.runtime.executable}: ${stderr.trim() || "not found"}`));
        return;
      }
      resolvePromise({ args, exitCode, durationMs: Date.now() - started, logLines, stderr, targetPath });
    });
  });
}

/** Parses one stdout line of dbt run with `DBT_LOG_FORMAT=json`. */
export function parseDbtLogLine(text: string): DbtLogLine {
  try {
    const parsed: unknown = JSON.parse(text);
    if (isRecord(parsed) && isRecord(parsed["info"])) {
      const info = parsed["info"];
      return {
        level: typeof info["level"] === "string" ? info["level"] : "info",
        name: typeof info["name"] === "string" ? info["name"] : "",
        code: typeof info["code"] === "string" ? info["code"] : "",
        message: typeof info["msg"] === "string" ? info["msg"] : "",
        timestamp: typeof info["ts"] === "string" ? info["ts"] : null,
        data: isRecord(parsed["data"]) ? parsed["data"] : {},
        ...(typeof info["invocation_id"] === "string" ? { invocationId: info["invocation_id"] } : {}),
      };
    }
  } catch {
    // not JSON: a print from a macro or a Python warning
  }
  return { level: "info", name: "", code: "", message: text, timestamp: null, data: {} };
}

/** dbt's error messages from its log lines of level error, without the "Encountered an error:" preamble. */
export function dbtErrorMessages(lines: readonly DbtLogLine[]): string[] {
  return lines
    .filter((line) => line.level === "error" && line.message.trim() !== "")
    .map((line) => line.message.replace(/^Encountered an error:\s*\n?/, "").trimEnd());
}

// ---------------------------------------------------------------------------------------------------------
// Packages

/** The packages a project declares that are not installed, and the install directory (relative to the project). */
export interface MissingPackages {
  installPath: string;
  /** Each missing package as written in packages.yml / dependencies.yml (e.g. "dbt-labs/dbt_utils"). */
  missing: string[];
}

interface DeclaredPackage {
  label: string;
  /** Names the installed package's directory or project may have. */
  candidates: string[];
  /** True when the name is certain (hub, tarball, readable local package); false for a guess from a git URL. */
  certain: boolean;
}

/**
 * Compares the packages a project declares (packages.yml, dependencies.yml) with what `dbt deps` installed
 * in its packages-install-path. Tributary never runs `dbt deps` itself: that downloads code from the network.
 */
export async function findMissingDbtPackages(projectDir: string): Promise<MissingPackages> {
  const project = await readYamlFile(join(projectDir, "dbt_project.yml"));
  const configured = project?.["packages-install-path"] ?? project?.["modules-path"];
  const installPath = typeof configured === "string" && configured.trim() !== "" ? configured.trim() : "dbt_packages";
  if (installPath.includes("{{")) return { installPath, missing: [] }; // rendered by dbt: cannot check here

  const declared: DeclaredPackage[] = [];
  for (const file of ["packages.yml", "dependencies.yml"]) {
    const content = await readYamlFile(join(projectDir, file));
    const packages = content?.["packages"];
    if (!Array.isArray(packages)) continue;
    for (const entry of packages) {
      const spec = describePackage(entry, projectDir);
      if (spec !== null) declared.push(await spec);
    }
  }
  if (declared.length === 0) return { installPath, missing: [] };

  const installDir = isAbsolute(installPath) ? installPath : join(projectDir, installPath);
  const installed = await installedPackageNames(installDir);
  const missing = declared.filter((spec) => !spec.candidates.some((name) => installed.names.has(normalizeName(name))));
  // A git package's project name is only guessed from its URL: trust dbt's own count check for those.
  const report = missing.length > 0 && (installed.count < declared.length || missing.some((spec) => spec.certain));
  const shownPath = isAbsolute(installPath) ? installPath : relative(projectDir, installDir) || installPath;
  return { installPath: shownPath, missing: report ? missing.map((spec) => spec.label) : [] };
}

function describePackage(entry: unknown, projectDir: string): Promise<DeclaredPackage> | null {
  if (!isRecord(entry)) return null;
  const explicitName = typeof entry["name"] === "string" ? [entry["name"]] : [];
  if (typeof entry["package"] === "string") {
    const label = entry["package"];
    return Promise.resolve({ label, candidates: [...explicitName, label.split("/").pop() ?? label], certain: true });
  }
  if (typeof entry["tarball"] === "string") {
    return Promise.resolve({ label: explicitName[0] ?? entry["tarball"], candidates: explicitName, certain: explicitName.length > 0 });
  }
  if (typeof entry["local"] === "string") {
    const localPath = entry["local"];
    return (async () => {
      const project = await readYamlFile(join(resolve(projectDir, localPath), "dbt_project.yml"));
      const name = typeof project?.["name"] === "string" ? project["name"] : null;
      return { label: localPath, candidates: [...explicitName, ...(name ? [name] : []), basename(localPath)], certain: name !== null };
    })();
  }
  const url = typeof entry["git"] === "string" ? entry["git"] : typeof entry["private"] === "string" ? entry["private"] : null;
  if (url === null) return null;
  const label = url.replace(/\/\/[^@/]+@/, "//"); // never show credentials embedded in a git URL
  const repo = (typeof entry["subdirectory"] === "string" ? entry["subdirectory"] : url).replace(/\.git$/, "").replace(/\/+$/, "").split(/[/:]/).pop() ?? url;
  const guesses = [repo, repo.replace(/^dbt[-_]/, "")];
  return Promise.resolve({ label, candidates: [...explicitName, ...guesses], certain: false });
}

async function installedPackageNames(installDir: string): Promise<{ names: Set<string>; count: number }> {
  const names = new Set<string>();
  let count = 0;
  let entries: string[];
  try {
    entries = await readdir(installDir);
  } catch {
    return { names, count };
  }
  for (const entry of entries) {
    const dir = join(installDir, entry);
    const isDir = await stat(dir).then((s) => s.isDirectory(), () => false);
    if (!isDir) continue;
    const project = await readYamlFile(join(dir, "dbt_project.yml"));
    if (project === null) continue; // not a package (a leftover download, say)
    count++;
    names.add(normalizeName(entry));
    if (typeof project["name"] === "string") names.add(normalizeName(project["name"]));
  }
  return { names, count };
}

function normalizeName(name: string): string {
  return name.toLowerCase().replaceAll("-", "_");
}

async function readYamlFile(path: string): Promise<Record<string, unknown> | null> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return null;
  }
  try {
    const parsed: unknown = parseYaml(text);
    return isRecord(parsed) ? parsed : null;
  } catch {
    return null; // dbt reports malformed YAML itself, with a better message
  }
}

// ---------------------------------------------------------------------------------------------------------

function cancelled(projectDir: string, signal: AbortSignal): DbtRunError {
  return new DbtRunError("dbt_cancelled", projectDir, `dbt run in ${projectDir} was cancelled.`, { cause: signal.reason });
}

function stderrTail(stderr: string, lines = 15): string {
  return stderr
    .split(/\r?\n/)
    .filter((line) => line.trim() !== "")
    .slice(-lines)
    .join("\n");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
