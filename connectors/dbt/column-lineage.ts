/**
 * Column-level lineage of a dbt model from its compiled SQL, parsed by node-sql-parser (a real SQL grammar per
 * dialect; no pattern matching on the text). For each output column: the upstream relation columns it derives
 * from, and whether it is a copy (same name), a rename (a bare column under another name) or a transformation
 * (anything computed), followed through CTEs, subqueries, joins, `select *` / `t.*` (expanded from the upstream
 * columns the caller knows), aliases and unions (position by position). Where it cannot follow — the parser
 * refuses the SQL, a `*` over a relation whose columns are unknown, a column no FROM item can be shown to
 * hold — it says so (`followed: false` with the reason) instead of guessing.
 *
 * Dialects: DuckDB and Postgres compile to SQL that node-sql-parser's postgresql grammar reads; what it refuses
 * there (DuckDB's `count(*) filter (where …)` in some positions, `interval 1 day`) is tried with its snowflake
 * grammar, which shares most of the syntax. Snowflake, BigQuery and Redshift use their own grammars.
 */
import { createRequire } from "node:module";
import type NodeSqlParser from "node-sql-parser";

// Loaded on the first model with compiled SQL, not at start: the grammars take ≈0.35 s to load and a server
// whose manifests carry no compiled SQL never needs them.
let parserModule: typeof NodeSqlParser | null = null;
function sqlParser(): InstanceType<typeof NodeSqlParser.Parser> {
  parserModule ??= createRequire(import.meta.url)("node-sql-parser") as typeof NodeSqlParser;
  return new parserModule.Parser();
}

export type ColumnTransformation = "copy" | "rename" | "transformation";

export interface LineageRelation {
  readonly database: string | null;
  readonly schema: string | null;
  readonly name: string;
}

export interface UpstreamColumn {
  readonly relation: LineageRelation;
  readonly column: string;
}

export interface OutputColumnLineage {
  readonly column: string;
  readonly upstream: readonly UpstreamColumn[];
  /** Null when not followed. */
  readonly transformation: ColumnTransformation | null;
  readonly followed: boolean;
  /** Why it was not followed (or only partly: a reference that resolved to nothing). */
  readonly note: string | null;
}

export interface ModelColumnLineage {
  /** False when the SQL could not be followed at all (`reason` says why); columns are then empty. */
  readonly followed: boolean;
  readonly reason: string | null;
  readonly columns: readonly OutputColumnLineage[];
}

export interface ColumnLineageInput {
  readonly sql: string;
  /** The dbt adapter type: duckdb, postgres, snowflake, bigquery, redshift… */
  readonly adapter: string;
  /**
   * The columns of an upstream relation, in order, when known (for `select *`): `complete` when they are all of
   * them (the warehouse's, or a model's resolved output), false when only some are (documented in YAML); null
   * when none are known.
   */
  readonly columnsOf: (relation: LineageRelation) => { readonly columns: readonly string[]; readonly complete: boolean } | null;
}

const GRAMMARS: Record<string, readonly string[]> = {
  duckdb: ["postgresql", "snowflake"],
  postgres: ["postgresql", "snowflake"],
  redshift: ["redshift", "postgresql"],
  snowflake: ["snowflake"],
  bigquery: ["bigquery"],
  databricks: ["hive", "postgresql"],
  spark: ["hive", "postgresql"],
  trino: ["trino", "postgresql"],
};

/** One output column of a query as resolved so far. */
interface Resolved {
  readonly name: string;
  readonly upstream: UpstreamColumn[];
  readonly transformation: ColumnTransformation;
  readonly note: string | null;
}

/**
 * A query's output columns; `open` lists the base relations a `*` passed through whose columns are not all
 * known: a name not among the columns can only come from one of them.
 */
type Columns = Resolved[] & { open?: LineageRelation[] };

/** A FROM item in scope: its alias, and either its resolved columns or a base relation. */
interface FromItem {
  readonly alias: string;
  /** Set for a CTE or subquery. */
  readonly columns: Columns | null;
  /** Set for a base relation. */
  readonly relation: LineageRelation | null;
  /** The base relation's known columns (null: none known). */
  readonly known: readonly string[] | null;
  readonly complete: boolean;
}

class NotFollowed extends Error {}

type Node = Record<string, unknown>;

