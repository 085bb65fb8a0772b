"""System events in the emulator: injected through the admin API, moved by the virtual clock and by hand,
announced as the documented notifications, listed by DescribeInstanceHistoryEvents; instance status
changes announced as `Instance:StateChange`; the hooks other parts of the emulator register."""

from __future__ import annotations

from datetime import datetime

import pytest
from alibabacloud_cms20190101 import models as cm
from alibabacloud_cms20190101.client import Client as CmsClient
from alibabacloud_tea_openapi import models as openapi_models
from alibabacloud_tea_openapi.exceptions import ClientException

from ecsops.emulator import events
from ecsops.emulator.events import lifecycle, types
from tests.support.emulator import ACCESS_KEY_ID, ACCESS_KEY_SECRET, REGION, admin_error, models
from tests.support.webhooks import deliveries

START = "2026-11-21T00:00:00Z"
LINUX = "i-demo-linux-1"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture
def clock(admin):
    admin.set_clock(START)
    return admin


@pytest.fixture
def notifications(emulator, admin):
    """Every notification, oldest first, as a catch-all rule with a contact target records them."""
    scheme, _, host = emulator.endpoint.partition("://")
    cms = CmsClient(openapi_models.Config(access_key_id=ACCESS_KEY_ID, access_key_secret=ACCESS_KEY_SECRET,
                                          region_id=REGION, endpoint=host, protocol=scheme))
    cms.put_event_rule(cm.PutEventRuleRequest(rule_name="all", silence_time=0,
                                              event_pattern=[cm.PutEventRuleRequestEventPattern(product="ecs")]))
    cms.put_event_rule_targets(cm.PutEventRuleTargetsRequest(rule_name="all", contact_parameters=[
        cm.PutEventRuleTargetsRequestContactParameters(id="c", contact_group_name="ops-oncall")]))
    return lambda: [record["notification"] for record in deliveries(admin)]


def inject(admin, **fields) -> dict:
    return admin.call("POST", "events", {"resourceId": LINUX, "eventType": "SystemMaintenance.Reboot", **fields})


def event(admin, event_id: str) -> dict:
    return admin.call("GET", f"events/{event_id}")


def history(ecs, **filters):
    return ecs.describe_instance_history_events(models.DescribeInstanceHistoryEventsRequest(
        **{"region_id": REGION, **filters})).body


def listed(ecs, **filters) -> list[tuple[str, str]]:
    found = history(ecs, **filters).instance_system_event_set.instance_system_event_type
    return [(e.event_id, e.event_cycle_status.name) for e in found]


ALL_STATES = list(types.STATES)


def test_every_event_type_can_start_and_finish_executing() -> None:
    for kind in types.TYPES.values():
        assert {"Executing", "Executed"} <= set(kind.states), kind.name
        assert set(kind.states) <= set(types.STATES) and kind.level in types.LEVELS


