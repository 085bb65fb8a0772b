"""What plan asks the cloud before any write: instances named by a task or by maintenance attributes must
exist, and a value known only after apply (a `${...}` reference to something not yet made) is never sent."""

from __future__ import annotations

import json

import pytest

from ecsops.cloud.backend import Backend, KeyPair
from ecsops.cloud.client import Cloud
from ecsops.engine.values import UNKNOWN
from ecsops.resources.maintenance_attributes import MaintenanceAttributesSpec
from ecsops.resources.maintenance_attributes import cloud_checks as maintenance_checks
from ecsops.resources.scheduled_invocation import ScheduledInvocationSpec
from ecsops.resources.scheduled_invocation import cloud_checks as task_checks
from tests.support.cli import ecsops, write_stack


@pytest.fixture
def cloud(emulator):
    return Cloud(Backend("endpoint", "cn-hangzhou", endpoint=emulator.endpoint,
                         keys=KeyPair("ecsops-local", "ecsops-local-secret")))


def task(**fields: object) -> ScheduledInvocationSpec:
    return ScheduledInvocationSpec.model_validate({"commandId": "c-1", "frequency": "rate(5m)", **fields})


def sent(admin) -> str:
    return json.dumps([request["params"] for request in admin.requests()])


@pytest.mark.parametrize(
    ("instance_ids", "expected"),
    [
        pytest.param(["i-demo-linux-1", "i-demo-linux-2"], [], id="all-exist"),
        pytest.param(["i-demo-linux-1", "i-nowhere", "i-gone"],
                     [("instanceIds", "i-nowhere, i-gone: no such instance in cn-hangzhou")], id="some-missing"),
        pytest.param(["i-nowhere", UNKNOWN], [("instanceIds", "i-nowhere: no such instance in cn-hangzhou")],
                     id="known-ones-checked-beside-an-unknown"),
    ],
)
def test_a_task_names_only_instances_that_exist(cloud, admin, instance_ids, expected) -> None:
    assert task_checks(cloud, task(instanceIds=instance_ids)) == expected
    assert UNKNOWN not in sent(admin)


def test_a_task_whose_instances_are_all_unknown_asks_nothing(cloud, admin) -> None:
    assert task_checks(cloud, task(instanceIds=[UNKNOWN])) == []
    assert task_checks(cloud, task(resourceTags={"role": "web"})) == []
    assert admin.requests() == []


def test_maintenance_attributes_never_send_an_unknown_instance(cloud, admin) -> None:
    unknown_only = MaintenanceAttributesSpec.model_validate({"instanceIds": [UNKNOWN], "action": "Stop"})
    assert maintenance_checks(cloud, unknown_only) == []
    assert admin.requests() == []
    mixed = MaintenanceAttributesSpec.model_validate({"instanceIds": [UNKNOWN, "i-nowhere"], "action": "Stop"})
    [(field, _)] = maintenance_checks(cloud, mixed)
    assert field == "instanceIds"
    assert UNKNOWN not in sent(admin)


def test_plan_sends_no_placeholder_for_a_reference_to_an_object_not_yet_made(tmp_path, emulator, admin) -> None:
    stack = write_stack(tmp_path, """\
  check:
    type: ecsops:Command
    properties: {name: check, type: RunShellScript, content: uptime}
  attributes:
    type: ecsops:MaintenanceAttributes
    properties: {instanceIds: ["i-demo-linux-1", "${check.commandId}"], action: Stop}
  task:
    type: ecsops:ScheduledInvocation
    properties: {commandId: "${check.commandId}", instanceIds: ["i-demo-linux-1", "${check.commandId}"],
                 frequency: rate(5m)}
""")
    planned = ecsops("plan", stack, "--endpoint", emulator.endpoint)
    assert planned.code == 0, planned.err
    assert UNKNOWN not in sent(admin)
    assert admin.writes() == []
