/** Small helpers to write asset specs in tests without repeating every field. */
import type { AssetSpec, LocationDefinitions, LocationKind, Relation } from "../model/index.ts";

/** A spec with defaults; `deps` are key strings ("a/b"); `location` names the location that builds it. */
export function spec(
  key: string,
  overrides: Partial<Omit<AssetSpec, "deps" | "key">> & { deps?: string[]; relation?: Relation | null; location?: string } = {},
): AssetSpec {
  const { deps = [], location = "shop", ...rest } = overrides;
  return {
    key: key.split("/"),
    relation: null,
    kinds: ["dbt", "duckdb"],
    group: null,
    owners: [],
    tags: [],
    description: null,
    deps: deps.map((d) => ({ kind: "key" as const, key: d.split("/") })),
    columns: [],
    checks: [],
    policy: null,
    codeVersion: null,
    materializer: { tool: "dbt", locationName: location, runTargetId: `model.shop.${key.replaceAll("/", "_")}` },
    dbtUniqueId: `model.shop.${key.replaceAll("/", "_")}`,
    definedIn: null,
    metadata: {},
    ...rest,
  };
}

export function definitions(name: string, specs: AssetSpec[], kind: LocationKind = "dbt"): LocationDefinitions {
  return { location: { name, kind, origin: `test:${name}` }, specs, diagnostics: [], loadedAt: "2026-11-24T00:00:00.000Z", loadDurationMs: 1 };
}
