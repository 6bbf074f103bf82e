/**
 * Writes the README's screenshots (docs/ui-*.png) from the built UI served by `tributary serve` on demo-project.
 * Run from admin-ui/: `npm run screenshots` (after `npm run build`).
 */
import { join } from "node:path";
import { DEMO_PROJECT, launchBrowser, newPage, ROOT, startServe } from "../e2e/support.ts";

const docs = join(ROOT, "docs");
const browser = await launchBrowser();
const serve = await startServe(DEMO_PROJECT, "screenshots");
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
  await page.goto(`${serve.baseUrl}/assets/stg_shopify__orders/show?direction=BOTH&depth=0`);
  await page.locator('[data-node-key="orders"]').waitFor();
  await page.waitForTimeout(300);
  await page.locator("#lineage-title").locator("xpath=ancestor::section[1]").screenshot({ path: join(docs, "ui-lineage.png") });

  if (errors.length > 0) throw new Error(`the UI logged errors:\n${errors.join("\n")}`);
  console.log(`screenshots written to ${docs}`);
} finally {
  await browser.close();
  await serve.stop();
}
