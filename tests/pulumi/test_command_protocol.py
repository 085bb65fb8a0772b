"""ecsops:Command through Pulumi's own dynamic provider server, replaying the engine's calls (docs/pulumi.md)."""

from __future__ import annotations

import base64

import dill
import grpc
import pytest
from pulumi.runtime.proto import provider_pb2

from ecsops.pulumi.provider import KindProvider
from ecsops.engine.values import UNKNOWN
from tests.pulumi.conftest import COMMAND
from tests.support.emulator import REGION, models

DIFF_NONE, DIFF_SOME = provider_pb2.DiffResponse.DIFF_NONE, provider_pb2.DiffResponse.DIFF_SOME


@pytest.fixture
def inputs(command_provider):
    return {"__provider": command_provider, "name": "disk-check", "type": "RunShellScript",
            "content": "df -h {{mount}}", "enableParameter": True, "timeout": 120, "tags": {"team": "sre"},
            "commandId": None, "parameterNames": None}


def created(provider, inputs):
    checked, failures = provider.check(COMMAND, "disk", {}, inputs)
    assert failures == []
    return checked, *provider.create(COMMAND, "disk", checked)


def describe(ecs, command_id):
    return ecs.describe_commands(models.DescribeCommandsRequest(region_id=REGION, command_id=command_id,
                                                                content_encoding="PlainText")).body.commands.command


def test_the_server_needs_configure_not_handshake_and_refuses_secrets(provider, emulator) -> None:
    assert provider.handshake_code() == grpc.StatusCode.UNIMPLEMENTED
    assert provider.configure({"ecsops:endpoint": emulator.endpoint, "ecsops:region": REGION}) is False


def test_the_provider_is_pickled_by_reference_and_tiny(command_provider) -> None:
    provider = dill.loads(base64.b64decode(command_provider))
    assert type(provider) is KindProvider and vars(provider) == {
        "kind_type": "ecsops:Command", "module": "ecsops.resources.command"}
    assert len(command_provider) < 400


def test_check_accepts_valid_inputs_and_fills_defaults(provider, inputs) -> None:
    checked, failures = provider.check(COMMAND, "disk", {}, inputs)
    assert failures == []
    assert checked["description"] == "" and checked["workingDir"] == "" and checked["launcher"] == ""
    assert checked["__provider"] == inputs["__provider"]


def test_check_names_every_bad_field(provider, inputs) -> None:
    _, failures = provider.check(COMMAND, "disk", {}, {**inputs, "timeout": 0, "type": "RunPythonScript"})
    assert sorted(field for field, _ in failures) == ["timeout", "type"]
    assert any("greater than or equal to 1" in reason for _, reason in failures)


def test_check_tolerates_values_unknown_during_preview(provider, inputs) -> None:
    _, failures = provider.check(COMMAND, "disk", {}, {**inputs, "timeout": UNKNOWN, "name": UNKNOWN})
    assert failures == []


def test_create_makes_the_command_and_returns_every_output(provider, inputs, ecs) -> None:
    _, command_id, outputs = created(provider, inputs)
    assert command_id.startswith("c-")
    assert outputs["commandId"] == command_id and outputs["parameterNames"] == ["mount"]
    assert outputs["timeout"] == 120 and outputs["tags"] == {"team": "sre"}
    [command] = describe(ecs, command_id)
    assert (command.name, command.command_content, command.timeout) == ("disk-check", "df -h {{mount}}", 120)


def test_diff_reports_in_place_changes_without_replacement(provider, inputs) -> None:
    checked, command_id, outputs = created(provider, inputs)
    answer = provider.diff(COMMAND, "disk", command_id, outputs, {**checked, "name": "renamed", "timeout": 30})
    assert (answer.changes, answer.replaces, answer.delete_before_replace) == (DIFF_SOME, [], False)


def test_diff_reports_replacing_fields(provider, inputs) -> None:
    checked, command_id, outputs = created(provider, inputs)
    answer = provider.diff(COMMAND, "disk", command_id, outputs, {**checked, "content": "du -sh {{mount}}",
                                                                  "enableParameter": True})
    assert (answer.changes, answer.replaces, answer.delete_before_replace) == (DIFF_SOME, ["content"], False)


