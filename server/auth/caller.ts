/**
 * Who is calling: what every request is given before any resolver runs, and the seam where ways of proving it
 * plug in: an API token (`Authorization: Bearer trb_…`), and before it, when configured, the user and group
 * headers an OIDC proxy sets (./proxy.ts), believed only from the proxy's own addresses.
 */
import type { Logger } from "pino";
import type { AccessStore, ApiTokenRole } from "./tokens.ts";

/**
 * How the caller was identified: a token (`name` is the token's name), a proxy's header (`name` is its user),
 * nobody (anonymous: `role` is `auth.anonymous`), or an in-process caller of a server built without security
 * (tests, tools embedding the API), which may do everything.
 */
export type CallerKind = "token" | "proxy" | "anonymous" | "local";

export interface Caller {
  readonly kind: CallerKind;
  /** The token's name or the proxy's user; null for anonymous and local callers. Never a secret. */
  readonly name: string | null;
  /** What the caller may do; null when nothing (never for a request that reached the resolvers). */
  readonly role: ApiTokenRole | null;
  /** The token's public id (tok_…), for rate limits and the audit log. */
  readonly tokenId: string | null;
}

/** The caller of a server built without security options. */
export const LOCAL_CALLER: Caller = { kind: "local", name: null, role: "admin", tokenId: null };

/** A credential was presented and is not good (unknown, revoked, malformed): the request is refused. */
export class AuthenticationError extends Error {
  override readonly name = "AuthenticationError";
}

/**
 * One way of identifying a request's caller. Returns the caller, or null when the request carries nothing this
 * authenticator reads (the next one is tried; after the last, the caller is anonymous). Throws
 * {@link AuthenticationError} for a credential it reads and rejects.
 */
export interface Authenticator {
  authenticate(request: Request, access: AccessStore | null, context: RequestContext): Promise<Caller | null>;
}

/** What an authenticator knows of a request besides its headers. */
export interface RequestContext {
  /** The address the connection comes from (a proxy's, when one is in front); "unknown" in process. */
  readonly remoteAddress: string;
  readonly logger: Logger;
}

/** The bearer part of an Authorization header, or null when there is none. */
export function bearerToken(request: Request): string | null {
  const header = request.headers.get("authorization");
  if (header === null) return null;
  const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new AuthenticationError("The Authorization header must be `Bearer <token>`.");
  return match[1]!;
}

/** API tokens (`Authorization: Bearer trb_…`), checked against the store's hashes. */
export const tokenAuthenticator: Authenticator = {
  async authenticate(request, access) {
    const token = bearerToken(request);
    if (token === null) return null;
    if (access === null) throw new AuthenticationError("This server has no token store yet (still starting, or no store); try again shortly.");
    const record = await access.verifyToken(token);
    if (record === null) throw new AuthenticationError("The token is not valid: unknown, malformed or revoked.");
    return { kind: "token", name: record.name, role: record.role, tokenId: record.id };
  },
};

/**
 * The caller of a request: the first authenticator that recognises it, else anonymous with `anonymous` as its
 * role (null: no role, so the request is refused).
 */
export async function identifyCaller(
  request: Request,
  authenticators: readonly Authenticator[],
  access: AccessStore | null,
  anonymous: ApiTokenRole | null,
  context: RequestContext,
): Promise<Caller> {
  for (const authenticator of authenticators) {
    const caller = await authenticator.authenticate(request, access, context);
    if (caller !== null) return caller;
  }
  return { kind: "anonymous", name: null, role: anonymous, tokenId: null };
}
