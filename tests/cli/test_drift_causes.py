"""Why a stack differs from the cloud, kept apart: made outside ecsops, or a stack change not applied yet —
and both, for a field changed in the console and in the stack file since the last apply."""

from __future__ import annotations

import pytest

from tests.support.cli import write_stack
from tests.support.emulator import ecs_client, models

STACK = ("  check: {{type: ecsops:Command, properties: {{name: check, type: RunShellScript, content: uptime, "
         "timeout: {timeout}}}}}\n")


@pytest.fixture
def applied(cli, tmp_path):
    path = write_stack(tmp_path, STACK.format(timeout=60))
    assert cli("apply", "--yes", path).code == 0
    return path


def console_timeout(cli, path, emulator, timeout: int) -> None:
    command = cli("state", "list", path, "--json").json()[0]["id"]
    ecs_client(emulator.endpoint).modify_command(models.ModifyCommandRequest(
        region_id="cn-hangzhou", command_id=command, timeout=timeout))


@pytest.mark.parametrize(("console", "stack", "causes"), [
    pytest.param(90, 60, ["outside"], id="changed-in-the-console"),
    pytest.param(None, 120, ["unapplied"], id="changed-in-the-stack"),
    pytest.param(90, 120, ["outside", "unapplied"], id="changed-in-both"),
])
def test_each_change_says_its_causes(cli, applied, emulator, console, stack, causes) -> None:
    if console is not None:
        console_timeout(cli, applied, emulator, console)
    write_stack(applied.parent, STACK.format(timeout=stack))
    report = cli("drift", applied, "--json").json()
    change = report["resources"][0]["changes"][0]
    assert change["field"] == "timeout" and change["causes"] == causes
    assert report["resources"][0]["causes"] == causes
    assert (report["outside"], report["unapplied"]) == ("outside" in causes, "unapplied" in causes)


@pytest.mark.parametrize(("fail_on", "code"), [
    pytest.param("outside", 2, id="outside-fails"), pytest.param("unapplied", 2, id="unapplied-fails-too"),
    pytest.param("any", 2, id="any-fails")])
def test_a_field_changed_in_both_fails_either_rule(cli, applied, emulator, fail_on, code) -> None:
    console_timeout(cli, applied, emulator, 90)
    write_stack(applied.parent, STACK.format(timeout=120))
    result = cli("drift", applied, "--fail-on", fail_on)
    assert result.code == code
    assert "changed outside ecsops and stack changed since the last apply" in result.out


def test_fail_on_outside_passes_a_stack_change_not_applied(cli, applied) -> None:
    write_stack(applied.parent, STACK.format(timeout=120))
    assert cli("drift", applied, "--fail-on", "outside").code == 0
    assert cli("drift", applied, "--fail-on", "unapplied").code == 2
