"""A create of several calls is the stack's from its first successful call: an apply that made an object and
then failed keeps it in the state (partly made), the next plan says so, the next apply finishes it, and a
destroy deletes it. Never a second object, never "not managed by this stack" for ecsops's own object."""

from __future__ import annotations

import json
import textwrap

import pytest
from alibabacloud_cms20190101 import models as cms_models

from ecsops.engine.state import StateStore
from tests.support.cli import unplaced, write_stack
from tests.support.emulator import REGION, cms_client, models

UNKNOWN_GROUP = "no-such-group"  # the default world's only contact group is ops-oncall
FAST_FAILURE = {"throttleRate": 1.0, "retryAfterMs": 1}  # every retry answered at once: the call fails quickly


def rule(name: str, group: str) -> str:
    return textwrap.indent(textwrap.dedent(f"""\
        alerts:
          type: ecsops:EventAlertRule
          properties:
            name: {name}
            eventPattern: {{eventTypes: [Maintenance], levels: [CRITICAL]}}
            targets: {{contacts: [{{id: oncall, group: {group}}}]}}
        """), "  ")


KEEP = "  keep: {type: ecsops:Command, properties: {name: keep, type: RunShellScript, content: echo}}\n"

TASK = textwrap.indent(textwrap.dedent("""\
    check:
      type: ecsops:Command
      properties: {name: check, type: RunShellScript, content: echo hi}
    nightly:
      type: ecsops:ScheduledInvocation
      properties:
        commandId: ${check.commandId}
        instanceIds: [i-demo-linux-1]
        frequency: rate(1h)
    """), "  ")


def rules(endpoint: str) -> dict[str, list[str]]:
    """Every rule in the cloud -> the contact groups it notifies."""
    cms = cms_client(endpoint)
    listed = cms.describe_event_rule_list(cms_models.DescribeEventRuleListRequest()).body.event_rules
    found = {}
    for item in (listed.event_rule if listed else None) or []:
        targets = cms.describe_event_rule_target_list(
            cms_models.DescribeEventRuleTargetListRequest(rule_name=item.name)).body.contact_parameters
        found[item.name] = [c.contact_group_name for c in (targets.contact_parameter if targets else None) or []]
    return found


def tasks(ecs) -> list[str]:
    """The ids of the region's tasks that still run."""
    answer = ecs.describe_invocations(models.DescribeInvocationsRequest(region_id=REGION, max_results=50)).body
    return [task.invoke_id for task in answer.invocations.invocation if task.invocation_status != "Stopped"]


def failed_once(result, name: str, type_: str) -> str:
    """The one error of a failed apply, which must name the resource and say the object is kept."""
    errors = [line for line in unplaced(result.err).splitlines() if line.startswith("error:")]
    assert result.code == 1 and len(errors) == 1, result.err
    assert errors[0].startswith(f'error: resource "{name}" ({type_})')
    assert "recorded in the state as partly made: the next apply finishes it" in errors[0]
    return errors[0]


def plans_to_finish(cli, stack, name: str) -> None:
    """The next plan shows the resource partly made, to be finished (not created, not refused)."""
    planned = cli("plan", stack)
    assert planned.code == 0, planned.err
    [head] = [line for line in planned.out.splitlines() if f" {name}  " in line]
    assert head.startswith(("~ ", "-/+ ")) and "(partly made: " in head and "not manage" not in planned.out
    [entry] = [r for r in cli("plan", "--json", stack).json()["resources"] if r["name"] == name]
    assert entry["partial"] is True and entry["action"] in ("update", "replace")


# -- an event rule whose targets fail -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixed_name", "writes"),
    [
        pytest.param("critical", ["PutEventRuleTargets"], id="targets-fixed-finished-in-place"),
        pytest.param("critical-v2", ["PutEventRule", "PutEventRuleTargets", "DeleteEventRules"],
                     id="renamed-too-replaced"),
    ],
)
def test_a_rule_whose_targets_fail_is_kept_and_finished_by_the_next_apply(tmp_path, cli, admin, fixed_name,
                                                                         writes) -> None:
    stack = write_stack(tmp_path, rule("critical", UNKNOWN_GROUP))
    error = failed_once(cli("apply", "--yes", stack), "alerts", "ecsops:EventAlertRule")
    assert UNKNOWN_GROUP in error and "critical exists" in error
    assert rules(admin.endpoint) == {"critical": []}
    state = StateStore(tmp_path, "demo").load()
    assert state.pending == {} and (state.resources["alerts"].id, state.resources["alerts"].partial) == (
        "critical", True)

    stack.write_text(stack.read_text().replace(UNKNOWN_GROUP, "ops-oncall").replace(
        "name: critical", f"name: {fixed_name}"))
    plans_to_finish(cli, stack, "alerts")
    mark = admin.requests()[-1]["seq"]
    finished = cli("apply", "--yes", stack)
    assert finished.code == 0, finished.err
    assert [e["action"] for e in admin.requests(since=mark, kind="write")] == writes
    assert rules(admin.endpoint) == {fixed_name: ["ops-oncall"]}  # one rule: never made twice
    entry = StateStore(tmp_path, "demo").load().resources["alerts"]
    assert (entry.id, entry.partial) == (fixed_name, False)
    assert cli("plan", "--detailed-exitcode", stack).code == 0


