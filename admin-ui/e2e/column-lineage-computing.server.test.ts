/**
 * End-to-end: the asset page's column lineage while the server still computes it, in Chromium against the real
 * HTTP server and catalog service (catalog/service.ts) serving dbt-labs/jaffle-shop's manifest with compiled SQL
 * (shared/fixtures). The dbt location's column lineage follow-up is the real one, held at its start by the test:
 * the page says it is being computed (with the progress the location reports), then, once the test lets it run,
 * shows the lineage without a reload. A later load whose follow-up fails shows the failure's message.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { createCatalogService, type CatalogService } from "../../catalog/service.ts";
import type { DefinitionsProvider, LocationFollowUp } from "../../catalog/model/index.ts";
import { COLUMN_LINEAGE_FOLLOW_UP, createDbtManifestProvider } from "../../connectors/dbt/index.ts";
import { sharedFixture } from "../../scripts/shared-fixtures.ts";
import { createTributaryServer, type TributaryServer } from "../../server/http.ts";
import { createLogger } from "../../server/logging.ts";
import { launchBrowser, newPage } from "./support.ts";

const MANIFEST = sharedFixture("manifests", "jaffle-shop-state-v11-postgres", "manifest.json");
const FAILURE = "the column lineage worker exited (held by the test)";

/** A gate the test opens: "run" lets the held follow-up go on, an Error makes it fail with that error. */
function createGate() {
  let open: (outcome: "run" | Error) => void = () => {};
  const opened = new Promise<"run" | Error>((resolve) => (open = resolve));
  return { opened, open };
}

describe("column lineage on the asset page while the server computes it", { timeout: 180_000 }, () => {
  let service: CatalogService;
  let server: TributaryServer;
  let baseUrl: string;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  /** The gate of the next load's follow-up. */
  let gate = createGate();
  /** Models the held follow-up says it will go through (the manifest's models), before it runs. */
  let modelsToCompute = 0;

  before(async () => {
    const manifest = createDbtManifestProvider({ file: MANIFEST, name: "jaffle_shop" });
    const held: DefinitionsProvider = {
      location: manifest.location,
      async load(options) {
        const definitions = await manifest.load(options);
        const followUp = definitions.followUp;
        assert.ok(followUp, "jaffle-shop's manifest has compiled SQL: its load comes with a column lineage follow-up");
        assert.equal(followUp.describe, COLUMN_LINEAGE_FOLLOW_UP);
        modelsToCompute = definitions.specs.filter((spec) => spec.dbtUniqueId?.startsWith("model.")).length;
        const ownGate = gate;
        const heldFollowUp: LocationFollowUp = {
          describe: followUp.describe,
          async run(context) {
            context.onProgress?.(0, modelsToCompute);
            const outcome = await ownGate.opened;
            if (outcome instanceof Error) throw outcome;
            return followUp.run(context);
          },
        };
        return { ...definitions, followUp: heldFollowUp };
      },
    };
    service = createCatalogService({ providers: [held] });
    const loaded = await service.reload();
    assert.equal(loaded.ok, true);
    server = createTributaryServer({
      catalog: { current: () => service.current(), followUp: (name) => service.followUp(name), reload: () => service.reload() },
      logger: createLogger({ level: "silent" }),
      port: 0,
    });
    baseUrl = (await server.listen()).baseUrl;
    browser = await launchBrowser();
    page = await newPage(browser, errors);
  });

  after(async () => {
    gate.open("run");
    await browser?.close();
    await server?.close();
    await service?.stopFollowUps();
  });

  test("while computing, the panel says so with the location's progress; when done the lineage appears without a reload", async () => {
    assert.equal(service.followUp("jaffle_shop")?.state, "computing");
    await page.goto(`${baseUrl}/assets/customers/show`);
    const computing = page.getByTestId("column-lineage-computing");
    await computing.waitFor();
    assert.ok(modelsToCompute > 1);
    assert.match((await computing.textContent()) ?? "", new RegExp(`Column lineage is being computed — 0 of ${modelsToCompute} models`));
    assert.equal(await page.getByTestId("column-lineage-row").count(), 0);
    assert.equal(await page.getByTestId("column-lineage-none").count(), 0, "a model still computing is not said to have no lineage");
    // Marks this document: a reload or a navigation would lose it.
    await page.evaluate(() => ((window as unknown as { heldMark: number }).heldMark = 1));

    gate.open("run");
    await service.settled();
    assert.equal(service.followUp("jaffle_shop")?.state, "done");
    const row = page.locator('[data-testid="column-lineage-row"][data-column="customer_id"]');
    await row.waitFor({ timeout: 30_000 });
    assert.deepEqual(await row.locator('[data-testid="column-ref"]').allTextContents(), ["stg_customers.customer_id"]);
    assert.equal(await row.locator('[data-testid="column-transformation"]').textContent(), "copy");
    await computing.waitFor({ state: "detached" });
    assert.equal(await page.evaluate(() => (window as unknown as { heldMark?: number }).heldMark), 1, "the lineage came without a reload");
  });

  test("a computation that fails shows its message", async () => {
    gate = createGate();
    gate.open(new Error(FAILURE));
    const reloaded = await service.reload();
    assert.equal(reloaded.ok, true);
    await service.settled();
    assert.equal(service.followUp("jaffle_shop")?.state, "failed");
    await page.goto(`${baseUrl}/assets/customers/show`);
    const failed = page.getByTestId("column-lineage-failed");
    await failed.waitFor();
    assert.match((await failed.textContent()) ?? "", new RegExp(`Column lineage could not be computed: ${FAILURE.replace(/[()]/g, "\\$&")}`));
    assert.equal(await page.getByTestId("column-lineage-computing").count(), 0);
    assert.equal(await page.getByTestId("column-lineage-row").count(), 0);
    assert.deepEqual(errors, []);
  });
});
