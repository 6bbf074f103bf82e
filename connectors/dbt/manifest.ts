/**
 * Reads dbt's `manifest.json` (schema v4–v12, dbt-core 1.0 → 1.11) into one normalized, typed shape.
 *
 * The file is validated where it enters: only the fields Tributary reads are checked, so a field dbt adds
 * later does not break us, but a field we rely on that has the wrong type fails with the file and the JSON
 * path at fault. Version differences (raw_sql → raw_code, groups from v9, versions from v10…) are resolved
 * here once, so the translator sees a single shape.
 */
import { isAscii, isUtf8 } from "node:buffer";
import { open, readFile } from "node:fs/promises";
import { z } from "zod";
import { LoadError } from "../../catalog/model/index.ts";
import { decodeJsonBytes, describeJsonSyntaxError, findDuplicateKeys, hasDuplicateKeys } from "./json-text.ts";
import type { DuplicateJsonKey } from "./json-text.ts";
import { findManifestLayout } from "./manifest-layout.ts";
import type { ByteRange } from "./manifest-layout.ts";
import { checkPiece, checkPiecesHere } from "./manifest-piece-check.ts";
import { startPieceWorker } from "./manifest-worker.ts";
import { HeldColumns, heldByNode } from "./manifest-held-columns.ts";
import type { PieceAnswer, PieceWorker } from "./manifest-worker.ts";
import { compileCheck, compileStrip } from "./schema-check.ts";

/** The manifest schema versions this reader understands. */
export const SUPPORTED_MANIFEST_VERSIONS = [4, 5, 6, 7, 8, 9, 10, 11, 12] as const;

const nullableString = z.string().nullish();
const stringList = z.array(z.string()).nullish();
/**
 * A field Tributary only shows or interprets leniently: any value is accepted and read through the helpers
 * at the end of this file ({@link asString}, {@link asRecord}, {@link isEnabled}…), which ignore a value of
 * an unexpected type instead of refusing the manifest. dbt writes `config` and `meta` from users' YAML and
 * Jinja largely unchecked (a dbt 1.2 source carries `config.enabled: "True and True"`), so every config
 * field and every field that is only displayed is lenient; only what gives the graph its shape is strict.
 *
 * Audit (dbt's published manifest schemas v4–v12, schemas.getdbt.com): every strict field below is a string,
 * or an array or object, in all nine, and required wherever the schema requires it: ids, names,
 * `resource_type`, `package_name`, `path`, `original_file_path`, `fqn`, a source's `source_name` and `schema`,
 * `depends_on.nodes`, `parent_map`; `config.materialized` and `relation_name` may be null or absent. Fields
 * a schema marks optional or nullable where we once required them (`functions.*.unique_id` in v12, a
 * column's `name`, `test_metadata.name`, `groups.*.owner`, exposures' `owner.email` as a list from v12) are
 * lenient.
 */
const lenient = z.unknown().optional();

const columnSchema = z.object({
  // Strict: none. A column is named by its key in `columns` when `name` is missing or not a string.
  name: lenient,
  description: lenient,
  data_type: lenient,
  tags: lenient,
});

/** `depends_on.nodes` is the graph's edges: strict. */
const dependsOnSchema = z.object({ nodes: stringList }).nullish();

/**
 * Everything under `config` comes from users' YAML and Jinja, which dbt passes through largely unchecked:
 * lenient. `materialized` stays a string (or nothing): it decides whether a model is a table at all.
 */
const nodeConfigSchema = z
  .object({
    enabled: lenient,
    materialized: nullableString,
    schema: lenient,
    meta: lenient,
    group: lenient,
    severity: lenient,
    /** dagster-dbt's pre-1.3.10 policy key, read only to tell users it is ignored now (reference §0). */
    dagster_auto_materialize_policy: lenient,
    /** dbt ≥ 1.10: `freshness.build_after` (a model's own, or the project's `+freshness`, merged by dbt). */
    freshness: lenient,
    /** dbt ≥ 1.9 microbatch: `incremental_strategy: microbatch` with `event_time`, `batch_size`, `begin`, `lookback`. */
    incremental_strategy: lenient,
    event_time: lenient,
    batch_size: lenient,
    begin: lenient,
    lookback: lenient,
  })
  .nullish();

