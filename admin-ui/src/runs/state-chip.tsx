/** A run's, step's or check result's state as a small coloured chip. */
import type { StateStyle } from "./run-status.ts";

export function StateChip({ style, testId, value }: { style: StateStyle; testId?: string; value: string }) {
  return (
    <span className="status-badge" data-testid={testId} data-state={value} style={{ color: style.color, background: style.background }}>
      <span className="dot" style={{ background: style.color }} aria-hidden />
      {style.label}
    </span>
  );
}
