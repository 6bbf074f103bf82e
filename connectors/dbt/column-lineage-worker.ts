/**
 * The worker thread's program for column lineage (started by ./column-lineage-thread.ts): it analyses the models
 * it is given and answers with the results, reporting progress on the way. Its own entry point so that the CLI
 * bundle builds it as a second file (scripts/build-cli.mjs) and a tsx run loads it as TypeScript.
 */
import { parentPort, workerData } from "node:worker_threads";
import { analyseEncoded } from "./compact-column-lineage.ts";
import type { EncodedModel } from "./compact-column-lineage.ts";
import { analyseColumnLineage } from "./manifest-column-lineage.ts";
import type { LineageWorkerData, LineageWorkerMessage } from "./column-lineage-thread.ts";

/** Models a message of encoded values carries (≈ 1.2 MB at 190 columns a model). */
const ENCODED_BATCH = 200;

if (parentPort !== null) {
  const port = parentPort;
  const { input, previous, delayMs, keys } = workerData as LineageWorkerData;
  // Progress at most every 250 ms: one message per model would cost the main thread more than it tells.
  let lastReport = 0;
  const onModel = (done: number, total: number) => {
    const now = performance.now();
    if (now - lastReport < 250 && done < total) return;
    lastReport = now;
    port.postMessage({ type: "progress", done, total } satisfies LineageWorkerMessage);
  };
  const run = () => {
    if (keys !== undefined) {
      // Sent in batches as they are made: the worker does not hold every model's value to the end, and the
      // main thread never receives them all in one message (one clone of all of them, twice in memory).
      let batch: EncodedModel[] = [];
      analyseEncoded(input, { previous: new Map(previous), keys: new Map(keys), onModel }, (model) => {
        batch.push(model);
        if (batch.length < ENCODED_BATCH) return;
        port.postMessage({ type: "encoded-part", encoded: batch } satisfies LineageWorkerMessage);
        batch = [];
      });
      port.postMessage({ type: "encoded", encoded: batch } satisfies LineageWorkerMessage);
      return;
    }
    const analysed = analyseColumnLineage(input, { previous: new Map(previous), onModel });
    port.postMessage({ type: "done", analysed } satisfies LineageWorkerMessage);
  };
  if (delayMs > 0) setTimeout(run, delayMs);
  else run();
}
