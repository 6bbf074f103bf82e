/**
 * Column lineage of every dbt model in a manifest that carries compiled SQL (connectors/dbt/column-lineage.ts
 * per model), in dependency order, so a model's `select *` over another model is expanded from that model's
 * own resolved output columns; sources and models without compiled SQL are expanded from their documented
 * columns, or from columns the caller knows better (the warehouse's). Upstream relations are named by the dbt
 * node that builds or declares them, where one does.
 *
 * The work is split so that it can run on a worker thread (./column-lineage-thread.ts): {@link columnLineageInput}
 * takes from the manifest only what the analysis reads (compiled SQL, relations, documented column names,
 * depends_on, adapter), {@link analyseColumnLineage} parses the models (the CPU-heavy part; it reuses a model's
 * earlier result when nothing it read changed), and {@link assembleColumnLineage} names the upstream nodes.
 */
import { createHash } from "node:crypto";
import type { DbtManifest } from "./manifest.ts";
import { heldColumns, heldText } from "./manifest-held-columns.ts";
import type { HeldBytes } from "./manifest-held-columns.ts";
import { columnLineageOfSql } from "./column-lineage.ts";
import type { ColumnTransformation, LineageRelation, ModelColumnLineage } from "./column-lineage.ts";

export interface NodeUpstreamColumn {
  /** The dbt node (model, seed, snapshot, source) whose relation holds the column; null for a relation dbt does not know. */
  readonly nodeId: string | null;
  readonly relation: LineageRelation;
  readonly column: string;
}

export interface NodeColumnLineage {
  readonly column: string;
  readonly upstream: readonly NodeUpstreamColumn[];
  readonly transformation: ColumnTransformation | null;
  readonly followed: boolean;
  readonly note: string | null;
}

export interface NodeLineage {
  readonly followed: boolean;
  readonly reason: string | null;
  readonly columns: readonly NodeColumnLineage[];
}

export interface ManifestColumnLineage {
  /** By model unique_id, for every model with compiled SQL. */
  readonly models: ReadonlyMap<string, NodeLineage>;
  readonly stats: {
    readonly models: number;
    readonly modelsWithSql: number;
    readonly modelsFollowed: number;
    /** Output columns of the models followed. */
    readonly columns: number;
    /** Of those, the ones followed to their upstream columns (or to none, for a constant or count(*)). */
    readonly columnsResolved: number;
  };
}

export interface ManifestColumnLineageOptions {
  /** Columns known better than the manifest documents them (the warehouse's), by relation. */
  readonly knownColumns?: (relation: LineageRelation) => readonly string[] | null;
}

/** What the analysis reads of a manifest: small enough to hand to a worker thread (no raw SQL, no configs). */
export interface ManifestLineageInput {
  /** The adapter type; "postgres" when the manifest names none. */
  readonly adapter: string;
  /** Every node of the manifest, in its order. */
  readonly nodes: readonly LineageInputNode[];
  /** Whether a model has compiled SQL that is not blank (the translator computes lineage only then). */
  readonly anySql: boolean;
  /** Every source, in the manifest's order. */
  readonly sources: readonly { readonly id: string; readonly relation: LineageRelation; readonly columns: readonly string[] }[];
}

export interface LineageInputNode {
  readonly id: string;
  readonly isModel: boolean;
  /** A model's, seed's or snapshot's relation (null for other nodes). */
  readonly relation: LineageRelation | null;
  /** Whether the relation names the node (it has a schema): only then is it found by relation. */
  readonly registered: boolean;
  /**
   * Documented column names of a registered node; or, where a large manifest holds the node's columns as its
   * bytes (./manifest-held-columns.ts), where those lie: the analysis reads the names from them, on the worker
   * thread, so the load never parses them (≈ 1.3 s at 10k models of 190 columns).
   */
  readonly columns: readonly string[] | HeldBytes;
  /** depends_on.nodes, only those that are nodes of the manifest. */
  readonly dependsOn: readonly string[];
  /**
   * A model's compiled SQL, or where its UTF-8 bytes lie in memory shared with the worker ({@link columnLineageInput}
   * puts it there: ≈ 86 MB at 10k models, which a structured clone would copy and hold on both threads); null
   * when it has none. Read with {@link inputSql}.
   */
  readonly sql: string | HeldBytes | null;
}

const str = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);

