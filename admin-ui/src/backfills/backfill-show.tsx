/**
 * A backfill's page: its range and assets, a cell per partition coloured by its state (refreshed while it
 * runs), counts, and a row per partition with its run, attempts and message. Re-run only the failed partitions
 * once it ended with failures; cancel while it runs.
 */
import { Alert, Box, Breadcrumbs, Button, Link as MuiLink, Skeleton, Table, TableBody, TableCell, TableHead, TableRow, Tooltip, Typography } from "@mui/material";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Title, useNotify } from "react-admin";
import { Link, useParams } from "react-router-dom";
import { Panel } from "../assets/panels.tsx";
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
import type { Backfill, BackfillPartition } from "../types.ts";
import { BACKFILL_CELL_FILL, BACKFILL_PARTITION_STYLES, BACKFILL_STATUS_STYLES } from "./status.ts";

/** The run that builds the backfill's unpartitioned upstream once, before its partitions (buildUpstream). */
const isUpstream = (p: BackfillPartition) => p.key === "";

/** What a partition waits for, for people: ` · after 31 upstream partitions`, ` · after the upstream build`. */
function waitsFor(p: BackfillPartition): string {
  const partitions = p.dependsOn.filter((key) => key !== "").length;
  const parts = [...(p.dependsOn.includes("") ? ["the upstream build"] : []), ...(partitions > 0 ? [`${partitions} upstream partition${partitions === 1 ? "" : "s"}`] : [])];
  return parts.length > 0 ? ` · after ${parts.join(" and ")}` : "";
}

/** One tile per partition, coloured by its state, linked to its run; labelled while there are few enough to read. */
function Cells({ backfill }: { backfill: Backfill }) {
  const partitions = backfill.partitions.filter((p) => !isUpstream(p));
  const labelled = partitions.length <= 120;
  return (
    <Box sx={{ display: "flex", flexWrap: "wrap", gap: "4px" }} data-testid="backfill-cells">
      {partitions.map((p) => {
        const style = BACKFILL_PARTITION_STYLES[p.status];
        const dark = p.status === "RUNNING" || p.status === "SUCCEEDED" || p.status === "FAILED";
        return (
          <Tooltip key={`${p.partitioning}:${p.key}`} title={`${p.key} (${p.partitioning}): ${style.label}${p.attempts > 1 ? `, attempt ${p.attempts}` : ""}`}>
            <Box
              component={p.runId ? Link : "span"}
              {...(p.runId ? { to: runPath(p.runId) } : {})}
              data-testid="backfill-cell"
              className={p.status === "RUNNING" ? "backfill-running" : undefined}
              data-key={p.key}
              data-status={p.status}
              sx={{
                display: "inline-flex",
                alignItems: "center",
                justifyContent: "center",
                minWidth: labelled ? 86 : 14,
                height: labelled ? 26 : 14,
                px: labelled ? 0.75 : 0,
                borderRadius: 0.75,
                bgcolor: BACKFILL_CELL_FILL[p.status],
                color: dark ? "#fff" : "#344054",
                border: "1px solid rgba(16,24,40,0.08)",
                fontFamily: "monospace",
                fontSize: 12,
                textDecoration: "none",
                boxSizing: "border-box",
              }}
            >
              {labelled ? p.key : null}
            </Box>
          </Tooltip>
        );
      })}
    </Box>
  );
}

