/**
 * End-to-end: the catalog list's first paint (src/boot) and the layouts of narrow screens, in Debian's Chromium
 * against a real `tributary serve` on demo-project. The app's chunk is held back at the network (Playwright
 * routes) to look at the page as it is before react-admin has loaded.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, Page, Route } from "playwright-core";
import { DEMO_PROJECT, launchBrowser, newPage, startServe, type ServeProcess } from "./support.ts";

/** The app's chunk (react-admin, MUI), imported by the entry once the first paint has drawn. */
const APP_CHUNK = /\/static\/render-[^/]+\.js$/;

/** Holds every request for the app's chunk until `release()`; `abort` fails them instead. */
async function holdAppChunk(page: Page, mode: "hold" | "abort" = "hold"): Promise<{ release(): void }> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route(APP_CHUNK, async (route: Route) => {
    if (mode === "abort") return route.abort("failed");
    await released;
    return route.continue();
  });
  return { release };
}

/** Each shown key's box, in page order. */
const keyBoxes = (page: Page, attribute: "data-asset-key" | "data-first-paint-key") =>
  page.locator(`[${attribute}]`).evaluateAll((nodes, name) => nodes.map((node) => ({ key: node.getAttribute(name), box: node.getBoundingClientRect().toJSON() as DOMRect })), attribute);

