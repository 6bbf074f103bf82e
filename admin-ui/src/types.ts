/**
 * The shapes the UI reads from Tributary's GraphQL API (see server/graphql/*.ts). Enums come from the schema
 * (./generated/schema.ts, printed from the server's schema by scripts/ui-schema-types.ts); the shapes below are
 * the subsets the UI asks for, and `SchemaChecks` at the end fails the typecheck when one names a field the
 * schema does not have.
 */
import type * as Schema from "./generated/schema.ts";

export interface Relation {
  readonly database: string | null;
  readonly schema: string;
  readonly name: string;
  readonly fullName: string;
}

export interface Materializer {
  readonly tool: string;
  readonly location: string;
  readonly runTargetId?: string;
}

export interface PolicySummary {
  readonly source: "AUTO_MATERIALIZE_POLICY" | "AUTOMATION_CONDITION";
  readonly type: "EAGER" | "LAZY" | "ON_CRON" | "ON_MISSING" | null;
  readonly label: string;
}

/** `Asset.status`: the asset's state from the runs and events Tributary recorded. */
export type AssetStatus = Schema.AssetStatus;

/** An asset as the catalog list shows it (react-admin records need an `id`). */
export interface AssetSummary {
  readonly id: string;
  readonly key: string;
  readonly kinds: readonly string[];
  readonly group: string | null;
  readonly owners: readonly string[];
  readonly tags: readonly string[];
  readonly description: string | null;
  readonly relation: Pick<Relation, "fullName"> | null;
  readonly materializedBy: Pick<Materializer, "tool"> | null;
  readonly policy: PolicySummary | null;
  readonly status: AssetStatus;
  /** When its data was last updated (ISO 8601); null when never. */
  readonly lastUpdatedAt: string | null;
}

export interface SourceLocation {
  readonly file: string | null;
  readonly line: number | null;
  readonly path: string | null;
}

export interface CheckInfo {
  readonly name: string;
  readonly description?: string | null;
  readonly blocking: boolean;
  readonly columnName?: string | null;
  readonly additionalDeps?: readonly string[];
}

export interface ColumnInfo {
  readonly name: string;
  readonly type: string | null;
  readonly description: string | null;
  readonly tags: readonly string[];
  readonly checks: readonly CheckInfo[];
}

export interface Policy extends PolicySummary {
  readonly cronSchedule: string | null;
  readonly cronTimezone: string | null;
  readonly condition: unknown;
  readonly declaredIn: SourceLocation | null;
  /** The condition tree the policy stands for; null when it cannot be built (an invalid condition). */
  readonly tree: PolicyTreeNode | null;
}

/** A node of `Policy.tree` (JSON on the wire, built by scheduler/conditions/tree.ts). */
export interface PolicyTreeNode {
  readonly id: string;
  readonly name: string;
  readonly label: string;
  readonly children: readonly PolicyTreeNode[];
}

export interface Neighbour {
  readonly key: string;
  readonly kinds: readonly string[];
  readonly materializedBy: Pick<Materializer, "tool"> | null;
  readonly status: AssetStatus;
  readonly lastUpdatedAt: string | null;
}

export interface DiagnosticInfo {
  readonly severity: "ERROR" | "WARNING" | "INFO";
  readonly code: string;
  readonly message: string;
  readonly locationName?: string;
  readonly assetKey?: string | null;
  readonly asset?: { readonly key: string } | null;
  readonly nodeId?: string | null;
  readonly at?: SourceLocation | null;
}

/** A node of an evaluated condition tree; `children` are node ids (the tree comes flat, root first). */
export interface EvaluationNode {
  readonly id: string;
  readonly name: string;
  readonly label: string;
  readonly value: boolean;
  /** Why, in a few words; null when obvious. */
  readonly reason: string | null;
  readonly children: readonly string[];
}

/** One asset's condition evaluated at one tick (`Evaluation`: stored ones and `Query.dryRun`'s). */
export interface Evaluation {
  readonly assetKey: string;
  readonly tick: number;
  readonly evaluatedAt: string;
  readonly requested: boolean;
  readonly treeHash: string;
  readonly tree: readonly EvaluationNode[];
}

