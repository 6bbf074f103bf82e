/**
 * A bench script run in a new process (through tsx, as the benches run), for figures that must not carry what
 * the calling process left on its heap: its last line of stdout is its JSON result.
 */
import { spawnSync } from "node:child_process";

/** Runs `script` with `args` in a new process and returns its last stdout line, parsed; throws with its stderr when it fails. */
export function runForJson<T>(script: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): T {
  const run = spawnSync(process.execPath, ["--import", "tsx", script, ...args], { encoding: "utf8", maxBuffer: 16 * 1024 * 1024, env });
  if (run.status !== 0) throw new Error(`${script} ${args.join(" ")} failed (${run.error?.message ?? `exit ${run.status}`}):\n${run.stderr}`);
  return JSON.parse(run.stdout.trim().split("\n").at(-1)!) as T;
}
