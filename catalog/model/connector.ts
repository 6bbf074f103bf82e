/**
 * The one contract every connector keeps. A connector (dbt, Fivetran, Census, later the warehouses) is wired as
 * one or more locations — a dbt project, a Fivetran account, a Census workspace — and each location offers up
 * to three things, all keyed by the same tool and location name that its specs' {@link MaterializerRef}s carry:
 *
 * - a provider: its definitions (the asset specs), loaded on start and on reload;
 * - a launcher: runs a set of its assets under a run id the store has already reserved (catalog/model/runs.ts);
 * - an observer: notices work the tool did on its own (a Fivetran scheduled sync, a Census sync started in its
 *   UI), records it as asset events, and keeps the tool's live state for the API.
 *
 * The scheduler and the catalog see only these interfaces; server/connectors.ts is the one registry that
 * builds locations from configuration. A connector's tool state (the `<tool>/…` metadata its specs and events
 * carry) is typed once in the connector, for its translator and its GraphQL module alike.
 */
import type { AssetEventSink } from "./events.ts";
import type { DefinitionsProvider } from "./index.ts";
import type { Launcher } from "./runs.ts";

/** A connector's observer of one location. */
export interface ToolObserver {
  /** Starts polling the tool, recording what it did on its own in `events`; errors go to `onError`. */
  start(events: AssetEventSink, onError: (error: unknown) => void): void;
  stop(): Promise<void>;
  /**
   * The tool's state of one run target (a connector, a sync) as the latest poll saw it, as `<tool>/…` metadata
   * that overlays the spec's (its sync state, its health, `observed_at`); null before the first poll sees it.
   */
  liveState(runTargetId: string): Readonly<Record<string, unknown>> | null;
}

/** One configured location of a connector. */
export interface ConnectorLocation {
  /** The tool: what specs' `materializer.tool` and the launcher's `tool` say ("dbt", "fivetran", "census"). */
  readonly tool: string;
  /** The location's name: its provider's `location.name` and its specs' `materializer.locationName`. */
  readonly name: string;
  readonly provider: DefinitionsProvider;
  /** Null when the location cannot launch (a dbt manifest read alone, without its project). */
  readonly launcher: Launcher | null;
  /** Null when the tool does no work of its own to notice (dbt runs only when launched, or reported). */
  readonly observer: ToolObserver | null;
  /**
   * Whether runs since the last call changed what the location would load (a dbt project whose builds kept new
   * compiled SQL for column lineage): the location is then reloaded with the warehouses after a run ends.
   */
  readonly changedByRuns?: () => Promise<boolean>;
}