/** A bar of the partitions by state, as long as the backfill, and a legend counting each state. */
function Counts({ backfill }: { backfill: Backfill }) {
  const partitions = backfill.partitions.filter((p) => !isUpstream(p));
  const total = partitions.length;
  const order = ["SUCCEEDED", "RUNNING", "QUEUED", "WAITING", "FAILED", "SKIPPED", "CANCELED"] as const;
  const counted = order.map((status) => [status, partitions.filter((p) => p.status === status).length] as const).filter(([, n]) => n > 0);
  const succeeded = partitions.filter((p) => p.status === "SUCCEEDED").length;
  return (
    <Box>
      <Typography variant="body2" data-testid="backfill-counts" sx={{ mb: 1 }}>
        <strong>{succeeded}</strong> of {total} partition{total === 1 ? "" : "s"} succeeded
        {counted
          .filter(([status]) => status !== "SUCCEEDED")
          .map(([status, n]) => ` · ${n} ${BACKFILL_PARTITION_STYLES[status].label}`)
          .join("")}
      </Typography>
      <Box sx={{ display: "flex", height: 12, borderRadius: 6, overflow: "hidden", bgcolor: BACKFILL_CELL_FILL.WAITING }} data-testid="backfill-progress">
        {counted.map(([status, n]) => (
          <Box key={status} data-status={status} sx={{ flexGrow: n, flexBasis: 0, bgcolor: BACKFILL_CELL_FILL[status] }} />
        ))}
      </Box>
      <Box sx={{ display: "flex", gap: 2, flexWrap: "wrap", mt: 1 }}>
        {counted.map(([status, n]) => (
          <Box key={status} sx={{ display: "flex", alignItems: "center", gap: 0.75 }}>
            <Box sx={{ width: 10, height: 10, borderRadius: 0.5, bgcolor: BACKFILL_CELL_FILL[status], border: status === "WAITING" ? "1px solid #d0d5dd" : 0 }} />
            <Typography variant="caption">
              {n} {BACKFILL_PARTITION_STYLES[status].label}
            </Typography>
          </Box>
        ))}
      </Box>
    </Box>
  );
}

/** The run that builds the unpartitioned upstream once, first: its assets, state and run. */
function Upstream({ backfill }: { backfill: Backfill }) {
  const upstream = backfill.partitions.find(isUpstream);
  if (!upstream) return null;
  return (
    <Box sx={{ display: "flex", alignItems: "center", gap: 1, flexWrap: "wrap", mb: 1.5, p: 1, borderRadius: 1, bgcolor: "#f9fafb", border: "1px solid", borderColor: "divider" }} data-testid="backfill-upstream" data-status={upstream.status}>
      <Typography variant="body2" sx={{ color: "text.secondary" }}>
        First, once (unpartitioned upstream):
      </Typography>
      {upstream.assetKeys.map((key) => (
        <MuiLink key={key} component={Link} to={assetPath(key)} variant="body2">
          {key}
        </MuiLink>
      ))}
      <StateChip style={BACKFILL_PARTITION_STYLES[upstream.status]} value={upstream.status} />
      {upstream.runId && (
        <MuiLink component={Link} to={runPath(upstream.runId)} variant="body2" sx={{ fontFamily: "monospace" }}>
          run {upstream.runId.slice(0, 8)}
        </MuiLink>
      )}
    </Box>
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
      <Box sx={{ display: "flex", alignItems: "center", gap: 1.5, flexWrap: "wrap", mb: 0.5 }}>
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
      <Typography variant="body2" component="div" sx={{ color: "text.secondary", mb: 2, display: "flex", gap: 0.75, flexWrap: "wrap", alignItems: "baseline" }} data-testid="backfill-details">
        <span>Of</span>
        {backfill.assetKeys.map((key, i) => (
          <span key={key}>
            <MuiLink component={Link} to={assetPath(key)}>
              {key}
            </MuiLink>
            {i < backfill.assetKeys.length - 1 ? "," : ""}
          </span>
        ))}
        <span>
          · {[...new Set(backfill.partitions.filter((p) => !isUpstream(p)).map((p) => p.partitioning))].join(", ")} · launched <TimeText iso={backfill.createdAt} />
          {backfill.launchedBy ? ` by ${backfill.launchedBy}` : ""}
        </span>
      </Typography>
      <Panel title="Progress" id="progress">
        <Upstream backfill={backfill} />
        <Counts backfill={backfill} />
        <Box sx={{ mt: 2 }}>
          <Cells backfill={backfill} />
        </Box>
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
                      {isUpstream(p) ? "—" : p.key}
                    </Typography>
                    <Typography variant="caption" sx={{ color: "text.secondary" }}>
                      {isUpstream(p) ? "unpartitioned upstream, built once first" : p.partitioning}
                      {waitsFor(p)}
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
