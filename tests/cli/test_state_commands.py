"""`ecsops state list | show | rm | mv`, and `import` of an object the stack already manages, through the real
command line against the emulator: a rename in the state never deletes an object, forgetting one leaves
it in the cloud, secrets never print, refusals change nothing and call no API."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
import textwrap

import pytest

from ecsops.engine.state import Deposed, PendingCreate, StateStore
from tests.support.cli import write_stack
from tests.support.emulator import REGION, models

CANARY = "canary-5e1b7d2a-not-to-be-printed"


def resources(command: str = "disk-check") -> str:
    """A command, a second command whose name embeds its id, and a nightly run with a secret parameter; the
    first command's resource name is `command` (its cloud name stays disk-check)."""
    return textwrap.indent(textwrap.dedent(f"""\
        {command}:
          type: ecsops:Command
          properties:
            name: disk-check
            type: RunShellScript
            content: |
              df -h {{{{mount}}}}
              echo {{{{token}}}}
            enableParameter: true
            timeout: 120
        uptime:
          type: ecsops:Command
          properties:
            name: uptime-${{{command}.commandId}}
            type: RunShellScript
            content: uptime
        nightly:
          type: ecsops:ScheduledInvocation
          properties:
            commandId: ${{{command}.commandId}}
            instanceIds: [i-demo-linux-1]
            frequency: "rate(1h)"
            parameters: {{mount: /, token: {{secret: {CANARY}}}}}
        """), "  ")


@pytest.fixture
def applied(tmp_path, cli):
    """The stack, applied."""
    stack = write_stack(tmp_path, resources())
    done = cli("apply", "--yes", stack)
    assert done.code == 0, done.err
    return stack


def store(stack) -> StateStore:
    return StateStore(stack.parent, "demo")


def state_bytes(stack) -> bytes:
    return store(stack).path.read_bytes()


def command_ids(ecs) -> list[str]:
    answer = ecs.describe_commands(models.DescribeCommandsRequest(region_id=REGION, max_results=50)).body
    return [command.command_id for command in answer.commands.command]


def api_calls(admin) -> int:
    return len(admin.requests())


def error_lines(result) -> list[str]:
    return [line for line in result.err.splitlines() if line]


# -- list, show -------------------------------------------------------------------------------------------


def test_list_shows_every_managed_resource_aligned_and_calls_no_api(applied, cli, admin) -> None:
    held = store(applied).load().resources
    calls = api_calls(admin)
    listed = cli("state", "list", applied)
    assert listed.code == 0, listed.err
    lines = listed.out.splitlines()
    assert [line.split() for line in lines] == [[name, entry.type, entry.id] for name, entry in held.items()]
    assert len({line.index(entry.type) for line, entry in zip(lines, held.values())}) == 1  # one type column
    assert len({line.index(entry.id) for line, entry in zip(lines, held.values())}) == 1    # one id column
    machine = cli("state", "list", "--json", applied)
    assert machine.json() == [{"name": name, "type": entry.type, "id": entry.id, "status": "managed"}
                              for name, entry in held.items()]
    assert api_calls(admin) == calls


def test_list_marks_interrupted_creates_and_deposed_objects(applied, cli) -> None:
    state = store(applied).load()
    state.pending["spare"] = PendingCreate("ecsops:Command", "token-1", {"name": "spare"}, "2026-01-01T00:00:00Z")
    state.deposed.append(Deposed("uptime", "ecsops:Command", "c-replaced", {"name": "uptime"}))
    store(applied).save(state)
    lines = cli("state", "list", applied).out.splitlines()
    assert re.fullmatch(r"spare +ecsops:Command +- +\(pending create: the next apply finishes it\)", lines[-2])
    assert re.fullmatch(r"uptime +ecsops:Command +c-replaced +\(deposed: the next apply deletes it\)", lines[-1])
    listed = cli("state", "list", "--json", applied).json()
    statuses = [(entry["name"], entry["id"], entry["status"]) for entry in listed]
    assert statuses[-2:] == [("spare", None, "pending-create"), ("uptime", "c-replaced", "deposed")]
    shown = cli("state", "show", applied, "uptime").out.splitlines()
    assert shown[0] == f"uptime  ecsops:Command  {state.resources['uptime'].id}"
    assert shown[-1] == ("  also under this name: c-replaced (replaced or dropped, its delete not confirmed: the "
                         "next apply deletes it)")
    pending = cli("state", "show", applied, "spare").out.splitlines()
    assert pending[0] == "spare  ecsops:Command  -  (pending create: the next apply finishes it)"


def test_list_of_a_stack_never_applied_says_its_state_is_empty(tmp_path, cli) -> None:
    listed = cli("state", "list", write_stack(tmp_path, resources()))
    assert (listed.code, listed.out) == (0, "Stack demo: its state manages no resources.\n")
    assert cli("state", "list", "--json", tmp_path / "stack.yaml").json() == []