/** Fields shared by every entry of `nodes` (models, seeds, snapshots, tests, analyses, operations…). */
const nodeSchema = z.object({
  unique_id: z.string(),
  resource_type: z.string(),
  name: z.string(),
  package_name: z.string(),
  /** Both required strings in every schema v4–v12; run results name compiled files by them. */
  original_file_path: nullableString,
  path: nullableString,
  patch_path: lenient,
  fqn: z.array(z.string()).nullish(),
  database: lenient,
  schema: lenient,
  alias: lenient,
  description: lenient,
  meta: lenient,
  tags: lenient,
  config: nodeConfigSchema,
  columns: z.record(z.string(), columnSchema).nullish(),
  depends_on: dependsOnSchema,
  raw_code: lenient,
  raw_sql: lenient,
  /** The SQL dbt compiled (`dbt compile`, `dbt build`; v7+ `compiled_code`, before `compiled_sql`): column lineage reads it. */
  compiled_code: lenient,
  compiled_sql: lenient,
  checksum: lenient,
  version: lenient,
  latest_version: lenient,
  group: lenient,
  access: lenient,
  attached_node: lenient,
  column_name: lenient,
  test_metadata: lenient,
  relation_name: nullableString,
});

const sourceSchema = z.object({
  unique_id: z.string(),
  resource_type: z.string(),
  name: z.string(),
  source_name: z.string(),
  package_name: z.string(),
  original_file_path: lenient,
  fqn: z.array(z.string()).nullish(),
  database: lenient,
  /** The relation's schema: required, as in every schema v4–v12. */
  schema: z.string(),
  identifier: lenient,
  description: lenient,
  source_description: lenient,
  loader: lenient,
  loaded_at_field: lenient,
  meta: lenient,
  tags: lenient,
  config: nodeConfigSchema,
  columns: z.record(z.string(), columnSchema).nullish(),
  relation_name: nullableString,
  freshness: lenient,
});

const exposureSchema = z.object({
  unique_id: z.string(),
  name: z.string(),
  package_name: z.string(),
  type: lenient,
  label: lenient,
  description: lenient,
  url: lenient,
  maturity: lenient,
  original_file_path: lenient,
  fqn: z.array(z.string()).nullish(),
  owner: lenient,
  depends_on: dependsOnSchema,
  meta: lenient,
  tags: lenient,
  config: nodeConfigSchema,
});

const groupSchema = z.object({ name: z.string(), owner: lenient });

/** Nodes dbt resolves through but that are not tables: metrics, semantic models, saved queries. */
const passThroughSchema = z.object({ unique_id: z.string(), name: z.string(), depends_on: dependsOnSchema });

const unitTestSchema = z.object({ unique_id: z.string(), name: z.string(), model: lenient });

const manifestSchema = z.object({
  metadata: z.object({
    dbt_schema_version: z.string(),
    dbt_version: lenient,
    adapter_type: lenient,
    project_id: lenient,
    project_name: lenient,
    generated_at: lenient,
  }),
  nodes: z.record(z.string(), nodeSchema),
  sources: z.record(z.string(), sourceSchema),
  exposures: z.record(z.string(), exposureSchema).nullish(),
  metrics: z.record(z.string(), passThroughSchema).nullish(),
  semantic_models: z.record(z.string(), passThroughSchema).nullish(),
  saved_queries: z.record(z.string(), passThroughSchema).nullish(),
  groups: z.record(z.string(), groupSchema).nullish(),
  unit_tests: z.record(z.string(), unitTestSchema).nullish(),
  /** User-defined functions (dbt 1.11+): built by dbt, but not tables. */
  functions: z.record(z.string(), z.unknown()).nullish(),
  parent_map: z.record(z.string(), z.array(z.string())).nullish(),
});

/** Whether zod would accept the manifest; then the parsed JSON serves as is, without zod's copy of it. */
const isValidManifest = compileCheck(manifestSchema);

/** The same, for a manifest read a piece at a time: everything but `nodes`, and a run of nodes. */
const isValidManifestBesideNodes = compileCheck(manifestSchema.extend({ nodes: z.unknown() }));
const nodesSchema = z.record(z.string(), nodeSchema);
/** The schema of an entry of `nodes` (for tests: what the piece reader keeps of a node). */
export const manifestNodeSchema = nodeSchema;
const areValidNodes = compileCheck(nodesSchema);
const stripNode = compileStrip(nodeSchema);

