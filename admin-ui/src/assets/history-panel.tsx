/**
 * The asset's materialization history (`Asset.materializations`, failed attempts included), newest first, and the
 * reserved place of the runtime trend plot beside it.
 */
import HistoryIcon from "@mui/icons-material/History";
import OpenInNewIcon from "@mui/icons-material/OpenInNew";
import ShowChartIcon from "@mui/icons-material/ShowChart";
import { Box, Chip, IconButton, Link as MuiLink, Table, TableBody, TableCell, TableHead, TableRow, Tooltip, Typography } from "@mui/material";
import { Suspense } from "react";
import { Link } from "react-router-dom";
import { preloadedLazy } from "../common/preloaded-lazy.tsx";
import { runPath } from "../runs/paths.ts";
import type { RuntimeSeries } from "./history-data.ts";
import { EmptyState } from "../common/states.tsx";
import { TimeText } from "../common/time-text.tsx";
import { formatDuration, shortTime } from "../common/time.ts";
import { HISTORY_SIZE } from "../data-provider/queries.ts";
import { KindChip } from "../common/tools.tsx";
import type { AssetDetail, Materialization } from "../types.ts";
import { materializationFacts } from "./materialization-facts.ts";
import { Panel, Reserved } from "./panels.tsx";

function HistoryRow({ materialization }: { materialization: Materialization }) {
  const facts = materializationFacts(materialization);
  const failed = materialization.status === "FAILURE";
  const duration = formatDuration(facts.durationMs);
  return (
    <TableRow hover data-testid="materialization-row" data-status={materialization.status} data-tool={materialization.tool}>
      <TableCell sx={{ whiteSpace: "nowrap", verticalAlign: "top" }}>
        <TimeText iso={materialization.occurredAt} />
        <Typography variant="caption" component="div" sx={{ color: "text.secondary" }}>
          {shortTime(materialization.occurredAt)}
        </Typography>
      </TableCell>
      <TableCell sx={{ verticalAlign: "top", minWidth: 0 }}>
        <Box sx={{ display: "flex", alignItems: "center", gap: 1, flexWrap: "wrap" }}>
          <KindChip kind={materialization.tool} />
          {facts.launchedBy && (
            <Typography variant="caption" sx={{ color: "text.secondary" }}>
              {facts.launchedBy}
            </Typography>
          )}
        </Box>
        {materialization.tributaryRunId && (
          <MuiLink component={Link} to={runPath(materialization.tributaryRunId)} variant="caption" sx={{ display: "block", mt: 0.25 }} data-testid="materialization-run-link">
            run {materialization.tributaryRunId.slice(0, 8)}
          </MuiLink>
        )}
        {materialization.runId && (
          <Typography variant="caption" component="div" sx={{ fontFamily: "monospace", color: "text.secondary", overflowWrap: "anywhere", mt: 0.25 }} title={`Run ${materialization.runId} in ${materialization.location}`}>
            {materialization.runId}
          </Typography>
        )}
      </TableCell>
      <TableCell sx={{ whiteSpace: "nowrap", verticalAlign: "top" }}>{duration ?? <Typography variant="body2" component="span" sx={{ color: "text.disabled" }}>—</Typography>}</TableCell>
      <TableCell sx={{ verticalAlign: "top" }}>
        <Chip size="small" label={failed ? "failed" : "success"} color={failed ? "error" : "success"} variant={failed ? "filled" : "outlined"} sx={{ fontWeight: 600 }} />
        {facts.records && facts.records.processed !== null && (
          <Typography variant="caption" component="div" sx={{ color: "text.secondary", mt: 0.25, whiteSpace: "nowrap" }}>
            {facts.records.processed.toLocaleString("en")} records{facts.records.failed ? `, ${facts.records.failed.toLocaleString("en")} failed` : ""}
          </Typography>
        )}
        {facts.message && (
          <Typography variant="caption" component="div" sx={{ color: failed ? "error.main" : "text.secondary", mt: 0.25, overflowWrap: "anywhere", whiteSpace: "pre-wrap" }} data-testid="materialization-message">
            {facts.message}
          </Typography>
        )}
      </TableCell>
      <TableCell sx={{ verticalAlign: "top", width: 40, px: 0.5 }}>
        {facts.link && (
          <Tooltip title={facts.link.label}>
            <IconButton size="small" href={facts.link.href} target="_blank" rel="noopener noreferrer" aria-label={facts.link.label}>
              <OpenInNewIcon sx={{ fontSize: 16 }} />
            </IconButton>
          </Tooltip>
        )}
      </TableCell>
    </TableRow>
  );
}

