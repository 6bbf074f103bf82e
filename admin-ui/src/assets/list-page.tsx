/**
 * The catalog list page's parts as plain elements (catalog.css): the page frame, the search field, the facet card
 * and the pagination bar. The list view (asset-list.tsx) feeds them react-admin's list state; the first paint
 * (boot/first-paint.tsx) feeds them the prefetched first page, so both draw the same page.
 */
import { useState, type ReactNode } from "react";
import { useIsFirstPaint } from "../boot/first-paint-context.ts";
import { countOf, thousands } from "../common/format.ts";
import { STATUS_ORDER, statusStyle } from "../common/status.ts";
import { ToolMark } from "../common/tool-marks.tsx";
import { Icon, ICONS } from "../layout/frame.tsx";
import type { AssetFilter, FacetCount, Facets } from "../types.ts";

export interface ListPageFrameProps {
  readonly search: ReactNode;
  /** "5,351 assets", or null while counting. */
  readonly total: number | null;
  /** The facet card: beside the table on wide screens, behind the Filters button on narrow ones. */
  readonly facets: ReactNode;
  /** How many facet filters are on, shown on the Filters button. */
  readonly activeFilters: number;
  readonly onOpenFilters?: () => void;
  readonly pagination: ReactNode;
  readonly children: ReactNode;
}

export function ListPageFrame({ search, total, facets, activeFilters, onOpenFilters, pagination, children }: ListPageFrameProps) {
  const firstPaint = useIsFirstPaint();
  return (
    <div className="list-page">
      <aside className="list-aside" aria-label="Filters">
        {facets}
      </aside>
      <div className="list-main">
        <div className="list-header">
          {search}
          <button type="button" className="filters-button" onClick={onOpenFilters} aria-haspopup="dialog">
            <Icon path={ICONS.filter} size={20} />
            Filters{activeFilters > 0 ? ` (${activeFilters})` : ""}
          </button>
          <span className="result-count" aria-live={firstPaint ? undefined : "polite"}>
            {total === null ? "Counting…" : countOf(total, "asset")}
          </span>
        </div>
        <section className="list-card" aria-label="Assets">
          {children}
          {pagination}
        </section>
      </div>
    </div>
  );
}

export interface SearchFieldProps {
  readonly value: string;
  /** Without it the box is uncontrolled (the first paint: what is typed there is handed to the app's box). */
  readonly onChange?: (value: string) => void;
}

/** The search box: keys, descriptions and column names, searched on the server. */
export function SearchField({ value, onChange }: SearchFieldProps) {
  // The first paint's box is labelled apart from the app's, which replaces it.
  const label = useIsFirstPaint() ? "Search keys, descriptions and columns" : "Search the catalog";
  const binding = onChange === undefined ? { defaultValue: value } : { value, onChange: (event: { target: { value: string } }) => onChange(event.target.value) };
  return (
    <label className="search-field">
      <input
        type="search"
        {...binding}
        placeholder="Search keys, descriptions, columns"
        aria-label={label}
        spellCheck={false}
        autoComplete="off"
      />
      <Icon path={ICONS.search} size={22} />
    </label>
  );
}

export type ListFacet = "kinds" | "groups" | "owners" | "tags" | "locations" | "statuses";

const SECTIONS: readonly { facet: ListFacet | "hasPolicy"; title: string }[] = [
  { facet: "statuses", title: "Status" },
  { facet: "kinds", title: "Kind / tool" },
  { facet: "groups", title: "Group" },
  { facet: "owners", title: "Owner" },
  { facet: "tags", title: "Tag" },
  { facet: "locations", title: "Location" },
  { facet: "hasPolicy", title: "Policy" },
];

/** Values shown before "Show all". */
const COLLAPSED = 6;

/** The filters a facet card counts against: the search and policy split are not facet values. */
export function activeFacetFilters(filter: AssetFilter): number {
  const lists = (["kinds", "groups", "owners", "tags", "locations", "statuses"] as const).reduce((n, facet) => n + (filter[facet]?.length ?? 0), 0);
  return lists + (typeof filter.hasPolicy === "boolean" ? 1 : 0);
}

