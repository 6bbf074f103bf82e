/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** An order of Query.assets. */
export type AssetOrder = {
  readonly direction?: OrderDirection;
  readonly field?: AssetOrderField;
};

/** What the catalog can be sorted by. */
export type AssetOrderField =
  /** Number of direct downstream neighbours. */
  | 'DOWNSTREAM_COUNT'
  /** The group; assets without a group come last in both directions. */
  | 'GROUP'
  /** Whether the asset has a policy: ASC puts assets without one first. */
  | 'HAS_POLICY'
  /** The key (a/b/c), by UTF-16 code units. */
  | 'KEY'
  /** The tool that builds the asset (materializedBy.tool); assets nothing builds come last in both directions. */
  | 'TOOL'
  /** Number of direct upstream neighbours. */
  | 'UPSTREAM_COUNT';

/** An asset's state, from the runs and events Tributary recorded. */
export type AssetStatus =
  /** Its latest attempt failed (after its latest materialization). */
  | 'FAILED'
  /** Materialized, and nothing upstream was materialized since. */
  | 'FRESH'
  /** Never materialized (or, for a source, never observed) as far as Tributary knows. */
  | 'NEVER_MATERIALIZED'
  /** A run in progress targets it. */
  | 'RUNNING'
  /** A direct upstream asset was materialized after it. */
  | 'STALE';

export type BackfillPartitionStatus =
  | 'CANCELED'
  | 'FAILED'
  | 'QUEUED'
  | 'RUNNING'
  /** Not run: a partition it waits for failed. */
  | 'SKIPPED'
  | 'SUCCEEDED'
  /** Waits for the upstream partitions it reads. */
  | 'WAITING';

export type BackfillStatus =
  | 'CANCELED'
  /** Ended with partitions that failed or were skipped: rerunBackfill sends them again. */
  | 'FAILED'
  | 'RUNNING'
  | 'SUCCEEDED';

export type CheckOutcome =
  | 'ERROR'
  | 'FAIL'
  | 'PASS'
  | 'SKIPPED'
  | 'WARN';

export type ColumnLineageState =
  | 'COMPUTING'
  | 'DONE'
  /** The location is served without column lineage (error says why) until its next load. */
  | 'FAILED'
  /** Waits for another location's computation. */
  | 'PENDING';

export type ColumnTransformation =
  | 'COPY'
  | 'RENAME'
  | 'TRANSFORMATION';

export type DiagnosticSeverity =
  | 'ERROR'
  | 'INFO'
  | 'WARNING';

export type FreshnessState =
  /** Materialized within the target's lag (before the latest deadline, with a cron). */
  | 'FRESH'
  /** Not: the target was missed. */
  | 'OVERDUE'
  /** Never materialized: it cannot be judged yet (as Dagster's UNKNOWN). */
  | 'UNKNOWN';

export type LaunchKind =
  /** A backfill launched it for one partition. */
  | 'BACKFILL'
  /** Someone launched it (launchRun, tributary materialize). */
  | 'MANUAL'
  /** A policy (automation condition) requested it at a tick of the scheduler. */
  | 'POLICY'
  /** Someone re-executed an earlier run (reexecuteRun). */
  | 'REEXECUTION'
  /** The scheduler retried a failed run of a policy. */
  | 'RETRY'
  /** A schedule's cron tick ran its job (tributary.yaml schedules). */
  | 'SCHEDULE';

export type LineageDirection =
  /** Both of the above. */
  | 'BOTH'
  /** Assets that read from the asset, transitively. */
  | 'DOWNSTREAM'
  /** Assets the asset reads from, transitively. */
  | 'UPSTREAM';

export type LocationState =
  | 'FAILED'
  | 'LOADED';

export type MaterializationStatus =
  | 'FAILURE'
  | 'SUCCESS';

export type OrderDirection =
  | 'ASC'
  | 'DESC';

export type PartitionState =
  | 'FAILED'
  | 'IN_PROGRESS'
  | 'MATERIALIZED'
  | 'MISSING';

export type PolicySource =
  /** meta.dagster.automation_condition */
  | 'AUTOMATION_CONDITION'
  /** meta.dagster.auto_materialize_policy */
  | 'AUTO_MATERIALIZE_POLICY';

export type PolicyType =
  | 'EAGER'
  | 'LAZY'
  | 'ON_CRON'
  | 'ON_MISSING';

export type RunLogLevel =
  | 'DEBUG'
  | 'ERROR'
  | 'INFO'
  | 'WARN';

export type RunStatus =
  | 'CANCELED'
  | 'FAILED'
  | 'QUEUED'
  | 'RUNNING'
  | 'SUCCEEDED';

/** What a schedule does with the ticks that passed while no daemon ran. */
export type ScheduleCatchUp =
  /** Runs the latest of them once. */
  | 'LATEST'
  /** Runs none of them. */
  | 'NONE';

export type ScheduleStatus =
  | 'RUNNING'
  | 'STOPPED';

export type ScheduleTickStatus =
  /** The run could not be created. */
  | 'FAILED'
  /** A run was created. */
  | 'LAUNCHED'
  /** Nothing was run (reason says why: nothing to launch, or missed with catch_up: none). */
  | 'SKIPPED';

export type StepStatus =
  | 'CANCELED'
  | 'FAILED'
  | 'PENDING'
  | 'RUNNING'
  /** Not run because an earlier step failed. */
  | 'SKIPPED'
  | 'SUCCEEDED';

export type AssetRowFragment = { readonly key: string, readonly kinds: ReadonlyArray<string>, readonly group: string | null, readonly owners: ReadonlyArray<string>, readonly tags: ReadonlyArray<string>, readonly description: string | null, readonly status: AssetStatus, readonly lastUpdatedAt: string | null, readonly relation: { readonly fullName: string } | null, readonly materializedBy: { readonly tool: string } | null, readonly policy: { readonly source: PolicySource, readonly type: PolicyType | null, readonly label: string } | null, readonly freshnessTarget: { readonly state: FreshnessState, readonly maximumLagMinutes: number, readonly overdueAt: string | null, readonly overdueSince: string | null } | null };

