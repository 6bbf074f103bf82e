/**
 * The interactive lineage graph around one asset: direction and depth controls, nodes coloured by the tool that
 * builds them, a dagre layout computed in a web worker, pan (drag) and zoom (wheel, buttons, + and -), search
 * within the graph, and a click (or Enter on a focused node) opens that asset. Pan and zoom move one SVG
 * transform without re-rendering the nodes, so 500 nodes stay smooth.
 */
import CenterFocusStrongIcon from "@mui/icons-material/CenterFocusStrong";
import ZoomInIcon from "@mui/icons-material/ZoomIn";
import ZoomOutIcon from "@mui/icons-material/ZoomOut";
import {
  Box,
  FormControl,
  IconButton,
  InputAdornment,
  InputLabel,
  MenuItem,
  Select,
  TextField,
  ToggleButton,
  ToggleButtonGroup,
  Tooltip,
  Typography,
} from "@mui/material";
import SearchIcon from "@mui/icons-material/Search";
import { useQuery } from "@tanstack/react-query";
import { memo, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useNavigate, useSearchParams } from "react-router-dom";
import { EmptyState, ErrorState, LoadingLines } from "../common/states.tsx";
import { ago } from "../common/format.ts";
import { STATUS_ORDER, statusStyle } from "../common/status.ts";
import { primaryTool, ToolMark, toolStyle } from "../common/tools.tsx";
import { useTributary } from "../common/use-tributary.ts";
import { assetPath } from "../assets/paths.ts";
import type { LineageDirection, LineageGraph as LineageData } from "../types.ts";
import { NODE_HEIGHT, type LayoutResult, type PlacedEdge } from "./layout.ts";
import { runLayout } from "./run-layout.ts";
import { staleBehindFailure } from "./status.ts";

const DEPTHS: readonly { value: number; label: string }[] = [
  { value: 1, label: "1 hop" },
  { value: 2, label: "2 hops" },
  { value: 3, label: "3 hops" },
  { value: 5, label: "5 hops" },
  { value: 0, label: "All" },
];

const DIRECTIONS: readonly LineageDirection[] = ["UPSTREAM", "DOWNSTREAM", "BOTH"];

/** The lowest the canvas gets for a flat graph (room for the legend and a row of nodes). */
const MIN_CANVAS = 220;

interface View {
  x: number;
  y: number;
  k: number;
}

function edgePath(points: PlacedEdge["points"]): string {
  if (points.length === 0) return "";
  const [first, ...rest] = points;
  if (first === undefined) return "";
  if (rest.length === 0) return `M${first.x},${first.y}`;
  // A smooth curve through dagre's bend points (Catmull-Rom as cubic Béziers).
  let d = `M${first.x},${first.y}`;
  const all = points;
  for (let i = 0; i < all.length - 1; i++) {
    const p0 = all[Math.max(0, i - 1)]!;
    const p1 = all[i]!;
    const p2 = all[i + 1]!;
    const p3 = all[Math.min(all.length - 1, i + 2)]!;
    const c1x = p1.x + (p2.x - p0.x) / 6;
    const c1y = p1.y + (p2.y - p0.y) / 6;
    const c2x = p2.x - (p3.x - p1.x) / 6;
    const c2y = p2.y - (p3.y - p1.y) / 6;
    d += ` C${c1x.toFixed(1)},${c1y.toFixed(1)} ${c2x.toFixed(1)},${c2y.toFixed(1)} ${p2.x.toFixed(1)},${p2.y.toFixed(1)}`;
  }
  return d;
}

function clip(label: string, width: number): string {
  const room = Math.floor((width - 40) / 7.2);
  return label.length <= room ? label : `${label.slice(0, Math.max(1, room - 1))}…`;
}

export type ColourBy = "tool" | "status";

interface SceneProps {
  readonly layout: LayoutResult;
  readonly data: LineageData;
  readonly focusKey: string;
  readonly matches: ReadonlySet<string> | null;
  readonly onOpen: (key: string) => void;
  readonly colourBy: ColourBy;
}

