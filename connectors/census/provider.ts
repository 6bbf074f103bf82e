/**
 * A Census workspace as a catalog location: fetch the snapshot, translate it. A failed fetch is a
 * {@link LoadError} naming the endpoint (never the token), so the location keeps its last good assets.
 */
import type { DefinitionsProvider, LocationDefinitions, LocationRef } from "../../catalog/model/index.ts";
import { LoadError } from "../../catalog/model/index.ts";
import { abortReason, isApiError, safeOrigin } from "../shared/index.ts";
import type { CensusClient } from "./client.ts";
import { fetchCensusSnapshot } from "./snapshot.ts";
import type { CensusWorkspaceSnapshot } from "./snapshot.ts";
import { translateCensusWorkspace } from "./translator.ts";

export interface CensusProviderOptions {
  readonly name: string;
  readonly client: CensusClient;
  readonly appUrl?: string;
  /** What to do with a sync Census runs on a schedule of its own (default `respect`; see {@link CensusTranslatorOptions}). */
  readonly scheduledSyncs?: "respect" | "trigger";
  readonly now?: () => Date;
  readonly onSnapshot?: (snapshot: CensusWorkspaceSnapshot) => void;
}

export function createCensusProvider(options: CensusProviderOptions): DefinitionsProvider {
  const { name, client, now = () => new Date(), onSnapshot } = options;
  const location: LocationRef = { name, kind: "census", origin: `Census workspace at ${safeOrigin(client.baseUrl)} (API ${client.profile.version})` };
  return {
    location,
    async load(loadOptions = {}): Promise<LocationDefinitions> {
      const started = performance.now();
      let snapshot: CensusWorkspaceSnapshot;
      try {
        snapshot = await fetchCensusSnapshot(client, {
          now,
          ...(loadOptions.onProgress ? { onProgress: loadOptions.onProgress } : {}),
          ...(loadOptions.signal ? { signal: loadOptions.signal } : {}),
        });
      } catch (error) {
        if (loadOptions.signal?.aborted) throw new LoadError("census_load_aborted", `Loading Census workspace "${name}" was stopped: ${abortReason(loadOptions.signal)}`, { locationName: name });
        const code = isApiError(error) ? `census_${error.code}` : "census_unreachable";
        throw new LoadError(code, `Cannot load Census workspace "${name}": ${client.redact(error instanceof Error ? error.message : String(error))}`, { locationName: name });
      }
      onSnapshot?.(snapshot);
      const { specs, diagnostics } = translateCensusWorkspace(snapshot, {
        locationName: name,
        apiBaseUrl: client.baseUrl,
        ...(options.appUrl ? { appUrl: options.appUrl } : {}),
        ...(options.scheduledSyncs ? { scheduledSyncs: options.scheduledSyncs } : {}),
      });
      return { location, specs, diagnostics, loadedAt: now().toISOString(), loadDurationMs: Math.round(performance.now() - started) };
    },
  };
}