def test_no_change_is_no_diff(provider, inputs) -> None:
    checked, command_id, outputs = created(provider, inputs)
    assert provider.diff(COMMAND, "disk", command_id, outputs, checked).changes == DIFF_NONE


def test_an_upgraded_provider_alone_changes_nothing(provider, inputs) -> None:
    checked, command_id, outputs = created(provider, inputs)
    upgraded = base64.b64encode(dill.dumps(KindProvider("ecsops:Command", "ecsops.resources.command"),
                                           protocol=3)).decode()
    assert upgraded != checked["__provider"]
    assert provider.diff(COMMAND, "disk", command_id, outputs, {**checked, "__provider": upgraded}).changes == DIFF_NONE


def test_update_changes_the_same_command_and_returns_every_output(provider, inputs, ecs, admin) -> None:
    checked, command_id, outputs = created(provider, inputs)
    mark = admin.requests()[-1]["seq"]
    updated = provider.update(COMMAND, "disk", command_id, outputs,
                              {**checked, "name": "renamed", "tags": {"team": "platform"}})
    assert updated["commandId"] == command_id and updated["name"] == "renamed"
    assert updated["parameterNames"] == ["mount"] and updated["content"] == "df -h {{mount}}"
    assert [e["action"] for e in admin.requests(since=mark, kind="write")] == ["ModifyCommand", "TagResources"]
    [command] = describe(ecs, command_id)
    assert command.name == "renamed" and command.tags.tag[0].tag_value == "platform"


def test_read_after_an_out_of_band_change_reports_the_cloud(provider, inputs, ecs) -> None:
    checked, command_id, outputs = created(provider, inputs)
    ecs.modify_command(models.ModifyCommandRequest(region_id=REGION, command_id=command_id, name="edited-by-hand"))
    read_id, refreshed = provider.read(COMMAND, "disk", command_id, outputs, checked)
    assert read_id == command_id and refreshed["name"] == "edited-by-hand"
    # The next `pulumi up` sees the drift and repairs it in place.
    answer = provider.diff(COMMAND, "disk", command_id, refreshed, checked)
    assert (answer.changes, answer.replaces) == (DIFF_SOME, [])


def test_read_after_deletion_answers_an_empty_id(provider, inputs, ecs) -> None:
    checked, command_id, outputs = created(provider, inputs)
    ecs.delete_command(models.DeleteCommandRequest(region_id=REGION, command_id=command_id))
    assert provider.read(COMMAND, "disk", command_id, outputs, checked)[0] == ""


def test_delete_removes_the_command_and_tolerates_it_being_gone(provider, inputs, ecs) -> None:
    _, command_id, outputs = created(provider, inputs)
    provider.delete(COMMAND, "disk", command_id, outputs)
    assert describe(ecs, command_id) == []
    provider.delete(COMMAND, "disk", command_id, outputs)


def test_adopt_takes_over_an_existing_command_and_converges_it(provider, inputs, ecs) -> None:
    existing = ecs.create_command(models.CreateCommandRequest(
        region_id=REGION, name="old-name", type="RunShellScript", command_content="df -h {{mount}}",
        content_encoding="PlainText", enable_parameter=True, timeout=60)).body.command_id
    checked, _ = provider.check(COMMAND, "disk", {}, {**inputs, "adoptId": existing})
    command_id, outputs = provider.create(COMMAND, "disk", checked)
    assert command_id == existing and outputs["adoptId"] == existing
    [command] = describe(ecs, existing)
    assert (command.name, command.timeout) == ("disk-check", 120)
    assert ecs.describe_commands(models.DescribeCommandsRequest(region_id=REGION)).body.total_count == 1


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        pytest.param("echo other {{mount}}", "it differs in content, which only a replacement can change",
                     id="replace-only-difference"),
        pytest.param(None, "does not exist", id="missing"),
    ],
)
def test_adopt_refuses_what_it_cannot_take_over(provider, inputs, ecs, content, fragment) -> None:
    existing = "c-hz0000000000000000"
    if content is not None:
        existing = ecs.create_command(models.CreateCommandRequest(
            region_id=REGION, name="x", type="RunShellScript", command_content=content,
            content_encoding="PlainText", enable_parameter=True)).body.command_id
    checked, _ = provider.check(COMMAND, "disk", {}, {**inputs, "adoptId": existing})
    with pytest.raises(grpc.RpcError) as raised:
        provider.create(COMMAND, "disk", checked)
    assert fragment in raised.value.details()