export type ManifestNode = z.infer<typeof nodeSchema>;
export type ManifestSource = z.infer<typeof sourceSchema>;
export type ManifestExposure = z.infer<typeof exposureSchema>;
export type ManifestGroup = z.infer<typeof groupSchema>;
export type ManifestConfig = NonNullable<z.infer<typeof nodeConfigSchema>>;
export type ManifestColumn = z.infer<typeof columnSchema>;
type RawManifest = z.infer<typeof manifestSchema>;

/**
 * A manifest of any supported version, normalized to one shape. Its objects are usually the parsed JSON
 * itself, so they carry fields the types do not declare: read only declared fields, and never test with `in`.
 * (Nodes read in pieces, as readManifestFile reads valid UTF-8 manifests, carry only declared fields.)
 */
export interface DbtManifest {
  /** The file it was read from (for error messages), or a label such as `<memory>`. */
  readonly file: string;
  readonly schemaVersion: number;
  readonly dbtVersion: string | null;
  readonly adapterType: string | null;
  readonly projectName: string | null;
  readonly projectId: string | null;
  readonly generatedAt: string | null;
  readonly nodes: Readonly<Record<string, ManifestNode>>;
  readonly sources: Readonly<Record<string, ManifestSource>>;
  readonly exposures: Readonly<Record<string, ManifestExposure>>;
  /** Metrics, semantic models and saved queries: nodes dependencies pass through. */
  readonly passThrough: Readonly<Record<string, { readonly name: string; readonly dependsOn: readonly string[] }>>;
  readonly groups: Readonly<Record<string, ManifestGroup>>;
  readonly unitTests: Readonly<Record<string, z.infer<typeof unitTestSchema>>>;
  /** Ids of user-defined functions; a model may depend on one, but it is not data. */
  readonly functionIds: ReadonlySet<string>;
  /** `parent_map`; rebuilt from `depends_on` when the manifest has none. */
  readonly parentMap: Readonly<Record<string, readonly string[]>>;
  /** Keys that appear twice in one JSON object of the file (JSON.parse kept the last value); the translator warns. */
  readonly duplicateKeys: readonly DuplicateJsonKey[];
}

export { HeldColumns, heldColumns } from "./manifest-held-columns.ts";

/** Reads and validates a manifest file. Throws {@link LoadError} naming the file and JSON path at fault. */
export async function readManifestFile(file: string, locationName: string | null = null, options: ReadManifestOptions = {}): Promise<DbtManifest> {
  let bytes: Uint8Array;
  let worker: PieceWorker | null = null;
  try {
    try {
      ({ bytes, worker } = await readManifestBytes(file, options.piecesFromBytes ?? PIECES_FROM_BYTES));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const reason = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : String(error);
      throw new LoadError("manifest_unreadable", `Cannot read dbt manifest ${file}: ${reason}`, {
        file,
        locationName,
        cause: error,
      });
    }
    // A large valid UTF-8 manifest is read a piece at a time, by two threads; anything else (and any doubt) as one text.
    if (worker !== null) {
      const manifest = await readManifestPieces(bytes, file, { worker });
      if (manifest !== null) return manifest;
    }
  } finally {
    void worker?.close();
  }
  // UTF-8 (a BOM is dropped) or, as Python's json reads it, UTF-16.
  return parseManifest(decodeJsonBytes(bytes).text, file, locationName);
}

export interface ReadManifestOptions {
  /** From this size on, the manifest is read in pieces by two threads (default {@link PIECES_FROM_BYTES}; tests lower it). */
  readonly piecesFromBytes?: number;
}

/**
 * From this size on (the 393-MB-class manifests of issue 18), a manifest is read in pieces by two threads.
 * Below it, one JSON.parse of the whole text is as fast on this 2-core machine (measured on the bench's 69 MB
 * manifest: no gain, and a loss when the machine is saturated), and the worker's start is not worth it.
 */
export const PIECES_FROM_BYTES = 96 << 20;

/**
 * The file's bytes; for a large file, in a SharedArrayBuffer that a worker (started while the file is read)
 * reads too. A worker that cannot start is no error: the file is then read as one text.
 */
