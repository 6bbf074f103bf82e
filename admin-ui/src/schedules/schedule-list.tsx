/**
 * Schedules: each schedule of tributary.yaml with its job (and what its selection picks), its cron in words
 * and time zone, its status with start / stop, its next ticks, and its latest tick with the run it launched.
 * Refreshes itself while shown, so a tick's run appears and ends as it goes.
 */
import { Alert, Box, Button, Card, Chip, Link as MuiLink, Table, TableBody, TableCell, TableHead, TableRow, Tooltip, Typography } from "@mui/material";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Title, useNotify } from "react-admin";
import { Link } from "react-router-dom";
import { EmptyState, ErrorState, LoadingLines } from "../common/states.tsx";
import { TimeText } from "../common/time-text.tsx";
import { usePageTitle } from "../common/use-page-title.ts";
import { useTributary } from "../common/use-tributary.ts";
import type { ScheduleInfo } from "../data-provider/index.ts";
import { runPath } from "../runs/paths.ts";
import { useLaunchCapability } from "../runs/run-actions.tsx";
import { RUN_STATUS_STYLES } from "../runs/run-status.ts";
import { StateChip } from "../runs/state-chip.tsx";

const REFRESH_MS = 5000;

/** A tick in the schedule's own time zone: "Fri 4 Dec, 06:00". */
function zonedTime(iso: string, timeZone: string): string {
  try {
    return new Date(iso).toLocaleString("en-GB", { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone });
  } catch {
    return iso;
  }
}

function JobCell({ schedule }: { schedule: ScheduleInfo }) {
  const job = schedule.job;
  const selection = job ? [job.select.join(" "), job.exclude.length > 0 ? `--exclude ${job.exclude.join(" ")}` : ""].filter(Boolean).join(" ") : null;
  const assets = job ? `/assets?filter=${encodeURIComponent(JSON.stringify({ search: "" }))}` : null;
  return (
    <Box>
      <Typography variant="body2" sx={{ fontWeight: 600 }}>
        {schedule.jobName}
      </Typography>
      {selection && (
        <Typography variant="caption" component="div" sx={{ fontFamily: "monospace", color: "text.secondary", overflowWrap: "anywhere" }} data-testid="schedule-selection">
          {selection}
        </Typography>
      )}
      {job && job.error === null && (
        <Tooltip title={job.assetKeys.slice(0, 20).join(", ") + (job.assetKeys.length > 20 ? "…" : "")}>
          <Typography variant="caption" component="div" data-testid="schedule-asset-count" data-href={assets}>
            {job.assetCount} asset{job.assetCount === 1 ? "" : "s"}
          </Typography>
        </Tooltip>
      )}
    </Box>
  );
}

