/**
 * End-to-end: runs in the web catalog, in Debian's Chromium against a real `tributary serve` of demo-project
 * (real dbt on DuckDB, the runs engine and its queue; no scheduler, so every run here is the test's own).
 * History is recorded through the API as a CI system would (`reportDbtRunResults`: 24 dbt invocations, one of
 * them a failed build of orders and the latest ones a failing test), then the UI is checked: the status column
 * and facet, the runtime plot, the check history, materializations; a run launched from the asset page
 * streams its log live and ends in the runs list; a launch of what nothing builds is refused with the reason.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { DEMO_PROJECT, launchBrowser, newPage, operatorToken, ROOT, startServe, type ServeProcess } from "./support.ts";

const DATA_DIR_NAME = "runs-test";

const POINTS = 24;

describe("runs in the web catalog", { timeout: 300_000 }, () => {
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;
  let token: string | null = null;
  const errors: string[] = [];

  async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const headers = { "content-type": "application/json", ...(token === null ? {} : { authorization: `Bearer ${token}` }) };
    const response = await fetch(`${serve.baseUrl}/graphql`, { method: "POST", headers, body: JSON.stringify({ query, variables }) });
    const body = (await response.json()) as { data?: T; errors?: unknown[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data!;
  }

  /** One dbt invocation's run_results.json: orders built (or failed) in `seconds`, and its uniqueness test. */
  function runResults(i: number, at: Date, seconds: number, buildStatus: "success" | "error", testStatus: "pass" | "fail", orders: string, test: string) {
    const start = new Date(at.getTime() - seconds * 1000).toISOString().replace("Z", "000Z");
    const end = at.toISOString().replace("Z", "000Z");
    return {
      metadata: { dbt_schema_version: "https://schemas.getdbt.com/dbt/run-results/v6.json", dbt_version: "1.10.0", generated_at: end, invocation_id: `e2e-invocation-${i}` },
      elapsed_time: seconds + 1,
      args: { which: "build" },
      results: [
        {
          unique_id: orders,
          status: buildStatus,
          timing: [{ name: "execute", started_at: start, completed_at: end }],
          thread_id: "Thread-1",
          execution_time: seconds,
          adapter_response: {},
          message: buildStatus === "success" ? "OK" : "Runtime Error: division by zero",
          failures: null,
        },
        ...(buildStatus === "success"
          ? [{ unique_id: test, status: testStatus, timing: [{ name: "execute", started_at: end, completed_at: end }], thread_id: "Thread-1", execution_time: 0.1, adapter_response: {}, message: testStatus === "fail" ? "Got 3 results, configured to fail if != 0" : null, failures: testStatus === "fail" ? 3 : 0 }]
          : []),
      ],
    };
  }

  before(async () => {
    browser = await launchBrowser();
    const dataDir = join(ROOT, "admin-ui", ".e2e-data", DATA_DIR_NAME);
    rmSync(join(dataDir, "pgdata"), { recursive: true, force: true });
    token = operatorToken(dataDir);
    serve = await startServe(DEMO_PROJECT, DATA_DIR_NAME);
    page = await newPage(browser, errors);
    // The person at this browser has pasted their token (the token dialog keeps it in localStorage).
    if (token !== null) await page.addInitScript((value) => window.localStorage.setItem("tributary.token", value), token);
    const asset = await gql<{ asset: { dbtUniqueId: string; checks: { name: string; sourceId: string }[] } }>(`{ asset(key: "orders") { dbtUniqueId checks { name sourceId } } }`);
    const test = asset.asset.checks.find((check) => check.name === "unique_orders_order_id")!.sourceId;
    const now = Date.now();
    for (let i = 0; i < POINTS; i++) {
      const at = new Date(now - (POINTS - i) * 3_600_000);
      // A steady 2–3 s build, a spike at run 12, a failed build at run 18, and a failing test in the last two.
      const seconds = i === 12 ? 14 : 2 + (i % 5) * 0.25;
      const report = runResults(i, at, seconds, i === 18 ? "error" : "success", i >= POINTS - 2 ? "fail" : "pass", asset.asset.dbtUniqueId, test);
      await gql(`mutation($r: JSON!) { reportDbtRunResults(runResults: $r) { recorded } }`, { r: report });
    }
    // The newest attempt at orders fails: its status is FAILED (a failure after its latest materialization).
    const failed = runResults(99, new Date(now - 60_000), 1, "error", "pass", asset.asset.dbtUniqueId, test);
    await gql(`mutation($r: JSON!) { reportDbtRunResults(runResults: $r) { recorded } }`, { r: failed });
  });

  after(async () => {
    await browser?.close();
    await serve?.stop();
  });

  test("the list shows each asset's status and last update, and the status facet filters", async () => {
    await page.goto(`${serve.baseUrl}/assets`);
    await page.locator('[data-asset-key="orders"]').waitFor();
    const ordersRow = page.locator("tr", { has: page.locator('[data-asset-key="orders"]') });
    assert.equal(await ordersRow.locator(".status-badge").getAttribute("data-status"), "FAILED");
    assert.match((await ordersRow.locator(".updated").textContent()) ?? "", /ago/);
    const neverRow = page.locator("tr", { has: page.locator('[data-asset-key="daily_revenue"]') });
    assert.equal(await neverRow.locator(".status-badge").getAttribute("data-status"), "NEVER_MATERIALIZED");

    const facet = page.locator('[data-facet="statuses"][data-value="FAILED"]');
    await facet.waitFor();
    const count = Number(await facet.locator(".facet-count").textContent());
    assert.equal(count, 1);
    await facet.click();
    await page.waitForFunction(() => /^1 asset$/.test(document.querySelector('[aria-live="polite"]')?.textContent ?? ""));
    assert.deepEqual(await page.locator("[data-asset-key]").evaluateAll((nodes) => nodes.map((n) => n.getAttribute("data-asset-key"))), ["orders"]);
    assert.match(decodeURIComponent(page.url()), /"statuses":\["FAILED"\]/);
  });

  test("the asset page shows its materializations, the runtime plot with failures marked, and a failed check", async () => {
    await page.goto(`${serve.baseUrl}/assets/orders/show`);
    const plot = page.getByTestId("runtime-plot");
    await plot.waitFor();
    assert.equal(Number(await plot.getAttribute("data-points")), POINTS + 1);
    assert.equal(Number(await plot.getAttribute("data-failures")), 2);
    assert.equal(Number(await plot.getAttribute("data-spikes")), 1, "the 14 s build among 2–3 s ones");
    assert.ok((await plot.locator("svg path, svg circle").count()) > POINTS, "marks are drawn");
    assert.equal(await page.getByTestId("asset-status").locator(".status-badge").getAttribute("data-status"), "FAILED");

    const row = page.getByTestId("checks-table").locator("tr", { hasText: "unique_orders_order_id" });
    assert.equal(await row.getByTestId("check-latest").getAttribute("data-outcome"), "FAIL");
    assert.match((await row.getByTestId("check-latest").textContent()) ?? "", /3 failing rows/);
    assert.match((await row.getByTestId("check-strip").locator("xpath=..").textContent()) ?? "", /2 of \d+ failed/);
    assert.ok((await page.getByTestId("materialization-row").count()) >= 20);
    assert.equal(await page.getByTestId("materialization-row").first().getAttribute("data-status"), "FAILURE");

    assert.equal(await page.getByTestId("asset-runs-link").getAttribute("href"), "/runs?asset=orders");

    // The lineage coloured by status: orders failed, and what it feeds and is not built since is held back.
    await page.getByRole("button", { name: "Status", exact: true }).click();
    await page.getByTestId("status-legend").waitFor();
    assert.equal(await page.locator('[data-node-key="orders"]').getAttribute("data-status"), "FAILED");
    assert.match((await page.locator('[data-node-key="orders"] > title').textContent()) ?? "", /^orders: failed, updated (just now|\d+ (min|h|d) ago)/);
    const held = await page.locator('[data-behind-failure="true"]').evaluateAll((nodes) => nodes.map((n) => n.getAttribute("data-node-key")));
    assert.ok(held.includes("daily_revenue"), `held back: ${held.join(", ")}`);
    assert.ok(!held.includes("stg_shopify__orders"), "upstream of the failure is not held back by it");
    assert.match(page.url(), /colour=status/);
  });

  test("a run launched from the asset page streams its log live, then ends in the runs list", async () => {
    await page.goto(`${serve.baseUrl}/assets/country_codes/show`);
    await page.getByTestId("materialize").click();
    await page.waitForURL(/\/runs\/[^/]+\/show$/);
    const runId = decodeURIComponent(/\/runs\/([^/]+)\/show$/.exec(page.url())![1]!);
    // Lines arrive over the stream while dbt still runs (dbt takes seconds to start).
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="log-count"]')?.textContent?.replace(/\D/g, "") ?? 0) > 0);
    const statusWhileFirstLines = await page.getByTestId("run-status").getAttribute("data-state");
    assert.notEqual(statusWhileFirstLines, "SUCCEEDED", "the first lines came before the run ended");
    await page.waitForFunction(() => document.querySelector('[data-testid="run-status"]')?.getAttribute("data-state") === "SUCCEEDED", null, { timeout: 120_000 });
    const lines = Number((await page.getByTestId("log-count").textContent())?.replace(/\D/g, ""));
    assert.ok(lines > 3, `the whole log arrived (${lines} lines)`);
    assert.match((await page.getByTestId("run-logs").textContent()) ?? "", /succeeded/);
    assert.equal(await page.getByTestId("run-step").first().getAttribute("data-status"), "SUCCEEDED");

    await page.goto(`${serve.baseUrl}/runs`);
    const row = page.locator(`[data-testid="run-row"][data-run-id="${runId}"]`);
    await row.waitFor();
    assert.equal(await row.getAttribute("data-status"), "SUCCEEDED");
    assert.match((await row.textContent()) ?? "", /person/);
    assert.match((await row.textContent()) ?? "", /country_codes/);
    // The asset filter (the asset page's Runs link) keeps only runs that targeted the asset.
    await page.goto(`${serve.baseUrl}/runs?asset=dim_countries`);
    await page.getByTestId("runs-page").getByText(/No run matches|\d+ runs?/).first().waitFor();
    await page.waitForFunction((id) => !document.querySelector(`[data-run-id="${id}"]`), runId);
    await page.goto(`${serve.baseUrl}/runs?asset=country_codes`);
    await row.waitFor();
    for (const text of await page.getByTestId("run-row").allTextContents()) assert.match(text, /country_codes/);
        // The status filter keeps it among succeeded runs and drops it among failed ones.
    await page.locator('[data-run-status-filter="FAILED"]').click();
    await page.waitForFunction((id) => !document.querySelector(`[data-run-id="${id}"]`), runId);
    assert.match(page.url(), /status=FAILED/);
  });

  test("assets ticked in the list are launched as one run", async () => {
    await page.goto(`${serve.baseUrl}/assets`);
    await page.locator('[data-select-key="channel_mapping"]').check();
    await page.locator('[data-select-key="country_codes"]').check();
    assert.match((await page.getByTestId("launch-selection").textContent()) ?? "", /2 assets selected/);
    await page.getByTestId("launch-selected").click();
    await page.waitForURL(/\/runs\/[^/]+\/show$/);
    await page.getByTestId("run-step").first().waitFor();
    const keys = await page.getByTestId("run-step").first().locator("a").allTextContents();
    assert.deepEqual([...keys].sort(), ["channel_mapping", "country_codes"]);
    await page.waitForFunction(() => document.querySelector('[data-testid="run-status"]')?.getAttribute("data-state") === "SUCCEEDED", null, { timeout: 120_000 });
  });

  test("without a token whose role may launch, the buttons give way to the reason and a way to use a token", async (t) => {
    if (token === null) return t.skip("this build has no API tokens: every caller may launch");
    const anonymous = await newPage(browser, errors);
    await anonymous.goto(`${serve.baseUrl}/assets/country_codes/show`);
    await anonymous.getByTestId("launch-unavailable").waitFor();
    assert.equal(await anonymous.getByTestId("materialize").count(), 0, "no Materialize button for a caller who may not launch");
    const refused = await fetch(`${serve.baseUrl}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: `mutation { launchRun(assetKeys: ["country_codes"]) { run { id } } }` }),
    });
    const body = (await refused.json()) as { errors?: { extensions?: { code?: string } }[] };
    assert.ok(body.errors?.[0]?.extensions?.code, "the server refuses the launch itself, not only the UI");
    await anonymous.getByTestId("token-button").click();
    await anonymous.getByTestId("token-input").fill(token);
    await anonymous.getByTestId("token-save").click();
    await anonymous.getByTestId("materialize").waitFor();
    await anonymous.close();
  });

  test("a launch of what nothing builds is refused, with the reason", async () => {
    await page.goto(`${serve.baseUrl}/assets/${encodeURIComponent("shopify/order")}/show`);
    await page.getByTestId("materialize").click();
    await page.getByText(/Nothing could be launched/).waitFor();
    assert.match(page.url(), /\/assets\//, "no run page opened");
  });

  test("what a new user saw: paths wrap between names, the impact headline adds up, dbt and DuckDB marks differ, the graph fills its canvas", async () => {
    await page.goto(`${serve.baseUrl}/assets/daily_revenue/show`);
    const definedIn = page.getByTestId("defined-in");
    await definedIn.waitFor();
    for (const width of [1280, 1440]) {
      await page.setViewportSize({ width, height: 900 });
      // "_finance.yml" sits on one line: the path breaks after a "/", never inside a name.
      const lines = await definedIn.evaluate((code) => {
        const text = code.textContent ?? "";
        const range = document.createRange();
        const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
          const at = (node.textContent ?? "").indexOf("_finance.yml");
          if (at >= 0) {
            range.setStart(node, at);
            range.setEnd(node, at + "_finance.yml".length);
            return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
          }
        }
        return text;
      });
      assert.equal(lines, 1, `at ${width} px`);
    }
    // Test badges stay inside the columns card (the table fits instead of scrolling them out of sight).
    await page.goto(`${serve.baseUrl}/assets/customers/show`);
    const columns = page.getByTestId("columns-table");
    await columns.waitFor();
    for (const width of [1280, 1440]) {
      await page.setViewportSize({ width, height: 900 });
      const clipped = await columns.evaluate((table) => {
        const card = table.closest("section")!.getBoundingClientRect();
        return [...table.querySelectorAll(".MuiChip-root")].filter((chip) => chip.getBoundingClientRect().right > card.right - 1).map((chip) => chip.textContent);
      });
      assert.deepEqual(clipped, [], `badges cut at the card edge at ${width} px`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });

    await page.goto(`${serve.baseUrl}/assets/orders/show`);
    const impact = (await page.getByTestId("impact-sentence").textContent()) ?? "";
    assert.match(impact, /^\d+ downstream assets?(, including | ?: )\d+ exposure/, impact);

    const scene = page.getByTestId("lineage-scene");
    await page.locator('[data-node-key="customers"]').waitFor();
    await page.waitForTimeout(200);
    const fill = await scene.evaluate((g) => {
      const svg = (g as unknown as SVGGElement).ownerSVGElement!.getBoundingClientRect();
      const box = g.getBoundingClientRect();
      return { width: box.width / svg.width, height: box.height / svg.height, canvas: svg.height };
    });
    assert.ok(Math.max(fill.width, fill.height) >= 0.85, `the fitted graph fills its canvas: ${JSON.stringify(fill)}`);
    assert.ok(Math.min(fill.width, fill.height) >= 0.6, `no wide empty band: ${JSON.stringify(fill)}`);

    await page.goto(`${serve.baseUrl}/assets`);
    await page.locator('[data-asset-key="orders"]').waitFor();
    const marks = page.locator("tr", { has: page.locator('[data-asset-key="orders"]') }).locator(".asset-marks > span");
    const radii = await marks.evaluateAll((spans) => spans.map((span) => getComputedStyle(span).borderRadius));
    assert.equal(radii.length, 2);
    assert.notEqual(radii[0], radii[1], "the dbt mark is round, the DuckDB mark square");
  });

  test("no uncaught errors in the browser", () => {
    assert.deepEqual(errors, []);
  });
});
