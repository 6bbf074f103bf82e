/**
 * dbt's `sources.json` (written by `dbt source freshness`): for each source table with a freshness policy, when
 * its newest row was loaded and whether that is within the policy (pass / warn / error), or why it could not be
 * checked. Optional, like catalog.json (optional-artifact.ts).
 */
import { z } from "zod";
import { copyWithColumns } from "../../catalog/model/index.ts";
import type { LocationDefinitions, SourceFreshness } from "../../catalog/model/index.ts";
import { parseArtifact, withOptionalArtifact } from "./optional-artifact.ts";

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

/** "12 hours" from {count: 12, period: "hour"}; null when the criterion is not set. */
function criterion(value: z.infer<typeof periodSchema>): string | null {
  if (!value || value.count == null || !value.period) return null;
  return `${value.count} ${value.period}${value.count === 1 ? "" : "s"}`;
}

/** Freshness by source unique_id. */
export function parseDbtFreshness(text: string, file: string): ReadonlyMap<string, SourceFreshness> {
  const sources = parseArtifact(text, file, sourcesSchema, "dbt sources.json");
  const checkedAt = sources.metadata.generated_at ?? null;
  const freshness = new Map<string, SourceFreshness>();
  for (const entry of sources.results) {
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

/** The definitions with each source's freshness from the sources.json at `file`, when there is one. */
export function withDbtFreshnessFile(definitions: LocationDefinitions, file: string | null): Promise<LocationDefinitions> {
  return withOptionalArtifact(
    definitions,
    file,
    { code: "freshness_unreadable", consequence: "Source freshness from it is missing; regenerate it with `dbt source freshness`." },
    (text, path) => {
      const freshness = parseDbtFreshness(text, path);
      const specs = definitions.specs.map((spec) => {
        const found = spec.dbtUniqueId === null ? undefined : freshness.get(spec.dbtUniqueId);
        return found === undefined ? spec : copyWithColumns(spec, { freshness: found });
      });
      return { ...definitions, specs };
    },
  );
}
