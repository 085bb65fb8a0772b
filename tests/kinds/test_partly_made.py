"""Every kind's create against the emulator: a create that made its object and then failed raises PartlyMade
with the object's id (so the engine can keep it); one whose first call failed made nothing and says so."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import pytest

from ecsops.cloud.backend import Backend, KeyPair
from ecsops.cloud.client import Cloud
from ecsops.cloud.errors import CloudError
from ecsops.engine.kind import Kind, PartlyMade
from ecsops.resources.command import KIND as COMMAND
from ecsops.resources.delivery_settings import KIND as DELIVERY
from ecsops.resources.event_alert_rule import KIND as RULE
from ecsops.resources.license_task import KIND as LICENSE
from ecsops.resources.maintenance_attributes import KIND as MAINTENANCE
from ecsops.resources.scheduled_invocation import KIND as TASK

SERVER_ERROR = {"errorRate": 1.0}


@pytest.fixture
def cloud(emulator):
    # one attempt: a faulted call fails at once instead of being retried
    return Cloud(Backend("endpoint", "cn-hangzhou", endpoint=emulator.endpoint,
                         keys=KeyPair("ecsops-local", "ecsops-local-secret")), attempts=1)


def a_command(cloud: Cloud) -> dict[str, Any]:
    return {"name": "c", "type": "RunShellScript", "content": "echo"}


def a_task(cloud: Cloud) -> dict[str, Any]:
    made = COMMAND.lifecycle.create(cloud, COMMAND.spec.model_validate(a_command(cloud)), token="cmd")
    return {"commandId": made.id, "instanceIds": ["i-demo-linux-1"], "frequency": "rate(1h)"}


@dataclass(frozen=True)
class Case:
    kind: Kind
    values: Callable[[Cloud], dict[str, Any]]
    failing: str         # the action made to fail
    made_id: str | None  # the object's id when the failure came after it was made (None: look it up)


RULE_VALUES = {"name": "r", "eventPattern": {"eventTypes": ["Maintenance"]},
               "targets": {"contacts": [{"id": "c", "group": "ops-oncall"}]}}
LICENSE_VALUES = {"name": "win", "description": "Windows licenses", "licenseType": "vCPU", "limit": 8,
                  "discoveryRules": [{"product": "Windows Server"}], "active": False}

AFTER_THE_FIRST_CALL = [
    pytest.param(Case(RULE, lambda cloud: RULE_VALUES, "PutEventRuleTargets", "r"), id="rule-targets"),
    pytest.param(Case(RULE, lambda cloud: RULE_VALUES, "DescribeEventRuleList", "r"), id="rule-read-back"),
    pytest.param(Case(TASK, a_task, "DescribeInvocations", None), id="task-read-back"),
    pytest.param(Case(LICENSE, lambda cloud: LICENSE_VALUES, "DeactivateLicenseTask", None), id="license-deactivate"),
    pytest.param(Case(LICENSE, lambda cloud: LICENSE_VALUES, "DescribeLicenseTasks", None), id="license-read-back"),
    pytest.param(Case(DELIVERY, lambda cloud: {"region": "cn-hangzhou"}, "DescribeCloudAssistantSettings",
                      "cn-hangzhou:InvocationDelivery"), id="delivery-read-back"),
    pytest.param(Case(MAINTENANCE, lambda cloud: {"instanceIds": ["i-demo-linux-1"], "action": "Stop"},
                      "DescribeInstanceMaintenanceAttributes", "cn-hangzhou:i-demo-linux-1"),
                 id="maintenance-read-back"),
]


@pytest.mark.parametrize("case", AFTER_THE_FIRST_CALL)
def test_a_create_failing_after_it_made_the_object_names_the_object(cloud, admin, case: Case) -> None:
    spec = case.kind.spec.model_validate(case.values(cloud))
    admin.faults(actions=[case.failing], **SERVER_ERROR)
    with pytest.raises(PartlyMade) as raised:
        case.kind.lifecycle.create(cloud, spec, token="t-1")
    admin.clear_faults()
    error = raised.value
    assert error.action == case.failing and isinstance(error.error, CloudError) and str(error) == str(error.error)
    assert case.made_id is None or error.id == case.made_id
    assert case.kind.lifecycle.read(cloud, error.id, prior=spec.wire_values()) is not None  # it exists


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(Case(COMMAND, a_command, "CreateCommand", None), id="command"),
        pytest.param(Case(RULE, lambda cloud: RULE_VALUES, "PutEventRule", None), id="rule"),
        pytest.param(Case(TASK, a_task, "InvokeCommand", None), id="task"),
    ],
)
def test_a_create_whose_first_call_fails_made_nothing(cloud, admin, case: Case) -> None:
    spec = case.kind.spec.model_validate(case.values(cloud))
    admin.faults(actions=[case.failing], **SERVER_ERROR)
    with pytest.raises(CloudError) as raised:
        case.kind.lifecycle.create(cloud, spec, token="t-1")
    assert not isinstance(raised.value, PartlyMade)
