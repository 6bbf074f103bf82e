/** The GraphQL documents the data provider sends. Fragments keep list rows small and detail pages complete. */
import type { Facets } from "../types.ts";

export const ASSET_ROW = /* GraphQL */ `
  fragment AssetRow on Asset {
    key
    kinds
    group
    owners
    tags
    description
    relation { fullName }
    materializedBy { tool }
    policy { source type label }
    status
    lastUpdatedAt
  }
`;

const FILTER_PARAMETERS = `$search: String, $kinds: [String!], $groups: [String!], $owners: [String!], $tags: [String!], $locations: [String!], $hasPolicy: Boolean, $statuses: [AssetStatus!]`;
const FILTER_ARGUMENTS = `search: $search, kinds: $kinds, groups: $groups, owners: $owners, tags: $tags, locations: $locations, hasPolicy: $hasPolicy, statuses: $statuses`;

/** A page of the list; `ordered` adds `orderBy` (the default key order is asked without it). */
function assetPageQuery(ordered: boolean): string {
  return /* GraphQL */ `
  query AssetPage(${FILTER_PARAMETERS}, $first: Int, $after: String${ordered ? ", $orderBy: AssetOrder" : ""}) {
    assets(${FILTER_ARGUMENTS}, first: $first, after: $after${ordered ? ", orderBy: $orderBy" : ""}) {
      totalCount
      nodes { ...AssetRow }
      pageInfo { hasNextPage endCursor }
    }
  }
  ${ASSET_ROW}
`;
}

/** A page in key order: the contract's query, and the one main.tsx prefetches. */
export const ASSET_PAGE = assetPageQuery(false);
/** A page in any other order (`$orderBy`). */
export const ORDERED_ASSET_PAGE = assetPageQuery(true);

/** Only the cursor at the end of a run of assets: how a page number becomes a cursor, cheaply. */
export function skipQuery(ordered: boolean): string {
  return /* GraphQL */ `
  query Skip(${FILTER_PARAMETERS}, $first: Int, $after: String${ordered ? ", $orderBy: AssetOrder" : ""}) {
    assets(${FILTER_ARGUMENTS}, first: $first, after: $after${ordered ? ", orderBy: $orderBy" : ""}) { pageInfo { endCursor } }
  }
`;
}

/**
 * Every facet counted with the other filters only (an alias per facet), and the has-policy split, in one request.
 * Variables are prefixed with the facet they leave out.
 */
export function facetsQuery(): string {
  const facets = ["kinds", "groups", "owners", "tags", "locations", "statuses"] as const;
  const filters = ["kinds", "groups", "owners", "tags", "locations", "statuses"] as const;
  const parts = facets.map((facet) => {
    const args = [`search: $search`, `hasPolicy: $hasPolicy`, ...filters.filter((f) => f !== facet).map((f) => `${f}: $${f}`)];
    return `${facet}: facets(${args.join(", ")}) { ${facet} { value count } }`;
  });
  const noPolicy = `search: $search, kinds: $kinds, groups: $groups, owners: $owners, tags: $tags, locations: $locations, statuses: $statuses`;
  return `query Facets(${FILTER_PARAMETERS}) {
    ${parts.join("\n    ")}
    withPolicy: assets(${noPolicy}, hasPolicy: true, first: 0) { totalCount }
    withoutPolicy: assets(${noPolicy}, hasPolicy: false, first: 0) { totalCount }
  }`;
}

/** An asset as a react-admin record: identified by its key (the data provider's and the first paint's rows). */
export const withId = <T extends { key: string }>(asset: T): T & { id: string } => ({ ...asset, id: asset.key });

/** The answer of {@link facetsQuery}. */
export interface FacetsAnswer {
  readonly kinds: { readonly kinds: Facets["kinds"] };
  readonly groups: { readonly groups: Facets["groups"] };
  readonly owners: { readonly owners: Facets["owners"] };
  readonly tags: { readonly tags: Facets["tags"] };
  readonly locations: { readonly locations: Facets["locations"] };
  readonly statuses: { readonly statuses: Facets["statuses"] };
  readonly withPolicy: { readonly totalCount: number };
  readonly withoutPolicy: { readonly totalCount: number };
}

