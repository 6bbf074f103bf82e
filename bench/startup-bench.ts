/**
 * Process start → first query answered: `tributary serve --manifest <1k-model manifest> --port 0` in a child
 * process, timed from spawn to the line `Tributary is serving …` on its stdout, which serve prints only once a
 * real GraphQL query over HTTP has been answered (server/serve.ts). On a new data directory (PGlite's initdb and
 * every migration) and on an existing one (the same directory again), the compiled command (bin/tributary.js,
 * running dist/tributary.js) alternated with the TypeScript source through tsx (`node --import tsx
 * server/cli.ts`, how every start ran before the build step). Beside each median: the child's CPU time at that
 * moment (from /proc, so a busy machine shows as wall ≫ CPU) and the load average.
 *
 * Run alone with `npx tsx bench/startup-bench.ts [manifest.json] [rounds]`; `npm run bench` includes it.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { buildCli, cliBundleIsFresh } from "../scripts/build-cli.mjs";
import { syntheticManifest } from "./synthetic-manifest.ts";
import { recordTarget } from "./targets.ts";

const ROOT = join(import.meta.dirname, "..");
const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

export interface StartupSample {
  readonly wallMs: number;
  /** The child's user + system CPU time when it answered (null where /proc is missing). */
  readonly cpuMs: number | null;
}

/** The CPU time a process has used so far, from /proc/<pid>/stat (fields 14 and 15, in clock ticks). */
function cpuMsOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** Starts one serve and resolves when it has answered its first query; the process is stopped again. */
export async function timeServeStart(command: readonly string[], manifest: string, dataDir: string): Promise<StartupSample> {
  const started = performance.now();
  const child = spawn(process.execPath, [...command, "serve", "--manifest", manifest, "--data-dir", dataDir, "--port", "0"], {
    cwd: ROOT,
    env: { ...process.env, TRIBUTARY_LOG_LEVEL: "silent" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const sample = await new Promise<StartupSample>((resolve, reject) => {
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      if (stdout.includes("Tributary is serving ")) resolve({ wallMs: performance.now() - started, cpuMs: cpuMsOf(child.pid!) });
    });
    child.on("exit", (code) => reject(new Error(`serve exited (${code}) before answering: ${stderr}`)));
  });
  child.kill("SIGTERM");
  await exited;
  return sample;
}

function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

export interface StartupRow {
  readonly command: string;
  readonly dataDir: "new" | "existing";
  readonly samples: readonly StartupSample[];
}

/**
 * `rounds` starts of each (command, data dir) pair, the commands alternated so a change in the machine's load
 * falls on both. The scheduler is on, as by default; its first tick comes after the first answer.
 */
export async function benchStartup(manifest: string, rounds: number): Promise<StartupRow[]> {
  if (!cliBundleIsFresh()) await buildCli();
  const commands: Record<string, readonly string[]> = {
    "compiled (bin/tributary.js)": [join(ROOT, "bin", "tributary.js")],
    "TypeScript source through tsx": ["--import", "tsx", join(ROOT, "server", "cli.ts")],
  };
  const rows = new Map<string, StartupRow & { samples: StartupSample[] }>();
  const row = (command: string, dataDir: "new" | "existing") => {
    const key = `${command}|${dataDir}`;
    if (!rows.has(key)) rows.set(key, { command, dataDir, samples: [] });
    return rows.get(key)!;
  };
  const scratch = mkdtempSync(join(tmpdir(), "tributary-startup-bench-"));
  try {
    // One warm-up start per command (the OS file cache, tsx's transform cache), not counted.
    for (const command of Object.values(commands)) await timeServeStart(command, manifest, join(scratch, `warm-${command.length}`));
    for (let round = 0; round < rounds; round++) {
      for (const [name, command] of Object.entries(commands)) {
        const dataDir = join(scratch, `${round}-${command.length}`);
        row(name, "new").samples.push(await timeServeStart(command, manifest, dataDir));
        row(name, "existing").samples.push(await timeServeStart(command, manifest, dataDir));
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return [...rows.values()];
}

export async function printStartupBench(manifest: string, rounds = 5): Promise<void> {
  const before = loadavg()[0]!.toFixed(2);
  const rows = await benchStartup(manifest, rounds);
  const after = loadavg()[0]!.toFixed(2);
  console.log(`\nStart-up (bench/startup-bench.ts): process start → first query answered, \`serve --manifest\` of ${manifest.split("/").pop()}, median of ${rounds} (load average ${before} → ${after})`);
  console.log("| command | data dir | wall, median (min–max) | CPU, median | target |");
  console.log("|---|---|---|---|---|");
  for (const { command, dataDir, samples } of rows) {
    const walls = samples.map((s) => s.wallMs);
    const cpus = samples.flatMap((s) => (s.cpuMs === null ? [] : [s.cpuMs]));
    const target = command.startsWith("compiled") ? (dataDir === "existing" ? "≤ 2 s" : "≤ 4 s") : "";
    if (command.startsWith("compiled")) {
      const wall = median(walls);
      const limitMs = dataDir === "existing" ? 2000 : 4000;
      // The baseline: the same start through tsx, as it was before the CLI shipped compiled.
      const source = rows.find((row) => !row.command.startsWith("compiled") && row.dataDir === dataDir);
      recordTarget({
        target: 1,
        what: `\`serve --manifest\` (1k models), ${dataDir} data dir: start → first answer`,
        figure: `${Math.round(wall)} ms`,
        baseline: source ? `${Math.round(median(source.samples.map((s) => s.wallMs)))} ms through tsx` : "",
        goal: target,
        met: wall <= limitMs,
      });
    }
    console.log(
      `| ${command} | ${dataDir} | ${Math.round(median(walls))} ms (${Math.round(Math.min(...walls))}–${Math.round(Math.max(...walls))}) | ` +
        `${cpus.length > 0 ? `${Math.round(median(cpus))} ms` : "n/a"} | ${target} |`,
    );
  }
}

if (import.meta.filename === process.argv[1]) {
  let manifest = process.argv[2];
  if (manifest === undefined) {
    manifest = join(ROOT, "bench", "out", "manifest-1000.json");
    mkdirSync(join(ROOT, "bench", "out"), { recursive: true }); // a fresh clone has no bench/out yet
    if (!existsSync(manifest)) writeFileSync(manifest, JSON.stringify(syntheticManifest({ models: 1000 })));
  }
  await printStartupBench(manifest, Number(process.argv[3] ?? 5));
}
