/** Designed empty, loading and error states, so no panel is ever left blank. */
import ErrorOutlineIcon from "@mui/icons-material/ErrorOutlined";
import InboxOutlinedIcon from "@mui/icons-material/InboxOutlined";
import { Alert, Box, Button, Skeleton, Stack, Typography } from "@mui/material";
import type { ReactNode } from "react";

/** Nothing to show, and why; optionally what to do about it. */
export function EmptyState({ title, children, icon, action }: { title: string; children?: ReactNode; icon?: ReactNode; action?: ReactNode }) {
  return (
    <Box role="status" sx={{ py: 4, px: 2, textAlign: "center", color: "text.secondary" }}>
      <Box sx={{ fontSize: 36, color: "grey.400", mb: 1 }}>{icon ?? <InboxOutlinedIcon fontSize="inherit" />}</Box>
      <Typography variant="subtitle1" sx={{ color: "text.primary", fontWeight: 600 }}>
        {title}
      </Typography>
      {children !== undefined && (
        <Typography variant="body2" sx={{ mt: 0.5, maxWidth: 520, mx: "auto" }}>
          {children}
        </Typography>
      )}
      {action !== undefined && <Box sx={{ mt: 2 }}>{action}</Box>}
    </Box>
  );
}

/** A failed request, with a retry when one makes sense. */
export function ErrorState({ error, onRetry, title = "Could not load this" }: { error: unknown; onRetry?: () => void; title?: string }) {
  const message = error instanceof Error ? error.message : String(error);
  return (
    <Alert
      severity="error"
      icon={<ErrorOutlineIcon />}
      action={onRetry ? <Button color="inherit" size="small" onClick={onRetry}>Retry</Button> : undefined}
      sx={{ my: 1 }}
    >
      <strong>{title}.</strong> {message}
    </Alert>
  );
}

/** Placeholder lines in the shape of what is loading. */
export function LoadingLines({ lines = 3, height = 22 }: { lines?: number; height?: number }) {
  return (
    <Stack spacing={1} aria-busy="true" aria-label="Loading">
      {Array.from({ length: lines }, (_, i) => (
        <Skeleton key={i} variant="rounded" height={height} width={`${90 - i * 12}%`} />
      ))}
    </Stack>
  );
}
