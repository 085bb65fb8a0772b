"""Maintenance attributes and delivery settings end to end through `ecsops`: the acceptance of issue 5."""

from __future__ import annotations

import json
import textwrap
import time

import pytest

from ecsops.engine.state import StateStore
from tests.support.cli import write_stack
from tests.support.emulator import REGION, models
from tests.support.s3 import fresh_bucket, use_endpoint

START = "2026-11-21T00:00:00Z"


def resources(text: str) -> str:
    return textwrap.indent(textwrap.dedent(text), "  ")


FLEET = resources("""\
    restart-hook:
      type: ecsops:Command
      properties: {name: after-restart, type: RunShellScript, content: "echo back on {{ACS::InstanceId}}",
                   enableParameter: true}
    on-every-reboot:
      type: ecsops:ScheduledInvocation
      properties: {commandId: "${restart-hook.commandId}", instanceIds: [i-demo-linux-1], repeatMode: EveryReboot}
    recover-web:
      type: ecsops:MaintenanceAttributes
      properties: {instanceIds: [i-demo-linux-1], action: AutoRecover}
    stop-batch:
      type: ecsops:MaintenanceAttributes
      properties:
        instanceIds: [i-demo-linux-2]
        action: Stop
        notify: true
        window: {start: "02:00:00", end: "05:00:00"}
    maintenance-news:
      type: ecsops:EventAlertRule
      properties:
        name: maintenance-news
        eventPattern: {eventTypes: [Maintenance]}
        targets: {contacts: [{group: ops-oncall}]}
""")


def attributes(ecs, *ids: str) -> dict[str, object]:
    answer = ecs.describe_instance_maintenance_attributes(models.DescribeInstanceMaintenanceAttributesRequest(
        region_id=REGION, instance_id=list(ids))).body
    return {item.instance_id: item for item in answer.maintenance_attributes.maintenance_attribute}


def status(ecs, instance_id: str) -> str:
    [instance] = ecs.describe_instances(models.DescribeInstancesRequest(
        region_id=REGION, instance_ids=json.dumps([instance_id]))).body.instances.instance
    return instance.status


def inject_reboot(admin, instance_id: str, not_before: str) -> None:
    admin.call("POST", "events", {"resourceId": instance_id, "eventType": "SystemMaintenance.Reboot",
                                  "status": "Scheduled", "notBefore": not_before})


def test_maintenance_actions_decide_what_an_executed_event_does(tmp_path, cli, admin, ecs) -> None:
    admin.set_clock(START)
    assert cli("apply", "--yes", write_stack(tmp_path, FLEET)).code == 0
    invoke_id = StateStore(tmp_path, "demo").load().resources["on-every-reboot"].id
    inject_reboot(admin, "i-demo-linux-1", "2026-11-21T01:00:00Z")
    inject_reboot(admin, "i-demo-linux-2", "2026-11-21T01:00:00Z")
    admin.advance("1d")
    assert status(ecs, "i-demo-linux-2") == "Stopped"
    assert status(ecs, "i-demo-linux-1") == "Running"
    names = {(n["name"], n["notification"]["resourceId"].rsplit("/", 1)[1])
             for n in admin.call("GET", "notifications")["notifications"]}
    assert ("Instance:SystemMaintenance.Reboot:Executed", "i-demo-linux-2") in names
    runs = ecs.describe_invocation_results(models.DescribeInvocationResultsRequest(
        region_id=REGION, invoke_id=invoke_id, include_history=True, content_encoding="PlainText")).body
    [run] = runs.invocation.invocation_results.invocation_result
    assert run.output == "back on i-demo-linux-1\n"


def test_a_window_moves_when_scheduled_maintenance_executes(tmp_path, cli, admin, ecs) -> None:
    admin.set_clock(START)
    assert cli("apply", "--yes", write_stack(tmp_path, FLEET)).code == 0
    inject_reboot(admin, "i-demo-linux-2", "2026-11-21T17:00:00Z")  # 01:00 UTC+8, before the 02:00 window
    [event] = admin.call("GET", "events?resource=i-demo-linux-2")["events"]
    assert event["notBefore"] == "2026-11-21T18:00:00Z"  # moved to the start of the window


