"""What a plan asks the cloud: the reads it needs, and checks only for resources it will write — a stack in
sync costs its batched reads and nothing more."""

from __future__ import annotations

from collections import Counter

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


def test_many_new_resources_share_one_listing_for_their_checks(tmp_path, emulator, admin) -> None:
    instances = [f"i-many-{n}" for n in range(12)]
    admin.world({"instances": [{"id": id_, "region": "cn-hangzhou"} for id_ in instances]})
    tasks = "".join(
        f"  t{n}: {{type: ecsops:ScheduledInvocation, properties: {{commandId: \"${{check.commandId}}\", "
        f"instanceIds: [{id_}], frequency: rate(1h)}}}}\n" for n, id_ in enumerate([*instances, "i-nowhere"]))
    sets = "".join(f"  m{n}: {{type: ecsops:MaintenanceAttributes, properties: {{instanceIds: [{id_}]}}}}\n"
                   for n, id_ in enumerate(instances))
    stack = write_stack(tmp_path, STACK.split("  nightly")[0] + tasks + sets)
    planned = ecsops("plan", stack, "--endpoint", emulator.endpoint)
    assert planned.code == 1
    assert 'resource "t12" (ecsops:ScheduledInvocation), field "instanceIds": i-nowhere: no such instance' in planned.err
    checks = Counter(entry["action"] for entry in admin.requests())
    # one listing of the region's instances for 13 tasks, plus the id it lacks, asked alone; one listing of
    # the maintenance attributes for 12 sets
    assert checks == {"DescribeInstances": 2, "DescribeInstanceMaintenanceAttributes": 1}
