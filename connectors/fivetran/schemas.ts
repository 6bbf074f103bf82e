/**
 * zod schemas of the Fivetran REST API responses Tributary reads, checked against the real samples in
 * ../shared/fixtures/api-samples (see schemas.test.ts). Unknown fields are dropped; enums Fivetran may extend
 * (`sync_state`, `setup_state`, `service`…) are open strings. A connection's `config` and a destination's
 * `config` are never kept whole: they hold credentials.
 */
import { z } from "zod";

/** `{code, message?, data}`: the success envelope. */
export function envelope<T extends z.ZodType>(data: T) {
  return z.object({ code: z.string(), message: z.string().optional(), data });
}

/** `{code, message}`: the answer of action endpoints (sync, resync, PATCH without data). */
export const actionResponseSchema = z.object({ code: z.string(), message: z.string().optional() });

/** One page of a list: `items` and `next_cursor` (older docs: `nextCursor`), missing or null on the last page. */
export function listPage<T extends z.ZodType>(item: T) {
  return envelope(
    z.object({
      items: z.array(item),
      next_cursor: z.string().nullish(),
      nextCursor: z.string().nullish(),
    }),
  );
}

const timestamp = z.string().nullish().transform((value) => value ?? null);

export const groupSchema = z.object({ id: z.string(), name: z.string(), created_at: z.string().nullish() });
export type FivetranGroup = z.infer<typeof groupSchema>;

const taskSchema = z.object({ code: z.string(), message: z.string().nullish(), details: z.string().nullish() });

export const connectionStatusSchema = z.object({
  setup_state: z.string(),
  sync_state: z.string(),
  update_state: z.string().nullish(),
  is_historical_sync: z.boolean().nullish(),
  schema_status: z.string().nullish(),
  rescheduled_for: timestamp,
  tasks: z.array(taskSchema).nullish(),
  warnings: z.array(taskSchema).nullish(),
});

export const connectionSchema = z.object({
  id: z.string(),
  group_id: z.string(),
  service: z.string(),
  /** The destination schema (or its prefix, or `schema.table` for file connectors); never used to build names. */
  schema: z.string().nullish(),
  paused: z.boolean(),
  schedule_type: z.string().nullish(),
  sync_frequency: z.number().nullish(),
  daily_sync_time: z.string().nullish(),
  created_at: timestamp,
  succeeded_at: timestamp,
  failed_at: timestamp,
  status: connectionStatusSchema,
  // Only the non-secret field we need; the rest of config (credentials) is dropped here.
  config: z
    .object({ schema_prefix: z.string().nullish() })
    .nullish()
    .transform((config) => ({ schemaPrefix: config?.schema_prefix ?? null })),
});
export type FivetranConnection = z.infer<typeof connectionSchema>;

export const destinationSchema = z.object({
  id: z.string(),
  group_id: z.string(),
  service: z.string(),
  region: z.string().nullish(),
  time_zone_offset: z.string().nullish(),
  setup_status: z.string().nullish(),
  // The database of a table's relation: `database` (Snowflake, Redshift, Postgres…), `project_id`
  // (BigQuery), `catalog` (Databricks). Credentials in config are dropped here.
  config: z
    .object({ database: z.string().nullish(), project_id: z.string().nullish(), catalog: z.string().nullish() })
    .nullish()
    .transform((config) => ({ database: config?.database ?? config?.project_id ?? config?.catalog ?? null })),
});
export type FivetranDestination = z.infer<typeof destinationSchema>;

const columnConfigSchema = z.object({
  name_in_destination: z.string().nullish(),
  enabled: z.boolean().nullish(),
  hashed: z.boolean().nullish(),
  is_primary_key: z.boolean().nullish(),
});

const tableConfigSchema = z.object({
  name_in_destination: z.string().nullish(),
  enabled: z.boolean(),
  sync_mode: z.string().nullish(),
  columns: z.record(z.string(), columnConfigSchema).nullish(),
});

const schemaEntrySchema = z.object({
  name_in_destination: z.string().nullish(),
  enabled: z.boolean(),
  tables: z.record(z.string(), tableConfigSchema).nullish(),
});

export const schemaConfigSchema = z.object({
  schema_change_handling: z.string().nullish(),
  enable_new_by_default: z.boolean().nullish(),
  schemas: z.record(z.string(), schemaEntrySchema).nullish(),
});
export type FivetranSchemaConfig = z.infer<typeof schemaConfigSchema>;