const RANK: Record<ColumnTransformation, number> = { copy: 0, rename: 1, transformation: 2 };
const worse = (a: ColumnTransformation, b: ColumnTransformation): ColumnTransformation => (RANK[a] >= RANK[b] ? a : b);

export function columnLineageOfSql(input: ColumnLineageInput): ModelColumnLineage {
  const grammars = GRAMMARS[input.adapter.toLowerCase()] ?? ["postgresql"];
  const parser = sqlParser();
  let ast: unknown = null;
  let firstError: string | null = null;
  for (const database of grammars) {
    try {
      ast = parser.astify(input.sql, { database });
      break;
    } catch (error) {
      firstError ??= `the ${database} grammar cannot parse it: ${(error instanceof Error ? error.message : String(error)).slice(0, 200)}`;
    }
  }
  if (ast === null) return { followed: false, reason: firstError, columns: [] };
  const statements = (Array.isArray(ast) ? ast : [ast]) as Node[];
  const select = [...statements].reverse().find((s) => s["type"] === "select");
  if (!select) return { followed: false, reason: "the compiled SQL has no SELECT", columns: [] };
  try {
    const columns = new Analyzer(input.columnsOf).query(select, new Map());
    if (columns.open && columns.open.length > 0) {
      return { followed: false, reason: `select * from ${columns.open.map(relationText).join(", ")}, whose columns are not all known`, columns: [] };
    }
    return {
      followed: true,
      reason: null,
      columns: columns.map((c) => ({
        column: c.name,
        upstream: dedupe(c.upstream),
        transformation: c.note !== null && c.upstream.length === 0 ? null : c.transformation,
        followed: c.note === null,
        note: c.note,
      })),
    };
  } catch (error) {
    if (error instanceof NotFollowed) return { followed: false, reason: error.message, columns: [] };
    throw error;
  }
}

class Analyzer {
  constructor(private readonly columnsOf: ColumnLineageInput["columnsOf"]) {}

  /** A select (with its WITH clause and set operations) as resolved output columns. */
  query(select: Node, outerCtes: ReadonlyMap<string, Columns>): Columns {
    const ctes = this.withClause(select, outerCtes);
    const first = this.single(select, ctes);
    // UNION / INTERSECT / EXCEPT: position by position, every branch's sources.
    let next = select["_next"] as Node | undefined;
    let result: Columns = first;
    while (next) {
      const branch = this.single(next, this.withClause(next, ctes));
      result = result.map((column, i) => {
        const other = branch[i];
        if (!other) return column;
        return {
          name: column.name,
          upstream: [...column.upstream, ...other.upstream],
          transformation: worse(worse(column.transformation, other.transformation), namesDiffer(column, other) ? "rename" : "copy"),
          note: column.note ?? other.note,
        };
      });
      result.open = [...(result.open ?? []), ...(branch.open ?? [])];
      next = next["_next"] as Node | undefined;
    }
    return result;
  }

  /** The CTEs in scope of a select: the outer ones and those of its own WITH, each resolved in order. */
  private withClause(select: Node, outer: ReadonlyMap<string, Columns>): ReadonlyMap<string, Columns> {
    const list = (select["with"] as Node[] | null | undefined) ?? [];
    if (list.length === 0) return outer;
    const ctes = new Map(outer);
    for (const cte of list) {
      const name = identifier(cte["name"]);
      const stmt = ((cte["stmt"] as Node)["ast"] as Node | undefined) ?? (cte["stmt"] as Node);
      let columns = this.query(stmt, ctes);
      const declared = cte["columns"] as unknown[] | null;
      if (Array.isArray(declared) && declared.length > 0) columns = withOpen(columns.map((c, i) => ({ ...c, name: declared[i] !== undefined ? identifier(declared[i]) : c.name })), columns.open);
      ctes.set(name.toLowerCase(), columns);
    }
    return ctes;
  }

