/**
 * OpenLineage, wired: its settings from tributary.yaml's `openlineage:` and the environment variables the
 * OpenLineage clients read (OPENLINEAGE_URL, OPENLINEAGE_ENDPOINT, OPENLINEAGE_API_KEY, OPENLINEAGE_NAMESPACE,
 * OPENLINEAGE_DISABLED), the namespace of each location's warehouse, and the emitter the runs engine tells.
 */
import { basename } from "node:path";
import type { Logger } from "pino";
import type { CatalogGraph } from "../../catalog/graph/index.ts";
import { LoadError } from "../../catalog/model/index.ts";
import { runSql, type SqlClient } from "../../catalog/store/index.ts";
import { readDbtProjectName } from "../../connectors/dbt/index.ts";
import { readProfileOutput } from "../../connectors/warehouse/index.ts";
import type { LoadedConfig } from "../config.ts";
import { dbtProjectDirs, warehouseConnectionOf } from "../warehouse-wiring.ts";
import { createFileTransport, createHttpTransport, createLineageEmitter, type LineageEmitter, type LineageTransport } from "./emitter.ts";
import { connectionNamespace, createDatasetNamer, profileNamespace } from "./namespaces.ts";

export interface OpenLineageSettings {
  readonly transport: { readonly kind: "http"; readonly url: string; readonly endpoint: string; readonly apiKey: string | null; readonly timeoutMs: number } | { readonly kind: "file"; readonly path: string };
  readonly namespace: string;
  readonly attempts: number;
  readonly retryDelayMs: number;
}

/**
 * The settings in effect, or null when OpenLineage is off: no `openlineage:` section and no OPENLINEAGE_URL, or
 * OPENLINEAGE_DISABLED=true. The file's values win over the environment's.
 */
export function resolveOpenLineageSettings(loaded: Pick<LoadedConfig, "config" | "file"> | null, env: Readonly<Record<string, string | undefined>>): OpenLineageSettings | null {
  if ((env["OPENLINEAGE_DISABLED"] ?? "").toLowerCase() === "true") return null;
  const section = loaded?.config.openlineage;
  const envUrl = env["OPENLINEAGE_URL"] || undefined;
  if (section === undefined && envUrl === undefined) return null;
  const namespace = section?.namespace ?? (env["OPENLINEAGE_NAMESPACE"] || "tributary");
  const attempts = section?.attempts ?? 5;
  const retryDelayMs = (section?.retry_delay_seconds ?? 1) * 1000;
  if (section?.path !== undefined) return { transport: { kind: "file", path: section.path }, namespace, attempts, retryDelayMs };
  const url = section?.url ?? envUrl;
  if (url === undefined) {
    throw new LoadError("config_invalid", `${loaded?.file ?? "tributary.yaml"}: openlineage: the http transport needs url (or OPENLINEAGE_URL in the environment)`, {
      file: loaded?.file ?? null,
      jsonPath: "openlineage.url",
    });
  }
  return {
    transport: {
      kind: "http",
      url,
      endpoint: section?.endpoint ?? (env["OPENLINEAGE_ENDPOINT"] || "api/v1/lineage"),
      apiKey: section?.api_key ?? (env["OPENLINEAGE_API_KEY"] || null),
      timeoutMs: (section?.timeout_seconds ?? 5) * 1000,
    },
    namespace,
    attempts,
    retryDelayMs,
  };
}

/**
 * The dataset namespace of each location whose warehouse is known: `warehouses.connections[]` by name, and
 * each dbt project (and its `<project>-warehouse` location) by its profile's target, for every adapter the
 * naming spec names (Snowflake and BigQuery too, which Tributary does not read). A profile that cannot be read
 * leaves its project out (its datasets fall back to `tributary://{location}`).
 */
export async function locationNamespaces(loaded: LoadedConfig | null, flagDirs: readonly string[], logger: Logger): Promise<Map<string, string>> {
  const namespaces = new Map<string, string>();
  for (const connection of loaded?.config.warehouses.connections ?? []) namespaces.set(connection.name, connectionNamespace(warehouseConnectionOf(connection)));
  for (const project of dbtProjectDirs(loaded, flagDirs)) {
    const name = project.name ?? (await readDbtProjectName(project.dir).catch(() => basename(project.dir)));
    try {
      const output = await readProfileOutput({ projectDir: project.dir, profilesDir: project.profilesDir, target: project.target, env: { ...process.env, ...project.env } });
      const namespace = profileNamespace(output);
      if (namespace === null) continue;
      namespaces.set(name, namespace);
      if (!namespaces.has(`${name}-warehouse`)) namespaces.set(`${name}-warehouse`, namespace);
    } catch (error) {
      logger.debug({ component: "openlineage", project: project.dir, error: error instanceof Error ? error.message : String(error) }, "no dataset namespace for this dbt project");
    }
  }
  return namespaces;
}

/** The emitter for these settings; an undelivered event is written to its run's log as a warning. */
export function createOpenLineage(options: {
  readonly settings: OpenLineageSettings;
  readonly namespaces: ReadonlyMap<string, string>;
  readonly graph: () => CatalogGraph | null;
  readonly client: SqlClient;
  readonly logger: Logger;
  readonly onRunChanged?: (runId: string) => void;
}): LineageEmitter {
  const { settings } = options;
  const transport: LineageTransport =
    settings.transport.kind === "http"
      ? createHttpTransport({ url: settings.transport.url, endpoint: settings.transport.endpoint, apiKey: settings.transport.apiKey, timeoutMs: settings.transport.timeoutMs })
      : createFileTransport({ path: settings.transport.path });
  const namer = createDatasetNamer(options.namespaces);
  return createLineageEmitter({
    transport,
    context: () => ({ namespace: settings.namespace, graph: options.graph(), namer }),
    logger: options.logger,
    attempts: settings.attempts,
    retryDelayMs: settings.retryDelayMs,
    onUndelivered(event, reason, origin) {
      const message = `OpenLineage: the ${event.eventType} event of ${origin.stepIndex === null ? "the run" : `step ${origin.stepIndex + 1}`} (job ${event.job.name}) was not delivered: ${reason}`;
      runSql
        .appendRunLogs(options.client, origin.runId, origin.stepIndex, [{ level: "warn", message, data: { openlineage: { eventType: event.eventType, job: event.job.name, runId: event.run.runId } } }])
        .then(() => options.onRunChanged?.(origin.runId))
        .catch(() => undefined);
    },
  });
}
