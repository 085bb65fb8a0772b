"""Scheduled invocations end to end through `ecsops` and the emulator: the acceptance of issue 3."""

from __future__ import annotations

import json
import re
import textwrap
from datetime import datetime, timezone

import pytest

from ecsops.engine.state import StateStore
from tests.support.cli import unplaced, write_stack
from tests.support.emulator import REGION, models

CANARY = "canary-7f3a9c1e-not-to-be-seen"
THIS_YEAR = datetime.now(timezone.utc).year

COMMAND = textwrap.dedent("""\
  disk-check:
    type: ecsops:Command
    properties:
      name: disk-check
      type: RunShellScript
      content: |
        echo "disk on {{ACS::InstanceId}} for {{mount}}"
        echo "token {{token}}"
      enableParameter: true
      timeout: 120
""")


def task(name: str, frequency: str, *, instances: str = "[i-demo-linux-1, i-demo-linux-2]",
         timeout: int | None = None) -> str:
    return textwrap.dedent(f"""\
      {name}:
        type: ecsops:ScheduledInvocation
        properties:
          commandId: ${{disk-check.commandId}}
          instanceIds: {instances}
          frequency: "{frequency}"
          parameters: {{mount: /, token: {{secret: {CANARY}}}}}
    """) + (f"    timeout: {timeout}\n" if timeout else "")


def stack_of(tmp_path, *tasks: str):
    return write_stack(tmp_path, textwrap.indent(COMMAND + "".join(tasks), "  "))


def results(ecs, invoke_id: str, instance_id: str | None = None) -> list:
    request = models.DescribeInvocationResultsRequest(region_id=REGION, invoke_id=invoke_id, instance_id=instance_id,
                                                      include_history=True, content_encoding="PlainText",
                                                      max_results=50)
    return ecs.describe_invocation_results(request).body.invocation.invocation_results.invocation_result


# The examples of the guide's cron table (the ECS guide 4.8), years moved to this year or later.
GUIDE_EXAMPLES = [
    "0 15 10 ? * *", "0 15 10 * * ?", "0 0 12 * * ?", "0 0 10,14,16 * * ?", "0 0/30 9-17 * * ?", "0 * 14 * * ?",
    "0 0-5 14 * * ?", "0 0/5 14 * * ?", "0 0/5 14,18 * * ?", "0 0 12 ? * WED", "0 15 10 15 * ?", "0 15 10 L * ?",
    "0 15 10 ? * 6L", "0 15 10 ? * 6#3", "0 10,44 14 ? 3 WED", "0 15 10 ? * * 2022", "0 15 10 ? * * *",
    "0 0/5 14,18 * * ? 2022", "0 15 10 ? * 6#3 2022,2023", "0 0/30 9-17 * * ? 2022-2025", "0 10,44 14 ? 3 WED 2022/2",
]


def moved_to_this_year(expression: str) -> str:
    return re.sub(r"20(2[2-5])", lambda m: str(THIS_YEAR + int(m.group(1)) - 22), expression)


def test_every_guide_example_with_its_years_moved_forward_is_accepted_by_plan(tmp_path, cli, admin) -> None:
    tasks = [task(f"example-{n}", moved_to_this_year(expression), timeout=30)
             for n, expression in enumerate(GUIDE_EXAMPLES)]
    planned = cli("plan", "--json", stack_of(tmp_path, *tasks))
    assert planned.code == 0, planned.err
    previews = {r["name"]: r["preview"]["nextRuns"] for r in planned.json()["resources"] if r["name"] != "disk-check"}
    assert len(previews) == 21 and all(len(runs) == 3 for runs in previews.values()), previews
    assert admin.writes() == []


