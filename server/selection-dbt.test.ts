/**
 * The selection syntax against real dbt: each case is run through `dbt ls` (dbt-core 1.11 of the project's
 * virtualenv, one parse for all cases: server/dbt-ls-batch.py) and through Tributary's catalog/selection over
 * the catalog built from the very manifest that parse wrote; the selected dbt unique ids must be the same.
 * dbt lists ephemeral models, which are not assets (dagster-dbt drops them too): they are taken out of dbt's
 * answer, and only they. Depth cases that pass through an ephemeral model count differently; they are tested
 * on their own below with hand-written expectations.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import type { CatalogGraph } from "../catalog/graph/index.ts";
import { buildCatalogGraph } from "../catalog/graph/index.ts";
import { parseSelection, selectAssets } from "../catalog/selection/index.ts";
import { createDbtManifestProvider, ensureManagedDbt, managedVenvDir } from "../connectors/dbt/index.ts";

interface Case {
  readonly select: string;
  readonly exclude?: string;
}

const REPO = resolve(import.meta.dirname, "..");

const DEMO_CASES: readonly Case[] = [
  // tag:
  { select: "tag:mart" },
  { select: "tag:staging" },
  { select: "tag:st*" },
  { select: "tag:reference" },
  { select: "tag:dashboard" },
  { select: "tag:no_such_tag" },
  // fqn: bare names, dotted paths, wildcards, versions
  { select: "orders" },
  { select: "customers" },
  { select: "customers.v1" },
  { select: "customers_v2" },
  { select: "shop" },
  { select: "shop.marts" },
  { select: "marts.core" },
  { select: "staging.stripe.*" },
  { select: "shop.marts.*.orders" },
  { select: "stg_*" },
  { select: "*revenue*" },
  { select: "executive_dashboard" },
  { select: "country_codes" },
  // graph operators
  { select: "+orders" },
  { select: "orders+" },
  { select: "+orders+" },
  { select: "@orders" },
  { select: "@stg_shopify__customers" },
  { select: "@stg_shopify__orders" },
  { select: "+marketing_roi" },
  { select: "stg_shopify__orders+1" },
  { select: "stg_google_ads__campaigns+2" },
  { select: "1+marketing_roi" },
  { select: "1+int_orders_attributed" },
  { select: "+tag:mart" },
  { select: "tag:reference+" },
  // path: and file:
  { select: "path:models/marts" },
  { select: "path:models/marts/" },
  { select: "path:models/staging/shopify" },
  { select: "path:models/marts/core/orders.sql" },
  { select: "path:models/marts/*" },
  { select: "path:models/staging/*/_*__sources.yml" },
  { select: "path:models/marts/core/_core.yml" },
  { select: "path:seeds" },
  { select: "path:snapshots" },
  { select: "path:models/**/*.sql" },
  { select: "models/intermediate" },
  { select: "orders.sql" },
  { select: "file:stg_stripe__*" },
  { select: "file:orders" },
  // package, config, resource_type, source, exposure, access, version
  { select: "package:shop" },
  { select: "package:sh*" },
  { select: "config.materialized:table" },
  { select: "config.materialized:view" },
  { select: "config.materialized:seed" },
  { select: "config.materialized:snapshot" },
  { select: "resource_type:seed" },
  { select: "resource_type:source" },
  { select: "resource_type:snapshot" },
  { select: "resource_type:exposure" },
  { select: "resource_type:model" },
  { select: "source:shopify" },
  { select: "source:shopify.order" },
  { select: "source:*.charge" },
  { select: "source:shop.stripe.*" },
  { select: "source:stripe+" },
  { select: "+source:google_ads+" },
  { select: "exposure:executive_dashboard" },
  { select: "+exposure:*" },
  { select: "access:public" },
  { select: "access:protected" },
  { select: "version:latest" },
  { select: "version:old" },
  { select: "version:none" },
  // unions, intersections, exclusions
  { select: "tag:mart tag:reference" },
  { select: "tag:mart,config.materialized:table" },
  { select: "+orders,resource_type:source" },
  { select: "tag:staging,path:models/staging/stripe" },
  { select: "tag:staging", exclude: "tag:stripe" },
  { select: "+orders", exclude: "resource_type:source" },
  { select: "shop", exclude: "path:models/marts tag:reference" },
  { select: "@orders", exclude: "+stg_shopify__orders" },
  { select: "source:* +daily_revenue", exclude: "source:google_ads" },
];

const DAGSTER_META_CASES: readonly Case[] = [
  { select: "*" },
  { select: "tag:*" },
  { select: "resource_type:seed" },
  { select: "+resource_type:model" },
  { select: "@resource_type:seed" },
  { select: "path:models" },
  { select: "source:*" },
  { select: "config.materialized:table" },
  { select: "config.materialized:view" },
];

interface Answer {
  readonly ids?: string[];
  readonly error?: string;
}

