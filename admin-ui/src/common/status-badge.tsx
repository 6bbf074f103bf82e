/** An asset's state as a small coloured badge (catalog.css `.status-badge`), with its meaning on hover. */
import { statusStyle } from "./status.ts";

export function StatusBadge({ status }: { status: string }) {
  const style = statusStyle(status);
  return (
    <span className="status-badge" data-status={status} style={{ color: style.color, background: style.background }} title={style.meaning}>
      <span className="dot" style={{ background: style.color }} aria-hidden />
      {style.label}
    </span>
  );
}
