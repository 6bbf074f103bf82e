/** The catalog: every asset, searched and faceted on the server, a page at a time; the URL holds the view. */
import BoltIcon from "@mui/icons-material/Bolt";
import { Box, Typography } from "@mui/material";
import {
  Datagrid,
  FunctionField,
  List,
  Pagination,
  SearchInput,
  TopToolbar,
  useListContext,
} from "react-admin";
import { Link } from "react-router-dom";
import { EmptyState } from "../common/states.tsx";
import { KindMarks } from "../common/tools.tsx";
import type { AssetSummary } from "../types.ts";
import { FacetSidebar } from "./facet-sidebar.tsx";
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
      {isPending || total === undefined ? "Counting…" : `${total.toLocaleString("en")} asset${total === 1 ? "" : "s"}`}
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

// Cells are plain elements styled once by class from the grid's sx: 50 rows of MUI components cost more than
// the request that fetched them.
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

function PolicyCell({ record }: { record: AssetSummary }) {
  if (record.policy === null) return <span className="muted">—</span>;
  return (
    <span className="policy" title={record.policy.label}>
      <BoltIcon sx={{ fontSize: 14 }} />
      {record.policy.type?.toLowerCase().replace("_", " ") ?? "condition"}
    </span>
  );
}

const gridStyle = {
  "& td": { py: 1 },
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

/** The catalog list view. */
export function AssetList() {
  return (
    <List
      title="Catalog"
      filters={filters}
      actions={<ListActions />}
      aside={<FacetSidebar />}
      perPage={50}
      sort={{ field: "key", order: "ASC" }}
      pagination={<Pagination rowsPerPageOptions={[25, 50, 100]} />}
      empty={false}
      storeKey={false}
      sx={{ "& .RaList-main": { minWidth: 0 }, "& .RaList-content": { overflowX: "auto" } }}
    >
      <Datagrid rowClick="show" bulkActionButtons={false} empty={<NoResults />} size="small" sx={gridStyle}>
        <FunctionField<AssetSummary> source="key" label="Asset" render={(record) => <KeyCell record={record} />} />
        <FunctionField<AssetSummary> label="Description" sortable={false} render={(record) => <Description record={record} />} />
        <FunctionField<AssetSummary>
          label="Group / owners"
          sortable={false}
          render={(record) => (
            <>
              <div className="group">{record.group ?? <span className="muted">no group</span>}</div>
              <div className="owners" title={record.owners.join(", ")}>
                {record.owners.length === 0 ? <span className="muted">no owner</span> : record.owners.map((owner) => owner.split("@")[0]).join(", ")}
              </div>
            </>
          )}
        />
        <FunctionField<AssetSummary> label="Tags" sortable={false} render={(record) => <Tags tags={record.tags} />} />
        <FunctionField<AssetSummary> label="Policy" sortable={false} render={(record) => <PolicyCell record={record} />} />
      </Datagrid>
    </List>
  );
}
