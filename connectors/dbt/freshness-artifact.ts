/**
 * dbt's `sources.json` (written by `dbt source freshness`): for each source table with a freshness policy, when
 * its newest row was loaded and whether that is within the policy (pass / warn / error), or why it could not be
 * checked. Optional, like catalog.json: one that cannot be read is a warning on the location, never a failed load.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { z } from "zod";
import type { Diagnostic, LocationDefinitions, SourceFreshness } from "../../catalog/model/index.ts";
import { formatJsonPath } from "./manifest.ts";

const periodSchema = z.object({ count: z.number().nullish(), period: z.string().nullish() }).nullish();

const resultSchema = z.object({
  unique_id: z.string(),
  status: z.string(),
  max_loaded_at: z.string().nullish(),
  snapshotted_at: z.string().nullish(),
  max_loaded_at_time_ago_in_s: z.number().nullish(),
  criteria: z.object({ warn_after: periodSchema, error_after: periodSchema, filter: z.string().nullish() }).nullish(),
  /** Only on results whose query failed (`runtime error`). */
  error: z.string().nullish(),
});

const sourcesSchema = z.object({
  metadata: z.object({
    dbt_schema_version: z.string().regex(/\/sources\/v\d+\.json$/, "is not a dbt sources (freshness) schema"),
    generated_at: z.string().nullish(),
  }),
  results: z.array(resultSchema),
});

/** A sources.json that could not be used, with where it breaks. */
export class DbtFreshnessError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly jsonPath: string | null,
  ) {
    super(message);
    this.name = "DbtFreshnessError";
  }
}

/** "12 hours" from {count: 12, period: "hour"}; null when the criterion is not set. */
function criterion(value: z.infer<typeof periodSchema>): string | null {
  if (!value || value.count == null || !value.period) return null;
  return `${value.count} ${value.period}${value.count === 1 ? "" : "s"}`;
}

/** Freshness by source unique_id. */
export function parseDbtFreshness(text: string, file: string): ReadonlyMap<string, SourceFreshness> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new DbtFreshnessError(`${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, file, null);
  }
  const result = sourcesSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const jsonPath = formatJsonPath(issue.path);
    throw new DbtFreshnessError(`${file} is not a usable dbt sources.json at ${jsonPath}: ${issue.message}`, file, jsonPath);
  }
  const checkedAt = result.data.metadata.generated_at ?? null;
  const freshness = new Map<string, SourceFreshness>();
  for (const entry of result.data.results) {
    freshness.set(entry.unique_id, {
      source: "dbt sources.json",
      status: entry.status,
      maxLoadedAt: entry.max_loaded_at ?? null,
      checkedAt: entry.snapshotted_at ?? checkedAt,
      ageSeconds: entry.max_loaded_at_time_ago_in_s ?? null,
      warnAfter: criterion(entry.criteria?.warn_after),
      errorAfter: criterion(entry.criteria?.error_after),
      filter: entry.criteria?.filter ?? null,
      error: entry.error ?? null,
    });
  }
  return freshness;
}

/** The definitions with each source's freshness from sources.json, when the file exists (see the module note). */
export async function withDbtFreshnessFile(definitions: LocationDefinitions, file: string | null): Promise<LocationDefinitions> {
  if (file === null || !existsSync(file)) return definitions;
  let freshness: ReadonlyMap<string, SourceFreshness>;
  try {
    freshness = parseDbtFreshness(await readFile(file, "utf8"), file);
  } catch (error) {
    if (!(error instanceof DbtFreshnessError)) throw error;
    const warning: Diagnostic = {
      severity: "warning",
      code: "freshness_unreadable",
      message: `${error.message}. Source freshness from it is missing; regenerate it with \`dbt source freshness\`.`,
      locationName: definitions.location.name,
      assetKey: null,
      nodeId: null,
      at: { file: error.file, line: null, path: error.jsonPath },
    };
    return { ...definitions, diagnostics: [...definitions.diagnostics, warning] };
  }
  const specs = definitions.specs.map((spec) => {
    const found = spec.dbtUniqueId === null ? undefined : freshness.get(spec.dbtUniqueId);
    return found === undefined ? spec : { ...spec, freshness: found };
  });
  return { ...definitions, specs };
}
