/**
 * A local Fivetran: a loopback HTTP server with the real REST API's endpoints, envelopes, cursor pagination,
 * Basic auth, status fields and error behaviour (401, 404, 415, 400, 409, 429 with Retry-After, paused and
 * broken connectors, rescheduled syncs), plus fault injection for tests. Its connectors land rows from CSV
 * files into a DuckDB warehouse when they sync — on trigger, and on their own schedule when `autoSchedule` is
 * on. Clients cannot tell it from the real API except by its URL.
 *
 * What is modelled, per saas-apis.md §1 and §4: `/v1/connections` (and `/v1/groups/{id}/connections`); the
 * legacy `/v1/connectors` family as an alias or as 404 (`legacyPaths`); the deprecated metadata API as 404;
 * the state machine scheduled → syncing → scheduled with `succeeded_at` / `failed_at`; `force:false` doing
 * nothing while a sync runs and `force:true` restarting it; `rescheduled` with `rescheduled_for`, resumed by
 * Fivetran itself on an `auto` schedule and needing a new trigger on a `manual` one. Unverified details (the
 * exact wording of error messages, the answer to a sync of a paused connector) are marked where they are made.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { basename, join } from "node:path";
import { parse } from "csv-parse/sync";
import { SimulatorHttpError, createFaultQueue, readJsonBody } from "../../shared/index.ts";
import type { SimulatorFault } from "../../shared/index.ts";
import { landRows } from "./warehouse.ts";
import type { LandingTable } from "./warehouse.ts";

export interface SimulatedGroup {
  readonly id: string;
  readonly name: string;
  /** The group's destination (its id is the group id, as in Fivetran). */
  readonly destination: { readonly service: string; readonly database: string; readonly region?: string };
}

export interface SimulatedConnector {
  readonly id: string;
  readonly groupId: string;
  /** The source type: `shopify`, `stripe`, `google_ads`… */
  readonly service: string;
  /** The destination schema (`name_in_destination`) and the connector's `schema` field. */
  readonly schema: string;
  /** The schema's name in the source, when it differs from the destination's. */
  readonly sourceSchema?: string;
  /** A folder of `<table>.csv` files: each is one table (columns from its header). */
  readonly dataDir: string;
  /** Tables to serve (file names without `.csv`); default every CSV in dataDir. */
  readonly tables?: readonly string[];
  /** Destination names of tables whose name differs from the source's (`{order: "orders"}`). */
  readonly tableNamesInDestination?: Readonly<Record<string, string>>;
  /** Tables present in the schema config but disabled. */
  readonly disabledTables?: readonly string[];
  readonly paused?: boolean;
  readonly scheduleType?: "auto" | "manual";
  /** Minutes between scheduled syncs (Fivetran's `sync_frequency`), default 360. */
  readonly syncFrequencyMinutes?: number;
  readonly setupState?: "connected" | "incomplete" | "broken";
}

/** Fault injection is shared with the Census simulator (connectors/shared/simulator.ts). */
export type { SimulatorFault } from "../../shared/index.ts";

export interface FivetranSimulatorOptions {
  readonly apiKey: string;
  readonly apiSecret: string;
  readonly groups: readonly SimulatedGroup[];
  readonly connectors: readonly SimulatedConnector[];
  /** The DuckDB file syncs land rows in; null lands nothing (syncs still succeed). */
  readonly warehousePath: string | null;
  readonly host?: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** How long a sync runs before it lands its rows (default 20 ms). */
  readonly syncDurationMs?: number;
  /** Most new rows per table per sync (default: the rest of each file). */
  readonly rowsPerSync?: number;
  /** Run syncs on the connectors' own schedule (auto, not paused). Default false. */
  readonly autoSchedule?: boolean;
  /** The interval of scheduled syncs; default `syncFrequencyMinutes` minutes. */
  readonly scheduleIntervalMs?: (connector: SimulatedConnector) => number;
  /** Legacy `/v1/connectors/...` paths: served as an alias, or 404 as the real API now does (default). */
  readonly legacyPaths?: "alias" | "not_found";
  /** Fivetran's clock (timestamps it reports); default the real one. */
  readonly now?: () => Date;
  /** Keeps connector state (timestamps, paused, schedule type) across restarts. */
  readonly stateFile?: string | null;
  /** Progress lines (a sync started, landed N rows). */
  readonly log?: (message: string) => void;
  /** Largest page size accepted (default 1000, as Fivetran). */
  readonly maxPageSize?: number;
}

