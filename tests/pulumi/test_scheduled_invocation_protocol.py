"""ecsops:ScheduledInvocation through Pulumi's dynamic provider server."""

from __future__ import annotations

import grpc
import pytest
from pulumi.runtime.proto import provider_pb2

from tests.pulumi.conftest import COMMAND, SCHEDULED
from tests.support.emulator import REGION, models

DIFF_NONE, DIFF_SOME = provider_pb2.DiffResponse.DIFF_NONE, provider_pb2.DiffResponse.DIFF_SOME


@pytest.fixture
def command_id(provider, command_provider) -> str:
    inputs = {"__provider": command_provider, "name": "disk", "type": "RunShellScript",
              "content": "echo {{mount}}", "enableParameter": True}
    checked, _ = provider.check(COMMAND, "disk", {}, inputs)
    return provider.create(COMMAND, "disk", checked)[0]


@pytest.fixture
def inputs(scheduled_provider, command_id):
    return {"__provider": scheduled_provider, "commandId": command_id, "instanceIds": ["i-demo-linux-1"],
            "frequency": "rate(5m)", "parameters": {"mount": "/"}, "invokeId": None, "status": None,
            "nextRuns": None}


def created(provider, inputs):
    checked, failures = provider.check(SCHEDULED, "task", {}, inputs)
    assert failures == []
    return checked, *provider.create(SCHEDULED, "task", checked)


def test_check_fills_the_repeat_mode_and_names_bad_schedules(provider, inputs) -> None:
    checked, failures = provider.check(SCHEDULED, "task", {}, inputs)
    assert failures == [] and checked["repeatMode"] == "Period"
    _, failures = provider.check(SCHEDULED, "task", {}, {**inputs, "frequency": "rate(30s)"})
    assert [field for field, _ in failures] == ["frequency"]


def test_rules_for_new_tasks_apply_to_new_resources_only(provider, inputs) -> None:
    past = {**inputs, "frequency": "0 0 12 * * ? 2020"}
    _, failures = provider.check(SCHEDULED, "task", {}, past)
    assert failures and "is before the current year" in failures[0][1]
    _, failures = provider.check(SCHEDULED, "task", inputs, past)  # an existing task judged again later
    assert failures == []


def test_create_returns_the_task_and_its_next_runs(provider, inputs, ecs) -> None:
    _, invoke_id, outputs = created(provider, inputs)
    assert outputs["invokeId"] == invoke_id and len(outputs["nextRuns"]) == 3
    assert outputs["repeatMode"] == "Period" and outputs["parameters"] == {"mount": "/"}
    tasks = ecs.describe_invocations(models.DescribeInvocationsRequest(region_id=REGION, invoke_id=invoke_id))
    assert tasks.body.invocations.invocation[0].frequency == "rate(5m)"


@pytest.mark.parametrize(
    ("change", "replaces"),
    [
        pytest.param({"frequency": "rate(10m)"}, ["frequency"], id="schedule-replaces"),
        pytest.param({"instanceIds": ["i-demo-linux-1", "i-demo-linux-2"]}, ["instanceIds"], id="targets-replace"),
        pytest.param({"parameters": {"mount": "/data"}}, ["parameters"], id="parameters-replace"),
        pytest.param({"tags": {"team": "sre"}}, [], id="tags-in-place"),
    ],
)
def test_diff_replaces_for_everything_but_tags(provider, inputs, change, replaces) -> None:
    checked, invoke_id, outputs = created(provider, inputs)
    answer = provider.diff(SCHEDULED, "task", invoke_id, outputs, {**checked, **change})
    assert (answer.changes, answer.replaces) == (DIFF_SOME, replaces)
    assert provider.diff(SCHEDULED, "task", invoke_id, outputs, checked).changes == DIFF_NONE


def test_a_task_stopped_outside_pulumi_reads_as_gone(provider, inputs, ecs) -> None:
    checked, invoke_id, outputs = created(provider, inputs)
    ecs.stop_invocation(models.StopInvocationRequest(region_id=REGION, invoke_id=invoke_id))
    assert provider.read(SCHEDULED, "task", invoke_id, outputs, checked)[0] == ""