@pytest.mark.parametrize(
    ("properties", "field", "fragment"),
    [
        pytest.param("{instanceIds: [i-demo-linux-1], action: AutoRedeploy}", "action",
                     "i-demo-linux-1 does not support AutoRedeploy", id="redeploy-without-local-disks"),
        pytest.param('{instanceIds: [i-demo-linux-1], window: {start: "02:30:00", end: "04:00:00"}}', "window.start",
                     "is not a time of day on the hour", id="window-not-on-the-hour"),
        pytest.param('{instanceIds: [i-demo-linux-1], window: {start: "02:00:00", end: "27:00:00"}}', "window.end",
                     "is not a time of day on the hour", id="window-of-25-hours"),
        pytest.param("{instanceIds: [i-nowhere]}", "instanceIds", "i-nowhere", id="unknown-instance"),
    ],
)
def test_bad_maintenance_settings_are_refused_by_plan_naming_the_field(tmp_path, cli, admin, properties, field,
                                                                       fragment) -> None:
    stack = write_stack(tmp_path, resources(f"""\
        settings:
          type: ecsops:MaintenanceAttributes
          properties: {properties}
    """))
    refused = cli("plan", stack)
    assert refused.code == 1
    assert f'resource "settings" (ecsops:MaintenanceAttributes), field "{field}": ' in refused.err
    assert fragment in refused.err
    assert admin.writes() == []


def test_the_emulator_refuses_redeploy_without_local_disks_too(ecs) -> None:
    from alibabacloud_tea_openapi.exceptions import ClientException

    with pytest.raises(ClientException) as raised:
        ecs.modify_instance_maintenance_attributes(models.ModifyInstanceMaintenanceAttributesRequest(
            region_id=REGION, instance_id=["i-demo-linux-1"], action_on_maintenance="AutoRedeploy"))
    assert raised.value.code == "InvalidParameter" and "i-demo-linux-1" in raised.value.message


def delivery(bucket: str = "ecsops-demo-records", extra: str = "") -> str:
    return resources(f"""\
        audit-trail:
          type: ecsops:DeliverySettings
          properties:
            region: cn-hangzhou
            oss: {{enabled: true, bucket: {bucket}, prefix: audit}}
        {extra}""")


TASK = """\
    disk-check:
      type: ecsops:Command
      properties: {name: disk-check, type: RunShellScript, content: "echo free space"}
    check-often:
      type: ecsops:ScheduledInvocation
      properties: {commandId: "${disk-check.commandId}", instanceIds: [i-demo-linux-1], frequency: rate(5m)}
"""


def test_execution_records_land_in_the_bucket(tmp_path, cli, admin, s3_endpoint) -> None:
    admin.set_clock(START)
    s3 = fresh_bucket(s3_endpoint, "ecsops-demo-records")
    use_endpoint(admin, s3_endpoint)
    assert cli("apply", "--yes", write_stack(tmp_path, delivery() + resources(TASK))).code == 0
    invoke_id = StateStore(tmp_path, "demo").load().resources["check-often"].id
    admin.advance("6m")
    prefix = f"audit/invocationResults/{invoke_id}/i-demo-linux-1/"
    for _ in range(100):
        listed = s3.list_objects_v2(Bucket="ecsops-demo-records", Prefix=prefix).get("Contents", [])
        if listed:
            break
        time.sleep(0.05)
    [record_object] = listed
    record = json.loads(s3.get_object(Bucket="ecsops-demo-records", Key=record_object["Key"])["Body"].read())
    assert {key: record[key] for key in ("InstanceId", "InvokeId", "ExitCode", "InvocationStatus", "Repeats")} == {
        "InstanceId": "i-demo-linux-1", "InvokeId": invoke_id, "ExitCode": 0, "InvocationStatus": "Success",
        "Repeats": 1}
    assert record["CommandId"] == StateStore(tmp_path, "demo").load().resources["disk-check"].id
    assert record["Output"] == "free space\n"


