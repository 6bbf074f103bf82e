/**
 * The HTTP skeleton of the SaaS simulators (Fivetran, Census): fault injection (a status, a body, a
 * `Retry-After`, a delay, for the next N matching requests), a JSON body reader, and a loopback listener with
 * a clean close. Each simulator keeps its own routes, envelopes and state machine.
 */
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A fault to inject into the next matching requests. */
export interface SimulatorFault {
  /** A substring of the path (`/connections/shop/sync`), or a RegExp; default every API request. */
  readonly path?: string | RegExp;
  readonly method?: string;
  /** The HTTP status to answer with; omit with `delayMs` to answer normally after the delay. */
  readonly status?: number;
  readonly body?: unknown;
  /** Sets `Retry-After` (seconds), for 429. */
  readonly retryAfterSeconds?: number;
  /** Waits before answering (a slow server, for timeouts). */
  readonly delayMs?: number;
  /** How many requests it hits (default 1). */
  readonly times?: number;
  /**
   * The request takes effect first, then the fault applies: the vendor acted but the client sees a delay
   * (a timeout) or an error — a lost answer, the case that makes retrying a trigger unsafe.
   */
  readonly processFirst?: boolean;
}

/** Injected faults, consumed by the requests they match. */
export interface FaultQueue {
  inject(fault: SimulatorFault): void;
  /** The first fault matching the request (its count is decremented), or null. */
  take(method: string, pathname: string): SimulatorFault | null;
}

export function createFaultQueue(): FaultQueue {
  const faults: { fault: SimulatorFault; remaining: number }[] = [];
  return {
    inject(fault) {
      faults.push({ fault, remaining: fault.times ?? 1 });
    },
    take(method, pathname) {
      for (const entry of faults) {
        const { fault } = entry;
        if (entry.remaining <= 0) continue;
        if (fault.method && fault.method.toUpperCase() !== method) continue;
        if (fault.path !== undefined && !(typeof fault.path === "string" ? pathname.includes(fault.path) : fault.path.test(pathname))) continue;
        entry.remaining--;
        return fault;
      }
      return null;
    },
  };
}

/** An error a route throws to answer with a status (the simulator renders the vendor's error body). */
export class SimulatorHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Reads a request body; `json` is undefined for an empty body. Throws a 400 for invalid JSON. */
export async function readJsonBody(request: IncomingMessage, invalidCode = "InvalidInput"): Promise<{ raw: string; json: unknown }> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString("utf8");
  if (raw === "") return { raw, json: undefined };
  try {
    return { raw, json: JSON.parse(raw) as unknown };
  } catch {
    throw new SimulatorHttpError(400, invalidCode, "The request body is not valid JSON");
  }
}

/** A listening loopback server. */
export interface LoopbackServer {
  readonly server: Server;
  /** `http://127.0.0.1:<port>` (no path). */
  readonly origin: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Listens on `host:port` (0: a free port) with `handler`. */
export async function listenLoopback(
  handler: (request: IncomingMessage, response: ServerResponse) => Promise<void>,
  options: { readonly host?: string; readonly port?: number } = {},
): Promise<LoopbackServer> {
  const server: Server = createServer((request, response) => {
    void handler(request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  const hostInUrl = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    server,
    origin: `http://${hostInUrl}:${address.port}`,
    port: address.port,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
