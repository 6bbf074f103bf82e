/**
 * Roles on the schema: every mutation, and the few queries that are not for everyone, checks the caller's role
 * before its resolver runs, and every mutation is written to the audit log with who called it (the token's
 * name, never the token) and how it ended. A mutation not listed in {@link REQUIRED_ROLES} needs admin, so a
 * new mutation is closed until someone decides who may call it.
 */
import { defaultFieldResolver, GraphQLError, type GraphQLFieldResolver, type GraphQLSchema } from "graphql";
import type { Logger } from "pino";
import type { GraphQLContext } from "../graphql/context.ts";
import { ErrorCode } from "../graphql/errors.ts";
import type { Caller } from "./caller.ts";
import { roleAllows, type ApiTokenRole } from "./tokens.ts";

/** The role each guarded field needs (`Type.field`). Mutations not listed need admin. */
export const REQUIRED_ROLES: Readonly<Record<string, ApiTokenRole>> = {
  "Mutation.launchRun": "operator",
  "Mutation.reexecuteRun": "operator",
  "Mutation.cancelRun": "operator",
  "Mutation.launchJob": "operator",
  "Mutation.startSchedule": "operator",
  "Mutation.stopSchedule": "operator",
  "Mutation.launchBackfill": "operator",
  "Mutation.rerunBackfill": "operator",
  "Mutation.cancelBackfill": "operator",
  "Mutation.reportDbtRunResults": "operator",
  "Mutation.reportMaterialization": "operator",
  "Mutation.reloadLocations": "admin",
  "Mutation.createApiToken": "admin",
  "Mutation.revokeApiToken": "admin",
  "Query.auditEvents": "admin",
  "Query.apiTokens": "admin",
};

/** The role a field needs; null for fields every caller may read. */
export function requiredRole(typeName: string, fieldName: string): ApiTokenRole | null {
  return REQUIRED_ROLES[`${typeName}.${fieldName}`] ?? (typeName === "Mutation" ? "admin" : null);
}

/** UNAUTHENTICATED: no caller (or an anonymous one) where a token with a role is needed. */
export function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.unauthenticated } });
}

/** FORBIDDEN: the caller's role may not do this. */
export function forbidden(message: string, required: ApiTokenRole): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.forbidden, requiredRole: required.toUpperCase() } });
}

/** The error for a caller whose role is not enough for `action`. */
export function refusal(caller: Caller, action: string, required: ApiTokenRole): GraphQLError {
  if (caller.kind === "anonymous" || caller.role === null) {
    return unauthenticated(`${action} needs a token with the ${required} role (or a stronger one): send Authorization: Bearer <token>.`);
  }
  return forbidden(`${action} needs the ${required} role (or a stronger one); ${caller.name ?? "this caller"} has ${caller.role}.`, required);
}

const MAX_KEYS_IN_AUDIT = 50;

type Arguments = Record<string, unknown>;