/** The `name` of each column of a `columns` object, in its order (a column without one is left out). */
const columnNames = (columns: Readonly<Record<string, { readonly name?: unknown }>> | null | undefined): string[] =>
  Object.values(columns ?? {}).map((c) => str(c.name)).filter((n): n is string => n !== null);

/** A node's documented column names from the input, read from the held bytes where it gives those. */
export function inputColumnNames(columns: LineageInputNode["columns"]): readonly string[] {
  return "bytes" in columns ? columnNames(JSON.parse(heldText(columns)) as Record<string, { name?: unknown }>) : columns;
}

/** A node's compiled SQL from the input, read from the shared bytes where it gives those. */
export function inputSql(sql: string | HeldBytes): string {
  return typeof sql === "string" ? sql : heldText(sql);
}

/**
 * Each SQL text's UTF-8 bytes, in one shared buffer; a text that does not round-trip through UTF-8 (a lone
 * surrogate, which JSON can spell) stays a string.
 */
function shareSql(sqls: readonly (string | null)[]): (string | HeldBytes | null)[] {
  // (String.prototype.isWellFormed is in Node 20, not yet in this TypeScript's lib.)
  const wellFormed = (text: string) => (text as string & { isWellFormed(): boolean }).isWellFormed();
  // Each text checked and measured once: its length in bytes, or -1 for one kept as a string.
  const lengths = sqls.map((sql) => (sql !== null && wellFormed(sql) ? Buffer.byteLength(sql, "utf8") : -1));
  const bytes = Buffer.from(new SharedArrayBuffer(lengths.reduce((sum, n) => sum + Math.max(n, 0), 0)));
  let at = 0;
  return sqls.map((sql, i) => {
    if (sql === null || lengths[i]! < 0) return sql;
    const start = at;
    at += bytes.write(sql, at, "utf8");
    return { bytes, start, end: at, encoding: "utf8" };
  });
}

export function columnLineageInput(manifest: DbtManifest): ManifestLineageInput {
  const blank = (v: unknown) => typeof v !== "string" || v.trim() === "";
  const anySql = Object.values(manifest.nodes).some((n) => n.resource_type === "model" && !(blank(n.compiled_code) && blank(n.compiled_sql)));
  const nodes: (LineageInputNode & { sql: string | HeldBytes | null })[] = [];
  for (const node of Object.values(manifest.nodes)) {
    const built = ["model", "seed", "snapshot"].includes(node.resource_type);
    const registered = built && str(node.schema) !== null;
    const isModel = node.resource_type === "model";
    nodes.push({
      id: node.unique_id,
      isModel,
      relation: built ? { database: str(node.database), schema: str(node.schema), name: str(node.alias) ?? node.name } : null,
      registered,
      // Only when there is SQL to analyse (nothing else reads them); held columns are read by the analysis.
      columns: registered && anySql ? (heldColumns(node)?.where() ?? columnNames(node.columns)) : [],
      dependsOn: (node.depends_on?.nodes ?? []).filter((parent) => manifest.nodes[parent] !== undefined),
      sql: isModel ? (str(node.compiled_code) ?? str(node.compiled_sql)) : null,
    });
  }
  const sources = Object.values(manifest.sources).map((source) => ({
    id: source.unique_id,
    relation: { database: str(source.database), schema: source.schema, name: str(source.identifier) ?? source.name },
    columns: columnNames(source.columns),
  }));
  if (anySql) shareSql(nodes.map((node) => node.sql as string | null)).forEach((sql, i) => (nodes[i]!.sql = sql));
  return { adapter: manifest.adapterType ?? "postgres", nodes, anySql, sources };
}

/**
 * What a model's analysis depended on, to tell whether an earlier result still holds: its SQL (hashed), and
 * the relations it looked up with what each lookup answered (hashed). The analysis is a function of the SQL,
 * the adapter and those answers, so the same SQL whose lookups answer the same gives the same result, and a
 * model whose upstream changed its columns (or whose SQL reads a relation that appeared) is analysed again.
 */
