/**
 * The runs list: newest first, with status, who or what launched it, its assets and duration; filters by status
 * and asset (in the URL, so a filtered view can be shared) and cursor pagination (`Query.runs(first, after)`).
 * The first page refreshes itself every few seconds, so runs appear and end as they go.
 */
import { Box, Button, Card, Chip, Link as MuiLink, Table, TableBody, TableCell, TableHead, TableRow, TextField, Typography } from "@mui/material";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Title } from "react-admin";
import { Link, useNavigate, useSearchParams } from "react-router-dom";
import { assetPath } from "../assets/paths.ts";
import { thousands } from "../common/format.ts";
import { EmptyState, ErrorState, LoadingLines } from "../common/states.tsx";
import { TimeText } from "../common/time-text.tsx";
import { formatDuration } from "../common/time.ts";
import { ToolMark } from "../common/tools.tsx";
import { usePageTitle } from "../common/use-page-title.ts";
import { useTributary } from "../common/use-tributary.ts";
import type { RunFilter, RunStatus, RunSummary } from "../types.ts";
import { runPath } from "./paths.ts";
import { RunSavingsSummary } from "./run-savings.tsx";
import { launchKind, RUN_STATUS_STYLES, RUN_STATUSES } from "./run-status.ts";
import { StateChip } from "./state-chip.tsx";

export const RUNS_PER_PAGE = 25;
/** How often the first page asks again while it is shown. */
const REFRESH_MS = 3000;


function filterFrom(params: URLSearchParams): RunFilter {
  const statuses = (params.get("status") ?? "").split(",").filter((s): s is RunStatus => (RUN_STATUSES as readonly string[]).includes(s));
  const assetKey = params.get("asset") ?? "";
  return { ...(statuses.length > 0 ? { statuses } : {}), ...(assetKey !== "" ? { assetKey } : {}) };
}

function AssetKeys({ keys }: { keys: readonly string[] }) {
  const shown = keys.slice(0, 3);
  return (
    <Box sx={{ display: "flex", gap: 0.75, flexWrap: "wrap", alignItems: "baseline" }}>
      {shown.map((key) => (
        <MuiLink key={key} component={Link} to={assetPath(key)} variant="body2" onClick={(event) => event.stopPropagation()} sx={{ overflowWrap: "anywhere" }}>
          {key}
        </MuiLink>
      ))}
      {keys.length > shown.length && (
        <Typography variant="caption" sx={{ color: "text.secondary" }} title={keys.slice(3).join(", ")}>
          +{keys.length - shown.length} more
        </Typography>
      )}
    </Box>
  );
}

function RunRow({ run }: { run: RunSummary }) {
  const navigate = useNavigate();
  const tools = [...new Set(run.steps.map((step) => step.tool))];
  return (
    <TableRow hover data-testid="run-row" data-run-id={run.id} data-status={run.status} sx={{ cursor: "pointer" }} onClick={() => void navigate(runPath(run.id))}>
      <TableCell sx={{ whiteSpace: "nowrap", verticalAlign: "top" }}>
        <MuiLink component={Link} to={runPath(run.id)} sx={{ fontFamily: "monospace", fontWeight: 600 }} onClick={(event) => event.stopPropagation()}>
          {run.id.slice(0, 8)}
        </MuiLink>
        <Box sx={{ display: "flex", gap: 0.5, mt: 0.5 }}>
          {tools.map((tool) => (
            <ToolMark key={tool} kind={tool} size={14} />
          ))}
        </Box>
      </TableCell>
      <TableCell sx={{ verticalAlign: "top" }}>
        <StateChip style={RUN_STATUS_STYLES[run.status]} value={run.status} />
        {run.cancelRequested && run.status === "RUNNING" && (
          <Typography variant="caption" component="div" sx={{ color: "warning.main" }}>
            canceling…
          </Typography>
        )}
      </TableCell>
      <TableCell sx={{ verticalAlign: "top" }}>
        <Typography variant="body2" sx={{ fontWeight: 500 }}>
          {launchKind(run.launchedBy.kind)}
        </Typography>
        <Typography variant="caption" sx={{ color: "text.secondary" }}>
          {run.launchedBy.description}
        </Typography>
      </TableCell>
      <TableCell sx={{ verticalAlign: "top", minWidth: 220 }}>
        <AssetKeys keys={run.assetKeys} />
        {run.status === "FAILED" && run.message && (
          <Typography variant="caption" component="div" sx={{ color: "error.main", mt: 0.5, overflowWrap: "anywhere", display: "-webkit-box", WebkitLineClamp: 2, WebkitBoxOrient: "vertical", overflow: "hidden" }} title={run.message}>
            {run.message}
          </Typography>
        )}
      </TableCell>
      <TableCell sx={{ whiteSpace: "nowrap", verticalAlign: "top" }}>
        <TimeText iso={run.startedAt ?? run.createdAt} />
      </TableCell>
      <TableCell sx={{ whiteSpace: "nowrap", verticalAlign: "top" }} data-testid="run-duration">
        {formatDuration(run.durationMs) ?? <Typography component="span" variant="body2" sx={{ color: "text.disabled" }}>—</Typography>}
      </TableCell>
    </TableRow>
  );
}

