/**
 * The proof half of reading a large manifest in pieces (connectors/dbt/manifest.ts): a run of `nodes`
 * members is scanned for duplicate keys, and the scan says exactly where each node's `columns` object is; each
 * of those is proved to be JSON the schema accepts without being parsed (1.9 million column objects at issue
 * 18's 10k heavy models were most of the parse), so the reader can keep them as text, read when a column is
 * first asked for, once the cuts it guessed are shown to be these. The reader parses and checks the rest.
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
 * Whether bytes [open, close) are a `columns` value as the one-text path would accept it, without parsing it:
 * JSON (RFC 8259, as JSON.parse reads it) that is one object whose members are objects, with no `__proto__`
 * member (the schema's record refuses one); and, so that the text around it can be parsed with a number in
 * its place (readManifestPieces), preceded by nothing but `:` between blanks after the key's closing quote
 * and followed by blanks and a `,` or `}`. Keys and escapes in them are the duplicate-key scan's business.
 */
export function isColumnsValue(bytes: Uint8Array, open: number, close: number): boolean {
  const blank = (byte: number | undefined) => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
  let b = open - 1;
  while (blank(bytes[b])) b--;
  if (bytes[b] !== 0x3a) return false;
  b--;
  while (blank(bytes[b])) b--;
  if (bytes[b] !== 0x22) return false;
  let a = close;
  while (blank(bytes[a])) a++;
  if (bytes[a] !== 0x2c && bytes[a] !== 0x7d) return false;

  // States: 0 a value, 1 a key or `}`, 2 a key, 3 the `:` after a key, 4 a `,` or the container's close,
  // 5 a value or `]`. `objects[d]`: whether the container at depth d (1 = the columns object) is an object.
  const objects: boolean[] = [];
  let depth = 0;
  let state = 0;
  let i = open;
  while (i < close) {
    const c = bytes[i]!;
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
      i++;
      continue;
    }
    if (state === 4) {
      if (depth === 0) return false;
      if (c === 0x2c) state = objects[depth] ? 2 : 0;
      else if (c === (objects[depth] ? 0x7d : 0x5d)) depth--;
      else return false;
      i++;
      continue;
    }
    if (state === 3) {
      if (c !== 0x3a) return false;
      state = 0;
      i++;
      continue;
    }
    if (state === 1 || state === 2) {
      if (c === 0x7d && state === 1) {
        depth--;
        state = 4;
        i++;
        continue;
      }
      if (c !== 0x22) return false;
      const key = i;
      i = endOfString(bytes, i, close);
      if (i === -1) return false;
      // `"__proto__"`: 11 bytes with its quotes.
      if (depth === 1 && i - key === 11 && bytes[key + 1] === 0x5f && bytes[key + 2] === 0x5f && bytes[key + 3] === 0x70 && bytes[key + 4] === 0x72 &&
        bytes[key + 5] === 0x6f && bytes[key + 6] === 0x74 && bytes[key + 7] === 0x6f && bytes[key + 8] === 0x5f && bytes[key + 9] === 0x5f) return false;
      state = 3;
      continue;
    }
    // A value (state 0), or a value or `]` (state 5).
    if (state === 5 && c === 0x5d) {
      depth--;
      state = 4;
      i++;
      continue;
    }
    // The columns object itself, and each of its members, must be an object.
    if ((depth === 0 || depth === 1) && c !== 0x7b) return false;
    if (c === 0x7b || c === 0x5b) {
      depth++;
      objects[depth] = c === 0x7b;
      state = c === 0x7b ? 1 : 5;
      i++;
      continue;
    }
    state = 4;
    if (c === 0x22) i = endOfString(bytes, i, close);
    else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) i = endOfNumber(bytes, i, close);
    else if (c === 0x74) i = bytes[i + 1] === 0x72 && bytes[i + 2] === 0x75 && bytes[i + 3] === 0x65 ? i + 4 : -1;
    else if (c === 0x66) i = bytes[i + 1] === 0x61 && bytes[i + 2] === 0x6c && bytes[i + 3] === 0x73 && bytes[i + 4] === 0x65 ? i + 5 : -1;
    else if (c === 0x6e) i = bytes[i + 1] === 0x75 && bytes[i + 2] === 0x6c && bytes[i + 3] === 0x6c ? i + 4 : -1;
    else return false;
    if (i === -1 || i > close) return false;
  }
  return depth === 0 && state === 4;
}

