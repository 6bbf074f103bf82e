/**
 * The HTTP server: node:http with the yoga handler (GraphQL at /graphql with GraphiQL, /healthz, /readyz).
 * It can listen before the catalog has loaded; `/readyz` turns 200 and queries are answered once
 * `setCatalog` is called.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import type { CatalogSource } from "./graphql/context.ts";
import type { QueryLimits } from "./graphql/limits.ts";
import { createTributaryYoga, GRAPHQL_PATH, type TributaryYoga } from "./yoga.ts";
import type { SecurityOptions } from "./auth/security.ts";

export interface TributaryServerOptions {
  /** The catalog to serve; null to start before the first load finishes (then call `setCatalog`). */
  readonly catalog: CatalogSource | null;
  readonly logger: Logger;
  /** Interface to listen on (default 127.0.0.1: a laptop tool is not exposed to the network unless asked). */
  readonly host?: string;
  /** Port; 0 picks a free one (default 3000). */
  readonly port?: number;
  readonly limits?: QueryLimits;
  /** How long `close()` waits for requests in flight before cutting connections (default 5 s). */
  readonly shutdownGraceMs?: number;
  /** The built web UI to serve at `/` (default admin-ui/dist). */
  readonly uiDir?: string;
  /** Host and Origin checks, tokens and roles, rate limits (see yoga.ts); `tributary serve` always passes them. */
  readonly security?: SecurityOptions;
  /** Queries through graphql-jit (default true); see {@link import("./yoga.ts").TributaryYogaOptions.compiledExecution}. */
  readonly compiledExecution?: boolean;
}

/** A running (or ready to run) Tributary HTTP server. */
export interface TributaryServer {
  readonly yoga: TributaryYoga;
  readonly httpServer: Server;
  /** Starts listening; resolves with the URLs once the port is bound. Rejects with {@link ServerStartError}. */
  listen(): Promise<ServerAddress>;
  /** Starts serving a catalog (after the first load, or to replace the source). */
  setCatalog(catalog: CatalogSource): void;
  /** Stops accepting connections, lets requests in flight finish (up to the grace period), then closes. */
  close(): Promise<void>;
}

/** Where a listening server can be reached. */
export interface ServerAddress {
  readonly host: string;
  readonly port: number;
  /** e.g. http://127.0.0.1:3000 */
  readonly baseUrl: string;
  /** e.g. http://127.0.0.1:3000/graphql */
  readonly graphqlUrl: string;
}

/** The server could not bind its port; the message says what to do. */
export class ServerStartError extends Error {
  override readonly name = "ServerStartError";
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The host as it appears in a URL (IPv6 in brackets). */
function urlHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

/** Creates the server; call `listen()` to bind it. */
export function createTributaryServer(options: TributaryServerOptions): TributaryServer {
  const { logger, host = "127.0.0.1", port = 3000, limits, shutdownGraceMs = 5000, uiDir, security, compiledExecution } = options;
  let catalog: CatalogSource | null = options.catalog;
  const yoga = createTributaryYoga({
    catalog: () => catalog,
    logger,
    limits,
    uiDir,
    ...(security ? { security } : {}),
    ...(compiledExecution !== undefined ? { compiledExecution } : {}),
  });
  const httpServer = createServer(yoga);
  let closing: Promise<void> | null = null;

  return {
    yoga,
    httpServer,
    listen() {
      return new Promise<ServerAddress>((resolve, reject) => {
        const onError = (error: NodeJS.ErrnoException) => {
          httpServer.off("listening", onListening);
          if (error.code === "EADDRINUSE") {
            reject(new ServerStartError(`Port ${port} on ${host} is already in use; choose another with --port`, error.code, { cause: error }));
          } else if (error.code === "EACCES") {
            reject(new ServerStartError(`Not allowed to listen on ${host}:${port}; choose a port above 1023 with --port`, error.code, { cause: error }));
          } else if (error.code === "EADDRNOTAVAIL" || error.code === "ENOTFOUND") {
            reject(new ServerStartError(`Cannot listen on host "${host}": no such local address; check --host`, error.code, { cause: error }));
          } else {
            reject(new ServerStartError(`Cannot listen on ${host}:${port}: ${error.message}`, error.code ?? "LISTEN_FAILED", { cause: error }));
          }
        };
        const onListening = () => {
          httpServer.off("error", onError);
          const address = httpServer.address() as AddressInfo;
          const baseUrl = `http://${urlHost(host)}:${address.port}`;
          logger.debug({ host, port: address.port }, "HTTP server listening");
          resolve({ host, port: address.port, baseUrl, graphqlUrl: `${baseUrl}${GRAPHQL_PATH}` });
        };
        httpServer.once("error", onError);
        httpServer.once("listening", onListening);
        httpServer.listen(port, host);
      });
    },
    setCatalog(next) {
      catalog = next;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        if (!httpServer.listening) {
          resolve();
          return;
        }
        // Idle keep-alive connections would hold close() open; busy ones get the grace period.
        const timer = setTimeout(() => httpServer.closeAllConnections(), shutdownGraceMs);
        timer.unref();
        httpServer.close(() => {
          clearTimeout(timer);
          logger.debug("HTTP server closed");
          resolve();
        });
        httpServer.closeIdleConnections();
      }).then(async () => {
        await yoga.dispose();
      });
      return closing;
    },
  };
}
