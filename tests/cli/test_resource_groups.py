"""resourceGroupId, declared once on the spec: sent on create, read back, a replace when changed (the API cannot
move the object), and — left unset — the cloud's choice (the account's default group), never a change."""

from __future__ import annotations

import textwrap

import pytest

from ecsops.engine.state import StateStore
from tests.support.cli import write_stack
from tests.support.emulator import REGION, models

COMMAND = textwrap.indent(textwrap.dedent("""\
    grouped:
      type: ecsops:Command
      properties:
        name: grouped
        type: RunShellScript
        content: uptime
{group}"""), "  ")


def stack(tmp_path, group: str | None):
    line = f"        resourceGroupId: {group}\n" if group else ""
    return write_stack(tmp_path, COMMAND.format(group=line))


def described(ecs, command_id: str):
    [command] = ecs.describe_commands(models.DescribeCommandsRequest(region_id=REGION, command_id=command_id)) \
        .body.commands.command
    return command


def test_a_command_is_made_in_its_group_and_moving_it_replaces_it(cli, tmp_path, ecs) -> None:
    path = stack(tmp_path, "rg-team1")
    assert cli("apply", "--yes", path).code == 0
    first = StateStore(tmp_path, "demo").load().resources["grouped"].id
    assert described(ecs, first).resource_group_id == "rg-team1"
    assert cli("plan", "--detailed-exitcode", path).code == 0
    moved = stack(tmp_path, "rg-team2")
    planned = cli("plan", moved)
    assert "-/+ grouped" in planned.out and 'resourceGroupId: "rg-team1" -> "rg-team2"' in planned.out
    assert "ModifyCommand cannot move a command to another resource group" in planned.out
    assert cli("apply", "--yes", moved).code == 0
    second = StateStore(tmp_path, "demo").load().resources["grouped"].id
    assert second != first and described(ecs, second).resource_group_id == "rg-team2"


def test_an_unset_group_takes_the_clouds_and_is_never_a_change(cli, tmp_path, ecs) -> None:
    assert cli("apply", "--yes", stack(tmp_path, "rg-team1")).code == 0
    unset = cli("plan", "--detailed-exitcode", stack(tmp_path, None))
    assert unset.code == 0, unset.out  # the group the command has stands


def test_the_emulator_refuses_a_malformed_group_sent_anyway(ecs) -> None:
    from alibabacloud_tea_openapi.exceptions import ClientException

    with pytest.raises(ClientException) as refused:
        ecs.create_command(models.CreateCommandRequest(region_id=REGION, name="x", type="RunShellScript",
                                                       command_content="dXB0aW1l", resource_group_id="my-group"))
    assert refused.value.code == "InvalidResourceGroup"
