/**
 * The partitions bar of a partitioned asset: every partition, first to last, coloured by its state
 * (materialized, failed, in progress, missing). Click a partition, or drag across several, to select a range;
 * a caller whose role may launch backfills it from here (one run per partition) and lands on the backfill's page.
 */
import { Alert, Box, Button, Link as MuiLink, Typography } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { useRef, useState, type PointerEvent } from "react";
import { useNotify } from "react-admin";
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

function stateAt(partitions: AssetPartitions, index: number): PartitionState {
  return partitions.ranges.find((r) => r.firstIndex <= index && index <= r.lastIndex)?.state ?? "MISSING";
}

function PartitionBar({ partitions, selection, onSelect }: { partitions: AssetPartitions; selection: { first: number; last: number } | null; onSelect: (range: { first: number; last: number }) => void }) {
  const bar = useRef<HTMLDivElement>(null);
  const [dragFrom, setDragFrom] = useState<number | null>(null);
  const [hover, setHover] = useState<number | null>(null);
  const total = partitions.total;
  // Keys beyond the first 1,000 are not loaded; the bar selects within those.
  const selectable = Math.min(total, partitions.keys.length);
  const indexOf = (event: PointerEvent<HTMLDivElement>) => {
    const box = bar.current!.getBoundingClientRect();
    return Math.min(selectable - 1, indexAtX(event.clientX - box.left, box.width, total));
  };
  const shown = hover ?? selection?.first ?? null;
  return (
    <Box>
      <Box
        ref={bar}
        role="slider"
        aria-label="Partitions"
        aria-valuemin={0}
        aria-valuemax={Math.max(0, total - 1)}
        aria-valuenow={selection?.first ?? 0}
        data-testid="partitions-bar"
        onPointerDown={(event) => {
          if (selectable === 0) return;
          bar.current!.setPointerCapture?.(event.pointerId);
          const index = indexOf(event);
          setDragFrom(index);
          onSelect({ first: index, last: index });
        }}
        onPointerMove={(event) => {
          if (selectable === 0) return;
          const index = indexOf(event);
          setHover(index);
          if (dragFrom !== null) onSelect(selectedRange(dragFrom, index));
        }}
        onPointerUp={() => setDragFrom(null)}
        onPointerLeave={() => setHover(null)}
        sx={{ position: "relative", display: "flex", height: 32, borderRadius: 1, overflow: "hidden", cursor: "crosshair", userSelect: "none", touchAction: "none", border: "1px solid", borderColor: "divider" }}
      >
        {partitions.ranges.map((range) => (
          <Box
            key={range.firstIndex}
            data-testid="partition-range"
            data-state={range.state}
            data-first={range.firstKey}
            data-last={range.lastKey}
            title={`${range.firstKey}${range.count > 1 ? ` … ${range.lastKey}` : ""}: ${PARTITION_LABEL[range.state]} (${range.count})`}
            sx={{ flexGrow: range.count, flexBasis: 0, bgcolor: PARTITION_FILL[range.state], borderRight: "1px solid #fff", "&:last-of-type": { borderRight: 0 } }}
          />
        ))}
        {selection && total > 0 && (
          <Box
            data-testid="partitions-selection"
            sx={{
              position: "absolute",
              top: 0,
              bottom: 0,
              left: `${(selection.first / total) * 100}%`,
              width: `${((selection.last - selection.first + 1) / total) * 100}%`,
              minWidth: 3,
              border: "2px solid #101828",
              bgcolor: "rgba(16, 24, 40, 0.12)",
              pointerEvents: "none",
            }}
          />
        )}
      </Box>
      <Box sx={{ display: "flex", justifyContent: "space-between", mt: 0.5 }}>
        <Typography variant="caption" sx={{ color: "text.secondary" }}>
          {partitions.keys[0] ?? ""}
        </Typography>
        <Typography variant="caption" sx={{ color: "text.secondary" }} data-testid="partition-hover">
          {shown !== null && partitions.keys[shown] ? `${partitions.keys[shown]}: ${PARTITION_LABEL[stateAt(partitions, shown)]}` : ""}
        </Typography>
        <Typography variant="caption" sx={{ color: "text.secondary" }}>
          {partitions.latestKey ?? ""}
        </Typography>
      </Box>
    </Box>
  );
}

