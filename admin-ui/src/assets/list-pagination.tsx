/**
 * The catalog list's pagination: range, previous/next and rows per page, as plain elements styled by one class.
 * react-admin's MUI TablePagination (toolbar, select, icon buttons with ripples) cost more to render than the
 * rows it pages.
 */
import { Box } from "@mui/material";
import { useListContext } from "react-admin";

const ROWS_PER_PAGE = [25, 50, 100] as const;

/** 5351 → "5,351", without Intl (its first use loads locale data). */
export function thousands(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

const style = {
  display: "flex",
  alignItems: "center",
  justifyContent: "flex-end",
  gap: 2,
  px: 2,
  py: 1,
  fontSize: 14,
  color: "text.secondary",
  "& select": { font: "inherit", color: "text.primary", border: "1px solid", borderColor: "divider", borderRadius: 1, px: 0.5, py: 0.25, bgcolor: "background.paper" },
  "& button": { font: "inherit", fontSize: 18, lineHeight: 1, width: 32, height: 32, border: 0, borderRadius: "50%", bgcolor: "transparent", color: "text.primary", cursor: "pointer" },
  "& button:hover:not(:disabled)": { bgcolor: "rgba(0, 0, 0, 0.04)" },
  "& button:disabled": { color: "text.disabled", cursor: "default" },
  "& button:focus-visible, & select:focus-visible": { outline: "2px solid", outlineColor: "primary.main" },
} as const;

export function ListPagination() {
  const { page, perPage, total, hasNextPage, setPage, setPerPage, isPending } = useListContext();
  if (isPending || total === undefined || total === 0) return null;
  const first = (page - 1) * perPage + 1;
  const last = Math.min(page * perPage, total);
  const hasNext = hasNextPage ?? last < total;
  return (
    <Box component="nav" aria-label="Pagination" sx={style}>
      <label>
        Rows per page{" "}
        <select value={perPage} onChange={(event) => setPerPage(Number(event.target.value))}>
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
        <button type="button" aria-label="Go to previous page" disabled={page <= 1} onClick={() => setPage(page - 1)}>
          ‹
        </button>
        <button type="button" aria-label="Go to next page" disabled={!hasNext} onClick={() => setPage(page + 1)}>
          ›
        </button>
      </span>
    </Box>
  );
}