def test_an_injected_event_carries_its_type_category_and_level(clock) -> None:
    injected = inject(clock, status="Scheduled", notBefore="2026-11-21T01:00:00Z", reason="host upgrade")
    assert injected["id"].startswith("e-")
    assert {key: injected[key] for key in ("resourceId", "regionId", "eventType", "category", "level", "status",
                                           "publishTime", "notBefore", "reason")} == {
        "resourceId": LINUX, "regionId": REGION, "eventType": "SystemMaintenance.Reboot", "category": "Maintenance",
        "level": "CRITICAL", "status": "Scheduled", "publishTime": START, "notBefore": "2026-11-21T01:00:00Z",
        "reason": "host upgrade"}


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        pytest.param({"resourceId": LINUX, "eventType": "SystemMaintenance.Nap", "status": "Scheduled"},
                     "unknown event type 'SystemMaintenance.Nap'", id="unknown-type"),
        pytest.param({"resourceId": "i-nope", "eventType": "SystemFailure.Reboot", "status": "Executing"},
                     "no instance i-nope", id="unknown-instance"),
        pytest.param({"resourceId": LINUX, "eventType": "SystemFailure.Reboot", "status": "Scheduled"},
                     "has no state 'Scheduled'", id="state-not-of-the-type"),
        pytest.param({"resourceId": LINUX, "eventType": "Stalled", "status": "Executing"},
                     "happens to disks", id="disk-event-on-an-instance"),
        pytest.param({"resourceId": "d-1", "eventType": "Stalled", "status": "Executing"},
                     "give its regionId or instanceId", id="disk-without-region"),
        pytest.param({"resourceId": LINUX, "eventType": "SystemFailure.Reboot"}, "status", id="missing-status"),
        pytest.param({"resourceId": LINUX, "eventType": "SystemFailure.Reboot", "status": "Executing", "x": 1},
                     "x", id="unknown-field"),
    ],
)
def test_a_bad_injection_is_refused_with_the_reason(clock, notifications, body, fragment) -> None:
    status, message = admin_error(lambda: clock.call("POST", "events", body))
    assert status == 400 and fragment in message
    assert clock.call("GET", "events")["events"] == [] and notifications() == []


def test_a_scheduled_event_executes_at_not_before_and_finishes_a_minute_later(clock) -> None:
    event_id = inject(clock, status="Scheduled", notBefore="2026-11-21T01:00:00Z")["id"]
    clock.advance("59m")
    assert event(clock, event_id)["status"] == "Scheduled"
    clock.advance("1m")
    assert (event(clock, event_id)["status"], event(clock, event_id)["executeStartTime"]) == (
        "Executing", "2026-11-21T01:00:00Z")
    clock.advance("1m")
    finished = event(clock, event_id)
    assert (finished["status"], finished["executeFinishTime"], finished["nextChange"]) == (
        "Executed", "2026-11-21T01:01:00Z", None)


def test_a_scheduled_event_without_not_before_gets_a_days_notice(clock) -> None:
    assert inject(clock, status="Scheduled")["notBefore"] == "2026-11-22T00:00:00Z"


def test_an_executing_event_finishes_a_minute_later(clock) -> None:
    event_id = inject(clock, eventType="SystemFailure.Reboot", status="Executing")["id"]
    clock.advance(59)
    assert event(clock, event_id)["status"] == "Executing"
    clock.advance(1)
    assert event(clock, event_id)["status"] == "Executed"


def test_an_inquiring_event_without_not_before_waits_to_be_authorised(clock) -> None:
    event_id = inject(clock, status="Inquiring")["id"]
    clock.advance("30d")
    assert event(clock, event_id)["status"] == "Inquiring"
    clock.call("POST", f"events/{event_id}", {"status": "Executing"})
    clock.advance("1m")
    assert event(clock, event_id)["status"] == "Executed"


def test_a_not_before_in_the_past_starts_executing_at_once(clock) -> None:
    injected = inject(clock, status="Scheduled", notBefore="2026-11-20T00:00:00Z")
    assert (injected["status"], injected["executeStartTime"]) == ("Executing", START)


def test_an_avoided_event_is_final(clock, notifications) -> None:
    event_id = inject(clock, status="Scheduled", notBefore="2026-11-21T01:00:00Z")["id"]
    clock.advance("10m")
    avoided = clock.call("POST", f"events/{event_id}", {"status": "Avoided"})
    assert (avoided["status"], avoided["executeStartTime"], avoided["executeFinishTime"]) == (
        "Avoided", "2026-11-21T00:10:00Z", "2026-11-21T00:10:00Z")
    clock.advance("2h")
    assert event(clock, event_id)["status"] == "Avoided"
    assert [n["name"] for n in notifications()] == [
        "Instance:SystemMaintenance.Reboot:Scheduled", "Instance:SystemMaintenance.Reboot:Avoided"]


