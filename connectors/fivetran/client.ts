/**
 * The Fivetran REST client: Basic auth (API key and secret), `Accept: application/json;version=2`, the
 * `{code, data}` envelope, cursor pagination, and the `/v1/connections` family only (the legacy
 * `/v1/connectors` paths are deprecated and 404). Retries, timeouts and redaction come from the shared HTTP
 * core. Every body is validated by ./schemas.ts where it enters.
 */
import type { z } from "zod";
import { createHttpClient, paginate, path } from "../shared/index.ts";
import type { HttpClient, HttpClientOptions } from "../shared/index.ts";
import {
  actionResponseSchema,
  connectionSchema,
  destinationSchema,
  envelope,
  groupSchema,
  listPage,
  schemaConfigSchema,
} from "./schemas.ts";
import type { FivetranConnection, FivetranDestination, FivetranGroup, FivetranSchemaConfig } from "./schemas.ts";

/** Fivetran's API root. */
export const FIVETRAN_DEFAULT_BASE_URL = "https://api.fivetran.com/v1";

/** Largest page Fivetran serves. */
const PAGE_LIMIT = 1000;

export interface FivetranClientOptions
  extends Omit<HttpClientOptions, "service" | "auth" | "baseUrl" | "headers" | "describeErrorBody"> {
  readonly apiKey: string;
  readonly apiSecret: string;
  /** Default {@link FIVETRAN_DEFAULT_BASE_URL}. */
  readonly baseUrl?: string;
  /** Page size of list calls (1–1000, default 1000). */
  readonly pageSize?: number;
}

/** The calls Tributary makes. */
export interface FivetranClient {
  readonly baseUrl: string;
  listGroups(): Promise<FivetranGroup[]>;
  getDestination(destinationId: string): Promise<FivetranDestination>;
  listConnections(groupId?: string): Promise<FivetranConnection[]>;
  getConnection(connectionId: string): Promise<FivetranConnection>;
  getSchemaConfig(connectionId: string): Promise<FivetranSchemaConfig>;
  /** `POST /connections/{id}/sync {force}`; `force:false` does nothing while a sync runs. */
  triggerSync(connectionId: string, options: { readonly force: boolean }): Promise<void>;
  /** `PATCH /connections/{id}` with persistent fields (`paused`, `schedule_type`…). */
  updateConnection(connectionId: string, patch: { readonly paused?: boolean; readonly schedule_type?: "auto" | "manual" }): Promise<FivetranConnection>;
  /** Replaces credentials in a text with `[redacted]`. */
  redact(text: string): string;
}

export function createFivetranClient(options: FivetranClientOptions): FivetranClient {
  const { apiKey, apiSecret, pageSize = PAGE_LIMIT, ...rest } = options;
  const http: HttpClient = createHttpClient({
    ...rest,
    service: "Fivetran",
    baseUrl: options.baseUrl ?? FIVETRAN_DEFAULT_BASE_URL,
    auth: { type: "basic", username: apiKey, password: apiSecret },
    headers: { Accept: "application/json;version=2" },
  });
  const limit = Math.max(1, Math.min(PAGE_LIMIT, pageSize));

  async function list<T>(
    listPath: string,
    item: z.ZodType<T>,
    subject: string | undefined,
    query: Readonly<Record<string, string>> = {},
  ): Promise<T[]> {
    const schema = listPage(item);
    const items: T[] = [];
    for await (const value of paginate(async (cursor) => {
      const page = await http.request({
        method: "GET",
        path: listPath,
        query: { ...query, limit, cursor: cursor ?? undefined },
        schema,
        ...(subject ? { subject } : {}),
      });
      return { items: page.data.items as T[], nextCursor: page.data.next_cursor ?? page.data.nextCursor ?? null };
    })) {
      items.push(value);
    }
    return items;
  }

  return {
    baseUrl: http.baseUrl,
    listGroups: () => list("/groups", groupSchema, undefined),
    async getDestination(destinationId) {
      const body = await http.request({ method: "GET", path: path`/destinations/${destinationId}`, schema: envelope(destinationSchema), subject: `destination ${destinationId}` });
      return body.data;
    },
    listConnections: (groupId) =>
      groupId === undefined
        ? list("/connections", connectionSchema, undefined)
        : list(path`/groups/${groupId}/connections`, connectionSchema, `group ${groupId}`),
    async getConnection(connectionId) {
      const body = await http.request({ method: "GET", path: path`/connections/${connectionId}`, schema: envelope(connectionSchema), subject: `connector ${connectionId}` });
      return body.data;
    },
    async getSchemaConfig(connectionId) {
      const body = await http.request({ method: "GET", path: path`/connections/${connectionId}/schemas`, schema: envelope(schemaConfigSchema), subject: `connector ${connectionId}` });
      return body.data;
    },
    async triggerSync(connectionId, { force }) {
      await http.request({
        method: "POST",
        path: path`/connections/${connectionId}/sync`,
        body: { force },
        schema: actionResponseSchema,
        subject: `connector ${connectionId}`,
        // A 429 or 5xx answer did nothing and is retried; a request without an answer may still start a
        // sync, so it is not sent again (the launcher reads the connector to see whether it did).
        retry: "answered",
      });
    },
    async updateConnection(connectionId, patch) {
      const body = await http.request({
        method: "PATCH",
        path: path`/connections/${connectionId}`,
        body: patch,
        schema: envelope(connectionSchema),
        subject: `connector ${connectionId}`,
      });
      return body.data;
    },
    redact: (text) => http.redact(text),
  };
}
