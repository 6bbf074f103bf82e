/**
 * A location backed by a `manifest.json` file someone else produced (CI, dbt Cloud, a colleague).
 */
import { basename, dirname, join, resolve } from "node:path";
import type { DefinitionsProvider, LocationDefinitions, LocationRef } from "../../catalog/model/index.ts";
import { withDbtCatalogFile } from "./catalog-artifact.ts";
import { columnLineageFollowUp, createColumnLineageCache } from "./column-lineage-follow-up.ts";
import { columnLineageInput } from "./manifest-column-lineage.ts";
import { withDbtFreshnessFile } from "./freshness-artifact.ts";
import { readManifestFile } from "./manifest.ts";
import { translateManifest } from "./translator.ts";

export interface DbtManifestLocationOptions {
  readonly file: string;
  /** Defaults to the manifest's project name, else the folder that holds it. */
  readonly name?: string | null;
  /**
   * dbt's catalog.json, for the warehouse's column types and table statistics: by default the `catalog.json`
   * beside the manifest, when there is one (`dbt docs generate` writes both into target/); null for none.
   */
  readonly catalogFile?: string | null;
  /** dbt's sources.json (`dbt source freshness`), for source freshness: by default the one beside the manifest. */
  readonly freshnessFile?: string | null;
}

/**
 * A location that reads a manifest file on every load. Column lineage (compiled SQL) is not in the load's
 * definitions but their follow-up, computed on a worker thread after they are served.
 */
export function createDbtManifestProvider(options: DbtManifestLocationOptions): DefinitionsProvider {
  const file = resolve(options.file);
  const catalogFile = options.catalogFile === undefined ? join(dirname(file), "catalog.json") : options.catalogFile && resolve(options.catalogFile);
  const freshnessFile = options.freshnessFile === undefined ? join(dirname(file), "sources.json") : options.freshnessFile && resolve(options.freshnessFile);
  const location: LocationRef = {
    name: options.name ?? defaultLocationName(file),
    kind: "dbt",
    origin: file,
  };
  const lineageCache = createColumnLineageCache();
  return {
    location,
    async load(): Promise<LocationDefinitions> {
      const started = performance.now();
      const manifest = await readManifestFile(file, location.name);
      const { specs, diagnostics } = translateManifest(manifest, { locationName: location.name, projectDir: null, columnLineage: "skip" });
      const lineageInput = columnLineageInput(manifest);
      const withCatalog = await withDbtCatalogFile({ location, specs, diagnostics, loadedAt: "", loadDurationMs: 0 }, catalogFile);
      const served = { ...(await withDbtFreshnessFile(withCatalog, freshnessFile)), loadedAt: new Date().toISOString(), loadDurationMs: Math.round(performance.now() - started) };
      const followUp = columnLineageFollowUp(served, lineageInput, lineageCache);
      return followUp ? { ...served, followUp } : served;
    },
  };
}

/** `…/jaffle_shop/target/manifest.json` → `jaffle_shop`. */
function defaultLocationName(file: string): string {
  const folder = dirname(file);
  const name = basename(folder) === "target" ? basename(dirname(folder)) : basename(folder);
  return name || "dbt";
}
