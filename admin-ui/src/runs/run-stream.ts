/**
 * A run followed live: `Subscription.runUpdates` over SSE (a POST to /graphql with `Accept: text/event-stream`,
 * read with fetch so it carries the API token like every other request), which sends the run's state and the
 * log lines since the previous update until the run has ended. A dropped connection is opened again after the
 * last line received, so no line is shown twice or lost.
 */
import { useEffect, useReducer, useRef } from "react";
import { RunUpdatesDocument, type RunUpdatesSubscription, type RunUpdatesSubscriptionVariables } from "../generated/graphql.ts";
import { apiHeaders } from "../data-provider/token.ts";
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

/** Appends lines the list has not seen (ids only grow), so a resumed stream never duplicates one. */
export function appendNew(into: RunLogLine[], lines: readonly RunLogLine[]): number {
  let added = 0;
  for (const line of lines) {
    if (line.id > (into.at(-1)?.id ?? 0)) {
      into.push(line);
      added++;
    }
  }
  return added;
}

export interface SseEvent {
  readonly event: string;
  readonly data: string;
}

/**
 * Splits SSE text into complete events (blank-line separated; `event:` names it, `data:` lines are joined by
 * newlines, `:` lines are comments); returns them and what is left for the next chunk.
 */
export function parseSse(buffer: string): { events: SseEvent[]; rest: string } {
  const events: SseEvent[] = [];
  const text = buffer.replace(/\r\n?/g, "\n");
  let start = 0;
  for (let end = text.indexOf("\n\n", start); end >= 0; end = text.indexOf("\n\n", start)) {
    const block = text.slice(start, end);
    start = end + 2;
    let event = "message";
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line === "" || line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") event = value;
      else if (field === "data") data.push(value);
    }
    if (data.length > 0 || event !== "message") events.push({ event, data: data.join("\n") });
  }
  return { events, rest: text.slice(start) };
}

interface UpdateMessage {
  readonly data?: RunUpdatesSubscription | null;
  readonly errors?: readonly { readonly message: string }[];
}

/** Reads one SSE response to its end, calling `onEvent` per event. */
async function readStream(response: Response, onEvent: (event: SseEvent) => void): Promise<void> {
  if (!response.body) throw new Error("The server sent no stream");
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let rest = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    const parsed = parseSse(rest + value);
    rest = parsed.rest;
    parsed.events.forEach(onEvent);
  }
}

export function useRunStream(id: string, url = "/graphql"): RunStream {
  const logs = useRef<RunLogLine[]>([]);
  const current = useRef<Omit<RunStream, "logs" | "version">>({ run: null, state: "connecting", error: null });
  const [version, bump] = useReducer((n: number) => n + 1, 0);

  useEffect(() => {
    logs.current = [];
    current.current = { run: null, state: "connecting", error: null };
    bump();
    const abort = new AbortController();
    let retry: ReturnType<typeof setTimeout> | null = null;
    let completed = false;
    const onEvent = ({ event, data }: SseEvent) => {
      if (event === "complete") {
        completed = true;
        current.current = { ...current.current, state: "ended" };
      } else if (event === "next") {
        const message = JSON.parse(data) as UpdateMessage;
        const update = message.data?.runUpdates;
        if (!update) current.current = { ...current.current, error: message.errors?.[0]?.message ?? "The run's stream sent no data" };
        else {
          appendNew(logs.current, update.logs);
          current.current = { run: update.run, state: "live", error: null };
        }
      }
      bump();
    };
    const open = () => {
      const variables: RunUpdatesSubscriptionVariables = { id, afterLogId: logs.current.at(-1)?.id ?? 0 };
      const body = JSON.stringify({ query: RunUpdatesDocument.toString(), variables });
      fetch(url, { method: "POST", headers: apiHeaders("text/event-stream"), body, signal: abort.signal })
        .then(async (response) => {
          if (!response.ok) throw new Error(`The run's stream answered ${response.status}`);
          await readStream(response, onEvent);
          if (!completed) throw new Error("The run's stream ended early");
        })
        .catch((error: unknown) => {
          if (abort.signal.aborted || completed) return;
          current.current = { ...current.current, state: "reconnecting", error: error instanceof Error && current.current.run === null ? error.message : null };
          bump();
          retry = setTimeout(open, 1000);
        });
    };
    open();
    return () => {
      abort.abort();
      if (retry !== null) clearTimeout(retry);
    };
  }, [id, url]);

  return { ...current.current, logs: logs.current, version };
}
