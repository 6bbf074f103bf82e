/**
 * How the CLI tells people about load problems: one line each, starting with `file:line:` where known, so
 * terminals and editors can jump to the place (the gcc/eslint convention).
 */
import type { Diagnostic } from "../catalog/model/index.ts";
import { LoadError, keyToString } from "../catalog/model/index.ts";
import type { LocationLoadError } from "../catalog/service.ts";

/** `file:line`, `file`, or the fallback when the file is unknown. */
function place(file: string | null | undefined, line: number | null | undefined, fallback: string): string {
  if (file === null || file === undefined || file === "") return fallback;
  return line === null || line === undefined ? file : `${file}:${line}`;
}

/** `models/schema.yml:14: error: message [invalid_policy] (node model.shop.x, asset a/b)` */
export function formatDiagnostic(diagnostic: Diagnostic): string {
  const where = place(diagnostic.at?.file, diagnostic.at?.line, diagnostic.locationName);
  const details = [
    diagnostic.nodeId === null ? null : `node ${diagnostic.nodeId}`,
    diagnostic.assetKey === null ? null : `asset ${keyToString(diagnostic.assetKey)}`,
    diagnostic.at?.path ? `at ${diagnostic.at.path}` : null,
  ].filter((part): part is string => part !== null);
  const suffix = details.length === 0 ? "" : ` (${details.join(", ")})`;
  // Messages meant to stand alone (a schedule's, in logs and GraphQL) start with their own file:line: once is enough.
  const message = diagnostic.message.startsWith(`${where}: `) ? diagnostic.message.slice(where.length + 2) : diagnostic.message;
  return `${where}: ${diagnostic.severity}: ${message} [${diagnostic.code}]${suffix}`;
}

/** A location's load error: `manifest.json: error: message [code] (location shop, node …, at nodes[…])` */
export function formatLocationError(error: LocationLoadError): string {
  const details = [
    `location ${error.locationName}`,
    error.nodeId === null ? null : `node ${error.nodeId}`,
    error.jsonPath === null ? null : `at ${error.jsonPath}`,
  ].filter((part): part is string => part !== null);
  return `${place(error.file, null, error.locationName)}: error: ${error.message} [${error.code}] (${details.join(", ")})`;
}

/** Any error thrown while setting up or loading, as one or more lines for people. */
export function formatStartupError(error: unknown): string {
  if (error instanceof LoadError) {
    return formatLocationError({
      locationName: error.locationName ?? "tributary",
      code: error.code,
      message: error.message,
      file: error.file,
      nodeId: error.nodeId,
      jsonPath: error.jsonPath,
    });
  }
  if (error instanceof Error) return `error: ${error.message}`;
  return `error: ${String(error)}`;
}

/** Diagnostics sorted for reading: errors first, then by file and line. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const rank = { error: 0, warning: 1, info: 2 } as const;
  return [...diagnostics].sort(
    (a, b) =>
      rank[a.severity] - rank[b.severity] ||
      (a.at?.file ?? a.locationName).localeCompare(b.at?.file ?? b.locationName) ||
      (a.at?.line ?? 0) - (b.at?.line ?? 0),
  );
}
