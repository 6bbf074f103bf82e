/**
 * `tributary materialize` and `tributary runs`: commands that talk to a running server (`tributary serve`)
 * over its GraphQL API, so they work the same on a laptop and against a shared server.
 *
 * - materialize launches one run (launchRun), then follows it over the runUpdates subscription (SSE),
 *   printing each step as it starts and ends and the tools' log lines at info and above; it exits 0 when the
 *   run succeeded and 1 when it failed or was canceled. A broken stream is resumed where it stopped.
 * - runs prints a table of runs, newest first.
 * - schedules prints each schedule with its job, when it runs, its next tick and its latest tick's run.
 */
import { InvalidArgumentError, Option, type Command } from "commander";
import { createGraphQLClient, GraphQLRequestError, ServerUnreachableError, type GraphQLClient } from "./graphql-client.ts";
import type { ConsoleOutput } from "./serve.ts";

/** Where the commands look for the server without --url or TRIBUTARY_URL. */
export const DEFAULT_SERVER_URL = "http://127.0.0.1:3000/graphql";

/** Run statuses as the CLI takes them (lower case) and the API names them. */
const RUN_STATUSES = ["queued", "running", "succeeded", "failed", "canceled"] as const;
const MAX_FIRST = 200;

interface StepView {
  readonly index: number;
  readonly tool: string;
  readonly location: string;
  readonly assetKeys: readonly string[];
  readonly status: string;
  readonly message: string | null;
  readonly failedKeys: readonly string[];
  readonly skippedKeys: readonly string[];
  readonly url: string | null;
  readonly startedAt: string | null;
  readonly endedAt: string | null;
  readonly durationMs: number | null;
}

interface RunView {
  readonly id: string;
  readonly status: string;
  readonly message: string | null;
  readonly assetKeys: readonly string[];
  readonly startedAt: string | null;
  readonly endedAt: string | null;
  readonly durationMs: number | null;
  readonly launchedBy: { readonly description: string };
  readonly steps: readonly StepView[];
}

interface LogView {
  readonly id: number;
  readonly at: string;
  readonly level: string;
  readonly message: string;
  readonly assetKey: string | null;
  readonly stepIndex: number | null;
}

const RUN_FIELDS = /* GraphQL */ `
  id status message assetKeys startedAt endedAt durationMs launchedBy { description }
  steps { index tool location assetKeys status message failedKeys skippedKeys url startedAt endedAt durationMs }
`;
const LOG_FIELDS = "id at level message assetKey stepIndex";

const LAUNCH = /* GraphQL */ `
  mutation Materialize($keys: [String!]!) {
    launchRun(assetKeys: $keys) { run { ${RUN_FIELDS} } unlaunchable { assetKey reason } }
  }
`;
const FOLLOW = /* GraphQL */ `
  subscription Follow($id: ID!, $afterLogId: Int) {
    runUpdates(id: $id, afterLogId: $afterLogId) { run { ${RUN_FIELDS} } logs { ${LOG_FIELDS} } }
  }
`;
const RUN = /* GraphQL */ `
  query Run($id: ID!, $after: Int) { run(id: $id) { ${RUN_FIELDS} logs(after: $after) { ${LOG_FIELDS} } } }
`;
const RUNS = /* GraphQL */ `
  query Runs($status: [RunStatus!], $assetKey: String, $first: Int) {
    runs(status: $status, assetKey: $assetKey, first: $first) {
      totalCount
      nodes { id status createdAt startedAt durationMs assetKeys launchedBy { description } }
    }
  }
`;

const TERMINAL = new Set(["SUCCEEDED", "FAILED", "CANCELED"]);