/** A finished sync, as the simulator records it. */
export interface SimulatedSync {
  readonly connectorId: string;
  readonly trigger: "api" | "schedule";
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly status: "succeeded" | "failed";
  readonly rowsLanded: Readonly<Record<string, number>>;
  readonly error: string | null;
}

/** A trigger Fivetran accepted (`POST /connections/{id}/sync`, `/force`, `/resync`) and what it did. */
export interface SimulatedTrigger {
  readonly connectorId: string;
  readonly at: string;
  readonly force: boolean;
  /** started a sync; joined the running one (force:false); restarted it (force:true); or the sync was rescheduled. */
  readonly effect: "started" | "joined" | "restarted" | "rescheduled";
}

/** One request the simulator answered (for tests: what the client really sent). */
export interface SimulatedRequest {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly authorization: string | null;
  readonly contentType: string | null;
  readonly body: unknown;
}

export interface FivetranSimulator {
  /** The API base URL, e.g. `http://127.0.0.1:43117/v1`. */
  readonly url: string;
  /** The DuckDB file syncs land rows in (null: none). */
  readonly warehousePath: string | null;
  readonly port: number;
  /** Requests answered so far, oldest first. */
  readonly requests: readonly SimulatedRequest[];
  /** Syncs finished so far, oldest first. */
  readonly syncs: readonly SimulatedSync[];
  /** Triggers accepted over the API so far, oldest first (what exactly-once tests count). */
  readonly triggers: readonly SimulatedTrigger[];
  inject(fault: SimulatorFault): void;
  /** The next sync of the connector fails (Fivetran sets `failed_at`) with this message. */
  failNextSync(connectorId: string, message?: string): void;
  /** The next sync of the connector is rescheduled (source quota) until `until`. */
  rescheduleNextSync(connectorId: string, until: Date): void;
  /** The next sync of the connector stays `syncing` until the simulator closes (to cancel a run mid-sync). */
  holdNextSync(connectorId: string): void;
  /** Changes a connector as a user would in the dashboard. */
  updateConnector(connectorId: string, patch: { readonly paused?: boolean; readonly setupState?: "connected" | "incomplete" | "broken"; readonly scheduleType?: "auto" | "manual" }): void;
  /** Runs a sync as Fivetran's own scheduler would, and resolves when it has finished. */
  runScheduledSync(connectorId: string): Promise<SimulatedSync>;
  /** Resolves when the connector's next sync finishes. */
  nextSyncFinished(connectorId: string): Promise<SimulatedSync>;
  /** The connection object as `GET /connections/{id}` returns it. */
  connection(connectorId: string): Record<string, unknown>;
  close(): Promise<void>;
}

interface ConnectorRuntime {
  readonly config: SimulatedConnector;
  readonly tables: readonly { source: string; destination: string; file: string; enabled: boolean; columns: string[] }[];
  paused: boolean;
  scheduleType: "auto" | "manual";
  setupState: "connected" | "incomplete" | "broken";
  syncState: "scheduled" | "syncing" | "paused" | "rescheduled";
  succeededAt: string | null;
  failedAt: string | null;
  rescheduledFor: string | null;
  createdAt: string;
  running: { timer: NodeJS.Timeout; startedAt: string; trigger: "api" | "schedule"; generation: number } | null;
  generation: number;
  pendingFailure: string | null;
  /** The error of the latest sync, when it failed (shown as a task until a sync succeeds). */
  lastError: string | null;
  pendingReschedule: Date | null;
  holdNext: boolean;
  resumeTimer: NodeJS.Timeout | null;
  scheduleTimer: NodeJS.Timeout | null;
  waiters: ((sync: SimulatedSync) => void)[];
}


const PERSISTENT_PATCH_FIELDS = ["paused", "schedule_type", "sync_frequency", "daily_sync_time", "schedule", "pause_after_trial", "data_delay_threshold", "data_delay_sensitivity", "config", "networking_method"];

