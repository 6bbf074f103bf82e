/**
 * The asset page: identity, description, the state of the tool that builds it (Fivetran connector, Census sync),
 * columns with their tests, checks, facts, policy, impact and neighbours, the lineage graph, the materialization
 * history, and a designed place for the runtime trend.
 */
import ArrowBackIcon from "@mui/icons-material/ArrowBack";
import ReportProblemOutlinedIcon from "@mui/icons-material/ReportProblemOutlined";
import { Alert, Box, Breadcrumbs, Button, Chip, Grid, Link as MuiLink, Skeleton, Table, TableBody, TableCell, TableHead, TableRow, Tooltip, Typography } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { Fragment, useMemo } from "react";
import { ShowBase, Title, useShowContext } from "react-admin";
import { Link, useNavigate, useParams } from "react-router-dom";
import { jsonObject } from "../common/json.ts";
import { MarkdownText } from "../common/markdown.tsx";
import { StatusBadge } from "../common/status-badge.tsx";
import { TimeText } from "../common/time-text.tsx";
import { EmptyState, ErrorState, LoadingLines } from "../common/states.tsx";
import { usePageTitle } from "../common/use-page-title.ts";
import { KindChip, KindChips, primaryTool, ToolMark } from "../common/tools.tsx";
import { useTributary } from "../common/use-tributary.ts";
import { LineageGraph } from "../lineage/lineage-graph.tsx";
import type { AssetDetail, CheckInfo, Neighbour } from "../types.ts";
import { MaterializeButton } from "../runs/materialize-button.tsx";
import { EvaluationTimeline, LatestResult, ResultStrip } from "./asset-history.tsx";
import { checkHistories, runtimeSeries, type CheckHistory } from "./history-data.ts";
import { MaterializationHistory, RuntimeTrend } from "./history-panel.tsx";
import { FreshnessTargetPanel, RunSavingsPanel } from "./automation-panel.tsx";
import { ColumnLineagePanel } from "./column-lineage-panel.tsx";
import { Fact, Panel } from "./panels.tsx";
import { assetPath } from "./paths.ts";
import { PartitionsPanel } from "./partitions-panel.tsx";
import { PolicyPanel } from "./policy-panel.tsx";
import { impactSentence } from "./policy-text.ts";
import { ToolStatePanel } from "./tool-panels.tsx";
import { FreshnessPanel, WarehousePanel } from "./warehouse-panel.tsx";

/**
 * A file path that wraps only after a "/" (a break opportunity after each), never inside a name: the Fact's
 * "break anywhere" would split `_finance.yml` into `_finance.y` and `ml`.
 */
function PathText({ path }: { path: string }) {
  return (
    <code data-testid="defined-in" style={{ fontSize: 12, overflowWrap: "break-word", wordBreak: "normal" }}>
      <BreakAfter text={path} after="/" />
    </code>
  );
}

/** Text with a line-break opportunity after each `after` (a "/" in paths, a "_" in column names). */
function BreakAfter({ text, after }: { text: string; after: "/" | "_" }) {
  const parts = text.split(after === "/" ? /(?<=\/)/ : /(?<=_)/);
  return (
    <>
      {parts.map((part, i) => (
        <Fragment key={i}>
          {part}
          {i < parts.length - 1 && <wbr />}
        </Fragment>
      ))}
    </>
  );
}

/** How dbt materializes the model (table, view, incremental…); null for other assets. */
function dbtMaterialization(record: AssetDetail): string | null {
  const value = jsonObject(record.metadata)["dbt/materialized"];
  return typeof value === "string" ? value : null;
}

function testName(check: Pick<CheckInfo, "name">): string {
  // dbt names tests `not_null_orders_order_id`; the test's kind is what a reader wants in a column's row.
  const kinds = ["not_null", "unique", "accepted_values", "relationships", "dbt_utils", "expression_is_true"];
  return kinds.find((kind) => check.name.startsWith(kind)) ?? check.name;
}

