/** Backfills, newest first, with their progress. */
import { Box, Link as MuiLink, Skeleton, Table, TableBody, TableCell, TableHead, TableRow, Typography } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { Title } from "react-admin";
import { Link } from "react-router-dom";
import { EmptyState, ErrorState } from "../common/states.tsx";
import { TimeText } from "../common/time-text.tsx";
import { usePageTitle } from "../common/use-page-title.ts";
import { useTributary } from "../common/use-tributary.ts";
import { StateChip } from "../runs/state-chip.tsx";
import { backfillPath } from "./paths.ts";
import { BACKFILL_STATUS_STYLES } from "./status.ts";

export function BackfillList() {
  const dataProvider = useTributary();
  usePageTitle("Backfills");
  const query = useQuery({
    queryKey: ["backfills", null],
    queryFn: () => dataProvider.backfills(null, 50),
    refetchInterval: (state) => (state.state.data?.some((b) => b.status === "RUNNING") ? 3_000 : false),
  });
  if (query.error) return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  if (!query.data) return <Skeleton height={200} />;
  return (
    <Box sx={{ p: 2 }}>
      <Title title="Backfills" />
      <Typography variant="h5" component="h1" sx={{ mb: 2 }}>
        Backfills
      </Typography>
      {query.data.length === 0 ? (
        <EmptyState title="No backfills yet">Select partitions on a partitioned asset's page, or run tributary backfill KEY --from … --to ….</EmptyState>
      ) : (
        <Table size="small" aria-label="Backfills" data-testid="backfill-list">
          <TableHead>
            <TableRow>
              <TableCell>Range</TableCell>
              <TableCell>State</TableCell>
              <TableCell>Partitions</TableCell>
              <TableCell>Assets</TableCell>
              <TableCell>Launched</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {query.data.map((backfill) => (
              <TableRow key={backfill.id} data-testid="backfill-row">
                <TableCell>
                  <MuiLink component={Link} to={backfillPath(backfill.id)}>
                    {backfill.from} … {backfill.to}
                  </MuiLink>
                </TableCell>
                <TableCell>
                  <StateChip style={BACKFILL_STATUS_STYLES[backfill.status]} value={backfill.status} />
                </TableCell>
                <TableCell>
                  {backfill.counts.succeeded}/{backfill.counts.total} succeeded
                  {backfill.counts.failed > 0 ? `, ${backfill.counts.failed} failed` : ""}
                </TableCell>
                <TableCell>{backfill.assetKeys.join(", ")}</TableCell>
                <TableCell>
                  <TimeText iso={backfill.createdAt} />
                  {backfill.launchedBy ? ` by ${backfill.launchedBy}` : ""}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </Box>
  );
}