@pytest.mark.parametrize(
    ("frequency", "fragment"),
    [
        pytest.param("rate(30s)", "rate: an interval of 30 s is shorter than 60 s", id="rate-30s"),
        pytest.param("rate(8d)", "rate: an interval of 8 d is longer than 7 days", id="rate-8d"),
        pytest.param("0 15 10 * * 3", "day: day '*' and week '3' are both set", id="day-and-week"),
        pytest.param("0 15 10 L-3 * ?", "cannot be combined with a list or range", id="l-with-range"),
        pytest.param(f"0 0 12 * * ? {THIS_YEAR - 1}", f"year: {THIS_YEAR - 1} is before the current year",
                     id="year-before-this-year"),
        pytest.param("*/5 * * * * ?", "interval: runs can come 5 s apart", id="every-5-seconds"),
        pytest.param("rate(90s)", "must be longer than the timeout of 2 min (the command's timeout is 120 s)",
                     id="rate-shorter-than-timeout"),
    ],
)
def test_bad_schedules_are_refused_by_plan_naming_the_field_with_no_write(tmp_path, cli, admin, frequency,
                                                                           fragment) -> None:
    refused = cli("plan", stack_of(tmp_path, task("nightly", frequency)))
    assert refused.code == 1
    assert 'error: resource "nightly" (ecsops:ScheduledInvocation), field "frequency": ' in unplaced(refused.err)
    assert fragment in refused.err, refused.err
    assert admin.writes() == []


def test_parameters_are_checked_against_the_command_in_the_same_stack(tmp_path, cli, admin) -> None:
    stack = stack_of(tmp_path, task("nightly", "rate(5m)").replace("{mount: /,", "{mnt: /,"))
    refused = cli("plan", stack)
    assert refused.code == 1
    assert 'field "parameters": mnt: not parameters of command \'disk-check\'' in refused.err
    assert "needs a value for {{mount}}" in refused.err
    assert admin.writes() == []


def test_a_nightly_task_runs_once_per_instance_a_day_at_two_in_shanghai(tmp_path, cli, admin, ecs) -> None:
    admin.set_clock("2026-11-21T00:00:00Z")
    stack = stack_of(tmp_path, task("nightly", "0 0 2 * * ? Asia/Shanghai",
                                    instances="[i-demo-linux-1, i-demo-linux-2, i-demo-stopped-1]"))
    applied = cli("apply", "--yes", stack)
    assert applied.code == 0, applied.err
    assert "nextRuns (after apply)" in applied.out
    invoke_id = StateStore(tmp_path, "demo").load().resources["nightly"].id
    admin.advance("1d")
    for instance in ("i-demo-linux-1", "i-demo-linux-2"):
        [run] = results(ecs, invoke_id, instance)
        assert (run.start_time, run.invocation_status, run.exit_code) == ("2026-11-21T18:00:00Z", "Success", 0)
        assert run.output == f"disk on {instance} for /\ntoken {CANARY}\n"  # rendered on the instance
    [stopped] = results(ecs, invoke_id, "i-demo-stopped-1")
    assert (stopped.invocation_status, stopped.error_code) == ("Failed", "InstanceNotRunning")


def test_a_five_minute_rate_runs_twelve_times_an_hour(tmp_path, cli, admin, ecs) -> None:
    admin.set_clock("2026-11-21T00:00:00Z")
    assert cli("apply", "--yes", stack_of(tmp_path, task("often", "rate(5m)"))).code == 0
    invoke_id = StateStore(tmp_path, "demo").load().resources["often"].id
    admin.advance("1h")
    assert len(results(ecs, invoke_id, "i-demo-linux-1")) == 12
    assert len(results(ecs, invoke_id, "i-demo-linux-2")) == 12


