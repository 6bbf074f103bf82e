/**
 * The server's front door, as one yoga plugin: the Host and Origin checks, who the caller is, and the per-caller
 * rate limit; plus introspection on or off. Health probes (`/healthz`, `/readyz`) pass without any check (a
 * load balancer probes by IP); the web UI's files need a good Host and Origin but no token (the app must load to
 * sign in); `/graphql` needs all of it.
 */
import { NoSchemaIntrospectionCustomRule } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { Logger } from "pino";
import type { SqlClient } from "../../catalog/store/index.ts";
import { ErrorCode } from "../graphql/errors.ts";
import { AuthenticationError, identifyCaller, tokenAuthenticator, type Authenticator, type Caller } from "./caller.ts";
import { hostName, isAllowedHost, isLoopbackHost, originHostName } from "./network.ts";
import { createMemoryLimiter, createPostgresLimiter, type RequestLimiter } from "./rate-limit.ts";
import type { AccessStore, ApiTokenRole } from "./tokens.ts";

/** How a server guards itself; `tributary serve` builds this from tributary.yaml (server:, auth:). */
export interface SecurityOptions {
  /** The role of a caller without a token (`auth.anonymous`); null refuses such callers with UNAUTHENTICATED. */
  readonly anonymous: ApiTokenRole | null;
  /**
   * Host names the server answers besides loopback ones (`server.allowed_hosts`): exact names, `.example.com`
   * for a domain and its subdomains, or `*` for any (not recommended).
   */
  readonly allowedHosts: readonly string[];
  /**
   * Requests per minute per caller (a token, a proxy's user, or an anonymous caller's address other than
   * loopback); 0 for no limit. Counted in memory, or in the Postgres store when the runtime gives one.
   */
  readonly requestsPerMinute: number;
  /** Whether GraphQL introspection (`__schema`, `__type`) is answered. */
  readonly introspection: boolean;
  /** Ways of identifying callers tried before API tokens (the seam for an OIDC proxy's headers). */
  readonly authenticators?: readonly Authenticator[];
}

/** What the plugin reads at request time. */
export interface SecurityRuntime {
  /** The token store; null before the store is open (a token presented then is refused, saying so). */
  access(): AccessStore | null;
  readonly logger: Logger;
  /** The paths that are not the API or a probe: the UI's. */
  readonly graphqlPath: string;
  readonly probePaths: readonly string[];
  /**
   * The Postgres store shared by every `tributary serve` on it, where rate limits are counted together; null
   * (or absent) counts in this process's memory (the embedded store, or before the store is open).
   */
  sharedLimitStore?(): SqlClient | null;
}

const callers = new WeakMap<Request, Caller>();

/** The caller the plugin identified for a request; undefined when the server runs without security. */
export function callerOfRequest(request: Request): Caller | undefined {
  return callers.get(request);
}