async function readManifestBytes(file: string, piecesFrom: number): Promise<{ bytes: Uint8Array; worker: PieceWorker | null }> {
  const handle = await open(file, "r");
  let worker: PieceWorker | null = null;
  try {
    const { size } = await handle.stat();
    if (size < piecesFrom) return { bytes: await handle.readFile(), worker: null };
    try {
      worker = startManifestWorker();
    } catch {
      return { bytes: await handle.readFile(), worker: null };
    }
    const bytes = Buffer.from(new SharedArrayBuffer(size));
    let offset = 0;
    while (offset < size) {
      const { bytesRead } = await handle.read(bytes, offset, size - offset, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
    }
    // The file changed size while it was read (dbt rewriting it): read it again the ordinary way.
    const { bytesRead: more } = await handle.read(Buffer.alloc(1), 0, 1, offset);
    if (offset < size || more > 0) {
      void worker.close();
      return { bytes: await readFile(file), worker: null };
    }
    return { bytes, worker };
  } catch (error) {
    void worker?.close();
    throw error;
  } finally {
    await handle.close();
  }
}

/** A worker thread for {@link readManifestPieces}, checking pieces as this module does. */
export function startManifestWorker(): PieceWorker {
  return startPieceWorker(areValidNodes.source);
}

/** Bytes of `nodes` per piece: small enough that a piece's parsed JSON dies in the young generation. */
const PIECE_BYTES = 1 << 20;

export interface ReadPiecesOptions {
  /** Bytes per piece of `nodes` (tests make it 1: a piece per node). */
  readonly pieceBytes?: number;
  /** A worker to share the checking of pieces; `bytes` must then be in a SharedArrayBuffer. */
  readonly worker?: PieceWorker | null;
}

/**
 * A valid manifest read a piece at a time (connectors/dbt/manifest-layout.ts), without building its nodes'
 * columns: this thread cuts each node's `columns` object out of the text where it guesses it is (dbt writes
 * `meta` after it), parses the rest, and keeps each node's columns as their text, parsed when first read
 * ({@link heldColumns}), and checks the rest against the schema. Meanwhile the worker scans the pieces
 * (connectors/dbt/manifest-piece-check.ts): duplicate keys, and exactly where each `columns` object is, each
 * proved to be JSON the schema accepts without parsing it; this thread joins the scanning once its own
 * reading is done. A piece whose guessed cuts were not the scan's is read again at the scan's. The parse of
 * the rest and the proof of each cut together accept what JSON.parse of the whole piece and the schema check
 * would, so the result is the manifest the one-text path would give (its nodes stripped as zod's parse
 * strips them), whole or not at all.
 * Null for anything this does not read exactly as {@link parseManifest} would (UTF-16, invalid UTF-8, a layout
 * it does not recognise, invalid JSON, a duplicate key, a manifest the check refuses, an unsupported
 * version): that path then reads it, and names what is wrong.
 */
export async function readManifestPieces(bytes: Uint8Array, file: string, options: ReadPiecesOptions = {}): Promise<DbtManifest | null> {
  const { pieceBytes = PIECE_BYTES } = options;
  let start = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3;
  else if (bytes.length >= 2 && (bytes[0] === 0 || bytes[1] === 0 || bytes[0] === 0xff || bytes[0] === 0xfe)) return null;
  if (!isUtf8(bytes)) return null;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const encoding = isAscii(bytes) ? "latin1" : "utf8";
  const decode = (from: number, to: number): string => buffer.toString(encoding, from, to);
  const layout = findManifestLayout(bytes, decode, pieceBytes, start);
  if (layout === null) return null;
  const { chunks } = layout;

  // The worker starts checking pieces at once, taking them from a counter it shares with this thread.
  const shared = bytes.buffer instanceof SharedArrayBuffer && bytes.byteOffset === 0 ? bytes.buffer : null;
  const worker = shared ? (options.worker ?? null) : null;
  const counter = new Int32Array(worker ? new SharedArrayBuffer(8) : new ArrayBuffer(8));
  const answer: Promise<PieceAnswer | null> | null =
    worker && shared && chunks.length > 1 ? worker.read({ bytes: shared, encoding, chunks, counter: counter.buffer as SharedArrayBuffer }).catch(() => null) : null;
  const stop = (): null => {
    Atomics.store(counter, 1, 1);
    Atomics.store(counter, 0, chunks.length);
    return null;
  };

  const { beforeValue, afterValue } = layout;
  // A key in both, or a second "nodes", is a duplicate key: parseManifest warns of it.
  for (const key in afterValue) if (Object.hasOwn(beforeValue, key) || key === "nodes") return stop();
  const top: Record<string, unknown> = { ...beforeValue, nodes: null, ...afterValue };
  if (!isValidManifestBesideNodes(top)) return stop();
  if (hasDuplicateKeys(`{${decode(layout.before.start, layout.before.end)}}`) || hasDuplicateKeys(`{${decode(layout.after.start, layout.after.end)}`)) return stop();
  let schemaVersion: number;
  try {
    schemaVersion = readSchemaVersion(top, file, null);
  } catch {
    return stop();
  }

  // Every piece's nodes without their columns, cut where they are guessed to be.
  const guessed: number[][] = [];
  const read: (ManifestNode[] | null)[] = [];
  const ids: (string[] | null)[] = [];
  for (const [index, chunk] of chunks.entries()) {
    const spans: number[] = [];
    guessColumnSpans(buffer, chunk.start, chunk.end, spans);
    guessed[index] = spans;
    const piece = readPieceWithoutColumns(buffer, encoding, chunk, spans, decode);
    read[index] = piece?.nodes ?? null;
    ids[index] = piece?.ids ?? null;
  }
  // Then the checking this thread shares with the worker (all of it without one).
  const exact: (number[] | undefined)[] = [];
  if (!checkPiecesHere(buffer, chunks, counter, encoding, areValidNodes, exact)) return stop();
  if (answer !== null) {
    const answered = await answer;
    if (answered !== null && !answered.ok) return null;
    if (answered !== null) for (const [index, spans] of answered.spans) exact[index] = spans;
    // A thread that failed (not the manifest) leaves its pieces to this one.
    for (const [index, chunk] of chunks.entries()) {
      if (exact[index] !== undefined) continue;
      const spans = checkPiece(buffer, chunk.start, chunk.end, encoding, areValidNodes, hasDuplicateKeys);
      if (spans === null) return null;
      exact[index] = spans;
    }
  }

  const nodes: Record<string, ManifestNode> = {};
  for (const [index, chunk] of chunks.entries()) {
    const spans = exact[index]!;
    let pieceNodes = read[index];
    let pieceIds = ids[index];
    if (pieceNodes === null || !sameNumbers(spans, guessed[index]!)) {
      // The guess was wrong: the cuts the check found are right (the piece is valid JSON).
      const piece = readPieceWithoutColumns(buffer, encoding, chunk, spans, decode);
      if (piece === null) return null;
      ({ nodes: pieceNodes, ids: pieceIds } = piece);
    }
    for (const [k, id] of pieceIds!.entries()) {
      if (Object.hasOwn(nodes, id)) return null;
      nodes[id] = pieceNodes![k]!;
    }
  }
  top["nodes"] = nodes;
  return toDbtManifest(top as RawManifest, file, schemaVersion);
}

const COLUMNS_KEY = Buffer.from('"columns"');
const META_KEY = Buffer.from('"meta"');
const COMPACT_META = Buffer.from('},"meta"');
const SPACED_META = Buffer.from('}, "meta"');

/**
 * Where the non-empty `columns` objects of the nodes in bytes [start, end) probably are (start, end pairs on
 * `spans`): after a `"columns":` key, up to the `}` before the node's next key, `"meta"` (dbt writes `meta`
 * after `columns` in every schema v4–v12; a column's own `meta` follows its description, a string). Only a
 * guess: the check's scan says where they are.
 */
export function guessColumnSpans(buffer: Buffer, start: number, end: number, spans: number[]): void {
  const space = (byte: number | undefined) => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
  // Every search stays within the piece: one in the whole buffer for what the rest of it lacks would read
  // to its end, for every piece.
  const window = buffer.subarray(0, end);
  let from = start;
  let spacedFirst = false;
  for (let at = window.indexOf(COLUMNS_KEY, from); at !== -1; at = window.indexOf(COLUMNS_KEY, from)) {
    from = at + 9;
    if (buffer[at - 1] === 0x5c) continue;
    let a = at + 9;
    while (space(buffer[a])) a++;
    if (buffer[a] !== 0x3a) continue;
    a++;
    while (space(buffer[a])) a++;
    if (buffer[a] !== 0x7b) continue;
    let b = a + 1;
    while (space(buffer[b])) b++;
    if (buffer[b] === 0x7d) continue; // {}: nothing to hold
    // The node's `}, "meta"` as dbt writes it (compact or not) first: one search, where a loop over every
    // `"meta"` would stop at each column's.
    let close = -1;
    // The style found last, else the other (a file is written in one; a wrong guess only costs a re-read).
    const piece = buffer.subarray(b, end);
    let near = piece.indexOf(spacedFirst ? SPACED_META : COMPACT_META);
    if (near === -1) {
      near = piece.indexOf(spacedFirst ? COMPACT_META : SPACED_META);
      if (near !== -1) spacedFirst = !spacedFirst;
    }
    if (near !== -1) {
      spans.push(a, b + near + 1);
      from = b + near + 1;
      continue;
    }
    for (let m = window.indexOf(META_KEY, b); m !== -1; m = window.indexOf(META_KEY, m + 6)) {
      let c = m - 1;
      while (space(buffer[c])) c--;
      if (buffer[c] !== 0x2c) continue;
      c--;
      while (space(buffer[c])) c--;
      if (buffer[c] !== 0x7d) continue;
      close = c;
      break;
    }
    if (close === -1) return;
    spans.push(a, close + 1);
    from = close + 1;
  }
}

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The nodes of a piece, parsed with each `spans` cut replaced by its index, stripped to their declared
 * fields, their columns held as the cut's bytes; null when the rest does not parse (a wrong guess).
 */
function readPieceWithoutColumns(
  buffer: Buffer,
  encoding: "latin1" | "utf8",
  chunk: ByteRange,
  spans: readonly number[],
  decode: (from: number, to: number) => string,
): { ids: string[]; nodes: ManifestNode[] } | null {
  // The cuts' bytes, copied into one buffer for the piece: outside the JavaScript heap, so the garbage
  // collector neither copies them nor scans them, and the file's buffer is not kept alive by them. Shared
  // memory, so the column-lineage worker reads the column names from them without a copy (./column-lineage-thread.ts).
  let size = 0;
  for (let k = 0; k < spans.length; k += 2) size += spans[k + 1]! - spans[k]!;
  const held = size === 0 ? null : Buffer.from(new SharedArrayBuffer(size));
  const cuts: HeldColumns[] = [];
  let rest = "{";
  let from = chunk.start;
  for (let k = 0, at = 0; k < spans.length; k += 2) {
    rest += decode(from, spans[k]!) + String(cuts.length);
    const length = buffer.copy(held!, at, spans[k]!, spans[k + 1]!);
    cuts.push(new HeldColumns(held!, at, at + length, encoding));
    at += length;
    from = spans[k + 1]!;
  }
  rest += decode(from, chunk.end) + "}";
  let parsed: Record<string, Record<string, unknown>>;
  try {
    parsed = JSON.parse(rest) as Record<string, Record<string, unknown>>;
  } catch {
    return null;
  }
  // The schema check of everything but the cut columns (the check's scan proves those: manifest-piece-check.ts).
  const heldByIndex: (HeldColumns | undefined)[] = [];
  for (const id in parsed) {
    const node = parsed[id];
    if (typeof node !== "object" || node === null) return null;
    const cut = node["columns"];
    if (typeof cut !== "number") {
      heldByIndex.push(undefined);
      continue;
    }
    const columns = cuts[cut];
    if (columns === undefined) return null;
    heldByIndex.push(columns);
    node["columns"] = null;
  }
  if (!areValidNodes(parsed)) return null;
  const ids: string[] = [];
  const nodes: ManifestNode[] = [];
  for (const id in parsed) {
    const stripped = stripNode(parsed[id] as ManifestNode);
    const columns = heldByIndex[ids.length];
    if (columns !== undefined) holdColumns(stripped, columns);
    ids.push(id);
    nodes.push(stripped);
  }
  return { ids, nodes };
}

const stripColumns = compileStrip(z.record(z.string(), columnSchema));

/** One accessor for every node whose columns are held unread: parses and strips them on first read. */
const heldColumnsAccessor: PropertyDescriptor = {
  enumerable: true,
  configurable: true,
  get(this: ManifestNode) {
    const held = heldByNode.get(this);
    const columns = held === undefined ? null : stripColumns(JSON.parse(held.text()) as Record<string, ManifestColumn>);
    heldByNode.delete(this);
    Object.defineProperty(this, "columns", { value: columns, writable: true, enumerable: true, configurable: true });
    return columns;
  },
};

function holdColumns(node: ManifestNode, held: HeldColumns): void {
  heldByNode.set(node, held);
  Object.defineProperty(node, "columns", heldColumnsAccessor);
}


/** Parses manifest text. `file` names it in errors. */
export function parseManifest(text: string, file: string, locationName: string | null = null): DbtManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw jsonSyntaxError(text, file, locationName, error);
  }
  const manifest = normalizeManifest(json, file, locationName);
  const duplicateKeys = findDuplicateKeys(text);
  return duplicateKeys.length === 0 ? manifest : { ...manifest, duplicateKeys };
}

