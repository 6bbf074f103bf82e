/**
 * Column-level lineage: `Column.lineage` (a dbt model's column: the upstream columns it derives from, and
 * whether it copies, renames or transforms them, from the model's compiled SQL; see
 * connectors/dbt/column-lineage.ts) and `Query.columnLineage(key, column, direction, depth)`, the closure
 * over columns across assets. Downstream edges are the upstream ones reversed, indexed once per graph.
 */
import type { CatalogAsset, CatalogGraph } from "../../catalog/graph/index.ts";
import { keyToString } from "../../catalog/model/index.ts";
import { dbtNodeState } from "../../connectors/dbt/index.ts";
import type { GraphQLContext } from "./context.ts";
import { requireGraph } from "./context.ts";
import { assetNotFound, badUserInput } from "./errors.ts";
import type { SchemaModule } from "./module.ts";
import { columnLineageStatus } from "./locations.ts";

const typeDefs = /* GraphQL */ `
  extend type Column {
    """
    Where the column's values come from (dbt models with compiled SQL); null when no lineage is known, which
    includes while its location's column lineage is still computed after a load (Location.columnLineage).
    """
    lineage: ColumnLineage
  }

  "What a column derives from."
  type ColumnLineage {
    "False where the SQL could not be followed for this column (note says why)."
    followed: Boolean!
    note: String
    "COPY (same name), RENAME (a bare column under another name) or TRANSFORMATION; null when not followed."
    transformation: ColumnTransformation
    upstream: [ColumnRef!]!
  }

  enum ColumnTransformation {
    COPY
    RENAME
    TRANSFORMATION
  }

  "A column of an asset (or of a relation no asset names: assetKey null)."
  type ColumnRef {
    assetKey: String
    relation: String
    column: String!
  }

  extend type Query {
    """
    The columns upstream or downstream of one column, through every model whose lineage is known; depth omitted
    means the whole closure.
    """
    columnLineage(key: String!, column: String!, direction: LineageDirection = UPSTREAM, depth: Int): ColumnLineageGraph!
  }

  type ColumnLineageGraph {
    "Includes the column asked for."
    nodes: [ColumnRef!]!
    edges: [ColumnLineageEdge!]!
    "Models on the way whose SQL could not be followed (their lineage is unknown, not empty)."
    notFollowed: [String!]!
    """
    Locations whose column lineage is not in this answer yet (PENDING or COMPUTING after a load) or failed: the
    graph may lack their edges. See Location.columnLineage.
    """
    incompleteLocations: [String!]!
  }

  type ColumnLineageEdge {
    from: ColumnRef!
    to: ColumnRef!
    transformation: ColumnTransformation
  }
`;

interface Ref {
  readonly assetKey: string | null;
  readonly relation: string | null;
  readonly column: string;
}

interface Edge {
  readonly from: Ref;
  readonly to: Ref;
  readonly transformation: string | null;
}

type LineageState = NonNullable<ReturnType<typeof dbtNodeState.read>["column_lineage"]>;

function lineageOf(asset: CatalogAsset): LineageState | null {
  return dbtNodeState.read(asset.metadata).column_lineage;
}

const upper = (t: string | null): string | null => (t === null ? null : t.toUpperCase());

/** The asset id an upstream key names in this graph (a dbt source key may be an alias of a Fivetran table). */
function resolveKey(graph: CatalogGraph, key: readonly string[] | null): string | null {
  if (key === null) return null;
  const id = keyToString(key);
  return graph.get(id)?.id ?? id;
}

/** Every column edge of the graph, indexed both ways, once per graph. */
const indexes = new WeakMap<CatalogGraph, { up: Map<string, Edge[]>; down: Map<string, Edge[]>; notFollowed: Set<string> }>();

const refId = (ref: Ref): string => `${ref.assetKey ?? ref.relation}\u0000${ref.column.toLowerCase()}`;

