/**
 * `tributary.yaml`: the locations to load and the settings to run with. Values may use `${VAR}` or
 * `${VAR:-default}` to read the environment, so secrets stay out of the file. Relative paths are relative to
 * the file. Validated where it enters: an unknown key or a wrong type names the file and the path.
 */
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import type { JobSpec, JobsAndSchedules, PolicyRule, ScheduleSpec } from "../catalog/model/index.ts";
import { LoadError, parseAutoMaterializePolicy, parseAutomationCondition } from "../catalog/model/index.ts";
import { parseCidr } from "./auth/proxy.ts";

const dbtProjectSchema = z
  .object({
    /** A dbt project directory (Tributary runs `dbt parse`)… */
    dir: z.string().optional(),
    /** …or a manifest.json built elsewhere. */
    manifest: z.string().optional(),
    name: z.string().min(1).optional(),
    target: z.string().optional(),
    profiles_dir: z.string().optional(),
    env: z.record(z.string(), z.string()).optional(),
    /** How many backfill partitions of the project build at once per process (default 4). */
    partition_concurrency: z.number().int().min(1).max(64).optional(),
  })
  .strict()
  .refine((p) => (p.dir === undefined) !== (p.manifest === undefined), { message: "give exactly one of dir or manifest" });

const fivetranAccountSchema = z
  .object({
    /** The location name of the account in the catalog. */
    name: z.string().min(1),
    /** Use `${FIVETRAN_API_KEY}` / `${FIVETRAN_API_SECRET}`: secrets stay out of the file. */
    api_key: z.string().min(1),
    api_secret: z.string().min(1),
    /** Default https://api.fivetran.com/v1. */
    base_url: z.url().optional(),
    /**
     * Where the connectors' dashboard and logs links point: https://fivetran.com by default for Fivetran's own
     * API; for any other base_url (a simulator, a proxy) no links unless this says where they are.
     */
    dashboard_url: z.url().optional(),
    /** `force:true` restarts a running sync when Tributary triggers one (default false). */
    force_sync: z.boolean().optional(),
    poll_interval_seconds: z.number().positive().optional(),
    poll_timeout_seconds: z.number().positive().optional(),
    /** How often to look for syncs Fivetran ran on its own (default 30 s). */
    observe_interval_seconds: z.number().positive().optional(),
    /** Database names to use in relations instead of those Fivetran reports, by destination id or database. */
    destination_database_overrides: z.record(z.string(), z.string()).optional(),
  })
  .strict();

const retrySchema = z
  .object({
    /** Attempts after the first (default 0: a failed run is not retried). */
    max_retries: z.number().int().min(0).max(20).default(0),
    /** Wait before the first retry (default 60 s). */
    delay_seconds: z.number().min(0).default(60),
    /** constant: every retry waits delay; exponential: delay × 2^(attempt−1). */
    backoff: z.enum(["constant", "exponential"]).default("exponential"),
  })
  .strict();

const policyRuleSchema = z
  .object({
    /** Key glob: `*` within one part, `**` across parts, e.g. "shopify/*". */
    assets: z.string().min(1),
    auto_materialize_policy: z.unknown().optional(),
    automation_condition: z.unknown().optional(),
    /** Retries of the runs launched for these assets (overrides scheduler.retry). */
    retry: retrySchema.optional(),
  })
  .strict()
  .refine((rule) => rule.auto_materialize_policy !== undefined || rule.automation_condition !== undefined || rule.retry !== undefined, {
    message: "give auto_materialize_policy, automation_condition or retry",
  })
  .refine((rule) => rule.auto_materialize_policy === undefined || rule.automation_condition === undefined, {
    message: "give at most one of auto_materialize_policy or automation_condition",
  });

/** dbt's `--select` / `--exclude`: one string (space: union, comma: intersection) or a list of them (a union). */
const selectionArgument = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

const jobSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, "letters, digits, _ . - only (at most 100)"),
    description: z.string().optional(),
    /** dbt selection syntax (`tag:daily`, `+orders`, `path:models/marts`) and `key:<glob>` for any asset. */
    select: selectionArgument,
    exclude: selectionArgument.optional(),
  })
  .strict();

const scheduleSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, "letters, digits, _ . - only (at most 100)"),
    description: z.string().optional(),
    /** A job's name… */
    job: z.string().min(1).optional(),
    /** …or the selection itself (the schedule then runs a job of its own name). */
    select: selectionArgument.optional(),
    exclude: selectionArgument.optional(),
    /** Five cron fields, or @hourly, @daily, @weekly, @monthly. */
    cron: z.string().min(1),
    /** An IANA time zone (default UTC). */
    timezone: z.string().min(1).default("UTC"),
    /** After downtime: run the latest missed tick once (latest, the default), or none. */
    catch_up: z.enum(["latest", "none"]).default("latest"),
    /** running (default) or stopped until someone starts it (startSchedule, the UI). */
    default_status: z.enum(["running", "stopped"]).default("running"),
  })
  .strict()
  .refine((s) => (s.job === undefined) !== (s.select === undefined), { message: "give exactly one of job or select" })
  .refine((s) => s.exclude === undefined || s.select !== undefined, { message: "exclude goes with select (a job's exclude is the job's)" });

const censusWorkspaceSchema = z
  .object({
    /** The location name of the workspace in the catalog. */
    name: z.string().min(1),
    /** Use `${CENSUS_API_KEY}`: the workspace key (V1) or an Activations personal access token (V2). */
    api_key: z.string().min(1),
    /** Default: the API version's US base URL (EU: https://app-eu.getcensus.com/api/v1). */
    base_url: z.url().optional(),
    /** v1 (default; retires 2027-01-15) or v2 (Fivetran Activations; partly unverified, see README). */
    api_version: z.enum(["v1", "v2"]).optional(),
    /** V2's Fivetran group scope. */
    group_id: z.string().optional(),
    force_full_sync: z.boolean().optional(),
    poll_interval_seconds: z.number().positive().optional(),
    poll_timeout_seconds: z.number().positive().optional(),
    /** How often to look for runs Census started on its own (default 30 s). */
    observe_interval_seconds: z.number().positive().optional(),
    /**
     * A sync with a schedule of its own in Census: `respect` (default) applies no Tributary policy to it, so
     * Tributary never syncs it on top of Census's schedule (its runs are still recorded); `trigger` lets policies
     * trigger it too (e.g. a daily schedule in Census kept as a backstop).
     */
    scheduled_syncs: z.enum(["respect", "trigger"]).optional(),
  })
  .strict();

const warehouseConnectionSchema = z
  .object({
    /** The location name of the warehouse in the catalog. */
    name: z.string().min(1),
    type: z.enum(["duckdb", "postgres", "snowflake", "bigquery"]),
    /** DuckDB: the warehouse file (relative to this file). */
    path: z.string().min(1).optional(),
    /** Postgres: the server and database; `${PGPASSWORD}` keeps the password out of the file. */
    host: z.string().min(1).optional(),
    port: z.number().int().min(1).max(65535).optional(),
    /** Postgres, Snowflake: the login; `${SNOWFLAKE_PASSWORD}` keeps the password out of the file. */
    user: z.string().optional(),
    password: z.string().optional(),
    database: z.string().min(1).optional(),
    /** Postgres, Snowflake: only these schemas (default every schema but the system ones). */
    schemas: z.array(z.string().min(1)).optional(),
    /** Snowflake: the account identifier (`myorg-myaccount`). */
    account: z.string().min(1).optional(),
    role: z.string().min(1).optional(),
    /** Snowflake: the virtual warehouse that runs the metadata queries. */
    warehouse: z.string().min(1).optional(),
    /** Snowflake: key-pair login instead of a password (a PKCS#8 PEM file, relative to this file). */
    private_key_path: z.string().min(1).optional(),
    private_key_passphrase: z.string().optional(),
    /** Snowflake: the databases to read (default `database`). */
    databases: z.array(z.string().min(1)).optional(),
    /** Snowflake: where the driver connects (default https://<account>.snowflakecomputing.com). */
    access_url: z.string().url().optional(),
    /** BigQuery: the project whose datasets are read. */
    project: z.string().min(1).optional(),
    /** BigQuery: only these datasets (default every dataset of the project). */
    datasets: z.array(z.string().min(1)).optional(),
    /** BigQuery: a service-account key file (relative to this file); default Application Default Credentials. */
    keyfile: z.string().min(1).optional(),
    /** BigQuery: where the client connects (default https://bigquery.googleapis.com). */
    api_endpoint: z.string().url().optional(),
  })
  .strict()
  .refine(
    (w) =>
      w.type === "duckdb"
        ? w.path !== undefined
        : w.type === "postgres"
          ? w.host !== undefined && w.database !== undefined
          : w.type === "snowflake"
            ? w.account !== undefined && w.user !== undefined && (w.password !== undefined || w.private_key_path !== undefined) && (w.database !== undefined || (w.databases?.length ?? 0) > 0)
            : w.project !== undefined,
    {
      message:
        "a duckdb warehouse needs path; a postgres warehouse needs host and database; a snowflake warehouse needs account, user, password or private_key_path, and database or databases; a bigquery warehouse needs project",
    },
  );