function refuse(fetchAPI: { Response: typeof Response }, status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  return new fetchAPI.Response(JSON.stringify({ errors: [{ message, extensions: { code } }] }), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

/**
 * Why a request's Host or Origin header is refused (one sentence), or null when both name a host this server
 * serves: a loopback one, or one of `allowedHosts`. A missing Host is taken from the URL (requests in process).
 */
export function hostRefusal(request: Request, allowedHosts: readonly string[]): string | null {
  const host = hostName(request.headers.get("host") ?? new URL(request.url).host);
  if (host === null || !isAllowedHost(host, allowedHosts)) return "This host name is not served here; add it to server.allowed_hosts in tributary.yaml.";
  const origin = request.headers.get("origin");
  if (origin !== null) {
    const originHost = originHostName(origin);
    if (originHost === null || !isAllowedHost(originHost, allowedHosts)) return "Requests from this origin are not accepted.";
  }
  return null;
}

/** The GraphiQL page itself (a browser's GET of /graphql without a query): it holds no data. */
function isGraphiqlPage(request: Request, url: URL): boolean {
  return request.method === "GET" && !url.searchParams.has("query") && (request.headers.get("accept") ?? "").includes("text/html");
}

/** The remote address of a request on node:http, when known. */
function remoteAddress(serverContext: unknown): string {
  const req = (serverContext as { req?: { socket?: { remoteAddress?: string } } } | undefined)?.req;
  return req?.socket?.remoteAddress ?? "unknown";
}

/** The plugin guarding every request (see the module comment). */
export function useSecurity(options: SecurityOptions, runtime: SecurityRuntime): Plugin {
  const authenticators = [...(options.authenticators ?? []), tokenAuthenticator];
  const log = runtime.logger.child({ component: "security" });
  const perMinute = options.requestsPerMinute;
  const memoryLimiter = perMinute > 0 ? createMemoryLimiter(perMinute) : null;
  let sharedLimiter: Promise<RequestLimiter | null> | null = null;
  /** The Postgres limiter once the store is open (made once), else memory's. */
  const limiter = async (): Promise<RequestLimiter | null> => {
    if (memoryLimiter === null) return null;
    if (sharedLimiter === null) {
      const client = runtime.sharedLimitStore?.() ?? null;
      if (client === null) return memoryLimiter;
      sharedLimiter = createPostgresLimiter(client, perMinute, log).catch((error: unknown) => {
        log.warn({ error: error instanceof Error ? error.message : String(error) }, "rate limits cannot be kept in the Postgres store; each process counts its own");
        return null;
      });
    }
    return (await sharedLimiter) ?? memoryLimiter;
  };
  return {
    onValidate({ addValidationRule }) {
      if (!options.introspection) addValidationRule(NoSchemaIntrospectionCustomRule);
    },
    async onRequest({ request, url, fetchAPI, endResponse, serverContext }) {
      if (runtime.probePaths.includes(url.pathname)) return;
      const refusedBy = hostRefusal(request, options.allowedHosts);
      if (refusedBy !== null) {
        log.warn({ host: request.headers.get("host"), origin: request.headers.get("origin"), path: url.pathname }, `refused a request: ${refusedBy}`);
        endResponse(refuse(fetchAPI, 403, ErrorCode.hostNotAllowed, refusedBy));
        return;
      }
      if (url.pathname !== runtime.graphqlPath) return; // the UI's files
      let caller: Caller;
      try {
        caller = await identifyCaller(request, authenticators, runtime.access(), options.anonymous, { remoteAddress: remoteAddress(serverContext), logger: runtime.logger });
      } catch (error) {
        if (!(error instanceof AuthenticationError)) throw error;
        log.warn({ path: url.pathname }, `refused a request: ${error.message}`);
        endResponse(refuse(fetchAPI, 401, ErrorCode.unauthenticated, error.message, { "www-authenticate": 'Bearer realm="tributary"' }));
        return;
      }
      if (caller.kind === "proxy" && caller.role === null && !isGraphiqlPage(request, url)) {
        log.warn({ path: url.pathname, user: caller.name }, "refused a request: the proxy's user has no role");
        endResponse(refuse(fetchAPI, 403, ErrorCode.forbidden, `${caller.name} is signed in but has no role here: map their email or a group of theirs in auth.proxy.roles.`));
        return;
      }
      if (caller.role === null && !isGraphiqlPage(request, url)) {
        endResponse(
          refuse(fetchAPI, 401, ErrorCode.unauthenticated, "This server needs a token: send Authorization: Bearer <token> (tributary token create).", {
            "www-authenticate": 'Bearer realm="tributary"',
          }),
        );
        return;
      }
      // Tokens (and proxied users) are counted by name; anonymous callers by address, except loopback ones: the
      // browser on this machine (the catalog UI asks a lot while someone browses), or a proxy here that limits.
      const address = remoteAddress(serverContext);
      const counted = caller.kind !== "anonymous" || !isLoopbackHost(address);
      const counter = counted ? await limiter() : null;
      if (counter !== null) {
        const key = caller.tokenId !== null ? `token:${caller.tokenId}` : `${caller.kind}:${caller.name ?? address}`;
        const waitMs = await counter.consume(key);
        if (waitMs !== null) {
          const seconds = Math.ceil(waitMs / 1000);
          endResponse(
            refuse(fetchAPI, 429, ErrorCode.rateLimited, `Too many requests: at most ${options.requestsPerMinute} a minute; try again in ${seconds} s.`, {
              "retry-after": String(seconds),
            }),
          );
          return;
        }
      }
      callers.set(request, caller);
    },
  };
}
