/**
 * In-memory runs and events for the UI bench: one ended dbt run with `logLines` log lines (what a big `dbt
 * build` writes), and `points` materializations of one asset (a runtime trend of that many runs, every tenth
 * failed). Served through the same GraphQL API as a store's, so the run page and the asset page ask for them
 * exactly as in production.
 */
import type { AssetEvent, AssetEventReader } from "../catalog/model/index.ts";
import type { RunLogLine, RunRecord } from "../catalog/store/index.ts";
import type { TributaryServerOptions } from "../server/http.ts";

/** The runs source a served catalog reads (server/graphql's RunsSource). */
type RunsSource = NonNullable<NonNullable<TributaryServerOptions["catalog"]>["runs"]>;

export const BENCH_RUN_ID = "bench-run-0000-0000-0000-000000000000";

export function benchRuns(assetKey: readonly string[], logLines: number): RunsSource {
  const startedAt = new Date(Date.now() - 600_000).toISOString();
  const endedAt = new Date(Date.now() - 60_000).toISOString();
  const run: RunRecord = {
    id: BENCH_RUN_ID,
    idempotencyKey: "bench",
    status: "succeeded",
    launchedBy: { kind: "manual", user: "bench" },
    tick: null,
    parentRunId: null,
    attempt: 1,
    assetKeys: [assetKey],
    message: `dbt built 1 asset (${logLines} log lines)`,
    cancelRequested: false,
    createdAt: startedAt,
    createdAtPrecise: startedAt,
    startedAt,
    endedAt,
    steps: [
      {
        runId: BENCH_RUN_ID,
        index: 0,
        tool: "dbt",
        locationName: "bench",
        targets: [],
        assetKeys: [assetKey],
        status: "succeeded",
        queue: "bench",
        jobId: null,
        claimedBy: "bench",
        attempts: 1,
        heartbeatAt: null,
        progress: null,
        message: "dbt built 1 asset",
        failedKeys: [],
        skippedKeys: [],
        toolRunId: null,
        url: null,
        startedAt,
        endedAt,
      },
    ],
  };
  const start = Date.parse(startedAt);
  const lines: RunLogLine[] = Array.from({ length: logLines }, (_, i) => ({
    id: i + 1,
    runId: BENCH_RUN_ID,
    stepIndex: 0,
    at: new Date(start + i * 50).toISOString(),
    level: i % 97 === 0 ? "warn" : "info",
    message: `${(i % 400) + 1} of 400 START sql table model analytics.model_${i % 400} ${".".repeat(40)} [RUN]`,
    assetKey: null,
    data: null,
  }));
  return {
    list: async () => [run],
    count: async () => 1,
    get: async (id) => (id === BENCH_RUN_ID ? run : null),
    logs: async (_id, options) => {
      const after = options?.afterId ?? 0;
      return lines.filter((line) => line.id > after).slice(0, options?.limit ?? 1000);
    },
    materializations: async () => [],
    checkResults: async () => [],
    latestCheckResults: async () => [],
    checkHistory: async () => [],
    launchUnavailable: "The bench only reads.",
    watch: () => () => undefined,
  };
}

/** `points` dbt materializations of `assetKey`, one an hour, newest first; every tenth failed, and a spike each 50. */
export function benchEvents(assetKey: readonly string[], points: number): AssetEventReader {
  const now = Date.now();
  const events: AssetEvent[] = Array.from({ length: points }, (_, i) => {
    const failed = i % 10 === 9;
    const seconds = i % 50 === 25 ? 40 : 8 + Math.sin(i / 7) * 2;
    const occurredAt = new Date(now - i * 3_600_000).toISOString();
    return {
      id: points - i,
      assetKey,
      kind: failed ? "materialization_failure" : "materialization",
      tool: "dbt",
      locationName: "bench",
      runId: `invocation-${i}`,
      occurredAt,
      recordedAt: occurredAt,
      dedupeKey: `bench-${i}`,
      metadata: { "dbt/execution_duration_s": seconds },
      tributaryRunId: null,
    };
  });
  const key = assetKey.join("/");
  return {
    assetEventHistory: async (wanted, options) => {
      if (wanted.join("/") !== key) return [];
      const kinds = new Set(options?.kinds ?? ["materialization", "materialization_failure", "observation"]);
      return events.filter((event) => kinds.has(event.kind)).slice(0, options?.limit ?? 100);
    },
    latestAssetEvents: async () => [],
  };
}
