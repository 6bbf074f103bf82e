/**
 * The partitions bar of a partitioned asset, as Dagster's partitions view draws it: every partition, first to
 * last, coloured by its state (materialized, failed, in progress, missing), with a legend that counts each state
 * and a tooltip naming the partition under the pointer. Click a partition, or drag across several, to select a
 * range; a caller whose role may launch backfills it from here (one run per partition) and lands on the
 * backfill's page. A backfill refused because an unpartitioned upstream was never built says which, and offers
 * to build it once first.
 */
import { Alert, Box, Button, Link as MuiLink, Typography } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { useRef, useState, type PointerEvent } from "react";
import { HttpError, useNotify } from "react-admin";
import { Link, useNavigate } from "react-router-dom";
import { backfillPath } from "../backfills/paths.ts";
import { BACKFILL_STATUS_STYLES, indexAtX, PARTITION_FILL, PARTITION_LABEL, selectedRange } from "../backfills/status.ts";
import { TimeText } from "../common/time-text.tsx";
import { useTributary } from "../common/use-tributary.ts";
import { useLaunchCapability } from "../runs/run-actions.tsx";
import { StateChip } from "../runs/state-chip.tsx";
import { TokenButton } from "../runs/token-dialog.tsx";
import type { AssetPartitions, PartitionState } from "../types.ts";
import { Panel } from "./panels.tsx";

interface Selection {
  readonly first: number;
  readonly last: number;
}

function stateAt(partitions: AssetPartitions, index: number): PartitionState {
  return partitions.ranges.find((r) => r.firstIndex <= index && index <= r.lastIndex)?.state ?? "MISSING";
}

/** The key of partition `index`, when loaded (the latest 1,000 are). */
function keyAt(partitions: AssetPartitions, index: number): string | undefined {
  return partitions.keys[index - partitions.keyOffset];
}

const percent = (index: number, total: number) => `${(index / total) * 100}%`;

function PartitionBar({ partitions, selection, onSelect }: { partitions: AssetPartitions; selection: Selection | null; onSelect: (range: Selection) => void }) {
  const bar = useRef<HTMLDivElement>(null);
  const [dragFrom, setDragFrom] = useState<number | null>(null);
  const [hover, setHover] = useState<number | null>(null);
  const total = partitions.total;
  // Only partitions whose keys are loaded (the latest 1,000) can be selected.
  const firstSelectable = partitions.keyOffset;
  const indexOf = (event: PointerEvent<HTMLDivElement>) => {
    const box = bar.current!.getBoundingClientRect();
    return Math.max(firstSelectable, indexAtX(event.clientX - box.left, box.width, total));
  };
  const hoverKey = hover === null ? undefined : (keyAt(partitions, hover) ?? `partition ${hover + 1}`);
  return (
    <Box sx={{ position: "relative", pt: 3.5 }}>
      {hover !== null && hoverKey !== undefined && (
        <Box
          role="tooltip"
          data-testid="partition-tooltip"
          data-key={hoverKey}
          data-state={stateAt(partitions, hover)}
          sx={{
            position: "absolute",
            top: 0,
            left: `clamp(70px, ${percent(hover + 0.5, total)}, calc(100% - 70px))`,
            transform: "translateX(-50%)",
            display: "flex",
            alignItems: "center",
            gap: 0.75,
            px: 1,
            py: 0.25,
            borderRadius: 1,
            bgcolor: "#101828",
            color: "#fff",
            fontSize: 12,
            whiteSpace: "nowrap",
            pointerEvents: "none",
            zIndex: 1,
          }}
        >
          <Box component="span" sx={{ width: 8, height: 8, borderRadius: 0.5, bgcolor: PARTITION_FILL[stateAt(partitions, hover)] }} />
          <Box component="span" sx={{ fontFamily: "monospace" }}>
            {hoverKey}
          </Box>
          <span>{PARTITION_LABEL[stateAt(partitions, hover)]}</span>
        </Box>
      )}
      <Box
        ref={bar}
        role="slider"
        aria-label="Partitions: click one or drag across several to select them"
        aria-valuemin={0}
        aria-valuemax={Math.max(0, total - 1)}
        aria-valuenow={selection?.first ?? 0}
        aria-valuetext={selection ? `${keyAt(partitions, selection.first) ?? ""} to ${keyAt(partitions, selection.last) ?? ""}` : "nothing selected"}
        data-testid="partitions-bar"
        onPointerDown={(event) => {
          if (total === 0) return;
          bar.current!.setPointerCapture?.(event.pointerId);
          const index = indexOf(event);
          setDragFrom(index);
          onSelect({ first: index, last: index });
        }}
        onPointerMove={(event) => {
          if (total === 0) return;
          const index = indexOf(event);
          setHover(index);
          if (dragFrom !== null) onSelect(selectedRange(dragFrom, index));
        }}
        onPointerUp={() => setDragFrom(null)}
        onPointerLeave={() => setHover(null)}
        sx={{ position: "relative", display: "flex", height: 36, borderRadius: 1, overflow: "hidden", cursor: "crosshair", userSelect: "none", touchAction: "none", bgcolor: PARTITION_FILL.MISSING }}
      >
        {partitions.ranges.map((range) => (
          <Box
            key={range.firstIndex}
            data-testid="partition-range"
            data-state={range.state}
            data-first={range.firstKey}
            data-last={range.lastKey}
            data-count={range.count}
            sx={{ flexGrow: range.count, flexBasis: 0, minWidth: 2, bgcolor: PARTITION_FILL[range.state], boxShadow: "inset -1px 0 0 rgba(255,255,255,0.7)", "&:last-of-type": { boxShadow: "none" } }}
          />
        ))}
        {hover !== null && (
          <Box sx={{ position: "absolute", top: 0, bottom: 0, left: percent(hover, total), width: `max(2px, ${percent(1, total)})`, bgcolor: "rgba(16, 24, 40, 0.25)", pointerEvents: "none" }} />
        )}
        {selection && total > 0 && (
          <Box
            data-testid="partitions-selection"
            sx={{
              position: "absolute",
              top: 0,
              bottom: 0,
              left: percent(selection.first, total),
              width: percent(selection.last - selection.first + 1, total),
              minWidth: 4,
              boxSizing: "border-box",
              border: "2px solid #101828",
              borderRadius: 0.5,
              bgcolor: "rgba(16, 24, 40, 0.14)",
              pointerEvents: "none",
            }}
          />
        )}
      </Box>
      <Box sx={{ display: "flex", justifyContent: "space-between", mt: 0.5, color: "text.secondary" }}>
        <Typography variant="caption" sx={{ fontFamily: "monospace" }}>
          {partitions.ranges[0]?.firstKey ?? ""}
        </Typography>
        <Typography variant="caption" sx={{ fontFamily: "monospace" }}>
          {partitions.latestKey ?? ""}
        </Typography>
      </Box>
    </Box>
  );
}

