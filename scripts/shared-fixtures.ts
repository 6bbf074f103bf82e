/**
 * Where the shared fixtures are: real public dbt artifacts and Fivetran / Census API answers, kept beside the
 * project in ../shared/fixtures (its README says what each is) and read in place by tests and benches, never
 * copied in. A checkout without them fails at once, saying so, instead of with an ENOENT deep in a test.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

export const SHARED_FIXTURES = resolve(import.meta.dirname, "..", "..", "shared", "fixtures");

/** The path of a shared fixture (`sharedFixture("manifests", "jaffle-shop-state-v11-postgres")`); throws when it is missing. */
export function sharedFixture(...parts: string[]): string {
  return fixtureUnder(SHARED_FIXTURES, ...parts);
}

/** {@link sharedFixture} under another root (for its own test). */
export function fixtureUnder(root: string, ...parts: string[]): string {
  if (!existsSync(root)) {
    throw new Error(`The shared fixtures are missing: ${root} does not exist. Run from a checkout with shared/ beside it (the tests read ../shared/fixtures in place).`);
  }
  const path = join(root, ...parts);
  if (!existsSync(path)) throw new Error(`The shared fixture ${parts.join("/")} is missing from ${root}.`);
  return path;
}