function Legend({ partitions }: { partitions: AssetPartitions }) {
  const items: [PartitionState, number][] = [
    ["MATERIALIZED", partitions.materialized],
    ["FAILED", partitions.failed],
    ["IN_PROGRESS", partitions.inProgress],
    ["MISSING", partitions.missing],
  ];
  return (
    <Box sx={{ display: "flex", gap: 2, flexWrap: "wrap", mt: 1 }} data-testid="partitions-legend">
      {items.map(([state, count]) => (
        <Box key={state} sx={{ display: "flex", alignItems: "center", gap: 0.75 }} data-state={state} data-count={count}>
          <Box sx={{ width: 10, height: 10, borderRadius: 0.5, bgcolor: PARTITION_FILL[state], border: state === "MISSING" ? "1px solid #d0d5dd" : 0 }} />
          <Typography variant="body2">
            {count.toLocaleString("en")} {PARTITION_LABEL[state]}
          </Typography>
        </Box>
      ))}
    </Box>
  );
}

function RecentBackfills({ assetKey }: { assetKey: string }) {
  const dataProvider = useTributary();
  const backfills = useQuery({ queryKey: ["backfills", assetKey], queryFn: () => dataProvider.backfills(assetKey, 5) });
  if (!backfills.data || backfills.data.length === 0) return null;
  return (
    <Box sx={{ mt: 2 }}>
      <Typography variant="subtitle2" sx={{ mb: 0.5 }}>
        Recent backfills
      </Typography>
      {backfills.data.map((backfill) => (
        <Box key={backfill.id} sx={{ display: "flex", alignItems: "center", gap: 1, py: 0.5 }} data-testid="asset-backfill">
          <StateChip style={BACKFILL_STATUS_STYLES[backfill.status]} value={backfill.status} />
          <MuiLink component={Link} to={backfillPath(backfill.id)} variant="body2">
            {backfill.from} … {backfill.to}
          </MuiLink>
          <Typography variant="body2" sx={{ color: "text.secondary" }}>
            {backfill.counts.succeeded}/{backfill.counts.total} partitions · <TimeText iso={backfill.createdAt} />
          </Typography>
        </Box>
      ))}
    </Box>
  );
}

export function PartitionsPanel({ assetKey }: { assetKey: string }) {
  const dataProvider = useTributary();
  const capability = useLaunchCapability();
  const notify = useNotify();
  const navigate = useNavigate();
  const [selection, setSelection] = useState<{ first: number; last: number } | null>(null);
  const [busy, setBusy] = useState(false);
  const query = useQuery({
    queryKey: ["partitions", assetKey],
    queryFn: () => dataProvider.partitions(assetKey),
    refetchInterval: (state) => ((state.state.data?.inProgress ?? 0) > 0 ? 3_000 : false),
  });
  const partitions = query.data;
  if (!partitions) return null;
  const from = selection ? partitions.keys[selection.first] : undefined;
  const to = selection ? partitions.keys[selection.last] : undefined;
  const count = selection ? selection.last - selection.first + 1 : 0;
  const launch = async () => {
    if (!from || !to) return;
    setBusy(true);
    try {
      const id = await dataProvider.launchBackfill([assetKey], from, to);
      navigate(backfillPath(id));
    } catch (error) {
      notify(error instanceof Error ? error.message : String(error), { type: "error" });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Panel title={<>Partitions <Typography component="span" sx={{ color: "text.secondary" }}>{partitions.total.toLocaleString("en")}</Typography></>} id="partitions" testId="partitions-panel">
      <Typography variant="body2" sx={{ color: "text.secondary", mb: 1 }}>
        {partitions.description}; each partition builds with {partitions.windowArgs}
      </Typography>
      {partitions.total === 0 ? (
        <Alert severity="info">No partition has ended yet: the first one exists once its window has passed.</Alert>
      ) : (
        <>
          <PartitionBar partitions={partitions} selection={selection} onSelect={setSelection} />
          <Legend partitions={partitions} />
          <Box sx={{ display: "flex", alignItems: "center", gap: 1.5, mt: 1.5, flexWrap: "wrap", minHeight: 32 }}>
            <Typography variant="body2" data-testid="partitions-selected">
              {selection && from && to ? `Selected ${from}${count > 1 ? ` … ${to}` : ""} (${count} partition${count === 1 ? "" : "s"})` : "Click a partition or drag across several to select them."}
            </Typography>
            <Box sx={{ flex: 1 }} />
            {capability?.available === false ? (
              <>
                <Typography variant="caption" sx={{ color: "text.secondary", maxWidth: 320 }} data-testid="backfill-unavailable">
                  {capability.reason ?? "This server cannot launch backfills."}
                </Typography>
                <TokenButton />
              </>
            ) : (
              <Button variant="contained" size="small" disabled={!selection || busy || capability === undefined} onClick={() => void launch()} data-testid="launch-backfill">
                {busy ? "Launching…" : count > 0 ? `Backfill ${count} partition${count === 1 ? "" : "s"}` : "Backfill"}
              </Button>
            )}
          </Box>
        </>
      )}
      <RecentBackfills assetKey={assetKey} />
    </Panel>
  );
}
