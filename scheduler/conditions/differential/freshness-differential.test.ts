/**
 * Freshness status against real Dagster (issue 19): freshness-cases.json holds targets, materialization and
 * evaluation times with the state Dagster's own freshness evaluators gave (FreshnessPolicy.time_window /
 * .cron, freshness_evaluator.py; generate_freshness.py regenerates them). freshnessStatus must agree:
 * PASS = fresh, FAIL = overdue, UNKNOWN = unknown. The test needs no Python.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { freshnessStatus } from "../freshness.ts";

interface Case {
  readonly name: string;
  readonly target: { readonly maximum_lag_minutes: number; readonly cron?: string; readonly timezone?: string };
  readonly materializedAt: string | null;
  readonly evaluatedAt: string;
  readonly expected: "PASS" | "FAIL" | "UNKNOWN";
}

const file = JSON.parse(readFileSync(join(import.meta.dirname, "freshness-cases.json"), "utf8")) as { dagsterVersion: string; cases: Case[] };
const STATE = { PASS: "fresh", FAIL: "overdue", UNKNOWN: "unknown" } as const;

test(`freshness cases agree with Dagster ${file.dagsterVersion} (${file.cases.length} cases)`, () => {
  assert.ok(file.cases.length >= 20);
  const disagreements = file.cases.flatMap((c) => {
    const target = { maximumLagMinutes: c.target.maximum_lag_minutes, cron: c.target.cron ?? null, timezone: c.target.timezone ?? "UTC" };
    const state = freshnessStatus(target, c.materializedAt === null ? null : Date.parse(c.materializedAt), Date.parse(c.evaluatedAt)).state;
    return state === STATE[c.expected] ? [] : [`${c.name}: Dagster ${c.expected}, Tributary ${state}`];
  });
  assert.deepEqual(disagreements, []);
});
