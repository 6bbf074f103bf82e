/** Web worker: lays out lineage graphs so big ones never freeze the page. */
import { layoutLineage, type LayoutInput } from "./layout.ts";

self.onmessage = (event: MessageEvent<{ id: number; input: LayoutInput }>) => {
  const { id, input } = event.data;
  try {
    self.postMessage({ id, result: layoutLineage(input) });
  } catch (error) {
    self.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
};
