/**
 * Locations: every dbt project, Fivetran account and Census workspace with how its latest load went, and the
 * diagnostics the loads found (dangling sources, syncs reading nothing, invalid policies), linked to their assets.
 */
import CheckCircleIcon from "@mui/icons-material/CheckCircle";
import ErrorIcon from "@mui/icons-material/Error";
import { Alert, Box, Card, CardContent, Chip, Grid, Link as MuiLink, Table, TableBody, TableCell, TableHead, TableRow, Typography } from "@mui/material";
import { ListBase, Title, useListContext } from "react-admin";
import { usePageTitle } from "../common/use-page-title.ts";
import { Link } from "react-router-dom";
import { assetPath } from "../assets/paths.ts";
import { EmptyState, ErrorState, LoadingLines } from "../common/states.tsx";
import { KindChip } from "../common/tools.tsx";
import type { DiagnosticInfo, LocationInfo } from "../types.ts";

function formatDuration(ms: number | null): string {
  if (ms === null) return "—";
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function formatTime(iso: string | null): string {
  if (iso === null) return "never";
  const date = new Date(iso);
  return `${date.toLocaleDateString("en-GB", { day: "numeric", month: "short" })} ${date.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", second: "2-digit" })}`;
}

function LocationCard({ location }: { location: LocationInfo }) {
  const failed = location.state === "FAILED";
  const counts = { ERROR: 0, WARNING: 0, INFO: 0 };
  for (const diagnostic of location.diagnostics) counts[diagnostic.severity]++;
  return (
    <Card data-testid="location-card" sx={{ height: "100%", borderColor: failed ? "error.light" : undefined }}>
      <CardContent>
        <Box sx={{ display: "flex", alignItems: "center", gap: 1, mb: 1 }}>
          {failed ? <ErrorIcon color="error" aria-label="failed" /> : <CheckCircleIcon color="success" aria-label="loaded" />}
          <Typography variant="h6" component="h2" sx={{ flex: 1 }}>
            {location.name}
          </Typography>
          <KindChip kind={location.kind} />
        </Box>
        <Typography variant="body2" sx={{ color: "text.secondary", fontFamily: "monospace", fontSize: 12, overflowWrap: "anywhere", mb: 1.5 }}>
          {location.origin}
        </Typography>
        <Box sx={{ display: "grid", gridTemplateColumns: "repeat(3, 1fr)", gap: 1 }}>
          <Box>
            <Typography variant="caption" sx={{ color: "text.secondary" }}>Assets</Typography>
            <Typography variant="body1" sx={{ fontWeight: 600 }}>
              <MuiLink component={Link} to={`/assets?filter=${encodeURIComponent(JSON.stringify({ locations: [location.name] }))}`}>
                {location.assetCount.toLocaleString("en")}
              </MuiLink>
            </Typography>
          </Box>
          <Box>
            <Typography variant="caption" sx={{ color: "text.secondary" }}>Loaded</Typography>
            <Typography variant="body2" sx={{ fontWeight: 500 }}>{formatTime(location.loadedAt)}</Typography>
          </Box>
          <Box>
            <Typography variant="caption" sx={{ color: "text.secondary" }}>Load time</Typography>
            <Typography variant="body2" sx={{ fontWeight: 500 }}>{formatDuration(location.loadDurationMs)}</Typography>
          </Box>
        </Box>
        {location.error && (
          <Alert severity="error" sx={{ mt: 1.5 }}>
            <strong>{location.error.code}</strong>: {location.error.message}
            <Typography variant="caption" component="div">
              at {formatTime(location.error.at)}{location.loadedAt ? "; serving the last good definitions" : ""}
            </Typography>
          </Alert>
        )}
        <Box sx={{ display: "flex", gap: 1, mt: 1.5 }}>
          {counts.ERROR > 0 && <Chip size="small" color="error" label={`${counts.ERROR} error${counts.ERROR === 1 ? "" : "s"}`} />}
          {counts.WARNING > 0 && <Chip size="small" color="warning" label={`${counts.WARNING} warning${counts.WARNING === 1 ? "" : "s"}`} />}
          {counts.INFO > 0 && <Chip size="small" label={`${counts.INFO} note${counts.INFO === 1 ? "" : "s"}`} />}
          {location.diagnostics.length === 0 && <Chip size="small" color="success" variant="outlined" label="no problems found" />}
        </Box>
      </CardContent>
    </Card>
  );
}

const SEVERITY_COLOR = { ERROR: "error", WARNING: "warning", INFO: "default" } as const;

function Diagnostics({ diagnostics }: { diagnostics: readonly DiagnosticInfo[] }) {
  return (
    <Card sx={{ mt: 2 }}>
      <CardContent>
        <Typography variant="h6" component="h2" sx={{ mb: 1 }}>
          Diagnostics <Typography component="span" sx={{ color: "text.secondary" }}>{diagnostics.length}</Typography>
        </Typography>
        {diagnostics.length === 0 ? (
          <EmptyState title="No problems found" icon={<CheckCircleIcon fontSize="inherit" color="success" />}>
            Every source is fed, every sync reads something that is built, and every policy is valid.
          </EmptyState>
        ) : (
          <Box sx={{ overflowX: "auto" }}>
            <Table size="small" aria-label="Diagnostics" data-testid="diagnostics-table">
              <TableHead>
                <TableRow>
                  <TableCell>Severity</TableCell>
                  <TableCell>Problem</TableCell>
                  <TableCell>Asset</TableCell>
                  <TableCell>Location</TableCell>
                  <TableCell>Where</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {diagnostics.map((diagnostic, i) => (
                  <TableRow key={i} hover data-testid="diagnostic-row">
                    <TableCell>
                      <Chip size="small" color={SEVERITY_COLOR[diagnostic.severity]} label={diagnostic.severity.toLowerCase()} />
                    </TableCell>
                    <TableCell>
                      <Typography variant="body2" sx={{ fontWeight: 600, fontFamily: "monospace", fontSize: 12 }}>{diagnostic.code}</Typography>
                      <Typography variant="body2">{diagnostic.message}</Typography>
                    </TableCell>
                    <TableCell>
                      {diagnostic.asset ? (
                        <MuiLink component={Link} to={assetPath(diagnostic.asset.key)} data-asset-link={diagnostic.asset.key}>
                          {diagnostic.asset.key}
                        </MuiLink>
                      ) : (
                        diagnostic.assetKey ?? "—"
                      )}
                    </TableCell>
                    <TableCell>{diagnostic.locationName}</TableCell>
                    <TableCell sx={{ fontFamily: "monospace", fontSize: 12 }}>
                      {diagnostic.at?.file ? `${diagnostic.at.file}${diagnostic.at.line ? `:${diagnostic.at.line}` : ""}` : (diagnostic.nodeId ?? "—")}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </Box>
        )}
      </CardContent>
    </Card>
  );
}

function LocationsPage() {
  const { data, isPending, error, refetch } = useListContext<LocationInfo>();
  if (error) return <ErrorState error={error} onRetry={() => void refetch()} title="Could not load the locations" />;
  if (isPending) return <Box sx={{ mt: 2 }}><LoadingLines lines={4} height={40} /></Box>;
  if (data.length === 0) {
    return (
      <EmptyState title="No locations configured">
        Start Tributary with <code>--dbt-project DIR</code>, <code>--manifest FILE</code> or a <code>tributary.yaml</code>.
      </EmptyState>
    );
  }
  const order = { ERROR: 0, WARNING: 1, INFO: 2 };
  const diagnostics = data.flatMap((location) => location.diagnostics).sort((a, b) => order[a.severity] - order[b.severity]);
  return (
    <Box sx={{ py: 2 }}>
      <Grid container spacing={2}>
        {data.map((location) => (
          <Grid key={location.id} size={{ xs: 12, md: 6, xl: 4 }}>
            <LocationCard location={location} />
          </Grid>
        ))}
      </Grid>
      <Diagnostics diagnostics={diagnostics} />
    </Box>
  );
}

/** The locations view. */
export function LocationList() {
  usePageTitle("Locations");
  return (
    <ListBase perPage={1000} disableSyncWithLocation>
      <Title title="Locations" />
      <LocationsPage />
    </ListBase>
  );
}
