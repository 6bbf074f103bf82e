/** What the history table reads from a materialization's metadata, and the time helpers it uses. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { exactTime, formatDuration, relativeTime, span } from "../common/time.ts";
import type { Materialization } from "../types.ts";
import { materializationFacts } from "./materialization-facts.ts";

function materialization(overrides: Partial<Materialization>): Materialization {
  return {
    id: "1",
    assetKey: "shopify/order",
    status: "SUCCESS",
    tool: "fivetran",
    location: "fivetran",
    runId: null,
    occurredAt: "2026-11-24T08:00:00.000Z",
    recordedAt: "2026-11-24T08:00:01.000Z",
    metadata: {},
    durationMs: null,
    tributaryRunId: null,
    ...overrides,
  };
}

describe("materializationFacts", () => {
  test("a Fivetran sync Tributary launched: who, how long, the logs link", () => {
    const facts = materializationFacts(
      materialization({
        metadata: {
          "fivetran/launched_by": "tributary",
          "fivetran/triggered_at": "2026-11-24T07:58:30.000Z",
          "fivetran/sync_completed_at": "2026-11-24T08:00:00.000Z",
          "fivetran/logs_url": "https://fivetran.com/dashboard/connectors/shopify_connector/logs",
          "fivetran/connector_url": "https://fivetran.com/dashboard/connectors/shopify_connector",
        },
      }),
    );
    assert.deepEqual(facts, {
      launchedBy: "Tributary",
      durationMs: 90_000,
      message: null,
      link: { href: "https://fivetran.com/dashboard/connectors/shopify_connector/logs", label: "Fivetran logs" },
      records: null,
    });
  });

  test("a scheduled Fivetran sync has no known start; a failed one says why", () => {
    const scheduled = materializationFacts(materialization({ metadata: { "fivetran/launched_by": "fivetran_schedule", "fivetran/sync_completed_at": "2026-11-24T08:00:00.000Z" } }));
    assert.equal(scheduled.launchedBy, "Fivetran schedule");
    assert.equal(scheduled.durationMs, null);
    const failed = materializationFacts(materialization({ status: "FAILURE", metadata: { "fivetran/messages": ["sync_failed: Source credentials expired", 3] } }));
    assert.equal(failed.message, "sync_failed: Source credentials expired");
    const silent = materializationFacts(materialization({ status: "FAILURE" }));
    assert.match(silent.message ?? "", /no message/);
  });

  test("a failed dbt node says dbt's error for it", () => {
    const dbtMessage = 'Runtime Error in model orders (models/marts/core/orders.sql)\n  Catalog Error: Table with name stg_shopify__orders does not exist!';
    const failed = materializationFacts(
      materialization({ tool: "dbt", location: "shop", status: "FAILURE", metadata: { "dbt/status": "error", "dbt/message": dbtMessage, "dbt/execution_duration_s": 0.131 } }),
    );
    assert.equal(failed.message, dbtMessage);
    const succeeded = materializationFacts(materialization({ tool: "dbt", location: "shop", metadata: { "dbt/status": "success" } }));
    assert.equal(succeeded.message, null);
  });

  test("a Census run: duration from its start, record counts, its error message", () => {
    const facts = materializationFacts(
      materialization({
        tool: "census",
        status: "FAILURE",
        metadata: {
          "census/launched_by": "census",
          "census/started_at": "2026-11-24T08:00:00.000Z",
          "census/completed_at": "2026-11-24T08:00:12.000Z",
          "census/records_processed": 1200,
          "census/records_failed": 3,
          "census/error_message": "Destination rejected 3 records",
        },
      }),
    );
    assert.equal(facts.launchedBy, "Census schedule");
    assert.equal(facts.durationMs, 12_000);
    assert.deepEqual(facts.records, { processed: 1200, failed: 3 });
    assert.equal(facts.message, "Destination rejected 3 records");
    assert.equal(facts.link, null);
  });

  test("only web links are followed", () => {
    const facts = materializationFacts(materialization({ metadata: { "fivetran/logs_url": "javascript:alert(1)", "fivetran/connector_url": "ftp://x" } }));
    assert.equal(facts.link, null);
  });
});

describe("time helpers", () => {
  const now = new Date("2026-11-24T12:00:00.000Z");
  test("relativeTime", () => {
    assert.equal(relativeTime("2026-11-24T11:59:50.000Z", now), "just now");
    assert.equal(relativeTime("2026-11-24T11:55:00.000Z", now), "5 min. ago");
    assert.equal(relativeTime("2026-11-24T14:00:00.000Z", now), "in 2 hr.");
    assert.equal(relativeTime("2026-11-21T12:00:00.000Z", now), "3 days ago");
    assert.equal(relativeTime("not a time", now), null);
  });
  test("formatDuration and span", () => {
    assert.equal(formatDuration(850), "850 ms");
    assert.equal(formatDuration(12_400), "12 s");
    assert.equal(formatDuration(200_000), "3 min 20 s");
    assert.equal(formatDuration(3_900_000), "1 h 5 min");
    assert.equal(formatDuration(-1), null);
    assert.equal(span("2026-11-24T08:00:00Z", "2026-11-24T08:00:02Z"), 2000);
    assert.equal(span(null, "2026-11-24T08:00:02Z"), null);
  });
  test("exactTime names the zone", () => {
    assert.match(exactTime("2026-11-24T08:04:12.000Z"), /2026.*\d\d:\d\d:\d\d/);
    assert.equal(exactTime("garbage"), "garbage");
  });
});
