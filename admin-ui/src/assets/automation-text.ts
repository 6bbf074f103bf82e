/**
 * Freshness targets and run savings in words (issue 19): what the asset page's panels, the list's freshness
 * badge and the runs list's summary say. Free of React, so it is tested directly.
 */
import type { FreshnessTargetFieldsFragment, RunSavingsFieldsFragment } from "../generated/graphql.ts";
import { formatDuration } from "../common/time.ts";

/** "30 min", "2 h", "1 day 6 h": a lag in minutes. */
export function lagText(minutes: number): string {
  if (minutes >= 24 * 60) {
    const days = Math.floor(minutes / (24 * 60));
    const rest = Math.round(minutes - days * 24 * 60);
    const dayText = `${days} ${days === 1 ? "day" : "days"}`;
    return rest === 0 ? dayText : `${dayText} ${formatDuration(rest * 60_000)}`;
  }
  return formatDuration(minutes * 60_000) ?? `${minutes} min`;
}

/** The target as a sentence: "At most 2 h old." or "At most 30 min old at each tick of `0 9 * * *` (UTC)." */
export function targetSentence(target: Pick<FreshnessTargetFieldsFragment, "maximumLagMinutes" | "cronSchedule" | "cronTimezone">): string {
  const lag = `at most ${lagText(target.maximumLagMinutes)} old`;
  if (target.cronSchedule === null) return `Must be ${lag} at all times.`;
  return `Must be ${lag} at each deadline of ${target.cronSchedule}${target.cronTimezone ? ` (${target.cronTimezone})` : ""}.`;
}

/** What the runs requested against the upstream updates that landed come to, in one sentence. */
export function savingsSentence(savings: RunSavingsFieldsFragment, window: string): string {
  const runs = (n: number) => `${n} ${n === 1 ? "run" : "runs"}`;
  const updates = (n: number) => `${n} upstream ${n === 1 ? "update" : "updates"}`;
  const bound = savings.complete ? "" : " at least";
  if (savings.upstreamUpdates === 0 && savings.requested === 0) return `No upstream updates and no runs requested in the last ${window}.`;
  if (savings.coalesced === 0) return `${runs(savings.requested)} requested for${bound} ${updates(savings.upstreamUpdates)} in the last ${window}: nothing coalesced.`;
  return `${runs(savings.requested)} requested for${bound} ${updates(savings.upstreamUpdates)} in the last ${window}: ${runs(savings.coalesced)} saved.`;
}

/** The share of upstream updates that did not need a run of their own, as a whole percentage; null without updates. */
export function savedShare(savings: Pick<RunSavingsFieldsFragment, "upstreamUpdates" | "coalesced">): number | null {
  return savings.upstreamUpdates === 0 ? null : Math.round((100 * savings.coalesced) / savings.upstreamUpdates);
}