/** The GraphQL URL a flag or TRIBUTARY_URL names: a bare server address gets /graphql. */
export function resolveServerUrl(flag: string | undefined, env: Readonly<Record<string, string | undefined>>): string {
  const given = flag ?? (env["TRIBUTARY_URL"] || undefined) ?? DEFAULT_SERVER_URL;
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw new InvalidArgumentError(`"${given}" is not a URL (e.g. ${DEFAULT_SERVER_URL})`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new InvalidArgumentError(`"${given}" is not an http(s) URL`);
  if (url.pathname === "/" || url.pathname === "") url.pathname = "/graphql";
  return url.toString();
}

/** 1.2 s, 3 min 4 s, 2 h 5 min. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return "-";
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
}

const pad2 = (n: number) => String(n).padStart(2, "0");

/** Local wall-clock time of an instant: 14:03:27. */
function clock(iso: string | null): string {
  const date = iso === null ? new Date() : new Date(iso);
  return `${pad2(date.getHours())}:${pad2(date.getMinutes())}:${pad2(date.getSeconds())}`;
}

/** Local date and time of an instant: 2026-03-02 14:03:27. */
function dateTime(iso: string | null): string {
  if (iso === null) return "-";
  const date = new Date(iso);
  return `${date.getFullYear()}-${pad2(date.getMonth() + 1)}-${pad2(date.getDate())} ${clock(iso)}`;
}

/** a, b, c +4 more */
function listKeys(keys: readonly string[], shown = 3): string {
  return keys.length <= shown ? keys.join(", ") : `${keys.slice(0, shown).join(", ")} +${keys.length - shown} more`;
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;

/** The engine's own "step N/M … started on <worker>" and "step N/M <status>: …" lines; the printer says these itself. */
const ENGINE_STEP_LINE = /^step \d+\/\d+ (\(.*\) started on |(succeeded|failed|canceled): )/;

/** Turns run updates into progress lines: steps as they start and end, and log lines at info and above. */
export function createProgressPrinter(output: ConsoleOutput) {
  const started = new Set<number>();
  const ended = new Set<number>();
  const stepLabel = (run: RunView, step: StepView) => `step ${step.index + 1}/${run.steps.length}`;
  const printLog = (line: LogView) => {
    if (line.level === "DEBUG" || (line.stepIndex !== null && ENGINE_STEP_LINE.test(line.message))) return;
    const level = line.level === "INFO" ? "" : `${line.level.toLowerCase()}: `;
    output.out(`${clock(line.at)}   ${level}${line.assetKey ? `${line.assetKey}: ` : ""}${line.message}`);
  };
  return {
    update(run: RunView, logs: readonly LogView[]): void {
      for (const step of run.steps) {
        if (!started.has(step.index) && step.startedAt !== null) {
          started.add(step.index);
          output.out(`${clock(step.startedAt)} ${stepLabel(run, step)} started: ${step.tool} ${step.location} (${listKeys(step.assetKeys)})`);
        }
        for (const line of logs) if (line.stepIndex === step.index) printLog(line);
        const done = step.status !== "PENDING" && step.status !== "RUNNING";
        if (!ended.has(step.index) && done) {
          ended.add(step.index);
          const took = step.startedAt === null ? "" : ` in ${formatDuration(step.durationMs)}`;
          const details = [
            step.failedKeys.length > 0 ? `failed: ${listKeys(step.failedKeys, 10)}` : null,
            step.skippedKeys.length > 0 ? `skipped: ${listKeys(step.skippedKeys, 10)}` : null,
            step.url,
          ].filter((part) => part !== null);
          output.out(
            `${clock(step.endedAt)} ${stepLabel(run, step)} ${step.status.toLowerCase()}${took}` +
              `${step.message ? `: ${step.message}` : ""}${details.length > 0 ? ` (${details.join("; ")})` : ""}`,
          );
        }
      }
      for (const line of logs) if (line.stepIndex === null || !run.steps.some((s) => s.index === line.stepIndex)) printLog(line);
    },
  };
}

/** Follows a run to its end over the subscription, resuming after a broken stream; returns the ended run. */
async function followRun(client: GraphQLClient, first: RunView, onUpdate: (run: RunView, logs: readonly LogView[]) => void, output: ConsoleOutput): Promise<RunView> {
  let lastLogId = 0;
  let run = first;
  let failures = 0;
  for (;;) {
    try {
      for await (const data of client.subscribe<{ runUpdates: { run: RunView; logs: LogView[] } }>(FOLLOW, { id: run.id, afterLogId: lastLogId })) {
        failures = 0;
        run = data.runUpdates.run;
        lastLogId = data.runUpdates.logs.at(-1)?.id ?? lastLogId;
        onUpdate(run, data.runUpdates.logs);
      }
    } catch (error) {
      if (!(error instanceof ServerUnreachableError)) throw error;
      failures += 1;
      if (failures > 5) throw error;
      output.err(`warning: lost the run's updates (${error.message}); reconnecting…`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 250 * 2 ** failures)));
      continue;
    }
    if (TERMINAL.has(run.status)) return run;
    // The stream completed but the run has not ended (the server is stopping): look once, then follow again.
    const current = await client.request<{ run: (RunView & { logs: LogView[] }) | null }>(RUN, { id: run.id, after: lastLogId });
    if (current.run === null) throw new GraphQLRequestError(`run ${run.id} is gone`, "RUN_NOT_FOUND");
    run = current.run;
    lastLogId = current.run.logs.at(-1)?.id ?? lastLogId;
    onUpdate(run, current.run.logs);
    if (TERMINAL.has(run.status)) return run;
  }
}

