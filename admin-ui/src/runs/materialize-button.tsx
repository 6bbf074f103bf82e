/**
 * Materialize an asset now: this asset, with everything upstream of it, or with everything downstream (a split
 * button; the menu picks the scope). Shown only where this server launches runs; otherwise it says why not.
 */
import ArrowDropDownIcon from "@mui/icons-material/ArrowDropDown";
import PlayArrowIcon from "@mui/icons-material/PlayArrow";
import { Box, Button, ButtonGroup, Menu, MenuItem, Typography } from "@mui/material";
import { useRef, useState } from "react";
import { useNotify } from "react-admin";
import { useTributary } from "../common/use-tributary.ts";
import { useLaunchCapability, useLaunchOutcome } from "./run-actions.tsx";
import { TokenButton } from "./token-dialog.tsx";

type Scope = "asset" | "upstream" | "downstream";

const LABELS: Readonly<Record<Scope, string>> = { asset: "Materialize", upstream: "Materialize with upstream", downstream: "Materialize with downstream" };

export function MaterializeButton({ assetKey }: { assetKey: string }) {
  const dataProvider = useTributary();
  const capability = useLaunchCapability();
  const onLaunched = useLaunchOutcome();
  const notify = useNotify();
  const anchor = useRef<HTMLDivElement>(null);
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  if (capability === undefined) return null;
  if (!capability.available) {
    return (
      <Box sx={{ display: "flex", alignItems: "center", gap: 1 }}>
        <Typography variant="caption" sx={{ color: "text.secondary", maxWidth: 320 }} data-testid="launch-unavailable">
          {capability.reason ?? "This server cannot launch runs."}
        </Typography>
        <TokenButton />
      </Box>
    );
  }
  const launch = async (scope: Scope) => {
    setOpen(false);
    setBusy(true);
    try {
      let keys = [assetKey];
      if (scope !== "asset") {
        const lineage = await dataProvider.lineage({ key: assetKey, direction: scope === "upstream" ? "UPSTREAM" : "DOWNSTREAM", depth: null });
        keys = lineage.nodes.map((node) => node.key);
      }
      onLaunched(await dataProvider.launch(keys));
    } catch (error) {
      notify(error instanceof Error ? error.message : String(error), { type: "error" });
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <ButtonGroup variant="contained" size="small" ref={anchor} disabled={busy} aria-label="Materialize">
        <Button startIcon={<PlayArrowIcon />} onClick={() => void launch("asset")} data-testid="materialize">
          {busy ? "Launching…" : "Materialize"}
        </Button>
        <Button size="small" aria-label="More ways to materialize" aria-haspopup="menu" onClick={() => setOpen(true)} data-testid="materialize-more">
          <ArrowDropDownIcon />
        </Button>
      </ButtonGroup>
      <Menu anchorEl={anchor.current} open={open} onClose={() => setOpen(false)}>
        {(["asset", "upstream", "downstream"] as const).map((scope) => (
          <MenuItem key={scope} onClick={() => void launch(scope)} data-scope={scope}>
            {LABELS[scope]}
          </MenuItem>
        ))}
      </Menu>
    </>
  );
}
