/**
 * A local Census: a loopback HTTP server with the real API's endpoints (saas-apis.md §2, §4), the
 * `{status, data, pagination}` envelope with page numbers, Bearer auth (and dagster-census's Basic
 * `bearer:<key>`), errors (401, 404, 429 with Retry-After) and fault injection. A trigger creates a run that
 * goes `queued` → `working` → `completed`/`failed`: it reads the sync's source from the DuckDB warehouse
 * (a table or a model's SQL), maps the columns, and writes the records to a local destination — one JSON
 * file per destination object — reporting real counts (rows with a null primary identifier are invalid). A
 * missing source table fails the run with Census-like error fields; the sync's health follows its last run.
 * `apiVersion: "v2"` serves `/api/v2` with `/activations` and an integer `status` on 404 [V2 unverified].
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { openWarehouse, quoteIdentifier, createFaultQueue, listenLoopback, readJsonBody, SimulatorHttpError } from "../../shared/index.ts";
import type { SimulatorFault } from "../../shared/index.ts";

export type { SimulatorFault } from "../../shared/index.ts";

export interface SimulatedCensusSource {
  readonly id: number;
  readonly name: string;
  /** The warehouse type, e.g. `duckdb`. */
  readonly type: string;
  readonly database: string;
}

export interface SimulatedCensusDestination {
  readonly id: number;
  readonly name: string;
  /** The business tool: `hubspot`, `google_ads`… */
  readonly type: string;
  readonly objects: readonly string[];
}

export interface SimulatedCensusSync {
  readonly id: number;
  readonly label: string | null;
  readonly sourceId: number;
  /** A table (`{type:"table", catalog, schema, table}`), a dbt model (its compiled SQL) or a SQL model. */
  readonly source:
    | { readonly type: "table"; readonly catalog: string; readonly schema: string; readonly table: string }
    | { readonly type: "dbt_model"; readonly name: string; readonly relation: string }
    | { readonly type: "sql_model"; readonly name: string; readonly query: string };
  readonly destinationId: number;
  readonly destinationObject: string;
  readonly operation: string;
  readonly mappings: readonly { readonly from: string; readonly to: string; readonly primary?: boolean }[];
  readonly scheduleFrequency?: string;
  readonly paused?: boolean;
}

export interface CensusSimulatorOptions {
  readonly apiKey: string;
  readonly apiVersion?: "v1" | "v2";
  readonly sources: readonly SimulatedCensusSource[];
  readonly destinations: readonly SimulatedCensusDestination[];
  readonly syncs: readonly SimulatedCensusSync[];
  /** The DuckDB file sources are read from; null makes every run fail (no warehouse). */
  readonly warehousePath: string | null;
  /** Where destination objects are written: `<dir>/<destination>/<object>.json`. */
  readonly outputDir: string;
  /** How long a run stays queued, then working (default 10 ms each). */
  readonly stepMs?: number;
  readonly now?: () => Date;
  readonly host?: string;
  readonly port?: number;
  /** Keeps runs across restarts (so run ids never repeat). */
  readonly stateFile?: string | null;
  readonly log?: (message: string) => void;
}

interface RunState {
  id: number;
  sync_id: number;
  status: "queued" | "working" | "completed" | "failed";
  source_record_count: number | null;
  records_processed: number | null;
  records_updated: number | null;
  records_failed: number | null;
  records_invalid: number | null;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
  scheduled_execution_time: string | null;
  error_code: string | null;
  error_message: string | null;
  error_detail: string | null;
  current_step: string | null;
  canceled: boolean;
  full_sync: boolean;
  sync_trigger_reason: { ui_tag: string; ui_detail: string };
}

/** A trigger Census accepted (`POST /syncs/{id}/trigger`): each one starts a run. */
export interface SimulatedCensusTrigger {
  readonly syncId: number;
  readonly runId: number;
  readonly at: string;
  readonly fullSync: boolean;
}

export interface SimulatedCensusRequest {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly authorization: string | null;
  readonly body: unknown;
}

