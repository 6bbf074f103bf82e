/**
 * What a materialization's row says, read from the tool's metadata (`fivetran/…`, `census/…` keys written by the
 * connectors' launchers and observers): who started it, how long it took, what went wrong, where to look.
 * Free of React so it is tested on its own.
 */
import { jsonObject } from "../common/json.ts";
import type { Materialization } from "../types.ts";
import { span } from "../common/time.ts";

export interface MaterializationFacts {
  /** "Tributary", "Fivetran schedule", "Census"; null when the tool did not say. */
  readonly launchedBy: string | null;
  /** How long the run took, when the tool reported its start. */
  readonly durationMs: number | null;
  /** The tool's error message of a failed attempt. */
  readonly message: string | null;
  /** Where to read more (the sync's logs), http(s) only. */
  readonly link: { readonly href: string; readonly label: string } | null;
  /** Census record counts, when reported. */
  readonly records: { readonly processed: number | null; readonly failed: number | null } | null;
}

const LAUNCHERS: Readonly<Record<string, string>> = {
  tributary: "Tributary",
  fivetran_schedule: "Fivetran schedule",
  census: "Census schedule",
};

const text = (metadata: Readonly<Record<string, unknown>>, key: string): string | null => {
  const value = metadata[key];
  return typeof value === "string" && value.trim() !== "" ? value : null;
};
const count = (metadata: Readonly<Record<string, unknown>>, key: string): number | null => {
  const value = metadata[key];
  return typeof value === "number" ? value : null;
};
const webLink = (href: string | null): string | null => (href !== null && /^https?:\/\//i.test(href) ? href : null);

export function materializationFacts(materialization: Materialization): MaterializationFacts {
  const { tool } = materialization;
  const metadata = jsonObject(materialization.metadata);
  const launcher = text(metadata, `${tool}/launched_by`);
  const messages = Array.isArray(metadata["fivetran/messages"]) ? (metadata["fivetran/messages"] as unknown[]).filter((m): m is string => typeof m === "string") : [];
  // Each tool's own key first (dbt's run_results message of the node is `dbt/message`), then a generic one.
  const message =
    text(metadata, "census/error_message") ??
    text(metadata, "fivetran/message") ??
    (messages.length > 0 ? messages.join("; ") : null) ??
    text(metadata, `${tool}/message`) ??
    text(metadata, "error_message");
  // The server's duration (each tool's own timing) when it has one; else read from the metadata here.
  const durationMs =
    materialization.durationMs != null
      ? materialization.durationMs
      : tool === "census"
      ? span(text(metadata, "census/started_at"), text(metadata, "census/completed_at"))
      : tool === "fivetran"
        ? span(text(metadata, "fivetran/triggered_at"), text(metadata, "fivetran/sync_completed_at"))
        : count(metadata, "duration_ms");
  const logs = webLink(text(metadata, "fivetran/logs_url"));
  const connector = webLink(text(metadata, "fivetran/connector_url"));
  const other = webLink(text(metadata, `${tool}/url`) ?? text(metadata, "url"));
  const link = logs ? { href: logs, label: "Fivetran logs" } : connector ? { href: connector, label: "Fivetran connector" } : other ? { href: other, label: "Details" } : null;
  const processed = count(metadata, "census/records_processed");
  const failed = count(metadata, "census/records_failed");
  return {
    launchedBy: launcher === null ? null : (LAUNCHERS[launcher] ?? launcher),
    durationMs: durationMs !== null && durationMs >= 0 ? durationMs : null,
    message: materialization.status === "FAILURE" ? (message ?? "Failed; the tool gave no message.") : message,
    link,
    records: processed === null && failed === null ? null : { processed, failed },
  };
}
