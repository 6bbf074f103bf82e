/**
 * End-to-end: column lineage on the asset page, in Chromium, against the real CLI serving a manifest with
 * compiled SQL (dbt-labs/jaffle-shop from shared/fixtures, read in place). Expectations checked by hand against
 * the models' SQL: customers.customer_id comes from `customers.*` over stg_customers (a copy),
 * customers.lifetime_spend is `sum(orders.order_total)` (a transformation), stg_customers.customer_id is
 * `id as customer_id` over the raw_customers source (a rename); stg_customers.customer_id is read by
 * customers.customer_id.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { sharedFixture } from "../../scripts/shared-fixtures.ts";
import { launchBrowser, newPage, startServe, type ServeProcess } from "./support.ts";

const MANIFEST = sharedFixture("manifests", "jaffle-shop-state-v11-postgres", "manifest.json");

describe("column lineage on the asset page", { timeout: 120_000 }, () => {
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  before(async () => {
    browser = await launchBrowser();
    serve = await startServe(["--manifest", MANIFEST], "column-lineage-test");
    await columnLineageDone(serve.baseUrl);
    page = await newPage(browser, errors);
  });

  /**
   * Serve answers before column lineage is computed (on a worker thread, after the load): wait until the
   * location says it is DONE, so the page reads the catalog with lineage.
   */
  async function columnLineageDone(baseUrl: string): Promise<void> {
    for (;;) {
      const response = await fetch(`${baseUrl}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: "{ locations { name columnLineage { state error } } }" }),
      });
      const body = (await response.json()) as { data?: { locations: { columnLineage: { state: string; error: string | null } | null }[] } };
      const states = body.data?.locations.map((l) => l.columnLineage) ?? [];
      const failed = states.find((s) => s?.state === "FAILED");
      assert.equal(failed, undefined, `column lineage failed: ${failed?.error}`);
      if (states.length > 0 && states.every((s) => s?.state === "DONE")) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  after(async () => {
    await browser?.close();
    await serve?.stop();
  });

  /** The lineage row of one column: its upstream column texts and its transformation chip. */
  async function row(column: string): Promise<{ from: string[]; how: string | null }> {
    const found = page.locator(`[data-testid="column-lineage-row"][data-column="${column}"]`);
    await found.waitFor();
    const from = await found.locator('[data-testid="column-ref"]').allTextContents();
    const chip = found.locator('[data-testid="column-transformation"]');
    return { from, how: (await chip.count()) > 0 ? await chip.textContent() : null };
  }

  test("a model's columns show their upstream columns across assets, with copy / transformation marked", async () => {
    await page.goto(`${serve.baseUrl}/assets/customers/show`);
    await page.getByTestId("column-lineage-panel").waitFor();
    assert.deepEqual(await row("customer_id"), { from: ["stg_customers.customer_id"], how: "copy" });
    assert.deepEqual(await row("lifetime_spend"), { from: ["orders.order_total"], how: "transformation" });
  });

  test("an upstream column links to its asset, where the column's rename from the source shows", async () => {
    await page.locator('[data-testid="column-lineage-row"][data-column="customer_id"] [data-testid="column-ref"]').click();
    await page.waitForURL(/\/assets\/stg_customers\/show$/);
    await page.getByTestId("column-lineage-panel").waitFor();
    assert.deepEqual(await row("customer_id"), { from: ["jaffle_shop_raw/raw_customers.id"], how: "rename" });
  });

  test("choosing a column shows the columns that read it", async () => {
    await page.locator('[data-testid="column-lineage-row"][data-column="customer_id"] td').first().click();
    const downstream = page.getByTestId("column-downstream");
    await downstream.waitFor();
    await downstream.locator('[data-testid="column-ref"]').first().waitFor();
    assert.deepEqual(await downstream.locator('[data-testid="column-ref"]').allTextContents(), ["customers.customer_id"]);
    assert.deepEqual(await downstream.locator('[data-testid="column-transformation"]').allTextContents(), ["copy"]);
    assert.equal(await page.locator('[data-testid="column-lineage-row"][data-column="customer_id"]').getAttribute("aria-expanded"), "true");
  });

  test("a model without compiled SQL shows no column lineage panel", async () => {
    await page.goto(`${serve.baseUrl}/assets/jaffle_shop_raw%2Fraw_customers/show`);
    await page.getByTestId("columns-table").or(page.getByText("No columns documented")).first().waitFor();
    assert.equal(await page.getByTestId("column-lineage-panel").count(), 0);
    assert.deepEqual(errors, []);
  });
});
