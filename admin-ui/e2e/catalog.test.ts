/**
 * End-to-end: Debian's Chromium, through playwright-core, drives the built UI served by a real `tributary serve`
 * on demo-project (plus a project with invalid policies, so the locations page has diagnostics to show).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { BAD_POLICIES_PROJECT, DEMO_PROJECT, launchBrowser, newPage, startServe, type ServeProcess } from "./support.ts";

describe("web catalog", { timeout: 300_000 }, () => {
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  before(async () => {
    browser = await launchBrowser();
    serve = await startServe([...DEMO_PROJECT, ...BAD_POLICIES_PROJECT], "catalog-test");
    page = await newPage(browser, errors);
  });

  after(async () => {
    await browser?.close();
    await serve?.stop();
  });

  const rowKeys = async (target: Page = page) => target.locator("[data-asset-key]").evaluateAll((nodes) => nodes.map((n) => n.getAttribute("data-asset-key")));

  test("`/` serves the catalog, and the API and probes still answer", async () => {
    await page.goto(`${serve.baseUrl}/`);
    await page.locator('[data-asset-key="orders"]').waitFor();
    const ready = await fetch(`${serve.baseUrl}/readyz`);
    assert.equal(ready.status, 200);
    const graphql = await fetch(`${serve.baseUrl}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ __typename }" }) });
    assert.equal(graphql.status, 200);
    // A deep link is a UI route (SPA fallback); a missing file is a 404.
    assert.equal((await fetch(`${serve.baseUrl}/assets/orders/show`)).status, 200);
    assert.equal((await fetch(`${serve.baseUrl}/static/nothing.js`)).status, 404);
  });

  test("search finds an asset by a column name", async () => {
    await page.goto(`${serve.baseUrl}/assets`);
    await page.getByLabel("Search the catalog").fill("cost_per_order");
    await page.waitForFunction(() => document.querySelectorAll("[data-asset-key]").length === 1);
    assert.deepEqual(await rowKeys(), ["marketing_roi"]);
    assert.match(page.url(), /cost_per_order/, "the search is in the URL");
  });

  test("a facet filters the list and its URL reproduces the view", async () => {
    await page.goto(`${serve.baseUrl}/assets`);
    await page.locator('[data-facet="groups"][data-value="finance"]').click();
    await page.waitForFunction(() => /^4 assets$/.test(document.querySelector('[aria-live="polite"]')?.textContent ?? ""));
    const keys = await rowKeys();
    assert.deepEqual(keys, ["daily_revenue", "finance/payment_reconciliation", "stg_stripe__charges", "stg_stripe__refunds"]);
    assert.equal(await page.locator('[data-facet="groups"][data-value="finance"]').getAttribute("aria-pressed"), "true");
    const shared = page.url();
    assert.match(decodeURIComponent(shared), /"groups":\["finance"\]/);

    const other = await newPage(browser, errors);
    await other.goto(shared);
    await other.waitForFunction(() => /^4 assets$/.test(document.querySelector('[aria-live="polite"]')?.textContent ?? ""));
    assert.deepEqual(await rowKeys(other), keys);
    await other.close();
  });

  test("a column header sorts the list on the server, and the URL reproduces the order", async () => {
    // Each row's group, as the Group / owners column shows it ("no group" when it has none).
    const rowGroups = async (target: Page = page) =>
      target.locator("tbody tr .group").evaluateAll((nodes) => nodes.map((n) => n.textContent ?? ""));
    await page.goto(`${serve.baseUrl}/assets`);
    await page.locator('[data-asset-key="orders"]').waitFor();
    const byKey = await rowKeys();
    assert.deepEqual(byKey, [...byKey].sort(), "by key at first");

    await page.locator('th button[data-sort="group"]').click();
    await page.waitForURL(/sort=group/);
    await page.waitForFunction((before) => Array.from(document.querySelectorAll("[data-asset-key]"), (n) => n.getAttribute("data-asset-key")).join() !== before, byKey.join());
    const groups = await rowGroups();
    const named = groups.filter((group) => group !== "no group");
    assert.ok(named.length > 0 && named.length < groups.length, "the demo has assets with and without a group");
    assert.deepEqual(named, [...named].sort(), "groups ascending");
    assert.deepEqual(groups.slice(named.length), groups.filter((group) => group === "no group"), "assets without a group last");
    assert.equal(await page.locator('th[aria-sort="ascending"] button[data-sort="group"]').count(), 1);

    // The second click flips the direction; a fresh page on the same URL shows the same rows in the same order.
    await page.locator('th button[data-sort="group"]').click();
    await page.waitForURL(/order=DESC/);
    await page.locator('th[aria-sort="descending"] button[data-sort="group"]').waitFor();
    await page.waitForFunction((first) => document.querySelector("tbody tr .group")?.textContent !== first, groups[0]);
    const descending = await rowKeys();
    const shared = page.url();
    assert.match(shared, /sort=group/);
    const other = await newPage(browser, errors);
    await other.goto(shared);
    await other.locator("[data-asset-key]").first().waitFor();
    assert.deepEqual(await rowKeys(other), descending);
    assert.equal(await other.locator('th[aria-sort="descending"] button[data-sort="group"]').count(), 1);
    await other.close();
  });

  test("the asset page shows columns, the policy and the lineage graph", async () => {
    await page.goto(`${serve.baseUrl}/assets/orders/show`);
    await page.getByTestId("asset-key").filter({ hasText: "orders" }).waitFor();
    const columns = page.getByTestId("columns-table");
    await columns.getByText("financial_status", { exact: true }).waitFor();
    assert.ok((await columns.locator("tbody tr").count()) > 20);
    assert.match((await page.getByTestId("policy-text").textContent()) ?? "", /^Eager: materialize after any upstream update/);
    assert.match((await page.getByTestId("impact-sentence").textContent()) ?? "", /downstream asset/);
    await page.locator('[data-node-key="customers"]').waitFor();
    const nodes = await page.locator(".lineage-node").count();
    assert.ok(nodes >= 10, `lineage shows ${nodes} nodes`);
    // History is filled by the runs work when the server has it, else a designed placeholder: never blank.
    const history = page.locator("#history-title").locator("xpath=ancestor::section[1]");
    await history.waitFor();
    assert.match((await history.textContent()) ?? "", /Materialization history.*(Materializations|Never materialized|\d)/s);
  });

  test("clicking a lineage node opens that asset", async () => {
    await page.goto(`${serve.baseUrl}/assets/orders/show`);
    await page.locator('[data-node-key="customers"]').click();
    await page.waitForURL(/\/assets\/customers\/show$/);
    await page.getByTestId("asset-key").filter({ hasText: /^customers$/ }).waitFor();
  });

  test("the locations page shows load status and a diagnostic linked to its asset", async () => {
    await page.goto(`${serve.baseUrl}/locations`);
    await page.getByTestId("location-card").first().waitFor();
    // One card per location the server loaded: the two dbt projects, and whatever else they bring (a warehouse).
    const response = await fetch(`${serve.baseUrl}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ locations { name } }" }) });
    const served = ((await response.json()) as { data: { locations: { name: string }[] } }).data.locations.map((l) => l.name).sort();
    const shown = (await page.getByTestId("location-card").locator("h2").allTextContents()).sort();
    assert.deepEqual(shown, served);
    assert.ok(served.includes("shop") && served.length >= 2, served.join(", "));
    const row = page.getByTestId("diagnostic-row").filter({ hasText: "capitalised" });
    await row.waitFor();
    assert.match((await row.textContent()) ?? "", /invalid_policy/);
    await row.locator('[data-asset-link="capitalised"]').click();
    await page.waitForURL(/\/assets\/capitalised\/show$/);
    await page.getByText("invalid_policy").first().waitFor();
  });

  test("an unknown asset gets a designed not-found page", async () => {
    await page.goto(`${serve.baseUrl}/assets/no_such_asset/show`);
    await page.getByText("No such asset").waitFor();
  });

  test("no uncaught errors in the browser", () => {
    // 404s of the not-found test are expected console noise; nothing else is.
    assert.deepEqual(errors.filter((error) => !/404|Not Found|status of 4\d\d|No asset/i.test(error)), []);
  });
});
