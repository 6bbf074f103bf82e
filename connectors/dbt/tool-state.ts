/**
 * The dbt connector's tool state: what a dbt asset or check carries from the manifest (written by the
 * translator) and what a node's result carries (written by the run_results reader for builds Tributary ran
 * and builds reported from elsewhere). Read by the build launcher's messages and the report sink; the keys are
 * `dbt/…` so that a Dagster user finds dagster-dbt's names where they are the same.
 */
import { z } from "zod";
import type { AssetKey } from "../../catalog/model/index.ts";
import { defineToolState } from "../shared/index.ts";
import type { NodeLineage } from "./manifest-column-lineage.ts";

/** A model's column lineage from its compiled SQL (./manifest-column-lineage.ts), upstream named by asset key. */
export const columnLineageSchema = z.object({
  /** False when the model's SQL could not be followed (`reason` says why). */
  followed: z.boolean(),
  reason: z.string().nullable(),
  columns: z.array(
    z.object({
      column: z.string(),
      upstream: z.array(z.object({ key: z.array(z.string()).nullable(), relation: z.string(), column: z.string() })),
      transformation: z.enum(["copy", "rename", "transformation"]).nullable(),
      followed: z.boolean(),
      note: z.string().nullable(),
    }),
  ),
});

/** A model's lineage as its spec carries it: upstream nodes named by their asset keys (`keyOf`: by unique_id). */
export function toColumnLineageState(lineage: NodeLineage, keyOf: ReadonlyMap<string, AssetKey>): z.input<typeof columnLineageSchema> {
  return {
    followed: lineage.followed,
    reason: lineage.reason,
    columns: lineage.columns.map((c) => ({
      column: c.column,
      upstream: c.upstream.map((u) => {
        const key = u.nodeId === null ? undefined : keyOf.get(u.nodeId);
        return { key: key ? [...key] : null, relation: [u.relation.database, u.relation.schema, u.relation.name].filter((p) => p !== null).join("."), column: u.column };
      }),
      transformation: c.transformation,
      followed: c.followed,
      note: c.note,
    })),
  };
}

/** A dbt model, seed, snapshot, source or exposure, as the manifest describes it. */
export const dbtNodeState = defineToolState("dbt", {
  /** model, seed, snapshot, source or exposure. */
  resource_type: z.string(),
  /** table, view, incremental, ephemeral, seed… (models, seeds, snapshots). */
  materialized: z.string(),
  package: z.string(),
  fqn: z.array(z.string()),
  /** The file that defines it, relative to the project (what dbt's path: and file: selectors match). */
  original_file_path: z.string(),
  /** The YAML file that describes it (models, seeds, snapshots), relative to the project. */
  patch_path: z.string(),
  /** The relation as dbt quotes it: `"warehouse"."analytics"."orders"`. */
  relation_name: z.string(),
  access: z.string(),
  version: z.union([z.string(), z.number()]),
  latest_version: z.union([z.string(), z.number()]),
  unit_tests: z.array(z.unknown()),
  source_name: z.string(),
  source_description: z.string(),
  loader: z.string(),
  loaded_at_field: z.string(),
  exposure_type: z.string(),
  label: z.string(),
  url: z.string(),
  maturity: z.string(),
  owner: z.object({ name: z.string().optional(), email: z.unknown().optional() }),
  /** Models with compiled SQL in the manifest (a manifest `dbt compile` or `dbt build` wrote). */
  column_lineage: columnLineageSchema,
});

/** A dbt test, attached to its asset as a check. */
export const dbtTestState = defineToolState("dbt", {
  /** generic or singular. */
  test_type: z.string(),
  test_name: z.string(),
  severity: z.string(),
  original_file_path: z.string(),
});

/** One node's result in a dbt invocation: a materialization (or failure) event, or a check result. */
export const dbtResultState = defineToolState("dbt", {
  /** dbt's status word: success, error, skipped, pass, warn, fail… */
  status: z.string(),
  execution_duration_s: z.number(),
  materialized: z.string(),
  relation_name: z.string(),
  started_at: z.string(),
  completed_at: z.string(),
  /** dbt's message for anything but a plain success. */
  message: z.string(),
  /** Where the compiled SQL is (for a failing test: the query that finds the failing rows). */
  compiled_path: z.string(),
  /** Set on results recorded through `tributary report` / `reportDbtRunResults` (a build made elsewhere). */
  reported: z.boolean(),
});
