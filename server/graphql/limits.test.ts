import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { getIntrospectionQuery } from "graphql";
import { graphiqlTabs } from "../graphiql-tabs.ts";
import { execute, shopGraph, testYoga } from "../test-support.ts";
import { DEFAULT_QUERY_LIMITS } from "./limits.ts";

/**
 * Sends a query and returns its errors' limit names, checking each is coded and that nothing was executed (no
 * `data`: refused at validation, before any resolver ran — how fast is the benchmarks' business, not a test's).
 */
async function rejectedLimits(text: string): Promise<string[]> {
  const { status, body } = await execute(testYoga(), text);
  assert.equal(status, 400);
  assert.equal(body.data, undefined, "nothing was executed");
  assert.ok(body.errors !== undefined && body.errors.length > 0);
  for (const error of body.errors) assert.equal(error.extensions?.["code"], "QUERY_LIMIT_EXCEEDED", error.message);
  return body.errors.map((error) => String(error.extensions?.["limit"]));
}

describe("query limits", () => {
  test("a deeply nested upstream { upstream { … } } is rejected for depth and list nesting", async () => {
    const levels = 40;
    const text = `{ asset(key: "marts/orders") { ${"upstream { ".repeat(levels)} key ${"} ".repeat(levels)} } }`;
    const limits = await rejectedLimits(text);
    assert.ok(limits.includes("depth"), limits.join());
    assert.ok(limits.includes("listNesting"), limits.join());
  });

  test("list nesting within the depth limit is still capped (fan-out multiplies)", async () => {
    const text = `{ assets { nodes { downstream { upstream { downstream { upstream { key } } } } } } }`;
    assert.deepEqual(await rejectedLimits(text), ["listNesting"]);
  });

  test("nesting through fragments is measured too", async () => {
    const text = /* GraphQL */ `
      fragment A on Asset { upstream { ...B } }
      fragment B on Asset { downstream { ...C } }
      fragment C on Asset { upstream { key } }
      { assets { nodes { downstream { ...A } } } }
    `;
    assert.deepEqual(await rejectedLimits(text), ["listNesting"]);
  });

  test("an alias bomb is rejected for aliases", async () => {
    const text = `{ ${Array.from({ length: 100 }, (_, i) => `a${i}: lineage(key: "marts/orders") { nodes { key } }`).join(" ")} }`;
    assert.deepEqual(await rejectedLimits(text), ["aliases"]);
  });

  test("a huge document is rejected for tokens before it is parsed in full", async () => {
    const text = `{ assets { nodes { ${"key ".repeat(50_000)} } } }`;
    assert.deepEqual(await rejectedLimits(text), ["tokens"]);
  });

  test("a wide, expensive query is rejected for cost", async () => {
    const fields = "key kinds group owners tags description relation { fullName } columns { name type } checks { name } upstream { key } downstream { key }";
    const text = `{ ${Array.from({ length: 20 }, (_, i) => `p${i}: assets(first: 500) { nodes { ${fields} } }`).join(" ")} }`;
    assert.deepEqual(await rejectedLimits(text), ["cost"]);
  });

  test("a fragment cycle is refused at once", async () => {
    const started = performance.now();
    const { body } = await execute(testYoga(), `fragment A on Asset { upstream { ...A } } { asset(key: "stg_orders") { ...A } }`);
    assert.ok(performance.now() - started < 1000);
    assert.match(body.errors?.[0]?.message ?? "", /Cannot spread fragment "A" within itself/);
  });

  test("the error names the limit and its maximum", async () => {
    const bomb = await execute(testYoga(), `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: assets { totalCount }`).join(" ")} }`);
    const error = bomb.body.errors?.find((e) => e.extensions?.["limit"] === "aliases");
    assert.equal(error?.extensions?.["max"], DEFAULT_QUERY_LIMITS.maxAliases);
    assert.match(error?.message ?? "", /Aliases limit of 30 exceeded, found 40/);
  });

  test("the contract queries, GraphiQL's tabs, a 500-row catalog page and introspection all pass", async () => {
    const yoga = testYoga();
    const key = shopGraph().assets.find((a) => a.id === "marts/orders")?.id;
    const texts = [
      ...graphiqlTabs(shopGraph()).map((tab) => tab.query),
      `{ assets(first: 500) { totalCount nodes { key kinds group owners tags description relation { fullName } policy { label } materializedBy { tool } columns { name type checks { name } } checks { name } upstream { key } downstream { key } } pageInfo { hasNextPage endCursor } } }`,
      `{ lineage(key: "${key}", direction: BOTH) { nodes { key upstream { key upstream { key } } downstream { key } } edges { from to } } }`,
      getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true }),
    ];
    for (const text of texts) {
      const { status, body } = await execute(yoga, text, { key: "marts/orders" });
      assert.equal(body.errors, undefined, `${text.slice(0, 60)}: ${JSON.stringify(body.errors)}`);
      assert.equal(status, 200);
    }
  });
});
