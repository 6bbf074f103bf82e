/** SQL of condition evaluations (migration 0003): written per tick, read newest first per asset. */
import type { AssetEvaluation, EvaluationNode } from "../model/evaluation.ts";
import type { SqlClient } from "./sql-client.ts";

/** The most evaluations one read returns. */
export const MAX_EVALUATIONS = 500;

/** Stores a tick's evaluations in one transaction; an (asset, tick) already stored is kept as it was. */
export async function saveEvaluations(client: SqlClient, evaluations: readonly AssetEvaluation[]): Promise<{ inserted: number }> {
  if (evaluations.length === 0) return { inserted: 0 };
  return client.transaction(async (tx) => {
    let inserted = 0;
    for (const e of evaluations) {
      const rows = await tx.query(
        `INSERT INTO condition_evaluations (asset_key, tick, evaluated_at, requested, tree_hash, tree)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb) ON CONFLICT (asset_key, tick) DO NOTHING RETURNING id`,
        [e.assetId, e.tick, e.evaluatedAt, e.requested, e.treeHash, JSON.stringify(e.tree)],
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
