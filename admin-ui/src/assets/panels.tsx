/** Building blocks of the asset page: titled cards and label/value rows. */
import { Box, Card, CardContent, Typography } from "@mui/material";
import type { ReactNode } from "react";

export function Panel({ title, action, children, id, testId }: { title: ReactNode; action?: ReactNode; children: ReactNode; id?: string; testId?: string }) {
  return (
    <Card component="section" aria-labelledby={id ? `${id}-title` : undefined} data-testid={testId} sx={{ mb: 2 }}>
      <CardContent sx={{ "&:last-child": { pb: 2 } }}>
        <Box sx={{ display: "flex", alignItems: "center", mb: 1.5, gap: 1 }}>
          <Typography variant="h6" component="h2" id={id ? `${id}-title` : undefined} sx={{ flex: 1 }}>
            {title}
          </Typography>
          {action}
        </Box>
        {children}
      </CardContent>
    </Card>
  );
}

export function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Box sx={{ display: "grid", gridTemplateColumns: "112px 1fr", gap: 1, py: 0.75, borderBottom: "1px solid", borderColor: "divider", "&:last-of-type": { borderBottom: 0 } }}>
      <Typography variant="body2" sx={{ color: "text.secondary" }}>
        {label}
      </Typography>
      <Box sx={{ minWidth: 0, fontSize: 14, overflowWrap: "anywhere" }}>{children}</Box>
    </Box>
  );
}

/** A designed placeholder for a panel another part of Tributary will fill. */
export function Reserved({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  return (
    <Box data-testid={testId} sx={{ border: "1px dashed", borderColor: "grey.300", borderRadius: 2, p: 2.5, textAlign: "center", color: "text.secondary", bgcolor: "#fcfcfd" }}>
      <Typography variant="subtitle2" sx={{ color: "text.primary" }}>
        {title}
      </Typography>
      <Typography variant="body2" sx={{ mt: 0.5 }}>
        {children}
      </Typography>
    </Box>
  );
}

/** Rows of a field the API has only recently gained, shown as a plain table of their scalar fields. */
export function GenericRows({ rows, columns: preferred }: { rows: readonly Readonly<Record<string, unknown>>[]; columns?: readonly string[] }) {
  const present = [...new Set(rows.flatMap((row) => Object.keys(row)))].filter((c) => c !== "__typename");
  const chosen = preferred?.filter((c) => present.includes(c)) ?? [];
  const columns = chosen.length > 0 ? chosen : present;
  return (
    <Box sx={{ overflowX: "auto" }}>
    <Box component="table" sx={{ width: "100%", borderCollapse: "collapse", fontSize: 13, "& td, & th": { textAlign: "left", p: 0.75, borderBottom: "1px solid", borderColor: "divider" } }}>
      <thead>
        <tr>
          {columns.map((column) => (
            <th key={column}>{column}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row, i) => (
          <tr key={i}>
            {columns.map((column) => (
              <td key={column}>{typeof row[column] === "object" ? JSON.stringify(row[column]) : String(row[column] ?? "—")}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </Box>
    </Box>
  );
}
