/**
 * Entry: asks for the catalog list's first page, then loads and renders the app. The app (react-admin, MUI) is a
 * separate chunk, so the request runs while that code downloads and evaluates; the data provider picks up the
 * response (data-provider/prefetch.ts) and the list renders with its rows from the first frame.
 */
import { prefetchFirstPage } from "./data-provider/prefetch.ts";

const firstPage = prefetchFirstPage("/graphql", window.location);

const root = document.getElementById("root");
if (root === null) throw new Error("index.html has no #root");
void import("./render.tsx").then(({ render }) => render(root, firstPage));
