/** The catalog: every asset, searched and faceted on the server, a page at a time; the URL holds the view. */
import { Box, Typography } from "@mui/material";
import { List, SearchInput, TopToolbar, useListContext, type SortPayload } from "react-admin";
import { Link, useNavigate } from "react-router-dom";
import { EmptyState, ErrorState, LoadingLines } from "../common/states.tsx";
import { KindMarks } from "../common/tools.tsx";
import type { AssetSummary } from "../types.ts";
import { FacetSidebar } from "./facet-sidebar.tsx";
import { LIST_PAGE_SIZE, LIST_SORT, LIST_STALE_MS } from "./list-defaults.ts";
import { ListPagination, thousands } from "./list-pagination.tsx";
import { assetPath } from "./paths.ts";

const filters = [
  <SearchInput
    key="q"
    source="q"
    alwaysOn
    placeholder="Search keys, descriptions, columns"
    sx={{ minWidth: { xs: 240, sm: 380 } }}
    slotProps={{ htmlInput: { "aria-label": "Search the catalog" } }}
  />,
];

function ResultCount() {
  const { total, isPending } = useListContext();
  return (
    <Typography variant="body2" sx={{ color: "text.secondary", alignSelf: "center" }} aria-live="polite">
      {isPending || total === undefined ? "Counting…" : `${thousands(total)} asset${total === 1 ? "" : "s"}`}
    </Typography>
  );
}

