/**
 * End-to-end: the schedules page in Debian's Chromium against a real `tributary serve --config` of the
 * `scheduled` test project (real dbt on DuckDB, the real daemon and runs engine): a schedule every minute fires
 * its job, and the page shows each schedule's job and selection, its cron in words and zone, its status, its
 * next ticks in its own zone, and its latest tick's run (linked, with its status); the run names the schedule
 * as its launcher in the runs list; an operator stops and starts a schedule from the page.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, newPage, operatorToken, ROOT, startServe, type ServeProcess } from "./support.ts";

const DATA_DIR_NAME = "schedules-test";
const CONFIG = join(ROOT, "connectors", "dbt", "test-projects", "scheduled", "tributary.yaml");

describe("schedules in the web catalog", { timeout: 400_000 }, () => {
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  before(async () => {
    browser = await launchBrowser();
    const dataDir = join(ROOT, "admin-ui", ".e2e-data", DATA_DIR_NAME);
    rmSync(join(dataDir, "pgdata"), { recursive: true, force: true });
    const token = operatorToken(dataDir);
    serve = await startServe(["--config", CONFIG], DATA_DIR_NAME, { scheduler: true, env: { TRIBUTARY_TEST_DUCKDB_PATH: join(dataDir, "scheduled.duckdb") } });
    page = await newPage(browser, errors);
    if (token !== null) await page.addInitScript((value) => window.localStorage.setItem("tributary.token", value), token);
  });

  after(async () => {
    await browser?.close();
    await serve?.stop();
  });

  test("each schedule with its job, cron in words, zone, status and next ticks", async () => {
    await page.goto(`${serve.baseUrl}/schedules`);
    const everyMinute = page.locator('[data-testid="schedule-row"][data-schedule="every_minute"]');
    await everyMinute.waitFor();
    assert.equal(await everyMinute.getByTestId("schedule-when").textContent(), "Every minute");
    assert.match((await everyMinute.textContent()) ?? "", /Europe\/Copenhagen/);
    assert.equal(await everyMinute.getByTestId("schedule-selection").textContent(), "+tag:daily");
    assert.equal(await everyMinute.getByTestId("schedule-asset-count").textContent(), "2 assets");
    assert.equal(await everyMinute.getByTestId("schedule-status").getAttribute("data-status"), "RUNNING");
    assert.equal(await everyMinute.locator('[data-testid="schedule-next-ticks"] time').count(), 3);
    const stopped = page.locator('[data-testid="schedule-row"][data-schedule="hourly_stopped"]');
    assert.equal(await stopped.getByTestId("schedule-status").getAttribute("data-status"), "STOPPED");
    assert.equal(await stopped.locator('[data-testid="schedule-next-ticks"] time').count(), 0);
    assert.equal(await stopped.getByTestId("schedule-selection").textContent(), "tag:hourly");
    assert.equal(await page.getByTestId("schedule-error").count(), 0);
  });

  test("a tick's run appears with a link and its status, launched by the schedule", async () => {
    const everyMinute = page.locator('[data-testid="schedule-row"][data-schedule="every_minute"]');
    // The first tick after the server first saw the schedule: at most a minute away (the page refreshes itself).
    const link = everyMinute.getByTestId("schedule-run-link");
    await link.waitFor({ timeout: 180_000 });
    await everyMinute.locator('[data-testid="schedule-latest-tick"] [data-state="SUCCEEDED"]').waitFor({ timeout: 180_000 });
    await link.click();
    await page.waitForURL(/\/runs\/[^/]+\/show$/);
    await page.getByText(/schedule every_minute \(job daily_models\)/).first().waitFor();
    await page.goto(`${serve.baseUrl}/runs`);
    const row = page.locator('[data-testid="run-row"]').first();
    await row.waitFor();
    assert.match((await row.textContent()) ?? "", /schedule.*schedule every_minute \(job daily_models\), tick/);
  });

  test("an operator stops and starts a schedule from the page", async () => {
    await page.goto(`${serve.baseUrl}/schedules`);
    const row = page.locator('[data-testid="schedule-row"][data-schedule="hourly_stopped"]');
    await row.getByTestId("schedule-toggle").click();
    await row.locator('[data-testid="schedule-status"][data-status="RUNNING"]').waitFor();
    assert.equal(await row.locator('[data-testid="schedule-next-ticks"] time').count(), 3);
    await row.getByTestId("schedule-toggle").click();
    await row.locator('[data-testid="schedule-status"][data-status="STOPPED"]').waitFor();
  });

  test("no uncaught errors in the browser", () => {
    assert.deepEqual(errors, []);
  });
});