/** What the audit log keeps of an action: the runs it concerned and a few facts, never the whole arguments. */
function describe(action: string, args: Arguments, result: unknown): { runIds: string[]; details: Record<string, unknown> } {
  const runId = (value: unknown): string | null => {
    const run = (value as { run?: { id?: unknown } | null } | null)?.run;
    return typeof run?.id === "string" ? run.id : null;
  };
  const ids = (...values: (string | null | undefined)[]) => [...new Set(values.filter((v): v is string => typeof v === "string"))];
  switch (action) {
    case "launchRun": {
      const keys = Array.isArray(args["assetKeys"]) ? (args["assetKeys"] as unknown[]).map(String) : [];
      return { runIds: ids(runId(result)), details: { assetKeys: keys.slice(0, MAX_KEYS_IN_AUDIT), assetCount: keys.length } };
    }
    case "reexecuteRun":
      return { runIds: ids(String(args["id"]), runId(result)), details: { onlyFailed: args["onlyFailed"] === true } };
    case "cancelRun":
      return { runIds: ids(String(args["id"])), details: {} };
    case "launchBackfill": {
      const keys = Array.isArray(args["assetKeys"]) ? (args["assetKeys"] as unknown[]).map(String) : [];
      const backfillId = (result as { id?: unknown } | null)?.id;
      return {
        runIds: [],
        details: { assetKeys: keys.slice(0, MAX_KEYS_IN_AUDIT), from: args["from"] ?? null, to: args["to"] ?? null, buildUpstream: args["buildUpstream"] === true, backfillId: typeof backfillId === "string" ? backfillId : null },
      };
    }
    case "rerunBackfill":
    case "cancelBackfill":
      return { runIds: [], details: { backfillId: args["id"] ?? null } };
    case "reportDbtRunResults": {
      const results = (args["runResults"] as { results?: unknown } | null)?.results;
      return { runIds: [], details: { location: args["location"] ?? null, results: Array.isArray(results) ? results.length : null } };
    }
    case "createApiToken": {
      // The answer holds the token: only its public id is kept.
      const created = (result as { apiToken?: { id?: unknown } } | null)?.apiToken;
      return { runIds: [], details: { name: args["name"] ?? null, role: args["role"] ?? null, tokenId: typeof created?.id === "string" ? created.id : null } };
    }
    case "revokeApiToken": {
      const revoked = result as { id?: unknown } | null;
      return { runIds: [], details: { idOrName: args["idOrName"] ?? null, tokenId: typeof revoked?.id === "string" ? revoked.id : null } };
    }
    case "reportMaterialization":
      return { runIds: [], details: { assetKey: typeof args["assetKey"] === "string" ? args["assetKey"] : null } };
    default:
      return { runIds: [], details: {} };
  }
}

/** The code of an error a resolver threw, as the audit log keeps it. */
function codeOf(error: unknown): string {
  const code = error instanceof GraphQLError ? error.extensions["code"] : undefined;
  return typeof code === "string" ? code : "INTERNAL_SERVER_ERROR";
}

/**
 * Wraps the guarded fields' resolvers in place and returns the schema: the role check first, then the resolver,
 * then (for mutations) one audit event. An audit write that fails is logged, never turned into the mutation's
 * failure: the work is done by then.
 */
export function guardSchema(schema: GraphQLSchema, logger: Logger): GraphQLSchema {
  const log = logger.child({ component: "audit" });
  const record = async (context: GraphQLContext, event: Parameters<NonNullable<NonNullable<GraphQLContext["catalog"]>["access"]>["recordAudit"]>[0]) => {
    const access = context.catalog?.access;
    if (!access) return;
    try {
      await access.recordAudit(event);
    } catch (error) {
      log.error({ err: error, action: event.action }, "could not write the audit log");
    }
  };
  for (const type of [schema.getQueryType(), schema.getMutationType()]) {
    if (!type) continue;
    for (const field of Object.values(type.getFields())) {
      const required = requiredRole(type.name, field.name);
      if (required === null) continue;
      const resolve: GraphQLFieldResolver<unknown, GraphQLContext> = field.resolve ?? defaultFieldResolver;
      const isMutation = type.name === "Mutation";
      const action = field.name;
      field.resolve = async (root, args: Arguments, context: GraphQLContext, info) => {
        const caller = context.caller;
        const actor = { actor: caller.name, actorKind: caller.kind, role: caller.role };
        if (!roleAllows(caller.role, required)) {
          const error = refusal(caller, action, required);
          if (isMutation) {
            log.warn({ action, actorKind: caller.kind, actor: caller.name, role: caller.role }, `refused ${action}`);
            // Anonymous refusals are only logged: anyone could fill the table with them.
            if (caller.kind !== "anonymous") await record(context, { action, outcome: "refused", ...actor, errorCode: codeOf(error), ...describe(action, args, null) });
          }
          throw error;
        }
        if (!isMutation) return resolve(root, args, context, info);
        let result: unknown;
        try {
          result = await resolve(root, args, context, info);
        } catch (error) {
          await record(context, { action, outcome: "failed", ...actor, errorCode: codeOf(error), ...describe(action, args, null) });
          throw error;
        }
        await record(context, { action, outcome: "ok", ...actor, errorCode: null, ...describe(action, args, result) });
        return result;
      };
    }
  }
  return schema;
}
