/**
 * A Fivetran account as a catalog location: fetch the workspace snapshot, translate it. A failed fetch is a
 * {@link LoadError} naming the endpoint (never a credential), so the location keeps its last good assets.
 */
import type { DefinitionsProvider, LocationDefinitions, LocationRef } from "../../catalog/model/index.ts";
import { LoadError } from "../../catalog/model/index.ts";
import { abortReason, isApiError, safeOrigin } from "../shared/index.ts";
import type { FivetranClient } from "./client.ts";
import { fetchWorkspaceSnapshot } from "./snapshot.ts";
import type { FivetranWorkspaceSnapshot } from "./snapshot.ts";
import { translateWorkspace } from "./translator.ts";
import type { FivetranTranslatorOptions } from "./translator.ts";

export interface FivetranProviderOptions extends Omit<FivetranTranslatorOptions, "locationName"> {
  /** The location name (the account's name in tributary.yaml). */
  readonly name: string;
  readonly client: FivetranClient;
  readonly now?: () => Date;
  /** Called with each snapshot fetched (the observer and the API use the latest connector state). */
  readonly onSnapshot?: (snapshot: FivetranWorkspaceSnapshot) => void;
}

export function createFivetranProvider(options: FivetranProviderOptions): DefinitionsProvider {
  const { name, client, now = () => new Date(), onSnapshot } = options;
  const location: LocationRef = { name, kind: "fivetran", origin: `Fivetran account at ${safeOrigin(client.baseUrl)}` };
  return {
    location,
    async load(loadOptions = {}): Promise<LocationDefinitions> {
      const started = performance.now();
      let snapshot: FivetranWorkspaceSnapshot;
      try {
        snapshot = await fetchWorkspaceSnapshot(client, {
          now,
          ...(loadOptions.onProgress ? { onProgress: loadOptions.onProgress } : {}),
          ...(loadOptions.signal ? { signal: loadOptions.signal } : {}),
        });
      } catch (error) {
        if (loadOptions.signal?.aborted) throw new LoadError("fivetran_load_aborted", `Loading Fivetran account "${name}" was stopped: ${abortReason(loadOptions.signal)}`, { locationName: name });
        const code = isApiError(error) ? `fivetran_${error.code}` : "fivetran_unreachable";
        const message = client.redact(error instanceof Error ? error.message : String(error));
        throw new LoadError(code, `Cannot load Fivetran account "${name}": ${message}`, { locationName: name });
      }
      onSnapshot?.(snapshot);
      const { specs, diagnostics } = translateWorkspace(snapshot, { ...options, locationName: name });
      return {
        location,
        specs,
        diagnostics,
        loadedAt: now().toISOString(),
        loadDurationMs: Math.round(performance.now() - started),
      };
    },
  };
}
