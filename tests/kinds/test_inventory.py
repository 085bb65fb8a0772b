"""Each kind's inventory (`list_all`, for `drift --unmanaged`) finds exactly the objects of its kind in a region —
those made by ecsops and those made "in the console" (straight through the official SDKs) — by the id `import`
takes and the name users know; settings that always exist are listed only when they differ from the platform's
defaults; and the inventory shares its listing with `read_many` through a `ListingCache`."""

from __future__ import annotations

import base64

import pytest
from alibabacloud_cms20190101 import models as cms_models

from ecsops.cloud.backend import Backend, KeyPair
from ecsops.cloud.client import Cloud
from ecsops.engine.kind import Found
from ecsops.engine.listing import ListingCache
from ecsops.engine.validate import validate
from ecsops.resources import command, delivery_settings, event_alert_rule, license_task, maintenance_attributes
from ecsops.resources import scheduled_invocation
from tests.support.emulator import cms_client, ecs_client, models
from tests.support.license import LicenseApi

HANGZHOU, BEIJING = "cn-hangzhou", "cn-beijing"
INSTANCES = ["i-inv-1", "i-inv-2", "i-inv-3", "i-inv-4"]


@pytest.fixture
def cloud(emulator, admin) -> Cloud:
    admin.world({"instances": [{"id": id_, "region": HANGZHOU} for id_ in INSTANCES]
                 + [{"id": "i-inv-bj", "region": BEIJING}]})
    return Cloud(Backend("endpoint", HANGZHOU, endpoint=emulator.endpoint,
                         keys=KeyPair("ecsops-local", "ecsops-local-secret")), rate=None)


@pytest.fixture
def console(emulator):
    """The official ECS client: objects made through it are made "in the console", not by ecsops."""
    return ecs_client(emulator.endpoint)


def make(cloud: Cloud, kind, values: dict) -> str:
    spec = validate(kind, values).spec
    assert spec is not None
    return kind.lifecycle.create(cloud, spec, token=f"t-{hash(str(values)) & 0xffffffff}").id


def listed(kind, cloud: Cloud, **options) -> set[Found]:
    found = kind.inventory.list_all(cloud, **options)
    assert len(found) == len(set(found)), "an object listed twice"
    return set(found)


def console_command(console, name: str, region: str = HANGZHOU) -> str:
    return console.create_command(models.CreateCommandRequest(
        region_id=region, name=name, type="RunShellScript",
        command_content=base64.b64encode(b"echo console").decode())).body.command_id


def test_every_kind_has_an_inventory() -> None:
    kinds = (command, scheduled_invocation, event_alert_rule, maintenance_attributes, delivery_settings,
             license_task)
    assert all(kind.KIND.inventory is kind.KIND.lifecycle for kind in kinds)


def test_commands_of_the_region_by_id_and_name(cloud, console) -> None:
    ours = make(cloud, command.KIND, {"name": "deploy", "type": "RunShellScript", "content": "echo deploy"})
    theirs = console_command(console, "scratch-1")
    elsewhere = console_command(console, "scratch-bj", region=BEIJING)
    assert listed(command.KIND, cloud) == {Found(ours, "deploy"), Found(theirs, "scratch-1")}
    assert listed(command.KIND, cloud.in_region(BEIJING)) == {Found(elsewhere, "scratch-bj")}


def test_scheduled_tasks_but_not_one_off_runs_nor_stopped_tasks(cloud, console) -> None:
    target = console_command(console, "target")
    ours = make(cloud, scheduled_invocation.KIND, {"commandId": target, "instanceIds": ["i-inv-1"],
                                                    "frequency": "rate(5m)"})

    def invoke(**fields) -> str:
        return console.invoke_command(models.InvokeCommandRequest(
            region_id=HANGZHOU, command_id=target, instance_id=["i-inv-2"], **fields)).body.invoke_id

    periodic = invoke(repeat_mode="Period", frequency="rate(1h)")
    on_restarts = invoke(repeat_mode="EveryReboot")
    invoke()  # a one-off run: not a scheduled invocation
    stopped = invoke(repeat_mode="Period", frequency="rate(2h)")
    console.stop_invocation(models.StopInvocationRequest(region_id=HANGZHOU, invoke_id=stopped))
    assert listed(scheduled_invocation.KIND, cloud) == {Found(ours, None), Found(periodic, None),
                                                        Found(on_restarts, None)}


