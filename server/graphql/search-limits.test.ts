/**
 * One request must not hold the server (issue 12 item 12): 30 aliases of `assets(search: $s)` with a
 * 450,000-word `$s` blocked the event loop for 11 s. Search input is bounded, one request runs each distinct
 * search once and at most MAX_SEARCHES_PER_REQUEST of them, each in its own turn of the event loop.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { buildCatalogGraph } from "../../catalog/graph/build.ts";
import { definitions, spec } from "../../catalog/graph/test-specs.ts";
import type { CatalogGraph } from "../../catalog/graph/types.ts";
import { execute, mutableSource, shopGraph, testYoga } from "../test-support.ts";
import { MAX_SEARCHES_PER_REQUEST, MAX_SEARCH_LENGTH, MAX_SEARCH_TERMS } from "./assets.ts";

/** Runs `work` while measuring the longest time the event loop went without running a 5 ms timer. */
async function longestStall<T>(work: () => Promise<T>): Promise<{ result: T; stallMs: number }> {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 5);
  try {
    const result = await work();
    longest = Math.max(longest, performance.now() - last);
    return { result, stallMs: longest };
  } finally {
    clearInterval(timer);
  }
}

/** A catalog of `count` assets, each with a description, ten columns and tags that the test's words match. */
function bigGraph(count: number): CatalogGraph {
  const specs = Array.from({ length: count }, (_, i) =>
    spec(`marts/orders_${i}`, {
      description: `Orders of customer segment ${i % 97}: revenue, lifetime value, returns and shipping per order line`,
      columns: Array.from({ length: 10 }, (_, c) => ({ name: `order_column_${c}`, type: "integer", description: `the ${c}th measure of revenue`, tags: [] })),
      tags: ["finance", "nightly"],
      group: "finance",
    }),
  );
  return buildCatalogGraph({ definitions: [definitions("shop", specs)] });
}

/**
 * The stall that fails a test: far below what the unbounded searches cost (3.2 s on the small catalog, 11 s
 * on the issue's), far above what a loaded CI machine adds to parsing a 900 KB body (≈200 ms seen at load 8).
 * The ~100 ms target itself is a figure to measure on a quiet machine, not a timed test.
 */
const STALL_LIMIT_MS = 1_000;

const aliases = (count: number, field: (i: number) => string) => `{ ${Array.from({ length: count }, (_, i) => `a${i}: ${field(i)}`).join(" ")} }`;

describe("search limits", () => {
  test("30 aliases of assets(search: $s) with a 450,000-word $s are refused at once, without stalling the server", async () => {
    const yoga = testYoga(mutableSource(shopGraph()));
    const words = "s ".repeat(450_000); // 900 KB: within the 1 MB body limit; "s" is in every asset's text
    const text = `query ($s: String) ${aliases(30, () => "assets(search: $s) { totalCount }")}`;
    await execute(yoga, text, { s: "orders" }); // the first request of a server compiles its schema
    const { result, stallMs } = await longestStall(() => execute(yoga, text, { s: words }));
    assert.ok(stallMs < STALL_LIMIT_MS, `the event loop stalled ${stallMs.toFixed(0)} ms`);
    const errors = result.body.errors ?? [];
    assert.ok(errors.length > 0);
    assert.equal(result.body.data, null);
    for (const error of errors) {
      assert.equal(error.extensions?.["code"], "BAD_USER_INPUT");
      assert.equal(error.extensions?.["argumentName"], "search");
      assert.match(error.message, new RegExp(`search is 900000 characters long; at most ${MAX_SEARCH_LENGTH} are allowed`));
    }
  });

  test("a search of more distinct words than allowed is refused; repeated words count once", async () => {
    const yoga = testYoga(mutableSource(shopGraph()));
    const tooMany = Array.from({ length: MAX_SEARCH_TERMS + 1 }, (_, i) => `w${i}`).join(" ");
    const refused = await execute(yoga, `query ($s: String) { assets(search: $s) { totalCount } }`, { s: tooMany });
    assert.equal(refused.body.errors?.[0]?.extensions?.["code"], "BAD_USER_INPUT");
    assert.match(refused.body.errors?.[0]?.message ?? "", /11 different words; at most 10/);
    const repeated = await execute(yoga, `query ($s: String) { assets(search: $s) { totalCount } }`, { s: "orders ".repeat(25) });
    assert.equal(repeated.body.errors, undefined);
  });

  describe("on 10,000 assets", () => {
    let graph: CatalogGraph;
    before(() => {
      graph = bigGraph(10_000);
    });
    after(() => {
      graph = undefined as unknown as CatalogGraph;
    });

    const tenWords = (i: number) => `orders revenue lifetime value returns shipping line measure finance segment${i}`;

    test("30 aliases of one search run it once; the loop never stalls long", async () => {
      const yoga = testYoga(mutableSource(graph));
      const text = `query ($s: String) ${aliases(30, () => "assets(search: $s, first: 1) { totalCount }")}`;
      await execute(yoga, text, { s: tenWords(0).replace(/ segment0$/, " order") }); // warm up the JIT
      const { result, stallMs } = await longestStall(() => execute(yoga, text, { s: tenWords(0).replace(/ segment0$/, " order") }));
      assert.equal(result.body.errors, undefined);
      assert.equal((result.body.data?.["a29"] as { totalCount: number }).totalCount, 10_000);
      assert.ok(stallMs < STALL_LIMIT_MS, `the event loop stalled ${stallMs.toFixed(0)} ms`);
    });

    test(`30 aliases of different ten-word searches: the ${MAX_SEARCHES_PER_REQUEST + 1}th is refused, and the loop never stalls long`, async () => {
      const yoga = testYoga(mutableSource(graph));
      const text = aliases(30, (i) => `assets(search: "${tenWords(i)}", first: 1) { totalCount }`);
      const { result, stallMs } = await longestStall(() => execute(yoga, text));
      assert.ok(stallMs < STALL_LIMIT_MS, `the event loop stalled ${stallMs.toFixed(0)} ms`);
      // The first refused field nulls the whole answer (assets is non-null), with its coded error.
      const errors = result.body.errors ?? [];
      assert.ok(errors.length > 0);
      for (const error of errors) {
        assert.equal(error.extensions?.["code"], "QUERY_LIMIT_EXCEEDED");
        assert.equal(error.extensions?.["limit"], "searches");
        assert.equal(error.extensions?.["max"], MAX_SEARCHES_PER_REQUEST);
      }
      assert.equal(Number(String(errors[0]!.path?.[0]).slice(1)), MAX_SEARCHES_PER_REQUEST, "the first search past the limit is refused");
    });

    test("the catalog UI's facet card (8 searches in one request) still answers", async () => {
      const yoga = testYoga(mutableSource(graph));
      const facets = ["kinds", "groups", "owners", "tags", "locations", "statuses"];
      const text = `{ ${facets.map((f, i) => `${f}: facets(search: "orders", tags: ${i === 3 ? "[]" : '["finance"]'}) { ${f} { value count } }`).join(" ")}
        withPolicy: assets(search: "orders", hasPolicy: true, first: 0) { totalCount }
        withoutPolicy: assets(search: "orders", hasPolicy: false, first: 0) { totalCount } }`;
      const { result, stallMs } = await longestStall(() => execute(yoga, text));
      assert.equal(result.body.errors, undefined, JSON.stringify(result.body.errors));
      assert.ok(stallMs < STALL_LIMIT_MS, `the event loop stalled ${stallMs.toFixed(0)} ms`);
    });
  });
});