export type AssetPageQueryVariables = Exact<{
  search?: string | null | undefined;
  kinds?: ReadonlyArray<string> | string | null | undefined;
  groups?: ReadonlyArray<string> | string | null | undefined;
  owners?: ReadonlyArray<string> | string | null | undefined;
  tags?: ReadonlyArray<string> | string | null | undefined;
  locations?: ReadonlyArray<string> | string | null | undefined;
  hasPolicy?: boolean | null | undefined;
  statuses?: ReadonlyArray<AssetStatus> | AssetStatus | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type AssetPageQuery = { readonly assets: { readonly totalCount: number, readonly nodes: ReadonlyArray<{ readonly key: string, readonly kinds: ReadonlyArray<string>, readonly group: string | null, readonly owners: ReadonlyArray<string>, readonly tags: ReadonlyArray<string>, readonly description: string | null, readonly status: AssetStatus, readonly lastUpdatedAt: string | null, readonly relation: { readonly fullName: string } | null, readonly materializedBy: { readonly tool: string } | null, readonly policy: { readonly source: PolicySource, readonly type: PolicyType | null, readonly label: string } | null, readonly freshnessTarget: { readonly state: FreshnessState, readonly maximumLagMinutes: number, readonly overdueAt: string | null, readonly overdueSince: string | null } | null }>, readonly pageInfo: { readonly hasNextPage: boolean, readonly endCursor: string | null } } };

export type OrderedAssetPageQueryVariables = Exact<{
  search?: string | null | undefined;
  kinds?: ReadonlyArray<string> | string | null | undefined;
  groups?: ReadonlyArray<string> | string | null | undefined;
  owners?: ReadonlyArray<string> | string | null | undefined;
  tags?: ReadonlyArray<string> | string | null | undefined;
  locations?: ReadonlyArray<string> | string | null | undefined;
  hasPolicy?: boolean | null | undefined;
  statuses?: ReadonlyArray<AssetStatus> | AssetStatus | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
  orderBy?: AssetOrder | null | undefined;
}>;


export type OrderedAssetPageQuery = { readonly assets: { readonly totalCount: number, readonly nodes: ReadonlyArray<{ readonly key: string, readonly kinds: ReadonlyArray<string>, readonly group: string | null, readonly owners: ReadonlyArray<string>, readonly tags: ReadonlyArray<string>, readonly description: string | null, readonly status: AssetStatus, readonly lastUpdatedAt: string | null, readonly relation: { readonly fullName: string } | null, readonly materializedBy: { readonly tool: string } | null, readonly policy: { readonly source: PolicySource, readonly type: PolicyType | null, readonly label: string } | null, readonly freshnessTarget: { readonly state: FreshnessState, readonly maximumLagMinutes: number, readonly overdueAt: string | null, readonly overdueSince: string | null } | null }>, readonly pageInfo: { readonly hasNextPage: boolean, readonly endCursor: string | null } } };

export type SkipQueryVariables = Exact<{
  search?: string | null | undefined;
  kinds?: ReadonlyArray<string> | string | null | undefined;
  groups?: ReadonlyArray<string> | string | null | undefined;
  owners?: ReadonlyArray<string> | string | null | undefined;
  tags?: ReadonlyArray<string> | string | null | undefined;
  locations?: ReadonlyArray<string> | string | null | undefined;
  hasPolicy?: boolean | null | undefined;
  statuses?: ReadonlyArray<AssetStatus> | AssetStatus | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type SkipQuery = { readonly assets: { readonly pageInfo: { readonly endCursor: string | null } } };

export type OrderedSkipQueryVariables = Exact<{
  search?: string | null | undefined;
  kinds?: ReadonlyArray<string> | string | null | undefined;
  groups?: ReadonlyArray<string> | string | null | undefined;
  owners?: ReadonlyArray<string> | string | null | undefined;
  tags?: ReadonlyArray<string> | string | null | undefined;
  locations?: ReadonlyArray<string> | string | null | undefined;
  hasPolicy?: boolean | null | undefined;
  statuses?: ReadonlyArray<AssetStatus> | AssetStatus | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
  orderBy?: AssetOrder | null | undefined;
}>;


export type OrderedSkipQuery = { readonly assets: { readonly pageInfo: { readonly endCursor: string | null } } };

export type FacetsQueryVariables = Exact<{
  search?: string | null | undefined;
  kinds?: ReadonlyArray<string> | string | null | undefined;
  groups?: ReadonlyArray<string> | string | null | undefined;
  owners?: ReadonlyArray<string> | string | null | undefined;
  tags?: ReadonlyArray<string> | string | null | undefined;
  locations?: ReadonlyArray<string> | string | null | undefined;
  hasPolicy?: boolean | null | undefined;
  statuses?: ReadonlyArray<AssetStatus> | AssetStatus | null | undefined;
}>;


export type FacetsQuery = { readonly kinds: { readonly kinds: ReadonlyArray<{ readonly value: string, readonly count: number }> }, readonly groups: { readonly groups: ReadonlyArray<{ readonly value: string, readonly count: number }> }, readonly owners: { readonly owners: ReadonlyArray<{ readonly value: string, readonly count: number }> }, readonly tags: { readonly tags: ReadonlyArray<{ readonly value: string, readonly count: number }> }, readonly locations: { readonly locations: ReadonlyArray<{ readonly value: string, readonly count: number }> }, readonly statuses: { readonly statuses: ReadonlyArray<{ readonly value: string, readonly count: number }> }, readonly withPolicy: { readonly totalCount: number }, readonly withoutPolicy: { readonly totalCount: number } };

export type NeighbourFragment = { readonly key: string, readonly kinds: ReadonlyArray<string>, readonly status: AssetStatus, readonly lastUpdatedAt: string | null, readonly materializedBy: { readonly tool: string } | null };

export type FivetranConnectorStateFragment = { readonly connectorId: string, readonly name: string | null, readonly service: string, readonly location: string, readonly groupId: string | null, readonly groupName: string | null, readonly destinationService: string | null, readonly scheduleType: string | null, readonly syncFrequencyMinutes: number | null, readonly paused: boolean, readonly setupState: string, readonly syncState: string, readonly updateState: string | null, readonly succeededAt: string | null, readonly failedAt: string | null, readonly rescheduledFor: string | null, readonly url: string, readonly logsUrl: string, readonly sourceSchema: string | null, readonly sourceTable: string | null, readonly asOf: string | null };

export type CensusSyncStateFragment = { readonly syncId: string, readonly label: string, readonly location: string, readonly operation: string, readonly sourceObject: string, readonly destinationName: string | null, readonly destinationObject: string, readonly destinationType: string, readonly schedule: string | null, readonly paused: boolean, readonly health: string | null, readonly url: string, readonly asOf: string | null, readonly mappings: ReadonlyArray<{ readonly from: string, readonly to: string, readonly primaryIdentifier: boolean }>, readonly lastRuns: ReadonlyArray<{ readonly syncRunId: string | null, readonly status: string, readonly startedAt: string | null, readonly completedAt: string | null, readonly recordsProcessed: number | null, readonly recordsUpdated: number | null, readonly recordsFailed: number | null, readonly recordsInvalid: number | null, readonly errorMessage: string | null, readonly launchedBy: string | null }> };

export type EvaluationFieldsFragment = { readonly assetKey: string, readonly tick: number, readonly evaluatedAt: string, readonly requested: boolean, readonly treeHash: string, readonly requestedPartitions: ReadonlyArray<string> | null, readonly tree: ReadonlyArray<{ readonly id: string, readonly name: string, readonly label: string, readonly value: boolean, readonly reason: string | null, readonly children: ReadonlyArray<string>, readonly partitions: { readonly count: number, readonly of: number, readonly keys: string } | null }> };

export type MaterializationFieldsFragment = { readonly id: string, readonly assetKey: string, readonly status: MaterializationStatus, readonly tool: string, readonly location: string, readonly runId: string | null, readonly occurredAt: string, readonly recordedAt: string, readonly metadata: unknown, readonly durationMs: number | null, readonly tributaryRunId: string | null };

export type AssetQueryVariables = Exact<{
  key: string;
  history: number;
  censusRuns: number;
}>;


export type AssetQuery = { readonly asset: { readonly key: string, readonly keyPath: ReadonlyArray<string>, readonly aliases: ReadonlyArray<string>, readonly kinds: ReadonlyArray<string>, readonly group: string | null, readonly owners: ReadonlyArray<string>, readonly tags: ReadonlyArray<string>, readonly description: string | null, readonly dbtUniqueId: string | null, readonly codeVersion: string | null, readonly status: AssetStatus, readonly lastUpdatedAt: string | null, readonly readBy: ReadonlyArray<string>, readonly locations: ReadonlyArray<string>, readonly metadata: unknown, readonly relation: { readonly database: string | null, readonly schema: string, readonly name: string, readonly fullName: string } | null, readonly materializedBy: { readonly tool: string, readonly location: string, readonly runTargetId: string } | null, readonly definedIn: { readonly file: string | null, readonly line: number | null, readonly path: string | null } | null, readonly partitions: { readonly total: number } | null, readonly columns: ReadonlyArray<{ readonly name: string, readonly type: string | null, readonly description: string | null, readonly tags: ReadonlyArray<string>, readonly checks: ReadonlyArray<{ readonly name: string, readonly blocking: boolean }> }>, readonly tableStats: { readonly source: string, readonly collectedAt: string | null, readonly tableType: string | null, readonly owner: string | null, readonly rowCount: number | null, readonly bytes: number | null, readonly lastModified: string | null, readonly entries: ReadonlyArray<{ readonly label: string, readonly value: string | null, readonly description: string | null }> } | null, readonly freshness: { readonly source: string, readonly status: string, readonly maxLoadedAt: string | null, readonly checkedAt: string | null, readonly ageSeconds: number | null, readonly warnAfter: string | null, readonly errorAfter: string | null, readonly filter: string | null, readonly error: string | null } | null, readonly checks: ReadonlyArray<{ readonly name: string, readonly description: string | null, readonly blocking: boolean, readonly columnName: string | null, readonly additionalDeps: ReadonlyArray<string> }>, readonly policy: { readonly source: PolicySource, readonly type: PolicyType | null, readonly label: string, readonly cronSchedule: string | null, readonly cronTimezone: string | null, readonly condition: unknown, readonly tree: unknown, readonly declaredIn: { readonly file: string | null, readonly line: number | null, readonly path: string | null } | null } | null, readonly upstream: ReadonlyArray<{ readonly key: string, readonly kinds: ReadonlyArray<string>, readonly status: AssetStatus, readonly lastUpdatedAt: string | null, readonly materializedBy: { readonly tool: string } | null }>, readonly downstream: ReadonlyArray<{ readonly key: string, readonly kinds: ReadonlyArray<string>, readonly status: AssetStatus, readonly lastUpdatedAt: string | null, readonly materializedBy: { readonly tool: string } | null }>, readonly impact: { readonly count: number, readonly countByKind: ReadonlyArray<{ readonly kind: string, readonly count: number }> }, readonly diagnostics: ReadonlyArray<{ readonly severity: DiagnosticSeverity, readonly code: string, readonly message: string }>, readonly fivetran: { readonly connectorId: string, readonly name: string | null, readonly service: string, readonly location: string, readonly groupId: string | null, readonly groupName: string | null, readonly destinationService: string | null, readonly scheduleType: string | null, readonly syncFrequencyMinutes: number | null, readonly paused: boolean, readonly setupState: string, readonly syncState: string, readonly updateState: string | null, readonly succeededAt: string | null, readonly failedAt: string | null, readonly rescheduledFor: string | null, readonly url: string, readonly logsUrl: string, readonly sourceSchema: string | null, readonly sourceTable: string | null, readonly asOf: string | null } | null, readonly census: { readonly syncId: string, readonly label: string, readonly location: string, readonly operation: string, readonly sourceObject: string, readonly destinationName: string | null, readonly destinationObject: string, readonly destinationType: string, readonly schedule: string | null, readonly paused: boolean, readonly health: string | null, readonly url: string, readonly asOf: string | null, readonly mappings: ReadonlyArray<{ readonly from: string, readonly to: string, readonly primaryIdentifier: boolean }>, readonly lastRuns: ReadonlyArray<{ readonly syncRunId: string | null, readonly status: string, readonly startedAt: string | null, readonly completedAt: string | null, readonly recordsProcessed: number | null, readonly recordsUpdated: number | null, readonly recordsFailed: number | null, readonly recordsInvalid: number | null, readonly errorMessage: string | null, readonly launchedBy: string | null }> } | null, readonly materializations: ReadonlyArray<{ readonly id: string, readonly assetKey: string, readonly status: MaterializationStatus, readonly tool: string, readonly location: string, readonly runId: string | null, readonly occurredAt: string, readonly recordedAt: string, readonly metadata: unknown, readonly durationMs: number | null, readonly tributaryRunId: string | null }>, readonly evaluations: ReadonlyArray<{ readonly assetKey: string, readonly tick: number, readonly evaluatedAt: string, readonly requested: boolean, readonly treeHash: string, readonly requestedPartitions: ReadonlyArray<string> | null, readonly tree: ReadonlyArray<{ readonly id: string, readonly name: string, readonly label: string, readonly value: boolean, readonly reason: string | null, readonly children: ReadonlyArray<string>, readonly partitions: { readonly count: number, readonly of: number, readonly keys: string } | null }> }>, readonly freshnessTarget: { readonly state: FreshnessState, readonly maximumLagMinutes: number, readonly cronSchedule: string | null, readonly cronTimezone: string | null, readonly lagMinutes: number | null, readonly overdueAt: string | null, readonly overdueSince: string | null, readonly reason: string } | null } | null };

export type DryRunQueryVariables = Exact<{
  key: string;
}>;


export type DryRunQuery = { readonly dryRun: ReadonlyArray<{ readonly assetKey: string, readonly tick: number, readonly evaluatedAt: string, readonly requested: boolean, readonly treeHash: string, readonly requestedPartitions: ReadonlyArray<string> | null, readonly tree: ReadonlyArray<{ readonly id: string, readonly name: string, readonly label: string, readonly value: boolean, readonly reason: string | null, readonly children: ReadonlyArray<string>, readonly partitions: { readonly count: number, readonly of: number, readonly keys: string } | null }> }> };

export type LineageQueryVariables = Exact<{
  key: string;
  direction?: LineageDirection | null | undefined;
  depth?: number | null | undefined;
}>;


export type LineageQuery = { readonly lineage: { readonly nodes: ReadonlyArray<{ readonly key: string, readonly kinds: ReadonlyArray<string>, readonly status: AssetStatus, readonly lastUpdatedAt: string | null, readonly materializedBy: { readonly tool: string } | null }>, readonly edges: ReadonlyArray<{ readonly from: string, readonly to: string }> } };

export type CheckResultFieldsFragment = { readonly checkName: string, readonly assetKey: string, readonly outcome: CheckOutcome, readonly failures: number | null, readonly runId: string | null, readonly occurredAt: string };

export type AssetHistoryQueryVariables = Exact<{
  key: string;
  points: number;
  checks: number;
}>;


export type AssetHistoryQuery = { readonly asset: { readonly key: string, readonly materializations: ReadonlyArray<{ readonly id: string, readonly status: MaterializationStatus, readonly tool: string, readonly occurredAt: string, readonly durationMs: number | null, readonly tributaryRunId: string | null }>, readonly checkResults: ReadonlyArray<{ readonly checkName: string, readonly assetKey: string, readonly outcome: CheckOutcome, readonly failures: number | null, readonly runId: string | null, readonly occurredAt: string }>, readonly evaluations: ReadonlyArray<{ readonly assetKey: string, readonly tick: number, readonly evaluatedAt: string, readonly requested: boolean, readonly treeHash: string, readonly requestedPartitions: ReadonlyArray<string> | null, readonly tree: ReadonlyArray<{ readonly id: string, readonly name: string, readonly label: string, readonly value: boolean, readonly reason: string | null, readonly children: ReadonlyArray<string>, readonly partitions: { readonly count: number, readonly of: number, readonly keys: string } | null }> }> } | null };

export type FreshnessTargetFieldsFragment = { readonly state: FreshnessState, readonly maximumLagMinutes: number, readonly cronSchedule: string | null, readonly cronTimezone: string | null, readonly lagMinutes: number | null, readonly overdueAt: string | null, readonly overdueSince: string | null, readonly reason: string };

export type RunSavingsFieldsFragment = { readonly assets: number, readonly requested: number, readonly upstreamUpdates: number, readonly coalesced: number, readonly complete: boolean, readonly since: string };

export type AssetRunSavingsQueryVariables = Exact<{
  key: string;
}>;


export type AssetRunSavingsQuery = { readonly asset: { readonly key: string, readonly day: { readonly assets: number, readonly requested: number, readonly upstreamUpdates: number, readonly coalesced: number, readonly complete: boolean, readonly since: string } | null, readonly week: { readonly assets: number, readonly requested: number, readonly upstreamUpdates: number, readonly coalesced: number, readonly complete: boolean, readonly since: string } | null } | null };

export type RunSavingsQueryVariables = Exact<{ [key: string]: never; }>;


export type RunSavingsQuery = { readonly day: { readonly assets: number, readonly requested: number, readonly upstreamUpdates: number, readonly coalesced: number, readonly complete: boolean, readonly since: string }, readonly week: { readonly assets: number, readonly requested: number, readonly upstreamUpdates: number, readonly coalesced: number, readonly complete: boolean, readonly since: string } };

export type ColumnRefFieldsFragment = { readonly assetKey: string | null, readonly relation: string | null, readonly column: string };

export type ColumnLineagePanelQueryVariables = Exact<{
  key: string;
}>;


export type ColumnLineagePanelQuery = { readonly asset: { readonly key: string, readonly dbtUniqueId: string | null, readonly locations: ReadonlyArray<string>, readonly columns: ReadonlyArray<{ readonly name: string, readonly lineage: { readonly followed: boolean, readonly note: string | null, readonly transformation: ColumnTransformation | null, readonly upstream: ReadonlyArray<{ readonly assetKey: string | null, readonly relation: string | null, readonly column: string }> } | null }> } | null, readonly locations: ReadonlyArray<{ readonly name: string, readonly columnLineage: { readonly state: ColumnLineageState, readonly models: number | null, readonly modelsDone: number, readonly durationMs: number | null, readonly error: string | null } | null }> };

export type ColumnDownstreamQueryVariables = Exact<{
  key: string;
  column: string;
}>;


export type ColumnDownstreamQuery = { readonly columnLineage: { readonly notFollowed: ReadonlyArray<string>, readonly incompleteLocations: ReadonlyArray<string>, readonly edges: ReadonlyArray<{ readonly transformation: ColumnTransformation | null, readonly from: { readonly assetKey: string | null, readonly relation: string | null, readonly column: string }, readonly to: { readonly assetKey: string | null, readonly relation: string | null, readonly column: string } }> } };

export type LocationsQueryVariables = Exact<{ [key: string]: never; }>;


export type LocationsQuery = { readonly locations: ReadonlyArray<{ readonly name: string, readonly kind: string, readonly origin: string, readonly state: LocationState, readonly loadedAt: string | null, readonly loadDurationMs: number | null, readonly assetCount: number, readonly error: { readonly code: string, readonly message: string, readonly at: string } | null, readonly diagnostics: ReadonlyArray<{ readonly severity: DiagnosticSeverity, readonly code: string, readonly message: string, readonly locationName: string, readonly assetKey: string | null, readonly nodeId: string | null, readonly asset: { readonly key: string } | null, readonly at: { readonly file: string | null, readonly line: number | null, readonly path: string | null } | null }> }> };

export type AssetPartitionsQueryVariables = Exact<{
  key: string;
  keyOffset: number;
}>;


export type AssetPartitionsQuery = { readonly asset: { readonly key: string, readonly partitions: { readonly description: string, readonly windowArgs: string, readonly total: number, readonly materialized: number, readonly failed: number, readonly inProgress: number, readonly missing: number, readonly latestKey: string | null, readonly keys: ReadonlyArray<string>, readonly ranges: ReadonlyArray<{ readonly state: PartitionState, readonly firstKey: string, readonly lastKey: string, readonly firstIndex: number, readonly lastIndex: number, readonly count: number }> } | null } | null };

export type BackfillFieldsFragment = { readonly id: string, readonly status: BackfillStatus, readonly assetKeys: ReadonlyArray<string>, readonly from: string, readonly to: string, readonly createdAt: string, readonly launchedBy: string | null, readonly cancelRequested: boolean, readonly counts: { readonly total: number, readonly waiting: number, readonly queued: number, readonly running: number, readonly succeeded: number, readonly failed: number, readonly canceled: number, readonly skipped: number }, readonly partitions: ReadonlyArray<{ readonly key: string, readonly partitioning: string, readonly assetKeys: ReadonlyArray<string>, readonly status: BackfillPartitionStatus, readonly runId: string | null, readonly attempts: number, readonly startedAt: string | null, readonly endedAt: string | null, readonly message: string | null, readonly dependsOn: ReadonlyArray<string> }> };

export type BackfillQueryVariables = Exact<{
  id: string | number;
}>;


export type BackfillQuery = { readonly backfill: { readonly id: string, readonly status: BackfillStatus, readonly assetKeys: ReadonlyArray<string>, readonly from: string, readonly to: string, readonly createdAt: string, readonly launchedBy: string | null, readonly cancelRequested: boolean, readonly counts: { readonly total: number, readonly waiting: number, readonly queued: number, readonly running: number, readonly succeeded: number, readonly failed: number, readonly canceled: number, readonly skipped: number }, readonly partitions: ReadonlyArray<{ readonly key: string, readonly partitioning: string, readonly assetKeys: ReadonlyArray<string>, readonly status: BackfillPartitionStatus, readonly runId: string | null, readonly attempts: number, readonly startedAt: string | null, readonly endedAt: string | null, readonly message: string | null, readonly dependsOn: ReadonlyArray<string> }> } | null };

export type BackfillsQueryVariables = Exact<{
  assetKey?: string | null | undefined;
  first?: number | null | undefined;
}>;


export type BackfillsQuery = { readonly backfills: ReadonlyArray<{ readonly id: string, readonly status: BackfillStatus, readonly assetKeys: ReadonlyArray<string>, readonly from: string, readonly to: string, readonly createdAt: string, readonly launchedBy: string | null, readonly cancelRequested: boolean, readonly counts: { readonly total: number, readonly waiting: number, readonly queued: number, readonly running: number, readonly succeeded: number, readonly failed: number, readonly canceled: number, readonly skipped: number }, readonly partitions: ReadonlyArray<{ readonly key: string, readonly partitioning: string, readonly assetKeys: ReadonlyArray<string>, readonly status: BackfillPartitionStatus, readonly runId: string | null, readonly attempts: number, readonly startedAt: string | null, readonly endedAt: string | null, readonly message: string | null, readonly dependsOn: ReadonlyArray<string> }> }> };

export type LaunchBackfillMutationVariables = Exact<{
  assetKeys: ReadonlyArray<string> | string;
  from: string;
  to: string;
  buildUpstream: boolean;
}>;


export type LaunchBackfillMutation = { readonly launchBackfill: { readonly id: string } };

export type RerunBackfillMutationVariables = Exact<{
  id: string | number;
}>;


export type RerunBackfillMutation = { readonly rerunBackfill: { readonly id: string } };

export type CancelBackfillMutationVariables = Exact<{
  id: string | number;
}>;


export type CancelBackfillMutation = { readonly cancelBackfill: { readonly id: string } | null };

export type RunSummaryFragment = { readonly id: string, readonly status: RunStatus, readonly assetKeys: ReadonlyArray<string>, readonly createdAt: string, readonly startedAt: string | null, readonly endedAt: string | null, readonly durationMs: number | null, readonly message: string | null, readonly cancelRequested: boolean, readonly launchedBy: { readonly kind: LaunchKind, readonly tick: number | null, readonly user: string | null, readonly parentRunId: string | null, readonly description: string }, readonly steps: ReadonlyArray<{ readonly tool: string, readonly status: StepStatus }> };

export type RunsQueryVariables = Exact<{
  status?: ReadonlyArray<RunStatus> | RunStatus | null | undefined;
  assetKey?: string | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type RunsQuery = { readonly runs: { readonly totalCount: number, readonly nodes: ReadonlyArray<{ readonly id: string, readonly status: RunStatus, readonly assetKeys: ReadonlyArray<string>, readonly createdAt: string, readonly startedAt: string | null, readonly endedAt: string | null, readonly durationMs: number | null, readonly message: string | null, readonly cancelRequested: boolean, readonly launchedBy: { readonly kind: LaunchKind, readonly tick: number | null, readonly user: string | null, readonly parentRunId: string | null, readonly description: string }, readonly steps: ReadonlyArray<{ readonly tool: string, readonly status: StepStatus }> }>, readonly pageInfo: { readonly hasNextPage: boolean, readonly endCursor: string | null } } };

export type RunStepFieldsFragment = { readonly index: number, readonly tool: string, readonly location: string, readonly assetKeys: ReadonlyArray<string>, readonly status: StepStatus, readonly message: string | null, readonly failedKeys: ReadonlyArray<string>, readonly skippedKeys: ReadonlyArray<string>, readonly toolRunId: string | null, readonly url: string | null, readonly startedAt: string | null, readonly endedAt: string | null, readonly durationMs: number | null, readonly attempts: number };

export type RunFieldsFragment = { readonly id: string, readonly status: RunStatus, readonly assetKeys: ReadonlyArray<string>, readonly createdAt: string, readonly startedAt: string | null, readonly endedAt: string | null, readonly durationMs: number | null, readonly message: string | null, readonly cancelRequested: boolean, readonly attempt: number, readonly parentRunId: string | null, readonly launchedBy: { readonly kind: LaunchKind, readonly tick: number | null, readonly user: string | null, readonly parentRunId: string | null, readonly description: string }, readonly steps: ReadonlyArray<{ readonly index: number, readonly tool: string, readonly location: string, readonly assetKeys: ReadonlyArray<string>, readonly status: StepStatus, readonly message: string | null, readonly failedKeys: ReadonlyArray<string>, readonly skippedKeys: ReadonlyArray<string>, readonly toolRunId: string | null, readonly url: string | null, readonly startedAt: string | null, readonly endedAt: string | null, readonly durationMs: number | null, readonly attempts: number }> };

export type RunQueryVariables = Exact<{
  id: string | number;
}>;


export type RunQuery = { readonly run: { readonly id: string, readonly status: RunStatus, readonly assetKeys: ReadonlyArray<string>, readonly createdAt: string, readonly startedAt: string | null, readonly endedAt: string | null, readonly durationMs: number | null, readonly message: string | null, readonly cancelRequested: boolean, readonly attempt: number, readonly parentRunId: string | null, readonly materializations: ReadonlyArray<{ readonly id: string, readonly assetKey: string, readonly status: MaterializationStatus, readonly tool: string, readonly occurredAt: string, readonly durationMs: number | null }>, readonly checkResults: ReadonlyArray<{ readonly checkName: string, readonly assetKey: string, readonly outcome: CheckOutcome, readonly failures: number | null, readonly runId: string | null, readonly occurredAt: string }>, readonly launchedBy: { readonly kind: LaunchKind, readonly tick: number | null, readonly user: string | null, readonly parentRunId: string | null, readonly description: string }, readonly steps: ReadonlyArray<{ readonly index: number, readonly tool: string, readonly location: string, readonly assetKeys: ReadonlyArray<string>, readonly status: StepStatus, readonly message: string | null, readonly failedKeys: ReadonlyArray<string>, readonly skippedKeys: ReadonlyArray<string>, readonly toolRunId: string | null, readonly url: string | null, readonly startedAt: string | null, readonly endedAt: string | null, readonly durationMs: number | null, readonly attempts: number }> } | null };

export type RunLogLineFieldsFragment = { readonly id: number, readonly at: string, readonly level: RunLogLevel, readonly message: string, readonly assetKey: string | null, readonly stepIndex: number | null };

export type RunLogsQueryVariables = Exact<{
  id: string | number;
  after?: number | null | undefined;
  first?: number | null | undefined;
}>;


export type RunLogsQuery = { readonly run: { readonly logs: ReadonlyArray<{ readonly id: number, readonly at: string, readonly level: RunLogLevel, readonly message: string, readonly assetKey: string | null, readonly stepIndex: number | null }> } | null };

export type RunUpdatesSubscriptionVariables = Exact<{
  id: string | number;
  afterLogId?: number | null | undefined;
}>;


export type RunUpdatesSubscription = { readonly runUpdates: { readonly run: { readonly id: string, readonly status: RunStatus, readonly assetKeys: ReadonlyArray<string>, readonly createdAt: string, readonly startedAt: string | null, readonly endedAt: string | null, readonly durationMs: number | null, readonly message: string | null, readonly cancelRequested: boolean, readonly attempt: number, readonly parentRunId: string | null, readonly launchedBy: { readonly kind: LaunchKind, readonly tick: number | null, readonly user: string | null, readonly parentRunId: string | null, readonly description: string }, readonly steps: ReadonlyArray<{ readonly index: number, readonly tool: string, readonly location: string, readonly assetKeys: ReadonlyArray<string>, readonly status: StepStatus, readonly message: string | null, readonly failedKeys: ReadonlyArray<string>, readonly skippedKeys: ReadonlyArray<string>, readonly toolRunId: string | null, readonly url: string | null, readonly startedAt: string | null, readonly endedAt: string | null, readonly durationMs: number | null, readonly attempts: number }> }, readonly logs: ReadonlyArray<{ readonly id: number, readonly at: string, readonly level: RunLogLevel, readonly message: string, readonly assetKey: string | null, readonly stepIndex: number | null }> } };

export type LaunchRunMutationVariables = Exact<{
  assetKeys: ReadonlyArray<string> | string;
}>;


export type LaunchRunMutation = { readonly launchRun: { readonly run: { readonly id: string } | null, readonly unlaunchable: ReadonlyArray<{ readonly assetKey: string, readonly reason: string }> } };

export type ReexecuteRunMutationVariables = Exact<{
  id: string | number;
  onlyFailed?: boolean | null | undefined;
}>;


export type ReexecuteRunMutation = { readonly reexecuteRun: { readonly run: { readonly id: string } | null, readonly unlaunchable: ReadonlyArray<{ readonly assetKey: string, readonly reason: string }> } };

export type CancelRunMutationVariables = Exact<{
  id: string | number;
}>;


export type CancelRunMutation = { readonly cancelRun: { readonly id: string, readonly status: RunStatus, readonly cancelRequested: boolean } | null };

export type LaunchCapabilityQueryVariables = Exact<{ [key: string]: never; }>;


export type LaunchCapabilityQuery = { readonly launchCapability: { readonly available: boolean, readonly reason: string | null } };

export type SchedulesQueryVariables = Exact<{ [key: string]: never; }>;


export type SchedulesQuery = { readonly schedules: ReadonlyArray<{ readonly name: string, readonly description: string | null, readonly jobName: string, readonly cron: string, readonly cronDescription: string, readonly timezone: string, readonly catchUp: ScheduleCatchUp, readonly status: ScheduleStatus, readonly defaultStatus: ScheduleStatus, readonly statusChangedBy: string | null, readonly statusChangedAt: string | null, readonly errors: ReadonlyArray<string>, readonly declaredIn: string, readonly nextTicks: ReadonlyArray<string>, readonly job: { readonly name: string, readonly select: ReadonlyArray<string>, readonly exclude: ReadonlyArray<string>, readonly assetCount: number, readonly assetKeys: ReadonlyArray<string>, readonly error: string | null } | null, readonly latestTick: { readonly tickAt: string, readonly status: ScheduleTickStatus, readonly reason: string | null, readonly missed: number, readonly run: { readonly id: string, readonly status: RunStatus } | null } | null }> };

export type StartScheduleMutationVariables = Exact<{
  name: string;
}>;


export type StartScheduleMutation = { readonly startSchedule: { readonly name: string, readonly status: ScheduleStatus } };

export type StopScheduleMutationVariables = Exact<{
  name: string;
}>;


export type StopScheduleMutation = { readonly stopSchedule: { readonly name: string, readonly status: ScheduleStatus } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const AssetRowFragmentDoc = new TypedDocumentString(`
    fragment AssetRow on Asset {
  key
  kinds
  group
  owners
  tags
  description
  relation {
    fullName
  }
  materializedBy {
    tool
  }
  policy {
    source
    type
    label
  }
  status
  lastUpdatedAt
  freshnessTarget {
    state
    maximumLagMinutes
    overdueAt
    overdueSince
  }
}
    `, {"fragmentName":"AssetRow"}) as unknown as TypedDocumentString<AssetRowFragment, unknown>;
export const NeighbourFragmentDoc = new TypedDocumentString(`
    fragment Neighbour on Asset {
  key
  kinds
  materializedBy {
    tool
  }
  status
  lastUpdatedAt
}
    `, {"fragmentName":"Neighbour"}) as unknown as TypedDocumentString<NeighbourFragment, unknown>;
export const FivetranConnectorStateFragmentDoc = new TypedDocumentString(`
    fragment FivetranConnectorState on FivetranConnector {
  connectorId
  name
  service
  location
  groupId
  groupName
  destinationService
  scheduleType
  syncFrequencyMinutes
  paused
  setupState
  syncState
  updateState
  succeededAt
  failedAt
  rescheduledFor
  url
  logsUrl
  sourceSchema
  sourceTable
  asOf
}
    `, {"fragmentName":"FivetranConnectorState"}) as unknown as TypedDocumentString<FivetranConnectorStateFragment, unknown>;
export const CensusSyncStateFragmentDoc = new TypedDocumentString(`
    fragment CensusSyncState on CensusSync {
  syncId
  label
  location
  operation
  sourceObject
  destinationName
  destinationObject
  destinationType
  mappings {
    from
    to
    primaryIdentifier
  }
  schedule
  paused
  health
  url
  asOf
  lastRuns(first: $censusRuns) {
    syncRunId
    status
    startedAt
    completedAt
    recordsProcessed
    recordsUpdated
    recordsFailed
    recordsInvalid
    errorMessage
    launchedBy
  }
}
    `, {"fragmentName":"CensusSyncState"}) as unknown as TypedDocumentString<CensusSyncStateFragment, unknown>;
export const EvaluationFieldsFragmentDoc = new TypedDocumentString(`
    fragment EvaluationFields on Evaluation {
  assetKey
  tick
  evaluatedAt
  requested
  treeHash
  requestedPartitions
  tree {
    id
    name
    label
    value
    reason
    children
    partitions {
      count
      of
      keys
    }
  }
}
    `, {"fragmentName":"EvaluationFields"}) as unknown as TypedDocumentString<EvaluationFieldsFragment, unknown>;
export const MaterializationFieldsFragmentDoc = new TypedDocumentString(`
    fragment MaterializationFields on Materialization {
  id
  assetKey
  status
  tool
  location
  runId
  occurredAt
  recordedAt
  metadata
  durationMs
  tributaryRunId
}
    `, {"fragmentName":"MaterializationFields"}) as unknown as TypedDocumentString<MaterializationFieldsFragment, unknown>;
export const CheckResultFieldsFragmentDoc = new TypedDocumentString(`
    fragment CheckResultFields on CheckResult {
  checkName
  assetKey
  outcome
  failures
  runId
  occurredAt
}
    `, {"fragmentName":"CheckResultFields"}) as unknown as TypedDocumentString<CheckResultFieldsFragment, unknown>;
export const FreshnessTargetFieldsFragmentDoc = new TypedDocumentString(`
    fragment FreshnessTargetFields on FreshnessTarget {
  state
  maximumLagMinutes
  cronSchedule
  cronTimezone
  lagMinutes
  overdueAt
  overdueSince
  reason
}
    `, {"fragmentName":"FreshnessTargetFields"}) as unknown as TypedDocumentString<FreshnessTargetFieldsFragment, unknown>;
export const RunSavingsFieldsFragmentDoc = new TypedDocumentString(`
    fragment RunSavingsFields on RunSavings {
  assets
  requested
  upstreamUpdates
  coalesced
  complete
  since
}
    `, {"fragmentName":"RunSavingsFields"}) as unknown as TypedDocumentString<RunSavingsFieldsFragment, unknown>;
export const ColumnRefFieldsFragmentDoc = new TypedDocumentString(`
    fragment ColumnRefFields on ColumnRef {
  assetKey
  relation
  column
}
    `, {"fragmentName":"ColumnRefFields"}) as unknown as TypedDocumentString<ColumnRefFieldsFragment, unknown>;
export const BackfillFieldsFragmentDoc = new TypedDocumentString(`
    fragment BackfillFields on Backfill {
  id
  status
  assetKeys
  from
  to
  createdAt
  launchedBy
  cancelRequested
  counts {
    total
    waiting
    queued
    running
    succeeded
    failed
    canceled
    skipped
  }
  partitions {
    key
    partitioning
    assetKeys
    status
    runId
    attempts
    startedAt
    endedAt
    message
    dependsOn
  }
}
    `, {"fragmentName":"BackfillFields"}) as unknown as TypedDocumentString<BackfillFieldsFragment, unknown>;
export const RunSummaryFragmentDoc = new TypedDocumentString(`
    fragment RunSummary on Run {
  id
  status
  assetKeys
  createdAt
  startedAt
  endedAt
  durationMs
  message
  cancelRequested
  launchedBy {
    kind
    tick
    user
    parentRunId
    description
  }
  steps {
    tool
    status
  }
}
    `, {"fragmentName":"RunSummary"}) as unknown as TypedDocumentString<RunSummaryFragment, unknown>;
export const RunStepFieldsFragmentDoc = new TypedDocumentString(`
    fragment RunStepFields on RunStep {
  index
  tool
  location
  assetKeys
  status
  message
  failedKeys
  skippedKeys
  toolRunId
  url
  startedAt
  endedAt
  durationMs
  attempts
}
    `, {"fragmentName":"RunStepFields"}) as unknown as TypedDocumentString<RunStepFieldsFragment, unknown>;
export const RunFieldsFragmentDoc = new TypedDocumentString(`
    fragment RunFields on Run {
  id
  status
  assetKeys
  createdAt
  startedAt
  endedAt
  durationMs
  message
  cancelRequested
  attempt
  parentRunId
  launchedBy {
    kind
    tick
    user
    parentRunId
    description
  }
  steps {
    ...RunStepFields
  }
}
    fragment RunStepFields on RunStep {
  index
  tool
  location
  assetKeys
  status
  message
  failedKeys
  skippedKeys
  toolRunId
  url
  startedAt
  endedAt
  durationMs
  attempts
}`, {"fragmentName":"RunFields"}) as unknown as TypedDocumentString<RunFieldsFragment, unknown>;
export const RunLogLineFieldsFragmentDoc = new TypedDocumentString(`
    fragment RunLogLineFields on RunLogLine {
  id
  at
  level
  message
  assetKey
  stepIndex
}
    `, {"fragmentName":"RunLogLineFields"}) as unknown as TypedDocumentString<RunLogLineFieldsFragment, unknown>;
export const AssetPageDocument = new TypedDocumentString(`
    query AssetPage($search: String, $kinds: [String!], $groups: [String!], $owners: [String!], $tags: [String!], $locations: [String!], $hasPolicy: Boolean, $statuses: [AssetStatus!], $first: Int, $after: String) {
  assets(
    search: $search
    kinds: $kinds
    groups: $groups
    owners: $owners
    tags: $tags
    locations: $locations
    hasPolicy: $hasPolicy
    statuses: $statuses
    first: $first
    after: $after
  ) {
    totalCount
    nodes {
      ...AssetRow
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    fragment AssetRow on Asset {
  key
  kinds
  group
  owners
  tags
  description
  relation {
    fullName
  }
  materializedBy {
    tool
  }
  policy {
    source
    type
    label
  }
  status
  lastUpdatedAt
  freshnessTarget {
    state
    maximumLagMinutes
    overdueAt
    overdueSince
  }
}`) as unknown as TypedDocumentString<AssetPageQuery, AssetPageQueryVariables>;
export const OrderedAssetPageDocument = new TypedDocumentString(`
    query OrderedAssetPage($search: String, $kinds: [String!], $groups: [String!], $owners: [String!], $tags: [String!], $locations: [String!], $hasPolicy: Boolean, $statuses: [AssetStatus!], $first: Int, $after: String, $orderBy: AssetOrder) {
  assets(
    search: $search
    kinds: $kinds
    groups: $groups
    owners: $owners
    tags: $tags
    locations: $locations
    hasPolicy: $hasPolicy
    statuses: $statuses
    first: $first
    after: $after
    orderBy: $orderBy
  ) {
    totalCount
    nodes {
      ...AssetRow
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    fragment AssetRow on Asset {
  key
  kinds
  group
  owners
  tags
  description
  relation {
    fullName
  }
  materializedBy {
    tool
  }
  policy {
    source
    type
    label
  }
  status
  lastUpdatedAt
  freshnessTarget {
    state
    maximumLagMinutes
    overdueAt
    overdueSince
  }
}`) as unknown as TypedDocumentString<OrderedAssetPageQuery, OrderedAssetPageQueryVariables>;
export const SkipDocument = new TypedDocumentString(`
    query Skip($search: String, $kinds: [String!], $groups: [String!], $owners: [String!], $tags: [String!], $locations: [String!], $hasPolicy: Boolean, $statuses: [AssetStatus!], $first: Int, $after: String) {
  assets(
    search: $search
    kinds: $kinds
    groups: $groups
    owners: $owners
    tags: $tags
    locations: $locations
    hasPolicy: $hasPolicy
    statuses: $statuses
    first: $first
    after: $after
  ) {
    pageInfo {
      endCursor
    }
  }
}
    `) as unknown as TypedDocumentString<SkipQuery, SkipQueryVariables>;
export const OrderedSkipDocument = new TypedDocumentString(`
    query OrderedSkip($search: String, $kinds: [String!], $groups: [String!], $owners: [String!], $tags: [String!], $locations: [String!], $hasPolicy: Boolean, $statuses: [AssetStatus!], $first: Int, $after: String, $orderBy: AssetOrder) {
  assets(
    search: $search
    kinds: $kinds
    groups: $groups
    owners: $owners
    tags: $tags
    locations: $locations
    hasPolicy: $hasPolicy
    statuses: $statuses
    first: $first
    after: $after
    orderBy: $orderBy
  ) {
    pageInfo {
      endCursor
    }
  }
}
    `) as unknown as TypedDocumentString<OrderedSkipQuery, OrderedSkipQueryVariables>;
export const FacetsDocument = new TypedDocumentString(`
    query Facets($search: String, $kinds: [String!], $groups: [String!], $owners: [String!], $tags: [String!], $locations: [String!], $hasPolicy: Boolean, $statuses: [AssetStatus!]) {
  kinds: facets(
    search: $search
    hasPolicy: $hasPolicy
    groups: $groups
    owners: $owners
    tags: $tags
    locations: $locations
    statuses: $statuses
  ) {
    kinds {
      value
      count
    }
  }
  groups: facets(
    search: $search
    hasPolicy: $hasPolicy
    kinds: $kinds
    owners: $owners
    tags: $tags
    locations: $locations
    statuses: $statuses
  ) {
    groups {
      value
      count
    }
  }
  owners: facets(
    search: $search
    hasPolicy: $hasPolicy
    kinds: $kinds
    groups: $groups
    tags: $tags
    locations: $locations
    statuses: $statuses
  ) {
    owners {
      value
      count
    }
  }
  tags: facets(
    search: $search
    hasPolicy: $hasPolicy
    kinds: $kinds
    groups: $groups
    owners: $owners
    locations: $locations
    statuses: $statuses
  ) {
    tags {
      value
      count
    }
  }
  locations: facets(
    search: $search
    hasPolicy: $hasPolicy
    kinds: $kinds
    groups: $groups
    owners: $owners
    tags: $tags
    statuses: $statuses
  ) {
    locations {
      value
      count
    }
  }
  statuses: facets(
    search: $search
    hasPolicy: $hasPolicy
    kinds: $kinds
    groups: $groups
    owners: $owners
    tags: $tags
    locations: $locations
  ) {
    statuses {
      value
      count
    }
  }
  withPolicy: assets(
    search: $search
    kinds: $kinds
    groups: $groups
    owners: $owners
    tags: $tags
    locations: $locations
    statuses: $statuses
    hasPolicy: true
    first: 0
  ) {
    totalCount
  }
  withoutPolicy: assets(
    search: $search
    kinds: $kinds
    groups: $groups
    owners: $owners
    tags: $tags
    locations: $locations
    statuses: $statuses
    hasPolicy: false
    first: 0
  ) {
    totalCount
  }
}
    `) as unknown as TypedDocumentString<FacetsQuery, FacetsQueryVariables>;
export const AssetDocument = new TypedDocumentString(`
    query Asset($key: String!, $history: Int!, $censusRuns: Int!) {
  asset(key: $key) {
    key
    keyPath
    aliases
    kinds
    group
    owners
    tags
    description
    dbtUniqueId
    codeVersion
    status
    lastUpdatedAt
    relation {
      database
      schema
      name
      fullName
    }
    materializedBy {
      tool
      location
      runTargetId
    }
    readBy
    locations
    definedIn {
      file
      line
      path
    }
    partitions {
      total
    }
    columns {
      name
      type
      description
      tags
      checks {
        name
        blocking
      }
    }
    tableStats {
      source
      collectedAt
      tableType
      owner
      rowCount
      bytes
      lastModified
      entries {
        label
        value
        description
      }
    }
    freshness {
      source
      status
      maxLoadedAt
      checkedAt
      ageSeconds
      warnAfter
      errorAfter
      filter
      error
    }
    checks {
      name
      description
      blocking
      columnName
      additionalDeps
    }
    policy {
      source
      type
      label
      cronSchedule
      cronTimezone
      condition
      tree
      declaredIn {
        file
        line
        path
      }
    }
    upstream {
      ...Neighbour
    }
    downstream {
      ...Neighbour
    }
    impact {
      count
      countByKind {
        kind
        count
      }
    }
    diagnostics {
      severity
      code
      message
    }
    metadata
    fivetran {
      ...FivetranConnectorState
    }
    census {
      ...CensusSyncState
    }
    materializations(first: $history, includeFailures: true) {
      ...MaterializationFields
    }
    evaluations(first: 1) {
      ...EvaluationFields
    }
    freshnessTarget {
      ...FreshnessTargetFields
    }
  }
}
    fragment Neighbour on Asset {
  key
  kinds
  materializedBy {
    tool
  }
  status
  lastUpdatedAt
}
fragment FivetranConnectorState on FivetranConnector {
  connectorId
  name
  service
  location
  groupId
  groupName
  destinationService
  scheduleType
  syncFrequencyMinutes
  paused
  setupState
  syncState
  updateState
  succeededAt
  failedAt
  rescheduledFor
  url
  logsUrl
  sourceSchema
  sourceTable
  asOf
}
fragment CensusSyncState on CensusSync {
  syncId
  label
  location
  operation
  sourceObject
  destinationName
  destinationObject
  destinationType
  mappings {
    from
    to
    primaryIdentifier
  }
  schedule
  paused
  health
  url
  asOf
  lastRuns(first: $censusRuns) {
    syncRunId
    status
    startedAt
    completedAt
    recordsProcessed
    recordsUpdated
    recordsFailed
    recordsInvalid
    errorMessage
    launchedBy
  }
}
fragment EvaluationFields on Evaluation {
  assetKey
  tick
  evaluatedAt
  requested
  treeHash
  requestedPartitions
  tree {
    id
    name
    label
    value
    reason
    children
    partitions {
      count
      of
      keys
    }
  }
}
fragment MaterializationFields on Materialization {
  id
  assetKey
  status
  tool
  location
  runId
  occurredAt
  recordedAt
  metadata
  durationMs
  tributaryRunId
}
fragment FreshnessTargetFields on FreshnessTarget {
  state
  maximumLagMinutes
  cronSchedule
  cronTimezone
  lagMinutes
  overdueAt
  overdueSince
  reason
}`) as unknown as TypedDocumentString<AssetQuery, AssetQueryVariables>;
export const DryRunDocument = new TypedDocumentString(`
    query DryRun($key: String!) {
  dryRun(assetKeys: [$key]) {
    ...EvaluationFields
  }
}
    fragment EvaluationFields on Evaluation {
  assetKey
  tick
  evaluatedAt
  requested
  treeHash
  requestedPartitions
  tree {
    id
    name
    label
    value
    reason
    children
    partitions {
      count
      of
      keys
    }
  }
}`) as unknown as TypedDocumentString<DryRunQuery, DryRunQueryVariables>;
export const LineageDocument = new TypedDocumentString(`
    query Lineage($key: String!, $direction: LineageDirection, $depth: Int) {
  lineage(key: $key, direction: $direction, depth: $depth) {
    nodes {
      ...Neighbour
    }
    edges {
      from
      to
    }
  }
}
    fragment Neighbour on Asset {
  key
  kinds
  materializedBy {
    tool
  }
  status
  lastUpdatedAt
}`) as unknown as TypedDocumentString<LineageQuery, LineageQueryVariables>;
export const AssetHistoryDocument = new TypedDocumentString(`
    query AssetHistory($key: String!, $points: Int!, $checks: Int!) {
  asset(key: $key) {
    key
    materializations(first: $points, includeFailures: true) {
      id
      status
      tool
      occurredAt
      durationMs
      tributaryRunId
    }
    checkResults(first: $checks) {
      ...CheckResultFields
    }
    evaluations(first: 50) {
      ...EvaluationFields
    }
  }
}
    fragment EvaluationFields on Evaluation {
  assetKey
  tick
  evaluatedAt
  requested
  treeHash
  requestedPartitions
  tree {
    id
    name
    label
    value
    reason
    children
    partitions {
      count
      of
      keys
    }
  }
}
fragment CheckResultFields on CheckResult {
  checkName
  assetKey
  outcome
  failures
  runId
  occurredAt
}`) as unknown as TypedDocumentString<AssetHistoryQuery, AssetHistoryQueryVariables>;
export const AssetRunSavingsDocument = new TypedDocumentString(`
    query AssetRunSavings($key: String!) {
  asset(key: $key) {
    key
    day: runSavings(hours: 24) {
      ...RunSavingsFields
    }
    week: runSavings(hours: 168) {
      ...RunSavingsFields
    }
  }
}
    fragment RunSavingsFields on RunSavings {
  assets
  requested
  upstreamUpdates
  coalesced
  complete
  since
}`) as unknown as TypedDocumentString<AssetRunSavingsQuery, AssetRunSavingsQueryVariables>;
export const RunSavingsDocument = new TypedDocumentString(`
    query RunSavings {
  day: runSavings(hours: 24) {
    ...RunSavingsFields
  }
  week: runSavings(hours: 168) {
    ...RunSavingsFields
  }
}
    fragment RunSavingsFields on RunSavings {
  assets
  requested
  upstreamUpdates
  coalesced
  complete
  since
}`) as unknown as TypedDocumentString<RunSavingsQuery, RunSavingsQueryVariables>;
export const ColumnLineagePanelDocument = new TypedDocumentString(`
    query ColumnLineagePanel($key: String!) {
  asset(key: $key) {
    key
    dbtUniqueId
    locations
    columns {
      name
      lineage {
        followed
        note
        transformation
        upstream {
          ...ColumnRefFields
        }
      }
    }
  }
  locations {
    name
    columnLineage {
      state
      models
      modelsDone
      durationMs
      error
    }
  }
}
    fragment ColumnRefFields on ColumnRef {
  assetKey
  relation
  column
}`) as unknown as TypedDocumentString<ColumnLineagePanelQuery, ColumnLineagePanelQueryVariables>;
export const ColumnDownstreamDocument = new TypedDocumentString(`
    query ColumnDownstream($key: String!, $column: String!) {
  columnLineage(key: $key, column: $column, direction: DOWNSTREAM, depth: 1) {
    edges {
      from {
        ...ColumnRefFields
      }
      to {
        ...ColumnRefFields
      }
      transformation
    }
    notFollowed
    incompleteLocations
  }
}
    fragment ColumnRefFields on ColumnRef {
  assetKey
  relation
  column
}`) as unknown as TypedDocumentString<ColumnDownstreamQuery, ColumnDownstreamQueryVariables>;
export const LocationsDocument = new TypedDocumentString(`
    query Locations {
  locations {
    name
    kind
    origin
    state
    loadedAt
    loadDurationMs
    assetCount
    error {
      code
      message
      at
    }
    diagnostics {
      severity
      code
      message
      locationName
      assetKey
      asset {
        key
      }
      nodeId
      at {
        file
        line
        path
      }
    }
  }
}
    `) as unknown as TypedDocumentString<LocationsQuery, LocationsQueryVariables>;
export const AssetPartitionsDocument = new TypedDocumentString(`
    query AssetPartitions($key: String!, $keyOffset: Int!) {
  asset(key: $key) {
    key
    partitions {
      description
      windowArgs
      total
      materialized
      failed
      inProgress
      missing
      latestKey
      ranges {
        state
        firstKey
        lastKey
        firstIndex
        lastIndex
        count
      }
      keys(offset: $keyOffset, first: 1000)
    }
  }
}
    `) as unknown as TypedDocumentString<AssetPartitionsQuery, AssetPartitionsQueryVariables>;
export const BackfillDocument = new TypedDocumentString(`
    query Backfill($id: ID!) {
  backfill(id: $id) {
    ...BackfillFields
  }
}
    fragment BackfillFields on Backfill {
  id
  status
  assetKeys
  from
  to
  createdAt
  launchedBy
  cancelRequested
  counts {
    total
    waiting
    queued
    running
    succeeded
    failed
    canceled
    skipped
  }
  partitions {
    key
    partitioning
    assetKeys
    status
    runId
    attempts
    startedAt
    endedAt
    message
    dependsOn
  }
}`) as unknown as TypedDocumentString<BackfillQuery, BackfillQueryVariables>;
export const BackfillsDocument = new TypedDocumentString(`
    query Backfills($assetKey: String, $first: Int) {
  backfills(assetKey: $assetKey, first: $first) {
    ...BackfillFields
  }
}
    fragment BackfillFields on Backfill {
  id
  status
  assetKeys
  from
  to
  createdAt
  launchedBy
  cancelRequested
  counts {
    total
    waiting
    queued
    running
    succeeded
    failed
    canceled
    skipped
  }
  partitions {
    key
    partitioning
    assetKeys
    status
    runId
    attempts
    startedAt
    endedAt
    message
    dependsOn
  }
}`) as unknown as TypedDocumentString<BackfillsQuery, BackfillsQueryVariables>;
export const LaunchBackfillDocument = new TypedDocumentString(`
    mutation LaunchBackfill($assetKeys: [String!]!, $from: String!, $to: String!, $buildUpstream: Boolean!) {
  launchBackfill(
    assetKeys: $assetKeys
    from: $from
    to: $to
    buildUpstream: $buildUpstream
  ) {
    id
  }
}
    `) as unknown as TypedDocumentString<LaunchBackfillMutation, LaunchBackfillMutationVariables>;
export const RerunBackfillDocument = new TypedDocumentString(`
    mutation RerunBackfill($id: ID!) {
  rerunBackfill(id: $id) {
    id
  }
}
    `) as unknown as TypedDocumentString<RerunBackfillMutation, RerunBackfillMutationVariables>;
export const CancelBackfillDocument = new TypedDocumentString(`
    mutation CancelBackfill($id: ID!) {
  cancelBackfill(id: $id) {
    id
  }
}
    `) as unknown as TypedDocumentString<CancelBackfillMutation, CancelBackfillMutationVariables>;
export const RunsDocument = new TypedDocumentString(`
    query Runs($status: [RunStatus!], $assetKey: String, $first: Int, $after: String) {
  runs(status: $status, assetKey: $assetKey, first: $first, after: $after) {
    totalCount
    nodes {
      ...RunSummary
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    fragment RunSummary on Run {
  id
  status
  assetKeys
  createdAt
  startedAt
  endedAt
  durationMs
  message
  cancelRequested
  launchedBy {
    kind
    tick
    user
    parentRunId
    description
  }
  steps {
    tool
    status
  }
}`) as unknown as TypedDocumentString<RunsQuery, RunsQueryVariables>;
export const RunDocument = new TypedDocumentString(`
    query Run($id: ID!) {
  run(id: $id) {
    ...RunFields
    materializations {
      id
      assetKey
      status
      tool
      occurredAt
      durationMs
    }
    checkResults {
      ...CheckResultFields
    }
  }
}
    fragment CheckResultFields on CheckResult {
  checkName
  assetKey
  outcome
  failures
  runId
  occurredAt
}
fragment RunStepFields on RunStep {
  index
  tool
  location
  assetKeys
  status
  message
  failedKeys
  skippedKeys
  toolRunId
  url
  startedAt
  endedAt
  durationMs
  attempts
}
fragment RunFields on Run {
  id
  status
  assetKeys
  createdAt
  startedAt
  endedAt
  durationMs
  message
  cancelRequested
  attempt
  parentRunId
  launchedBy {
    kind
    tick
    user
    parentRunId
    description
  }
  steps {
    ...RunStepFields
  }
}`) as unknown as TypedDocumentString<RunQuery, RunQueryVariables>;
export const RunLogsDocument = new TypedDocumentString(`
    query RunLogs($id: ID!, $after: Int, $first: Int) {
  run(id: $id) {
    logs(after: $after, first: $first) {
      ...RunLogLineFields
    }
  }
}
    fragment RunLogLineFields on RunLogLine {
  id
  at
  level
  message
  assetKey
  stepIndex
}`) as unknown as TypedDocumentString<RunLogsQuery, RunLogsQueryVariables>;
export const RunUpdatesDocument = new TypedDocumentString(`
    subscription RunUpdates($id: ID!, $afterLogId: Int) {
  runUpdates(id: $id, afterLogId: $afterLogId) {
    run {
      ...RunFields
    }
    logs {
      ...RunLogLineFields
    }
  }
}
    fragment RunStepFields on RunStep {
  index
  tool
  location
  assetKeys
  status
  message
  failedKeys
  skippedKeys
  toolRunId
  url
  startedAt
  endedAt
  durationMs
  attempts
}
fragment RunFields on Run {
  id
  status
  assetKeys
  createdAt
  startedAt
  endedAt
  durationMs
  message
  cancelRequested
  attempt
  parentRunId
  launchedBy {
    kind
    tick
    user
    parentRunId
    description
  }
  steps {
    ...RunStepFields
  }
}
fragment RunLogLineFields on RunLogLine {
  id
  at
  level
  message
  assetKey
  stepIndex
}`) as unknown as TypedDocumentString<RunUpdatesSubscription, RunUpdatesSubscriptionVariables>;
export const LaunchRunDocument = new TypedDocumentString(`
    mutation LaunchRun($assetKeys: [String!]!) {
  launchRun(assetKeys: $assetKeys) {
    run {
      id
    }
    unlaunchable {
      assetKey
      reason
    }
  }
}
    `) as unknown as TypedDocumentString<LaunchRunMutation, LaunchRunMutationVariables>;
export const ReexecuteRunDocument = new TypedDocumentString(`
    mutation ReexecuteRun($id: ID!, $onlyFailed: Boolean) {
  reexecuteRun(id: $id, onlyFailed: $onlyFailed) {
    run {
      id
    }
    unlaunchable {
      assetKey
      reason
    }
  }
}
    `) as unknown as TypedDocumentString<ReexecuteRunMutation, ReexecuteRunMutationVariables>;
export const CancelRunDocument = new TypedDocumentString(`
    mutation CancelRun($id: ID!) {
  cancelRun(id: $id) {
    id
    status
    cancelRequested
  }
}
    `) as unknown as TypedDocumentString<CancelRunMutation, CancelRunMutationVariables>;
export const LaunchCapabilityDocument = new TypedDocumentString(`
    query LaunchCapability {
  launchCapability {
    available
    reason
  }
}
    `) as unknown as TypedDocumentString<LaunchCapabilityQuery, LaunchCapabilityQueryVariables>;
export const SchedulesDocument = new TypedDocumentString(`
    query Schedules {
  schedules {
    name
    description
    jobName
    cron
    cronDescription
    timezone
    catchUp
    status
    defaultStatus
    statusChangedBy
    statusChangedAt
    errors
    declaredIn
    job {
      name
      select
      exclude
      assetCount
      assetKeys
      error
    }
    nextTicks(count: 3)
    latestTick {
      tickAt
      status
      reason
      missed
      run {
        id
        status
      }
    }
  }
}
    `) as unknown as TypedDocumentString<SchedulesQuery, SchedulesQueryVariables>;
export const StartScheduleDocument = new TypedDocumentString(`
    mutation StartSchedule($name: String!) {
  startSchedule(name: $name) {
    name
    status
  }
}
    `) as unknown as TypedDocumentString<StartScheduleMutation, StartScheduleMutationVariables>;
export const StopScheduleDocument = new TypedDocumentString(`
    mutation StopSchedule($name: String!) {
  stopSchedule(name: $name) {
    name
    status
  }
}
    `) as unknown as TypedDocumentString<StopScheduleMutation, StopScheduleMutationVariables>;