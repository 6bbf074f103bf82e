import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createTributaryServer, ServerStartError } from "./http.ts";
import { createLogger } from "./logging.ts";
import { mutableSource, shopGraph } from "./test-support.ts";

const logger = createLogger({ level: "silent" });

describe("the HTTP server over loopback", () => {
  test("answers GraphQL, health and readiness on a real port, and closes promptly", async () => {
    const server = createTributaryServer({ catalog: mutableSource(shopGraph()), logger, host: "127.0.0.1", port: 0 });
    const address = await server.listen();
    try {
      assert.match(address.graphqlUrl, /^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
      assert.notEqual(address.port, 0);

      const response = await fetch(address.graphqlUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          query: `query($key: String!) {
            assets(kinds: ["fivetran"], first: 2) { totalCount nodes { key } pageInfo { hasNextPage } }
            asset(key: $key) { key upstream { key } }
            lineage(key: $key, direction: UPSTREAM, depth: 1) { nodes { key } edges { from to } }
          }`,
          variables: { key: "marts/orders" },
        }),
      });
      assert.equal(response.status, 200);
      const body = (await response.json()) as { data: Record<string, unknown> };
      assert.deepEqual(body.data, {
        assets: { totalCount: 3, nodes: [{ key: "raw/shop/customers" }, { key: "raw/shop/orders" }], pageInfo: { hasNextPage: true } },
        asset: { key: "marts/orders", upstream: [{ key: "stg_orders" }, { key: "stg_payments" }] },
        lineage: {
          nodes: [{ key: "marts/orders" }, { key: "stg_orders" }, { key: "stg_payments" }],
          edges: [
            { from: "stg_orders", to: "marts/orders" },
            { from: "stg_payments", to: "marts/orders" },
          ],
        },
      });

      const viaGet = await fetch(`${address.graphqlUrl}?query=${encodeURIComponent("{ assets { totalCount } }")}`, {
        headers: { accept: "application/json" },
      });
      assert.deepEqual(await viaGet.json(), { data: { assets: { totalCount: 11 } } });

      assert.equal((await fetch(`${address.baseUrl}/healthz`)).status, 200);
      const ready = await fetch(`${address.baseUrl}/readyz`);
      assert.equal(ready.status, 200);
      assert.equal(((await ready.json()) as { assetCount: number }).assetCount, 11);
      // No CORS headers: only the same origin (the UI) may call the API from a browser.
      const preflight = await fetch(address.graphqlUrl, {
        method: "OPTIONS",
        headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
      });
      assert.equal(preflight.headers.get("access-control-allow-origin"), null);
    } finally {
      const started = performance.now();
      await server.close();
      // fetch keeps connections alive; close must not wait for them to time out.
      assert.ok(performance.now() - started < 2000);
    }
    await assert.rejects(fetch(`${address.baseUrl}/healthz`));
  });

  test("starts before the catalog and serves it once set", async () => {
    const server = createTributaryServer({ catalog: null, logger, port: 0 });
    const address = await server.listen();
    try {
      assert.equal((await fetch(`${address.baseUrl}/readyz`)).status, 503);
      assert.equal((await fetch(`${address.baseUrl}/healthz`)).status, 200);
      server.setCatalog(mutableSource(shopGraph()));
      assert.equal((await fetch(`${address.baseUrl}/readyz`)).status, 200);
    } finally {
      await server.close();
    }
  });

  test("a port in use is a clear ServerStartError", async () => {
    const first = createTributaryServer({ catalog: null, logger, port: 0 });
    const { port } = await first.listen();
    try {
      const second = createTributaryServer({ catalog: null, logger, port });
      await assert.rejects(second.listen(), (error: unknown) => {
        assert.ok(error instanceof ServerStartError);
        assert.equal(error.code, "EADDRINUSE");
        assert.equal(error.message, `Port ${port} on 127.0.0.1 is already in use; choose another with --port`);
        return true;
      });
      await second.close();
    } finally {
      await first.close();
    }
  });
});
