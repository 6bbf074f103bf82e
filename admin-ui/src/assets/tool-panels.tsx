/**
 * The state of the tool that builds an asset, as the asset page shows it: a Fivetran table's connector
 * (`Asset.fivetran`) and a Census sync (`Asset.census`, with its mappings and last runs). State the server has
 * not observed yet is said so, never left blank. Nothing here can show a secret: the API carries none.
 */
import ArrowForwardIcon from "@mui/icons-material/ArrowForward";
import KeyIcon from "@mui/icons-material/Key";
import OpenInNewIcon from "@mui/icons-material/OpenInNew";
import { Box, Button, Chip, Table, TableBody, TableCell, TableHead, TableRow, Tooltip, Typography } from "@mui/material";
import type { ReactNode } from "react";
import { thousands } from "../common/format.ts";
import { TimeText } from "../common/time-text.tsx";
import { formatDuration, span } from "../common/time.ts";
import { ToolMark } from "../common/tools.tsx";
import type { AssetDetail, CensusSync, CensusSyncRun, FivetranConnector } from "../types.ts";
import { Fact, Panel, Reserved } from "./panels.tsx";

type Tone = "success" | "warning" | "error" | "info" | "default";

/** A state word in a coloured chip; `title` says what the word is about. */
function StateChip({ label, tone, title }: { label: string; tone: Tone; title: string }) {
  return (
    <Tooltip title={title}>
      <Chip size="small" label={label} color={tone} variant={tone === "default" ? "outlined" : "filled"} sx={{ fontWeight: 600, textTransform: "capitalize" }} />
    </Tooltip>
  );
}

const syncStateTone = (state: string): Tone =>
  state === "syncing" ? "info" : state === "scheduled" ? "success" : state === "rescheduled" ? "warning" : "default";
const setupStateTone = (state: string): Tone => (state === "connected" ? "success" : state === "incomplete" ? "warning" : state === "broken" ? "error" : "default");
const healthTone = (health: string): Tone => (/fail|error|broken/i.test(health) ? "error" : /up to date|ready|healthy|ok/i.test(health) ? "success" : "default");
export const runStatusTone = (status: string): Tone =>
  status === "completed" ? "success" : ["failed", "timed_out", "refused"].includes(status) ? "error" : status === "working" ? "info" : "default";

/** An http(s) URL, or null: links come from the tools' APIs and only web links are followed. */
function webLink(url: string | null | undefined): string | null {
  return url && /^https?:\/\//i.test(url) ? url : null;
}

function ExternalButton({ href, children, testId }: { href: string; children: ReactNode; testId?: string }) {
  return (
    <Button size="small" variant="outlined" href={href} target="_blank" rel="noopener noreferrer" endIcon={<OpenInNewIcon sx={{ fontSize: 16 }} />} data-testid={testId} sx={{ whiteSpace: "nowrap" }}>
      {children}
    </Button>
  );
}

const Muted = ({ children }: { children: ReactNode }) => (
  <Typography variant="body2" component="span" sx={{ color: "text.disabled" }}>
    {children}
  </Typography>
);

const Mono = ({ children }: { children: ReactNode }) => <code style={{ fontSize: 12.5, overflowWrap: "anywhere" }}>{children}</code>;

/** When the shown state was read, or that it has not been read since the catalog loaded. */
function AsOf({ asOf, tool }: { asOf: string | null; tool: string }) {
  return (
    <Typography variant="caption" component="div" sx={{ color: "text.secondary", mt: 1.5 }} data-testid="tool-state-as-of">
      {asOf ? (
        <>
          State as read from {tool} <TimeText iso={asOf} />.
        </>
      ) : (
        <>State not read from {tool} yet; it shows here after the next load or observation.</>
      )}
    </Typography>
  );
}

/** Two columns of facts on a wide page, one on a narrow one. */
function FactColumns({ left, right }: { left: ReactNode; right: ReactNode }) {
  return (
    <Box sx={{ display: "grid", gridTemplateColumns: { xs: "minmax(0, 1fr)", md: "minmax(0, 1fr) minmax(0, 1fr)" }, columnGap: 4 }}>
      <Box>{left}</Box>
      <Box>{right}</Box>
    </Box>
  );
}

function schedule(connector: FivetranConnector): ReactNode {
  if (connector.scheduleType === "manual") return "manual: only when triggered";
  const every = connector.syncFrequencyMinutes;
  if (every === null) return connector.scheduleType ?? <Muted>not reported</Muted>;
  const frequency = every % 1440 === 0 ? `${every / 1440} d` : every % 60 === 0 ? `${every / 60} h` : `${every} min`;
  return `every ${frequency}${connector.scheduleType ? ` (${connector.scheduleType})` : ""}`;
}

