"""ecsops:ScheduledInvocation against the emulator through the SDK: create, read back, tags in place, stop."""

from __future__ import annotations

import pytest

from ecsops.cloud import operations as ops
from ecsops.cloud.backend import Backend, KeyPair
from ecsops.cloud.client import Cloud
from ecsops.resources.command import KIND as COMMAND, CommandSpec
from ecsops.resources.scheduled_invocation import KIND, ScheduledInvocationSpec


@pytest.fixture
def cloud(emulator):
    return Cloud(Backend("endpoint", "cn-hangzhou", endpoint=emulator.endpoint,
                         keys=KeyPair("ecsops-local", "ecsops-local-secret")))


@pytest.fixture
def command_id(cloud) -> str:
    spec = CommandSpec(name="disk", type="RunShellScript", content="echo {{mount}} on {{ACS::InstanceId}}",
                       enable_parameter=True)
    return COMMAND.lifecycle.create(cloud, spec, token="cmd").id


def task(command_id: str, **fields: object) -> ScheduledInvocationSpec:
    values = {"commandId": command_id, "instanceIds": ["i-demo-linux-2", "i-demo-linux-1"],
              "frequency": "rate(5m)", "parameters": {"mount": "/"}, **fields}
    return ScheduledInvocationSpec.model_validate(values)


def test_create_then_read_returns_what_was_declared(cloud, command_id) -> None:
    seen = KIND.lifecycle.create(cloud, task(command_id, tags={"team": "sre"}), token="t")
    assert seen.id.startswith("t-") and seen.defunct is None
    assert seen.reported == {"commandId": command_id, "instanceIds": ["i-demo-linux-1", "i-demo-linux-2"],
                           "repeatMode": "Period", "frequency": "rate(5m)", "parameters": {"mount": "/"},
                           "launcher": None, "containerId": None, "containerName": None,
                           "terminationMode": "Process", "tags": {"team": "sre"}}  # the service's default mode
    assert seen.outputs["invokeId"] == seen.id and seen.outputs["status"] in ("Scheduled", "Running")
    assert len(seen.outputs["nextRuns"]) == 3
    assert KIND.lifecycle.read(cloud, seen.id, prior=seen.reported) == seen


def test_secret_values_go_to_the_api_in_plain(cloud, command_id) -> None:
    seen = KIND.lifecycle.create(cloud, task(command_id, parameters={"mount": {"secret": "/data"}}), token="t")
    assert seen.reported["parameters"] == {"mount": "/data"}  # the engine marks and digests it, not the kind


def test_instances_chosen_by_tag_stay_chosen_by_tag(cloud, command_id, admin) -> None:
    admin.world({"instances": [{"id": "i-demo-linux-1", "region": "cn-hangzhou", "tags": {"role": "web"}}]})
    spec = task(command_id, instanceIds=None, resourceTags={"role": "web"})
    seen = KIND.lifecycle.create(cloud, spec, token="t")
    assert seen.reported["instanceIds"] is None
    body = cloud.call(ops.DESCRIBE_INVOCATIONS, {"InvokeId": seen.id})
    [only] = body["Invocations"]["Invocation"][0]["InvokeInstances"]["InvokeInstance"]
    assert only["InstanceId"] == "i-demo-linux-1"


def test_tags_change_in_place(cloud, command_id) -> None:
    created = KIND.lifecycle.create(cloud, task(command_id, tags={"a": "1"}), token="t")
    updated = KIND.lifecycle.update(cloud, created.id, task(command_id, tags={"b": "2"}), prior=created.reported,
                                    changed=frozenset({"tags"}))
    assert updated.id == created.id and updated.reported["tags"] == {"b": "2"}


def test_delete_stops_the_task_which_then_reads_as_defunct(cloud, command_id) -> None:
    created = KIND.lifecycle.create(cloud, task(command_id), token="t")
    KIND.lifecycle.delete(cloud, created.id, prior=created.reported)
    KIND.lifecycle.delete(cloud, created.id, prior=created.reported)
    seen = KIND.lifecycle.read(cloud, created.id, prior=created.reported)
    assert seen is not None and seen.defunct == f"{created.id} was stopped outside ecsops"
    assert seen.outputs["status"] == "Stopped" and seen.outputs["nextRuns"] == []


def test_reading_an_unknown_task_answers_none(cloud) -> None:
    assert KIND.lifecycle.read(cloud, "t-hz0000000000000000", prior=None) is None


def test_a_task_for_a_missing_command_is_refused(cloud) -> None:
    from ecsops.cloud.errors import NotFound, refused

    with pytest.raises(NotFound) as raised:
        KIND.lifecycle.create(cloud, task("c-hz0000000000000000"), token="t")
    assert refused(raised.value)
