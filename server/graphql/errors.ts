/**
 * The expected errors of the GraphQL API. Each is a `GraphQLError` with a stable `extensions.code`, so a client
 * can branch on the code instead of parsing the message. Anything else a resolver throws is unexpected: yoga
 * masks it and the server logs it (see ../yoga.ts).
 */
import { GraphQLError } from "graphql";

/** Every code the API sets in `extensions.code`. */
export const ErrorCode = {
  /** A key that names no asset in the catalog being served. */
  assetNotFound: "ASSET_NOT_FOUND",
  /** An id that names no run. */
  runNotFound: "RUN_NOT_FOUND",
  /** A name that names no job or schedule in tributary.yaml. */
  scheduleNotFound: "SCHEDULE_NOT_FOUND",
  /** A launch, re-execution or cancel asked of a server that cannot launch runs (no store or no runs engine). */
  launchUnavailable: "LAUNCH_UNAVAILABLE",
  /** An argument that is well-typed but not acceptable (negative depth, `first` above the maximum, a bad cursor). */
  badUserInput: "BAD_USER_INPUT",
  /**
   * A backfill whose partitioned assets read an unpartitioned asset that was never materialized (every partition
   * would fail); `extensions.upstreamAssetKeys` names them. Build them first, or pass `buildUpstream: true`.
   */
  upstreamNotBuilt: "UPSTREAM_NOT_BUILT",
  /** The server is up but no catalog has been loaded yet. */
  catalogNotReady: "CATALOG_NOT_READY",
  /** The operation exists in the schema but this server cannot perform it (e.g. reload without a loader). */
  notSupported: "NOT_SUPPORTED",
  /** An HTTP request the API does not take (a POST that is not JSON). */
  badRequest: "BAD_REQUEST",
  /** No caller was identified where one is needed: no token (and no anonymous role), or a token that is unknown or revoked (HTTP 401). */
  unauthenticated: "UNAUTHENTICATED",
  /** The caller's role may not do this (a viewer launching a run); `extensions.requiredRole` names the role needed. */
  forbidden: "FORBIDDEN",
  /** A request whose Host or Origin header names a host this server does not serve (HTTP 403; see server.allowed_hosts). */
  hostNotAllowed: "HOST_NOT_ALLOWED",
  /** Too many requests from one caller in a minute (HTTP 429, with Retry-After). */
  rateLimited: "RATE_LIMITED",
  /**
   * A query rejected for its size or shape (depth, aliases, tokens, cost, list nesting: before execution), or
   * for asking more different searches than one request may run (`searches`: in execution, on those fields).
   */
  queryLimitExceeded: "QUERY_LIMIT_EXCEEDED",
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** `ASSET_NOT_FOUND`, carrying the key that was asked for. */
export function assetNotFound(key: string): GraphQLError {
  return new GraphQLError(`No asset with key "${key}"`, {
    extensions: { code: ErrorCode.assetNotFound, key },
  });
}

/** `RUN_NOT_FOUND`, carrying the id that was asked for. */
export function scheduleNotFound(what: "job" | "schedule", name: string): GraphQLError {
  return new GraphQLError(`No ${what} named "${name}" (declare it in tributary.yaml)`, { extensions: { code: ErrorCode.scheduleNotFound, name } });
}

export function runNotFound(id: string): GraphQLError {
  return new GraphQLError(`No run with id "${id}"`, { extensions: { code: ErrorCode.runNotFound, id } });
}

/** `LAUNCH_UNAVAILABLE`: this server cannot launch runs; `reason` is a sentence saying why. */
export function launchUnavailable(reason: string): GraphQLError {
  return new GraphQLError(reason, { extensions: { code: ErrorCode.launchUnavailable } });
}

/** `BAD_USER_INPUT`, naming the argument at fault. */
export function badUserInput(message: string, argumentName: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: ErrorCode.badUserInput, argumentName },
  });
}

/** `UPSTREAM_NOT_BUILT`, naming the upstream assets never materialized. */
export function upstreamNotBuilt(message: string, upstreamAssetKeys: readonly string[]): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.upstreamNotBuilt, argumentName: "buildUpstream", upstreamAssetKeys: [...upstreamAssetKeys] } });
}

/** `CATALOG_NOT_READY`: the process is up and still loading its locations. */
export function catalogNotReady(): GraphQLError {
  return new GraphQLError("The catalog is still loading; try again shortly", {
    extensions: { code: ErrorCode.catalogNotReady, http: { status: 503 } },
  });
}

/** `NOT_SUPPORTED`. */
export function notSupported(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.notSupported } });
}

/** Which limit a rejected query broke; sent as `extensions.limit`. */
export type QueryLimitName = "depth" | "aliases" | "tokens" | "directives" | "cost" | "listNesting" | "searches";

/** `QUERY_LIMIT_EXCEEDED`, naming the limit and its configured maximum. */
export function queryLimitExceeded(limit: QueryLimitName, max: number, message: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: ErrorCode.queryLimitExceeded, limit, max, http: { status: 400 } },
  });
}
