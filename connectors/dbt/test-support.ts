/**
 * For tests that must see every dbt a launcher starts: a stand-in `dbt` executable that notes each invocation
 * in a file, then runs the real dbt (with `exec`, so the pid it notes is dbt's own).
 */
import { chmod, writeFile } from "node:fs/promises";
import type { DbtRuntime } from "./runtime.ts";

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
