/** An instant shown relative to now ("5 min. ago"), with the exact time on hover; a designed dash when absent. */
import { Tooltip, Typography } from "@mui/material";
import type { ReactNode } from "react";
import { exactTime, relativeTime } from "./time.ts";

export function TimeText({ iso, absent = "—", prefix }: { iso: string | null | undefined; absent?: ReactNode; prefix?: string }) {
  if (!iso) {
    return (
      <Typography variant="body2" component="span" sx={{ color: "text.disabled" }}>
        {absent}
      </Typography>
    );
  }
  const exact = exactTime(iso);
  return (
    <Tooltip title={exact}>
      <time dateTime={iso} style={{ whiteSpace: "nowrap" }}>
        {prefix}
        {relativeTime(iso) ?? iso}
      </time>
    </Tooltip>
  );
}
