/**
 * The store side of `Mutation.reportDbtRunResults` / `reportMaterialization` (server/graphql/report.ts): a dbt
 * run_results.json made elsewhere, translated by the dbt connector's reader with the catalog's own mapping of
 * unique_ids to assets and checks, recorded once each.
 */
import type { CatalogGraph } from "../catalog/graph/index.ts";
import type { AssetEventInput, CheckResultInput } from "../catalog/model/index.ts";
import { parseRunResults, RunResultsError, runResultsToEvents, dbtNodeState, dbtResultState } from "../connectors/dbt/index.ts";
import type { ResolvedDbtNode } from "../connectors/dbt/index.ts";
import { ReportInputError } from "./graphql/report.ts";
import type { ReportResult, ReportSink } from "./graphql/report.ts";

/** What the sink writes to: the store. */
export interface ReportStore {
  recordAssetEvents(events: readonly AssetEventInput[]): Promise<{ readonly inserted: number }>;
  recordCheckResults(results: readonly CheckResultInput[], runId?: string | null): Promise<{ inserted: number }>;
}

/** dbt unique_id → asset or check, per dbt location, computed once per graph. */
const nodesByGraph = new WeakMap<CatalogGraph, Map<string, Map<string, ResolvedDbtNode>>>();

export function dbtNodesByLocation(graph: CatalogGraph): Map<string, Map<string, ResolvedDbtNode>> {
  const cached = nodesByGraph.get(graph);
  if (cached) return cached;
  const byLocation = new Map<string, Map<string, ResolvedDbtNode>>();
  const add = (location: string, id: string, node: ResolvedDbtNode) => {
    let map = byLocation.get(location);
    if (!map) byLocation.set(location, (map = new Map()));
    if (!map.has(id)) map.set(id, node);
  };
  for (const asset of graph.assets) {
    for (const spec of asset.specs) {
      if (spec.dbtUniqueId === null) continue;
      // A dbt source's spec has no materializer: its checks belong to the location that declares it.
      const location = spec.materializer?.locationName ?? asset.locationNames[0] ?? "dbt";
      if (spec.materializer?.tool === "dbt") {
        // What the build's own manifest would say (createManifestNodeResolver), from the spec the catalog holds.
        const node = dbtNodeState.read(spec.metadata);
        add(location, spec.dbtUniqueId, { kind: "asset", assetKey: asset.key, materialized: node.materialized, relationName: node.relation_name });
      }
      for (const check of spec.checks) {
        if (check.sourceId?.startsWith("test.")) add(location, check.sourceId, { kind: "check", assetKey: asset.key, checkName: check.name });
      }
    }
  }
  nodesByGraph.set(graph, byLocation);
  return byLocation;
}

const BUILT_PREFIXES = ["model.", "seed.", "snapshot.", "test."];

export function createReportSink(store: ReportStore): ReportSink {
  return {
    recordAssetEvents: (events) => store.recordAssetEvents(events),
    async reportDbtRunResults(graph, json, location): Promise<ReportResult> {
      let runResults;
      try {
        runResults = parseRunResults(JSON.stringify(json), "runResults");
      } catch (error) {
        if (error instanceof RunResultsError) throw new ReportInputError(error.message, "runResults");
        throw error;
      }
      const locations = dbtNodesByLocation(graph);
      if (location !== null && !locations.has(location)) throw new ReportInputError(`No dbt location named "${location}" builds anything in the catalog`, "location");
      const candidates = location !== null ? [[location, locations.get(location)!] as const] : [...locations.entries()];
      const lookup = (uniqueId: string): { location: string; node: ResolvedDbtNode } | null => {
        for (const [name, map] of candidates) {
          const node = map.get(uniqueId);
          if (node) return { location: name, node };
        }
        return null;
      };
      // A report spans one dbt project: the first node the catalog knows names the location.
      const locationName = location ?? runResults.results.map((r) => lookup(r.uniqueId)).find((found) => found !== null)?.location ?? "dbt";
      const unknownNodes = new Set<string>();
      const translation = runResultsToEvents(runResults, {
        locationName,
        resolveNode: (uniqueId) => {
          const found = lookup(uniqueId);
          if (!found && BUILT_PREFIXES.some((prefix) => uniqueId.startsWith(prefix))) unknownNodes.add(uniqueId);
          return found?.node ?? null;
        },
      });
      const events = translation.events.map((event) => ({ ...event, metadata: { ...event.metadata, ...dbtResultState.write({ reported: true }) } }));
      const insertedEvents = (await store.recordAssetEvents(events)).inserted;
      const insertedChecks = (await store.recordCheckResults(translation.checkResults)).inserted;
      const total = events.length + translation.checkResults.length;
      return {
        recorded: insertedEvents + insertedChecks,
        alreadyRecorded: total - insertedEvents - insertedChecks,
        materializations: events.filter((e) => e.kind === "materialization").length,
        failures: events.filter((e) => e.kind === "materialization_failure").length,
        checkResults: translation.checkResults.length,
        unknownNodes: [...unknownNodes].sort(),
      };
    },
  };
}
