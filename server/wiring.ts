/**
 * The one place connectors are wired into the catalog: builds the locations named by flags and
 * tributary.yaml, opens the store (embedded PGlite, or Postgres via DATABASE_URL), and returns the catalog
 * service `serve` and `check` run on.
 */
import { join, resolve } from "node:path";
import type { DefinitionsProvider, PolicyRule } from "../catalog/model/index.ts";
import { createCatalogService as createService } from "../catalog/service.ts";
import type { CatalogStore } from "../catalog/store/index.ts";
import { openCatalogStore } from "../catalog/store/index.ts";
import { createDbtManifestProvider } from "../connectors/dbt/manifest-provider.ts";
import { createDbtProjectProvider, readDbtProjectName } from "../connectors/dbt/project-provider.ts";
import type { DbtLocationConfig } from "./config.ts";
import { loadConfig } from "./config.ts";
import { createCensusLocations } from "./census-wiring.ts";
import type { CensusLocations } from "./census-wiring.ts";
import { createFivetranLocations } from "./fivetran-wiring.ts";
import type { FivetranLocations } from "./fivetran-wiring.ts";
import { createStoreAutomationSource } from "./automation-source.ts";
import type { CatalogServiceRequest, ServeRuntime } from "./serve.ts";

/** Builds the providers for every location the request and its config file name. */
export async function createProviders(request: Pick<CatalogServiceRequest, "config" | "dbtProjects" | "manifests" | "dataDir" | "logger">): Promise<{
  providers: DefinitionsProvider[];
  databaseUrl: string | null;
  /** The data dir in effect: tributary.yaml's storage.data_dir, else the flag. */
  dataDir: string;
  /** The Fivetran accounts of tributary.yaml (their providers are in `providers`). */
  fivetran: FivetranLocations;
  /** The Census workspaces of tributary.yaml (their providers are in `providers`). */
  census: CensusLocations;
  /** tributary.yaml's `policies`, for assets that declare none. */
  policyRules: readonly PolicyRule[];
}> {
  const loaded = request.config ? await loadConfig(request.config) : null;
  const locations: DbtLocationConfig[] = [
    ...(loaded?.dbtLocations ?? []),
    ...request.dbtProjects.map((dir) => ({ kind: "project" as const, dir: resolve(dir), name: null, target: null, profilesDir: null, env: {} })),
    ...request.manifests.map((file) => ({ kind: "manifest" as const, file: resolve(file), name: null })),
  ];
  const dataDir = loaded?.dataDir ?? resolve(request.dataDir);
  const providers: DefinitionsProvider[] = [];
  for (const location of locations) {
    if (location.kind === "manifest") {
      providers.push(createDbtManifestProvider({ file: location.file, name: location.name }));
      continue;
    }
    // Parse output goes under the data dir, one folder per location, so the project's own target/ is untouched.
    const name = location.name ?? (await readDbtProjectName(location.dir));
    providers.push(
      await createDbtProjectProvider({
        projectDir: location.dir,
        name,
        targetDir: join(dataDir, "dbt", name, "target"),
        dbtExecutable: loaded?.config.dbt.executable ?? null,
        profilesDir: location.profilesDir,
        target: location.target,
        env: location.env,
      }),
    );
  }
  const fivetran = createFivetranLocations(loaded?.config.fivetran.accounts ?? [], request.logger);
  providers.push(...fivetran.providers);
  const census = createCensusLocations(loaded?.config.census.workspaces ?? [], request.logger);
  providers.push(...census.providers);
  const databaseUrl = process.env["DATABASE_URL"] || loaded?.config.storage.database_url || null;
  return { providers, databaseUrl, dataDir, fivetran, census, policyRules: loaded?.policyRules ?? [] };
}

/** See {@link import("./serve.ts").ServeDependencies.createCatalogService}. */
export async function createCatalogService(request: CatalogServiceRequest, onProgress: (message: string) => void): Promise<ServeRuntime> {
  const { providers, databaseUrl, dataDir, fivetran, census, policyRules } = await createProviders(request);
  // `check` validates only: it writes nothing, so it needs no store.
  let store: CatalogStore | null = null;
  if (request.purpose === "serve") {
    onProgress(databaseUrl ? "opening the Postgres store (DATABASE_URL)" : `opening the embedded store in ${dataDir}`);
    store = await openCatalogStore({ databaseUrl, dataDir, logger: request.logger });
  }
  const service = createService({ providers, store, policyRules, onProgress });
  // Fivetran's own syncs are recorded as materializations while serving (they need the store).
  if (store && request.scheduler) {
    fivetran.startObservers(store);
    census.startObservers(store);
  }
  return {
    current: () => service.current(),
    get ready() {
      return service.ready;
    },
    reload: () => service.reload(),
    ...(store ? { events: store, automation: createStoreAutomationSource(store, () => (service.ready ? service.current() : null)) } : {}),
    liveMaterializerMetadata: (materializer) => fivetran.liveMetadata(materializer) ?? census.liveMetadata(materializer),
    async close() {
      await fivetran.stop();
      await census.stop();
      await store?.close();
    },
  };
}