def test_a_failed_create_says_what_went_wrong(provider, inputs, admin) -> None:
    admin.world({"quotas": {"max-axt-command-count": 0}})
    checked, _ = provider.check(COMMAND, "disk", {}, inputs)
    with pytest.raises(grpc.RpcError) as raised:
        provider.create(COMMAND, "disk", checked)
    assert "ecsops:Command create failed: CreateCommand:" in raised.value.details()
    assert "(CmdCount.ExceedQuota)" in raised.value.details()


def test_creates_on_the_servers_four_threads_at_once_are_all_made_once(provider, inputs, ecs) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def create(index: int) -> tuple[str, dict]:
        checked, failures = provider.check(COMMAND, f"c{index}", {}, {**inputs, "name": f"c{index}"})
        assert failures == []
        return provider.create(COMMAND, f"c{index}", checked)

    with ThreadPoolExecutor(max_workers=8) as pool:
        made = list(pool.map(create, range(16)))
    assert len({command_id for command_id, _ in made}) == 16
    assert all(outputs["name"] == f"c{index}" for index, (_, outputs) in enumerate(made))
    listed = ecs.describe_commands(models.DescribeCommandsRequest(region_id=REGION, max_results=50)).body
    assert sorted(c.name for c in listed.commands.command) == sorted(f"c{index}" for index in range(16))


def test_the_reads_of_a_refresh_share_one_listing(provider, inputs, admin) -> None:
    made = [created(provider, {**inputs, "name": f"c{n}"}) for n in range(6)]
    mark = admin.requests()[-1]["seq"]
    for checked, command_id, outputs in made:
        assert provider.read(COMMAND, "disk", command_id, outputs, checked)[0] == command_id
    assert [e["action"] for e in admin.requests(since=mark)] == ["DescribeCommands"]


def test_a_resource_group_travels_through_the_provider_and_moving_it_replaces(provider, inputs, ecs) -> None:
    grouped = {**inputs, "resourceGroupId": "rg-team1"}
    checked, id_, outs = created(provider, grouped)
    assert outs["resourceGroupId"] == "rg-team1"
    [command] = describe(ecs, id_)
    assert command.resource_group_id == "rg-team1"
    moved = provider.diff(COMMAND, "disk", id_, outs, {**checked, "resourceGroupId": "rg-team2"})
    assert moved.replaces == ["resourceGroupId"]
    unset = provider.diff(COMMAND, "disk", id_, outs, {**checked, "resourceGroupId": None})
    assert unset.changes == DIFF_NONE


def test_a_command_with_a_region_lives_there_and_moving_it_replaces_it(provider, inputs, ecs) -> None:
    checked, failures = provider.check(COMMAND, "disk", {}, {**inputs, "region": "cn-beijing"})
    assert failures == [] and checked["region"] == "cn-beijing"
    command_id, outputs = provider.create(COMMAND, "disk", checked)
    assert outputs["region"] == "cn-beijing"
    in_beijing = ecs.describe_commands(models.DescribeCommandsRequest(region_id="cn-beijing", command_id=command_id))
    assert [item.name for item in in_beijing.body.commands.command] == ["disk-check"]
    assert describe(ecs, command_id) in (None, [])  # not in the provider's region (cn-hangzhou)
    assert provider.diff(COMMAND, "disk", command_id, outputs, checked).changes == DIFF_NONE
    moved = provider.diff(COMMAND, "disk", command_id, outputs, {**checked, "region": REGION})
    assert (moved.changes, moved.replaces) == (DIFF_SOME, ["region"])
    found, read = provider.read(COMMAND, "disk", command_id, outputs, checked)
    assert found == command_id and read["region"] == "cn-beijing"
    provider.delete(COMMAND, "disk", command_id, outputs)
    gone = ecs.describe_commands(models.DescribeCommandsRequest(region_id="cn-beijing", command_id=command_id))
    assert not gone.body.commands.command


def test_check_refuses_a_region_that_is_not_one(provider, inputs) -> None:
    _, failures = provider.check(COMMAND, "disk", {}, {**inputs, "region": "Beijing"})
    assert failures == [("region", "'Beijing' is not valid: use a region id such as cn-hangzhou")]
