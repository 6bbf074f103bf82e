/**
 * The catalog list's launch bar: shown once assets are ticked, it launches one run of them (steps in dependency
 * order, as launchRun plans it), where this server launches runs; otherwise it says why it cannot.
 */
import PlayArrowIcon from "@mui/icons-material/PlayArrow";
import { Box, Button, Typography } from "@mui/material";
import { useState } from "react";
import { useNotify } from "react-admin";
import { countOf } from "../common/format.ts";
import { useTributary } from "../common/use-tributary.ts";
import { useLaunchCapability, useLaunchOutcome } from "./run-actions.tsx";
import { TokenButton } from "./token-dialog.tsx";

export function LaunchSelection({ selected, onClear }: { selected: ReadonlySet<string>; onClear: () => void }) {
  const dataProvider = useTributary();
  const capability = useLaunchCapability();
  const onLaunched = useLaunchOutcome();
  const notify = useNotify();
  const [busy, setBusy] = useState(false);
  if (selected.size === 0) return null;
  return (
    <Box data-testid="launch-selection" sx={{ display: "flex", alignItems: "center", gap: 1.5, px: 2, py: 1, bgcolor: "#eff8ff", borderBottom: "1px solid", borderColor: "divider", flexWrap: "wrap" }}>
      <Typography variant="body2" sx={{ fontWeight: 600 }}>
        {countOf(selected.size, "asset")} selected
      </Typography>
      {capability?.available === false ? (
        <>
          <Typography variant="body2" sx={{ color: "text.secondary" }} data-testid="launch-unavailable">
            {capability.reason}
          </Typography>
          <TokenButton />
        </>
      ) : (
        <Button
          size="small"
          variant="contained"
          startIcon={<PlayArrowIcon />}
          disabled={busy || capability === undefined}
          data-testid="launch-selected"
          onClick={() => {
            setBusy(true);
            dataProvider
              .launch([...selected])
              .then((result) => {
                if (result.run !== null) onClear();
                onLaunched(result);
              })
              .catch((error: unknown) => notify(error instanceof Error ? error.message : String(error), { type: "error" }))
              .finally(() => setBusy(false));
          }}
        >
          Materialize selected
        </Button>
      )}
      <Button size="small" onClick={onClear}>
        Clear
      </Button>
    </Box>
  );
}
