/**
 * A backfill's page: its range and assets, a cell per partition coloured by its state (refreshed while it
 * runs), counts, and a row per partition with its run, attempts and message. Re-run only the failed partitions
 * once it ended with failures; cancel while it runs.
 */
import { Alert, Box, Breadcrumbs, Button, Link as MuiLink, Skeleton, Table, TableBody, TableCell, TableHead, TableRow, Typography } from "@mui/material";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Title, useNotify } from "react-admin";
import { Link, useParams } from "react-router-dom";
import { Fact, Panel } from "../assets/panels.tsx";
import { assetPath } from "../assets/paths.ts";
import { ErrorState } from "../common/states.tsx";
import { TimeText } from "../common/time-text.tsx";
import { formatDuration, span } from "../common/time.ts";
import { usePageTitle } from "../common/use-page-title.ts";
import { useTributary } from "../common/use-tributary.ts";
import { runPath } from "../runs/paths.ts";
import { useLaunchCapability } from "../runs/run-actions.tsx";
import { StateChip } from "../runs/state-chip.tsx";
import { TokenButton } from "../runs/token-dialog.tsx";
import type { Backfill } from "../types.ts";
import { BACKFILL_CELL_FILL, BACKFILL_PARTITION_STYLES, BACKFILL_STATUS_STYLES } from "./status.ts";

function Cells({ backfill }: { backfill: Backfill }) {
  return (
    <Box sx={{ display: "flex", flexWrap: "wrap", gap: "3px" }} data-testid="backfill-cells">
      {backfill.partitions.map((p) => (
        <Box
          key={`${p.partitioning}:${p.key}`}
          component={p.runId ? Link : "span"}
          {...(p.runId ? { to: runPath(p.runId) } : {})}
          title={`${p.key} (${p.partitioning}): ${BACKFILL_PARTITION_STYLES[p.status].label}`}
          data-testid="backfill-cell"
          data-key={p.key}
          data-status={p.status}
          sx={{ width: 18, height: 18, borderRadius: 0.5, bgcolor: BACKFILL_CELL_FILL[p.status], border: "1px solid rgba(16,24,40,0.08)", display: "block" }}
        />
      ))}
    </Box>
  );
}

function Counts({ backfill }: { backfill: Backfill }) {
  const { total, ...rest } = backfill.counts;
  const shown = (["succeeded", "running", "queued", "waiting", "failed", "skipped", "canceled"] as const).filter((k) => rest[k] > 0);
  return (
    <Typography variant="body2" data-testid="backfill-counts">
      {rest.succeeded} of {total} partitions succeeded
      {shown.filter((k) => k !== "succeeded").map((k) => ` · ${rest[k]} ${k}`).join("")}
    </Typography>
  );
}