/** Wide enough for "Rescheduled for" on one line. */
const FIVETRAN_LABEL_WIDTH = 124;

export function FivetranConnectorPanel({ connector }: { connector: FivetranConnector }) {
  const url = webLink(connector.url);
  const logsUrl = webLink(connector.logsUrl);
  // A failure newer than the last success is the connector's current problem.
  const failing = connector.failedAt !== null && (connector.succeededAt === null || Date.parse(connector.failedAt) > Date.parse(connector.succeededAt));
  return (
    <Panel
      title={
        <Box component="span" sx={{ display: "inline-flex", alignItems: "center", gap: 1 }}>
          <ToolMark kind="fivetran" size={20} /> Fivetran connector
        </Box>
      }
      id="fivetran"
      testId="fivetran-panel"
      action={
        <Box sx={{ display: "flex", gap: 1, flexWrap: "wrap", justifyContent: "flex-end" }}>
          {url && <ExternalButton href={url} testId="fivetran-connector-link">Connector</ExternalButton>}
          {logsUrl && <ExternalButton href={logsUrl} testId="fivetran-logs-link">Logs</ExternalButton>}
        </Box>
      }
    >
      <Box sx={{ display: "flex", gap: 1, flexWrap: "wrap", alignItems: "center", mb: 1 }}>
        <Box data-testid="fivetran-sync-state" data-state={connector.syncState}>
          <StateChip label={connector.syncState === "unknown" ? "sync state unknown" : connector.syncState} tone={syncStateTone(connector.syncState)} title="Sync state" />
        </Box>
        <StateChip label={connector.setupState === "unknown" ? "setup unknown" : connector.setupState} tone={setupStateTone(connector.setupState)} title="Setup state" />
        {connector.paused ? <StateChip label="paused" tone="warning" title="Fivetran does not sync a paused connector" /> : <StateChip label="active" tone="default" title="Not paused" />}
        {failing && <StateChip label="last sync failed" tone="error" title="The latest sync failed after the last success" />}
      </Box>
      <FactColumns
        left={
          <>
            <Fact label="Last success" labelWidth={FIVETRAN_LABEL_WIDTH}>
              <TimeText iso={connector.succeededAt} absent="never" />
            </Fact>
            <Fact label="Last failure" labelWidth={FIVETRAN_LABEL_WIDTH}>
              <Box component="span" sx={{ color: failing ? "error.main" : undefined }}>
                <TimeText iso={connector.failedAt} absent="none" />
              </Box>
            </Fact>
            <Fact label="Rescheduled for" labelWidth={FIVETRAN_LABEL_WIDTH}>
              <TimeText iso={connector.rescheduledFor} absent="not rescheduled" />
            </Fact>
            <Fact label="Schedule" labelWidth={FIVETRAN_LABEL_WIDTH}>{schedule(connector)}</Fact>
          </>
        }
        right={
          <>
            <Fact label="Connector" labelWidth={FIVETRAN_LABEL_WIDTH}>
              {connector.name && <Box component="span" sx={{ mr: 1 }}>{connector.name}</Box>}
              <Mono>{connector.connectorId}</Mono>
            </Fact>
            <Fact label="Service" labelWidth={FIVETRAN_LABEL_WIDTH}>
              {connector.service === "unknown" ? <Muted>not reported</Muted> : connector.service}
              {connector.destinationService && (
                <Typography variant="caption" component="span" sx={{ color: "text.secondary" }}>
                  {" "}→ {connector.destinationService}
                </Typography>
              )}
            </Fact>
            <Fact label="Group" labelWidth={FIVETRAN_LABEL_WIDTH}>{connector.groupName ?? connector.groupId ?? <Muted>not reported</Muted>}</Fact>
            <Fact label="Source table" labelWidth={FIVETRAN_LABEL_WIDTH}>
              {connector.sourceTable ? <Mono>{[connector.sourceSchema, connector.sourceTable].filter(Boolean).join(".")}</Mono> : <Muted>not reported</Muted>}
            </Fact>
          </>
        }
      />
      <AsOf asOf={connector.asOf} tool={`the Fivetran account “${connector.location}”`} />
    </Panel>
  );
}

function Count({ value, bad = false }: { value: number | null; bad?: boolean }) {
  if (value === null) return <Muted>—</Muted>;
  return (
    <Box component="span" sx={{ color: bad && value > 0 ? "error.main" : undefined, fontWeight: bad && value > 0 ? 600 : undefined }}>
      {thousands(value)}
    </Box>
  );
}