function ListActions() {
  return (
    <TopToolbar>
      <ResultCount />
    </TopToolbar>
  );
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

// The table and its cells are plain elements styled once by class from the grid's sx: 50 rows of MUI components
// (react-admin's Datagrid) cost several times more than the request that fetched them.
function KeyCell({ record }: { record: AssetSummary }) {
  return (
    <div className="asset-key-cell">
      <KindMarks kinds={record.kinds} />
      <div className="asset-key-text">
      <Link to={assetPath(record.key)} onClick={(event) => event.stopPropagation()} data-asset-key={record.key}>
        {record.key}
      </Link>
      {record.relation && <div className="relation">{record.relation.fullName}</div>}
      </div>
    </div>
  );
}

function Description({ record }: { record: AssetSummary }) {
  if (!record.description) return <span className="muted">—</span>;
  const text = record.description.replace(/[#*_`>]/g, "").trim();
  return (
    <div className="description" title={text}>
      {text}
    </div>
  );
}

function Tags({ tags }: { tags: readonly string[] }) {
  return (
    <div className="tags">
      {tags.slice(0, 2).map((tag) => (
        <span key={tag} className="tag">{tag}</span>
      ))}
      {tags.length > 2 && <span className="tag more">+{tags.length - 2}</span>}
    </div>
  );
}

// MUI's Bolt icon as a plain path: one SVG component per row would be another 50 styled components.
const BOLT = "M11 21h-1l1-7H7.5c-.58 0-.57-.32-.38-.66.19-.34.05-.08.07-.12C8.48 10.94 10.42 7.54 13 3h1l-1 7h3.5c.49 0 .56.33.47.51l-.07.15C12.96 17.55 11 21 11 21z";

function PolicyCell({ record }: { record: AssetSummary }) {
  if (record.policy === null) return <span className="muted">—</span>;
  return (
    <span className="policy" title={record.policy.label}>
      <svg viewBox="0 0 24 24" width="14" height="14" fill="currentColor" aria-hidden>
        <path d={BOLT} />
      </svg>
      {record.policy.type?.toLowerCase().replace("_", " ") ?? "condition"}
    </span>
  );
}

const gridStyle = {
  overflowX: "auto",
  "& table": { width: "100%", borderCollapse: "collapse", fontSize: 14 },
  "& th, & td": { textAlign: "left", verticalAlign: "top", px: 2, borderBottom: "1px solid", borderColor: "divider" },
  "& td": { py: 1 },
  "& th": { py: 0.75, fontWeight: 600, fontSize: 14, color: "#475467", bgcolor: "#f9fafb", whiteSpace: "nowrap" },
  "& th button": { all: "unset", cursor: "pointer", display: "inline-flex", alignItems: "center", gap: 0.5 },
  "& th button:hover": { color: "text.primary" },
  "& th button:focus-visible": { outline: "2px solid", outlineColor: "primary.main", outlineOffset: 2 },
  "& th .arrow": { fontSize: 12, width: 12, color: "primary.main" },
  "& tbody tr": { cursor: "pointer" },
  "& tbody tr:hover": { bgcolor: "rgba(0, 0, 0, 0.04)" },
  "& .asset-key-cell": { display: "flex", gap: 1.25, alignItems: "flex-start", maxWidth: 340 },
  "& .asset-key-cell > span": { pt: "2px", width: 62, flexShrink: 0 },
  "& .asset-key-text": { minWidth: 0 },
  "& .group": { fontSize: 13, fontWeight: 500 },
  "& .asset-key-cell a": { overflowWrap: "anywhere", fontWeight: 600, fontSize: 14, color: "text.primary", textDecoration: "none" },
  "& .asset-key-cell a:hover, & .asset-key-cell a:focus-visible": { color: "primary.main", textDecoration: "underline" },
  "& .relation": { fontSize: 12, color: "text.secondary", fontFamily: "monospace", whiteSpace: "nowrap", overflow: "hidden", textOverflow: "ellipsis", maxWidth: 320 },
  "& .muted": { color: "text.disabled" },
  "& .description": { fontSize: 13, color: "text.secondary", display: "-webkit-box", WebkitLineClamp: 2, WebkitBoxOrient: "vertical", overflow: "hidden", maxWidth: 320, minWidth: 160 },
  "& .owners": { fontSize: 12, color: "text.secondary", whiteSpace: "nowrap", overflow: "hidden", textOverflow: "ellipsis", maxWidth: 160 },
  "& .tags": { display: "flex", gap: 0.5, flexWrap: "wrap", maxWidth: 200 },
  "& .tag": { fontSize: 11, lineHeight: "18px", px: 1, borderRadius: 9, bgcolor: "#f2f4f7", color: "text.primary", whiteSpace: "nowrap" },
  "& .tag.more": { bgcolor: "transparent", border: "1px solid", borderColor: "divider" },
  "& .policy": { display: "inline-flex", alignItems: "center", gap: 0.5, fontSize: 12, fontWeight: 500, color: "primary.main", border: "1px solid", borderColor: "primary.light", borderRadius: 11, px: 1, lineHeight: "20px", whiteSpace: "nowrap" },
} as const;

const COLUMNS: readonly { label: string; sortBy?: string; firstOrder?: SortPayload["order"] }[] = [
  { label: "Asset", sortBy: "key" },
  { label: "Description" },
  { label: "Group / owners", sortBy: "group" },
  { label: "Tags" },
  // Assets with a policy first on the first click.
  { label: "Policy", sortBy: "policy", firstOrder: "DESC" },
];

/** A column header: sortable ones are buttons that set (or flip) the list's order, which lands in the URL. */
function Header({ label, sortBy, firstOrder = "ASC" }: (typeof COLUMNS)[number]) {
  const { sort, setSort } = useListContext();
  if (sortBy === undefined) return <th scope="col">{label}</th>;
  const active = sort.field === sortBy;
  const next: SortPayload["order"] = active ? (sort.order === "ASC" ? "DESC" : "ASC") : firstOrder;
  return (
    <th scope="col" aria-sort={active ? (sort.order === "ASC" ? "ascending" : "descending") : "none"}>
      <button type="button" data-sort={sortBy} onClick={() => setSort({ field: sortBy, order: next })} title={`Sort by ${label.toLowerCase()}`}>
        {label}
        <span className="arrow" aria-hidden>
          {active ? (sort.order === "ASC" ? "↑" : "↓") : ""}
        </span>
      </button>
    </th>
  );
}

function GroupCell({ record }: { record: AssetSummary }) {
  return (
    <>
      <div className="group">{record.group ?? <span className="muted">no group</span>}</div>
      <div className="owners" title={record.owners.join(", ")}>
        {record.owners.length === 0 ? <span className="muted">no owner</span> : record.owners.map((owner) => owner.split("@")[0]).join(", ")}
      </div>
    </>
  );
}

/** The rows of the current page; a row opens its asset (the key is also a link, for keyboards and new tabs). */
function AssetTable() {
  const { data, isPending, error, refetch } = useListContext<AssetSummary>();
  const navigate = useNavigate();
  if (error) return <ErrorState error={error} title="Could not load the catalog" onRetry={() => void refetch()} />;
  if (isPending) {
    return (
      <Box sx={{ p: 2 }}>
        <LoadingLines lines={6} height={36} />
      </Box>
    );
  }
  if (data.length === 0) return <NoResults />;
  return (
    <Box sx={gridStyle}>
      <table>
        <thead>
          <tr>
            {COLUMNS.map((column) => (
              <Header key={column.label} {...column} />
            ))}
          </tr>
        </thead>
        <tbody>
          {data.map((record) => (
            <tr key={record.key} onClick={() => navigate(assetPath(record.key))}>
              <td>
                <KeyCell record={record} />
              </td>
              <td>
                <Description record={record} />
              </td>
              <td>
                <GroupCell record={record} />
              </td>
              <td>
                <Tags tags={record.tags} />
              </td>
              <td>
                <PolicyCell record={record} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Box>
  );
}

/** The catalog list view. */
export function AssetList() {
  return (
    <List
      title="Catalog"
      filters={filters}
      actions={<ListActions />}
      aside={<FacetSidebar />}
      perPage={LIST_PAGE_SIZE}
      sort={LIST_SORT}
      queryOptions={{ staleTime: LIST_STALE_MS }}
      pagination={<ListPagination />}
      empty={false}
      storeKey={false}
      sx={{ "& .RaList-main": { minWidth: 0 }, "& .RaList-content": { overflowX: "auto" } }}
    >
      <AssetTable />
    </List>
  );
}
