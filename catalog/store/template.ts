/**
 * The embedded database's template: a PGlite data directory with every migration applied, dumped once as a
 * gzip'd tarball (dist/store-template/, written by scripts/ensure-setup.mjs after the CLI is built). A new data
 * directory starts from it instead of running initdb and the migrations: PGlite's initdb alone is ≈3 s of CPU,
 * loading the tarball ≈1 s (bench/startup-bench.ts, "new" data dir) — Postgres's own `CREATE DATABASE … TEMPLATE`
 * idea, for a database that lives in a file tree.
 *
 * The file's name carries PGlite's version and a digest of the migrations it holds, so a template made by another
 * PGlite or before a migration was added is never used (the store then initialises as before). The store still
 * checks the migration history after opening, so a template that somehow disagrees fails loudly, naming the file.
 * What differs from a database initialised in place: `tributary_migrations.applied_at` is the time the template
 * was made.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadMigrations, migrate, type Migration } from "./migrations.ts";
import { createPgliteClient, dumpEmbeddedDatabase, IN_MEMORY } from "./sql-client.ts";

/** Where templates are kept: dist/store-template at the repository's (or package's) root. */
export const STORE_TEMPLATE_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "dist", "store-template");

/** The installed PGlite's version (its package.json is not in the package's exports: found from its entry point). */
function pgliteVersion(): string {
  let dir = dirname(createRequire(import.meta.url).resolve("@electric-sql/pglite"));
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      const { name, version } = JSON.parse(readFileSync(manifest, "utf8")) as { name?: string; version?: string };
      if (name === "@electric-sql/pglite" && version) return version;
    }
    const parent = dirname(dir);
    if (parent === dir) return "unknown";
    dir = parent;
  }
}

/** The template file for these migrations on this PGlite. */
export function storeTemplatePath(migrations: readonly Migration[] = loadMigrations(), dir: string = STORE_TEMPLATE_DIR): string {
  const digest = createHash("sha256");
  for (const migration of migrations) digest.update(`${migration.number}:${migration.checksum}\n`);
  return join(dir, `pglite-${pgliteVersion()}-${digest.digest("hex").slice(0, 16)}.tar.gz`);
}

/** The template for these migrations, or null when none was made for them (or it cannot be read). */
export async function readStoreTemplate(migrations?: readonly Migration[], dir?: string): Promise<Blob | null> {
  const path = storeTemplatePath(migrations, dir);
  try {
    return new Blob([await readFile(path)]);
  } catch {
    return null;
  }
}

/**
 * Makes the template for the shipped migrations when it does not exist yet; returns its path. An in-memory
 * database is migrated and dumped; the file is written through a rename, so a process starting meanwhile reads
 * either nothing or the whole file.
 */
export async function ensureStoreTemplate(dir: string = STORE_TEMPLATE_DIR): Promise<{ path: string; made: boolean }> {
  const migrations = loadMigrations();
  const path = storeTemplatePath(migrations, dir);
  if (existsSync(path)) return { path, made: false };
  const client = await createPgliteClient({ dataDir: IN_MEMORY });
  try {
    await migrate(client, migrations);
    const tarball = await dumpEmbeddedDatabase(client);
    await mkdir(dir, { recursive: true });
    const partial = `${path}.${process.pid}.partial`;
    await writeFile(partial, Buffer.from(await tarball.arrayBuffer()));
    await rename(partial, path);
  } finally {
    await client.close();
  }
  return { path, made: true };
}