@pytest.mark.parametrize(
    ("stack", "field", "code"),
    [
        pytest.param(delivery(bucket="ecsops-beijing-records"), "oss", "InvalidOssBucketName.InOtherRegion",
                     id="bucket-in-another-region"),
        pytest.param(resources("""\
            audit-trail:
              type: ecsops:DeliverySettings
              properties:
                region: cn-hangzhou
                logService: {enabled: true, project: ecsops-demo, logstore: no-such-store}
        """), "logService", "InvalidSlsLogstoreName.NotFound", id="missing-logstore"),
    ],
)
def test_a_destination_the_service_refuses_is_reported_against_the_field(tmp_path, cli, stack, field, code) -> None:
    refused = cli("apply", "--yes", write_stack(tmp_path, stack))
    assert refused.code == 1
    assert f'resource "audit-trail" (ecsops:DeliverySettings), field "{field}": ' in refused.err
    assert f"({code})" in refused.err


def settings_of(ecs) -> tuple[object, object]:
    answer = ecs.describe_cloud_assistant_settings(models.DescribeCloudAssistantSettingsRequest(
        region_id=REGION, setting_type=["InvocationDelivery"])).body
    return answer.oss_delivery_configs.oss_delivery_config[0], answer.sls_delivery_configs.sls_delivery_config[0]


def test_drift_is_reported_and_repaired_and_destroy_restores_the_defaults(tmp_path, cli, admin, ecs) -> None:
    stack = write_stack(tmp_path, FLEET + delivery())
    assert cli("apply", "--yes", stack).code == 0
    ecs.modify_instance_maintenance_attributes(models.ModifyInstanceMaintenanceAttributesRequest(
        region_id=REGION, instance_id=["i-demo-linux-2"], action_on_maintenance="AutoRecover"))
    ecs.modify_cloud_assistant_settings(models.ModifyCloudAssistantSettingsRequest(
        region_id=REGION, setting_type="InvocationDelivery",
        oss_delivery_config=models.ModifyCloudAssistantSettingsRequestOssDeliveryConfig(enabled=False)))
    drift = cli("drift", "--json", stack)
    assert drift.code == 2
    drifted = {r["name"]: [c["field"] for c in r["changes"]] for r in drift.json()["resources"]
               if r["action"] == "drifted"}
    assert drifted == {"stop-batch": ["action"], "audit-trail": ["oss"]}
    assert cli("apply", "--yes", stack).code == 0
    assert attributes(ecs, "i-demo-linux-2")["i-demo-linux-2"].action_on_maintenance.value == "Stop"
    assert settings_of(ecs)[0].enabled is True
    assert cli("drift", stack).code == 0
    assert cli("destroy", "--yes", stack).code == 0
    for item in attributes(ecs, "i-demo-linux-1", "i-demo-linux-2").values():
        assert (item.action_on_maintenance.value, item.notify_on_maintenance) == ("AutoRecover", False)
        assert not item.maintenance_windows or not item.maintenance_windows.maintenance_window
    oss, sls = settings_of(ecs)
    assert (oss.enabled, sls.enabled) == (False, False)


def test_current_settings_can_be_imported(tmp_path, cli, ecs) -> None:
    ecs.modify_instance_maintenance_attributes(models.ModifyInstanceMaintenanceAttributesRequest(
        region_id=REGION, instance_id=["i-demo-localdisk-1"], action_on_maintenance="AutoRedeploy"))
    stack = write_stack(tmp_path, resources("""\
        local:
          type: ecsops:MaintenanceAttributes
          properties: {instanceIds: [i-demo-localdisk-1], action: AutoRedeploy}
    """))
    assert cli("import", stack, "local", "cn-hangzhou:i-demo-localdisk-1").code == 0
    assert cli("plan", "--detailed-exitcode", stack).code == 0
