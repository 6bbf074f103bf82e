// Vite builds the catalog into dist/, which `tributary serve` serves at `/`. `npm run dev` proxies the API to a
// running `tributary serve` (TRIBUTARY_URL, default http://127.0.0.1:3000).
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [react()],
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
