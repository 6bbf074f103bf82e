"""Regenerates the expectations of scenarios.json by running real Dagster on every scenario.

    python3 -m venv /tmp/dagster-venv && /tmp/dagster-venv/bin/pip install 'dagster==1.13.*'
    /tmp/dagster-venv/bin/python scheduler/conditions/differential/generate.py

For each scenario: the same assets (dependencies via `deps`, so no IO between them), the same condition (the
YAML form of Tributary's `automation_condition`, or `auto_materialize_policy`), and, tick by tick, the same
events at the same (frozen) times — runs through `dg.materialize` (real runs with an explicit asset
selection; failing assets raise; with `partition`, a run of that partition), runless materializations, observations with a data version, wiped assets, and runs left in progress (a run record with
planned-materialization events, of one partition with `partition`) that a later event finishes. Each tick calls `evaluate_automation_conditions`
at the tick's time with the previous cursor and writes the requested keys into `expect` (a partitioned asset
— `partitions: {type: daily | monthly, start_date}` — as `key:partition` per requested partition). Cron cases: the
latest tick of a cron at given times, from Dagster's own cron iterator. The file records Dagster's version.
The TypeScript tests (differential.test.ts) read the file and never need Python.
"""

import datetime
import json
import logging
import sys
import uuid
import warnings
from functools import reduce
from pathlib import Path

import dagster as dg
from dagster import AutomationCondition as AC
from dagster._core.definitions.declarative_automation.operators import (
    AndAutomationCondition,
    NotAutomationCondition,
    OrAutomationCondition,
)
from dagster._core.events import AssetMaterializationPlannedData, DagsterEvent, DagsterEventType, StepMaterializationData
from dagster._core.definitions.data_version import DATA_VERSION_TAG
from dagster._core.storage.dagster_run import DagsterRunStatus
from dagster._core.test_utils import create_run_for_test, freeze_time
from dagster._utils.schedules import reverse_cron_string_iterator

warnings.filterwarnings("ignore")
logging.disable(logging.CRITICAL)

HERE = Path(__file__).parent
JOB = "__ASSET_JOB"


