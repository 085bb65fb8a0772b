"""ecsops:Command: every limit of docs/wire.md checked before any call, naming the field; the lifecycle against
the emulator through the official SDK (create, read, in-place update, tags, idempotent delete)."""

from __future__ import annotations

import pytest

from ecsops.cloud import operations as ops
from ecsops.cloud.backend import Backend, KeyPair
from ecsops.cloud.client import Cloud
from ecsops.engine.validate import validate
from ecsops.engine.values import UNKNOWN
from ecsops.resources.command import KIND, CommandSpec, parameter_names
from tests.support.kinds import replacing

VALID = {"name": "disk-check", "type": "RunShellScript", "content": "df -h {{mount}}", "enableParameter": True}


def problems(**changes: object) -> list[tuple[str | None, str]]:
    return [(d.field, d.message) for d in validate(KIND, {**VALID, **changes}, resource="r").diagnostics]


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        pytest.param({"timeout": 0}, "timeout", "greater than or equal to 1", id="timeout-zero"),
        pytest.param({"timeout": 86_401}, "timeout", "less than or equal to 86400", id="timeout-over-a-day"),
        pytest.param({"type": "RunPythonScript"}, "type", "'RunShellScript', 'RunBatScript' or", id="unknown-type"),
        pytest.param({"content": "x" * 18_500}, "content", "after Base64; the limit is 24576", id="content-too-big"),
        pytest.param({"content": " ".join(f"{{{{p{i}}}}}" for i in range(21))}, "content",
                     "declares 21 parameters; a command takes at most 20", id="21-parameters"),
        pytest.param({"content": "echo {{bad name!}}"}, "content", "may use only letters, digits",
                     id="bad-parameter-name"),
        pytest.param({"content": "echo {{ }}"}, "content", "has no parameter name", id="empty-parameter"),
        pytest.param({"content": "echo {{ACS::Nope}}"}, "content", "not a built-in parameter", id="unknown-built-in"),
        pytest.param({"content": "echo {{" + "p" * 65 + "}}"}, "content", "longer than 64 bytes", id="long-parameter"),
        pytest.param({"content": " \n\t"}, "content", "is only whitespace", id="blank-content"),
        pytest.param({"name": ""}, "name", "at least 1 character", id="empty-name"),
        pytest.param({"name": "   "}, "name", "is only whitespace", id="blank-name"),
        pytest.param({"timeout": True}, "timeout", "valid integer, not true", id="timeout-yes"),
        pytest.param({"enableParameter": 1}, "enableParameter", "valid boolean", id="enable-parameter-one"),
        pytest.param({"enableParameter": "yes"}, "enableParameter", "valid boolean", id="enable-parameter-text"),
        pytest.param({"name": "n" * 129}, "name", "at most 128 characters", id="long-name"),
        pytest.param({"description": "d" * 513}, "description", "at most 512", id="long-description"),
        pytest.param({"workingDir": "w" * 201}, "workingDir", "at most 200", id="long-working-dir"),
        pytest.param({"launcher": "l" * 1025}, "launcher", "at most 1 KB", id="long-launcher"),
        pytest.param({"tags": {"acs:x": "v"}}, "tags", "must be 1-64 characters and not start with", id="reserved-tag"),
        pytest.param({"tags": {f"k{i}": "v" for i in range(21)}}, "tags", "21 tags given; at most 20",
                     id="too-many-tags"),
        pytest.param({"colour": "red"}, "colour", "is not a field", id="unknown-field"),
    ],
)
def test_bad_input_is_rejected_naming_the_field(changes, field, fragment) -> None:
    [(named, message)] = problems(**changes)
    assert named == field and fragment in message


def test_placeholders_are_text_when_parameters_are_off() -> None:
    assert problems(content="echo {{not a parameter!}}", enableParameter=False) == []


def test_parameters_are_counted_once_case_insensitively() -> None:
    assert parameter_names("{{ Mount }} {{mount}} {{ACS::InstanceId}} {{oos-secret:pw}} {{user-name}}") == [
        "Mount", "user-name"]


