/**
 * Serves the built web catalog (admin-ui/dist) at `/` from the yoga instance: files as they are, and
 * index.html for any other path that is not the API (the UI routes in the browser). Without a build, `/`
 * redirects to GraphiQL as before, so the API works on a clone that never built the UI.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { extname, join, normalize, sep } from "node:path";
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

/**
 * The plugin serving the UI for GET/HEAD requests outside `reserved` paths (the API and the probes). Files are
 * read on each request (a rebuild shows without a restart); hashed assets are cached for a year, index.html
 * never.
 */
export function serveUi(dir: string, reserved: readonly string[]): Plugin {
  const root = normalize(dir);
  return {
    onRequest({ request, url, fetchAPI, endResponse }) {
      if (request.method !== "GET" && request.method !== "HEAD") return;
      if (reserved.some((path) => url.pathname === path || url.pathname.startsWith(`${path}/`))) return;
      const index = join(root, "index.html");
      if (!existsSync(index)) {
        if (url.pathname === "/") endResponse(new fetchAPI.Response(null, { status: 302, headers: { location: reserved[0] ?? "/graphql" } }));
        return;
      }
      const file = url.pathname === "/" ? index : fileFor(root, url.pathname);
      // A path with an extension that is not a file is a missing asset, not a UI route.
      if (file === null && extname(url.pathname) !== "") {
        endResponse(new fetchAPI.Response("Not found", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } }));
        return;
      }
      const path = file ?? index;
      const isIndex = path === index;
      const body = request.method === "HEAD" ? null : readFileSync(path);
      endResponse(
        new fetchAPI.Response(body, {
          status: 200,
          headers: {
            "content-type": CONTENT_TYPES[extname(path)] ?? "application/octet-stream",
            "cache-control": isIndex ? "no-cache" : path.includes(`${sep}static${sep}`) ? "public, max-age=31536000, immutable" : "no-cache",
            "x-content-type-options": "nosniff",
          },
        }),
      );
    },
  };
}