def parse_time(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def cron_args(argument):
    return argument["cron"], argument.get("timezone", "UTC")


NAMED = {
    "eager": AC.eager,
    "on_missing": AC.on_missing,
    "missing": AC.missing,
    "newly_updated": AC.newly_updated,
    "newly_requested": AC.newly_requested,
    "newly_missing": AC.newly_missing,
    "in_progress": AC.in_progress,
    "run_in_progress": AC.run_in_progress,
    "backfill_in_progress": AC.backfill_in_progress,
    "execution_failed": AC.execution_failed,
    "initial_evaluation": AC.initial_evaluation,
    "code_version_changed": AC.code_version_changed,
    "will_be_requested": AC.will_be_requested,
    "any_deps_updated": AC.any_deps_updated,
    "any_deps_missing": AC.any_deps_missing,
    "any_deps_in_progress": AC.any_deps_in_progress,
    "in_latest_time_window": AC.in_latest_time_window,
    "executed_with_root_target": AC.executed_with_root_target,
}


def condition(yaml):
    """The AutomationCondition of Tributary's YAML form (catalog/model/policy.ts), operator for operator."""
    if isinstance(yaml, str):
        return NAMED[yaml]()
    ((name, argument),) = yaml.items()
    if name == "all_of":
        return AndAutomationCondition(operands=[condition(c) for c in argument])
    if name == "any_of":
        return OrAutomationCondition(operands=[condition(c) for c in argument])
    if name == "not":
        return NotAutomationCondition(operand=condition(argument))
    if name == "newly_true":
        return condition(argument).newly_true()
    if name == "since_last_handled":
        return condition(argument).since_last_handled()
    if name == "since":
        return condition(argument["trigger"]).since(condition(argument["reset"]))
    if name in ("any_deps_match", "all_deps_match"):
        build = AC.any_deps_match if name == "any_deps_match" else AC.all_deps_match
        if isinstance(argument, dict) and "condition" in argument:
            built = build(condition(argument["condition"]))
            if "allow" in argument:
                built = built.allow(dg.AssetSelection.assets(*argument["allow"]))
            if "ignore" in argument:
                built = built.ignore(dg.AssetSelection.assets(*argument["ignore"]))
            return built
        return build(condition(argument))
    if name == "cron_tick_passed":
        return AC.cron_tick_passed(*cron_args(argument))
    if name == "all_deps_updated_since_cron":
        return AC.all_deps_updated_since_cron(*cron_args(argument))
    if name == "on_cron":
        return AC.on_cron(*cron_args(argument))
    raise ValueError(f"unknown condition {name}")


def policy_condition(policy):
    if policy is None:
        return None
    if "automation_condition" in policy:
        return condition(policy["automation_condition"])
    amp = policy["auto_materialize_policy"]
    kind = amp["type"]
    if kind == "eager":
        return dg.AutoMaterializePolicy.eager().to_automation_condition()
    if kind == "lazy":
        return dg.AutoMaterializePolicy.lazy().to_automation_condition()
    if kind == "on_missing":
        return AC.on_missing()
    if kind == "on_cron":
        return AC.on_cron(amp["cron_schedule"], amp.get("cron_timezone") or "UTC")
    raise ValueError(kind)


FAILING = set()


def body_of(key):
    def body():
        if key in FAILING:
            raise Exception(f"{key} failed")

    return body


def observe_of(key):
    def observe():
        return dg.DataVersion(key)

    return observe


PARTITIONS = {}


def partitions_def(spec):
    """The asset's time partitions (`partitions: {type: daily | monthly, start_date}`), one object per spec."""
    declared = spec.get("partitions")
    if declared is None:
        return None
    key = (declared["type"], declared["start_date"])
    if key not in PARTITIONS:
        build = {"daily": dg.DailyPartitionsDefinition, "monthly": dg.MonthlyPartitionsDefinition}[declared["type"]]
        PARTITIONS[key] = build(start_date=declared["start_date"])
    return PARTITIONS[key]


def build_defs(assets, policies):
    defs = []
    for spec in assets:
        key = spec["key"]
        deps = spec.get("deps", [])
        if spec.get("source") == "observable":
            defs.append(dg.observable_source_asset(name=key)(observe_of(key)))
            continue
        if spec.get("source"):
            defs.append(dg.AssetSpec(key, deps=deps))
            continue

        defs.append(
            dg.asset(
                name=key,
                deps=deps,
                automation_condition=policy_condition(policies.get(key)),
                code_version=spec.get("code_version"),
                partitions_def=partitions_def(spec),
            )(body_of(key))
        )
    return defs


def run_scenario(scenario):
    instance = dg.DagsterInstance.ephemeral()
    policies = {a["key"]: a.get("policy") for a in scenario["assets"]}
    defs = build_defs(scenario["assets"], policies)
    open_runs = {}
    cursor = None
    for tick in scenario["ticks"]:
        for event in tick.get("events", []):
            at = parse_time(event["at"]) if "at" in event else parse_time(tick["at"]) - datetime.timedelta(seconds=1)
            if "policy" in event:
                policies.update(event["policy"])
                defs = build_defs(scenario["assets"], policies)
                continue
            if "code_version" in event:
                for a in scenario["assets"]:
                    if a["key"] in event["code_version"]:
                        a["code_version"] = event["code_version"][a["key"]]
                defs = build_defs(scenario["assets"], policies)
                continue
            with freeze_time(at):
                if "materialize" in event and "partition" in event:
                    # One run of one partition of assets sharing a partitioning.
                    result = dg.materialize(defs, instance=instance, selection=event["materialize"], partition_key=event["partition"], raise_on_error=False)
                    assert result.success, event
                elif "materialize" in event and event.get("run", True):
                    result = dg.materialize(defs, instance=instance, selection=event["materialize"], raise_on_error=False)
                    assert result.success, event
                elif "materialize" in event:
                    for key in event["materialize"]:
                        instance.report_runless_asset_event(dg.AssetMaterialization(asset_key=key))
                elif "observe" in event:
                    for key, version in event["observe"].items():
                        instance.report_runless_asset_event(dg.AssetObservation(asset_key=key, tags={DATA_VERSION_TAG: version}))
                elif "wipe" in event:
                    instance.wipe_assets([dg.AssetKey(k) for k in event["wipe"]])
                elif "fail" in event:
                    FAILING.clear()
                    FAILING.update(event["fail"])
                    result = dg.materialize(defs, instance=instance, selection=event["fail"], raise_on_error=False)
                    FAILING.clear()
                    assert not result.success, event
                elif "start" in event:
                    run_id = str(uuid.uuid4())
                    keys = [dg.AssetKey(k) for k in event["start"]]
                    partition = event.get("partition")
                    tags = {"dagster/partition": partition} if partition else None
                    create_run_for_test(instance, job_name=JOB, run_id=run_id, status=DagsterRunStatus.STARTED, asset_selection=frozenset(keys), tags=tags)
                    for key in keys:
                        instance.report_dagster_event(
                            DagsterEvent.build_asset_materialization_planned_event(JOB, "step", AssetMaterializationPlannedData(asset_key=key, partition=partition)),
                            run_id=run_id,
                        )
                    open_runs[event["run"]] = (run_id, event["start"], partition)
                elif "finish" in event:
                    run_id, keys, partition = open_runs.pop(event["finish"])
                    if event.get("failed"):
                        instance.report_dagster_event(DagsterEvent(event_type_value=DagsterEventType.RUN_FAILURE.value, job_name=JOB), run_id=run_id)
                    else:
                        for key in keys:
                            instance.report_dagster_event(
                                DagsterEvent(
                                    event_type_value=DagsterEventType.ASSET_MATERIALIZATION.value,
                                    job_name=JOB,
                                    event_specific_data=StepMaterializationData(dg.AssetMaterialization(asset_key=key, partition=partition)),
                                ),
                                run_id=run_id,
                            )
                        instance.report_dagster_event(DagsterEvent(event_type_value=DagsterEventType.RUN_SUCCESS.value, job_name=JOB), run_id=run_id)
                else:
                    raise ValueError(event)
        now = parse_time(tick["at"])
        with freeze_time(now):
            result = dg.evaluate_automation_conditions(defs=defs, instance=instance, evaluation_time=now, cursor=cursor)
        cursor = result.cursor
        expect = []
        for a in scenario["assets"]:
            key = dg.AssetKey(a["key"])
            if result.get_num_requested(key) == 0:
                continue
            if a.get("partitions"):
                # A partitioned asset: one entry per requested partition, "key:partition".
                expect.extend(f"{a['key']}:{p}" for p in requested_partitions(result, key))
            else:
                expect.append(a["key"])
        tick["expect"] = sorted(expect)


def requested_partitions(result, key):
    for asset_result in result.results:
        if asset_result.key == key:
            return sorted(asset_result.true_subset.expensively_compute_partition_keys())
    return []


def cron_case(case):
    end = parse_time(case["at"]).timestamp()
    tick = next(reverse_cron_string_iterator(end_timestamp=end, cron_string=case["cron"], execution_timezone=case["timezone"]))
    case["expect"] = tick.astimezone(datetime.timezone.utc).isoformat().replace("+00:00", "Z")


def main():
    path = HERE / "scenarios.json"
    data = json.loads(path.read_text())
    data["dagsterVersion"] = dg.__version__
    only = set(sys.argv[1:])
    for scenario in data["scenarios"]:
        if only and scenario["name"] not in only:
            continue
        for a in scenario["assets"]:
            a.pop("_", None)
        original = json.loads(json.dumps(scenario))
        run_scenario(scenario)
        # run_scenario updates code versions in place to follow events; keep the file's initial ones.
        for a, b in zip(scenario["assets"], original["assets"]):
            if "code_version" in b:
                a["code_version"] = b["code_version"]
        print(f"{scenario['name']}: {[t['expect'] for t in scenario['ticks']]}", file=sys.stderr)
    for case in data["cronCases"]:
        cron_case(case)
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
