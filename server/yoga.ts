/**
 * The GraphQL server as a fetch handler: schema, limits, error masking, GraphiQL, health and readiness.
 * It has no port; ./http.ts puts it on one, and tests call `yoga.fetch(...)` in process.
 */
import { GraphQLError } from "graphql";
import { createYoga, useReadinessCheck, type Plugin, type YogaLogger } from "graphql-yoga";
import type { Logger } from "pino";
import type { CatalogGraph } from "../catalog/graph/index.ts";
import { isReady, type CatalogSource, type GraphQLContext } from "./graphql/context.ts";
import { ErrorCode } from "./graphql/errors.ts";
import { graphiqlTabs } from "./graphiql-tabs.ts";
import { createQueryLimitPlugins, DEFAULT_QUERY_LIMITS, type QueryLimits } from "./graphql/limits.ts";
import { createCatalogSchema } from "./graphql/schema.ts";
import { DEFAULT_UI_DIR, serveUi } from "./static-ui.ts";
import { LOCAL_CALLER } from "./auth/caller.ts";
import { guardSchema } from "./auth/guard.ts";
import { callerOfRequest, hostRefusal, useSecurity, type SecurityOptions } from "./auth/security.ts";

/** Where the API and the probes live. */
export const GRAPHQL_PATH = "/graphql";
export const HEALTH_PATH = "/healthz";
export const READY_PATH = "/readyz";

/** Largest request body accepted, in bytes: a query, its variables and nothing else. */
export const MAX_REQUEST_BODY_BYTES = 1_000_000;

export interface TributaryYogaOptions {
  /**
   * The catalog to serve, or a function returning it, so a server can start before the first load finishes
   * (it returns null until then) and be given the catalog later.
   */
  readonly catalog: CatalogSource | (() => CatalogSource | null) | null;
  readonly logger: Logger;
  readonly limits?: QueryLimits;
  /** Serve GraphiQL on GET /graphql from a browser (default true). */
  readonly graphiql?: boolean;
  /** The built web UI to serve at `/` (default admin-ui/dist); without a build `/` redirects to GraphiQL. */
  readonly uiDir?: string;
  /**
   * Host and Origin checks, callers and their roles, rate limits, introspection (server/auth/security.ts).
   * `tributary serve` always passes them; without them (tests, tools embedding the API in process) every
   * caller is a local admin and no header is checked.
   */
  readonly security?: SecurityOptions;
}

/**
 * Yoga's logger, writing through pino. A masked error is logged with its original cause and the GraphQL path,
 * which is what someone reading the log needs; the client only sees "Unexpected error.".
 */
function yogaLogger(logger: Logger): YogaLogger {
  const log = logger.child({ component: "graphql" });
  const write =
    (level: "debug" | "info" | "warn" | "error") =>
    (...args: unknown[]): void => {
      const [first] = args;
      if (first instanceof GraphQLError) {
        log[level]({ err: first.originalError ?? first, path: first.path?.join(".") }, first.message);
      } else if (first instanceof Error) {
        log[level]({ err: first }, first.message);
      } else {
        log[level](args.map((arg) => (typeof arg === "string" ? arg : JSON.stringify(arg))).join(" "));
      }
    };
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}

// Media types a browser may POST cross-site without a CORS preflight. Refusing them means a web page the user
// happens to visit cannot drive this API's mutations (reload, later launching runs) on a laptop.
const SIMPLE_CONTENT_TYPES = new Set(["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]);

function refuseSimpleRequests(): Plugin {
  return {
    onRequest({ request, url, fetchAPI, endResponse }) {
      if (request.method !== "POST" || url.pathname !== GRAPHQL_PATH) return;
      const mediaType = (request.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
      if (mediaType === "" || SIMPLE_CONTENT_TYPES.has(mediaType)) {
        const body = {
          errors: [{ message: "POST a JSON body (Content-Type: application/json)", extensions: { code: ErrorCode.badRequest } }],
        };
        endResponse(
          new fetchAPI.Response(JSON.stringify(body), { status: 415, headers: { "content-type": "application/json" } }),
        );
      }
    },
  };
}

/** Creates the yoga instance serving the Tributary API. */
export function createTributaryYoga(options: TributaryYogaOptions) {
  const { catalog, logger, limits = DEFAULT_QUERY_LIMITS, uiDir = DEFAULT_UI_DIR, security } = options;
  // GraphiQL builds itself from introspection: without it there is nothing to show.
  const graphiql = (options.graphiql ?? true) && security?.introspection !== false;
  const source = (): CatalogSource | null => (typeof catalog === "function" ? catalog() : catalog);
  const currentGraph = (current: CatalogSource | null = source()): CatalogGraph | null =>
    current !== null && isReady(current) ? current.current() : null;

  return createYoga<object, GraphQLContext>({
    schema: guardSchema(createCatalogSchema(), logger),
    graphqlEndpoint: GRAPHQL_PATH,
    healthCheckEndpoint: HEALTH_PATH,
    landingPage: false,
    logging: yogaLogger(logger),
    // Unexpected errors become "Unexpected error." for the client and are logged (see yogaLogger).
    maskedErrors: true,
    // The UI is served from this origin; other origins get no CORS headers, so browsers keep them out.
    cors: false,
    multipart: false,
    maxRequestBodySize: MAX_REQUEST_BODY_BYTES,
    context: ({ request }): GraphQLContext => {
      const current = source();
      return { catalog: current, graph: currentGraph(current), caller: callerOfRequest(request) ?? (security ? { kind: "anonymous", name: null, role: null, tokenId: null } : LOCAL_CALLER) };
    },
    graphiql: graphiql
      ? (request: Request) => {
          // Yoga answers GraphiQL before any plugin: the Host check is made here too (a refused page falls through
          // to the security plugin's 403), and the example tabs name assets only where anonymous callers may read.
          if (security && hostRefusal(request, security.allowedHosts) !== null) return false;
          return { title: "Tributary GraphiQL", defaultTabs: graphiqlTabs(security?.anonymous === null ? null : currentGraph()) };
        }
      : false,
    plugins: [
      ...(security ? [useSecurity(security, { access: () => source()?.access ?? null, sharedLimitStore: () => source()?.sharedLimitStore ?? null, logger, graphqlPath: GRAPHQL_PATH, probePaths: [HEALTH_PATH, READY_PATH] })] : []),
      ...createQueryLimitPlugins(limits),
      refuseSimpleRequests(),
      serveUi(uiDir, [GRAPHQL_PATH, HEALTH_PATH, READY_PATH]),
      useReadinessCheck({
        endpoint: READY_PATH,
        check: ({ fetchAPI }) => {
          const graph = currentGraph();
          const body =
            graph === null ? { status: "loading" } : { status: "ready", builtAt: graph.builtAt, assetCount: graph.assets.length };
          return new fetchAPI.Response(JSON.stringify(body), {
            status: graph === null ? 503 : 200,
            headers: { "content-type": "application/json" },
          });
        },
      }),
    ],
  });
}

/** The yoga instance type, for callers that hold one. */
export type TributaryYoga = ReturnType<typeof createTributaryYoga>;
