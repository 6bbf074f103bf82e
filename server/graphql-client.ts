/**
 * A small client of a running Tributary server's GraphQL API, for the command line: queries and mutations as
 * JSON POSTs, subscriptions over server-sent events (graphql-yoga's distinct-connection mode: POST with
 * `Accept: text/event-stream`; `event: next` carries a result, `event: complete` ends the stream, lines starting
 * with `:` are keep-alive pings).
 */

/** Nothing answered at the URL (connection refused, unknown host, timeout) or it is not a Tributary server. */
export class ServerUnreachableError extends Error {
  override readonly name = "ServerUnreachableError";
}

/** The server answered with GraphQL errors; `code` is the first error's `extensions.code`. */
export class GraphQLRequestError extends Error {
  override readonly name = "GraphQLRequestError";
  constructor(
    message: string,
    readonly code: string | null,
  ) {
    super(message);
  }
}

interface GraphQLBody<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

export interface GraphQLClient {
  readonly url: string;
  /** Sends a query or mutation; returns `data`, or throws {@link GraphQLRequestError} / {@link ServerUnreachableError}. */
  request<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /**
   * Opens a subscription and yields each result's `data` until the server completes the stream. Throws
   * {@link GraphQLRequestError} for an error result, {@link ServerUnreachableError} when the connection cannot be
   * made or goes silent (no byte, not even a ping, for `idleTimeoutMs`).
   */
  subscribe<T>(query: string, variables?: Record<string, unknown>, options?: { readonly signal?: AbortSignal }): AsyncGenerator<T, void, undefined>;
}

export interface GraphQLClientOptions {
  /** Per request (default 30 s). */
  readonly timeoutMs?: number;
  /** A subscription with no byte for this long is given up (default 45 s; the server pings every 12 s). */
  readonly idleTimeoutMs?: number;
  /** An API token, sent as `Authorization: Bearer` (the CLI reads it from TRIBUTARY_TOKEN). */
  readonly token?: string | undefined;
}

/** Why a fetch failed, in words: the cause's code (ECONNREFUSED) when there is one. */
function networkReason(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) return "no answer in time";
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

function errorOf(errors: NonNullable<GraphQLBody<unknown>["errors"]>): GraphQLRequestError {
  const first = errors[0];
  return new GraphQLRequestError(errors.map((e) => e.message).join("; "), first?.extensions?.code ?? null);
}

/** Server-sent events of a response body: `{event, data}` per event, pings skipped. */
export async function* readServerSentEvents(
  body: ReadableStream<Uint8Array>,
  options: { readonly idleTimeoutMs?: number; readonly onIdle?: () => void } = {},
): AsyncGenerator<{ event: string; data: string }, void, undefined> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let idle: NodeJS.Timeout | null = null;
  const arm = () => {
    if (idle) clearTimeout(idle);
    if (options.idleTimeoutMs !== undefined) {
      idle = setTimeout(() => {
        options.onIdle?.();
        void reader.cancel().catch(() => undefined);
      }, options.idleTimeoutMs);
      idle.unref();
    }
  };
  try {
    for (;;) {
      arm();
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, "\n");
      for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = "message";
        const data: string[] = [];
        let fields = 0;
        for (const line of block.split("\n")) {
          if (line === "" || line.startsWith(":")) continue;
          fields += 1;
          const colon = line.indexOf(":");
          const name = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
          if (name === "event") event = value;
          else if (name === "data") data.push(value);
        }
        if (fields > 0) yield { event, data: data.join("\n") };
      }
    }
  } finally {
    if (idle) clearTimeout(idle);
    await reader.cancel().catch(() => undefined);
  }
}

/** A client of the GraphQL endpoint at `url` (e.g. http://127.0.0.1:3000/graphql). */
export function createGraphQLClient(url: string, options: GraphQLClientOptions = {}): GraphQLClient {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const idleTimeoutMs = options.idleTimeoutMs ?? 45_000;
  const unreachable = (reason: string) => new ServerUnreachableError(`no Tributary server answers at ${url} (${reason})`);

  async function post(query: string, variables: Record<string, unknown>, accept: string, signal: AbortSignal): Promise<Response> {
    try {
      return await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", accept, ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
        body: JSON.stringify({ query, variables }),
        signal,
      });
    } catch (error) {
      throw unreachable(networkReason(error));
    }
  }

  /** The JSON body of a response that is not the expected stream (an error result, or another server). */
  async function jsonBody<T>(response: Response): Promise<GraphQLBody<T>> {
    const text = await response.text().catch(() => "");
    try {
      const body = JSON.parse(text) as GraphQLBody<T>;
      if (typeof body === "object" && body !== null && ("data" in body || "errors" in body)) return body;
    } catch {
      // not JSON: below
    }
    throw new ServerUnreachableError(`${url} did not answer as a Tributary GraphQL server (HTTP ${response.status}); is --url right?`);
  }

  return {
    url,
    async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
      const response = await post(query, variables, "application/graphql-response+json, application/json", AbortSignal.timeout(timeoutMs));
      let body: GraphQLBody<T>;
      try {
        body = await jsonBody<T>(response);
      } catch (error) {
        if (error instanceof ServerUnreachableError) throw error;
        throw unreachable(networkReason(error));
      }
      if (body.errors && body.errors.length > 0) throw errorOf(body.errors);
      if (body.data === undefined || body.data === null) throw new GraphQLRequestError(`the server answered without data (HTTP ${response.status})`, null);
      return body.data;
    },
    async *subscribe<T>(query: string, variables: Record<string, unknown> = {}, subscribeOptions: { readonly signal?: AbortSignal } = {}) {
      const controller = new AbortController();
      const onAbort = () => controller.abort(subscribeOptions.signal?.reason);
      subscribeOptions.signal?.addEventListener("abort", onAbort, { once: true });
      const connectTimer = setTimeout(() => controller.abort(new Error("no answer in time")), timeoutMs);
      connectTimer.unref();
      let wentIdle = false;
      try {
        const response = await post(query, variables, "text/event-stream", controller.signal);
        clearTimeout(connectTimer);
        if (!(response.headers.get("content-type") ?? "").startsWith("text/event-stream") || response.body === null) {
          const body = await jsonBody<T>(response);
          if (body.errors && body.errors.length > 0) throw errorOf(body.errors);
          throw new ServerUnreachableError(`${url} did not stream the subscription (HTTP ${response.status})`);
        }
        try {
          for await (const { event, data } of readServerSentEvents(response.body, { idleTimeoutMs, onIdle: () => (wentIdle = true) })) {
            if (event === "complete") return;
            if (event !== "next") continue;
            const result = JSON.parse(data) as GraphQLBody<T>;
            if (result.errors && result.errors.length > 0) throw errorOf(result.errors);
            if (result.data !== undefined && result.data !== null) yield result.data;
          }
        } catch (error) {
          if (error instanceof GraphQLRequestError || subscribeOptions.signal?.aborted) throw error;
          throw unreachable(`the stream broke: ${networkReason(error)}`);
        }
        if (wentIdle) throw unreachable(`the stream went silent for ${Math.round(idleTimeoutMs / 1000)} s`);
        throw unreachable("the stream ended before the server completed it");
      } finally {
        clearTimeout(connectTimer);
        subscribeOptions.signal?.removeEventListener("abort", onAbort);
        controller.abort();
      }
    },
  };
}
