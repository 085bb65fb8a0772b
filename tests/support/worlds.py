"""Looking into an emulator database after the fact (the embedded emulator of a finished process)."""

from __future__ import annotations

from pathlib import Path

from ecsops.emulator.server import EmulatorServer
from tests.support.emulator import REGION, ecs_client, models


def commands_in(database: Path) -> dict[str, object]:
    """name -> command, as DescribeCommands reports them from the world in `database`."""
    with EmulatorServer(database) as server:
        answer = ecs_client(server.endpoint).describe_commands(models.DescribeCommandsRequest(
            region_id=REGION, max_results=50, content_encoding="PlainText")).body
    return {command.name: command for command in answer.commands.command}


def invocations_in(database: Path) -> list:
    """The tasks DescribeInvocations reports from the world in `database`."""
    with EmulatorServer(database) as server:
        answer = ecs_client(server.endpoint).describe_invocations(models.DescribeInvocationsRequest(
            region_id=REGION, max_results=50)).body
    return list(answer.invocations.invocation)


def rules_in(database: Path) -> list[str]:
    """The names of the event rules CloudMonitor reports from the world in `database`."""
    from alibabacloud_cms20190101 import models as cms_models

    from tests.support.emulator import cms_client

    with EmulatorServer(database) as server:
        answer = cms_client(server.endpoint).describe_event_rule_list(cms_models.DescribeEventRuleListRequest()).body
    return [rule.name for rule in answer.event_rules.event_rule] if answer.event_rules else []
