/**
 * A model's column lineage (dbt's `dbt/column_lineage` metadata, connectors/dbt/tool-state.ts) kept as one
 * string per model. At 10k models of 190 columns the plain form is ≈1.9 M column objects, each with an upstream
 * array, an upstream object and an asset-key array: hundreds of MB of small objects, for a value read only when
 * a lineage question is asked. A spec holds a {@link CompactColumnLineage}, which reads as the plain value
 * (`followed`, `reason` and `columns`, decoded on each read) and serializes as it (`toJSON`), so every answer is
 * unchanged; the store's snapshot keeps it in its encoded form (catalog/store/snapshot-codec.ts), a quarter of
 * the plain value's JSON.
 *
 * Here in the model rather than with dbt's connector because the store reads it back from a snapshot.
 *
 * The encoding is JSON of `[tables, columns]`: `tables` lists each distinct upstream `[key, relation]` of the
 * model once, and each column is `[column, transformation, followed, note, table, upstreamColumn, …]` with the
 * transformation as a number, `followed` as 0/1 and an upstream column equal to the output column as 0.
 */

/** The plain value of a model's column lineage. */
export interface ColumnLineageValue {
  /** False when the model's SQL could not be followed (`reason` says why). */
  followed: boolean;
  reason: string | null;
  columns: {
    column: string;
    upstream: { key: string[] | null; relation: string; column: string }[];
    transformation: "copy" | "rename" | "transformation" | null;
    followed: boolean;
    note: string | null;
  }[];
}

type ColumnLineageState = ColumnLineageValue;

type ColumnState = ColumnLineageState["columns"][number];
type Transformation = ColumnState["transformation"];

const TRANSFORMATIONS: readonly Transformation[] = [null, "copy", "rename", "transformation"];

type EncodedColumn = [string, number, 0 | 1, string | null, ...(number | string)[]];

/** The encoded columns of a model's lineage (followed and reason are kept beside it). */
export function encodeColumns(columns: ColumnLineageState["columns"]): string {
  const tables: [string[] | null, string][] = [];
  const tableIndex = new Map<string, number>();
  const encoded: EncodedColumn[] = [];
  for (const c of columns) {
    const row: EncodedColumn = [c.column, TRANSFORMATIONS.indexOf(c.transformation), c.followed ? 1 : 0, c.note];
    for (const u of c.upstream) {
      const id = JSON.stringify([u.key, u.relation]);
      let index = tableIndex.get(id);
      if (index === undefined) {
        index = tables.length;
        tables.push([u.key === null ? null : [...u.key], u.relation]);
        tableIndex.set(id, index);
      }
      row.push(index, u.column === c.column ? 0 : u.column);
    }
    encoded.push(row);
  }
  return JSON.stringify([tables, encoded]);
}

/** The columns as the plain value has them, each object new (a reader may keep or change them). */
export function decodeColumns(encoded: string): ColumnLineageState["columns"] {
  const [tables, rows] = JSON.parse(encoded) as [[string[] | null, string][], EncodedColumn[]];
  return rows.map((row) => {
    const column = row[0];
    const upstream: ColumnState["upstream"] = [];
    for (let i = 4; i < row.length; i += 2) {
      const [key, relation] = tables[row[i] as number]!;
      const up = row[i + 1]!;
      upstream.push({ key: key === null ? null : [...key], relation, column: typeof up === "number" ? column : up });
    }
    return { column, upstream, transformation: TRANSFORMATIONS[row[1]]!, followed: row[2] === 1, note: row[3] };
  });
}

/**
 * A model's column lineage as a spec holds it: reads and serializes as the plain value. `columns` is decoded
 * on each read and not kept, so the catalog holds only the string.
 */
export class CompactColumnLineage {
  readonly followed: boolean;
  readonly reason: string | null;
  /** The encoded columns ({@link encodeColumns}). */
  readonly encoded: string;

  constructor(followed: boolean, reason: string | null, encoded: string) {
    this.followed = followed;
    this.reason = reason;
    this.encoded = encoded;
  }

  static of(state: ColumnLineageState): CompactColumnLineage {
    return new CompactColumnLineage(state.followed, state.reason, encodeColumns(state.columns));
  }

  get columns(): ColumnLineageState["columns"] {
    return decodeColumns(this.encoded);
  }

  /** The plain value, in its key order: what the snapshot stores and the answers show. */
  toJSON(): ColumnLineageState {
    return { followed: this.followed, reason: this.reason, columns: this.columns };
  }
}

