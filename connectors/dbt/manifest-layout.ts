/**
 * Where a manifest's `nodes` are in its bytes, found without reading the file through: the members before
 * `nodes` (metadata), `nodes` cut into runs of whole nodes of about `chunkBytes` each, and the members after
 * it (sources, macros, parent_map…). Each piece is parsed on its own (`{` + piece + `}`), so a large manifest
 * is parsed a megabyte at a time, by two threads, and what a piece holds that nothing reads dies young.
 *
 * The cuts are guesses made from a few bytes around each cut point, and JSON.parse of each piece is what
 * proves them: a piece parses only when it is a list of whole members at its level (a cut inside a string or
 * a nested value leaves a bracket or a quote open). A cut that does not prove out sends the whole manifest
 * down the ordinary path (JSON.parse of all of it), which reads any valid manifest and names the fault of an
 * invalid one, so a wrong guess costs time, never a wrong answer. The guesses:
 * - `nodes` is the first `"nodes"` key whose preceding members parse as the top level's first members;
 * - `nodes` ends at a `}` that follows another `}` (its last node's) and is followed by `, "sources": {` (dbt
 *   writes sources next; a node's own `sources` is a list), or else by the `}` that ends the file; what
 *   follows is parsed as the top level's last members, which proves it (a wrong `}` leaves one too many);
 * - a node ends at a `}` followed by `,` and a key shaped like a node id (`model.shop.orders`: a resource type,
 *   a package, a name); the search for one starts `chunkBytes` after the previous cut.
 * A manifest written in another key order (sorted keys: `nodes` then `parent_map`) is read the ordinary way.
 */

/** A byte range, end exclusive. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

export interface ManifestLayout {
  /** The members before `nodes` (usually `"metadata": {…}`), without the comma that ends them; empty when `nodes` comes first. */
  readonly before: ByteRange;
  /** Runs of whole `nodes` members (`"id": {…}, "id": {…}`), in order; none when `nodes` is empty. */
  readonly chunks: readonly ByteRange[];
  /** The members after `nodes`, up to and including the `}` that closes the manifest; empty (start = end) when `nodes` comes last. */
  readonly after: ByteRange;
  /** The members before and after `nodes`, parsed while their bounds were proved. */
  readonly beforeValue: Record<string, unknown>;
  readonly afterValue: Record<string, unknown>;
}

/** `model.shop.orders`, `test.shop.unique_orders_id.fd3b1a`, `model.shop.orders.v2`: a resource type, a package, a name. */
const NODE_ID = /^(?:model|seed|snapshot|test|analysis|operation|sql_operation|rpc|sql|unit_test)\.[^".\\]+\.[^"\\]+$/;

const SOURCES_KEY = Buffer.from('"sources"');
const SOURCES_COMPACT = Buffer.from('"sources":{');
const SOURCES_SPACED = Buffer.from('"sources": {');

const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN = 0x7b;
const CLOSE = 0x7d;

function isSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/** The text of bytes [start, end) of UTF-8. */
export type Decode = (start: number, end: number) => string;

/**
 * The layout of a manifest's UTF-8 bytes (after any BOM, from `start`), or null when it is not the one
 * described above; `decode` turns a byte range into text (the caller knows whether the bytes are ASCII).
 */