function CensusRuns({ runs }: { runs: readonly CensusSyncRun[] }) {
  if (runs.length === 0) {
    return (
      <Reserved title="No runs recorded yet" testId="census-runs-empty">
        Runs appear here when Census runs the sync on its schedule or Tributary launches it.
      </Reserved>
    );
  }
  const numeric = { textAlign: "right", fontVariantNumeric: "tabular-nums", whiteSpace: "nowrap" } as const;
  return (
    <Box sx={{ overflowX: "auto" }}>
      <Table size="small" aria-label="Last runs" data-testid="census-runs">
        <TableHead>
          <TableRow>
            <TableCell>Status</TableCell>
            <TableCell>Completed</TableCell>
            <TableCell sx={numeric}>Processed</TableCell>
            <TableCell sx={numeric}>Updated</TableCell>
            <TableCell sx={numeric}>Failed</TableCell>
            <TableCell sx={numeric}>Invalid</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {runs.map((run, i) => {
            const took = formatDuration(span(run.startedAt, run.completedAt));
            const key = run.syncRunId ?? String(i);
            return [
              <TableRow key={key} data-testid="census-run" data-status={run.status} sx={{ verticalAlign: "top", ...(run.errorMessage ? { "& td": { borderBottom: 0 } } : {}) }}>
                <TableCell>
                  <StateChip label={run.status.replaceAll("_", " ")} tone={runStatusTone(run.status)} title={run.syncRunId ? `Run ${run.syncRunId}` : "Run"} />
                  {run.launchedBy && (
                    <Typography variant="caption" component="div" sx={{ color: "text.secondary", mt: 0.25, whiteSpace: "nowrap" }}>
                      by {run.launchedBy === "tributary" ? "Tributary" : run.launchedBy === "census" ? "Census" : run.launchedBy}
                    </Typography>
                  )}
                </TableCell>
                <TableCell>
                  <TimeText iso={run.completedAt} absent="not finished" />
                  {took && (
                    <Typography variant="caption" component="div" sx={{ color: "text.secondary", whiteSpace: "nowrap" }}>
                      took {took}
                    </Typography>
                  )}
                </TableCell>
                <TableCell sx={numeric} data-testid="census-run-processed"><Count value={run.recordsProcessed} /></TableCell>
                <TableCell sx={numeric}><Count value={run.recordsUpdated} /></TableCell>
                <TableCell sx={numeric}><Count value={run.recordsFailed} bad /></TableCell>
                <TableCell sx={numeric}><Count value={run.recordsInvalid} bad /></TableCell>
              </TableRow>,
              run.errorMessage ? (
                <TableRow key={`${key}-error`}>
                  <TableCell colSpan={6} sx={{ pt: 0 }}>
                    <Typography variant="body2" sx={{ color: "error.main", overflowWrap: "anywhere" }} data-testid="census-run-error">
                      {run.errorMessage}
                    </Typography>
                  </TableCell>
                </TableRow>
              ) : null,
            ];
          })}
        </TableBody>
      </Table>
    </Box>
  );
}

