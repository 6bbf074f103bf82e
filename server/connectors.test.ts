/**
 * The connector contract (catalog/model/connector.ts), checked over every connector in the registry with its
 * real tool: the demo dbt project (real `dbt parse`) and a manifest read alone, a Fivetran account and a Census
 * workspace on their simulators over loopback. What every location must keep: one tool and one name across its
 * provider, its specs' materializers, its launcher and its observer; live state only under its own tool's keys,
 * typed by its tool-state schema; no credential anywhere it shows.
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { ConnectorLocation } from "../catalog/model/connector.ts";
import type { LocationDefinitions } from "../catalog/model/index.ts";
import { startSimulatedCensus, TEST_CENSUS_KEY } from "../connectors/census/test-support.ts";
import type { SimulatedCensus } from "../connectors/census/test-support.ts";
import { censusSyncState } from "../connectors/census/tool-state.ts";
import { startSimulatedAccount, TEST_API_KEY, TEST_API_SECRET } from "../connectors/fivetran/test-support.ts";
import type { SimulatedAccount } from "../connectors/fivetran/test-support.ts";
import { fivetranTableState } from "../connectors/fivetran/tool-state.ts";
import { createMemoryEventSink } from "../connectors/shared/testing.ts";
import { loadConfig } from "./config.ts";
import { CONNECTORS, createConnectorLocations, liveStateLookup } from "./connectors.ts";
import type { ConnectorRegistration } from "./connectors.ts";
import { capturingLogger } from "./test-support.ts";
import { sharedFixture } from "../scripts/shared-fixtures.ts";

const ROOT = join(import.meta.dirname, "..");
const MANIFEST = sharedFixture("manifests", "jaffle-shop-state-v11-postgres", "manifest.json");
const SECRETS = [TEST_API_KEY, TEST_API_SECRET, TEST_CENSUS_KEY];
/** The typed tool state each observing tool's live state must fit. */
const LIVE_STATE_FIELDS: Record<string, readonly string[]> = {
  fivetran: Object.keys(fivetranTableState.shape).map((f) => fivetranTableState.key(f as keyof typeof fivetranTableState.shape)),
  census: Object.keys(censusSyncState.shape).map((f) => censusSyncState.key(f as keyof typeof censusSyncState.shape)),
};

