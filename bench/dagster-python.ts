/**
 * The Python that runs bench/dagster-load.py (dagster-dbt's definitions load, issue 18's baseline): DAGSTER_PYTHON
 * when set, else the bench's own virtualenv `.venv/dagster-bench`, created from bench/dagster-requirements.txt on
 * first need (about a minute from PyPI) and rebuilt when the pins change. BENCH_DAGSTER=0 skips the side-by-side;
 * a machine that cannot install it gets the reason on stderr and the bench goes on without that column.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const venvDir = join(root, ".venv", "dagster-bench");
const requirementsFile = join(import.meta.dirname, "dagster-requirements.txt");
const stampFile = join(venvDir, ".tributary-requirements-sha256");

/** The Python with dagster-dbt, or null (skipped, or it could not be installed: said on stderr). */
export function dagsterPython(): string | null {
  if (process.env["BENCH_DAGSTER"] === "0") return null;
  const configured = process.env["DAGSTER_PYTHON"];
  if (configured) return configured;
  const python = join(venvDir, "bin", "python");
  const digest = createHash("sha256").update(readFileSync(requirementsFile)).digest("hex");
  if (existsSync(python) && existsSync(stampFile) && readFileSync(stampFile, "utf8").trim() === digest) return python;
  process.stderr.write(`installing dagster-dbt for the side-by-side load into ${venvDir} (bench/dagster-requirements.txt)…\n`);
  rmSync(venvDir, { recursive: true, force: true });
  const steps: [string, string[]][] = [
    [process.env["PYTHON"] ?? "python3", ["-m", "venv", venvDir]],
    [python, ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", requirementsFile]],
  ];
  for (const [command, args] of steps) {
    const run = spawnSync(command, args, { encoding: "utf8", stdio: ["ignore", "ignore", "pipe"] });
    if (run.status !== 0) {
      process.stderr.write(`could not install dagster-dbt (${command} ${args.join(" ")}: ${run.error?.message ?? run.stderr.trim().split("\n").at(-1)}); the bench goes on without its column\n`);
      return null;
    }
  }
  writeFileSync(stampFile, `${digest}\n`);
  return python;
}