function AssetFilterField({ value, onChange }: { value: string; onChange: (value: string) => void }) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  useEffect(() => {
    if (text.trim() === value.trim()) return;
    const timer = setTimeout(() => onChange(text.trim()), 300);
    return () => clearTimeout(timer);
  }, [text, value, onChange]);
  return (
    <TextField
      size="small"
      label="Asset"
      placeholder="a/b/c"
      value={text}
      onChange={(event) => setText(event.target.value)}
      slotProps={{ htmlInput: { "aria-label": "Runs of asset", "data-testid": "run-asset-filter" } }}
      sx={{ width: 260 }}
    />
  );
}

/** The runs list view. */
export function RunList() {
  usePageTitle("Runs");
  const dataProvider = useTributary();
  const [params, setParams] = useSearchParams();
  const filter = filterFrom(params);
  const after = params.get("after");
  // The cursors of the pages before this one, to go back to newer runs.
  const [previous, setPrevious] = useState<readonly (string | null)[]>([]);
  const page = useQuery({
    queryKey: ["runs", "list", filter, after],
    queryFn: () => dataProvider.runs(filter, RUNS_PER_PAGE, after),
    placeholderData: keepPreviousData,
    refetchInterval: after === null ? REFRESH_MS : false,
  });
  const update = (change: (next: URLSearchParams) => void, keepCursor = false) => {
    setParams((current) => {
      const next = new URLSearchParams(current);
      change(next);
      if (!keepCursor) next.delete("after");
      return next;
    });
    if (!keepCursor) setPrevious([]);
  };
  const toggleStatus = (status: RunStatus) => {
    const current = filter.statuses ?? [];
    const next = current.includes(status) ? current.filter((s) => s !== status) : [...current, status];
    update((p) => (next.length === 0 ? p.delete("status") : p.set("status", next.join(","))));
  };
  const setAsset = (value: string) => update((p) => (value === "" ? p.delete("asset") : p.set("asset", value)));
  const older = () => {
    const cursor = page.data?.pageInfo.endCursor;
    if (!cursor) return;
    setPrevious([...previous, after]);
    update((p) => p.set("after", cursor), true);
  };
  const newer = () => {
    const cursor = previous.at(-1) ?? null;
    setPrevious(previous.slice(0, -1));
    update((p) => (cursor === null ? p.delete("after") : p.set("after", cursor)), true);
  };

  return (
    <Box sx={{ py: 2, px: { xs: 0, sm: 1 } }} data-testid="runs-page">
      <Title title="Runs" />
      <Box sx={{ display: "flex", flexWrap: "wrap", gap: 1.5, alignItems: "center", mb: 2 }}>
        <Typography variant="h5" component="h1" sx={{ mr: 2 }}>
          Runs
        </Typography>
        <Box role="group" aria-label="Filter by status" sx={{ display: "flex", gap: 0.75, flexWrap: "wrap" }}>
          {RUN_STATUSES.map((status) => {
            const selected = filter.statuses?.includes(status) ?? false;
            return (
              <Chip
                key={status}
                label={RUN_STATUS_STYLES[status].label}
                clickable
                aria-pressed={selected}
                data-run-status-filter={status}
                color={selected ? "primary" : "default"}
                variant={selected ? "filled" : "outlined"}
                onClick={() => toggleStatus(status)}
              />
            );
          })}
        </Box>
        <AssetFilterField value={filter.assetKey ?? ""} onChange={setAsset} />
        <Box sx={{ flex: 1 }} />
        <Typography variant="body2" sx={{ color: "text.secondary" }} data-testid="runs-count" aria-live="polite">
          {page.data ? `${thousands(page.data.totalCount)} run${page.data.totalCount === 1 ? "" : "s"}` : "Counting…"}
        </Typography>
      </Box>
      <RunSavingsSummary />
      <Card>
        {page.isError ? (
          <Box sx={{ p: 2 }}>
            <ErrorState error={page.error} title="Could not load the runs" onRetry={() => void page.refetch()} />
          </Box>
        ) : page.data === undefined ? (
          <Box sx={{ p: 2 }}>
            <LoadingLines lines={6} height={36} />
          </Box>
        ) : page.data.nodes.length === 0 ? (
          <EmptyState title={filter.statuses || filter.assetKey ? "No run matches" : "No runs yet"}>
            {filter.statuses || filter.assetKey
              ? "Try fewer filters."
              : "Runs appear here when a policy requests them at a scheduler tick, or when someone materializes assets (the Materialize button on an asset page, tributary materialize)."}
          </EmptyState>
        ) : (
          <Box sx={{ overflowX: "auto" }}>
            <Table size="small" aria-label="Runs" data-testid="runs-table">
              <TableHead>
                <TableRow sx={{ "& th": { whiteSpace: "nowrap" } }}>
                  <TableCell>Run</TableCell>
                  <TableCell>Status</TableCell>
                  <TableCell>Launched by</TableCell>
                  <TableCell>Assets</TableCell>
                  <TableCell>Started</TableCell>
                  <TableCell>Duration</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {page.data.nodes.map((run) => (
                  <RunRow key={run.id} run={run} />
                ))}
              </TableBody>
            </Table>
          </Box>
        )}
        <Box component="nav" aria-label="Pagination" sx={{ display: "flex", justifyContent: "flex-end", gap: 1, p: 1, borderTop: "1px solid", borderColor: "divider" }}>
          <Button size="small" disabled={after === null} onClick={newer}>
            ‹ Newer
          </Button>
          <Button size="small" disabled={!page.data?.pageInfo.hasNextPage} onClick={older} data-testid="runs-older">
            Older ›
          </Button>
        </Box>
      </Card>
    </Box>
  );
}
