"""The two settings kinds, what plan knows before any call: windows, destinations, one claim per instance
and per region and setting type."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecsops.engine.errors import EngineError
from ecsops.engine.plan import plan
from ecsops.engine.stack import stack_from_document
from ecsops.engine.state import StackState
from ecsops.engine.validate import validate
from ecsops.resources.delivery_settings import KIND as DELIVERY
from ecsops.resources.maintenance_attributes import KIND as MAINTENANCE
from tests.support.kinds import replacing


def problems(kind, values) -> list[tuple[str | None, str]]:
    return [(d.field, d.message) for d in validate(kind, values, resource="r").diagnostics]


@pytest.mark.parametrize(
    ("window", "fragment"),
    [
        pytest.param({"start": "02:30:00", "end": "04:00:00"}, "'02:30:00' is not a time of day on the hour",
                     id="not-on-the-hour"),
        pytest.param({"start": "02:00:00", "end": "27:00:00"}, "'27:00:00' is not a time of day", id="25-hours"),
        pytest.param({"start": "02:00:00", "end": "02:00:00"}, "lasts 0 hours; it must last 1 to 23", id="empty"),
        pytest.param({"start": "2:00:00", "end": "04:00:00"}, "is not a time of day", id="short-hour"),
    ],
)
def test_bad_windows_are_named(window, fragment) -> None:
    found = problems(MAINTENANCE, {"instanceIds": ["i-demo-linux-1"], "window": window})
    assert any(field and field.startswith("window") and fragment in message for field, message in found), found


def test_a_window_may_wrap_past_midnight() -> None:
    assert problems(MAINTENANCE, {"instanceIds": ["i-a"], "window": {"start": "22:00:00", "end": "02:00:00"}}) == []


@pytest.mark.parametrize(
    ("values", "field", "fragment"),
    [
        pytest.param({"instanceIds": []}, "instanceIds", "at least 1 item", id="no-instances"),
        pytest.param({"instanceIds": ["web-1"]}, "instanceIds", "is not an instance id", id="bad-id"),
        pytest.param({"instanceIds": ["i-a", "i-a"]}, "instanceIds", "listed twice", id="twice"),
        pytest.param({"instanceIds": ["i-a"], "action": "Reboot"}, "action", "'AutoRecover', 'Stop' or",
                     id="unknown-action"),
    ],
)
def test_bad_maintenance_input_is_named(values, field, fragment) -> None:
    found = problems(MAINTENANCE, values)
    assert any(named == field and fragment in message for named, message in found), found


@pytest.mark.parametrize(
    ("values", "field", "fragment"),
    [
        pytest.param({"oss": {"enabled": True}}, "oss", "needs a bucket", id="oss-without-bucket"),
        pytest.param({"oss": {"bucket": "Bad_Name"}}, "oss.bucket", "is not a bucket name", id="bad-bucket"),
        pytest.param({"oss": {"bucket": "records", "prefix": "/audit"}}, "oss.prefix", "does not start with '/'",
                     id="leading-slash"),
        pytest.param({"oss": {"bucket": "records", "prefix": "p" * 255}}, "oss.prefix", "at most 254",
                     id="long-prefix"),
        pytest.param({"logService": {"enabled": True, "project": "ops-logs"}}, "logService",
                     "needs a project and a logstore", id="logstore-missing"),
        pytest.param({"logService": {"project": "ops_logs"}}, "logService.project", "not a Log Service project name",
                     id="project-underscore"),
        pytest.param({"logService": {"project": "ops-logs", "logstore": "-records"}}, "logService.logstore",
                     "not a logstore name", id="logstore-leading-dash"),
        pytest.param({"oss": {"enabled": 1, "bucket": "records"}}, "oss.enabled", "valid boolean", id="enabled-one"),
        pytest.param({"settingType": "AgentUpgradeConfig"}, "settingType", "'InvocationDelivery' or", id="type"),
    ],
)
def test_bad_delivery_input_is_named(values, field, fragment) -> None:
    found = problems(DELIVERY, {"region": "cn-hangzhou", **values})
    assert any(named == field and fragment in message for named, message in found), found


def stack(**resources) -> object:
    return stack_from_document({"name": "demo", "region": "cn-hangzhou", "resources": resources}, Path("s.yaml"))


def test_two_resources_may_not_claim_the_same_instance() -> None:
    with pytest.raises(EngineError) as raised:
        plan(stack(a={"type": "ecsops:MaintenanceAttributes", "properties": {"instanceIds": ["i-1", "i-2"]}},
                   b={"type": "ecsops:MaintenanceAttributes", "properties": {"instanceIds": ["i-2", "i-3"],
                                                                             "action": "Stop"}}),
             StackState("demo"), {})
    assert sorted((d.resource, d.field, d.message[:30]) for d in raised.value.diagnostics) == [
        ("a", "instanceIds", "i-2 also claimed by 'b': an in"), ("b", "instanceIds", "i-2 also claimed by 'a': an in")]


def test_two_resources_may_not_claim_the_same_region_and_setting_type() -> None:
    with pytest.raises(EngineError) as raised:
        plan(stack(a={"type": "ecsops:DeliverySettings", "properties": {"region": "cn-hangzhou"}},
                   b={"type": "ecsops:DeliverySettings", "properties": {"region": "cn-hangzhou",
                                                                        "settingType": "InvocationDelivery"}},
                   c={"type": "ecsops:DeliverySettings", "properties": {"region": "cn-beijing"}}),
             StackState("demo"), {})
    assert sorted(d.resource for d in raised.value.diagnostics) == ["a", "b"]


def test_a_new_instance_set_replaces_by_resetting_the_old_set_first() -> None:
    assert replacing(MAINTENANCE) == {"instanceIds"} and MAINTENANCE.delete_before_replace
    assert replacing(DELIVERY) == {"region", "settingType"}
