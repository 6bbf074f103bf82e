/**
 * OpenLineage RunEvents (spec 2-0-2) for Tributary's runs and steps, built from a run transition and the catalog
 * being served. Pure: no I/O, the clock comes with the transition.
 *
 * - A run is a job run of `{namespace}` / `runs.{how it was launched}` (policy, manual, reexecution, retry): the
 *   ad hoc selection of assets a run is has no name of its own (Dagster's integration names these `__ASSET_JOB`).
 * - A step is a job run of its own, named by what it runs: `dbt.{project}` for a dbt project's build,
 *   `fivetran.{account}.{connector id}`, `census.{workspace}.{sync id}`; its runId is derived from the run's id
 *   and the step's index (a UUID v5), so the START one worker sends and the COMPLETE a worker that took the step
 *   over sends name one run. Its `parent` facet names the run (and the run is the root).
 * - A step's datasets: outputs are the assets it materializes (on FAIL, those that did not fail; on ABORT
 *   none), inputs the assets they read that the step does not build; each with the `dataSource` facet, the
 *   `schema` facet where columns are known (types from the warehouse or dbt's catalog), and `columnLineage`
 *   where it is known (a dbt model's compiled SQL; a Census sync's field mappings).
 */
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import type { CatalogAsset, CatalogGraph } from "../../catalog/graph/index.ts";
import { keyToString } from "../../catalog/model/index.ts";
import type { RunRecord } from "../../catalog/store/index.ts";
import { censusSyncState } from "../../connectors/census/index.ts";
import { dbtNodeState } from "../../connectors/dbt/index.ts";
import type { RunTransition } from "../../scheduler/runs/index.ts";
import type { DatasetId, DatasetNamer } from "./namespaces.ts";

const VERSION = (createRequire(import.meta.url)("../../package.json") as { version: string }).version;

/** Who made the events (`producer`, and every facet's `_producer`). */
export const PRODUCER = `https://github.com/tributary-data/tributary/tree/v${VERSION}`;
export const RUN_EVENT_SCHEMA_URL = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent";

/** The facet schemas the events use, by facet key (the exact published versions kept in ./openlineage-spec). */
export const FACET_SCHEMA_URLS = {
  parent: "https://openlineage.io/spec/facets/1-2-0/ParentRunFacet.json#/$defs/ParentRunFacet",
  errorMessage: "https://openlineage.io/spec/facets/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet",
  processing_engine: "https://openlineage.io/spec/facets/1-1-1/ProcessingEngineRunFacet.json#/$defs/ProcessingEngineRunFacet",
  jobType: "https://openlineage.io/spec/facets/2-0-4/JobTypeJobFacet.json#/$defs/JobTypeJobFacet",
  schema: "https://openlineage.io/spec/facets/1-2-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet",
  dataSource: "https://openlineage.io/spec/facets/1-0-1/DatasourceDatasetFacet.json#/$defs/DatasourceDatasetFacet",
  columnLineage: "https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet",
} as const;

export type EventType = "START" | "COMPLETE" | "FAIL" | "ABORT";

type Facet = { readonly _producer: string; readonly _schemaURL: string } & Record<string, unknown>;

export interface LineageDataset extends DatasetId {
  readonly facets: Readonly<Record<string, Facet>>;
}

export interface LineageJob {
  readonly namespace: string;
  readonly name: string;
}

/** An OpenLineage RunEvent as sent. */
export interface RunEvent {
  readonly eventType: EventType;
  readonly eventTime: string;
  readonly producer: string;
  readonly schemaURL: string;
  readonly run: { readonly runId: string; readonly facets: Readonly<Record<string, Facet>> };
  readonly job: LineageJob & { readonly facets: Readonly<Record<string, Facet>> };
  readonly inputs: readonly LineageDataset[];
  readonly outputs: readonly LineageDataset[];
}

function facet(key: keyof typeof FACET_SCHEMA_URLS, fields: Record<string, unknown>): Facet {
  return { _producer: PRODUCER, _schemaURL: FACET_SCHEMA_URLS[key], ...fields };
}

