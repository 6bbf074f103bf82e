/**
 * BigQuery: read through @google-cloud/bigquery (the official client) with a service-account key file, inline
 * key JSON, or Application Default Credentials. The datasets are the configured ones, else every dataset of
 * the project (datasets.list); per dataset, relations with row count, bytes and last modified come from its
 * `__TABLES__` (BigQuery's own table metadata: no scan, no bytes billed) and columns from its
 * `INFORMATION_SCHEMA.COLUMNS`, each query run in the dataset's location. `apiEndpoint` points the client
 * elsewhere than https://bigquery.googleapis.com (a proxy, a stand-in). The client is loaded on first use.
 * Errors name the project and never a key.
 */
import type { BigQuery } from "@google-cloud/bigquery";
import type { RelationDescription, WarehouseCallOptions, WarehouseColumn, WarehouseEngine, WarehouseRelation } from "../engine.ts";
import { WarehouseError, numberOrNull, throwIfAborted, withinTimeout } from "../engine.ts";
import { IDENTIFIER_RULES, findRelations } from "../identifiers.ts";

export interface BigQueryWarehouseOptions {
  /** The project whose datasets are read (dbt's `project` / `database`). */
  readonly project: string;
  /** Only these datasets (default every dataset of the project). */
  readonly datasets?: readonly string[] | null;
  /** A service-account key file; else `credentials`, else Application Default Credentials. */
  readonly keyFilename?: string | null;
  /** A service-account key as JSON (dbt's keyfile_json). */
  readonly credentials?: Readonly<Record<string, unknown>> | null;
  /** The project billed for the queries, when not `project`. */
  readonly billingProject?: string | null;
  /** Where the client connects (default https://bigquery.googleapis.com). */
  readonly apiEndpoint?: string | null;
  /** How long one call may take (default 60 s). */
  readonly timeoutMs?: number;
}

export interface BigQueryWarehouse extends WarehouseEngine {
  readonly type: "bigquery";
}

type Row = Record<string, unknown>;
type Client = BigQuery;

let clientModule: Promise<{ BigQuery: typeof BigQuery }> | null = null;

