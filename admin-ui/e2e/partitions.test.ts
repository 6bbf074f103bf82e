/**
 * End-to-end: the partitions bar and a backfill, in Debian's Chromium against a real `tributary serve` of
 * demo-project (real dbt on DuckDB, a warehouse file of its own, the runs engine and its partition queue). Only
 * stg_shopify__customers is built beforehand (stg_shopify__orders' relationships test reads it). An operator
 * drags across the first two partitions of country_revenue_daily (daily, vars min_date/max_date) and launches the
 * backfill; it is refused, naming stg_shopify__orders (unpartitioned, never built, read by every partition), and
 * the operator builds it first from the refusal; the backfill page shows that run and then each partition until
 * all succeeded, and the bar shows them materialized. A partition clicked alone then backfills with no upstream
 * run. A caller without a token sees the reason instead of the button.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { DEMO_PROJECT, launchBrowser, newPage, ROOT, startServe, type ServeProcess } from "./support.ts";

const DATA_DIR_NAME = "partitions-test";

describe("partitions bar and backfill page", { timeout: 900_000 }, () => {
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;
  let token: string | null = null;
  const errors: string[] = [];

  before(async () => {
    browser = await launchBrowser();
    const dataDir = join(ROOT, "admin-ui", ".e2e-data", DATA_DIR_NAME);
    rmSync(dataDir, { recursive: true, force: true });
    const made = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "server", "cli.ts"), "token", "create", "--role", "operator", "--name", "e2e", "--data-dir", dataDir], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, TRIBUTARY_LOG_LEVEL: "warn" },
    });
    if (made.status !== 0) throw new Error(`tributary token create failed: ${made.stderr}`);
    token = made.stdout.trim();
    // A warehouse of its own, empty: nothing is built yet, whatever other tests built in demo-project's.
    serve = await startServe(DEMO_PROJECT, DATA_DIR_NAME, { env: { TRIBUTARY_WAREHOUSE_PATH: join(dataDir, "warehouse.duckdb") } });
    page = await newPage(browser, errors);
    await page.addInitScript((value) => window.localStorage.setItem("tributary.token", value), token);
    // stg_shopify__orders' relationships test reads stg_shopify__customers: built first, so that building
    // stg_shopify__orders (its data tests included) can succeed. stg_shopify__orders itself stays unbuilt.
    const gql = async <T>(query: string): Promise<T> => {
      const response = await fetch(`${serve.baseUrl}/graphql`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify({ query }) });
      const body = (await response.json()) as { data?: T; errors?: unknown[] };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data!;
    };
    const launched = await gql<{ launchRun: { run: { id: string } } }>(`mutation { launchRun(assetKeys: ["stg_shopify__customers"]) { run { id } } }`);
    for (let status = "QUEUED"; status === "QUEUED" || status === "RUNNING"; ) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      status = (await gql<{ run: { status: string } }>(`{ run(id: "${launched.launchRun.run.id}") { status } }`)).run.status;
      if (status !== "QUEUED" && status !== "RUNNING" && status !== "SUCCEEDED") throw new Error(`building stg_shopify__customers: ${status}`);
    }
  });

  /** Waits until the backfill page shows an ended backfill, and returns its status and each partition's. */
  const backfillEnded = async () => {
    await page.waitForFunction(() => ["SUCCEEDED", "FAILED", "CANCELED"].includes(document.querySelector('[data-testid="backfill-page"]')?.getAttribute("data-status") ?? ""), null, {
      timeout: 600_000,
    });
    const status = await page.getByTestId("backfill-page").getAttribute("data-status");
    const rows = await page.getByTestId("backfill-partition").evaluateAll((nodes) => nodes.map((n) => [n.getAttribute("data-key"), n.getAttribute("data-status"), n.textContent]));
    return { status, rows };
  };

  /**
   * The bar's box once the page has stopped moving it: scrolled into view, then read until two reads 300 ms apart
   * agree. Panels above it (lineage, history) finish loading after the bar appears and push it down; on a busy
   * machine that can land between reading the box and a pointer gesture, which then misses the bar (CI saw the
   * drag select nothing and the tooltip never show).
   */
  const settledBox = async (bar: ReturnType<Page["getByTestId"]>) => {
    let previous: string | null = null;
    for (const started = Date.now(); Date.now() - started < 30_000; ) {
      await bar.scrollIntoViewIfNeeded();
      const box = (await bar.boundingBox())!;
      const now = JSON.stringify(box);
      if (now === previous) return box;
      previous = now;
      await page.waitForTimeout(300);
    }
    throw new Error("the partitions bar kept moving for 30 s");
  };

  /** Waits until the line under the bar says `text`. */
  const selected = (text: string) =>
    page.waitForFunction((expected) => document.querySelector('[data-testid="partitions-selected"]')?.textContent === expected, text, { timeout: 10_000 });

  after(async () => {
    await browser?.close();
    await serve?.stop();
  });

  test("drag across two partitions, build the unbuilt upstream first, follow each partition, and see them materialized", async () => {
    await page.goto(`${serve.baseUrl}/assets/country_revenue_daily/show`);
    const bar = page.getByTestId("partitions-bar");
    await bar.waitFor();
    // Nothing built yet: one missing range over every partition since 2026-09-01.
    const states = await page.getByTestId("partition-range").evaluateAll((nodes) => nodes.map((n) => [n.getAttribute("data-state"), n.getAttribute("data-first")]));
    assert.deepEqual(states, [["MISSING", "2026-09-01"]]);
    const total = Number((await page.getByTestId("partitions-legend").locator('[data-state="MISSING"]').getAttribute("data-count")) ?? "0");
    assert.ok(total > 60, `partitions since 2026-09-01: ${total}`);
    // Drag from the middle of the first partition to the middle of the second.
    const box = await settledBox(bar);
    const x = (i: number) => box.x + ((i + 0.5) / total) * box.width;
    const y = box.y + box.height / 2;
    await page.mouse.move(x(0), y);
    await page.mouse.down();
    await page.mouse.move(x(1), y, { steps: 4 });
    await page.mouse.up();
    await selected("Selected 2026-09-01 … 2026-09-02 (2 partitions)");
    // The tooltip names the partition under the pointer and its state (pointed at again: on a busy machine the
    // selection's re-render could land after the last move and leave no hover).
    const settled = await settledBox(bar);
    await page.mouse.move(settled.x + ((1 + 0.5) / total) * settled.width + 1, settled.y + settled.height / 2);
    const tooltip = page.getByTestId("partition-tooltip");
    assert.deepEqual([await tooltip.getAttribute("data-key"), await tooltip.getAttribute("data-state")], ["2026-09-02", "MISSING"]);
    assert.match((await tooltip.textContent()) ?? "", /2026-09-02\s*missing/);

    // Refused: every partition reads stg_shopify__orders, which was never built.
    await page.getByTestId("launch-backfill").click();
    const refusal = page.getByTestId("backfill-upstream-unbuilt");
    await refusal.waitFor();
    assert.match((await refusal.textContent()) ?? "", /country_revenue_daily reads stg_shopify__orders: not partitioned and never materialized.*tributary materialize stg_shopify__orders/);
    assert.equal(await page.getByTestId("asset-backfill").count(), 0);
    await page.getByTestId("launch-backfill-build-upstream").click();
    await page.waitForURL(/\/backfills\/[^/]+\/show$/);
    await page.getByTestId("backfill-cells").waitFor();
    assert.deepEqual(await page.getByTestId("backfill-cell").evaluateAll((nodes) => nodes.map((n) => n.getAttribute("data-key"))), ["2026-09-01", "2026-09-02"]);
    assert.match((await page.getByTestId("backfill-upstream").textContent()) ?? "", /stg_shopify__orders/);
    const first = await backfillEnded();
    assert.equal(first.status, "SUCCEEDED", JSON.stringify(first.rows));
    assert.equal(await page.getByTestId("backfill-upstream").getAttribute("data-status"), "SUCCEEDED");
    assert.deepEqual(
      first.rows.map(([key, status]) => [key, status]),
      [
        ["", "SUCCEEDED"],
        ["2026-09-01", "SUCCEEDED"],
        ["2026-09-02", "SUCCEEDED"],
      ],
    );
    assert.match((await page.getByTestId("backfill-counts").textContent()) ?? "", /^2 of 2 partitions succeeded/);
    // Each run is linked: the upstream's and each partition's.
    const runLinks = await page.getByTestId("backfill-partition").locator("a").evaluateAll((nodes) => nodes.map((n) => n.getAttribute("href")));
    assert.equal(runLinks.filter((href) => href?.startsWith("/runs/")).length, 3);

    await page.goto(`${serve.baseUrl}/assets/country_revenue_daily/show`);
    await bar.waitFor();
    const after = await page.getByTestId("partition-range").evaluateAll((nodes) => nodes.map((n) => [n.getAttribute("data-state"), n.getAttribute("data-first"), n.getAttribute("data-last")]));
    assert.deepEqual(after[0], ["MATERIALIZED", "2026-09-01", "2026-09-02"]);
    assert.equal(after[1]?.[0], "MISSING");
    await page.getByTestId("asset-backfill").first().waitFor();

    // stg_shopify__orders is built now: a partition clicked alone backfills at once, with no upstream run.
    const again = await settledBox(bar);
    await page.mouse.click(again.x + ((4 + 0.5) / total) * again.width, again.y + again.height / 2);
    await selected("Selected 2026-09-05 (1 partition)");
    await page.getByTestId("launch-backfill").click();
    await page.waitForURL(/\/backfills\/[^/]+\/show$/);
    await page.getByTestId("backfill-cells").waitFor();
    assert.deepEqual(await page.getByTestId("backfill-cell").evaluateAll((nodes) => nodes.map((n) => n.getAttribute("data-key"))), ["2026-09-05"]);
    assert.equal(await page.getByTestId("backfill-upstream").count(), 0);
    const second = await backfillEnded();
    assert.equal(second.status, "SUCCEEDED", JSON.stringify(second.rows));
    assert.deepEqual(errors, []);
  });

  test("without a token whose role may launch, the reason shows instead of the button", async () => {
    const anonymous = await newPage(browser, errors);
    await anonymous.goto(`${serve.baseUrl}/assets/orders_by_channel_daily/show`);
    await anonymous.getByTestId("partitions-bar").waitFor();
    await anonymous.getByTestId("backfill-unavailable").waitFor();
    assert.equal(await anonymous.getByTestId("launch-backfill").count(), 0);
    assert.match((await anonymous.getByTestId("partitions-panel").textContent()) ?? "", /--event-time-start\/--event-time-end \(dbt microbatch\)/);
  });
});