/** `tributary materialize KEY…`: the exit code. */
export async function materialize(client: GraphQLClient, keys: readonly string[], output: ConsoleOutput): Promise<number> {
  const launched = await client.request<{ launchRun: { run: RunView | null; unlaunchable: { assetKey: string; reason: string }[] } }>(LAUNCH, { keys });
  for (const { assetKey, reason } of launched.launchRun.unlaunchable) output.err(`warning: ${assetKey} cannot be launched: ${reason}`);
  const run = launched.launchRun.run;
  if (run === null) {
    output.err("error: none of the assets can be launched; nothing was run");
    return 1;
  }
  output.out(`Launched run ${run.id} (${plural(run.assetKeys.length, "asset")} in ${plural(run.steps.length, "step")}) on ${client.url}`);
  const printer = createProgressPrinter(output);
  printer.update(run, []);
  const ended = await followRun(client, run, (next, logs) => printer.update(next, logs), output);
  const how = ended.status.toLowerCase();
  const took = ended.durationMs === null ? "" : ` in ${formatDuration(ended.durationMs)}`;
  output.out(`Run ${ended.id.slice(0, 8)} ${how}${took}${ended.status === "SUCCEEDED" || !ended.message ? "" : `: ${ended.message}`}`);
  return ended.status === "SUCCEEDED" ? 0 : 1;
}

const BACKFILL_FIELDS = "id status from to assetKeys counts { total waiting queued running succeeded failed canceled skipped } partitions { key status message runId }";
const LAUNCH_BACKFILL = /* GraphQL */ `
  mutation Backfill($keys: [String!]!, $from: String!, $to: String!, $buildUpstream: Boolean) {
    launchBackfill(assetKeys: $keys, from: $from, to: $to, buildUpstream: $buildUpstream) { ${BACKFILL_FIELDS} }
  }
`;
const RERUN_BACKFILL = /* GraphQL */ `mutation Rerun($id: ID!) { rerunBackfill(id: $id) { ${BACKFILL_FIELDS} } }`;
const BACKFILL = /* GraphQL */ `query Backfill($id: ID!) { backfill(id: $id) { ${BACKFILL_FIELDS} } }`;

interface BackfillView {
  readonly id: string;
  readonly status: string;
  readonly from: string;
  readonly to: string;
  readonly assetKeys: readonly string[];
  readonly counts: Readonly<Record<string, number>>;
  readonly partitions: readonly { readonly key: string; readonly status: string; readonly message: string | null; readonly runId: string | null }[];
}

/** One line of a backfill's progress: `12/31 succeeded, 4 running, 15 queued`. */
export function backfillProgress(backfill: BackfillView): string {
  const { total, ...rest } = backfill.counts;
  const parts = ["succeeded", "running", "queued", "waiting", "failed", "skipped", "canceled"].filter((k) => (rest[k] ?? 0) > 0 && k !== "succeeded").map((k) => `${rest[k]} ${k}`);
  return `${rest["succeeded"] ?? 0}/${total} succeeded${parts.length > 0 ? `, ${parts.join(", ")}` : ""}`;
}

/**
 * `tributary backfill KEY… --from A --to B` (or `--rerun ID`): launches the backfill, prints its progress as it
 * changes until it ends (unless `wait` is false); exit 0 when every partition succeeded, 1 otherwise.
 */
