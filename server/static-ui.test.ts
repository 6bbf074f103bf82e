import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { request, type IncomingHttpHeaders } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { brotliCompressSync, brotliDecompressSync, constants as zlibConstants, gunzipSync, gzipSync } from "node:zlib";
import { createTributaryServer, type TributaryServer } from "./http.ts";
import { createLogger } from "./logging.ts";
import { negotiateEncoding } from "./static-ui.ts";
import { mutableSource, shopGraph } from "./test-support.ts";

interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The bytes on the wire, not decoded (fetch would decode them). */
  readonly body: Buffer;
}

/** A request over node:http, which neither sends Accept-Encoding of its own nor decodes the answer. */
function send(url: string, headers: Record<string, string> = {}, method = "GET"): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

/** Some JavaScript, a few tens of kB, varied enough that brotli and gzip give different bytes. */
function script(version: string): string {
  return Array.from({ length: 1500 }, (_, i) => `export const value${i} = "${version}-${(i * 7919) % 1009}";`).join("\n");
}

describe("the static UI over loopback", () => {
  const scratch = mkdtempSync(join(tmpdir(), "tributary-static-ui-"));
  // Under a folder named static: only the UI's own static/ holds hashed, immutable assets.
  const uiDir = join(scratch, "static", "dist");
  const file = (relative: string) => join(uiDir, relative);
  const APP = "/static/app-3f9c1a.js";
  const indexHtml = `<!doctype html><html><head><title>Tributary</title>${"<!-- padding -->".repeat(100)}</head><body><div id="root"></div></body></html>`;
  let server: TributaryServer;
  let baseUrl: string;

  before(async () => {
    mkdirSync(join(uiDir, "static"), { recursive: true });
    writeFileSync(file("index.html"), indexHtml);
    writeFileSync(file(APP), script("v1"));
    writeFileSync(file("static/small-8d1e.css"), "body { margin: 0 }\n");
    writeFileSync(file("logo.png"), Buffer.alloc(4096, 7));
    writeFileSync(join(uiDir, "..", "secret.txt"), "hunter2 ".repeat(200));
    server = createTributaryServer({ catalog: mutableSource(shopGraph()), logger: createLogger({ level: "silent" }), port: 0, uiDir });
    ({ baseUrl } = await server.listen());
  });

  after(async () => {
    await server.close();
    rmSync(scratch, { recursive: true });
  });

  test("a JS file is sent brotli-compressed to a client that accepts br, and decodes to the file's bytes", async () => {
    const response = await send(`${baseUrl}${APP}`, { "accept-encoding": "br" });
    assert.equal(response.status, 200);
    assert.equal(response.headers["content-encoding"], "br");
    assert.equal(response.headers["vary"], "accept-encoding");
    assert.equal(response.headers["content-type"], "text/javascript; charset=utf-8");
    assert.equal(response.headers["cache-control"], "public, max-age=31536000, immutable");
    assert.equal(response.headers["x-content-type-options"], "nosniff");
    assert.equal(Number(response.headers["content-length"]), response.body.length);
    const original = readFileSync(file(APP));
    assert.ok(response.body.length < original.length / 3, `${response.body.length} of ${original.length} bytes`);
    assert.deepEqual(brotliDecompressSync(response.body), original);
  });

  test("gzip likewise, and a browser's list (gzip, deflate, br, zstd) gets brotli", async () => {
    const original = readFileSync(file(APP));
    const gzipped = await send(`${baseUrl}${APP}`, { "accept-encoding": "gzip" });
    assert.equal(gzipped.headers["content-encoding"], "gzip");
    assert.equal(gzipped.headers["vary"], "accept-encoding");
    assert.equal(Number(gzipped.headers["content-length"]), gzipped.body.length);
    assert.deepEqual(gunzipSync(gzipped.body), original);

    const browser = await send(`${baseUrl}${APP}`, { "accept-encoding": "gzip, deflate, br, zstd" });
    assert.equal(browser.headers["content-encoding"], "br");
    assert.deepEqual(brotliDecompressSync(browser.body), original);
    // Cached: the same bytes again.
    assert.deepEqual((await send(`${baseUrl}${APP}`, { "accept-encoding": "br" })).body, browser.body);
  });

  test("no Accept-Encoding, identity, or every coding refused gives the raw bytes, still with vary", async () => {
    const original = readFileSync(file(APP));
    for (const acceptEncoding of [undefined, "identity", "gzip;q=0, br;q=0", "*;q=0, identity", "deflate", ""]) {
      const response = await send(`${baseUrl}${APP}`, acceptEncoding === undefined ? {} : { "accept-encoding": acceptEncoding });
      const label = String(acceptEncoding);
      assert.equal(response.status, 200, label);
      assert.equal(response.headers["content-encoding"], undefined, label);
      assert.equal(response.headers["vary"], "accept-encoding", label);
      assert.equal(Number(response.headers["content-length"]), original.length, label);
      assert.deepEqual(response.body, original, label);
    }
  });

  test("HEAD carries the same headers as GET, with the length of the body GET would send, and no body", async () => {
    for (const acceptEncoding of ["br", "gzip", "identity"]) {
      const get = await send(`${baseUrl}${APP}`, { "accept-encoding": acceptEncoding });
      const head = await send(`${baseUrl}${APP}`, { "accept-encoding": acceptEncoding }, "HEAD");
      assert.equal(head.status, 200, acceptEncoding);
      assert.equal(head.body.length, 0, acceptEncoding);
      for (const name of ["content-type", "content-encoding", "content-length", "vary", "cache-control", "x-content-type-options"]) {
        assert.equal(head.headers[name], get.headers[name], `${acceptEncoding}: ${name}`);
      }
      assert.equal(Number(head.headers["content-length"]), get.body.length, acceptEncoding);
    }
  });

  test("index.html and the SPA fallback are compressed and never cached; small files and images are sent as they are", async () => {
    for (const path of ["/", "/assets/marts%2Forders/show"]) {
      const response = await send(`${baseUrl}${path}`, { "accept-encoding": "gzip, br" });
      assert.equal(response.status, 200, path);
      assert.equal(response.headers["content-encoding"], "br", path);
      assert.equal(response.headers["cache-control"], "no-cache", path);
      assert.equal(response.headers["content-type"], "text/html; charset=utf-8", path);
      assert.equal(brotliDecompressSync(response.body).toString("utf8"), indexHtml, path);
    }
    const small = await send(`${baseUrl}/static/small-8d1e.css`, { "accept-encoding": "br" });
    assert.equal(small.headers["content-encoding"], undefined);
    assert.equal(small.headers["vary"], "accept-encoding");
    assert.equal(small.body.toString("utf8"), "body { margin: 0 }\n");
    const image = await send(`${baseUrl}/logo.png`, { "accept-encoding": "br" });
    assert.equal(image.headers["content-encoding"], undefined);
    assert.equal(image.headers["vary"], undefined);
    assert.equal(image.headers["content-type"], "image/png");
    assert.equal(image.headers["cache-control"], "no-cache");
    assert.deepEqual(image.body, Buffer.alloc(4096, 7));
  });

  test("a missing asset is a 404, a path out of the UI directory is refused, and the API is untouched", async () => {
    const missing = await send(`${baseUrl}/static/gone-000000.js`, { "accept-encoding": "br" });
    assert.equal(missing.status, 404);
    assert.equal(missing.headers["content-encoding"], undefined);
    for (const path of ["/..%2Fsecret.txt", "/static/..%2F..%2Fsecret.txt", "/../secret.txt"]) {
      const response = await send(`${baseUrl}${path}`, { "accept-encoding": "br" });
      assert.equal(response.status, 404, path);
      assert.doesNotMatch(response.body.toString("latin1"), /hunter2/, path);
    }
    const health = await send(`${baseUrl}/healthz`, { "accept-encoding": "br" });
    assert.equal(health.status, 200);
    assert.equal(health.headers["vary"], undefined);
  });

  test("a rebuilt file is served fresh, compressed and not, without a restart", async () => {
    const first = await send(`${baseUrl}${APP}`, { "accept-encoding": "br" });
    assert.match(brotliDecompressSync(first.body).toString("utf8"), /"v1-/);
    const sizeBefore = readFileSync(file(APP)).length;
    // Same name and the same size (v1 → v2), a new mtime: only the file's version tells them apart.
    writeFileSync(file(APP), script("v2"));
    const later = new Date(Date.now() + 60_000);
    utimesSync(file(APP), later, later);
    const expected = readFileSync(file(APP));
    assert.equal(expected.length, sizeBefore);
    const br = await send(`${baseUrl}${APP}`, { "accept-encoding": "br" });
    assert.deepEqual(brotliDecompressSync(br.body), expected);
    assert.equal(Number(br.headers["content-length"]), br.body.length);
    const gzipped = await send(`${baseUrl}${APP}`, { "accept-encoding": "gzip" });
    assert.deepEqual(gunzipSync(gzipped.body), expected);
    assert.deepEqual((await send(`${baseUrl}${APP}`)).body, expected);
  });

  test("the build's compressed copies are sent as they are, unless the file is newer than its copy", async () => {
    const path = file("static/built-51c2.js");
    writeFileSync(path, script("built"));
    const original = readFileSync(path);
    // What the build writes (admin-ui/vite.config.ts): the best qualities, not what this server would produce.
    const brCopy = brotliCompressSync(original, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11 } });
    const gzCopy = gzipSync(original, { level: 9 });
    writeFileSync(`${path}.br`, brCopy);
    writeFileSync(`${path}.gz`, gzCopy);
    const br = await send(`${baseUrl}/static/built-51c2.js`, { "accept-encoding": "br" });
    assert.deepEqual(br.body, brCopy, "the build's brotli copy, byte for byte");
    assert.equal(br.headers["content-encoding"], "br");
    assert.equal(Number(br.headers["content-length"]), brCopy.length);
    assert.deepEqual((await send(`${baseUrl}/static/built-51c2.js`, { "accept-encoding": "gzip" })).body, gzCopy);

    // Rebuilt without its copies (a build that skipped them, or an edit by hand): the stale copy is not sent.
    writeFileSync(path, script("edited"));
    const later = new Date(Date.now() + 120_000);
    utimesSync(path, later, later);
    const fresh = await send(`${baseUrl}/static/built-51c2.js`, { "accept-encoding": "br" });
    assert.deepEqual(brotliDecompressSync(fresh.body), readFileSync(path));
  });

  test("concurrent first requests for one file all get it whole", async () => {
    writeFileSync(file("static/burst-77aa.js"), script("burst"));
    const original = readFileSync(file("static/burst-77aa.js"));
    const responses = await Promise.all(Array.from({ length: 6 }, () => send(`${baseUrl}/static/burst-77aa.js`, { "accept-encoding": "br" })));
    for (const response of responses) assert.deepEqual(brotliDecompressSync(response.body), original);
  });
});