@pytest.mark.parametrize("output", ["text", "json"])
def test_show_prints_type_id_values_and_outputs_with_secrets_masked(applied, cli, admin, output) -> None:
    entry = store(applied).load().resources["nightly"]
    digest = entry.values["parameters"]["token"]["secret"]
    assert digest.startswith("scrypt:")  # the state holds a digest: the test would prove nothing otherwise
    calls = api_calls(admin)
    shown = cli("state", "show", applied, "nightly", *(["--json"] if output == "json" else []))
    assert shown.code == 0, shown.err
    assert CANARY not in shown.out and digest not in shown.out and "scrypt:" not in shown.out
    if output == "json":
        document = shown.json()
        assert (document["name"], document["type"], document["id"]) == ("nightly", entry.type, entry.id)
        assert document["values"]["parameters"] == {"mount": "/", "token": "(secret)"}
        assert document["values"]["frequency"] == "rate(1h)"
        assert document["outputs"] == json.loads(json.dumps(entry.outputs)) and document["outputs"]
        assert document["dependencies"] == ["disk-check"]
    else:
        assert shown.out.splitlines()[0] == f"nightly  ecsops:ScheduledInvocation  {entry.id}"
        assert '    parameters: {"mount": "/", "token": "(secret)"}' in shown.out
        assert '    frequency: "rate(1h)"' in shown.out and "  outputs:" in shown.out
    assert api_calls(admin) == calls


def test_show_prints_a_script_as_a_block(applied, cli) -> None:
    shown = cli("state", "show", applied, "disk-check")
    assert "    content: |\n      df -h {{mount}}\n      echo {{token}}\n" in shown.out
    assert "also under this name" not in shown.out


PROBE = """
import json, sys
from ecsops.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})), file=sys.stderr)
"""


@pytest.mark.parametrize("argv", [["list"], ["show", "nightly"]], ids=lambda argv: argv[0])
def test_list_and_show_load_no_sdk_in_a_fresh_process(applied, argv) -> None:
    verb, *rest = argv
    done = subprocess.run([sys.executable, "-c", PROBE, "state", verb, str(applied), *rest], capture_output=True,
                          text=True, timeout=120)
    assert "nightly" in done.stdout, done.stderr  # it ran, and printed the state
    loaded = set(json.loads(done.stderr.strip().splitlines()[-1]))
    assert loaded & {"alibabacloud_tea_openapi", "alibabacloud_credentials", "Tea", "pulumi"} == set()


# -- unknown names ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("argv", [
    pytest.param(["show", "{stack}", "disk-chek"], id="show"),
    pytest.param(["rm", "{stack}", "disk-chek"], id="rm"),
    pytest.param(["rm", "{stack}", "uptime", "disk-chek"], id="rm-with-a-known-name"),
    pytest.param(["mv", "{stack}", "disk-chek", "disk-probe"], id="mv"),
])
def test_an_unknown_name_is_refused_with_did_you_mean_and_changes_nothing(applied, cli, admin, argv) -> None:
    before, calls = state_bytes(applied), api_calls(admin)
    refused = cli("state", *(str(applied) if arg == "{stack}" else arg for arg in argv))
    assert refused.code == 1
    assert error_lines(refused) == ["error: stack demo manages no resource 'disk-chek': did you mean 'disk-check'?"]
    assert state_bytes(applied) == before and api_calls(admin) == calls


# -- rm ---------------------------------------------------------------------------------------------------


def test_rm_forgets_the_resource_but_leaves_its_object_in_the_cloud(applied, cli, ecs, admin) -> None:
    forgotten = store(applied).load().resources["uptime"].id
    calls = api_calls(admin)
    removed = cli("state", "rm", applied, "uptime")
    assert removed.code == 0, removed.err
    assert f"Forgot uptime (ecsops:Command {forgotten})." in removed.out
    assert "Nothing was deleted: the objects stay in the cloud" in removed.out
    assert api_calls(admin) == calls
    assert "uptime" not in store(applied).load().resources
    assert forgotten in command_ids(ecs)
    planned = cli("plan", applied)
    assert "+ uptime  ecsops:Command" in planned.out and "Plan: 1 to create, 0 to update, 0 to replace, 0 to delete" \
        in planned.out
    mark = admin.requests()[-1]["seq"]
    assert cli("apply", "--yes", applied).code == 0
    assert [entry["action"] for entry in admin.requests(since=mark, kind="write")] == ["CreateCommand"]
    assert forgotten in command_ids(ecs) and len(command_ids(ecs)) == 3


def test_rm_of_several_names_forgets_them_all_in_one_save(applied, cli, ecs) -> None:
    serial = store(applied).load().serial
    removed = cli("state", "rm", applied, "nightly", "uptime")
    assert removed.code == 0, removed.err
    assert sorted(line.split()[1] for line in removed.out.splitlines() if line.startswith("Forgot")) == [
        "nightly", "uptime"]
    state = store(applied).load()
    assert list(state.resources) == ["disk-check"] and state.serial == serial + 1
    assert len(command_ids(ecs)) == 2


# -- mv ---------------------------------------------------------------------------------------------------


