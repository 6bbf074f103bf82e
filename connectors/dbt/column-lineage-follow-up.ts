/**
 * A dbt location's column lineage as a follow-up of its load (catalog/model `LocationDefinitions.followUp`):
 * the providers translate the manifest without it (the load answers in seconds where lineage takes ≈14 ms a
 * model), and the catalog service runs this afterwards. It parses the models' compiled SQL on a worker thread
 * (./column-lineage-thread.ts) and returns the same definitions with each model's `dbt/column_lineage`, exactly
 * as the translator writes it when it computes lineage in the load.
 *
 * Each location keeps a {@link ColumnLineageCache}: the previous results with what each depended on (SQL,
 * adapter, what each lookup of an upstream relation answered), so a reload after a build re-parses only the
 * models whose SQL or upstream columns changed. It lives in the process: a restart parses every model again.
 */
import type { AssetKey, LocationDefinitions, LocationFollowUp } from "../../catalog/model/index.ts";
import type { ModelColumnLineage } from "./column-lineage.ts";
import { analyseInWorker } from "./column-lineage-thread.ts";
import type { LineageFingerprint, ManifestLineageInput } from "./manifest-column-lineage.ts";
import { assembleColumnLineage } from "./manifest-column-lineage.ts";
import { dbtNodeState, toColumnLineageState } from "./tool-state.ts";

export const COLUMN_LINEAGE_FOLLOW_UP = "column lineage";

/** One location's earlier results, by model unique_id. */
export interface ColumnLineageCache {
  fingerprints: ReadonlyMap<string, LineageFingerprint>;
  lineage: ReadonlyMap<string, ModelColumnLineage>;
  /** Models parsed anew by the latest computation (the others reused), for logs and tests. */
  lastRecomputed: number;
}

export function createColumnLineageCache(): ColumnLineageCache {
  return { fingerprints: new Map(), lineage: new Map(), lastRecomputed: 0 };
}

/**
 * The follow-up that adds column lineage to `definitions` (translated with `columnLineage: "skip"` from the
 * manifest `input` was taken from); undefined when no model has compiled SQL (there is nothing to add).
 */
export function columnLineageFollowUp(definitions: LocationDefinitions, input: ManifestLineageInput, cache: ColumnLineageCache): LocationFollowUp | undefined {
  if (!input.anySql) return undefined;
  return {
    describe: COLUMN_LINEAGE_FOLLOW_UP,
    async run({ signal, onProgress }) {
      const before = { fingerprints: cache.fingerprints, lineage: cache.lineage };
      const analysed = await analyseInWorker(input, { previous: before.fingerprints, signal, ...(onProgress ? { onProgress } : {}) });
      const fingerprints = new Map<string, LineageFingerprint>();
      const lineage = new Map<string, ModelColumnLineage>();
      let recomputed = 0;
      for (const model of analysed) {
        if (model.reused) {
          fingerprints.set(model.id, before.fingerprints.get(model.id)!);
          lineage.set(model.id, before.lineage.get(model.id)!);
        } else {
          recomputed++;
          fingerprints.set(model.id, model.fingerprint);
          lineage.set(model.id, model.lineage);
        }
      }
      const assembled = assembleColumnLineage(input, analysed, (id) => before.lineage.get(id));
      signal.throwIfAborted();
      // Only models of this manifest are kept: a deleted model's result goes with it.
      cache.fingerprints = fingerprints;
      cache.lineage = lineage;
      cache.lastRecomputed = recomputed;
      const keyOf = new Map<string, AssetKey>();
      for (const spec of definitions.specs) if (spec.dbtUniqueId !== null) keyOf.set(spec.dbtUniqueId, spec.key);
      const specs = definitions.specs.map((spec) => {
        const found = spec.dbtUniqueId === null ? undefined : assembled.models.get(spec.dbtUniqueId);
        // Appended: the translator writes column_lineage last of a model's metadata, and nothing after it adds any.
        return found ? { ...spec, metadata: { ...spec.metadata, ...dbtNodeState.write({ column_lineage: toColumnLineageState(found, keyOf) }) } } : spec;
      });
      const { followUp: _followUp, ...rest } = definitions;
      return { ...rest, specs };
    },
  };
}
