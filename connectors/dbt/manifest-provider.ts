/**
 * A location backed by a `manifest.json` file someone else produced (CI, dbt Cloud, a colleague).
 */
import { basename, dirname, resolve } from "node:path";
import type { DefinitionsProvider, LocationDefinitions, LocationRef } from "../../catalog/model/index.ts";
import { readManifestFile } from "./manifest.ts";
import { translateManifest } from "./translator.ts";

export interface DbtManifestLocationOptions {
  readonly file: string;
  /** Defaults to the manifest's project name, else the folder that holds it. */
  readonly name?: string | null;
}

/** A location that reads a manifest file on every load. */
export function createDbtManifestProvider(options: DbtManifestLocationOptions): DefinitionsProvider {
  const file = resolve(options.file);
  const location: LocationRef = {
    name: options.name ?? defaultLocationName(file),
    kind: "dbt",
    origin: file,
  };
  return {
    location,
    async load(): Promise<LocationDefinitions> {
      const started = performance.now();
      const manifest = await readManifestFile(file, location.name);
      const { specs, diagnostics } = translateManifest(manifest, { locationName: location.name, projectDir: null });
      return {
        location,
        specs,
        diagnostics,
        loadedAt: new Date().toISOString(),
        loadDurationMs: Math.round(performance.now() - started),
      };
    },
  };
}

/** `…/jaffle_shop/target/manifest.json` → `jaffle_shop`. */
function defaultLocationName(file: string): string {
  const folder = dirname(file);
  const name = basename(folder) === "target" ? basename(dirname(folder)) : basename(folder);
  return name || "dbt";
}