function indexOf(graph: CatalogGraph) {
  let index = indexes.get(graph);
  if (index) return index;
  index = { up: new Map(), down: new Map(), notFollowed: new Set() };
  for (const asset of graph.assets) {
    const lineage = lineageOf(asset);
    if (!lineage) continue;
    if (!lineage.followed) index.notFollowed.add(asset.id);
    for (const column of lineage.columns) {
      const to: Ref = { assetKey: asset.id, relation: null, column: column.column };
      for (const u of column.upstream) {
        const from: Ref = { assetKey: resolveKey(graph, u.key), relation: u.key === null ? u.relation : null, column: u.column };
        const edge: Edge = { from, to, transformation: upper(column.transformation) };
        const up = index.up.get(refId(to)) ?? [];
        up.push(edge);
        index.up.set(refId(to), up);
        const down = index.down.get(refId(from)) ?? [];
        down.push(edge);
        index.down.set(refId(from), down);
      }
    }
  }
  indexes.set(graph, index);
  return index;
}

const resolvers = {
  Column: {
    lineage: ({ column, asset }: { column: { name: string }; asset: CatalogAsset }, _args: unknown, context: GraphQLContext) => {
      const lineage = lineageOf(asset);
      if (!lineage) return null;
      const found = lineage.columns.find((c) => c.column.toLowerCase() === column.name.toLowerCase());
      if (!found) return lineage.followed ? null : { followed: false, note: lineage.reason, transformation: null, upstream: [] };
      const graph = requireGraph(context);
      return {
        followed: found.followed,
        note: found.note,
        transformation: upper(found.transformation),
        upstream: found.upstream.map((u) => ({ assetKey: resolveKey(graph, u.key), relation: u.relation, column: u.column })),
      };
    },
  },
  Query: {
    columnLineage: (_: unknown, args: { key: string; column: string; direction: "UPSTREAM" | "DOWNSTREAM" | "BOTH"; depth?: number | null }, context: GraphQLContext) => {
      const graph = requireGraph(context);
      const asset = graph.get(args.key);
      if (!asset) throw assetNotFound(args.key);
      if (args.depth !== undefined && args.depth !== null && args.depth < 0) throw badUserInput("depth must be 0 or more", "depth");
      const index = indexOf(graph);
      const start: Ref = { assetKey: asset.id, relation: null, column: asset.columns.find((c) => c.name.toLowerCase() === args.column.toLowerCase())?.name ?? args.column };
      const nodes = new Map<string, Ref>([[refId(start), start]]);
      const edges = new Map<string, Edge>();
      const notFollowed = new Set<string>();
      const walk = (direction: "up" | "down") => {
        let frontier = [start];
        for (let level = 0; frontier.length > 0 && (args.depth === undefined || args.depth === null || level < args.depth); level++) {
          const next: Ref[] = [];
          for (const ref of frontier) {
            if (ref.assetKey !== null && index.notFollowed.has(ref.assetKey)) notFollowed.add(ref.assetKey);
            for (const edge of (direction === "up" ? index.up : index.down).get(refId(ref)) ?? []) {
              edges.set(`${refId(edge.from)}\u0001${refId(edge.to)}`, edge);
              const other = direction === "up" ? edge.from : edge.to;
              if (!nodes.has(refId(other))) {
                nodes.set(refId(other), other);
                next.push(other);
              }
            }
          }
          frontier = next;
        }
        for (const ref of frontier) if (ref.assetKey !== null && index.notFollowed.has(ref.assetKey)) notFollowed.add(ref.assetKey);
      };
      if (args.direction !== "DOWNSTREAM") walk("up");
      if (args.direction !== "UPSTREAM") walk("down");
      const incompleteLocations = graph.locations.map((l) => l.location.name).filter((name) => (columnLineageStatus(context, name)?.state ?? "DONE") !== "DONE");
      return { nodes: [...nodes.values()], edges: [...edges.values()], notFollowed: [...notFollowed].sort(), incompleteLocations };
    },
  },
};

export const columnLineageModule: SchemaModule = { typeDefs, resolvers };
