// Vite builds the catalog into dist/, which `tributary serve` serves at `/`. `npm run dev` proxies the API to a
// running `tributary serve` (TRIBUTARY_URL, default http://127.0.0.1:3000).
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { extname, join } from "node:path";
import { brotliCompressSync, constants as zlib, gzipSync } from "node:zlib";
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

const OUT_DIR = "dist";

/**
 * Writes each text file of the build compressed beside it (`x.js.br`, `x.js.gz`) at the best qualities, once
 * per build: `tributary serve` sends these instead of compressing on request (server/static-ui.ts), where
 * brotli's best quality would cost seconds on the first load after a start.
 */
function precompress(): Plugin {
  const compressible = new Set([".js", ".mjs", ".css", ".html", ".svg", ".json", ".map", ".txt"]);
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)]));
  return {
    name: "tributary-precompress",
    apply: "build",
    closeBundle() {
      for (const file of files(OUT_DIR)) {
        if (!compressible.has(extname(file)) || statSync(file).size < 1024) continue;
        const bytes = readFileSync(file);
        writeFileSync(`${file}.br`, brotliCompressSync(bytes, { params: { [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT, [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: bytes.length } }));
        writeFileSync(`${file}.gz`, gzipSync(bytes, { level: 9 }));
      }
    },
  };
}

/**
 * Lets the browser download the app's chunks (react-admin, MUI) while the entry draws the catalog's first paint;
 * main.tsx imports the app only once the first paint's rows are on screen. `prefetch` (not `modulepreload`):
 * a preloaded module is compiled on arrival, on the main thread the first paint needs; a prefetched one only
 * lands in the HTTP cache, where the import finds it. Vite preloads only what the entry imports statically.
 */
function preloadApp(): Plugin {
  return {
    name: "tributary-preload-app",
    transformIndexHtml: {
      order: "post",
      handler(html, context) {
        const chunks = Object.values(context.bundle ?? {});
        const app = chunks.find((chunk) => chunk.type === "chunk" && chunk.facadeModuleId?.endsWith("/src/render.tsx"));
        if (app === undefined || app.type !== "chunk") return html;
        // What the entry loads itself (it is one of the app's imports) needs no prefetch.
        const entries = new Set(chunks.filter((chunk) => chunk.type === "chunk" && chunk.isEntry).map((chunk) => chunk.fileName));
        const files = [...app.imports, app.fileName].filter((file) => !entries.has(file));
        return { html, tags: files.map((file) => ({ tag: "link", attrs: { rel: "prefetch", href: `/${file}`, crossorigin: "" }, injectTo: "head" as const })) };
      },
    },
  };
}

export default defineConfig({
  plugins: [react(), preloadApp(), precompress()],
  base: "/",
  build: {
    assetsDir: "static",
    outDir: OUT_DIR,
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
  },
  worker: { format: "es" },
  server: {
    proxy: { "/graphql": process.env["TRIBUTARY_URL"] ?? "http://127.0.0.1:3000" },
  },
});
