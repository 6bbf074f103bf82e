/**
 * Layered DAG layout of a lineage graph with dagre (left to right, upstream first). Pure: the web worker runs
 * it off the main thread, and the main thread falls back to it where workers are unavailable.
 */
import { Graph, layout } from "@dagrejs/dagre";

export const NODE_HEIGHT = 36;
const CHAR_WIDTH = 7.2;
const MIN_WIDTH = 120;
const MAX_WIDTH = 272;

export interface LayoutInput {
  readonly nodes: readonly { readonly key: string; readonly label: string }[];
  readonly edges: readonly { readonly from: string; readonly to: string }[];
}

export interface PlacedNode {
  readonly key: string;
  /** Centre. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
}

export interface PlacedEdge {
  readonly from: string;
  readonly to: string;
  readonly points: readonly { readonly x: number; readonly y: number }[];
}

export interface LayoutResult {
  readonly nodes: readonly PlacedNode[];
  readonly edges: readonly PlacedEdge[];
  readonly width: number;
  readonly height: number;
  readonly ms: number;
}

/** Box width for a label: long keys are cut with an ellipsis by the renderer. */
export function nodeWidth(label: string): number {
  // 44 px for the tool mark and padding, 12 for the status dot at the right end.
  return Math.max(MIN_WIDTH, Math.min(MAX_WIDTH, 56 + label.length * CHAR_WIDTH));
}

export function layoutLineage(input: LayoutInput): LayoutResult {
  const started = performance.now();
  const graph = new Graph({ multigraph: false });
  graph.setGraph({ rankdir: "LR", nodesep: 12, ranksep: 70, edgesep: 6, marginx: 24, marginy: 24, ranker: "network-simplex" });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const node of input.nodes) graph.setNode(node.key, { width: nodeWidth(node.label), height: NODE_HEIGHT });
  for (const edge of input.edges) {
    if (edge.from !== edge.to && graph.hasNode(edge.from) && graph.hasNode(edge.to)) graph.setEdge(edge.from, edge.to);
  }
  layout(graph);
  const nodes = input.nodes.map((node) => {
    const placed = graph.node(node.key);
    return { key: node.key, x: placed.x, y: placed.y, width: placed.width };
  });
  const edges = graph.edges().map((edge) => ({ from: edge.v, to: edge.w, points: graph.edge(edge).points ?? [] }));
  const size = graph.graph();
  return { nodes, edges, width: size.width ?? 0, height: size.height ?? 0, ms: performance.now() - started };
}