describe("catalog list: first paint and narrow screens", { timeout: 300_000 }, () => {
  let serve: ServeProcess;
  let browser: Browser;
  const errors: string[] = [];

  before(async () => {
    browser = await launchBrowser();
    serve = await startServe(DEMO_PROJECT, "first-paint-test");
  });

  after(async () => {
    await browser?.close();
    await serve?.stop();
  });

  test("the first paint shows the first page before the app loads, and the app replaces it in place", async () => {
    const page = await newPage(browser, errors);
    const chunk = await holdAppChunk(page);
    await page.goto(`${serve.baseUrl}/assets`);
    await page.locator('[data-first-paint-key="orders"]').waitFor();
    const painted = await keyBoxes(page, "data-first-paint-key");
    assert.ok(painted.length >= 20, `the first paint shows ${painted.length} rows`);
    assert.deepEqual(
      painted.map((row) => row.key),
      [...painted.map((row) => row.key)].sort(),
      "in the list's default order (by key)",
    );
    assert.match((await page.locator("#first-paint .result-count").textContent()) ?? "", /^\d+ assets$/);
    assert.equal(await page.locator("[data-asset-key]").count(), 0, "the app has not rendered yet");

    chunk.release();
    await page.waitForFunction(() => performance.getEntriesByName("tributary:app-ready").length > 0);
    assert.equal(await page.locator("#first-paint").count(), 0, "the first paint is gone");
    assert.equal(await page.locator("#root").evaluate((root) => (root as HTMLElement).inert), false, "the app takes input");
    const app = await keyBoxes(page, "data-asset-key");
    assert.deepEqual(
      app.map((row) => row.key),
      painted.map((row) => row.key),
    );
    // The same rows at the same places: the swap cannot be seen.
    for (const [i, row] of app.entries()) {
      const before = painted[i]!.box;
      assert.ok(Math.abs(row.box.x - before.x) <= 1 && Math.abs(row.box.y - before.y) <= 1, `${row.key} moved from ${before.x},${before.y} to ${row.box.x},${row.box.y}`);
    }
    await page.close();
  });

  test("what is typed into the first paint's search box carries over to the app", async () => {
    const page = await newPage(browser, errors);
    const chunk = await holdAppChunk(page);
    await page.goto(`${serve.baseUrl}/assets`);
    const early = page.locator("#first-paint .search-field input");
    await early.waitFor();
    await early.fill("cost_per_order");
    chunk.release();
    await page.waitForFunction(() => document.querySelectorAll("[data-asset-key]").length === 1);
    assert.deepEqual(await page.locator("[data-asset-key]").evaluateAll((nodes) => nodes.map((n) => n.getAttribute("data-asset-key"))), ["marketing_roi"]);
    const box = page.getByLabel("Search the catalog");
    assert.equal(await box.inputValue(), "cost_per_order");
    assert.equal(await box.evaluate((input) => input === document.activeElement), true, "focus moved to the app's box");
    assert.match(decodeURIComponent(page.url()), /"q":"cost_per_order"/);
    await page.close();
  });

  test("a filtered URL is drawn filtered by the first paint too", async () => {
    const page = await newPage(browser, errors);
    const chunk = await holdAppChunk(page);
    await page.goto(`${serve.baseUrl}/assets?filter=${encodeURIComponent(JSON.stringify({ groups: ["finance"] }))}`);
    await page.locator("[data-first-paint-key]").first().waitFor();
    const keys = await page.locator("[data-first-paint-key]").evaluateAll((nodes) => nodes.map((n) => n.getAttribute("data-first-paint-key")));
    assert.deepEqual(keys, ["daily_revenue", "finance/payment_reconciliation", "stg_stripe__charges", "stg_stripe__refunds"]);
    assert.equal(await page.locator("#first-paint .result-count").textContent(), "4 assets");
    chunk.release();
    await page.locator('[data-asset-key="daily_revenue"]').waitFor();
    await page.close();
  });

  test("when the app's code cannot load, the first paint says so instead of hanging", async () => {
    const page = await newPage(browser, []);
    await holdAppChunk(page, "abort");
    await page.goto(`${serve.baseUrl}/assets`);
    const alert = page.locator("#first-paint [role=alert]");
    await alert.waitFor();
    assert.match((await alert.textContent()) ?? "", /could not load.*Reload the page/);
    await page.close();
  });

  test("when the app does not draw the list (the user went elsewhere first), the first paint still goes", async () => {
    const page = await newPage(browser, errors);
    const chunk = await holdAppChunk(page);
    await page.goto(`${serve.baseUrl}/assets`);
    await page.locator('[data-first-paint-key="orders"]').waitFor();
    await page.evaluate(() => history.pushState({}, "", "/locations"));
    chunk.release();
    await page.getByTestId("location-card").first().waitFor();
    await page.locator("#first-paint").waitFor({ state: "detached", timeout: 10_000 });
    assert.equal(await page.locator("#root").evaluate((root) => (root as HTMLElement).inert), false);
    await page.close();
  });

  test("on a narrow screen the facets open from a Filters button, and filter the list", async () => {
    const page = await newPage(browser, errors, { width: 700, height: 900 });
    await page.goto(`${serve.baseUrl}/assets`);
    await page.locator('[data-asset-key="orders"]').waitFor();
    assert.equal(await page.locator(".list-aside").isVisible(), false, "no facet column at 700 px");
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, "nothing overflows sideways");
    await page.getByRole("button", { name: /^Filters/ }).click();
    const dialog = page.getByRole("dialog", { name: "Filters" });
    await dialog.waitFor();
    await dialog.locator('[data-facet="groups"][data-value="finance"]').click();
    await page.waitForFunction(() => document.querySelector('[aria-live="polite"]')?.textContent === "4 assets");
    assert.match((await page.getByRole("button", { name: /^Filters/ }).textContent()) ?? "", /Filters \(1\)/);
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    assert.match(decodeURIComponent(page.url()), /"groups":\["finance"\]/);
    await page.close();
  });

  test("on a phone the menu hides, and the table keeps the asset and status columns", async () => {
    const page = await newPage(browser, errors, { width: 390, height: 844 });
    await page.goto(`${serve.baseUrl}/assets`);
    await page.locator('[data-asset-key="orders"]').waitFor();
    assert.equal(await page.locator(".app-menu").isVisible(), false, "the menu is closed");
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, "nothing overflows sideways");
    const visibleHeaders = await page.locator("thead th").evaluateAll((cells) => cells.filter((cell) => (cell as HTMLElement).offsetParent !== null).map((cell) => cell.textContent?.replace(/[↑↓]/g, "").trim()));
    assert.deepEqual(visibleHeaders, ["Asset", "Status"]);
    await page.getByRole("button", { name: "Open menu" }).click();
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Locations" }).click();
    await page.waitForURL(/\/locations$/);
    assert.equal(await page.locator(".app-menu").isVisible(), false, "following a link closes the menu");
    await page.close();
  });

  test("the list is usable from the keyboard: search, sort, open an asset", async () => {
    const page = await newPage(browser, errors);
    await page.goto(`${serve.baseUrl}/assets`);
    await page.locator('[data-asset-key="orders"]').waitFor();
    await page.waitForFunction(() => performance.getEntriesByName("tributary:app-ready").length > 0);
    // The skip link comes first and lands on the content.
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Skip to content");
    await page.getByLabel("Search the catalog").focus();
    await page.keyboard.type("orders");
    await page.waitForFunction(() => /[?&]filter=.*orders/.test(decodeURIComponent(location.search)));
    // Tab order reaches the sort buttons of the table, then the rows' links.
    const sort = page.locator('th button[data-sort="group"]');
    await sort.focus();
    await page.keyboard.press("Enter");
    await page.waitForURL(/sort=group/);
    const link = page.locator('[data-asset-key="orders"]');
    await link.focus();
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/assets\/orders\/show$/);
    await page.getByTestId("asset-key").filter({ hasText: /^orders$/ }).waitFor();
    await page.close();
  });

  test("no uncaught errors in the browser", () => {
    assert.deepEqual(errors, []);
  });
});
