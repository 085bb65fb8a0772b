"""ecsops:EventAlertRule through Pulumi's dynamic provider server."""

from __future__ import annotations

import grpc
import pytest
from alibabacloud_cms20190101 import models as cms_models
from pulumi.runtime.proto import provider_pb2

from tests.pulumi.conftest import RULE
from tests.support.emulator import cms_client

DIFF_NONE, DIFF_SOME = provider_pb2.DiffResponse.DIFF_NONE, provider_pb2.DiffResponse.DIFF_SOME


@pytest.fixture
def inputs(rule_provider):
    return {"__provider": rule_provider, "name": "maint", "eventPattern": {"eventTypes": ["Maintenance"]},
            "targets": {"webhooks": [{"id": "ops", "url": "https://hooks.example.com/a"}],
                        "contacts": [{"group": "ops-oncall"}],
                        "mns": [{"region": "cn-hangzhou", "queue": "alerts"}]},
            "ruleName": None}


def created(provider, inputs):
    checked, failures = provider.check(RULE, "rule", {}, inputs)
    assert failures == []
    return checked, *provider.create(RULE, "rule", checked)


def targets(admin):
    return cms_client(admin.endpoint).describe_event_rule_target_list(
        cms_models.DescribeEventRuleTargetListRequest(rule_name="maint")).body


def test_check_names_bad_fields(provider, inputs) -> None:
    bad = {**inputs, "eventPattern": {"levels": ["SEVERE"]}, "targets": {"webhooks": [{"url": "nope"}]}}
    _, failures = provider.check(RULE, "rule", {}, bad)
    assert sorted(field for field, _ in failures) == ["eventPattern.levels[0]", "targets.webhooks[0].url"]


def test_create_makes_the_rule_with_its_targets(provider, inputs, admin) -> None:
    _, rule_id, outputs = created(provider, inputs)
    assert rule_id == "maint" and outputs["ruleName"] == "maint"
    assert outputs["targets"]["contacts"] == [{"id": "contact-1", "group": "ops-oncall", "level": 3}]
    assert [w.url for w in targets(admin).webhook_parameters.webhook_parameter] == ["https://hooks.example.com/a"]


def test_only_a_new_name_replaces(provider, inputs) -> None:
    checked, rule_id, outputs = created(provider, inputs)
    assert provider.diff(RULE, "rule", rule_id, outputs, checked).changes == DIFF_NONE
    assert provider.diff(RULE, "rule", rule_id, outputs, {**checked, "name": "maint-2"}).replaces == ["name"]
    in_place = provider.diff(RULE, "rule", rule_id, outputs, {**checked, "targets": {}})
    assert (in_place.changes, in_place.replaces) == (DIFF_SOME, [])


def test_update_deletes_a_removed_target(provider, inputs, admin) -> None:
    checked, rule_id, outputs = created(provider, inputs)
    mark = admin.requests()[-1]["seq"]
    updated = provider.update(RULE, "rule", rule_id, outputs, {**checked, "targets": {"contacts": [
        {"group": "ops-oncall"}]}})
    assert updated["targets"]["webhooks"] == []
    assert [e["action"] for e in admin.requests(since=mark, kind="write")] == ["DeleteEventRuleTargets"]
    assert targets(admin).webhook_parameters is None or targets(admin).webhook_parameters.webhook_parameter == []


def test_read_reports_an_out_of_band_change(provider, inputs, admin) -> None:
    checked, rule_id, outputs = created(provider, inputs)
    cms_client(admin.endpoint).disable_event_rules(cms_models.DisableEventRulesRequest(rule_names=["maint"]))
    _, refreshed = provider.read(RULE, "rule", rule_id, outputs, checked)
    assert refreshed["enabled"] is False


def test_read_reports_a_deletion(provider, inputs, admin) -> None:
    checked, rule_id, outputs = created(provider, inputs)
    cms_client(admin.endpoint).delete_event_rules(cms_models.DeleteEventRulesRequest(rule_names=["maint"]))
    assert provider.read(RULE, "rule", rule_id, outputs, checked)[0] == ""


def test_delete_removes_rule_and_targets(provider, inputs, admin) -> None:
    _, rule_id, outputs = created(provider, inputs)
    provider.delete(RULE, "rule", rule_id, outputs)
    listed = cms_client(admin.endpoint).describe_event_rule_list(cms_models.DescribeEventRuleListRequest()).body
    assert listed.total == 0


def test_a_rule_made_elsewhere_is_refused_unless_adopted(provider, inputs, admin) -> None:
    cms_client(admin.endpoint).put_event_rule(cms_models.PutEventRuleRequest(
        rule_name="maint", event_pattern=[cms_models.PutEventRuleRequestEventPattern(product="ecs",
                                                                                    event_type_list=["*"])]))
    checked, _ = provider.check(RULE, "rule", {}, inputs)
    with pytest.raises(grpc.RpcError) as raised:
        provider.create(RULE, "rule", checked)
    assert "maint already exists: adopt it with adopt_id='maint'" in raised.value.details()
    adopted, _ = provider.check(RULE, "rule", {}, {**inputs, "adoptId": "maint"})
    rule_id, outputs = provider.create(RULE, "rule", adopted)
    assert rule_id == "maint" and outputs["eventPattern"]["eventTypes"] == ["Maintenance"]


def test_an_update_rewrites_only_the_targets_that_changed(provider, inputs, admin) -> None:
    checked, rule_id, outputs = created(provider, inputs)  # the MNS target's unset topic is dropped on the wire
    mark = admin.requests()[-1]["seq"]
    changed = {**checked["targets"], "webhooks": [{"id": "ops", "url": "https://hooks.example.com/b"}]}
    provider.update(RULE, "rule", rule_id, outputs, {**checked, "targets": changed})
    [put] = [e for e in admin.requests(since=mark, kind="write")]
    assert put["action"] == "PutEventRuleTargets" and set(put["params"]) == {
        "RuleName", "WebhookParameters.1.Id", "WebhookParameters.1.Method", "WebhookParameters.1.Protocol",
        "WebhookParameters.1.Url"}