@pytest.mark.parametrize(
    ("event_type", "start", "move_to", "fragment"),
    [
        pytest.param("SystemMaintenance.Reboot", "Executing", "Scheduled", "only move forward", id="backwards"),
        pytest.param("SystemMaintenance.Reboot", "Executed", "Canceled", "only move forward", id="after-final"),
        pytest.param("SystemFailure.Reboot", "Executing", "Avoided", "has no state 'Avoided'", id="not-of-the-type"),
    ],
)
def test_a_move_by_hand_is_refused_when_it_does_not_fit(clock, event_type, start, move_to, fragment) -> None:
    event_id = inject(clock, eventType=event_type, status=start)["id"]
    status, message = admin_error(lambda: clock.call("POST", f"events/{event_id}", {"status": move_to}))
    assert status == 400 and fragment in message
    assert event(clock, event_id)["status"] == start


def test_an_unknown_event_is_refused(clock) -> None:
    status, message = admin_error(lambda: clock.call("POST", "events/e-nope", {"status": "Avoided"}))
    assert status == 400 and "no system event e-nope" in message


def test_every_state_change_is_announced_with_the_documented_notification(clock, notifications) -> None:
    event_id = inject(clock, status="Scheduled", notBefore="2026-11-21T01:00:00Z")["id"]
    clock.advance("2h")
    # The default AutoRecover also announces the restart (Instance:StateChange); the event's own three:
    scheduled, executing, executed = [n for n in notifications() if n["name"] != "Instance:StateChange"]
    assert {key: scheduled[key] for key in ("ver", "product", "resourceId", "level", "name", "userId", "eventTime",
                                            "regionId")} == {
        "ver": "1.0", "product": "ECS", "resourceId": f"acs:ecs:cn-hangzhou:1234567890123456:instance/{LINUX}",
        "level": "CRITICAL", "name": "Instance:SystemMaintenance.Reboot:Scheduled", "userId": "1234567890123456",
        "eventTime": "20261121T080000.000+0800", "regionId": REGION}
    assert scheduled["content"] == {"eventId": event_id, "publishTime": START, "notBefore": "2026-11-21T01:00:00Z",
                                    "instanceId": LINUX, "eventType": "SystemMaintenance.Reboot",
                                    "eventStatus": "Scheduled"}
    assert executing["content"]["executeStartTime"] == "2026-11-21T01:00:00Z"
    assert executed["content"]["executeFinishTime"] == "2026-11-21T01:01:00Z"
    assert executed["eventTime"] == "20261121T090100.000+0800"
    assert len({scheduled["id"], executing["id"], executed["id"]}) == 3


def test_a_disk_event_names_the_disk_and_its_instance(clock, notifications) -> None:
    clock.call("POST", "events", {"resourceId": "d-data-1", "eventType": "Stalled", "status": "Executing",
                                  "instanceId": LINUX, "device": "/dev/xvdb"})
    [stalled] = notifications()
    assert (stalled["name"], stalled["resourceId"]) == (
        "Disk:Stalled:Executing", "acs:ecs:cn-hangzhou:1234567890123456:disk/d-data-1")
    assert {key: stalled["content"][key] for key in ("diskId", "device", "eventType", "executeStartTime",
                                                     "ecsInstanceId", "ecsInstanceName")} == {
        "diskId": "d-data-1", "device": "/dev/xvdb", "eventType": "Stalled", "executeStartTime": START,
        "ecsInstanceId": LINUX, "ecsInstanceName": "demo-linux-1"}


def test_history_lists_only_finished_events_unless_asked(clock, ecs) -> None:
    done = inject(clock, eventType="SystemFailure.Reboot", status="Executed")["id"]
    waiting = inject(clock, status="Scheduled")["id"]
    assert listed(ecs) == [(done, "Executed")]
    assert listed(ecs, instance_event_cycle_status=["Scheduled", "Executed"]) == [(waiting, "Scheduled"),
                                                                                   (done, "Executed")]
    assert listed(ecs, event_cycle_status="Scheduled") == [(waiting, "Scheduled")]