/** `Asset.fivetran`: the connector that lands the table and its state (times are ISO 8601). */
export interface FivetranConnector {
  readonly connectorId: string;
  readonly name: string | null;
  readonly service: string;
  readonly location: string;
  readonly groupId: string | null;
  readonly groupName: string | null;
  readonly destinationService: string | null;
  /** auto (Fivetran's schedule) or manual. */
  readonly scheduleType: string | null;
  readonly syncFrequencyMinutes: number | null;
  readonly paused: boolean;
  /** connected, incomplete or broken ("unknown" when not reported). */
  readonly setupState: string;
  /** scheduled, syncing, paused or rescheduled ("unknown" when not reported). */
  readonly syncState: string;
  readonly updateState: string | null;
  readonly succeededAt: string | null;
  readonly failedAt: string | null;
  readonly rescheduledFor: string | null;
  /** The connector in Fivetran's dashboard; "" when unknown. */
  readonly url: string;
  readonly logsUrl: string;
  readonly sourceSchema: string | null;
  readonly sourceTable: string | null;
  /** When the state was read from Fivetran; null when it never was. */
  readonly asOf: string | null;
}

export interface CensusMapping {
  readonly from: string;
  readonly to: string;
  readonly primaryIdentifier: boolean;
}

/** One finished run of a Census sync, newest first in `CensusSync.lastRuns`. */
export interface CensusSyncRun {
  readonly syncRunId: string | null;
  /** completed, failed, canceled, timed_out or refused. */
  readonly status: string;
  readonly startedAt: string | null;
  readonly completedAt: string | null;
  readonly recordsProcessed: number | null;
  readonly recordsUpdated: number | null;
  readonly recordsFailed: number | null;
  readonly recordsInvalid: number | null;
  readonly errorMessage: string | null;
  /** tributary or census (its schedule, its UI). */
  readonly launchedBy: string | null;
}

/** `Asset.census`: the Census sync the asset is. */
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
  /** Ready, Up to Date, Failing… as Census reports it. */
  readonly health: string | null;
  readonly lastRuns: readonly CensusSyncRun[];
  /** The sync in Census's dashboard; "" when unknown. */
  readonly url: string;
  readonly asOf: string | null;
}

/** `Asset.materializations(includeFailures: true)`: a materialization or a failed attempt. */
export interface Materialization {
  readonly id: string;
  readonly assetKey: string;
  readonly status: Schema.MaterializationStatus;
  /** fivetran, dbt, census. */
  readonly tool: string;
  readonly location: string;
  readonly runId: string | null;
  readonly occurredAt: string;
  readonly recordedAt: string;
  /** What the tool said (`fivetran/…`, `census/…` keys): status, links, messages, record counts. */
  readonly metadata: Readonly<Record<string, unknown>>;
  /** How long it took, from the tool's own timing; null when not reported. */
  readonly durationMs: number | null;
  /** The Tributary run that recorded it; null for work a tool did on its own. */
  readonly tributaryRunId: string | null;
}

/** Asset.freshness: a source table's freshness as last checked. */
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

/** Asset.tableStats: what the warehouse says about the table. */
export interface TableStats {
  readonly source: string;
  readonly collectedAt: string | null;
  readonly tableType: string | null;
  readonly owner: string | null;
  readonly rowCount: number | null;
  readonly bytes: number | null;
  readonly lastModified: string | null;
  readonly entries: readonly { readonly label: string; readonly value: string | null; readonly description: string | null }[];
}

