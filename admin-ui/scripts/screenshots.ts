/**
 * Writes the README's screenshots (docs/ui-*.png) from the built UI. Run from admin-ui/: `npm run screenshots`
 * (after `npm run build`). With SCREENSHOT_BASE_URL (e.g. http://127.0.0.1:3000 while `npm run demo` runs) it
 * photographs that server, so the pictures show the whole demo: Fivetran tables, dbt models, Census syncs, and
 * the Fivetran connector and Census sync panels.
 * Without it, it serves demo-project alone.
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
  }

  if (errors.length > 0) throw new Error(`the UI logged errors:\n${errors.join("\n")}`);
  console.log(`screenshots written to ${docs}`);
} finally {
  await browser.close();
  await serve.stop();
}
