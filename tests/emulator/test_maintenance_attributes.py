"""Instance maintenance attributes in the emulator, through the official SDK: the platform defaults, partial
modifies, the window rules, the actions each instance supports, paging, and every documented error (with
nothing written when a call is refused)."""

from __future__ import annotations

import pytest
from alibabacloud_tea_openapi.exceptions import ClientException

from tests.support.emulator import REGION, models

LINUX = "i-demo-linux-1"
LOCAL_DISK = "i-demo-localdisk-1"
REGION_INSTANCES = ["i-demo-linux-1", "i-demo-linux-2", "i-demo-windows-1", "i-demo-localdisk-1",
                    "i-demo-stopped-1", "i-demo-noagent-1"]
DEFAULTS = ("AutoRecover", False, [])


def window(start: str, end: str) -> list:
    return [models.ModifyInstanceMaintenanceAttributesRequestMaintenanceWindow(start_time=start, end_time=end)]


def modify(ecs, instance_ids: list[str] | None = None, **fields) -> None:
    ecs.modify_instance_maintenance_attributes(models.ModifyInstanceMaintenanceAttributesRequest(
        **{"region_id": REGION, "instance_id": [LINUX] if instance_ids is None else instance_ids, **fields}))


def describe(ecs, **fields):
    return ecs.describe_instance_maintenance_attributes(models.DescribeInstanceMaintenanceAttributesRequest(
        **{"region_id": REGION, **fields})).body


def attributes(ecs, instance_id: str = LINUX) -> tuple[str, bool, list[tuple[str, str]]]:
    """(action, notify, [(start, end)]) of one instance."""
    [item] = describe(ecs, instance_id=[instance_id]).maintenance_attributes.maintenance_attribute
    windows = [(w.start_time, w.end_time) for w in item.maintenance_windows.maintenance_window]
    return item.action_on_maintenance.value, item.notify_on_maintenance, windows


def test_every_instance_starts_with_the_platform_defaults(ecs) -> None:
    answer = describe(ecs)
    items = answer.maintenance_attributes.maintenance_attribute
    assert (answer.total_count, answer.page_number, answer.page_size) == (6, 1, 10)
    assert [item.instance_id for item in items] == REGION_INSTANCES
    for item in items:
        assert (item.action_on_maintenance.value, item.notify_on_maintenance,
                item.maintenance_windows.maintenance_window) == DEFAULTS
        assert item.action_on_maintenance.default_value == "AutoRecover"


@pytest.mark.parametrize(
    ("instance_id", "supported"),
    [
        pytest.param(LINUX, ["AutoRecover", "Stop"], id="cloud-disks-only"),
        pytest.param(LOCAL_DISK, ["AutoRecover", "Stop", "AutoRedeploy"], id="local-disks"),
    ],
)
def test_auto_redeploy_is_offered_only_to_instances_with_local_disks(ecs, instance_id, supported) -> None:
    [item] = describe(ecs, instance_id=[instance_id]).maintenance_attributes.maintenance_attribute
    assert item.action_on_maintenance.supported_values.supported_value == supported


def test_a_modify_sets_only_what_it_is_given(ecs) -> None:
    modify(ecs, action_on_maintenance="Stop")
    assert attributes(ecs) == ("Stop", False, [])
    modify(ecs, notify_on_maintenance=True)
    assert attributes(ecs) == ("Stop", True, [])
    modify(ecs, maintenance_window=window("02:00:00", "04:00:00"))
    assert attributes(ecs) == ("Stop", True, [("02:00:00", "04:00:00")])
    modify(ecs, notify_on_maintenance=False)
    assert attributes(ecs) == ("Stop", False, [("02:00:00", "04:00:00")])
    assert attributes(ecs, "i-demo-linux-2") == DEFAULTS


def test_a_modify_applies_to_every_instance_given(ecs) -> None:
    modify(ecs, [LINUX, LOCAL_DISK, LINUX], action_on_maintenance="Stop")
    assert [attributes(ecs, i)[0] for i in (LINUX, LOCAL_DISK, "i-demo-linux-2")] == ["Stop", "Stop", "AutoRecover"]


def test_an_empty_window_clears_the_window(ecs) -> None:
    modify(ecs, maintenance_window=window("22:00:00", "02:00:00"))
    assert attributes(ecs)[2] == [("22:00:00", "02:00:00")]
    modify(ecs, maintenance_window=window("", ""))
    assert attributes(ecs)[2] == []


@pytest.mark.parametrize(
    ("start", "end"),
    [
        pytest.param("02:00:00", "03:00:00", id="one-hour"),
        pytest.param("00:00:00", "23:00:00", id="twenty-three-hours"),
        pytest.param("23:00:00", "22:00:00", id="wrapping-twenty-three-hours"),
    ],
)
def test_a_window_of_one_to_twenty_three_hours_is_accepted(ecs, start, end) -> None:
    modify(ecs, maintenance_window=window(start, end))
    assert attributes(ecs)[2] == [(start, end)]


