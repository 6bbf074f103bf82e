/**
 * `tributary check` over tributary.yaml jobs and schedules, with the real wiring on a real manifest (the
 * jaffle-shop fixture): a selection that matches nothing, a selection dbt would refuse, a bad cron, an unknown
 * time zone and an unknown job are errors at the line they are declared on (exit 1); a valid file passes.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { createLogger } from "./logging.ts";
import { loadConfig } from "./config.ts";
import { runCheck, type ConsoleOutput } from "./serve.ts";
import { createCatalogService } from "./wiring.ts";
import { sharedFixture } from "../scripts/shared-fixtures.ts";

const dir = mkdtempSync(join(tmpdir(), "tributary-schedules-check-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const manifest = sharedFixture("manifests", "jaffle-shop-state-v11-postgres", "manifest.json");

async function check(lines: string[]): Promise<{ code: number; output: string[]; file: string }> {
  const file = join(dir, `tributary-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, [`dbt:`, `  projects:`, `    - manifest: ${manifest}`, `      name: jaffle`, ...lines, ""].join("\n"));
  const output: string[] = [];
  const console: ConsoleOutput = { out: (line) => output.push(line), err: (line) => output.push(line) };
  const code = await runCheck({ config: file, dbtProjects: [], manifests: [], dataDir: join(dir, "data"), strict: false }, { createCatalogService }, { logger: createLogger({ level: "silent" }), output: console });
  return { code, output, file };
}

describe("tributary check: jobs and schedules", () => {
  test("refuses what cannot run, each at its file:line", async () => {
    const { code, output, file } = await check([
      "jobs:", //                                                  line 5
      "  - name: marts",
      "    select: path:models/marts",
      "  - name: typo", //                                          line 8
      "    select: tag:nightly stg_orderz",
      "  - name: unparsable", //                                    line 10
      "    select: '@orders+'",
      "schedules:", //                                             line 12
      "  - name: bad_cron",
      "    job: marts",
      "    cron: '0 25 * * *'",
      "  - name: bad_zone", //                                      line 16
      "    job: marts",
      "    cron: '0 6 * * *'",
      "    timezone: Europe/Kopenhagen",
      "  - name: no_job", //                                        line 20
      "    job: mart",
      "    cron: '@daily'",
      "  - name: inline_nothing", //                                line 23
      "    select: 'tag:finance'",
      "    cron: '0 * * * *'",
      "  - name: fine", //                                          line 26
      "    job: marts",
      "    cron: '0 6 * * 1-5'",
      "    timezone: Europe/Copenhagen",
    ]);
    assert.equal(code, 1, output.join("\n"));
    const has = (line: number, pattern: RegExp) =>
      assert.ok(output.some((l) => l.startsWith(`${file}:${line}: error: `) && pattern.test(l)), `no error at line ${line} matching ${pattern}:\n${output.join("\n")}`);
    has(8, /job "typo": the selection "tag:nightly stg_orderz" matches no asset \("tag:nightly", "stg_orderz" match nothing\) \[job_selection_matches_nothing\]/);
    has(10, /job "unparsable": invalid selector "@orders\+": the "@" prefix and the "\+" suffix cannot be combined \[job_selection_invalid\]/);
    has(13, /schedule "bad_cron": cron "0 25 \* \* \*" is invalid/);
    has(16, /schedule "bad_zone": "Europe\/Kopenhagen" is not a time zone/);
    has(20, /schedule "no_job": no job "mart" \(jobs: marts, typo, unparsable, inline_nothing\)/);
    has(23, /job "inline_nothing": the selection "tag:finance" matches no asset/);
    assert.ok(!output.some((l) => l.includes('"fine"') || l.includes('job "marts"')), output.join("\n"));
    assert.match(output.at(-1)!, /^Check failed: .* 7 errors/);
  });

  test("a valid file passes, and its jobs and schedules are read with their lines", async () => {
    const lines = [
      "jobs:",
      "  - name: marts",
      "    description: The marts and what they read",
      "    select: [+path:models/marts, 'resource_type:seed']",
      "    exclude: metricflow_time_spine",
      "schedules:",
      "  - name: weekday_mornings",
      "    job: marts",
      "    cron: '0 6 * * 1-5'",
      "    timezone: Europe/Copenhagen",
      "    catch_up: none",
      "  - name: staging_hourly",
      "    select: path:models/staging",
      "    cron: '@hourly'",
      "    default_status: stopped",
    ];
    const { code, output, file } = await check(lines);
    assert.equal(code, 0, output.join("\n"));
    const { jobsAndSchedules } = await loadConfig(file, {});
    assert.deepEqual(
      jobsAndSchedules.jobs.map((j) => [j.name, j.select, j.exclude, j.declaredIn.line]),
      [
        ["marts", ["+path:models/marts", "resource_type:seed"], ["metricflow_time_spine"], 6],
        ["staging_hourly", ["path:models/staging"], [], 16],
      ],
    );
    assert.deepEqual(
      jobsAndSchedules.schedules.map((s) => [s.name, s.job, s.cron, s.timezone, s.catchUp, s.defaultStatus, s.declaredIn.line]),
      [
        ["weekday_mornings", "marts", "0 6 * * 1-5", "Europe/Copenhagen", "none", "running", 11],
        ["staging_hourly", "staging_hourly", "@hourly", "UTC", "latest", "stopped", 16],
      ],
    );
  });

  test("a schedule with both job and select, or neither, is a config error naming the path", async () => {
    const { code, output } = await check(["schedules:", "  - name: both", "    job: x", "    select: tag:y", "    cron: '@daily'"]);
    assert.equal(code, 1);
    assert.ok(output.some((l) => /schedules\.0: give exactly one of job or select/.test(l)), output.join("\n"));
  });
});
