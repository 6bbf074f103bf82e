/**
 * How each warehouse compares identifiers, so that a relation named by dbt or Fivetran finds the relation the
 * warehouse actually holds:
 * - Snowflake stores an unquoted identifier upper-cased (`orders` → `ORDERS`) and a quoted one as written;
 *   stored names compare exactly (`ORDERS` and `"orders"` are two tables). dbt-snowflake does not quote by default.
 * - Postgres (and Redshift) store an unquoted identifier lower-cased and a quoted one as written; stored names
 *   compare exactly. dbt-postgres quotes by default, Fivetran writes lower-case names.
 * - DuckDB keeps the case as written but compares case-insensitively, quoted or not.
 * - BigQuery compares dataset and table names case-sensitively, as written (quoting changes nothing); project
 *   ids are lower-case.
 * A relation written without knowing whether it was quoted is tried first the way the warehouse's usual writer
 * writes it (folded for Snowflake, as written for Postgres), then the other way; a case-insensitive match is
 * only made where the warehouse compares so (DuckDB) — elsewhere a name that differs in case is another relation.
 */
import type { RelationNaming } from "../../catalog/model/index.ts";
import { namingRank } from "../../catalog/model/index.ts";
import type { WarehouseType } from "./engine.ts";

export type IdentifierRules = RelationNaming;
export { foldUnquoted } from "../../catalog/model/index.ts";

export const IDENTIFIER_RULES: Readonly<Record<WarehouseType, IdentifierRules>> = {
  snowflake: { unquoted: "upper", caseSensitive: true, databaseCaseSensitive: true, firstTry: "folded" },
  postgres: { unquoted: "lower", caseSensitive: true, databaseCaseSensitive: true, firstTry: "as-written" },
  duckdb: { unquoted: "as-written", caseSensitive: false, databaseCaseSensitive: false, firstTry: "as-written" },
  bigquery: { unquoted: "as-written", caseSensitive: true, databaseCaseSensitive: false, firstTry: "as-written" },
};

interface Named {
  readonly database: string | null;
  readonly schema: string;
  readonly name: string;
}

/**
 * The relation among `held` (as the warehouse stores them) that `wanted` names, by the warehouse's rules; null
 * when it holds none. `quoted`: whether the writer quoted the identifiers (unknown: try both, `firstTry` first).
 */
export function findRelation<T extends Named>(wanted: Named, held: readonly T[] | RelationIndex<T>, rules: IdentifierRules, quoted?: boolean): T | null {
  const index = held instanceof RelationIndex ? held : new RelationIndex(held);
  let best: T | null = null;
  let bestRank = Infinity;
  for (const candidate of index.candidates(wanted)) {
    const rank = namingRank(wanted, candidate, rules, quoted);
    if (rank !== null && rank < bestRank) {
      best = candidate;
      bestRank = rank;
    }
  }
  return best;
}

/** Relations grouped case-insensitively, so that matching many wanted relations stays linear. */
export class RelationIndex<T extends Named> {
  private readonly byLowerName = new Map<string, T[]>();
  constructor(relations: readonly T[]) {
    for (const relation of relations) {
      const key = `${relation.schema}\u0000${relation.name}`.toLowerCase();
      const list = this.byLowerName.get(key);
      if (list) list.push(relation);
      else this.byLowerName.set(key, [relation]);
    }
  }
  candidates(wanted: Named): readonly T[] {
    return this.byLowerName.get(`${wanted.schema}\u0000${wanted.name}`.toLowerCase()) ?? [];
  }
}

/** The relations among `held` that `wanted` name (each once, in the order wanted), by the warehouse's rules. */
export function findRelations<T extends Named>(wanted: readonly Named[], held: readonly T[], rules: IdentifierRules): T[] {
  const index = new RelationIndex(held);
  const found = new Set<T>();
  for (const relation of wanted) {
    const match = findRelation(relation, index, rules);
    if (match) found.add(match);
  }
  return [...found];
}
