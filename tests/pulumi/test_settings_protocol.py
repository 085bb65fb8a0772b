"""ecsops:MaintenanceAttributes and ecsops:DeliverySettings through Pulumi's dynamic provider server."""

from __future__ import annotations

import pytest
from pulumi.runtime.proto import provider_pb2

from tests.pulumi.conftest import DELIVERY, MAINTENANCE
from tests.support.emulator import REGION, models

DIFF_NONE, DIFF_SOME = provider_pb2.DiffResponse.DIFF_NONE, provider_pb2.DiffResponse.DIFF_SOME


@pytest.fixture
def maintenance(providers):
    return {"__provider": providers[MAINTENANCE], "instanceIds": ["i-demo-linux-2", "i-demo-linux-1"],
            "action": "Stop", "window": {"start": "02:00:00", "end": "04:00:00"}, "settingsId": None}


@pytest.fixture
def delivery(providers):
    return {"__provider": providers[DELIVERY], "region": "cn-hangzhou",
            "oss": {"enabled": True, "bucket": "ecsops-demo-records", "prefix": "audit"}, "settingsId": None}


def created(provider, type_, inputs):
    checked, failures = provider.check(type_, "r", {}, inputs)
    assert failures == []
    return checked, *provider.create(type_, "r", checked)


def action_of(ecs, instance_id):
    [item] = ecs.describe_instance_maintenance_attributes(models.DescribeInstanceMaintenanceAttributesRequest(
        region_id=REGION, instance_id=[instance_id])).body.maintenance_attributes.maintenance_attribute
    return item.action_on_maintenance.value


def test_check_asks_the_cloud_whether_the_instances_support_the_action(provider, maintenance) -> None:
    _, failures = provider.check(MAINTENANCE, "r", {}, {**maintenance, "action": "AutoRedeploy"})
    assert [field for field, _ in failures] == ["action", "action"]
    assert "i-demo-linux-1 does not support AutoRedeploy" in failures[0][1]


def test_maintenance_attributes_lifecycle(provider, maintenance, ecs) -> None:
    checked, id_, outputs = created(provider, MAINTENANCE, maintenance)
    assert id_ == "cn-hangzhou:i-demo-linux-1,i-demo-linux-2" and outputs["settingsId"] == id_
    assert action_of(ecs, "i-demo-linux-2") == "Stop"
    assert provider.diff(MAINTENANCE, "r", id_, outputs, checked).changes == DIFF_NONE
    grown = provider.diff(MAINTENANCE, "r", id_, outputs, {**checked, "instanceIds": ["i-demo-linux-1"]})
    assert (grown.replaces, grown.delete_before_replace) == (["instanceIds"], True)
    updated = provider.update(MAINTENANCE, "r", id_, outputs, {**checked, "action": "AutoRecover", "window": None})
    assert updated["action"] == "AutoRecover" and updated.get("window") is None
    ecs.modify_instance_maintenance_attributes(models.ModifyInstanceMaintenanceAttributesRequest(
        region_id=REGION, instance_id=["i-demo-linux-1"], action_on_maintenance="Stop"))
    _, refreshed = provider.read(MAINTENANCE, "r", id_, updated, checked)
    assert refreshed["action"] == {"i-demo-linux-1": "Stop", "i-demo-linux-2": "AutoRecover"}
    provider.delete(MAINTENANCE, "r", id_, refreshed)
    assert action_of(ecs, "i-demo-linux-1") == action_of(ecs, "i-demo-linux-2") == "AutoRecover"


def test_delivery_settings_lifecycle(provider, delivery, ecs) -> None:
    checked, id_, outputs = created(provider, DELIVERY, delivery)
    assert id_ == "cn-hangzhou:InvocationDelivery" and outputs["oss"]["bucket"] == "ecsops-demo-records"
    assert provider.diff(DELIVERY, "r", id_, outputs, checked).changes == DIFF_NONE
    assert provider.diff(DELIVERY, "r", id_, outputs, {**checked, "region": "cn-beijing"}).replaces == ["region"]
    updated = provider.update(DELIVERY, "r", id_, outputs, {**checked, "oss": {"enabled": True,
                                                                               "bucket": "ecsops-demo-records"}})
    assert updated["oss"]["prefix"] == ""
    provider.delete(DELIVERY, "r", id_, updated)
    answer = ecs.describe_cloud_assistant_settings(models.DescribeCloudAssistantSettingsRequest(
        region_id=REGION, setting_type=["InvocationDelivery"])).body
    assert answer.oss_delivery_configs.oss_delivery_config[0].enabled is False


def test_settings_can_be_adopted_as_they_are(provider, maintenance, ecs) -> None:
    ecs.modify_instance_maintenance_attributes(models.ModifyInstanceMaintenanceAttributesRequest(
        region_id=REGION, instance_id=["i-demo-linux-1", "i-demo-linux-2"], action_on_maintenance="Stop",
        maintenance_window=[models.ModifyInstanceMaintenanceAttributesRequestMaintenanceWindow(
            start_time="02:00:00", end_time="04:00:00")]))
    adopted, _ = provider.check(MAINTENANCE, "r", {}, {**maintenance,
                                                       "adoptId": "cn-hangzhou:i-demo-linux-1,i-demo-linux-2"})
    id_, outputs = provider.create(MAINTENANCE, "r", adopted)
    assert id_ == "cn-hangzhou:i-demo-linux-1,i-demo-linux-2" and outputs["action"] == "Stop"
