"""Several regions in one stack (issue 15, point 6): `options: {region: ...}` on any resource, the stack's
`region:` the default; each object made, read, changed and deleted in its own region; a move to another
region is a replace; a command id is regional, so a task may not run a command of another region."""

from __future__ import annotations

import json
import textwrap

import pytest

from ecsops.engine.state import StateStore
from tests.support.cli import ecsops, unplaced, write_stack
from tests.support.emulator import models

HANGZHOU, BEIJING = "cn-hangzhou", "cn-beijing"
INSTANCE = {HANGZHOU: "i-demo-linux-1", BEIJING: "i-beijing-linux-1"}


@pytest.fixture
def cli(emulator, admin):
    """`ecsops` against the emulator, whose world has a Linux instance in each of the two regions."""
    world = admin.world()
    admin.world({"instances": [*world["instances"], {
        "id": INSTANCE[BEIJING], "region": BEIJING, "name": "beijing-linux-1", "osType": "linux",
        "status": "Running", "cpu": 2, "memory": 4096, "agent": True}]})

    def run(*argv):
        return ecsops(*argv, "--endpoint", emulator.endpoint)
    return run


def pair(suffix: str, region: str | None, *, command_region: str | None = None, task_options: str = "") -> str:
    """A command and a task running it, in `region` (None: the stack's); the command elsewhere when
    `command_region` says so."""
    def options(where: str | None) -> str:
        return f"  options: {{region: {where}}}\n" if where else ""
    instance = INSTANCE[region or HANGZHOU]
    return (f"check-{suffix}:\n  type: ecsops:Command\n  properties: {{name: check-{suffix}, type: RunShellScript, "
            f"content: df -h}}\n" + options(command_region or region)
            + f"task-{suffix}:\n  type: ecsops:ScheduledInvocation\n  properties:\n"
              f"    commandId: ${{check-{suffix}.commandId}}\n    instanceIds: [{instance}]\n"
              f"    frequency: rate(1h)\n" + options(region) + task_options)


def indented(*parts: str) -> str:
    return textwrap.indent("".join(parts), "  ")


def commands_in(ecs, region: str) -> dict[str, str]:
    answer = ecs.describe_commands(models.DescribeCommandsRequest(region_id=region, max_results=50))
    return {item.command_id: item.name for item in answer.body.commands.command or []}


def tasks_in(ecs, region: str) -> dict[str, str]:
    answer = ecs.describe_invocations(models.DescribeInvocationsRequest(region_id=region, max_results=50))
    return {item.invoke_id: item.invocation_status for item in answer.body.invocations.invocation or []}


def test_a_stack_over_two_regions_applies_each_object_in_its_region_and_then_is_clean(tmp_path, cli, ecs) -> None:
    stack = write_stack(tmp_path, indented(pair("hz", None), pair("bj", BEIJING)))
    planned = cli("plan", stack)
    assert planned.code == 0, planned.err
    assert planned.out.index(f"region {HANGZHOU}:") < planned.out.index("+ check-hz")
    assert planned.out.index(f"region {BEIJING}:") < planned.out.index("+ check-bj")
    document = json.loads(cli("plan", stack, "--json").out)
    assert {resource["name"]: resource["region"] for resource in document["resources"]} == {
        "check-hz": HANGZHOU, "task-hz": HANGZHOU, "check-bj": BEIJING, "task-bj": BEIJING}

    markdown = cli("plan", stack, "--format", "markdown").out
    assert "| action | resource | type | region | id | note |" in markdown
    assert f"<code>check-bj</code> | <code>ecsops:Command</code> | <code>{BEIJING}</code> |" in markdown

    applied = cli("apply", stack, "--yes")
    assert applied.code == 0, applied.err
    state = StateStore(tmp_path, "demo").load()
    assert {name: entry.region for name, entry in state.resources.items()} == {
        "check-hz": HANGZHOU, "task-hz": HANGZHOU, "check-bj": BEIJING, "task-bj": BEIJING}
    for suffix, region, elsewhere in (("hz", HANGZHOU, BEIJING), ("bj", BEIJING, HANGZHOU)):
        command, task = state.resources[f"check-{suffix}"].id, state.resources[f"task-{suffix}"].id
        assert commands_in(ecs, region).get(command) == f"check-{suffix}"
        assert command not in commands_in(ecs, elsewhere)
        assert task in tasks_in(ecs, region) and task not in tasks_in(ecs, elsewhere)

    again = cli("plan", stack)
    assert again.code == 0 and "No changes" in again.out, again.out + again.err
    assert cli("drift", stack).code == 0
    destroyed = cli("destroy", stack, "--yes")
    assert destroyed.code == 0, destroyed.err
    assert not set(commands_in(ecs, BEIJING)) & {state.resources["check-bj"].id}


@pytest.mark.parametrize(("before", "after"), [(None, BEIJING), (BEIJING, None), (BEIJING, "cn-shanghai")],
                         ids=["into-an-option", "back-to-the-stack-region", "option-to-option"])
