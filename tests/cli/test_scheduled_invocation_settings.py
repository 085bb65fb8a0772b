"""A task's own settings end to end through YAML, `ecsops` and the emulator — containerId, containerName,
launcher, terminationMode, windowsPasswordName, resourceGroupId: each is sent in InvokeCommand, read back from
DescribeInvocations where the API reports it (remembered from the last apply where it does not), and a change
plans a replace (a task cannot be changed). Left out, the ones the cloud chooses are never a change."""

from __future__ import annotations

import textwrap
from typing import Any

import pytest

from ecsops.engine.state import StateStore
from ecsops.resources.scheduled_invocation import REPLACE_REASON
from tests.support.cli import write_stack
from tests.support.emulator import REGION, models

CONTAINER_A, CONTAINER_B = "docker://" + "0123456789abcdef" * 4, "containerd://" + "fedcba9876543210" * 4


def stack(tmp_path, settings: dict[str, str], *, command_launcher: str = "") -> Any:
    lines = "".join(f"    {field}: '{value}'\n" for field, value in settings.items())
    launcher = f"    launcher: '{command_launcher}'\n" if command_launcher else ""
    resources = textwrap.dedent("""\
      probe:
        type: ecsops:Command
        properties:
          name: probe
          type: RunShellScript
          content: uptime
    """) + launcher + textwrap.dedent("""\
      task:
        type: ecsops:ScheduledInvocation
        properties:
          commandId: ${probe.commandId}
          instanceIds: [i-demo-linux-1]
          frequency: rate(5m)
    """) + lines
    return write_stack(tmp_path, textwrap.indent(resources, "  "))


def described(ecs, invoke_id: str) -> Any:
    [task] = ecs.describe_invocations(models.DescribeInvocationsRequest(
        region_id=REGION, invoke_id=invoke_id)).body.invocations.invocation
    return task


def invoked(admin) -> dict[str, str]:
    """The parameters of the InvokeCommand the emulator received."""
    [request] = [entry for entry in admin.requests(kind="write") if entry["action"] == "InvokeCommand"]
    return request["params"]


# field, wire parameter, first value, second value, DescribeInvocations' attribute (None: not reported),
# other settings the field needs
SETTINGS = [
    pytest.param("containerId", "ContainerId", CONTAINER_A, CONTAINER_B, "container_id", {}, id="containerId"),
    pytest.param("containerName", "ContainerName", "web", "api-1", "container_name", {}, id="containerName"),
    pytest.param("launcher", "Launcher", "bash -e {{ACS::ScriptFileName}}", "sh -x {{ACS::ScriptFileName}}",
                 "launcher", {}, id="launcher"),
    pytest.param("terminationMode", "TerminationMode", "ProcessTree", "Process", "termination_mode", {},
                 id="terminationMode"),
    pytest.param("windowsPasswordName", "WindowsPasswordName", "axtpassword", "axtpassword2", None,
                 {"username": "ops"}, id="windowsPasswordName"),
    pytest.param("resourceGroupId", "ResourceGroupId", "rg-team1", "rg-team2", None, {}, id="resourceGroupId"),
]


@pytest.mark.parametrize(("field", "wire", "first", "second", "reported", "needs"), SETTINGS)
def test_a_setting_is_sent_read_back_or_remembered_and_a_change_replaces_the_task(
        cli, tmp_path, admin, ecs, field, wire, first, second, reported, needs) -> None:
    applied = cli("apply", "--yes", stack(tmp_path, {**needs, field: first}))
    assert applied.code == 0, applied.err
    assert invoked(admin)[wire] == first
    entry = StateStore(tmp_path, "demo").load().resources["task"]
    assert entry.values[field] == first
    if reported is not None:
        assert getattr(described(ecs, entry.id), reported) == first
    unchanged = cli("plan", "--detailed-exitcode", stack(tmp_path, {**needs, field: first}))
    assert unchanged.code == 0, unchanged.out
    planned = cli("plan", stack(tmp_path, {**needs, field: second}))
    assert "-/+ task" in planned.out and f'{field}: "{first}" -> "{second}"' in planned.out, planned.out
    assert REPLACE_REASON in planned.out


@pytest.mark.parametrize(
    ("wire", "reported", "cloud_value"),
    [
        pytest.param("Launcher", "launcher", "python3 -u {{ACS::ScriptFileName}}", id="launcher-the-commands"),
        pytest.param("TerminationMode", "termination_mode", "Process", id="terminationMode-the-services"),
    ],
)
def test_a_setting_left_out_takes_the_clouds_value_and_is_never_a_change(cli, tmp_path, admin, ecs, wire, reported,
                                                                         cloud_value) -> None:
    path = stack(tmp_path, {}, command_launcher="python3 -u {{ACS::ScriptFileName}}")
    assert cli("apply", "--yes", path).code == 0
    assert wire not in invoked(admin)
    invoke_id = StateStore(tmp_path, "demo").load().resources["task"].id
    assert getattr(described(ecs, invoke_id), reported) == cloud_value
    assert cli("plan", "--detailed-exitcode", path).code == 0
    assert cli("drift", path).code == 0  # in sync: exit 2 on drift


def test_a_resource_group_left_out_is_not_sent_and_never_a_change(cli, tmp_path, admin) -> None:
    assert cli("apply", "--yes", stack(tmp_path, {"resourceGroupId": "rg-team1"})).code == 0
    assert cli("plan", "--detailed-exitcode", stack(tmp_path, {})).code == 0  # the task's group stands


def test_a_container_on_a_batch_command_is_refused_by_plan_with_no_write(cli, tmp_path, admin) -> None:
    path = stack(tmp_path, {"containerName": "web"})
    path.write_text(path.read_text().replace("RunShellScript", "RunBatScript"))
    refused = cli("plan", path)
    assert refused.code == 1
    assert 'resource "task" (ecsops:ScheduledInvocation), field "containerName": runs the task in a container, ' \
           "where only shell scripts run: command 'probe' is a RunBatScript" in refused.err
    assert admin.writes() == []
