// Generated from the server's GraphQL schema by scripts/ui-schema-types.ts; do not edit.
// Regenerate after a schema change: npx tsx scripts/ui-schema-types.ts

export interface ApiToken {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly createdAt: string;
  readonly createdBy: string | null;
  readonly revokedAt: string | null;
  readonly lastUsedAt: string | null;
}

export interface Asset {
  readonly key: string;
  readonly id: string;
  readonly keyPath: readonly string[];
  readonly aliases: readonly string[];
  readonly kinds: readonly string[];
  readonly group: string | null;
  readonly owners: readonly string[];
  readonly tags: readonly string[];
  readonly description: string | null;
  readonly dbtUniqueId: string | null;
  readonly relation: Relation | null;
  readonly upstream: readonly Asset[];
  readonly downstream: readonly Asset[];
  readonly columns: readonly Column[];
  readonly tableStats: TableStats | null;
  readonly freshness: SourceFreshness | null;
  readonly checks: readonly Check[];
  readonly policy: Policy | null;
  readonly materializedBy: Materializer | null;
  readonly readBy: readonly string[];
  readonly locations: readonly string[];
  readonly codeVersion: string | null;
  readonly definedIn: SourceLocation | null;
  readonly diagnostics: readonly Diagnostic[];
  readonly impact: Impact;
  readonly metadata: unknown;
  readonly status: AssetStatus;
  readonly materializations: readonly Materialization[];
  readonly fivetran: FivetranConnector | null;
  readonly census: CensusSync | null;
  readonly evaluations: readonly Evaluation[];
  readonly freshnessTarget: FreshnessTarget | null;
  readonly runSavings: RunSavings | null;
  readonly latestMaterialization: Materialization | null;
  readonly runs: readonly Run[];
  readonly checkResults: readonly CheckResult[];
  readonly lastUpdatedAt: string | null;
  readonly warehouse: WarehouseRelation | null;
}

export interface AssetConnection {
  readonly totalCount: number;
  readonly nodes: readonly Asset[];
  readonly edges: readonly AssetEdge[];
  readonly pageInfo: PageInfo;
}

export interface AssetEdge {
  readonly cursor: string;
  readonly node: Asset;
}

export interface AssetFacets {
  readonly statuses: readonly FacetCount[];
  readonly kinds: readonly FacetCount[];
  readonly groups: readonly FacetCount[];
  readonly owners: readonly FacetCount[];
  readonly tags: readonly FacetCount[];
  readonly locations: readonly FacetCount[];
}

export type AssetOrderField = "KEY" | "GROUP" | "TOOL" | "UPSTREAM_COUNT" | "DOWNSTREAM_COUNT" | "HAS_POLICY";

export type AssetStatus = "FRESH" | "STALE" | "FAILED" | "RUNNING" | "NEVER_MATERIALIZED";

export interface AuditEvent {
  readonly id: string;
  readonly at: string;
  readonly action: string;
  readonly outcome: AuditOutcome;
  readonly actor: string | null;
  readonly actorKind: CallerKind;
  readonly role: Role | null;
  readonly runIds: readonly string[];
  readonly errorCode: string | null;
  readonly details: unknown;
}

export interface AuditEventConnection {
  readonly nodes: readonly AuditEvent[];
  readonly pageInfo: PageInfo;
}

export type AuditOutcome = "OK" | "REFUSED" | "FAILED";

export type CallerKind = "TOKEN" | "PROXY" | "ANONYMOUS" | "LOCAL";

export interface CensusMapping {
  readonly from: string;
  readonly to: string;
  readonly primaryIdentifier: boolean;
}

export interface CensusSync {
  readonly syncId: string;
  readonly label: string;
  readonly location: string;
  readonly operation: string;
  readonly sourceObject: string;
  readonly destinationName: string | null;
  readonly destinationObject: string;
  readonly destinationType: string;
  readonly mappings: readonly CensusMapping[];
  readonly schedule: string | null;
  readonly paused: boolean;
  readonly health: string | null;
  readonly lastRuns: readonly CensusSyncRun[];
  readonly url: string;
  readonly asOf: string | null;
}

