/**
 * A dbt location's column lineage as a follow-up of its load (catalog/model `LocationDefinitions.followUp`):
 * the providers translate the manifest without it (the load answers in seconds where lineage takes ≈14 ms a
 * model), and the catalog service runs this afterwards. It parses the models' compiled SQL on a worker thread
 * (./column-lineage-thread.ts) and returns the same definitions with each model's `dbt/column_lineage`, exactly
 * as the translator writes it when it computes lineage in the load.
 *
 * Each model's value is made and encoded on the worker (./compact-column-lineage.ts): the spec holds one string
 * a model where the plain value is thousands of small objects, and reads and serializes as the plain value.
 *
 * Each location keeps a {@link ColumnLineageCache}: the previous values with what each depended on (SQL,
 * adapter, what each lookup of an upstream relation answered, the asset keys its upstream relations named), so
 * a reload after a build re-parses only the models whose SQL or upstream changed, and a model that is not
 * parsed again keeps the very value object of the previous definitions. It lives in the process: a restart
 * parses every model again.
 */
import { copyWithColumns } from "../../catalog/model/index.ts";
import type { AssetKey, LocationDefinitions, LocationFollowUp } from "../../catalog/model/index.ts";
import { encodeInWorker } from "./column-lineage-thread.ts";
import { CompactColumnLineage } from "./compact-column-lineage.ts";
import type { LineageFingerprint, ManifestLineageInput } from "./manifest-column-lineage.ts";
import { dbtNodeState } from "./tool-state.ts";

export const COLUMN_LINEAGE_FOLLOW_UP = "column lineage";

/**
 * One location's earlier results, by model unique_id: each model's fingerprint and the very value its spec
 * holds (shared with the served definitions, not a copy). The fingerprint covers the upstream relations' asset
 * keys as well as the SQL and lookups, so an unchanged fingerprint means the value itself is unchanged.
 */
export interface ColumnLineageCache {
  fingerprints: ReadonlyMap<string, LineageFingerprint>;
  values: ReadonlyMap<string, CompactColumnLineage>;
  /** Models parsed anew by the latest computation (the others reused), for logs and tests. */
  lastRecomputed: number;
}

export function createColumnLineageCache(): ColumnLineageCache {
  return { fingerprints: new Map(), values: new Map(), lastRecomputed: 0 };
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
      const before = { fingerprints: cache.fingerprints, values: cache.values };
      const keyOf = new Map<string, AssetKey>();
      for (const spec of definitions.specs) if (spec.dbtUniqueId !== null) keyOf.set(spec.dbtUniqueId, spec.key);
      const analysed = await encodeInWorker(input, keyOf, { previous: before.fingerprints, signal, ...(onProgress ? { onProgress } : {}) });
      const fingerprints = new Map<string, LineageFingerprint>();
      const values = new Map<string, CompactColumnLineage>();
      let recomputed = 0;
      for (const model of analysed) {
        if (model.reused) {
          const value = before.values.get(model.id);
          if (value === undefined) throw new Error(`no earlier column lineage of ${model.id} to reuse`);
          fingerprints.set(model.id, before.fingerprints.get(model.id)!);
          values.set(model.id, value);
        } else {
          recomputed++;
          fingerprints.set(model.id, model.fingerprint);
          values.set(model.id, new CompactColumnLineage(model.followed, model.reason, model.encoded));
        }
      }
      signal.throwIfAborted();
      // Only models of this manifest are kept: a deleted model's result goes with it.
      cache.fingerprints = fingerprints;
      cache.values = values;
      cache.lastRecomputed = recomputed;
      const specs = definitions.specs.map((spec) => {
        const found = spec.dbtUniqueId === null ? undefined : values.get(spec.dbtUniqueId);
        // Appended: the translator writes column_lineage last of a model's metadata, and nothing after it adds any.
        // (Copied without reading the columns: a large manifest's are made only when a page asks for them.)
        return found ? copyWithColumns(spec, { metadata: { ...spec.metadata, [dbtNodeState.key("column_lineage")]: found } }) : spec;
      });
      const { followUp: _followUp, ...rest } = definitions;
      return { ...rest, specs };
    },
  };
}