export interface LineageFingerprint {
  readonly sql: string;
  readonly lookups: readonly LineageRelation[];
  readonly answers: string;
  /**
   * The output columns of a followed model (what a downstream `select *` over it reads), as JSON of their names:
   * one string a model where a list was 190 strings (the cache keeps every fingerprint); null if not followed.
   */
  readonly outputColumns: string | null;
  /**
   * For a result kept encoded with its upstream named (./compact-column-lineage.ts): the distinct upstream
   * relations and the asset keys they named (JSON), so the encoded value is reused only while they name the same.
   */
  readonly upstream?: { readonly relations: readonly LineageRelation[]; readonly names: string };
}

/** A model's result in one analysis: computed now, or the earlier one (whose fingerprint still holds) reused. */
export type AnalysedModel =
  | { readonly id: string; readonly reused: true }
  | { readonly id: string; readonly reused: false; readonly lineage: ModelColumnLineage; readonly fingerprint: LineageFingerprint };

export interface AnalyseOptions {
  /** Columns known better than the manifest documents them (the warehouse's), by relation. */
  readonly knownColumns?: (relation: LineageRelation) => readonly string[] | null;
  /** Fingerprints of earlier results, by model unique_id. */
  readonly previous?: ReadonlyMap<string, LineageFingerprint>;
  /** Called after each model (for progress). */
  readonly onModel?: (done: number, total: number) => void;
}

type Answer = { columns: string[]; complete: boolean } | null;

const relationKeys = (relation: LineageRelation): string[] => {
  const name = relation.name.toLowerCase();
  const schema = (relation.schema ?? "").toLowerCase();
  return relation.database ? [`${relation.database.toLowerCase()}.${schema}.${name}`, `${schema}.${name}`] : [`${schema}.${name}`];
};

const sha1 = (text: string): string => createHash("sha1").update(text).digest("base64");

/** Parses every model with compiled SQL, parents first; the CPU-heavy part (≈14 ms a model of 190 columns). */
export function analyseColumnLineage(input: ManifestLineageInput, options: AnalyseOptions = {}): AnalysedModel[] {
  const result: AnalysedModel[] = [];
  analyseEach(input, options, (model) => result.push(model));
  return result;
}

/**
 * {@link analyseColumnLineage} handing each model's result to `emit` as soon as it is made, so that a caller
 * that keeps only an encoded form (./compact-column-lineage.ts) never holds every model's plain result at once.
 */
export function analyseEach(input: ManifestLineageInput, options: AnalyseOptions, emit: (model: AnalysedModel) => void): void {
  const { adapter } = input;
  // Each relation's documented columns: the first node or source naming it that documents some. Held columns
  // are read only when a lookup gets to them (most relations a model reads are models followed before it, found
  // in `resolved`), so the worker never holds every node's column names at once.
  const documented = new Map<string, (readonly string[] | HeldBytes)[]>();
  const register = (relation: LineageRelation, columns: readonly string[] | HeldBytes) => {
    if (Array.isArray(columns) && columns.length === 0) return;
    for (const key of relationKeys(relation)) {
      const candidates = documented.get(key);
      if (candidates === undefined) documented.set(key, [columns]);
      else candidates.push(columns);
    }
  };
  const documentedColumns = (key: string): readonly string[] | null => {
    const candidates = documented.get(key);
    if (candidates === undefined) return null;
    for (let i = 0; i < candidates.length; i++) {
      const names = inputColumnNames(candidates[i]!);
      candidates[i] = names;
      if (names.length > 0) return names;
    }
    return null;
  };
  for (const node of input.nodes) if (node.registered) register(node.relation!, node.columns);
  for (const source of input.sources) register(source.relation, source.columns);
  /** Followed models' output columns, as JSON of their names (one string a model, not one a column). */
  const resolved = new Map<string, string>();
  const lookup = (relation: LineageRelation): Answer => {
    for (const key of relationKeys(relation)) {
      const found = resolved.get(key);
      if (found !== undefined) return { columns: JSON.parse(found) as string[], complete: true };
    }
    const better = options.knownColumns?.(relation);
    if (better && better.length > 0) return { columns: [...better], complete: true };
    for (const key of relationKeys(relation)) {
      const found = documentedColumns(key);
      if (found) return { columns: found as string[], complete: false };
    }
    return null;
  };
  const answersHash = (lookups: readonly LineageRelation[]): string => sha1(JSON.stringify([adapter, lookups.map(lookup)]));

  const byId = new Map(input.nodes.map((node) => [node.id, node]));
  // Dependency order (parents first); a cycle cannot be in a manifest dbt wrote, but is tolerated.
  const order: LineageInputNode[] = [];
  const state = new Map<string, 1 | 2>();
  const visit = (node: LineageInputNode): void => {
    if (state.has(node.id)) return;
    state.set(node.id, 1);
    for (const parent of node.dependsOn) visit(byId.get(parent)!);
    state.set(node.id, 2);
    if (node.sql !== null && node.isModel) order.push(node);
  };
  for (const node of input.nodes) if (node.isModel && node.sql !== null) visit(node);

  let done = 0;
  for (const node of order) {
    const sql = inputSql(node.sql!);
    const sqlHash = sha1(sql);
    const before = options.previous?.get(node.id);
    let outputColumns: string | null;
    if (before && before.sql === sqlHash && before.answers === answersHash(before.lookups)) {
      outputColumns = before.outputColumns;
      emit({ id: node.id, reused: true });
    } else {
      const lookups: LineageRelation[] = [];
      const recording = (relation: LineageRelation): Answer => {
        lookups.push({ database: relation.database, schema: relation.schema, name: relation.name });
        return lookup(relation);
      };
      let lineage: ModelColumnLineage;
      try {
        lineage = columnLineageOfSql({ sql, adapter, columnsOf: recording });
      } catch (error) {
        // A shape of AST this analysis does not know: said, not guessed.
        lineage = { followed: false, reason: `the analysis failed: ${error instanceof Error ? error.message : String(error)}`, columns: [] };
      }
      outputColumns = lineage.followed ? JSON.stringify(lineage.columns.map((c) => c.column)) : null;
      emit({ id: node.id, reused: false, lineage, fingerprint: { sql: sqlHash, lookups, answers: answersHash(lookups), outputColumns } });
    }
    if (outputColumns !== null) for (const key of relationKeys(node.relation!)) resolved.set(key, outputColumns);
    options.onModel?.(++done, order.length);
  }
}

