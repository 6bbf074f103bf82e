/**
 * The Census connector's tool state: what a sync asset carries about its definition and health (written by the
 * translator, overlaid by the observer's latest poll) and what a sync run's event carries (written by the
 * launcher and the observer). Read by server/graphql/census.ts and nowhere by hand.
 */
import { z } from "zod";
import { defineToolState } from "../shared/index.ts";

export const censusMapping = z.object({ from: z.string(), to: z.string(), primary: z.boolean().optional() });

/** A Census sync asset's metadata. */
export const censusSyncState = defineToolState("census", {
  sync_id: z.string(),
  label: z.string(),
  /** upsert, update, create, mirror, append, delete or insert. */
  operation: z.string(),
  paused: z.boolean(),
  /** The sync's health as Census reports it (Ready, Up to Date, Failing). */
  health: z.string(),
  schedule: z.string(),
  source_kind: z.string(),
  source_object: z.string(),
  source_connection_id: z.string(),
  destination_connection_id: z.string(),
  destination_name: z.string(),
  destination_type: z.string(),
  destination_object: z.string(),
  mappings: z.array(censusMapping),
  url: z.string(),
  api_version: z.string(),
  /** When the workspace's definitions were read. */
  snapshot_fetched_at: z.string(),
  /** When the observer last read the sync (live state only). */
  observed_at: z.string(),
});

/** A sync run's materialization (or failure) event's metadata. */
export const censusRunEventState = defineToolState("census", {
  sync_id: z.string(),
  sync_run_id: z.string(),
  /** completed, failed, canceled, or refused / timed_out for an attempt Census never ran. */
  status: z.string(),
  full_sync: z.boolean(),
  started_at: z.string(),
  completed_at: z.string(),
  source_record_count: z.number(),
  records_processed: z.number(),
  records_updated: z.number(),
  records_failed: z.number(),
  records_invalid: z.number(),
  /** tributary or census (its schedule, its UI). */
  launched_by: z.string(),
  /** Census's own tag for what triggered the run. */
  trigger: z.string(),
  error_code: z.string(),
  error_message: z.string(),
  error_detail: z.string(),
});
