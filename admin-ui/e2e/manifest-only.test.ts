/**
 * End-to-end: the web catalog against a plain `--manifest` catalog (no dbt project, no Fivetran or Census):
 * a real public project's manifest from shared/fixtures, read in place, served by the real CLI.
 */
import assert from "node:assert/strict";
import { mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, newPage, startServe, type ServeProcess } from "./support.ts";
import { sharedFixture } from "../../scripts/shared-fixtures.ts";

/** matsonj/nba-monte-carlo (dbt 1.9, DuckDB): 67 models, 12 sources; its catalog.json lies beside it. */
const FIXTURE = sharedFixture("manifests", "nba-monte-carlo-v12-duckdb");

/**
 * A target/ folder as `dbt docs generate` and `dbt source freshness` leave it: the fixture's manifest and
 * catalog (linked, read in place) and a sources.json with one checked source.
 */
function targetFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), "tributary-manifest-only-"));
  symlinkSync(join(FIXTURE, "manifest.json"), join(dir, "manifest.json"));
  symlinkSync(join(FIXTURE, "catalog.json"), join(dir, "catalog.json"));
  const checkedAt = new Date(Date.now() - 3_600_000).toISOString();
  writeFileSync(
    join(dir, "sources.json"),
    JSON.stringify({
      metadata: { dbt_schema_version: "https://schemas.getdbt.com/dbt/sources/v3.json", generated_at: checkedAt },
      results: [
        {
          unique_id: "source.sports_sims.nba.nba_schedule",
          status: "warn",
          max_loaded_at: new Date(Date.now() - 15 * 3_600_000).toISOString(),
          snapshotted_at: checkedAt,
          max_loaded_at_time_ago_in_s: 14 * 3600,
          criteria: { warn_after: { count: 12, period: "hour" }, error_after: { count: 24, period: "hour" }, filter: null },
        },
      ],
    }),
  );
  return join(dir, "manifest.json");
}

describe("web catalog on a plain --manifest catalog", { timeout: 120_000 }, () => {
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  before(async () => {
    browser = await launchBrowser();
    serve = await startServe(["--manifest", targetFolder()], "manifest-only-test");
    page = await newPage(browser, errors);
  });

  after(async () => {
    await browser?.close();
    await serve?.stop();
  });

  test("the list pages through the manifest's assets, and its facets hold only the tools it has", async () => {
    await page.goto(`${serve.baseUrl}/assets`);
    await page.locator("[data-asset-key]").first().waitFor();
    const count = (await page.locator('[aria-live="polite"]').textContent()) ?? "";
    const total = Number(count.replace(/\D/g, ""));
    assert.ok(total > 50, `the catalog holds ${count}`);
    assert.equal(await page.locator("[data-asset-key]").count(), 50, "a first page of 50");
    await page.getByRole("button", { name: "Go to next page" }).click();
    await page.waitForURL(/page=2/);
    await page.waitForFunction((expected) => document.querySelectorAll("[data-asset-key]").length === expected, Math.min(50, total - 50));
    // Only dbt and DuckDB here: no Fivetran or Census facet values to show.
    const kinds = await page.locator('[data-facet="kinds"]').evaluateAll((nodes) => nodes.map((n) => n.getAttribute("data-value")));
    assert.ok(kinds.includes("dbt") && !kinds.includes("fivetran") && !kinds.includes("census"), `kinds: ${kinds.join(", ")}`);
  });

  test("an asset page has its columns, lineage and designed empty history, with no tool panel", async () => {
    await page.goto(`${serve.baseUrl}/assets`);
    const first = page.locator("[data-asset-key]").first();
    await first.waitFor();
    const key = (await first.getAttribute("data-asset-key")) ?? "";
    await first.click();
    await page.getByTestId("asset-key").filter({ hasText: key }).waitFor();
    await page.locator(".lineage-node").first().waitFor();
    assert.equal(await page.getByTestId("fivetran-panel").count(), 0);
    assert.equal(await page.getByTestId("census-panel").count(), 0);
    const history = page.locator("#history-title").locator("xpath=ancestor::section[1]");
    assert.match((await history.textContent()) ?? "", /Never materialized/);
    assert.equal(await page.title(), `${key} · Tributary`);
  });

  test("the catalog.json beside the manifest gives columns their warehouse types and the table its facts", async () => {
    await page.goto(`${serve.baseUrl}/assets/initialize_seeding/show`);
    const panel = page.getByTestId("warehouse-panel");
    await panel.waitFor();
    assert.match((await panel.textContent()) ?? "", /Table typeBASE TABLE/);
    assert.match((await page.getByTestId("warehouse-source").textContent()) ?? "", /From dbt catalog\.json, generated .*reports no row counts/);
    const columns = page.getByTestId("columns-table");
    const row = columns.locator("tbody tr").filter({ has: page.getByText("elo_rating", { exact: true }) });
    assert.match((await row.textContent()) ?? "", /DOUBLE/);
  });

  test("the sources.json beside the manifest shows a source's freshness against its policy", async () => {
    await page.goto(`${serve.baseUrl}/assets/nba%2Fnba_schedule/show`);
    const panel = page.getByTestId("freshness-panel");
    await panel.waitFor();
    assert.equal(await panel.getByTestId("freshness-status").textContent(), "warn");
    const text = (await panel.textContent()) ?? "";
    assert.match(text, /Newest row.+ ago \(14 h old when checked\)/);
    assert.match(text, /Warn after12 hours/);
    assert.match(text, /Error after24 hours/);
    assert.match(text, /From dbt sources\.json, checked/);
  });

  test("the locations page shows the manifest's location as loaded", async () => {
    await page.goto(`${serve.baseUrl}/locations`);
    const card = page.getByTestId("location-card");
    await card.first().waitFor();
    assert.equal(await card.count(), 1);
    assert.match((await card.textContent()) ?? "", /manifest|loaded/i);
  });

  test("no uncaught errors in the browser", () => {
    assert.deepEqual(errors, []);
  });
});