export interface CensusSyncRun {
  readonly syncRunId: string | null;
  readonly status: string;
  readonly startedAt: string | null;
  readonly completedAt: string | null;
  readonly recordsProcessed: number | null;
  readonly recordsUpdated: number | null;
  readonly recordsFailed: number | null;
  readonly recordsInvalid: number | null;
  readonly errorMessage: string | null;
  readonly launchedBy: string | null;
}

export interface Check {
  readonly name: string;
  readonly assetKey: string;
  readonly description: string | null;
  readonly blocking: boolean;
  readonly additionalDeps: readonly string[];
  readonly columnName: string | null;
  readonly sourceId: string | null;
  readonly metadata: unknown;
  readonly latestResult: CheckResult | null;
}

export type CheckOutcome = "PASS" | "WARN" | "FAIL" | "ERROR" | "SKIPPED";

export interface CheckResult {
  readonly checkName: string;
  readonly assetKey: string;
  readonly outcome: CheckOutcome;
  readonly failures: number | null;
  readonly runId: string | null;
  readonly toolRunId: string | null;
  readonly occurredAt: string;
  readonly metadata: unknown;
}

export interface Column {
  readonly name: string;
  readonly type: string | null;
  readonly description: string | null;
  readonly tags: readonly string[];
  readonly checks: readonly Check[];
  readonly nullable: boolean | null;
  readonly inWarehouse: boolean | null;
  readonly documented: boolean | null;
  readonly lineage: ColumnLineage | null;
}

export interface ColumnLineage {
  readonly followed: boolean;
  readonly note: string | null;
  readonly transformation: ColumnTransformation | null;
  readonly upstream: readonly ColumnRef[];
}

export interface ColumnLineageEdge {
  readonly from: ColumnRef;
  readonly to: ColumnRef;
  readonly transformation: ColumnTransformation | null;
}

export interface ColumnLineageGraph {
  readonly nodes: readonly ColumnRef[];
  readonly edges: readonly ColumnLineageEdge[];
  readonly notFollowed: readonly string[];
}

export interface ColumnRef {
  readonly assetKey: string | null;
  readonly relation: string | null;
  readonly column: string;
}

export type ColumnTransformation = "COPY" | "RENAME" | "TRANSFORMATION";

export interface CreatedApiToken {
  readonly token: string;
  readonly apiToken: ApiToken;
}

export interface Diagnostic {
  readonly severity: DiagnosticSeverity;
  readonly code: string;
  readonly message: string;
  readonly locationName: string;
  readonly assetKey: string | null;
  readonly asset: Asset | null;
  readonly nodeId: string | null;
  readonly at: SourceLocation | null;
}

export type DiagnosticSeverity = "ERROR" | "WARNING" | "INFO";

export interface Evaluation {
  readonly assetKey: string;
  readonly tick: number;
  readonly evaluatedAt: string;
  readonly requested: boolean;
  readonly treeHash: string;
  readonly tree: readonly EvaluationNode[];
}

export interface EvaluationNode {
  readonly id: string;
  readonly name: string;
  readonly label: string;
  readonly value: boolean;
  readonly reason: string | null;
  readonly children: readonly string[];
}

export interface FacetCount {
  readonly value: string;
  readonly count: number;
}

export interface FivetranConnector {
  readonly connectorId: string;
  readonly name: string | null;
  readonly service: string;
  readonly location: string;
  readonly groupId: string | null;
  readonly groupName: string | null;
  readonly destinationService: string | null;
  readonly scheduleType: string | null;
  readonly syncFrequencyMinutes: number | null;
  readonly paused: boolean;
  readonly setupState: string;
  readonly syncState: string;
  readonly updateState: string | null;
  readonly succeededAt: string | null;
  readonly failedAt: string | null;
  readonly rescheduledFor: string | null;
  readonly url: string;
  readonly logsUrl: string;
  readonly sourceSchema: string | null;
  readonly sourceTable: string | null;
  readonly asOf: string | null;
}

export type FreshnessState = "FRESH" | "OVERDUE" | "UNKNOWN";

export interface FreshnessTarget {
  readonly maximumLagMinutes: number;
  readonly cronSchedule: string | null;
  readonly cronTimezone: string | null;
  readonly state: FreshnessState;
  readonly lagMinutes: number | null;
  readonly overdueAt: string | null;
  readonly overdueSince: string | null;
  readonly reason: string;
}

