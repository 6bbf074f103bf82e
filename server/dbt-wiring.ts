/**
 * dbt locations from flags and tributary.yaml, wired in: a project (`--project`, `dbt.projects`) is parsed by
 * dbt and launched with `dbt build`; a manifest read alone (`--manifest`) only loads, since nothing says how to
 * build it. Parse output and run artifacts go under the data dir, one folder per location, so the project's own
 * target/ is untouched.
 */
import { stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { ConnectorLocation } from "../catalog/model/index.ts";
import { COMPILED_CODE_FILE, createDbtBuildLauncher, createDbtManifestProvider, createDbtProjectProvider, readDbtProjectName } from "../connectors/dbt/index.ts";
import type { ConnectorRegistration } from "./connectors.ts";
import type { DbtLocationConfig } from "./config.ts";

export const dbtConnector: ConnectorRegistration = {
  tool: "dbt",
  async locations({ loaded, dbtProjects, manifests, dataDir }) {
    const configs: DbtLocationConfig[] = [
      ...(loaded?.dbtLocations ?? []),
      ...dbtProjects.map((dir) => ({ kind: "project" as const, dir: resolve(dir), name: null, target: null, profilesDir: null, env: {} })),
      ...manifests.map((file) => ({ kind: "manifest" as const, file: resolve(file), name: null })),
    ];
    const dbtExecutable = loaded?.config.dbt.executable ?? null;
    const locations: ConnectorLocation[] = [];
    for (const config of configs) {
      if (config.kind === "manifest") {
        const provider = createDbtManifestProvider({ file: config.file, name: config.name });
        locations.push({ tool: "dbt", name: provider.location.name, provider, launcher: null, observer: null });
        continue;
      }
      const name = config.name ?? (await readDbtProjectName(config.dir));
      const shared = { projectDir: config.dir, dbtExecutable, profilesDir: config.profilesDir, target: config.target, env: config.env };
      locations.push({
        tool: "dbt",
        name,
        provider: await createDbtProjectProvider({ ...shared, name, targetDir: join(dataDir, "dbt", name, "target") }),
        launcher: createDbtBuildLauncher({
          ...shared,
          locationName: name,
          parseTargetDir: join(dataDir, "dbt", name, "target"),
          runsDir: join(dataDir, "dbt", name, "runs"),
          ...(config.partitionConcurrency ? { partitionConcurrency: config.partitionConcurrency } : {}),
        }),
        observer: null,
        changedByRuns: compiledCodeChanged(join(dataDir, "dbt", name, "target")),
      });
    }
    return locations;
  },
};

/** True once per change of the compiled SQL the project's builds kept (connectors/dbt compiled-code.ts). */
function compiledCodeChanged(parseTargetDir: string): () => Promise<boolean> {
  const file = join(parseTargetDir, COMPILED_CODE_FILE);
  const stampOf = async (): Promise<string> => {
    const info = await stat(file).catch(() => null);
    return info ? `${info.mtimeMs}:${info.size}` : "";
  };
  let seen: Promise<string> = stampOf(); // what the first load reads
  return async () => {
    const [before, now] = await Promise.all([seen, stampOf()]);
    seen = Promise.resolve(now);
    return now !== before;
  };
}
