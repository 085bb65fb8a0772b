"""What maintenance events do to instances, by their maintenance attributes, with a virtual clock: Stop,
AutoRecover (and the restart's reboot tasks), AutoRedeploy (a new host, local data lost), the window that
moves a scheduled event, and the Inquiring state NotifyOnMaintenance adds."""

from __future__ import annotations

import base64

import pytest
from alibabacloud_cms20190101 import models as cm

from ecsops.emulator.ecs.maintenance_actions import ACTING_TYPES
from tests.support.emulator import REGION, cms_client, models
from tests.support.webhooks import deliveries

START = "2026-11-21T00:00:00Z"  # 08:00 in UTC+8
IN_AN_HOUR = "2026-11-21T01:00:00Z"
LINUX, OTHER, LOCAL_DISK, STOPPED = "i-demo-linux-1", "i-demo-linux-2", "i-demo-localdisk-1", "i-demo-stopped-1"


@pytest.fixture
def clock(admin):
    admin.set_clock(START)
    return admin


@pytest.fixture
def notifications(emulator, admin):
    """(name, state or status) of every notification, oldest first, as a catch-all rule hears them."""
    cms = cms_client(emulator.endpoint)
    cms.put_event_rule(cm.PutEventRuleRequest(rule_name="all", silence_time=0,
                                              event_pattern=[cm.PutEventRuleRequestEventPattern(product="ecs")]))
    cms.put_event_rule_targets(cm.PutEventRuleTargetsRequest(rule_name="all", contact_parameters=[
        cm.PutEventRuleTargetsRequestContactParameters(id="c", contact_group_name="ops-oncall")]))

    def heard() -> list[tuple[str, str]]:
        bodies = [record["notification"] for record in deliveries(admin)]
        return [(body["name"], body["content"].get("state", body["eventTime"])) for body in bodies]
    return heard


def set_action(ecs, instance_id: str, action: str, **fields) -> None:
    ecs.modify_instance_maintenance_attributes(models.ModifyInstanceMaintenanceAttributesRequest(
        region_id=REGION, instance_id=[instance_id], action_on_maintenance=action, **fields))


def inject(admin, instance_id: str, event_type: str = "SystemMaintenance.Reboot", **fields) -> dict:
    return admin.call("POST", "events", {"resourceId": instance_id, "eventType": event_type, **fields})


def schedule(admin, instance_id: str, not_before: str = IN_AN_HOUR, **fields) -> dict:
    return inject(admin, instance_id, status="Scheduled", notBefore=not_before, **fields)


def event(admin, event_id: str) -> dict:
    return admin.call("GET", f"events/{event_id}")


def status(ecs, instance_id: str) -> str:
    [found] = ecs.describe_instances(models.DescribeInstancesRequest(
        region_id=REGION, instance_ids=f'["{instance_id}"]')).body.instances.instance
    return found.status


def instance_document(admin, instance_id: str) -> dict:
    return next(i for i in admin.world()["instances"] if i["id"] == instance_id)


def reboot_task(ecs, instance_id: str) -> str:
    command_id = ecs.create_command(models.CreateCommandRequest(
        region_id=REGION, name="on-boot", type="RunShellScript",
        command_content=base64.b64encode(b"echo booted").decode())).body.command_id
    return ecs.invoke_command(models.InvokeCommandRequest(
        region_id=REGION, command_id=command_id, instance_id=[instance_id], repeat_mode="EveryReboot")).body.invoke_id


def runs_of(ecs, invoke_id: str) -> list[str]:
    results = ecs.describe_invocation_results(models.DescribeInvocationResultsRequest(
        region_id=REGION, invoke_id=invoke_id, include_history=True)).body.invocation.invocation_results
    return [r.start_time for r in results.invocation_result]


def state_changes(heard: list[tuple[str, str]]) -> list[str]:
    return [state for name, state in heard if name == "Instance:StateChange"]


def test_stop_leaves_the_instance_stopped_after_maintenance(ecs, clock, notifications) -> None:
    set_action(ecs, OTHER, "Stop")
    event_id = schedule(clock, OTHER)["id"]
    clock.advance("2h")
    assert status(ecs, OTHER) == "Stopped"
    assert event(clock, event_id)["status"] == "Executed"
    heard = notifications()
    assert "Instance:SystemMaintenance.Reboot:Executed" in [name for name, _ in heard]
    assert state_changes(heard) == ["Stopping", "Stopped"]


def test_auto_recover_restarts_the_instance_and_runs_its_reboot_tasks_once(ecs, clock, notifications) -> None:
    set_action(ecs, LINUX, "AutoRecover")
    task = reboot_task(ecs, LINUX)
    schedule(clock, LINUX)
    clock.advance("2h")
    assert status(ecs, LINUX) == "Running"
    assert runs_of(ecs, task) == ["2026-11-21T01:01:00Z"]
    heard = [state if name == "Instance:StateChange" else name.rsplit(":", 1)[-1] for name, state in notifications()]
    assert heard == ["Scheduled", "Executing", "Stopping", "Stopped", "Executed", "Starting", "Running"]
    clock.advance("1d")
    assert len(runs_of(ecs, task)) == 1


def test_the_instance_is_down_while_the_event_executes(ecs, clock) -> None:
    schedule(clock, LINUX)
    clock.advance("1h")
    assert status(ecs, LINUX) == "Stopped"
    clock.advance("1m")
    assert status(ecs, LINUX) == "Running"


def test_auto_recover_leaves_a_stopped_instance_stopped(ecs, clock, notifications) -> None:
    task = reboot_task(ecs, STOPPED)
    schedule(clock, STOPPED)
    clock.advance("2h")
    assert status(ecs, STOPPED) == "Stopped"
    assert runs_of(ecs, task) == [] and state_changes(notifications()) == []


