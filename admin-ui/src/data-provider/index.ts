/**
 * The UI's single data provider: react-admin's list/show calls and a few custom methods (facets, lineage,
 * dry run), all over Tributary's GraphQL API. Components never fetch; they call this. The UI is served by the
 * `tributary serve` it talks to, so every query names its fields explicitly, typed in ../types.ts.
 *
 * Pagination: the API pages with cursors, react-admin with page numbers. The provider remembers the cursor at
 * every page end it has seen (per filter); a page it has not seen is reached by asking only for `endCursor`
 * over the assets before it, 500 at a time, so a shared URL of page 40 costs a few tiny requests.
 *
 * Sorting: a column's sort becomes `orderBy` (cursors are kept per filter and order); the default order, by key
 * ascending, is asked without it: the contract's query, which main.tsx prefetches.
 */
import { HttpError, type DataProvider, type GetListResult, type GetManyResult, type GetOneResult, type RaRecord } from "react-admin";
import {
  AssetDocument,
  AssetHistoryDocument,
  AssetRunSavingsDocument,
  AssetPageDocument,
  CancelRunDocument,
  ColumnDownstreamDocument,
  ColumnLineagePanelDocument,
  SchedulesDocument,
  StartScheduleDocument,
  StopScheduleDocument,
  DryRunDocument,
  FacetsDocument,
  LaunchCapabilityDocument,
  LaunchRunDocument,
  AssetPartitionsDocument,
  BackfillDocument,
  BackfillsDocument,
  CancelBackfillDocument,
  LaunchBackfillDocument,
  RerunBackfillDocument,
  LineageDocument,
  LocationsDocument,
  OrderedAssetPageDocument,
  OrderedSkipDocument,
  ReexecuteRunDocument,
  RunDocument,
  RunLogsDocument,
  RunSavingsDocument,
  RunsDocument,
  SkipDocument,
  type AssetHistoryQuery,
  type ColumnDownstreamQuery,
  type ColumnLineagePanelQuery,
  type SchedulesQuery,
  type AssetOrder,
  type AssetOrderField,
  type AssetPageQuery,
  type AssetRunSavingsQuery,
  type RunSavingsQuery,
} from "../generated/graphql.ts";
import type {
  AssetDetail,
  AssetFilter,
  AssetSummary,
  Evaluation,
  Facets,
  LaunchCapability,
  LaunchResult,
  AssetPartitions,
  Backfill,
  LineageDirection,
  LineageGraph,
  LocationInfo,
  RunDetail,
  RunFilter,
  RunLogLine,
  RunPage,
} from "../types.ts";
import { graphql } from "./graphql-client.ts";
import { assetHistoryVariables, assetVariables, facetsFromAnswer, withId } from "./queries.ts";
import { filterVariables, type FilterVariables } from "./variables.ts";

export { filterVariables } from "./variables.ts";

/** Largest page the API serves. */
const MAX_PAGE = 500;
/** Most keys one `AssetPartitions.keys` answers (the server's MAX_PARTITION_KEYS). */
const MAX_PARTITION_KEYS = 1000;

/** The list's sortable columns (react-admin's sort field) → `AssetOrderField`. */
export const SORT_FIELDS: Readonly<Record<string, AssetOrderField>> = {
  key: "KEY",
  group: "GROUP",
  tool: "TOOL",
  upstreamCount: "UPSTREAM_COUNT",
  downstreamCount: "DOWNSTREAM_COUNT",
  policy: "HAS_POLICY",
};