export interface AssetDetail extends AssetSummary {
  readonly keyPath: readonly string[];
  readonly aliases: readonly string[];
  readonly dbtUniqueId: string | null;
  readonly codeVersion: string | null;
  readonly relation: Relation | null;
  readonly materializedBy: Materializer | null;
  readonly readBy: readonly string[];
  readonly locations: readonly string[];
  readonly definedIn: SourceLocation | null;
  readonly columns: readonly ColumnInfo[];
  readonly tableStats: TableStats | null;
  readonly freshness: SourceFreshness | null;
  readonly checks: readonly CheckInfo[];
  readonly policy: Policy | null;
  readonly upstream: readonly Neighbour[];
  readonly downstream: readonly Neighbour[];
  readonly impact: { readonly count: number; readonly countByKind: readonly { kind: string; count: number }[] };
  readonly diagnostics: readonly DiagnosticInfo[];
  readonly metadata: Readonly<Record<string, unknown>>;
  /** Null unless Fivetran lands the asset. */
  readonly fivetran: FivetranConnector | null;
  /** Null unless the asset is a Census sync. */
  readonly census: CensusSync | null;
  /** Newest first, failed attempts included. */
  readonly materializations: readonly Materialization[];
  /** The latest stored evaluation (at most one). */
  readonly evaluations: readonly Evaluation[];
}

export interface LocationInfo {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
  readonly origin: string;
  readonly state: "LOADED" | "FAILED";
  readonly loadedAt: string | null;
  readonly loadDurationMs: number | null;
  readonly assetCount: number;
  readonly error: { readonly code: string; readonly message: string; readonly at: string } | null;
  readonly diagnostics: readonly DiagnosticInfo[];
}

export interface FacetCount {
  readonly value: string;
  readonly count: number;
}

/** Facet counts; each facet is counted with every filter but its own, so its other values stay pickable. */
export interface Facets {
  readonly statuses: readonly FacetCount[];
  readonly kinds: readonly FacetCount[];
  readonly groups: readonly FacetCount[];
  readonly owners: readonly FacetCount[];
  readonly tags: readonly FacetCount[];
  readonly locations: readonly FacetCount[];
  readonly hasPolicy: readonly FacetCount[];
}

export type LineageDirection = Schema.LineageDirection;

export interface LineageNode {
  readonly key: string;
  readonly kinds: readonly string[];
  readonly materializedBy: Pick<Materializer, "tool"> | null;
  readonly status: AssetStatus;
  readonly lastUpdatedAt: string | null;
}

export interface LineageGraph {
  readonly nodes: readonly LineageNode[];
  readonly edges: readonly { readonly from: string; readonly to: string }[];
}

/** Catalog filters as they appear in the list's URL. */
export interface AssetFilter {
  readonly q?: string;
  readonly kinds?: readonly string[];
  readonly groups?: readonly string[];
  readonly owners?: readonly string[];
  readonly tags?: readonly string[];
  readonly locations?: readonly string[];
  readonly hasPolicy?: boolean;
  readonly statuses?: readonly AssetStatus[];
}

export type RunStatus = Schema.RunStatus;
export type StepStatus = Schema.StepStatus;

/** `LaunchedBy`: who or what asked for a run. */
export interface LaunchedBy {
  readonly kind: Schema.LaunchKind;
  readonly tick: number | null;
  readonly user: string | null;
  readonly parentRunId: string | null;
  readonly description: string;
}

/** A run as the runs list shows it. */
export interface RunSummary {
  readonly id: string;
  readonly status: RunStatus;
  readonly launchedBy: LaunchedBy;
  readonly assetKeys: readonly string[];
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly endedAt: string | null;
  readonly durationMs: number | null;
  readonly message: string | null;
  readonly cancelRequested: boolean;
  readonly steps: readonly Pick<RunStep, "tool" | "status">[];
}

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
}

export type CheckOutcome = Schema.CheckOutcome;

/** One result of a check (a dbt test). */
export interface CheckResult {
  readonly checkName: string;
  readonly assetKey: string;
  readonly outcome: CheckOutcome;
  readonly failures: number | null;
  readonly runId: string | null;
  readonly occurredAt: string;
}

/** A run as its page shows it. */
export interface RunDetail extends Omit<RunSummary, "steps"> {
  readonly steps: readonly RunStep[];
  readonly attempt: number;
  readonly parentRunId: string | null;
  readonly materializations: readonly Pick<Materialization, "id" | "assetKey" | "status" | "tool" | "occurredAt" | "durationMs">[];
  readonly checkResults: readonly CheckResult[];
}

