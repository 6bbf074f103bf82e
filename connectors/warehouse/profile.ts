/**
 * The warehouse a dbt project builds into, read from its profile the way dbt finds it: profiles.yml in the
 * profiles dir given, else the project dir, else ~/.dbt; the profile named by dbt_project.yml's `profile:`;
 * the target given, else the profile's `target:`. `{{ env_var('NAME') }}` and `{{ env_var('NAME', 'default') }}`
 * are rendered from the project's environment (the other Jinja dbt allows there is not: a value that still
 * holds `{{` is reported). A DuckDB path is relative to the project dir (Tributary runs dbt there).
 */
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";

export type WarehouseConnection =
  | { readonly type: "duckdb"; readonly path: string }
  | {
      readonly type: "postgres";
      readonly host: string;
      readonly port: number;
      readonly user: string | null;
      readonly password: string | null;
      readonly database: string;
      readonly schemas: readonly string[] | null;
    }
  | {
      readonly type: "snowflake";
      readonly account: string;
      readonly user: string;
      readonly password: string | null;
      readonly privateKey: string | null;
      readonly privateKeyPath: string | null;
      readonly privateKeyPassphrase: string | null;
      readonly role: string | null;
      readonly warehouse: string | null;
      readonly databases: readonly string[];
      readonly schemas: readonly string[] | null;
      readonly accessUrl: string | null;
    }
  | {
      readonly type: "bigquery";
      readonly project: string;
      readonly datasets: readonly string[] | null;
      readonly keyFilename: string | null;
      readonly credentials: Readonly<Record<string, unknown>> | null;
      readonly billingProject: string | null;
      readonly apiEndpoint: string | null;
    };

/** A profile target Tributary cannot read a warehouse from: no profiles.yml, an adapter it does not read… */
export class ProfileError extends Error {
  override readonly name = "ProfileError";
}

export interface ProfileTarget {
  readonly connection: WarehouseConnection;
  /** "shop.dev": the profile and target, for people. */
  readonly label: string;
  readonly file: string;
}