/** ", updated 5 min ago" for a node's tooltip; "" when never updated. */
function updatedText(iso: string | null): string {
  const when = iso === null ? null : ago(iso);
  return when === null ? "" : `, updated ${when}`;
}

/** Nodes and edges; memoized so panning and zooming never re-render them. */
const Scene = memo(function Scene({ layout, data, focusKey, matches, onOpen, colourBy }: SceneProps) {
  const tools = useMemo(() => new Map(data.nodes.map((node) => [node.key, primaryTool(node.kinds, node.materializedBy)])), [data]);
  const statuses = useMemo(() => new Map(data.nodes.map((node) => [node.key, node.status])), [data]);
  const updated = useMemo(() => new Map(data.nodes.map((node) => [node.key, node.lastUpdatedAt])), [data]);
  const held = useMemo(() => (colourBy === "status" ? staleBehindFailure(data) : new Set<string>()), [data, colourBy]);
  return (
    <>
      <g className="edges" fill="none">
        {layout.edges.map((edge) => {
          const from = tools.get(edge.from) ?? "";
          const to = tools.get(edge.to) ?? "";
          const crossTool = from !== to;
          const dim = matches !== null && !(matches.has(edge.from) && matches.has(edge.to));
          return (
            <path
              key={`${edge.from}→${edge.to}`}
              d={edgePath(edge.points)}
              stroke={crossTool ? toolStyle(to).color : "#98a2b3"}
              strokeWidth={crossTool ? 1.8 : 1.2}
              strokeDasharray={crossTool ? "5 3" : undefined}
              opacity={dim ? 0.15 : 0.85}
              markerEnd="url(#lineage-arrow)"
            />
          );
        })}
      </g>
      <g className="nodes">
        {layout.nodes.map((node) => {
          const tool = tools.get(node.key) ?? "";
          const style = toolStyle(tool);
          const status = statusStyle(statuses.get(node.key) ?? "NEVER_MATERIALIZED");
          const byStatus = colourBy === "status";
          const behind = held.has(node.key);
          const focused = node.key === focusKey;
          const matched = matches?.has(node.key) ?? false;
          const dim = matches !== null && !matched;
          const fill = focused ? `${style.color}26` : matched ? "#fff7d6" : byStatus ? status.background : "#ffffff";
          const stroke = matched ? "#f5b400" : byStatus ? (behind ? "#f79009" : status.color) : focused ? style.color : "#d0d5dd";
          return (
            <g
              key={node.key}
              transform={`translate(${node.x - node.width / 2},${node.y - NODE_HEIGHT / 2})`}
              role="link"
              tabIndex={0}
              aria-label={`${node.key} (${style.label}, ${status.label})${focused ? ", this asset" : ""}`}
              data-node-key={node.key}
              data-status={statuses.get(node.key)}
              data-behind-failure={behind ? "true" : undefined}
              className="lineage-node"
              style={{ cursor: "pointer", opacity: dim ? 0.3 : 1 }}
              onClick={() => onOpen(node.key)}
              onKeyDown={(event) => {
                if (event.key === "Enter" || event.key === " ") {
                  event.preventDefault();
                  onOpen(node.key);
                }
              }}
            >
              <title>{`${node.key}: ${status.label}${updatedText(updated.get(node.key) ?? null)}${behind ? " (behind a failure upstream)" : ""}`}</title>
              <rect
                width={node.width}
                height={NODE_HEIGHT}
                rx={8}
                fill={fill}
                stroke={stroke}
                strokeWidth={focused || matched || behind ? 2.5 : byStatus ? 1.5 : 1}
                strokeDasharray={behind ? "4 2" : undefined}
              />
              <circle cx={node.width - 10} cy={10} r={4} fill={status.color} />
              <rect width={5} height={NODE_HEIGHT - 12} x={6} y={6} rx={2.5} fill={style.color} />
              <circle cx={22} cy={NODE_HEIGHT / 2} r={7} fill={style.color} />
              <text x={22} y={NODE_HEIGHT / 2 + 3.5} textAnchor="middle" fontSize={9} fontWeight={700} fill={style.contrast}>
                {style.mark}
              </text>
              <text x={35} y={NODE_HEIGHT / 2 + 4} fontSize={12} fontWeight={focused ? 700 : 500} fill="#101828">
                {clip(node.key, node.width - 12)}
              </text>
            </g>
          );
        })}
      </g>
    </>
  );
});

