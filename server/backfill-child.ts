/**
 * One life of a process running a backfill, for ./backfill.test.ts: opens the store, loads a dbt project's
 * definitions from its manifest (the real translator reads its partitions), starts the job queue, the runs
 * engine with the real dbt build launcher, and the backfill service. In "launch" mode it launches the backfill
 * first; in both modes it works until the backfill has ended, then says so and exits. The parent SIGKILLs the
 * first life mid-way and starts a second, which takes over what the first left.
 *
 * Run as `node --import tsx server/backfill-child.ts` with the JSON {@link BackfillChildConfig} in env
 * TRIBUTARY_BACKFILL_CHILD. It writes JSON lines to stdout: `{"ready":true}`, `{"backfill":id}`,
 * `{"progress":{status:count…}}` as partitions move, and `{"ended":status}`.
 */
import { buildCatalogGraph } from "../catalog/graph/index.ts";
import { openCatalogStore } from "../catalog/store/index.ts";
import type { CatalogStoreOptions } from "../catalog/store/index.ts";
import { createDbtBuildLauncher, createDbtManifestProvider } from "../connectors/dbt/index.ts";
import type { EngineLogger } from "../scheduler/runs/index.ts";
import { createBackfillService, createRunEngine, createRunQueue } from "../scheduler/runs/index.ts";
import type { BackfillService } from "../scheduler/runs/index.ts";

export interface BackfillChildConfig {
  readonly mode: "launch" | "resume";
  readonly store: CatalogStoreOptions;
  readonly queueSchema: string;
  readonly backfill: { readonly assetIds: readonly string[]; readonly from: string; readonly to: string; readonly id?: string };
  readonly parallelism: number;
  readonly heartbeatMs: number;
  readonly staleAfterMs: number;
  readonly dbt: { readonly locationName: string; readonly projectDir: string; readonly parseTargetDir: string; readonly runsDir: string; readonly executable: string; readonly profilesDir: string };
}

const ENV = "TRIBUTARY_BACKFILL_CHILD";
const config = JSON.parse(process.env[ENV] ?? "null") as BackfillChildConfig | null;
if (config === null) throw new Error(`${ENV} is not set`);

const say = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);
const logger: EngineLogger = {
  debug() {},
  info() {},
  warn: (fields, message) => process.stderr.write(`[${process.pid}] warn ${message} ${JSON.stringify(fields)}\n`),
  error: (fields, message) => process.stderr.write(`[${process.pid}] error ${message} ${JSON.stringify(fields)}\n`),
};

const definitions = await createDbtManifestProvider({ file: `${config.dbt.parseTargetDir}/manifest.json`, name: config.dbt.locationName }).load();
const graph = buildCatalogGraph({ definitions: [definitions] });
const store = await openCatalogStore(config.store);
const queue = createRunQueue({ client: store.client, schema: config.queueSchema, pollingIntervalSeconds: 0.5, onError: (error) => logger.warn({ error: error.message }, "queue error") });
await queue.start();
let backfills: BackfillService | null = null;
const engine = createRunEngine({
  store,
  queue,
  launchers: [
    createDbtBuildLauncher({
      locationName: config.dbt.locationName,
      projectDir: config.dbt.projectDir,
      parseTargetDir: config.dbt.parseTargetDir,
      runsDir: config.dbt.runsDir,
      dbtExecutable: config.dbt.executable,
      profilesDir: config.dbt.profilesDir,
      resumePollMs: 100,
      partitionConcurrency: config.parallelism,
    }),
  ],
  graph: () => graph,
  logger,
  heartbeatMs: config.heartbeatMs,
  staleAfterMs: config.staleAfterMs,
  takeOverAllAtStart: store.dialect === "pglite",
  onRunFinished: (tx, run) => backfills?.onRunFinished(tx, run) ?? Promise.resolve([]),
});
backfills = createBackfillService({ store, engine, graph: () => graph, logger });
await engine.start();
say({ ready: true, pid: process.pid });

let backfillId = config.backfill.id ?? null;
if (config.mode === "launch") {
  const record = await backfills.launch({ ...config.backfill, user: "backfill-test" });
  backfillId = record.id;
  say({ backfill: record.id, partitions: record.partitions.length });
}
let last = "";
for (;;) {
  await new Promise((resolve) => setTimeout(resolve, 200));
  const record = await backfills.get(backfillId!);
  if (!record) continue;
  const progress: Record<string, number> = {};
  for (const p of record.partitions) progress[p.status] = (progress[p.status] ?? 0) + 1;
  const shown = JSON.stringify(progress);
  if (shown !== last) {
    last = shown;
    say({ progress });
  }
  if (record.status !== "running") {
    say({ ended: record.status });
    await engine.stop();
    await store.close();
    process.exit(0);
  }
}
