/** Mounts the app (imported by main.tsx after it started the first page's request). */
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App, seedFirstPage } from "./App.tsx";
import type { FirstPage } from "./data-provider/prefetch.ts";

/** How long the first render waits for a prefetched page before showing the app without it. */
const SEED_WAIT_MS = 1000;

export async function render(root: HTMLElement, firstPage: FirstPage | null): Promise<void> {
  // For profiling the first page: the app's code is evaluated (see the Performance notes in README.md).
  performance.mark("tributary:app-evaluated");
  if (firstPage !== null) {
    await Promise.race([seedFirstPage(firstPage).catch(() => undefined), new Promise((resolve) => setTimeout(resolve, SEED_WAIT_MS))]);
  }
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
