/**
 * DuckDB: a warehouse file read through @duckdb/node-api, opened READ_ONLY for one call at a time and closed
 * right after, retrying while dbt or the Fivetran simulator holds the file's write lock
 * (connectors/shared/duckdb.ts). Row counts are counted exactly (`count(*)`, cheap in DuckDB); bytes are the
 * table's distinct storage blocks times the block size (pragma_storage_info), so they round up to whole blocks
 * and a table that shares its only block with others reports that block; DuckDB keeps no per-table
 * modification time, so lastModified is null (the file's modification time is the closest it knows, and is
 * given as the engine's `fileModifiedAt`). A file that does not exist yet holds no relations.
 */
import { stat } from "node:fs/promises";
import { basename, extname } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { isLockConflict, openWarehouse, quoteIdentifier } from "../../shared/index.ts";
import type { WarehouseOpenOptions } from "../../shared/index.ts";
import type { RelationDescription, WarehouseCallOptions, WarehouseColumn, WarehouseEngine, WarehouseRelation } from "../engine.ts";
import { WarehouseError, relationKey, throwIfAborted } from "../engine.ts";
import { IDENTIFIER_RULES, findRelations } from "../identifiers.ts";

export interface DuckDbWarehouseOptions extends Omit<WarehouseOpenOptions, "readOnly"> {
  /** The warehouse file. */
  readonly path: string;
}

export interface DuckDbWarehouse extends WarehouseEngine {
  readonly type: "duckdb";
  /** The database name DuckDB gives the file (its name without extension), as dbt-duckdb's relations say. */
  readonly database: string;
  /** The file's modification time, ISO 8601 (null when it does not exist). */
  fileModifiedAt(): Promise<string | null>;
}

export function createDuckDbWarehouse(options: DuckDbWarehouseOptions): DuckDbWarehouse {
  const { path, ...open } = options;
  const origin = path;
  const database = basename(path, extname(path));

  /** A file not created yet (nothing built or landed so far) holds nothing: `empty` is returned. */
  async function withConnection<T>(signal: AbortSignal | undefined, empty: T, work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    throwIfAborted(signal, origin);
    try {
      await stat(path);
    } catch {
      return empty;
    }
    let warehouse: Awaited<ReturnType<typeof openWarehouse>>;
    try {
      warehouse = await openWarehouse(path, { ...open, readOnly: true });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (isLockConflict(error)) throw new WarehouseError("warehouse_locked", `The DuckDB warehouse ${path} stayed locked by another process: ${message}`, { cause: error });
      throw new WarehouseError("warehouse_unreachable", `Cannot open the DuckDB warehouse ${path}: ${message}`, { cause: error });
    }
    try {
      return await work(warehouse.connection);
    } catch (error) {
      if (error instanceof WarehouseError) throw error;
      throw new WarehouseError("warehouse_query_failed", `Reading the DuckDB warehouse ${path} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    } finally {
      warehouse.close();
    }
  }

  async function rows(connection: DuckDBConnection, sql: string, params?: Record<string, string>): Promise<Record<string, unknown>[]> {
    const reader = params ? await connection.runAndReadAll(sql, params) : await connection.runAndReadAll(sql);
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  }

  async function list(connection: DuckDBConnection): Promise<WarehouseRelation[]> {
    const found = await rows(
      connection,
      `SELECT database_name, schema_name, table_name AS name, 'table' AS kind FROM duckdb_tables()
         WHERE NOT internal AND NOT temporary AND database_name = current_database()
       UNION ALL
       SELECT database_name, schema_name, view_name AS name, 'view' AS kind FROM duckdb_views()
         WHERE NOT internal AND NOT temporary AND database_name = current_database()
       ORDER BY 2, 3`,
    );
    return found.map((row) => ({
      database: String(row["database_name"]),
      schema: String(row["schema_name"]),
      name: String(row["name"]),
      kind: row["kind"] === "view" ? "view" : "table",
    }));
  }

  return {
    type: "duckdb",
    origin,
    database,
    async fileModifiedAt() {
      try {
        return (await stat(path)).mtime.toISOString();
      } catch {
        return null;
      }
    },
    listRelations(callOptions: WarehouseCallOptions = {}) {
      return withConnection(callOptions.signal, [], list);
    },
    describe(relations, callOptions: WarehouseCallOptions = {}) {
      if (relations.length === 0) return Promise.resolve([]);
      return withConnection(callOptions.signal, [], async (connection) => {
        const wanted = findRelations(relations, await list(connection), IDENTIFIER_RULES.duckdb);
        if (wanted.length === 0) return [];
        const columns = new Map<string, WarehouseColumn[]>();
        for (const row of await rows(
          connection,
          `SELECT schema_name, table_name, column_name, data_type, is_nullable, column_index
             FROM duckdb_columns() WHERE NOT internal AND database_name = current_database()
             ORDER BY schema_name, table_name, column_index`,
        )) {
          const key = relationKey({ database: null, schema: String(row["schema_name"]), name: String(row["table_name"]) });
          const list = columns.get(key) ?? [];
          list.push({ name: String(row["column_name"]), type: String(row["data_type"]), nullable: typeof row["is_nullable"] === "boolean" ? row["is_nullable"] : null, position: Number(row["column_index"]) });
          columns.set(key, list);
        }
        const comments = new Map<string, string | null>();
        for (const row of await rows(
          connection,
          `SELECT schema_name, table_name AS name, comment FROM duckdb_tables() WHERE database_name = current_database()
           UNION ALL SELECT schema_name, view_name, comment FROM duckdb_views() WHERE database_name = current_database()`,
        )) {
          comments.set(relationKey({ database: null, schema: String(row["schema_name"]), name: String(row["name"]) }), typeof row["comment"] === "string" && row["comment"] !== "" ? row["comment"] : null);
        }
        const [size] = await rows(connection, "SELECT block_size FROM pragma_database_size() WHERE database_name = current_database()");
        const blockSize = size ? Number(size["block_size"]) : null;
        const described: RelationDescription[] = [];
        for (const relation of wanted) {
          throwIfAborted(callOptions.signal, origin);
          const local = relationKey({ database: null, schema: relation.schema, name: relation.name });
          const target = `${quoteIdentifier(relation.schema)}.${quoteIdentifier(relation.name)}`;
          let rowCount: number | null = null;
          let bytes: number | null = null;
          if (relation.kind === "table") {
            const [counted] = await rows(connection, `SELECT count(*)::BIGINT AS n FROM ${target}`);
            rowCount = counted ? Number(counted["n"]) : null;
            const [blocks] = await rows(connection, `SELECT count(DISTINCT block_id)::BIGINT AS n FROM pragma_storage_info($target) WHERE persistent AND block_id >= 0`, {
              target: `${relation.schema}.${relation.name}`,
            });
            bytes = blocks && blockSize !== null ? Number(blocks["n"]) * blockSize : null;
          }
          described.push({
            ...relation,
            columns: columns.get(local) ?? [],
            rowCount,
            rowCountEstimated: false,
            bytes,
            lastModified: null,
            comment: comments.get(local) ?? null,
          });
        }
        return described;
      });
    },
  };
}
