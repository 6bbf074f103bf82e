/** The one place the UI talks to the network: POSTs a GraphQL document to /graphql. */
import { HttpError } from "react-admin";
import type { TypedDocumentString } from "../generated/graphql.ts";
import { takePrefetched } from "./prefetch.ts";
import { apiHeaders } from "./token.ts";

interface GraphQLErrorBody {
  readonly message: string;
  readonly extensions?: { readonly code?: string } & Readonly<Record<string, unknown>>;
}

/**
 * Runs a generated document with its variables (both typed from the schema); GraphQL errors become react-admin
 * HttpErrors carrying the server's message and code.
 */
export async function graphql<Result, Variables>(url: string, document: TypedDocumentString<Result, Variables>, variables: Variables, signal?: AbortSignal): Promise<Result> {
  const query = document.toString();
  const sent = (variables ?? {}) as Record<string, unknown>;
  let response: Response | undefined;
  // The list's first page may have been requested before the app booted (main.tsx); a failed prefetch is retried.
  const prefetched = signal === undefined ? takePrefetched(url, query, sent) : undefined;
  if (prefetched !== undefined) response = await prefetched.catch(() => undefined);
  if (response === undefined) {
    try {
      response = await fetch(url, {
        method: "POST",
        headers: apiHeaders(),
        body: JSON.stringify({ query, variables: sent }),
        signal: signal ?? null,
      });
    } catch (error) {
      if (error instanceof DOMException && error.name === "AbortError") throw error;
      throw new HttpError("Tributary cannot be reached. Is `tributary serve` running?", 0);
    }
  }
  let body: { data?: Result | null; errors?: readonly GraphQLErrorBody[] };
  try {
    body = (await response.json()) as typeof body;
  } catch {
    throw new HttpError(`Tributary answered ${response.status} ${response.statusText}`, response.status);
  }
  const first = body.errors?.[0];
  if (first !== undefined) {
    const code = first.extensions?.code;
    const message = code === "CATALOG_NOT_READY" ? "The catalog is still loading; try again in a moment." : first.message;
    // The body carries the error's extensions (e.g. UPSTREAM_NOT_BUILT's upstreamAssetKeys) for callers that act on them.
    throw new HttpError(message, response.status === 200 ? (code === "ASSET_NOT_FOUND" ? 404 : 400) : response.status, { ...first.extensions, code });
  }
  if (body.data == null) throw new HttpError("Tributary returned no data", response.status);
  return body.data;
}
