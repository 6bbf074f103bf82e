/**
 * Runs the column lineage analysis (./manifest-column-lineage.ts `analyseColumnLineage`) on a worker thread, so
 * the ≈14 ms a model of parsing (≈140 s for 10k models with 190 columns) never blocks the main thread: the
 * catalog keeps answering while it runs. The worker gets only what the analysis reads (the
 * {@link ManifestLineageInput}: compiled SQL, relations, documented column names, depends_on, adapter) and the
 * fingerprints of earlier results, and answers with the models it analysed anew.
 *
 * The worker's program is ./column-lineage-worker.ts. Run from the CLI bundle, it is the bundle's second file,
 * dist/column-lineage-worker.js (scripts/build-cli.mjs); run from source through tsx, the worker registers tsx's
 * loader before importing the TypeScript file (a worker thread does not inherit it).
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { AssetKey } from "../../catalog/model/index.ts";
import type { EncodedModel } from "./compact-column-lineage.ts";
import type { AnalysedModel, LineageFingerprint, ManifestLineageInput } from "./manifest-column-lineage.ts";

/** What the worker is started with. */
export interface LineageWorkerData {
  readonly input: ManifestLineageInput;
  readonly previous: readonly (readonly [string, LineageFingerprint])[];
  /** Waits this long before it starts (tests: a computation that is surely still running when they look). */
  readonly delayMs: number;
  /** Given: the worker names upstream nodes by these asset keys and answers encoded values ({@link encodeInWorker}). */
  readonly keys?: readonly (readonly [string, AssetKey])[];
}

export type LineageWorkerMessage =
  | { readonly type: "progress"; readonly done: number; readonly total: number }
  | { readonly type: "done"; readonly analysed: AnalysedModel[] }
  /** Some models' encoded values, in order; the last batch comes as "encoded". */
  | { readonly type: "encoded-part"; readonly encoded: EncodedModel[] }
  | { readonly type: "encoded"; readonly encoded: EncodedModel[] };

export interface AnalyseInWorkerOptions {
  readonly previous?: ReadonlyMap<string, LineageFingerprint>;
  /** Aborting terminates the worker; the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number) => void;
  readonly delayMs?: number;
}

/** Defined by the CLI bundle's banner (scripts/build-cli.mjs): a path relative to the bundle's own file. */
declare const __tributaryPath: ((relative: string) => string) | undefined;

/** The bundle's worker file when running from the bundle, else null (running from source). */
function bundledWorker(): string | null {
  return typeof __tributaryPath === "function" ? __tributaryPath("column-lineage-worker.js") : null;
}

function startWorker(data: LineageWorkerData): Worker {
  const bundled = bundledWorker();
  if (bundled !== null) return new Worker(bundled, { workerData: data });
  const tsx = import.meta.resolve("tsx/esm/api");
  const entry = new URL("./column-lineage-worker.ts", import.meta.url).href;
  const tsconfig = fileURLToPath(new URL("../../tsconfig.json", import.meta.url));
  const options = existsSync(tsconfig) ? { tsconfig } : {};
  const program = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(${JSON.stringify(options)}); return import(${JSON.stringify(entry)}); });`;
  return new Worker(program, { eval: true, workerData: data });
}

/** Analyses the input's models on a new worker thread, which ends with the answer (or the abort). */
export function analyseInWorker(input: ManifestLineageInput, options: AnalyseInWorkerOptions = {}): Promise<AnalysedModel[]> {
  return inWorker(input, options, undefined, (message) => (message.type === "done" ? message.analysed : null));
}

/**
 * Like {@link analyseInWorker}, but each model's value is made on the worker, upstream named by `keys`, and
 * answered encoded (./compact-column-lineage.ts `analyseEncoded`): what the follow-up keeps in the specs.
 */
export function encodeInWorker(input: ManifestLineageInput, keys: ReadonlyMap<string, AssetKey>, options: AnalyseInWorkerOptions = {}): Promise<EncodedModel[]> {
  const received: EncodedModel[] = [];
  return inWorker(input, options, [...keys], (message) => {
    if (message.type !== "encoded-part" && message.type !== "encoded") return null;
    for (const model of message.encoded) received.push(model);
    return message.type === "encoded" ? received : null;
  });
}

function inWorker<T>(input: ManifestLineageInput, options: AnalyseInWorkerOptions, keys: LineageWorkerData["keys"], answer: (message: LineageWorkerMessage) => T | null): Promise<T> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const worker = startWorker({ input, previous: [...(options.previous ?? new Map())], delayMs: options.delayMs ?? 0, ...(keys ? { keys } : {}) });
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      outcome();
      void worker.terminate();
    };
    const onAbort = () => finish(() => reject(signal!.reason as Error));
    signal?.addEventListener("abort", onAbort, { once: true });
    worker.on("message", (message: LineageWorkerMessage) => {
      if (message.type === "progress") options.onProgress?.(message.done, message.total);
      else {
        const answered = answer(message);
        if (answered !== null) finish(() => resolve(answered));
      }
    });
    worker.on("error", (error) => finish(() => reject(new Error(`the column lineage worker failed: ${error.message}`, { cause: error }))));
    worker.on("exit", (code) => finish(() => reject(new Error(`the column lineage worker exited (${code}) without an answer`))));
  });
}
