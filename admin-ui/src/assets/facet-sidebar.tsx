/**
 * The catalog's facets: kind/tool, group, owner, tag, location and policy, each value with how many assets it
 * would show. Picking values writes them into the list's filter, which react-admin keeps in the URL, so every
 * filtered view can be shared. Counts of a facet leave out that facet's own filter, so its other values stay
 * pickable (OR within a facet, AND across facets).
 */
import { Box, Button, Card, CardContent, Divider, List, ListItemButton, ListItemText, Skeleton, Typography } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useListContext } from "react-admin";
import { ErrorState } from "../common/states.tsx";
import { ToolMark } from "../common/tools.tsx";
import { useTributary } from "../common/use-tributary.ts";
import { thousands } from "./list-pagination.tsx";
import type { AssetFilter, FacetCount, Facets } from "../types.ts";

type ListFacet = "kinds" | "groups" | "owners" | "tags" | "locations";

const SECTIONS: readonly { facet: ListFacet | "hasPolicy"; title: string }[] = [
  { facet: "kinds", title: "Kind / tool" },
  { facet: "groups", title: "Group" },
  { facet: "owners", title: "Owner" },
  { facet: "tags", title: "Tag" },
  { facet: "locations", title: "Location" },
  { facet: "hasPolicy", title: "Policy" },
];

const COLLAPSED = 6;

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
  onChange: (next: AssetFilter) => void;
}) {
  const [expanded, setExpanded] = useState(false);
  const selected = (value: string): boolean =>
    facet === "hasPolicy" ? String(filter.hasPolicy) === value : (filter[facet] ?? []).includes(value);
  const toggle = (value: string) => {
    if (facet === "hasPolicy") {
      const { hasPolicy: _dropped, ...rest } = filter;
      onChange(selected(value) ? rest : { ...rest, hasPolicy: value === "true" });
      return;
    }
    const current = filter[facet] ?? [];
    const next = current.includes(value) ? current.filter((v) => v !== value) : [...current, value];
    const { [facet]: _dropped, ...rest } = filter;
    onChange(next.length === 0 ? rest : { ...rest, [facet]: next });
  };
  // Selected values always show, even past the fold.
  const visible = expanded ? values : values.filter((v, i) => i < COLLAPSED || selected(v.value));
  const label = (value: string) => (facet === "hasPolicy" ? (value === "true" ? "Has a policy" : "No policy") : value);
  return (
    <Box component="section" aria-label={`Filter by ${title.toLowerCase()}`} sx={{ mb: 1.5 }}>
      <Typography variant="overline" component="h3" sx={{ color: "text.secondary", fontWeight: 600, lineHeight: 2 }}>
        {title}
      </Typography>
      {values.length === 0 ? (
        <Typography variant="body2" sx={{ color: "text.disabled", pl: 1 }}>
          none
        </Typography>
      ) : (
        <List dense disablePadding>
          {visible.map(({ value, count }) => (
            <ListItemButton
              key={value}
              selected={selected(value)}
              aria-pressed={selected(value)}
              data-facet={facet}
              data-value={value}
              onClick={() => toggle(value)}
              sx={{ borderRadius: 1, py: 0.25, pl: 1 }}
            >
              {facet === "kinds" && (
                <Box sx={{ mr: 1, display: "flex" }}>
                  <ToolMark kind={value} size={14} />
                </Box>
              )}
              <ListItemText
                primary={label(value)}
                slotProps={{ primary: { noWrap: true, title: label(value), sx: { fontSize: 13, fontWeight: selected(value) ? 600 : 400 } } }}
              />
              <Typography variant="caption" sx={{ color: "text.secondary", ml: 1, fontVariantNumeric: "tabular-nums" }}>
                {thousands(count)}
              </Typography>
            </ListItemButton>
          ))}
        </List>
      )}
      {values.length > COLLAPSED && (
        <Button size="small" onClick={() => setExpanded(!expanded)} sx={{ ml: 0.5, textTransform: "none" }}>
          {expanded ? "Show fewer" : `Show all ${values.length}`}
        </Button>
      )}
    </Box>
  );
}

/** The list's aside: facet counts for the current filters. */
export function FacetSidebar() {
  const { filterValues, setFilters, isPending } = useListContext();
  const filter = filterValues as AssetFilter;
  const dataProvider = useTributary();
  const facets = useQuery<Facets>({
    queryKey: ["assets", "facets", filter],
    queryFn: () => dataProvider.facets(filter),
    placeholderData: (previous) => previous,
    // The rows come first: facets wait until the page they describe has loaded.
    enabled: !isPending,
  });
  const active = Object.keys(filter).filter((key) => key !== "q").length > 0;
  return (
    <Card sx={{ order: -1, mr: 2, mt: 8, width: 240, flexShrink: 0, alignSelf: "flex-start", display: { xs: "none", md: "block" } }}>
      <CardContent sx={{ pt: 1 }}>
        <Box sx={{ display: "flex", alignItems: "center", justifyContent: "space-between" }}>
          <Typography variant="subtitle2" component="h2">
            Filters
          </Typography>
          {active && (
            <Button size="small" onClick={() => setFilters(filter.q ? { q: filter.q } : {}, [])} sx={{ textTransform: "none" }}>
              Clear
            </Button>
          )}
        </Box>
        <Divider sx={{ my: 1 }} />
        {facets.isError ? (
          <ErrorState error={facets.error} title="Facets unavailable" onRetry={() => void facets.refetch()} />
        ) : facets.data === undefined ? (
          SECTIONS.map(({ facet }) => <Skeleton key={facet} variant="rounded" height={64} sx={{ mb: 1.5 }} />)
        ) : (
          SECTIONS.map(({ facet, title }) => (
            <FacetSection
              key={facet}
              title={title}
              facet={facet}
              values={facets.data[facet]}
              filter={filter}
              onChange={(next) => setFilters(next, [])}
            />
          ))
        )}
      </CardContent>
    </Card>
  );
}