/** The index after the string that opens at `i` (a quote), or -1 when it is not a JSON string ending before `limit`. */
export function endOfString(bytes: Uint8Array, i: number, limit: number): number {
  for (let j = i + 1; j < limit; j++) {
    const c = bytes[j]!;
    if (c === 0x22) return j + 1;
    if (c < 0x20) return -1;
    if (c === 0x5c) {
      const e = bytes[j + 1];
      if (e === 0x75) {
        for (let h = j + 2; h < j + 6; h++) {
          const d = bytes[h]!;
          if (!((d >= 0x30 && d <= 0x39) || (d >= 0x41 && d <= 0x46) || (d >= 0x61 && d <= 0x66))) return -1;
        }
        j += 5;
      } else if (e === 0x22 || e === 0x5c || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) j++;
      else return -1;
    }
  }
  return -1;
}

/** The index after the JSON number that starts at `i`, or -1 when none does. */
export function endOfNumber(bytes: Uint8Array, i: number, limit: number): number {
  const digit = (at: number) => at < limit && bytes[at]! >= 0x30 && bytes[at]! <= 0x39;
  if (bytes[i] === 0x2d) i++;
  if (!digit(i)) return -1;
  if (bytes[i] === 0x30) i++;
  else while (digit(i)) i++;
  if (i < limit && bytes[i] === 0x2e) {
    i++;
    if (!digit(i)) return -1;
    while (digit(i)) i++;
  }
  if (i < limit && (bytes[i] === 0x65 || bytes[i] === 0x45)) {
    i++;
    if (i < limit && (bytes[i] === 0x2b || bytes[i] === 0x2d)) i++;
    if (!digit(i)) return -1;
    while (digit(i)) i++;
  }
  return i;
}

/**
 * Checks the run of `nodes` members at bytes [start, end) as far as one thread can without the main thread's
 * parse of the run's other bytes: null when it is not exactly readable, else the spans of its nodes' `columns`
 * objects ({@link scanPiece}), each proved to be a columns value the schema accepts ({@link isColumnsValue}).
 * The rest of the run — every byte outside those spans — is parsed and checked by the main thread
 * (readManifestPieces), with a number where each span was; together the two prove what JSON.parse of the whole
 * run and the schema check would. A run the quick duplicate-key scan is unsure of (a key with an escape, two
 * keys of one hash) is checked whole, as before: parsed, checked, scanned exactly.
 */
export function checkPiece(
  bytes: Uint8Array,
  start: number,
  end: number,
  encoding: "latin1" | "utf8",
  check: (value: unknown) => boolean,
  hasDuplicates: (text: string) => boolean,
): number[] | null {
  const spans: number[] = [];
  if (scanPiece(bytes, start, end, spans, true)) {
    for (let k = 0; k < spans.length; k += 2) if (!isColumnsValue(bytes, spans[k]!, spans[k + 1]!)) return null;
    return spans;
  }
  const text = `{${(bytes as Buffer).toString(encoding, start, end)}}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (!check(parsed) || hasDuplicates(text)) return null;
  spans.length = 0;
  scanPiece(bytes, start, end, spans, false);
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
export const PIECE_CHECK_SOURCE = `${HAS_DUPLICATE_KEYS_SOURCE}\n${scanPiece}\n${isColumnsValue}\n${endOfString}\n${endOfNumber}\n${checkPiece}\n${checkPieces}`;

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
