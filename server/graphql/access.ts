/**
 * Who is calling and who did what: `Query.viewer` (the caller's role, so the UI shows only what it may do),
 * `Query.auditEvents` (the audit log, admin only) and `Run.audit` (who launched, re-executed or canceled a run,
 * for everyone who can read the run), and token management for admins (`apiTokens`, `createApiToken`,
 * `revokeApiToken`). A token appears in one answer only: the createApiToken that made it.
 */
import { isStoreError, type RunRecord } from "../../catalog/store/index.ts";
import { roleAllows } from "../auth/tokens.ts";
import type { AccessStore, ApiTokenRecord, ApiTokenRole, AuditEvent } from "../auth/tokens.ts";
import type { GraphQLContext } from "./context.ts";
import { badUserInput, notSupported } from "./errors.ts";
import type { SchemaModule } from "./module.ts";

/** Largest `first` of Query.auditEvents. */
export const MAX_AUDIT_FIRST = 500;

const typeDefs = /* GraphQL */ `
  "What a caller may do: VIEWER reads; OPERATOR also launches, re-executes and cancels runs and reports work done elsewhere; ADMIN also reloads locations and reads the audit log."
  enum Role {
    VIEWER
    OPERATOR
    ADMIN
  }

  "How a caller was identified."
  enum CallerKind {
    "An API token (Authorization: Bearer)."
    TOKEN
    "A trusted proxy's header (an OIDC proxy in front of the server)."
    PROXY
    "No credential: the server's auth.anonymous role."
    ANONYMOUS
    "In process, on a server built without security (tests, tools)."
    LOCAL
  }

  "The caller of this request."
  type Viewer {
    kind: CallerKind!
    "The token's name (or the proxy's user); null when anonymous."
    name: String
    "Null never reaches here: a caller without a role is refused before the query runs."
    role: Role
    "Whether the role may launch, re-execute and cancel runs (launchCapability also says whether this server can)."
    canLaunch: Boolean!
    "Whether the role may reload locations."
    canReload: Boolean!
  }

  "One thing a caller did (or tried) through the API."
  type AuditEvent {
    id: ID!
    at: DateTime!
    "launchRun, reexecuteRun, cancelRun, reloadLocations, reportDbtRunResults, reportMaterialization, token.create, token.revoke."
    action: String!
    "OK, REFUSED (the role may not), FAILED (allowed, and it failed: errorCode says why)."
    outcome: AuditOutcome!
    "The token's name or the proxy's user; null for anonymous callers."
    actor: String
    actorKind: CallerKind!
    role: Role
    "The runs it concerned: the run launched or canceled, the run re-executed and the run that made."
    runIds: [ID!]!
    errorCode: String
    "Facts about the action: the asset keys launched, onlyFailed, a token's id and role."
    details: JSON!
  }

  enum AuditOutcome {
    OK
    REFUSED
    FAILED
  }

  "A page of audit events, newest first."
  type AuditEventConnection {
    nodes: [AuditEvent!]!
    pageInfo: PageInfo!
  }

  extend type Query {
    "Who is calling, and what the caller's role allows."
    viewer: Viewer!
    """
    The audit log, newest first (ADMIN only: FORBIDDEN otherwise). runId: events about that run; action: any of
    these actions; actor: one token's name. first: 50 when omitted, at most 500; after: the previous page's endCursor.
    """
    auditEvents(runId: ID, action: [String!], actor: String, first: Int = 50, after: String): AuditEventConnection!
  }

  "An API token, as listed: never the token itself."
  type ApiToken {
    "The public id (tok_…)."
    id: ID!
    name: String!
    role: Role!
    createdAt: DateTime!
    "Who created it: the OS user of tributary token create, or the token name of the admin who called createApiToken."
    createdBy: String
    revokedAt: DateTime
    "When it was last used (to the minute); null when never."
    lastUsedAt: DateTime
  }

  "A token just created: token is shown this once and never again."
  type CreatedApiToken {
    token: String!
    apiToken: ApiToken!
  }

  extend type Query {
    "API tokens, working ones first, newest first; revoked ones too with includeRevoked (ADMIN only)."
    apiTokens(includeRevoked: Boolean = false): [ApiToken!]!
  }

  extend type Mutation {
    """
    Creates an API token (ADMIN only). The answer carries the token this once; only its hash is kept. A working
    token with the same name is BAD_USER_INPUT.
    """
    createApiToken(name: String!, role: Role!): CreatedApiToken!
    "Revokes a working token by id or name (ADMIN only); it stops working at once. Null when no working token has it."
    revokeApiToken(idOrName: String!): ApiToken
  }

  extend type Run {
    "Who launched, re-executed or canceled this run through the API, oldest first (empty without a store)."
    audit: [AuditEvent!]!
  }
`;

