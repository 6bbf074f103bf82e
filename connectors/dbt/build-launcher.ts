/**
 * Runs a step's dbt assets with one `dbt build` and reports what happened (dagster-dbt's subset execution and
 * event stream, reference/dagster-semantics.md §1.6–§1.7):
 *
 * 1. Selection: each target's fqn joined by "." (`--select "shop.staging.stg_orders shop.marts.orders"`),
 *    read from the manifest `dbt parse` wrote; tests follow by dbt's eager indirect selection. Beyond
 *    {@link DEFAULT_SELECTOR_THRESHOLD} resources, a selectors.yml instead (see {@link prepareSelectorProject}).
 * 2. Progress is saved before dbt starts (its target dir) and once it runs (its pid), so a worker taking over
 *    after a crash follows this dbt instead of building twice.
 * 3. dbt runs with `--log-level debug`, because the event a node's end produces with its whole result
 *    (`NodeFinished`, with the `run_result` dbt also writes to run_results.json) is a debug line; current
 *    dagster-dbt translates that same line. Each result is translated and recorded as it arrives; lines of
 *    level info and above become the run's log.
 *    Skipped tests wait for step 4 (the stream gives them no time of their own); after a cancel, failures
 *    dbt reports for the nodes it interrupted are not recorded (the data did not fail; the run was stopped).
 * 4. After dbt exits, run_results.json (kept in the step's own target dir `<runsDir>/<runId>-<stepIndex>`)
 *    is read: anything the stream missed is recorded from it, and the outcome comes from it.
 *
 * Resume (the step's worker died): dbt is never started again. A dbt still running is waited for; then its
 * run_results.json gives the same events under the same dedupe keys, so nothing is recorded twice. Which dbt
 * to follow comes from the saved pid, or, when the worker died before saving it, from the pid file dbt's own
 * process writes before dbt starts (`dbt.pid` in the step's target dir, see runDbtCommand's `pidFile`): no pid
 * file means no dbt was ever started, and only then does a taken-over step start dbt itself.
 */
import { dbtResultState } from "./tool-state.ts";
import { copyFile, mkdir, readdir, rename, rm, stat, symlink, writeFile } from "node:fs/promises";
import { existsSync, readFileSync } from "node:fs";
import { hostname } from "node:os";
import { basename, join, resolve, sep } from "node:path";
import { stringify as stringifyYaml } from "yaml";
import type { AssetKey, CheckResultInput, Launcher, RunLogLevel, StepLaunch, StepOutcome, StepTarget } from "../../catalog/model/index.ts";
import { LoadError, keyToString } from "../../catalog/model/index.ts";
import type { DbtManifest } from "./manifest.ts";
import { keepCompiledCode } from "./compiled-code.ts";
import { readManifestFile } from "./manifest.ts";
import type { DbtLogLine } from "./project-runner.ts";
import { DbtRunError, dbtErrorMessages, runDbtCommand } from "./project-runner.ts";
import type { DbtNodeResult, ResolvedDbtNode, RunResultsTranslation } from "./run-results.ts";
import {
  DBT_TOOL,
  RunResultsError,
  addDisposition,
  createManifestNodeResolver,
  emptyTranslation,
  readRunResultsFile,
  runResultsToEvents,
  testFailures,
  translateNodeResult,
} from "./run-results.ts";
import type { DbtRuntime } from "./runtime.ts";
import { DbtRuntimeError, resolveDbtRuntime } from "./runtime.ts";

/** The shadow project root with our selectors.yml, inside the step's target dir. */

/** How often a manifest that `dbt parse` is rewriting is read again (every 500 ms) before the last good one serves. */
const MANIFEST_READ_ATTEMPTS = 20;
export const SELECTOR_PROJECT_DIR = "selector-project";

/** Beyond this many resources, selection goes through a selectors.yml (dagster-dbt's limit, its issue #16997). */
export const DEFAULT_SELECTOR_THRESHOLD = 200;

/**
 * How the launcher chooses tests. "empty" (the default): exactly the checks of the step's assets, selected by
 * fqn beside them — dagster-dbt's selection when it lists checks. dbt's "eager" would also run a test that
 * merely reads a selected model (a relationships test of `orders` on `dim_countries` when only dim_countries is
 * built), which fails when its own model was never built and is not this step's to run.
 */
export type IndirectSelection = "empty" | "eager" | "buildable" | "cautious";