def test_a_year_step_keeps_its_years_when_the_clock_crosses_a_new_year(tmp_path, cli, admin, ecs) -> None:
    """`*/2` is the even years (counted from 1970) for a task made in 2026 and for one made in 2027: both
    run on 1 January 2028, neither in 2027."""
    every_other_year = "0 0 0 1 1 ? */2 UTC"
    admin.set_clock("2026-12-31T12:00:00Z")
    stack = stack_of(tmp_path, task("before", every_other_year))
    assert cli("apply", "--yes", stack).code == 0
    admin.advance("2d")  # 2027-01-02: a new year, an odd one
    stack = stack_of(tmp_path, task("before", every_other_year), task("after", every_other_year))
    assert cli("apply", "--yes", stack).code == 0
    state = StateStore(tmp_path, "demo").load()
    admin.set_clock("2028-01-01T00:05:00Z")
    for name in ("before", "after"):
        starts = [run.start_time for run in results(ecs, state.resources[name].id, "i-demo-linux-1")]
        assert starts == ["2028-01-01T00:00:00Z"], name


def test_the_secret_parameter_is_seen_nowhere_but_on_the_instance(tmp_path, cli, admin, ecs) -> None:
    stack = stack_of(tmp_path, task("nightly", "rate(5m)"))
    outputs = [cli("plan", stack), cli("plan", "--json", stack), cli("apply", "--yes", stack),
               cli("plan", stack), cli("drift", stack), cli("drift", "--json", stack)]
    state = StateStore(tmp_path, "demo")
    texts = [r.out + r.err for r in outputs] + [state.path.read_text(), json.dumps(admin.requests())]
    assert all(CANARY not in text for text in texts)
    assert '"token": "(secret)"' in outputs[1].out
    assert "digest" not in outputs[0].out and "hmac" not in outputs[0].out
    assert all(r.code == 0 for r in outputs), [r.err for r in outputs]
    assert "No changes" in outputs[3].out  # the secret read back from the cloud matches its declaration


def test_a_task_stopped_outside_ecsops_is_drift_and_apply_makes_a_new_one(tmp_path, cli, admin, ecs) -> None:
    stack = stack_of(tmp_path, task("nightly", "rate(5m)"))
    cli("apply", "--yes", stack)
    old = StateStore(tmp_path, "demo").load().resources["nightly"].id
    ecs.stop_invocation(models.StopInvocationRequest(region_id=REGION, invoke_id=old))
    drift = cli("drift", stack)
    assert drift.code == 2 and f"nightly  ecsops:ScheduledInvocation  {old}: missing ({old} was stopped outside" \
        in drift.out
    repaired = cli("apply", "--yes", stack)
    assert repaired.code == 0 and "+ nightly" in repaired.out
    new = StateStore(tmp_path, "demo").load().resources["nightly"].id
    assert new != old
    assert cli("plan", "--detailed-exitcode", stack).code == 0
    assert cli("drift", stack).code == 0


def test_changing_the_command_replaces_it_and_its_tasks_in_a_safe_order(tmp_path, cli, admin) -> None:
    stack = stack_of(tmp_path, task("nightly", "rate(5m)"), task("hourly", "0 0 * * * ?"))
    cli("apply", "--yes", stack)
    before = StateStore(tmp_path, "demo").load().resources
    stack.write_text(stack.read_text().replace('echo "token {{token}}"', 'echo "auth {{token}}"'))
    planned = cli("plan", stack)
    assert "-/+ disk-check" in planned.out and "-/+ nightly" in planned.out and "-/+ hourly" in planned.out
    mark = admin.requests()[-1]["seq"]
    assert cli("apply", "--yes", stack).code == 0
    writes = [(e["action"], e["params"].get("CommandId") or e["params"].get("InvokeId"))
              for e in admin.requests(since=mark, kind="write") if e["status"] == 200]
    after = StateStore(tmp_path, "demo").load().resources
    assert [action for action, _ in writes] == ["CreateCommand", "InvokeCommand", "InvokeCommand",
                                                "StopInvocation", "StopInvocation", "DeleteCommand"]
    stopped = {target for action, target in writes if action == "StopInvocation"}
    assert stopped == {before["nightly"].id, before["hourly"].id}
    assert writes[-1] == ("DeleteCommand", before["disk-check"].id)
    assert after["nightly"].values["commandId"] == after["disk-check"].id != before["disk-check"].id
    assert cli("plan", "--detailed-exitcode", stack).code == 0
