/**
 * A second thread for a large manifest's `nodes`: it reads the file's bytes where the main thread put them
 * (a SharedArrayBuffer, nothing copied), and for each piece it is given does what the main thread does with
 * its own (connectors/dbt/manifest.ts): parse, check against the schema, look for duplicate keys, strip each
 * node to its declared fields. It answers with the stripped nodes as one JSON text, which the main thread
 * parses in a fraction of the time the pieces took (no undeclared fields, a column is four of its eight), or
 * with `ok: false` for anything the main thread must read the ordinary way (then nothing of it is used).
 *
 * The worker's code is sent as source text (`eval`), made from the same compiled check and strip functions and
 * hasDuplicateKeys: a worker cannot import TypeScript modules, and the CLI is one bundled file.
 */
import { Worker } from "node:worker_threads";
import { HAS_DUPLICATE_KEYS_SOURCE } from "./json-text.ts";
import type { ByteRange } from "./manifest-layout.ts";

export interface PieceWork {
  /** Echoed in the answer: a caller that gave up on a read (and left it running) never takes its answer for the next one. */
  readonly id: number;
  readonly bytes: SharedArrayBuffer;
  /** How the bytes decode: "latin1" when they are all ASCII (the faster decoder, the same text), else "utf8". */
  readonly encoding: "latin1" | "utf8";
  /** Runs of whole `nodes` members. */
  readonly chunks: readonly ByteRange[];
}

/** The nodes of the pieces as a JSON object text (`{"id": {…}, …}`, in order), or not. */
export type PieceAnswer = { readonly id: number } & ({ readonly ok: true; readonly nodes: string } | { readonly ok: false; readonly reason: string });

export interface PieceWorker {
  /** Reads the pieces; rejects only when the thread itself fails (then the caller reads them itself). */
  read(work: Omit<PieceWork, "id">): Promise<PieceAnswer>;
  close(): Promise<void>;
}

/** The worker's program: `check` and `strip` are the node record's compiled check and a node's strip. */
function pieceWorkerMain(
  check: (value: unknown) => boolean,
  strip: (node: unknown) => unknown,
  hasDuplicateKeys: (text: string) => boolean,
  port: { on(event: "message", listener: (work: PieceWork) => void): void; postMessage(answer: PieceAnswer): void },
): void {
  port.on("message", (work) => {
    const { id } = work;
    const buffer = Buffer.from(work.bytes);
    const seen = new Set<string>();
    let out = "{";
    for (const { start, end } of work.chunks) {
      const text = `{${buffer.toString(work.encoding, start, end)}}`;
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(text) as Record<string, unknown>;
      } catch {
        port.postMessage({ id, ok: false, reason: "a piece is not valid JSON" });
        return;
      }
      if (!check(parsed)) {
        port.postMessage({ id, ok: false, reason: "a node does not pass the schema's check" });
        return;
      }
      if (hasDuplicateKeys(text)) {
        port.postMessage({ id, ok: false, reason: "a piece has a duplicate key" });
        return;
      }
      for (const nodeId in parsed) {
        if (seen.has(nodeId)) {
          port.postMessage({ id, ok: false, reason: "a node id appears twice" });
          return;
        }
        seen.add(nodeId);
        out += `${out.length === 1 ? "" : ","}${JSON.stringify(nodeId)}:${JSON.stringify(strip(parsed[nodeId]))}`;
      }
    }
    port.postMessage({ id, ok: true, nodes: `${out}}` });
  });
}

/** Starts a worker that checks with `checkSource` and strips with `stripSource` (compiled functions' `source`). */
export function startPieceWorker(checkSource: string, stripSource: string): PieceWorker {
  const program = [
    '"use strict";',
    // tsx keeps function names by wrapping functions in __name(); the source text may hold such calls.
    "var __name = (target) => target;",
    'const { parentPort } = require("node:worker_threads");',
    HAS_DUPLICATE_KEYS_SOURCE,
    `(${String(pieceWorkerMain)})(${checkSource}, ${stripSource}, hasDuplicateKeys, parentPort);`,
  ].join("\n");
  const worker = new Worker(program, { eval: true });
  // Held open only while a read is pending: an idle worker never keeps the process alive.
  worker.unref();
  let failure: Error | null = null;
  let nextId = 0;
  const pending = new Map<number, { resolve: (answer: PieceAnswer) => void; reject: (error: Error) => void }>();
  const fail = (error: Error) => {
    failure ??= error;
    for (const { reject } of pending.values()) reject(failure);
    pending.clear();
  };
  worker.on("error", fail);
  worker.on("exit", (code) => fail(new Error(`the manifest worker exited (${code})`)));
  worker.on("message", (answer: PieceAnswer) => {
    pending.get(answer.id)?.resolve(answer);
    pending.delete(answer.id);
    if (pending.size === 0) worker.unref();
  });
  return {
    read(work) {
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      return new Promise<PieceAnswer>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.ref();
        worker.postMessage({ ...work, id } satisfies PieceWork);
      });
    },
    async close() {
      await worker.terminate();
    },
  };
}
