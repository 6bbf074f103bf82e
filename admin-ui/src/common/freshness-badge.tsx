/** A freshness target's state (on time / overdue / not yet judged) as a badge like the status badge; plain, no MUI. */
import type { FreshnessState } from "../generated/graphql.ts";

/** How each freshness state is shown: the label, its colours (as the status badges'), and what it means. */
export const FRESHNESS_STYLES: Readonly<Record<FreshnessState, { readonly label: string; readonly color: string; readonly background: string; readonly meaning: string }>> = {
  FRESH: { label: "on time", color: "#067647", background: "#ecfdf3", meaning: "Materialized within its freshness target" },
  OVERDUE: { label: "overdue", color: "#b42318", background: "#fef3f2", meaning: "Its freshness target was missed" },
  UNKNOWN: { label: "not yet judged", color: "#475467", background: "#f2f4f7", meaning: "Never materialized: its freshness cannot be judged yet" },
};

export function FreshnessBadge({ state, title }: { state: FreshnessState; title?: string }) {
  const style = FRESHNESS_STYLES[state];
  return (
    <span className="status-badge" data-freshness={state} style={{ color: style.color, background: style.background }} title={title ?? style.meaning}>
      <span className="dot" style={{ background: style.color }} aria-hidden />
      {style.label}
    </span>
  );
}
