/**
 * `tributary report --run-results target/run_results.json`: records a dbt run made outside Tributary (in CI)
 * on the running server, through `Mutation.reportDbtRunResults`, so its materializations and test results
 * appear in the catalog and eager children react. The file is read and validated here (a broken file is named
 * with its JSON path before anything is sent), then sent in parts small enough for the API's request limit;
 * every part carries the run's invocation id, so the server records each node once however often it is sent.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { Option, type Command } from "commander";
import { parseRunResults, RunResultsError } from "../connectors/dbt/index.ts";
import { GraphQLRequestError, ServerUnreachableError, createGraphQLClient } from "./graphql-client.ts";
import type { GraphQLClient } from "./graphql-client.ts";
import { DEFAULT_SERVER_URL, resolveServerUrl, TOKEN_HINT } from "./cli-runs.ts";
import type { ConsoleOutput } from "./serve.ts";

/** Node results per request: each is a few hundred bytes, the API accepts 1 MB per request. */
const RESULTS_PER_REQUEST = 500;

const MUTATION = /* GraphQL */ `
  mutation Report($runResults: JSON!, $location: String) {
    reportDbtRunResults(runResults: $runResults, location: $location) {
      recorded alreadyRecorded materializations failures checkResults unknownNodes
    }
  }
`;

interface ReportAnswer {
  reportDbtRunResults: {
    recorded: number;
    alreadyRecorded: number;
    materializations: number;
    failures: number;
    checkResults: number;
    unknownNodes: string[];
  };
}

/** Sends the file in parts and prints what was recorded; returns the exit code. */
export async function reportRunResults(client: GraphQLClient, file: string, location: string | null, output: ConsoleOutput): Promise<number> {
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    output.err(`error: cannot read ${path}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : String(error)}`);
    return 1;
  }
  try {
    parseRunResults(text, path);
  } catch (error) {
    if (error instanceof RunResultsError) {
      output.err(`error: ${error.message}`);
      return 1;
    }
    throw error;
  }
  const json = JSON.parse(text) as { results: unknown[] } & Record<string, unknown>;
  const totals = { recorded: 0, alreadyRecorded: 0, materializations: 0, failures: 0, checkResults: 0 };
  const unknown = new Set<string>();
  for (let start = 0; start < Math.max(1, json.results.length); start += RESULTS_PER_REQUEST) {
    const part = { ...json, results: json.results.slice(start, start + RESULTS_PER_REQUEST) };
    const answer = await client.request<ReportAnswer>(MUTATION, { runResults: part, location });
    const r = answer.reportDbtRunResults;
    totals.recorded += r.recorded;
    totals.alreadyRecorded += r.alreadyRecorded;
    totals.materializations += r.materializations;
    totals.failures += r.failures;
    totals.checkResults += r.checkResults;
    for (const node of r.unknownNodes) unknown.add(node);
  }
  output.out(
    `Reported ${path}: ${totals.materializations} materializations, ${totals.failures} failures, ${totals.checkResults} check results ` +
      `(${totals.recorded} new, ${totals.alreadyRecorded} already recorded)`,
  );
  if (unknown.size > 0) output.err(`  ${unknown.size} dbt nodes are not in the catalog and were ignored: ${[...unknown].slice(0, 10).join(", ")}${unknown.size > 10 ? ", …" : ""}`);
  return 0;
}

/** Adds `report` to the program. */
export function addReportCommand(
  program: Command,
  environment: { readonly output: ConsoleOutput; readonly env: Readonly<Record<string, string | undefined>> },
  setExitCode: (code: number) => void,
): void {
  const { output, env } = environment;
  program
    .command("report")
    .description("record a dbt run made elsewhere (CI, dbt Cloud) on the running server: its materializations and test results, once")
    .requiredOption("--run-results <file>", "dbt's run_results.json (target/run_results.json after dbt build, run, seed, snapshot or test)")
    .option("--location <name>", "the dbt location it belongs to, when several declare the same nodes")
    .addOption(new Option("--url <url>", `the server's GraphQL URL (default: $TRIBUTARY_URL, else ${DEFAULT_SERVER_URL})`).argParser((value) => resolveServerUrl(value, env)))
    .action(async (flags: { runResults: string; location?: string; url?: string }) => {
      try {
        setExitCode(await reportRunResults(createGraphQLClient(resolveServerUrl(flags.url, env), { token: env["TRIBUTARY_TOKEN"] || undefined }), flags.runResults, flags.location ?? null, output));
      } catch (error) {
        if (error instanceof ServerUnreachableError || error instanceof GraphQLRequestError) {
          output.err(`error: ${error.message}`);
          if (error instanceof GraphQLRequestError && (error.code === "UNAUTHENTICATED" || error.code === "FORBIDDEN")) output.err(TOKEN_HINT);
          setExitCode(1);
          return;
        }
        throw error;
      }
    });
}