def test_rules_of_system_events_of_the_account_by_name(cloud, emulator) -> None:
    ours = make(cloud, event_alert_rule.KIND, {
        "name": "maintenance", "eventPattern": {"eventTypes": ["Maintenance"]},
        "targets": {"contacts": [{"group": "ops-oncall"}]}})
    cms = cms_client(emulator.endpoint)
    pattern = [cms_models.PutEventRuleRequestEventPattern(product="ecs", event_type_list=["*"])]
    cms.put_event_rule(cms_models.PutEventRuleRequest(rule_name="console-rule", event_pattern=pattern))
    cms.put_event_rule(cms_models.PutEventRuleRequest(rule_name="custom-events", event_pattern=pattern,
                                                      event_type="CUSTOM"))
    expected = {Found(ours, "maintenance"), Found("console-rule", "console-rule")}
    assert listed(event_alert_rule.KIND, cloud) == expected
    assert listed(event_alert_rule.KIND, cloud.in_region(BEIJING)) == expected  # the account's, not a region's
    assert getattr(event_alert_rule.KIND.inventory, "account_wide", False) is True


def test_maintenance_attributes_only_where_they_differ_from_the_defaults(cloud, console) -> None:
    assert listed(maintenance_attributes.KIND, cloud) == set()  # the default world: nobody changed anything

    def modify(instance: str, **fields) -> None:
        console.modify_instance_maintenance_attributes(models.ModifyInstanceMaintenanceAttributesRequest(
            region_id=HANGZHOU, instance_id=[instance], **fields))

    make(cloud, maintenance_attributes.KIND, {"instanceIds": ["i-inv-1", "i-inv-2"], "action": "Stop"})
    modify("i-inv-3", notify_on_maintenance=True)
    modify("i-demo-linux-1", maintenance_window=[models.ModifyInstanceMaintenanceAttributesRequestMaintenanceWindow(
        start_time="02:00:00", end_time="04:00:00")])
    modify("i-inv-4", action_on_maintenance="Stop")
    modify("i-inv-4", action_on_maintenance="AutoRecover")  # back to the default: nothing to manage
    found = listed(maintenance_attributes.KIND, cloud)
    assert found == {Found(f"{HANGZHOU}:{id_}", None) for id_ in ("i-inv-1", "i-inv-2", "i-inv-3", "i-demo-linux-1")}
    for item in found:  # each id is one `import` takes: the set of that one instance
        seen = maintenance_attributes.KIND.lifecycle.read(cloud, item.id, prior=None)
        assert seen is not None and seen.reported["instanceIds"] == [item.id.partition(":")[2]]
    assert listed(maintenance_attributes.KIND, cloud.in_region(BEIJING)) == set()


def test_maintenance_parts_are_the_instances_of_a_set() -> None:
    inventory = maintenance_attributes.KIND.inventory
    assert list(inventory.parts("cn-hangzhou:i-a,i-b")) == ["cn-hangzhou:i-a", "cn-hangzhou:i-b"]
    assert list(inventory.parts("cn-beijing:i-c")) == ["cn-beijing:i-c"]


def test_delivery_settings_only_where_they_differ_from_the_defaults(cloud, console) -> None:
    assert listed(delivery_settings.KIND, cloud) == set()
    assert listed(delivery_settings.KIND, cloud.in_region(BEIJING)) == set()
    ours = make(cloud, delivery_settings.KIND, {"region": HANGZHOU, "settingType": "SessionManagerDelivery",
                                                "oss": {"enabled": True, "bucket": "ecsops-demo-records"}})
    console.modify_cloud_assistant_settings(models.ModifyCloudAssistantSettingsRequest(
        region_id=BEIJING, setting_type="InvocationDelivery",
        oss_delivery_config=models.ModifyCloudAssistantSettingsRequestOssDeliveryConfig(
            enabled=True, bucket_name="ecsops-beijing-records")))
    console.modify_cloud_assistant_settings(models.ModifyCloudAssistantSettingsRequest(
        region_id=HANGZHOU, setting_type="InvocationDelivery",
        oss_delivery_config=models.ModifyCloudAssistantSettingsRequestOssDeliveryConfig(prefix="records")))
    assert listed(delivery_settings.KIND, cloud) == {Found(ours, None),
                                                     Found(f"{HANGZHOU}:InvocationDelivery", None)}
    assert listed(delivery_settings.KIND, cloud.in_region(BEIJING)) == {Found(f"{BEIJING}:InvocationDelivery", None)}
    delivery_settings.KIND.lifecycle.delete(cloud, ours, prior={})  # back to the defaults: nothing to manage
    assert listed(delivery_settings.KIND, cloud) == {Found(f"{HANGZHOU}:InvocationDelivery", None)}