export async function backfill(
  client: GraphQLClient,
  request: {
    readonly keys: readonly string[];
    readonly from: string | null;
    readonly to: string | null;
    readonly rerun: string | null;
    readonly wait: boolean;
    readonly pollMs?: number;
    /** Build the unpartitioned upstream never materialized once, before the partitions (--build-upstream). */
    readonly buildUpstream?: boolean;
  },
  output: ConsoleOutput,
): Promise<number> {
  let current: BackfillView;
  if (request.rerun !== null) {
    current = (await client.request<{ rerunBackfill: BackfillView }>(RERUN_BACKFILL, { id: request.rerun })).rerunBackfill;
    output.out(`Backfill ${current.id}: sent its failed partitions again`);
  } else {
    current = (await client.request<{ launchBackfill: BackfillView }>(LAUNCH_BACKFILL, { keys: request.keys, from: request.from, to: request.to, buildUpstream: request.buildUpstream === true })).launchBackfill;
    output.out(`Launched backfill ${current.id}: ${plural(current.counts["total"] ?? 0, "partition")} of ${listKeys(current.assetKeys)} (${current.from} … ${current.to}) on ${client.url}`);
  }
  let shown = backfillProgress(current);
  output.out(shown);
  if (!request.wait) return 0;
  while (current.status === "RUNNING") {
    await new Promise((resolve) => setTimeout(resolve, request.pollMs ?? 2_000));
    const next = (await client.request<{ backfill: BackfillView | null }>(BACKFILL, { id: current.id })).backfill;
    if (next === null) throw new GraphQLRequestError(`backfill ${current.id} is gone`, "NOT_FOUND");
    current = next;
    const line = backfillProgress(current);
    if (line !== shown) output.out((shown = line));
  }
  for (const partition of current.partitions.filter((p) => p.status === "FAILED" || p.status === "SKIPPED" || p.status === "CANCELED")) {
    output.err(`${partition.key === "" ? "unpartitioned upstream" : partition.key} ${partition.status.toLowerCase()}${partition.message ? `: ${partition.message}` : ""}${partition.runId ? ` (run ${partition.runId.slice(0, 8)})` : ""}`);
  }
  output.out(`Backfill ${current.id.slice(0, 8)} ${current.status.toLowerCase()}${current.status === "SUCCEEDED" ? "" : `; tributary backfill --rerun ${current.id} sends the failed partitions again`}`);
  return current.status === "SUCCEEDED" ? 0 : 1;
}

/** Lines of a table whose columns are as wide as their widest cell. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!))).join("  ");
  return [line(header), ...rows.map(line)];
}

/** `tributary runs`: the exit code. */
export async function listRuns(
  client: GraphQLClient,
  filters: { readonly statuses: readonly string[]; readonly assetKey: string | null; readonly first: number },
  output: ConsoleOutput,
): Promise<number> {
  type Row = { id: string; status: string; createdAt: string; startedAt: string | null; durationMs: number | null; assetKeys: string[]; launchedBy: { description: string } };
  const { runs } = await client.request<{ runs: { totalCount: number; nodes: Row[] } }>(RUNS, {
    status: filters.statuses.length > 0 ? filters.statuses.map((s) => s.toUpperCase()) : null,
    assetKey: filters.assetKey,
    first: filters.first,
  });
  if (runs.nodes.length === 0) {
    output.out("No runs" + (filters.statuses.length > 0 || filters.assetKey !== null ? " match the filters" : " yet"));
    return 0;
  }
  const rows = runs.nodes.map((run) => [
    run.id.slice(0, 8),
    run.status.toLowerCase(),
    run.launchedBy.description,
    listKeys(run.assetKeys, 2),
    dateTime(run.startedAt),
    formatDuration(run.durationMs),
  ]);
  for (const line of formatTable(["RUN", "STATUS", "LAUNCHED BY", "ASSETS", "STARTED", "DURATION"], rows)) output.out(line.trimEnd());
  if (runs.totalCount > runs.nodes.length) output.out(`${runs.nodes.length} of ${runs.totalCount} runs; --first ${Math.min(MAX_FIRST, runs.totalCount)} shows more`);
  return 0;
}