/** The lineage graph of `assetKey`. */
export function LineageGraph({ assetKey, height = 520 }: { assetKey: string; height?: number }) {
  const dataProvider = useTributary();
  const navigate = useNavigate();
  // Direction and depth live in the URL (?direction=UPSTREAM&depth=2), so a graph view can be shared too.
  const [params, setParams] = useSearchParams();
  const direction: LineageDirection = DIRECTIONS.includes(params.get("direction") as LineageDirection) ? (params.get("direction") as LineageDirection) : "BOTH";
  const depthParam = Number(params.get("depth") ?? "3");
  const depth = Number.isInteger(depthParam) && depthParam >= 0 ? depthParam : 3;
  const setView = (next: { direction?: LineageDirection; depth?: number }) =>
    setParams(
      (current) => {
        const updated = new URLSearchParams(current);
        if (next.direction !== undefined) updated.set("direction", next.direction);
        if (next.depth !== undefined) updated.set("depth", String(next.depth));
        return updated;
      },
      { replace: true },
    );
  const depths = DEPTHS.some((d) => d.value === depth) ? DEPTHS : [...DEPTHS, { value: depth, label: `${depth} hops` }].sort((a, b) => (a.value || 1e9) - (b.value || 1e9));
  const colourBy: ColourBy = params.get("colour") === "status" ? "status" : "tool";
  const setColourBy = (next: ColourBy) =>
    setParams(
      (current) => {
        const updated = new URLSearchParams(current);
        updated.set("colour", next);
        return updated;
      },
      { replace: true },
    );
  const [search, setSearch] = useState("");
  const lineage = useQuery({
    queryKey: ["lineage", assetKey, direction, depth],
    queryFn: () => dataProvider.lineage({ key: assetKey, direction, depth: depth === 0 ? null : depth }),
  });
  const [layout, setLayout] = useState<{ data: LineageData; result: LayoutResult } | null>(null);
  const [layoutError, setLayoutError] = useState<unknown>(null);
  const svgRef = useRef<SVGSVGElement>(null);
  const sceneRef = useRef<SVGGElement>(null);
  const view = useRef<View>({ x: 0, y: 0, k: 1 });

  useEffect(() => {
    const data = lineage.data;
    if (data === undefined) return;
    let cancelled = false;
    const started = performance.now();
    runLayout({ nodes: data.nodes.map((node) => ({ key: node.key, label: node.key })), edges: data.edges })
      .then((result) => {
        if (cancelled) return;
        setLayout({ data, result });
        // Measured to the frame after the nodes are drawn: what `npm run bench` reads.
        requestAnimationFrame(() => {
          performance.measure("tributary:lineage-layout", { start: started, end: performance.now(), detail: { nodes: data.nodes.length, layoutMs: result.ms } });
        });
      })
      .catch((error: unknown) => !cancelled && setLayoutError(error));
    return () => {
      cancelled = true;
    };
  }, [lineage.data]);

  const apply = useCallback(() => {
    const { x, y, k } = view.current;
    sceneRef.current?.setAttribute("transform", `translate(${x},${y}) scale(${k})`);
  }, []);

  // The canvas is as tall as the fitted graph needs (up to `height`): a wide, flat graph leaves no empty band.
  const [canvasHeight, setCanvasHeight] = useState(height);
  useEffect(() => setCanvasHeight(height), [height, layout]);
  const fit = useCallback(() => {
    const svg = svgRef.current;
    if (svg === null || layout === null) return;
    const { width } = svg.getBoundingClientRect();
    const byWidth = Math.min(1.1, width / Math.max(1, layout.result.width));
    const readableZoom = byWidth < 0.6 && layout.result.nodes.length <= 80;
    const needed = Math.ceil(layout.result.height * (readableZoom ? 0.75 : byWidth)) + 56;
    const h = Math.max(MIN_CANVAS, Math.min(height, needed));
    if (h !== canvasHeight) setCanvasHeight(h);
    const whole = Math.min(width / Math.max(1, layout.result.width), h / Math.max(1, layout.result.height));
    const k = Math.min(1.1, Math.max(0.05, whole));
    const focus = layout.result.nodes.find((node) => node.key === assetKey);
    if (k < 0.6 && layout.result.nodes.length <= 80 && focus !== undefined) {
      // A small graph that fits only below 60 % stays readable: zoom to 75 % around the asset and let the rest be
      // panned to. Down to 60 % the whole graph shows: cutting a node off at the edge reads as a missing asset.
      const readable = 0.75;
      const x = Math.min(24, Math.max(width - layout.result.width * readable - 24, width / 2 - focus.x * readable));
      view.current = { k: readable, x, y: (h - layout.result.height * readable) / 2 };
    } else {
      view.current = { k, x: (width - layout.result.width * k) / 2, y: (h - layout.result.height * k) / 2 };
    }
    apply();
  }, [layout, apply, assetKey, height, canvasHeight]);

  useEffect(fit, [fit]);

  const zoomBy = useCallback(
    (factor: number, cx?: number, cy?: number) => {
      const svg = svgRef.current;
      if (svg === null) return;
      const rect = svg.getBoundingClientRect();
      const px = cx ?? rect.width / 2;
      const py = cy ?? rect.height / 2;
      const { x, y, k } = view.current;
      const next = Math.min(4, Math.max(0.05, k * factor));
      view.current = { k: next, x: px - ((px - x) * next) / k, y: py - ((py - y) * next) / k };
      apply();
    },
    [apply],
  );

  // Wheel zoom needs a non-passive listener to keep the page from scrolling.
  useEffect(() => {
    const svg = svgRef.current;
    if (svg === null) return;
    const onWheel = (event: WheelEvent) => {
      event.preventDefault();
      const rect = svg.getBoundingClientRect();
      zoomBy(Math.exp(-event.deltaY * 0.0015), event.clientX - rect.left, event.clientY - rect.top);
    };
    svg.addEventListener("wheel", onWheel, { passive: false });
    return () => svg.removeEventListener("wheel", onWheel);
  }, [zoomBy, layout]);

  const drag = useRef<{ x: number; y: number; moved: boolean } | null>(null);
  const onPointerDown = (event: React.PointerEvent<SVGSVGElement>) => {
    drag.current = { x: event.clientX, y: event.clientY, moved: false };
  };
  const onPointerMove = (event: React.PointerEvent<SVGSVGElement>) => {
    const start = drag.current;
    if (start === null || event.buttons === 0) return;
    const dx = event.clientX - start.x;
    const dy = event.clientY - start.y;
    if (!start.moved && Math.abs(dx) + Math.abs(dy) < 4) return;
    start.moved = true;
    view.current = { ...view.current, x: view.current.x + dx, y: view.current.y + dy };
    drag.current = { x: event.clientX, y: event.clientY, moved: true };
    apply();
  };
  const onPointerUp = () => {
    // A drag that moved is not a click on the node under the pointer.
    if (drag.current?.moved) {
      const stop = (event: Event) => event.stopPropagation();
      window.addEventListener("click", stop, { capture: true, once: true });
      setTimeout(() => window.removeEventListener("click", stop, { capture: true }), 0);
    }
    drag.current = null;
  };

  const matches = useMemo(() => {
    const words = search.trim().toLowerCase();
    if (words === "" || layout === null) return null;
    return new Set(layout.data.nodes.filter((node) => node.key.toLowerCase().includes(words)).map((node) => node.key));
  }, [search, layout]);

  const centreOn = (key: string) => {
    const node = layout?.result.nodes.find((n) => n.key === key);
    const svg = svgRef.current;
    if (node === undefined || svg === null) return;
    const rect = svg.getBoundingClientRect();
    const k = Math.max(view.current.k, 0.9);
    view.current = { k, x: rect.width / 2 - node.x * k, y: rect.height / 2 - node.y * k };
    apply();
  };

  const open = useCallback((key: string) => navigate(assetPath(key)), [navigate]);
  const tools = useMemo(
    () => (layout === null ? [] : [...new Set(layout.data.nodes.map((n) => primaryTool(n.kinds, n.materializedBy)))].sort()),
    [layout],
  );
  const stale = layout !== null && layout.data !== lineage.data;

  return (
    <Box data-testid="lineage-graph" data-colour-by={colourBy}>
      <Box sx={{ display: "flex", flexWrap: "wrap", gap: 1.5, alignItems: "center", mb: 1.5 }}>
        <ToggleButtonGroup
          size="small"
          exclusive
          value={direction}
          onChange={(_event, value: LineageDirection | null) => value && setView({ direction: value })}
          aria-label="Direction"
        >
          <ToggleButton value="UPSTREAM">Upstream</ToggleButton>
          <ToggleButton value="BOTH">Both</ToggleButton>
          <ToggleButton value="DOWNSTREAM">Downstream</ToggleButton>
        </ToggleButtonGroup>
        <ToggleButtonGroup size="small" exclusive value={colourBy} onChange={(_event, value: ColourBy | null) => value && setColourBy(value)} aria-label="Colour by">
          <ToggleButton value="tool">Tool</ToggleButton>
          <ToggleButton value="status">Status</ToggleButton>
        </ToggleButtonGroup>
        <FormControl size="small" sx={{ width: 120, flexShrink: 0 }}>
          <InputLabel id="lineage-depth">Depth</InputLabel>
          <Select labelId="lineage-depth" label="Depth" value={depth} onChange={(event) => setView({ depth: Number(event.target.value) })}>
            {depths.map(({ value, label }) => (
              <MenuItem key={value} value={value}>
                {label}
              </MenuItem>
            ))}
          </Select>
        </FormControl>
        <TextField
          size="small"
          placeholder="Find in graph"
          value={search}
          onChange={(event) => setSearch(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === "Enter" && matches !== null) {
              const first = [...matches][0];
              if (first !== undefined) centreOn(first);
            }
          }}
          slotProps={{
            htmlInput: { "aria-label": "Find in graph" },
            input: { startAdornment: <InputAdornment position="start"><SearchIcon fontSize="small" /></InputAdornment> },
          }}
          sx={{ width: 220 }}
        />
        {matches !== null && (
          <Typography variant="body2" sx={{ color: "text.secondary" }} aria-live="polite">
            {matches.size} match{matches.size === 1 ? "" : "es"}
          </Typography>
        )}
        <Box sx={{ flex: 1 }} />
        <Typography variant="body2" sx={{ color: "text.secondary" }} data-testid="lineage-count">
          {layout ? `${layout.data.nodes.length} assets, ${layout.data.edges.length} edges` : ""}
        </Typography>
        <Tooltip title="Zoom in (+)">
          <IconButton size="small" aria-label="Zoom in" onClick={() => zoomBy(1.25)}>
            <ZoomInIcon />
          </IconButton>
        </Tooltip>
        <Tooltip title="Zoom out (-)">
          <IconButton size="small" aria-label="Zoom out" onClick={() => zoomBy(0.8)}>
            <ZoomOutIcon />
          </IconButton>
        </Tooltip>
        <Tooltip title="Fit to view (0)">
          <IconButton size="small" aria-label="Fit to view" onClick={fit}>
            <CenterFocusStrongIcon />
          </IconButton>
        </Tooltip>
      </Box>
      <Box
        data-canvas-height={canvasHeight}
        sx={{ position: "relative", height: canvasHeight, border: "1px solid", borderColor: "divider", borderRadius: 2, overflow: "hidden", bgcolor: "#fbfcfd",
          backgroundImage: "radial-gradient(#e4e7ec 1px, transparent 1px)", backgroundSize: "18px 18px" }}
        onKeyDown={(event) => {
          if (event.target instanceof HTMLInputElement) return;
          if (event.key === "+" || event.key === "=") zoomBy(1.25);
          else if (event.key === "-") zoomBy(0.8);
          else if (event.key === "0") fit();
        }}
      >
        {lineage.isError ? (
          <Box sx={{ p: 2 }}>
            <ErrorState error={lineage.error} title="Lineage unavailable" onRetry={() => void lineage.refetch()} />
          </Box>
        ) : layoutError !== null ? (
          <Box sx={{ p: 2 }}>
            <ErrorState error={layoutError} title="The graph could not be laid out" />
          </Box>
        ) : layout === null ? (
          <Box sx={{ p: 3 }}>
            <LoadingLines lines={4} height={30} />
          </Box>
        ) : layout.data.nodes.length <= 1 ? (
          <EmptyState title="No lineage in this direction">
            Nothing is {direction === "UPSTREAM" ? "upstream of" : direction === "DOWNSTREAM" ? "downstream of" : "connected to"} this asset.
          </EmptyState>
        ) : (
          <svg
            ref={svgRef}
            width="100%"
            height="100%"
            role="group"
            aria-label={`Lineage graph of ${assetKey}: ${layout.data.nodes.length} assets`}
            style={{ touchAction: "none", userSelect: "none", opacity: stale || lineage.isFetching ? 0.6 : 1, cursor: "grab" }}
            onPointerDown={onPointerDown}
            onPointerMove={onPointerMove}
            onPointerUp={onPointerUp}
            onPointerLeave={() => (drag.current = null)}
          >
            <defs>
              <marker id="lineage-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                <path d="M 0 0 L 10 5 L 0 10 z" fill="#98a2b3" />
              </marker>
            </defs>
            <g ref={sceneRef} data-testid="lineage-scene">
              <Scene layout={layout.result} data={layout.data} focusKey={assetKey} matches={matches} onOpen={open} colourBy={colourBy} />
            </g>
          </svg>
        )}
        {layout !== null && colourBy === "status" && (
          <Box data-testid="status-legend" sx={{ position: "absolute", left: 12, bottom: 10, display: "flex", flexWrap: "wrap", gap: 1.5, bgcolor: "rgba(255,255,255,0.9)", px: 1.25, py: 0.5, borderRadius: 1, border: "1px solid", borderColor: "divider" }}>
            {STATUS_ORDER.map((status) => (
              <Box key={status} sx={{ display: "flex", alignItems: "center", gap: 0.5 }}>
                <Box component="span" sx={{ width: 9, height: 9, borderRadius: "50%", bgcolor: statusStyle(status).color }} />
                <Typography variant="caption">{statusStyle(status).label}</Typography>
              </Box>
            ))}
            <Typography variant="caption" sx={{ color: "text.secondary" }}>
              ⋯ orange dashed: stale behind a failure
            </Typography>
          </Box>
        )}
        {layout !== null && colourBy === "tool" && tools.length > 0 && (
          <Box sx={{ position: "absolute", left: 12, bottom: 10, display: "flex", gap: 1.5, bgcolor: "rgba(255,255,255,0.9)", px: 1.25, py: 0.5, borderRadius: 1, border: "1px solid", borderColor: "divider" }}>
            {tools.map((tool) => (
              <Box key={tool} sx={{ display: "flex", alignItems: "center", gap: 0.5 }}>
                <ToolMark kind={tool} size={12} />
                <Typography variant="caption">{toolStyle(tool).label}</Typography>
              </Box>
            ))}
            <Typography variant="caption" sx={{ color: "text.secondary" }}>
              ⋯ dashed: across tools
            </Typography>
          </Box>
        )}
      </Box>
    </Box>
  );
}
