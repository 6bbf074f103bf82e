/** Mounts the app (imported by main.tsx after it started the first page's request). */
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App, seedFirstPage } from "./App.tsx";
import { dismissFirstPaint } from "./boot/first-paint-signal.ts";
import type { FirstPage } from "./data-provider/prefetch.ts";

/** How long the first render waits for a prefetched page before showing the app without it. */
const SEED_WAIT_MS = 1000;

/**
 * The first paint goes when the app's list has drawn (assets/asset-list.tsx); if that never happens (the app
 * left the list, or failed to render it), it goes after this long anyway, so it never hides the app.
 */
const FIRST_PAINT_MAX_MS = 4000;

export async function render(root: HTMLElement, firstPage: FirstPage | null): Promise<void> {
  // For profiling the first page: when the app's code is evaluated.
  performance.mark("tributary:app-evaluated");
  if (firstPage !== null) {
    await Promise.race([seedFirstPage(firstPage).catch(() => undefined), new Promise((resolve) => setTimeout(resolve, SEED_WAIT_MS))]);
  }
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
  if (firstPage !== null) setTimeout(dismissFirstPaint, FIRST_PAINT_MAX_MS);
}