  /** One SELECT without its set operations, its WITH already in `ctes`. */
  private single(select: Node, ctes: ReadonlyMap<string, Columns>): Columns {
    if (select["type"] !== "select") throw new NotFollowed(`a ${String(select["type"])} statement where a SELECT was expected`);
    const scopeCtes = ctes;
    const from = this.fromItems((select["from"] as Node[] | null) ?? [], scopeCtes);
    const output: Columns = [];
    const columns = select["columns"];
    if (columns === "*") {
      for (const item of from) this.star(item, output);
      return output;
    }
    for (const entry of (columns as Node[]) ?? []) {
      const expr = entry["expr"] as Node;
      if (expr["type"] === "column_ref" && columnName(expr) === "*") {
        const qualifier = tableName(expr["table"]);
        const items = qualifier === null ? from : from.filter((f) => f.alias.toLowerCase() === qualifier.toLowerCase());
        if (items.length === 0) throw new NotFollowed(`${qualifier}.* names nothing in FROM`);
        for (const item of items) this.star(item, output);
        continue;
      }
      const alias = entry["as"] === null || entry["as"] === undefined ? null : identifier(entry["as"]);
      output.push(this.expression(expr, alias, from, scopeCtes));
    }
    return output;
  }

  /** `*` over one FROM item, appended to `output` (a relation whose columns are not all known stays open). */
  private star(item: FromItem, output: Columns): void {
    if (item.columns) {
      output.push(...item.columns.map((c) => ({ ...c })));
      if (item.columns.open) output.open = [...(output.open ?? []), ...item.columns.open];
      return;
    }
    if (!item.relation) return; // a table function: its columns are not known here
    output.push(...(item.known ?? []).map((name) => ({ name, upstream: [{ relation: item.relation!, column: name }], transformation: "copy" as const, note: null })));
    if (!item.complete) output.open = [...(output.open ?? []), item.relation];
  }

  private fromItems(items: readonly Node[], ctes: ReadonlyMap<string, Columns>): FromItem[] {
    return items.map((item): FromItem => {
      const alias = item["as"] === null || item["as"] === undefined ? null : identifier(item["as"]);
      const expr = item["expr"] as Node | undefined;
      if (expr && expr["ast"]) {
        return { alias: alias ?? "", columns: this.query(expr["ast"] as Node, ctes), relation: null, known: null, complete: true };
      }
      if (expr) {
        // A table function (range(…), unnest(…)): its columns come from no relation.
        return { alias: alias ?? "", columns: null, relation: null, known: null, complete: false };
      }
      const table = identifier(item["table"]);
      const schema = item["schema"] !== undefined && item["schema"] !== null ? identifier(item["schema"]) : null;
      const db = item["db"] !== undefined && item["db"] !== null ? identifier(item["db"]) : null;
      if (schema === null && db === null) {
        const cte = ctes.get(table.toLowerCase());
        if (cte) return { alias: alias ?? table, columns: cte, relation: null, known: null, complete: true };
      }
      const relation: LineageRelation = schema !== null ? { database: db, schema, name: table } : { database: null, schema: db, name: table };
      const known = this.columnsOf(relation);
      return { alias: alias ?? table, columns: null, relation, known: known ? [...known.columns] : null, complete: known?.complete ?? false };
    });
  }

  /** An output column computed by `expr`. */
  private expression(expr: Node, alias: string | null, from: readonly FromItem[], ctes: ReadonlyMap<string, Columns>): Resolved {
    if (expr["type"] === "column_ref") {
      const source = this.reference(expr, from);
      const name = alias ?? columnName(expr);
      if (source === null) return { name, upstream: [], transformation: "copy", note: `${refText(expr)} resolves to no known column` };
      const here: ColumnTransformation = name.toLowerCase() === source.name.toLowerCase() ? "copy" : "rename";
      return { name, upstream: [...source.upstream], transformation: worse(here, source.transformation), note: source.note };
    }
    const upstream: UpstreamColumn[] = [];
    const notes: string[] = [];
    this.walk(expr, (ref) => {
      const source = this.reference(ref, from);
      if (source === null) notes.push(`${refText(ref)} resolves to no known column`);
      else upstream.push(...source.upstream);
    }, (sub) => {
      for (const column of this.query(sub, ctes)) upstream.push(...column.upstream);
    });
    return { name: alias ?? defaultName(expr), upstream, transformation: "transformation", note: notes.length > 0 ? notes.join("; ") : null };
  }

