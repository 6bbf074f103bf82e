/**
 * A table of distinct strings, each kept once and named by its index: what the columnar encodings of stored
 * state (catalog/store's evaluation trees, the scheduler's tick cursors) write instead of repeating a string.
 */

/** The distinct strings interned so far, and how to intern one more. */
export interface StringTable {
  /** The distinct strings, in the order they were first interned (what an encoding stores). */
  readonly strings: string[];
  /** The index of `text` in `strings`, appended when it is new (a function of its own: it may be destructured). */
  readonly intern: (text: string) => number;
}

export function createStringTable(): StringTable {
  const strings: string[] = [];
  const stringIndex = new Map<string, number>();
  return {
    strings,
    intern: (text) => {
      let found = stringIndex.get(text);
      if (found === undefined) stringIndex.set(text, (found = strings.push(text) - 1));
      return found;
    },
  };
}
