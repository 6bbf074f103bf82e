/** Tool and kind chips (MUI); the marks and colours themselves live in tool-marks.tsx, free of MUI. */
import { Box, Chip } from "@mui/material";
import { ToolMark, toolStyle } from "./tool-marks.tsx";

export { AssetMarks, primaryTool, ToolMark, toolStyle, type ToolStyle } from "./tool-marks.tsx";

/** A small chip naming a tool or kind, with its mark. */
export function KindChip({ kind, size = "small" }: { kind: string; size?: "small" | "medium" }) {
  const style = toolStyle(kind);
  return (
    <Chip
      size={size}
      variant="outlined"
      icon={<ToolMark kind={kind} size={size === "small" ? 14 : 18} />}
      label={style.label}
      sx={{ borderColor: `${style.color}66`, bgcolor: `${style.color}12`, fontWeight: 500, "& .MuiChip-icon": { ml: "4px" } }}
    />
  );
}

/** The kinds of an asset as a row of chips. */
export function KindChips({ kinds }: { kinds: readonly string[] }) {
  return (
    <Box sx={{ display: "flex", gap: 0.5, flexWrap: "wrap" }}>
      {kinds.map((kind) => (
        <KindChip key={kind} kind={kind} />
      ))}
    </Box>
  );
}

