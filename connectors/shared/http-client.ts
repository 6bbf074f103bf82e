/**
 * The HTTP core every SaaS connector (Fivetran, Census) builds its client on: axios with a base URL, an auth
 * header, timeouts, retries with backoff on 429 (honouring `Retry-After`, with a cap on the total wait), 5xx,
 * timeouts and network errors, validation of every response body where it enters (zod), and errors that name
 * the endpoint and the object (connector, sync) but never a credential.
 *
 * Nothing vendor-specific lives here: the envelope, pagination fields and error-body shape are the caller's,
 * passed in as schemas and small functions.
 */
import { createRequire } from "node:module";
import type { AxiosInstance, AxiosResponse, AxiosStatic } from "axios";
import type { z } from "zod";

// Loaded when the first client is made, not at start: axios and its agents take ≈0.15 s to load, and a server
// without Fivetran or Census locations never needs them.
let axiosModule: AxiosStatic | null = null;
function loadAxios(): AxiosStatic {
  axiosModule ??= createRequire(import.meta.url)("axios") as AxiosStatic;
  return axiosModule;
}

/** How the client authenticates. */
export type HttpAuth =
  | { readonly type: "basic"; readonly username: string; readonly password: string }
  | { readonly type: "bearer"; readonly token: string };

export interface HttpClientOptions {
  /** The vendor, for messages: "Fivetran", "Census". */
  readonly service: string;
  /** E.g. `https://api.fivetran.com/v1`; request paths are appended to it. */
  readonly baseUrl: string;
  readonly auth: HttpAuth;
  /** Per-request timeout (default 30 s). */
  readonly timeoutMs?: number;
  /** Retries after the first attempt (default 3). */
  readonly maxRetries?: number;
  /** First backoff delay for 5xx/network errors, doubled each retry (default 500 ms). */
  readonly retryDelayMs?: number;
  /**
   * Longest single `Retry-After` the client will wait (default 60 s). A longer one (Fivetran may say 3600)
   * fails at once with a `rate_limited` error carrying the wait, instead of blocking a run for an hour.
   */
  readonly maxRetryAfterMs?: number;
  /** Extra headers on every request (Fivetran's `Accept: application/json;version=2`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Waits between attempts; tests pass a fake. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Reads the vendor's error body (`{code, message}`, `{status, message}`…) into a code and a message. */
  readonly describeErrorBody?: (body: unknown) => { code: string | null; message: string | null };
  /** Called for each retry (for logs): never given a credential. */
  readonly onRetry?: (info: { endpoint: string; attempt: number; delayMs: number; reason: string }) => void;
}

export type ApiErrorCode =
  /** The vendor answered 4xx/5xx (after retries, where they apply). */
  | "http_error"
  /** 401/403: wrong or missing credentials. */
  | "unauthorized"
  | "not_found"
  /** 429 with a wait longer than allowed, or still 429 after the retries. */
  | "rate_limited"
  | "timeout"
  | "network_error"
  /** The body did not match what the client expects. */
  | "invalid_response";

/** A failed API call. Its message names the service, endpoint and object, never a credential. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly details: {
      readonly service: string;
      /** `GET /connections/{id}` with the real id. */
      readonly endpoint: string;
      /** The HTTP status, when there was a response. */
      readonly status: number | null;
      /** The vendor's own error code (`NotFound_Connector`, `TooManyRequests`). */
      readonly vendorCode: string | null;
      /** The object the call was about, e.g. `connector shopify_conn`. */
      readonly subject: string | null;
      /** For 429: the wait the vendor asked for, in ms. */
      readonly retryAfterMs: number | null;
    },
  ) {
    super(message);
  }
}

/** Is `error` an {@link ApiError} (optionally of one code)? */
export function isApiError(error: unknown, code?: ApiErrorCode): error is ApiError {
  return error instanceof ApiError && (code === undefined || error.code === code);
}

