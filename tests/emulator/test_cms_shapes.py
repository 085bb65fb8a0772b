"""CloudMonitor answers in the emulator have exactly the shape of the official SDK's answer models (issue 17):
every field of a model is answered and nothing else - PutEventRuleTargets' lists of failed targets, the
CustomFilters and KeywordFilter of a described pattern, no StatusList in it, no `Success` in
DescribeEventRuleTargetList - and the keyword filter PutEventRule takes (CustomFilters) is kept and routes."""

from __future__ import annotations

from typing import Any

import pytest
from alibabacloud_cms20190101 import models as cm
from alibabacloud_tea_openapi import utils_models
from darabonba.runtime import RuntimeOptions

from tests.support.shapes import differences, model_shape
from tests.support.emulator import REGION, cms_client
from tests.support.webhooks import deliveries

MAINTENANCE = dict(product="ecs", event_type_list=["Maintenance"], level_list=["CRITICAL"])


@pytest.fixture
def cms(emulator) -> Any:
    return cms_client(emulator.endpoint)


def raw(cms, action: str, **query: Any) -> dict[str, Any]:
    """The SDK's own call (as its typed methods make it), the answer's body as sent, before the model drops
    what it does not know."""
    params = utils_models.Params(action=action, version="2019-01-01", protocol="HTTPS", pathname="/", method="POST",
                                 auth_type="AK", style="RPC", req_body_type="formData", body_type="json")
    return cms.call_api(params, utils_models.OpenApiRequest(query=query), RuntimeOptions())["body"]


def off_model(cms, action: str, **query: Any) -> list[str]:
    return differences(model_shape(getattr(cm, f"{action}ResponseBody")), raw(cms, action, **query))


def put_rule(cms, name: str = "maintenance", *patterns: dict[str, Any]) -> Any:
    request = cm.PutEventRuleRequest(rule_name=name, event_pattern=[
        cm.PutEventRuleRequestEventPattern(**pattern) for pattern in (patterns or [MAINTENANCE])])
    return cms.put_event_rule(request).body


ALL_TARGETS = dict(
    ContactParameters=[dict(Id="c1", ContactGroupName="ops-oncall", Level="3")],
    WebhookParameters=[dict(Id="w1", Url="http://127.0.0.1:9/hook", Method="POST", Protocol="http")],
    MnsParameters=[dict(Id="m1", Region=REGION, Queue="events")],
    FcParameters=[dict(Id="f1", Region=REGION, ServiceName="ops", FunctionName="on-event")],
    SlsParameters=[dict(Id="s1", Region=REGION, Project="ecsops-demo", LogStore="cloud-assistant")],
)


def flat(prefix: str, items: list[dict[str, str]]) -> dict[str, str]:
    return {f"{prefix}.{n}.{key}": value for n, item in enumerate(items, start=1) for key, value in item.items()}


def test_the_shape_reader_knows_the_models(cms) -> None:
    shape = model_shape(cm.PutEventRuleTargetsResponseBody)
    assert shape["FailedFcParameters"] == {"FcParameter": {"FunctionName": None, "Id": None, "Region": None,
                                                           "ServiceName": None}}
    assert "StatusList" not in model_shape(cm.DescribeEventRuleListResponseBody)["EventRules"]["EventRule"][
        "EventPattern"]["EventPattern"]
    assert "Success" not in model_shape(cm.DescribeEventRuleTargetListResponseBody)


def test_a_target_put_answers_its_empty_lists_of_failed_targets(cms) -> None:
    put_rule(cms)
    answer = cms.put_event_rule_targets(cm.PutEventRuleTargetsRequest(rule_name="maintenance", webhook_parameters=[
        cm.PutEventRuleTargetsRequestWebhookParameters(id="w1", url="http://127.0.0.1:9/hook", method="POST")])).body
    assert (answer.success, answer.code, answer.failed_parameter_count) == (True, "200", "0")
    assert answer.failed_contact_parameters.contact_parameter == []
    assert answer.failed_mns_parameters.mns_parameter == []
    assert answer.failed_fc_parameters.fc_parameter == []