/** {@link facetsQuery}'s answer as the facet card shows it (the data provider and the first paint both read it). */
export function facetsFromAnswer(data: FacetsAnswer): Facets {
  return {
    kinds: data.kinds.kinds,
    groups: data.groups.groups,
    owners: data.owners.owners,
    tags: data.tags.tags,
    locations: data.locations.locations,
    statuses: data.statuses.statuses,
    hasPolicy: [
      { value: "true", count: data.withPolicy.totalCount },
      { value: "false", count: data.withoutPolicy.totalCount },
    ],
  };
}

export const NEIGHBOUR = `key kinds materializedBy { tool } status lastUpdatedAt`;

/** How many materializations (and failed attempts) the asset page lists, and Census runs its panel shows. */
export const HISTORY_SIZE = 20;
export const CENSUS_RUNS = 5;

const FIVETRAN_CONNECTOR = /* GraphQL */ `
  fragment FivetranConnectorState on FivetranConnector {
    connectorId name service location groupId groupName destinationService scheduleType syncFrequencyMinutes
    paused setupState syncState updateState succeededAt failedAt rescheduledFor url logsUrl sourceSchema sourceTable asOf
  }
`;

const CENSUS_SYNC = /* GraphQL */ `
  fragment CensusSyncState on CensusSync {
    syncId label location operation sourceObject destinationName destinationObject destinationType
    mappings { from to primaryIdentifier }
    schedule paused health url asOf
    lastRuns(first: ${CENSUS_RUNS}) {
      syncRunId status startedAt completedAt recordsProcessed recordsUpdated recordsFailed recordsInvalid errorMessage launchedBy
    }
  }
`;

const EVALUATION = /* GraphQL */ `
  fragment EvaluationFields on Evaluation {
    assetKey tick evaluatedAt requested treeHash
    tree { id name label value reason children }
  }
`;

/** The asset page: everything but the lineage graph (LINEAGE) and the dry run (DRY_RUN), in one request. */
export const ASSET = /* GraphQL */ `
  query Asset($key: String!) {
    asset(key: $key) {
      key keyPath aliases kinds group owners tags description dbtUniqueId codeVersion status lastUpdatedAt
      relation { database schema name fullName }
      materializedBy { tool location runTargetId }
      readBy
      locations
      definedIn { file line path }
      columns { name type description tags checks { name blocking } }
      tableStats { source collectedAt tableType owner rowCount bytes lastModified entries { label value description } }
      freshness { source status maxLoadedAt checkedAt ageSeconds warnAfter errorAfter filter error }
      checks { name description blocking columnName additionalDeps }
      policy { source type label cronSchedule cronTimezone condition tree declaredIn { file line path } }
      upstream { ${NEIGHBOUR} }
      downstream { ${NEIGHBOUR} }
      impact { count countByKind { kind count } }
      diagnostics { severity code message }
      metadata
      fivetran { ...FivetranConnectorState }
      census { ...CensusSyncState }
      materializations(first: ${HISTORY_SIZE}, includeFailures: true) { id assetKey status tool location runId occurredAt recordedAt metadata durationMs tributaryRunId }
      evaluations(first: 1) { ...EvaluationFields }
    }
  }
  ${FIVETRAN_CONNECTOR}
  ${CENSUS_SYNC}
  ${EVALUATION}
`;

/** What a tick now would request for one asset, and why (the server evaluates its upstream closure only). */
export const DRY_RUN = /* GraphQL */ `
  query DryRun($key: String!) {
    dryRun(assetKeys: [$key]) { ...EvaluationFields }
  }
  ${EVALUATION}
`;