/** One request. */
export interface HttpRequest<T> {
  readonly method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  /** Relative to the base URL, starting with "/"; ids must already be encoded (use {@link path}). */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly body?: unknown;
  /** Validates the response body; the typed result is returned. */
  readonly schema: z.ZodType<T>;
  /** What the call is about, for error messages (`connector shopify_conn`). */
  readonly subject?: string;
  /**
   * true (default): retry 429, 5xx, timeouts and network errors. "answered": retry only what the server
   * answered with 429 or 5xx — never a request left without an answer, which the server may still carry out
   * (a trigger retried after a timeout could start a second sync). false: retry only 429.
   */
  readonly retry?: boolean | "answered";
}

/** A small HTTP client with retries, timeouts, validation and redaction. */
export interface HttpClient {
  readonly service: string;
  readonly baseUrl: string;
  request<T>(request: HttpRequest<T>): Promise<T>;
  /** Replaces every credential in `text` with `[redacted]` (for messages built outside the client). */
  redact(text: string): string;
}

/** Builds a path from a template and parts, encoding each part: `path`/connections/${id}/sync``. */
export function path(strings: TemplateStringsArray, ...parts: readonly string[]): string {
  return strings.reduce((out, text, index) => out + text + (index < parts.length ? encodeURIComponent(parts[index]!) : ""), "");
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Parses `Retry-After`: integer seconds or an HTTP date. Null when absent or unreadable. */
export function parseRetryAfter(value: unknown, now: number = Date.now()): number | null {
  if (typeof value !== "string" || value.trim() === "") return null;
  const seconds = Number(value.trim());
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** Creates a client. */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const {
    service,
    auth,
    timeoutMs = 30_000,
    maxRetries = 3,
    retryDelayMs = 500,
    maxRetryAfterMs = 60_000,
    sleep = defaultSleep,
    describeErrorBody = defaultDescribeErrorBody,
    onRetry,
  } = options;
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const secrets = secretStrings(auth);
  const redact = (text: string): string => {
    let out = text;
    for (const secret of secrets) out = out.split(secret).join("[redacted]");
    return out;
  };
  const authorization =
    auth.type === "basic" ? `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}` : `Bearer ${auth.token}`;
  const axios = loadAxios();
  const instance: AxiosInstance = axios.create({
    baseURL: baseUrl,
    timeout: timeoutMs,
    // Statuses are handled below, so axios never builds an error holding the request config (and its headers).
    validateStatus: () => true,
    maxRedirects: 0,
    headers: { Accept: "application/json", ...options.headers },
    transitional: { clarifyTimeoutError: true },
  });

  async function request<T>(req: HttpRequest<T>): Promise<T> {
    const endpoint = `${req.method} ${req.path}`;
    const subject = req.subject ?? null;
    const about = subject ? ` for ${subject}` : "";
    const fail = (code: ApiErrorCode, message: string, extra: Partial<ApiError["details"]> = {}): ApiError =>
      new ApiError(code, redact(message), {
        service,
        endpoint,
        status: null,
        vendorCode: null,
        subject,
        retryAfterMs: null,
        ...extra,
      });
    for (let attempt = 0; ; attempt++) {
      let response: AxiosResponse<unknown>;
      try {
        response = await instance.request<unknown>({
          method: req.method,
          url: req.path,
          params: req.query,
          data: req.body,
          headers: { Authorization: authorization, ...(req.body === undefined ? {} : { "Content-Type": "application/json" }) },
          responseType: "json",
        });
      } catch (error) {
        const timedOut = axios.isAxiosError(error) && (error.code === "ETIMEDOUT" || error.code === "ECONNABORTED");
        const reason = timedOut ? `timed out after ${timeoutMs} ms` : `network error (${axios.isAxiosError(error) ? (error.code ?? error.message) : String(error)})`;
        if (attempt < maxRetries && (req.retry ?? true) === true) {
          const delayMs = retryDelayMs * 2 ** attempt;
          onRetry?.({ endpoint, attempt: attempt + 1, delayMs, reason });
          await sleep(delayMs);
          continue;
        }
        throw fail(timedOut ? "timeout" : "network_error", `${service} ${endpoint}${about} ${reason}${attempt > 0 ? ` (after ${attempt + 1} attempts)` : ""}`);
      }
      const { status } = response;
      if (status >= 200 && status < 300) {
        const parsed = req.schema.safeParse(response.data);
        if (parsed.success) return parsed.data;
        const issue = parsed.error.issues[0];
        const at = issue ? issue.path.map(String).join(".") || "(body)" : "(body)";
        throw fail("invalid_response", `${service} ${endpoint}${about} returned an unexpected body: ${at}: ${issue?.message ?? "invalid"}`, { status });
      }
      const described = describeErrorBody(response.data);
      const vendor = described.message ? `: ${described.code ? `${described.code}: ` : ""}${described.message}` : described.code ? `: ${described.code}` : "";
      if (status === 429) {
        const retryAfterMs = parseRetryAfter(response.headers["retry-after"]) ?? retryDelayMs * 2 ** attempt;
        if (retryAfterMs > maxRetryAfterMs || attempt >= maxRetries) {
          throw fail(
            "rate_limited",
            `${service} ${endpoint}${about} is rate limited (HTTP 429${vendor}); retry after ${Math.ceil(retryAfterMs / 1000)} s`,
            { status, vendorCode: described.code, retryAfterMs },
          );
        }
        onRetry?.({ endpoint, attempt: attempt + 1, delayMs: retryAfterMs, reason: "HTTP 429" });
        await sleep(retryAfterMs);
        continue;
      }
      if (status >= 500 && attempt < maxRetries && req.retry !== false) {
        const delayMs = retryDelayMs * 2 ** attempt;
        onRetry?.({ endpoint, attempt: attempt + 1, delayMs, reason: `HTTP ${status}` });
        await sleep(delayMs);
        continue;
      }
      const code: ApiErrorCode = status === 401 || status === 403 ? "unauthorized" : status === 404 ? "not_found" : "http_error";
      const hint = code === "unauthorized" ? " (check the API key and secret)" : "";
      throw fail(code, `${service} ${endpoint}${about} failed with HTTP ${status}${vendor}${hint}`, { status, vendorCode: described.code });
    }
  }

  return { service, baseUrl, request, redact };
}

/** Every string form a credential can take in a message: itself, and the encoded Authorization value. */
function secretStrings(auth: HttpAuth): string[] {
  const values =
    auth.type === "basic"
      ? [auth.password, auth.username, Buffer.from(`${auth.username}:${auth.password}`).toString("base64")]
      : [auth.token, Buffer.from(`bearer:${auth.token}`).toString("base64")];
  // Longest first, so a secret containing another is replaced whole; very short values are not worth it.
  return values.filter((value) => value.length >= 4).sort((a, b) => b.length - a.length);
}

/** `{code?, message?}` or `{status?, message?}`, as most APIs send. */
function defaultDescribeErrorBody(body: unknown): { code: string | null; message: string | null } {
  if (typeof body !== "object" || body === null) return { code: null, message: typeof body === "string" && body.length < 300 ? body : null };
  const record = body as Record<string, unknown>;
  const code = typeof record["code"] === "string" ? record["code"] : typeof record["status"] === "string" ? record["status"] : null;
  const message = typeof record["message"] === "string" ? record["message"] : null;
  return { code, message };
}

/**
 * Walks a cursor-paginated list: `fetchPage(cursor)` returns one page's items and the next cursor (null on
 * the last page). Guards against a server that repeats a cursor.
 */
export async function* paginate<T>(
  fetchPage: (cursor: string | null) => Promise<{ readonly items: readonly T[]; readonly nextCursor: string | null }>,
  options: { readonly maxPages?: number } = {},
): AsyncGenerator<T> {
  const { maxPages = 10_000 } = options;
  const seen = new Set<string>();
  let cursor: string | null = null;
  for (let page = 0; page < maxPages; page++) {
    const result = await fetchPage(cursor);
    yield* result.items;
    if (result.nextCursor === null || result.nextCursor === "") return;
    if (seen.has(result.nextCursor)) throw new Error(`the server repeated the page cursor "${result.nextCursor}"`);
    seen.add(result.nextCursor);
    cursor = result.nextCursor;
  }
  throw new Error(`more than ${maxPages} pages`);
}
