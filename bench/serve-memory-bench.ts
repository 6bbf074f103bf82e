/**
 * Peak memory of `tributary serve --manifest <manifest>` (issue 18, target 5: ≤ 1.5 GB at 10k models of the
 * 393-MB-class manifest): the compiled command in a child process on a new data directory, its peak resident
 * set (VmHWM in /proc) read once it has answered its first query and again after `settleMs` more (the store's
 * snapshot write and the scheduler's first tick come after the first answer), with the time to that answer.
 *
 * A manifest with compiled SQL has its column lineage computed after the first answer, on a worker thread
 * (connectors/dbt/column-lineage-follow-up.ts), then swapped in and stored: the bench then also waits for
 * `Location.columnLineage` to be DONE (asked over GraphQL every second) and reads the peak again after it.
 *
 * Run alone with `npx tsx bench/serve-memory-bench.ts <manifest.json> [settle ms]`.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { buildCli, cliBundleIsFresh } from "../scripts/build-cli.mjs";
import { recordTarget } from "./targets.ts";

const ROOT = join(import.meta.dirname, "..");
/** Issue 18's target 5: serve's peak resident set at 10k models of the 393-MB-class manifest. */
const TARGET_MB = 1536;

/** Peak resident set of a process so far, in MB (VmHWM), or null without /proc. */
function peakRssMb(pid: number): number | null {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Math.round(Number(match[1]) / 1024) : null;
  } catch {
    return null;
  }
}

export interface ServeMemorySample {
  readonly manifestMb: number;
  readonly answeredMs: number;
  readonly peakAtAnswerMb: number | null;
  readonly peakSettledMb: number | null;
  /** With compiled SQL: when column lineage was DONE (from start), and the peak then (after the swap and its store). */
  readonly lineage: { readonly doneMs: number; readonly models: number | null; readonly peakMb: number | null } | null;
}

/**
 * The served locations' column lineage over GraphQL: empty when none has any to compute. A new connection each
 * time, retried: while the lineage is swapped in and stored the server's event loop is busy for seconds, after
 * which it closes an idle kept-alive connection as the next request arrives on it (ECONNRESET).
 */
async function columnLineageStates(graphqlUrl: string): Promise<{ state: string; models: number | null }[]> {
  const ask = () =>
    fetch(graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json", connection: "close" },
      body: JSON.stringify({ query: "{ locations { columnLineage { state models } } }" }),
    });
  let response: Response | null = null;
  for (let attempt = 1; response === null; attempt++) {
    try {
      response = await ask();
    } catch (error) {
      if (attempt >= 10) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  const body = (await response.json()) as { data?: { locations: { columnLineage: { state: string; models: number | null } | null }[] }; errors?: unknown };
  if (!body.data) throw new Error(`locations query failed: ${JSON.stringify(body.errors)}`);
  return body.data.locations.flatMap((l) => (l.columnLineage ? [l.columnLineage] : []));
}

export async function benchServeMemory(manifest: string, settleMs = 15_000): Promise<ServeMemorySample> {
  if (!cliBundleIsFresh()) await buildCli();
  const dataDir = mkdtempSync(join(tmpdir(), "tributary-serve-memory-"));
  const started = performance.now();
  const child = spawn(process.execPath, [join(ROOT, "bin", "tributary.js"), "serve", "--manifest", manifest, "--data-dir", dataDir, "--port", "0"], {
    cwd: ROOT,
    env: { ...process.env, TRIBUTARY_LOG_LEVEL: "silent" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  try {
    const { answeredMs, graphqlUrl } = await new Promise<{ answeredMs: number; graphqlUrl: string }>((resolve, reject) => {
      let stdout = "";
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        stdout += chunk;
        const serving = /Tributary is serving (\S+)/.exec(stdout);
        if (serving) resolve({ answeredMs: performance.now() - started, graphqlUrl: serving[1]! });
      });
      child.on("exit", (code) => reject(new Error(`serve exited (${code}) before answering: ${stderr}`)));
    });
    const peakAtAnswerMb = peakRssMb(child.pid!);
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    const peakSettledMb = peakRssMb(child.pid!);
    let lineage: ServeMemorySample["lineage"] = null;
    for (let states = await columnLineageStates(graphqlUrl); states.length > 0; states = await columnLineageStates(graphqlUrl)) {
      if (states.some((s) => s.state === "FAILED")) throw new Error(`column lineage failed: ${JSON.stringify(states)}`);
      if (states.every((s) => s.state === "DONE")) {
        const doneMs = performance.now() - started;
        // The computed lineage is stored like a load (a snapshot write) after the swap: let that settle too.
        await new Promise((resolve) => setTimeout(resolve, settleMs));
        lineage = { doneMs, models: states.reduce((n, s) => n + (s.models ?? 0), 0), peakMb: peakRssMb(child.pid!) };
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    return { manifestMb: Math.round(statSync(manifest).size / 1e6), answeredMs, peakAtAnswerMb, peakSettledMb, lineage };
  } finally {
    child.kill("SIGTERM");
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function printServeMemoryBench(manifest: string, settleMs = 15_000): Promise<void> {
  const before = loadavg()[0]!.toFixed(2);
  const sample = await benchServeMemory(manifest, settleMs);
  console.log(
    `\nServe memory (bench/serve-memory-bench.ts): \`serve --manifest\` of ${manifest.split("/").pop()} (${sample.manifestMb} MB), new data dir, ` +
      `load average ${before} → ${loadavg()[0]!.toFixed(2)}`,
  );
  const { lineage } = sample;
  console.log(`| first query answered | peak RSS then | peak RSS ${settleMs / 1000} s later | column lineage done (models), peak RSS ${settleMs / 1000} s after | target |`);
  console.log("|---|---|---|---|---|");
  const peak = Math.max(sample.peakAtAnswerMb ?? 0, sample.peakSettledMb ?? 0, lineage?.peakMb ?? 0);
  const verdict = sample.peakSettledMb === null ? "not measured" : peak <= TARGET_MB ? "met" : "not met";
  const lineageCell = lineage === null ? "no compiled SQL" : `${(lineage.doneMs / 1000).toFixed(1)} s (${lineage.models ?? "?"}), ${lineage.peakMb ?? "n/a"} MB`;
  console.log(`| ${(sample.answeredMs / 1000).toFixed(1)} s | ${sample.peakAtAnswerMb ?? "n/a"} MB | ${sample.peakSettledMb ?? "n/a"} MB | ${lineageCell} | target 5: ≤ 1,536 MB — ${verdict} |`);
  if (sample.peakSettledMb !== null) {
    recordTarget({
      target: 5,
      what:
        `peak RSS of \`serve --manifest\`, ${manifest.split("/").pop()} (${sample.manifestMb} MB), first query answered in ${(sample.answeredMs / 1000).toFixed(1)} s` +
        (lineage === null ? "" : `, column lineage done in ${(lineage.doneMs / 1000).toFixed(1)} s`),
      figure: `${peak} MB`,
      baseline: "1.8–2.2 GB before lazy columns (README, Performance)",
      goal: `≤ ${TARGET_MB.toLocaleString("en")} MB`,
      met: peak <= TARGET_MB,
    });
  }
}

if (import.meta.filename === process.argv[1]) {
  const manifest = process.argv[2];
  if (!manifest) throw new Error("usage: serve-memory-bench.ts <manifest.json> [settle ms]");
  await printServeMemoryBench(manifest, Number(process.argv[3] ?? 15_000));
}
