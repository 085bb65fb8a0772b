"""plan / apply / drift / destroy / import of YAML stacks against the emulator: the acceptance of issue 2."""

from __future__ import annotations

import os
import textwrap

import pytest

from ecsops.engine.state import StateStore
from tests.support.cli import unplaced, write_stack
from tests.support.emulator import REGION, models

COMMANDS = textwrap.indent(textwrap.dedent("""\
    disk-check:
      type: ecsops:Command
      properties:
        name: disk-check
        type: RunShellScript
        content: |
          df -h {{mount}}
        enableParameter: true
        timeout: 120
    uptime:
      type: ecsops:Command
      properties:
        name: uptime-${disk-check.commandId}
        type: RunShellScript
        content: uptime
"""), "  ")


@pytest.fixture
def stack(tmp_path):
    return write_stack(tmp_path, COMMANDS)


def command_ids(ecs) -> list[str]:
    answer = ecs.describe_commands(models.DescribeCommandsRequest(region_id=REGION, max_results=50)).body
    return [command.command_id for command in answer.commands.command]


def test_plan_exits_2_before_the_first_apply_and_0_after(cli, stack, ecs, admin) -> None:
    before = cli("plan", "--detailed-exitcode", stack)
    assert before.code == 2, before.err
    assert "+ disk-check  ecsops:Command" in before.out and "Plan: 2 to create" in before.out
    assert admin.writes() == []
    applied = cli("apply", "--yes", stack)
    assert applied.code == 0, applied.err
    assert "[1/2] + disk-check (ecsops:Command): created c-" in applied.out
    after = cli("plan", "--detailed-exitcode", stack)
    assert after.code == 0, after.out
    assert "No changes" in after.out
    assert len(command_ids(ecs)) == 2


def test_plan_without_detailed_exitcode_exits_0_with_changes(cli, stack) -> None:
    assert cli("plan", stack).code == 0


def test_references_are_resolved_at_apply(cli, stack, ecs) -> None:
    cli("apply", "--yes", stack)
    state = StateStore(stack.parent, "demo").load()
    assert state.resources["uptime"].values["name"] == f"uptime-{state.resources['disk-check'].id}"


def test_an_out_of_band_rename_is_drift_that_apply_repairs_in_place(cli, stack, ecs, admin) -> None:
    cli("apply", "--yes", stack)
    command_id = StateStore(stack.parent, "demo").load().resources["disk-check"].id
    ecs.modify_command(models.ModifyCommandRequest(region_id=REGION, command_id=command_id, name="renamed"))
    drift = cli("drift", stack)
    assert drift.code == 2
    assert '! disk-check  ecsops:Command' in drift.out
    assert 'name: cloud "renamed", stack "disk-check"  (changed outside ecsops)' in drift.out
    machine = cli("drift", "--json", stack).json()
    [entry] = [r for r in machine["resources"] if r["name"] == "disk-check"]
    assert entry["action"] == "drifted" and [c["field"] for c in entry["changes"]] == ["name"]
    mark = admin.requests()[-1]["seq"]
    repaired = cli("apply", "--yes", stack)
    assert repaired.code == 0 and "~ disk-check" in repaired.out
    assert [e["action"] for e in admin.requests(since=mark, kind="write")] == ["ModifyCommand"]
    assert StateStore(stack.parent, "demo").load().resources["disk-check"].id == command_id
    assert cli("drift", stack).code == 0


def test_changing_content_plans_and_performs_a_replace(cli, stack, ecs, admin) -> None:
    cli("apply", "--yes", stack)
    old = StateStore(stack.parent, "demo").load().resources["disk-check"].id
    stack.write_text(stack.read_text().replace("df -h {{mount}}", "du -sh {{mount}}"))
    planned = cli("plan", stack)
    assert f"-/+ disk-check  ecsops:Command  {old}" in planned.out
    assert "# forces replacement: the API cannot change a command's content" in planned.out
    assert 'content: "df -h {{mount}}\\n" -> "du -sh {{mount}}\\n"' in planned.out
    # the dependent's name embeds the command id: it changes too (in place).
    assert "~ uptime" in planned.out and "(known after apply)" in planned.out
    mark = admin.requests()[-1]["seq"]
    assert cli("apply", "--yes", stack).code == 0
    new = StateStore(stack.parent, "demo").load().resources["disk-check"].id
    assert new != old and sorted(command_ids(ecs)) == sorted([new, StateStore(stack.parent, "demo").load(
        ).resources["uptime"].id])
    writes = [e["action"] for e in admin.requests(since=mark, kind="write")]
    assert writes == ["CreateCommand", "ModifyCommand", "DeleteCommand"]
    assert cli("plan", "--detailed-exitcode", stack).code == 0


def test_a_command_deleted_out_of_band_is_missing_and_recreated(cli, stack, ecs) -> None:
    cli("apply", "--yes", stack)
    gone = StateStore(stack.parent, "demo").load().resources["uptime"].id
    ecs.delete_command(models.DeleteCommandRequest(region_id=REGION, command_id=gone))
    drift = cli("drift", "--json", stack).json()
    assert [r["action"] for r in drift["resources"]] == ["in-sync", "missing"]
    planned = cli("plan", stack)
    assert f"+ uptime  ecsops:Command  ({gone} no longer exists in the cloud)" in planned.out
    assert cli("apply", "--yes", stack).code == 0
    assert len(command_ids(ecs)) == 2