export const LINEAGE = /* GraphQL */ `
  query Lineage($key: String!, $direction: LineageDirection, $depth: Int) {
    lineage(key: $key, direction: $direction, depth: $depth) {
      nodes { ${NEIGHBOUR} }
      edges { from to }
    }
  }
`;

export const LOCATIONS = /* GraphQL */ `
  query Locations {
    locations {
      name kind origin state loadedAt loadDurationMs assetCount
      error { code message at }
      diagnostics { severity code message locationName assetKey asset { key } nodeId at { file line path } }
    }
  }
`;

const RUN_SUMMARY = /* GraphQL */ `
  fragment RunSummary on Run {
    id status assetKeys createdAt startedAt endedAt durationMs message cancelRequested
    launchedBy { kind tick user parentRunId description }
    steps { tool status }
  }
`;

/** A page of runs, newest first. */
export const RUNS = /* GraphQL */ `
  query Runs($status: [RunStatus!], $assetKey: String, $first: Int, $after: String) {
    runs(status: $status, assetKey: $assetKey, first: $first, after: $after) {
      totalCount
      nodes { ...RunSummary }
      pageInfo { hasNextPage endCursor }
    }
  }
  ${RUN_SUMMARY}
`;

const RUN_FIELDS = `
  id status assetKeys createdAt startedAt endedAt durationMs message cancelRequested attempt parentRunId
  launchedBy { kind tick user parentRunId description }
  steps { index tool location assetKeys status message failedKeys skippedKeys toolRunId url startedAt endedAt durationMs attempts }
`;

/** One run with what it recorded (its logs come from RUN_LOGS and the RUN_UPDATES stream). */
export const RUN = /* GraphQL */ `
  query Run($id: ID!) {
    run(id: $id) {
      ${RUN_FIELDS}
      materializations { id assetKey status tool occurredAt durationMs }
      checkResults { checkName assetKey outcome failures runId occurredAt }
    }
  }
`;

const LOG_FIELDS = `id at level message assetKey stepIndex`;

/** A run's log lines after a line id, oldest first. */
export const RUN_LOGS = /* GraphQL */ `
  query RunLogs($id: ID!, $after: Int, $first: Int) {
    run(id: $id) { logs(after: $after, first: $first) { ${LOG_FIELDS} } }
  }
`;

/** The live stream of a run (GET /graphql over SSE): its state and the log lines since the previous update. */
export const RUN_UPDATES = /* GraphQL */ `
  subscription RunUpdates($id: ID!, $afterLogId: Int) {
    runUpdates(id: $id, afterLogId: $afterLogId) {
      run { ${RUN_FIELDS} }
      logs { ${LOG_FIELDS} }
    }
  }
`;

export const LAUNCH_RUN = /* GraphQL */ `
  mutation LaunchRun($assetKeys: [String!]!) {
    launchRun(assetKeys: $assetKeys) { run { id } unlaunchable { assetKey reason } }
  }
`;

export const REEXECUTE_RUN = /* GraphQL */ `
  mutation ReexecuteRun($id: ID!, $onlyFailed: Boolean) {
    reexecuteRun(id: $id, onlyFailed: $onlyFailed) { run { id } unlaunchable { assetKey reason } }
  }
`;

export const CANCEL_RUN = /* GraphQL */ `
  mutation CancelRun($id: ID!) { cancelRun(id: $id) { id status cancelRequested } }
`;

export const LAUNCH_CAPABILITY = /* GraphQL */ `
  query LaunchCapability { launchCapability { available reason } }
`;

/** The asset page's history: check results and the runtime points (materializations with failures). */
export const ASSET_HISTORY = /* GraphQL */ `
  query AssetHistory($key: String!, $points: Int!, $checks: Int!) {
    asset(key: $key) {
      key
      materializations(first: $points, includeFailures: true) { id status tool occurredAt durationMs tributaryRunId }
      checkResults(first: $checks) { checkName assetKey outcome failures runId occurredAt }
      evaluations(first: 50) { assetKey tick evaluatedAt requested treeHash tree { id name label value reason children } }
    }
  }
`;
