import assert from "node:assert/strict";
import { test } from "node:test";
import { lagText, savedShare, savingsSentence, targetSentence } from "./automation-text.ts";

const savings = (requested: number, upstreamUpdates: number, complete = true) => ({
  assets: 1,
  requested,
  upstreamUpdates,
  coalesced: Math.max(0, upstreamUpdates - requested),
  complete,
  since: "2026-12-02T12:00:00.000Z",
});

test("lags read in minutes, hours and days", () => {
  assert.equal(lagText(30), "30 min");
  assert.equal(lagText(120), "2 h");
  assert.equal(lagText(90), "1 h 30 min");
  assert.equal(lagText(24 * 60), "1 day");
  assert.equal(lagText(30 * 60), "1 day 6 h");
  assert.equal(lagText(3 * 24 * 60), "3 days");
});

test("a target says its lag and, with a cron, its deadlines", () => {
  assert.equal(targetSentence({ maximumLagMinutes: 120, cronSchedule: null, cronTimezone: null }), "Must be at most 2 h old at all times.");
  assert.equal(targetSentence({ maximumLagMinutes: 30, cronSchedule: "0 9 * * *", cronTimezone: "Europe/Paris" }), "Must be at most 30 min old at each deadline of 0 9 * * * (Europe/Paris).");
});

test("savings say what was requested against what landed, and what that saved", () => {
  assert.equal(savingsSentence(savings(2, 30), "day"), "2 runs requested for 30 upstream updates in the last day: 28 runs saved.");
  assert.equal(savingsSentence(savings(1, 1), "week"), "1 run requested for 1 upstream update in the last week: nothing coalesced.");
  assert.equal(savingsSentence(savings(0, 0), "day"), "No upstream updates and no runs requested in the last day.");
  assert.equal(savingsSentence(savings(3, 40, false), "week"), "3 runs requested for at least 40 upstream updates in the last week: 37 runs saved.");
  assert.equal(savedShare(savings(2, 30)), 93);
  assert.equal(savedShare(savings(0, 0)), null);
});
