/**
 * Structured logs: pino, one JSON object per line on stderr (stdout is kept for what the CLI prints for people
 * and scripts, e.g. the URL). The level comes from `TRIBUTARY_LOG_LEVEL` (default info).
 */
import { pino, type DestinationStream, type Logger } from "pino";
import pretty from "pino-pretty";

const LEVELS = new Set(["fatal", "error", "warn", "info", "debug", "trace", "silent"]);

/** Field names whose values are never written, at the top level and up to three objects deep. */
export const SECRET_FIELDS = [
  "password",
  "token",
  "apiKey",
  "apiSecret",
  "authorization",
  "Authorization",
  "secret",
  "accessToken",
  "refreshToken",
  "privateKey",
  "connectionString",
] as const;

/** pino redact paths covering {@link SECRET_FIELDS} at depths 0–3 (pino wildcards match one level each). */
export const REDACT_PATHS: readonly string[] = SECRET_FIELDS.flatMap((field) => [
  field,
  `*.${field}`,
  `*.*.${field}`,
  `*.*.*.${field}`,
]);

export interface CreateLoggerOptions {
  /** Overrides `TRIBUTARY_LOG_LEVEL`. */
  readonly level?: string;
  /** Where to write (default stderr). */
  readonly destination?: DestinationStream;
  /** Environment to read the level from (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * json: one object per line (for log shippers); pretty: one readable line per event (for people). Default:
   * `TRIBUTARY_LOG_FORMAT`, else pretty when stderr is a terminal, json otherwise.
   */
  readonly format?: "json" | "pretty";
}

/** The log format in effect (see {@link CreateLoggerOptions.format}). */
export function resolveLogFormat(options: Pick<CreateLoggerOptions, "format" | "env"> = {}, isTerminal = process.stderr.isTTY === true): "json" | "pretty" {
  if (options.format) return options.format;
  const requested = (options.env ?? process.env)["TRIBUTARY_LOG_FORMAT"]?.trim().toLowerCase();
  if (requested === "json" || requested === "pretty") return requested;
  return isTerminal ? "pretty" : "json";
}

/**
 * A readable line per event: `07:10:22 INFO  runs: step finished (runId=…, status=succeeded)`. Written
 * synchronously in this thread (no transport worker), like the JSON destination.
 */
function prettyDestination(): DestinationStream {
  return pretty({
    destination: 2,
    sync: true,
    colorize: process.stderr.isTTY === true,
    translateTime: "SYS:HH:MM:ss",
    ignore: "pid,hostname,name,component",
    messageFormat: "{if component}{component}: {end}{msg}",
    singleLine: true,
  });
}

/** The level to log at: the option, else `TRIBUTARY_LOG_LEVEL`, else info. An unknown name falls back to info. */
export function resolveLogLevel(options: Pick<CreateLoggerOptions, "level" | "env"> = {}): string {
  const requested = (options.level ?? (options.env ?? process.env)["TRIBUTARY_LOG_LEVEL"] ?? "info").trim().toLowerCase();
  return LEVELS.has(requested) ? requested : "info";
}

/** The process logger. */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const level = resolveLogLevel(options);
  const logger = pino(
    {
      name: "tributary",
      level,
      redact: { paths: [...REDACT_PATHS], censor: "[redacted]" },
    },
    options.destination ?? (resolveLogFormat(options) === "pretty" ? prettyDestination() : pino.destination({ fd: 2, sync: true })),
  );
  const requested = options.level ?? (options.env ?? process.env)["TRIBUTARY_LOG_LEVEL"];
  if (requested !== undefined && !LEVELS.has(requested.trim().toLowerCase())) {
    logger.warn({ requested }, "unknown TRIBUTARY_LOG_LEVEL; logging at info");
  }
  return logger;
}