def test_license_tasks_of_the_region_by_id_and_name(cloud, emulator) -> None:
    ours = make(cloud, license_task.KIND, {"name": "windows", "description": "windows servers",
                                           "licenseType": "Instance", "limit": 5,
                                           "discoveryRules": [{"product": "Windows Server"}]})

    def console_task(name: str, region: str) -> str:
        return LicenseApi(emulator.endpoint, region)("CreateLicenseTask", Name=name, LicenseType="vCPU",
                                                     LicenseLimit=8, DiscoveryRule=[{"Product": "SQL Server"}],
                                                     )["LicenseTaskId"]

    theirs = console_task("sql-server", HANGZHOU)
    west = console_task("sql-west", "us-west-1")
    assert listed(license_task.KIND, cloud) == {Found(ours, "windows"), Found(theirs, "sql-server")}
    assert listed(license_task.KIND, cloud.in_region("us-west-1")) == {Found(west, "sql-west")}
    before = cloud.stats["calls"]
    assert listed(license_task.KIND, cloud.in_region(BEIJING)) == set()  # License Manager is not offered there
    assert cloud.stats["calls"] == before


def test_license_tasks_are_none_outside_the_emulator(cloud, monkeypatch) -> None:
    monkeypatch.setattr(cloud, "is_emulator", lambda: False)
    assert listed(license_task.KIND, cloud) == set()


def population(cloud: Cloud, console, name: str) -> tuple[object, dict[str, dict | None]]:
    """A few objects of one kind -> (kind, {id: prior}) for read_many."""
    if name == "command":
        ids = [console_command(console, f"c{n}") for n in range(3)]
        return command.KIND, {id_: None for id_ in ids}
    if name == "invocation":
        target = console_command(console, "target")
        ids = [make(cloud, scheduled_invocation.KIND, {"commandId": target, "instanceIds": [instance],
                                                        "frequency": "rate(5m)"}) for instance in INSTANCES[:3]]
        return scheduled_invocation.KIND, {id_: None for id_ in ids}
    if name == "rule":
        ids = [make(cloud, event_alert_rule.KIND, {"name": f"rule-{n}", "eventPattern": {"eventTypes": ["*"]},
                                                   "targets": {}}) for n in range(3)]
        return event_alert_rule.KIND, {id_: None for id_ in ids}
    ids = [make(cloud, delivery_settings.KIND, {"region": HANGZHOU, "settingType": setting_type,
                                                "oss": {"enabled": True, "bucket": "ecsops-demo-records"}})
           for setting_type in ("InvocationDelivery", "SessionManagerDelivery")]
    return delivery_settings.KIND, {id_: None for id_ in ids}


@pytest.mark.parametrize("name", ["command", "invocation", "rule", "delivery"])
def test_the_inventory_and_read_many_share_one_listing(cloud, console, name) -> None:
    kind, priors = population(cloud, console, name)
    cache = ListingCache(ttl_s=60)
    kind.lifecycle.read_many(cloud, priors, cache=cache)
    before = cloud.stats["calls"]
    assert {found.id for found in kind.inventory.list_all(cloud, cache=cache)} == set(priors)
    assert cloud.stats["calls"] == before  # answered from the listing read_many made
    fresh = ListingCache(ttl_s=60)
    kind.inventory.list_all(cloud, cache=fresh)
    listing_calls = cloud.stats["calls"] - before
    assert listing_calls >= 1
    before = cloud.stats["calls"]
    kind.lifecycle.read_many(cloud, priors, cache=fresh)
    per_object = len(priors) if name == "rule" else 0  # a rule's targets are listed one rule at a time
    assert cloud.stats["calls"] - before == per_object  # the inventory's listing answered read_many


def test_the_inventory_of_maintenance_shares_the_cloud_checks_listing(cloud) -> None:
    make(cloud, maintenance_attributes.KIND, {"instanceIds": ["i-inv-1"], "action": "Stop"})
    cache = ListingCache(ttl_s=60)
    spec = validate(maintenance_attributes.KIND, {"instanceIds": ["i-inv-1", "i-inv-2"]}).spec
    assert maintenance_attributes.cloud_checks(cloud, spec, cache=cache) == []
    before = cloud.stats["calls"]
    assert listed(maintenance_attributes.KIND, cloud, cache=cache) == {Found(f"{HANGZHOU}:i-inv-1", None)}
    assert cloud.stats["calls"] == before


def test_without_a_cache_the_inventory_lists_afresh(cloud, console) -> None:
    cache = ListingCache(ttl_s=60)
    first = console_command(console, "first")
    assert listed(command.KIND, cloud, cache=cache) == {Found(first, "first")}
    second = console_command(console, "second")
    assert listed(command.KIND, cloud, cache=cache) == {Found(first, "first")}  # the cached listing
    assert listed(command.KIND, cloud) == {Found(first, "first"), Found(second, "second")}