function Legend({ partitions }: { partitions: AssetPartitions }) {
  const items: [PartitionState, number][] = [
    ["MATERIALIZED", partitions.materialized],
    ["IN_PROGRESS", partitions.inProgress],
    ["FAILED", partitions.failed],
    ["MISSING", partitions.missing],
  ];
  return (
    <Box sx={{ display: "flex", gap: 2.5, flexWrap: "wrap" }} data-testid="partitions-legend">
      {items.map(([state, count]) => (
        <Box key={state} sx={{ display: "flex", alignItems: "center", gap: 0.75 }} data-state={state} data-count={count}>
          <Box sx={{ width: 12, height: 12, borderRadius: 0.5, bgcolor: PARTITION_FILL[state], border: state === "MISSING" ? "1px solid #d0d5dd" : 0 }} />
          <Typography variant="body2">
            <strong>{count.toLocaleString("en")}</strong> {PARTITION_LABEL[state]}
          </Typography>
        </Box>
      ))}
    </Box>
  );
}

function RecentBackfills({ assetKey }: { assetKey: string }) {
  const dataProvider = useTributary();
  const backfills = useQuery({
    queryKey: ["backfills", assetKey],
    queryFn: () => dataProvider.backfills(assetKey, 5),
    refetchInterval: (state) => (state.state.data?.some((b) => b.status === "RUNNING") ? 3_000 : false),
  });
  if (!backfills.data || backfills.data.length === 0) return null;
  return (
    <Box sx={{ mt: 2, pt: 1.5, borderTop: "1px solid", borderColor: "divider" }}>
      <Box sx={{ display: "flex", alignItems: "baseline", mb: 0.5 }}>
        <Typography variant="subtitle2" sx={{ flex: 1 }}>
          Recent backfills
        </Typography>
        <MuiLink component={Link} to="/backfills" variant="body2">
          All backfills
        </MuiLink>
      </Box>
      {backfills.data.map((backfill) => (
        <Box key={backfill.id} sx={{ display: "flex", alignItems: "center", gap: 1, py: 0.5 }} data-testid="asset-backfill">
          <StateChip style={BACKFILL_STATUS_STYLES[backfill.status]} value={backfill.status} />
          <MuiLink component={Link} to={backfillPath(backfill.id)} variant="body2" sx={{ fontFamily: "monospace" }}>
            {backfill.from === backfill.to ? backfill.from : `${backfill.from} … ${backfill.to}`}
          </MuiLink>
          <Typography variant="body2" sx={{ color: "text.secondary" }}>
            {backfill.counts.succeeded}/{backfill.counts.total} succeeded · <TimeText iso={backfill.createdAt} />
            {backfill.launchedBy ? ` by ${backfill.launchedBy}` : ""}
          </Typography>
        </Box>
      ))}
    </Box>
  );
}

/** A refusal because unpartitioned upstream assets were never built: their keys and the server's sentence. */
interface UnbuiltUpstream {
  readonly message: string;
  readonly assetKeys: readonly string[];
}