const SCHEDULES = /* GraphQL */ `
  query Schedules {
    schedules {
      name jobName cron cronDescription timezone status errors
      job { assetCount }
      nextTicks(count: 1)
      latestTick { tickAt status reason run { id status } }
    }
  }
`;

/** `tributary schedules`: each schedule, its job, when it runs, its next tick and its latest run; the exit code. */
export async function listSchedules(client: GraphQLClient, output: ConsoleOutput): Promise<number> {
  type Row = {
    name: string;
    jobName: string;
    cron: string;
    cronDescription: string;
    timezone: string;
    status: string;
    errors: string[];
    job: { assetCount: number } | null;
    nextTicks: string[];
    latestTick: { tickAt: string; status: string; reason: string | null; run: { id: string; status: string } | null } | null;
  };
  const { schedules } = await client.request<{ schedules: Row[] }>(SCHEDULES);
  if (schedules.length === 0) {
    output.out("No schedules (declare them under schedules: in tributary.yaml)");
    return 0;
  }
  const latest = (tick: Row["latestTick"]): string => {
    if (tick === null) return "-";
    const what = tick.run ? `run ${tick.run.id.slice(0, 8)} ${tick.run.status.toLowerCase()}` : tick.status.toLowerCase();
    return `${dateTime(tick.tickAt)} ${what}`;
  };
  const rows = schedules.map((s) => [
    s.name,
    `${s.jobName}${s.job ? ` (${plural(s.job.assetCount, "asset")})` : ""}`,
    `${s.cronDescription} (${s.cron}, ${s.timezone})`,
    s.errors.length > 0 ? "invalid" : s.status.toLowerCase(),
    s.nextTicks[0] ? dateTime(s.nextTicks[0]) : "-",
    latest(s.latestTick),
  ]);
  for (const line of formatTable(["SCHEDULE", "JOB", "WHEN", "STATUS", "NEXT TICK", "LATEST TICK"], rows)) output.out(line.trimEnd());
  for (const s of schedules) for (const error of s.errors) output.err(`error: schedule ${s.name}: ${error}`);
  return schedules.some((s) => s.errors.length > 0) ? 1 : 0;
}

/** What an error of these commands means for people, and the exit code. */
function report(error: unknown, output: ConsoleOutput): number {
  if (error instanceof ServerUnreachableError) {
    output.err(`error: ${error.message}`);
    output.err("Start one with `tributary serve` (or `tributary demo`), or point --url (or TRIBUTARY_URL) at one.");
    return 1;
  }
  if (error instanceof GraphQLRequestError) {
    output.err(`error: ${error.message}${error.code ? ` [${error.code}]` : ""}`);
    if (error.code === "UNAUTHENTICATED" || error.code === "FORBIDDEN") output.err(TOKEN_HINT);
    // A key or an argument the server refused is the caller's to fix, like a usage error.
    return error.code === "ASSET_NOT_FOUND" || error.code === "BAD_USER_INPUT" || error.code === "UPSTREAM_NOT_BUILT" ? 2 : 1;
  }
  throw error;
}

function parseFirst(value: string): number {
  const first = Number(value);
  if (!Number.isInteger(first) || first < 1 || first > MAX_FIRST) throw new InvalidArgumentError(`a whole number from 1 to ${MAX_FIRST}`);
  return first;
}

function parseStatuses(value: string, previous: string[] | undefined): string[] {
  const statuses = value.split(",").map((s) => s.trim().toLowerCase()).filter((s) => s !== "");
  for (const status of statuses) {
    if (!(RUN_STATUSES as readonly string[]).includes(status)) throw new InvalidArgumentError(`one of ${RUN_STATUSES.join(", ")}`);
  }
  return [...(previous ?? []), ...statuses];
}

/** What to do about UNAUTHENTICATED or FORBIDDEN. */
export const TOKEN_HINT = "Set TRIBUTARY_TOKEN to a token with the operator role (an admin creates one: tributary token create --role operator --name <you>).";

const urlOption = () => new Option("--url <url>", `the server's GraphQL URL (default: $TRIBUTARY_URL, else ${DEFAULT_SERVER_URL})`);

