/**
 * The boundary rules of .dependency-cruiser.cjs fire: for each rule, a file with one deliberately bad import is
 * written where the rule applies, the tree is cruised from it with the project's own rules, and the rule must
 * name that import. (`npm run lint` checks the whole tree with the same rules.)
 */
import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, test } from "node:test";
import { cruise } from "dependency-cruiser";
import type { IConfiguration } from "dependency-cruiser";

const ROOT = join(import.meta.dirname, "..");
const config = createRequire(import.meta.url)(join(ROOT, ".dependency-cruiser.cjs")) as IConfiguration;

/** A probe's name: unique, so a crashed run's leftovers never collide, and ignored by nothing. */
const PROBE = `__boundary_probe_${process.pid}`;

/** Writes the probe files, cruises them, removes them; returns "rule: from → to" for every violation. */
async function violations(files: Record<string, string>): Promise<string[]> {
  const paths = Object.keys(files);
  try {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(ROOT, path)), { recursive: true });
      writeFileSync(join(ROOT, path), text);
    }
    const cwd = process.cwd();
    process.chdir(ROOT);
    try {
      const result = await cruise(paths, { ...config.options, validate: true, ruleSet: { forbidden: config.forbidden ?? [] } }, { extensions: [".ts", ".tsx", ".js"] });
      const output = result.output;
      assert.ok(typeof output === "object", "cruise returns its result as an object");
      return output.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
    } finally {
      process.chdir(cwd);
    }
  } finally {
    for (const path of paths) rmSync(join(ROOT, path), { force: true });
  }
}

const probe = (dir: string, specifier: string) => ({ [`${dir}/${PROBE}.ts`]: `import type * as bad from "${specifier}";\nexport type Probe = typeof bad;\n` });

describe("the boundary rules fire on a bad import", () => {
  const cases: [rule: string, dir: string, specifier: string, target: string][] = [
    ["model-imports-nothing-of-ours", "catalog/model", "../graph/types.ts", "catalog/graph/types.ts"],
    ["support-imports-nothing-of-ours", "support", "../catalog/model/index.ts", "catalog/model/index.ts"],
    ["connectors-import-only-the-model-and-shared", "connectors/census", "../fivetran/client.ts", "connectors/fivetran/client.ts"],
    ["connectors-import-only-the-model-and-shared", "connectors/dbt", "../../catalog/store/index.ts", "catalog/store/index.ts"],
    ["core-never-imports-connectors-or-server", "scheduler/runs", "../../server/config.ts", "server/config.ts"],
    ["core-never-imports-connectors-or-server", "catalog/graph", "../../connectors/dbt/manifest.ts", "connectors/dbt/manifest.ts"],
    ["graphql-uses-a-connector-through-its-entry", "server/graphql", "../../connectors/fivetran/client.ts", "connectors/fivetran/client.ts"],
    ["admin-ui-is-self-contained", "admin-ui/src", "../../server/config.ts", "server/config.ts"],
    ["enter-a-part-through-its-index", "server", "../scheduler/runs/engine.ts", "scheduler/runs/engine.ts"],
  ];
  for (const [rule, dir, specifier, target] of cases) {
    test(`${rule}: ${dir} importing ${target}`, async () => {
      const found = await violations(probe(dir, specifier));
      assert.ok(found.includes(`${rule}: ${dir}/${PROBE}.ts → ${target}`), found.join("\n") || "no violation");
    });
  }

  test("no-cycles-between-parts: catalog/graph and catalog/store importing each other", async () => {
    const found = await violations({
      [`catalog/graph/${PROBE}.ts`]: `import type { Probe as Other } from "../store/${PROBE}.ts";\nexport type Probe = Other | 1;\n`,
      [`catalog/store/${PROBE}.ts`]: `import type { Probe as Other } from "../graph/${PROBE}.ts";\nexport type Probe = Other | 2;\n`,
    });
    assert.ok(found.some((v) => v.startsWith("no-cycles-between-parts: ")), found.join("\n") || "no violation");
  });

  test("a good import passes: a connector using the model and connectors/shared", async () => {
    const found = await violations({
      [`connectors/census/${PROBE}.ts`]: `import type { AssetKey } from "../../catalog/model/index.ts";\nimport type { ToolStateSchema } from "../shared/index.ts";\nexport type Probe = [AssetKey, ToolStateSchema<{}>];\n`,
    });
    assert.deepEqual(found, []);
  });
});
