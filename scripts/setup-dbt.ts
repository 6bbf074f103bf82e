/**
 * Creates (or checks) the project-managed dbt virtualenv at .venv/dbt, so tests and the demo have a pinned dbt
 * without manual steps. `npm test`, `npm run demo` and `npm run setup` call this through scripts/ensure-setup.mjs.
 * Fast when the virtualenv is already current. Exits 1 with an actionable message when it cannot be built.
 */
import { DbtRuntimeError, ensureManagedDbt } from "../connectors/dbt/index.ts";

const log = (message: string) => console.error(`[setup] ${message}`);

try {
  const runtime = await ensureManagedDbt({ onProgress: log });
  if (process.argv.includes("--verbose")) log(`dbt ${runtime.version} at ${runtime.executable}`);
} catch (error) {
  if (error instanceof DbtRuntimeError) {
    if (error.code === "python_missing" && process.env["TRIBUTARY_DBT_EXECUTABLE"]) {
      // The user brings their own dbt; only the tests that need the pinned one will fail.
      log(`skipping the managed dbt: ${error.message}`);
      process.exit(0);
    }
    log(`could not set up dbt (${error.code}): ${error.message}`);
    process.exit(1);
  }
  throw error;
}