export function MaterializationHistory({ record }: { record: AssetDetail }) {
  const rows = record.materializations;
  const failures = rows.filter((m) => m.status === "FAILURE").length;
  return (
    <Panel
      title={
        <>
          Materialization history{" "}
          {rows.length > 0 && (
            <Typography component="span" sx={{ color: "text.secondary" }}>
              {rows.length}
            </Typography>
          )}
        </>
      }
      id="history"
      testId="history-panel"
      action={
        failures > 0 ? <Chip size="small" color="error" variant="outlined" label={`${failures} failed`} /> : undefined
      }
    >
      {rows.length === 0 ? (
        <EmptyState title="Never materialized" icon={<HistoryIcon fontSize="inherit" />}>
          {record.materializedBy
            ? `No materialization is recorded yet. Runs of ${record.materializedBy.tool} — launched by Tributary or by the tool on its own schedule — are listed here as they finish.`
            : "Nothing in the catalog builds this asset, so Tributary has no runs of it to record."}
        </EmptyState>
      ) : (
        <Box sx={{ overflowX: "auto" }}>
          <Table size="small" aria-label="Materialization history" data-testid="history-table">
            <TableHead>
              <TableRow>
                <TableCell>When</TableCell>
                <TableCell>By</TableCell>
                <TableCell>Took</TableCell>
                <TableCell>Outcome</TableCell>
                <TableCell sx={{ px: 0.5 }} aria-label="Link" />
              </TableRow>
            </TableHead>
            <TableBody>
              {rows.map((materialization) => (
                <HistoryRow key={materialization.id} materialization={materialization} />
              ))}
            </TableBody>
          </Table>
          {rows.length >= HISTORY_SIZE && (
            <Typography variant="caption" component="div" sx={{ color: "text.secondary", mt: 1 }}>
              The latest {rows.length} are shown.
            </Typography>
          )}
        </Box>
      )}
    </Panel>
  );
}

// The chart's code starts loading with the asset page, beside the history it will plot, not after it.
const RuntimePlot = preloadedLazy(() => import("./runtime-plot.tsx").then((module) => module.default));
void RuntimePlot.preload();

/** The runtime trend: each materialization's duration over time, failures and spikes marked. */
export function RuntimeTrend({ series, loading }: { series: RuntimeSeries | null; loading: boolean }) {
  const timed = series?.points.filter((p) => p.ms !== null || p.failed).length ?? 0;
  return (
    <Panel
      title="Runtime trend"
      id="runtime"
      testId="runtime-panel"
      action={
        series && series.points.length > 0 ? (
          <Box sx={{ display: "flex", gap: 1, flexWrap: "wrap" }}>
            <Chip size="small" variant="outlined" label={`${series.points.length} runs`} />
            {series.failures > 0 && <Chip size="small" color="error" variant="outlined" label={`${series.failures} failed`} />}
            {series.spikes > 0 && <Chip size="small" color="warning" variant="outlined" label={`${series.spikes} spike${series.spikes === 1 ? "" : "s"}`} />}
          </Box>
        ) : undefined
      }
    >
      {series === null || loading ? (
        <Box sx={{ height: 260 }} aria-busy="true" />
      ) : timed === 0 ? (
        <Reserved title="Nothing to plot yet" testId="runtime-empty">
          <Box component="span" sx={{ display: "block", color: "grey.400", fontSize: 40, lineHeight: 1, my: 1 }} aria-hidden>
            <ShowChartIcon fontSize="inherit" />
          </Box>
          How long each materialization took is plotted here once the tool reports its timing (dbt, Fivetran and Census do).
        </Reserved>
      ) : (
        <Suspense fallback={<Box sx={{ height: 260 }} />}>
          <RuntimePlot series={series} />
        </Suspense>
      )}
    </Panel>
  );
}
