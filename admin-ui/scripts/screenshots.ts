/**
 * Writes the README's screenshots (docs/ui-*.png) from the built UI. Run from admin-ui/: `npm run screenshots`
 * (after `npm run build`). With SCREENSHOT_BASE_URL (e.g. http://127.0.0.1:3000 while `npm run demo` runs) it
 * photographs that server, so the pictures show the whole demo: Fivetran tables, dbt models, Census syncs, and
 * the Fivetran connector and Census sync panels.
 * Without it, it serves demo-project alone. With it, it also photographs the runs list, a run mid-run (it launches
 * one, with the operator token in TRIBUTARY_TOKEN that the demo prints) and the runtime trend of orders
 * (docs/ui-runs.png, ui-run.png, ui-runtime.png).
 */
import { join } from "node:path";
import { DEMO_PROJECT, launchBrowser, newPage, ROOT, startServe } from "../e2e/support.ts";

const docs = join(ROOT, "docs");
const browser = await launchBrowser();
const external = process.env["SCREENSHOT_BASE_URL"];
const serve = external ? { baseUrl: external.replace(/\/$/, ""), stop: async () => {} } : await startServe(DEMO_PROJECT, "screenshots");
// With the whole demo, the lineage of a Census sync crosses all three tools.
const lineageAsset = external ? "customers_to_crm_contacts" : "stg_shopify__orders";
const lineageView = external ? "direction=UPSTREAM&depth=0" : "direction=BOTH&depth=0";
const lineageNode = external ? "customers" : "orders";
try {
  const errors: string[] = [];
  const page = await newPage(browser, errors, { width: 1440, height: 900 });
  // With an operator token (the demo prints one), the pages show what an operator sees: Materialize, re-execute.
  const token = process.env["TRIBUTARY_TOKEN"] ?? null;
  if (token !== null) await page.addInitScript((value) => window.localStorage.setItem("tributary.token", value), token);

  await page.goto(`${serve.baseUrl}/assets`);
  await page.locator('[data-facet="kinds"]').first().waitFor();
  await page.locator('[data-asset-key="orders"]').waitFor();
  await page.screenshot({ path: join(docs, "ui-catalog.png") });

  await page.setViewportSize({ width: 1440, height: 1400 });
  await page.goto(`${serve.baseUrl}/assets/orders/show`);
  await page.locator('[data-node-key="customers"]').waitFor();
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(docs, "ui-asset.png") });

  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(`${serve.baseUrl}/assets/${lineageAsset}/show?${lineageView}`);
  await page.locator(`[data-node-key="${lineageNode}"]`).waitFor();
  await page.waitForTimeout(300);
  await page.locator("#lineage-title").locator("xpath=ancestor::section[1]").screenshot({ path: join(docs, "ui-lineage.png") });

  if (external) {
    // The tools' own panels: a Fivetran table (connector state, history) and a Census sync (mappings, runs).
    for (const [key, panel, name] of [
      ["shopify/order", "fivetran-panel", "ui-fivetran.png"],
      ["customers_to_crm_contacts", "census-panel", "ui-census.png"],
    ] as const) {
      await page.goto(`${serve.baseUrl}/assets/${encodeURIComponent(key)}/show`);
      const section = page.getByTestId(panel);
      await section.waitFor();
      await page.waitForTimeout(300);
      await section.screenshot({ path: join(docs, name) });
    }

    // Runs: the list, a run mid-run (its log streaming), and an asset page's runtime trend and history.
    await page.goto(`${serve.baseUrl}/runs`);
    await page.getByTestId("run-row").first().waitFor();
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(docs, "ui-runs.png") });

    await page.setViewportSize({ width: 1440, height: 1000 });
    // Launching needs an operator's token where the server has tokens (the demo prints one: TRIBUTARY_TOKEN).
    const launched = await fetch(`${serve.baseUrl}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
      body: JSON.stringify({ query: `mutation { launchRun(assetKeys: ["orders", "customers", "marketing_roi", "finance/payment_reconciliation"]) { run { id } } }` }),
    });
    const runId = ((await launched.json()) as { data: { launchRun: { run: { id: string } } } }).data.launchRun.run.id;
    await page.goto(`${serve.baseUrl}/runs/${runId}/show`);
    // Mid-run: dbt has logged a few lines and the run is still going.
    await page.waitForFunction(
      () =>
        Number(document.querySelector('[data-testid="log-count"]')?.textContent?.replace(/\D/g, "") ?? 0) > 12 &&
        document.querySelector('[data-testid="run-status"]')?.getAttribute("data-state") === "RUNNING",
      null,
      { timeout: 120_000 },
    );
    await page.screenshot({ path: join(docs, "ui-run.png") });

    await page.setViewportSize({ width: 1440, height: 1100 });
    await page.goto(`${serve.baseUrl}/assets/orders/show`);
    const plot = page.getByTestId("runtime-plot");
    await plot.waitFor();
    // Below the app bar: the panel's title shows.
    await page.getByTestId("runtime-panel").evaluate((panel) => window.scrollTo(0, panel.getBoundingClientRect().top + window.scrollY - 72));
    await page.waitForTimeout(400);
    await page.screenshot({ path: join(docs, "ui-runtime.png") });
    console.log(`runtime plot: ${await plot.getAttribute("data-points")} points`);
  }

  if (errors.length > 0) throw new Error(`the UI logged errors:\n${errors.join("\n")}`);
  console.log(`screenshots written to ${docs}`);
} finally {
  await browser.close();
  await serve.stop();
}
