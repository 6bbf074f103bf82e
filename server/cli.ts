/**
 * The `tributary` command line. Parses arguments and hands over to ./serve.ts; the connectors, store and
 * scheduler come in through ./wiring.ts; `materialize` and `runs` talk to a running server (./cli-runs.ts).
 * Run it with `npx tributary …` (bin/tributary.js, which runs it compiled: scripts/build-cli.mjs) or `tsx server/cli.ts …`.
 */
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import type { Logger } from "pino";
import { addReportCommand } from "./cli-report.ts";
import { addRunCommands } from "./cli-runs.ts";
import { addTokenCommands, mintDemoToken } from "./cli-token.ts";
import { startDemoCensus } from "./demo-census.ts";
import { startDemoFivetran } from "./demo-fivetran.ts";
import { createLogger } from "./logging.ts";
import { processOutput, runCheck, startServe, type ConsoleOutput, type LocationOptions, type ServeDependencies } from "./serve.ts";
import { createCatalogService } from "./wiring.ts";

/** How `main` reaches the world; tests replace parts of it. */
export interface CliEnvironment {
  readonly deps: ServeDependencies;
  readonly output: ConsoleOutput;
  readonly logger: Logger;
  /** Directory the location defaults are looked for in (default the process's cwd). */
  readonly cwd: string;
  /** Environment variables (default the process's): TRIBUTARY_URL. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Options common to commands that load locations, as commander parses them. */
interface LocationFlags {
  readonly config?: string;
  readonly dbtProject?: string[];
  readonly manifest?: string[];
  readonly dataDir: string;
}

/** A usage problem found after parsing (exit code 2, like commander's own usage errors). */
class UsageError extends Error {}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError("a port is a whole number from 0 to 65535");
  return port;
}

/**
 * The locations to load. Without any location flag, `tributary.yaml` in the working directory is used, or
 * the working directory itself when it is a dbt project, so `tributary serve` works where people stand.
 */
export function resolveLocations(flags: LocationFlags, cwd: string): LocationOptions {
  const manifests = flags.manifest ?? [];
  let dbtProjects = flags.dbtProject ?? [];
  let config = flags.config ?? null;
  const given = config !== null || dbtProjects.length > 0 || manifests.length > 0;
  if (!given) {
    if (existsSync(join(cwd, "tributary.yaml"))) config = join(cwd, "tributary.yaml");
    else if (existsSync(join(cwd, "dbt_project.yml"))) dbtProjects = [cwd];
    else {
      throw new UsageError(
        "nothing to load: pass --config tributary.yaml, --dbt-project DIR or --manifest FILE (or run where tributary.yaml or dbt_project.yml is)",
      );
    }
  }
  return { config, dbtProjects, manifests, dataDir: flags.dataDir };
}

function addLocationOptions(command: Command): Command {
  return command
    .option("--config <file>", "tributary.yaml naming dbt projects, Fivetran and Census accounts, warehouse, storage")
    .option("--dbt-project <dir>", "a dbt project directory (repeatable); Tributary runs `dbt parse` in it", collect)
    .option("--manifest <file>", "a dbt manifest.json to read as is (repeatable)", collect)
    .option("--data-dir <dir>", "where the embedded store lives (unless DATABASE_URL is set)", ".tributary");
}

function readVersion(): string {
  try {
    const packageJson = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version?: string };
    return packageJson.version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}

/** Waits for SIGINT/SIGTERM, then stops gracefully; a second signal exits at once. */
function stopOnSignal(stop: () => Promise<void>, output: ConsoleOutput, logger: Logger): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        output.err(`Received ${signal} again; exiting without waiting`);
        process.exit(130);
      }
      stopping = true;
      output.err(`Received ${signal}; shutting down (again to force)…`);
      stop().then(
        () => {
          process.off("SIGINT", onSignal);
          process.off("SIGTERM", onSignal);
          output.err("Stopped");
          resolve(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, "error while shutting down");
          resolve(1);
        },
      );
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}

/** --host and --port when given on the command line; left out (so tributary.yaml's server.host / port apply) when defaulted. */
function explicitAddress(command: Command, flags: { host: string; port: number }): { host?: string; port?: number } {
  return {
    ...(command.getOptionValueSource("host") === "cli" ? { host: flags.host } : {}),
    ...(command.getOptionValueSource("port") === "cli" ? { port: flags.port } : {}),
  };
}

const NO_SCHEDULER_HELP = "do not run the scheduler daemon (no policy ticks) nor the observers; runs launched by hand still execute";

