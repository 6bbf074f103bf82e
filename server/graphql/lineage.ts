/** Lineage: `Query.lineage`, the up- and/or downstream closure of an asset, optionally cut at a depth. */
import type { LineageDirection, LineageResult } from "../../catalog/graph/index.ts";
import { AssetNotFoundError } from "../../catalog/graph/index.ts";
import { requireGraph, type GraphQLContext } from "./context.ts";
import { assetNotFound, badUserInput } from "./errors.ts";
import { assetIdFromKey } from "./assets.ts";
import type { SchemaModule } from "./module.ts";

const typeDefs = /* GraphQL */ `
  extend type Query {
    """
    The assets connected to one asset, and the edges between them. The asset itself is always among the nodes.
    Without depth the whole closure is returned; depth 1 gives direct neighbours only.
    """
    lineage(key: String!, direction: LineageDirection = BOTH, depth: Int): LineageGraph!
  }

  enum LineageDirection {
    "Assets the asset reads from, transitively."
    UPSTREAM
    "Assets that read from the asset, transitively."
    DOWNSTREAM
    "Both of the above."
    BOTH
  }

  type LineageGraph {
    nodes: [Asset!]!
    edges: [LineageEdge!]!
  }

  "An edge between two assets of a lineage graph, by key, from upstream to downstream."
  type LineageEdge {
    from: String!
    to: String!
  }
`;

interface LineageArguments {
  readonly key: string;
  readonly direction: LineageDirection;
  readonly depth?: number | null;
}

const resolvers = {
  Query: {
    lineage: (_root: unknown, args: LineageArguments, context: GraphQLContext): LineageResult => {
      const graph = requireGraph(context);
      const depth = args.depth ?? null;
      if (depth !== null && depth < 0) throw badUserInput(`"depth" must not be negative (got ${depth})`, "depth");
      const id = assetIdFromKey(args.key);
      // Checked here so the error carries the key as the client wrote it; the graph's own error is the fallback.
      if (graph.get(id) === undefined) throw assetNotFound(args.key);
      try {
        return graph.lineage(id, args.direction, depth);
      } catch (error) {
        if (error instanceof AssetNotFoundError) throw assetNotFound(args.key);
        throw error;
      }
    },
  },
};

/** The lineage module. */
export const lineageModule: SchemaModule = { typeDefs, resolvers };
