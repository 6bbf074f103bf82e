/**
 * evaluate() cost on synthetic graphs of eager (AutomationCondition.eager) models: a tick where nothing
 * changed (carried forward), a tick after one root source updated, and a full evaluation of every asset (what
 * a dry run costs). Layered DAG: 5% roots (Fivetran-like tables without a policy), each model reading 1–3
 * models of earlier layers. Prints a markdown table; then the same graph with every asset daily-partitioned (365
 * partitions), evaluated per partition (up to 10k assets). BENCH_PARTITIONED_ONLY=1 prints only that one.
 */
import { buildCatalogGraph } from "../catalog/graph/index.ts";
import type { BuildCatalogGraphInput } from "../catalog/graph/index.ts";
import { definitions, spec } from "../catalog/graph/test-specs.ts";
import type { AssetSpec, PartitionsDefinition, PolicySpec } from "../catalog/model/index.ts";
import { parsePartitionsSpec } from "../catalog/model/index.ts";
import { evaluate } from "../scheduler/conditions/index.ts";
import type { AssetRuntimeState, AutomationState, EvaluationCursor } from "../scheduler/conditions/index.ts";

/** The synthetic graph used by the conditions and tick benches. */
const EAGER: PolicySpec = { source: "automation_condition", condition: "eager", declaredIn: { file: "dbt_project.yml", line: 1 } };

export function syntheticGraph(size: number, partitions: PartitionsDefinition | null = null, options: Pick<BuildCatalogGraphInput, "contentHash"> = {}) {
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const roots = Math.max(1, Math.floor(size * 0.05));
  const specs: AssetSpec[] = [];
  for (let i = 0; i < size; i++) {
    const key = `m${String(i).padStart(6, "0")}`;
    if (i < roots) {
      specs.push(spec(key, { materializer: { tool: "fivetran", locationName: "fivetran", runTargetId: key }, partitions }));
      continue;
    }
    const deps = new Set<string>();
    const count = 1 + Math.floor(random() * 3);
    for (let k = 0; k < count; k++) deps.add(`m${String(Math.floor(random() * i)).padStart(6, "0")}`);
    specs.push(spec(key, { deps: [...deps], policy: EAGER, partitions }));
  }
  return buildCatalogGraph({ definitions: [definitions("bench", specs)], ...options });
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

export interface ConditionsBenchRow {
  readonly assets: number;
  readonly unchangedMs: number;
  readonly oneRootUpdatedMs: number;
  readonly reevaluatedAfterUpdate: number;
  readonly fullMs: number;
  /** A dry run of one asset (`dryRun(assetKeys:)`, what an asset page asks): its upstream closure only. */
  readonly oneAssetMs: number;
  readonly oneAssetEvaluated: number;
}

/** Measures one size; each figure is the median of several ticks. */
export function benchConditions(size: number, repeats = 7): ConditionsBenchRow {
  const graph = syntheticGraph(size);
  const assets = new Map<string, AssetRuntimeState>();
  let id = 0;
  for (const asset of graph.assets) {
    assets.set(asset.id, { latestMaterialization: { storageId: ++id, timestamp: 0, runId: null, runAssetSelection: null } });
  }
  let state: AutomationState = { lastEventId: id, assets };
  let cursor: EvaluationCursor | null = null;
  let now = Date.UTC(2026, 2, 2);
  const tick = (full = false) => {
    now += 30_000;
    const started = performance.now();
    const result = evaluate({ graph, state, now, cursor, full });
    const ms = performance.now() - started;
    cursor = result.cursor;
    return { ms, result };
  };
  for (let i = 0; i < 4; i++) tick(); // first tick, then settle
  const unchanged: number[] = [];
  for (let i = 0; i < repeats; i++) unchanged.push(tick().ms);
  const updated: number[] = [];
  let reevaluated = 0;
  for (let i = 0; i < repeats; i++) {
    const next = new Map(state.assets);
    next.set("m000000", { latestMaterialization: { storageId: ++id, timestamp: now, runId: null, runAssetSelection: null } });
    state = { lastEventId: id, assets: next };
    const { ms, result } = tick();
    updated.push(ms);
    reevaluated = result.evaluations.length;
    for (let k = 0; k < 3; k++) tick(); // the requests reset; settle again
  }
  const full: number[] = [];
  for (let i = 0; i < Math.min(repeats, 3); i++) full.push(tick(true).ms);
  // One asset deep in the graph (the last in id order), as an asset page's dry run asks for it.
  const target = graph.assets[graph.assets.length - 1]!.id;
  const oneAsset: number[] = [];
  let oneAssetEvaluated = 0;
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    const result = evaluate({ graph, state, now, cursor, full: true, only: new Set([target]) });
    oneAsset.push(performance.now() - started);
    oneAssetEvaluated = result.evaluations.length;
  }
  const round = (v: number) => Math.round(v * 10) / 10;
  return {
    assets: size,
    unchangedMs: round(median(unchanged)),
    oneRootUpdatedMs: round(median(updated)),
    reevaluatedAfterUpdate: reevaluated,
    fullMs: round(median(full)),
    oneAssetMs: round(median(oneAsset)),
    oneAssetEvaluated,
  };
}

