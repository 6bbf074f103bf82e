/**
 * What JSON.parse does not say about a JSON file: its encoding, where exactly a syntax error is (V8 names
 * no position for some errors, e.g. "Unexpected token 'x', "…" is not valid JSON"), and which object keys
 * appear twice (JSON.parse silently keeps the last one, so a second `"nodes": {}` empties a manifest).
 */

/** The text of a JSON file, decoded as RFC 8259 and Python's `json` detect it: UTF-8, or UTF-16 by BOM or NULs. */
export function decodeJsonBytes(bytes: Uint8Array): { readonly text: string; readonly encoding: "utf-8" | "utf-16le" | "utf-16be" } {
  const [b0, b1, b2] = [bytes[0], bytes[1], bytes[2]];
  let encoding: "utf-8" | "utf-16le" | "utf-16be" = "utf-8";
  if (b0 === 0xff && b1 === 0xfe) encoding = "utf-16le";
  else if (b0 === 0xfe && b1 === 0xff) encoding = "utf-16be";
  // No BOM: JSON text starts with an ASCII character, so a NUL beside the first byte tells UTF-16 apart.
  else if (bytes.length >= 2 && b0 === 0 && b1 !== 0) encoding = "utf-16be";
  else if (bytes.length >= 2 && b0 !== 0 && b1 === 0 && b2 !== 0) encoding = "utf-16le";
  // TextDecoder drops the BOM (UTF-8's too), which JSON.parse would refuse.
  const text = new TextDecoder(encoding).decode(bytes);
  return { text, encoding };
}

/** A JSON syntax error: its offset in the text (UTF-16 code units), its line and column (1-based), and what is wrong. */
export interface JsonSyntaxProblem {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
  readonly problem: string;
  /** True when the text ends before the JSON does. */
  readonly truncated: boolean;
}