def test_auto_redeploy_moves_the_instance_to_a_new_host_and_loses_its_local_data(ecs, clock) -> None:
    set_action(ecs, LOCAL_DISK, "AutoRedeploy")
    task = reboot_task(ecs, LOCAL_DISK)
    before = instance_document(clock, LOCAL_DISK)
    assert (before["hostId"], before["localDataLost"]) == (None, False)
    schedule(clock, LOCAL_DISK, event_type="SystemMaintenance.Redeploy")
    clock.advance("2h")
    first = instance_document(clock, LOCAL_DISK)
    assert first["hostId"].startswith("h-") and first["localDataLost"] is True
    assert status(ecs, LOCAL_DISK) == "Running" and len(runs_of(ecs, task)) == 1
    schedule(clock, LOCAL_DISK, not_before="2026-11-21T03:00:00Z", event_type="SystemMaintenance.Redeploy")
    clock.advance("2h")
    assert instance_document(clock, LOCAL_DISK)["hostId"] not in (None, first["hostId"])


def test_the_data_lost_flag_can_be_reset_through_the_world(ecs, clock) -> None:
    set_action(ecs, LOCAL_DISK, "AutoRedeploy")
    inject(clock, LOCAL_DISK, "SystemFailure.Redeploy", status="Executing")
    clock.advance("1m")
    host = instance_document(clock, LOCAL_DISK)["hostId"]
    clock.world({"instances": [{"id": LOCAL_DISK, "region": REGION, "localDisk": True, "localDataLost": False}]})
    assert (instance_document(clock, LOCAL_DISK)["hostId"], instance_document(clock, LOCAL_DISK)["localDataLost"]) == (
        host, False)


def test_the_action_is_the_one_set_when_the_event_starts_executing(ecs, clock) -> None:
    inject(clock, LINUX, "SystemFailure.Reboot", status="Executing")
    set_action(ecs, LINUX, "Stop")
    clock.advance("1m")
    assert status(ecs, LINUX) == "Running"


@pytest.mark.parametrize("event_type", sorted(ACTING_TYPES))
def test_every_maintenance_event_type_applies_the_action(ecs, clock, event_type) -> None:
    set_action(ecs, OTHER, "Stop")
    inject(clock, OTHER, event_type, status="Executing")
    clock.advance("1m")
    assert status(ecs, OTHER) == "Stopped"


def test_other_events_leave_the_instance_alone(ecs, clock, notifications) -> None:
    inject(clock, LINUX, "SystemMaintenance.IsolateErrorDisk", status="Executing")
    clock.advance("1m")
    assert status(ecs, LINUX) == "Running" and state_changes(notifications()) == []


def test_a_window_moves_a_scheduled_event_to_its_next_opening(ecs, clock) -> None:
    set_action(ecs, LINUX, "AutoRecover", maintenance_window=[
        models.ModifyInstanceMaintenanceAttributesRequestMaintenanceWindow(start_time="03:00:00", end_time="04:00:00")])
    event_id = schedule(clock, LINUX, not_before="2026-11-21T17:00:00Z")["id"]  # 01:00 on the 22nd, UTC+8
    assert event(clock, event_id)["notBefore"] == "2026-11-21T19:00:00Z"  # 03:00 on the 22nd, UTC+8
    clock.set_clock("2026-11-21T18:59:59Z")
    assert event(clock, event_id)["status"] == "Scheduled"
    clock.advance(1)
    assert (event(clock, event_id)["status"], event(clock, event_id)["executeStartTime"]) == (
        "Executing", "2026-11-21T19:00:00Z")
    [shown] = ecs.describe_instance_history_events(models.DescribeInstanceHistoryEventsRequest(
        region_id=REGION, event_id=[event_id], instance_event_cycle_status=["Executing"],
    )).body.instance_system_event_set.instance_system_event_type
    assert shown.not_before == "2026-11-21T19:00:00Z"


@pytest.mark.parametrize(
    ("not_before", "executes"),
    [
        pytest.param("2026-11-21T19:30:00Z", "2026-11-21T19:30:00Z", id="inside-the-window"),
        pytest.param("2026-11-21T20:00:00Z", "2026-11-22T19:00:00Z", id="at-its-end"),
        pytest.param("2026-11-20T00:00:00Z", "2026-11-21T19:00:00Z", id="in-the-past"),
    ],
)
def test_a_window_keeps_execution_inside_it(ecs, clock, not_before, executes) -> None:
    set_action(ecs, LINUX, "AutoRecover", maintenance_window=[
        models.ModifyInstanceMaintenanceAttributesRequestMaintenanceWindow(start_time="03:00:00", end_time="04:00:00")])
    assert schedule(clock, LINUX, not_before=not_before)["notBefore"] == executes


def test_notify_on_maintenance_announces_an_inquiring_state_first(ecs, clock, notifications) -> None:
    set_action(ecs, LINUX, "AutoRecover", notify_on_maintenance=True)
    raised = schedule(clock, LINUX)
    schedule(clock, LINUX, event_type="SystemMaintenance.Stop")
    assert raised["status"] == "Scheduled"
    assert notifications() == [("Instance:SystemMaintenance.Reboot:Inquiring", "20261121T080000.000+0800"),
                               ("Instance:SystemMaintenance.Reboot:Scheduled", "20261121T080000.000+0800"),
                               ("Instance:SystemMaintenance.Stop:Scheduled", "20261121T080000.000+0800")]


def test_without_notify_on_maintenance_a_scheduled_event_is_only_scheduled(ecs, clock, notifications) -> None:
    schedule(clock, LINUX)
    assert [name for name, _ in notifications()] == ["Instance:SystemMaintenance.Reboot:Scheduled"]