def test_history_shows_each_events_current_state(clock, ecs) -> None:
    event_id = inject(clock, status="Scheduled", notBefore="2026-11-21T01:00:00Z")["id"]
    clock.advance("1h")
    assert listed(ecs, instance_event_cycle_status=ALL_STATES) == [(event_id, "Executing")]
    clock.advance("1m")
    [found] = history(ecs).instance_system_event_set.instance_system_event_type
    assert (found.event_type.code, found.event_type.name, found.event_cycle_status.code) == (
        1, "SystemMaintenance.Reboot", 0)
    assert (found.instance_id, found.event_publish_time, found.not_before, found.event_finish_time) == (
        LINUX, START, "2026-11-21T01:00:00Z", "2026-11-21T01:01:00Z")


def test_history_filters(clock, ecs) -> None:
    first = inject(clock, status="Scheduled", notBefore="2026-11-21T05:00:00Z")["id"]
    clock.advance("1h")
    second = inject(clock, resourceId="i-demo-linux-2", eventType="SystemFailure.Reboot", status="Executing")["id"]
    every = dict(instance_event_cycle_status=ALL_STATES)
    assert listed(ecs, instance_id="i-demo-linux-2", **every) == [(second, "Executing")]
    assert listed(ecs, resource_id=[LINUX], instance_id="i-demo-linux-2", **every) == [(first, "Scheduled")]
    assert listed(ecs, event_id=[first], **every) == [(first, "Scheduled")]
    assert listed(ecs, instance_event_type=["SystemFailure.Reboot"], **every) == [(second, "Executing")]
    assert listed(ecs, event_type="SystemMaintenance.Reboot", **every) == [(first, "Scheduled")]
    window = models.DescribeInstanceHistoryEventsRequestNotBefore(start="2026-11-21T04:00:00Z",
                                                                  end="2026-11-21T06:00:00Z")
    assert listed(ecs, not_before=window, **every) == [(first, "Scheduled")]
    published = models.DescribeInstanceHistoryEventsRequestEventPublishTime(start="2026-11-21T00:30:00Z")
    assert listed(ecs, event_publish_time=published, **every) == [(second, "Executing")]
    assert listed(ecs, region_id="cn-beijing", **every) == []
    assert listed(ecs, resource_type="ddh", **every) == []


def test_history_pages_and_never_lists_disk_events(clock, ecs) -> None:
    clock.call("POST", "events", {"resourceId": "d-1", "eventType": "Stalled", "status": "Executed",
                                  "regionId": REGION})
    for _ in range(3):
        inject(clock, eventType="SystemFailure.Reboot", status="Executed")
    first = history(ecs, max_results=2)
    second = history(ecs, max_results=2, next_token=first.next_token)
    assert (first.total_count, len(first.instance_system_event_set.instance_system_event_type)) == (3, 2)
    assert (len(second.instance_system_event_set.instance_system_event_type), second.next_token) == (1, "")


def test_finished_events_older_than_30_days_are_not_listed(clock, ecs) -> None:
    inject(clock, eventType="SystemFailure.Reboot", status="Executed")
    clock.advance("30d")
    assert len(listed(ecs)) == 1
    clock.advance(1)
    assert listed(ecs) == []


@pytest.mark.parametrize(
    ("filters", "code", "status"),
    [
        pytest.param({"instance_event_cycle_status": ["Done"]}, "InvalidParameter", 400, id="unknown-status"),
        pytest.param({"event_type": "SystemMaintenance.Nap"}, "InvalidParameter", 400, id="unknown-type"),
        pytest.param({"resource_type": "disk"}, "InvalidParameter", 400, id="unknown-resource-type"),
        pytest.param({"event_id": [f"e-{i}" for i in range(101)]}, "EventIdLimitExceeded", 403, id="101-event-ids"),
        pytest.param({"not_before": models.DescribeInstanceHistoryEventsRequestNotBefore(start="yesterday")},
                     "InvalidParameter", 400, id="bad-time"),
        pytest.param({"region_id": "mars-1"}, "InvalidRegionId.NotFound", 404, id="unknown-region"),
    ],
)
def test_bad_history_filters_are_refused(ecs, filters, code, status) -> None:
    with pytest.raises(ClientException) as raised:
        history(ecs, **filters)
    assert (raised.value.code, raised.value.status_code) == (code, status)


