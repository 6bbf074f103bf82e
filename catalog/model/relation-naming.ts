/**
 * How a warehouse names relations, as data the catalog can apply: whether it folds unquoted identifiers and
 * whether stored names that differ only in case are different relations. A warehouse location puts its rules on
 * the relations it describes (connectors/warehouse/identifiers.ts has each engine's), and the catalog joins a
 * relation that dbt or Fivetran names to the stored relation those rules say it is — not merely to one whose
 * name is equal ignoring case.
 */
import type { Relation } from "./index.ts";

export interface RelationNaming {
  /** How an unquoted identifier is stored. */
  readonly unquoted: "upper" | "lower" | "as-written";
  /** Whether stored names that differ only in case are different relations. */
  readonly caseSensitive: boolean;
  /** Whether the database part (a BigQuery project) compares case-sensitively. */
  readonly databaseCaseSensitive: boolean;
  /** Which spelling to try first for a name written without knowing whether it was quoted. */
  readonly firstTry: "folded" | "as-written";
}

/** The name a warehouse stores for an identifier written unquoted. */
export function foldUnquoted(identifier: string, naming: RelationNaming): string {
  return naming.unquoted === "upper" ? identifier.toUpperCase() : naming.unquoted === "lower" ? identifier.toLowerCase() : identifier;
}

/**
 * Whether `written` (as a tool wrote it; `quoted` when known) names the `stored` relation under `naming`: null
 * when it does not, else a rank — 0 for the spelling the warehouse's usual writer produces, 1 for the other —
 * so that among relations equal ignoring case the best-named one wins.
 */
export function namingRank(written: Relation, stored: Relation, naming: RelationNaming, quoted?: boolean): number | null {
  const sameIgnoringCase = (a: string | null, b: string | null): boolean => (a ?? "").toLowerCase() === (b ?? "").toLowerCase();
  if (written.database !== null && stored.database !== null) {
    const databaseOk = naming.caseSensitive && naming.databaseCaseSensitive ? spellings(written.database, naming, quoted).includes(stored.database) : sameIgnoringCase(written.database, stored.database);
    if (!databaseOk) return null;
  }
  if (!naming.caseSensitive) return sameIgnoringCase(written.schema, stored.schema) && sameIgnoringCase(written.name, stored.name) ? 0 : null;
  const schemaRank = spellings(written.schema, naming, quoted).indexOf(stored.schema);
  const nameRank = spellings(written.name, naming, quoted).indexOf(stored.name);
  return schemaRank < 0 || nameRank < 0 ? null : Math.max(schemaRank, nameRank);
}

/** The stored names an identifier may have: as folded and as written, the writer's usual one first. */
function spellings(identifier: string, naming: RelationNaming, quoted: boolean | undefined): string[] {
  const folded = foldUnquoted(identifier, naming);
  if (quoted === true) return [identifier];
  if (quoted === false || folded === identifier) return [folded];
  return naming.firstTry === "folded" ? [folded, identifier] : [identifier, folded];
}
