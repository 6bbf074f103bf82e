/**
 * The Census (Activations) REST client: Bearer auth with the workspace key (V1) or personal access token
 * (V2), the `{status, data}` envelope, page-number pagination, and the version differences of
 * ./api-version.ts. Retries (429 with Retry-After, 5xx), timeouts and redaction come from the shared HTTP core;
 * every body is validated by ./schemas.ts where it enters. Errors name the endpoint and the sync, never the
 * token.
 */
import type { z } from "zod";
import { createHttpClient, path } from "../shared/index.ts";
import type { HttpClient, HttpClientOptions } from "../shared/index.ts";
import { censusApiProfile } from "./api-version.ts";
import type { CensusApiProfile, CensusApiVersion } from "./api-version.ts";
import { destinationSchema, envelope, listPage, sourceSchema, syncRunSchema, syncSchema, triggerSchema } from "./schemas.ts";
import type { CensusDestination, CensusSource, CensusSync, CensusSyncRun } from "./schemas.ts";

/** Largest page Census serves. */
const PAGE_LIMIT = 100;

export interface CensusClientOptions extends Omit<HttpClientOptions, "service" | "auth" | "baseUrl" | "headers" | "describeErrorBody"> {
  readonly apiKey: string;
  /** Default: the version's US base URL. */
  readonly baseUrl?: string;
  /** Default v1. */
  readonly apiVersion?: CensusApiVersion;
  /** V2's Fivetran group scope, sent as `group_id`. */
  readonly groupId?: string;
  /** Page size of list calls (1–100, default 100). */
  readonly pageSize?: number;
  /** Most pages read by one list call (default 1000). */
  readonly maxPages?: number;
}

export interface ListOptions {
  readonly signal?: AbortSignal;
}

export interface CensusClient {
  readonly baseUrl: string;
  readonly profile: CensusApiProfile;
  /** Lists read page by page; an aborted `signal` stops before the next page. */
  listSyncs(options?: ListOptions): Promise<CensusSync[]>;
  getSync(syncId: string): Promise<CensusSync>;
  listSources(options?: ListOptions): Promise<CensusSource[]>;
  getSource(sourceId: string): Promise<CensusSource>;
  listDestinations(options?: ListOptions): Promise<CensusDestination[]>;
  getDestination(destinationId: string): Promise<CensusDestination>;
  /** `POST /syncs/{id}/trigger`; returns the new run's id. */
  triggerSync(syncId: string, options?: { readonly forceFullSync?: boolean }): Promise<string>;
  getSyncRun(syncRunId: string, syncId?: string): Promise<CensusSyncRun>;
  /** The sync's runs, newest first: one page of `limit` (default 25). */
  latestSyncRuns(syncId: string, limit?: number): Promise<CensusSyncRun[]>;
  /** Replaces the token in a text with `[redacted]`. */
  redact(text: string): string;
}

/** `{status:"error", message}` (V1) or `{status: 404, message?}` (V2) into a code and a message. */
function describeCensusError(body: unknown): { code: string | null; message: string | null } {
  if (typeof body !== "object" || body === null) return { code: null, message: typeof body === "string" && body.length < 300 ? body : null };
  const record = body as Record<string, unknown>;
  const status = record["status"];
  const code = typeof status === "string" ? status : typeof status === "number" ? String(status) : null;
  const message = typeof record["message"] === "string" ? record["message"] : typeof record["error"] === "string" ? record["error"] : null;
  return { code, message };
}

export function createCensusClient(options: CensusClientOptions): CensusClient {
  const { apiKey, apiVersion = "v1", groupId, pageSize = PAGE_LIMIT, maxPages = 1000, ...rest } = options;
  const profile = censusApiProfile(apiVersion);
  const http: HttpClient = createHttpClient({
    ...rest,
    service: "Census",
    baseUrl: options.baseUrl ?? profile.defaultBaseUrl,
    auth: { type: "bearer", token: apiKey },
    describeErrorBody: describeCensusError,
  });
  const perPage = Math.max(1, Math.min(PAGE_LIMIT, pageSize));
  const scope = profile.sendsGroupId && groupId ? { group_id: groupId } : {};

  async function list<T>(listPath: string, item: z.ZodType<T>, subject?: string, signal?: AbortSignal): Promise<T[]> {
    const schema = listPage(item);
    const items: T[] = [];
    for (let page = 1; page <= maxPages; page++) {
      signal?.throwIfAborted();
      const body = await http.request({ method: "GET", path: listPath, query: { ...scope, page, per_page: perPage, order: "asc" }, schema, ...(subject ? { subject } : {}) });
      items.push(...(body.data as T[]));
      const pagination = body.pagination;
      const next = pagination?.next_page ?? (pagination?.last_page != null && (pagination.page ?? page) < pagination.last_page ? page + 1 : null);
      if (next === null || next === undefined || body.data.length === 0) return items;
      if (next <= page) throw new Error(`Census ${listPath}: the server sent next_page ${next} on page ${page}`);
      page = next - 1;
    }
    throw new Error(`Census ${listPath}: more than ${maxPages} pages`);
  }

  const get = async <T>(getPath: string, item: z.ZodType<T>, subject: string): Promise<T> =>
    (await http.request({ method: "GET", path: getPath, query: scope, schema: envelope(item), subject })).data as T;

  return {
    baseUrl: http.baseUrl,
    profile,
    listSyncs: (options = {}) => list("/syncs", syncSchema, undefined, options.signal),
    getSync: (syncId) => get(path`/syncs/${syncId}`, syncSchema, `sync ${syncId}`),
    listSources: (options = {}) => list("/sources", sourceSchema, undefined, options.signal),
    getSource: (sourceId) => get(path`/sources/${sourceId}`, sourceSchema, `source ${sourceId}`),
    listDestinations: (options = {}) => list(profile.destinationsPath, destinationSchema, undefined, options.signal),
    getDestination: (destinationId) => get(`${profile.destinationsPath}${path`/${destinationId}`}`, destinationSchema, `${profile.destinationNoun} ${destinationId}`),
    async triggerSync(syncId, { forceFullSync = false } = {}) {
      // The docs put force_full_sync in the query; dagster-census sends it in a JSON body. Send both.
      const body = await http.request({
        method: "POST",
        path: path`/syncs/${syncId}/trigger`,
        query: { ...scope, ...(forceFullSync ? { force_full_sync: true } : {}) },
        body: { force_full_sync: forceFullSync },
        schema: triggerSchema,
        subject: `sync ${syncId}`,
        // A retried trigger could start two runs.
        retry: false,
      });
      return body.data.sync_run_id;
    },
    getSyncRun: (syncRunId, syncId) => get(path`/sync_runs/${syncRunId}`, syncRunSchema, syncId ? `sync ${syncId} run ${syncRunId}` : `sync run ${syncRunId}`),
    async latestSyncRuns(syncId, limit = 25) {
      const body = await http.request({
        method: "GET",
        path: path`/syncs/${syncId}/sync_runs`,
        query: { ...scope, page: 1, per_page: Math.max(1, Math.min(PAGE_LIMIT, limit)), order: "desc" },
        schema: listPage(syncRunSchema),
        subject: `sync ${syncId}`,
      });
      return body.data;
    },
    redact: (text) => http.redact(text),
  };
}
