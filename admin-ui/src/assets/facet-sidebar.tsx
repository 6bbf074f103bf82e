/**
 * The list's facets on react-admin's list state: the facet card (list-page.tsx) beside the table on wide screens,
 * and the same card in a dialog behind the Filters button on narrow ones. Picking values writes them into the
 * list's filter, which react-admin keeps in the URL, so every filtered view can be shared.
 */
import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, type ReactNode } from "react";
import { useListContext } from "react-admin";
import { ErrorState } from "../common/states.tsx";
import { useTributary } from "../common/use-tributary.ts";
import { Icon, ICONS } from "../layout/frame.tsx";
import type { AssetFilter, Facets } from "../types.ts";
import { FacetCard } from "./list-page.tsx";

/** The facet counts of the list's current filter, kept while the next ones load. */
function useFacets(filter: AssetFilter, enabled: boolean) {
  const dataProvider = useTributary();
  return useQuery<Facets>({
    queryKey: ["assets", "facets", filter],
    queryFn: () => dataProvider.facets(filter),
    placeholderData: (previous) => previous,
    enabled,
  });
}

export function FacetPanel({ headerAction }: { headerAction?: ReactNode }) {
  const { filterValues, setFilters, isPending } = useListContext();
  const filter = filterValues as AssetFilter;
  // The rows come first: facets wait until the page they describe has loaded.
  const facets = useFacets(filter, !isPending);
  return (
    <FacetCard
      facets={facets.data ?? null}
      filter={filter}
      onChange={(next) => setFilters(next, [])}
      headerAction={headerAction}
      problem={facets.isError ? <ErrorState error={facets.error} title="Facets unavailable" onRetry={() => void facets.refetch()} /> : undefined}
    />
  );
}

/** The facets as a modal dialog (narrow screens): Escape, the close button or a click outside closes it. */
export function FacetDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (element === null) return;
    if (open && !element.open) element.showModal();
    if (!open && element.open) element.close();
  }, [open]);
  return (
    <dialog
      ref={dialog}
      className="facet-dialog"
      aria-label="Filters"
      onClose={onClose}
      onClick={(event) => {
        if (event.target === dialog.current) onClose();
      }}
    >
      {open && (
        <FacetPanel
          headerAction={
            <button type="button" className="icon-button small" aria-label="Close filters" onClick={onClose}>
              <Icon path={ICONS.close} size={20} />
            </button>
          }
        />
      )}
    </dialog>
  );
}