describe("negotiateEncoding", () => {
  test("picks brotli or gzip by q-value, brotli on a tie, and nothing when every coding is refused", () => {
    const cases: [string | null, "br" | "gzip" | null][] = [
      [null, null],
      ["", null],
      ["identity", null],
      ["br", "br"],
      ["gzip", "gzip"],
      ["x-gzip", "gzip"],
      ["GZip, BR", "br"],
      ["gzip, deflate, br", "br"],
      ["br;q=0.5, gzip", "gzip"],
      ["br;q=0.5, gzip;q=0.8", "gzip"],
      ["gzip;q=0, br;q=0", null],
      ["br;q=0", null],
      ["gzip;q=0, br", "br"],
      ["*", "br"],
      ["*;q=0.5", "br"],
      ["br;q=0, *", "gzip"],
      ["*;q=0", null],
      ["*;q=0, gzip", "gzip"],
      ["gzip;q=0.5, identity", null],
      ["gzip, identity;q=0.5", "gzip"],
      ["gzip;q=0.5, identity;q=0.5", "gzip"],
      ["br;q=abc, gzip", "gzip"],
      ["br ; q = 0.9 , gzip;q=0.8", "br"],
      ["deflate, zstd", null],
    ];
    for (const [header, expected] of cases) assert.equal(negotiateEncoding(header), expected, String(header));
  });
});