/** Options of {@link createDbtBuildLauncher}; the dbt ones as for a dbt project location (project-provider.ts). */
export interface DbtBuildLauncherOptions {
  readonly locationName: string;
  readonly projectDir: string;
  /** Where `dbt parse` wrote manifest.json (unique_id → fqn) and partial_parse.msgpack (reused: builds skip a full parse). */
  readonly parseTargetDir: string;
  /** Each step's artifacts stay in `<runsDir>/<runId>-<stepIndex>`, with the run. */
  readonly runsDir: string;
  /** A dbt executable to use instead of PATH / the managed virtualenv (as project-provider.ts). */
  readonly dbtExecutable?: string | null;
  /** Use the managed virtualenv even when a dbt is on PATH. */
  readonly preferManagedDbt?: boolean;
  readonly profilesDir?: string | null;
  readonly target?: string | null;
  /** Extra environment for dbt (e.g. the warehouse path). Never logged. */
  readonly env?: Readonly<Record<string, string>>;
  readonly now?: () => Date;
  /** Maps tests no target checks (run by indirect selection) to a check; the manifest's attachment otherwise. */
  readonly resolveTest?: (uniqueId: string) => { readonly assetKey: AssetKey; readonly checkName: string } | null;
  /** Default {@link DEFAULT_SELECTOR_THRESHOLD}. */
  readonly selectorThreshold?: number;
  /** Default "eager" (dagster-dbt's): the checks of every selected asset run, including relationships tests. */
  readonly indirectSelection?: IndirectSelection;
  /** How often a taken-over step looks whether the dbt it follows still runs (default 500 ms). */
  readonly resumePollMs?: number;
  /**
   * How many partitions of a backfill run at once in one process, each its own `dbt build` with its own target
   * dir (default {@link DEFAULT_PARTITION_CONCURRENCY}). On DuckDB the builds share one file, which one process
   * writes at a time: give the profile `retries: {connect_attempts: …}` so they wait for it (the demo's does).
   */
  readonly partitionConcurrency?: number;
}

/** Backfill partitions of one dbt project that run at once per process, unless configured. */
export const DEFAULT_PARTITION_CONCURRENCY = 4;

/** The file in a step's target dir that dbt's process writes its pid to before dbt starts. */
export const DBT_PID_FILE = "dbt.pid";
/**
 * How long a takeover of a step saved as "starting" waits for the pid file to appear: the shell writes it
 * within milliseconds of the spawn, so a file absent after this long means dbt was never spawned.
 */
const PID_FILE_GRACE_MS = 2_000;

