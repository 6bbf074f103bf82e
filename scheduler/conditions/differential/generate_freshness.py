"""Freshness status cases with the answers of real Dagster's freshness evaluators (issue 19).

Each case: a freshness target (maximum_lag_minutes, optional cron deadline and zone), the asset's latest
materialization time (or none) and an evaluation time; Dagster's FreshnessPolicy.time_window(fail_window=lag)
or FreshnessPolicy.cron(deadline_cron, lower_bound_delta=lag, timezone) evaluated by
dagster/_core/definitions/freshness_evaluator.py on an ephemeral instance with frozen time gives the expected
state (PASS / FAIL / UNKNOWN). Tributary's freshnessStatus must give fresh / overdue / unknown for the same.

    python -m venv /tmp/dagster-venv && /tmp/dagster-venv/bin/pip install 'dagster==1.13.*'
    /tmp/dagster-venv/bin/python scheduler/conditions/differential/generate_freshness.py
"""
import asyncio
import datetime as dt
import json
import os

import dagster
from dagster import AssetKey, AssetMaterialization, DagsterInstance, Definitions, asset
from dagster._core.definitions.freshness import FreshnessPolicy
from dagster._core.definitions.freshness_evaluator import CronFreshnessPolicyEvaluator, TimeWindowFreshnessPolicyEvaluator
from dagster._core.loader import LoadingContextForTest
from dagster._core.test_utils import freeze_time

UTC = dt.timezone.utc


def at(text):
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def evaluate(target, materialized_at, evaluated_at):
    lag = dt.timedelta(minutes=target["maximum_lag_minutes"])
    if target.get("cron"):
        policy = FreshnessPolicy.cron(deadline_cron=target["cron"], lower_bound_delta=lag, timezone=target.get("timezone", "UTC"))
        evaluator = CronFreshnessPolicyEvaluator()
    else:
        policy = FreshnessPolicy.time_window(fail_window=lag)
        evaluator = TimeWindowFreshnessPolicyEvaluator()

    @asset(name="mart", freshness_policy=policy)
    def mart(): ...

    node = Definitions(assets=[mart]).resolve_asset_graph().get(AssetKey("mart"))
    with DagsterInstance.ephemeral() as instance:
        if materialized_at is not None:
            with freeze_time(at(materialized_at)):
                instance.report_runless_asset_event(AssetMaterialization("mart"))
        with freeze_time(at(evaluated_at)):
            return asyncio.run(evaluator.evaluate_freshness(LoadingContextForTest(instance), node)).value


HOUR = {"maximum_lag_minutes": 60}
NINE_CPH = {"maximum_lag_minutes": 30, "cron": "0 9 * * *", "timezone": "Europe/Copenhagen"}
HALF_PAST_TWO_CPH = {"maximum_lag_minutes": 45, "cron": "30 2 * * *", "timezone": "Europe/Copenhagen"}
HOURLY_NY = {"maximum_lag_minutes": 20, "cron": "0 * * * *", "timezone": "America/New_York"}

CASES = [
    ("time window: within", HOUR, "2026-03-02T08:00:00Z", "2026-03-02T08:30:00Z"),
    ("time window: a minute before", HOUR, "2026-03-02T08:00:00Z", "2026-03-02T08:59:00Z"),
    ("time window: exactly the lag", HOUR, "2026-03-02T08:00:00Z", "2026-03-02T09:00:00Z"),
    ("time window: past it", HOUR, "2026-03-02T08:00:00Z", "2026-03-02T09:01:00Z"),
    ("time window: never materialized", HOUR, None, "2026-03-02T09:00:00Z"),
    ("cron: on time, after the deadline", NINE_CPH, "2026-03-02T07:45:00Z", "2026-03-02T08:10:00Z"),
    ("cron: too early for the deadline", NINE_CPH, "2026-03-02T07:20:00Z", "2026-03-02T08:10:00Z"),
    ("cron: late, after the deadline", NINE_CPH, "2026-03-02T08:20:00Z", "2026-03-02T08:30:00Z"),
    ("cron: before today's deadline, yesterday's met", NINE_CPH, "2026-03-01T07:50:00Z", "2026-03-02T07:50:00Z"),
    ("cron: before today's deadline, yesterday's missed", NINE_CPH, "2026-03-01T06:00:00Z", "2026-03-02T07:50:00Z"),
    ("cron: at the deadline exactly", NINE_CPH, "2026-03-02T07:40:00Z", "2026-03-02T08:00:00Z"),
    ("cron: at the window's start exactly", NINE_CPH, "2026-03-02T07:30:00Z", "2026-03-02T08:05:00Z"),
    ("cron: never materialized", NINE_CPH, None, "2026-03-02T08:10:00Z"),
    ("cron: summer time (09:00 CEST is 07:00 UTC)", NINE_CPH, "2026-06-02T06:40:00Z", "2026-06-02T07:05:00Z"),
    ("cron: summer time, materialized by CET reckoning", NINE_CPH, "2026-06-02T07:40:00Z", "2026-06-02T07:50:00Z"),
    ("cron: spring-forward day, 02:30 does not exist", HALF_PAST_TWO_CPH, "2026-03-29T00:30:00Z", "2026-03-29T01:10:00Z"),
    ("cron: fall-back day, the second 02:30", HALF_PAST_TWO_CPH, "2026-10-25T00:50:00Z", "2026-10-25T01:40:00Z"),
    ("cron: fall-back day, between the two 02:30s", HALF_PAST_TWO_CPH, "2026-10-24T00:00:00Z", "2026-10-25T00:40:00Z"),
    ("cron: hourly in New York", HOURLY_NY, "2026-03-02T13:45:00Z", "2026-03-02T14:05:00Z"),
    ("cron: hourly in New York, too early", HOURLY_NY, "2026-03-02T13:35:00Z", "2026-03-02T14:05:00Z"),
]


def main():
    cases = []
    for name, target, materialized_at, evaluated_at in CASES:
        expected = evaluate(target, materialized_at, evaluated_at)
        cases.append({"name": name, "target": target, "materializedAt": materialized_at, "evaluatedAt": evaluated_at, "expected": expected})
        print(f"{expected:8} {name}")
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "freshness-cases.json")
    with open(out, "w") as f:
        json.dump({"dagsterVersion": dagster.__version__, "cases": cases}, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
