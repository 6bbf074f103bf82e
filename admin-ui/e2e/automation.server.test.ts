/**
 * End-to-end: freshness targets and run savings (issue 19) and long keys in the web catalog, in Debian's Chromium
 * against the real HTTP server and GraphQL API serving the built UI, with a catalog held in memory: its events
 * (a Fivetran table synced every 10 minutes) and stored evaluations (a mart with a 30-minute interval requested
 * twice) are given to the server as a store would give them, so the figures the UI shows are the API's own.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { buildCatalogGraph } from "../../catalog/graph/build.ts";
import { definitions, spec } from "../../catalog/graph/test-specs.ts";
import { parseAutoMaterializePolicy, type AssetEvent } from "../../catalog/model/index.ts";
import { createTributaryServer, type TributaryServer } from "../../server/http.ts";
import { createLogger } from "../../server/logging.ts";
import { launchBrowser, newPage } from "./support.ts";

const INTERVAL_MART = "marts/finance/channel_mapping";
const OVERDUE_MART = "marts/finance/revenue_by_channel_and_region_daily";
const FRESH_MART = "marts/finance/orders_by_day";

const freshness = (maximumLagMinutes: number) => ({ source: "automation_condition" as const, condition: { on_freshness: { maximum_lag_minutes: maximumLagMinutes } }, declaredIn: { file: "models/marts/finance/_finance.yml", line: 1, path: null } });

describe("freshness targets, run savings and long keys in the web catalog", { timeout: 180_000 }, () => {
  let server: TributaryServer;
  let baseUrl: string;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  before(async () => {
    const fivetran = { tool: "fivetran", locationName: "fivetran", runTargetId: "connector_stripe" };
    const graph = buildCatalogGraph({
      definitions: [
        definitions("shop", [
          spec("stripe/charge", { kinds: ["fivetran"], materializer: fivetran }),
          spec(INTERVAL_MART, { deps: ["stripe/charge"], policy: parseAutoMaterializePolicy({ type: "eager", minimum_interval: "30m" }, { file: "x.yml" }).policy }),
          spec(OVERDUE_MART, { deps: ["stripe/charge"], policy: freshness(60) }),
          spec(FRESH_MART, { deps: ["stripe/charge"], policy: freshness(120) }),
        ]),
      ],
    });
    const now = Date.now();
    const ago = (minutes: number) => new Date(now - minutes * 60_000).toISOString();
    // The interval mart was requested 1 h and 2 h ago; Stripe synced every 10 minutes for 2 h.
    const evaluation = (minutes: number, requested: boolean) => ({ assetId: INTERVAL_MART, tick: 1, evaluatedAt: ago(minutes), requested, treeHash: "h", tree: { id: "r", name: "AND", label: "AND", value: requested, reason: null, children: [] } });
    const evaluations = [evaluation(60, true), evaluation(70, false), evaluation(120, true)];
    const syncs: AssetEvent[] = Array.from({ length: 12 }, (_, i) => ({
      id: i + 1, assetKey: ["stripe", "charge"], kind: "materialization", tool: "fivetran", locationName: "fivetran", runId: null,
      occurredAt: ago(5 + i * 10), dedupeKey: `sync-${i}`, metadata: {}, recordedAt: ago(5 + i * 10), tributaryRunId: null,
    }));
    // The overdue mart was last built 90 minutes ago (its target: 60), the fresh one 30 minutes ago (target: 120).
    const built = (key: string, minutes: number) => [key, { latestMaterialization: { storageId: 1, timestamp: now - minutes * 60_000, runId: null, runAssetSelection: null } }] as const;
    const state = { lastEventId: 12, assets: new Map([built(OVERDUE_MART, 90), built(FRESH_MART, 30)]) };
    server = createTributaryServer({
      catalog: {
        current: () => graph,
        automation: { evaluations: async (id: string) => (id === INTERVAL_MART ? evaluations : []), state: async () => state, cursor: async () => null },
        events: { assetEventHistory: async (key: readonly string[]) => (key.join("/") === "stripe/charge" ? syncs : []), latestAssetEvents: async () => [] },
      },
      logger: createLogger({ level: "silent" }),
      port: 0,
    });
    baseUrl = (await server.listen()).baseUrl;
    browser = await launchBrowser();
    page = await newPage(browser, errors);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const row = (key: string) => page.locator("tr", { has: page.locator(`[data-asset-key="${key}"]`) });

  test("the list marks assets with a freshness target fresh or overdue, beside their status", async () => {
    await page.goto(`${baseUrl}/assets`);
    await page.locator(`[data-asset-key="${OVERDUE_MART}"]`).waitFor();
    assert.equal(await row(OVERDUE_MART).locator("[data-freshness]").getAttribute("data-freshness"), "OVERDUE");
    assert.match((await row(OVERDUE_MART).locator("[data-freshness]").getAttribute("title")) ?? "", /at most 1 h old\. Overdue since/);
    assert.equal(await row(FRESH_MART).locator("[data-freshness]").getAttribute("data-freshness"), "FRESH");
    assert.equal(await row(INTERVAL_MART).locator("[data-freshness]").count(), 0, "no target, no badge");
  });

  test("the asset page says the target, that it is overdue and since when", async () => {
    await page.goto(`${baseUrl}/assets/${encodeURIComponent(OVERDUE_MART)}/show`);
    const panel = page.getByTestId("freshness-target");
    await panel.waitFor();
    assert.equal(await panel.locator("[data-freshness]").getAttribute("data-freshness"), "OVERDUE");
    assert.equal(await panel.getByTestId("freshness-target-sentence").textContent(), "Must be at most 1 h old at all times.");
    assert.match((await panel.textContent()) ?? "", /Age1 h 30 min/);
    assert.match((await panel.textContent()) ?? "", /Overdue since/);

    await page.goto(`${baseUrl}/assets/${encodeURIComponent(FRESH_MART)}/show`);
    await page.getByTestId("freshness-target").waitFor();
    assert.equal(await page.getByTestId("freshness-target").locator("[data-freshness]").getAttribute("data-freshness"), "FRESH");
    assert.match((await page.getByTestId("freshness-target").textContent()) ?? "", /unless materialized again/, "when it becomes overdue");
  });

  test("the asset page counts the runs its interval saved over the day and the week", async () => {
    await page.goto(`${baseUrl}/assets/${encodeURIComponent(INTERVAL_MART)}/show`);
    const day = page.getByTestId("savings-day");
    await day.waitFor();
    assert.deepEqual(
      { requested: await day.getAttribute("data-requested"), updates: await day.getAttribute("data-updates"), coalesced: await day.getAttribute("data-coalesced") },
      { requested: "2", updates: "12", coalesced: "10" },
    );
    assert.match((await page.getByTestId("run-savings").textContent()) ?? "", /2 runs requested for 12 upstream updates in the last day: 10 runs saved\./);
    assert.equal(await page.getByTestId("freshness-target").count(), 0, "no freshness target declared");
  });

  test("the runs list sums the savings of every asset with an interval", async () => {
    await page.goto(`${baseUrl}/runs`);
    const summary = page.getByTestId("run-savings-summary");
    await summary.waitFor();
    assert.match((await summary.textContent()) ?? "", /1 asset has a minimum interval or build_after/);
    assert.equal(await summary.getByTestId("savings-week").getAttribute("data-coalesced"), "10");
  });

  test("long keys in the list break after a / first, inside a name only when it is wider than the column", async () => {
    for (const width of [1600, 1400, 1100, 900, 700, 400]) {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(`${baseUrl}/assets`);
      await page.locator(`[data-asset-key="${OVERDUE_MART}"]`).waitFor();
      const lines = await page.locator("[data-asset-key]").evaluateAll((links) =>
        links.map((link) => {
          // Each character's line, read from its box: a break is where the top changes.
          const breaks: { after: string; segmentFits: boolean }[] = [];
          const text = link.textContent ?? "";
          const walker = document.createTreeWalker(link, NodeFilter.SHOW_TEXT);
          const boxes: { char: string; top: number; segment: Element }[] = [];
          for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
            for (let i = 0; i < (node.textContent ?? "").length; i++) {
              const range = document.createRange();
              range.setStart(node, i);
              range.setEnd(node, i + 1);
              boxes.push({ char: node.textContent![i]!, top: Math.round(range.getBoundingClientRect().top), segment: node.parentElement!.closest(".key-segment")! });
            }
          }
          const available = link.parentElement!.getBoundingClientRect().width;
          for (let i = 1; i < boxes.length; i++) {
            if (boxes[i]!.top <= boxes[i - 1]!.top) continue;
            const segment = boxes[i - 1]!.segment;
            const probe = document.createElement("span");
            probe.style.cssText = "position:absolute;visibility:hidden;white-space:nowrap;font:inherit";
            probe.textContent = segment.textContent;
            segment.parentElement!.appendChild(probe);
            const natural = probe.getBoundingClientRect().width;
            probe.remove();
            breaks.push({ after: boxes[i - 1]!.char, segmentFits: boxes[i]!.segment !== segment ? true : natural <= available });
          }
          return { text, breaks };
        }),
      );
      for (const { text, breaks } of lines) {
        for (const { after, segmentFits } of breaks) {
          assert.ok("/_.".includes(after), `at ${width} px "${text}" breaks after "${after}"`);
          if (after !== "/") assert.ok(!segmentFits, `at ${width} px "${text}" breaks inside a name that fits a line of its own`);
        }
      }
      // What a new user saw at 1400 px: "channel_" / "mapping". There the name fits a line of its own.
      if (width >= 1400) {
        const channelMapping = lines.find((line) => line.text === INTERVAL_MART)!;
        assert.deepEqual(channelMapping.breaks.filter((b) => b.after !== "/"), [], `at ${width} px ${INTERVAL_MART} breaks inside its name`);
      }
    }
  });

  test("no uncaught errors in the browser", () => {
    assert.deepEqual(errors, []);
  });
});