/** Builds the command tree; each action stores its exit code through `setExitCode`. */
export function createProgram(environment: CliEnvironment, setExitCode: (code: number) => void): Command {
  const { deps, output, logger, cwd, env } = environment;
  const program = new Command()
    .name("tributary")
    .description("One asset catalog and control plane for Fivetran → dbt → Census")
    .version(readVersion())
    .exitOverride()
    .configureOutput({
      writeOut: (text) => output.out(text.replace(/\n$/, "")),
      writeErr: (text) => output.err(text.replace(/\n$/, "")),
    });

  addLocationOptions(
    program
      .command("serve")
      .description("load every location and serve the catalog over GraphQL (and the web UI)"),
  )
    .addOption(new Option("--host <host>", "interface to listen on").default("127.0.0.1"))
    .addOption(new Option("--port <port>", "port to listen on (0 picks a free one)").argParser(parsePort).default(3000))
    .option("--no-scheduler", NO_SCHEDULER_HELP)
    .option("--strict", "treat error diagnostics as fatal at startup")
    .action(async (flags: LocationFlags & { host: string; port: number; scheduler: boolean; strict?: boolean }, command: Command) => {
      const locations = resolveLocations(flags, cwd);
      const running = await startServe(
        { ...locations, ...explicitAddress(command, flags), scheduler: flags.scheduler, strict: flags.strict === true },
        deps,
        { logger, output },
      );
      if (!running.ok) {
        setExitCode(running.exitCode);
        return;
      }
      setExitCode(await stopOnSignal(running.stop, output, logger));
    });

  addLocationOptions(
    program
      .command("check")
      .description("load every location and report problems as file:line: messages; exit 1 if any is an error"),
  )
    .option("--strict", "fail on warnings too")
    .action(async (flags: LocationFlags & { strict?: boolean }) => {
      const locations = resolveLocations(flags, cwd);
      setExitCode(await runCheck({ ...locations, strict: flags.strict === true }, deps, { logger, output }));
    });

  program
    .command("demo")
    .description("serve demo-project (a dbt project on DuckDB) with its tributary.yaml; installs dbt on first run")
    .addOption(new Option("--host <host>", "interface to listen on").default("127.0.0.1"))
    .addOption(new Option("--port <port>", "port to listen on (0 picks a free one)").argParser(parsePort).default(3000))
    .option("--no-scheduler", NO_SCHEDULER_HELP)
    .action(async (flags: { host: string; port: number; scheduler: boolean }, command: Command) => {
      const config = fileURLToPath(new URL("../demo-project/tributary.yaml", import.meta.url));
      const dataDir = fileURLToPath(new URL("../.tributary/demo", import.meta.url));
      // The local Fivetran the demo's tributary.yaml points at (FIVETRAN_BASE_URL and credentials).
      const fivetran = await startDemoFivetran({
        projectDir: fileURLToPath(new URL("../demo-project", import.meta.url)),
        dataDir,
        log: (message) => logger.info({ component: "fivetran-simulator" }, message),
      });
      output.err(`Fivetran simulator: ${fivetran.url} (shopify, stripe, google_ads land rows into ${fivetran.warehousePath})`);
      // The local Census the demo's tributary.yaml points at (CENSUS_BASE_URL and its token).
      const census = await startDemoCensus({
        projectDir: fileURLToPath(new URL("../demo-project", import.meta.url)),
        dataDir,
        log: (message) => logger.info({ component: "census-simulator" }, message),
      });
      output.err(`Census simulator: ${census.url} (customers → CRM contacts, marketing_roi → ad audiences, written to ${census.outputDir})`);
      const stopSimulators = async (): Promise<void> => {
        await fivetran.close();
        await census.close();
      };
      // Anonymous callers only read: the demo mints an operator token for the person trying it.
      const token = await mintDemoToken(dataDir, env);
      if (token !== null) {
        output.err(`To launch runs: export TRIBUTARY_TOKEN=${token} (an operator token named "demo", replaced at each start); paste it into the web catalog's token dialog too.`);
      }
      const running = await startServe(
        { config, dbtProjects: [], manifests: [], dataDir, ...explicitAddress(command, flags), scheduler: flags.scheduler, strict: false },
        deps,
        { logger, output },
      );
      if (!running.ok) {
        await stopSimulators();
        setExitCode(running.exitCode);
        return;
      }
      setExitCode(
        await stopOnSignal(async () => {
          await running.stop();
          await stopSimulators();
        }, output, logger),
      );
    });

  addRunCommands(program, { output, env }, setExitCode);
  addReportCommand(program, { output, env }, setExitCode);
  addTokenCommands(program, { output, env, cwd }, setExitCode);

  return program;
}

/**
 * Runs the CLI with `argv` (as in `process.argv`) and resolves with the exit code. `serve` resolves only after
 * it has been stopped by a signal.
 */
export async function main(argv: readonly string[], environment: Partial<CliEnvironment> = {}): Promise<number> {
  const output = environment.output ?? processOutput;
  const full: CliEnvironment = {
    deps: environment.deps ?? { createCatalogService },
    output,
    logger: environment.logger ?? createLogger(),
    cwd: environment.cwd ?? process.cwd(),
    env: environment.env ?? process.env,
  };
  let exitCode = 0;
  const program = createProgram(full, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv]);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with code 0; usage errors were already printed by commander.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof UsageError) {
      output.err(`error: ${error.message}`);
      return 2;
    }
    full.logger.error({ err: error }, "unexpected error");
    output.err(`error: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

/**
 * Runs `main` for this process and exits with its code. The exit is forced after a moment because a wiring
 * that leaves a handle open (a store connection, a timer) must not keep a finished command alive.
 */
export async function runAsProcess(argv: readonly string[] = process.argv): Promise<void> {
  const code = await main(argv);
  process.exitCode = code;
  setTimeout(() => process.exit(code), 2000).unref();
}

/** For scripts/ensure-setup.mjs: makes the embedded database's template (catalog/store/template.ts) when missing. */
export async function ensureStoreTemplate(): Promise<{ path: string; made: boolean }> {
  const store = await import("../catalog/store/index.ts"); // loaded on use: a command's start does not pay for it
  return store.ensureStoreTemplate();
}

// `tsx server/cli.ts …` runs this file directly; bin/tributary.js imports it and calls runAsProcess itself.
function invokedDirectly(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === fileURLToPath(import.meta.url);
  } catch {
    return false; // not a file (node -e, a REPL)
  }
}
if (invokedDirectly()) await runAsProcess();
