/**
 * Column lineage on the asset page: for each column whose lineage is known (dbt models with compiled SQL), the
 * upstream columns it derives from — each a link to its asset — and whether it copies, renames or transforms
 * them; a column the SQL could not be followed for says why. Choosing a column shows the columns one step
 * downstream of it (`Query.columnLineage`, DOWNSTREAM, depth 1), across assets.
 */
import { Box, Chip, Link as MuiLink, Table, TableBody, TableCell, TableHead, TableRow, Typography } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { Fragment, useState, type MouseEvent } from "react";
import { Link } from "react-router-dom";
import { useTributary } from "../common/use-tributary.ts";
import type { ColumnDownstreamQuery, ColumnLineagePanelQuery, ColumnRefFieldsFragment } from "../generated/graphql.ts";
import { Panel } from "./panels.tsx";
import { assetPath } from "./paths.ts";

type ColumnWithLineage = NonNullable<ColumnLineagePanelQuery["asset"]>["columns"][number];
type Transformation = NonNullable<ColumnDownstreamQuery["columnLineage"]["edges"][number]["transformation"]>;

const HOW: Readonly<Record<Transformation, { label: string; color: "default" | "info" | "warning" }>> = {
  COPY: { label: "copy", color: "default" },
  RENAME: { label: "rename", color: "info" },
  TRANSFORMATION: { label: "transformation", color: "warning" },
};

/** `orders.amount`, linked to the asset's page when the column belongs to one. */
function ColumnRefLink({ column }: { column: ColumnRefFieldsFragment }) {
  if (column.assetKey === null) {
    return (
      <Typography component="span" variant="body2" sx={{ fontFamily: "monospace" }} title="A relation no asset names">
        {column.relation ?? "?"}.{column.column}
      </Typography>
    );
  }
  return (
    <MuiLink component={Link} to={assetPath(column.assetKey)} onClick={(event: MouseEvent) => event.stopPropagation()} variant="body2" sx={{ fontFamily: "monospace", overflowWrap: "anywhere" }} data-testid="column-ref">
      {column.assetKey}.{column.column}
    </MuiLink>
  );
}

function HowChip({ transformation }: { transformation: Transformation | null }) {
  if (transformation === null) return null;
  const how = HOW[transformation];
  return <Chip size="small" variant="outlined" color={how.color} label={how.label} data-testid="column-transformation" />;
}

function Downstream({ assetKey, column }: { assetKey: string; column: string }) {
  const dataProvider = useTributary();
  const { data, isPending, error } = useQuery({ queryKey: ["columnDownstream", assetKey, column], queryFn: () => dataProvider.columnDownstream(assetKey, column) });
  if (isPending) return <Typography variant="body2" sx={{ color: "text.secondary" }}>Finding the columns that read {column}…</Typography>;
  if (error) return <Typography variant="body2" color="error">{error.message}</Typography>;
  const edges = data.edges.filter((edge) => edge.from.assetKey === assetKey && edge.from.column === column);
  return (
    <Box data-testid="column-downstream">
      {edges.length === 0 ? (
        <Typography variant="body2" sx={{ color: "text.secondary" }}>
          No known column reads {column}
          {data.notFollowed.length > 0 ? ` (the SQL of ${data.notFollowed.join(", ")} could not be followed)` : ""}.
        </Typography>
      ) : (
        edges.map((edge) => (
          <Box key={`${edge.to.assetKey ?? edge.to.relation}.${edge.to.column}`} sx={{ display: "flex", alignItems: "center", gap: 1, mb: 0.5 }}>
            <ColumnRefLink column={edge.to} />
            <HowChip transformation={edge.transformation} />
          </Box>
        ))
      )}
    </Box>
  );
}

export function ColumnLineagePanel({ assetKey }: { assetKey: string }) {
  const dataProvider = useTributary();
  const [chosen, setChosen] = useState<string | null>(null);
  const { data } = useQuery({ queryKey: ["columnLineage", assetKey], queryFn: () => dataProvider.columnLineage(assetKey) });
  const columns: readonly ColumnWithLineage[] = data?.asset?.columns ?? [];
  if (!columns.some((column) => column.lineage !== null)) return null; // no compiled SQL for this asset (yet)
  return (
    <Panel title="Column lineage" id="column-lineage" testId="column-lineage-panel">
      <Typography variant="body2" sx={{ color: "text.secondary", mb: 1 }}>
        Where each column's values come from, read from the model's compiled SQL. Choose a column to see what reads it.
      </Typography>
      <Table size="small" aria-label="Column lineage">
        <TableHead>
          <TableRow>
            <TableCell>Column</TableCell>
            <TableCell>From</TableCell>
            <TableCell>How</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {columns.map((column) => (
            <Fragment key={column.name}>
              <TableRow
                hover
                selected={chosen === column.name}
                onClick={() => setChosen(chosen === column.name ? null : column.name)}
                sx={{ cursor: "pointer" }}
                data-testid="column-lineage-row"
                data-column={column.name}
                aria-expanded={chosen === column.name}
              >
                <TableCell sx={{ fontFamily: "monospace", verticalAlign: "top" }}>{column.name}</TableCell>
                <TableCell sx={{ verticalAlign: "top" }}>
                  {column.lineage === null ? (
                    <Typography variant="body2" sx={{ color: "text.secondary" }}>—</Typography>
                  ) : !column.lineage.followed ? (
                    <Typography variant="body2" sx={{ color: "text.secondary" }} data-testid="column-not-followed">
                      Not followed{column.lineage.note ? `: ${column.lineage.note}` : ""}
                    </Typography>
                  ) : column.lineage.upstream.length === 0 ? (
                    <Typography variant="body2" sx={{ color: "text.secondary" }}>No upstream column (a constant or an expression of none)</Typography>
                  ) : (
                    column.lineage.upstream.map((upstream) => (
                      <Box key={`${upstream.assetKey ?? upstream.relation}.${upstream.column}`}>
                        <ColumnRefLink column={upstream} />
                      </Box>
                    ))
                  )}
                </TableCell>
                <TableCell sx={{ verticalAlign: "top" }}>
                  <HowChip transformation={column.lineage?.transformation ?? null} />
                </TableCell>
              </TableRow>
              {chosen === column.name && (
                <TableRow>
                  <TableCell colSpan={3} sx={{ bgcolor: "action.hover" }}>
                    <Typography variant="subtitle2" sx={{ mb: 0.5 }}>
                      Read by
                    </Typography>
                    <Downstream assetKey={assetKey} column={column.name} />
                  </TableCell>
                </TableRow>
              )}
            </Fragment>
          ))}
        </TableBody>
      </Table>
    </Panel>
  );
}
