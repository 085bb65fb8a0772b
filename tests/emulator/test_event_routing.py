"""Routing of event notifications to rule targets in the emulator: which rules fire, silence (mute) time,
real webhook requests (POST and GET) that never block the call that caused them - receivers that fail,
refuse or hang are recorded failed - deliveries recorded for the other target types, the admin listing,
and exactly-once delivery across two processes sharing one database."""

from __future__ import annotations

import threading
import time

import pytest
from alibabacloud_cms20190101 import models as cm
from alibabacloud_cms20190101.client import Client as CmsClient
from alibabacloud_tea_openapi import models as openapi_models
from alibabacloud_tea_openapi import utils_models
from darabonba.runtime import RuntimeOptions

from ecsops.emulator.server import EmulatorServer
from tests.support.emulator import ACCESS_KEY_ID, ACCESS_KEY_SECRET, REGION, Admin, admin_error, ecs_client, models
from tests.support.webhooks import WebhookReceiver, closed_port_url, deliveries

START = "2026-11-21T00:00:00Z"
LINUX = "i-demo-linux-1"
REBOOT = "Instance:SystemMaintenance.Reboot"
MAINTENANCE = dict(product="ecs", event_type_list=["Maintenance"], level_list=["CRITICAL"])


def cms_client(endpoint: str) -> CmsClient:
    scheme, _, host = endpoint.partition("://")
    return CmsClient(openapi_models.Config(access_key_id=ACCESS_KEY_ID, access_key_secret=ACCESS_KEY_SECRET,
                                           region_id=REGION, endpoint=host, protocol=scheme))


@pytest.fixture
def cms(emulator) -> CmsClient:
    return cms_client(emulator.endpoint)


@pytest.fixture
def clock(admin) -> Admin:
    admin.set_clock(START)
    return admin


@pytest.fixture
def hook():
    with WebhookReceiver() as receiver:
        yield receiver


def rule(cms, name: str = "maintenance", patterns: list[dict] | None = None, **fields) -> None:
    answer = cms.put_event_rule(cm.PutEventRuleRequest(
        rule_name=name, event_pattern=[cm.PutEventRuleRequestEventPattern(**p) for p in (patterns or [MAINTENANCE])],
        **fields)).body
    assert answer.success, answer.message


def webhook(cms, url: str, rule_name: str = "maintenance", method: str = "POST", target_id: str = "hook") -> None:
    answer = cms.put_event_rule_targets(cm.PutEventRuleTargetsRequest(rule_name=rule_name, webhook_parameters=[
        cm.PutEventRuleTargetsRequestWebhookParameters(id=target_id, url=url, method=method, protocol="http")])).body
    assert answer.success, answer.message


def contact(cms, rule_name: str = "maintenance") -> None:
    cms.put_event_rule_targets(cm.PutEventRuleTargetsRequest(rule_name=rule_name, contact_parameters=[
        cm.PutEventRuleTargetsRequestContactParameters(id="oncall", contact_group_name="ops-oncall")]))


def reboot(admin, instance: str = LINUX, **fields) -> dict:
    return admin.call("POST", "events", {"resourceId": instance, "eventType": "SystemMaintenance.Reboot",
                                         "status": "Scheduled", "notBefore": "2026-11-21T01:00:00Z", **fields})


def test_a_maintenance_event_reaches_a_webhook_in_every_state(cms, clock, hook) -> None:
    rule(cms)
    webhook(cms, hook.url)
    event_id = reboot(clock)["id"]
    [scheduled] = hook.wait_for(1)
    assert (scheduled.method, scheduled.path, scheduled.headers["Content-Type"]) == ("POST", "/hook",
                                                                                       "application/json")
    body = scheduled.json
    assert (body["name"], body["level"], body["product"], body["resourceId"]) == (
        f"{REBOOT}:Scheduled", "CRITICAL", "ECS", f"acs:ecs:cn-hangzhou:1234567890123456:instance/{LINUX}")
    assert body["content"] == {"eventId": event_id, "publishTime": START, "notBefore": "2026-11-21T01:00:00Z",
                               "instanceId": LINUX, "eventType": "SystemMaintenance.Reboot", "eventStatus": "Scheduled"}
    clock.advance("2h")
    assert [r.json["name"] for r in hook.wait_for(3)] == [f"{REBOOT}:Scheduled", f"{REBOOT}:Executing",
                                                          f"{REBOOT}:Executed"]
    records = deliveries(clock)
    assert [(r["status"], r["targetType"], r["destination"], r["eventId"]) for r in records] == [
        ("delivered", "webhook", hook.url.rsplit("/", 1)[0] + "/****", event_id)] * 3  # the path may hold a token
    assert [r["notification"]["id"] for r in records] == [r.json["id"] for r in hook.received]
    time.sleep(0.2)
    assert len(hook.received) == 3


