/**
 * End-to-end: the asset page's tool state and history, in Debian's Chromium, against a real `tributary serve` of
 * demo-project wired to a Fivetran account and a Census workspace on their simulators (tributary.yaml with
 * `${ENV}` secrets, observers on). Syncs are run through the simulators as the tools' own schedules would, and the
 * page is checked once the server has observed them. With TOOL_STATE_SCREENSHOTS=<dir> it also photographs the
 * panels at 1440 and 1024 px wide.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { startSimulatedCensus, TEST_CENSUS_KEY, type SimulatedCensus } from "../../connectors/census/test-support.ts";
import { startSimulatedAccount, TEST_API_KEY, TEST_API_SECRET, type SimulatedAccount } from "../../connectors/fivetran/test-support.ts";
import { assetPath } from "../src/assets/paths.ts";
import { DEMO_PROJECT, launchBrowser, newPage, startServe, type ServeProcess } from "./support.ts";

const FIVETRAN_TABLE = "shopify/order";
const CENSUS_SYNC = "customers_to_crm_contacts";
const SCREENSHOTS = process.env["TOOL_STATE_SCREENSHOTS"] ?? null;

describe("asset page: tool state and history", { timeout: 120_000 }, () => {
  let fivetran: SimulatedAccount;
  let census: SimulatedCensus;
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;
  let dir: string;
  const errors: string[] = [];

  /** Asks the server until `ready` holds for the answer (the observers poll every 0.2 s). */
  async function untilServer(what: string, query: string, ready: (data: Record<string, unknown>) => boolean, ms = 20_000): Promise<void> {
    const deadline = Date.now() + ms;
    for (;;) {
      const response = await fetch(`${serve.baseUrl}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query }) });
      const body = (await response.json()) as { data?: Record<string, unknown> };
      if (body.data && ready(body.data)) return;
      if (Date.now() > deadline) throw new Error(`the server did not show ${what} in ${ms} ms: ${JSON.stringify(body)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /**
   * At 1440 and 1024 px wide: nothing in the panel scrolls sideways or spills out of it. With
   * TOOL_STATE_SCREENSHOTS set, photographs it at both widths too.
   */
  async function checkLayout(name: string, testId: string) {
    for (const width of [1440, 1024]) {
      await page.setViewportSize({ width, height: 900 });
      const panel = page.getByTestId(testId);
      await panel.scrollIntoViewIfNeeded();
      const overflowing = await panel.evaluate((root) => {
        const box = root.getBoundingClientRect();
        return [root, ...root.querySelectorAll("*")]
          .filter((node) => node.scrollWidth > node.clientWidth + 1 && getComputedStyle(node).overflowX !== "visible" || node.getBoundingClientRect().right > box.right + 1)
          .map((node) => `${node.tagName.toLowerCase()}.${node.className}`.slice(0, 80));
      });
      assert.deepEqual(overflowing, [], `${testId} overflows at ${width} px`);
      if (SCREENSHOTS !== null) {
        mkdirSync(SCREENSHOTS, { recursive: true });
        await panel.screenshot({ path: join(SCREENSHOTS, `${name}-${width}.png`) });
        await page.screenshot({ path: join(SCREENSHOTS, `${name}-page-${width}.png`), fullPage: true });
      }
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  }

  before(async () => {
    browser = await launchBrowser();
    fivetran = await startSimulatedAccount({ rowsPerSync: 5 });
    census = await startSimulatedCensus();
    dir = mkdtempSync(join(tmpdir(), "tributary-ui-tool-state-"));
    const config = join(dir, "tributary.yaml");
    writeFileSync(
      config,
      [
        "fivetran:",
        "  accounts:",
        "    - name: fivetran",
        "      api_key: ${E2E_FIVETRAN_KEY}",
        "      api_secret: ${E2E_FIVETRAN_SECRET}",
        `      base_url: ${fivetran.simulator.url}`,
        // A simulator's connectors have no dashboard links unless the account says where its dashboard is.
        "      dashboard_url: https://fivetran.example.test",
        "      observe_interval_seconds: 0.2",
        "census:",
        "  workspaces:",
        "    - name: census",
        "      api_key: ${E2E_CENSUS_TOKEN}",
        `      base_url: ${census.simulator.url}`,
        "      observe_interval_seconds: 0.2",
        "",
      ].join("\n"),
    );
    serve = await startServe([...DEMO_PROJECT, "--config", config], "tool-state", {
      scheduler: true,
      freshStore: true,
      // The embedded store, whatever the machine's DATABASE_URL: the history must start empty.
      env: { E2E_FIVETRAN_KEY: TEST_API_KEY, E2E_FIVETRAN_SECRET: TEST_API_SECRET, E2E_CENSUS_TOKEN: TEST_CENSUS_KEY, DATABASE_URL: "" },
    });
    page = await newPage(browser, errors);
  });

  after(async () => {
    await browser?.close();
    await serve?.stop();
    await fivetran?.close();
    await census?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("a Fivetran table's page shows its connector: sync state, setup, links", async () => {
    await page.goto(`${serve.baseUrl}${assetPath(FIVETRAN_TABLE)}`);
    const panel = page.getByTestId("fivetran-panel");
    await panel.waitFor();
    const state = await panel.getByTestId("fivetran-sync-state").getAttribute("data-state");
    assert.match(state ?? "", /^(scheduled|syncing|paused|rescheduled)$/);
    assert.match((await panel.textContent()) ?? "", new RegExp(`${state}.*connected.*shopify_connector`, "s"));
    assert.match((await panel.getByTestId("fivetran-connector-link").getAttribute("href")) ?? "", /^https:\/\/fivetran\.example\.test\/dashboard\/connectors\//);
    assert.match((await panel.getByTestId("fivetran-logs-link").getAttribute("href")) ?? "", /^https?:\/\//);
    assert.equal(await panel.getByTestId("fivetran-logs-link").getAttribute("rel"), "noopener noreferrer");
  });

  test("the history lists the materialization once a Fivetran sync has been observed", async () => {
    const history = page.locator("#history-title").locator("xpath=ancestor::section[1]");
    await history.getByText("Never materialized").waitFor();

    const sync = await fivetran.simulator.runScheduledSync("shopify_connector");
    await untilServer("the observed sync", `{ asset(key: "${FIVETRAN_TABLE}") { materializations(first: 1) { id } } }`, (data) =>
      ((data["asset"] as { materializations: unknown[] }).materializations.length > 0),
    );
    await page.reload();
    const row = history.getByTestId("materialization-row").first();
    await row.waitFor();
    assert.equal(await row.getAttribute("data-status"), "SUCCESS");
    assert.equal(await row.getAttribute("data-tool"), "fivetran");
    assert.match((await row.textContent()) ?? "", /Fivetran schedule.*shopify_connector@.*success/s);
    assert.equal(await row.locator("time").getAttribute("datetime"), new Date(sync.finishedAt).toISOString());
    // The connector panel follows: its last success is the observed sync.
    assert.match((await page.getByTestId("fivetran-panel").textContent()) ?? "", /Last success\s*(just now|\d+ (sec|min)\.? ago)/);
    // A scheduled sync reports no start, so there is no duration to plot yet: the trend says so.
    await page.getByTestId("runtime-empty").waitFor();
    await checkLayout("fivetran-panel", "fivetran-panel");
    await checkLayout("history-panel", "history-panel");
  });

  test("a Census sync's page shows its mappings, and an observed run with its counts", async () => {
    await page.goto(`${serve.baseUrl}${assetPath(CENSUS_SYNC)}`);
    const panel = page.getByTestId("census-panel");
    await panel.waitFor();
    assert.ok((await panel.getByTestId("census-mapping").count()) > 0, "field mappings are listed");
    assert.ok((await panel.locator('[data-testid="census-mapping"][data-primary="true"]').count()) >= 1, "the primary identifier is marked");
    assert.match((await panel.getByTestId("census-flow").textContent()) ?? "", /Source.*customers.*Destination.*contacts/s);
    assert.match((await panel.getByTestId("census-sync-link").getAttribute("href")) ?? "", /^https?:\/\/.+\/syncs\/101\//);
    await panel.getByTestId("census-runs-empty").waitFor();
    // A Census sync has no dbt tests to add: its empty checks panel does not suggest it.
    const checks = page.locator("#checks-title").locator("xpath=ancestor::section[1]");
    assert.doesNotMatch((await checks.textContent()) ?? "", /Add dbt tests/);
    assert.match((await checks.textContent()) ?? "", /Checks come from dbt tests/);

    await census.simulator.runScheduledSync(101);
    await untilServer("the observed run", `{ asset(key: "${CENSUS_SYNC}") { census { lastRuns(first: 1) { status } } } }`, (data) =>
      ((data["asset"] as { census: { lastRuns: unknown[] } }).census.lastRuns.length > 0),
    );
    await page.reload();
    const run = page.getByTestId("census-run").first();
    await run.waitFor();
    assert.equal(await run.getAttribute("data-status"), "completed");
    assert.match((await run.getByTestId("census-run-processed").textContent()) ?? "", /^\d[\d,]*$/);
    assert.match((await run.textContent()) ?? "", /completed.*by Census/s);
    await page.getByTestId("history-panel").getByTestId("materialization-row").first().waitFor();
    await checkLayout("census-panel", "census-panel");
  });

  test("column descriptions render as compact Markdown", async () => {
    await page.goto(`${serve.baseUrl}${assetPath("orders")}`);
    const columns = page.getByTestId("columns-table");
    const channel = columns.locator("tbody tr").filter({ has: page.getByText("sales_channel", { exact: true }) });
    await channel.waitFor();
    assert.deepEqual(await channel.locator(".markdown-compact code").allTextContents(), ["web", "pos"]);
    // One line per short description: the paragraph keeps no margins of its own.
    assert.equal(await channel.locator(".markdown-compact p").evaluate((p) => getComputedStyle(p).marginBottom), "0px");
    // GitHub-flavoured tables, as dbt docs blocks write them (financial_status's docs block is one).
    const status = columns.locator("tbody tr").filter({ has: page.getByText("financial_status", { exact: true }) });
    const table = status.locator(".markdown-compact table");
    await table.waitFor();
    assert.deepEqual(await table.locator("th").allTextContents(), ["status", "meaning"]);
    assert.equal(await table.locator("tbody tr").count(), 5);
    if (SCREENSHOTS !== null) await columns.screenshot({ path: join(SCREENSHOTS, "columns-1440.png") });
  });

  test("no uncaught errors in the browser, and no secret on the pages", async () => {
    const html = await page.content();
    for (const secret of [TEST_API_KEY, TEST_API_SECRET, TEST_CENSUS_KEY]) assert.ok(!html.includes(secret));
    assert.deepEqual(errors, []);
  });
});
