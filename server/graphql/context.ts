/**
 * What every resolver receives: the catalog graph this request reads, fixed once per request, and the source
 * it came from (for mutations such as reload).
 */
import type { CatalogGraph } from "../../catalog/graph/types.ts";
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
