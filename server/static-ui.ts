/**
 * Serves the built web catalog (admin-ui/dist) at `/` from the yoga instance: files as they are, and
 * index.html for any other path that is not the API (the UI routes in the browser). Without a build, `/`
 * redirects to GraphiQL as before, so the API works on a clone that never built the UI.
 *
 * Text files (JavaScript, CSS, HTML, SVG, JSON, source maps) are sent brotli- or gzip-compressed when the
 * request's Accept-Encoding allows it. The UI's build writes each one compressed at the best quality beside it
 * (`app.js.br`, `app.js.gz`; admin-ui/vite.config.ts), which is sent when it is at least as new as the file;
 * other files are compressed on first request at a fast quality. Either way the bytes are kept in memory under
 * the file's path, encoding, mtime, ctime and size, so a rebuild of the UI is picked up without a restart.
 */
import type { NonSharedBuffer } from "node:buffer";
import { existsSync, statSync, type Stats } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";
import { promisify } from "node:util";
import { brotliCompress as brotliCompressCallback, constants as zlib, gzip as gzipCallback } from "node:zlib";
import type { Plugin } from "graphql-yoga";

/** Where `npm run build` in admin-ui/ writes the UI. */
export const DEFAULT_UI_DIR = join(import.meta.dirname, "..", "admin-ui", "dist");

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
  ".map": "application/json",
};

/** Extensions worth compressing (text); images and fonts are compressed already. */
const COMPRESSIBLE = new Set([".js", ".mjs", ".css", ".html", ".svg", ".json", ".map", ".txt"]);
/** Smaller files are sent as they are: the saving does not pay for the header and the work. */
const MIN_COMPRESSED_SIZE = 1024;
/** Larger files are sent as they are: compressing them would take seconds and not fit the cache. */
const MAX_COMPRESSED_SIZE = 16 * 1024 * 1024;
/** Compressed bytes kept in memory, least recently used dropped first (the dist is a few MB). */
const CACHE_BYTES = 32 * 1024 * 1024;

/** A content coding this server produces. */
export type ContentEncoding = "br" | "gzip";

/**
 * The coding to answer a request with, from its Accept-Encoding (RFC 9110 §12.5.3), or null for the file as it
 * is: brotli or gzip, whichever has the higher q-value (brotli on a tie; `*` stands for codings not named;
 * `q=0` refuses one). Identity is the fallback, and wins only when the client names it with a higher q-value.
 * Without the header, nothing is compressed.
 */
export function negotiateEncoding(header: string | null): ContentEncoding | null {
  if (header === null) return null;
  const weights = new Map<string, number>();
  for (const entry of header.split(",")) {
    const [name = "", ...params] = entry.split(";").map((part) => part.trim().toLowerCase());
    if (name === "") continue;
    let weight = 1;
    for (const param of params) {
      const match = /^q\s*=\s*(\S+)$/.exec(param);
      if (match) weight = Number(match[1]);
    }
    if (!Number.isFinite(weight)) continue;
    const coding = name === "x-gzip" ? "gzip" : name;
    if (!weights.has(coding)) weights.set(coding, Math.min(1, Math.max(0, weight)));
  }
  const any = weights.get("*") ?? 0;
  const br = weights.get("br") ?? any;
  const gzip = weights.get("gzip") ?? any;
  const best = Math.max(br, gzip);
  if (best === 0 || best < (weights.get("identity") ?? 0)) return null;
  return br >= gzip ? "br" : "gzip";
}

const brotliCompress = promisify(brotliCompressCallback);
const gzip = promisify(gzipCallback);

/** The file name suffix of a file precompressed with `encoding` (what the UI's build writes). */
export const PRECOMPRESSED_SUFFIX: Readonly<Record<ContentEncoding, string>> = { br: ".br", gzip: ".gz" };

/**
 * Compresses a file's bytes on request, for files the build did not precompress. Fast qualities: brotli's best
 * costs about 1.5 ms per kB, which made the first load after a start take seconds (the build's copies are at
 * the best quality); brotli 5 and gzip 6 take a few milliseconds per 100 kB and compress nearly as well.
 */