def test_a_described_pattern_carries_its_keyword_and_keyword_filter(cms) -> None:
    assert put_rule(cms, "keyed", dict(MAINTENANCE, custom_filters="i-demo-linux-1")).success
    put_rule(cms, "plain")
    keyed, plain = [rule.event_pattern.event_pattern[0] for rule in
                    cms.describe_event_rule_list(cm.DescribeEventRuleListRequest()).body.event_rules.event_rule]
    assert (keyed.custom_filters, plain.custom_filters) == ("i-demo-linux-1", "")
    for pattern in (keyed, plain):
        assert (pattern.keyword_filter.keywords.keywords, pattern.keyword_filter.relation) == ([], "")


def test_every_rule_and_target_answer_has_the_models_fields_and_no_other(cms) -> None:
    put_rule(cms, "full", dict(MAINTENANCE, name_list=["Instance:SystemMaintenance.Reboot"],
                               status_list=["Executed"], sqlfilter="level = 'CRITICAL'", custom_filters="linux"),
             dict(product="ecs", event_type_list=["*"]))
    targets = {key: value for prefix, items in ALL_TARGETS.items() for key, value in flat(prefix, items).items()}
    calls = [
        ("PutEventRuleTargets", dict(RuleName="full", **targets)),
        ("DescribeEventRuleList", {}),
        ("DescribeEventRuleTargetList", dict(RuleName="full")),
        ("PutEventRule", {"RuleName": "other", "EventPattern.1.Product": "ecs"}),
        ("DisableEventRules", {"RuleNames.1": "other"}),
        ("EnableEventRules", {"RuleNames.1": "other"}),
        ("DeleteEventRuleTargets", {"RuleName": "full", "Ids.1": "w1"}),
        ("DeleteEventRules", {"RuleNames.1": "other"}),
    ]
    found = {action: off_model(cms, action, **query) for action, query in calls}
    assert {action: differences for action, differences in found.items() if differences} == {}


def test_a_successful_target_listing_has_no_success_flag(cms) -> None:
    put_rule(cms)
    answer = raw(cms, "DescribeEventRuleTargetList", RuleName="maintenance")
    assert "Success" not in answer and answer["Code"] == "200"


@pytest.mark.parametrize(
    ("keyword", "fires"),
    [
        pytest.param("i-demo-linux-1", True, id="instance-id-in-the-content"),
        pytest.param("SystemMaintenance", True, id="part-of-the-name"),
        pytest.param("i-demo-linux-2", False, id="another-instance"),
        pytest.param("instanceId", False, id="a-field-name-is-not-content"),
        pytest.param("critical", False, id="case-sensitive"),
    ],
)
def test_a_keyword_filter_routes_events_whose_content_holds_it(cms, admin, keyword, fires) -> None:
    admin.set_clock("2026-11-21T00:00:00Z")
    assert put_rule(cms, "keyed", dict(MAINTENANCE, custom_filters=keyword)).success
    cms.put_event_rule_targets(cm.PutEventRuleTargetsRequest(rule_name="keyed", contact_parameters=[
        cm.PutEventRuleTargetsRequestContactParameters(id="oncall", contact_group_name="ops-oncall")]))
    admin.call("POST", "events", {"resourceId": "i-demo-linux-1", "eventType": "SystemMaintenance.Reboot",
                                  "status": "Scheduled", "notBefore": "2026-11-21T01:00:00Z"})
    assert len(deliveries(admin)) == (1 if fires else 0)


def test_a_keyword_given_as_a_list_is_refused_and_nothing_is_written(cms) -> None:
    answer = raw(cms, "PutEventRule", RuleName="r", **{"EventPattern.1.Product": "ecs",
                                                      "EventPattern.1.CustomFilters.1": "a"})
    assert (answer["Success"], answer["Code"]) == (False, "ParameterInvalid")
    assert "EventPattern.1.CustomFilters" in answer["Message"] and "single value" in answer["Message"]
    assert raw(cms, "DescribeEventRuleList")["Total"] == 0
