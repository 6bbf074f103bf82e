/**
 * Realistic definitions of any size, for the store's tests and benchmark: shaped like a translated dbt
 * project, deterministic for a given seed. Synthetic on purpose: the store stores whatever connectors
 * produce, and a benchmark needs a project of a chosen size (50,000 models) that no fixture has.
 */
import type { AssetSpec, Diagnostic, LocationDefinitions, LocationKind } from "../model/index.ts";

/** A small deterministic PRNG (mulberry32), so generated definitions are the same on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  "order customer payment invoice refund session event account product subscription churn revenue cohort " +
  "daily weekly monthly lifetime active trial signup campaign attribution ledger balance shipment inventory " +
  "warehouse region country currency discount margin forecast pipeline opportunity lead contact ticket"
).split(" ");
const TYPES = ["integer", "bigint", "varchar", "text", "boolean", "timestamp", "date", "numeric(18,2)", "jsonb"];
const LAYERS = ["staging", "intermediate", "marts"];

/** Options of {@link sampleDefinitions}. */
export interface SampleDefinitionsOptions {
  readonly locationName?: string;
  readonly kind?: LocationKind;
  /** How many dbt-like models (each with columns, tests, deps). Default 5. */
  readonly models?: number;
  /** Varies the content: two seeds give two different projects. Default 1. */
  readonly seed?: number;
  readonly loadedAt?: string;
  readonly loadDurationMs?: number;
}

/**
 * Definitions shaped like a translated dbt project: models with relations, several kinds, owners, tags,
 * descriptions, key and relation deps, typed columns, blocking and non-blocking tests (one with additional
 * deps), both kinds of policy, code versions, materializers, source locations and nested metadata — every
 * field of {@link AssetSpec} is set on some spec, and the nullable ones are null on others. Sized like real
 * projects: about 1.5 KB of JSON per model (33,000 models make about 50 MB).
 */
export function sampleDefinitions(options: SampleDefinitionsOptions = {}): LocationDefinitions {
  const locationName = options.locationName ?? "shop_dbt";
  const kind = options.kind ?? "dbt";
  const models = options.models ?? 5;
  const next = random(options.seed ?? 1);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const words = (count: number) => Array.from({ length: count }, () => pick(WORDS)).join(" ");
  const specs: AssetSpec[] = [];
  for (let i = 0; i < models; i++) {
    const layer = LAYERS[i % LAYERS.length] as string;
    const name = `${layer === "staging" ? "stg" : layer === "marts" ? "fct" : "int"}_${pick(WORDS)}_${pick(WORDS)}_${i}`;
    const uniqueId = `model.${locationName}.${name}`;
    const columnCount = 2 + Math.floor(next() * 4);
    const columns = Array.from({ length: columnCount }, (_, c) => ({
      name: c === 0 ? "id" : `${pick(WORDS)}_${pick(WORDS)}`,
      type: c === 2 ? null : pick(TYPES),
      description: c % 3 === 2 ? null : `The ${words(2)}.`,
      tags: c === 0 ? ["pii", "key"] : [],
    }));
    const upstream = i === 0 ? [] : [Math.floor(next() * i), Math.floor(next() * i)];
    const key = [layer, name];
    specs.push({
      key,
      // An ephemeral model has no relation.
      relation: i % 17 === 5 ? null : { database: i % 7 === 0 ? null : "analytics", schema: layer, name },
      kinds: i % 2 === 0 ? ["dbt", "snowflake", "table"] : ["dbt", "snowflake"],
      group: i % 5 === 0 ? null : pick(["finance", "growth", "ops", "product"]),
      owners: i % 4 === 0 ? [] : [`${pick(WORDS)}@example.com`, "team:analytics"],
      tags: i % 3 === 0 ? [] : [pick(WORDS), "nightly"],
      description: i % 6 === 0 ? null : `${words(8)}; built from ${words(2)}.`,
      deps: [
        ...[...new Set(upstream)].map((u) => ({ kind: "key" as const, key: [LAYERS[u % LAYERS.length] as string, `upstream_${u}`] })),
        ...(i % 10 === 0 ? [{ kind: "relation" as const, relation: { database: "raw", schema: "stripe", name: `charges_${i}` } }] : []),
      ],
      columns,
      checks: [
        ...(i % 2 === 1
          ? []
          : [{
          name: `unique_${name}_id`,
          assetKey: key,
          description: null,
          blocking: true,
          additionalDeps: [],
          columnName: "id",
          sourceId: `test.${locationName}.unique_${name}_id.${i}`,
          metadata: {},
        }]),
        ...(i % 4 === 0
          ? [
              {
                name: `relationships_${name}_customer_id`,
                assetKey: key,
                description: `Every ${words(2)} has a customer.`,
                blocking: false,
                additionalDeps: [["marts", "dim_customers"]],
                columnName: "customer_id",
                sourceId: `test.${locationName}.relationships_${name}.${i}`,
                metadata: { severity: "warn", to: "ref('dim_customers')", field: "id" },
              },
            ]
          : []),
      ],
      policy:
        i % 9 === 0
          ? { source: "auto_materialize_policy", type: "on_cron", cronSchedule: "0 6 * * *", cronTimezone: "Europe/Paris", declaredIn: { file: "dbt_project.yml", line: 12, path: "models.shop.+meta.dagster" } }
          : i % 9 === 1
            ? { source: "automation_condition", condition: { all_of: [{ eager: {} }, { not: { in_progress: {} } }] }, declaredIn: { file: `models/${layer}/${name}.yml`, line: null, path: null } }
            : null,
      codeVersion: i % 8 === 0 ? null : randomHex(next, 16),
      materializer: i % 11 === 0 ? null : { tool: kind, locationName, runTargetId: uniqueId },
      dbtUniqueId: kind === "dbt" ? uniqueId : null,
      definedIn: i % 13 === 0 ? null : { file: `models/${layer}/${name}.sql`, line: 1, path: `nodes["${uniqueId}"]` },
      metadata: {
        materialized: i % 17 === 5 ? "ephemeral" : i % 2 === 0 ? "table" : "view",
        database: "analytics",
        schema: layer,
        package: locationName,
        ...(i % 3 === 0 ? { config: { enabled: true, full_refresh: null, on_schema_change: "ignore", meta: { owner: pick(WORDS) } } } : {}),
        rawCodeBytes: Math.floor(next() * 20_000),
      },
    });
  }
  const diagnostics: Diagnostic[] = [
    {
      severity: "warning",
      code: "dangling_source",
      message: "source('stripe', 'disputes') is not produced by any location",
      locationName,
      assetKey: ["raw", "stripe", "disputes"],
      nodeId: `source.${locationName}.stripe.disputes`,
      at: { file: "models/sources.yml", line: 40, path: "sources[0].tables[3]" },
    },
    { severity: "info", code: "no_owner", message: "3 models have no owner", locationName, assetKey: null, nodeId: null, at: null },
  ];
  return {
    location: { name: locationName, kind, origin: `/srv/${kind}/${locationName}` },
    specs,
    diagnostics,
    loadedAt: options.loadedAt ?? "2024-05-01T12:00:00.000Z",
    loadDurationMs: options.loadDurationMs ?? 1234.5,
  };
}

function randomHex(next: () => number, length: number): string {
  let text = "";
  for (let i = 0; i < length; i++) text += Math.floor(next() * 16).toString(16);
  return text;
}

/** The same definitions loaded again at another time: equal content, new load time. */
export function reloaded(definitions: LocationDefinitions, loadedAt: string, loadDurationMs = 42): LocationDefinitions {
  return { ...definitions, loadedAt, loadDurationMs };
}