def test_drift_reports_a_partly_made_rule_as_not_applied_rather_than_changed_outside(tmp_path, cli) -> None:
    stack = write_stack(tmp_path, rule("critical", UNKNOWN_GROUP))
    cli("apply", "--yes", stack)
    drift = cli("drift", "--json", stack)
    assert drift.code == 2
    [entry] = drift.json()["resources"]
    assert (entry["action"], [c["reason"] for c in entry["changes"]]) == (
        "not-applied", ["stack changed since the last apply"])
    assert "partly made" in entry["reason"]


@pytest.mark.parametrize(
    "remove",
    [
        pytest.param(lambda cli, stack: cli("destroy", "--yes", stack), id="destroy"),
        pytest.param(lambda cli, stack: (stack.write_text(f"name: demo\nregion: {REGION}\nresources:\n{KEEP}"),
                                         cli("apply", "--yes", stack))[1], id="dropped-from-the-stack"),
    ],
)
def test_a_partly_made_rule_is_deleted_like_any_other(tmp_path, cli, admin, remove) -> None:
    stack = write_stack(tmp_path, rule("critical", UNKNOWN_GROUP))
    assert cli("apply", "--yes", stack).code == 1
    removed = remove(cli, stack)
    assert removed.code == 0, removed.err
    assert rules(admin.endpoint) == {}
    assert "alerts" not in StateStore(tmp_path, "demo").load().resources


# -- a scheduled invocation whose read-back fails -------------------------------------------------------


def made_by_the_first_create(cli, admin, stack) -> None:
    admin.faults(actions=["DescribeInvocations"], **FAST_FAILURE)


def made_by_the_replayed_create(cli, admin, stack) -> None:
    """The first apply's InvokeCommand is throttled (nothing made; the intent stays pending); the replay of
    the next apply makes the task, and its read-back fails."""
    admin.faults(actions=["InvokeCommand"], **FAST_FAILURE)
    interrupted = cli("apply", "--yes", stack)
    assert interrupted.code == 1 and "nightly" in StateStore(stack.parent, "demo").load().pending
    admin.faults(actions=["DescribeInvocations"], **FAST_FAILURE)


@pytest.mark.parametrize(
    "arrange",
    [
        pytest.param(made_by_the_first_create, id="first-create"),
        pytest.param(made_by_the_replayed_create, id="replayed-interrupted-create"),
    ],
)
def test_a_task_whose_read_back_fails_is_kept_and_finished_by_the_next_apply(tmp_path, cli, admin, ecs,
                                                                            arrange) -> None:
    stack = write_stack(tmp_path, TASK)
    arrange(cli, admin, stack)
    failed_once(cli("apply", "--yes", stack), "nightly", "ecsops:ScheduledInvocation")
    admin.clear_faults()
    [made] = tasks(ecs)
    state = StateStore(tmp_path, "demo").load()
    assert state.pending == {} and (state.resources["nightly"].id, state.resources["nightly"].partial) == (made, True)

    plans_to_finish(cli, stack, "nightly")
    finished = cli("apply", "--yes", stack)
    assert finished.code == 0, finished.err
    assert tasks(ecs) == [made]  # the same task, never a second one
    entry = StateStore(tmp_path, "demo").load().resources["nightly"]
    assert (entry.id, entry.partial, sorted(entry.outputs)) == (made, False, ["invokeId", "nextRuns", "status"])
    assert cli("plan", "--detailed-exitcode", stack).code == 0


def test_a_state_written_before_partial_creates_existed_still_loads_as_fully_made(tmp_path, cli) -> None:
    stack = write_stack(tmp_path, rule("critical", "ops-oncall"))
    assert cli("apply", "--yes", stack).code == 0
    store = StateStore(tmp_path, "demo")
    document = json.loads(store.path.read_text())
    for entry in document["resources"].values():
        del entry["partial"]
    store.path.write_text(json.dumps(document))
    assert store.load().resources["alerts"].partial is False
    assert cli("plan", "--detailed-exitcode", stack).code == 0
