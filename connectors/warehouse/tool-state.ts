/**
 * The warehouse connector's tool state: what a warehouse says about a relation, carried as `warehouse/…`
 * metadata on the (describe-only) spec the warehouse location gives for it, and so on the asset it joins.
 */
import { z } from "zod";
import { defineToolState } from "../shared/index.ts";

export const warehouseRelationState = defineToolState("warehouse", {
  /** duckdb, postgres. */
  engine: z.string(),
  /** The warehouse location's name. */
  location: z.string(),
  /** table or view. */
  relation_kind: z.string(),
  row_count: z.number(),
  /** True when row_count is the warehouse's estimate. */
  row_count_estimated: z.boolean(),
  bytes: z.number(),
  last_modified: z.string(),
  comment: z.string(),
  /** When the warehouse was read, ISO 8601. */
  described_at: z.string(),
});