/** The custom methods beside react-admin's. */
export interface TributaryDataProvider extends DataProvider {
  facets(filter: AssetFilter): Promise<Facets>;
  lineage(params: { key: string; direction: LineageDirection; depth: number | null }): Promise<LineageGraph>;
  /** What a tick now would decide for one asset (`Query.dryRun`); empty when the asset has no policy. */
  dryRun(key: string): Promise<readonly Evaluation[]>;
  /** One page of runs, newest first, after a cursor (`Query.runs`). */
  runs(filter: RunFilter, first: number, after: string | null): Promise<RunPage>;
  run(id: string): Promise<RunDetail>;
  runLogs(id: string, after: number, first: number): Promise<readonly RunLogLine[]>;
  launch(assetKeys: readonly string[]): Promise<LaunchResult>;
  /** An asset's partitions and their states; null for an unpartitioned asset. */
  partitions(key: string): Promise<AssetPartitions | null>;
  /**
   * Backfills partitions from..to of the assets; returns the backfill's id. An unpartitioned upstream never
   * materialized refuses it (an HttpError whose body has code UPSTREAM_NOT_BUILT and upstreamAssetKeys) unless
   * `buildUpstream`: then the backfill builds it once, first.
   */
  launchBackfill(assetKeys: readonly string[], from: string, to: string, buildUpstream?: boolean): Promise<string>;
  backfill(id: string): Promise<Backfill | null>;
  backfills(assetKey: string | null, first: number): Promise<readonly Backfill[]>;
  rerunBackfill(id: string): Promise<void>;
  cancelBackfill(id: string): Promise<void>;
  reexecute(id: string, onlyFailed: boolean): Promise<LaunchResult>;
  cancel(id: string): Promise<void>;
  launchCapability(): Promise<LaunchCapability>;
  /** An asset's runtime points, check results and stored evaluations, newest first (queries.ts says how many). */
  assetHistory(key: string): Promise<AssetHistory>;
  /** An asset's runs requested against upstream updates over the last day and week; null without a policy. */
  assetRunSavings(key: string): Promise<AssetRunSavings | null>;
  /** The same summed over every asset whose policy has an interval. */
  runSavings(): Promise<RunSavingsQuery>;
  /** Each column of an asset with its upstream columns (`Column.lineage`). */
  columnLineage(key: string): Promise<ColumnLineagePanelQuery>;
  /** The columns one step downstream of one column (`Query.columnLineage`). */
  columnDownstream(key: string, column: string): Promise<ColumnDownstreamQuery["columnLineage"]>;
  /** Every schedule declared, with its job, next ticks and latest tick (`Query.schedules`). */
  schedules(): Promise<readonly ScheduleInfo[]>;
  /** Starts or stops a schedule (operator role). */
  setScheduleRunning(name: string, running: boolean): Promise<void>;
}

export type AssetRunSavings = { readonly day: NonNullable<NonNullable<AssetRunSavingsQuery["asset"]>["day"]>; readonly week: NonNullable<NonNullable<AssetRunSavingsQuery["asset"]>["week"]> };
export type ScheduleInfo = SchedulesQuery["schedules"][number];

export type AssetHistory = NonNullable<AssetHistoryQuery["asset"]>;

/** The list's filters, and the order when it is not the default (then the ordered documents are sent). */
type ListVariables = FilterVariables & { readonly orderBy?: AssetOrder };