const upper = (value: string | null): string | null => (value === null ? null : value.toUpperCase());

/** The context's access store, or NOT_SUPPORTED without a store. */
function requireAccess(context: GraphQLContext): AccessStore {
  const access = context.catalog?.access;
  if (!access) throw notSupported("This server has no store to keep tokens in.");
  return access;
}

const resolvers = {
  Query: {
    viewer: (_root: unknown, _args: unknown, context: GraphQLContext) => ({
      kind: context.caller.kind.toUpperCase(),
      name: context.caller.name,
      role: upper(context.caller.role),
      canLaunch: roleAllows(context.caller.role, "operator"),
      canReload: roleAllows(context.caller.role, "admin"),
    }),
    apiTokens: async (_root: unknown, args: { includeRevoked?: boolean | null }, context: GraphQLContext) =>
      requireAccess(context).listTokens({ includeRevoked: args.includeRevoked === true }),
    auditEvents: async (
      _root: unknown,
      args: { runId?: string | null; action?: readonly string[] | null; actor?: string | null; first?: number | null; after?: string | null },
      context: GraphQLContext,
    ) => {
      const first = args.first ?? 50;
      if (!Number.isInteger(first) || first < 0 || first > MAX_AUDIT_FIRST) throw badUserInput(`first must be between 0 and ${MAX_AUDIT_FIRST} (got ${first})`, "first");
      let beforeId: number | null = null;
      if (args.after != null) {
        beforeId = Number(args.after);
        if (!/^[1-9][0-9]{0,17}$/.test(args.after)) throw badUserInput(`"${args.after}" is not a cursor of audit events`, "after");
      }
      const access = context.catalog?.access;
      if (!access || first === 0) return { nodes: [], pageInfo: { hasNextPage: false, endCursor: null } };
      const events = await access.listAudit({ runId: args.runId ?? null, actions: args.action ?? null, actor: args.actor ?? null, beforeId, first: first + 1 });
      const nodes = events.slice(0, first);
      return { nodes, pageInfo: { hasNextPage: events.length > first, endCursor: nodes.length > 0 ? String(nodes.at(-1)!.id) : null } };
    },
  },
  Mutation: {
    createApiToken: async (_root: unknown, args: { name: string; role: string }, context: GraphQLContext) => {
      const access = requireAccess(context);
      const name = args.name.trim();
      if (name === "" || name.length > 100) throw badUserInput("name must be 1 to 100 characters, not blank", "name");
      try {
        const { token, record } = await access.createToken({ name, role: args.role.toLowerCase() as ApiTokenRole, createdBy: context.caller.name });
        return { token, apiToken: record };
      } catch (error) {
        if (isStoreError(error, "invalid_input")) throw badUserInput(error.message, "name");
        throw error;
      }
    },
    revokeApiToken: async (_root: unknown, args: { idOrName: string }, context: GraphQLContext) => requireAccess(context).revokeToken(args.idOrName),
  },
  Run: {
    audit: async (run: RunRecord, _args: unknown, context: GraphQLContext): Promise<AuditEvent[]> => {
      const access = context.catalog?.access;
      if (!access) return [];
      return (await access.listAudit({ runId: run.id, first: 100 })).reverse();
    },
  },
  ApiToken: {
    role: (token: ApiTokenRecord) => token.role.toUpperCase(),
  },
  AuditEvent: {
    id: (event: AuditEvent) => String(event.id),
    outcome: (event: AuditEvent) => event.outcome.toUpperCase(),
    actorKind: (event: AuditEvent) => event.actorKind.toUpperCase(),
    role: (event: AuditEvent) => upper(event.role),
  },
};

/** The access module. */
export const accessModule: SchemaModule = { typeDefs, resolvers };