describe("every connector keeps the location contract", () => {
  let fivetran: SimulatedAccount;
  let census: SimulatedCensus;
  let locations: ConnectorLocation[];
  const loaded = new Map<ConnectorLocation, LocationDefinitions>();
  const { logger, lines } = capturingLogger();

  before(async () => {
    fivetran = await startSimulatedAccount();
    census = await startSimulatedCensus();
    const dir = mkdtempSync(join(tmpdir(), "tributary-connectors-"));
    process.env["TEST_CONTRACT_FT_KEY"] = TEST_API_KEY;
    process.env["TEST_CONTRACT_FT_SECRET"] = TEST_API_SECRET;
    process.env["TEST_CONTRACT_CENSUS_KEY"] = TEST_CENSUS_KEY;
    const config = join(dir, "tributary.yaml");
    writeFileSync(
      config,
      [
        "dbt:",
        "  projects:",
        `    - dir: ${JSON.stringify(join(ROOT, "demo-project"))}`,
        "      env:",
        `        TRIBUTARY_WAREHOUSE_PATH: ${JSON.stringify(fivetran.warehousePath)}`,
        "fivetran:",
        "  accounts:",
        "    - name: ft",
        "      api_key: ${TEST_CONTRACT_FT_KEY}",
        "      api_secret: ${TEST_CONTRACT_FT_SECRET}",
        `      base_url: ${fivetran.simulator.url}`,
        "census:",
        "  workspaces:",
        "    - name: cs",
        "      api_key: ${TEST_CONTRACT_CENSUS_KEY}",
        `      base_url: ${census.simulator.url}`,
        "",
      ].join("\n"),
    );
    locations = await createConnectorLocations({ loaded: await loadConfig(config), dbtProjects: [], manifests: [MANIFEST], dataDir: join(dir, "data"), logger });
    for (const location of locations) loaded.set(location, await location.provider.load());
  });
  after(async () => {
    await fivetran.close();
    await census.close();
  });

  it("builds the locations of every registered connector, in registry order", () => {
    assert.deepEqual(
      locations.map((l) => `${l.tool}:${l.name}`),
      ["dbt:shop", "dbt:jaffle-shop-state-v11-postgres", "fivetran:ft", "census:cs", "warehouse:shop-warehouse"],
    );
    assert.deepEqual([...new Set(locations.map((l) => l.tool))], CONNECTORS.map((c) => c.tool));
  });

  it("gives each location one name and one tool across provider, specs, launcher and observer", () => {
    for (const location of locations) {
      const definitions = loaded.get(location)!;
      assert.equal(location.provider.location.name, location.name);
      assert.equal(definitions.location.name, location.name);
      const materialized = definitions.specs.filter((s) => s.materializer !== null);
      // A warehouse builds nothing: it only describes relations that other locations define.
      if (location.tool === "warehouse") {
        assert.ok(definitions.specs.every((s) => s.describesOnly === true && s.materializer === null));
        assert.equal(location.launcher, null);
        continue;
      }
      assert.ok(materialized.length > 0, `${location.name} materializes nothing`);
      for (const spec of materialized) {
        assert.equal(spec.materializer!.tool, location.tool, `${location.name}: ${spec.key.join("/")}`);
        assert.equal(spec.materializer!.locationName, location.name, `${location.name}: ${spec.key.join("/")}`);
      }
      if (location.launcher) {
        assert.equal(location.launcher.tool, location.tool);
        assert.equal(location.launcher.locationName, location.name);
        assert.ok(location.launcher.concurrency >= 1);
      }
    }
    // A manifest read alone cannot be built; a project can; the SaaS tools can launch and observe.
    const byName = new Map(locations.map((l) => [l.name, l]));
    assert.equal(byName.get("jaffle-shop-state-v11-postgres")!.launcher, null);
    assert.notEqual(byName.get("shop")!.launcher, null);
    for (const name of ["ft", "cs"]) {
      assert.notEqual(byName.get(name)!.launcher, null);
      assert.notEqual(byName.get(name)!.observer, null);
    }
  });

  it("serves each observer's live state under its own tool's typed keys, routed by tool and location", async () => {
    const events = createMemoryEventSink();
    const errors: unknown[] = [];
    const observed = locations.filter((l) => l.observer !== null);
    const targets = observed.map((l) => loaded.get(l)!.specs.find((s) => s.materializer)!.materializer!);
    for (const l of observed) assert.equal(l.observer!.liveState("whatever"), null, "live state before any poll");
    try {
      for (const location of observed) location.observer!.start(events, (error) => errors.push(error));
      const lookup = liveStateLookup(locations);
      const deadline = Date.now() + 10_000;
      while (targets.some((t) => lookup(t) === null) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(errors, []);
      for (const target of targets) {
        const live = lookup(target);
        assert.ok(live, `no live state for ${target.tool}:${target.runTargetId}`);
        const allowed = LIVE_STATE_FIELDS[target.tool]!;
        for (const key of Object.keys(live)) assert.ok(allowed.includes(key), `${target.tool} live state has an undeclared key ${key}`);
        assert.equal(typeof live[`${target.tool}/observed_at`], "string");
        // Routed by location: the same target id under another location has no live state.
        assert.equal(lookup({ ...target, locationName: "elsewhere" }), null);
        assert.equal(lookup({ ...target, runTargetId: "no-such-target" }), null);
      }
      const fivetranTarget = targets.find((t) => t.tool === "fivetran")!;
      assert.equal(fivetranTableState.read(lookup(fivetranTarget)!).connector_id, fivetranTarget.runTargetId);
    } finally {
      await Promise.all(observed.map((l) => l.observer!.stop()));
    }
  });

  it("stops calling a SaaS tool once its load is aborted, failing with an error that names the location", async () => {
    const tools = [
      { location: locations.find((l) => l.tool === "fivetran")!, requests: () => fivetran.simulator.requests.length },
      { location: locations.find((l) => l.tool === "census")!, requests: () => census.simulator.requests.length },
    ];
    for (const { location, requests } of tools) {
      const before = requests();
      const controller = new AbortController();
      controller.abort(new Error("the reload's time limit passed"));
      await assert.rejects(location.provider.load({ signal: controller.signal }), (error: Error & { code?: string; locationName?: string }) => {
        assert.equal(error.code, `${location.tool}_load_aborted`);
        assert.equal(error.locationName, location.name);
        assert.match(error.message, /time limit passed/);
        return true;
      });
      assert.equal(requests(), before, `${location.tool}: no call after the abort`);
    }
    const warehouse = locations.find((l) => l.tool === "warehouse")!;
    const controller = new AbortController();
    controller.abort(new Error("the reload's time limit passed"));
    await assert.rejects(warehouse.provider.load({ signal: controller.signal }), (error: Error & { code?: string; locationName?: string }) => {
      assert.equal(error.code, "warehouse_load_aborted");
      assert.equal(error.locationName, warehouse.name);
      return true;
    });
  });

  it("shows no credential in origins, specs, live state or logs", () => {
    const shown = JSON.stringify([...loaded.values()]) + JSON.stringify(locations.map((l) => l.provider.location)) + lines.join("\n");
    for (const secret of SECRETS) assert.ok(!shown.includes(secret), `a credential is shown`);
  });

  it("refuses a connector that builds a location of another tool", async () => {
    const rogue: ConnectorRegistration = { tool: "rogue", locations: async () => [{ ...locations[2]!, tool: "fivetran" }] };
    await assert.rejects(
      createConnectorLocations({ loaded: null, dbtProjects: [], manifests: [], dataDir: tmpdir(), logger }, [rogue]),
      /the rogue connector built a location of tool fivetran/,
    );
  });
});