export function createTributaryDataProvider(url = "/graphql"): TributaryDataProvider {
  /** cursor after `offset` assets, per filter */
  const cursors = new Map<string, Map<number, string>>();

  /** `variables` carry `orderBy` exactly when the server gets an ordered query. */
  async function cursorAt(variables: ListVariables, offset: number): Promise<string | null> {
    if (offset <= 0) return null;
    const known = cursors.get(JSON.stringify(variables)) ?? new Map<number, string>();
    cursors.set(JSON.stringify(variables), known);
    let at = 0;
    let cursor: string | null = null;
    for (const [position, value] of known) {
      if (position <= offset && position > at) {
        at = position;
        cursor = value;
      }
    }
    while (at < offset) {
      const step = Math.min(MAX_PAGE, offset - at);
      const page = { ...variables, first: step, after: cursor };
      const data = variables.orderBy === undefined ? await graphql(url, SkipDocument, page) : await graphql(url, OrderedSkipDocument, page);
      if (data.assets.pageInfo.endCursor === null) return cursor; // past the end: the page will be empty
      cursor = data.assets.pageInfo.endCursor;
      at += step;
      known.set(at, cursor);
    }
    return cursor;
  }

  async function assetList(params: {
    pagination?: { page: number; perPage: number };
    sort?: { field: string; order: string };
    filter?: AssetFilter;
  }): Promise<GetListResult<AssetSummary>> {
    const { page, perPage } = params.pagination ?? { page: 1, perPage: 50 };
    let variables: ListVariables = filterVariables(params.filter ?? {});
    const field = SORT_FIELDS[params.sort?.field ?? "key"] ?? "KEY";
    const direction = params.sort?.order === "DESC" ? "DESC" : "ASC";
    // The default order is asked without orderBy (the contract query, and the one main.tsx prefetches).
    if (field !== "KEY" || direction !== "ASC") variables = { ...variables, orderBy: { field, direction } };
    const offset = (page - 1) * perPage;
    const after = await cursorAt(variables, offset);
    const pageVariables = { ...variables, first: Math.min(perPage, MAX_PAGE), after };
    const data: AssetPageQuery =
      pageVariables.orderBy === undefined ? await graphql(url, AssetPageDocument, pageVariables) : await graphql(url, OrderedAssetPageDocument, pageVariables);
    const { endCursor, hasNextPage } = data.assets.pageInfo;
    if (endCursor !== null) {
      const known = cursors.get(JSON.stringify(variables)) ?? new Map<number, string>();
      cursors.set(JSON.stringify(variables), known);
      known.set(offset + data.assets.nodes.length, endCursor);
    }
    return {
      data: data.assets.nodes.map(withId),
      total: data.assets.totalCount,
      pageInfo: { hasNextPage, hasPreviousPage: page > 1 },
    };
  }

  async function asset(key: string): Promise<AssetDetail> {
    const data = await graphql(url, AssetDocument, assetVariables(key));
    // The server answers an unknown key with ASSET_NOT_FOUND (a 404 from graphql()); a bare null means the same.
    if (data.asset === null) throw new HttpError(`No asset with key "${key}"`, 404, { code: "ASSET_NOT_FOUND" });
    return withId(data.asset);
  }

  async function locations(): Promise<LocationInfo[]> {
    const data = await graphql(url, LocationsDocument, {});
    return data.locations.map((location) => ({ ...location, id: location.name }));
  }

  const unsupported = (what: string) => () => Promise.reject(new Error(`The catalog is read-only here (${what})`));

  const provider: TributaryDataProvider = {
    async getList<RecordType extends RaRecord>(resource: string, params: Parameters<DataProvider["getList"]>[1]) {
      if (resource === "assets") return (await assetList(params)) as unknown as GetListResult<RecordType>;
      if (resource === "locations") {
        const data = await locations();
        return { data, total: data.length } as unknown as GetListResult<RecordType>;
      }
      throw new Error(`Unknown resource ${resource}`);
    },
    async getOne<RecordType extends RaRecord>(resource: string, params: { id: RaRecord["id"] }) {
      if (resource === "assets") return { data: await asset(String(params.id)) } as unknown as GetOneResult<RecordType>;
      if (resource === "locations") {
        const found = (await locations()).find((location) => location.id === params.id);
        if (found === undefined) throw new Error(`No location named ${String(params.id)}`);
        return { data: found } as unknown as GetOneResult<RecordType>;
      }
      throw new Error(`Unknown resource ${resource}`);
    },
    async getMany<RecordType extends RaRecord>(resource: string, params: { ids: readonly RaRecord["id"][] }) {
      const data = await Promise.all(params.ids.map((id) => provider.getOne<RecordType>(resource, { id }).then((r) => r.data)));
      return { data } as GetManyResult<RecordType>;
    },
    getManyReference: () => Promise.resolve({ data: [], total: 0 }),
    create: unsupported("create"),
    update: unsupported("update"),
    updateMany: unsupported("updateMany"),
    delete: unsupported("delete"),
    deleteMany: unsupported("deleteMany"),

    async facets(filter) {
      return facetsFromAnswer(await graphql(url, FacetsDocument, filterVariables(filter)));
    },
    async columnLineage(key) {
      return graphql(url, ColumnLineagePanelDocument, { key });
    },
    async columnDownstream(key, column) {
      return (await graphql(url, ColumnDownstreamDocument, { key, column })).columnLineage;
    },
    async lineage({ key, direction, depth }) {
      const data = await graphql(url, LineageDocument, { key, direction, depth });
      return data.lineage;
    },
    async dryRun(key) {
      const data = await graphql(url, DryRunDocument, { key });
      return data.dryRun;
    },
    async runs(filter, first, after) {
      const variables = { status: filter.statuses && filter.statuses.length > 0 ? filter.statuses : null, assetKey: filter.assetKey?.trim() || null, first, after };
      return (await graphql(url, RunsDocument, variables)).runs;
    },
    async run(id) {
      const data = await graphql(url, RunDocument, { id });
      if (data.run === null) throw new HttpError(`No run with id "${id}"`, 404, { code: "RUN_NOT_FOUND" });
      return data.run;
    },
    async runLogs(id, after, first) {
      const data = await graphql(url, RunLogsDocument, { id, after, first });
      return data.run?.logs ?? [];
    },
    async partitions(key) {
      const first = (await graphql(url, AssetPartitionsDocument, { key, keyOffset: 0 })).asset?.partitions ?? null;
      if (first === null || first.total <= MAX_PARTITION_KEYS) return first === null ? null : { ...first, keyOffset: 0 };
      // More partitions than one answer's keys: those of the latest 1,000, which backfills usually want.
      const keyOffset = first.total - MAX_PARTITION_KEYS;
      const latest = (await graphql(url, AssetPartitionsDocument, { key, keyOffset })).asset?.partitions ?? null;
      return latest === null ? null : { ...latest, keyOffset };
    },
    async launchBackfill(assetKeys, from, to, buildUpstream = false) {
      return (await graphql(url, LaunchBackfillDocument, { assetKeys: [...assetKeys], from, to, buildUpstream })).launchBackfill.id;
    },
    async backfill(id) {
      return (await graphql(url, BackfillDocument, { id })).backfill ?? null;
    },
    async backfills(assetKey, first) {
      return (await graphql(url, BackfillsDocument, { assetKey, first })).backfills;
    },
    async rerunBackfill(id) {
      await graphql(url, RerunBackfillDocument, { id });
    },
    async cancelBackfill(id) {
      await graphql(url, CancelBackfillDocument, { id });
    },
    async launch(assetKeys) {
      return (await graphql(url, LaunchRunDocument, { assetKeys })).launchRun;
    },
    async reexecute(id, onlyFailed) {
      return (await graphql(url, ReexecuteRunDocument, { id, onlyFailed })).reexecuteRun;
    },
    async cancel(id) {
      await graphql(url, CancelRunDocument, { id });
    },
    async launchCapability() {
      return (await graphql(url, LaunchCapabilityDocument, {})).launchCapability;
    },
    async schedules() {
      return (await graphql(url, SchedulesDocument, {})).schedules;
    },
    async setScheduleRunning(name, running) {
      if (running) await graphql(url, StartScheduleDocument, { name });
      else await graphql(url, StopScheduleDocument, { name });
    },
    async assetHistory(key) {
      const data = await graphql(url, AssetHistoryDocument, assetHistoryVariables(key));
      if (data.asset === null) throw new HttpError(`No asset with key "${key}"`, 404, { code: "ASSET_NOT_FOUND" });
      return data.asset;
    },
    async assetRunSavings(key) {
      const data = await graphql(url, AssetRunSavingsDocument, { key });
      const { day, week } = data.asset ?? { day: null, week: null };
      return day === null || week === null ? null : { day, week };
    },
    async runSavings() {
      return graphql(url, RunSavingsDocument, {});
    },
  };
  return provider;
}
