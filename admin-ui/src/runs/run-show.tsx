/**
 * A run's page: its state, who launched it and when, its steps in dependency order (the order the engine runs
 * them), what it recorded (materializations, check results), and its log streamed live while it runs. Cancel
 * while it runs; re-execute all or only what failed once it ended.
 */
import OpenInNewIcon from "@mui/icons-material/OpenInNew";
import { Alert, Box, Breadcrumbs, Button, Grid, IconButton, Link as MuiLink, Skeleton, Table, TableBody, TableCell, TableHead, TableRow, Tooltip, Typography } from "@mui/material";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Title, useNotify } from "react-admin";
import { Link, useParams } from "react-router-dom";
import { Fact, Panel } from "../assets/panels.tsx";
import { assetPath } from "../assets/paths.ts";
import { EmptyState, ErrorState } from "../common/states.tsx";
import { TimeText } from "../common/time-text.tsx";
import { formatDuration } from "../common/time.ts";
import { ToolMark } from "../common/tools.tsx";
import { usePageTitle } from "../common/use-page-title.ts";
import { useTributary } from "../common/use-tributary.ts";
import type { RunDetail, RunStep } from "../types.ts";
import { LogView } from "./log-view.tsx";
import { runPath } from "./paths.ts";
import { useLaunchCapability, useLaunchOutcome } from "./run-actions.tsx";
import { TokenButton } from "./token-dialog.tsx";
import { CHECK_OUTCOME_STYLES, isEnded, launchKind, RUN_STATUS_STYLES, STEP_STATUS_STYLES } from "./run-status.ts";
import { useRunStream, type StreamedRun } from "./run-stream.ts";
import { StateChip } from "./state-chip.tsx";

function KeyLinks({ keys }: { keys: readonly string[] }) {
  return (
    <Box sx={{ display: "flex", gap: 1, flexWrap: "wrap" }}>
      {keys.map((key) => (
        <MuiLink key={key} component={Link} to={assetPath(key)} variant="body2">
          {key}
        </MuiLink>
      ))}
    </Box>
  );
}

function Step({ step, total }: { step: RunStep; total: number }) {
  return (
    <Box component="li" data-testid="run-step" data-status={step.status} sx={{ display: "grid", gridTemplateColumns: "28px minmax(0, 1fr)", gap: 1.5, py: 1.25, borderBottom: "1px solid", borderColor: "divider", "&:last-of-type": { borderBottom: 0 } }}>
      <Box sx={{ pt: 0.25 }}>
        <ToolMark kind={step.tool} size={22} />
      </Box>
      <Box sx={{ minWidth: 0 }}>
        <Box sx={{ display: "flex", alignItems: "center", gap: 1, flexWrap: "wrap" }}>
          <Typography variant="subtitle2">
            Step {step.index + 1} of {total}: {step.tool}
            {step.location !== step.tool ? ` in ${step.location}` : ""}
          </Typography>
          <StateChip style={STEP_STATUS_STYLES[step.status]} value={step.status} />
          <Typography variant="body2" sx={{ color: "text.secondary" }}>
            {formatDuration(step.durationMs) ?? ""}
            {step.attempts > 1 ? ` · taken over (${step.attempts} workers)` : ""}
          </Typography>
          {step.url && /^https?:\/\//i.test(step.url) && (
            <Tooltip title={`Open in ${step.tool}`}>
              <IconButton size="small" href={step.url} target="_blank" rel="noopener noreferrer" aria-label={`Open in ${step.tool}`}>
                <OpenInNewIcon sx={{ fontSize: 16 }} />
              </IconButton>
            </Tooltip>
          )}
        </Box>
        <Box sx={{ mt: 0.5 }}>
          <KeyLinks keys={step.assetKeys} />
        </Box>
        {step.message && (
          <Typography variant="body2" sx={{ mt: 0.5, color: step.status === "FAILED" ? "error.main" : "text.secondary", overflowWrap: "anywhere" }}>
            {step.message}
          </Typography>
        )}
        {step.failedKeys.length > 0 && (
          <Typography variant="caption" component="div" sx={{ color: "error.main" }}>
            failed: {step.failedKeys.join(", ")}
          </Typography>
        )}
        {step.skippedKeys.length > 0 && (
          <Typography variant="caption" component="div" sx={{ color: "warning.main" }}>
            skipped: {step.skippedKeys.join(", ")}
          </Typography>
        )}
      </Box>
    </Box>
  );
}

