/**
 * Entry: asks for the catalog list's first page (and its facets), or an asset page's data and code, before the
 * app loads. On the list, draws the list's first paint from them while the app (react-admin, MUI: a separate,
 * much larger chunk) downloads and evaluates, then renders the app, which takes over the prefetched responses
 * (data-provider/prefetch.ts) and removes the first paint once its own list has drawn (boot/first-paint.tsx).
 */
import "./catalog.css";
import { startFirstPaint } from "./boot/first-paint.tsx";
import { prefetchAssetPage, prefetchFirstPage } from "./data-provider/prefetch.ts";

const root = document.getElementById("root");
if (root === null) throw new Error("index.html has no #root");

const firstPage = prefetchFirstPage("/graphql", window.location);
// An asset's page: its data and its code (the page, the chart library) load while the app boots, not after.
if (firstPage === null && prefetchAssetPage("/graphql", window.location)) {
  void import("./assets/asset-show.tsx");
  void import("./assets/runtime-plot.tsx");
}
const firstPaint = firstPage === null ? null : startFirstPaint(firstPage, root);
const app = firstPaint === null ? import("./render.tsx") : firstPaint.drawn.then(() => import("./render.tsx"));

app.then(
  ({ render }) => render(root, firstPage),
  (error: unknown) => {
    // A stale tab after an upgrade asks for chunks that no longer exist: say so rather than hang.
    const message = `Tributary's web app could not load (${error instanceof Error ? error.message : String(error)}). Reload the page to try again.`;
    if (firstPaint !== null) firstPaint.fail(message);
    else root.textContent = message;
  },
);