export function BackfillShow() {
  const { id = "" } = useParams();
  const dataProvider = useTributary();
  const queryClient = useQueryClient();
  const capability = useLaunchCapability();
  const notify = useNotify();
  const [busy, setBusy] = useState(false);
  usePageTitle(`Backfill ${id.slice(0, 8)}`);
  const query = useQuery({
    queryKey: ["backfill", id],
    queryFn: () => dataProvider.backfill(id),
    refetchInterval: (state) => (state.state.data?.status === "RUNNING" ? 2_000 : false),
  });
  if (query.error) return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  if (query.data === undefined) return <Skeleton height={200} />;
  const backfill = query.data;
  if (backfill === null) return <Alert severity="warning">No backfill {id}</Alert>;
  const act = async (what: "rerun" | "cancel") => {
    setBusy(true);
    try {
      if (what === "rerun") await dataProvider.rerunBackfill(backfill.id);
      else await dataProvider.cancelBackfill(backfill.id);
      await queryClient.invalidateQueries({ queryKey: ["backfill", id] });
    } catch (error) {
      notify(error instanceof Error ? error.message : String(error), { type: "error" });
    } finally {
      setBusy(false);
    }
  };
  const canRerun = backfill.status === "FAILED" || backfill.status === "CANCELED";
  return (
    <Box sx={{ p: 2 }} data-testid="backfill-page" data-status={backfill.status}>
      <Title title={`Backfill ${backfill.id.slice(0, 8)}`} />
      <Breadcrumbs sx={{ mb: 1 }}>
        <MuiLink component={Link} to="/backfills" variant="body2">
          Backfills
        </MuiLink>
        <Typography variant="body2">{backfill.id.slice(0, 8)}</Typography>
      </Breadcrumbs>
      <Box sx={{ display: "flex", alignItems: "center", gap: 1.5, flexWrap: "wrap", mb: 2 }}>
        <Typography variant="h5" component="h1">
          Backfill {backfill.from} … {backfill.to}
        </Typography>
        <StateChip style={BACKFILL_STATUS_STYLES[backfill.status]} value={backfill.status} testId="backfill-status" />
        <Box sx={{ flex: 1 }} />
        {capability?.available === false ? (
          <TokenButton />
        ) : (
          <>
            {backfill.status === "RUNNING" && (
              <Button size="small" variant="outlined" color="warning" disabled={busy} onClick={() => void act("cancel")} data-testid="cancel-backfill">
                Cancel
              </Button>
            )}
            {canRerun && (
              <Button size="small" variant="contained" disabled={busy} onClick={() => void act("rerun")} data-testid="rerun-backfill">
                Re-run failed partitions
              </Button>
            )}
          </>
        )}
      </Box>
      <Panel title="Progress" id="progress">
        <Counts backfill={backfill} />
        <Box sx={{ mt: 1.5 }}>
          <Cells backfill={backfill} />
        </Box>
      </Panel>
      <Panel title="Details" id="backfill-details">
        <Fact label="Assets">
          <Box sx={{ display: "flex", gap: 1, flexWrap: "wrap" }}>
            {backfill.assetKeys.map((key) => (
              <MuiLink key={key} component={Link} to={assetPath(key)} variant="body2">
                {key}
              </MuiLink>
            ))}
          </Box>
        </Fact>
        <Fact label="Launched">
          <TimeText iso={backfill.createdAt} />
          {backfill.launchedBy ? ` by ${backfill.launchedBy}` : ""}
        </Fact>
      </Panel>
      <Panel title="Partitions" id="backfill-partitions">
        <Box sx={{ overflowX: "auto" }}>
          <Table size="small" aria-label="Partitions" data-testid="backfill-partitions">
            <TableHead>
              <TableRow>
                <TableCell>Partition</TableCell>
                <TableCell>Assets</TableCell>
                <TableCell>State</TableCell>
                <TableCell>Run</TableCell>
                <TableCell>Duration</TableCell>
                <TableCell>Message</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {backfill.partitions.map((p) => (
                <TableRow key={`${p.partitioning}:${p.key}`} data-testid="backfill-partition" data-key={p.key} data-status={p.status}>
                  <TableCell>
                    <Typography variant="body2" sx={{ fontFamily: "monospace" }}>
                      {p.key}
                    </Typography>
                    <Typography variant="caption" sx={{ color: "text.secondary" }}>
                      {p.partitioning}
                      {p.dependsOn.length > 0 ? ` · after ${p.dependsOn.length} upstream partition${p.dependsOn.length === 1 ? "" : "s"}` : ""}
                    </Typography>
                  </TableCell>
                  <TableCell>{p.assetKeys.join(", ")}</TableCell>
                  <TableCell>
                    <StateChip style={BACKFILL_PARTITION_STYLES[p.status]} value={p.status} />
                    {p.attempts > 1 ? (
                      <Typography variant="caption" sx={{ color: "text.secondary", ml: 1 }}>
                        attempt {p.attempts}
                      </Typography>
                    ) : null}
                  </TableCell>
                  <TableCell>
                    {p.runId ? (
                      <MuiLink component={Link} to={runPath(p.runId)} variant="body2" sx={{ fontFamily: "monospace" }}>
                        {p.runId.slice(0, 8)}
                      </MuiLink>
                    ) : (
                      "—"
                    )}
                  </TableCell>
                  <TableCell>{formatDuration(span(p.startedAt, p.endedAt)) ?? "—"}</TableCell>
                  <TableCell sx={{ maxWidth: 420, overflowWrap: "anywhere" }}>{p.message ?? ""}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Box>
      </Panel>
    </Box>
  );
}
