/**
 * Column lineage on the asset page: for each column whose lineage is known (dbt models with compiled SQL), the
 * upstream columns it derives from — each a link to its asset — and whether it copies, renames or transforms
 * them; a column the SQL could not be followed for says why. Choosing a column shows the columns one step
 * downstream of it (`Query.columnLineage`, DOWNSTREAM, depth 1), across assets.
 *
 * The server computes column lineage after a load (`Location.columnLineage`): while it does, the panel says so
 * with the location's progress and asks again every few seconds, so the lineage appears when it is done; a
 * failed computation shows its error; a model whose lineage is done and empty says that (./column-lineage-state.ts).
 */
import { Alert, Box, Chip, LinearProgress, Link as MuiLink, Table, TableBody, TableCell, TableHead, TableRow, Typography } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { Fragment, useState, type MouseEvent } from "react";
import { Link } from "react-router-dom";
import { useTributary } from "../common/use-tributary.ts";
import type { ColumnDownstreamQuery, ColumnRefFieldsFragment } from "../generated/graphql.ts";
import { columnLineagePanelView, inProgressText, type ColumnWithLineage, type LineageInProgress } from "./column-lineage-state.ts";
import { Panel } from "./panels.tsx";
import { assetPath } from "./paths.ts";

/** How often the panel asks again while its location's column lineage is computed. */
const COMPUTING_POLL_MS = 2_000;

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
  const { data, isPending, error } = useQuery({
    queryKey: ["columnDownstream", assetKey, column],
    queryFn: () => dataProvider.columnDownstream(assetKey, column),
    refetchInterval: (query) => ((query.state.data?.incompleteLocations.length ?? 0) > 0 ? COMPUTING_POLL_MS : false),
  });
  if (isPending) return <Typography variant="body2" sx={{ color: "text.secondary" }}>Finding the columns that read {column}…</Typography>;
  if (error) return <Typography variant="body2" color="error">{error.message}</Typography>;
  const edges = data.edges.filter((edge) => edge.from.assetKey === assetKey && edge.from.column === column);
  return (
    <Box data-testid="column-downstream">
      {data.incompleteLocations.length > 0 && (
        <Typography variant="body2" sx={{ color: "text.secondary", mb: 0.5 }} data-testid="column-downstream-incomplete">
          The column lineage of {data.incompleteLocations.join(", ")} is not complete (still being computed, or failed): columns read there may be missing.
        </Typography>
      )}
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

/** One location's computation in progress: what it says, and a bar once it knows how many models. */
function LineageProgress({ progress, named }: { progress: LineageInProgress; named: boolean }) {
  const known = progress.models !== null && progress.models > 0;
  return (
    <Box role="status" data-testid="column-lineage-computing" data-location={progress.location} sx={{ mb: 1.5 }}>
      <Typography variant="body2" sx={{ mb: 0.5 }}>
        {inProgressText(progress)}
        {named ? ` (${progress.location})` : ""}. It shows here when it is done.
      </Typography>
      <LinearProgress
        variant={known ? "determinate" : "indeterminate"}
        value={known ? (100 * progress.modelsDone) / (progress.models ?? 1) : undefined}
        aria-label="Column lineage computed"
        sx={{ maxWidth: 360 }}
      />
    </Box>
  );
}

/** A column's "From" cell when its lineage is not known: not yet, or not at all. */
function NoLineage({ computing }: { computing: boolean }) {
  return (
    <Typography variant="body2" sx={{ color: "text.secondary" }} data-testid="column-no-lineage">
      {computing ? "Being computed" : "No lineage known"}
    </Typography>
  );
}

export function ColumnLineagePanel({ assetKey }: { assetKey: string }) {
  const dataProvider = useTributary();
  const [chosen, setChosen] = useState<string | null>(null);
  const { data } = useQuery({
    queryKey: ["columnLineage", assetKey],
    queryFn: () => dataProvider.columnLineage(assetKey),
    refetchInterval: (query) => (columnLineagePanelView(query.state.data).computing ? COMPUTING_POLL_MS : false),
  });
  const view = columnLineagePanelView(data);
  if (!view.shown) return null; // not a dbt model with columns, or its location has no compiled SQL
  const columns: readonly ColumnWithLineage[] = view.columns;
  const named = view.inProgress.length + view.failures.length > 1;
  return (
    <Panel title="Column lineage" id="column-lineage" testId="column-lineage-panel">
      {view.inProgress.map((progress) => (
        <LineageProgress key={progress.location} progress={progress} named={named} />
      ))}
      {view.failures.map((failure) => (
        <Alert key={failure.location} severity="error" data-testid="column-lineage-failed" sx={{ mb: 1.5 }}>
          Column lineage could not be computed{named ? ` for ${failure.location}` : ""}: {failure.error}. Its models are shown without column lineage until the location loads again.
        </Alert>
      ))}
      {!view.anyLineage ? (
        !view.computing && view.failures.length === 0 && (
          <Typography variant="body2" sx={{ color: "text.secondary" }} data-testid="column-lineage-none">
            No column lineage is known for this model (it has no compiled SQL, or its SQL gives none of its documented columns).
          </Typography>
        )
      ) : (
        <>
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
                        <NoLineage computing={view.computing} />
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
        </>
      )}
    </Panel>
  );
}
