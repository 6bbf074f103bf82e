/**
 * Fivetran through the real wiring: tributary.yaml with `${ENV}` secrets, the demo dbt project (real
 * `dbt parse`), the simulator over loopback, the embedded store, the observer, and GraphQL in process. Ends
 * by grepping every log line, error and GraphQL answer for the credentials.
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { startSimulatedAccount, TEST_API_KEY, TEST_API_SECRET } from "../connectors/fivetran/test-support.ts";
import { capturingLogger, execute, testYoga } from "./test-support.ts";
import { createCatalogService } from "./wiring.ts";

const ROOT = join(import.meta.dirname, "..");
const WRONG_SECRET = "wrong_fivetran_secret_Q8x2";

describe("Fivetran accounts from tributary.yaml", () => {
  test("join the demo's dbt sources, observe scheduled syncs into the store, answer GraphQL, and leak no credential", async () => {
    const account = await startSimulatedAccount({ rowsPerSync: 20 });
    const dir = mkdtempSync(join(tmpdir(), "tributary-fivetran-wiring-"));
    const { logger, lines: logLines } = capturingLogger();
    process.env["TEST_FT_KEY"] = TEST_API_KEY;
    process.env["TEST_FT_SECRET"] = TEST_API_SECRET;
    process.env["TEST_FT_WRONG_SECRET"] = WRONG_SECRET;
    const config = join(dir, "tributary.yaml");
    writeFileSync(
      config,
      [
        "dbt:",
        "  projects:",
        `    - dir: ${JSON.stringify(join(ROOT, "demo-project"))}`,
        "      env:",
        `        TRIBUTARY_WAREHOUSE_PATH: ${JSON.stringify(account.warehousePath)}`,
        "fivetran:",
        "  accounts:",
        "    - name: fivetran",
        "      api_key: ${TEST_FT_KEY}",
        "      api_secret: ${TEST_FT_SECRET}",
        `      base_url: ${account.simulator.url}`,
        "      observe_interval_seconds: 0.25",
        "    - name: fivetran_wrong_key",
        "      api_key: ${TEST_FT_KEY}",
        "      api_secret: ${TEST_FT_WRONG_SECRET}",
        `      base_url: ${account.simulator.url}`,
        "      observe_interval_seconds: 0.25",
        "",
      ].join("\n"),
    );
    const progress: string[] = [];
    const runtime = await createCatalogService(
      { config, dbtProjects: [], manifests: [], dataDir: join(dir, "data"), scheduler: true, purpose: "serve", logger },
      (message) => progress.push(message),
    );
    const answers: string[] = [];
    try {
      const outcome = await runtime.reload!();
      assert.ok(outcome.ok);
      assert.deepEqual(outcome.errors.map((e) => [e.locationName, e.code]), [["fivetran_wrong_key", "fivetran_unauthorized"]]);
      const yoga = testYoga(runtime);
      const ask = async (text: string) => {
        const { body } = await execute(yoga, text);
        answers.push(JSON.stringify(body));
        assert.equal(body.errors, undefined, JSON.stringify(body.errors));
        return body.data as Record<string, unknown>;
      };

      const lineage = (await ask(`{ lineage(key: "marketing_roi", direction: UPSTREAM) { nodes { key materializedBy { tool } } } }`)) as {
        lineage: { nodes: { key: string; materializedBy: { tool: string } | null }[] };
      };
      const fivetranNodes = lineage.lineage.nodes.filter((n) => n.materializedBy?.tool === "fivetran").map((n) => n.key).sort();
      assert.deepEqual(fivetranNodes, ["google_ads/campaign_history", "google_ads/campaign_stats", "shopify/order", "shopify/order_line", "stripe/charge", "stripe/refund"]);

      // Fivetran syncs on its own schedule; the observer records it in the store.
      const sync = await account.simulator.runScheduledSync("shopify_connector");
      const assetQuery = `{ asset(key: "shopify/order") {
        kinds readBy relation { fullName }
        fivetran { connectorId service location syncState setupState paused succeededAt url scheduleType syncFrequencyMinutes asOf }
        materializations(first: 5) { status tool location occurredAt metadata }
      } }`;
      let asset: Record<string, unknown> & { materializations: { occurredAt: string; status: string; tool: string }[] };
      for (;;) {
        asset = ((await ask(assetQuery)) as { asset: typeof asset }).asset;
        if (asset.materializations.length > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.deepEqual(asset.materializations.map((m) => [m.status, m.tool, m.occurredAt]), [["SUCCESS", "fivetran", new Date(sync.finishedAt).toISOString()]]);
      assert.deepEqual(asset["relation"], { fullName: "warehouse.shopify.order" });
      assert.deepEqual(asset["readBy"], ["dbt"]);
      const connector = asset["fivetran"] as Record<string, unknown>;
      assert.equal(connector["connectorId"], "shopify_connector");
      assert.equal(connector["location"], "fivetran");
      assert.equal(connector["setupState"], "connected");
      assert.equal(connector["succeededAt"], sync.finishedAt, "the observer's newer state overlays the load's");
      // A simulator's connectors are not on fivetran.com: no dashboard links (the UI hides its buttons).
      assert.equal(connector["url"], "");
      assert.ok(asset.materializations.every((m) => !JSON.stringify(m).includes("fivetran.com")), "no event links to fivetran.com");

      const locations = await ask(`{ locations { name kind origin state error { message } } diagnostics { code message } }`);
      assert.ok(JSON.stringify(locations).includes("fivetran_unauthorized") || JSON.stringify(locations).includes("HTTP 401"));
    } finally {
      await runtime.close?.();
      await account.close();
      delete process.env["TEST_FT_KEY"];
      delete process.env["TEST_FT_SECRET"];
      delete process.env["TEST_FT_WRONG_SECRET"];
    }
    const everything = [...logLines, ...answers, ...progress].join("\n");
    assert.ok(logLines.some((line) => line.includes("observing fivetran failed")), "the failing account was logged");
    for (const secret of [TEST_API_KEY, TEST_API_SECRET, WRONG_SECRET, Buffer.from(`${TEST_API_KEY}:${TEST_API_SECRET}`).toString("base64"), Buffer.from(`${TEST_API_KEY}:${WRONG_SECRET}`).toString("base64")]) {
      assert.ok(!everything.includes(secret), `a credential leaked: ${secret}`);
    }
  });
});