/** The dbt node whose relation this is (a model, seed, snapshot or source), or null: how upstream relations are named. */
export function relationResolver(input: ManifestLineageInput): (relation: LineageRelation) => string | null {
  const byRelation = new Map<string, string>();
  const register = (id: string, relation: LineageRelation) => {
    for (const key of relationKeys(relation)) if (!byRelation.has(key)) byRelation.set(key, id);
  };
  for (const node of input.nodes) if (node.registered) register(node.id, node.relation!);
  for (const source of input.sources) register(source.id, source.relation);
  return (relation) => {
    for (const key of relationKeys(relation)) {
      const id = byRelation.get(key);
      if (id) return id;
    }
    return null;
  };
}

/**
 * Names each upstream relation by the node that builds or declares it, and counts. `earlier` gives the lineage
 * of a model the analysis reused (its previous result).
 */
export function assembleColumnLineage(input: ManifestLineageInput, analysed: readonly AnalysedModel[], earlier: (id: string) => ModelColumnLineage | undefined): ManifestColumnLineage {
  const nodeOf = relationResolver(input);
  const result = new Map<string, NodeLineage>();
  let modelsFollowed = 0;
  let columns = 0;
  let columnsResolved = 0;
  for (const model of analysed) {
    const lineage = model.reused ? earlier(model.id) : model.lineage;
    if (!lineage) throw new Error(`no earlier column lineage of ${model.id} to reuse`);
    if (lineage.followed) {
      modelsFollowed++;
      columns += lineage.columns.length;
      columnsResolved += lineage.columns.filter((c) => c.followed).length;
    }
    result.set(model.id, {
      followed: lineage.followed,
      reason: lineage.reason,
      columns: lineage.columns.map((c) => ({ ...c, upstream: c.upstream.map((u) => ({ nodeId: nodeOf(u.relation), relation: u.relation, column: u.column })) })),
    });
  }
  const models = input.nodes.filter((node) => node.isModel);
  return { models: result, stats: { models: models.length, modelsWithSql: models.filter((m) => m.sql !== null).length, modelsFollowed, columns, columnsResolved } };
}

/** The column lineage of every model with compiled SQL, computed here (see ./column-lineage-thread.ts for a worker). */
export function manifestColumnLineage(manifest: DbtManifest, options: ManifestColumnLineageOptions = {}): ManifestColumnLineage {
  const input = columnLineageInput(manifest);
  return assembleColumnLineage(input, analyseColumnLineage(input, options), () => undefined);
}