function Mappings({ mappings }: { mappings: CensusSync["mappings"] }) {
  if (mappings.length === 0) return <Typography variant="body2" sx={{ color: "text.secondary" }}>No field mappings reported.</Typography>;
  return (
    <Box sx={{ overflowX: "auto" }}>
      <Table size="small" aria-label="Field mappings" data-testid="census-mappings">
        <TableHead>
          <TableRow>
            <TableCell>From (warehouse)</TableCell>
            <TableCell sx={{ width: 32, px: 0 }} />
            <TableCell>To (destination field)</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {mappings.map((mapping) => (
            <TableRow key={`${mapping.from}→${mapping.to}`} hover data-testid="census-mapping" data-primary={mapping.primaryIdentifier}>
              <TableCell sx={{ fontFamily: "monospace", overflowWrap: "anywhere" }}>{mapping.from}</TableCell>
              <TableCell sx={{ px: 0, color: "text.secondary" }}>
                <ArrowForwardIcon sx={{ fontSize: 16, verticalAlign: "middle" }} aria-label="to" />
              </TableCell>
              <TableCell sx={{ fontFamily: "monospace", overflowWrap: "anywhere" }}>
                <Box sx={{ display: "flex", alignItems: "center", gap: 1, flexWrap: "wrap" }}>
                  {mapping.to}
                  {mapping.primaryIdentifier && (
                    <Chip size="small" icon={<KeyIcon sx={{ fontSize: 14 }} />} label="primary identifier" color="primary" variant="outlined" sx={{ height: 20, fontSize: 11, fontFamily: "inherit" }} />
                  )}
                </Box>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Box>
  );
}

/** One end of the sync's flow: what it reads, or where it writes. */
function FlowEnd({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Box sx={{ flex: "1 1 0", minWidth: 0, border: "1px solid", borderColor: "divider", borderRadius: 1.5, px: 1.5, py: 1, bgcolor: "#fcfcfd" }}>
      <Typography variant="overline" component="div" sx={{ color: "text.secondary", lineHeight: 1.6 }}>
        {label}
      </Typography>
      <Box sx={{ fontSize: 14, overflowWrap: "anywhere" }}>{children}</Box>
    </Box>
  );
}

export function CensusSyncPanel({ sync }: { sync: CensusSync }) {
  const url = webLink(sync.url);
  const known = (value: string | null) => (value === null || value === "unknown" ? null : value);
  return (
    <Panel
      title={
        <Box component="span" sx={{ display: "inline-flex", alignItems: "center", gap: 1 }}>
          <ToolMark kind="census" size={20} /> Census sync
        </Box>
      }
      id="census"
      testId="census-panel"
      action={url && <ExternalButton href={url} testId="census-sync-link">Open in Census</ExternalButton>}
    >
      <Box sx={{ display: "flex", gap: 1, flexWrap: "wrap", alignItems: "center", mb: 1.5 }}>
        <StateChip label={sync.operation} tone="info" title="Operation: how records are written to the destination" />
        {sync.health ? <StateChip label={sync.health} tone={healthTone(sync.health)} title="Health, as Census reports it" /> : <StateChip label="health unknown" tone="default" title="Census has not reported the sync's health" />}
        {sync.paused ? <StateChip label="paused" tone="warning" title="Census does not run a paused sync" /> : <StateChip label="active" tone="default" title="Not paused" />}
      </Box>
      <Box sx={{ display: "flex", alignItems: "stretch", gap: 1, mb: 1.5, flexDirection: { xs: "column", sm: "row" } }} data-testid="census-flow">
        <FlowEnd label="Source">
          <Mono>{sync.sourceObject}</Mono>
        </FlowEnd>
        <Box sx={{ display: "flex", alignItems: "center", justifyContent: "center", color: "text.secondary" }} aria-hidden>
          <ArrowForwardIcon sx={{ transform: { xs: "rotate(90deg)", sm: "none" } }} />
        </Box>
        <FlowEnd label="Destination">
          <Box sx={{ display: "flex", alignItems: "baseline", gap: 1, flexWrap: "wrap" }}>
            <span>{known(sync.destinationName) ?? known(sync.destinationType) ?? <Muted>not reported</Muted>}</span>
            {known(sync.destinationType) && known(sync.destinationName) && (
              <Typography variant="caption" sx={{ color: "text.secondary" }}>
                {sync.destinationType}
              </Typography>
            )}
          </Box>
          <Box sx={{ mt: 0.25 }}>
            <Typography variant="caption" sx={{ color: "text.secondary" }}>object </Typography>
            <Mono>{sync.destinationObject}</Mono>
          </Box>
        </FlowEnd>
      </Box>
      <FactColumns
        left={
          <>
            <Fact label="Schedule">{sync.schedule === "never" ? "manual: no schedule" : (sync.schedule ?? <Muted>not reported</Muted>)}</Fact>
            <Fact label="Last run">
              <TimeText iso={sync.lastRuns[0]?.completedAt ?? null} absent="none recorded" />
            </Fact>
          </>
        }
        right={
          <>
            <Fact label="Sync">
              <Box component="span" sx={{ mr: 1 }}>{sync.label}</Box>
              <Mono>#{sync.syncId}</Mono>
            </Fact>
            <Fact label="Workspace">{sync.location}</Fact>
          </>
        }
      />
      <Typography variant="subtitle2" sx={{ mt: 2, mb: 0.5 }}>
        Field mappings{" "}
        <Typography component="span" variant="body2" sx={{ color: "text.secondary" }}>
          {sync.mappings.length}
        </Typography>
      </Typography>
      <Mappings mappings={sync.mappings} />
      <Typography variant="subtitle2" sx={{ mt: 2, mb: 0.5 }}>
        Last runs
      </Typography>
      <CensusRuns runs={sync.lastRuns} />
      <AsOf asOf={sync.asOf} tool={`the Census workspace “${sync.location}”`} />
    </Panel>
  );
}

/** The panel of the tool that builds the asset; a designed placeholder when its state is missing. */
export function ToolStatePanel({ record }: { record: AssetDetail }) {
  if (record.census) return <CensusSyncPanel sync={record.census} />;
  if (record.fivetran) return <FivetranConnectorPanel connector={record.fivetran} />;
  const tool = record.materializedBy?.tool;
  if (tool !== "fivetran" && tool !== "census") return null;
  const what = tool === "fivetran" ? "Fivetran connector" : "Census sync";
  return (
    <Panel title={what} id="tool-state">
      <Reserved title={`${what} state not observed yet`} testId="tool-state-reserved">
        Runs as <code>{record.materializedBy?.runTargetId}</code> in {record.materializedBy?.location}. Its state shows here once Tributary has read it.
      </Reserved>
    </Panel>
  );
}