export interface CensusSimulator {
  /** The API base URL, e.g. `http://127.0.0.1:4311/api/v1`. */
  readonly url: string;
  readonly outputDir: string;
  readonly requests: readonly SimulatedCensusRequest[];
  /** Triggers accepted over the API so far, oldest first (what exactly-once tests count). */
  readonly triggers: readonly SimulatedCensusTrigger[];
  inject(fault: SimulatorFault): void;
  /** The next run of the sync fails with this Census error. */
  failNextRun(syncId: number, error?: { readonly code: string; readonly message: string }): void;
  /** Keeps the sync's next run `working` until the simulator closes (for timeouts, cancels). */
  holdNextRun(syncId: number): void;
  /** Changes a sync as a user would in the UI (`PATCH /syncs/{id}` does the same). */
  updateSync(syncId: number, patch: { readonly paused?: boolean }): void;
  /** Runs the sync as Census's scheduler would; resolves with the finished run. */
  runScheduledSync(syncId: number): Promise<Record<string, unknown>>;
  /** A run as `GET /sync_runs/{id}` returns it. */
  run(runId: number): Record<string, unknown>;
  close(): Promise<void>;
}

export async function startCensusSimulator(options: CensusSimulatorOptions): Promise<CensusSimulator> {
  const { apiKey, apiVersion = "v1", stepMs = 10, now = () => new Date(), stateFile = null, log = () => {} } = options;
  const sources = new Map(options.sources.map((s) => [s.id, s]));
  const destinations = new Map(options.destinations.map((d) => [d.id, d]));
  const syncs = new Map(options.syncs.map((s) => [s.id, { config: s, paused: s.paused ?? false, health: "Ready" }]));
  const saved = stateFile && existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, "utf8")) as { runs: RunState[] }) : { runs: [] };
  const runs = new Map<number, RunState>(saved.runs.map((r) => [r.id, r]));
  let nextRunId = Math.max(0, ...runs.keys()) + 1;
  const pendingFailures = new Map<number, { code: string; message: string }>();
  const held = new Set<number>();
  const waiters = new Map<number, ((run: RunState) => void)[]>();
  const timers = new Set<NodeJS.Timeout>();
  const inFlight = new Set<Promise<unknown>>();
  const faults = createFaultQueue();
  const requests: SimulatedCensusRequest[] = [];
  const triggers: SimulatedCensusTrigger[] = [];
  let closed = false;
  const stamp = () => now().toISOString();
  const persist = () => {
    if (stateFile) writeFileSync(stateFile, JSON.stringify({ runs: [...runs.values()] }, null, 2));
  };
  const notFound = (what: string) => new SimulatorHttpError(404, apiVersion === "v2" ? "404" : "not_found", `${what} not found`);
  const syncOr404 = (id: string) => {
    const sync = syncs.get(Number(id));
    if (!sync) throw notFound(`Sync with id ${id}`);
    return sync;
  };
  const later = (fn: () => void, ms: number) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timer.unref();
    timers.add(timer);
  };

  function syncJson(entry: { config: SimulatedCensusSync; paused: boolean; health: string }) {
    const s = entry.config;
    const source = s.source;
    const object =
      source.type === "table"
        ? { type: "table", id: s.id * 10, table_catalog: source.catalog, table_schema: source.schema, table_name: source.table }
        : source.type === "dbt_model"
          ? { type: "model", id: s.id * 10, name: source.name, query: `select * from {{ ref('${source.name}') }}`, compiled_query: `select * from ${source.relation}`, created_at: "2026-01-05T09:00:00.000Z", updated_at: "2026-01-05T09:00:00.000Z" }
          : { type: "model", id: s.id * 10, name: source.name, query: source.query, compiled_query: null, created_at: "2026-01-05T09:00:00.000Z", updated_at: "2026-01-05T09:00:00.000Z" };
    return {
      id: apiVersion === "v2" ? String(s.id) : s.id,
      label: s.label,
      resource_identifier: `sync_${s.id}`,
      schedule_frequency: s.scheduleFrequency ?? "never",
      schedule_day: null,
      schedule_hour: null,
      schedule_minute: null,
      cron_expression: null,
      created_at: "2026-01-05T09:00:00.000Z",
      updated_at: "2026-01-05T09:00:00.000Z",
      operation: s.operation,
      paused: entry.paused,
      status: entry.health,
      field_behavior: "specific_properties",
      source_attributes: { connection_id: s.sourceId, object },
      destination_attributes: { connection_id: s.destinationId, object: s.destinationObject },
      mappings: s.mappings.map((m) => ({ from: { type: "column", data: m.from }, to: m.to, is_primary_identifier: m.primary === true, generate_field: false, preserve_values: false, operation: null })),
    };
  }

  const runJson = (run: RunState) => ({ ...run, id: apiVersion === "v2" ? String(run.id) : run.id, sync_id: apiVersion === "v2" ? String(run.sync_id) : run.sync_id });

  /** Reads the source rows, maps them, writes the destination file; returns counts or a Census-like error. */
  async function execute(entry: { config: SimulatedCensusSync }): Promise<{ rows: number; invalid: number } | { code: string; message: string; detail: string }> {
    const s = entry.config;
    if (options.warehousePath === null) return { code: "SOURCE_CONNECTION_ERROR", message: "Census could not connect to the source warehouse.", detail: "No warehouse is configured for this source." };
    const source = s.source;
    const from = source.type === "table" ? `${quoteIdentifier(source.catalog)}.${quoteIdentifier(source.schema)}.${quoteIdentifier(source.table)}` : source.type === "dbt_model" ? source.relation : `(${source.query})`;
    const columns = s.mappings.map((m) => `${quoteIdentifier(m.from)}::VARCHAR AS ${quoteIdentifier(m.to)}`).join(", ");
    let records: Record<string, string | null>[];
    try {
      const warehouse = await openWarehouse(options.warehousePath, { lockAttempts: 40 });
      try {
        const reader = await warehouse.connection.runAndReadAll(`SELECT ${columns} FROM ${from} AS census_source`);
        const names = reader.columnNames();
        records = reader.getRows().map((row) => Object.fromEntries(names.map((name, i) => [name, row[i] === null || row[i] === undefined ? null : String(row[i])])));
      } finally {
        warehouse.close();
      }
    } catch (error) {
      const text = error instanceof Error ? error.message.split("\n")[0]! : String(error);
      return { code: "SOURCE_QUERY_ERROR", message: `There was an error querying your source: ${text}`, detail: `Census could not read ${source.type === "sql_model" ? `model ${source.name}` : from} from the warehouse. Make sure it exists and Census can read it.` };
    }
    const primary = s.mappings.find((m) => m.primary)?.to;
    const valid = records.filter((r) => primary === undefined || (r[primary] !== null && r[primary] !== ""));
    const destination = destinations.get(s.destinationId)!;
    const dir = join(options.outputDir, destination.name.replace(/[^A-Za-z0-9_.-]+/g, "_"));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${s.destinationObject.replace(/[^A-Za-z0-9_.-]+/g, "_")}.json`), JSON.stringify(valid, null, 2));
    return { rows: records.length, invalid: records.length - valid.length };
  }

  function startRun(syncId: number, trigger: "api" | "schedule", fullSync: boolean): RunState {
    const entry = syncs.get(syncId)!;
    const created = stamp();
    const run: RunState = {
      id: nextRunId++, sync_id: syncId, status: "queued", source_record_count: null, records_processed: null, records_updated: null, records_failed: null, records_invalid: null,
      created_at: created, updated_at: created, completed_at: null, scheduled_execution_time: trigger === "schedule" ? created : null,
      error_code: null, error_message: null, error_detail: null, current_step: "Preparing", canceled: false, full_sync: fullSync,
      sync_trigger_reason: trigger === "api" ? { ui_tag: "API", ui_detail: "Triggered via the API" } : { ui_tag: "Scheduled", ui_detail: "Triggered by the sync schedule" },
    };
    runs.set(run.id, run);
    persist();
    log(`census simulator: sync ${syncId} run ${run.id} queued (${trigger})`);
    later(() => {
      run.status = "working";
      run.current_step = "Running sync";
      run.updated_at = stamp();
      if (held.delete(syncId)) return; // stays working
      later(() => {
        const finishing = (async () => {
          const failure = pendingFailures.get(syncId);
          pendingFailures.delete(syncId);
          const result = failure ? { ...failure, detail: failure.message } : await execute(entry);
          if (closed) return;
          run.updated_at = stamp();
          if ("rows" in result) {
            Object.assign(run, { status: "completed", completed_at: run.updated_at, current_step: null, source_record_count: result.rows, records_processed: result.rows, records_updated: result.rows - result.invalid, records_failed: 0, records_invalid: result.invalid });
            entry.health = "Up to Date";
          } else {
            Object.assign(run, { status: "failed", error_code: result.code, error_message: result.message, error_detail: result.detail, source_record_count: null, records_invalid: 0 });
            entry.health = "Failing";
          }
          persist();
          log(`census simulator: sync ${syncId} run ${run.id} ${run.status}`);
          for (const resolve of waiters.get(run.id) ?? []) resolve(run);
          waiters.delete(run.id);
        })();
        inFlight.add(finishing);
        void finishing.finally(() => inFlight.delete(finishing));
      }, stepMs);
    }, stepMs);
    return run;
  }

  function page<T>(items: readonly T[], query: URLSearchParams) {
    const perPage = Math.min(100, Math.max(1, Number(query.get("per_page") ?? 25) || 25));
    const pageNumber = Math.max(1, Number(query.get("page") ?? 1) || 1);
    const lastPage = Math.max(1, Math.ceil(items.length / perPage));
    const data = items.slice((pageNumber - 1) * perPage, pageNumber * perPage);
    return {
      status: "success",
      data,
      pagination: { total_records: items.length, per_page: perPage, prev_page: pageNumber > 1 ? pageNumber - 1 : null, page: pageNumber, next_page: pageNumber < lastPage ? pageNumber + 1 : null, last_page: lastPage },
    };
  }
  const ordered = <T>(items: T[], query: URLSearchParams, desc: boolean) => (query.get("order") ?? (desc ? "desc" : "asc")) === "desc" ? items.reverse() : items;

  function route(method: string, segments: readonly string[], query: URLSearchParams, body: unknown): { status: number; body: unknown } {
    const ok = (data: unknown) => ({ status: 200, body: { status: "success", data } });
    const [first, id, sub] = segments;
    const destinationsPath = apiVersion === "v2" ? "activations" : "destinations";
    if (first === "workspace" && method === "GET") return ok({ id: 1, name: "Simulated workspace" });
    if (first === "syncs" && id === undefined && method === "GET") return { status: 200, body: page(ordered([...syncs.values()].map(syncJson), query, false), query) };
    if (first === "syncs" && id !== undefined) {
      const entry = syncOr404(id);
      if (sub === undefined && method === "GET") return ok(syncJson(entry));
      if (sub === undefined && method === "PATCH") {
        const patch = (body ?? {}) as { paused?: unknown };
        if (typeof patch.paused === "boolean") entry.paused = patch.paused;
        return { status: 200, body: { status: "updated", data: syncJson(entry) } };
      }
      if (sub === "trigger" && method === "POST") {
        const full = query.get("force_full_sync") === "true" || (typeof body === "object" && body !== null && (body as { force_full_sync?: unknown }).force_full_sync === true);
        if (full && entry.config.operation === "append") throw new SimulatorHttpError(400, "error", "Append syncs do not support full syncs"); // [unverified] wording
        const run = startRun(entry.config.id, "api", full);
        triggers.push({ syncId: entry.config.id, runId: run.id, at: run.created_at, fullSync: full });
        return ok({ sync_run_id: apiVersion === "v2" ? String(run.id) : run.id });
      }
      if (sub === "sync_runs" && method === "GET") return { status: 200, body: page(ordered([...runs.values()].filter((r) => r.sync_id === entry.config.id).map(runJson), query, true), query) };
    }
    if (first === "sync_runs" && id !== undefined) {
      const run = runs.get(Number(id));
      if (!run) throw notFound(`Sync run with id ${id}`);
      if (sub === undefined && method === "GET") return ok(runJson(run));
      if (sub === "cancel" && method === "POST") {
        run.canceled = true;
        return { status: 200, body: { status: "cancelled", data: {} } };
      }
    }
    if (first === "sources" && method === "GET") {
      const json = (s: SimulatedCensusSource) => ({ id: s.id, name: s.name, label: null, type: s.type, last_test_succeeded: true, last_tested_at: null, connection_details: { database: s.database, password: "******" }, read_only_connection: false });
      if (id === undefined) return { status: 200, body: page([...sources.values()].map(json), query) };
      const source = sources.get(Number(id));
      if (!source) throw notFound(`Source with id ${id}`);
      return ok(json(source));
    }
    if (first === destinationsPath && method === "GET") {
      const json = (d: SimulatedCensusDestination) => ({ id: apiVersion === "v2" ? String(d.id) : d.id, name: d.name, type: d.type, connection_details: { api_key: "******" }, objects: d.objects.map((o) => ({ label: o, full_name: o, allow_custom_fields: true })) });
      if (id === undefined) return { status: 200, body: page([...destinations.values()].map(json), query) };
      const destination = destinations.get(Number(id));
      if (!destination) throw notFound(`Destination with id ${id}`);
      return ok(json(destination));
    }
    throw notFound(`Endpoint ${method} /${segments.join("/")}`);
  }

  const validAuth = (header: string | undefined) =>
    header === `Bearer ${apiKey}` || header === `Basic ${Buffer.from(`bearer:${apiKey}`).toString("base64")}`;

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://simulator");
    const method = request.method ?? "GET";
    let parsed: unknown;
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      requests.push({ method, path: url.pathname + url.search, status, authorization: request.headers.authorization ?? null, body: parsed });
      response.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
      response.end(JSON.stringify(body));
    };
    try {
      parsed = (await readJsonBody(request, "error")).json;
      const segments = url.pathname.split("/").filter(Boolean);
      if (segments[0] !== "api" || segments[1] !== apiVersion) throw notFound(`Endpoint ${method} ${url.pathname}`);
      const answer = () => {
        if (!validAuth(request.headers.authorization)) throw new SimulatorHttpError(401, "error", "Unauthorized: the API token is missing or invalid");
        return route(method, segments.slice(2), url.searchParams, parsed);
      };
      const fault = faults.take(method, url.pathname);
      const early = fault?.processFirst ? answer() : null;
      if (fault?.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      if (fault?.status !== undefined) {
        const headers: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { "retry-after": String(fault.retryAfterSeconds) };
        send(fault.status, fault.body ?? { status: "error", message: fault.status === 429 ? "Too many requests. Please retry later." : "Internal server error (injected)" }, headers);
        return;
      }
      const result = early ?? answer();
      send(result.status, result.body);
    } catch (error) {
      if (error instanceof SimulatorHttpError) send(error.status, { status: apiVersion === "v2" && error.status === 404 ? 404 : error.code, message: error.message });
      else send(500, { status: "error", message: error instanceof Error ? error.message : String(error) });
    }
  }

  const listening = await listenLoopback(handle, { ...(options.host ? { host: options.host } : {}), ...(options.port !== undefined ? { port: options.port } : {}) });
  return {
    url: `${listening.origin}/api/${apiVersion}`,
    outputDir: options.outputDir,
    requests,
    triggers,
    inject: (fault) => faults.inject(fault),
    failNextRun(syncId, error = { code: "JSON_ARRAY_ERROR", message: "The destination rejected the records (injected)" }) {
      pendingFailures.set(syncId, error);
    },
    holdNextRun: (syncId) => void held.add(syncId),
    updateSync(syncId, patch) {
      const entry = syncs.get(syncId);
      if (!entry) throw new Error(`no simulated sync ${syncId}`);
      if (patch.paused !== undefined) entry.paused = patch.paused;
    },
    runScheduledSync(syncId) {
      if (!syncs.has(syncId)) throw new Error(`no simulated sync ${syncId}`);
      const run = startRun(syncId, "schedule", false);
      return new Promise((resolve) => waiters.set(run.id, [...(waiters.get(run.id) ?? []), (r) => resolve(runJson(r))]));
    },
    run: (runId) => runJson(runs.get(runId)!),
    async close() {
      if (closed) return;
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      await Promise.allSettled([...inFlight]);
      await listening.close();
    },
  };
}
