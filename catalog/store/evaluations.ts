/** SQL of condition evaluations (migration 0003): written per tick, read newest first per asset. */
import type { AssetEvaluation, EvaluationNode } from "../model/index.ts";
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
      const slice = evaluations.slice(i, i + 500).map((e) => ({
        asset_key: e.assetId,
        tick: e.tick,
        evaluated_at: e.evaluatedAt,
        requested: e.requested,
        tree_hash: e.treeHash,
        tree: e.tree,
      }));
      const rows = await tx.query(
        `INSERT INTO condition_evaluations (asset_key, tick, evaluated_at, requested, tree_hash, tree)
         SELECT e.asset_key, e.tick, e.evaluated_at, e.requested, e.tree_hash, e.tree
           FROM jsonb_to_recordset($1::jsonb) AS e(asset_key text, tick bigint, evaluated_at timestamptz, requested boolean, tree_hash text, tree jsonb)
         ON CONFLICT (asset_key, tick) DO NOTHING RETURNING id`,
        [JSON.stringify(slice)],
      );
      inserted += rows.length;
    }
    return { inserted };
  });
}

/** An asset's evaluations, newest tick first. */
export async function assetEvaluations(client: SqlClient, assetId: string, first: number): Promise<AssetEvaluation[]> {
  const limit = Math.max(0, Math.min(first, MAX_EVALUATIONS));
  const rows = await client.query<{ asset_key: string; tick: number | string; evaluated_at: Date; requested: boolean; tree_hash: string; tree: unknown }>(
    `SELECT asset_key, tick, evaluated_at, requested, tree_hash, tree FROM condition_evaluations
      WHERE asset_key = $1 ORDER BY tick DESC LIMIT $2`,
    [assetId, limit],
  );
  return rows.map((row) => ({
    assetId: row.asset_key,
    tick: Number(row.tick),
    evaluatedAt: row.evaluated_at.toISOString(),
    requested: row.requested,
    treeHash: row.tree_hash,
    tree: (typeof row.tree === "string" ? JSON.parse(row.tree) : row.tree) as EvaluationNode,
  }));
}