/** The pid in a step's pid file, or null when there is none (or it is not a pid). */
export function readDbtPidFile(targetPath: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(join(targetPath, DBT_PID_FILE), "utf8").trim(), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** What a step saves about its dbt, durably, for a worker that takes over. */
export interface DbtStepProgress {
  readonly phase: "starting" | "running" | "finished";
  /** The step's target dir: run_results.json, manifest.json, compiled SQL and dbt.log are there. */
  readonly targetPath: string;
  readonly startedAt: string;
  /** The machine dbt runs on: a pid means nothing on another. */
  readonly host: string;
  /** The dbt executable, to tell a running dbt from a process that reused its pid. */
  readonly executable?: string;
  readonly pid?: number;
  readonly invocationId?: string;
  readonly exitCode?: number | null;
  readonly runResultsPath?: string;
  readonly finishedAt?: string;
  readonly canceled?: boolean;
}

/** dbt arguments that select resources. */
export type DbtSelection =
  | { readonly kind: "select"; readonly args: readonly string[] }
  | { readonly kind: "selector"; readonly args: readonly string[]; readonly selectorName: string; readonly selectorsYaml: string };

/**
 * The selection for a set of fqns: `--select "<fqn> <fqn>…"` up to `threshold` resources, else a named YAML
 * selector (`--selector <name>`) whose selectors.yml is returned to be written (dagster-dbt's split).
 */
export function dbtSelectionArgs(fqns: readonly string[], options: { readonly selectorName: string; readonly threshold?: number }): DbtSelection {
  const threshold = options.threshold ?? DEFAULT_SELECTOR_THRESHOLD;
  if (fqns.length <= threshold) return { kind: "select", args: ["--select", fqns.join(" ")] };
  const selectorsYaml = stringifyYaml({
    selectors: [{ name: options.selectorName, description: "Written by Tributary for one step of a run", definition: { union: [...fqns] } }],
  });
  return { kind: "selector", args: ["--selector", options.selectorName], selectorName: options.selectorName, selectorsYaml };
}

/**
 * A project directory dbt can read a selectors.yml of ours from. dbt reads selectors only from
 * `<project root>/selectors.yml` (dbt-core 1.11's `selector_data_from_root`; `--selector` takes a name, not a
 * file, and `--select` reads no file), and writing into the user's project would clobber theirs and race with
 * other runs. So, like dagster-dbt's copy of the project, this makes a shadow root: a symlink to every
 * top-level entry of the project (nothing is copied; junctions on Windows) beside our selectors.yml, and dbt
 * runs with `--project-dir <shadow>` while its working directory stays the real project, so relative paths
 * in profiles.yml (a DuckDB file) and hooks resolve as in a normal build. Returns the shadow's path.
 */
export async function prepareSelectorProject(projectDir: string, shadowDir: string, selectorsYaml: string): Promise<string> {
  const project = resolve(projectDir);
  const shadow = resolve(shadowDir);
  await rm(shadow, { recursive: true, force: true });
  await mkdir(shadow, { recursive: true });
  for (const entry of await readdir(project)) {
    const source = join(project, entry);
    // The user's selectors, artifacts and logs are not ours to read; the shadow itself may live inside the project.
    if (entry === "selectors.yml" || entry === "target" || entry === "logs") continue;
    if (shadow === source || shadow.startsWith(source + sep)) continue;
    const isDir = await stat(source).then((s) => s.isDirectory(), () => false);
    if (process.platform === "win32" && !isDir) await copyFile(source, join(shadow, entry));
    else await symlink(source, join(shadow, entry), isDir ? (process.platform === "win32" ? "junction" : "dir") : "file");
  }
  await writeFile(join(shadow, "selectors.yml"), selectorsYaml);
  return shadow;
}

/** A node's result from dbt's `NodeFinished` log line, or null for any other line. */
export function nodeResultFromLogLine(line: DbtLogLine): DbtNodeResult | null {
  if (line.name !== "NodeFinished") return null;
  const nodeInfo = asRecord(line.data["node_info"]);
  const run = asRecord(line.data["run_result"]);
  const uniqueId = nodeInfo["unique_id"];
  const status = typeof run["status"] === "string" ? run["status"] : nodeInfo["node_status"];
  if (typeof uniqueId !== "string" || typeof status !== "string") return null;
  const timing = Array.isArray(run["timing_info"]) ? run["timing_info"].map(asRecord) : [];
  const finishedAt = nodeInfo["node_finished_at"];
  return {
    uniqueId,
    status,
    message: typeof run["message"] === "string" && run["message"] !== "" ? run["message"] : null,
    failures: testFailures(uniqueId, status, typeof run["num_failures"] === "number" ? run["num_failures"] : null),
    timing: timing.map((t) => ({ name: String(t["name"] ?? ""), startedAt: stringOrNull(t["started_at"]), completedAt: stringOrNull(t["completed_at"]) })),
    adapterResponse: asRecord(run["adapter_response"]),
    executionTime: typeof run["execution_time"] === "number" ? run["execution_time"] : null,
    // UTC without a zone; canonicalTime reads it so.
    fallbackTime: typeof finishedAt === "string" && finishedAt !== "" ? finishedAt : line.timestamp,
  };
}

/** A launcher running `dbt build` for one dbt project location; one step at a time per project. */
export function createDbtBuildLauncher(options: DbtBuildLauncherOptions): Launcher {
  const { locationName } = options;
  const projectDir = resolve(options.projectDir);
  const now = options.now ?? (() => new Date());
  const indirectSelection = options.indirectSelection ?? "empty";
  const pollMs = options.resumePollMs ?? 500;
  let runtime: DbtRuntime | null = null;
  let cachedManifest: { stamp: string; manifest: DbtManifest } | null = null;

  /**
   * The parse manifest, read again only when `dbt parse` rewrote it. A reload's `dbt parse` rewrites the file in
   * place, so a read may land while it writes and see a partial file (the demo loop did): an unreadable file, or
   * one that changed while it was read, is read again for up to ~10 s, and then the last good one serves.
   */
  async function parseManifest(): Promise<DbtManifest> {
    const file = join(resolve(options.parseTargetDir), "manifest.json");
    const stampOf = async () => {
      const info = await stat(file).catch(() => null);
      return info ? `${info.mtimeMs}:${info.size}` : "";
    };
    for (let attempt = 1; ; attempt++) {
      const stamp = await stampOf();
      if (cachedManifest?.stamp === stamp && stamp !== "") return cachedManifest.manifest;
      try {
        const manifest = await readManifestFile(file, locationName);
        if ((await stampOf()) === stamp) {
          cachedManifest = { stamp, manifest };
          return manifest;
        }
      } catch (error) {
        if (!(error instanceof LoadError)) throw error;
        if (attempt >= MANIFEST_READ_ATTEMPTS) {
          if (cachedManifest) return cachedManifest.manifest;
          throw error;
        }
      }
      if (attempt >= MANIFEST_READ_ATTEMPTS && cachedManifest) return cachedManifest.manifest;
      await new Promise((done) => setTimeout(done, 500));
    }
  }

  function resolverFor(manifest: DbtManifest, targets: readonly StepTarget[], targetPath: string): (uniqueId: string) => ResolvedDbtNode | null {
    const assets = new Map(targets.map((t) => [t.runTargetId, t.assetKey] as const));
    const checks = new Map<string, { assetKey: AssetKey; checkName: string }>();
    for (const target of targets) for (const check of target.checks) if (check.sourceId) checks.set(check.sourceId, { assetKey: target.assetKey, checkName: check.name });
    return createManifestNodeResolver(manifest, { locationName, targetPath, assets, checks, ...(options.resolveTest ? { resolveTest: options.resolveTest } : {}) });
  }

  function logger(step: StepLaunch) {
    return (level: RunLogLevel, message: string, data?: Record<string, unknown>) => step.report.log({ level, message, ...(data ? { data } : {}) });
  }

  async function launchLive(step: StepLaunch, targetPath: string): Promise<StepOutcome> {
    const log = logger(step);
    const startedAt = now().toISOString();
    if (step.signal.aborted) {
      return { status: "canceled", message: "dbt build canceled before it started", failedKeys: [], skippedKeys: [], toolRunId: null };
    }
    const failAll = (message: string): StepOutcome => {
      log("error", message);
      return { status: "failed", message, failedKeys: step.targets.map((t) => t.assetKey), skippedKeys: [], toolRunId: null };
    };

    let manifest: DbtManifest;
    let resolveNode: (uniqueId: string) => ResolvedDbtNode | null;
    try {
      manifest = await parseManifest();
      resolveNode = resolverFor(manifest, step.targets, targetPath);
    } catch (error) {
      if (error instanceof LoadError) return failAll(`Cannot read the dbt project's manifest: ${error.message}. Reload the location ${locationName}.`);
      throw error;
    }

    const fqns: string[] = [];
    const unknown: string[] = [];
    for (const target of step.targets) {
      const node = manifest.nodes[target.runTargetId];
      if (target.runTargetId.startsWith("source.")) {
        log("warn", `${keyToString(target.assetKey)} is a dbt source: dbt does not build sources, so it is not selected`);
      } else if (!node || !["model", "seed", "snapshot"].includes(node.resource_type) || !node.fqn || node.fqn.length === 0) {
        unknown.push(`${keyToString(target.assetKey)} (${target.runTargetId})`);
      } else {
        fqns.push(node.fqn.join("."));
      }
    }
    if (unknown.length > 0) {
      return failAll(`The dbt project ${locationName} has no model, seed or snapshot for ${unknown.join(", ")}: the catalog is older than the project. Reload the location and run again.`);
    }
    const builds = fqns.length;
    if (indirectSelection === "empty" && builds > 0) {
      // The checks of the step's assets, by the test's own fqn (a test the manifest no longer has is skipped).
      const tests = new Set<string>();
      for (const target of step.targets) {
        for (const check of target.checks) {
          const test = check.sourceId === null ? undefined : manifest.nodes[check.sourceId];
          if (test && test.resource_type === "test" && test.fqn && test.fqn.length > 0) tests.add(test.fqn.join("."));
        }
      }
      fqns.push(...tests);
    }
    if (builds === 0) {
      return { status: "succeeded", message: "Nothing for dbt to build: the step's assets are all dbt sources.", failedKeys: [], skippedKeys: [], toolRunId: null };
    }

    try {
      runtime ??= await resolveDbtRuntime({
        configuredExecutable: options.dbtExecutable ?? null,
        preferManaged: options.preferManagedDbt ?? false,
        onProgress: (message) => log("info", message),
      });
    } catch (error) {
      if (error instanceof DbtRuntimeError) return failAll(error.message);
      throw error;
    }

    if (existsSync(targetPath)) {
      // Only an earlier first attempt of this step leaves this dir: keep its artifacts, but out of the way, so
      // that no run_results.json of it is ever taken for this build's.
      const aside = freePath(targetPath);
      await rename(targetPath, aside);
      log("warn", `an earlier attempt's artifacts were in ${targetPath}; moved to ${aside}`);
    }
    await mkdir(targetPath, { recursive: true });
    // A build that starts from the parse's partial_parse.msgpack skips a full parse (dagster-dbt does the same);
    // dbt checks the file is still valid for the project, env and vars, and parses fully when it is not.
    await copyFile(join(resolve(options.parseTargetDir), "partial_parse.msgpack"), join(targetPath, "partial_parse.msgpack")).catch(() => {});
    const selection = dbtSelectionArgs(fqns, { selectorName: selectorName(step), ...(options.selectorThreshold !== undefined ? { threshold: options.selectorThreshold } : {}) });
    const args = ["build", "--log-level", "debug", ...selection.args];
    const partition = step.partition ?? null;
    const windowArgs: string[] = [];
    if (partition) {
      // dagster-dbt's two ways: the window as vars for models that filter on them, and dbt's own event-time
      // flags for microbatch models (which then build exactly the batches of the window).
      if (Object.keys(partition.vars).length > 0) windowArgs.push("--vars", JSON.stringify(partition.vars));
      const microbatch = step.targets.some((t) => manifest.nodes[t.runTargetId]?.config?.incremental_strategy === "microbatch");
      if (microbatch) windowArgs.push("--event-time-start", partition.eventTimeStart, "--event-time-end", partition.eventTimeEnd);
      args.push(...windowArgs);
    }
    if (selection.kind === "selector") {
      const shadow = await prepareSelectorProject(projectDir, join(targetPath, SELECTOR_PROJECT_DIR), selection.selectorsYaml);
      args.push("--project-dir", shadow);
    }

    const base = { targetPath, startedAt, host: hostname(), executable: runtime.executable };
    await step.report.saveProgress({ ...base, phase: "starting" } satisfies DbtStepProgress);
    const what = fqns.length > builds ? `${builds} assets and ${fqns.length - builds} checks` : `${builds} assets`;
    const shownSelection =
      selection.kind === "select"
        ? `--select ${fqns.length > 8 ? `<${what}>` : fqns.join(" ")}`
        : `--selector ${selection.selectorName} (${what}, selectors.yml in ${join(targetPath, SELECTOR_PROJECT_DIR)})`;
    const shownWindow = partition ? ` for partition ${partition.key} (${windowArgs.join(" ")})` : "";
    log("info", `running dbt build ${shownSelection}${shownWindow} (dbt ${runtime.version}, ${runtime.source}); artifacts in ${targetPath}`, {
      targets: builds,
      checks: fqns.length - builds,
      indirect_selection: indirectSelection,
      ...(partition ? { partition: partition.key } : {}),
    });

    // Reporting happens in order, one call at a time; the first failure (a lost store) ends the step after dbt.
    let chain: Promise<void> = Promise.resolve();
    let reportFailure: unknown = null;
    const enqueue = (work: () => Promise<void>) => {
      // After a failure the worker has lost the step (or its store): it reports nothing more, and lets dbt
      // finish, so that whoever takes the step over finds dbt's results instead of a half-built warehouse.
      chain = chain
        .then(() => (reportFailure === null ? work() : undefined))
        .catch((error: unknown) => {
          reportFailure ??= error;
        });
    };
    const drain = async () => {
      await chain;
      if (reportFailure !== null) throw reportFailure;
    };

    const live = emptyTranslation(null, "build");
    const recorded = new Set<string>();
    let invocationId: string | null = null;
    let pid: number | null = null;

    const onLogLine = (line: DbtLogLine) => {
      if (invocationId === null && line.invocationId) invocationId = line.invocationId;
      const result = nodeResultFromLogLine(line);
      if (result && invocationId !== null) {
        const disposition = translateNodeResult(result, { locationName, invocationId, resolveNode });
        addDisposition(live, disposition);
        if (step.signal.aborted && (disposition.type === "failed" || (disposition.type === "check" && disposition.result.outcome !== "pass"))) {
          // dbt interrupted it because the run was canceled: that is no failure of the asset's data.
        } else if (disposition.type === "check" && disposition.result.outcome === "skipped") {
          // A skipped test has no time of its own in the stream; it is recorded after dbt exits, with the
          // run_results.json time, so that both paths record it identically.
        } else if (disposition.type === "materialized" || disposition.type === "failed") {
          recorded.add(eventId(disposition.event.assetKey, disposition.event.dedupeKey));
          const event = disposition.event;
          enqueue(() => step.report.recordAssetEvents([event]));
        } else if (disposition.type === "check") {
          recorded.add(checkId(disposition.result));
          const checkResult = disposition.result;
          enqueue(() => step.report.recordCheckResults([checkResult]));
        }
      }
      if (line.level === "debug" || line.message.trim() === "") return;
      const nodeInfo = asRecord(line.data["node_info"]);
      const uniqueId = typeof nodeInfo["unique_id"] === "string" ? nodeInfo["unique_id"] : null;
      const resolved = uniqueId === null ? null : resolveNode(uniqueId);
      const status = line.data["status"] ?? nodeInfo["node_status"];
      step.report.log({
        level: logLevel(line.level),
        message: stripAnsi(line.message),
        assetKey: resolved?.assetKey ?? null,
        data: line.name === "" ? null : { dbt_event: line.name, ...(uniqueId ? { unique_id: uniqueId } : {}), ...(typeof status === "string" ? { status } : {}) },
      });
    };

    let exitCode: number | null;
    let dbtMessages: string[];
    try {
      const result = await runDbtCommand({
        runtime,
        projectDir,
        targetPath,
        args,
        profilesDir: options.profilesDir ?? null,
        target: options.target ?? null,
        env: { ...options.env, DBT_INDIRECT_SELECTION: indirectSelection },
        signal: step.signal,
        pidFile: join(targetPath, DBT_PID_FILE),
        onSpawn: (spawned) => {
          pid = spawned;
          enqueue(() => step.report.saveProgress({ ...base, phase: "running", pid: spawned } satisfies DbtStepProgress));
        },
        onLogLine,
      });
      exitCode = result.exitCode;
      dbtMessages = dbtErrorMessages(result.logLines).map(stripAnsi);
    } catch (error) {
      await drain();
      if (!(error instanceof DbtRunError)) throw error;
      const finished = { ...base, phase: "finished" as const, finishedAt: now().toISOString(), ...(invocationId ? { invocationId } : {}) };
      if (error.code === "dbt_cancelled") {
        await step.report.saveProgress({ ...finished, canceled: true } satisfies DbtStepProgress);
        const message = `dbt build canceled${invocationId ? ` (invocation ${invocationId})` : ""}; ${live.materializedKeys.length} of ${builds} assets were built before it stopped`;
        log("warn", message);
        return { status: "canceled", message, failedKeys: [], skippedKeys: [], toolRunId: invocationId };
      }
      await step.report.saveProgress(finished satisfies DbtStepProgress);
      return failAll(error.message); // dbt did not start, packages missing, not a dbt project
    }
    await drain();

    const runResultsPath = join(targetPath, "run_results.json");
    let final: RunResultsTranslation = live;
    if (existsSync(runResultsPath)) {
      try {
        const runResults = await readRunResultsFile(runResultsPath);
        if (invocationId === null || runResults.invocationId === invocationId) {
          final = runResultsToEvents(runResults, { locationName, resolveNode });
        } else {
          log("warn", `${runResultsPath} is from invocation ${runResults.invocationId}, not ${invocationId}: dbt did not finish writing this build's results`);
        }
      } catch (error) {
        if (!(error instanceof RunResultsError)) throw error;
        log("warn", `${error.message}; the outcome comes from dbt's log lines only`);
      }
    }
    const outcome = stepOutcome(step.targets, final, { exitCode, invocationId, dbtMessages });
    // The built models' compiled SQL, for column lineage at the location's next load (see compiled-code.ts).
    const newlyCompiled = await keepCompiledCode(join(targetPath, "manifest.json"), resolve(options.parseTargetDir), locationName).catch(() => 0);
    if (newlyCompiled > 0) log("info", `kept the compiled SQL of ${newlyCompiled} models for column lineage`, { compiled_models: newlyCompiled });
    const kept = existsSync(runResultsPath);
    log(
      outcome.status === "succeeded" ? "info" : "error",
      `dbt exited with code ${exitCode ?? "none (killed)"}${kept ? `; run_results.json kept at ${runResultsPath}` : "; it wrote no run_results.json"}`,
      { exit_code: exitCode, run_results_path: kept ? runResultsPath : null, invocation_id: invocationId },
    );
    // What the stream did not record: skipped tests (see above), and anything dbt did not write a line for.
    const missedEvents = final.events.filter((event) => !recorded.has(eventId(event.assetKey, event.dedupeKey)));
    const missedChecks = final.checkResults.filter((check) => !recorded.has(checkId(check)));
    if (missedEvents.length > 0) await step.report.recordAssetEvents(missedEvents);
    if (missedChecks.length > 0) await step.report.recordCheckResults(missedChecks);
    await step.report.saveProgress({
      ...base,
      phase: "finished",
      ...(pid !== null ? { pid } : {}),
      ...(invocationId ? { invocationId } : {}),
      exitCode,
      ...(kept ? { runResultsPath } : {}),
      finishedAt: now().toISOString(),
    } satisfies DbtStepProgress);
    return outcome;
  }

  async function launchResume(step: StepLaunch, progress: Readonly<Record<string, unknown>>, defaultTargetPath: string): Promise<StepOutcome> {
    const log = logger(step);
    const targetPath = typeof progress["targetPath"] === "string" ? progress["targetPath"] : defaultTargetPath;
    const savedPid = typeof progress["pid"] === "number" ? progress["pid"] : null;
    const host = typeof progress["host"] === "string" ? progress["host"] : null;
    const executable = typeof progress["executable"] === "string" ? progress["executable"] : null;
    const savedInvocation = typeof progress["invocationId"] === "string" ? progress["invocationId"] : null;
    const failAll = (message: string): StepOutcome => {
      log("error", message);
      return { status: "failed", message, failedKeys: step.targets.map((t) => t.assetKey), skippedKeys: [], toolRunId: savedInvocation };
    };
    let pid = savedPid;
    if (pid === null && (host === null || host === hostname())) {
      // The worker died before saving dbt's pid: dbt's own pid file says whether a dbt was started at all.
      pid = readDbtPidFile(targetPath);
      if (pid === null && progress["phase"] === "starting") {
        const deadline = Date.now() + PID_FILE_GRACE_MS;
        while (pid === null && Date.now() < deadline && !step.signal.aborted) {
          await sleepUnlessAborted(Math.min(pollMs, 100), step.signal);
          pid = readDbtPidFile(targetPath);
        }
        if (pid === null && !step.signal.aborted) {
          log("info", `taking over a dbt build whose worker stopped before dbt started (no ${DBT_PID_FILE} in ${targetPath}); starting it now`);
          return launchLive(step, targetPath);
        }
      }
    }
    log("info", `taking over a dbt build whose worker stopped (phase ${String(progress["phase"] ?? "unknown")}, artifacts in ${targetPath}); dbt is not started again`);
    if (progress["canceled"] === true || step.signal.aborted) {
      if (pid !== null && (host === null || host === hostname()) && isDbtProcessAlive(pid, executable)) await stopProcess(pid, executable);
      const message = `dbt build canceled${savedInvocation ? ` (invocation ${savedInvocation})` : ""}`;
      log("warn", message);
      return { status: "canceled", message, failedKeys: [], skippedKeys: [], toolRunId: savedInvocation };
    }

    if (pid !== null) {
      if (host !== null && host !== hostname()) {
        log("warn", `that dbt ran on ${host} (pid ${pid}); from ${hostname()} it cannot be seen whether it still runs`);
      } else if (isDbtProcessAlive(pid, executable)) {
        log("info", `dbt (pid ${pid}) is still running; waiting for it to finish`);
        while (isDbtProcessAlive(pid, executable)) {
          if (step.signal.aborted) {
            await stopProcess(pid, executable);
            const message = `dbt build canceled while a taken-over step waited for dbt (pid ${pid})`;
            log("warn", message);
            return { status: "canceled", message, failedKeys: [], skippedKeys: [], toolRunId: savedInvocation };
          }
          await sleepUnlessAborted(pollMs, step.signal);
        }
        log("info", `dbt (pid ${pid}) has exited`);
      }
    }

    const runResultsPath = join(targetPath, "run_results.json");
    if (!existsSync(runResultsPath)) {
      const elsewhere = pid !== null && host !== null && host !== hostname() ? ` (dbt ran on ${host}, pid ${pid}: it may still be running there)` : "";
      return failAll(
        `The worker running this dbt build stopped and dbt left no run_results.json in ${targetPath}${elsewhere}; ` +
          "not restarted, to avoid building twice. Re-execute the run to build these assets.",
      );
    }
    let runResults;
    try {
      runResults = await readRunResultsFile(runResultsPath);
    } catch (error) {
      if (error instanceof RunResultsError) return failAll(`The worker running this dbt build stopped, and what dbt left cannot be read: ${error.message}`);
      throw error;
    }
    if (savedInvocation !== null && runResults.invocationId !== savedInvocation) {
      return failAll(`${runResultsPath} is from dbt invocation ${runResults.invocationId}, not ${savedInvocation} that this step started; not restarted, to avoid building twice`);
    }
    // The build's own manifest describes exactly what ran; the parse manifest may have changed since.
    let resolveNode: (uniqueId: string) => ResolvedDbtNode | null;
    try {
      const ownManifest = join(targetPath, "manifest.json");
      const manifest = existsSync(ownManifest) ? await readManifestFile(ownManifest, locationName) : await parseManifest();
      resolveNode = resolverFor(manifest, step.targets, targetPath);
    } catch (error) {
      if (error instanceof LoadError) return failAll(`Cannot read the manifest to translate ${runResultsPath}: ${error.message}`);
      throw error;
    }
    const translation = runResultsToEvents(runResults, { locationName, resolveNode });
    if (translation.events.length > 0) await step.report.recordAssetEvents(translation.events);
    if (translation.checkResults.length > 0) await step.report.recordCheckResults(translation.checkResults);
    const outcome = stepOutcome(step.targets, translation, { exitCode: null, invocationId: runResults.invocationId, dbtMessages: [] });
    log(outcome.status === "succeeded" ? "info" : "error", `read the finished build from ${runResultsPath} (invocation ${runResults.invocationId}); kept there`, {
      run_results_path: runResultsPath,
      invocation_id: runResults.invocationId,
    });
    await step.report.saveProgress({
      ...progress,
      phase: "finished",
      targetPath,
      runResultsPath,
      ...(runResults.invocationId ? { invocationId: runResults.invocationId } : {}),
      finishedAt: now().toISOString(),
    });
    return outcome;
  }

  return {
    tool: DBT_TOOL,
    locationName,
    // Two builds of one project would race on its warehouse relations and partial parse.
    concurrency: 1,
    // Partitions of a backfill write disjoint windows, each build in its own target dir.
    partitionConcurrency: options.partitionConcurrency ?? DEFAULT_PARTITION_CONCURRENCY,
    // One `dbt build --select …` for all of a run's assets in the project: dbt orders them itself.
    batch: "location",
    async launch(step) {
      const targetPath = join(resolve(options.runsDir), `${safeName(step.runId)}-${step.stepIndex}`);
      if (step.resume !== null) return launchResume(step, step.resume, targetPath);
      return launchLive(step, targetPath);
    },
  };
}

/**
 * The step's outcome from its results: succeeded when every target was built and nothing failed (tests that
 * warn are fine); otherwise failed, naming what failed. dbt's exit code, when known, can only make it worse.
 */
export function stepOutcome(
  targets: readonly StepTarget[],
  translation: RunResultsTranslation,
  context: { readonly exitCode: number | null; readonly invocationId: string | null; readonly dbtMessages: readonly string[] },
): StepOutcome {
  const built = new Set(translation.materializedKeys.map(keyToString));
  const failed = new Set(translation.failedKeys.map(keyToString));
  const skipped = new Set(translation.skippedKeys.map(keyToString));
  const buildable = targets.filter((t) => !t.runTargetId.startsWith("source."));
  const missing = buildable.filter((t) => ![built, failed, skipped].some((set) => set.has(keyToString(t.assetKey))));
  const toolRunId = translation.invocationId ?? context.invocationId;
  const passed = translation.checkResults.filter((c) => c.outcome === "pass").length;
  const warned = translation.checkResults.filter((c) => c.outcome === "warn").length;
  const ok =
    translation.failedKeys.length === 0 &&
    translation.failedChecks.length === 0 &&
    translation.otherFailures.length === 0 &&
    skipped.size === 0 &&
    missing.length === 0 &&
    (context.exitCode === null || context.exitCode === 0);
  const checks = `${passed} check${passed === 1 ? "" : "s"} passed${warned > 0 ? `, ${warned} warned` : ""}`;
  if (ok) {
    return {
      status: "succeeded",
      message: `dbt built ${built.size} asset${built.size === 1 ? "" : "s"}; ${checks}${toolRunId ? ` (invocation ${toolRunId})` : ""}`,
      failedKeys: [],
      skippedKeys: [],
      toolRunId,
    };
  }
  const parts: string[] = [];
  const failures = translation.events.filter((event) => event.kind === "materialization_failure");
  for (const event of failures.slice(0, 3)) parts.push(`${String(event.metadata["unique_id"])} failed: ${oneLine(dbtResultState.read(event.metadata).message)}`);
  if (failures.length > 3) parts.push(`${failures.length - 3} more assets failed`);
  for (const check of translation.failedChecks.slice(0, 3)) {
    const what = check.outcome === "fail" ? `failed${check.failures !== null ? ` (${check.failures} failing row${check.failures === 1 ? "" : "s"})` : ""}` : `errored: ${oneLine(dbtResultState.read(check.metadata).message)}`;
    parts.push(`test ${check.checkName} on ${keyToString(check.assetKey)} ${what}`);
  }
  if (translation.failedChecks.length > 3) parts.push(`${translation.failedChecks.length - 3} more checks failed`);
  for (const other of translation.otherFailures.slice(0, 3)) parts.push(`${other.uniqueId} ${other.status}${other.message ? `: ${oneLine(other.message)}` : ""}`);
  if (skipped.size > 0) parts.push(`${skipped.size} asset${skipped.size === 1 ? "" : "s"} skipped because something upstream failed`);
  if (missing.length > 0) parts.push(`dbt reported no result for ${missing.map((t) => keyToString(t.assetKey)).join(", ")}`);
  if (parts.length === 0) parts.push(context.dbtMessages.length > 0 ? context.dbtMessages.map(oneLine).join("; ") : `dbt exited with code ${context.exitCode}`);
  else if (missing.length > 0 && context.dbtMessages.length > 0) parts.push(oneLine(context.dbtMessages.join(" ")));
  const failedKeys = targets.filter((t) => failed.has(keyToString(t.assetKey)) || missing.includes(t)).map((t) => t.assetKey);
  const skippedKeys = targets.filter((t) => skipped.has(keyToString(t.assetKey))).map((t) => t.assetKey);
  return { status: "failed", message: `dbt build failed: ${parts.join("; ")}`, failedKeys, skippedKeys, toolRunId };
}

// ---------------------------------------------------------------------------------------------------------
// Following a dbt another worker started

const KILL_GRACE_MS = 10_000;

/**
 * Whether a dbt process still runs under `pid`. A pid can be reused after the dbt exits (or after a reboot),
 * so on Linux the process must also be no zombie and its command line must name dbt (or the executable).
 */
export function isDbtProcessAlive(pid: number, executable: string | null = null): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    const statLine = readFileSync(`/proc/${pid}/stat`, "utf8");
    if (statLine.slice(statLine.lastIndexOf(")") + 2).startsWith("Z")) return false;
    const commandLine = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    return /dbt/i.test(commandLine) || (executable !== null && commandLine.includes(basename(executable)));
  } catch {
    return true; // no /proc (macOS, Windows): trust the signal check
  }
}

