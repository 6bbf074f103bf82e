/**
 * The client of bench/lineage-bench.ts in a process of its own, as a user's client is: it asks the lineage
 * queries it is sent over loopback one after the other, checks each answer's node count and reports how long
 * each took, from sending the request to holding the whole body as text. Its own work (undici, decoding, parsing
 * the answer, its garbage) then runs beside the server on the other core instead of between the server's
 * requests in the server's thread, which is what the in-process client of the same bench measures.
 *
 * Started by lineage-bench.ts with `fork`; one message in ({@link ClientBlock}), one out ({@link ClientTimings}) per block.
 */

export interface ClientBlock {
  readonly url: string;
  readonly query: string;
  /** Variables sent with each request besides `key`. */
  readonly variables?: Readonly<Record<string, unknown>>;
  /** The keys to ask, in order, with the node count each answer must hold. */
  readonly requests: readonly { readonly key: string; readonly nodes: number }[];
}

export interface ClientTimings {
  readonly ms: number[];
  readonly bytes: number;
  readonly error?: string;
}

/** One lineage query over HTTP, its body as text. */
export async function askLineage(url: string, query: string, variables: Readonly<Record<string, unknown>>): Promise<string> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query, variables }) });
  return response.text();
}

/** Asks `block`'s queries one after the other; throws on an answer without the expected nodes. */
export async function askBlock(block: ClientBlock): Promise<ClientTimings> {
  const ms: number[] = [];
  let bytes = 0;
  for (const { key, nodes } of block.requests) {
    const started = performance.now();
    const text = await askLineage(block.url, block.query, { ...block.variables, key });
    ms.push(performance.now() - started);
    bytes += text.length;
    const body = JSON.parse(text) as { data?: { lineage: { nodes: unknown[] } }; errors?: unknown };
    if (!body.data || body.data.lineage.nodes.length !== nodes) {
      throw new Error(`lineage of ${key}: expected ${nodes} nodes, got ${body.data ? body.data.lineage.nodes.length : JSON.stringify(body.errors)}`);
    }
  }
  return { ms, bytes };
}

if (process.send !== undefined) {
  process.on("message", (block: ClientBlock | "exit") => {
    if (block === "exit") process.exit(0);
    askBlock(block).then(
      (timings) => process.send!(timings),
      (error: unknown) => process.send!({ ms: [], bytes: 0, error: error instanceof Error ? error.message : String(error) } satisfies ClientTimings),
    );
  });
}
