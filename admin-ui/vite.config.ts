// Vite builds the catalog into dist/, which `tributary serve` serves at `/`. `npm run dev` proxies the API to a
// running `tributary serve` (TRIBUTARY_URL, default http://127.0.0.1:3000).
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

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
        const files = [...app.imports, app.fileName];
        return { html, tags: files.map((file) => ({ tag: "link", attrs: { rel: "prefetch", href: `/${file}`, crossorigin: "" }, injectTo: "head" as const })) };
      },
    },
  };
}

export default defineConfig({
  plugins: [react(), preloadApp()],
  base: "/",
  build: {
    assetsDir: "static",
    outDir: "dist",
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
  },
  worker: { format: "es" },
  server: {
    proxy: { "/graphql": process.env["TRIBUTARY_URL"] ?? "http://127.0.0.1:3000" },
  },
});