/** A warehouse as configured (tributary.yaml `warehouses.connections[]`). May hold a password: never log it. */
export type WarehouseConnectionConfig = z.infer<typeof warehouseConnectionSchema>;

const schedulerSchema = z
  .object({
    /** How often the leader evaluates every condition (default 30 s, Dagster's). */
    tick_interval_seconds: z.number().positive().max(86_400).default(30),
    /** How often a worker running a step reports it is alive (default 5 s). */
    heartbeat_seconds: z.number().positive().default(5),
    /** A running step silent for this long is taken over by another worker (default 30 s). */
    stale_after_seconds: z.number().positive().default(30),
    /** Retries of failed runs launched by policies; `policies[].retry` overrides it per asset glob. */
    retry: retrySchema.optional(),
  })
  .strict();

const alertDestinationSchema = z
  .object({
    name: z.string().min(1),
    /** A URL that gets a JSON POST per alert (`${ALERT_WEBHOOK_URL}`: keep it out of the file). */
    webhook: z.url().optional(),
    /** A Slack incoming-webhook URL (a secret: `${SLACK_WEBHOOK_URL}`). */
    slack: z.url().optional(),
  })
  .strict()
  .refine((d) => (d.webhook === undefined) !== (d.slack === undefined), { message: "give exactly one of webhook or slack" });

const alertRuleSchema = z
  .object({
    name: z.string().min(1),
    /** run_failure: the asset's latest attempt failed; check_failure: a check's latest result failed; stale: not updated for max_lag_minutes. */
    on: z.enum(["run_failure", "check_failure", "stale"]),
    /** Key glob of the assets it watches (default all). */
    assets: z.string().min(1).default("**"),
    /** For stale: how old the latest update may be. */
    max_lag_minutes: z.number().positive().optional(),
    /** Destination names. */
    to: z.array(z.string().min(1)).min(1),
  })
  .strict()
  .refine((r) => (r.on === "stale") === (r.max_lag_minutes !== undefined), { message: "max_lag_minutes is given for stale rules, and only for them" });

const alertsSchema = z
  .object({
    /** How often the rules are evaluated (default 30 s). */
    interval_seconds: z.number().positive().default(30),
    destinations: z.array(alertDestinationSchema).default([]),
    rules: z.array(alertRuleSchema).default([]),
  })
  .strict()
  .refine((a) => new Set(a.destinations.map((d) => d.name)).size === a.destinations.length, { message: "each alert destination needs a distinct name" })
  .refine((a) => a.rules.every((r) => r.to.every((name) => a.destinations.some((d) => d.name === name))), { message: "a rule names a destination that is not in alerts.destinations" });

const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, "an HTTP header name");

const proxyAuthSchema = z
  .object({
    /** The header naming the signed-in user: oauth2-proxy's X-Forwarded-Email (or X-Forwarded-User, X-Auth-Request-Email). */
    header: headerName,
    /** A header with the user's groups, comma-separated (oauth2-proxy's X-Forwarded-Groups), looked up in roles. */
    role_header: headerName.optional(),
    /** Email or group → viewer, operator or admin; a user gets the strongest role any of theirs maps to. */
    roles: z.record(z.string().min(1), z.enum(["viewer", "operator", "admin"])).default({}),
    /** The role of a signed-in user nothing in roles names (default none: refused with FORBIDDEN). */
    default_role: z.enum(["viewer", "operator", "admin", "none"]).default("none"),
    /** The proxy's addresses (CIDRs or single addresses): the headers are believed only on connections from these. */
    trusted_proxies: z.array(z.string().refine((text) => parseCidr(text) !== null, { message: "a CIDR (10.0.0.0/8, fd00::/8) or an IP address" })).min(1),
  })
  .strict();