@pytest.mark.parametrize(
    "pattern",
    [
        pytest.param(dict(product="ecs", level_list=["WARN"]), id="level-warn"),
        pytest.param(dict(product="ecs", event_type_list=["Exception"]), id="type-exception"),
        pytest.param(dict(product="ecs", status_list=["Executing", "Executed"]), id="status-executing"),
        pytest.param(dict(product="ecs", name_list=["Instance:SystemFailure.Reboot"]), id="other-name"),
        pytest.param(dict(product="ecs", name_list=[f"{REBOOT}:Executed"]), id="other-state-in-name"),
        pytest.param(dict(product="rds"), id="other-product"),
        pytest.param(dict(product="ecs", sqlfilter="content.instanceId = 'i-demo-linux-2'"), id="sql-other-instance"),
        pytest.param(dict(product="ecs", sqlfilter="content.instanceId like 'i-web%'"), id="sql-like-other"),
        pytest.param(dict(product="ecs", sqlfilter="content.missing = 'x'"), id="sql-missing-field"),
    ],
)
def test_a_rule_whose_pattern_does_not_match_does_not_fire(cms, clock, pattern) -> None:
    rule(cms, patterns=[pattern])
    contact(cms)
    reboot(clock)
    assert deliveries(clock) == []


@pytest.mark.parametrize(
    "pattern",
    [
        pytest.param(MAINTENANCE, id="maintenance-critical"),
        pytest.param(dict(product="ECS", event_type_list=["*"], level_list=["*"], status_list=["*"]), id="wildcards"),
        pytest.param(dict(product="ecs", name_list=[f"{REBOOT}:Scheduled"]), id="full-name"),
        pytest.param(dict(product="ecs", name_list=[REBOOT]), id="name-without-state"),
        pytest.param(dict(product="ecs", status_list=["Scheduled"]), id="status"),
        pytest.param(dict(product="ecs", sqlfilter="content.instanceId = 'i-demo-linux-1'"), id="sql-equals"),
        pytest.param(dict(product="ecs", sqlfilter="name LIKE '%Reboot%' AND regionId = 'cn-hangzhou'"),
                     id="sql-like-and"),
        pytest.param(dict(product="ecs", sqlfilter="level = 'WARN' or content.eventStatus = 'Scheduled'"),
                     id="sql-or"),
    ],
)
def test_a_rule_whose_pattern_matches_fires(cms, clock, pattern) -> None:
    rule(cms, patterns=[dict(product="ecs", level_list=["INFO"]), pattern])
    contact(cms)
    reboot(clock)
    assert [(r["name"], r["status"]) for r in deliveries(clock)] == [(f"{REBOOT}:Scheduled", "delivered")]


@pytest.mark.parametrize(
    "fields",
    [pytest.param({"state": "DISABLED"}, id="disabled"), pytest.param({"event_type": "CUSTOM"}, id="custom-events")],
)
def test_a_rule_that_does_not_hear_system_events_does_not_fire(cms, clock, fields) -> None:
    rule(cms, **fields)
    contact(cms)
    reboot(clock)
    assert deliveries(clock) == []


def test_a_disabled_then_enabled_rule_fires_again(cms, clock) -> None:
    rule(cms)
    contact(cms)
    cms.disable_event_rules(cm.DisableEventRulesRequest(rule_names=["maintenance"]))
    reboot(clock)
    cms.enable_event_rules(cm.EnableEventRulesRequest(rule_names=["maintenance"]))
    reboot(clock, "i-demo-linux-2")
    assert [r["notification"]["content"]["instanceId"] for r in deliveries(clock)] == ["i-demo-linux-2"]


