/**
 * A run's log, drawn a window at a time: only the lines in view (and a few around them) are in the DOM, so 10,000
 * lines draw as fast as 50. It follows new lines while scrolled to the bottom, and stops following when the
 * reader scrolls up.
 */
import { Box, FormControlLabel, Switch, Typography } from "@mui/material";
import { useEffect, useLayoutEffect, useRef, useState } from "react";
import type { RunLogLine } from "../types.ts";

const LINE_HEIGHT = 20;
const OVERSCAN = 20;

const LEVEL_COLOURS: Readonly<Record<RunLogLine["level"], string>> = { DEBUG: "#98a2b3", INFO: "#d0d5dd", WARN: "#fdb022", ERROR: "#f97066" };

function time(iso: string): string {
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? "" : at.toTimeString().slice(0, 8);
}

export function LogView({ lines, version, height = 420 }: { lines: readonly RunLogLine[]; version: number; height?: number }) {
  const box = useRef<HTMLDivElement>(null);
  const [top, setTop] = useState(0);
  const [follow, setFollow] = useState(true);
  const count = lines.length;

  // New lines while following: stay at the bottom.
  useLayoutEffect(() => {
    const element = box.current;
    if (element !== null && follow) element.scrollTop = element.scrollHeight;
  }, [version, count, follow]);

  // After the frame that shows them: what `npm run bench` reads.
  useEffect(() => {
    if (count > 0) requestAnimationFrame(() => setTimeout(() => performance.mark("tributary:run-logs-drawn", { detail: { lines: count } })));
  }, [count]);

  const first = Math.max(0, Math.floor(top / LINE_HEIGHT) - OVERSCAN);
  const last = Math.min(count, Math.ceil((top + height) / LINE_HEIGHT) + OVERSCAN);
  const visible = lines.slice(first, last);

  return (
    <Box>
      <Box sx={{ display: "flex", alignItems: "center", gap: 2, mb: 1 }}>
        <Typography variant="body2" sx={{ color: "text.secondary", flex: 1 }} data-testid="log-count">
          {count.toLocaleString("en")} line{count === 1 ? "" : "s"}
        </Typography>
        <FormControlLabel control={<Switch size="small" checked={follow} onChange={(event) => setFollow(event.target.checked)} />} label="Follow" />
      </Box>
      <Box
        ref={box}
        data-testid="run-logs"
        role="log"
        aria-label="Run log"
        tabIndex={0}
        onScroll={(event) => {
          const element = event.currentTarget;
          setTop(element.scrollTop);
          const atBottom = element.scrollHeight - element.scrollTop - element.clientHeight < LINE_HEIGHT * 2;
          if (atBottom !== follow) setFollow(atBottom);
        }}
        sx={{ height, overflow: "auto", bgcolor: "#101828", color: "#e4e7ec", borderRadius: 1.5, fontFamily: "ui-monospace, SFMono-Regular, Menlo, monospace", fontSize: 12.5 }}
      >
        {count === 0 ? (
          <Box sx={{ p: 2, color: "#98a2b3" }}>No log lines yet.</Box>
        ) : (
          <Box sx={{ position: "relative", height: count * LINE_HEIGHT, minWidth: "100%" }}>
            <Box sx={{ position: "absolute", top: first * LINE_HEIGHT, left: 0, right: 0 }}>
              {visible.map((line) => (
                <div key={line.id} className="log-line" data-level={line.level} style={{ height: LINE_HEIGHT, lineHeight: `${LINE_HEIGHT}px`, whiteSpace: "pre", padding: "0 12px" }}>
                  <span style={{ color: "#667085" }}>{time(line.at)} </span>
                  <span style={{ color: LEVEL_COLOURS[line.level], fontWeight: 600 }}>{line.level.padEnd(5)} </span>
                  {line.stepIndex !== null && <span style={{ color: "#84adff" }}>[step {line.stepIndex + 1}] </span>}
                  {line.message}
                </div>
              ))}
            </Box>
          </Box>
        )}
      </Box>
    </Box>
  );
}