async function dbtLs(projectDir: string, targetDir: string, cases: readonly Case[]): Promise<Answer[]> {
  await ensureManagedDbt();
  const python = join(managedVenvDir(), "bin", "python");
  return new Promise((resolvePromise, reject) => {
    const child = execFile(python, [join(REPO, "server", "dbt-ls-batch.py"), projectDir, targetDir], { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, DBT_SEND_ANONYMOUS_USAGE_STATS: "false" } }, (error, stdout, stderr) => {
      if (error) reject(new Error(`dbt-ls-batch failed: ${stderr || error.message}`));
      else resolvePromise(JSON.parse(stdout) as Answer[]);
    });
    child.stdin!.end(JSON.stringify(cases));
  });
}

interface Differential {
  graph: CatalogGraph;
  answers: Answer[];
  ephemeral: Set<string>;
}

async function differential(projectDir: string, cases: readonly Case[], targets: string[]): Promise<Differential> {
  const targetDir = await mkdtemp(join(tmpdir(), "tributary-selection-"));
  targets.push(targetDir);
  const answers = await dbtLs(projectDir, targetDir, cases);
  const manifestFile = join(targetDir, "manifest.json");
  const graph = buildCatalogGraph({ definitions: [await createDbtManifestProvider({ file: manifestFile, name: "shop" }).load()] });
  const manifest = JSON.parse(await readFile(manifestFile, "utf8")) as { nodes: Record<string, { resource_type: string; config?: { materialized?: string } }> };
  const ephemeral = new Set(Object.entries(manifest.nodes).filter(([, n]) => n.resource_type === "model" && n.config?.materialized === "ephemeral").map(([id]) => id));
  return { graph, answers, ephemeral };
}

function compare(d: Differential, cases: readonly Case[]): void {
  const assetIds = new Set(d.graph.assets.flatMap((a) => (a.dbtUniqueId ? [a.dbtUniqueId] : [])));
  const mismatches: string[] = [];
  cases.forEach((c, i) => {
    const answer = d.answers[i]!;
    assert.ok(answer.ids, `dbt refused ${JSON.stringify(c)}: ${answer.error}`);
    const notAssets = answer.ids.filter((id) => !assetIds.has(id));
    assert.deepEqual(notAssets.filter((id) => !d.ephemeral.has(id)), [], `dbt selected nodes that are not assets for ${JSON.stringify(c)}`);
    const expected = answer.ids.filter((id) => assetIds.has(id)).sort();
    const result = selectAssets(d.graph, parseSelection(c.select, c.exclude ?? []));
    const actual = result.assetIds.map((id) => d.graph.get(id)!.dbtUniqueId).filter((id): id is string => id !== null).sort();
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      mismatches.push(`${JSON.stringify(c)}\n  dbt:       ${expected.join(" ")}\n  tributary: ${actual.join(" ")}`);
    }
  });
  assert.deepEqual(mismatches, [], mismatches.join("\n"));
}

describe("dbt selection syntax, differential against dbt ls (dbt-core 1.11)", () => {
  const targets: string[] = [];
  let demo: Differential;
  let dagsterMeta: Differential;
  before(async () => {
    demo = await differential(join(REPO, "demo-project"), DEMO_CASES, targets);
    dagsterMeta = await differential(join(REPO, "connectors", "dbt", "test-projects", "dagster_meta"), DAGSTER_META_CASES, targets);
  });
  after(async () => {
    for (const dir of targets) await rm(dir, { recursive: true, force: true });
  });

  it(`selects what dbt ls selects on demo-project (${DEMO_CASES.length} selections)`, () => {
    assert.ok(demo.answers.some((a) => (a.ids?.length ?? 0) > 10), "some selections pick many nodes");
    compare(demo, DEMO_CASES);
  });

  it(`selects what dbt ls selects on the dagster_meta test project (${DAGSTER_META_CASES.length} selections)`, () => {
    compare(dagsterMeta, DAGSTER_META_CASES);
  });

  it("counts depth in assets: an ephemeral model is passed through, as dagster-dbt's graph does", () => {
    // orders ← int_payments_by_order (ephemeral) ← stg_stripe__charges, stg_stripe__refunds: one generation here.
    const ids = selectAssets(demo.graph, parseSelection("1+orders")).assetIds.map((id) => demo.graph.get(id)!.dbtUniqueId);
    assert.ok(ids.includes("model.shop.stg_stripe__charges"));
    assert.ok(ids.includes("model.shop.stg_stripe__refunds"));
    assert.ok(!ids.includes("source.shop.shopify.order"), "two generations up is not in 1+");
    // marketing_roi ← orders ← int_payments_by_order (ephemeral) ← stg_stripe__*: dbt counts three, Tributary two.
    const two = selectAssets(demo.graph, parseSelection("2+marketing_roi")).assetIds.map((id) => demo.graph.get(id)!.dbtUniqueId);
    assert.ok(two.includes("model.shop.stg_stripe__charges"));
    assert.ok(!two.includes("source.shop.stripe.charge"));
  });
});
