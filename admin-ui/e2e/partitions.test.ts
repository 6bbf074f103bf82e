/**
 * End-to-end: the partitions bar and a backfill, in Debian's Chromium against a real `tributary serve` of
 * demo-project (real dbt on DuckDB, the runs engine and its partition queue). An operator drags across the
 * first two partitions of country_revenue_daily (daily, vars min_date/max_date), launches the backfill, follows
 * it on the backfill page until both partitions succeeded, and finds them materialized on the bar; a caller
 * without a token sees the reason instead of the button.
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
    serve = await startServe(DEMO_PROJECT, DATA_DIR_NAME);
    page = await newPage(browser, errors);
    await page.addInitScript((value) => window.localStorage.setItem("tributary.token", value), token);
    // A partition reads the staging view: it is built first (a backfill builds only the partitioned assets).
    const gql = async <T>(query: string): Promise<T> => {
      const response = await fetch(`${serve.baseUrl}/graphql`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify({ query }) });
      return ((await response.json()) as { data: T }).data;
    };
    const launched = await gql<{ launchRun: { run: { id: string } } }>(`mutation { launchRun(assetKeys: ["stg_shopify__orders"]) { run { id } } }`);
    for (let status = ""; status !== "SUCCEEDED"; ) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      status = (await gql<{ run: { status: string } }>(`{ run(id: "${launched.launchRun.run.id}") { status } }`)).run.status;
      if (status === "FAILED" || status === "CANCELED") throw new Error(`building stg_shopify__orders ${status}`);
    }
  });

  after(async () => {
    await browser?.close();
    await serve?.stop();
  });

  test("drag across two partitions, backfill them, follow each partition, and see them materialized", async () => {
    await page.goto(`${serve.baseUrl}/assets/country_revenue_daily/show`);
    const bar = page.getByTestId("partitions-bar");
    await bar.waitFor();
    // Nothing built yet: one missing range over every partition since 2026-09-01.
    const states = await page.getByTestId("partition-range").evaluateAll((nodes) => nodes.map((n) => [n.getAttribute("data-state"), n.getAttribute("data-first")]));
    assert.deepEqual(states, [["MISSING", "2026-09-01"]]);
    const total = Number((await page.getByTestId("partitions-legend").locator('[data-state="MISSING"]').getAttribute("data-count")) ?? "0");
    assert.ok(total > 60, `partitions since 2026-09-01: ${total}`);
    // Drag from the middle of the first partition to the middle of the second.
    await bar.scrollIntoViewIfNeeded();
    const box = (await bar.boundingBox())!;
    const x = (i: number) => box.x + ((i + 0.5) / total) * box.width;
    await page.mouse.move(x(0), box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(x(1), box.y + box.height / 2, { steps: 4 });
    await page.mouse.up();
    await page.getByTestId("partitions-selected").getByText("Selected 2026-09-01 … 2026-09-02 (2 partitions)").waitFor();
    await page.getByTestId("launch-backfill").click();
    await page.waitForURL(/\/backfills\/[^/]+\/show$/);
    await page.getByTestId("backfill-cells").waitFor();
    assert.deepEqual(await page.getByTestId("backfill-cell").evaluateAll((nodes) => nodes.map((n) => n.getAttribute("data-key"))), ["2026-09-01", "2026-09-02"]);
    await page.waitForFunction(() => document.querySelector('[data-testid="backfill-page"]')?.getAttribute("data-status") === "SUCCEEDED", null, { timeout: 600_000 });
    assert.deepEqual(await page.getByTestId("backfill-partition").evaluateAll((nodes) => nodes.map((n) => n.getAttribute("data-status"))), ["SUCCEEDED", "SUCCEEDED"]);
    assert.match((await page.getByTestId("backfill-counts").textContent()) ?? "", /^2 of 2 partitions succeeded/);
    // Each partition's run is linked, and its run page says which partition it built.
    const runLinks = await page.getByTestId("backfill-partition").locator("a").evaluateAll((nodes) => nodes.map((n) => n.getAttribute("href")));
    assert.equal(runLinks.filter((href) => href?.startsWith("/runs/")).length, 2);

    await page.goto(`${serve.baseUrl}/assets/country_revenue_daily/show`);
    await bar.waitFor();
    const after = await page.getByTestId("partition-range").evaluateAll((nodes) => nodes.map((n) => [n.getAttribute("data-state"), n.getAttribute("data-first"), n.getAttribute("data-last")]));
    assert.deepEqual(after[0], ["MATERIALIZED", "2026-09-01", "2026-09-02"]);
    assert.equal(after[1]?.[0], "MISSING");
    await page.getByTestId("asset-backfill").first().waitFor();
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