/** tributary.yaml's `alerts:` (destination URLs are secrets: never log them). */
export type AlertsConfig = z.infer<typeof alertsSchema>;

const openLineageSchema = z
  .object({
    /** http (default, unless `path` is given) or file. */
    transport: z.enum(["http", "file"]).optional(),
    /** The collector's base URL (Marquez: http://localhost:5000); default OPENLINEAGE_URL. */
    url: z.url().optional(),
    /** The path under url events are POSTed to; default OPENLINEAGE_ENDPOINT, else api/v1/lineage. */
    endpoint: z.string().min(1).optional(),
    /** Sent as `Authorization: Bearer …` (`${OPENLINEAGE_API_KEY}`: keep it out of the file); default OPENLINEAGE_API_KEY. */
    api_key: z.string().min(1).optional(),
    /** transport file: the JSON-lines file events are appended to (relative to this file). */
    path: z.string().min(1).optional(),
    /** The job namespace; default OPENLINEAGE_NAMESPACE, else "tributary". */
    namespace: z.string().min(1).optional(),
    /** Per HTTP request (default 5 s). */
    timeout_seconds: z.number().positive().default(5),
    /** Attempts per event while the endpoint answers (default 5), retried after 1 s, 2 s, 4 s… (retry_delay_seconds). */
    attempts: z.number().int().min(1).max(20).default(5),
    retry_delay_seconds: z.number().min(0).default(1),
  })
  .strict()
  .refine((o) => (o.transport === "file") === (o.path !== undefined) || (o.transport === undefined && o.path !== undefined), {
    message: "give path with transport: file (and only then)",
  })
  .refine((o) => !(o.path !== undefined && (o.url !== undefined || o.endpoint !== undefined || o.api_key !== undefined)), {
    message: "url, endpoint and api_key are for the http transport; path is for the file transport",
  });

/** tributary.yaml's `openlineage:` (the URL and API key are secrets: never log them). */
export type OpenLineageConfig = z.infer<typeof openLineageSchema>;

const configSchema = z
  .object({
    dbt: z
      .object({
        /** The dbt executable; default: `dbt` on PATH, else the managed virtualenv. */
        executable: z.string().optional(),
        projects: z.array(dbtProjectSchema).default([]),
      })
      .strict()
      .default({ projects: [] }),
    storage: z
      .object({
        database_url: z.string().optional(),
        data_dir: z.string().optional(),
        /** Definitions snapshots each location keeps besides its current one; null keeps all (the store's default: 20). */
        keep_snapshots_per_location: z.number().int().min(0).nullable().optional(),
      })
      .strict()
      .default({}),
    server: z
      .object({
        /** Interface to listen on (default 127.0.0.1); `--host` wins. */
        host: z.string().min(1).optional(),
        /** Port (default 3000); `--port` wins. */
        port: z.number().int().min(0).max(65535).optional(),
        /** Host names served besides loopback ones (Host and Origin checks): `catalog.example.com`, `.example.com`, or `*`. */
        allowed_hosts: z.array(z.string().min(1)).default([]),
        /** Answer GraphQL introspection (and serve GraphiQL); default true. */
        introspection: z.boolean().default(true),
        /** Requests per minute per caller (token, or anonymous address); 0 turns the limit off. Default 1200. */
        rate_limit_per_minute: z.number().int().min(0).default(1200),
      })
      .strict()
      .default({ allowed_hosts: [], introspection: true, rate_limit_per_minute: 1200 }),
    auth: z
      .object({
        /**
         * What a caller without a token may do: viewer (read) or none (refused). Default: viewer on the embedded
         * store (a laptop), none on a Postgres server (a team's install).
         */
        anonymous: z.enum(["viewer", "none"]).optional(),
        /** People signed in by an OIDC proxy in front (oauth2-proxy…), by the headers it sets; see README, Security. */
        proxy: proxyAuthSchema.optional(),
      })
      .strict()
      .default({}),
    scheduler: schedulerSchema.default({ tick_interval_seconds: 30, heartbeat_seconds: 5, stale_after_seconds: 30 }),
    /** Alerts on failed runs, failed checks and stale assets, to webhooks and Slack. */
    alerts: alertsSchema.default({ interval_seconds: 30, destinations: [], rules: [] }),
    /** Where OpenLineage events of runs and steps go (also set by OPENLINEAGE_URL alone). */
    openlineage: openLineageSchema.optional(),
    /** Policies for assets that declare none (Fivetran tables, Census syncs), by key glob; the first match wins. */
    policies: z.array(policyRuleSchema).default([]),
    /** Named selections of assets, run together (by schedules, or launched by hand). */
    jobs: z.array(jobSchema).default([]),
    /** Cron schedules on jobs. */
    schedules: z.array(scheduleSchema).default([]),
    fivetran: z
      .object({ accounts: z.array(fivetranAccountSchema).default([]) })
      .strict()
      .refine((f) => new Set(f.accounts.map((a) => a.name)).size === f.accounts.length, { message: "each Fivetran account needs a distinct name" })
      .default({ accounts: [] }),
    /** The warehouses whose tables, columns and statistics enrich the catalog. */
    warehouses: z
      .object({
        /** Read each dbt project's warehouse from its profile's target (default true). */
        from_dbt_profiles: z.boolean().default(true),
        connections: z.array(warehouseConnectionSchema).default([]),
      })
      .strict()
      .refine((w) => new Set(w.connections.map((c) => c.name)).size === w.connections.length, { message: "each warehouse needs a distinct name" })
      .default({ from_dbt_profiles: true, connections: [] }),
    census: z
      .object({ workspaces: z.array(censusWorkspaceSchema).default([]) })
      .strict()
      .refine((c) => new Set(c.workspaces.map((w) => w.name)).size === c.workspaces.length, { message: "each Census workspace needs a distinct name" })
      .default({ workspaces: [] }),
  })
  .strict();