export function findManifestLayout(bytes: Uint8Array, decode: Decode, chunkBytes: number, start = 0): ManifestLayout | null {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = buffer.length;
  let open = start;
  while (isSpace(buffer[open])) open++;
  if (buffer[open] !== OPEN) return null;
  const parse = (text: string): Record<string, unknown> | null => {
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch {
      return null;
    }
  };

  // The top-level "nodes": the first one whose preceding members parse as the top level's.
  let nodesOpen = -1;
  let before: ByteRange | null = null;
  let beforeValue: Record<string, unknown> | null = null;
  // ("nodes" is also depends_on's key, with a list: those are passed over without a parse.)
  for (let at = buffer.indexOf('"nodes"', open), tries = 0; at !== -1 && tries < 4; at = buffer.indexOf('"nodes"', at + 1)) {
    let b = at - 1;
    while (isSpace(buffer[b])) b--;
    let a = at + 7;
    while (isSpace(buffer[a])) a++;
    if (buffer[a] !== COLON) continue;
    a++;
    while (isSpace(buffer[a])) a++;
    if (buffer[a] !== OPEN) continue;
    if (b === open) {
      before = { start: open + 1, end: open + 1 };
      beforeValue = {};
    } else if (buffer[b] === COMMA) {
      tries++;
      const value = parse(`{${decode(open + 1, b)}}`);
      if (value === null || Object.hasOwn(value, "nodes")) continue;
      before = { start: open + 1, end: b };
      beforeValue = value;
    } else continue;
    nodesOpen = a;
    break;
  }
  if (nodesOpen === -1 || before === null || beforeValue === null) return null;

  /** The members after `nodes` if `close` is the `}` that closes it; null if that does not parse. */
  const afterFrom = (close: number): { after: ByteRange; value: Record<string, unknown> } | null => {
    let c = close + 1;
    while (isSpace(buffer[c])) c++;
    if (buffer[c] === CLOSE) {
      let e = c + 1;
      while (isSpace(buffer[e])) e++;
      return e === n ? { after: { start: c, end: c }, value: {} } : null;
    }
    if (buffer[c] !== COMMA) return null;
    const value = parse(`{${decode(c + 1, n)}`);
    return value === null ? null : { after: { start: c + 1, end: n }, value };
  };

  let first = nodesOpen + 1;
  while (isSpace(buffer[first])) first++;
  if (buffer[first] === CLOSE) {
    const rest = afterFrom(first);
    return rest === null ? null : { before, chunks: [], after: rest.after, beforeValue, afterValue: rest.value };
  }
  if (buffer[first] !== QUOTE) return null;

  // Where `nodes` ends: before dbt's `"sources": {` (dbt writes sources next), or, when `nodes` is last, before
  // the file's last `}`. Proved by parsing what follows as the top level's last members.
  let nodesClose = -1;
  let rest: { after: ByteRange; value: Record<string, unknown> } | null = null;
  /** Whether the `"sources"` key at `at` is the top level's, just after `nodes` (sets nodesClose and rest); null if it is not `"sources": {`. */
  const closesNodes = (at: number): boolean | null => {
    let a = at + 9;
    while (isSpace(buffer[a])) a++;
    if (buffer[a] !== COLON) return null;
    a++;
    while (isSpace(buffer[a])) a++;
    if (buffer[a] !== OPEN) return null;
    let b = at - 1;
    while (isSpace(buffer[b])) b--;
    if (buffer[b] !== COMMA) return null;
    b--;
    while (isSpace(buffer[b])) b--;
    if (buffer[b] !== CLOSE || !endsWithBrace(buffer, b)) return null;
    rest = afterFrom(b);
    if (rest === null) return false;
    nodesClose = b;
    return true;
  };
  // From the end first: what dbt writes after `sources` (macros, docs, the maps) is a small part of a large
  // manifest, so the top level's `"sources"` is found without reading `nodes` through. (Every node has a
  // `"sources": [` of its own, as do exposures and disabled nodes after it: they are passed over.) The
  // key found must close `nodes` and be followed by what parses as the top level's last members.
  for (let at = buffer.lastIndexOf(SOURCES_KEY), failed = 0; at > first && failed < 3; at = buffer.lastIndexOf(SOURCES_KEY, at - 1)) {
    const closed = closesNodes(at);
    if (closed === true) break;
    if (closed === false) failed++;
  }
  // Else from the start of `nodes`: the first `"sources"` followed by `{` as dbt writes it, compact or not,
  // instead of stopping at each node's (this reads the whole file, once for each spacing).
  if (nodesClose === -1) {
    const objectFirst = [SOURCES_COMPACT, SOURCES_SPACED].map((needle) => buffer.indexOf(needle, first)).filter((at) => at !== -1);
    const firstObject = objectFirst.length === 0 ? first : Math.min(...objectFirst);
    for (let at = buffer.indexOf(SOURCES_KEY, firstObject), failed = 0; at !== -1 && failed < 3; at = buffer.indexOf(SOURCES_KEY, at + 9)) {
      const closed = closesNodes(at);
      if (closed === true) break;
      if (closed === false) failed++;
    }
  }
  if (nodesClose === -1) {
    let b = n - 1;
    while (isSpace(buffer[b])) b--;
    if (buffer[b] !== CLOSE) return null;
    b--;
    while (isSpace(buffer[b])) b--;
    if (buffer[b] !== CLOSE || !endsWithBrace(buffer, b)) return null;
    rest = afterFrom(b);
    if (rest === null) return null;
    nodesClose = b;
  }

  // Runs of about chunkBytes: each ends at a `}` followed by `,` and a node id.
  const chunks: ByteRange[] = [];
  let chunkStart = first;
  while (chunkStart + chunkBytes < nodesClose) {
    let next = -1;
    for (let close = buffer.indexOf(CLOSE, chunkStart + chunkBytes); close !== -1 && close < nodesClose; close = buffer.indexOf(CLOSE, close + 1)) {
      let c = close + 1;
      while (isSpace(buffer[c])) c++;
      if (buffer[c] !== COMMA) continue;
      c++;
      while (isSpace(buffer[c])) c++;
      if (buffer[c] !== QUOTE) continue;
      const keyEnd = buffer.indexOf(QUOTE, c + 1);
      if (keyEnd === -1 || keyEnd - c > 400 || !NODE_ID.test(buffer.toString("latin1", c + 1, keyEnd))) continue;
      chunks.push({ start: chunkStart, end: close + 1 });
      next = c;
      break;
    }
    if (next === -1) break;
    chunkStart = next;
  }
  chunks.push({ start: chunkStart, end: nodesClose });
  return { before, chunks, after: rest!.after, beforeValue, afterValue: rest!.value };
}

/** Whether the byte before `close` (blanks skipped) is a `}`: the `}` that closes `nodes` follows its last node's. */
function endsWithBrace(buffer: Buffer, close: number): boolean {
  let b = close - 1;
  while (isSpace(buffer[b])) b--;
  return buffer[b] === CLOSE;
}
