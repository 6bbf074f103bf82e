/**
 * Issue 12 items 11 and 13 through the real wiring and the real store (embedded PGlite): a manifest holding
 * NUL bytes fails with line and column and is recorded (it failed in the store with `invalid byte sequence
 * for encoding "UTF8": 0x00`, and on reload with "Unexpected error."); a UTF-16 manifest loads; and a restart
 * whose manifest is broken serves the last good definitions from the store, with the error shown.
 */
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { openCatalogStore } from "../catalog/store/index.ts";
import { sharedFixture } from "../scripts/shared-fixtures.ts";
import { createLogger } from "./logging.ts";
import { startServe, type ConsoleOutput } from "./serve.ts";
import { createCatalogService } from "./wiring.ts";

const JAFFLE = sharedFixture("manifests", "jaffle-shop-state-v11-postgres", "manifest.json");
const logger = createLogger({ level: "silent" });

test("NUL bytes fail the reload with line and column, recorded in the store; UTF-16 loads; a restart on a broken manifest serves the last good definitions", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tributary-hostile-"));
  const manifest = join(dir, "manifest.json");
  const dataDir = join(dir, "data");
  copyFileSync(JAFFLE, manifest);
  const text = readFileSync(manifest, "utf8");
  const request = { config: null, dbtProjects: [], manifests: [manifest], dataDir, scheduler: false, purpose: "serve" as const, logger };
  const runtime = await createCatalogService(request, () => {});
  try {
    assert.ok((await runtime.reload!()).ok);
    assert.equal(runtime.current().assets.length, 19);

    writeFileSync(manifest, text.slice(0, 1000) + "\u0000\u0000\u0000" + text.slice(1000));
    const broken = await runtime.reload!();
    assert.ok(broken.ok, "the catalog stays up");
    assert.equal(broken.errors[0]?.code, "manifest_malformed_json");
    assert.match(broken.errors[0]?.message ?? "", /at line \d+, column \d+/);
    assert.equal(runtime.current().assets.length, 19);

    writeFileSync(manifest, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]));
    const utf16 = await runtime.reload!();
    assert.deepEqual(utf16.errors, []);
    assert.equal(runtime.current().locations[0]?.state, "loaded");
  } finally {
    await runtime.close!();
  }

  const store = await openCatalogStore({ dataDir });
  try {
    const [latest] = await store.latestLoads();
    assert.equal(latest?.status, "loaded");
    const [row] = await store.client.query<{ error_message: string }>(
      "SELECT error_message FROM location_loads WHERE status = 'failed' ORDER BY id DESC LIMIT 1",
    );
    assert.match(row?.error_message ?? "", /manifest\.json is not valid JSON at line \d+, column \d+/);
  } finally {
    await store.close();
  }

  // Restart with the manifest broken: the store's last good definitions are served, the error is printed.
  writeFileSync(manifest, text.slice(0, text.length / 2));
  const lines: string[] = [];
  const output: ConsoleOutput = { out: (line) => lines.push(line), err: (line) => lines.push(line) };
  const options = { config: null, dbtProjects: [], manifests: [manifest], dataDir, host: "127.0.0.1", port: 0, scheduler: false, strict: false };
  const running = await startServe(options, { createCatalogService }, { logger, output });
  assert.ok(running.ok, lines.join("\n"));
  try {
    assert.ok(lines.some((line) => /is truncated/.test(line)), lines.join("\n"));
    assert.ok(lines.some((line) => /^warning: location \S+ failed to load; serving its last good definitions/.test(line)), lines.join("\n"));
    const response = await fetch(running.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ assets { totalCount } locations { state error { code } } }" }),
    });
    const body = (await response.json()) as { data: { assets: { totalCount: number }; locations: { state: string; error: { code: string } }[] } };
    assert.equal(body.data.assets.totalCount, 19);
    assert.deepEqual(body.data.locations, [{ state: "FAILED", error: { code: "manifest_malformed_json" } }]);
  } finally {
    await running.stop();
  }

  // --strict refuses the same start.
  const strict = await startServe({ ...options, strict: true }, { createCatalogService }, { logger, output: { out: () => {}, err: () => {} } });
  assert.deepEqual(strict, { ok: false, exitCode: 1 });
});
