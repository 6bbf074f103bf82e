/** Runs a layout in the shared web worker (one per page), or inline where workers are unavailable. */
import { layoutLineage, type LayoutInput, type LayoutResult } from "./layout.ts";

let worker: Worker | null | undefined;
let nextId = 1;
const pending = new Map<number, { resolve: (result: LayoutResult) => void; reject: (error: Error) => void }>();

function layoutWorker(): Worker | null {
  if (worker !== undefined) return worker;
  try {
    worker = new Worker(new URL("./layout.worker.ts", import.meta.url), { type: "module" });
    worker.onmessage = (event: MessageEvent<{ id: number; result?: LayoutResult; error?: string }>) => {
      const waiting = pending.get(event.data.id);
      pending.delete(event.data.id);
      if (event.data.result !== undefined) waiting?.resolve(event.data.result);
      else waiting?.reject(new Error(event.data.error ?? "layout failed"));
    };
  } catch {
    worker = null;
  }
  return worker;
}

export function runLayout(input: LayoutInput): Promise<LayoutResult> {
  const target = layoutWorker();
  if (target === null) return Promise.resolve(layoutLineage(input));
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    target.postMessage({ id, input });
  });
}