def test_a_status_change_in_the_world_is_announced(clock, notifications) -> None:
    clock.world({"instances": [{"id": LINUX, "region": REGION, "status": "Stopped"},
                               {"id": "i-demo-linux-2", "region": REGION, "status": "Running"},
                               {"id": "i-new", "region": REGION, "status": "Stopped"}]})
    [change] = notifications()
    assert (change["name"], change["level"], change["resourceId"]) == (
        "Instance:StateChange", "INFO", f"acs:ecs:cn-hangzhou:1234567890123456:instance/{LINUX}")
    assert change["content"] == {"resourceId": LINUX, "resourceType": "ALIYUN::ECS::Instance", "state": "Stopped"}


def test_set_instance_status_announces_each_change(emulator, clock, notifications) -> None:
    with emulator.database.transaction() as tx:
        assert events.set_instance_status(tx, LINUX, "Stopping", at(START))
        assert events.set_instance_status(tx, LINUX, "Stopped", at(START))
        assert not events.set_instance_status(tx, LINUX, "Stopped", at(START))
        assert not events.set_instance_status(tx, "i-nope", "Stopped", at(START))
        with pytest.raises(events.EventError):
            events.set_instance_status(tx, LINUX, "Sleeping", at(START))
    assert [n["content"]["state"] for n in notifications()] == ["Stopping", "Stopped"]
    assert [i["status"] for i in clock.world()["instances"] if i["id"] == LINUX] == ["Stopped"]


@pytest.fixture
def hooks(monkeypatch) -> list[tuple[str, str, str]]:
    """Hooks registered for one test only; the hook below records (event id, new status, instant)."""
    monkeypatch.setattr(lifecycle, "_HOOKS", list(lifecycle._HOOKS))
    calls: list[tuple[str, str, str]] = []
    events.on_transition(lambda tx, event, status, when: calls.append((event["id"], status, when.isoformat())))
    return calls


def test_hooks_hear_every_state_an_event_enters_at_its_instant(clock, hooks) -> None:
    event_id = inject(clock, status="Scheduled", notBefore="2026-11-21T01:00:00Z")["id"]
    clock.advance("3h")
    assert hooks == [(event_id, "Scheduled", "2026-11-21T00:00:00+00:00"),
                     (event_id, "Executing", "2026-11-21T01:00:00+00:00"),
                     (event_id, "Executed", "2026-11-21T01:01:00+00:00")]


def test_a_hook_that_refuses_rolls_the_change_back(clock, hooks, notifications) -> None:
    def refuse(tx, event, status, when):
        raise events.EventError(f"{status} refused")

    events.on_transition(refuse)
    status, message = admin_error(lambda: inject(clock, status="Scheduled"))
    assert (status, message) == (400, "Scheduled refused")
    assert clock.call("GET", "events")["events"] == [] and notifications() == []


def test_raise_event_is_callable_from_other_modules(emulator, clock, hooks) -> None:
    with emulator.database.transaction() as tx:
        raised = events.raise_event(tx, LINUX, "SystemMaintenance.Stop", "Scheduled", at(START),
                                    not_before=at("2026-11-23T00:00:00Z"), reason="maintenance")
        moved = events.move_event(tx, raised["id"], "Canceled", at(START))
    assert (raised["status"], moved["status"]) == ("Scheduled", "Canceled")
    assert [status for _, status, _ in hooks] == ["Scheduled", "Canceled"]
