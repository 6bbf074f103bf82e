/**
 * The catalog list's first paint. Opening the catalog costs about a megabyte of JavaScript (react-admin, MUI)
 * before anything can render; the entry chunk, small and free of both, draws the same page first, from the
 * prefetched first page, with the very components the list view draws (the frame, the search field, the facet
 * card, the table, the pagination bar). The app renders underneath, and once its list has drawn
 * (first-paint-signal.ts) the first paint is removed: the swap is invisible, and what was typed into the search
 * box carries over. Links in the first paint are plain links, so a click before the app is up still works.
 */
import { flushSync } from "react-dom";
import { createRoot } from "react-dom/client";
import { LIST_PAGE_SIZE, LIST_SORT } from "../assets/list-defaults.ts";
import { activeFacetFilters, FacetCard, ListPageFrame, PaginationView, SearchField } from "../assets/list-page.tsx";
import { AssetTable } from "../assets/asset-table.tsx";
import type { FirstPage } from "../data-provider/prefetch.ts";
import { facetsFromAnswer, withId } from "../data-provider/queries.ts";
import type { AssetPageQuery, FacetsQuery } from "../generated/graphql.ts";
import { AppFrame, documentTitle, initialSidebarOpen } from "../layout/frame.tsx";
import type { AssetFilter, AssetSummary, Facets } from "../types.ts";
import { FirstPaintContext } from "./first-paint-context.ts";
import { onDismissFirstPaint } from "./first-paint-signal.ts";

interface PageData {
  readonly rows: readonly AssetSummary[];
  readonly total: number;
  readonly hasNextPage: boolean;
}

interface FirstPaintState {
  readonly page: PageData | null;
  readonly facets: Facets | null;
  /** The app could not load: said instead of the rows. */
  readonly failure: string | null;
}

/** The GraphQL answer of the list's page query, as rows; null when it is not one (an error answer). */
function pageOf(body: unknown): PageData | null {
  const assets = (body as { data?: Partial<AssetPageQuery> | null } | null)?.data?.assets;
  if (assets === undefined) return null;
  return { rows: assets.nodes.map(withId), total: assets.totalCount, hasNextPage: assets.pageInfo.hasNextPage };
}

/** The GraphQL answer of the facets query as facets; null when it is not one (an error answer). */
function facetsOf(body: unknown): Facets | null {
  const data = (body as { data?: FacetsQuery | null } | null)?.data;
  return data == null ? null : facetsFromAnswer(data);
}

function FirstPaintView({ filter, state, sidebarOpen }: { filter: AssetFilter; state: FirstPaintState; sidebarOpen: boolean }) {
  const { page, facets, failure } = state;
  return (
    <AppFrame title="Catalog" sidebarOpen={sidebarOpen} pathname="/assets">
      <ListPageFrame
        search={<SearchField value={filter.q ?? ""} />}
        total={page?.total ?? null}
        facets={<FacetCard facets={facets} filter={filter} />}
        activeFilters={activeFacetFilters(filter)}
        pagination={page === null ? null : <PaginationView page={1} perPage={LIST_PAGE_SIZE} total={page.total} hasNextPage={page.hasNextPage} />}
      >
        {failure !== null ? (
          <p className="first-paint-failure" role="alert">
            {failure}
          </p>
        ) : page === null || page.rows.length === 0 ? (
          // No rows yet (or none at all: the app says why): placeholders in the table's shape.
          <div className="rows-placeholder" aria-busy="true" aria-label="Loading">
            {Array.from({ length: 6 }, (_, i) => (
              <div key={i} className="placeholder" style={{ width: `${90 - i * 12}%` }} />
            ))}
          </div>
        ) : (
          <AssetTable rows={page.rows} sort={LIST_SORT} />
        )}
      </ListPageFrame>
    </AppFrame>
  );
}

/** What main.tsx can still tell the first paint, and when it has drawn. */
export interface FirstPaintHandle {
  /**
   * Settles once the rows are on screen (or the page could not be had, or a second has passed): the app's code
   * is evaluated after this, since its hundreds of milliseconds on the main thread would otherwise come first.
   */
  readonly drawn: Promise<void>;
  /** The app failed to load: the first paint says so and stays. */
  fail(message: string): void;
}

/** How long the app waits at most for the first paint's rows before it loads anyway. */
const DRAW_WAIT_MS = 1000;

/** Resolves after the next frame has been drawn (the task after an animation frame runs once it is painted). */
const afterNextFrame = () => new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve)));

/** Draws the first paint over `appRoot` (kept inert beneath it) until the app dismisses it. */
export function startFirstPaint(firstPage: FirstPage, appRoot: HTMLElement): FirstPaintHandle {
  const container = document.createElement("div");
  container.id = "first-paint";
  document.body.append(container);
  document.title = documentTitle("Catalog");
  appRoot.inert = true;
  const root = createRoot(container);
  const sidebarOpen = initialSidebarOpen();
  let state: FirstPaintState = { page: null, facets: null, failure: null };
  let live = true;
  const draw = (next: Partial<FirstPaintState>) => {
    if (!live) return;
    state = { ...state, ...next };
    // Committed now, not when React's scheduler gets to it: the next frame must show it.
    flushSync(() =>
      root.render(
        <FirstPaintContext.Provider value={true}>
          <FirstPaintView filter={firstPage.filter} state={state} sidebarOpen={sidebarOpen} />
        </FirstPaintContext.Provider>,
      ),
    );
  };
  draw({});
  const rows = firstPage.page.then((body) => draw({ page: pageOf(body) }));
  firstPage.facets.then((body) => draw({ facets: facetsOf(body) }), () => undefined);
  const drawn = Promise.race([rows.then(afterNextFrame), new Promise<void>((resolve) => setTimeout(resolve, DRAW_WAIT_MS))]).catch(() => undefined);

  onDismissFirstPaint(() => {
    live = false;
    // Typing may have started in the first paint's search box: it carries over to the app's, focus included.
    const typed = container.querySelector<HTMLInputElement>(".search-field input");
    const focused = typed !== null && document.activeElement === typed;
    const text = typed?.value ?? "";
    root.unmount();
    container.remove();
    appRoot.inert = false;
    performance.mark("tributary:app-ready");
    const target = appRoot.querySelector<HTMLInputElement>(".search-field input");
    if (target === null) return;
    if (text !== target.value) {
      // React tracks an input's value through its setter; the native one plus an input event updates its state.
      Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value")?.set?.call(target, text);
      target.dispatchEvent(new Event("input", { bubbles: true }));
    }
    if (focused) target.focus();
  });
  return { drawn, fail: (message) => draw({ failure: message }) };
}
