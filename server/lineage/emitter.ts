/**
 * Sends OpenLineage events without ever holding up a run: the runs engine's transitions are turned into events
 * at once (against the catalog being served) and queued; one sender in the background delivers them in order,
 * over HTTP (a POST of each event, as the OpenLineage clients' HTTP transport does, to Marquez's
 * `/api/v1/lineage` by default) or to a file (one JSON event per line). A delivery that fails is retried with
 * backoff; one that still fails is given up, logged and reported to `onUndelivered` (the wiring writes it to
 * the run's log), and while the endpoint stays down each later event is tried once, so the queue moves on.
 */
import { appendFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import type { Logger } from "pino";
import type { RunTransition } from "../../scheduler/runs/index.ts";
import { eventsOf, type EventContext, type RunEvent } from "./events.ts";

/** Where events go. */
export interface LineageTransport {
  /** For logs: the kind and, for a file, its path (never a URL: it may carry credentials). */
  readonly description: string;
  send(event: RunEvent): Promise<void>;
}

/** The OpenLineage HTTP transport: POST `{url}/{endpoint}`, JSON, with `Authorization: Bearer {apiKey}` when one is set. */
export function createHttpTransport(options: { readonly url: string; readonly endpoint?: string; readonly apiKey?: string | null; readonly timeoutMs?: number }): LineageTransport {
  const endpoint = (options.endpoint ?? "api/v1/lineage").replace(/^\/+/, "");
  const target = new URL(endpoint, options.url.endsWith("/") ? options.url : `${options.url}/`).toString();
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.apiKey) headers["authorization"] = `Bearer ${options.apiKey}`;
  const timeoutMs = options.timeoutMs ?? 5_000;
  return {
    description: "http",
    async send(event) {
      let response: Response;
      try {
        response = await fetch(target, { method: "POST", headers, body: JSON.stringify(event), signal: AbortSignal.timeout(timeoutMs) });
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause?.code;
        // The message never repeats the URL (it may carry credentials); the cause keeps the detail.
        throw new Error(error instanceof Error && error.name === "TimeoutError" ? `no answer in ${timeoutMs} ms` : `cannot reach the endpoint${cause ? ` (${cause})` : ""}`, { cause: error });
      }
      await response.text().catch(() => "");
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
    },
  };
}

/** The file transport: one event per line (JSON lines), appended. */
export function createFileTransport(options: { readonly path: string }): LineageTransport {
  let ready: Promise<unknown> | null = null;
  return {
    description: `file ${options.path}`,
    async send(event) {
      ready ??= mkdir(dirname(options.path), { recursive: true });
      await ready;
      await appendFile(options.path, `${JSON.stringify(event)}\n`, "utf8");
    },
  };
}

export interface LineageEmitterOptions {
  readonly transport: LineageTransport;
  /** What events are built against: the job namespace, the catalog now, the dataset names. */
  readonly context: () => EventContext;
  readonly logger: Logger;
  /** Attempts per event while the endpoint answers (default 5), the first retry's delay (default 1 s, doubling). */
  readonly attempts?: number;
  readonly retryDelayMs?: number;
  /** Events held at most; past it the oldest is dropped, and counted (default 10 000). */
  readonly maxQueued?: number;
  /** Told of an event given up (after its attempts), with why and the Tributary run (and step) it is about. */
  readonly onUndelivered?: (event: RunEvent, reason: string, origin: EventOrigin) => void;
}

/** The Tributary run, and step when the event is a step's, that an event is about. */
export interface EventOrigin {
  readonly runId: string;
  readonly stepIndex: number | null;
}

interface Queued {
  readonly event: RunEvent;
  readonly origin: EventOrigin;
}

export interface LineageEmitter {
  /** The engine's `onTransition`: builds and queues the events; returns at once. */
  onTransition(transition: RunTransition): void;
  /** Resolves once every event queued so far was delivered or given up. */
  flush(): Promise<void>;
  /** Stops after the queue is flushed, waiting at most `timeoutMs` (default 5 s); what is left is counted as dropped. */
  stop(timeoutMs?: number): Promise<void>;
  /** Figures since start. */
  stats(): { readonly delivered: number; readonly undelivered: number; readonly dropped: number; readonly queued: number };
}

export function createLineageEmitter(options: LineageEmitterOptions): LineageEmitter {
  const { transport } = options;
  const attempts = options.attempts ?? 5;
  const retryDelayMs = options.retryDelayMs ?? 1_000;
  const maxQueued = options.maxQueued ?? 10_000;
  const log = options.logger.child({ component: "openlineage" });
  const queue: Queued[] = [];
  let delivered = 0;
  let undelivered = 0;
  let dropped = 0;
  /** Events given up in a row: while the endpoint is down, each event gets one try. */
  let failingInARow = 0;
  let sending: Promise<void> | null = null;
  let stopped = false;
  let wake: (() => void) | null = null;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        wake = null;
        resolve();
      }, ms);
      timer.unref();
      wake = () => {
        clearTimeout(timer);
        wake = null;
        resolve();
      };
    });

  async function deliver({ event, origin }: Queued): Promise<void> {
    const tries = failingInARow > 0 ? 1 : attempts;
    let reason = "";
    for (let attempt = 1; attempt <= tries; attempt++) {
      try {
        await transport.send(event);
        delivered += 1;
        if (failingInARow > 0) log.info({ transport: transport.description, after: failingInARow }, "OpenLineage events are delivered again");
        failingInARow = 0;
        return;
      } catch (error) {
        reason = error instanceof Error ? error.message : String(error);
        if (attempt < tries && !stopped) await sleep(retryDelayMs * 2 ** (attempt - 1));
        else break;
      }
    }
    undelivered += 1;
    failingInARow += 1;
    log.warn({ transport: transport.description, eventType: event.eventType, job: event.job.name, runId: event.run.runId, error: reason }, "could not deliver an OpenLineage event");
    try {
      options.onUndelivered?.(event, reason, origin);
    } catch {
      // a report of a failure must not stop the sender
    }
  }

  function pump(): void {
    sending ??= (async () => {
      while (queue.length > 0 && !stopped) await deliver(queue.shift()!);
    })().finally(() => {
      sending = null;
      if (queue.length > 0 && !stopped) pump();
    });
  }

  return {
    onTransition(transition) {
      if (stopped) return;
      let events: RunEvent[];
      try {
        events = eventsOf(transition, options.context());
      } catch (error) {
        log.warn({ runId: transition.run.id, kind: transition.kind, error: error instanceof Error ? error.message : String(error) }, "could not build an OpenLineage event");
        return;
      }
      const origin = { runId: transition.run.id, stepIndex: "stepIndex" in transition ? transition.stepIndex : null };
      for (const event of events) {
        if (queue.length >= maxQueued) {
          queue.shift();
          dropped += 1;
          if (dropped === 1 || dropped % 1000 === 0) log.warn({ dropped, maxQueued }, "the OpenLineage queue is full: dropping its oldest events");
        }
        queue.push({ event, origin });
      }
      pump();
    },
    async flush() {
      while (sending !== null) await sending;
    },
    async stop(timeoutMs = 5_000) {
      const timer = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), timeoutMs).unref());
      const done = await Promise.race([this.flush().then(() => "done" as const), timer]);
      stopped = true;
      wake?.();
      if (done === "timeout" || queue.length > 0) {
        dropped += queue.length;
        if (queue.length > 0) log.warn({ left: queue.length }, "stopping with OpenLineage events not delivered");
        queue.length = 0;
      }
    },
    stats: () => ({ delivered, undelivered, dropped, queued: queue.length }),
  };
}
