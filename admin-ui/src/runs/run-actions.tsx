/**
 * Launch buttons shared by the run page, the asset page and the list: they call the API's mutations, say what
 * could not be launched, and open the new run. Shown only where this server launches runs
 * (`Query.launchCapability`); elsewhere they are replaced by the server's reason.
 */
import { useQuery } from "@tanstack/react-query";
import { useNotify } from "react-admin";
import { useNavigate } from "react-router-dom";
import { useTributary } from "../common/use-tributary.ts";
import type { LaunchCapability, LaunchResult } from "../types.ts";
import { runPath } from "./paths.ts";

export function useLaunchCapability(): LaunchCapability | undefined {
  const dataProvider = useTributary();
  return useQuery({ queryKey: ["launchCapability"], queryFn: () => dataProvider.launchCapability(), staleTime: 60_000 }).data;
}

/** Handles a launch's result: opens the new run, and says which assets were left out and why. */
export function useLaunchOutcome(): (result: LaunchResult) => void {
  const notify = useNotify();
  const navigate = useNavigate();
  return (result) => {
    const left = result.unlaunchable;
    if (result.run === null) {
      notify(`Nothing could be launched: ${left.map((u) => `${u.assetKey} (${u.reason})`).join("; ") || "no asset can be materialized"}`, { type: "warning" });
      return;
    }
    if (left.length > 0) notify(`Launched; left out ${left.length}: ${left.slice(0, 3).map((u) => `${u.assetKey} (${u.reason})`).join("; ")}${left.length > 3 ? "…" : ""}`, { type: "info" });
    void navigate(runPath(result.run.id));
  };
}