function Actions({ run }: { run: StreamedRun }) {
  const dataProvider = useTributary();
  const capability = useLaunchCapability();
  const onLaunched = useLaunchOutcome();
  const notify = useNotify();
  const [busy, setBusy] = useState(false);
  if (capability === undefined) return null;
  if (!capability.available) {
    return (
      <Box sx={{ display: "flex", alignItems: "center", gap: 1 }}>
        <Typography variant="caption" sx={{ color: "text.secondary", maxWidth: 320 }} data-testid="launch-unavailable">
          {capability.reason}
        </Typography>
        <TokenButton />
      </Box>
    );
  }
  const act = async (work: () => Promise<void>) => {
    setBusy(true);
    try {
      await work();
    } catch (error) {
      notify(error instanceof Error ? error.message : String(error), { type: "error" });
    } finally {
      setBusy(false);
    }
  };
  const ended = isEnded(run.status);
  return (
    <Box sx={{ display: "flex", gap: 1, flexWrap: "wrap" }}>
      {!ended && (
        <Button variant="outlined" color="warning" disabled={busy || run.cancelRequested} onClick={() => void act(() => dataProvider.cancel(run.id))}>
          {run.cancelRequested ? "Canceling…" : "Cancel run"}
        </Button>
      )}
      {ended && (
        <Button variant="outlined" disabled={busy} onClick={() => void act(async () => onLaunched(await dataProvider.reexecute(run.id, false)))}>
          Re-execute all
        </Button>
      )}
      {ended && run.status !== "SUCCEEDED" && (
        <Button variant="contained" disabled={busy} onClick={() => void act(async () => onLaunched(await dataProvider.reexecute(run.id, true)))}>
          Re-execute only failed
        </Button>
      )}
    </Box>
  );
}

function Recorded({ detail }: { detail: RunDetail | undefined }) {
  if (detail === undefined) return <Skeleton height={120} />;
  if (detail.materializations.length === 0 && detail.checkResults.length === 0) {
    return <EmptyState title="Nothing recorded yet">Materializations and check results appear here as the steps report them.</EmptyState>;
  }
  return (
    <Box sx={{ overflowX: "auto" }}>
      <Table size="small" aria-label="Events" data-testid="run-events">
        <TableHead>
          <TableRow>
            <TableCell>When</TableCell>
            <TableCell>Event</TableCell>
            <TableCell>Asset</TableCell>
            <TableCell>Outcome</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {[
            ...detail.materializations.map((m) => ({
              key: `m${m.id}`,
              at: m.occurredAt,
              what: "materialization",
              asset: m.assetKey,
              outcome: (
                <>
                  <StateChip style={m.status === "SUCCESS" ? STEP_STATUS_STYLES.SUCCEEDED : STEP_STATUS_STYLES.FAILED} value={m.status} />{" "}
                  <Typography component="span" variant="caption" sx={{ color: "text.secondary" }}>
                    {formatDuration(m.durationMs) ?? ""}
                  </Typography>
                </>
              ),
            })),
            ...detail.checkResults.map((c) => ({
              key: `c${c.assetKey}${c.checkName}${c.occurredAt}`,
              at: c.occurredAt,
              what: c.checkName,
              asset: c.assetKey,
              outcome: (
                <>
                  <StateChip style={CHECK_OUTCOME_STYLES[c.outcome]} value={c.outcome} />{" "}
                  {c.failures ? (
                    <Typography component="span" variant="caption" sx={{ color: "error.main" }}>
                      {c.failures} failing row{c.failures === 1 ? "" : "s"}
                    </Typography>
                  ) : null}
                </>
              ),
            })),
          ]
            .sort((a, b) => Date.parse(a.at) - Date.parse(b.at))
            .map((row) => (
              <TableRow key={row.key} hover>
                <TableCell sx={{ whiteSpace: "nowrap" }}>
                  <TimeText iso={row.at} />
                </TableCell>
                <TableCell sx={{ fontFamily: row.what === "materialization" ? undefined : "monospace", fontSize: 12, overflowWrap: "anywhere", minWidth: 120 }}>{row.what}</TableCell>
                <TableCell>
                  <MuiLink component={Link} to={assetPath(row.asset)} variant="body2">
                    {row.asset}
                  </MuiLink>
                </TableCell>
                <TableCell sx={{ whiteSpace: "nowrap" }}>{row.outcome}</TableCell>
              </TableRow>
            ))}
        </TableBody>
      </Table>
    </Box>
  );
}