def raw(cms, action: str, **query) -> dict:
    """A call with parameters the SDK models never send (RegionId)."""
    params = utils_models.Params(action=action, version="2019-01-01", protocol="HTTPS", pathname="/", method="POST",
                                 auth_type="AK", style="RPC", req_body_type="formData", body_type="json")
    return cms.call_api(params, utils_models.OpenApiRequest(query=query), RuntimeOptions())["body"]


def test_a_regions_rule_hears_only_its_region(cms, clock) -> None:
    for region, name in (("cn-beijing", "beijing"), ("cn-hangzhou", "hangzhou")):
        raw(cms, "PutEventRule", RegionId=region, RuleName=name, **{"EventPattern.1.Product": "ecs"})
        raw(cms, "PutEventRuleTargets", RegionId=region, RuleName=name, **{
            "ContactParameters.1.Id": "c", "ContactParameters.1.ContactGroupName": "ops-oncall"})
    reboot(clock)
    assert [r["rule"] for r in deliveries(clock)] == ["hangzhou"]


def test_a_repeat_within_the_silence_time_is_suppressed(cms, clock) -> None:
    rule(cms, silence_time=600)
    contact(cms)
    reboot(clock)
    clock.advance("9m")
    reboot(clock)
    reboot(clock, "i-demo-linux-2")
    clock.advance("1m")
    reboot(clock)
    records = deliveries(clock)
    assert [(r["notification"]["content"]["instanceId"], r["status"]) for r in records] == [
        (LINUX, "delivered"), (LINUX, "suppressed"), ("i-demo-linux-2", "delivered"), (LINUX, "delivered")]
    assert "2026-11-21T00:00:00Z" in records[1]["detail"]
    assert deliveries(clock, status="suppressed") == [records[1]]


def test_a_silence_time_of_zero_suppresses_nothing(cms, clock) -> None:
    rule(cms, silence_time=0)
    contact(cms)
    reboot(clock)
    reboot(clock)
    assert [r["status"] for r in deliveries(clock)] == ["delivered", "delivered"]


def test_a_webhook_to_a_closed_port_is_recorded_failed(cms, clock) -> None:
    rule(cms)
    webhook(cms, closed_port_url())
    reboot(clock)
    [record] = deliveries(clock)
    assert record["status"] == "failed" and record["detail"].startswith("POST failed")


def statuses(admin) -> dict[str, str]:
    """Each webhook target's delivery status right now (pending ones included)."""
    return {record["targetId"]: record["status"] for record in admin.call("GET", "notifications")["notifications"]}


def test_a_hanging_webhook_times_out_and_blocks_neither_the_call_nor_other_webhooks(cms, clock, hook) -> None:
    """Told by order, not by time: the hanging delivery cannot end before its 3 s timeout (the receiver hangs
    far longer), so a call that returns while it is pending did not wait for it, and a webhook delivered
    while it is pending was not held up by it."""
    with WebhookReceiver(delay_s=60) as hanging:
        rule(cms)
        webhook(cms, hanging.url, target_id="hanging")
        webhook(cms, hook.url, target_id="quick")
        reboot(clock)
        assert statuses(clock).get("hanging", "pending") == "pending"
        hook.wait_for(1)
        deadline = time.monotonic() + 10
        while statuses(clock).get("quick") != "delivered":
            assert time.monotonic() < deadline, "the quick webhook's delivery was never recorded"
            time.sleep(0.02)
        assert statuses(clock)["hanging"] == "pending"
        records = {r["targetId"]: r for r in deliveries(clock, timeout_s=30)}
        assert (records["hanging"]["status"], records["hanging"]["detail"]) == ("failed", "POST timed out after 3 s")


def test_a_webhook_answering_an_error_is_recorded_failed(cms, clock) -> None:
    with WebhookReceiver(status=500) as failing:
        rule(cms)
        webhook(cms, failing.url)
        reboot(clock)
        [record] = deliveries(clock)
    assert (record["status"], record["detail"]) == ("failed", "POST answered HTTP 500")