/** Validates an already-parsed manifest object. */
export function normalizeManifest(json: unknown, file: string, locationName: string | null = null): DbtManifest {
  const context = { file, locationName };
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new LoadError("manifest_invalid", `${file} is not a dbt manifest: the top level is not a JSON object`, {
      ...context,
      jsonPath: "$",
    });
  }
  const schemaVersion = readSchemaVersion(json as Record<string, unknown>, file, locationName);
  // Nearly every manifest is valid: check it in place, and let zod parse only to name what is wrong.
  if (isValidManifest(json)) return toDbtManifest(json, file, schemaVersion);
  const result = manifestSchema.safeParse(json, { reportInput: true });
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const jsonPath = formatJsonPath(issue.path);
    const nodeId = nodeIdFromPath(issue.path);
    throw new LoadError(
      "manifest_invalid",
      `${file} (manifest v${schemaVersion}) is invalid at ${jsonPath}: ${describeIssue(issue)}` +
        (result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more problems)` : ""),
      { ...context, jsonPath, nodeId },
    );
  }
  return toDbtManifest(result.data, file, schemaVersion);
}

function readSchemaVersion(json: Record<string, unknown>, file: string, locationName: string | null): number {
  const metadata = json["metadata"];
  const url =
    typeof metadata === "object" && metadata !== null
      ? (metadata as Record<string, unknown>)["dbt_schema_version"]
      : undefined;
  if (typeof url !== "string") {
    throw new LoadError(
      "manifest_invalid",
      `${file} is not a dbt manifest: metadata.dbt_schema_version is missing (expected e.g. "https://schemas.getdbt.com/dbt/manifest/v12.json")`,
      { file, locationName, jsonPath: "$.metadata.dbt_schema_version" },
    );
  }
  const match = /\/dbt\/([\w-]+)\/v(\d+)\.json$/.exec(url);
  if (!match || match[1] !== "manifest") {
    const what = match ? `a dbt ${match[1]} artifact, not a manifest` : `an unrecognised schema "${url}"`;
    throw new LoadError("manifest_invalid", `${file} is ${what}`, {
      file,
      locationName,
      jsonPath: "$.metadata.dbt_schema_version",
    });
  }
  const version = Number(match[2]);
  if (!(SUPPORTED_MANIFEST_VERSIONS as readonly number[]).includes(version)) {
    const dbtVersion = (metadata as Record<string, unknown>)["dbt_version"];
    const hint =
      version < 4
        ? "it was written by dbt < 1.0; re-run `dbt parse` with dbt-core 1.0 or newer"
        : "it was written by a newer dbt than this Tributary knows; upgrade Tributary";
    throw new LoadError(
      "manifest_unsupported_version",
      `${file} has manifest schema v${version}${typeof dbtVersion === "string" ? ` (dbt ${dbtVersion})` : ""}; ` +
        `Tributary reads v${SUPPORTED_MANIFEST_VERSIONS[0]}–v${SUPPORTED_MANIFEST_VERSIONS.at(-1)}: ${hint}`,
      { file, locationName, jsonPath: "$.metadata.dbt_schema_version" },
    );
  }
  return version;
}

function toDbtManifest(raw: RawManifest, file: string, schemaVersion: number): DbtManifest {
  const passThrough: Record<string, { name: string; dependsOn: string[] }> = {};
  for (const collection of [raw.metrics, raw.semantic_models, raw.saved_queries]) {
    for (const [id, item] of Object.entries(collection ?? {})) {
      passThrough[id] = { name: item.name, dependsOn: item.depends_on?.nodes ?? [] };
    }
  }
  return {
    file,
    schemaVersion,
    dbtVersion: asString(raw.metadata.dbt_version),
    adapterType: asString(raw.metadata.adapter_type),
    projectName: asString(raw.metadata.project_name),
    projectId: asString(raw.metadata.project_id),
    generatedAt: asString(raw.metadata.generated_at),
    nodes: raw.nodes,
    sources: raw.sources,
    exposures: raw.exposures ?? {},
    passThrough,
    groups: raw.groups ?? {},
    unitTests: raw.unit_tests ?? {},
    functionIds: new Set(Object.keys(raw.functions ?? {})),
    parentMap: raw.parent_map ?? rebuildParentMap(raw),
    duplicateKeys: [],
  };
}

/** Early dbt Fusion manifests lack `parent_map`; `depends_on` carries the same edges. */
function rebuildParentMap(raw: RawManifest): Record<string, string[]> {
  const parents: Record<string, string[]> = {};
  for (const [id, node] of Object.entries(raw.nodes)) parents[id] = [...(node.depends_on?.nodes ?? [])];
  for (const id of Object.keys(raw.sources)) parents[id] = [];
  for (const [id, exposure] of Object.entries(raw.exposures ?? {})) parents[id] = [...(exposure.depends_on?.nodes ?? [])];
  return parents;
}

/** `$.nodes["model.shop.orders"].depends_on.nodes[2]` */
export function formatJsonPath(path: readonly PropertyKey[]): string {
  let out = "$";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (typeof part === "string" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(part)) out += `.${part}`;
    else out += `[${JSON.stringify(String(part))}]`;
  }
  return out;
}

function nodeIdFromPath(path: readonly PropertyKey[]): string | null {
  const [collection, id] = path;
  const collections = ["nodes", "sources", "exposures", "metrics", "semantic_models", "saved_queries", "groups", "unit_tests"];
  return typeof collection === "string" && collections.includes(collection) && typeof id === "string" ? id : null;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_type") {
    const received = (issue as { input?: unknown }).input;
    return `expected ${issue.expected}, got ${received === undefined ? "nothing (the field is missing)" : describeValue(received)}`;
  }
  return issue.message;
}

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value)}`;
  return typeof value === "object" ? "an object" : `${typeof value} ${String(value)}`;
}