/** A Fivetran account as configured (tributary.yaml `fivetran.accounts[]`). Holds secrets: never log it. */
export type FivetranAccountConfig = z.infer<typeof fivetranAccountSchema>;

/** A Census workspace as configured (tributary.yaml `census.workspaces[]`). Holds a secret: never log it. */
export type CensusWorkspaceConfig = z.infer<typeof censusWorkspaceSchema>;

export type TributaryConfig = z.infer<typeof configSchema>;

/** How failed runs launched by policies are retried. */
export type RetryConfig = z.infer<typeof retrySchema>;

/** A `policies[]` entry's retry settings, by key glob. */
export interface RetryRule {
  readonly assets: string;
  readonly retry: RetryConfig;
}

/** A dbt location as configured, with paths resolved. */
export type DbtLocationConfig =
  | {
      readonly kind: "project";
      readonly dir: string;
      readonly name: string | null;
      readonly target: string | null;
      readonly profilesDir: string | null;
      readonly env: Record<string, string>;
      readonly partitionConcurrency?: number | null;
    }
  | { readonly kind: "manifest"; readonly file: string; readonly name: string | null };

export interface LoadedConfig {
  readonly file: string;
  readonly config: TributaryConfig;
  readonly dbtLocations: readonly DbtLocationConfig[];
  /** storage.data_dir resolved against the file's folder, when set. */
  readonly dataDir: string | null;
  /** `policies`, parsed; an invalid one carries its errors and becomes a diagnostic on the assets it matches. */
  readonly policyRules: readonly PolicyRule[];
  /** `policies[].retry`, in file order (the first rule matching an asset wins). */
  readonly retryRules: readonly RetryRule[];
  /** `jobs` and `schedules`, each with its file and line (a schedule with `select` brings a job of its own name). */
  readonly jobsAndSchedules: JobsAndSchedules;
}

