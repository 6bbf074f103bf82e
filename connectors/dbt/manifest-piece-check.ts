/**
 * The proof half of reading a large manifest in pieces (connectors/dbt/manifest.ts): a run of `nodes`
 * members is checked exactly as the one-text path would check it — JSON.parse of the whole run, the compiled
 * schema check, and a scan for duplicate keys — and the scan also says exactly where each node's `columns`
 * object is, so the reader can keep those objects as text (read when a column is first asked for) once
 * the cuts it guessed are shown to be these.
 *
 * Both threads run this, a piece at a time from a shared counter, so its functions are plain JavaScript
 * without imports: the worker gets them as source text ({@link PIECE_CHECK_SOURCE}).
 */
import { HAS_DUPLICATE_KEYS_SOURCE, hasDuplicateKeys } from "./json-text.ts";

/**
 * One pass over bytes [start, end) of a run of `nodes` members (`"id": {…}, "id": {…}`, valid JSON as JSON.parse
 * of the run proved): pushes on `spans` the start and end (exclusive) of each node's `columns` value when it
 * is an object with members, and, when `checkKeys`, returns false as soon as some object may hold a key twice
 * (two keys with the same 32-bit hash of their bytes, or a key with an escape: the exact text scan then
 * decides); true when no object does. Nothing is allocated per key or per object, as in mayHaveDuplicateKeys.
 */
export function scanPiece(bytes: Uint8Array, start: number, end: number, spans: number[], checkKeys: boolean): boolean {
  // Per open container (by depth): whether it is an object, where its keys start in `hashes`, and for an
  // object of more than 8 keys, a table of their hashes (capacity a power of two, 0 = empty slot).
  const isObject: boolean[] = [true];
  const firstKey: number[] = [0];
  const tables: (Int32Array | undefined)[] = [];
  const hashes: number[] = [];
  let keys = 0;
  // Depth 0 is `nodes` itself (its braces are outside the run), 1 a node, 2 a node's field's value.
  let depth = 0;
  let expectKey = true;
  // The last key read in a node was `columns`; the columns object open at depth 2 (its `{`), and whether it has members.
  let columnsKey = false;
  let columnsOpen = -1;
  let columnsMembers = false;
  const insert = (table: Int32Array, hash: number): boolean => {
    const mask = table.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const found = table[slot]!;
      if (found === 0) {
        table[slot] = hash;
        return true;
      }
      if (found === hash) return false;
    }
  };
  let i = start;
  while (i < end) {
    const c = bytes[i]!;
    if (c === 0x22) {
      let hash = 0x811c9dc5;
      let close = -1;
      let escaped = false;
      let j = i + 1;
      const stop = j + 48 < end ? j + 48 : end;
      for (; j < stop; j++) {
        const d = bytes[j]!;
        if (d === 0x22) {
          close = j;
          break;
        }
        if (d === 0x5c) {
          escaped = true;
          break;
        }
        hash = Math.imul(hash ^ d, 0x01000193);
      }
      if (close === -1) {
        // Long, or escaped: the quote that no odd run of backslashes precedes.
        close = j;
        for (;;) {
          close = (bytes as Buffer).indexOf(0x22, close);
          if (close === -1 || close >= end) return false; // not JSON after all: let the exact scan decide
          let backslashes = 0;
          while (bytes[close - 1 - backslashes] === 0x5c) backslashes++;
          if (backslashes % 2 === 0) break;
          escaped = true;
          close++;
        }
        if (expectKey) {
          for (; j < close; j++) {
            const d = bytes[j]!;
            if (d === 0x5c) escaped = true;
            hash = Math.imul(hash ^ d, 0x01000193);
          }
        }
      }
      if (expectKey) {
        expectKey = false;
        // An escaped key may equal another written without escapes: the exact scan compares them decoded.
        if (escaped && checkKeys) return false;
        if (depth === 1) {
          columnsKey =
            close - i === 8 &&
            bytes[i + 1] === 0x63 && bytes[i + 2] === 0x6f && bytes[i + 3] === 0x6c && bytes[i + 4] === 0x75 &&
            bytes[i + 5] === 0x6d && bytes[i + 6] === 0x6e && bytes[i + 7] === 0x73;
        } else if (depth === 2 && columnsOpen !== -1) columnsMembers = true;
        if (checkKeys) {
          hash = Math.imul(hash ^ (close - i), 0x01000193) | 1; // never 0, the empty slot
          const first = firstKey[depth]!;
          const count = keys - first;
          if (count < 8) {
            for (let k = first; k < keys; k++) if (hashes[k] === hash) return false;
            if (count === 7) {
              // The 8th key: from now on the object's keys go into its table too.
              let table = tables[depth];
              if (table === undefined) tables[depth] = table = new Int32Array(64);
              else table.fill(0);
              for (let k = first; k < keys; k++) insert(table, hashes[k]!);
              insert(table, hash);
            }
          } else {
            let table = tables[depth]!;
            if (count * 2 >= table.length) {
              // Keep the table at most half full: twice the size, every hash again.
              table = tables[depth] = new Int32Array(table.length * 2);
              for (let k = first; k < keys; k++) insert(table, hashes[k]!);
            }
            if (!insert(table, hash)) return false;
          }
          hashes[keys++] = hash;
        }
      }
      i = close + 1;
      continue;
    }
    if (c === 0x7b || c === 0x5b) {
      depth++;
      isObject[depth] = c === 0x7b;
      firstKey[depth] = keys;
      expectKey = c === 0x7b;
      if (depth === 2) {
        if (columnsKey && c === 0x7b) {
          columnsOpen = i;
          columnsMembers = false;
        }
        columnsKey = false;
      }
    } else if (c === 0x7d || c === 0x5d) {
      if (depth === 2 && columnsOpen !== -1) {
        if (columnsMembers) spans.push(columnsOpen, i + 1);
        columnsOpen = -1;
      }
      keys = firstKey[depth]!;
      depth--;
    } else if (c === 0x2c) {
      expectKey = isObject[depth] === true;
    }
    i++;
  }
  return true;
}