def test_unknown_content_is_checked_once_known() -> None:
    assert problems(content=UNKNOWN) == []


def test_replace_and_in_place_fields_are_as_architecture_says() -> None:
    assert replacing(KIND) == {"type", "content", "enableParameter", "resourceGroupId"}
    in_place = {name for name, policy in KIND.fields.items() if policy.update.value == "in_place"}
    assert in_place == {"name", "description", "workingDir", "timeout", "launcher", "tags"}


@pytest.fixture
def cloud(emulator):
    return Cloud(Backend("endpoint", "cn-hangzhou", endpoint=emulator.endpoint,
                         keys=KeyPair("ecsops-local", "ecsops-local-secret")))


def spec(**changes: object) -> CommandSpec:
    return CommandSpec.model_validate({**VALID, **changes})


@pytest.mark.parametrize("changes, names", [
    pytest.param({"tags": {"team": "sre"}, "timeout": 90}, ["mount"], id="one-parameter-and-tags"),
    pytest.param({"content": "cp {{Src}} {{dst}} {{src}} {{ACS::InstanceId}} {{oos:x}}"}, ["Src", "dst"],
                 id="repeated-built-in-and-parameter-store-placeholders"),
    pytest.param({"enableParameter": False, "description": "d", "workingDir": "/tmp", "launcher": "bash"}, [],
                 id="parameters-off"),
])
def test_create_answers_with_one_call_exactly_what_a_read_reports(cloud, admin, changes, names) -> None:
    before = len(admin.requests())
    seen = KIND.lifecycle.create(cloud, spec(**changes), token="t-1")
    assert len(admin.requests()) == before + 1
    assert KIND.lifecycle.read(cloud, seen.id, prior=None) == seen
    assert seen.reported == spec(**changes).wire_values()
    assert seen.outputs == {"commandId": seen.id, "parameterNames": names}


def test_a_repeated_create_with_the_same_token_is_the_same_command(cloud, admin) -> None:
    first = KIND.lifecycle.create(cloud, spec(), token="same")
    assert KIND.lifecycle.create(cloud, spec(), token="same").id == first.id
    assert len([e for e in admin.writes() if e["action"] == "CreateCommand"]) == 2
    assert cloud.call(ops.DESCRIBE_COMMANDS, {})["TotalCount"] == 1


def test_a_replayed_create_is_the_same_request_whatever_the_order_of_its_tags(cloud) -> None:
    """The state keeps tags sorted; the stack in the order written: a replay must still match."""
    first = KIND.lifecycle.create(cloud, spec(tags={"team": "sre", "app": "web"}), token="replayed")
    again = KIND.lifecycle.create(cloud, spec(tags={"app": "web", "team": "sre"}), token="replayed")
    assert again.id == first.id


def test_reading_an_unknown_command_answers_none(cloud) -> None:
    assert KIND.lifecycle.read(cloud, "c-hz0000000000000000", prior=None) is None


def test_in_place_changes_modify_the_same_command(cloud, admin) -> None:
    created = KIND.lifecycle.create(cloud, spec(tags={"a": "1", "b": "2"}), token="t")
    desired = spec(name="renamed", timeout=300, tags={"b": "3", "c": "4"})
    updated = KIND.lifecycle.update(cloud, created.id, desired, prior=created.reported,
                                    changed=frozenset({"name", "timeout", "tags"}))
    assert updated.id == created.id and updated.reported == desired.wire_values()
    writes = [(e["action"], e["params"]) for e in admin.writes()][1:]
    assert [action for action, _ in writes] == ["ModifyCommand", "UntagResources", "TagResources"]
    assert writes[0][1] == {"CommandId": created.id, "Name": "renamed", "RegionId": "cn-hangzhou", "Timeout": "300"}


def test_delete_is_idempotent(cloud) -> None:
    created = KIND.lifecycle.create(cloud, spec(), token="t")
    KIND.lifecycle.delete(cloud, created.id, prior=created.reported)
    KIND.lifecycle.delete(cloud, created.id, prior=created.reported)
    assert KIND.lifecycle.read(cloud, created.id, prior=None) is None
