/**
 * The asset page's automation panels (issue 19): the freshness target its condition declares (fresh / overdue,
 * the target, when it becomes overdue) and what its policy's minimum interval saved (runs requested against the
 * upstream updates that landed, over the last day and week).
 */
import { Box, Typography } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { FreshnessBadge } from "../common/freshness-badge.tsx";
import { ErrorState, LoadingLines } from "../common/states.tsx";
import { TimeText } from "../common/time-text.tsx";
import { useTributary } from "../common/use-tributary.ts";
import type { FreshnessTargetFieldsFragment, RunSavingsFieldsFragment } from "../generated/graphql.ts";
import { lagText, savedShare, savingsSentence, targetSentence } from "./automation-text.ts";
import { Fact, Panel } from "./panels.tsx";

export function FreshnessTargetPanel({ target }: { target: FreshnessTargetFieldsFragment }) {
  return (
    <Panel title="Freshness target" id="freshness-target" testId="freshness-target" action={<FreshnessBadge state={target.state} />}>
      <Typography variant="body2" sx={{ mb: 1 }} data-testid="freshness-target-sentence">
        {targetSentence(target)}
      </Typography>
      <Fact label="Age">{target.lagMinutes === null ? "never materialized" : lagText(target.lagMinutes)}</Fact>
      {target.overdueSince !== null && (
        <Fact label="Overdue since">
          <TimeText iso={target.overdueSince} />
        </Fact>
      )}
      {target.overdueAt !== null && (
        <Fact label="Overdue">
          <TimeText iso={target.overdueAt} />
          <Typography variant="caption" component="div" sx={{ color: "text.secondary" }}>
            unless materialized again
          </Typography>
        </Fact>
      )}
      <Typography variant="caption" component="p" sx={{ color: "text.secondary", mt: 1, mb: 0 }}>
        {target.reason}
      </Typography>
    </Panel>
  );
}

/** One window's figures: requested runs against upstream updates, and the share coalesced. */
export function SavingsRow({ label, savings, window }: { label: string; savings: RunSavingsFieldsFragment; window: string }) {
  const share = savedShare(savings);
  return (
    <Fact label={label}>
      <Box sx={{ display: "flex", gap: 1, alignItems: "baseline", flexWrap: "wrap" }} data-testid={`savings-${window}`} data-requested={savings.requested} data-updates={savings.upstreamUpdates} data-coalesced={savings.coalesced}>
        <Typography component="span" sx={{ fontWeight: 600 }}>
          {savings.requested} of {savings.upstreamUpdates}{savings.complete ? "" : "+"}
        </Typography>
        <Typography variant="body2" component="span" sx={{ color: "text.secondary" }}>
          runs requested{share !== null && share > 0 ? ` · ${share}% coalesced` : ""}
        </Typography>
      </Box>
      <Typography variant="caption" component="div" sx={{ color: "text.secondary" }}>
        {savingsSentence(savings, window)}
      </Typography>
    </Fact>
  );
}

/** The asset's run savings; nothing for an asset without a policy. */
export function RunSavingsPanel({ assetKey }: { assetKey: string }) {
  const dataProvider = useTributary();
  const savings = useQuery({ queryKey: ["assets", "run-savings", assetKey], queryFn: () => dataProvider.assetRunSavings(assetKey), refetchInterval: 60_000 });
  if (savings.data === null) return null;
  return (
    <Panel title="Runs saved" id="run-savings" testId="run-savings">
      {savings.isError ? (
        <ErrorState error={savings.error} title="Could not count the runs" onRetry={() => void savings.refetch()} />
      ) : savings.data === undefined ? (
        <LoadingLines lines={2} height={24} />
      ) : (
        <>
          <Typography variant="body2" sx={{ color: "text.secondary", mb: 1 }}>
            Upstream updates that landed, against the runs its policy requested: what its interval, build_after or
            freshness target coalesced where eager alone would build on each.
          </Typography>
          <SavingsRow label="Last day" savings={savings.data.day} window="day" />
          <SavingsRow label="Last week" savings={savings.data.week} window="week" />
        </>
      )}
    </Panel>
  );
}
