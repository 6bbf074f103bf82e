/**
 * What the warehouse says about the asset's table (`Asset.tableStats`: dbt's catalog.json today): its type,
 * rows and size where the warehouse reports them, and every other statistic as reported.
 */
import { Typography } from "@mui/material";
import { thousands } from "../common/format.ts";
import { TimeText } from "../common/time-text.tsx";
import type { TableStats } from "../types.ts";
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