def test_auto_redeploy_is_accepted_for_an_instance_with_local_disks(ecs) -> None:
    modify(ecs, [LOCAL_DISK], action_on_maintenance="AutoRedeploy")
    assert attributes(ecs, LOCAL_DISK)[0] == "AutoRedeploy"


def test_describe_pages_with_page_number_and_size(ecs) -> None:
    second = describe(ecs, page_number=2, page_size=4)
    assert [i.instance_id for i in second.maintenance_attributes.maintenance_attribute] == REGION_INSTANCES[4:]
    assert (second.total_count, second.page_number, second.page_size) == (6, 2, 4)


def test_describe_lists_only_the_instances_of_the_region(ecs) -> None:
    answer = describe(ecs, region_id="cn-beijing")
    assert (answer.total_count, answer.maintenance_attributes.maintenance_attribute) == (0, [])


@pytest.mark.parametrize(
    ("fields", "code", "status", "fragment"),
    [
        pytest.param({"instance_id": []}, "MissingParameter", 400, "InstanceId", id="no-instance"),
        pytest.param({"instance_id": [f"i-{n}" for n in range(101)]}, "InstanceIdLimitExceeded", 403, "101",
                     id="101-instances"),
        pytest.param({"instance_id": [LINUX, "i-nope"]}, "InvalidInstanceId.NotFound", 404, "i-nope",
                     id="unknown-instance"),
        pytest.param({"region_id": "cn-beijing"}, "InvalidInstanceId.NotFound", 404, LINUX, id="other-region"),
        pytest.param({"action_on_maintenance": "Reboot"}, "InvalidParameter", 403, "'Reboot'", id="unknown-action"),
        pytest.param({"instance_id": [LOCAL_DISK, LINUX], "action_on_maintenance": "AutoRedeploy"},
                     "InvalidParameter", 403, f"{LINUX} has no local disks", id="redeploy-without-local-disks"),
        pytest.param({"notify_on_maintenance": "maybe"}, "InvalidParameter", 403, "'maybe'", id="notify-not-boolean"),
        pytest.param({"maintenance_window": window("02:00:00", "04:00:00") + window("06:00:00", "08:00:00")},
                     "InvalidParameter", 403, "one window, 2 were given", id="two-windows"),
        pytest.param({"maintenance_window": window("02:30:00", "04:00:00")}, "InvalidParameter", 403,
                     "02:30:00 is not on the hour", id="not-on-the-hour"),
        pytest.param({"maintenance_window": window("02:00:00", "04:00:30")}, "InvalidParameter", 403,
                     "not on the hour", id="seconds-not-zero"),
        pytest.param({"maintenance_window": window("02:00:00", "02:00:00")}, "InvalidParameter", 403,
                     "lasts 24 hours", id="twenty-four-hours"),
        pytest.param({"maintenance_window": window("00:00:00", "25:00:00")}, "InvalidParameter", 403,
                     "'25:00:00' is not a time of day", id="twenty-five-hours"),
        pytest.param({"maintenance_window": window("2am", "04:00:00")}, "InvalidParameter", 403,
                     "not a time of day", id="not-a-time"),
        pytest.param({"maintenance_window": window("02:00:00", "")}, "InvalidParameter", 403,
                     "give both StartTime and EndTime", id="start-without-end"),
        pytest.param({"region_id": "mars-1"}, "InvalidRegionId.NotFound", 404, "mars-1", id="unknown-region"),
    ],
)
def test_a_bad_modify_is_refused_and_writes_nothing(ecs, admin, fields, code, status, fragment) -> None:
    instance_ids = fields.pop("instance_id", None)
    with pytest.raises(ClientException) as raised:
        modify(ecs, instance_ids, **{"action_on_maintenance": "Stop", **fields})
    assert (raised.value.code, raised.value.status_code) == (code, status)
    assert fragment in raised.value.message
    assert admin.writes() == []
    assert all(attributes(ecs, i) == DEFAULTS for i in (LINUX, LOCAL_DISK))


@pytest.mark.parametrize(
    ("fields", "code", "status"),
    [
        pytest.param({"instance_id": [f"i-{n}" for n in range(101)]}, "InstanceIdLimitExceeded", 403,
                     id="101-instances"),
        pytest.param({"instance_id": ["i-nope"]}, "InvalidInstanceId.NotFound", 404, id="unknown-instance"),
        pytest.param({"page_size": 101}, "InvalidParameter", 403, id="page-size-101"),
        pytest.param({"page_size": 0}, "InvalidParameter", 403, id="page-size-0"),
        pytest.param({"page_number": 0}, "InvalidParameter", 403, id="page-number-0"),
    ],
)
def test_a_bad_describe_is_refused(ecs, fields, code, status) -> None:
    with pytest.raises(ClientException) as raised:
        describe(ecs, **fields)
    assert (raised.value.code, raised.value.status_code) == (code, status)
