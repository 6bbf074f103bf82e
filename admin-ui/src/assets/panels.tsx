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

/** A label and its value in a row; `labelWidth` (px) for a panel whose labels are longer than usual. */
export function Fact({ label, children, labelWidth = 112 }: { label: string; children: ReactNode; labelWidth?: number }) {
  return (
    <Box sx={{ display: "grid", gridTemplateColumns: `${labelWidth}px minmax(0, 1fr)`, gap: 1, py: 0.75, borderBottom: "1px solid", borderColor: "divider", "&:last-of-type": { borderBottom: 0 } }}>
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
