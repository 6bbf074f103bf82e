/**
 * Alerts against a local webhook receiver (a real HTTP server recording what it was sent) on a real PGlite store:
 * each kind of rule opens once per incident and resolves, Slack gets its incoming-webhook format, a failing
 * receiver is retried with backoff, two monitors on one store send once, and no destination URL is logged.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { after, before, describe, test } from "node:test";
import type { AssetEventKind } from "../../catalog/model/index.ts";
import type { CatalogStore } from "../../catalog/store/index.ts";
import { listAlertIncidents } from "../../catalog/store/index.ts";
import { pgliteEngine, type TestDatabase } from "../../catalog/store/test-support.ts";
import { createStoreAutomationSource } from "../automation-source.ts";
import { loadConfig, type AlertsConfig } from "../config.ts";
import { createLogger } from "../logging.ts";
import { shopGraph } from "../test-support.ts";
import { createAlertMonitor, type AlertMonitor, type AlertPayload } from "./monitor.ts";

interface Received {
  readonly path: string;
  readonly body: Record<string, unknown>;
}

test("tributary.yaml alerts: destinations by name, rules checked where they enter", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tributary-alerts-config-"));
  try {
    const file = join(dir, "tributary.yaml");
    const write = (alerts: string) => writeFileSync(file, `alerts:\n${alerts}`);
    write(`  destinations:\n    - {name: slack, slack: "\${SLACK_URL}"}\n  rules:\n    - {name: late, on: stale, assets: "marts/**", max_lag_minutes: 90, to: [slack]}\n`);
    const loaded = await loadConfig(file, { SLACK_URL: "https://hooks.slack.test/services/T0/B0/x" });
    assert.deepEqual(loaded.config.alerts.rules, [{ name: "late", on: "stale", assets: "marts/**", max_lag_minutes: 90, to: ["slack"] }]);
    assert.equal(loaded.config.alerts.interval_seconds, 30);
    write(`  destinations: [{name: a, webhook: "http://127.0.0.1:1/x"}]\n  rules: [{name: r, on: stale, to: [a]}]\n`);
    await assert.rejects(loadConfig(file, {}), /max_lag_minutes is given for stale rules/);
    write(`  destinations: [{name: a, webhook: "http://127.0.0.1:1/x"}]\n  rules: [{name: r, on: run_failure, to: [b]}]\n`);
    await assert.rejects(loadConfig(file, {}), /names a destination that is not in alerts.destinations/);
    write(`  destinations: [{name: a, webhook: "http://127.0.0.1:1/x", slack: "http://127.0.0.1:1/y"}]\n`);
    await assert.rejects(loadConfig(file, {}), /exactly one of webhook or slack/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe("alerts against a local webhook receiver", () => {
  const graph = shopGraph();
  let database: TestDatabase;
  let store: CatalogStore;
  let receiver: Server;
  let base = "";
  const received: Received[] = [];
  let flakyFailures = 0;
  let logged = "";
  let clock = new Date("2026-12-01T12:00:00Z");
  let sequence = 0;
  let config: AlertsConfig;

  const monitor = (): AlertMonitor =>
    createAlertMonitor({
      config,
      client: store.client,
      graph: () => graph,
      state: createStoreAutomationSource(store, () => graph).state,
      logger: createLogger({
        level: "debug",
        destination: new Writable({
          write(chunk: Buffer, _encoding, callback) {
            logged += chunk.toString();
            callback();
          },
        }),
      }),
      now: () => clock,
      retryDelayMs: 5,
      attempts: 3,
    });
  const event = (key: string, kind: AssetEventKind, at: Date) =>
    store.recordAssetEvents([{ assetKey: key.split("/"), kind, tool: "dbt", locationName: "shop", runId: null, occurredAt: at.toISOString(), dedupeKey: `test:${sequence++}`, metadata: {} }]);
  const check = (outcome: "pass" | "fail", at: Date) =>
    store.recordCheckResults([{ assetKey: ["stg_orders"], checkName: "unique_stg_orders_order_id", outcome, failures: outcome === "fail" ? 3 : 0, tool: "dbt", locationName: "shop", toolRunId: null, occurredAt: at.toISOString(), dedupeKey: `check:${sequence++}`, metadata: {} }]);
  const take = (path: string): Record<string, unknown>[] => {
    const found = received.filter((r) => r.path === path).map((r) => r.body);
    received.splice(0, received.length, ...received.filter((r) => r.path !== path));
    return found;
  };
  const minutes = (n: number) => new Date(clock.getTime() + n * 60_000);

  before(async () => {
    database = await pgliteEngine.createDatabase();
    store = await database.openStore();
    receiver = createServer((req, res) => {
      let text = "";
      req.on("data", (chunk: Buffer) => (text += chunk.toString()));
      req.on("end", () => {
        if (req.url === "/flaky" && flakyFailures > 0) {
          flakyFailures--;
          res.writeHead(503).end();
          return;
        }
        received.push({ path: req.url ?? "", body: JSON.parse(text) as Record<string, unknown> });
        res.writeHead(200).end("ok");
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    config = {
      interval_seconds: 30,
      destinations: [
        { name: "oncall", webhook: `${base}/hook` },
        { name: "slack", slack: `${base}/slack` },
        { name: "pager", webhook: `${base}/flaky` },
      ],
      rules: [
        { name: "failed builds", on: "run_failure", assets: "**", to: ["oncall", "slack"] },
        { name: "failed tests", on: "check_failure", assets: "stg_*", to: ["oncall"] },
        { name: "late marts", on: "stale", assets: "marts/**", max_lag_minutes: 60, to: ["pager"] },
      ],
    };
  });

  after(async () => {
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
    await store?.close();
    await database?.dispose();
  });

  test("a failed build opens one incident (webhook and Slack), announced once, and resolves when it is built again", async () => {
    const alerts = monitor();
    await event("stg_orders", "materialization", minutes(-30));
    await event("stg_orders", "materialization_failure", minutes(-5));
    await alerts.evaluate();
    const opened = take("/hook") as unknown as AlertPayload[];
    assert.deepEqual(
      opened.map((p) => [p.type, p.status, p.rule, p.kind, p.subject, p.summary]),
      [["tributary.alert", "open", "failed builds", "run_failure", "stg_orders", "stg_orders: its latest attempt failed"]],
    );
    assert.deepEqual(take("/slack"), [{ text: `:red_circle: *failed builds* — stg_orders: its latest attempt failed (\`stg_orders\`, incident ${opened[0]!.incidentId})` }]);
    await alerts.evaluate();
    await event("stg_orders", "materialization_failure", minutes(-4));
    await alerts.evaluate();
    assert.equal(take("/hook").length + take("/slack").length, 0, "still the same incident: nothing sent again");

    await event("stg_orders", "materialization", minutes(-1));
    await alerts.evaluate();
    const resolved = take("/hook") as unknown as AlertPayload[];
    assert.deepEqual(resolved.map((p) => [p.status, p.subject, p.incidentId, p.resolvedAt]), [["resolved", "stg_orders", opened[0]!.incidentId, clock.toISOString()]]);
    assert.match(String(take("/slack")[0]?.["text"]), /^:large_green_circle: Resolved: \*failed builds\*/);
    await alerts.evaluate();
    assert.equal(take("/hook").length, 0);
    await event("stg_orders", "materialization_failure", minutes(0));
    await alerts.evaluate();
    const again = take("/hook") as unknown as AlertPayload[];
    assert.equal(again.length, 1, "a new failure is a new incident");
    assert.notEqual(again[0]!.incidentId, opened[0]!.incidentId);
    take("/slack");
    await event("stg_orders", "materialization", minutes(0.5));
    await alerts.evaluate();
    take("/hook");
    take("/slack");
  });

  test("a failing check opens an incident for that check and resolves when it passes", async () => {
    const alerts = monitor();
    await check("fail", minutes(1));
    await alerts.evaluate();
    const opened = take("/hook") as unknown as AlertPayload[];
    assert.deepEqual(opened.map((p) => [p.status, p.kind, p.subject, p.assetKey, p.checkName]), [["open", "check_failure", "stg_orders#unique_stg_orders_order_id", "stg_orders", "unique_stg_orders_order_id"]]);
    await alerts.evaluate();
    assert.equal(take("/hook").length, 0);
    await check("pass", minutes(2));
    await alerts.evaluate();
    assert.deepEqual((take("/hook") as unknown as AlertPayload[]).map((p) => [p.status, p.checkName]), [["resolved", "unique_stg_orders_order_id"]]);
  });

  test("a stale mart opens an incident delivered through a failing receiver with retries, and resolves when updated", async () => {
    const alerts = monitor();
    await event("marts/orders", "materialization", minutes(-30));
    await alerts.evaluate();
    assert.equal(take("/flaky").length, 0, "30 minutes is not late");
    clock = minutes(45);
    flakyFailures = 2;
    await alerts.evaluate();
    const late = take("/flaky") as unknown as AlertPayload[];
    assert.deepEqual(late.map((p) => [p.status, p.subject, p.summary]), [["open", "marts/orders", "marts/orders: last updated 75 min ago (more than 60 min)"]]);
    const incident = (await listAlertIncidents(store.client)).find((i) => i.id === late[0]!.incidentId)!;
    assert.deepEqual(incident.deliveries.map((d) => [d["destination"], d["event"], d["ok"], d["attempts"]]), [["pager", "open", true, 3]]);

    await event("marts/orders", "materialization", minutes(0));
    await alerts.evaluate();
    assert.deepEqual((take("/flaky") as unknown as AlertPayload[]).map((p) => p.status), ["resolved"]);

    // A receiver that never answers well: given up after the attempts, recorded, and logged without its URL.
    clock = minutes(90);
    flakyFailures = 100;
    await alerts.evaluate();
    const givenUp = (await listAlertIncidents(store.client, 1))[0]!;
    assert.deepEqual(givenUp.deliveries.map((d) => [d["ok"], d["attempts"], d["error"]]), [[false, 3, "HTTP 503"]]);
    assert.match(logged, /could not deliver an alert/);
    flakyFailures = 0;
  });

  test("two monitors on one store send each message once", async () => {
    const [first, second] = [monitor(), monitor()];
    await event("stg_customers", "materialization", minutes(-10));
    await event("stg_customers", "materialization_failure", minutes(-1));
    await Promise.all([first.evaluate(), second.evaluate()]);
    assert.deepEqual((take("/hook") as unknown as AlertPayload[]).map((p) => [p.status, p.subject]), [["open", "stg_customers"]]);
    assert.equal(take("/slack").length, 1);
  });

  test("no destination URL is ever logged or stored", async () => {
    const incidents = JSON.stringify(await listAlertIncidents(store.client, 500));
    for (const text of [logged, incidents]) {
      assert.ok(!text.includes(base), "a receiver URL leaked");
      assert.doesNotMatch(text, /https?:\/\//);
    }
  });
});