function readTables(config: SimulatedConnector): ConnectorRuntime["tables"] {
  const files = config.tables
    ? config.tables.map((table) => join(config.dataDir, `${table}.csv`))
    : readdirSync(config.dataDir)
        .filter((name) => name.endsWith(".csv"))
        .sort()
        .map((name) => join(config.dataDir, name));
  return files.map((file) => {
    const source = basename(file, ".csv");
    const [header = []] = parse(readFileSync(file, "utf8"), { bom: true, to_line: 1 }) as string[][];
    return {
      source,
      destination: config.tableNamesInDestination?.[source] ?? source,
      file,
      enabled: !(config.disabledTables ?? []).includes(source),
      columns: header,
    };
  });
}

/** Starts the simulator on loopback. */
export async function startFivetranSimulator(options: FivetranSimulatorOptions): Promise<FivetranSimulator> {
  const {
    apiKey,
    apiSecret,
    host = "127.0.0.1",
    port = 0,
    syncDurationMs = 20,
    rowsPerSync = Number.POSITIVE_INFINITY,
    autoSchedule = false,
    legacyPaths = "not_found",
    now = () => new Date(),
    stateFile = null,
    log = () => {},
    maxPageSize = 1000,
  } = options;
  const expectedAuthorization = `Basic ${Buffer.from(`${apiKey}:${apiSecret}`).toString("base64")}`;
  const groups = new Map(options.groups.map((group) => [group.id, group]));
  const saved = loadState(stateFile);
  const connectors = new Map<string, ConnectorRuntime>();
  for (const config of options.connectors) {
    if (!groups.has(config.groupId)) throw new Error(`simulated connector ${config.id} names unknown group ${config.groupId}`);
    const state = saved[config.id];
    const paused = state?.paused ?? config.paused ?? false;
    connectors.set(config.id, {
      config,
      tables: readTables(config),
      paused,
      scheduleType: state?.scheduleType ?? config.scheduleType ?? "auto",
      setupState: config.setupState ?? "connected",
      syncState: paused ? "paused" : "scheduled",
      succeededAt: state?.succeededAt ?? null,
      failedAt: state?.failedAt ?? null,
      rescheduledFor: null,
      createdAt: "2026-01-05T09:00:00.000000Z",
      running: null,
      generation: 0,
      pendingFailure: null,
      lastError: null,
      pendingReschedule: null,
      holdNext: false,
      resumeTimer: null,
      scheduleTimer: null,
      waiters: [],
    });
  }
  const faults = createFaultQueue();
  const requests: SimulatedRequest[] = [];
  const syncs: SimulatedSync[] = [];
  const triggers: SimulatedTrigger[] = [];
  const inFlight = new Set<Promise<unknown>>();
  let rateRemaining = 20_000;
  let closed = false;

  const persist = (): void => {
    if (!stateFile) return;
    const data: Record<string, PersistedConnector> = {};
    for (const [id, c] of connectors) data[id] = { succeededAt: c.succeededAt, failedAt: c.failedAt, paused: c.paused, scheduleType: c.scheduleType };
    writeFileSync(stateFile, JSON.stringify({ connectors: data }, null, 2));
  };

  const connectorOr404 = (id: string): ConnectorRuntime => {
    const connector = connectors.get(id);
    if (!connector) throw new SimulatorHttpError(404, "NotFound_Connection", `Connection with id '${id}' doesn't exist`);
    return connector;
  };

  // --- the sync state machine -------------------------------------------------------------------------------

  /** Starts a sync (or not) and says what happened. */
  function startSync(connector: ConnectorRuntime, trigger: "api" | "schedule", force: boolean): SimulatedTrigger["effect"] {
    if (closed) return "joined"; // closing: nothing starts
    const restarting = connector.running !== null;
    if (connector.running) {
      if (!force) return "joined"; // force:false does nothing while a sync runs
      clearTimeout(connector.running.timer); // force:true stops it and starts a new one
      connector.running = null;
    }
    if (connector.resumeTimer) {
      clearTimeout(connector.resumeTimer);
      connector.resumeTimer = null;
    }
    if (connector.pendingReschedule) {
      const until = connector.pendingReschedule;
      connector.pendingReschedule = null;
      connector.syncState = "rescheduled";
      connector.rescheduledFor = until.toISOString();
      log(`fivetran simulator: ${connector.config.id} rescheduled until ${connector.rescheduledFor}`);
      // On an auto schedule Fivetran resumes by itself; on a manual one it waits for a new trigger.
      if (connector.scheduleType === "auto") {
        connector.resumeTimer = setTimeout(() => {
          connector.resumeTimer = null;
          startSync(connector, "schedule", false);
        }, Math.max(0, until.getTime() - now().getTime()));
        connector.resumeTimer.unref();
      }
      return "rescheduled";
    }
    connector.rescheduledFor = null;
    connector.syncState = "syncing";
    const generation = ++connector.generation;
    const startedAt = now().toISOString();
    // A held sync never finishes on its own (the longest delay a timer takes; cleared on close).
    const held = connector.holdNext;
    connector.holdNext = false;
    const timer = setTimeout(() => {
      const finishing = finishSync(connector, generation, startedAt, trigger);
      inFlight.add(finishing);
      void finishing.finally(() => inFlight.delete(finishing));
    }, held ? 2_147_483_647 : syncDurationMs);
    timer.unref();
    connector.running = { timer, startedAt, trigger, generation };
    log(`fivetran simulator: ${connector.config.id} sync started (${trigger})`);
    return restarting ? "restarted" : "started";
  }

  async function finishSync(connector: ConnectorRuntime, generation: number, startedAt: string, trigger: "api" | "schedule"): Promise<void> {
    let rowsLanded: Record<string, number> = {};
    let error = connector.pendingFailure;
    connector.pendingFailure = null;
    if (error === null && options.warehousePath !== null) {
      const group = groups.get(connector.config.groupId)!;
      const tables: LandingTable[] = connector.tables
        .filter((table) => table.enabled)
        .map((table) => ({ schema: connector.config.schema, table: table.destination, csvFile: table.file }));
      try {
        rowsLanded = await landRows({ warehousePath: options.warehousePath, tables, maxRowsPerTable: rowsPerSync, syncedAt: now() });
      } catch (landingError) {
        error = `Could not write to ${group.destination.service} destination: ${landingError instanceof Error ? landingError.message : String(landingError)}`;
      }
    }
    if (closed || connector.running?.generation !== generation) return; // restarted by force:true meanwhile
    connector.running = null;
    const finishedAt = fivetranTimestamp(now());
    if (error === null) connector.succeededAt = finishedAt;
    else connector.failedAt = finishedAt;
    connector.lastError = error;
    connector.syncState = connector.paused ? "paused" : "scheduled";
    persist();
    const sync: SimulatedSync = { connectorId: connector.config.id, trigger, startedAt, finishedAt, status: error === null ? "succeeded" : "failed", rowsLanded, error };
    syncs.push(sync);
    const landed = Object.values(rowsLanded).reduce((a, b) => a + b, 0);
    log(`fivetran simulator: ${connector.config.id} sync ${sync.status}${error === null ? `, ${landed} rows landed` : `: ${error}`}`);
    const waiters = connector.waiters.splice(0);
    for (const waiter of waiters) waiter(sync);
  }

  function scheduleOwnSyncs(connector: ConnectorRuntime): void {
    if (connector.scheduleTimer) clearInterval(connector.scheduleTimer);
    connector.scheduleTimer = null;
    if (!autoSchedule || closed) return;
    const interval = options.scheduleIntervalMs?.(connector.config) ?? (connector.config.syncFrequencyMinutes ?? 360) * 60_000;
    connector.scheduleTimer = setInterval(() => {
      if (connector.paused || connector.scheduleType !== "auto" || connector.setupState !== "connected") return;
      startSync(connector, "schedule", false);
    }, interval);
    connector.scheduleTimer.unref();
  }
  for (const connector of connectors.values()) scheduleOwnSyncs(connector);

  // --- JSON bodies --------------------------------------------------------------------------------------------

  function connectionJson(connector: ConnectorRuntime): Record<string, unknown> {
    const c = connector.config;
    return {
      id: c.id,
      group_id: c.groupId,
      service: c.service,
      service_version: 1,
      schema: c.schema,
      connected_by: "simulated_user",
      created_at: connector.createdAt,
      succeeded_at: connector.succeededAt,
      failed_at: connector.failedAt,
      paused: connector.paused,
      pause_after_trial: false,
      sync_frequency: c.syncFrequencyMinutes ?? 360,
      schedule_type: connector.scheduleType,
      status: {
        setup_state: connector.setupState,
        schema_status: "ready",
        sync_state: connector.paused && !connector.running ? "paused" : connector.syncState,
        update_state: "on_schedule",
        is_historical_sync: connector.succeededAt === null,
        // [unverified] how the real API words a failed sync's task; it does list what needs fixing as tasks.
        tasks: [
          ...(connector.setupState === "broken" ? [{ code: "reconnect", message: "Reconnect: the source credentials were rejected" }] : []),
          ...(connector.lastError !== null ? [{ code: "sync_failed", message: connector.lastError }] : []),
        ],
        warnings: [],
        ...(connector.rescheduledFor ? { rescheduled_for: connector.rescheduledFor } : {}),
      },
      config: { api_key: "******", shop: `${c.schema}-demo` },
    };
  }

  function schemaConfigJson(connector: ConnectorRuntime): Record<string, unknown> {
    const sourceSchema = connector.config.sourceSchema ?? connector.config.schema;
    const tables: Record<string, unknown> = {};
    for (const table of connector.tables) {
      const columns: Record<string, unknown> = {};
      for (const column of table.columns) {
        columns[column] = {
          name_in_destination: column,
          enabled: true,
          hashed: false,
          is_primary_key: column === "id",
          enabled_patch_settings: column === "id" || column.startsWith("_fivetran")
            ? { allowed: false, reason_code: "SYSTEM_COLUMN", reason: "The column does not support exclusion as it is a Primary Key" }
            : { allowed: true },
        };
      }
      tables[table.source] = {
        name_in_destination: table.destination,
        enabled: table.enabled,
        sync_mode: table.columns.includes("_fivetran_deleted") ? "SOFT_DELETE" : "LIVE",
        supports_columns_config: true,
        enabled_patch_settings: { allowed: true },
        columns,
      };
    }
    return {
      schema_change_handling: "ALLOW_ALL",
      enable_new_by_default: true,
      schemas: { [sourceSchema]: { name_in_destination: connector.config.schema, enabled: true, tables } },
    };
  }

  // --- HTTP ----------------------------------------------------------------------------------------------------

  function paginateList<T>(items: readonly T[], query: URLSearchParams): { items: T[]; next_cursor?: string } {
    const limitText = query.get("limit");
    const limit = limitText === null ? 100 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > maxPageSize) {
      throw new SimulatorHttpError(400, "InvalidInput", `Invalid limit '${limitText}': must be between 1 and ${maxPageSize}`);
    }
    let offset = 0;
    const cursor = query.get("cursor");
    if (cursor !== null) {
      try {
        offset = (JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as { skip: number }).skip;
      } catch {
        offset = Number.NaN;
      }
      if (!Number.isInteger(offset) || offset < 0) throw new SimulatorHttpError(400, "InvalidInput", `Invalid cursor '${cursor}'`);
    }
    const page = items.slice(offset, offset + limit);
    const next = offset + limit < items.length ? Buffer.from(JSON.stringify({ skip: offset + limit })).toString("base64url") : undefined;
    return next === undefined ? { items: page } : { items: page, next_cursor: next };
  }

  function requireJson(request: IncomingMessage): void {
    const type = (request.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
    if (type !== "application/json") throw new SimulatorHttpError(415, "UnsupportedMediaType", "Content-Type must be application/json");
  }

  function route(method: string, segments: readonly string[], query: URLSearchParams, request: IncomingMessage, body: unknown): { status: number; body: unknown } {
    const ok = (data: unknown) => ({ status: 200, body: { code: "Success", data } });
    const [first, id, sub, ...rest] = segments;
    if (first === "metadata") {
      throw new SimulatorHttpError(404, "NotFound", "Metadata API is deprecated. You can retrieve schema metadata from the metadata tables in Platform Connector.");
    }
    if (first === "groups" && method === "GET" && id === undefined) return ok(paginateList([...groups.values()].map((g) => ({ id: g.id, name: g.name, created_at: "2026-01-05T08:00:00.000000Z" })), query));
    if (first === "groups" && id !== undefined && sub === "connections" && rest.length === 0 && method === "GET") {
      if (!groups.has(id)) throw new SimulatorHttpError(404, "NotFound_Group", `Group with id '${id}' doesn't exist`);
      return ok(paginateList([...connectors.values()].filter((c) => c.config.groupId === id).map(connectionJson), query));
    }
    if (first === "destinations" && id !== undefined && sub === undefined && method === "GET") {
      const group = groups.get(id);
      if (!group) throw new SimulatorHttpError(404, "NotFound_Destination", `Destination with id '${id}' doesn't exist`);
      return ok({
        id: group.id,
        group_id: group.id,
        service: group.destination.service,
        region: group.destination.region ?? "GCP_US_EAST4",
        time_zone_offset: "0",
        setup_status: "connected",
        config: { database: group.destination.database, path: "******", password: "******" },
      });
    }
    if (first === "connections" && id === undefined && method === "GET") {
      const groupId = query.get("group_id");
      return ok(paginateList([...connectors.values()].filter((c) => groupId === null || c.config.groupId === groupId).map(connectionJson), query));
    }
    if (first === "connections" && id !== undefined) {
      const connector = connectorOr404(id);
      if (sub === undefined && method === "GET") return ok(connectionJson(connector));
      if (sub === undefined && method === "PATCH") {
        requireJson(request);
        const patch = (body ?? {}) as Record<string, unknown>;
        if (!Object.keys(patch).some((key) => PERSISTENT_PATCH_FIELDS.includes(key))) {
          throw new SimulatorHttpError(400, "InvalidInput", "At least one persistent field should be specified");
        }
        if (typeof patch["paused"] === "boolean") {
          connector.paused = patch["paused"];
          if (!connector.running) connector.syncState = connector.paused ? "paused" : "scheduled";
        }
        if (patch["schedule_type"] === "auto" || patch["schedule_type"] === "manual") connector.scheduleType = patch["schedule_type"];
        persist();
        return { status: 200, body: { code: "Success", message: "Connection has been updated", data: connectionJson(connector) } };
      }
      if (sub === "schemas" && rest.length === 0 && method === "GET") return ok(schemaConfigJson(connector));
      if ((sub === "sync" || sub === "force" || sub === "resync") && rest.length === 0 && method === "POST") {
        if (body !== undefined) requireJson(request);
        // [unverified] the real API's answer to a sync of a paused or broken connection.
        if (connector.paused) throw new SimulatorHttpError(400, "InvalidState", `Connection with id '${id}' is paused`);
        if (connector.setupState !== "connected") throw new SimulatorHttpError(400, "InvalidState", `Connection with id '${id}' is not connected (setup state ${connector.setupState})`);
        if (sub === "resync" && connector.running) throw new SimulatorHttpError(409, "Conflict", "Cannot resync while a sync is in progress and cannot be completed");
        const force = sub === "force" || sub === "resync" || (typeof body === "object" && body !== null && (body as { force?: unknown }).force === true);
        triggers.push({ connectorId: id, at: now().toISOString(), force, effect: startSync(connector, "api", force) });
        return { status: 200, body: { code: "Success", message: `Sync has been successfully triggered for connection with id '${id}'` } };
      }
    }
    throw new SimulatorHttpError(404, "NotFound", `No endpoint ${method} /v1/${segments.join("/")}`);
  }



  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://simulator");
    const method = request.method ?? "GET";
    const send = (status: number, body: unknown, headers: Record<string, string> = {}, parsedBody: unknown = undefined) => {
      requests.push({
        method,
        path: url.pathname + url.search,
        status,
        authorization: request.headers.authorization ?? null,
        contentType: request.headers["content-type"] ?? null,
        body: parsedBody,
      });
      response.writeHead(status, {
        "content-type": "application/json;charset=utf-8",
        "x-rate-limit": "20000",
        "x-rate-limit-remaining": String(Math.max(0, --rateRemaining)),
        ...headers,
      });
      response.end(JSON.stringify(body));
    };
    let parsedBody: unknown;
    try {
      const { json } = await readJsonBody(request);
      parsedBody = json;
      let segments = url.pathname.split("/").filter(Boolean);
      if (segments[0] !== "v1") throw new SimulatorHttpError(404, "NotFound", `No endpoint ${method} ${url.pathname}`);
      segments = segments.slice(1);
      const answer = () => {
        if (request.headers.authorization !== expectedAuthorization) {
          // The message never echoes what was sent.
          throw new SimulatorHttpError(401, "AuthFailed", "Authentication failed: invalid API key or API secret");
        }
        if (segments[0] === "connectors" || (segments[0] === "groups" && segments[2] === "connectors")) {
          if (legacyPaths === "not_found") throw new SimulatorHttpError(404, "NotFound", "The /v1/connectors endpoints are deprecated; use /v1/connections");
          segments = segments.map((segment, index) => (segment === "connectors" && index <= 2 ? "connections" : segment));
        }
        return route(method, segments, url.searchParams, request, parsedBody);
      };
      const fault = faults.take(method, url.pathname);
      const early = fault?.processFirst ? answer() : null;
      if (fault?.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      if (fault?.status !== undefined) {
        const headers: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { "retry-after": String(fault.retryAfterSeconds) };
        const body = fault.body ?? (fault.status === 429 ? { code: "TooManyRequests", message: "Rate limit exceeded. Retry after the time in the Retry-After header." } : { code: "ServerError", message: "Internal server error (injected)" });
        send(fault.status, body, headers, parsedBody);
        return;
      }
      const result = early ?? answer();
      send(result.status, result.body, {}, parsedBody);
    } catch (error) {
      if (error instanceof SimulatorHttpError) send(error.status, { code: error.code, message: error.message }, {}, parsedBody);
      else send(500, { code: "ServerError", message: error instanceof Error ? error.message : String(error) }, {}, parsedBody);
    }
  }

  const server: Server = createServer((request, response) => {
    void handle(request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const hostInUrl = address.family === "IPv6" ? `[${address.address}]` : address.address;

  return {
    url: `http://${hostInUrl}:${address.port}/v1`,
    warehousePath: options.warehousePath,
    port: address.port,
    requests,
    syncs,
    triggers,
    inject: (fault) => faults.inject(fault),
    failNextSync(connectorId, message = "Simulated failure: the source returned an error") {
      connectorOr404(connectorId).pendingFailure = message;
    },
    rescheduleNextSync(connectorId, until) {
      connectorOr404(connectorId).pendingReschedule = until;
    },
    holdNextSync(connectorId) {
      connectorOr404(connectorId).holdNext = true;
    },
    updateConnector(connectorId, patch) {
      const connector = connectorOr404(connectorId);
      if (patch.paused !== undefined) {
        connector.paused = patch.paused;
        if (!connector.running) connector.syncState = patch.paused ? "paused" : "scheduled";
      }
      if (patch.setupState !== undefined) connector.setupState = patch.setupState;
      if (patch.scheduleType !== undefined) connector.scheduleType = patch.scheduleType;
      persist();
    },
    runScheduledSync(connectorId) {
      const connector = connectorOr404(connectorId);
      const finished = new Promise<SimulatedSync>((resolve) => connector.waiters.push(resolve));
      startSync(connector, "schedule", false);
      return finished;
    },
    nextSyncFinished(connectorId) {
      const connector = connectorOr404(connectorId);
      return new Promise<SimulatedSync>((resolve) => connector.waiters.push(resolve));
    },
    connection: (connectorId) => connectionJson(connectorOr404(connectorId)),
    async close() {
      if (closed) return;
      closed = true;
      for (const connector of connectors.values()) {
        if (connector.running) clearTimeout(connector.running.timer);
        if (connector.resumeTimer) clearTimeout(connector.resumeTimer);
        if (connector.scheduleTimer) clearInterval(connector.scheduleTimer);
      }
      await Promise.allSettled([...inFlight]);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Fivetran reports times with microseconds (`2021-03-23T20:55:12.670390Z`). */
function fivetranTimestamp(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

interface PersistedConnector {
  readonly succeededAt: string | null;
  readonly failedAt: string | null;
  readonly paused: boolean;
  readonly scheduleType: "auto" | "manual";
}

function loadState(file: string | null): Record<string, PersistedConnector> {
  if (!file || !existsSync(file)) return {};
  try {
    return (JSON.parse(readFileSync(file, "utf8")) as { connectors?: Record<string, PersistedConnector> }).connectors ?? {};
  } catch {
    return {};
  }
}

/**
 * Simulated connectors for a folder laid out as `<root>/<schema>/<table>.csv` (demo-project/data/fivetran):
 * one connector per folder, named and typed after it, in one group whose destination database is `database`.
 */
export function connectorsFromDataDir(
  root: string,
  options: { readonly groupId: string; readonly syncFrequencyMinutes?: number; readonly scheduleType?: "auto" | "manual" },
): SimulatedConnector[] {
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((schema) => ({
      id: `${schema}_connector`,
      groupId: options.groupId,
      service: schema,
      schema,
      dataDir: join(root, schema),
      scheduleType: options.scheduleType ?? "auto",
      syncFrequencyMinutes: options.syncFrequencyMinutes ?? 5,
    }));
}