function Columns({ record }: { record: AssetDetail }) {
  if (record.columns.length === 0) {
    return (
      <EmptyState title="No columns documented">
        Columns appear when the dbt YAML documents them or the warehouse catalog (<code>catalog.json</code>) lists them.
      </EmptyState>
    );
  }
  return (
    <Box sx={{ overflowX: "auto" }}>
      <Table size="small" aria-label="Columns" data-testid="columns-table">
        <TableHead>
          <TableRow>
            <TableCell>Column</TableCell>
            <TableCell>Type</TableCell>
            <TableCell>Description</TableCell>
            <TableCell>Tests</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {record.columns.map((column) => (
            <TableRow key={column.name} hover>
              <TableCell sx={{ fontFamily: "monospace", fontWeight: 600 }}>
                <BreakAfter text={column.name} after="_" />
              </TableCell>
              <TableCell sx={{ fontFamily: "monospace", color: "text.secondary", whiteSpace: "nowrap" }}>{column.type ?? "—"}</TableCell>
              <TableCell sx={{ color: column.description ? "text.primary" : "text.disabled", minWidth: 160 }}>
                {column.description ? <MarkdownText compact>{column.description}</MarkdownText> : "—"}
              </TableCell>
              <TableCell>
                <Box sx={{ display: "flex", gap: 0.5, flexWrap: "wrap" }}>
                  {column.checks.map((check) => (
                    <Tooltip key={check.name} title={`${check.name}${check.blocking ? " (blocking)" : ""}`}>
                      <Chip size="small" label={testName(check)} color={check.blocking ? "success" : "default"} variant="outlined" sx={{ height: 20, fontSize: 11 }} />
                    </Tooltip>
                  ))}
                </Box>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Box>
  );
}

function Checks({ record, histories }: { record: AssetDetail; histories: ReadonlyMap<string, CheckHistory> | null }) {
  if (record.checks.length === 0) {
    // Only dbt assets have tests; a Census sync or a Fivetran table has checks only through the dbt models reading it.
    return (
      <EmptyState title="No checks">
        {record.materializedBy?.tool === "dbt" || record.kinds.includes("dbt") ? "Add dbt tests to this asset to see them here." : "Checks come from dbt tests, and nothing declares one on this asset."}
      </EmptyState>
    );
  }
  return (
    <Box sx={{ overflowX: "auto" }}>
    <Table size="small" aria-label="Checks" data-testid="checks-table">
      <TableHead>
        <TableRow>
          <TableCell>Check</TableCell>
          <TableCell>Column</TableCell>
          <TableCell>Also reads</TableCell>
          <TableCell>Severity</TableCell>
          <TableCell>Results</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {record.checks.map((check) => (
          <TableRow key={check.name} hover>
            <TableCell sx={{ fontFamily: "monospace", fontSize: 12, overflowWrap: "anywhere", minWidth: 170 }}>{check.name}</TableCell>
            <TableCell sx={{ fontFamily: "monospace", fontSize: 12 }}>{check.columnName ?? "—"}</TableCell>
            <TableCell sx={{ maxWidth: 160, overflowWrap: "anywhere" }}>
              {(check.additionalDeps ?? []).length === 0
                ? "—"
                : (check.additionalDeps ?? []).map((key) => (
                    <MuiLink key={key} component={Link} to={assetPath(key)} sx={{ mr: 1 }}>
                      {key}
                    </MuiLink>
                  ))}
            </TableCell>
            <TableCell>{check.blocking ? <Chip size="small" label="blocking" color="warning" variant="outlined" /> : "warn"}</TableCell>
            <TableCell sx={{ minWidth: 120 }}>
              {histories === null ? (
                <Skeleton width={80} />
              ) : (
                <>
                  <LatestResult history={histories.get(check.name)} />
                  <ResultStrip history={histories.get(check.name)} />
                </>
              )}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
    </Box>
  );
}

function NeighbourList({ title, assets, testId }: { title: string; assets: readonly Neighbour[]; testId: string }) {
  return (
    <Box data-testid={testId} sx={{ mb: 1.5 }}>
      <Typography variant="subtitle2" sx={{ mb: 0.5 }}>
        {title} <Typography component="span" variant="body2" sx={{ color: "text.secondary" }}>({assets.length})</Typography>
      </Typography>
      {assets.length === 0 ? (
        <Typography variant="body2" sx={{ color: "text.disabled" }}>none</Typography>
      ) : (
        <Box component="ul" sx={{ m: 0, p: 0, listStyle: "none", maxHeight: 220, overflowY: "auto" }}>
          {assets.map((asset) => (
            <Box component="li" key={asset.key} sx={{ display: "flex", alignItems: "center", gap: 1, py: 0.25 }}>
              <ToolMark kind={primaryTool(asset.kinds, asset.materializedBy)} size={14} />
              <MuiLink component={Link} to={assetPath(asset.key)} variant="body2" sx={{ overflowWrap: "anywhere" }}>
                {asset.key}
              </MuiLink>
            </Box>
          ))}
        </Box>
      )}
    </Box>
  );
}

function Header({ record }: { record: AssetDetail }) {
  return (
    <Box sx={{ mb: 2 }}>
      <Breadcrumbs aria-label="breadcrumb" sx={{ mb: 1, fontSize: 13 }}>
        <MuiLink component={Link} to="/assets" underline="hover" color="inherit">
          Catalog
        </MuiLink>
        {record.keyPath.slice(0, -1).map((part) => (
          <Typography key={part} variant="body2" sx={{ color: "text.secondary" }}>{part}</Typography>
        ))}
        <Typography variant="body2" sx={{ color: "text.primary" }}>{record.keyPath.at(-1)}</Typography>
      </Breadcrumbs>
      <Box sx={{ display: "flex", alignItems: "center", gap: 1.5, flexWrap: "wrap" }}>
        <ToolMark kind={primaryTool(record.kinds, record.materializedBy)} size={30} />
        <Typography variant="h5" component="h1" data-testid="asset-key" sx={{ overflowWrap: "anywhere" }}>
          {record.key}
        </Typography>
        <KindChips kinds={record.kinds} />
        <Box sx={{ flex: 1 }} />
        <Button size="small" component={Link} to={`/runs?asset=${encodeURIComponent(record.key)}`} data-testid="asset-runs-link">
          Runs
        </Button>
        <MaterializeButton assetKey={record.key} />
      </Box>
      <Box sx={{ display: "flex", alignItems: "center", gap: 1.5, flexWrap: "wrap", mt: 0.5 }}>
        <Box data-testid="asset-status" sx={{ display: "flex", alignItems: "center", gap: 1 }}>
          <StatusBadge status={record.status} />
          <Typography variant="body2" sx={{ color: "text.secondary" }}>
            {record.lastUpdatedAt ? <TimeText iso={record.lastUpdatedAt} prefix="updated " /> : "not updated yet"}
          </Typography>
        </Box>
      </Box>
      {record.relation && (
        <Typography variant="body2" sx={{ fontFamily: "monospace", color: "text.secondary", mt: 0.5, overflowWrap: "anywhere" }}>
          {record.relation.fullName}
        </Typography>
      )}
    </Box>
  );
}

function UpstreamCount({ assetKey }: { assetKey: string }) {
  const dataProvider = useTributary();
  const upstream = useQuery({ queryKey: ["lineage", assetKey, "UPSTREAM", 0], queryFn: () => dataProvider.lineage({ key: assetKey, direction: "UPSTREAM", depth: null }) });
  if (upstream.data === undefined) return <Skeleton width={160} />;
  const count = upstream.data.nodes.length - 1;
  return <>{count.toLocaleString("en")} upstream asset{count === 1 ? "" : "s"} in all</>;
}

/** The asset's key in the app bar and the browser tab, as soon as it is known: from the URL (react-admin's `:id`). */
function AssetTitle() {
  const key = useParams<{ id: string }>().id ?? null;
  usePageTitle(key);
  return key === null ? null : <Title title={key} />;
}

/** How many materializations the runtime plot and check results the check history read. */

function AssetPage() {
  const { record, isPending, error, refetch } = useShowContext<AssetDetail>();
  const navigate = useNavigate();
  const dataProvider = useTributary();
  const key = useParams<{ id: string }>().id ?? "";
  const history = useQuery({
    queryKey: ["assets", "history", key],
    queryFn: () => dataProvider.assetHistory(key),
    enabled: key !== "",
    refetchInterval: 30_000,
  });
  const series = useMemo(() => (history.data ? runtimeSeries(history.data.materializations) : null), [history.data]);
  const histories = useMemo(() => (history.data ? checkHistories(history.data.checkResults) : null), [history.data]);
  // A failed background refresh keeps the page that is shown; only a page that never loaded shows the error.
  if (error && record === undefined) {
    const missing = (error as { status?: number }).status === 404;
    return (
      <Box sx={{ p: 2 }}>
        {missing ? (
          <EmptyState title="No such asset" icon={<ReportProblemOutlinedIcon fontSize="inherit" />} action={<Button startIcon={<ArrowBackIcon />} onClick={() => navigate("/assets")}>Back to the catalog</Button>}>
            {error instanceof Error ? error.message : "The asset may have been renamed or removed at the last reload."}
          </EmptyState>
        ) : (
          <ErrorState error={error} onRetry={() => void refetch()} title="Could not load the asset" />
        )}
      </Box>
    );
  }
  // react-admin seeds each asset's getOne cache with its row from the list, which lacks the page's fields
  // (columns, lineage, …): such a record is a placeholder until the asset's own query answers.
  if (isPending || record === undefined || !Array.isArray((record as Partial<AssetDetail>).columns)) {
    return (
      <Box sx={{ p: 2 }} aria-busy="true">
        <Skeleton width={320} height={44} />
        <Grid container spacing={2} sx={{ mt: 1 }}>
          <Grid size={{ xs: 12, md: 8 }}><LoadingLines lines={6} height={28} /></Grid>
          <Grid size={{ xs: 12, md: 4 }}><LoadingLines lines={5} height={28} /></Grid>
        </Grid>
      </Box>
    );
  }
  return (
    <Box sx={{ py: 2, px: { xs: 0, sm: 1 } }} data-testid="asset-page">
      <Header record={record} />
      {record.diagnostics.length > 0 && (
        <Box sx={{ mb: 2 }}>
          {record.diagnostics.map((diagnostic, i) => (
            <Alert key={i} severity={diagnostic.severity === "ERROR" ? "error" : diagnostic.severity === "WARNING" ? "warning" : "info"} sx={{ mb: 1 }}>
              <strong>{diagnostic.code}</strong>: {diagnostic.message}
            </Alert>
          ))}
        </Box>
      )}
      <Panel title="Lineage" id="lineage">
        <LineageGraph assetKey={record.key} height={440} />
      </Panel>
      <Grid container spacing={2}>
        <Grid size={{ xs: 12, lg: 8 }}>
          <Panel title="About" id="about">
            {record.description ? (
              <MarkdownText>{record.description}</MarkdownText>
            ) : (
              <Typography variant="body2" sx={{ color: "text.secondary" }}>
                No description. Add one in the asset's YAML (<code>description:</code>) and it shows here, rendered as Markdown.
              </Typography>
            )}
          </Panel>
          {record.partitions && <PartitionsPanel assetKey={record.key} />}
          <ToolStatePanel record={record} />
          <PolicyPanel record={record} />
          <Panel title={<>Columns <Typography component="span" sx={{ color: "text.secondary" }}>{record.columns.length}</Typography></>} id="columns">
            <Columns record={record} />
          </Panel>
          <ColumnLineagePanel assetKey={record.key} />
          <Panel title={<>Checks <Typography component="span" sx={{ color: "text.secondary" }}>{record.checks.length}</Typography></>} id="checks">
            <Checks record={record} histories={histories} />
          </Panel>
        </Grid>
        <Grid size={{ xs: 12, lg: 4 }}>
          <Panel title="Details" id="details">
            <Fact label="Group">{record.group ?? <Typography variant="body2" component="span" sx={{ color: "text.disabled" }}>none</Typography>}</Fact>
            <Fact label="Owners">{record.owners.length === 0 ? <Typography variant="body2" component="span" sx={{ color: "text.disabled" }}>none</Typography> : record.owners.join(", ")}</Fact>
            <Fact label="Tags">
              <Box sx={{ display: "flex", gap: 0.5, flexWrap: "wrap" }}>
                {record.tags.length === 0 ? <Typography variant="body2" component="span" sx={{ color: "text.disabled" }}>none</Typography> : record.tags.map((tag) => (
                  <Chip key={tag} size="small" label={tag} component={Link} to={`/assets?filter=${encodeURIComponent(JSON.stringify({ tags: [tag] }))}`} clickable />
                ))}
              </Box>
            </Fact>
            <Fact label="Location">{record.locations.join(", ")}</Fact>
            <Fact label="Built by">
              {record.materializedBy ? (
                <Box sx={{ display: "flex", gap: 1, alignItems: "center", flexWrap: "wrap" }}>
                  <KindChip kind={record.materializedBy.tool} />
                  <Typography variant="caption" sx={{ color: "text.secondary" }}>in {record.materializedBy.location}</Typography>
                </Box>
              ) : (
                <Typography variant="body2" component="span" sx={{ color: "warning.main" }}>nothing in the catalog builds it</Typography>
              )}
            </Fact>
            <Fact label="Read by">
              {record.readBy.length === 0 ? <Typography variant="body2" component="span" sx={{ color: "text.disabled" }}>no tool</Typography> : (
                <Box sx={{ display: "flex", gap: 0.5 }}>{record.readBy.map((tool) => <KindChip key={tool} kind={tool} />)}</Box>
              )}
            </Fact>
            {record.dbtUniqueId && <Fact label="dbt id"><code style={{ fontSize: 12 }}>{record.dbtUniqueId}</code></Fact>}
            {record.definedIn?.file && (
              <Fact label="Defined in">
                <PathText path={`${record.definedIn.file}${record.definedIn.line ? `:${record.definedIn.line}` : ""}`} />
              </Fact>
            )}
            {record.aliases.length > 0 && <Fact label="Also known as">{record.aliases.join(", ")}</Fact>}
            {dbtMaterialization(record) !== null && <Fact label="Materialized">{dbtMaterialization(record)}</Fact>}
          </Panel>
          {record.freshnessTarget && <FreshnessTargetPanel target={record.freshnessTarget} />}
          {record.policy && <RunSavingsPanel assetKey={record.key} />}
          {record.freshness && <FreshnessPanel freshness={record.freshness} />}
          {record.tableStats && <WarehousePanel stats={record.tableStats} />}
          <Panel title="Impact" id="impact" testId="impact-panel">
            <Typography variant="body1" sx={{ fontWeight: 600 }} data-testid="impact-sentence">
              {impactSentence(record.impact)}
            </Typography>
            <Typography variant="body2" sx={{ color: "text.secondary", mb: 1.5 }}>
              <UpstreamCount assetKey={record.key} />
            </Typography>
            <NeighbourList title="Direct upstream" assets={record.upstream} testId="upstream-list" />
            <NeighbourList title="Direct downstream" assets={record.downstream} testId="downstream-list" />
          </Panel>
        </Grid>
        <Grid size={12}>
          <RuntimeTrend series={series} loading={history.isPending} />
        </Grid>
        <Grid size={{ xs: 12, lg: 8 }}>
          <MaterializationHistory record={record} />
        </Grid>
        <Grid size={{ xs: 12, lg: 4 }}>
          <EvaluationTimeline evaluations={history.data?.evaluations} hasPolicy={record.policy !== null} />
        </Grid>
      </Grid>
    </Box>
  );
}

/** The asset show view. */
export function AssetShow() {
  return (
    // No redirect to the list on error (react-admin's default): the page says what went wrong.
    // Refreshed every 30 s while the tab is visible, so tool state and history follow syncs as they land.
    <ShowBase queryOptions={{ retry: false, onError: () => undefined, refetchInterval: 30_000 }}>
      <AssetTitle />
      <AssetPage />
    </ShowBase>
  );
}