function FacetSection({
  title,
  facet,
  values,
  filter,
  onChange,
}: {
  title: string;
  facet: ListFacet | "hasPolicy";
  values: readonly FacetCount[];
  filter: AssetFilter;
  onChange: ((next: AssetFilter) => void) | undefined;
}) {
  const firstPaint = useIsFirstPaint();
  const [expanded, setExpanded] = useState(false);
  const selected = (value: string): boolean => (facet === "hasPolicy" ? String(filter.hasPolicy) === value : ((filter[facet] ?? []) as readonly string[]).includes(value));
  const toggle = (value: string) => {
    if (onChange === undefined) return;
    if (facet === "hasPolicy") {
      const { hasPolicy: _dropped, ...rest } = filter;
      onChange(selected(value) ? rest : { ...rest, hasPolicy: value === "true" });
      return;
    }
    const current = (filter[facet] ?? []) as readonly string[];
    const next = current.includes(value) ? current.filter((v) => v !== value) : [...current, value];
    const { [facet]: _dropped, ...rest } = filter;
    onChange(next.length === 0 ? rest : { ...rest, [facet]: next });
  };
  // Statuses in the order that needs attention first; others most frequent first, as the server sends them.
  const ordered = facet === "statuses" ? [...values].sort((a, b) => STATUS_ORDER.indexOf(a.value as never) - STATUS_ORDER.indexOf(b.value as never)) : values;
  // Selected values always show, even past the fold.
  const visible = expanded ? ordered : ordered.filter((v, i) => i < COLLAPSED || selected(v.value));
  const label = (value: string) =>
    facet === "hasPolicy" ? (value === "true" ? "Has a policy" : "No policy") : facet === "statuses" ? (value === "NEVER_MATERIALIZED" ? "never materialized" : statusStyle(value).label) : value;
  return (
    <section className="facet" aria-label={`Filter by ${title.toLowerCase()}`}>
      <h3>{title}</h3>
      {values.length === 0 ? (
        <p className="facet-none">none</p>
      ) : (
        <ul>
          {visible.map(({ value, count }) => (
            <li key={value}>
              <button
                type="button"
                className={selected(value) ? "selected" : undefined}
                aria-pressed={selected(value)}
                {...(firstPaint ? {} : { "data-facet": facet, "data-value": value })}
                onClick={() => toggle(value)}
              >
                {facet === "kinds" && <ToolMark kind={value} size={14} />}
                {facet === "statuses" && <span className="status-dot" style={{ background: statusStyle(value).color }} aria-hidden />}
                <span className="facet-label" title={label(value)}>
                  {label(value)}
                </span>
                <span className="facet-count">{thousands(count)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {values.length > COLLAPSED && (
        <button type="button" className="text-button" onClick={() => setExpanded(!expanded)}>
          {expanded ? "Show fewer" : `Show all ${values.length}`}
        </button>
      )}
    </section>
  );
}

export interface FacetCardProps {
  /** null while loading: the sections show as placeholders. */
  readonly facets: Facets | null;
  readonly filter: AssetFilter;
  readonly onChange?: (next: AssetFilter) => void;
  /** Shown instead of the sections (the facets failed to load). */
  readonly problem?: ReactNode;
  /** Shown in the heading, e.g. a close button in the drawer. */
  readonly headerAction?: ReactNode;
}

/**
 * The facets with their counts. Counts of a facet leave out that facet's own filter, so its other values stay
 * pickable (OR within a facet, AND across facets).
 */
export function FacetCard({ facets, filter, onChange, problem, headerAction }: FacetCardProps) {
  const active = activeFacetFilters(filter) > 0;
  return (
    <div className="facet-card">
      <div className="facet-card-header">
        <h2>Filters</h2>
        {active && onChange !== undefined && (
          <button type="button" className="text-button" onClick={() => onChange(filter.q ? { q: filter.q } : {})}>
            Clear
          </button>
        )}
        {headerAction}
      </div>
      {problem ??
        (facets === null
          ? SECTIONS.map(({ facet }) => <div key={facet} className="placeholder facet-placeholder" aria-hidden />)
          : SECTIONS.map(({ facet, title }) => <FacetSection key={facet} title={title} facet={facet} values={facets[facet]} filter={filter} onChange={onChange} />))}
    </div>
  );
}

export const ROWS_PER_PAGE = [25, 50, 100] as const;

export interface PaginationViewProps {
  readonly page: number;
  readonly perPage: number;
  readonly total: number;
  readonly hasNextPage: boolean;
  readonly onPage?: (page: number) => void;
  readonly onPerPage?: (perPage: number) => void;
}

/** Range, previous/next and rows per page. */
export function PaginationView({ page, perPage, total, hasNextPage, onPage, onPerPage }: PaginationViewProps) {
  if (total === 0) return null;
  const first = (page - 1) * perPage + 1;
  const last = Math.min(page * perPage, total);
  return (
    <nav className="list-pagination" aria-label="Pagination">
      <label>
        Rows per page{" "}
        <select value={perPage} onChange={(event) => onPerPage?.(Number(event.target.value))}>
          {ROWS_PER_PAGE.map((size) => (
            <option key={size} value={size}>
              {size}
            </option>
          ))}
        </select>
      </label>
      <span>
        {thousands(first)}–{thousands(last)} of {thousands(total)}
      </span>
      <span>
        <button type="button" aria-label="Go to previous page" disabled={page <= 1} onClick={() => onPage?.(page - 1)}>
          ‹
        </button>
        <button type="button" aria-label="Go to next page" disabled={!hasNextPage} onClick={() => onPage?.(page + 1)}>
          ›
        </button>
      </span>
    </nav>
  );
}