export interface Impact {
  readonly count: number;
  readonly countByKind: readonly KindCount[];
  readonly assets: readonly Asset[];
}

export interface KindCount {
  readonly kind: string;
  readonly count: number;
}

export interface LaunchCapability {
  readonly available: boolean;
  readonly reason: string | null;
}

export type LaunchKind = "POLICY" | "MANUAL" | "REEXECUTION" | "RETRY";

export interface LaunchRunResult {
  readonly run: Run | null;
  readonly unlaunchable: readonly Unlaunchable[];
}

export interface LaunchedBy {
  readonly kind: LaunchKind;
  readonly tick: number | null;
  readonly user: string | null;
  readonly parentRunId: string | null;
  readonly attempt: number | null;
  readonly onlyFailed: boolean | null;
  readonly description: string;
}

export type LineageDirection = "UPSTREAM" | "DOWNSTREAM" | "BOTH";

export interface LineageEdge {
  readonly from: string;
  readonly to: string;
}

export interface LineageGraph {
  readonly nodes: readonly Asset[];
  readonly edges: readonly LineageEdge[];
}

export interface Location {
  readonly name: string;
  readonly kind: string;
  readonly origin: string;
  readonly state: LocationState;
  readonly loadedAt: string | null;
  readonly loadDurationMs: number | null;
  readonly assetCount: number;
  readonly error: LocationError | null;
  readonly diagnostics: readonly Diagnostic[];
}

export interface LocationError {
  readonly code: string;
  readonly message: string;
  readonly at: string;
}

export type LocationState = "LOADED" | "FAILED";

export interface Materialization {
  readonly id: string;
  readonly assetKey: string;
  readonly status: MaterializationStatus;
  readonly tool: string;
  readonly location: string;
  readonly runId: string | null;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly metadata: unknown;
  readonly durationMs: number | null;
  readonly tributaryRunId: string | null;
}

export type MaterializationStatus = "SUCCESS" | "FAILURE";

export interface Materializer {
  readonly tool: string;
  readonly location: string;
  readonly runTargetId: string;
}

export interface Mutation {
  readonly reloadLocations: ReloadResult;
  readonly launchRun: LaunchRunResult;
  readonly reexecuteRun: LaunchRunResult;
  readonly cancelRun: Run | null;
  readonly reportDbtRunResults: ReportResult;
  readonly reportMaterialization: ReportResult;
  readonly createApiToken: CreatedApiToken;
  readonly revokeApiToken: ApiToken | null;
}

export type OrderDirection = "ASC" | "DESC";

export interface PageInfo {
  readonly hasNextPage: boolean;
  readonly endCursor: string | null;
}

export interface Policy {
  readonly source: PolicySource;
  readonly type: PolicyType | null;
  readonly label: string;
  readonly cronSchedule: string | null;
  readonly cronTimezone: string | null;
  readonly condition: unknown | null;
  readonly declaredIn: SourceLocation | null;
  readonly tree: unknown | null;
}

export type PolicySource = "AUTO_MATERIALIZE_POLICY" | "AUTOMATION_CONDITION";

export type PolicyType = "EAGER" | "LAZY" | "ON_CRON" | "ON_MISSING";

export interface Query {
  readonly assets: AssetConnection;
  readonly asset: Asset | null;
  readonly facets: AssetFacets;
  readonly lineage: LineageGraph;
  readonly locations: readonly Location[];
  readonly diagnostics: readonly Diagnostic[];
  readonly dryRun: readonly Evaluation[];
  readonly runSavings: RunSavings;
  readonly runs: RunConnection;
  readonly run: Run | null;
  readonly launchCapability: LaunchCapability;
  readonly viewer: Viewer;
  readonly auditEvents: AuditEventConnection;
  readonly apiTokens: readonly ApiToken[];
  readonly columnLineage: ColumnLineageGraph;
}

export interface Relation {
  readonly database: string | null;
  readonly schema: string;
  readonly name: string;
  readonly fullName: string;
}

export interface ReloadError {
  readonly locationName: string;
  readonly code: string;
  readonly message: string;
  readonly file: string | null;
  readonly nodeId: string | null;
  readonly jsonPath: string | null;
}

