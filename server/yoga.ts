/**
 * The GraphQL server as a fetch handler: schema, limits, error masking, GraphiQL, health and readiness.
 * It has no port; ./http.ts puts it on one, and tests call `yoga.fetch(...)` in process.
 */
import { getOperationAST, GraphQLError, type DocumentNode, type ExecutionArgs, type GraphQLSchema } from "graphql";
import type * as GraphqlJit from "graphql-jit";
import type { CompiledQuery } from "graphql-jit";
import { createYoga, useReadinessCheck, type Plugin, type YogaLogger } from "graphql-yoga";
import type { Logger } from "pino";
import type { CatalogGraph } from "../catalog/graph/index.ts";
import { isReady, type CatalogSource, type GraphQLContext } from "./graphql/context.ts";
import { ErrorCode } from "./graphql/errors.ts";
import { graphiqlTabs } from "./graphiql-tabs.ts";
import { createQueryLimitPlugins, DEFAULT_QUERY_LIMITS, type QueryLimits } from "./graphql/limits.ts";
import { createCatalogSchema } from "./graphql/schema.ts";
import { preloadRunState } from "./graphql/status.ts";
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
  /**
   * Run queries through graphql-jit (default true); false keeps graphql-js's executor, for the differential
   * test and the benchmark that compare the two.
   */
  readonly compiledExecution?: boolean;
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

let queryCompiler: typeof GraphqlJit | null = null;
let compilerLoading: Promise<void> | null = null;

/**
 * Loads graphql-jit (≈0.15 s of imports). The server starts loading it at its first query and runs queries on
 * graphql-js until it is there, so a start answers its first query without waiting for it. Resolves once
 * compiled execution is available (tests and benchmarks wait for it).
 */
export function loadQueryCompiler(): Promise<void> {
  compilerLoading ??= import("graphql-jit").then((module) => {
    queryCompiler = module;
  });
  return compilerLoading;
}

/**
 * Queries run through graphql-jit: each document (already parsed, validated and within the limits) is compiled
 * once into a function that resolves it. graphql-js's executor walks the schema for every field of every object
 * and checks each value's type on the way, which for a lineage answer of thousands of nodes was most of its time
 * (bench/lineage-bench.ts). A compiled answer that holds errors is thrown away and the query executed again by
 * graphql-js, whose errors carry `locations` (graphql-jit's do not) and come first in the body: a query's
 * resolvers only read, and what clients see stays what it was (server/compiled-execution.test.ts holds the two
 * to the same bytes). Mutations and subscriptions keep graphql-js's executor: they are small, or long-lived.
 */
function compiledQueries(logger: Logger): Plugin {
  const compiled = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, CompiledQuery | null>>>();
  const compiledQuery = (compiler: typeof GraphqlJit, args: ExecutionArgs): CompiledQuery | null => {
    let bySchema = compiled.get(args.schema);
    if (!bySchema) compiled.set(args.schema, (bySchema = new WeakMap()));
    let byOperation = bySchema.get(args.document);
    if (!byOperation) bySchema.set(args.document, (byOperation = new Map()));
    const name = args.operationName ?? "";
    if (!byOperation.has(name)) {
      const result = compiler.compileQuery(args.schema, args.document, args.operationName ?? undefined);
      byOperation.set(name, compiler.isCompiledQuery(result) ? result : null);
    }
    return byOperation.get(name) ?? null;
  };
  let loadStarted = false;
  const startLoading = () => {
    if (loadStarted) return;
    loadStarted = true;
    loadQueryCompiler().catch((error: unknown) =>
      logger.warn({ error: error instanceof Error ? error.message : String(error) }, "graphql-jit did not load; queries run on graphql-js"),
    );
  };
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      if (queryCompiler === null) {
        startLoading(); // after the first query, so a start does not wait for it
        return;
      }
      if (getOperationAST(args.document, args.operationName)?.operation !== "query") return;
      const query = compiledQuery(queryCompiler, args);
      if (query === null) return; // graphql-js reports what kept it from compiling
      setExecuteFn(async (executionArgs) => {
        const result = await query.query(executionArgs.rootValue, executionArgs.contextValue, executionArgs.variableValues);
        return result.errors !== undefined && result.errors.length > 0 ? executeFn(executionArgs) : result;
      });
    },
  };
}

/** Creates the yoga instance serving the Tributary API. */
export function createTributaryYoga(options: TributaryYogaOptions) {
  const { catalog, logger, limits = DEFAULT_QUERY_LIMITS, uiDir = DEFAULT_UI_DIR, security, compiledExecution: compile = true } = options;
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
      preloadRunState(),
      ...(compile ? [compiledQueries(logger)] : []),
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
