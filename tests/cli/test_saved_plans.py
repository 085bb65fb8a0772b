"""Saved plans: `plan --out PLAN` then `apply PLAN` makes exactly the reviewed changes, or refuses naming each
resource when the stack file, the state or the cloud values the plan read changed since."""

from __future__ import annotations

import json
import textwrap

import pytest

from ecsops.engine.state import StateStore
from tests.support.cli import ecsops, write_stack
from tests.support.emulator import REGION, models

CANARY = "canary-5d1e0b7a-not-to-be-seen"

STACK = textwrap.indent(textwrap.dedent(f"""\
    disk-check:
      type: ecsops:Command
      properties:
        name: disk-check
        type: RunShellScript
        content: |
          df -h {{{{mount}}}} {{{{token}}}}
        enableParameter: true
        timeout: 120
    nightly:
      type: ecsops:ScheduledInvocation
      properties:
        commandId: ${{disk-check.commandId}}
        instanceIds: [i-demo-linux-1]
        frequency: "0 0 3 * * ?"
        parameters: {{mount: /, token: {{secret: {CANARY}}}}}
"""), "  ")


@pytest.fixture
def applied(cli, tmp_path):
    """A stack applied once, then edited: timeout 120 -> 300 (what the reviewer approves)."""
    stack = write_stack(tmp_path, STACK)
    assert cli("apply", "--yes", stack).code == 0
    stack.write_text(stack.read_text().replace("timeout: 120", "timeout: 300"))
    return stack


def command(ecs, command_id: str):
    answer = ecs.describe_commands(models.DescribeCommandsRequest(region_id=REGION, command_id=command_id)).body
    [found] = answer.commands.command
    return found


def disk_check_id(stack) -> str:
    return StateStore(stack.parent, "demo").load().resources["disk-check"].id


def test_apply_of_a_saved_plan_makes_exactly_the_reviewed_changes_without_asking(cli, applied, tmp_path, ecs,
                                                                                  admin) -> None:
    planned = cli("plan", applied, "--out", tmp_path / "web.plan")
    assert planned.code == 0 and "timeout: 120 -> 300" in planned.out and "Saved the plan to" in planned.out
    mark = admin.requests()[-1]["seq"]
    done = cli("apply", tmp_path / "web.plan")  # no --yes, no terminal: the review was the approval
    assert done.code == 0, done.err
    assert "Apply complete: 0 created, 1 updated, 0 replaced, 0 deleted in " in done.out
    assert [call["action"] for call in admin.requests(since=mark, kind="write")] == ["ModifyCommand"]
    assert command(ecs, disk_check_id(applied)).timeout == 300
    assert cli("plan", "--detailed-exitcode", applied).code == 0


def test_a_console_edit_after_the_plan_is_refused_naming_the_resource_and_nothing_is_written(
        cli, applied, tmp_path, ecs, admin) -> None:
    assert cli("plan", applied, "--out", tmp_path / "web.plan").code == 0
    command_id = disk_check_id(applied)
    ecs.modify_command(models.ModifyCommandRequest(region_id=REGION, command_id=command_id,
                                                   description="edited in the console"))
    mark = admin.requests()[-1]["seq"]
    refused = cli("apply", tmp_path / "web.plan")
    assert refused.code == 1
    assert ('error: resource "disk-check": changed in the cloud since the plan was made (description): make a new '
            'plan and review it') in refused.err
    assert admin.requests(since=mark, kind="write") == []
    kept = command(ecs, command_id)
    assert (kept.description, kept.timeout) == ("edited in the console", 120)  # neither reverted nor applied


def test_a_stack_file_edited_after_the_plan_is_refused(cli, applied, tmp_path, admin) -> None:
    assert cli("plan", applied, "--out", tmp_path / "web.plan").code == 0
    applied.write_text(applied.read_text().replace("timeout: 300", "timeout: 600"))
    mark = admin.requests()[-1]["seq"]
    refused = cli("apply", tmp_path / "web.plan")
    assert refused.code == 1
    assert f"error: the stack file {applied} changed since the plan {tmp_path / 'web.plan'} was made" in refused.err
    assert admin.requests(since=mark, kind="write") == []