  /** Every column reference in an expression (subqueries resolved in their own scope). */
  private walk(node: unknown, onRef: (ref: Node) => void, onSubquery: (select: Node) => void): void {
    if (Array.isArray(node)) {
      for (const item of node) this.walk(item, onRef, onSubquery);
      return;
    }
    if (node === null || typeof node !== "object") return;
    const n = node as Node;
    if (n["type"] === "column_ref") {
      if (columnName(n) !== "*") onRef(n);
      return;
    }
    if (n["ast"] && typeof n["ast"] === "object" && (n["ast"] as Node)["type"] === "select") {
      onSubquery(n["ast"] as Node);
      return;
    }
    if (n["type"] === "select") {
      onSubquery(n);
      return;
    }
    for (const key in n) if (key !== "loc") this.walk(n[key], onRef, onSubquery);
  }

  /** The column a reference names, resolved through its FROM item; null when none holds it. */
  private reference(ref: Node, from: readonly FromItem[]): Resolved | null {
    const name = columnName(ref);
    const qualifier = tableName(ref["table"]);
    const candidates = qualifier === null ? from : from.filter((f) => f.alias.toLowerCase() === qualifier.toLowerCase() || f.relation?.name.toLowerCase() === qualifier.toLowerCase());
    const matches: Resolved[] = [];
    for (const item of candidates) {
      const found = this.columnOf(item, name, qualifier !== null || candidates.length === 1);
      if (found) matches.push(found);
    }
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1) return { name, upstream: [], transformation: "copy", note: `${refText(ref)} could come from ${candidates.map((c) => c.alias).join(" or ")}` };
    return null;
  }

  /** `name` in one FROM item; for a base relation whose columns are unknown, only when it is the only candidate. */
  private columnOf(item: FromItem, name: string, only: boolean): Resolved | null {
    if (item.columns) {
      const found = item.columns.find((c) => c.name.toLowerCase() === name.toLowerCase());
      if (found) return found;
      // Not listed, but a `*` passed an incompletely known relation through: from there, if from one only.
      const open = item.columns.open ?? [];
      if (open.length === 1 && only) return { name, upstream: [{ relation: open[0]!, column: name }], transformation: "copy", note: null };
      return null;
    }
    if (!item.relation) return null; // a table function's column: no relation holds it
    const known = item.known?.find((c) => c.toLowerCase() === name.toLowerCase());
    if (known !== undefined) return { name: known, upstream: [{ relation: item.relation, column: known }], transformation: "copy", note: null };
    // The only relation the reference can name holds it (the SQL runs), listed or not.
    if (only && !item.complete) return { name, upstream: [{ relation: item.relation, column: name }], transformation: "copy", note: null };
    return null;
  }
}

function withOpen(columns: Resolved[], open: LineageRelation[] | undefined): Columns {
  const result: Columns = columns;
  if (open) result.open = open;
  return result;
}

function namesDiffer(a: Resolved, b: Resolved): boolean {
  return a.name.toLowerCase() !== b.name.toLowerCase();
}

function identifier(value: unknown): string {
  if (typeof value === "string") return value;
  if (value && typeof value === "object") {
    const v = value as Node;
    if (typeof v["value"] === "string") return v["value"];
    if (v["expr"]) return identifier(v["expr"]);
  }
  return String(value);
}

function tableName(value: unknown): string | null {
  return value === null || value === undefined ? null : identifier(value);
}

function columnName(ref: Node): string {
  const column = ref["column"];
  if (column === "*") return "*";
  return identifier(column);
}

function refText(ref: Node): string {
  const table = tableName(ref["table"]);
  return table === null ? columnName(ref) : `${table}.${columnName(ref)}`;
}

/** The name a database gives an unaliased computed column (a function's name), as far as it is predictable. */
function defaultName(expr: Node): string {
  if (expr["type"] === "function") {
    const name = expr["name"] as Node | undefined;
    const parts = (name?.["name"] as Node[] | undefined) ?? [];
    if (parts.length > 0) return identifier(parts[parts.length - 1]);
  }
  if (expr["type"] === "cast" && expr["expr"]) return defaultName(expr["expr"] as Node);
  if (expr["type"] === "aggr_func" && typeof expr["name"] === "string") return expr["name"].toLowerCase();
  return "?column?";
}

function relationText(relation: LineageRelation): string {
  return [relation.database, relation.schema, relation.name].filter((p) => p !== null).join(".");
}

function dedupe(upstream: readonly UpstreamColumn[]): UpstreamColumn[] {
  const seen = new Set<string>();
  return upstream.filter((u) => {
    const key = `${relationText(u.relation)}\u0000${u.column}`.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
