/**
 * The launcher contract (connectors/shared/launcher-contract.ts) kept by the dbt build launcher with the real
 * dbt, on a one-model project. dbt is run through a stand-in executable that counts the builds it starts (the
 * contract's "starts", counted on the tool's side) and passes the next build a mode the model reads: "fail"
 * makes it select a missing column, "hold" makes it run a query that takes minutes.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import { launcherContract } from "../shared/launcher-contract.ts";
import type { StepTarget } from "../../catalog/model/runs.ts";
import { createDbtBuildLauncher } from "./build-launcher.ts";
import { readManifestFile } from "./manifest.ts";
import { runDbtParse } from "./project-runner.ts";
import { resolveDbtRuntime } from "./runtime.ts";
import { translateManifest } from "./translator.ts";

const SECRET = "contract-secret-9f2c1e";

interface Shared {
  readonly scratch: string;
  readonly projectDir: string;
  readonly parseDir: string;
  readonly dbt: string;
  readonly targets: StepTarget[];
}

let shared: Promise<Shared> | null = null;

/** One project, parse and stand-in dbt for every check (each check gets its own runs dir and counters). */
function setUpOnce(): Promise<Shared> {
  shared ??= (async () => {
    const runtime = await resolveDbtRuntime({ preferManaged: true });
    const scratch = await mkdtemp(join(tmpdir(), "tributary-dbt-contract-"));
    const projectDir = join(scratch, "project");
    await mkdir(join(projectDir, "models"), { recursive: true });
    await writeFile(join(projectDir, "dbt_project.yml"), "name: contract\nversion: \"1.0\"\nconfig-version: 2\nprofile: contract\n");
    await writeFile(
      join(projectDir, "profiles.yml"),
      `contract:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: "${join(scratch, "warehouse.duckdb")}"\n`,
    );
    await writeFile(
      join(projectDir, "models", "orders.sql"),
      [
        "{{ config(materialized='table') }}",
        "{% set mode = env_var('TRIBUTARY_CONTRACT_MODE', '') %}",
        "{% if mode == 'fail' %}select no_such_column as id from (select 1 as id)",
        "{% elif mode == 'hold' %}select sum(hash(i) % 7) as id from range(400000000000) t(i)",
        "{% else %}select 1 as id{% endif %}",
        "",
      ].join("\n"),
    );
    await writeFile(join(projectDir, "models", "schema.yml"), "models:\n  - name: orders\n    columns:\n      - name: id\n        data_tests: [not_null]\n");
    const dbt = join(scratch, "dbt-counting");
    await writeFile(
      dbt,
      [
        "#!/bin/sh",
        "# A stand-in dbt: counts the builds it starts, hands the next one its mode, and runs the real dbt.",
        'state="$TRIBUTARY_CONTRACT_STATE"',
        'if [ "$1" = "build" ] && [ -n "$state" ]; then',
        '  echo build >> "$state/starts"',
        '  if [ -f "$state/next" ]; then TRIBUTARY_CONTRACT_MODE="$(cat "$state/next")"; export TRIBUTARY_CONTRACT_MODE; rm -f "$state/next"; fi',
        "fi",
        `exec "${runtime.executable}" "$@"`,
        "",
      ].join("\n"),
    );
    await chmod(dbt, 0o755);
    const parseDir = join(scratch, "parse");
    const { manifestPath } = await runDbtParse({ runtime, projectDir, targetPath: parseDir });
    const { specs } = translateManifest(await readManifestFile(manifestPath), { locationName: "contract" });
    const targets = specs
      .filter((spec) => spec.materializer !== null)
      .map((spec) => ({ assetKey: spec.key, runTargetId: spec.dbtUniqueId!, checks: spec.checks.map((c) => ({ name: c.name, sourceId: c.sourceId })) }));
    return { scratch, projectDir, parseDir, dbt, targets };
  })();
  return shared;
}

after(async () => {
  if (shared) await rm((await shared).scratch, { recursive: true, force: true });
});

let harnesses = 0;

launcherContract("dbt", async () => {
  const { scratch, projectDir, parseDir, dbt, targets } = await setUpOnce();
  const state = join(scratch, `state-${++harnesses}`);
  await mkdir(state, { recursive: true });
  const starts = () => {
    try {
      return readFileSync(join(state, "starts"), "utf8").split("\n").filter(Boolean).length;
    } catch {
      return 0;
    }
  };
  return {
    launcher: createDbtBuildLauncher({
      locationName: "contract",
      projectDir,
      parseTargetDir: parseDir,
      runsDir: join(state, "runs"),
      dbtExecutable: dbt,
      env: { TRIBUTARY_CONTRACT_STATE: state, DBT_ENV_SECRET_TOKEN: SECRET },
      resumePollMs: 50,
    }),
    targets,
    starts,
    // dbt is the only outside party the launcher calls.
    requests: starts,
    failNext: () => writeFileSync(join(state, "next"), "fail"),
    holdNext: () => writeFileSync(join(state, "next"), "hold"),
    secrets: [SECRET],
    close: async () => {},
  };
});