def test_mv_then_the_renamed_stack_plans_no_change_and_apply_deletes_nothing(applied, cli, ecs, admin) -> None:
    before = store(applied).load()
    calls = api_calls(admin)
    moved = cli("state", "mv", applied, "disk-check", "disk-probe")
    assert moved.code == 0, moved.err
    assert f"Moved disk-check to disk-probe (ecsops:Command {before.resources['disk-check'].id})." in moved.out
    [renamed] = [line for line in moved.out.splitlines() if line.startswith("Dependencies renamed in: ")]
    assert sorted(renamed.removeprefix("Dependencies renamed in: ").rstrip(".").split(", ")) == ["nightly", "uptime"]
    assert api_calls(admin) == calls
    after = store(applied).load()
    assert {name: entry.id for name, entry in after.resources.items()} == {
        ("disk-probe" if name == "disk-check" else name): entry.id for name, entry in before.resources.items()}
    assert after.resources["uptime"].dependencies == after.resources["nightly"].dependencies == ["disk-probe"]
    write_stack(applied.parent, resources("disk-probe"))
    planned = cli("plan", "--detailed-exitcode", applied)
    assert planned.code == 0 and "No changes" in planned.out, planned.out + planned.err
    mark = admin.requests()[-1]["seq"]
    applying = cli("apply", "--yes", applied)
    assert applying.code == 0, applying.err
    assert admin.requests(since=mark, kind="write") == []
    assert sorted(command_ids(ecs)) == sorted(before.resources[name].id for name in ("disk-check", "uptime"))


@pytest.mark.parametrize(("old", "new", "message"), [
    pytest.param("disk-check", "uptime", 'error: resource "uptime" (ecsops:Command): stack demo already manages it '
                 "(c-", id="new-already-in-the-state"),
    pytest.param("disk-check", "disk probe", 'error: resource "disk probe": is not a valid resource name for stack '
                 "demo: start with a letter", id="new-not-a-name"),
    pytest.param("disk-check", "9lives", 'error: resource "9lives": is not a valid resource name',
                 id="new-a-digit-first"),
    pytest.param("disk-check", "disk-check", 'error: resource "disk-check" (ecsops:Command): stack demo already '
                 "manages it", id="same-name"),
    pytest.param("nope", "disk-probe", "error: stack demo manages no resource 'nope'", id="old-not-in-the-state"),
])
def test_mv_refusals_name_the_resource_and_change_nothing(applied, cli, admin, old, new, message) -> None:
    before, calls = state_bytes(applied), api_calls(admin)
    refused = cli("state", "mv", applied, old, new)
    assert refused.code == 1 and refused.out == ""
    [line] = error_lines(refused)
    assert line.startswith(message), line
    assert state_bytes(applied) == before and api_calls(admin) == calls


@pytest.mark.parametrize("argv", [["rm", "uptime"], ["mv", "uptime", "uptime-2"]], ids=lambda argv: argv[0])
def test_rm_and_mv_are_refused_while_another_command_holds_the_lock(applied, cli, argv) -> None:
    before = state_bytes(applied)
    verb, *rest = argv
    with store(applied).lock("apply"):
        refused = cli("state", verb, applied, *rest)
    assert refused.code == 1
    [line] = error_lines(refused)
    assert line.startswith("error: stack 'demo' is locked by ") and "`ecsops apply`" in line
    assert state_bytes(applied) == before


# -- import -----------------------------------------------------------------------------------------------


def test_import_of_an_object_managed_under_another_name_is_refused_suggesting_state_mv(applied, cli, ecs,
                                                                                          admin) -> None:
    held = store(applied).load().resources["disk-check"].id
    write_stack(applied.parent, resources("disk-probe"))  # the user renamed the resource in the stack
    before, mark = state_bytes(applied), admin.requests()[-1]["seq"]
    refused = cli("import", applied, "disk-probe", held)
    assert refused.code == 1
    suggestion = f"ecsops state mv {shlex.quote(str(applied))} disk-check disk-probe"
    assert error_lines(refused) == [f'error: resource "disk-probe" (ecsops:Command): {held} is already managed as '
                                    f'"disk-check": to rename disk-check, run `{suggestion}`']
    assert state_bytes(applied) == before and admin.requests(since=mark, kind="write") == []
    followed = cli(*shlex.split(suggestion)[1:])
    assert followed.code == 0, followed.err
    assert cli("plan", "--detailed-exitcode", applied).code == 0
    assert held in command_ids(ecs)


# -- the stack file ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "message"), [
    pytest.param(None, "error: cannot read stack ", id="missing-file"),
    pytest.param("name: bad name!\nregion: cn-hangzhou\nresources: {}\n",
                 "error: field \"name\": 'bad name!' is not valid", id="no-valid-stack-name"),
])
def test_a_stack_file_naming_no_stack_is_one_error_line(tmp_path, cli, text, message) -> None:
    stack = tmp_path / "stack.yaml"
    if text is not None:
        stack.write_text(text)
    refused = cli("state", "list", stack)
    assert refused.code == 1 and refused.out == ""
    [line] = error_lines(refused)
    assert line.startswith(message), line
    assert not (tmp_path / ".ecsops").exists()
