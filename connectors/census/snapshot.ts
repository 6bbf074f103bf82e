/**
 * Fetches a Census workspace into a plain, serializable snapshot: syncs, sources (warehouse connections) and
 * destinations. The only code of the load path that talks to Census; ./translator.ts turns it into asset
 * specs without I/O.
 */
import type { CensusClient } from "./client.ts";
import type { CensusDestination, CensusSource, CensusSync } from "./schemas.ts";

export interface CensusWorkspaceSnapshot {
  readonly fetchedAt: string;
  readonly apiVersion: string;
  readonly syncs: readonly CensusSync[];
  readonly sources: readonly CensusSource[];
  readonly destinations: readonly CensusDestination[];
}

/** Reads the whole workspace; any API error fails the fetch, so a half-read workspace never replaces a good catalog. */
export async function fetchCensusSnapshot(
  client: CensusClient,
  options: { readonly now?: () => Date; readonly onProgress?: (message: string) => void; readonly signal?: AbortSignal } = {},
): Promise<CensusWorkspaceSnapshot> {
  const { now = () => new Date(), onProgress = () => {}, signal } = options;
  // An aborted load makes no further call (each list stops before its next page).
  const list = signal ? { signal } : {};
  const [syncs, sources, destinations] = await Promise.all([client.listSyncs(list), client.listSources(list), client.listDestinations(list)]);
  onProgress(`${syncs.length} Census syncs, ${sources.length} sources, ${destinations.length} destinations`);
  return { fetchedAt: now().toISOString(), apiVersion: client.profile.version, syncs, sources, destinations };
}
