/**
 * Asset key globs, for `allow`/`ignore` in any/all deps match and for `policies[].assets` in tributary.yaml.
 * A glob is matched against the key's string form (`marts/finance/orders`): `*` matches within one part,
 * `**` across parts, `?` one character; anything else is literal.
 */
const compiled = new Map<string, RegExp>();

/** The regular expression of a key glob (cached). */
export function keyGlobPattern(glob: string): RegExp {
  let pattern = compiled.get(glob);
  if (pattern === undefined) {
    let source = "";
    for (let i = 0; i < glob.length; i++) {
      const ch = glob[i]!;
      if (ch === "*" && glob[i + 1] === "*") {
        source += ".*";
        i++;
      } else if (ch === "*") source += "[^/]*";
      else if (ch === "?") source += "[^/]";
      else source += ch.replace(/[.+^${}()|[\]\\]/g, "\\$&");
    }
    pattern = new RegExp(`^${source}$`);
    compiled.set(glob, pattern);
  }
  return pattern;
}

/** True when the key string matches the glob. */
export function matchesKeyGlob(keyString: string, glob: string): boolean {
  return keyGlobPattern(glob).test(keyString);
}

/** True when the key string matches any of the globs. */
export function matchesAnyKeyGlob(keyString: string, globs: readonly string[]): boolean {
  return globs.some((glob) => matchesKeyGlob(keyString, glob));
}