function unbuiltUpstream(error: unknown): UnbuiltUpstream | null {
  if (!(error instanceof HttpError)) return null;
  const body = error.body as { code?: string; upstreamAssetKeys?: unknown } | undefined;
  if (body?.code !== "UPSTREAM_NOT_BUILT") return null;
  return { message: error.message, assetKeys: Array.isArray(body.upstreamAssetKeys) ? body.upstreamAssetKeys.map(String) : [] };
}

export function PartitionsPanel({ assetKey }: { assetKey: string }) {
  const dataProvider = useTributary();
  const capability = useLaunchCapability();
  const notify = useNotify();
  const navigate = useNavigate();
  const [selection, setSelection] = useState<Selection | null>(null);
  const [busy, setBusy] = useState(false);
  const [upstream, setUpstream] = useState<UnbuiltUpstream | null>(null);
  const query = useQuery({
    queryKey: ["partitions", assetKey],
    queryFn: () => dataProvider.partitions(assetKey),
    refetchInterval: (state) => ((state.state.data?.inProgress ?? 0) > 0 ? 3_000 : false),
  });
  const partitions = query.data;
  if (!partitions) return null;
  const from = selection ? keyAt(partitions, selection.first) : undefined;
  const to = selection ? keyAt(partitions, selection.last) : undefined;
  const count = selection ? selection.last - selection.first + 1 : 0;
  const select = (range: Selection | null) => {
    setSelection(range);
    setUpstream(null);
  };
  const launch = async (buildUpstream: boolean) => {
    if (!from || !to) return;
    setBusy(true);
    try {
      const id = await dataProvider.launchBackfill([assetKey], from, to, buildUpstream);
      void navigate(backfillPath(id));
    } catch (error) {
      const refused = unbuiltUpstream(error);
      if (refused) setUpstream(refused);
      else notify(error instanceof Error ? error.message : String(error), { type: "error" });
    } finally {
      setBusy(false);
    }
  };
  const plural = (n: number) => `${n.toLocaleString("en")} partition${n === 1 ? "" : "s"}`;
  return (
    <Panel title={<>Partitions <Typography component="span" sx={{ color: "text.secondary" }}>{partitions.total.toLocaleString("en")}</Typography></>} id="partitions" testId="partitions-panel">
      <Typography variant="body2" sx={{ color: "text.secondary", mb: 1.5 }}>
        {partitions.description[0]?.toUpperCase()}
        {partitions.description.slice(1)}; each partition is one build with {partitions.windowArgs}.
      </Typography>
      {partitions.total === 0 ? (
        <Alert severity="info">No partition has ended yet: the first one exists once its window has passed.</Alert>
      ) : (
        <>
          <Legend partitions={partitions} />
          <PartitionBar partitions={partitions} selection={selection} onSelect={select} />
          <Box sx={{ display: "flex", alignItems: "center", gap: 1.5, mt: 1, flexWrap: "wrap", minHeight: 36 }}>
            <Typography variant="body2" data-testid="partitions-selected" sx={{ color: selection ? "text.primary" : "text.secondary" }}>
              {selection && from && to ? (
                <>
                  Selected <strong>{from}</strong>
                  {count > 1 ? (
                    <>
                      {" … "}
                      <strong>{to}</strong>
                    </>
                  ) : null}{" "}
                  ({plural(count)})
                </>
              ) : (
                "Click a partition, or drag across several, to select them."
              )}
            </Typography>
            {selection && (
              <Button size="small" onClick={() => select(null)} sx={{ minWidth: 0 }} data-testid="partitions-clear">
                Clear
              </Button>
            )}
            <Box sx={{ flex: 1 }} />
            {capability?.available === false ? (
              <>
                <Typography variant="caption" sx={{ color: "text.secondary", maxWidth: 320 }} data-testid="backfill-unavailable">
                  {capability.reason ?? "This server cannot launch backfills."}
                </Typography>
                <TokenButton />
              </>
            ) : (
              <Button variant="contained" size="small" disabled={!selection || busy || capability === undefined} onClick={() => void launch(false)} data-testid="launch-backfill">
                {busy ? "Launching…" : count > 0 ? `Backfill ${plural(count)}` : "Backfill"}
              </Button>
            )}
          </Box>
          {upstream && (
            <Alert
              severity="warning"
              sx={{ mt: 1.5 }}
              data-testid="backfill-upstream-unbuilt"
              action={
                <Button color="inherit" size="small" disabled={busy} onClick={() => void launch(true)} data-testid="launch-backfill-build-upstream" sx={{ whiteSpace: "nowrap" }}>
                  Build {upstream.assetKeys.length === 1 ? upstream.assetKeys[0] : `${upstream.assetKeys.length} upstream assets`} first
                </Button>
              }
            >
              {upstream.message}
            </Alert>
          )}
        </>
      )}
      <RecentBackfills assetKey={assetKey} />
    </Panel>
  );
}