function compress(bytes: NonSharedBuffer, encoding: ContentEncoding): Promise<NonSharedBuffer> {
  if (encoding === "gzip") return gzip(bytes, { level: 6 });
  return brotliCompress(bytes, {
    params: {
      [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT,
      [zlib.BROTLI_PARAM_QUALITY]: 5,
      [zlib.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });
}

/** The build's compressed copy of `path`, when there is one at least as new as the file; else null. */
async function readPrecompressed(path: string, encoding: ContentEncoding, stats: Stats): Promise<NonSharedBuffer | null> {
  const copy = path + PRECOMPRESSED_SUFFIX[encoding];
  try {
    const copyStats = await stat(copy);
    return copyStats.isFile() && copyStats.mtimeMs >= stats.mtimeMs ? await readFile(copy) : null;
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
}

/** What identifies one version of a file: a rebuild changes at least one. */
function version(stats: Stats): string {
  return `${stats.mtimeMs}:${stats.ctimeMs}:${stats.size}`;
}

/**
 * Compressed files, by path and encoding, each for one version of the file; a newer version replaces the
 * older one. Bounded by total bytes, least recently used dropped first.
 */
class CompressedFiles {
  private readonly entries = new Map<string, { readonly version: string; readonly bytes: NonSharedBuffer }>();
  private readonly pending = new Map<string, Promise<NonSharedBuffer>>();
  private size = 0;

  constructor(private readonly maxBytes: number) {}

  /** The file at `path`, as `stats` describe it, compressed with `encoding`. */
  get(path: string, encoding: ContentEncoding, stats: Stats): Promise<NonSharedBuffer> {
    const key = `${encoding}:${path}`;
    const current = version(stats);
    const entry = this.entries.get(key);
    if (entry?.version === current) {
      this.entries.delete(key);
      this.entries.set(key, entry);
      return Promise.resolve(entry.bytes);
    }
    const pendingKey = `${key}:${current}`;
    let pending = this.pending.get(pendingKey);
    if (pending === undefined) {
      pending = this.load(key, path, encoding, stats, current).finally(() => this.pending.delete(pendingKey));
      this.pending.set(pendingKey, pending);
    }
    return pending;
  }

  private async load(key: string, path: string, encoding: ContentEncoding, stats: Stats, expected: string): Promise<NonSharedBuffer> {
    const bytes = (await readPrecompressed(path, encoding, stats)) ?? (await compress(await readFile(path), encoding));
    // Kept only when the file did not change while it was read (a rebuild in progress).
    if (version(await stat(path)) === expected) this.store(key, expected, bytes);
    return bytes;
  }

  private store(key: string, fileVersion: string, bytes: NonSharedBuffer): void {
    const old = this.entries.get(key);
    if (old !== undefined) {
      this.entries.delete(key);
      this.size -= old.bytes.length;
    }
    if (bytes.length > this.maxBytes) return;
    this.entries.set(key, { version: fileVersion, bytes });
    this.size += bytes.length;
    for (const [oldest, { bytes: evicted }] of this.entries) {
      if (this.size <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.size -= evicted.length;
    }
  }
}

/** The file under `dir` a URL path names, or null when it escapes `dir` or is not a file. */
function fileFor(dir: string, pathname: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  const path = normalize(join(dir, decoded));
  if (path !== dir && !path.startsWith(dir + sep)) return null;
  return existsSync(path) && statSync(path).isFile() ? path : null;
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === "ENOENT" || code === "ENOTDIR" || code === "EISDIR";
}

/**
 * The plugin serving the UI for GET/HEAD requests outside `reserved` paths (the API and the probes). Files are
 * looked up on each request (a rebuild shows without a restart); hashed assets are cached for a year,
 * index.html never. Text files are compressed as the request accepts (see {@link negotiateEncoding}).
 */
export function serveUi(dir: string, reserved: readonly string[]): Plugin {
  const root = normalize(dir);
  // Vite writes content-hashed assets here: their URL changes with their content.
  const hashedDir = join(root, "static") + sep;
  const compressed = new CompressedFiles(CACHE_BYTES);
  return {
    async onRequest({ request, url, fetchAPI, endResponse }) {
      if (request.method !== "GET" && request.method !== "HEAD") return;
      if (reserved.some((path) => url.pathname === path || url.pathname.startsWith(`${path}/`))) return;
      const notFound = () =>
        new fetchAPI.Response("Not found", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
      const index = join(root, "index.html");
      if (!existsSync(index)) {
        if (url.pathname === "/") endResponse(new fetchAPI.Response(null, { status: 302, headers: { location: reserved[0] ?? "/graphql" } }));
        return;
      }
      const file = url.pathname === "/" ? index : fileFor(root, url.pathname);
      // A path with an extension that is not a file is a missing asset, not a UI route.
      if (file === null && extname(url.pathname) !== "") {
        endResponse(notFound());
        return;
      }
      const path = file ?? index;
      const isIndex = path === index;
      const extension = extname(path);
      const headers: Record<string, string> = {
        "content-type": CONTENT_TYPES[extension] ?? "application/octet-stream",
        "cache-control": !isIndex && path.startsWith(hashedDir) ? "public, max-age=31536000, immutable" : "no-cache",
        "x-content-type-options": "nosniff",
      };
      // Caches must keep one copy per encoding, including of the files sent as they are.
      if (COMPRESSIBLE.has(extension)) headers["vary"] = "accept-encoding";
      let body: NonSharedBuffer | null;
      try {
        const stats = await stat(path);
        const encoding =
          COMPRESSIBLE.has(extension) && stats.size >= MIN_COMPRESSED_SIZE && stats.size <= MAX_COMPRESSED_SIZE
            ? negotiateEncoding(request.headers.get("accept-encoding"))
            : null;
        if (encoding !== null) {
          body = await compressed.get(path, encoding, stats);
          headers["content-encoding"] = encoding;
        } else {
          body = request.method === "HEAD" ? null : await readFile(path);
        }
        headers["content-length"] = String(body?.length ?? stats.size);
      } catch (error) {
        // Removed between the lookup and the read: a rebuild in progress.
        if (!isMissing(error)) throw error;
        endResponse(notFound());
        return;
      }
      endResponse(new fetchAPI.Response(request.method === "HEAD" ? null : body, { status: 200, headers }));
    },
  };
}
