/**
 * `engines` and the dependency set agree (issue 12 item 16): every package in package-lock.json and in
 * admin-ui's supports the lowest Node that package.json's `engines` allows and the Node running the tests, so
 * `npm ci` prints no EBADENGINE warning on the machines' Node 20.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

const root = join(import.meta.dirname, "..");
const packageJson = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { engines: { node: string } };
type Lock = { packages: Record<string, { version?: string; engines?: unknown; optional?: boolean }> };
/** The root's lock and the web UI's (its own package.json, installed by scripts/ensure-setup.mjs). */
const locks: Record<string, Lock> = {
  "package-lock.json": JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as Lock,
  "admin-ui/package-lock.json": JSON.parse(readFileSync(join(root, "admin-ui", "package-lock.json"), "utf8")) as Lock,
};

type Version = readonly [number, number, number];

function parseVersion(text: string): Version {
  const match = /^v?(\d+)(?:\.(\d+|x|\*))?(?:\.(\d+|x|\*))?$/.exec(text.trim());
  if (!match) throw new Error(`cannot read the version "${text}"`);
  const part = (value: string | undefined) => (value === undefined || value === "x" || value === "*" ? 0 : Number(value));
  return [Number(match[1]), part(match[2]), part(match[3])];
}

function compare(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/**
 * Whether `version` satisfies an npm range of the forms package-lock.json holds for `engines.node`:
 * alternatives joined by `||`, each a space-separated list of `>=x`, `>x`, `<x`, `<=x`, `^x`, `~x`, `x`
 * (a bare major, or major.minor, means that line) or `*`. Anything else throws, so the test never passes by
 * not understanding a range.
 */
export function satisfies(version: Version, range: string): boolean {
  return range.split("||").some((alternative) =>
    alternative
      .trim()
      .replace(/(>=|<=|>|<|\^|~)\s+/g, "$1")
      .split(/\s+/)
      .every((comparator) => {
        if (comparator === "" || comparator === "*" || comparator === "x") return true;
        const match = /^(>=|<=|>|<|\^|~|=)?(.+)$/.exec(comparator)!;
        const operator = match[1] ?? "";
        const bound = parseVersion(match[2]!);
        const parts = match[2]!.split(".").filter((p) => p !== "x" && p !== "*").length;
        switch (operator) {
          case ">=":
            return compare(version, bound) >= 0;
          case ">":
            return compare(version, bound) > 0;
          case "<=":
            return compare(version, bound) <= 0;
          case "<":
            return compare(version, bound) < 0;
          case "^":
            return compare(version, bound) >= 0 && (bound[0] > 0 ? version[0] === bound[0] : version[1] === bound[1]);
          case "~":
            return compare(version, bound) >= 0 && version[0] === bound[0] && (parts < 2 || version[1] === bound[1]);
          default:
            // "20" is 20.x.x, "20.19" is 20.19.x, "20.19.0" is exactly that.
            return version[0] === bound[0] && (parts < 2 || version[1] === bound[1]) && (parts < 3 || version[2] === bound[2]);
        }
      }),
  );
}

/** The lowest version each `||` alternative of a range starts at. */
function lowestVersions(range: string): Version[] {
  return range.split("||").map((alternative) => {
    const match = /(?:>=|\^|~)?\s*v?(\d+(?:\.\d+){0,2})/.exec(alternative.trim());
    if (!match) throw new Error(`cannot find the lowest version of "${alternative}"`);
    return parseVersion(match[1]!);
  });
}

test("the range reader reads the forms the lock file holds", () => {
  assert.ok(satisfies([20, 20, 2], "^20.19.0 || ^22.13.0 || >=24"));
  assert.ok(!satisfies([20, 10, 0], "^20.19.0 || ^22.13.0 || >=24"));
  assert.ok(!satisfies([20, 20, 2], ">=22.15.0"));
  assert.ok(satisfies([20, 20, 2], "18 || 20 || >=22"));
  assert.ok(!satisfies([21, 0, 0], "18 || 20 || >=22"));
  assert.ok(satisfies([20, 20, 2], ">= 8"));
  assert.ok(satisfies([20, 20, 2], "^12.22.0 || ^14.17.0 || >=16.0.0"));
  assert.ok(satisfies([20, 20, 2], ">=16 <=22"));
});

test("every locked package supports the lowest Node of package.json's engines and the Node running now", () => {
  const ours = packageJson.engines.node;
  const running = parseVersion(process.versions.node);
  assert.ok(satisfies(running, ours), `this Node (${process.versions.node}) is outside engines.node "${ours}"`);
  const nodes = [...lowestVersions(ours).filter((version) => version[0] === running[0]), running];
  const refusing: string[] = [];
  for (const [lockFile, lock] of Object.entries(locks)) {
    for (const [path, entry] of Object.entries(lock.packages)) {
      if (path === "" || entry.optional === true) continue;
      const range = (entry.engines as { node?: unknown } | undefined)?.node;
      if (typeof range !== "string") continue;
      for (const node of nodes) {
        if (!satisfies(node, range)) refusing.push(`${lockFile}: ${path}@${entry.version} wants node "${range}", refusing ${node.join(".")}`);
      }
    }
  }
  assert.deepEqual(refusing, []);
});
