/**
 * The catalog: every asset, searched and faceted on the server, a page at a time; the URL holds the view.
 * react-admin's ListBase keeps the state (filter, sort, page in the URL; the query cache); the page itself is
 * drawn by the plain parts in list-page.tsx and asset-table.tsx, which the first paint draws too.
 */
import { Box } from "@mui/material";
import { useEffect, useRef, useState } from "react";
import { ListBase, Title, useListContext } from "react-admin";
import { useNavigate } from "react-router-dom";
import { dismissFirstPaint } from "../boot/first-paint-signal.ts";
import { EmptyState, ErrorState, LoadingLines } from "../common/states.tsx";
import { usePageTitle } from "../common/use-page-title.ts";
import type { AssetFilter, AssetSummary } from "../types.ts";
import { LaunchSelection } from "../runs/launch-selection.tsx";
import { AssetTable, type TableSelection, type TableSort } from "./asset-table.tsx";
import { FacetDialog, FacetPanel } from "./facet-sidebar.tsx";
import { LIST_PAGE_SIZE, LIST_SORT, LIST_STALE_MS } from "./list-defaults.ts";
import { activeFacetFilters, ListPageFrame, SearchField } from "./list-page.tsx";
import { ListPagination } from "./list-pagination.tsx";
import { assetPath } from "./paths.ts";

/** How long typing pauses before the search runs. */
const SEARCH_DEBOUNCE_MS = 250;

/** The search box on the list's `q` filter: typed text is searched once typing pauses. */
function ListSearch() {
  const { filterValues, setFilters } = useListContext();
  const current = (filterValues as AssetFilter).q ?? "";
  const [text, setText] = useState(current);
  const latest = useRef({ filterValues, setFilters });
  latest.current = { filterValues, setFilters };
  // The filter changed elsewhere (Clear, a shared URL, back): the box follows.
  useEffect(() => setText(current), [current]);
  useEffect(() => {
    if (text.trim() === current.trim()) return;
    const timer = setTimeout(() => {
      const { q: _previous, ...rest } = latest.current.filterValues as AssetFilter;
      latest.current.setFilters(text.trim() === "" ? rest : { ...rest, q: text }, []);
    }, SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text, current]);
  return <SearchField value={text} onChange={setText} />;
}

function NoResults() {
  const { setFilters, filterValues } = useListContext();
  const filtered = Object.keys(filterValues).length > 0;
  return (
    <EmptyState title={filtered ? "No asset matches" : "The catalog is empty"}>
      {filtered ? (
        <>
          Try fewer words or filters.{" "}
          <Box component="button" onClick={() => setFilters({}, [])} sx={{ border: 0, background: "none", color: "primary.main", cursor: "pointer", p: 0, font: "inherit" }}>
            Clear all filters
          </Box>
        </>
      ) : (
        "No location has loaded any assets yet. Check the Locations page for load errors."
      )}
    </EmptyState>
  );
}

/** The rows of the current page, or the designed loading, error and empty states. */
function AssetRows({ selection }: { selection: TableSelection }) {
  const { data, isPending, error, refetch, sort, setSort } = useListContext<AssetSummary>();
  const navigate = useNavigate();
  const settled = !isPending;
  // The first paint (boot/) covers the app until the list has drawn what it has to show.
  useEffect(() => {
    if (settled) dismissFirstPaint();
  }, [settled]);
  if (error) return <ErrorState error={error} title="Could not load the catalog" onRetry={() => void refetch()} />;
  if (isPending) {
    return (
      <Box sx={{ p: 2 }}>
        <LoadingLines lines={6} height={36} />
      </Box>
    );
  }
  if (data.length === 0) return <NoResults />;
  return <AssetTable rows={data} sort={sort as TableSort} onSort={(next) => setSort(next)} onOpen={(key) => void navigate(assetPath(key))} selection={selection} />;
}

function CatalogListView() {
  const { total, isPending, filterValues } = useListContext();
  const [filtersOpen, setFiltersOpen] = useState(false);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  usePageTitle("Catalog");
  return (
    <>
      <Title title="Catalog" />
      <ListPageFrame
        search={<ListSearch />}
        total={isPending || total === undefined ? null : total}
        facets={<FacetPanel />}
        activeFilters={activeFacetFilters(filterValues as AssetFilter)}
        onOpenFilters={() => setFiltersOpen(true)}
        pagination={<ListPagination />}
      >
        <LaunchSelection selected={selected} onClear={() => setSelected(new Set())} />
        <AssetRows selection={{ selected, onChange: setSelected }} />
      </ListPageFrame>
      <FacetDialog open={filtersOpen} onClose={() => setFiltersOpen(false)} />
    </>
  );
}

/** The catalog list view. */
export function AssetList() {
  return (
    <ListBase perPage={LIST_PAGE_SIZE} sort={LIST_SORT} queryOptions={{ staleTime: LIST_STALE_MS }} storeKey={false}>
      <CatalogListView />
    </ListBase>
  );
}