function StatusCell({ schedule, canChange }: { schedule: ScheduleInfo; canChange: boolean }) {
  const dataProvider = useTributary();
  const queryClient = useQueryClient();
  const notify = useNotify();
  const [busy, setBusy] = useState(false);
  const invalid = schedule.errors.length > 0;
  const running = schedule.status === "RUNNING";
  const toggle = async () => {
    setBusy(true);
    try {
      await dataProvider.setScheduleRunning(schedule.name, !running);
      await queryClient.invalidateQueries({ queryKey: ["schedules"] });
    } catch (error) {
      notify(error instanceof Error ? error.message : String(error), { type: "error" });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Box sx={{ display: "flex", flexDirection: "column", alignItems: "flex-start", gap: 0.75 }}>
      <Chip
        size="small"
        data-testid="schedule-status"
        data-status={invalid ? "INVALID" : schedule.status}
        color={invalid ? "error" : running ? "success" : "default"}
        variant={running && !invalid ? "filled" : "outlined"}
        label={invalid ? "invalid" : running ? "running" : "stopped"}
      />
      {!invalid && canChange && (
        <Button size="small" variant="text" disabled={busy} onClick={() => void toggle()} data-testid="schedule-toggle" sx={{ px: 0.5, minWidth: 0 }}>
          {running ? "Stop" : "Start"}
        </Button>
      )}
      {schedule.statusChangedBy && (
        <Typography variant="caption" sx={{ color: "text.secondary" }}>
          {running ? "started" : "stopped"} by {schedule.statusChangedBy}
        </Typography>
      )}
    </Box>
  );
}

function LatestTick({ schedule }: { schedule: ScheduleInfo }) {
  const tick = schedule.latestTick;
  if (!tick) {
    return (
      <Typography variant="body2" sx={{ color: "text.disabled" }}>
        not yet
      </Typography>
    );
  }
  return (
    <Box data-testid="schedule-latest-tick" data-tick-status={tick.status}>
      <Typography variant="caption" component="div" sx={{ color: "text.secondary" }}>
        tick <TimeText iso={tick.tickAt} />
        {tick.missed > 0 ? ` (${tick.missed} earlier missed)` : ""}
      </Typography>
      {tick.run ? (
        <Box sx={{ display: "flex", gap: 1, alignItems: "center", mt: 0.25 }}>
          <MuiLink component={Link} to={runPath(tick.run.id)} sx={{ fontFamily: "monospace", fontWeight: 600 }} data-testid="schedule-run-link">
            {tick.run.id.slice(0, 8)}
          </MuiLink>
          <StateChip style={RUN_STATUS_STYLES[tick.run.status]} value={tick.run.status} />
        </Box>
      ) : (
        <Typography variant="body2" sx={{ color: tick.status === "FAILED" ? "error.main" : "text.secondary" }}>
          {tick.status.toLowerCase()}
          {tick.reason ? `: ${tick.reason}` : ""}
        </Typography>
      )}
    </Box>
  );
}

function ScheduleRow({ schedule, canChange }: { schedule: ScheduleInfo; canChange: boolean }) {
  return (
    <TableRow data-testid="schedule-row" data-schedule={schedule.name}>
      <TableCell sx={{ verticalAlign: "top" }}>
        <Typography variant="body2" sx={{ fontWeight: 600 }}>
          {schedule.name}
        </Typography>
        {schedule.description && (
          <Typography variant="caption" component="div" sx={{ color: "text.secondary" }}>
            {schedule.description}
          </Typography>
        )}
        <Typography variant="caption" component="div" sx={{ color: "text.disabled", fontFamily: "monospace", overflowWrap: "anywhere" }}>
          {schedule.declaredIn.split("/").slice(-1)[0]}
        </Typography>
      </TableCell>
      <TableCell sx={{ verticalAlign: "top", minWidth: 180 }}>
        <JobCell schedule={schedule} />
      </TableCell>
      <TableCell sx={{ verticalAlign: "top", minWidth: 180 }}>
        <Typography variant="body2" data-testid="schedule-when">
          {schedule.cronDescription}
        </Typography>
        <Typography variant="caption" component="div" sx={{ color: "text.secondary" }}>
          <code>{schedule.cron}</code> · {schedule.timezone}
          {schedule.catchUp === "NONE" ? " · no catch-up" : ""}
        </Typography>
      </TableCell>
      <TableCell sx={{ verticalAlign: "top" }}>
        <StatusCell schedule={schedule} canChange={canChange} />
      </TableCell>
      <TableCell sx={{ verticalAlign: "top", whiteSpace: "nowrap" }} data-testid="schedule-next-ticks">
        {schedule.errors.length > 0 || schedule.status !== "RUNNING" ? (
          <Typography variant="body2" sx={{ color: "text.disabled" }}>
            —
          </Typography>
        ) : (
          schedule.nextTicks.map((tick) => (
            <Typography key={tick} variant="body2" component="div">
              <Tooltip title={<TimeText iso={tick} />}>
                <time dateTime={tick}>{zonedTime(tick, schedule.timezone)}</time>
              </Tooltip>
            </Typography>
          ))
        )}
      </TableCell>
      <TableCell sx={{ verticalAlign: "top", minWidth: 160 }}>
        <LatestTick schedule={schedule} />
      </TableCell>
    </TableRow>
  );
}

/** The schedules view. */
export function ScheduleList() {
  usePageTitle("Schedules");
  const dataProvider = useTributary();
  const capability = useLaunchCapability();
  const list = useQuery({ queryKey: ["schedules"], queryFn: () => dataProvider.schedules(), refetchInterval: REFRESH_MS });
  const invalid = list.data?.filter((s) => s.errors.length > 0) ?? [];
  return (
    <Box sx={{ py: 2, px: { xs: 0, sm: 1 } }} data-testid="schedules-page">
      <Title title="Schedules" />
      <Typography variant="h5" component="h1" sx={{ mb: 2 }}>
        Schedules
      </Typography>
      {invalid.map((schedule) => (
        <Alert key={schedule.name} severity="error" sx={{ mb: 1 }} data-testid="schedule-error">
          <strong>{schedule.name}</strong> ({schedule.declaredIn}) cannot fire: {schedule.errors.join("; ")}
        </Alert>
      ))}
      <Card>
        {list.isError ? (
          <Box sx={{ p: 2 }}>
            <ErrorState error={list.error} title="Could not load the schedules" onRetry={() => void list.refetch()} />
          </Box>
        ) : list.data === undefined ? (
          <Box sx={{ p: 2 }}>
            <LoadingLines lines={3} height={48} />
          </Box>
        ) : list.data.length === 0 ? (
          <EmptyState title="No schedules">
            Declare jobs and schedules in <code>tributary.yaml</code> (see the README): a job selects assets with dbt&apos;s
            selection syntax, a schedule runs it on a cron.
          </EmptyState>
        ) : (
          <Box sx={{ overflowX: "auto" }}>
            <Table size="small" aria-label="Schedules">
              <TableHead>
                <TableRow>
                  <TableCell>Schedule</TableCell>
                  <TableCell>Job</TableCell>
                  <TableCell>When</TableCell>
                  <TableCell>Status</TableCell>
                  <TableCell>Next ticks</TableCell>
                  <TableCell>Latest run</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {list.data.map((schedule) => (
                  <ScheduleRow key={schedule.name} schedule={schedule} canChange={capability?.available ?? false} />
                ))}
              </TableBody>
            </Table>
          </Box>
        )}
      </Card>
    </Box>
  );
}
