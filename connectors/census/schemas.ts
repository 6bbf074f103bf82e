/**
 * zod schemas of the Census (Activations) API responses Tributary reads, checked against the real samples in
 * ../shared/fixtures/api-samples (census-*.json, see client.test.ts). Unknown fields are dropped; enums Census
 * extends (`status`, `operation`, object `type`, `schedule_frequency`) are open strings. Ids are numbers in V1
 * and strings in V2, so both are read and kept as strings. Source and destination `connection_details` are
 * never kept whole (they may hold credentials): only the non-secret fields named here survive.
 */
import { z } from "zod";

/** A V1 number or V2 string id, as a string. */
export const idSchema = z.union([z.number(), z.string()]).transform((value) => String(value));

/** `{status, data, message?}`: `status` is `success`, `created`, `updated`… (V2 may send an integer). */
export function envelope<T extends z.ZodType>(data: T) {
  return z.object({ status: z.union([z.string(), z.number()]), message: z.string().nullish(), data });
}

/** One page of a list: `data[]` and `pagination` (`next_page` null on the last page; some samples only have `last_page`). */
export function listPage<T extends z.ZodType>(item: T) {
  return z.object({
    status: z.union([z.string(), z.number()]),
    data: z.array(item),
    pagination: z
      .object({
        page: z.number().nullish(),
        next_page: z.number().nullish(),
        last_page: z.number().nullish(),
        total_records: z.number().nullish(),
        per_page: z.number().nullish(),
      })
      .nullish(),
  });
}

const nullableString = z.string().nullish().transform((value) => value ?? null);

/** `source_attributes.object`: a table, a (SQL or dbt) model, a segment… (open `type`). */
export const sourceObjectSchema = z.object({
  type: z.string(),
  id: idSchema.nullish(),
  name: nullableString,
  table_catalog: nullableString,
  table_schema: nullableString,
  table_name: nullableString,
  query: nullableString,
  compiled_query: nullableString,
});
export type CensusSourceObject = z.infer<typeof sourceObjectSchema>;

const mappingSchema = z.object({
  from: z.object({ type: z.string(), data: z.unknown() }),
  to: z.string(),
  is_primary_identifier: z.boolean().nullish(),
  field_type: nullableString,
  lookup_object: nullableString,
  lookup_field: nullableString,
});
export type CensusMapping = z.infer<typeof mappingSchema>;

export const syncSchema = z.object({
  id: idSchema,
  label: nullableString,
  resource_identifier: nullableString,
  /** The sync's health: `Ready`, `Up to Date`, `Failing` (newer docs: lower case). */
  status: nullableString,
  operation: z.string(),
  paused: z.boolean(),
  schedule_frequency: nullableString,
  schedule_day: z.union([z.string(), z.number()]).nullish(),
  schedule_hour: z.number().nullish(),
  schedule_minute: z.number().nullish(),
  cron_expression: nullableString,
  created_at: nullableString,
  updated_at: nullableString,
  source_attributes: z.object({ connection_id: idSchema, object: sourceObjectSchema, filter_segment_id: idSchema.nullish() }),
  destination_attributes: z.object({ connection_id: idSchema, object: z.string() }),
  mappings: z.array(mappingSchema).default([]),
});
export type CensusSync = z.infer<typeof syncSchema>;

export const syncRunSchema = z.object({
  id: idSchema,
  sync_id: idSchema,
  status: z.string(),
  source_record_count: z.number().nullish(),
  records_processed: z.number().nullish(),
  records_updated: z.number().nullish(),
  records_failed: z.number().nullish(),
  records_invalid: z.number().nullish(),
  created_at: z.string(),
  updated_at: nullableString,
  completed_at: nullableString,
  scheduled_execution_time: nullableString,
  error_code: nullableString,
  error_message: nullableString,
  error_detail: nullableString,
  current_step: nullableString,
  canceled: z.boolean().nullish(),
  full_sync: z.boolean().nullish(),
  sync_trigger_reason: z.object({ ui_tag: nullableString, ui_detail: nullableString }).nullish(),
});
export type CensusSyncRun = z.infer<typeof syncRunSchema>;

export const triggerSchema = envelope(z.object({ sync_run_id: idSchema }));

export const sourceSchema = z.object({
  id: idSchema,
  name: z.string(),
  label: nullableString,
  type: z.string(),
  // Only what names the warehouse; credentials in connection_details are dropped here.
  connection_details: z
    .object({ account: z.string().nullish(), project_id: z.string().nullish(), database: z.string().nullish() })
    .nullish()
    .transform((details) => ({ account: details?.account ?? null, database: details?.database ?? details?.project_id ?? null })),
});
export type CensusSource = z.infer<typeof sourceSchema>;

export const destinationSchema = z.object({
  id: idSchema,
  name: z.string(),
  /** Not in the V1 sample (Braze); present in newer responses [unverified]. */
  type: nullableString,
  objects: z.array(z.object({ label: nullableString, full_name: z.string() })).nullish(),
});
export type CensusDestination = z.infer<typeof destinationSchema>;
