"""What a plan asks the cloud: the reads it needs, and checks only for resources it will write — a stack in
sync costs its batched reads and nothing more."""

from __future__ import annotations

from tests.support.cli import ecsops, write_stack

STACK = """\
  check: {type: ecsops:Command, properties: {name: check, type: RunShellScript, content: uptime}}
  nightly: {type: ecsops:ScheduledInvocation, properties: {commandId: "${check.commandId}", instanceIds: [i-demo-linux-1], frequency: FREQUENCY}}
  web: {type: ecsops:MaintenanceAttributes, properties: {instanceIds: [i-demo-linux-2], action: Stop}}
"""
CHECKS = {"DescribeInstances", "DescribeInstanceMaintenanceAttributes"}


def actions_of(admin, since: int) -> list[str]:
    return sorted(entry["action"] for entry in admin.requests(since=since))


def test_a_plan_checks_with_the_cloud_only_what_it_will_write(tmp_path, emulator, admin) -> None:
    stack = write_stack(tmp_path, STACK.replace("FREQUENCY", "rate(1h)"))
    assert ecsops("apply", "--yes", stack, "--endpoint", emulator.endpoint).code == 0
    mark = admin.requests()[-1]["seq"]
    assert ecsops("plan", "--detailed-exitcode", stack, "--endpoint", emulator.endpoint).code == 0
    assert actions_of(admin, mark) == ["DescribeCommands", "DescribeInstanceMaintenanceAttributes",
                                       "DescribeInvocations"]  # one read each, no check

    stack.write_text(stack.read_text().replace("rate(1h)", "rate(2h)"))
    mark = admin.requests()[-1]["seq"]
    assert ecsops("plan", "--detailed-exitcode", stack, "--endpoint", emulator.endpoint).code == 2
    assert actions_of(admin, mark) == ["DescribeCommands", "DescribeInstanceMaintenanceAttributes",
                                       "DescribeInstances", "DescribeInvocations"]  # the changed task's check