export interface ReloadResult {
  readonly ok: boolean;
  readonly catalogSwapped: boolean;
  readonly durationMs: number;
  readonly errors: readonly ReloadError[];
  readonly locations: readonly Location[];
}

export interface ReportResult {
  readonly recorded: number;
  readonly alreadyRecorded: number;
  readonly materializations: number;
  readonly failures: number;
  readonly checkResults: number;
  readonly unknownNodes: readonly string[];
}

export type Role = "VIEWER" | "OPERATOR" | "ADMIN";

export interface Run {
  readonly id: string;
  readonly status: RunStatus;
  readonly launchedBy: LaunchedBy;
  readonly assetKeys: readonly string[];
  readonly steps: readonly RunStep[];
  readonly logs: readonly RunLogLine[];
  readonly materializations: readonly Materialization[];
  readonly checkResults: readonly CheckResult[];
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly endedAt: string | null;
  readonly durationMs: number | null;
  readonly message: string | null;
  readonly attempt: number;
  readonly parentRunId: string | null;
  readonly cancelRequested: boolean;
  readonly audit: readonly AuditEvent[];
}

export interface RunConnection {
  readonly totalCount: number;
  readonly nodes: readonly Run[];
  readonly edges: readonly RunEdge[];
  readonly pageInfo: PageInfo;
}

export interface RunEdge {
  readonly cursor: string;
  readonly node: Run;
}

export type RunLogLevel = "DEBUG" | "INFO" | "WARN" | "ERROR";

export interface RunLogLine {
  readonly id: number;
  readonly at: string;
  readonly level: RunLogLevel;
  readonly message: string;
  readonly assetKey: string | null;
  readonly stepIndex: number | null;
  readonly data: unknown | null;
}

export interface RunSavings {
  readonly since: string;
  readonly assets: number;
  readonly requested: number;
  readonly upstreamUpdates: number;
  readonly coalesced: number;
  readonly complete: boolean;
}

export type RunStatus = "QUEUED" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELED";

export interface RunStep {
  readonly index: number;
  readonly tool: string;
  readonly location: string;
  readonly assetKeys: readonly string[];
  readonly status: StepStatus;
  readonly message: string | null;
  readonly failedKeys: readonly string[];
  readonly skippedKeys: readonly string[];
  readonly toolRunId: string | null;
  readonly url: string | null;
  readonly startedAt: string | null;
  readonly endedAt: string | null;
  readonly durationMs: number | null;
  readonly attempts: number;
  readonly worker: string | null;
}

export interface RunUpdate {
  readonly run: Run;
  readonly logs: readonly RunLogLine[];
}

export interface SourceFreshness {
  readonly source: string;
  readonly status: string;
  readonly maxLoadedAt: string | null;
  readonly checkedAt: string | null;
  readonly ageSeconds: number | null;
  readonly warnAfter: string | null;
  readonly errorAfter: string | null;
  readonly filter: string | null;
  readonly error: string | null;
}

export interface SourceLocation {
  readonly file: string | null;
  readonly line: number | null;
  readonly path: string | null;
}

export type StepStatus = "PENDING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "SKIPPED" | "CANCELED";

export interface Subscription {
  readonly runUpdates: RunUpdate;
}

export interface TableStatEntry {
  readonly label: string;
  readonly value: string | null;
  readonly description: string | null;
}

export interface TableStats {
  readonly source: string;
  readonly collectedAt: string | null;
  readonly tableType: string | null;
  readonly owner: string | null;
  readonly rowCount: number | null;
  readonly bytes: number | null;
  readonly lastModified: string | null;
  readonly entries: readonly TableStatEntry[];
}

export interface Unlaunchable {
  readonly assetKey: string;
  readonly reason: string;
}

export interface Viewer {
  readonly kind: CallerKind;
  readonly name: string | null;
  readonly role: Role | null;
  readonly canLaunch: boolean;
  readonly canReload: boolean;
}

export interface WarehouseRelation {
  readonly location: string;
  readonly engine: string;
  readonly kind: string;
  readonly rowCountEstimated: boolean | null;
  readonly describedAt: string;
}