/** Adds `materialize` and `runs` to the program; each action stores its exit code through `setExitCode`. */
export function addRunCommands(
  program: Command,
  environment: { readonly output: ConsoleOutput; readonly env: Readonly<Record<string, string | undefined>> },
  setExitCode: (code: number) => void,
): void {
  const { output, env } = environment;
  const clientFor = (command: Command, flag: string | undefined): GraphQLClient => {
    try {
      return createGraphQLClient(resolveServerUrl(flag, env), { token: env["TRIBUTARY_TOKEN"] || undefined });
    } catch (error) {
      // TRIBUTARY_URL is checked here (a --url is checked while parsing).
      return command.error(`error: ${error instanceof Error ? error.message : String(error)}`, { exitCode: 2, code: "tributary.badUrl" });
    }
  };

  program
    .command("materialize")
    .description("launch a run of these assets on the running server and follow it; exit 0 when it succeeded, 1 when it failed or was canceled")
    .argument("<keys...>", "asset keys (a/b/c)")
    .addOption(urlOption().argParser((value) => resolveServerUrl(value, env)))
    .action(async (keys: string[], flags: { url?: string }, command: Command) => {
      const client = clientFor(command, flags.url);
      try {
        setExitCode(await materialize(client, keys, output));
      } catch (error) {
        setExitCode(report(error, output));
      }
    });

  program
    .command("backfill")
    .description("backfill partitions --from --to of partitioned assets on the running server (one run per partition, in parallel) and follow it; exit 0 when every partition succeeded")
    .argument("[keys...]", "asset keys (a/b/c); --from and --to are keys of the first one's partitions")
    .option("--from <partition>", "the first partition, e.g. 2026-09-01")
    .option("--to <partition>", "the last partition (inclusive)")
    .option("--rerun <backfill id>", "send again only the failed, canceled or skipped partitions of a backfill")
    .option("--build-upstream", "first build, once, the unpartitioned assets the partitions read that were never materialized (without it they refuse the backfill)")
    .option("--no-wait", "launch and return without following it")
    .addOption(urlOption().argParser((value) => resolveServerUrl(value, env)))
    .action(async (keys: string[], flags: { from?: string; to?: string; rerun?: string; buildUpstream?: boolean; wait: boolean; url?: string }, command: Command) => {
      if (flags.rerun === undefined && (keys.length === 0 || flags.from === undefined || flags.to === undefined)) {
        command.error("error: give asset keys with --from and --to (or --rerun <backfill id>)", { exitCode: 2, code: "tributary.backfillUsage" });
      }
      const client = clientFor(command, flags.url);
      try {
        setExitCode(await backfill(client, { keys, from: flags.from ?? null, to: flags.to ?? null, rerun: flags.rerun ?? null, wait: flags.wait, buildUpstream: flags.buildUpstream === true }, output));
      } catch (error) {
        setExitCode(report(error, output));
      }
    });

  program
    .command("runs")
    .description("list runs on the running server, newest first")
    .option("--status <status>", `only runs in this status: ${RUN_STATUSES.join(", ")} (repeatable, or comma-separated)`, parseStatuses)
    .option("--asset <key>", "only runs that targeted this asset")
    .addOption(new Option("--first <n>", `how many runs (at most ${MAX_FIRST})`).argParser(parseFirst).default(20))
    .addOption(urlOption().argParser((value) => resolveServerUrl(value, env)))
    .action(async (flags: { status?: string[]; asset?: string; first: number; url?: string }, command: Command) => {
      const client = clientFor(command, flags.url);
      try {
        setExitCode(await listRuns(client, { statuses: flags.status ?? [], assetKey: flags.asset ?? null, first: flags.first }, output));
      } catch (error) {
        setExitCode(report(error, output));
      }
    });

  program
    .command("schedules")
    .description("list the schedules on the running server: job, cron in words, status, next tick, latest tick and its run; exit 1 when one is invalid")
    .addOption(urlOption().argParser((value) => resolveServerUrl(value, env)))
    .action(async (flags: { url?: string }, command: Command) => {
      const client = clientFor(command, flags.url);
      try {
        setExitCode(await listSchedules(client, output));
      } catch (error) {
        setExitCode(report(error, output));
      }
    });
}