def test_a_plan_made_before_another_apply_is_stale(cli, applied, tmp_path, admin) -> None:
    assert cli("plan", applied, "--out", tmp_path / "web.plan").code == 0
    assert cli("apply", "--yes", applied).code == 0
    mark = admin.requests()[-1]["seq"]
    stale = cli("apply", tmp_path / "web.plan")
    assert stale.code == 1
    assert "error: the state of stack 'demo' changed since the plan was made" in stale.err
    assert 'error: resource "disk-check": the plan said: update (timeout); applying now: no change' in stale.err
    assert admin.requests(since=mark, kind="write") == []


def test_a_plan_is_applied_only_to_the_backend_it_was_made_against(applied, tmp_path, emulator) -> None:
    assert ecsops("plan", applied, "--out", tmp_path / "web.plan", "--endpoint", emulator.endpoint).code == 0
    elsewhere = ecsops("apply", tmp_path / "web.plan", "--backend", "emulator", "--endpoint", "http://127.0.0.1:9")
    assert elsewhere.code == 1
    assert f"was made against endpoint:{emulator.endpoint}, this apply would go to endpoint:http://127.0.0.1:9" in \
        elsewhere.err


def test_the_plan_file_holds_no_secret_and_show_prints_what_was_reviewed(cli, tmp_path, emulator) -> None:
    stack = write_stack(tmp_path, STACK)
    assert cli("plan", stack, "--out", tmp_path / "new.plan").code == 0
    text = (tmp_path / "new.plan").read_text()
    assert CANARY not in text
    assert (tmp_path / "new.plan").stat().st_mode & 0o077 == 0
    shown = ecsops("show", tmp_path / "new.plan")
    assert shown.code == 0
    assert "+ nightly  ecsops:ScheduledInvocation" in shown.out and "Plan: 2 to create" in shown.out
    assert CANARY not in shown.out
    document = ecsops("show", "--json", tmp_path / "new.plan").json()
    assert document["plan"]["summary"]["create"] == 2
    assert document["stack"]["name"] == "demo" and document["backend"]["kind"] == "endpoint"
    assert CANARY not in json.dumps(document)


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        pytest.param('{"format": "ecsops-plan/0"}', "is not a plan file of this ecsops (format 'ecsops-plan/0'",
                     id="another-format"),
        pytest.param('{"format": "ecsops-plan/1", "stack"', "is not a plan file:", id="torn"),
        pytest.param('{"format": "ecsops-plan/1", "created": "x"}', "is not a whole plan file (it lacks ecsops, "
                     "stack.path", id="keys-missing"),
    ],
)
def test_a_damaged_plan_file_is_refused_in_one_line(tmp_path, content, fragment) -> None:
    (tmp_path / "bad.plan").write_text(content)
    for argv in (("apply", tmp_path / "bad.plan"), ("show", tmp_path / "bad.plan")):
        refused = ecsops(*argv)
        assert refused.code == 1
        assert refused.err.startswith("error: ") and fragment in refused.err and "Traceback" not in refused.err


def test_a_plan_is_applied_to_the_state_it_was_made_with(tmp_path, emulator, state_bucket, monkeypatch) -> None:
    """The state location given when planning (here ECSOPS_STATE) is the plan's: apply PLAN without it uses
    it again, and refuses another one."""
    (tmp_path / "remote").mkdir()
    stack = write_stack(tmp_path / "remote", STACK)
    monkeypatch.setenv("ECSOPS_STATE", f"oss://{state_bucket}/stacks")
    assert ecsops("plan", stack, "--out", tmp_path / "remote.plan", "--endpoint", emulator.endpoint).code == 0
    monkeypatch.delenv("ECSOPS_STATE")
    elsewhere = ecsops("apply", tmp_path / "remote.plan", "--state", str(tmp_path / "local-state"))
    assert elsewhere.code == 1
    assert (f"was made with the state at oss://{state_bucket}/stacks/demo/, this apply would use "
            f"{tmp_path / 'local-state' / 'demo.state.json'}: refused") in elsewhere.err
    done = ecsops("apply", tmp_path / "remote.plan")
    assert done.code == 0, done.err
    assert not (tmp_path / "remote" / ".ecsops").exists()  # the state went where the plan said, not beside it
    assert ecsops("plan", "--detailed-exitcode", stack, "--endpoint", emulator.endpoint, "--state",
                  f"oss://{state_bucket}/stacks").code == 0