def test_a_get_webhook_carries_the_notification_in_the_content_parameter(cms, clock, hook) -> None:
    rule(cms)
    webhook(cms, hook.url + "?token=t", method="GET")
    reboot(clock)
    [request] = hook.wait_for(1)
    assert (request.method, request.query["token"], request.body) == ("GET", ["t"], b"")
    assert request.json["name"] == f"{REBOOT}:Scheduled"
    assert deliveries(clock)[0]["detail"] == "GET answered HTTP 200"


def test_contact_mns_fc_and_log_service_deliveries_are_recorded(cms, clock) -> None:
    rule(cms)
    cms.put_event_rule_targets(cm.PutEventRuleTargetsRequest(
        rule_name="maintenance",
        contact_parameters=[cm.PutEventRuleTargetsRequestContactParameters(id="c", contact_group_name="ops-oncall")],
        mns_parameters=[cm.PutEventRuleTargetsRequestMnsParameters(id="m", region=REGION, topic="ops")],
        fc_parameters=[cm.PutEventRuleTargetsRequestFcParameters(id="f", region=REGION, service_name="s",
                                                                 function_name="f")],
        sls_parameters=[cm.PutEventRuleTargetsRequestSlsParameters(id="s", region=REGION, project="ecsops-demo",
                                                                   log_store="cloud-assistant")]))
    reboot(clock)
    assert [(r["targetType"], r["targetId"], r["destination"], r["status"]) for r in deliveries(clock)] == [
        ("contact", "c", "ops-oncall", "delivered"),
        ("mns", "m", "acs:mns:cn-hangzhou:1234567890123456:/topics/ops/messages", "delivered"),
        ("fc", "f", "acs:fc:cn-hangzhou:1234567890123456:services/s/functions/f", "delivered"),
        ("sls", "s", "acs:log:cn-hangzhou:1234567890123456:project/ecsops-demo/logstore/cloud-assistant", "delivered"),
    ]


def test_deliveries_are_listed_by_rule_status_and_sequence(cms, clock) -> None:
    for name in ("a", "b"):
        rule(cms, name)
        contact(cms, name)
    reboot(clock)
    every = deliveries(clock)
    assert [r["rule"] for r in every] == ["a", "b"]
    assert deliveries(clock, rule="b") == [every[1]]
    assert deliveries(clock, since=every[0]["seq"]) == [every[1]]
    assert deliveries(clock, status="failed") == []
    status, message = admin_error(lambda: clock.call("GET", "notifications?status=lost"))
    assert status == 400 and "pending" in message


def test_an_instance_state_change_reaches_a_status_notification_rule(cms, clock, hook) -> None:
    rule(cms, patterns=[dict(product="ecs", event_type_list=["StatusNotification"], level_list=["INFO"],
                             name_list=["Instance:StateChange"])])
    webhook(cms, hook.url)
    clock.world({"instances": [{"id": LINUX, "region": REGION, "status": "Stopped"}]})
    [request] = hook.wait_for(1)
    assert (request.json["name"], request.json["content"]["state"]) == ("Instance:StateChange", "Stopped")


def test_a_notification_is_delivered_once_by_two_processes_sharing_a_database(tmp_path, hook) -> None:
    database = tmp_path / "shared.db"
    with EmulatorServer(database) as first, EmulatorServer(database) as second:
        Admin(first.endpoint).set_clock(START)
        rule(cms_client(first.endpoint))
        webhook(cms_client(first.endpoint), hook.url)
        reboot(Admin(first.endpoint))
        clients = [ecs_client(server.endpoint) for server in (first, second) for _ in range(4)]
        threads = [threading.Thread(target=lambda c=client: c.describe_instances(
            models.DescribeInstancesRequest(region_id=REGION))) for client in clients]
        for thread in threads:
            thread.start()
        Admin(second.endpoint).advance("2h")
        for thread in threads:
            thread.join()
        hook.wait_for(3)
        time.sleep(0.3)
        records = deliveries(Admin(second.endpoint))
    assert sorted(r.json["name"] for r in hook.received) == sorted(
        f"{REBOOT}:{state}" for state in ("Scheduled", "Executing", "Executed"))
    assert [r["status"] for r in records] == ["delivered"] * 3
