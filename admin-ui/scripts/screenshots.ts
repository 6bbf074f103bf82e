/**
 * Writes the README's screenshots (docs/ui-*.png) from the built UI. Run from admin-ui/: `npm run screenshots`
 * (after `npm run build`). With SCREENSHOT_BASE_URL (e.g. http://127.0.0.1:3000 while `npm run demo` runs) it
 * photographs that server, so the pictures show the whole demo: Fivetran tables, dbt models, Census syncs, and
 * the Fivetran connector and Census sync panels.
 * Without it, it serves demo-project alone. With it, it also photographs the runs list, a run mid-run (it launches
 * one, with the operator token in TRIBUTARY_TOKEN that the demo prints) and the runtime trend of orders
 * (docs/ui-runs.png, ui-run.png, ui-runtime.png).
 * Either way it photographs partitions on a serve of its own (a fresh store and warehouse, an operator token): a
 * backfill's page mid-run and country_revenue_daily's partitions bar (docs/ui-backfill.png, ui-partitions.png);
 * SCREENSHOTS=partitions takes only those two.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { DEMO_PROJECT, launchBrowser, newPage, operatorToken, ROOT, startServe } from "../e2e/support.ts";

/**
 * Backfills 2026-09-01 … 09-14 of country_revenue_daily, building stg_shopify__orders first, and photographs its
 * page mid-run; then, while a second backfill (2026-10-01 … 10-08) runs, the asset's partitions bar with a range
 * selected and the tooltip on a materialized partition.
 */
async function partitionScreenshots(browser: Browser, errors: string[]): Promise<void> {
  const name = "screenshots-partitions";
  const dataDir = join(ROOT, "admin-ui", ".e2e-data", name);
  rmSync(dataDir, { recursive: true, force: true });
  const token = operatorToken(dataDir);
  const serve = await startServe(DEMO_PROJECT, name, { env: { TRIBUTARY_WAREHOUSE_PATH: join(dataDir, "warehouse.duckdb") } });
  const gql = async <T>(query: string): Promise<T> => {
    const response = await fetch(`${serve.baseUrl}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
      body: JSON.stringify({ query }),
    });
    const body = (await response.json()) as { data?: T; errors?: unknown[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data!;
  };
  const backfill = async (from: string, to: string) =>
    (await gql<{ launchBackfill: { id: string } }>(`mutation { launchBackfill(assetKeys: ["country_revenue_daily"], from: "${from}", to: "${to}", buildUpstream: true) { id } }`)).launchBackfill.id;
  const ended = async (id: string) => {
    for (;;) {
      const { backfill: b } = await gql<{ backfill: { status: string } }>(`{ backfill(id: "${id}") { status } }`);
      if (b.status !== "RUNNING") return b.status;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  };
  // Closed before the serve stops: a page left open polls a server that is gone (net::ERR_CONNECTION_REFUSED).
  let page: Page | null = null;
  try {
    // stg_shopify__orders' relationships test reads stg_shopify__customers: built first (as the e2e test does).
    const customers = (await gql<{ launchRun: { run: { id: string } } }>(`mutation { launchRun(assetKeys: ["stg_shopify__customers"]) { run { id } } }`)).launchRun.run.id;
    for (let status = "QUEUED"; status === "QUEUED" || status === "RUNNING"; ) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      status = (await gql<{ run: { status: string } }>(`{ run(id: "${customers}") { status } }`)).run.status;
      if (status !== "QUEUED" && status !== "RUNNING" && status !== "SUCCEEDED") throw new Error(`building stg_shopify__customers: ${status}`);
    }
    page = await newPage(browser, errors, { width: 1440, height: 900 });
    // Still pictures: a running partition's pulse would catch it half faded.
    await page.emulateMedia({ reducedMotion: "reduce" });
    if (token !== null) await page.addInitScript((value) => window.localStorage.setItem("tributary.token", value), token);
    const first = await backfill("2026-09-01", "2026-09-14");
    await page.goto(`${serve.baseUrl}/backfills/${first}/show`);
    // Mid-run: the upstream built, some partitions done, some running, the rest queued.
    await page.waitForFunction(
      () => {
        const cells = [...document.querySelectorAll('[data-testid="backfill-cell"]')].map((cell) => cell.getAttribute("data-status"));
        return cells.filter((s) => s === "SUCCEEDED").length >= 3 && cells.includes("RUNNING") && cells.includes("QUEUED");
      },
      null,
      { timeout: 600_000, polling: 250 },
    );
    await page.screenshot({ path: join(docs, "ui-backfill.png") });
    console.log(`first backfill ${await ended(first)}`);

    // The bar while a second backfill runs: 14 days materialized, some in progress, the rest missing.
    const second = await backfill("2026-10-01", "2026-10-08");
    await page.goto(`${serve.baseUrl}/assets/country_revenue_daily/show`);
    const panel = page.getByTestId("partitions-panel");
    const bar = page.getByTestId("partitions-bar");
    await bar.waitFor();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="partitions-legend"] [data-state="IN_PROGRESS"]')?.getAttribute("data-count") ?? 0) > 0, null, {
      timeout: 120_000,
      polling: 250,
    });
    await panel.evaluate((section) => window.scrollTo(0, section.getBoundingClientRect().top + window.scrollY - 80));
    const box = (await bar.boundingBox())!;
    const total = Number(await bar.getAttribute("aria-valuemax")) + 1;
    const x = (i: number) => box.x + ((i + 0.5) / total) * box.width;
    const y = box.y + box.height / 2;
    // Select 2026-11-01 … 11-15 (indexes 61–75), then point at 2026-09-06, materialized.
    await page.mouse.move(x(61), y);
    await page.mouse.down();
    await page.mouse.move(x(75), y, { steps: 5 });
    await page.mouse.up();
    await page.mouse.move(x(5), y, { steps: 5 });
    await page.getByTestId("partition-tooltip").waitFor();
    await page.waitForTimeout(300);
    await panel.screenshot({ path: join(docs, "ui-partitions.png") });
    console.log(`second backfill ${await ended(second)}`);
  } finally {
    await page?.close();
    await serve.stop();
  }
}

const docs = join(ROOT, "docs");
const browser = await launchBrowser();
if (process.env["SCREENSHOTS"] === "partitions") {
  // SCREENSHOTS=partitions takes only the partitions' two.
  const errors: string[] = [];
  try {
    await partitionScreenshots(browser, errors);
  } finally {
    await browser.close();
  }
  if (errors.length > 0) throw new Error(`the UI logged errors:\n${errors.join("\n")}`);
  console.log(`screenshots written to ${docs}`);
  process.exit(0);
}
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
    // A demo just started has not built orders' upstream yet (its first Fivetran syncs are still running): the
    // run would fail on a missing table. Wait until the demo's own loop has built orders once (up to 5 minutes).
    for (let waited = 0; ; waited += 2000) {
      const answer = await fetch(`${serve.baseUrl}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: `{ asset(key: "orders") { lastUpdatedAt } }` }),
      });
      const { data } = (await answer.json()) as { data: { asset: { lastUpdatedAt: string | null } | null } };
      if (data.asset?.lastUpdatedAt) break;
      if (waited > 300_000) throw new Error("orders was not built within 5 minutes of the demo's start");
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
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

  await partitionScreenshots(browser, errors);

  if (errors.length > 0) throw new Error(`the UI logged errors:\n${errors.join("\n")}`);
  console.log(`screenshots written to ${docs}`);
} finally {
  await browser.close();
  await serve.stop();
}
