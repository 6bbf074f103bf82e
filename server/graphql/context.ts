/**
 * What every resolver receives: the catalog graph this request reads, fixed once per request, and the source
 * it came from (for mutations such as reload).
 */
import type { CatalogGraph } from "../../catalog/graph/types.ts";
import type { AssetEvaluation } from "../../catalog/model/evaluation.ts";
import type { AssetEventReader } from "../../catalog/model/events.ts";
import type { AutomationState, EvaluationCursor } from "../../scheduler/conditions/state.ts";
import type { MaterializerRef } from "../../catalog/model/index.ts";
import type { CatalogService } from "../../catalog/service.ts";
import { catalogNotReady } from "./errors.ts";

/**
 * The smallest view of the catalog service (catalog/service.ts) the server needs: the graph being served
 * (swapped atomically on reload), whether there is one yet, and, when the process can load locations, a way
 * to reload them. A plain object with `current()` is enough for tests and tools.
 */
export interface CatalogSource {
  /** The graph being served; may throw while `ready` is false. */
  current(): CatalogGraph;
  /** False until the first load has produced a graph; a source without the flag is always ready. */
  readonly ready?: boolean;
  reload?: CatalogService["reload"];
  /** Where asset events (materializations) are read; absent without a store. */
  readonly events?: AssetEventReader;
  /** Where automation state and evaluation history are read (dryRun, Asset.evaluations); absent without a store. */
  readonly automation?: AutomationSource;
  /**
   * The latest known state of what materializes an asset (a Fivetran connector as the observer last saw it),
   * as metadata of the same keys its spec carries; null when nothing newer than the load is known.
   */
  liveMaterializerMetadata?(materializer: MaterializerRef): Readonly<Record<string, unknown>> | null;
}

/** Where the API reads automation state and history. */
export interface AutomationSource {
  /** An asset's stored evaluations, newest first. */
  evaluations(assetId: string, first: number): Promise<AssetEvaluation[]>;
  /** A frozen snapshot of the current state (latest materializations, runs in progress…). */
  state(): Promise<AutomationState>;
  /** The daemon's latest cursor; null before its first tick. */
  cursor(): Promise<EvaluationCursor | null>;
}

/** True when the source has a graph to serve. */
export function isReady(source: CatalogSource): boolean {
  return source.ready !== false;
}

/** The per-request context of every resolver. */
export interface GraphQLContext {
  /**
   * The graph this request reads, taken once when the request starts, so a reload in the middle of a request
   * never mixes two catalogs in one response. Null while the first load is still running.
   */
  readonly graph: CatalogGraph | null;
  /** Where the graph came from; null while nothing is attached. */
  readonly catalog: CatalogSource | null;
}

/** The request's graph, or a `CATALOG_NOT_READY` error while the first load is running. */
export function requireGraph(context: GraphQLContext): CatalogGraph {
  if (context.graph === null) throw catalogNotReady();
  return context.graph;
}
