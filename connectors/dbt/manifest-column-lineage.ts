/**
 * Column lineage of every dbt model in a manifest that carries compiled SQL (connectors/dbt/column-lineage.ts
 * per model), in dependency order, so a model's `select *` over another model is expanded from that model's
 * own resolved output columns; sources and models without compiled SQL are expanded from their documented
 * columns, or from columns the caller knows better (the warehouse's). Upstream relations are named by the dbt
 * node that builds or declares them, where one does.
 */
import type { DbtManifest } from "./manifest.ts";
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

export function manifestColumnLineage(manifest: DbtManifest, options: ManifestColumnLineageOptions = {}): ManifestColumnLineage {
  const adapter = manifest.adapterType ?? "postgres";
  const byRelation = new Map<string, string>();
  const documented = new Map<string, string[]>();
  const relationKeys = (relation: LineageRelation): string[] => {
    const name = relation.name.toLowerCase();
    const schema = (relation.schema ?? "").toLowerCase();
    return relation.database ? [`${relation.database.toLowerCase()}.${schema}.${name}`, `${schema}.${name}`] : [`${schema}.${name}`];
  };
  const register = (id: string, relation: LineageRelation, columns: string[]) => {
    for (const key of relationKeys(relation)) {
      if (!byRelation.has(key)) byRelation.set(key, id);
      if (columns.length > 0 && !documented.has(key)) documented.set(key, columns);
    }
  };
  const str = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);
  for (const node of Object.values(manifest.nodes)) {
    if (!["model", "seed", "snapshot"].includes(node.resource_type) || str(node.schema) === null) continue;
    register(node.unique_id, { database: str(node.database), schema: str(node.schema), name: str(node.alias) ?? node.name }, Object.values(node.columns ?? {}).map((c) => str(c.name)).filter((n): n is string => n !== null));
  }
  for (const source of Object.values(manifest.sources)) {
    register(source.unique_id, { database: str(source.database), schema: source.schema, name: str(source.identifier) ?? source.name }, Object.values(source.columns ?? {}).map((c) => str(c.name)).filter((n): n is string => n !== null));
  }
  const resolved = new Map<string, string[]>();
  const lookup = (relation: LineageRelation): { columns: string[]; complete: boolean } | null => {
    for (const key of relationKeys(relation)) {
      const found = resolved.get(key);
      if (found) return { columns: found, complete: true };
    }
    const better = options.knownColumns?.(relation);
    if (better && better.length > 0) return { columns: [...better], complete: true };
    for (const key of relationKeys(relation)) {
      const found = documented.get(key);
      if (found) return { columns: found, complete: false };
    }
    return null;
  };
  const nodeOf = (relation: LineageRelation): string | null => {
    for (const key of relationKeys(relation)) {
      const id = byRelation.get(key);
      if (id) return id;
    }
    return null;
  };

  const models = Object.values(manifest.nodes).filter((n) => n.resource_type === "model");
  const sqlOf = (id: string): string | null => {
    const node = manifest.nodes[id];
    return node ? (str(node.compiled_code) ?? str(node.compiled_sql)) : null;
  };
  const withSql = models.filter((m) => sqlOf(m.unique_id) !== null);
  // Dependency order (parents first); a cycle cannot be in a manifest dbt wrote, but is tolerated.
  const order: string[] = [];
  const state = new Map<string, 1 | 2>();
  const visit = (id: string): void => {
    if (state.has(id)) return;
    state.set(id, 1);
    for (const parent of manifest.nodes[id]?.depends_on?.nodes ?? []) if (manifest.nodes[parent]) visit(parent);
    state.set(id, 2);
    if (sqlOf(id) !== null && manifest.nodes[id]?.resource_type === "model") order.push(id);
  };
  for (const model of withSql) visit(model.unique_id);

  const result = new Map<string, NodeLineage>();
  let modelsFollowed = 0;
  let columns = 0;
  let columnsResolved = 0;
  for (const id of order) {
    const node = manifest.nodes[id]!;
    let lineage: ModelColumnLineage;
    try {
      lineage = columnLineageOfSql({ sql: sqlOf(id)!, adapter, columnsOf: lookup });
    } catch (error) {
      // A shape of AST this analysis does not know: said, not guessed.
      lineage = { followed: false, reason: `the analysis failed: ${error instanceof Error ? error.message : String(error)}`, columns: [] };
    }
    if (lineage.followed) {
      modelsFollowed++;
      columns += lineage.columns.length;
      columnsResolved += lineage.columns.filter((c) => c.followed).length;
      const relation: LineageRelation = { database: str(node.database), schema: str(node.schema), name: str(node.alias) ?? node.name };
      for (const key of relationKeys(relation)) resolved.set(key, lineage.columns.map((c) => c.column));
    }
    result.set(id, {
      followed: lineage.followed,
      reason: lineage.reason,
      columns: lineage.columns.map((c) => ({ ...c, upstream: c.upstream.map((u) => ({ nodeId: nodeOf(u.relation), relation: u.relation, column: u.column })) })),
    });
  }
  return { models: result, stats: { models: models.length, modelsWithSql: withSql.length, modelsFollowed, columns, columnsResolved } };
}
