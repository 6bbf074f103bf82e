/**
 * A run followed live: `Subscription.runUpdates` over SSE (GET /graphql with an EventSource), which sends the
 * run's state and the log lines since the previous update until the run has ended. A dropped connection is
 * opened again after the last line received, so no line is shown twice or lost.
 */
import { useEffect, useReducer, useRef } from "react";
import { RUN_UPDATES } from "../data-provider/queries.ts";
import type { RunDetail, RunLogLine } from "../types.ts";

export type StreamedRun = Omit<RunDetail, "materializations" | "checkResults">;

export interface RunStream {
  /** The run as last streamed; null before the first update. */
  readonly run: StreamedRun | null;
  /** Every log line so far, oldest first (the same array grows: `version` says when). */
  readonly logs: readonly RunLogLine[];
  readonly version: number;
  /** "live" while updates come, "ended" once the run ended and the stream completed, "reconnecting" after a drop. */
  readonly state: "connecting" | "live" | "reconnecting" | "ended";
  readonly error: string | null;
}

/** The URL of the run's stream, resuming after a log line id. */
export function runUpdatesUrl(base: string, id: string, afterLogId: number): string {
  const params = new URLSearchParams({ query: RUN_UPDATES, variables: JSON.stringify({ id, afterLogId }), operationName: "RunUpdates" });
  return `${base}?${params.toString()}`;
}

/** Appends lines the list has not seen (ids only grow), so a resumed stream never duplicates one. */
export function appendNew(into: RunLogLine[], lines: readonly RunLogLine[]): number {
  const last = into.at(-1)?.id ?? 0;
  let added = 0;
  for (const line of lines) {
    if (line.id > (into.at(-1)?.id ?? last)) {
      into.push(line);
      added++;
    }
  }
  return added;
}

interface UpdateMessage {
  readonly data?: { readonly runUpdates?: { readonly run: StreamedRun; readonly logs: readonly RunLogLine[] } } | null;
  readonly errors?: readonly { readonly message: string }[];
}

export function useRunStream(id: string, url = "/graphql"): RunStream {
  const logs = useRef<RunLogLine[]>([]);
  const current = useRef<Omit<RunStream, "logs" | "version">>({ run: null, state: "connecting", error: null });
  const [version, bump] = useReducer((n: number) => n + 1, 0);

  useEffect(() => {
    logs.current = [];
    current.current = { run: null, state: "connecting", error: null };
    bump();
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | null = null;
    let closed = false;
    const open = () => {
      source = new EventSource(runUpdatesUrl(url, id, logs.current.at(-1)?.id ?? 0));
      source.addEventListener("next", (event) => {
        const message = JSON.parse((event as MessageEvent<string>).data) as UpdateMessage;
        const update = message.data?.runUpdates;
        if (!update) {
          current.current = { ...current.current, error: message.errors?.[0]?.message ?? "The run's stream sent no data" };
        } else {
          appendNew(logs.current, update.logs);
          current.current = { run: update.run, state: "live", error: null };
        }
        bump();
      });
      source.addEventListener("complete", () => {
        source?.close();
        closed = true;
        current.current = { ...current.current, state: "ended" };
        bump();
      });
      source.onerror = () => {
        source?.close();
        if (closed) return;
        current.current = { ...current.current, state: "reconnecting" };
        bump();
        retry = setTimeout(open, 1000);
      };
    };
    open();
    return () => {
      closed = true;
      source?.close();
      if (retry !== null) clearTimeout(retry);
    };
  }, [id, url]);

  return { ...current.current, logs: logs.current, version };
}