/** The run show view. */
export function RunShow() {
  const id = useParams<{ id: string }>().id ?? "";
  usePageTitle(`Run ${id.slice(0, 8)}`);
  const dataProvider = useTributary();
  const queryClient = useQueryClient();
  const stream = useRunStream(id);
  const detail = useQuery({ queryKey: ["runs", "one", id], queryFn: () => dataProvider.run(id), retry: false });
  const run: StreamedRun | undefined = stream.run ?? detail.data;
  // What the run recorded is read again whenever a step changes state (and once it ended).
  const stepsSeen = stream.run?.steps.map((s) => s.status).join(",") ?? "";
  useEffect(() => {
    if (stepsSeen !== "") void queryClient.invalidateQueries({ queryKey: ["runs", "one", id] });
  }, [stepsSeen, id, queryClient]);

  if (run === undefined) {
    if (detail.isError) {
      return (
        <Box sx={{ p: 2 }}>
          <ErrorState error={detail.error} title="Could not load the run" onRetry={() => void detail.refetch()} />
        </Box>
      );
    }
    return (
      <Box sx={{ p: 2 }} aria-busy="true">
        <Skeleton width={320} height={44} />
        <Skeleton height={200} />
      </Box>
    );
  }
  const style = RUN_STATUS_STYLES[run.status];
  return (
    <Box sx={{ py: 2, px: { xs: 0, sm: 1 } }} data-testid="run-page" data-status={run.status}>
      <Title title={`Run ${run.id.slice(0, 8)}`} />
      <Breadcrumbs aria-label="breadcrumb" sx={{ mb: 1, fontSize: 13 }}>
        <MuiLink component={Link} to="/runs" underline="hover" color="inherit">
          Runs
        </MuiLink>
        <Typography variant="body2" sx={{ color: "text.primary", fontFamily: "monospace" }}>
          {run.id}
        </Typography>
      </Breadcrumbs>
      <Box sx={{ display: "flex", alignItems: "center", gap: 1.5, flexWrap: "wrap", mb: 2 }}>
        <Typography variant="h5" component="h1">
          Run {run.id.slice(0, 8)}
        </Typography>
        <StateChip style={style} value={run.status} testId="run-status" />
        <Typography variant="body2" sx={{ color: "text.secondary" }} data-testid="stream-state">
          {stream.state === "live" && !isEnded(run.status) ? "● live" : stream.state === "reconnecting" ? "reconnecting…" : ""}
        </Typography>
        <Box sx={{ flex: 1 }} />
        <Actions run={run} />
      </Box>
      {run.message && (
        <Alert severity={run.status === "FAILED" ? "error" : run.status === "CANCELED" ? "warning" : "info"} sx={{ mb: 2 }} data-testid="run-message">
          {run.message}
        </Alert>
      )}
      {stream.error && (
        <Alert severity="warning" sx={{ mb: 2 }}>
          {stream.error}
        </Alert>
      )}
      <Grid container spacing={2}>
        <Grid size={{ xs: 12, lg: 8 }}>
          <Panel title={<>Steps <Typography component="span" sx={{ color: "text.secondary" }}>{run.steps.length}</Typography></>} id="steps" testId="run-steps">
            <Box component="ol" sx={{ m: 0, p: 0, listStyle: "none" }}>
              {run.steps.map((step) => (
                <Step key={step.index} step={step} total={run.steps.length} />
              ))}
            </Box>
          </Panel>
          <Panel title="Log" id="log">
            <LogView lines={stream.logs} version={stream.version} />
          </Panel>
          <Panel title="Events" id="events">
            <Recorded detail={detail.data} />
          </Panel>
        </Grid>
        <Grid size={{ xs: 12, lg: 4 }}>
          <Panel title="Details" id="details">
            <Fact label="Launched by">
              <strong>{launchKind(run.launchedBy.kind)}</strong>: {run.launchedBy.description}
              {run.launchedBy.parentRunId && (
                <>
                  {" "}
                  (<MuiLink component={Link} to={runPath(run.launchedBy.parentRunId)}>{run.launchedBy.parentRunId.slice(0, 8)}</MuiLink>)
                </>
              )}
            </Fact>
            <Fact label="Created">
              <TimeText iso={run.createdAt} />
            </Fact>
            <Fact label="Started">
              <TimeText iso={run.startedAt} absent="not yet" />
            </Fact>
            <Fact label="Ended">
              <TimeText iso={run.endedAt} absent={isEnded(run.status) ? "—" : "still running"} />
            </Fact>
            <Fact label="Duration">
              <span data-testid="run-duration">{formatDuration(run.durationMs) ?? "—"}</span>
            </Fact>
            <Fact label="Attempt">{run.attempt}</Fact>
            <Fact label="Assets">
              <KeyLinks keys={run.assetKeys} />
            </Fact>
          </Panel>
        </Grid>
      </Grid>
    </Box>
  );
}