export interface RunLogLine {
  readonly id: number;
  readonly at: string;
  readonly level: Schema.RunLogLevel;
  readonly message: string;
  readonly assetKey: string | null;
  readonly stepIndex: number | null;
}

/** Filters of the runs list, as its URL holds them. */
export interface RunFilter {
  readonly statuses?: readonly RunStatus[];
  readonly assetKey?: string;
}

export interface RunPage {
  readonly totalCount: number;
  readonly nodes: readonly RunSummary[];
  readonly pageInfo: { readonly hasNextPage: boolean; readonly endCursor: string | null };
}

/** What a launch (launchRun, reexecuteRun) made. */
export interface LaunchResult {
  readonly run: { readonly id: string } | null;
  readonly unlaunchable: readonly { readonly assetKey: string; readonly reason: string }[];
}

export interface LaunchCapability {
  readonly available: boolean;
  readonly reason: string | null;
}

/** Fields a shape names that the schema type lacks (`id` is react-admin's, added by the data provider). */
type Unknown<T, S> = Exclude<Exclude<keyof T, "id">, keyof S>;
/** `true` when every field of T is a field of S; otherwise the type names the stray fields. */
type FieldsOf<T, S> = [Unknown<T, S>] extends [never] ? true : { readonly notInSchema: Unknown<T, S> };
type Expect<T extends true> = T;

/** Compile-time checks: each hand-written shape against the schema type it is read from. */
export type SchemaChecks = [
  Expect<FieldsOf<AssetSummary, Schema.Asset>>,
  Expect<FieldsOf<AssetDetail, Schema.Asset>>,
  Expect<FieldsOf<Neighbour, Schema.Asset>>,
  Expect<FieldsOf<LineageNode, Schema.Asset>>,
  Expect<FieldsOf<Relation, Schema.Relation>>,
  Expect<FieldsOf<Materializer, Schema.Materializer>>,
  Expect<FieldsOf<PolicySummary, Schema.Policy>>,
  Expect<FieldsOf<Policy, Schema.Policy>>,
  Expect<FieldsOf<SourceLocation, Schema.SourceLocation>>,
  Expect<FieldsOf<CheckInfo, Schema.Check>>,
  Expect<FieldsOf<ColumnInfo, Schema.Column>>,
  Expect<FieldsOf<DiagnosticInfo, Schema.Diagnostic>>,
  Expect<FieldsOf<Evaluation, Schema.Evaluation>>,
  Expect<FieldsOf<EvaluationNode, Schema.EvaluationNode>>,
  Expect<FieldsOf<FivetranConnector, Schema.FivetranConnector>>,
  Expect<FieldsOf<CensusMapping, Schema.CensusMapping>>,
  Expect<FieldsOf<CensusSyncRun, Schema.CensusSyncRun>>,
  Expect<FieldsOf<CensusSync, Schema.CensusSync>>,
  Expect<FieldsOf<Materialization, Schema.Materialization>>,
  Expect<FieldsOf<SourceFreshness, Schema.SourceFreshness>>,
  Expect<FieldsOf<TableStats, Schema.TableStats>>,
  Expect<FieldsOf<LocationInfo, Schema.Location>>,
  Expect<FieldsOf<LineageGraph, Schema.LineageGraph>>,
  Expect<FieldsOf<LaunchedBy, Schema.LaunchedBy>>,
  Expect<FieldsOf<RunSummary, Schema.Run>>,
  Expect<FieldsOf<RunDetail, Schema.Run>>,
  Expect<FieldsOf<RunStep, Schema.RunStep>>,
  Expect<FieldsOf<CheckResult, Schema.CheckResult>>,
  Expect<FieldsOf<RunLogLine, Schema.RunLogLine>>,
  Expect<FieldsOf<LaunchCapability, Schema.LaunchCapability>>,
  Expect<FieldsOf<LaunchResult, Schema.LaunchRunResult>>,
];
