/**
 * A second thread for a large manifest's `nodes`: it reads the file's bytes where the main thread put them
 * (a SharedArrayBuffer, nothing copied) and scans pieces of `nodes` (connectors/dbt/manifest-piece-check.ts:
 * duplicate keys, and each node's `columns` proved in place), taking them a piece at a time from a counter it
 * shares with the main thread, which scans pieces too once it has read every node without its columns. It answers with where each checked
 * piece's `columns` objects are, or with `ok: false` for anything the main thread must read the ordinary way.
 *
 * The worker's code is sent as source text (`eval`), made from the same compiled check and the same scan
 * functions: a worker cannot import TypeScript modules, and the CLI is one bundled file.
 */
import { Worker } from "node:worker_threads";
import type { ByteRange } from "./manifest-layout.ts";
import { PIECE_CHECK_SOURCE } from "./manifest-piece-check.ts";
import type { checkPieces } from "./manifest-piece-check.ts";

export interface PieceWork {
  /** Echoed in the answer: a caller that gave up on a read (and left it running) never takes its answer for the next one. */
  readonly id: number;
  readonly bytes: SharedArrayBuffer;
  /** How the bytes decode: "latin1" when they are all ASCII (the faster decoder, the same text), else "utf8". */
  readonly encoding: "latin1" | "utf8";
  /** Runs of whole `nodes` members. */
  readonly chunks: readonly ByteRange[];
  /** Two Int32s shared with the main thread: the next piece to check, and 1 once a check failed. */
  readonly counter: SharedArrayBuffer;
}

/** The spans of the `columns` objects of each piece this thread checked (piece index, spans), or not. */
export type PieceAnswer = { readonly id: number } & ({ readonly ok: true; readonly spans: [number, number[]][] } | { readonly ok: false; readonly reason: string });

export interface PieceWorker {
  /** Checks pieces; rejects only when the thread itself fails (then the caller checks them itself). */
  read(work: Omit<PieceWork, "id">): Promise<PieceAnswer>;
  close(): Promise<void>;
}

/** The worker's program: `check` is the node record's compiled check. */
function pieceWorkerMain(
  check: (value: unknown) => boolean,
  checkAll: typeof checkPieces,
  hasDuplicateKeys: (text: string) => boolean,
  port: { on(event: "message", listener: (work: PieceWork) => void): void; postMessage(answer: PieceAnswer): void },
): void {
  port.on("message", (work) => {
    const { id } = work;
    const out: (number[] | undefined)[] = [];
    const ok = checkAll(Buffer.from(work.bytes), work.chunks, new Int32Array(work.counter), work.encoding, check, hasDuplicateKeys, out);
    if (!ok) {
      port.postMessage({ id, ok: false, reason: "a piece is not exactly readable" });
      return;
    }
    const spans: [number, number[]][] = [];
    out.forEach((piece, index) => spans.push([index, piece!]));
    port.postMessage({ id, ok: true, spans });
  });
}

/** Starts a worker that checks with `checkSource` (a compiled function's `source`). */
export function startPieceWorker(checkSource: string): PieceWorker {
  const program = [
    '"use strict";',
    // tsx keeps function names by wrapping functions in __name(); the source text may hold such calls.
    "var __name = (target) => target;",
    'const { parentPort } = require("node:worker_threads");',
    PIECE_CHECK_SOURCE,
    `(${String(pieceWorkerMain)})(${checkSource}, checkPieces, hasDuplicateKeys, parentPort);`,
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
