/**
 * What dbt's optional artifacts (catalog.json, sources.json) share: a typed error naming the file and JSON path,
 * validation at the boundary, and the rule that one that cannot be used is a warning on its location, never a
 * failed load.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import type { z } from "zod";
import type { LocationDefinitions } from "../../catalog/model/index.ts";
import { decodeJsonBytes, describeJsonSyntaxError } from "./json-text.ts";
import { formatJsonPath } from "./manifest.ts";

/** An artifact that could not be used, with where it breaks. */
export class DbtArtifactError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly jsonPath: string | null,
  ) {
    super(message);
    this.name = "DbtArtifactError";
  }
}

/** Parses and validates an artifact's text; `what` names it in errors ("dbt catalog"). */
export function parseArtifact<S extends z.ZodType>(text: string, file: string, schema: S, what: string): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new DbtArtifactError(`${file} ${describeJsonSyntaxError(text, error, "Was it copied while dbt was still writing it?")}`, file, null);
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const jsonPath = formatJsonPath(issue.path);
    throw new DbtArtifactError(`${file} is not a usable ${what} at ${jsonPath}: ${issue.message}`, file, jsonPath);
  }
  return result.data;
}

/** An artifact file's text; a file that cannot be read is a {@link DbtArtifactError}. */
export async function readArtifactText(file: string): Promise<string> {
  try {
    // UTF-8 (a BOM is dropped) or UTF-16, as for the manifest.
    return decodeJsonBytes(await readFile(file)).text;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DbtArtifactError(`Cannot read ${file}: ${code === "ENOENT" ? "no such file" : String(error)}`, file, null);
  }
}

export interface OptionalArtifact {
  /** The diagnostic code when it cannot be used, e.g. `catalog_unreadable`. */
  readonly code: string;
  /** What is missing then, and how to regenerate it: "Column types … are missing; regenerate it with …". */
  readonly consequence: string;
}

/**
 * The definitions with the artifact at `file` applied, when there is one: a missing file changes nothing, an
 * unusable one adds a warning naming the file and JSON path and changes nothing else.
 */
export async function withOptionalArtifact(
  definitions: LocationDefinitions,
  file: string | null,
  artifact: OptionalArtifact,
  apply: (text: string, file: string) => LocationDefinitions,
): Promise<LocationDefinitions> {
  if (file === null || !existsSync(file)) return definitions;
  try {
    return apply(await readArtifactText(file), file);
  } catch (error) {
    if (!(error instanceof DbtArtifactError)) throw error;
    return {
      ...definitions,
      diagnostics: [
        ...definitions.diagnostics,
        {
          severity: "warning",
          code: artifact.code,
          message: `${error.message}. ${artifact.consequence}`,
          locationName: definitions.location.name,
          assetKey: null,
          nodeId: null,
          at: { file: error.file, line: null, path: error.jsonPath },
        },
      ],
    };
  }
}
