/**
 * A model's column lineage (`dbt/column_lineage`, ./tool-state.ts `columnLineageSchema`) kept as one string per
 * model. At 10k models of 190 columns the plain form is ≈1.9 M column objects, each with an upstream array, an
 * upstream object and an asset-key array: hundreds of MB of small objects on the main thread, for a value read
 * only when a lineage question is asked. The column lineage worker encodes each model's value once; a spec
 * holds a {@link CompactColumnLineage}, which reads as the plain value (zod's parse in `dbtNodeState.read`
 * reads `followed`, `reason` and `columns`, decoded on each read) and writes the same JSON (`toJSON`), so the
 * stored snapshot and every answer are unchanged.
 *
 * The encoding is JSON of `[tables, columns]`: `tables` lists each distinct upstream `[key, relation]` of the
 * model once, and each column is `[column, transformation, followed, note, table, upstreamColumn, …]` with the
 * transformation as a number, `followed` as 0/1 and an upstream column equal to the output column as 0.
 */
import type { z } from "zod";
import type { AssetKey, ColumnLineageValue } from "../../catalog/model/index.ts";
import { encodeColumns } from "../../catalog/model/index.ts";
import type { LineageRelation } from "./column-lineage.ts";
import type { LineageFingerprint, ManifestLineageInput, NodeLineage } from "./manifest-column-lineage.ts";
import { analyseEach, relationResolver } from "./manifest-column-lineage.ts";
import type { columnLineageSchema } from "./tool-state.ts";
import { toColumnLineageState } from "./tool-state.ts";

export type ColumnLineageState = z.input<typeof columnLineageSchema>;
// The model's plain type of the value (catalog/model/compact-column-lineage.ts) is the schema's, both ways.
const _sameValue: [ColumnLineageState, ColumnLineageValue] = [{} as ColumnLineageValue, {} as ColumnLineageState];
void _sameValue;

export { CompactColumnLineage, decodeColumns, encodeColumns } from "../../catalog/model/index.ts";
/** A model's result of {@link analyseEncoded}: the earlier one reused, or computed now and encoded. */
export type EncodedModel =
  | { readonly id: string; readonly reused: true }
  | { readonly id: string; readonly reused: false; readonly followed: boolean; readonly reason: string | null; readonly encoded: string; readonly fingerprint: LineageFingerprint };

export interface AnalyseEncodedOptions {
  /** Fingerprints of earlier encoded results, by model unique_id. */
  readonly previous?: ReadonlyMap<string, LineageFingerprint>;
  /** Each dbt node's asset key, by unique_id (how the value names upstream nodes). */
  readonly keys: ReadonlyMap<string, AssetKey>;
  readonly onModel?: (done: number, total: number) => void;
}

const relationId = (r: LineageRelation): string => JSON.stringify([r.database, r.schema, r.name]);

/**
 * The worker's analysis (./column-lineage-worker.ts): each model parsed, its upstream relations named by node
 * and asset key (./tool-state.ts `toColumnLineageState`, exactly as the in-load translator writes it) and the
 * value encoded at once, so neither thread holds every model's plain value. An earlier result is reused only
 * when its fingerprint holds and its upstream relations still name the same asset keys: the encoded value
 * contains those keys, so reusing it is exact.
 */
export function analyseEncoded(input: ManifestLineageInput, options: AnalyseEncodedOptions, emit: (model: EncodedModel) => void): void {
  const nodeOf = relationResolver(input);
  const names = (relations: readonly LineageRelation[]): string =>
    JSON.stringify(
      relations.map((r) => {
        const id = nodeOf(r);
        return (id === null ? undefined : options.keys.get(id)) ?? null;
      }),
    );
  const previous = new Map<string, LineageFingerprint>();
  for (const [id, fingerprint] of options.previous ?? []) if (fingerprint.upstream !== undefined && names(fingerprint.upstream.relations) === fingerprint.upstream.names) previous.set(id, fingerprint);
  analyseEach(input, { previous, ...(options.onModel ? { onModel: options.onModel } : {}) }, (model) => {
    if (model.reused) {
      emit(model);
      return;
    }
    const { lineage } = model;
    const relations = new Map<string, LineageRelation>();
    const node: NodeLineage = {
      followed: lineage.followed,
      reason: lineage.reason,
      columns: lineage.columns.map((c) => ({
        ...c,
        upstream: c.upstream.map((u) => {
          relations.set(relationId(u.relation), u.relation);
          return { nodeId: nodeOf(u.relation), relation: u.relation, column: u.column };
        }),
      })),
    };
    const state = toColumnLineageState(node, options.keys);
    const upstream = [...relations.values()];
    emit({ id: model.id, reused: false, followed: state.followed, reason: state.reason, encoded: encodeColumns(state.columns), fingerprint: { ...model.fingerprint, upstream: { relations: upstream, names: names(upstream) } } });
  });
}