/** Prints the table for the given sizes. */
export function printConditionsBench(sizes: readonly number[]): void {
  const rows = sizes.map((size) => {
    process.stderr.write(`evaluating conditions over ${size} assets…\n`);
    return benchConditions(size);
  });
  console.log("\n| assets (eager) | evaluate(), nothing changed | evaluate(), one root updated (re-evaluated) | full evaluation (dry run) | dry run of one asset (evaluated) |");
  console.log("|---|---|---|---|---|");
  for (const row of rows) {
    console.log(
      `| ${row.assets.toLocaleString("en")} | ${row.unchangedMs} ms | ${row.oneRootUpdatedMs} ms (${row.reevaluatedAfterUpdate.toLocaleString("en")}) | ${row.fullMs} ms | ${row.oneAssetMs} ms (${row.oneAssetEvaluated.toLocaleString("en")}) |`,
    );
  }
}

/**
 * Partition-aware evaluation: the same graph with every asset daily-partitioned (`days` partitions, all
 * materialized), so every condition evaluates per partition. A tick where nothing changed, one after a root's
 * latest partition was materialized again (eager requests that partition down the graph), and a full evaluation.
 */
export function benchPartitionedConditions(size: number, days: number, repeats = 5): ConditionsBenchRow {
  const now0 = Date.UTC(2026, 2, 2);
  const start = new Date(now0 - days * 86_400_000).toISOString().slice(0, 10);
  const definition = parsePartitionsSpec({ type: "daily", start_date: start }, { file: "bench" }).definition!;
  const graph = syntheticGraph(size, definition);
  const assets = new Map<string, AssetRuntimeState>();
  let id = 0;
  for (const asset of graph.assets) {
    assets.set(asset.id, {
      latestMaterialization: { storageId: ++id, timestamp: 0, runId: null, runAssetSelection: null },
      partitions: { materialized: [[0, days - 1]], failed: [], inProgress: [], updates: [] },
    });
  }
  let state: AutomationState = { lastEventId: id, assets };
  let cursor: EvaluationCursor | null = null;
  // Ticks stay within one day: the partitions that exist do not change.
  let now = now0 + 3_600_000;
  const tick = (full = false) => {
    now += 30_000;
    const started = performance.now();
    const result = evaluate({ graph, state, now, cursor, full });
    const ms = performance.now() - started;
    cursor = result.cursor;
    return { ms, result };
  };
  for (let i = 0; i < 4; i++) tick();
  const unchanged: number[] = [];
  for (let i = 0; i < repeats; i++) unchanged.push(tick().ms);
  const updated: number[] = [];
  let reevaluated = 0;
  for (let i = 0; i < repeats; i++) {
    const next = new Map(state.assets);
    const storageId = ++id;
    next.set("m000000", {
      latestMaterialization: { storageId, timestamp: now, runId: null, runAssetSelection: null },
      partitions: { materialized: [[0, days - 1]], failed: [], inProgress: [], updates: [{ index: days - 1, storageId, timestamp: now }] },
    });
    state = { lastEventId: id, assets: next };
    const { ms, result } = tick();
    updated.push(ms);
    reevaluated = result.evaluations.length;
    for (let k = 0; k < 3; k++) tick();
  }
  const full: number[] = [];
  for (let i = 0; i < Math.min(repeats, 3); i++) full.push(tick(true).ms);
  const round = (v: number) => Math.round(v * 10) / 10;
  return { assets: size, unchangedMs: round(median(unchanged)), oneRootUpdatedMs: round(median(updated)), reevaluatedAfterUpdate: reevaluated, fullMs: round(median(full)), oneAssetMs: 0, oneAssetEvaluated: 0 };
}

/** Prints the partition-aware table for the given sizes, `days` daily partitions each. */
export function printPartitionedConditionsBench(sizes: readonly number[], days = 365): void {
  const rows = sizes.map((size) => {
    process.stderr.write(`evaluating conditions per partition over ${size} assets × ${days} partitions…\n`);
    return benchPartitionedConditions(size, days);
  });
  console.log(`\n| assets (eager, ${days} daily partitions each) | evaluate(), nothing changed | evaluate(), a root's latest partition updated (re-evaluated) | full evaluation (dry run) |`);
  console.log("|---|---|---|---|");
  for (const row of rows) {
    console.log(`| ${row.assets.toLocaleString("en")} | ${row.unchangedMs} ms | ${row.oneRootUpdatedMs} ms (${row.reevaluatedAfterUpdate.toLocaleString("en")}) | ${row.fullMs} ms |`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = (process.env["BENCH_SIZES"] ?? "1000,10000,50000").split(",").map(Number);
  if (process.env["BENCH_PARTITIONED_ONLY"] !== "1") printConditionsBench(sizes);
  printPartitionedConditionsBench(sizes.filter((n) => n <= 10_000));
}
