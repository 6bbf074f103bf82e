/**
 * Schedules declared beside a dbt model (`meta.tributary.schedule`), read from a copy of demo-project by real
 * `dbt parse`: the demo's nightly snapshot schedule resolves to a job of that snapshot alone, at its YAML line; a
 * list of schedules on one model names them model, model_2…; a bad cron or time zone, an unknown key and a
 * name tributary.yaml already uses are errors `tributary check` prints at the model's `schedule:` line.
 */
import assert from "node:assert/strict";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { assetSchedules, resolveJobsAndSchedules } from "../scheduler/schedules/index.ts";
import { createLogger } from "./logging.ts";
import { runCheck, type ConsoleOutput } from "./serve.ts";
import { createCatalogService } from "./wiring.ts";

const DEMO_PROJECT = join(import.meta.dirname, "..", "demo-project");

/** The 1-based line of the first line matching `pattern` after the line matching `after`. */
function lineAfter(text: string, after: RegExp, pattern: RegExp): number {
  const lines = text.split("\n");
  const start = lines.findIndex((line) => after.test(line));
  assert.ok(start >= 0, `no line matching ${after}`);
  const found = lines.findIndex((line, i) => i > start && pattern.test(line));
  assert.ok(found >= 0, `no line matching ${pattern} after ${after}`);
  return found + 1;
}

describe("schedules declared beside dbt models (meta.tributary.schedule)", { timeout: 300_000 }, () => {
  let dir: string;
  let project: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "tributary-asset-schedules-"));
    project = join(dir, "shop");
    await cp(DEMO_PROJECT, project, { recursive: true, filter: (source) => !/(^|[\\/])(target|logs|\.tributary)$|\.duckdb(\.wal)?$/.test(source) });
    // daily_revenue gets three schedules: a good one, one with a bad cron and time zone, one with an unknown key.
    const finance = join(project, "models", "marts", "finance", "_finance.yml");
    const yaml = await readFile(finance, "utf8");
    const withSchedules = yaml.replace(
      /( {2}- name: daily_revenue\n(?:.*\n)*? {6}meta:\n)/,
      `$1        tributary:\n          schedule:\n            - "0 5 * * *"\n            - {cron: "0 25 * * *", timezone: Mars/Olympus_Mons}\n            - {cron: "@daily", frequency: 2}\n`,
    );
    assert.notEqual(withSchedules, yaml, "the test's edit of _finance.yml applied");
    await writeFile(finance, withSchedules);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("each resolves to a job of its model, is checked, and errors point at the model's schedule: line", async () => {
    const config = join(dir, "tributary.yaml");
    await writeFile(
      config,
      ["dbt:", "  projects:", "    - dir: shop", "schedules:", "  - name: daily_revenue", "    select: daily_revenue", "    cron: '0 7 * * *'", ""].join("\n"),
    );
    const output: string[] = [];
    const console: ConsoleOutput = { out: (line) => output.push(line), err: (line) => output.push(line) };
    const code = await runCheck({ config, dbtProjects: [], manifests: [], dataDir: join(dir, "data"), strict: false }, { createCatalogService }, { logger: createLogger({ level: "silent" }), output: console });
    assert.equal(code, 1, output.join("\n"));

    const finance = await readFile(join(project, "models", "marts", "finance", "_finance.yml"), "utf8");
    const financeLine = lineAfter(finance, /- name: daily_revenue/, /^\s*schedule:/);
    const at = `models/marts/finance/_finance.yml:${financeLine}: error: `;
    const has = (pattern: RegExp) => assert.ok(output.some((l) => l.startsWith(at) && pattern.test(l)), `no error at ${at} matching ${pattern}:\n${output.join("\n")}`);
    has(/meta\.tributary\.schedule\[2\]\.frequency unknown key; expected one of name, cron, timezone/);
    has(/schedule "daily_revenue_2": cron "0 25 \* \* \*" is invalid/);
    has(/schedule "daily_revenue_2": "Mars\/Olympus_Mons" is not a time zone/);
    // tributary.yaml's schedule of that name came first and is kept; the model's first is the duplicate.
    has(/a second schedule named "daily_revenue" \(the first is kept\)/);
    // Each message carries its file:line once.
    assert.ok(!output.some((l) => l.includes(`${at}models/marts/finance`)), output.join("\n"));
    assert.ok(!output.some((l) => l.includes("nightly_customer_snapshot")), `the demo's own schedule is valid:\n${output.join("\n")}`);
  });

  test("the demo's nightly snapshot: its own job selects the snapshot alone, declared at its YAML line", async () => {
    const service = await createCatalogService(
      { config: null, dbtProjects: [project], manifests: [], dataDir: join(dir, "data-2"), scheduler: false, purpose: "check", logger: createLogger({ level: "silent" }) },
      () => undefined,
    );
    try {
      await service.reload?.();
      const graph = service.current();
      const declared = assetSchedules(graph);
      const snapshot = declared.schedules.find((s) => s.name === "nightly_customer_snapshot");
      assert.ok(snapshot, `schedules: ${declared.schedules.map((s) => s.name).join(", ")}`);
      const snapshots = await readFile(join(project, "snapshots", "_snapshots.yml"), "utf8");
      assert.deepEqual(
        [snapshot.cron, snapshot.timezone, snapshot.job, snapshot.catchUp, snapshot.defaultStatus, snapshot.declaredIn.file, snapshot.declaredIn.line],
        ["0 2 * * *", "Europe/Copenhagen", "nightly_customer_snapshot", "latest", "running", "snapshots/_snapshots.yml", lineAfter(snapshots, /- name: customer_snapshot/, /^\s*schedule:/)],
      );
      const resolved = resolveJobsAndSchedules(graph, { jobs: [], schedules: [] });
      assert.deepEqual(resolved.jobs.get("nightly_customer_snapshot")?.assetIds, ["customer_snapshot"]);
      // The list's valid first entry resolves too, named after its model.
      assert.deepEqual(resolved.jobs.get("daily_revenue")?.assetIds, ["daily_revenue"]);
      assert.deepEqual(
        resolved.schedules.filter((s) => s.errors.length === 0).map((s) => s.spec.name).sort(),
        ["daily_revenue", "nightly_customer_snapshot"],
      );
    } finally {
      await service.close?.();
    }
  });
});