def test_removing_a_resource_deletes_it(cli, stack, ecs) -> None:
    cli("apply", "--yes", stack)
    write_stack(stack.parent, COMMANDS.split("  uptime:")[0])
    planned = cli("plan", stack)
    assert "- uptime  ecsops:Command" in planned.out and "1 to delete" in planned.out
    assert cli("apply", "--yes", stack).code == 0
    assert len(command_ids(ecs)) == 1


def test_destroy_deletes_everything_and_empties_the_state(cli, stack, ecs) -> None:
    cli("apply", "--yes", stack)
    destroyed = cli("destroy", "--yes", stack)
    assert destroyed.code == 0 and "Destroy complete: 2 deleted in " in destroyed.out
    assert command_ids(ecs) == []
    assert StateStore(stack.parent, "demo").load().resources == {}
    assert cli("plan", "--detailed-exitcode", stack).code == 2


def test_import_adopts_an_existing_command(cli, stack, ecs) -> None:
    existing = ecs.create_command(models.CreateCommandRequest(
        region_id=REGION, name="disk-check", type="RunShellScript", command_content="ZGYgLWgge3ttb3VudH19Cg==",
        enable_parameter=True, timeout=60)).body.command_id  # df -h {{mount}}
    imported = cli("import", stack, "disk-check", existing)
    assert imported.code == 0 and f"Imported {existing} as disk-check" in imported.out
    planned = cli("plan", "--json", stack).json()
    [disk] = [r for r in planned["resources"] if r["name"] == "disk-check"]
    assert (disk["action"], disk["id"]) == ("update", existing)
    assert [(c["field"], c["old"], c["new"]) for c in disk["changes"]] == [("timeout", 60, 120)]
    assert cli("apply", "--yes", stack).code == 0
    assert existing in command_ids(ecs) and len(command_ids(ecs)) == 2


@pytest.mark.parametrize(
    ("name", "id_", "fragment"),
    [
        pytest.param("ghost", "c-1", "the stack declares no resource 'ghost'", id="undeclared"),
        pytest.param("disk-check", "c-hz0000000000000000", "does not exist in the cloud", id="missing-object"),
    ],
)
def test_import_refuses_what_it_cannot_adopt(cli, stack, name, id_, fragment) -> None:
    refused = cli("import", stack, name, id_)
    assert refused.code == 1 and fragment in refused.err


def test_plan_json_has_the_documented_shape(cli, stack) -> None:
    document = cli("plan", "--json", stack).json()
    assert set(document) == {"stack", "backend", "changes", "summary", "resources", "warnings"}
    assert document["changes"] is True and document["summary"]["create"] == 2
    uptime = document["resources"][1]
    assert set(uptime) == {"name", "type", "id", "region", "action", "reason", "changes", "preview"}
    name = next(c for c in uptime["changes"] if c["field"] == "name")
    assert name == {"field": "name", "old": None, "new": None, "effect": "update", "reason": None, "unknown": True,
                    "paths": [{"path": "name", "change": "add", "old": None, "new": None, "unknown": True}]}


def test_drift_json_has_the_same_shape_as_plan(cli, stack) -> None:
    cli("apply", "--yes", stack)
    document = cli("drift", "--json", stack).json()
    # plan's keys, and what drift adds: whether something changed outside ecsops, or waits for an apply
    assert set(document) == {"stack", "backend", "changes", "summary", "resources", "warnings", "outside", "unapplied"}
    assert document["changes"] is False and document["summary"] == {"in-sync": 2}
    assert document["outside"] is False and document["unapplied"] is False
    assert all(resource["causes"] == [] for resource in document["resources"])


def test_apply_asks_and_refuses_without_a_terminal(cli, stack, admin) -> None:
    refused = cli("apply", stack)
    assert refused.code == 1 and "run `ecsops apply --yes`" in refused.err
    assert admin.writes() == []


def test_apply_under_a_held_lock_fails_at_once(cli, stack, admin) -> None:
    with StateStore(stack.parent, "demo").lock("apply"):
        blocked = cli("apply", "--yes", stack)
    assert blocked.code == 1 and "stack 'demo' is locked by " in blocked.err
    assert f"(pid {os.getpid()}, `ecsops apply`" in blocked.err
    assert admin.writes() == []


def test_a_failed_create_stops_only_its_dependents(cli, stack, admin, ecs) -> None:
    admin.world({"quotas": {"max-axt-command-count": 0}})
    failed = cli("apply", "--yes", stack)
    assert failed.code == 1
    assert 'error: resource "disk-check" (ecsops:Command): CreateCommand:' in unplaced(failed.err)
    assert "(CmdCount.ExceedQuota)" in failed.err
    assert "skipped: uptime (a resource it depends on failed)" in failed.err
    state = StateStore(stack.parent, "demo").load()
    assert state.resources == {} and state.pending == {}
