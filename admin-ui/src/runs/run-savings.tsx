/**
 * The runs list's summary of what minimum intervals and build_after saved (issue 19): over the last day and
 * week, the upstream updates that landed on assets whose policy has an interval, against the runs requested.
 * Nothing is shown while no asset has an interval.
 */
import { Box, Card, Typography } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { SavingsRow } from "../assets/automation-panel.tsx";
import { useTributary } from "../common/use-tributary.ts";

export function RunSavingsSummary() {
  const dataProvider = useTributary();
  const savings = useQuery({ queryKey: ["runs", "savings"], queryFn: () => dataProvider.runSavings(), refetchInterval: 60_000 });
  // A failure here must not hide the runs: the summary is left out.
  if (savings.data === undefined || savings.data.week.assets === 0) return null;
  const { day, week } = savings.data;
  return (
    <Card sx={{ mb: 2, px: 2, py: 1 }} data-testid="run-savings-summary" aria-label="Runs saved by intervals">
      <Box sx={{ display: "flex", alignItems: "baseline", gap: 1, mb: 0.5 }}>
        <Typography variant="subtitle2" component="h2">
          Runs saved by intervals
        </Typography>
        <Typography variant="caption" sx={{ color: "text.secondary" }}>
          {week.assets} {week.assets === 1 ? "asset has" : "assets have"} a minimum interval or build_after
        </Typography>
      </Box>
      <SavingsRow label="Last day" savings={day} window="day" />
      <SavingsRow label="Last week" savings={week} window="week" />
    </Card>
  );
}