/** A syntax error naming the line and column (see {@link describeJsonSyntaxError}). */
function jsonSyntaxError(text: string, file: string, locationName: string | null, error: unknown): LoadError {
  const what = describeJsonSyntaxError(text, error, "Was it copied while dbt was still writing it?");
  return new LoadError("manifest_malformed_json", `${file} ${what}`, { file, locationName, cause: error });
}

// ---------------------------------------------------------------------------------------------------------
// Reading lenient fields: a value of an unexpected type reads as absent, never as an error.

/** The value when it is a string, else null. */
export function asString(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

/** The value when it is a string or a number (dbt model versions are either), as a string; else null. */
export function asVersion(value: unknown): string | number | null {
  return typeof value === "string" || (typeof value === "number" && Number.isFinite(value)) ? value : null;
}

/** The value when it is a JSON object, else null. */
export function asRecord(value: unknown): Record<string, unknown> | null {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/** The strings of a list (a single string is a list of one, as dbt allows for tags and emails); else []. */
export function asStrings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

/**
 * Whether a node dbt listed is enabled. dbt moves disabled nodes to the manifest's `disabled` section, so
 * an entry of `nodes` or `sources` is enabled unless its config says exactly `false` (a hand-edited
 * manifest); any other value is one dbt wrote and still enabled, e.g. the string "True and True" a dbt 1.2
 * package writes for `enabled: "{{ true and true }}"`. dagster-dbt does not read the field at all.
 */
export function isEnabled(config: ManifestConfig | null | undefined): boolean {
  return config?.enabled !== false;
}