/** Where a dbt project's profile is looked for (see the module comment). */
export interface ProfileLookup {
  readonly projectDir: string;
  readonly profilesDir?: string | null;
  readonly target?: string | null;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The profile target a dbt project builds with, whatever its adapter: its `type` and its fields, rendered. */
export interface ProfileOutput {
  /** The adapter: duckdb, postgres, snowflake, bigquery… (null when the target names none). */
  readonly type: string | null;
  /** A field of the target, `{{ env_var() }}` rendered; null when absent. Throws {@link ProfileError} for Jinja beyond env_var. */
  field(name: string): string | null;
  /** A mapping field of the target (dbt-bigquery's keyfile_json), its text values rendered; null when absent. */
  record(name: string): Readonly<Record<string, unknown>> | null;
  /** "shop.dev": the profile and target, for people. */
  readonly label: string;
  readonly file: string;
  readonly projectDir: string;
}

/** Finds and reads a dbt project's profile target (any adapter). */
export async function readProfileOutput(options: ProfileLookup): Promise<ProfileOutput> {
  const projectDir = resolve(options.projectDir);
  const env = options.env ?? process.env;
  const project = asRecord(parseYaml(await readFile(join(projectDir, "dbt_project.yml"), "utf8")));
  const profileName = typeof project?.["profile"] === "string" ? project["profile"] : typeof project?.["name"] === "string" ? project["name"] : null;
  if (!profileName) throw new ProfileError(`${join(projectDir, "dbt_project.yml")} names no profile`);
  const candidates = options.profilesDir ? [resolve(options.profilesDir)] : [env["DBT_PROFILES_DIR"], projectDir, join(homedir(), ".dbt")].filter((d): d is string => !!d);
  let file: string | null = null;
  let text = "";
  for (const dir of candidates) {
    try {
      text = await readFile(join(dir, "profiles.yml"), "utf8");
      file = join(dir, "profiles.yml");
      break;
    } catch {
      // the next place dbt looks
    }
  }
  if (file === null) throw new ProfileError(`No profiles.yml in ${candidates.join(", ")}`);
  const profile = asRecord(asRecord(parseYaml(text))?.[profileName]);
  if (!profile) throw new ProfileError(`${file} has no profile "${profileName}"`);
  const targetName = options.target ?? render(profile["target"], env, file) ?? "default";
  const output = asRecord(asRecord(profile["outputs"])?.[targetName]);
  if (!output) throw new ProfileError(`${file}: profile "${profileName}" has no target "${targetName}"`);
  const resolvedFile = file;
  const field = (name: string): string | null => render(output[name], env, resolvedFile);
  const record = (name: string): Record<string, unknown> | null => {
    const found = asRecord(output[name]);
    return found ? Object.fromEntries(Object.entries(found).map(([key, value]) => [key, typeof value === "string" ? render(value, env, resolvedFile) : value])) : null;
  };
  return { type: field("type"), field, record, label: `${profileName}.${targetName}`, file, projectDir };
}

/** The warehouse a dbt project builds into, when it is one Tributary reads (DuckDB, Postgres, Redshift, Snowflake, BigQuery). */
export async function readProfileTarget(options: ProfileLookup): Promise<ProfileTarget> {
  const { type, field, record, label, file, projectDir } = await readProfileOutput(options);
  if (type === "duckdb") {
    const path = field("path") ?? ":memory:";
    if (path === ":memory:" || path.startsWith("md:")) throw new ProfileError(`${file}: target ${label} is a DuckDB ${path === ":memory:" ? "in-memory database" : "MotherDuck database"}, which Tributary cannot read`);
    return { connection: { type: "duckdb", path: isAbsolute(path) ? path : resolve(projectDir, path) }, label, file };
  }
  if (type === "postgres" || type === "redshift") {
    const host = field("host");
    const database = field("dbname") ?? field("database");
    if (!host || !database) throw new ProfileError(`${file}: target ${label} has no host or dbname`);
    return {
      connection: { type: "postgres", host, port: Number(field("port") ?? 5432), user: field("user"), password: field("password") ?? field("pass"), database, schemas: null },
      label,
      file,
    };
  }
  if (type === "snowflake") {
    // dbt-snowflake's fields; host/port/protocol (its way to reach a private link or proxy) become the access URL.
    const account = field("account");
    const user = field("user");
    const database = field("database");
    if (!account || !user || !database) throw new ProfileError(`${file}: target ${label} needs account, user and database`);
    const authenticator = field("authenticator");
    if (authenticator && !["snowflake", "snowflake_jwt"].includes(authenticator.toLowerCase())) {
      throw new ProfileError(`${file}: target ${label} logs in with authenticator ${authenticator}; Tributary reads Snowflake with a password or a key pair`);
    }
    const privateKeyPath = field("private_key_path");
    const host = field("host");
    const port = field("port");
    return {
      connection: {
        type: "snowflake",
        account,
        user,
        password: field("password"),
        privateKey: field("private_key"),
        privateKeyPath: privateKeyPath === null ? null : isAbsolute(privateKeyPath) ? privateKeyPath : resolve(projectDir, privateKeyPath),
        privateKeyPassphrase: field("private_key_passphrase"),
        role: field("role"),
        warehouse: field("warehouse"),
        databases: [database],
        schemas: null,
        accessUrl: host ? `${field("protocol") ?? "https"}://${host}${port ? `:${port}` : ""}` : null,
      },
      label,
      file,
    };
  }
  if (type === "bigquery") {
    // dbt-bigquery's fields: method oauth (Application Default Credentials), service-account (keyfile) or
    // service-account-json (keyfile_json); every dataset of the project is read (dbt's custom schemas are datasets).
    const project = field("project") ?? field("database");
    if (!project) throw new ProfileError(`${file}: target ${label} has no project`);
    const method = field("method") ?? "oauth";
    const keyfile = field("keyfile");
    const keyfileJson = record("keyfile_json");
    if (method === "service-account" && !keyfile) throw new ProfileError(`${file}: target ${label} uses method service-account without a keyfile`);
    if (method === "service-account-json" && !keyfileJson) throw new ProfileError(`${file}: target ${label} uses method service-account-json without keyfile_json`);
    if (!["oauth", "service-account", "service-account-json"].includes(method)) {
      throw new ProfileError(`${file}: target ${label} logs in with method ${method}; Tributary reads BigQuery with oauth (Application Default Credentials), service-account or service-account-json`);
    }
    return {
      connection: {
        type: "bigquery",
        project,
        datasets: null,
        keyFilename: method === "service-account" && keyfile ? (isAbsolute(keyfile) ? keyfile : resolve(projectDir, keyfile)) : null,
        credentials: method === "service-account-json" ? keyfileJson : null,
        billingProject: field("execution_project"),
        apiEndpoint: null,
      },
      label,
      file,
    };
  }
  throw new ProfileError(`${file}: target ${label} is a ${type ?? "(no type)"} warehouse; Tributary reads DuckDB, Postgres, Snowflake and BigQuery`);
}

function asRecord(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/** A profile value with `{{ env_var(…) }}` rendered; numbers and booleans as text; null when absent. */
function render(value: unknown, env: Readonly<Record<string, string | undefined>>, file: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value !== "string") return null;
  const rendered = value.replace(/\{\{\s*env_var\(\s*(['"])([^'"]+)\1\s*(?:,\s*(['"])([^'"]*)\3\s*)?\)\s*(?:\|\s*(?:int|as_number|as_text)\s*)?\}\}/g, (_, _q, name: string, _q2, fallback: string | undefined) => {
    const found = env[name];
    if (found !== undefined) return found;
    if (fallback !== undefined) return fallback;
    throw new ProfileError(`${file}: env_var('${name}') is not set and has no default`);
  });
  if (rendered.includes("{{")) throw new ProfileError(`${file}: "${value}" uses Jinja beyond env_var(), which Tributary does not render`);
  return rendered;
}
