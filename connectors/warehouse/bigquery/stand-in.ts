/**
 * A local HTTP stand-in for the BigQuery REST API (v2) answering the calls @google-cloud/bigquery makes:
 * `GET /bigquery/v2/projects/{p}/datasets` (datasets.list), `POST …/queries` (jobs.query, answered "not complete
 * yet" with a job reference, as a slow query is) and `GET …/queries/{jobId}` (jobs.getQueryResults, with
 * `schema.fields` and rows as `{f: [{v}]}`, every value a string, paged by `pageToken`). Requests must carry a
 * Bearer token: a self-signed service-account JWT (what google-auth-library sends outside googleapis.com's
 * universe) whose RS256 signature it verifies with the account's public key. It answers the two metadata queries
 * Tributary asks (a dataset's `__TABLES__` and `INFORMATION_SCHEMA.COLUMNS`) from the tables it is given; other
 * SQL is an invalidQuery error as BigQuery reports one. Tests only.
 */
import { createVerify, randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface StandInBigQueryTable {
  readonly dataset: string;
  readonly name: string;
  readonly type: "TABLE" | "VIEW";
  readonly rowCount: number;
  readonly bytes: number;
  readonly lastModified: Date;
  readonly columns: readonly { readonly name: string; readonly type: string; readonly nullable: boolean }[];
}

export interface BigQueryStandInOptions {
  readonly project: string;
  readonly datasets: readonly { readonly id: string; readonly location: string }[];
  readonly tables: readonly StandInBigQueryTable[];
  /** The service account's email and PEM public key. */
  readonly account: { readonly email: string; readonly publicKey: string };
  /** Rows per page of getQueryResults (default 1000). */
  readonly pageSize?: number;
  /** Never answer jobs.query. */
  readonly hangQueries?: boolean;
}

export interface BigQueryStandIn {
  readonly url: string;
  readonly requests: { method: string; path: string; query?: string; location?: string | null; pageToken?: string | null }[];
  close(): Promise<void>;
}

interface Job {
  readonly fields: { name: string; type: string; mode: string }[];
  readonly rows: (string | null)[][];
  readonly location: string | null;
}

export async function startBigQueryStandIn(options: BigQueryStandInOptions): Promise<BigQueryStandIn> {
  const requests: BigQueryStandIn["requests"] = [];
  const jobs = new Map<string, Job>();
  const pageSize = options.pageSize ?? 1000;
  const hung = new Set<() => void>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const url = new URL(request.url ?? "/", "http://stand-in");
      const record: BigQueryStandIn["requests"][number] = { method: request.method ?? "", path: url.pathname };
      requests.push(record);
      const send = (payload: unknown, status = 200): void => {
        response.writeHead(status, { "content-type": "application/json; charset=UTF-8" });
        response.end(JSON.stringify(payload));
      };
      const error = (code: number, status: string, reason: string, message: string): void =>
        send({ error: { code, message, errors: [{ message, domain: "global", reason }], status } }, code);
      if (!authorized(request.headers.authorization, options.account)) {
        return error(401, "UNAUTHENTICATED", "unauthorized", "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.");
      }
      const base = `/bigquery/v2/projects/${options.project}`;
      if (request.method === "GET" && url.pathname === `${base}/datasets`) {
        return send({
          kind: "bigquery#datasetList",
          etag: randomUUID(),
          datasets: options.datasets.map((d) => ({ kind: "bigquery#dataset", id: `${options.project}:${d.id}`, datasetReference: { datasetId: d.id, projectId: options.project }, location: d.location, type: "DEFAULT" })),
        });
      }
      if (request.method === "POST" && url.pathname === `${base}/queries`) {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { query: string; location?: string; useLegacySql?: boolean };
        record.query = body.query;
        record.location = body.location ?? null;
        if (options.hangQueries) {
          hung.add(() => error(503, "UNAVAILABLE", "backendError", "The service is currently unavailable."));
          return;
        }
        const job = run(body.query, body.location ?? null, options);
        if ("error" in job) return error(400, "INVALID_ARGUMENT", "invalidQuery", job.error);
        const jobId = `job_${randomUUID().replace(/-/g, "_")}`;
        jobs.set(jobId, job);
        // A query not done within jobs.query's wait: the client goes on with getQueryResults.
        return send({ kind: "bigquery#queryResponse", jobReference: { projectId: options.project, jobId, location: job.location ?? "US" }, jobComplete: false });
      }
      const results = new RegExp(`^${base}/queries/([^/]+)$`).exec(url.pathname);
      if (request.method === "GET" && results) {
        const job = jobs.get(results[1]!);
        if (!job) return error(404, "NOT_FOUND", "notFound", `Not found: Job ${options.project}:${results[1]}`);
        const start = Number(url.searchParams.get("pageToken") ?? "0");
        record.pageToken = url.searchParams.get("pageToken");
        record.location = url.searchParams.get("location");
        const page = job.rows.slice(start, start + pageSize);
        const next = start + pageSize < job.rows.length ? String(start + pageSize) : undefined;
        return send({
          kind: "bigquery#getQueryResultsResponse",
          etag: randomUUID(),
          schema: { fields: job.fields },
          jobReference: { projectId: options.project, jobId: results[1], location: job.location ?? "US" },
          totalRows: String(job.rows.length),
          ...(page.length > 0 ? { rows: page.map((row) => ({ f: row.map((v) => ({ v })) })) } : {}),
          ...(next ? { pageToken: next } : {}),
          totalBytesProcessed: "0",
          jobComplete: true,
          cacheHit: false,
        });
      }
      return error(404, "NOT_FOUND", "notFound", `Not found: ${url.pathname}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    async close() {
      for (const answer of hung) answer();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** Runs one of the two metadata queries Tributary asks. */
function run(query: string, location: string | null, options: BigQueryStandInOptions): Job | { error: string } {
  const target = /FROM\s+`([^`.]+)\.([^`.]+)\.(__TABLES__|INFORMATION_SCHEMA\.COLUMNS)`/i.exec(query);
  if (!target) return { error: `Syntax error: Unexpected identifier at [1:1]` };
  const [, project, datasetId, view] = target;
  const dataset = options.datasets.find((d) => d.id === datasetId);
  if (project !== options.project || !dataset) return { error: `Not found: Dataset ${project}:${datasetId} was not found in location ${location ?? "US"}` };
  if (location !== null && location !== dataset.location) return { error: `Not found: Dataset ${project}:${datasetId} was not found in location ${location}` };
  const tables = options.tables.filter((t) => t.dataset === datasetId).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (view === "__TABLES__") {
    return {
      location: dataset.location,
      fields: [
        { name: "table_id", type: "STRING", mode: "NULLABLE" },
        { name: "type", type: "INTEGER", mode: "NULLABLE" },
        { name: "row_count", type: "INTEGER", mode: "NULLABLE" },
        { name: "size_bytes", type: "INTEGER", mode: "NULLABLE" },
        { name: "last_modified_time", type: "INTEGER", mode: "NULLABLE" },
      ],
      // A view's __TABLES__ row says 0 rows and 0 bytes.
      rows: tables.map((t) => [t.name, t.type === "VIEW" ? "2" : "1", t.type === "VIEW" ? "0" : String(t.rowCount), t.type === "VIEW" ? "0" : String(t.bytes), String(t.lastModified.getTime())]),
    };
  }
  return {
    location: dataset.location,
    fields: [
      { name: "table_name", type: "STRING", mode: "NULLABLE" },
      { name: "column_name", type: "STRING", mode: "NULLABLE" },
      { name: "ordinal_position", type: "INTEGER", mode: "NULLABLE" },
      { name: "is_nullable", type: "STRING", mode: "NULLABLE" },
      { name: "data_type", type: "STRING", mode: "NULLABLE" },
    ],
    rows: tables.flatMap((t) => t.columns.map((c, i) => [t.name, c.name, String(i + 1), c.nullable ? "YES" : "NO", c.type])),
  };
}

/** A self-signed service-account JWT: RS256 by the account's key, issued by its email, not expired. */
function authorized(header: string | undefined, account: BigQueryStandInOptions["account"]): boolean {
  const token = /^Bearer (.+)$/.exec(header ?? "")?.[1];
  if (!token) return false;
  const [head, payload, signature] = token.split(".");
  if (!head || !payload || !signature) return false;
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { iss?: string; exp?: number };
    if (claims.iss !== account.email || typeof claims.exp !== "number" || claims.exp * 1000 < Date.now()) return false;
    return createVerify("RSA-SHA256").update(`${head}.${payload}`).verify(account.publicKey, Buffer.from(signature, "base64url"));
  } catch {
    return false;
  }
}
