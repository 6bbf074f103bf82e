/**
 * Python's `fnmatch` (what dbt matches tags, packages, sources and fqn parts with) and `pathlib` glob segments
 * (what `path:` matches with), as regular expressions. Written out because dbt's meaning is exact: `*` in
 * fnmatch crosses `/` and `.`, `[!…]` negates, an unclosed `[` is literal, and matching is case-sensitive.
 */
const fnmatchCache = new Map<string, RegExp>();

/** The regular expression of an fnmatch pattern, anchored (Python's `fnmatch.translate`). */
export function fnmatchPattern(pattern: string, crossSlash = true): RegExp {
  const cacheKey = `${crossSlash ? "1" : "0"}${pattern}`;
  const cached = fnmatchCache.get(cacheKey);
  if (cached) return cached;
  const any = crossSlash ? "[\\s\\S]" : "[^/]";
  let source = "";
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i++]!;
    if (ch === "*") {
      while (pattern[i] === "*") i++;
      source += `${any}*`;
    } else if (ch === "?") {
      source += any;
    } else if (ch === "[") {
      let j = i;
      if (pattern[j] === "!") j++;
      if (pattern[j] === "]") j++;
      while (j < pattern.length && pattern[j] !== "]") j++;
      if (j >= pattern.length) {
        source += "\\[";
      } else {
        let body = pattern.slice(i, j);
        i = j + 1;
        const negate = body.startsWith("!");
        if (negate) body = body.slice(1);
        const escaped = body.replace(/\\/g, "\\\\").replace(/\^/g, "\\^").replace(/\[/g, "\\[").replace(/\]/g, "\\]");
        source += negate ? `[^${escaped}${crossSlash ? "" : "/"}]` : `[${escaped}]`;
      }
    } else {
      source += ch.replace(/[.+^${}()|[\]\\/-]/g, "\\$&");
    }
  }
  const compiled = new RegExp(`^${source}$`, "u");
  fnmatchCache.set(cacheKey, compiled);
  return compiled;
}

/** Python's `fnmatch.fnmatchcase(name, pattern)`. */
export function fnmatch(name: string, pattern: string): boolean {
  return fnmatchPattern(pattern).test(name);
}

/** True when the pattern has a glob character (dbt's test for "this selector part is a wildcard"). */
export function hasWildcard(pattern: string): boolean {
  return /[*?[\]]/.test(pattern);
}

/**
 * Whether a relative path is one of `Path(root).glob(pattern)`'s results (for a path that exists): the
 * pattern's segments match the path's one by one, `*` and `?` within a segment, `**` any number of segments.
 */
export function pathGlobMatches(path: string, pattern: string): boolean {
  const parts = splitPath(path);
  const globs = splitPath(pattern);
  return matchSegments(parts, 0, globs, 0);
}

function matchSegments(parts: readonly string[], p: number, globs: readonly string[], g: number): boolean {
  if (g === globs.length) return p === parts.length;
  const glob = globs[g]!;
  if (glob === "**") {
    for (let k = p; k <= parts.length; k++) if (matchSegments(parts, k, globs, g + 1)) return true;
    return false;
  }
  if (p === parts.length) return false;
  return fnmatchPattern(glob, false).test(parts[p]!) && matchSegments(parts, p + 1, globs, g + 1);
}

/** `./models//marts/` → `["models", "marts"]`. */
export function splitPath(path: string): string[] {
  return path
    .replace(/\\/g, "/")
    .split("/")
    .filter((part) => part !== "" && part !== ".");
}