def test_delete_stops_the_task(provider, inputs, ecs) -> None:
    _, invoke_id, outputs = created(provider, inputs)
    provider.delete(SCHEDULED, "task", invoke_id, outputs)
    [task] = ecs.describe_invocations(models.DescribeInvocationsRequest(
        region_id=REGION, invoke_id=invoke_id)).body.invocations.invocation
    assert task.invocation_status == "Stopped"


def test_a_parameter_the_command_lacks_is_refused_by_the_cloud_at_create(provider, inputs) -> None:
    checked, _ = provider.check(SCHEDULED, "task", {}, {**inputs, "parameters": {"mnt": "/"}})
    with pytest.raises(grpc.RpcError) as raised:
        provider.create(SCHEDULED, "task", checked)
    assert "field 'parameters'" in raised.value.details() and "Parameter.NotMatched" in raised.value.details()


def test_check_asks_the_cloud_only_about_changed_inputs(provider, inputs, admin) -> None:
    checked, _ = provider.check(SCHEDULED, "task", {}, inputs)
    mark = admin.requests()[-1]["seq"]
    assert provider.check(SCHEDULED, "task", checked, inputs)[1] == []  # a preview of an unchanged stack
    assert admin.requests(since=mark) == []
    assert provider.check(SCHEDULED, "task", checked, {**inputs, "instanceIds": ["i-nowhere"]})[1] != []
    assert [entry["action"] for entry in admin.requests(since=mark)] == ["DescribeInstances"]


SETTINGS = {"containerName": "web", "terminationMode": "ProcessTree", "launcher": "bash -e {{ACS::ScriptFileName}}",
            "username": "ops", "windowsPasswordName": "axtpassword", "resourceGroupId": "rg-team1"}


def test_a_task_with_its_own_settings_is_made_with_them_and_reads_them_back(provider, inputs, ecs) -> None:
    checked, invoke_id, outputs = created(provider, {**inputs, **SETTINGS})
    assert {field: outputs[field] for field in SETTINGS} == SETTINGS
    [task] = ecs.describe_invocations(models.DescribeInvocationsRequest(
        region_id=REGION, invoke_id=invoke_id)).body.invocations.invocation
    assert (task.container_name, task.termination_mode, task.launcher, task.username) == (
        "web", "ProcessTree", "bash -e {{ACS::ScriptFileName}}", "ops")
    assert provider.diff(SCHEDULED, "task", invoke_id, outputs, checked).changes == DIFF_NONE


@pytest.mark.parametrize(
    ("change", "replaces"),
    [
        pytest.param({"terminationMode": "Process"}, ["terminationMode"], id="termination-mode-replaces"),
        pytest.param({"containerName": "api"}, ["containerName"], id="container-replaces"),
        pytest.param({"resourceGroupId": "rg-team2"}, ["resourceGroupId"], id="group-replaces"),
        pytest.param({"windowsPasswordName": "other"}, ["windowsPasswordName"], id="password-name-replaces"),
    ],
)
def test_a_changed_setting_replaces_the_task(provider, inputs, change, replaces) -> None:
    checked, invoke_id, outputs = created(provider, {**inputs, **SETTINGS})
    answer = provider.diff(SCHEDULED, "task", invoke_id, outputs, {**checked, **change})
    assert (answer.changes, answer.replaces) == (DIFF_SOME, replaces)


def test_settings_left_out_that_the_cloud_chooses_are_no_change(provider, inputs) -> None:
    checked, invoke_id, outputs = created(provider, {**inputs, **SETTINGS})
    unset = {**checked, "launcher": None, "terminationMode": None, "resourceGroupId": None}
    assert provider.diff(SCHEDULED, "task", invoke_id, outputs, unset).changes == DIFF_NONE


def test_check_names_a_malformed_container_id(provider, inputs) -> None:
    _, failures = provider.check(SCHEDULED, "task", {}, {**inputs, "containerId": "docker://abc"})
    assert [field for field, _ in failures] == ["containerId"]
