/**
 * Test collaborators for the runs engine and the daemon: a launcher that "builds" its targets by recording
 * materializations (optionally failing some, or blocking until released), and a helper that wires a store,
 * queue, engine and daemon together on a test database.
 */
import { buildCatalogGraph } from "../../catalog/graph/build.ts";
import { definitions } from "../../catalog/graph/test-specs.ts";
import type { CatalogGraph } from "../../catalog/graph/types.ts";
import type { AssetSpec } from "../../catalog/model/index.ts";
import { keyToString } from "../../catalog/model/index.ts";
import type { Launcher, StepLaunch, StepOutcome } from "../../catalog/model/runs.ts";
import type { CatalogStore, RunRecord } from "../../catalog/store/index.ts";
import { createDaemon } from "../daemon/daemon.ts";
import type { Daemon } from "../daemon/daemon.ts";
import { createLeaderLease } from "../daemon/leader.ts";
import { createRunEngine } from "./engine.ts";
import type { EngineLogger, RunEngine, RunEngineOptions } from "./engine.ts";
import { createRunQueue } from "./queue.ts";

export const quietLogger: EngineLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** A launcher whose "tool" records a materialization per target; `fail` names keys that fail. */
export interface RecordingLauncher extends Launcher {
  readonly launches: StepLaunch[];
  fail: Set<string>;
  /** When set, launch() waits for it before finishing (to observe runs in progress). */
  gate: Promise<void> | null;
}

export function recordingLauncher(tool: string, locationName: string, options: { batch?: "location" | "target"; concurrency?: number } = {}): RecordingLauncher {
  const launcher: RecordingLauncher = {
    tool,
    locationName,
    batch: options.batch ?? "location",
    concurrency: options.concurrency ?? 1,
    launches: [],
    fail: new Set(),
    gate: null,
    async launch(step): Promise<StepOutcome> {
      launcher.launches.push(step);
      await step.report.saveProgress({ phase: "started" });
      if (launcher.gate) {
        const aborted = new Promise<"aborted">((resolve) => step.signal.addEventListener("abort", () => resolve("aborted"), { once: true }));
        if ((await Promise.race([launcher.gate, aborted])) === "aborted") return { status: "canceled", message: "stopped", failedKeys: [], skippedKeys: [] };
      }
      const at = new Date().toISOString();
      const failed = step.targets.filter((t) => launcher.fail.has(keyToString(t.assetKey)));
      await step.report.recordAssetEvents(
        step.targets.map((t) => ({
          assetKey: t.assetKey,
          kind: launcher.fail.has(keyToString(t.assetKey)) ? "materialization_failure" : "materialization",
          tool,
          locationName,
          runId: `${step.runId}:${step.stepIndex}`,
          occurredAt: at,
          dedupeKey: `${tool}:${step.runId}:${step.stepIndex}`,
          metadata: {},
        })),
      );
      step.report.log({ level: "info", message: `built ${step.targets.length}` });
      return failed.length > 0
        ? { status: "failed", message: `${failed.length} failed`, failedKeys: failed.map((t) => t.assetKey), skippedKeys: [] }
        : { status: "succeeded", message: `built ${step.targets.length}`, failedKeys: [], skippedKeys: [] };
    },
  };
  return launcher;
}

export function graphFrom(...specs: AssetSpec[]): CatalogGraph {
  return buildCatalogGraph({ definitions: [definitions("shop", specs)] });
}

export interface Harness {
  readonly engine: RunEngine;
  readonly daemon: Daemon;
  stop(): Promise<void>;
}

/** Wires a queue, engine and daemon on `store` (its own pg-boss schema per store schema). */
export async function startHarness(
  store: CatalogStore,
  graph: () => CatalogGraph | null,
  launchers: readonly Launcher[],
  extra: Partial<RunEngineOptions> & { name?: string } = {},
): Promise<Harness> {
  const queue = createRunQueue({ client: store.client, schema: `${store.client.schema ?? "tributary"}_queue`, pollingIntervalSeconds: 0.5 });
  await queue.start();
  const engine = createRunEngine({ store, queue, launchers, graph, logger: quietLogger, heartbeatMs: 200, staleAfterMs: 2_000, ...extra });
  await engine.start();
  const daemon = createDaemon({ store, engine, lease: createLeaderLease(store.client), graph, logger: quietLogger, name: extra.name ?? "test", intervalMs: 60_000 });
  return {
    engine,
    daemon,
    async stop() {
      await daemon.stop();
      await engine.stop();
    },
  };
}

/** Waits until the run has ended (polling the store), or fails after `timeoutMs`. */
export async function waitForRun(store: CatalogStore, runId: string, timeoutMs = 20_000): Promise<RunRecord> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await store.getRun(runId);
    if (run && (run.status === "succeeded" || run.status === "failed" || run.status === "canceled")) return run;
    if (Date.now() > deadline) throw new Error(`run ${runId} did not end within ${timeoutMs} ms (status ${run?.status ?? "missing"})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