/** SIGINT (dbt cancels its queries), then SIGKILL if it is still there after a grace period. */
async function stopProcess(pid: number, executable: string | null): Promise<void> {
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(pid, name);
    } catch {
      // already gone
    }
  };
  signal("SIGINT");
  const deadline = Date.now() + KILL_GRACE_MS;
  while (isDbtProcessAlive(pid, executable) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (isDbtProcessAlive(pid, executable)) signal("SIGKILL");
}

function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolvePromise) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolvePromise();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

// ---------------------------------------------------------------------------------------------------------

/** `<path>.attempt-<n>` for the first n not taken. */
function freePath(path: string): string {
  for (let n = 1; ; n++) {
    const candidate = `${path}.attempt-${n}`;
    if (!existsSync(candidate)) return candidate;
  }
}

function selectorName(step: StepLaunch): string {
  return `tributary_run_${step.runId.replace(/[^A-Za-z0-9_]/g, "_")}_${step.stepIndex}`;
}

function safeName(runId: string): string {
  return runId.replace(/[^A-Za-z0-9_.-]/g, "_");
}

function eventId(assetKey: AssetKey, dedupeKey: string): string {
  return `${keyToString(assetKey)}\u0000${dedupeKey}`;
}

function checkId(check: CheckResultInput): string {
  return `${keyToString(check.assetKey)}\u0000${check.checkName}\u0000${check.dedupeKey}`;
}

function logLevel(level: string): RunLogLevel {
  return level === "warn" || level === "error" || level === "debug" ? level : "info";
}

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");

function stripAnsi(text: string): string {
  return text.replace(ANSI, "");
}

/** dbt's multi-line messages ("Runtime Error in model x (path)\n  Binder Error: …") on one line, kept short. */
function oneLine(value: unknown): string {
  const text = typeof value === "string" ? stripAnsi(value).replace(/\s+/g, " ").trim() : "";
  return text.length > 300 ? `${text.slice(0, 299)}…` : text || "no message";
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function stringOrNull(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}
