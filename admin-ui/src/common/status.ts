/**
 * Asset states as people read them: a word, a colour and a one-line meaning per `AssetStatus`. Plain data (no
 * MUI), so the list's first paint, the lineage graph and the asset page draw the same badge.
 */
import type { AssetStatus } from "../types.ts";

export interface StatusStyle {
  readonly label: string;
  /** Text and dot colour. */
  readonly color: string;
  /** Badge background. */
  readonly background: string;
  readonly meaning: string;
}

export const STATUS_STYLES: Readonly<Record<AssetStatus, StatusStyle>> = {
  FRESH: { label: "fresh", color: "#067647", background: "#ecfdf3", meaning: "Materialized, and nothing upstream was materialized since." },
  STALE: { label: "stale", color: "#b54708", background: "#fffaeb", meaning: "A direct upstream asset was materialized after it." },
  FAILED: { label: "failed", color: "#b42318", background: "#fef3f2", meaning: "Its latest attempt failed (after its latest materialization)." },
  RUNNING: { label: "running", color: "#175cd3", background: "#eff8ff", meaning: "A run in progress targets it." },
  NEVER_MATERIALIZED: { label: "never", color: "#475467", background: "#f2f4f7", meaning: "Never materialized (or, for a source, never observed) as far as Tributary knows." },
};

/** The facet's order: what needs attention first. */
export const STATUS_ORDER: readonly AssetStatus[] = ["FAILED", "RUNNING", "STALE", "FRESH", "NEVER_MATERIALIZED"];

export function statusStyle(status: string): StatusStyle {
  return STATUS_STYLES[status as AssetStatus] ?? { label: status.toLowerCase(), color: "#475467", background: "#f2f4f7", meaning: status };
}