/** A name-based UUID (RFC 4122 version 5, SHA-1) in the URL namespace: the same name always gives the same id. */
export function uuidV5(name: string): string {
  const urlNamespace = Buffer.from("6ba7b8119dad11d180b400c04fd430c8", "hex");
  const bytes = createHash("sha1").update(urlNamespace).update(name, "utf8").digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The OpenLineage runId of a step of a Tributary run. */
export function stepRunId(runId: string, stepIndex: number): string {
  return uuidV5(`tributary:run:${runId}:step:${stepIndex}`);
}

/** The job a run is. */
export function runJobName(run: Pick<RunRecord, "launchedBy">): string {
  return `runs.${run.launchedBy.kind}`;
}

/** The job a step is: its tool and location, and the tool's id when the whole step runs one thing (a sync). */
export function stepJobName(step: { readonly tool: string; readonly locationName: string; readonly targets: readonly { readonly runTargetId: string }[] }): string {
  const ids = new Set(step.targets.map((t) => t.runTargetId));
  const base = `${step.tool}.${step.locationName}`;
  return ids.size === 1 && step.targets.length > 0 && step.tool !== "dbt" ? `${base}.${[...ids][0]}` : base;
}

export interface EventContext {
  /** The job namespace (`openlineage.namespace`, OPENLINEAGE_NAMESPACE). */
  readonly namespace: string;
  /** The catalog being served; null while it loads (the events then carry no datasets). */
  readonly graph: CatalogGraph | null;
  readonly namer: DatasetNamer;
}

function isUri(value: string): boolean {
  return !/\s/.test(value) && URL.canParse(value) && /^[a-z][a-z0-9+.-]*:/i.test(value);
}

function datasetFacets(asset: CatalogAsset, id: DatasetId, context: EventContext, withLineage: boolean): Record<string, Facet> {
  const facets: Record<string, Facet> = {
    dataSource: facet("dataSource", { name: id.namespace, ...(isUri(id.namespace) ? { uri: id.namespace } : {}) }),
  };
  if (asset.columns.length > 0) {
    facets["schema"] = facet("schema", {
      fields: asset.columns.map((column, index) => ({
        name: column.name,
        ...(column.type !== null ? { type: column.type } : {}),
        ...(column.description !== null && column.description !== "" ? { description: column.description } : {}),
        ordinal_position: index + 1,
      })),
    });
  }
  if (withLineage) {
    const lineage = columnLineage(asset, context);
    if (lineage !== null) facets["columnLineage"] = facet("columnLineage", { fields: lineage });
  }
  return facets;
}

type InputField = { namespace: string; name: string; field: string; transformations: { type: string; subtype: string; description?: string }[] };

/** The columnLineage facet's `fields`, or null when no column's lineage is known. */
function columnLineage(asset: CatalogAsset, context: EventContext): Record<string, { inputFields: InputField[] }> | null {
  const { graph, namer } = context;
  const fields: Record<string, { inputFields: InputField[] }> = {};
  const lineage = dbtNodeState.read(asset.metadata).column_lineage;
  if (lineage !== null && graph !== null) {
    const location = asset.materializer?.locationName ?? asset.locationNames[0] ?? "unknown";
    for (const column of lineage.columns) {
      if (!column.followed || column.upstream.length === 0) continue;
      const transformation =
        column.transformation === "transformation"
          ? { type: "DIRECT", subtype: "TRANSFORMATION" }
          : { type: "DIRECT", subtype: "IDENTITY", ...(column.transformation === "rename" ? { description: "renamed" } : {}) };
      const inputs: InputField[] = [];
      for (const upstream of column.upstream) {
        const upstreamAsset = upstream.key === null ? undefined : graph.get(keyToString(upstream.key));
        const dataset = upstreamAsset ? namer.datasetOf(upstreamAsset) : null;
        const id = dataset ?? { namespace: namer.namespaceOfLocation(location), name: upstream.relation };
        inputs.push({ namespace: id.namespace, name: id.name, field: upstream.column, transformations: [transformation] });
      }
      fields[column.column] = { inputFields: inputs };
    }
  }
  const census = censusSyncState.read(asset.metadata);
  if (census.mappings !== null && graph !== null) {
    const source = asset.upstreamIds.map((id) => graph.get(id)).find((upstream): upstream is CatalogAsset => upstream !== undefined);
    const sourceId = source ? namer.datasetOf(source) : null;
    if (sourceId !== null) {
      for (const mapping of census.mappings) {
        fields[mapping.to] = { inputFields: [{ namespace: sourceId.namespace, name: sourceId.name, field: mapping.from, transformations: [{ type: "DIRECT", subtype: "IDENTITY" }] }] };
      }
    }
  }
  return Object.keys(fields).length > 0 ? fields : null;
}

function dataset(asset: CatalogAsset, context: EventContext, withLineage: boolean): LineageDataset | null {
  const id = context.namer.datasetOf(asset);
  return id === null ? null : { ...id, facets: datasetFacets(asset, id, context, withLineage) };
}

/** A step's inputs and outputs: what it builds, and what that reads which the step does not build. */
function stepDatasets(
  run: RunRecord,
  stepIndex: number,
  context: EventContext,
  outputKeys: ReadonlySet<string> | null,
): { inputs: LineageDataset[]; outputs: LineageDataset[] } {
  const step = run.steps[stepIndex];
  const graph = context.graph;
  if (!step || graph === null) return { inputs: [], outputs: [] };
  const targets = step.targets.map((t) => graph.get(keyToString(t.assetKey))).filter((a): a is CatalogAsset => a !== undefined);
  const built = new Set(targets.map((a) => a.id));
  const outputs = targets.filter((a) => outputKeys === null || outputKeys.has(a.id)).flatMap((a) => dataset(a, context, true) ?? []);
  const inputIds = [...new Set(targets.flatMap((a) => a.upstreamIds))].filter((id) => !built.has(id)).sort();
  const inputs = inputIds.flatMap((id) => {
    const asset = graph.get(id);
    return asset ? (dataset(asset, context, false) ?? []) : [];
  });
  const unique = (list: LineageDataset[]) => [...new Map(list.map((d) => [`${d.namespace}\u0000${d.name}`, d])).values()];
  return { inputs: unique(inputs), outputs: unique(outputs) };
}

const engineFacet = () => facet("processing_engine", { name: "Tributary", version: VERSION });

function errorFacet(message: string) {
  return facet("errorMessage", { message, programmingLanguage: "TypeScript" });
}

function runEvent(eventType: EventType, at: Date, runId: string, runFacets: Record<string, Facet>, job: LineageJob, jobType: string, datasets: { inputs: LineageDataset[]; outputs: LineageDataset[] }): RunEvent {
  return {
    eventType,
    eventTime: at.toISOString(),
    producer: PRODUCER,
    schemaURL: RUN_EVENT_SCHEMA_URL,
    run: { runId, facets: { processing_engine: engineFacet(), ...runFacets } },
    job: { ...job, facets: { jobType: facet("jobType", { processingType: "BATCH", integration: "TRIBUTARY", jobType }) } },
    inputs: datasets.inputs,
    outputs: datasets.outputs,
  };
}

const NO_DATASETS = { inputs: [], outputs: [] };

/** The RunEvents a transition stands for (a run that ends without having started sends its START first). */
export function eventsOf(transition: RunTransition, context: EventContext): RunEvent[] {
  const { run, at } = transition;
  const runJob = { namespace: context.namespace, name: runJobName(run) };
  switch (transition.kind) {
    case "run_started":
      return [runEvent("START", at, run.id, {}, runJob, "JOB", NO_DATASETS)];
    case "run_ended": {
      const type: EventType = transition.status === "succeeded" ? "COMPLETE" : transition.status === "failed" ? "FAIL" : "ABORT";
      const ended = runEvent(type, at, run.id, type === "FAIL" ? { errorMessage: errorFacet(transition.message) } : {}, runJob, "JOB", NO_DATASETS);
      return run.startedAt === null ? [runEvent("START", at, run.id, {}, runJob, "JOB", NO_DATASETS), ended] : [ended];
    }
    case "step_started":
    case "step_ended": {
      const step = run.steps[transition.stepIndex];
      if (!step) return [];
      const job = { namespace: context.namespace, name: stepJobName(step) };
      const parent = facet("parent", { job: runJob, run: { runId: run.id }, root: { job: runJob, run: { runId: run.id } } });
      const id = stepRunId(run.id, step.index);
      if (transition.kind === "step_started") return [runEvent("START", at, id, { parent }, job, "TASK", stepDatasets(run, step.index, context, null))];
      const { outcome } = transition;
      if (outcome.status === "succeeded") return [runEvent("COMPLETE", at, id, { parent }, job, "TASK", stepDatasets(run, step.index, context, null))];
      if (outcome.status === "canceled") return [runEvent("ABORT", at, id, { parent }, job, "TASK", { inputs: stepDatasets(run, step.index, context, new Set()).inputs, outputs: [] })];
      // What did not fail was built: a dbt build's models before the one that broke.
      const notBuilt = new Set([...outcome.failedKeys, ...outcome.skippedKeys].map(keyToString));
      const built = new Set(step.assetKeys.map(keyToString).filter((key) => !notBuilt.has(key)).map((key) => context.graph?.get(key)?.id ?? key));
      return [runEvent("FAIL", at, id, { parent, errorMessage: errorFacet(outcome.message) }, job, "TASK", stepDatasets(run, step.index, context, built))];
    }
  }
}
