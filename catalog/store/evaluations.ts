/**
 * SQL of condition evaluations (migrations 0003, 0010, 0011): written per tick, read newest first per asset. A
 * tree is stored in its compact form (a shared shape and the row's values, evaluation-codec.ts) or, when written
 * before migration 0010 or not expressible that way, whole; both read back as the same tree. The partition keys
 * a partitioned asset's evaluation requested are kept beside it (absent when read from a row written before
 * migration 0011).
 */
import type { AssetEvaluation, EvaluationNode } from "../model/index.ts";
import { decodeEvaluationTree, encodeEvaluationTree } from "./evaluation-codec.ts";
import type { StoredShape, StoredValues } from "./evaluation-codec.ts";
import type { SqlClient } from "./sql-client.ts";

/** The most evaluations one read returns. */
export const MAX_EVALUATIONS = 500;

/**
 * Stores a tick's evaluations in one transaction (a statement per 500, not per row: the first tick of a large
 * catalog evaluates every asset); an (asset, tick) already stored is kept as it was.
 */
export async function saveEvaluations(client: SqlClient, evaluations: readonly AssetEvaluation[]): Promise<{ inserted: number }> {
  if (evaluations.length === 0) return { inserted: 0 };
  return client.transaction(async (tx) => {
    let inserted = 0;
    for (let i = 0; i < evaluations.length; i += 500) {
      const shapes = new Map<string, string>();
      const slice = evaluations.slice(i, i + 500).map((e) => {
        const encoded = encodeEvaluationTree(e.tree);
        if (encoded !== null) shapes.set(encoded.shapeHash, encoded.shape);
        return {
          asset_key: e.assetId,
          tick: e.tick,
          evaluated_at: e.evaluatedAt,
          requested: e.requested,
          tree_hash: e.treeHash,
          requested_partitions: e.requestedPartitions ?? null,
          ...(encoded === null ? { tree: e.tree } : { shape_hash: encoded.shapeHash, node_values: encoded.values }),
        };
      });
      if (shapes.size > 0) {
        // The shape texts go in as JSON strings, parsed by Postgres: their hashes are of exactly these texts.
        await tx.query(
          `INSERT INTO condition_tree_shapes (shape_hash, shape)
           SELECT s.shape_hash, s.shape::jsonb FROM jsonb_to_recordset($1::jsonb) AS s(shape_hash text, shape text)
           ON CONFLICT (shape_hash) DO NOTHING`,
          [JSON.stringify([...shapes].map(([hash, shape]) => ({ shape_hash: hash, shape })))],
        );
      }
      const rows = await tx.query(
        `INSERT INTO condition_evaluations (asset_key, tick, evaluated_at, requested, tree_hash, tree, shape_hash, node_values, requested_partitions)
         SELECT e.asset_key, e.tick, e.evaluated_at, e.requested, e.tree_hash, e.tree, e.shape_hash, e.node_values, e.requested_partitions
           FROM jsonb_to_recordset($1::jsonb)
             AS e(asset_key text, tick bigint, evaluated_at timestamptz, requested boolean, tree_hash text, tree jsonb, shape_hash text, node_values jsonb,
                  requested_partitions text[])
         ON CONFLICT (asset_key, tick) DO NOTHING RETURNING id`,
        [JSON.stringify(slice)],
      );
      inserted += rows.length;
    }
    return { inserted };
  });
}

const parsed = <T>(value: unknown): T => (typeof value === "string" ? JSON.parse(value) : value) as T;

/** An asset's evaluations, newest tick first. */
export async function assetEvaluations(client: SqlClient, assetId: string, first: number): Promise<AssetEvaluation[]> {
  const limit = Math.max(0, Math.min(first, MAX_EVALUATIONS));
  const rows = await client.query<{
    asset_key: string;
    tick: number | string;
    evaluated_at: Date;
    requested: boolean;
    tree_hash: string;
    tree: unknown;
    shape_hash: string | null;
    shape: unknown;
    node_values: unknown;
    requested_partitions: string[] | null;
  }>(
    `SELECT e.asset_key, e.tick, e.evaluated_at, e.requested, e.tree_hash, e.tree, e.shape_hash, s.shape, e.node_values, e.requested_partitions
       FROM condition_evaluations e LEFT JOIN condition_tree_shapes s ON s.shape_hash = e.shape_hash
      WHERE e.asset_key = $1 ORDER BY e.tick DESC LIMIT $2`,
    [assetId, limit],
  );
  // Rows of one asset mostly share a shape: each is taken once.
  const shapes = new Map<string | null, StoredShape>();
  return rows.map((row) => {
    let tree: EvaluationNode;
    if (row.tree !== null) tree = parsed<EvaluationNode>(row.tree);
    else {
      let shape = shapes.get(row.shape_hash);
      if (shape === undefined) shapes.set(row.shape_hash, (shape = parsed<StoredShape>(row.shape)));
      tree = decodeEvaluationTree(shape, parsed<StoredValues>(row.node_values));
    }
    return {
      assetId: row.asset_key,
      tick: Number(row.tick),
      evaluatedAt: row.evaluated_at.toISOString(),
      requested: row.requested,
      treeHash: row.tree_hash,
      tree,
      ...(row.requested_partitions === null ? {} : { requestedPartitions: row.requested_partitions }),
    };
  });
}
