/**
 * For dbt tests: a stand-in `dbt` executable that notes each invocation in a file, then runs the real dbt (with
 * `exec`, so the pid it notes is dbt's own), for tests that must see every dbt a launcher starts; and
 * demo-project compiled by the real dbt, for tests of what compiled SQL gives.
 */
import assert from "node:assert/strict";
import { chmod, cp, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runDbtCommand } from "./project-runner.ts";
import { resolveDbtRuntime, type DbtRuntime } from "./runtime.ts";

/**
 * Writes the stand-in at `path` and returns it. It answers `--version` as `runtime` does (without starting
 * Python), and appends to `invocationsFile` what `printfArguments` prints: the arguments of a shell `printf`,
 * format first, e.g. `'%s %s\\n' "$$" "$*"` (pid and arguments).
 */
export async function writeNotingDbt(path: string, runtime: Pick<DbtRuntime, "executable" | "version">, invocationsFile: string, printfArguments: string): Promise<string> {
  await writeFile(
    path,
    [
      "#!/bin/sh",
      `if [ "$1" = "--version" ]; then printf 'Core:\\n  - installed: ${runtime.version}\\n'; exit 0; fi`,
      `printf ${printfArguments} >> ${JSON.stringify(invocationsFile)}`,
      `exec ${JSON.stringify(runtime.executable)} "$@"`,
      "",
    ].join("\n"),
  );
  await chmod(path, 0o755);
  return path;
}

/**
 * Copies demo-project into `scratch`/shop (without its target/, logs or DuckDB files) and runs the real
 * `dbt compile` on it, its warehouse in `scratch`/warehouse; returns the compiled manifest's path
 * (`scratch`/target/manifest.json). Fails the test with dbt's log when the compile fails. The caller owns
 * `scratch` (and removes it).
 */
export async function compileDemoProject(scratch: string): Promise<string> {
  const project = join(scratch, "shop");
  await cp(join(import.meta.dirname, "..", "..", "demo-project"), project, { recursive: true, filter: (source) => !/(^|[\\/])(target|logs)$|\.duckdb(\.wal)?$/.test(source) });
  await mkdir(join(scratch, "warehouse"));
  const runtime = await resolveDbtRuntime({ preferManaged: true });
  const compiled = await runDbtCommand({ runtime, projectDir: project, targetPath: join(scratch, "target"), args: ["compile"], env: { TRIBUTARY_WAREHOUSE_PATH: join(scratch, "warehouse", "warehouse.duckdb") } });
  assert.equal(compiled.exitCode, 0, compiled.logLines.map((l) => l.message).join("\n"));
  return join(scratch, "target", "manifest.json");
}
