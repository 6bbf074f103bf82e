/**
 * The asset page's history beside the materializations: each check's recent results (a strip of outcomes,
 * oldest to newest, with failing-row counts) and the evaluation timeline — for each stored tick, what held and
 * what changed: why it did or did not run.
 */
import { Box, Chip, Tooltip, Typography } from "@mui/material";
import { EmptyState } from "../common/states.tsx";
import { TimeText } from "../common/time-text.tsx";
import { exactTime } from "../common/time.ts";
import { CHECK_OUTCOME_STYLES } from "../runs/run-status.ts";
import { StateChip } from "../runs/state-chip.tsx";
import type { Evaluation } from "../types.ts";
import { EvaluationView } from "./evaluation-view.tsx";
import { evaluationTimeline, isFailing, type CheckHistory } from "./history-data.ts";
import { Panel } from "./panels.tsx";

/** The latest result of a check, with its failing rows. */
export function LatestResult({ history }: { history: CheckHistory | undefined }) {
  if (history === undefined) {
    return (
      <Typography variant="caption" sx={{ color: "text.disabled" }}>
        never ran
      </Typography>
    );
  }
  const { latest } = history;
  return (
    <Box data-testid="check-latest" data-outcome={latest.outcome}>
      <StateChip style={CHECK_OUTCOME_STYLES[latest.outcome]} value={latest.outcome} />
      {latest.failures !== null && latest.failures > 0 && (
        <Typography variant="caption" component="div" sx={{ color: isFailing(latest.outcome) ? "error.main" : "warning.main", whiteSpace: "nowrap" }}>
          {latest.failures.toLocaleString("en")} failing row{latest.failures === 1 ? "" : "s"}
        </Typography>
      )}
    </Box>
  );
}

/** A check's results as a strip of squares, oldest first, each with its time and failing rows on hover. */
export function ResultStrip({ history }: { history: CheckHistory | undefined }) {
  // No results: the cell's LatestResult already says "never ran".
  if (history === undefined) return null;
  const shown = history.results.slice(-12);
  return (
    <Box>
      <Box sx={{ display: "flex", gap: "2px", mt: 0.5 }} data-testid="check-strip">
        {shown.map((result, i) => {
          const style = CHECK_OUTCOME_STYLES[result.outcome];
          return (
            <Tooltip key={i} title={`${style.label}${result.failures ? `, ${result.failures} failing rows` : ""} — ${exactTime(result.occurredAt)}`}>
              <Box component="span" data-outcome={result.outcome} sx={{ width: 7, height: 16, borderRadius: "2px", bgcolor: style.color, opacity: result.outcome === "PASS" ? 0.55 : 1 }} />
            </Tooltip>
          );
        })}
      </Box>
      <Typography variant="caption" sx={{ color: "text.secondary", whiteSpace: "nowrap" }}>
        {history.failed > 0 ? `${history.failed} of ${history.results.length} failed` : `${history.results.length} run${history.results.length === 1 ? "" : "s"}`}
        {history.warned > 0 ? `, ${history.warned} warned` : ""}
      </Typography>
    </Box>
  );
}

export function EvaluationTimeline({ evaluations, hasPolicy }: { evaluations: readonly Evaluation[] | undefined; hasPolicy: boolean }) {
  const entries = evaluations === undefined ? [] : evaluationTimeline(evaluations);
  return (
    <Panel title="Evaluation timeline" id="evaluations" testId="evaluation-timeline">
      {entries.length === 0 ? (
        <EmptyState title={hasPolicy ? "Not evaluated yet" : "No policy"}>
          {hasPolicy ? "The scheduler's ticks are listed here: what held at each one, and whether it requested a run." : "Only assets with a policy are evaluated at the scheduler's ticks."}
        </EmptyState>
      ) : (
        <Box component="ol" sx={{ m: 0, p: 0, listStyle: "none", maxHeight: 520, overflowY: "auto" }}>
          {entries.map(({ evaluation, trueLeaves, changes }) => (
            <Box component="li" key={evaluation.tick} data-testid="timeline-entry" data-requested={evaluation.requested} sx={{ py: 1, borderBottom: "1px solid", borderColor: "divider" }}>
              <Box sx={{ display: "flex", gap: 1, alignItems: "center", flexWrap: "wrap" }}>
                <Typography variant="subtitle2">tick {evaluation.tick}</Typography>
                <Typography variant="caption" sx={{ color: "text.secondary" }}>
                  <TimeText iso={evaluation.evaluatedAt} />
                </Typography>
                <Chip size="small" color={evaluation.requested ? "success" : "default"} variant={evaluation.requested ? "filled" : "outlined"} label={evaluation.requested ? "requested a run" : "no run"} />
              </Box>
              {changes.length > 0 && (
                <Typography variant="body2" sx={{ mt: 0.5 }}>
                  {changes.join("; ")}
                </Typography>
              )}
              <Typography variant="caption" component="div" sx={{ color: "text.secondary" }}>
                true: {trueLeaves.length > 0 ? trueLeaves.join(", ") : "nothing"}
              </Typography>
              <Box component="details" sx={{ mt: 0.5, "& > summary": { cursor: "pointer", fontSize: 12, color: "primary.main" } }}>
                <summary>the whole condition</summary>
                <EvaluationView evaluation={evaluation} />
              </Box>
            </Box>
          ))}
        </Box>
      )}
    </Panel>
  );
}