def test_moving_a_resource_to_another_region_replaces_it(tmp_path, cli, ecs, before, after) -> None:
    def stack_with(region: str | None):
        where = f"  options: {{region: {region}}}\n" if region else ""
        return write_stack(tmp_path, indented("check:\n  type: ecsops:Command\n  properties: {name: check, "
                                              "type: RunShellScript, content: df -h}\n" + where))

    assert cli("apply", stack_with(before), "--yes").code == 0
    old = StateStore(tmp_path, "demo").load().resources["check"].id
    planned = cli("plan", stack_with(after), "--json")
    [resource] = json.loads(planned.out)["resources"]
    source, target = before or HANGZHOU, after or HANGZHOU
    assert (resource["action"], resource["region"]) == ("replace", target)
    assert resource["reason"] == f"moves from {source} to {target}: a new object there, the old one deleted"
    applied = cli("apply", stack_with(after), "--yes")
    assert applied.code == 0, applied.err
    entry = StateStore(tmp_path, "demo").load().resources["check"]
    assert entry.region == target and entry.id in commands_in(ecs, target)
    assert old not in commands_in(ecs, source)
    assert cli("plan", stack_with(after)).code == 0


@pytest.mark.parametrize(("task_region", "command_region"), [(BEIJING, HANGZHOU), (HANGZHOU, BEIJING)])
def test_a_task_running_a_command_of_another_region_is_refused_at_plan(tmp_path, cli, ecs, task_region,
                                                                        command_region) -> None:
    stack = write_stack(tmp_path, indented(pair("x", task_region, command_region=command_region)))
    planned = cli("plan", stack)
    assert planned.code == 1 and planned.out == ""
    assert (f'resource "task-x" (ecsops:ScheduledInvocation), field "commandId": ${{check-x.commandId}} is a '
            f"command of {command_region} (resource 'check-x'), but this task is placed in {task_region}: "
            "a command id is regional") in unplaced(planned.err)
    assert "check-x" not in commands_in(ecs, command_region).values()  # plan made nothing


DELIVERY = ("records:\n  type: ecsops:DeliverySettings\n  properties:\n{properties}{options}")


@pytest.mark.parametrize(("entry", "message"), [
    ("check:\n  type: ecsops:Command\n  properties: {name: c, type: RunShellScript, content: ls}\n"
     "  options: {region: Beijing}\n",
     "resource \"check\" (ecsops:Command), field \"options.region\": 'Beijing' is not valid: use a region id such "
     "as cn-hangzhou"),
    ("check:\n  type: ecsops:Command\n  properties: {name: c, type: RunShellScript, content: ls}\n"
     "  options: {region: [cn-beijing]}\n",
     "resource \"check\" (ecsops:Command), field \"options.region\": ['cn-beijing'] is not valid: use a region id "
     "such as cn-hangzhou"),
    (DELIVERY.format(properties="    region: cn-hangzhou\n", options="  options: {region: cn-beijing}\n"),
     'resource "records" (ecsops:DeliverySettings), field "options.region": the resource is placed in cn-beijing '
     "(options.region) but declares region cn-hangzhou: give the region once"),
], ids=["not-a-region", "a-list", "two-regions-for-delivery-settings"])
def test_a_bad_region_option_is_refused_naming_it(tmp_path, cli, entry, message) -> None:
    planned = cli("plan", write_stack(tmp_path, indented(entry)))
    assert planned.code == 1, planned.out
    assert message in unplaced(planned.err)


def test_the_region_option_gives_delivery_settings_their_region(tmp_path, cli) -> None:
    entry = DELIVERY.format(properties="    oss: {enabled: true, bucket: ecsops-beijing-records}\n",
                            options="  options: {region: cn-beijing}\n")
    stack = write_stack(tmp_path, indented(entry))
    applied = cli("apply", stack, "--yes")
    assert applied.code == 0, applied.err
    entry_state = StateStore(tmp_path, "demo").load().resources["records"]
    assert (entry_state.id, entry_state.region) == ("cn-beijing:InvocationDelivery", BEIJING)
    assert cli("plan", stack).code == 0


def test_a_state_written_before_regions_loads_with_the_stack_region(tmp_path, cli) -> None:
    stack = write_stack(tmp_path, indented(pair("hz", None), DELIVERY.format(
        properties="    region: cn-beijing\n    oss: {enabled: true, bucket: ecsops-beijing-records}\n", options="")))
    assert cli("apply", stack, "--yes").code == 0
    path = tmp_path / ".ecsops" / "demo.state.json"
    document = json.loads(path.read_text())
    for entry in document["resources"].values():
        del entry["region"]
    path.write_text(json.dumps(document))
    (tmp_path / ".ecsops" / "demo.journal").unlink(missing_ok=True)
    planned = cli("plan", stack)
    assert planned.code == 0 and "No changes" in planned.out, planned.out + planned.err
    assert cli("drift", stack).code == 0


def test_a_saved_plan_is_refused_once_a_resource_is_placed_elsewhere(tmp_path, cli, ecs) -> None:
    entry = "check:\n  type: ecsops:Command\n  properties: {name: check, type: RunShellScript, content: df -h}\n"
    stack = write_stack(tmp_path, indented(entry + "  options: {region: cn-beijing}\n"))
    assert cli("plan", stack, "--out", tmp_path / "saved.plan").code == 0
    stack.write_text(stack.read_text().replace("cn-beijing", "cn-shanghai"))
    refused = cli("apply", tmp_path / "saved.plan")
    assert refused.code == 1 and f"the stack file {stack} changed since the plan" in refused.err
    assert commands_in(ecs, BEIJING) == commands_in(ecs, "cn-shanghai") == {}