/**
 * Checks the run of `nodes` members at bytes [start, end) as the one-text path would: null when it is not
 * exactly readable (not JSON, refused by `check`, a duplicate key), else the spans of its nodes' `columns`
 * objects ({@link scanPiece}).
 */
export function checkPiece(
  bytes: Uint8Array,
  start: number,
  end: number,
  encoding: "latin1" | "utf8",
  check: (value: unknown) => boolean,
  hasDuplicates: (text: string) => boolean,
): number[] | null {
  const text = `{${(bytes as Buffer).toString(encoding, start, end)}}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (!check(parsed)) return null;
  const spans: number[] = [];
  if (!scanPiece(bytes, start, end, spans, true)) {
    if (hasDuplicates(text)) return null;
    spans.length = 0;
    scanPiece(bytes, start, end, spans, false);
  }
  return spans;
}

/**
 * Claims pieces from `counter` (shared between the threads) until none is left, checks each, and records
 * its spans in `out[piece]`; false (and the counter run out, so the other thread stops too) when one fails.
 */
export function checkPieces(
  bytes: Uint8Array,
  chunks: readonly { readonly start: number; readonly end: number }[],
  counter: Int32Array,
  encoding: "latin1" | "utf8",
  check: (value: unknown) => boolean,
  hasDuplicates: (text: string) => boolean,
  out: (number[] | undefined)[],
): boolean {
  for (;;) {
    const piece = Atomics.add(counter, 0, 1);
    if (piece >= chunks.length) return Atomics.load(counter, 1) === 0;
    const spans = checkPiece(bytes, chunks[piece]!.start, chunks[piece]!.end, encoding, check, hasDuplicates);
    if (spans === null) {
      Atomics.store(counter, 1, 1);
      Atomics.store(counter, 0, chunks.length);
      return false;
    }
    out[piece] = spans;
  }
}

/** The functions above (and hasDuplicateKeys) as JavaScript source, for the worker thread. */
export const PIECE_CHECK_SOURCE = `${HAS_DUPLICATE_KEYS_SOURCE}\n${scanPiece}\n${checkPiece}\n${checkPieces}`;

/** {@link checkPieces} with this module's hasDuplicateKeys. */
export function checkPiecesHere(
  bytes: Uint8Array,
  chunks: readonly { readonly start: number; readonly end: number }[],
  counter: Int32Array,
  encoding: "latin1" | "utf8",
  check: (value: unknown) => boolean,
  out: (number[] | undefined)[],
): boolean {
  return checkPieces(bytes, chunks, counter, encoding, check, hasDuplicateKeys, out);
}
