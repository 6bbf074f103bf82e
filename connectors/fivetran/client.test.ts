import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { describeHttpClientContract } from "../shared/http-contract.ts";
import { isApiError } from "../shared/http-client.ts";
import { createFivetranClient } from "./client.ts";
import { startSimulatedAccount, TEST_API_KEY, TEST_API_SECRET } from "./test-support.ts";

const WRONG_SECRET = "wrong_secret_Vd81QmZ";

describeHttpClientContract({
  name: "Fivetran",
  secrets: [
    TEST_API_KEY,
    TEST_API_SECRET,
    WRONG_SECRET,
    Buffer.from(`${TEST_API_KEY}:${TEST_API_SECRET}`).toString("base64"),
    Buffer.from(`${TEST_API_KEY}:${WRONG_SECRET}`).toString("base64"),
  ],
  async start({ sleep, timeoutMs }) {
    const account = await startSimulatedAccount({ warehousePath: null }, { sleep, timeoutMs, retryDelayMs: 100, maxRetries: 3, maxRetryAfterMs: 60_000 });
    const bad = createFivetranClient({ apiKey: TEST_API_KEY, apiSecret: WRONG_SECRET, baseUrl: account.simulator.url, sleep, timeoutMs });
    return {
      inject: (fault) => account.simulator.inject({ ...fault, path: "/connections/shopify_connector" }),
      call: () => account.client.getConnection("shopify_connector"),
      callWithBadCredentials: () => bad.getConnection("shopify_connector"),
      requestCount: () => account.simulator.requests.length,
      close: () => account.close(),
    };
  },
});

describe("Fivetran client against the simulator", () => {
  it("sends Basic auth, the version=2 Accept header, and JSON on POST", async () => {
    const account = await startSimulatedAccount({ warehousePath: null });
    try {
      await account.client.triggerSync("stripe_connector", { force: false });
      const [request] = account.simulator.requests;
      assert.equal(request!.method, "POST");
      assert.equal(request!.path, "/v1/connections/stripe_connector/sync");
      assert.equal(request!.authorization, `Basic ${Buffer.from(`${TEST_API_KEY}:${TEST_API_SECRET}`).toString("base64")}`);
      assert.match(request!.contentType ?? "", /^application\/json/);
      assert.deepEqual(request!.body, { force: false });
    } finally {
      await account.close();
    }
  });

  it("follows next_cursor through every page", async () => {
    const account = await startSimulatedAccount({ warehousePath: null }, { pageSize: 1 });
    try {
      const connections = await account.client.listConnections("warehouse_group");
      assert.deepEqual(connections.map((c) => c.id), ["google_ads_connector", "shopify_connector", "stripe_connector"]);
      const pages = account.simulator.requests.filter((r) => r.path.startsWith("/v1/groups/warehouse_group/connections"));
      assert.equal(pages.length, 3);
      assert.ok(pages[1]!.path.includes("cursor="), pages[1]!.path);
    } finally {
      await account.close();
    }
  });

  it("names the endpoint and the connector in a 404, and uses /connections only (legacy paths 404)", async () => {
    const account = await startSimulatedAccount({ warehousePath: null });
    try {
      await assert.rejects(account.client.getConnection("no_such"), (error) => {
        assert.ok(isApiError(error, "not_found"));
        assert.match(error.message, /GET \/connections\/no_such for connector no_such failed with HTTP 404: NotFound_Connection/);
        return true;
      });
      assert.ok(account.simulator.requests.every((r) => !r.path.includes("/connectors")));
      const legacy = await fetch(`${account.simulator.url}/connectors/shopify_connector`, {
        headers: { authorization: `Basic ${Buffer.from(`${TEST_API_KEY}:${TEST_API_SECRET}`).toString("base64")}` },
      });
      assert.equal(legacy.status, 404);
      const metadata = await fetch(`${account.simulator.url}/metadata/connectors/shopify_connector/columns`, {
        headers: { authorization: `Basic ${Buffer.from(`${TEST_API_KEY}:${TEST_API_SECRET}`).toString("base64")}` },
      });
      assert.equal(metadata.status, 404);
      assert.match(((await metadata.json()) as { message: string }).message, /deprecated/);
    } finally {
      await account.close();
    }
  });

  it("rejects a body that does not match, naming the field", async () => {
    const account = await startSimulatedAccount({ warehousePath: null });
    try {
      account.simulator.inject({ path: "/connections/shopify_connector", status: 200, body: { code: "Success", data: { id: "shopify_connector", paused: "no" } } });
      await assert.rejects(account.client.getConnection("shopify_connector"), (error) => {
        assert.ok(isApiError(error, "invalid_response"));
        assert.match(error.message, /unexpected body: data\.\w+/);
        return true;
      });
    } finally {
      await account.close();
    }
  });
});
