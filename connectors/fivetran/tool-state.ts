/**
 * The Fivetran connector's tool state: what a table asset carries about the connector that lands it (written by
 * the translator, overlaid by the observer's latest poll) and what a sync's materialization carries (written
 * by the launcher and the observer). Read by server/graphql/fivetran.ts and nowhere by hand.
 */
import { z } from "zod";
import { defineToolState } from "../shared/index.ts";

const isoTime = z.string();

/** A Fivetran table asset's metadata: its connector's state, and the table's place in source and destination. */
export const fivetranTableState = defineToolState("fivetran", {
  connector_id: z.string(),
  /** The connector's schema name in Fivetran (its user-facing name). */
  connector_name: z.string(),
  service: z.string(),
  schedule_type: z.string(),
  sync_frequency_minutes: z.number(),
  paused: z.boolean(),
  setup_state: z.string(),
  sync_state: z.string(),
  update_state: z.string(),
  succeeded_at: isoTime,
  failed_at: isoTime,
  rescheduled_for: isoTime,
  connector_url: z.string(),
  logs_url: z.string(),
  group_id: z.string(),
  group_name: z.string(),
  destination_service: z.string(),
  source_schema: z.string(),
  source_table: z.string(),
  destination_schema_name: z.string(),
  destination_table_name: z.string(),
  sync_mode: z.string(),
  /** When the account's definitions were read. */
  snapshot_fetched_at: isoTime,
  /** When the observer last read the connector (live state only). */
  observed_at: isoTime,
});

/** A sync's materialization (or failure) event's metadata. */
export const fivetranSyncEventState = defineToolState("fivetran", {
  connector_id: z.string(),
  /** succeeded, failed, or why an attempt did not complete (refused, rescheduled, timed_out). */
  status: z.string(),
  sync_completed_at: isoTime,
  triggered_at: isoTime,
  sync_state: z.string(),
  setup_state: z.string(),
  paused: z.boolean(),
  rescheduled_for: isoTime,
  /** tributary or fivetran_schedule. */
  launched_by: z.string(),
  connector_url: z.string(),
  logs_url: z.string(),
  /** Why an attempt did not complete. */
  message: z.string(),
  /** The connector's tasks and warnings after a failed sync. */
  messages: z.array(z.string()),
});
