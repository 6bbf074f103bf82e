/**
 * What the warehouse says about the asset's table (`Asset.tableStats`: dbt's catalog.json today): its type,
 * rows and size where the warehouse reports them, and every other statistic as reported; and, for a source, its
 * freshness as `dbt source freshness` last checked it (`Asset.freshness`).
 */
import { Chip, Typography } from "@mui/material";
import { thousands } from "../common/format.ts";
import { TimeText } from "../common/time-text.tsx";
import { formatDuration } from "../common/time.ts";
import type { SourceFreshness, TableStats } from "../types.ts";
import { Fact, Panel } from "./panels.tsx";

const UNITS = ["bytes", "kB", "MB", "GB", "TB", "PB"] as const;

/** 8000000 → "8.0 MB" (decimal units, as warehouses bill). */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${thousands(Math.round(value))} bytes` : `${value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`;
}

/** Statistics shown in their own rows above, by label, so the list of the rest does not repeat them. */
const SHOWN = /^(approximate )?(row count|rows|num rows|number of rows|bytes|num bytes|approximate size|size|last modified)$/i;

export function WarehousePanel({ stats }: { stats: TableStats }) {
  const others = stats.entries.filter((entry) => !SHOWN.test(entry.label));
  return (
    <Panel title="Warehouse" id="warehouse" testId="warehouse-panel">
      {stats.tableType && <Fact label="Table type">{stats.tableType}</Fact>}
      {stats.rowCount !== null && <Fact label="Rows">{thousands(Math.round(stats.rowCount))}</Fact>}
      {stats.bytes !== null && <Fact label="Size">{formatBytes(stats.bytes)}</Fact>}
      {stats.lastModified && <Fact label="Last modified">{stats.lastModified}</Fact>}
      {stats.owner && <Fact label="Owner">{stats.owner}</Fact>}
      {others.map((entry) => (
        <Fact key={entry.label} label={entry.label}>
          <span title={entry.description ?? undefined}>{entry.value ?? "—"}</span>
        </Fact>
      ))}
      <Typography variant="caption" component="div" sx={{ color: "text.secondary", mt: 1 }} data-testid="warehouse-source">
        From {stats.source}
        {stats.collectedAt ? (
          <>
            , generated <TimeText iso={stats.collectedAt} />
          </>
        ) : null}
        {stats.rowCount === null && stats.bytes === null ? ". This warehouse reports no row counts or sizes in it." : "."}
      </Typography>
    </Panel>
  );
}

/** An age as people say it: "3 days", "14 h", "25 min". */
export function formatAge(seconds: number): string | null {
  const hours = seconds / 3600;
  if (hours >= 48) return `${Math.round(hours / 24)} days`;
  if (hours >= 2) return `${Math.round(hours)} h`;
  return formatDuration(seconds * 1000);
}

const FRESHNESS_COLOURS: Readonly<Record<string, "success" | "warning" | "error">> = { pass: "success", warn: "warning", error: "error", "runtime error": "error" };

/** A source's freshness: its status against the policy, when its newest row was loaded, and the policy. */
export function FreshnessPanel({ freshness }: { freshness: SourceFreshness }) {
  const age = freshness.ageSeconds === null ? null : formatAge(freshness.ageSeconds);
  return (
    <Panel
      title="Source freshness"
      id="freshness"
      testId="freshness-panel"
      action={<Chip size="small" label={freshness.status} color={FRESHNESS_COLOURS[freshness.status] ?? "default"} data-testid="freshness-status" sx={{ fontWeight: 600 }} />}
    >
      {freshness.error && (
        <Typography variant="body2" sx={{ color: "error.main", mb: 1 }}>
          {freshness.error}
        </Typography>
      )}
      <Fact label="Newest row">
        {freshness.maxLoadedAt ? (
          <>
            <TimeText iso={freshness.maxLoadedAt} />
            {age && <Typography component="span" variant="body2" sx={{ color: "text.secondary" }}> ({age} old when checked)</Typography>}
          </>
        ) : (
          "—"
        )}
      </Fact>
      <Fact label="Warn after">{freshness.warnAfter ?? "—"}</Fact>
      <Fact label="Error after">{freshness.errorAfter ?? "—"}</Fact>
      {freshness.filter && <Fact label="Filter"><code style={{ fontSize: 12 }}>{freshness.filter}</code></Fact>}
      <Typography variant="caption" component="div" sx={{ color: "text.secondary", mt: 1 }}>
        From {freshness.source}
        {freshness.checkedAt ? (
          <>
            , checked <TimeText iso={freshness.checkedAt} />
          </>
        ) : null}
        .
      </Typography>
    </Panel>
  );
}
