/**
 * The runtime trend: how long each materialization took, over time (@mui/x-charts). Successes are a line with a
 * mark per run; failures are red crosses (at their duration, or on the axis when the tool gave none); spikes
 * (twice the median or more) get a larger amber mark; the dashed line is the median. A mark opens its run.
 * Loaded on its own, so the chart library costs nothing until a history is there to plot.
 */
import { ChartsReferenceLine } from "@mui/x-charts/ChartsReferenceLine";
import { LineChart } from "@mui/x-charts/LineChart";
import { useEffect, useMemo } from "react";
import { useNavigate } from "react-router-dom";
import { formatDuration, shortTime } from "../common/time.ts";
import { runPath } from "../runs/paths.ts";
import { axisSeconds, drawnPoints, type RuntimeSeries } from "./history-data.ts";

const SUCCESS = "#2e90fa";
const FAILURE = "#d92d20";
const SPIKE = "#f79009";

export default function RuntimePlot({ series, height = 260 }: { series: RuntimeSeries; height?: number }) {
  const navigate = useNavigate();
  const { medianMs } = series;
  // A thousand points are more than the plot's width shows: draw at most ~400, every failure and spike kept.
  const points = useMemo(() => drawnPoints(series.points), [series.points]);
  const data = useMemo(() => {
    const x = points.map((p) => p.at);
    return {
      x,
      ok: points.map((p) => (p.failed ? null : p.ms === null ? null : p.ms / 1000)),
      failed: points.map((p) => (p.failed ? (p.ms ?? 0) / 1000 : null)),
      spikes: points.map((p) => (p.spike && !p.failed ? p.ms! / 1000 : null)),
    };
  }, [points]);
  // From the render that got the points to the frame that shows them: what `npm run bench` reads.
  const started = useMemo(() => performance.now(), [points]);
  useEffect(() => {
    requestAnimationFrame(() => {
      performance.measure("tributary:runtime-plot", { start: started, end: performance.now(), detail: { points: series.points.length } });
      performance.mark("tributary:runtime-plot-drawn", { detail: { points: series.points.length } });
    });
  }, [points, series.points.length, started]);
  const seconds = (value: number | null) => (value === null ? "" : (formatDuration(value * 1000) ?? ""));
  return (
    <div data-testid="runtime-plot" data-points={series.points.length} data-drawn={points.length} data-failures={series.failures} data-spikes={series.spikes}>
      <LineChart
        height={height}
        skipAnimation
        margin={{ left: 4, right: 12, top: 12, bottom: 4 }}
        grid={{ horizontal: true }}
        xAxis={[{ scaleType: "time", data: data.x, valueFormatter: (value: Date) => shortTime(value.toISOString()), tickNumber: 5 }]}
        yAxis={[{ min: 0, label: "seconds", width: 60, valueFormatter: axisSeconds }]}
        series={[
          { id: "ok", data: data.ok, label: "took", color: SUCCESS, connectNulls: true, showMark: points.length <= 200, curve: "linear", valueFormatter: seconds, shape: "circle" },
          { id: "failed", data: data.failed, label: "failed", color: FAILURE, showMark: true, curve: "linear", valueFormatter: (v) => (v === null ? "" : "failed"), shape: "cross" },
          { id: "spike", data: data.spikes, label: "spike (≥ 2× median)", color: SPIKE, showMark: true, curve: "linear", valueFormatter: seconds, shape: "diamond" },
        ]}
        onMarkClick={(_event, item) => {
          const runId = item.dataIndex === undefined ? null : (points[item.dataIndex]?.runId ?? null);
          if (runId !== null) void navigate(runPath(runId));
        }}
        sx={{ "& .MuiLineElement-series-failed, & .MuiLineElement-series-spike": { display: "none" } }}
      >
        {medianMs !== null && <ChartsReferenceLine y={medianMs / 1000} label={`median ${formatDuration(medianMs) ?? ""}`} labelAlign="start" lineStyle={{ strokeDasharray: "4 3", stroke: "#98a2b3" }} labelStyle={{ fontSize: 11, fill: "#667085" }} />}
      </LineChart>
    </div>
  );
}
