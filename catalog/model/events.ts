/**
 * Events about assets: what happened to an asset's data, as tools report it. Pure types; the store keeps
 * them (catalog/store/events.ts) and connectors write them through {@link AssetEventSink}.
 *
 * - materialization: the asset's data was (re)built — a Fivetran sync landed the table, a dbt model ran.
 * - materialization_failure: an attempt to build it failed (or could not finish: a rescheduled sync that
 *   timed out, a paused connector); the tool's own status and a link go in the metadata.
 * - observation: the asset was seen without being built by us (reserved for observers of outside state).
 */
import type { AssetKey } from "./index.ts";

export type AssetEventKind = "materialization" | "materialization_failure" | "observation";

/** One event to record. */
export interface AssetEventInput {
  readonly assetKey: AssetKey;
  readonly kind: AssetEventKind;
  /** The tool that did it: "fivetran", "dbt", "census". */
  readonly tool: string;
  /** The location whose tool did it. */
  readonly locationName: string;
  /** The tool's id of the run or sync, when it has one. */
  readonly runId: string | null;
  /** When it happened, ISO 8601 (the tool's own completion time where it reports one). */
  readonly occurredAt: string;
  /**
   * What makes the event unique for its asset: recording the same (asset, dedupeKey) twice stores it once,
   * even across restarts and from two processes. E.g. `fivetran:<connector id>:succeeded:<succeeded_at>`.
   */
  readonly dedupeKey: string;
  /** JSON-serializable facts: sync status, link, rows… Never a secret. */
  readonly metadata: Readonly<Record<string, unknown>>;
  /**
   * The Tributary run that did it (set by the runs engine, never by connectors); null or absent for work a
   * tool did on its own. When a run and an observer record the same event, the run's id is kept.
   */
  readonly tributaryRunId?: string | null;
  /**
   * The partition of a partitioned asset the event is about (set by the runs engine from the run's partition);
   * null or absent for the whole asset.
   */
  readonly partitionKey?: string | null;
}

/** A recorded event. */
export interface AssetEvent extends AssetEventInput {
  readonly id: number;
  /** When the store recorded it, ISO 8601. */
  readonly recordedAt: string;
}

/** Where connectors write events. Implemented by the store; tests use an in-memory one. */
export interface AssetEventSink {
  /** Records the events that are new; returns how many were. An event already recorded is skipped silently. */
  recordAssetEvents(events: readonly AssetEventInput[]): Promise<{ readonly inserted: number }>;
}

/** How the API reads events back. */
export interface AssetEventReader {
  /** An asset's events, newest first (by occurredAt, then id). */
  assetEventHistory(
    assetKey: AssetKey,
    options?: { readonly kinds?: readonly AssetEventKind[]; readonly limit?: number },
  ): Promise<AssetEvent[]>;
  /** The newest event of each asset that has one (optionally of some kinds only). */
  latestAssetEvents(options?: { readonly kinds?: readonly AssetEventKind[] }): Promise<AssetEvent[]>;
}