export function createBigQueryWarehouse(options: BigQueryWarehouseOptions): BigQueryWarehouse {
  const { project, datasets = null, timeoutMs = 60_000 } = options;
  const origin = `bigquery://${project}${options.apiEndpoint ? ` at ${options.apiEndpoint}` : ""}`;
  const privateKey = typeof options.credentials?.["private_key"] === "string" ? options.credentials["private_key"] : null;
  const redact = (text: string): string => (privateKey ? text.split(privateKey).join("***") : text);
  const rules = IDENTIFIER_RULES.bigquery;

  async function withClient<T>(signal: AbortSignal | undefined, work: (client: Client) => Promise<T>): Promise<T> {
    throwIfAborted(signal, origin);
    clientModule ??= import("@google-cloud/bigquery");
    const { BigQuery } = await clientModule;
    const client = new BigQuery({
      projectId: options.billingProject ?? project,
      ...(options.keyFilename ? { keyFilename: options.keyFilename } : {}),
      ...(options.credentials ? { credentials: options.credentials as never } : {}),
      ...(options.apiEndpoint ? { apiEndpoint: options.apiEndpoint } : {}),
      userAgent: "tributary",
      autoRetry: false,
    });
    const running = work(client).catch((error: unknown) => {
      if (error instanceof WarehouseError) throw error;
      throw classify(error);
    });
    return withinTimeout(running, { timeoutMs, signal, what: "BigQuery warehouse", origin });
  }

  function classify(error: unknown): WarehouseError {
    const status = (error as { code?: unknown }).code;
    const text = redact(error instanceof Error ? error.message : String(error));
    if (status === 401 || status === 403 || /default credentials|invalid_grant|unauthenticated|permission/i.test(text)) {
      return new WarehouseError("warehouse_auth_failed", `BigQuery refused the credentials for ${origin}: ${text}`);
    }
    if (typeof status === "string" && /^E(CONNREFUSED|NOTFOUND|CONNRESET|AI_AGAIN|TIMEDOUT)$/.test(status)) {
      return new WarehouseError("warehouse_unreachable", `Cannot connect to the BigQuery warehouse ${origin}: ${text}`);
    }
    if (/ECONNREFUSED|ENOTFOUND|socket hang up/.test(text)) return new WarehouseError("warehouse_unreachable", `Cannot connect to the BigQuery warehouse ${origin}: ${text}`);
    return new WarehouseError("warehouse_query_failed", `Reading the BigQuery warehouse ${origin} failed: ${text}`);
  }

  /** The datasets to read, with their locations (a query runs where its dataset lives). */
  async function datasetsOf(client: Client): Promise<{ id: string; location: string | null }[]> {
    const [found] = await client.getDatasets({ projectId: project, all: true } as never);
    const listed = found.map((dataset) => ({ id: dataset.id!, location: (dataset.metadata as { location?: string } | undefined)?.location ?? null }));
    if (datasets === null) return listed;
    return datasets.map((id) => listed.find((d) => d.id === id) ?? { id, location: null });
  }

  async function rows(client: Client, query: string, location: string | null): Promise<Row[]> {
    const [result] = await client.query({ query, ...(location ? { location } : {}) });
    return result as Row[];
  }

  type Listed = WarehouseRelation & { location: string | null; rowCount: number | null; bytes: number | null; lastModified: string | null };

  async function list(client: Client): Promise<Listed[]> {
    const listed: Listed[] = [];
    for (const dataset of await datasetsOf(client)) {
      const found = await rows(
        client,
        `SELECT table_id, type, row_count, size_bytes, last_modified_time FROM ${quote(`${project}.${dataset.id}.__TABLES__`)} ORDER BY table_id`,
        dataset.location,
      );
      for (const row of found) {
        const view = Number(row["type"]) === 2;
        listed.push({
          database: project,
          schema: dataset.id,
          name: String(row["table_id"]),
          kind: view ? "view" : "table",
          location: dataset.location,
          rowCount: view ? null : numberOrNull(row["row_count"]),
          bytes: view ? null : numberOrNull(row["size_bytes"]),
          lastModified: numberOrNull(row["last_modified_time"]) === null ? null : new Date(Number(row["last_modified_time"])).toISOString(),
        });
      }
    }
    return listed;
  }

  return {
    type: "bigquery",
    origin,
    async listRelations(callOptions: WarehouseCallOptions = {}) {
      const listed = await withClient(callOptions.signal, list);
      return listed.map(({ database, schema, name, kind }) => ({ database, schema, name, kind }));
    },
    describe(relations, callOptions: WarehouseCallOptions = {}) {
      if (relations.length === 0) return Promise.resolve([]);
      return withClient(callOptions.signal, async (client) => {
        const wanted = findRelations(relations, await list(client), rules);
        const columns = new Map<string, WarehouseColumn[]>();
        const datasetsWanted = new Map(wanted.map((relation) => [relation.schema, relation.location]));
        for (const [dataset, location] of datasetsWanted) {
          throwIfAborted(callOptions.signal, origin);
          const found = await rows(
            client,
            `SELECT table_name, column_name, ordinal_position, is_nullable, data_type
               FROM ${quote(`${project}.${dataset}.INFORMATION_SCHEMA.COLUMNS`)}
              ORDER BY table_name, ordinal_position`,
            location,
          );
          for (const row of found) {
            const key = `${dataset}\u0000${String(row["table_name"])}`;
            const list = columns.get(key) ?? [];
            list.push({
              name: String(row["column_name"]),
              type: String(row["data_type"]),
              nullable: row["is_nullable"] === "YES" ? true : row["is_nullable"] === "NO" ? false : null,
              position: Number(row["ordinal_position"]),
            });
            columns.set(key, list);
          }
        }
        return wanted.map(({ location: _location, rowCount, bytes, lastModified, ...relation }): RelationDescription => ({
          ...relation,
          columns: columns.get(`${relation.schema}\u0000${relation.name}`) ?? [],
          rowCount,
          rowCountEstimated: false,
          bytes,
          lastModified,
          comment: null,
        }));
      });
    },
  };
}

/** A path in backticks: `` `project.dataset.__TABLES__` ``. */
function quote(path: string): string {
  return `\`${path.replace(/[`\\]/g, "\\$&")}\``;
}