/** Line and column (1-based) of an offset. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  for (let index = text.indexOf("\n"); index !== -1 && index < offset; index = text.indexOf("\n", index + 1)) line++;
  return { line, column: offset - text.lastIndexOf("\n", offset - 1) };
}

/** A character as a message may show it: printable as itself, anything else (NUL…) as `\uXXXX`. */
export function showCharacter(char: string): string {
  return /^[\x21-\x7e]$/.test(char) || (char.length > 0 && char.charCodeAt(0) > 0xa0 && !/[\ud800-\udfff]/.test(char))
    ? `'${char}'`
    : `U+${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * The first syntax error of `text` by RFC 8259, or null when it is valid JSON. Linear, iterative (no
 * recursion, so nesting depth cannot overflow the stack); run only after JSON.parse has failed.
 */
export function findJsonSyntaxError(text: string): JsonSyntaxProblem | null {
  let i = 0;
  const n = text.length;
  const fail = (offset: number, problem: string, truncated = false): JsonSyntaxProblem => ({ offset, ...lineAndColumn(text, offset), problem, truncated });
  const end = (what: string) => fail(n, `the text ends where ${what} was expected`, true);
  const unexpected = (what: string) => fail(i, `unexpected ${showCharacter(text[i]!)} where ${what} was expected`);
  const skipSpace = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
  };
  /** Reads a string at i (which is a quote); returns a problem or null. */
  const readString = (): JsonSyntaxProblem | null => {
    i++;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return null;
      }
      if (c < 0x20) return fail(i, `control character ${showCharacter(text[i]!)} inside a string (it must be escaped)`);
      if (c === 0x5c) {
        const next = text[i + 1];
        if (next === undefined) return end("an escaped character");
        if (next === "u") {
          if (!/^[0-9A-Fa-f]{4}$/.test(text.slice(i + 2, i + 6))) return i + 6 > n ? end("four hex digits") : fail(i, "a \\u escape needs four hex digits");
          i += 6;
          continue;
        }
        if (!'"\\/bfnrt'.includes(next)) return fail(i, `bad escape \\${next === "" ? "" : showCharacter(next)}`);
        i += 2;
        continue;
      }
      i++;
    }
    return end("the closing quote of a string");
  };
  const readNumber = (): JsonSyntaxProblem | null => {
    const match = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
    match.lastIndex = i;
    const found = match.exec(text);
    if (!found || found[0] === "" || found[0] === "-") return i + 1 >= n ? end("a number") : fail(i, "malformed number");
    i += found[0].length;
    const next = text[i];
    if (next !== undefined && /[0-9.eE+-]/.test(next)) return fail(i, "malformed number");
    return null;
  };
  // Containers: "{" or "[", and for each what comes next.
  const stack: string[] = [];
  let expect: "value" | "key" | "colon" | "commaOrClose" | "keyOrClose" | "valueOrClose" = "value";
  for (;;) {
    skipSpace();
    if (i >= n) {
      if (stack.length === 0 && expect === "commaOrClose") return null;
      return end(expect === "colon" ? "':'" : expect === "commaOrClose" ? `',' or '${stack.at(-1) === "{" ? "}" : "]"}'` : expect.startsWith("key") ? "a property name" : "a value");
    }
    const char = text[i]!;
    if (expect === "commaOrClose") {
      if (stack.length === 0) return fail(i, `unexpected ${showCharacter(char)} after the end of the JSON value`);
      const close = stack.at(-1) === "{" ? "}" : "]";
      if (char === ",") {
        i++;
        expect = stack.at(-1) === "{" ? "key" : "value";
      } else if (char === close) {
        i++;
        stack.pop();
        expect = "commaOrClose";
      } else return unexpected(`',' or '${close}'`);
      continue;
    }
    if (expect === "colon") {
      if (char !== ":") return unexpected("':' after a property name");
      i++;
      expect = "value";
      continue;
    }
    if (expect === "key" || expect === "keyOrClose") {
      if (char === "}" && expect === "keyOrClose") {
        i++;
        stack.pop();
        expect = "commaOrClose";
        continue;
      }
      if (char !== '"') return unexpected(expect === "key" ? "a property name in double quotes" : "a property name or '}'");
      const problem = readString();
      if (problem) return problem;
      expect = "colon";
      continue;
    }
    // A value.
    if (char === "]" && expect === "valueOrClose") {
      i++;
      stack.pop();
      expect = "commaOrClose";
      continue;
    }
    if (char === "{") {
      i++;
      stack.push("{");
      expect = "keyOrClose";
      continue;
    }
    if (char === "[") {
      i++;
      stack.push("[");
      expect = "valueOrClose";
      continue;
    }
    let problem: JsonSyntaxProblem | null = null;
    if (char === '"') problem = readString();
    else if (char === "-" || (char >= "0" && char <= "9")) problem = readNumber();
    else {
      const literal = ["true", "false", "null"].find((word) => word[0] === char);
      if (literal === undefined) return unexpected("a value");
      for (let k = 0; k < literal.length; k++) {
        if (i + k >= n) return end(`the literal ${literal}`);
        if (text[i + k] !== literal[k]) {
          i += k;
          return unexpected(`the literal ${literal}`);
        }
      }
      i += literal.length;
    }
    if (problem) return problem;
    expect = "commaOrClose";
  }
}

/** A key that appears twice in one JSON object: JSON.parse keeps its last value. */
export interface DuplicateJsonKey {
  readonly key: string;
  /** The object holding it, e.g. `$` or `$.nodes["model.shop.orders"]`. */
  readonly jsonPath: string;
}

/**
 * The keys that appear more than once in one object of `text`, which must be valid JSON (JSON.parse has
 * accepted it); at most `limit` of them. One pass over the text: 0.35–0.55 s on a 69 MB manifest of 10k
 * models, where JSON.parse takes 0.45–1.2 s (a busy 2-core machine).
 */
export function findDuplicateKeys(text: string, limit = 20): DuplicateJsonKey[] {
  const found: DuplicateJsonKey[] = [];
  // Per open container (by depth): whether it is an object, where its keys so far start and end in the text
  // (compared in place, without copying them), a Set once it has many, and where its current key is.
  const isObject: boolean[] = [];
  const starts: number[][] = [];
  const ends: number[][] = [];
  const sets: (Set<string> | null)[] = [];
  const currentKey: number[] = [];
  let depth = -1;
  let expectKey = false;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // A string: find its closing quote (one not preceded by an odd number of backslashes).
      let close = text.indexOf('"', i + 1);
      while (text.charCodeAt(close - 1) === 0x5c) {
        let backslashes = 1;
        while (text.charCodeAt(close - 1 - backslashes) === 0x5c) backslashes++;
        if (backslashes % 2 === 0) break;
        close = text.indexOf('"', close + 1);
      }
      if (close === -1) break; // an unterminated string (not JSON): nothing more to find, and no scan from 0 again
      if (expectKey) {
        expectKey = false;
        const start = i + 1;
        const keyStarts = starts[depth]!;
        const keyEnds = ends[depth]!;
        currentKey[depth] = keyStarts.length;
        let duplicate = false;
        const set = sets[depth];
        if (set) {
          const key = text.slice(start, close);
          duplicate = set.has(key);
          set.add(key);
        } else {
          const length = close - start;
          for (let k = 0; k < keyStarts.length && !duplicate; k++) {
            if (keyEnds[k]! - keyStarts[k]! !== length) continue;
            let same = true;
            for (let j = 0; j < length; j++) {
              if (text.charCodeAt(keyStarts[k]! + j) !== text.charCodeAt(start + j)) {
                same = false;
                break;
              }
            }
            duplicate = same;
          }
          // Small objects (most of a manifest) compare a few keys in place; large ones (nodes, sources) hash.
          if (keyStarts.length === 16) sets[depth] = new Set(keyStarts.map((s, k) => text.slice(s, keyEnds[k])));
        }
        keyStarts.push(start);
        keyEnds.push(close);
        if (duplicate && found.length < limit) found.push({ key: decodeKey(text.slice(start, close)), jsonPath: pathOf(text, isObject, starts, ends, currentKey, depth) });
      }
      i = close + 1;
      continue;
    }
    if (c === 0x7b || c === 0x5b) {
      depth++;
      isObject[depth] = c === 0x7b;
      if (starts[depth] === undefined) {
        starts[depth] = [];
        ends[depth] = [];
      } else {
        starts[depth]!.length = 0;
        ends[depth]!.length = 0;
      }
      sets[depth] = null;
      currentKey[depth] = -1;
      expectKey = c === 0x7b;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    } else if (c === 0x2c) {
      expectKey = isObject[depth] === true;
    }
    i++;
  }
  return found;
}

/**
 * Whether `text` (valid JSON, as JSON.parse accepted it) may hold a key twice in one object: false means
 * certainly not, as {@link findDuplicateKeys} would find none; true means it may (a duplicate, or two keys
 * whose hashes collide), and findDuplicateKeys says which. Several times faster than findDuplicateKeys, which
 * it spares on almost every text: keys are compared by a 32-bit hash of their text, taken while their closing
 * quote is looked for, a large object's keys in an open-addressing table per depth, and nothing is allocated
 * per key or per object.
 */
export function mayHaveDuplicateKeys(text: string): boolean {
  const n = text.length;
  // Per open container (by depth): whether it is an object, where its keys start in `hashes`, and for an
  // object of more than 8 keys, a table of their hashes (capacity a power of two, 0 = empty slot).
  const isObject: boolean[] = [];
  const firstKey: number[] = [];
  const tables: Int32Array[] = [];
  const used: boolean[] = [];
  const hashes: number[] = [];
  let keys = 0;
  let depth = -1;
  let expectKey = false;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // A string: its closing quote, looked for here while it is short and plain (hashing it if it is a key).
      let hash = 0x811c9dc5;
      let close = -1;
      let j = i + 1;
      const stop = j + 48 < n ? j + 48 : n;
      for (; j < stop; j++) {
        const d = text.charCodeAt(j);
        if (d === 0x22) {
          close = j;
          break;
        }
        if (d === 0x5c) break;
        hash = Math.imul(hash ^ d, 0x01000193);
      }
      if (close === -1) {
        // Long, or escaped: find the quote that no odd run of backslashes precedes, and hash what was skipped.
        close = text.indexOf('"', j);
        for (;;) {
          let backslashes = 0;
          while (text.charCodeAt(close - 1 - backslashes) === 0x5c) backslashes++;
          if (backslashes % 2 === 0) break;
          close = text.indexOf('"', close + 1);
        }
        if (close === -1) return true; // not valid JSON after all: let the exact scan decide
        if (expectKey) for (; j < close; j++) hash = Math.imul(hash ^ text.charCodeAt(j), 0x01000193);
      }
      if (expectKey) {
        expectKey = false;
        hash = Math.imul(hash ^ (close - i), 0x01000193) | 1; // never 0, the empty slot
        const first = firstKey[depth]!;
        const count = keys - first;
        if (count < 8) {
          for (let k = first; k < keys; k++) if (hashes[k] === hash) return true;
          if (count === 7) {
            // The 8th key: from now on the object's keys go into its table too.
            let table = tables[depth];
            if (table === undefined) tables[depth] = table = new Int32Array(64);
            else table.fill(0);
            used[depth] = true;
            for (let k = first; k < keys; k++) insertHash(table, hashes[k]!);
            insertHash(table, hash);
          }
        } else {
          let table = tables[depth]!;
          if (count * 2 >= table.length) {
            // Keep the table at most half full: twice the size, every hash again.
            table = tables[depth] = new Int32Array(table.length * 2);
            for (let k = first; k < keys; k++) insertHash(table, hashes[k]!);
          }
          if (!insertHash(table, hash)) return true;
        }
        hashes[keys++] = hash;
      }
      i = close + 1;
      continue;
    }
    if (c === 0x7b || c === 0x5b) {
      depth++;
      isObject[depth] = c === 0x7b;
      firstKey[depth] = keys;
      used[depth] = false;
      expectKey = c === 0x7b;
    } else if (c === 0x7d || c === 0x5d) {
      keys = firstKey[depth]!;
      depth--;
    } else if (c === 0x2c) {
      expectKey = isObject[depth] === true;
    }
    i++;
  }
  return false;
}

/** Adds a (nonzero) hash to an open-addressing table; false when it is there already. */
function insertHash(table: Int32Array, hash: number): boolean {
  const mask = table.length - 1;
  for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
    const found = table[slot]!;
    if (found === 0) {
      table[slot] = hash;
      return true;
    }
    if (found === hash) return false;
  }
}

/** Whether `text` (valid JSON) holds a key twice in one object, as {@link findDuplicateKeys} finds them. */
export function hasDuplicateKeys(text: string): boolean {
  return mayHaveDuplicateKeys(text) && findDuplicateKeys(text, 1).length > 0;
}

/** A key as JSON.parse reads it (escapes resolved). */
function decodeKey(raw: string): string {
  return raw.includes("\\") ? (JSON.parse(`"${raw}"`) as string) : raw;
}

function pathOf(
  text: string,
  isObject: readonly boolean[],
  starts: readonly number[][],
  ends: readonly number[][],
  currentKey: readonly number[],
  depth: number,
): string {
  let path = "$";
  for (let level = 0; level < depth; level++) {
    const k = currentKey[level]!;
    if (!isObject[level]) path += "[…]";
    else if (k >= 0) {
      const key = decodeKey(text.slice(starts[level]![k], ends[level]![k]));
      path += /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
    }
  }
  return path;
}

/**
 * What is wrong with a JSON text that JSON.parse refused, for an error message that follows the file name:
 * the line and column found by {@link findJsonSyntaxError} (V8 names no position for some errors and quotes
 * the text around the fault, NUL bytes and all), "truncated" when the text just ends (with `truncatedHint`:
 * what probably cut it short), and a word on NUL bytes before the fault.
 */
export function describeJsonSyntaxError(text: string, error: unknown, truncatedHint: string): string {
  const problem = findJsonSyntaxError(text);
  if (problem === null) {
    // JSON.parse refused what the scan accepts: say so without quoting the text.
    return `is not valid JSON (${error instanceof Error ? error.name : "error"}; no position known)`;
  }
  if (problem.truncated) {
    return `is truncated: the JSON ends unexpectedly at line ${problem.line}, column ${problem.column} (${text.length} characters). ${truncatedHint}`;
  }
  const nul = text.indexOf("\u0000");
  return (
    `is not valid JSON at line ${problem.line}, column ${problem.column}: ${problem.problem}` +
    (nul !== -1 && nul <= problem.offset ? ` (the file holds ${showCharacter("\u0000")} bytes: is it UTF-8, or was it damaged?)` : "")
  );
}

/**
 * {@link hasDuplicateKeys} as JavaScript source (with the functions it calls), to define it in a worker
 * thread, which cannot import this TypeScript module.
 */
export const HAS_DUPLICATE_KEYS_SOURCE = `${decodeKey}\n${pathOf}\n${findDuplicateKeys}\n${insertHash}\n${mayHaveDuplicateKeys}\n${hasDuplicateKeys}`;
