/**
 * The entry of catalog/selection: dbt's node selection syntax over the catalog graph (see docs/ARCHITECTURE.md).
 *
 *   const selection = parseSelection("tag:daily +orders", "tag:hourly");      // throws SelectionSyntaxError
 *   const { assetIds, unmatched } = selectAssets(graph, selection);            // sorted asset ids
 *
 * `select` / `exclude` take a string (space = union, comma = intersection) or a list of them (a union), as
 * dbt's `--select` / `--exclude` do. Methods: fqn (a bare name), tag, path, file, package, config.materialized,
 * resource_type, source, exposure, access, version, and Tributary's key:<glob>; operators +x, x+, n+x, x+n, @x.
 */
export { parseCriterion, parseSelection, parseUnion, SelectionSyntaxError } from "./parse.ts";
export type { ParsedSelection, SelectionCriterion, SelectionMethod, SelectionUnion } from "./parse.ts";
export { selectAssets } from "./select.ts";
export type { SelectionResult } from "./select.ts";