/** Reads, interpolates and validates a config file. Throws {@link LoadError} naming the file and path. */
export async function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): Promise<LoadedConfig> {
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new LoadError("config_unreadable", `Cannot read ${path}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : String(error)}`, { file: path, cause: error });
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter });
  if (document.errors.length > 0) {
    const first = document.errors[0]!;
    const line = first.linePos?.[0]?.line;
    throw new LoadError("config_invalid", `${path}${line ? `:${line}` : ""}: not valid YAML: ${first.message.split("\n")[0]}`, { file: path });
  }
  const raw = interpolate(document.toJS() ?? {}, env, path, "");
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const at = issue.path.map(String).join(".") || "(top level)";
    throw new LoadError("config_invalid", `${path}: ${at}: ${issue.message}`, { file: path, jsonPath: at });
  }
  const base = dirname(path);
  const dbtLocations: DbtLocationConfig[] = result.data.dbt.projects.map((project) =>
    project.dir !== undefined
      ? {
          kind: "project",
          dir: resolve(base, project.dir),
          name: project.name ?? null,
          target: project.target ?? null,
          profilesDir: project.profiles_dir === undefined ? null : resolve(base, project.profiles_dir),
          env: project.env ?? {},
          partitionConcurrency: project.partition_concurrency ?? null,
        }
      : { kind: "manifest", file: resolve(base, project.manifest!), name: project.name ?? null },
  );
  for (const connection of result.data.warehouses.connections) {
    if (connection.path !== undefined) connection.path = resolve(base, connection.path);
    if (connection.private_key_path !== undefined) connection.private_key_path = resolve(base, connection.private_key_path);
    if (connection.keyfile !== undefined) connection.keyfile = resolve(base, connection.keyfile);
  }
  if (result.data.openlineage?.path !== undefined) result.data.openlineage.path = resolve(base, result.data.openlineage.path);
  const dataDir = result.data.storage.data_dir === undefined ? null : resolve(base, result.data.storage.data_dir);
  const retryRules: RetryRule[] = result.data.policies.flatMap((rule) => (rule.retry ? [{ assets: rule.assets, retry: rule.retry }] : []));
  const policyRules = result.data.policies.flatMap((rule, index): PolicyRule[] => {
    if (rule.auto_materialize_policy === undefined && rule.automation_condition === undefined) return [];
    const node = document.getIn(["policies", index], true) as { range?: [number, number, number] } | undefined;
    const line = node?.range ? lineCounter.linePos(node.range[0]).line : null;
    const declaredIn = { file: path, line, path: `policies[${index}]` };
    const parsed =
      rule.auto_materialize_policy !== undefined
        ? parseAutoMaterializePolicy(rule.auto_materialize_policy, { ...declaredIn, path: `${declaredIn.path}.auto_materialize_policy` })
        : parseAutomationCondition(rule.automation_condition, { ...declaredIn, path: `${declaredIn.path}.automation_condition` });
    return [{ assets: rule.assets, policy: parsed.policy, errors: parsed.errors, declaredIn }];
  });
  const lineOf = (...at: (string | number)[]): number | null => {
    const node = document.getIn(at, true) as { range?: [number, number, number] } | undefined;
    return node?.range ? lineCounter.linePos(node.range[0]).line : null;
  };
  const list = (value: string | string[] | undefined): string[] => (value === undefined ? [] : typeof value === "string" ? [value] : value);
  const jobs: JobSpec[] = result.data.jobs.map((job, index) => ({
    name: job.name,
    description: job.description ?? null,
    select: list(job.select),
    exclude: list(job.exclude),
    declaredIn: { file: path, line: lineOf("jobs", index), path: `jobs[${index}]` },
  }));
  const schedules: ScheduleSpec[] = result.data.schedules.map((schedule, index) => {
    const declaredIn = { file: path, line: lineOf("schedules", index), path: `schedules[${index}]` };
    if (schedule.select !== undefined) {
      jobs.push({ name: schedule.name, description: schedule.description ?? null, select: list(schedule.select), exclude: list(schedule.exclude), declaredIn: { ...declaredIn, path: `${declaredIn.path}.select` } });
    }
    return {
      name: schedule.name,
      job: schedule.job ?? schedule.name,
      cron: schedule.cron,
      timezone: schedule.timezone,
      catchUp: schedule.catch_up,
      defaultStatus: schedule.default_status,
      description: schedule.description ?? null,
      declaredIn,
    };
  });
  return { file: path, config: result.data, dbtLocations, dataDir, policyRules, retryRules, jobsAndSchedules: { jobs, schedules } };
}

/** Replaces `${VAR}` / `${VAR:-default}` in every string; a variable that is unset and has no default is an error. */
function interpolate(value: unknown, env: NodeJS.ProcessEnv, file: string, path: string): unknown {
  if (typeof value === "string") {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_, name: string, fallback: string | undefined) => {
      const found = env[name];
      if (found !== undefined && found !== "") return found;
      if (fallback !== undefined) return fallback;
      throw new LoadError("config_missing_variable", `${file}: ${path || "(top level)"} uses \${${name}}, which is not set in the environment`, { file, jsonPath: path });
    });
  }
  if (Array.isArray(value)) return value.map((item, index) => interpolate(item, env, file, `${path}[${index}]`));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolate(item, env, file, path ? `${path}.${key}` : key)]));
  }
  return value;
}
