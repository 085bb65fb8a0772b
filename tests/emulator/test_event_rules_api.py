"""CloudMonitor event rules and targets in the emulator, through the official SDK: the envelope, every
refusal (HTTP errors for malformed requests, `Success: false` answers for refused content, with nothing
written), upserts, paging and the loose name prefix, targets of every type and their limit, deletes, and
the region scope of rules."""

from __future__ import annotations

import pytest
from alibabacloud_cms20190101 import models as cm
from alibabacloud_cms20190101.client import Client as CmsClient
from alibabacloud_tea_openapi import models as openapi_models
from alibabacloud_tea_openapi import utils_models
from alibabacloud_tea_openapi.exceptions import ClientException
from darabonba.runtime import RuntimeOptions

from tests.support.emulator import ACCESS_KEY_ID, ACCESS_KEY_SECRET, REGION

MAINTENANCE = dict(product="ecs", event_type_list=["Maintenance"], level_list=["CRITICAL"])


@pytest.fixture
def cms(emulator) -> CmsClient:
    scheme, _, host = emulator.endpoint.partition("://")
    return CmsClient(openapi_models.Config(access_key_id=ACCESS_KEY_ID, access_key_secret=ACCESS_KEY_SECRET,
                                           region_id=REGION, endpoint=host, protocol=scheme))


def put_rule(cms, name: str = "maintenance", patterns: list[dict] | None = None, **fields):
    pattern = [cm.PutEventRuleRequestEventPattern(**p) for p in (patterns or [MAINTENANCE])]
    return cms.put_event_rule(cm.PutEventRuleRequest(rule_name=name, event_pattern=pattern, **fields))


def rules(cms, **filters):
    return cms.describe_event_rule_list(cm.DescribeEventRuleListRequest(**filters)).body


def rule_names(cms, **filters) -> list[str]:
    return [rule.name for rule in rules(cms, **filters).event_rules.event_rule]


def webhook(id: str = "w1", url: str = "http://127.0.0.1:9/hook", **fields):
    return cm.PutEventRuleTargetsRequestWebhookParameters(id=id, url=url, **{"method": "POST", **fields})


def put_targets(cms, rule: str = "maintenance", **lists):
    return cms.put_event_rule_targets(cm.PutEventRuleTargetsRequest(rule_name=rule, **lists))


def targets(cms, rule: str = "maintenance"):
    return cms.describe_event_rule_target_list(cm.DescribeEventRuleTargetListRequest(rule_name=rule)).body


def error_of(call) -> ClientException:
    with pytest.raises(ClientException) as raised:
        call()
    return raised.value


def successful_writes(admin) -> list[dict]:
    """Writes that succeeded (a `Success: false` answer is logged with HTTP status 200 and its code)."""
    return [entry for entry in admin.requests(kind="write") if entry["code"] is None]


def raw(cms, action: str, **query) -> dict:
    """A call with parameters the SDK models never send (RegionId): the answer's body as a dict."""
    params = utils_models.Params(action=action, version="2019-01-01", protocol="HTTPS", pathname="/", method="POST",
                                 auth_type="AK", style="RPC", req_body_type="formData", body_type="json")
    return cms.call_api(params, utils_models.OpenApiRequest(query=query), RuntimeOptions())["body"]


def test_a_put_answers_the_cloudmonitor_envelope(cms) -> None:
    answer = put_rule(cms)
    assert answer.status_code == 200
    assert (answer.body.code, answer.body.success, answer.body.message, answer.body.data) == ("200", True, "", "1")
    assert answer.body.request_id


def test_a_rule_reads_back_as_written(cms) -> None:
    patterns = [
        dict(product="ecs", event_type_list=["Maintenance", "Exception"], level_list=["CRITICAL", "WARN"],
             name_list=["Instance:SystemMaintenance.Reboot"], status_list=["Scheduled", "Executing"],
             sqlfilter="content.instanceId = 'i-demo-linux-1'"),
        dict(product="ecs", event_type_list=["*"]),
    ]
    put_rule(cms, "full", patterns, event_type="SYSTEM", group_id="42", description="reboots", state="DISABLED",
             silence_time=600)
    [rule] = rules(cms).event_rules.event_rule
    assert (rule.name, rule.group_id, rule.event_type, rule.state, rule.description, rule.silence_time) == (
        "full", "42", "SYSTEM", "DISABLED", "reboots", 600)
    first, second = rule.event_pattern.event_pattern
    assert first.product == "ecs"
    assert first.event_type_list.event_type_list == ["Maintenance", "Exception"]
    assert first.level_list.level_list == ["CRITICAL", "WARN"]
    assert first.name_list.name_list == ["Instance:SystemMaintenance.Reboot"]
    assert first.sqlfilter == "content.instanceId = 'i-demo-linux-1'"
    assert (second.event_type_list.event_type_list, second.level_list.level_list) == (["*"], [])


def test_the_status_list_is_taken_but_not_described_as_the_sdk_model_has_it(cms) -> None:
    put_rule(cms, patterns=[dict(product="ecs", status_list=["Executed"])])
    [rule] = raw(cms, "DescribeEventRuleList")["EventRules"]["EventRule"]
    assert "StatusList" not in rule["EventPattern"]["EventPattern"][0]


def test_left_out_fields_take_their_defaults(cms) -> None:
    put_rule(cms)
    [rule] = rules(cms).event_rules.event_rule
    assert (rule.event_type, rule.state, rule.silence_time, rule.group_id, rule.description) == (
        "SYSTEM", "ENABLED", 86400, "", "")


def test_put_is_an_upsert_by_name_and_a_full_put(cms) -> None:
    put_rule(cms, state="DISABLED", description="first")
    put_rule(cms, patterns=[dict(product="ecs", level_list=["WARN"])])
    [rule] = rules(cms).event_rules.event_rule
    assert (rule.state, rule.description) == ("ENABLED", "")
    assert rule.event_pattern.event_pattern[0].level_list.level_list == ["WARN"]


def test_an_upsert_keeps_the_rules_targets(cms) -> None:
    put_rule(cms)
    put_targets(cms, webhook_parameters=[webhook()])
    put_rule(cms, description="again")
    assert [w.id for w in targets(cms).webhook_parameters.webhook_parameter] == ["w1"]


@pytest.mark.parametrize(
    ("name", "patterns", "fields", "code"),
    [
        pytest.param("bad name", None, {}, "ParameterInvalid", id="name-with-a-space"),
        pytest.param("r" * 65, None, {}, "ParameterInvalid", id="name-over-64"),
        pytest.param("r", [dict(product="ecs", event_type_list=["Failure"])], {}, "ParameterInvalid",
                     id="unknown-event-type"),
        pytest.param("r", [dict(product="ecs", level_list=["ERROR"])], {}, "ParameterInvalid", id="unknown-level"),
        pytest.param("r", [dict(product="ecs", status_list=["Done"])], {}, "ParameterInvalid", id="unknown-status"),
        pytest.param("r", [dict(product="ecs", level_list=["INFO"] * 51)], {}, "ParameterInvalid",
                     id="51-levels"),
        pytest.param("r", [dict(product="ecs")] * 51, {}, "ParameterInvalid", id="51-patterns"),
        pytest.param("r", None, {"event_type": "OTHER"}, "ParameterInvalid", id="unknown-rule-event-type"),
        pytest.param("r", None, {"state": "ON"}, "ParameterInvalid", id="unknown-state"),
        pytest.param("r", None, {"silence_time": -1}, "ParameterInvalid", id="negative-silence-time"),
        pytest.param("r", None, {"silence_time": 86_401}, "ParameterInvalid", id="silence-time-over-a-day"),
        pytest.param("r", [dict(product="ecs", sqlfilter="(level = 'WARN')")], {}, "FilterNotSupported",
                     id="sql-parentheses"),
        pytest.param("r", [dict(product="ecs", sqlfilter="level != 'WARN'")], {}, "FilterNotSupported",
                     id="sql-not-equal"),
        pytest.param("r", [dict(product="ecs", sqlfilter="content.size = 5")], {}, "FilterNotSupported",
                     id="sql-unquoted-number"),
        pytest.param("r", [dict(product="ecs", sqlfilter="level = 'WARN' and")], {}, "FilterNotSupported",
                     id="sql-dangling-and"),
    ],
)
def test_refused_rule_content_is_a_success_false_answer(cms, admin, name, patterns, fields, code) -> None:
    answer = put_rule(cms, name, patterns, **fields)
    assert answer.status_code == 200
    assert (answer.body.success, answer.body.code) == (False, code)
    assert answer.body.message
    assert rules(cms).total == 0
    assert successful_writes(admin) == []


def test_an_unsupported_sql_filter_is_named_in_the_message(cms) -> None:
    answer = put_rule(cms, patterns=[dict(product="ecs", sqlfilter="level >= 'WARN'")]).body
    assert "'>='" in answer.message
    assert "EventPattern.1.SQLFilter" in answer.message


@pytest.mark.parametrize(
    ("request_", "code", "status"),
    [
        pytest.param(cm.PutEventRuleRequest(event_pattern=[cm.PutEventRuleRequestEventPattern(product="ecs")]),
                     "MissingParameter", 400, id="missing-rule-name"),
        pytest.param(cm.PutEventRuleRequest(rule_name="r"), "MissingParameter", 400, id="missing-event-pattern"),
        pytest.param(cm.PutEventRuleRequest(rule_name="r", event_pattern=[
            cm.PutEventRuleRequestEventPattern(level_list=["WARN"])]), "MissingParameter", 400, id="missing-product"),
    ],
)
def test_a_malformed_put_is_an_http_error(cms, admin, request_, code, status) -> None:
    error = error_of(lambda: cms.put_event_rule(request_))
    assert (error.code, error.status_code) == (code, status)
    assert rules(cms).total == 0


def test_a_failure_is_logged_as_an_http_200_call_that_wrote_nothing(cms, admin) -> None:
    put_rule(cms, state="ON")
    [entry] = admin.requests(action="PutEventRule")
    assert (entry["status"], entry["code"], entry["kind"]) == (200, "ParameterInvalid", "write")
    assert successful_writes(admin) == []


def test_rules_are_paged_with_string_page_numbers(cms) -> None:
    for index in range(5):
        put_rule(cms, f"rule-{index}")
    pages = [rules(cms, page_number=str(number), page_size="2") for number in (1, 2, 3)]
    assert [answer.total for answer in pages] == [5, 5, 5]
    assert [[rule.name for rule in answer.event_rules.event_rule] for answer in pages] == [
        ["rule-0", "rule-1"], ["rule-2", "rule-3"], ["rule-4"]]


@pytest.mark.parametrize(
    ("page_number", "page_size"),
    [pytest.param("0", "10", id="page-zero"), pytest.param("1", "101", id="page-size-over-100"),
     pytest.param("x", "10", id="page-not-a-number")],
)
def test_bad_paging_is_an_http_error(cms, page_number, page_size) -> None:
    error = error_of(lambda: rules(cms, page_number=page_number, page_size=page_size))
    assert (error.code, error.status_code) == ("InvalidParameter", 400)


def test_the_name_prefix_matches_names_containing_it(cms) -> None:
    for name in ("web-a", "my-web", "db"):
        put_rule(cms, name)
    assert rule_names(cms, name_prefix="web") == ["web-a", "my-web"]


def test_rules_are_filtered_by_group_and_state(cms) -> None:
    put_rule(cms, "a", group_id="1")
    put_rule(cms, "b", group_id="2", state="DISABLED")
    assert rule_names(cms, group_id="2") == ["b"]
    assert rule_names(cms, is_enable=True) == ["a"]
    assert rule_names(cms, is_enable=False) == ["b"]


def test_rules_are_disabled_and_enabled(cms) -> None:
    put_rule(cms, "a")
    put_rule(cms, "b")
    assert cms.disable_event_rules(cm.DisableEventRulesRequest(rule_names=["a", "b"])).body.success
    assert rule_names(cms, is_enable=False) == ["a", "b"]
    assert cms.enable_event_rules(cm.EnableEventRulesRequest(rule_names=["b"])).body.code == "200"
    assert rule_names(cms, is_enable=True) == ["b"]


def test_disabling_an_unknown_rule_fails_and_changes_nothing(cms) -> None:
    put_rule(cms, "a")
    answer = cms.disable_event_rules(cm.DisableEventRulesRequest(rule_names=["a", "nope"])).body
    assert (answer.success, answer.code) == (False, "ResourceNotFound")
    assert "nope" in answer.message
    assert rule_names(cms, is_enable=True) == ["a"]


@pytest.mark.parametrize(
    ("operation", "request_type"),
    [pytest.param("enable_event_rules", cm.EnableEventRulesRequest, id="enable"),
     pytest.param("disable_event_rules", cm.DisableEventRulesRequest, id="disable"),
     pytest.param("delete_event_rules", cm.DeleteEventRulesRequest, id="delete")],
)
def test_at_most_20_rule_names_are_taken(cms, operation, request_type) -> None:
    put_rule(cms, "a")
    answer = getattr(cms, operation)(request_type(rule_names=["a", *(f"r{i}" for i in range(20))])).body
    assert (answer.success, answer.code) == (False, "ParameterInvalid")
    assert rules(cms).event_rules.event_rule[0].state == "ENABLED"


def test_deleting_rules_deletes_their_targets_and_skips_unknown_names(cms) -> None:
    put_rule(cms, "a")
    put_rule(cms, "b")
    put_targets(cms, "a", webhook_parameters=[webhook()])
    answer = cms.delete_event_rules(cm.DeleteEventRulesRequest(rule_names=["a", "never-existed"])).body
    assert (answer.success, answer.code) == (True, "200")
    assert rule_names(cms) == ["b"]
    put_rule(cms, "a")
    assert targets(cms, "a").webhook_parameters.webhook_parameter == []


def test_deleting_without_names_is_an_http_error(cms) -> None:
    error = error_of(lambda: cms.delete_event_rules(cm.DeleteEventRulesRequest()))
    assert (error.code, error.status_code) == ("MissingParameter", 400)


def test_targets_of_every_type_read_back(cms) -> None:
    put_rule(cms)
    answer = put_targets(
        cms,
        contact_parameters=[cm.PutEventRuleTargetsRequestContactParameters(id="c1", contact_group_name="ops-oncall",
                                                                           level="3")],
        webhook_parameters=[webhook(url="https://hooks.example.com/a?x=1", method="GET", protocol="https")],
        mns_parameters=[cm.PutEventRuleTargetsRequestMnsParameters(id="m1", region=REGION, queue="events")],
        fc_parameters=[cm.PutEventRuleTargetsRequestFcParameters(id="f1", region=REGION, service_name="ops",
                                                                 function_name="on-event")],
        sls_parameters=[cm.PutEventRuleTargetsRequestSlsParameters(id="s1", region=REGION, project="ecsops-demo",
                                                                   log_store="cloud-assistant")],
    ).body
    assert (answer.success, answer.failed_parameter_count) == (True, "0")
    listed = targets(cms)
    [contact] = listed.contact_parameters.contact_parameter
    assert (contact.id, contact.contact_group_name, contact.level) == ("c1", "ops-oncall", "3")
    [hook] = listed.webhook_parameters.webhook_parameter
    assert (hook.id, hook.url, hook.method, hook.protocol) == ("w1", "https://hooks.example.com/a?x=1", "GET", "https")
    [mns] = listed.mns_parameters.mns_parameter
    assert (mns.id, mns.region, mns.queue, mns.arn) == (
        "m1", REGION, "events", "acs:mns:cn-hangzhou:1234567890123456:/queues/events/messages")
    [fc] = listed.fc_parameters.fcparameter
    assert (fc.service_name, fc.function_name, fc.arn) == (
        "ops", "on-event", "acs:fc:cn-hangzhou:1234567890123456:services/ops/functions/on-event")
    [sls] = listed.sls_parameters.sls_parameter
    assert (sls.project, sls.log_store) == ("ecsops-demo", "cloud-assistant")


def test_targets_are_upserted_by_id_across_types(cms) -> None:
    put_rule(cms)
    put_targets(cms, webhook_parameters=[webhook("a"), webhook("b")])
    put_targets(cms, webhook_parameters=[webhook("a", url="http://127.0.0.1:9/changed")])
    put_targets(cms, mns_parameters=[cm.PutEventRuleTargetsRequestMnsParameters(id="b", region=REGION, topic="t")])
    listed = targets(cms)
    assert [(w.id, w.url) for w in listed.webhook_parameters.webhook_parameter] == [("a", "http://127.0.0.1:9/changed")]
    assert [(m.id, m.topic) for m in listed.mns_parameters.mns_parameter] == [("b", "t")]


def test_five_targets_of_a_type_are_the_limit_counting_those_already_there(cms, admin) -> None:
    put_rule(cms)
    put_targets(cms, webhook_parameters=[webhook(f"w{i}") for i in range(3)])
    assert put_targets(cms, webhook_parameters=[webhook("w3"), webhook("w4")]).body.success
    assert put_targets(cms, webhook_parameters=[webhook("w0", url="http://127.0.0.1:9/again")]).body.success
    answer = put_targets(cms, webhook_parameters=[webhook("w5")]).body
    assert (answer.success, answer.code) == (False, "LimitExceeded")
    assert len(targets(cms).webhook_parameters.webhook_parameter) == 5
    assert put_targets(cms, mns_parameters=[
        cm.PutEventRuleTargetsRequestMnsParameters(id="m1", region=REGION, queue="q")]).body.success


def test_six_targets_of_a_type_in_one_call_are_refused(cms) -> None:
    put_rule(cms)
    answer = put_targets(cms, webhook_parameters=[webhook(f"w{i}") for i in range(6)]).body
    assert (answer.success, answer.code) == (False, "LimitExceeded")
    assert targets(cms).webhook_parameters.webhook_parameter == []


CONTACT = cm.PutEventRuleTargetsRequestContactParameters
MNS = cm.PutEventRuleTargetsRequestMnsParameters
FC = cm.PutEventRuleTargetsRequestFcParameters
SLS = cm.PutEventRuleTargetsRequestSlsParameters


@pytest.mark.parametrize(
    ("rule", "lists", "code"),
    [
        pytest.param("nope", {"webhook_parameters": [webhook()]}, "ResourceNotFound", id="unknown-rule"),
        pytest.param("maintenance", {"contact_parameters": [CONTACT(id="c", contact_group_name="nobody")]},
                     "ResourceNotFound", id="unknown-contact-group"),
        pytest.param("maintenance", {"contact_parameters": [CONTACT(id="c", contact_group_name="ops-oncall",
                                                                    level="9")]},
                     "ParameterInvalid", id="unknown-contact-level"),
        pytest.param("maintenance", {"webhook_parameters": [webhook(url="ftp://x/y")]}, "ParameterInvalid",
                     id="url-not-http"),
        pytest.param("maintenance", {"webhook_parameters": [webhook(method="PUT")]}, "ParameterInvalid",
                     id="method-put"),
        pytest.param("maintenance", {"webhook_parameters": [webhook(protocol="telnet")]}, "ParameterInvalid",
                     id="protocol-telnet"),
        pytest.param("maintenance", {"webhook_parameters": [webhook(id=None)]}, "ParameterInvalid", id="missing-id"),
        pytest.param("maintenance", {"webhook_parameters": [webhook("x")], "mns_parameters": [
            MNS(id="x", region=REGION, queue="q")]}, "ParameterInvalid", id="id-given-twice"),
        pytest.param("maintenance", {"mns_parameters": [MNS(id="m", region=REGION)]}, "ParameterInvalid",
                     id="mns-without-queue-or-topic"),
        pytest.param("maintenance", {"mns_parameters": [MNS(id="m", region="mars-1", queue="q")]},
                     "ParameterInvalid", id="mns-unknown-region"),
        pytest.param("maintenance", {"fc_parameters": [FC(id="f", region=REGION, service_name="s")]},
                     "ParameterInvalid", id="fc-without-function"),
        pytest.param("maintenance", {"sls_parameters": [SLS(id="s", region=REGION, project="nope", log_store="l")]},
                     "ResourceNotFound", id="sls-unknown-project"),
        pytest.param("maintenance", {"sls_parameters": [SLS(id="s", region=REGION, project="ecsops-demo",
                                                            log_store="nope")]},
                     "ResourceNotFound", id="sls-unknown-logstore"),
        pytest.param("maintenance", {"sls_parameters": [SLS(id="s", region="cn-beijing", project="ecsops-demo",
                                                            log_store="cloud-assistant")]},
                     "ResourceNotFound", id="sls-project-in-another-region"),
        pytest.param("maintenance", {}, "ParameterInvalid", id="no-target"),
    ],
)
def test_refused_targets_are_a_success_false_answer(cms, rule, lists, code) -> None:
    put_rule(cms)
    answer = put_targets(cms, rule, **lists)
    assert answer.status_code == 200
    assert (answer.body.success, answer.body.code) == (False, code)
    listed = targets(cms)
    assert [listed.contact_parameters.contact_parameter, listed.webhook_parameters.webhook_parameter,
            listed.mns_parameters.mns_parameter, listed.fc_parameters.fcparameter,
            listed.sls_parameters.sls_parameter] == [[], [], [], [], []]


def test_targets_of_an_unknown_rule_are_not_found(cms) -> None:
    answer = targets(cms, "nope")  # this answer's SDK model has no `success`: callers look at the code
    # (a successful answer has no `Success` at all; a refusal keeps the `Success: false` ecsops' client checks)
    assert answer.code == "ResourceNotFound" and "nope" in answer.message
    assert raw(cms, "DescribeEventRuleTargetList", RuleName="nope")["Success"] is False


def test_describing_targets_without_a_rule_name_is_an_http_error(cms) -> None:
    error = error_of(lambda: cms.describe_event_rule_target_list(cm.DescribeEventRuleTargetListRequest()))
    assert (error.code, error.status_code) == ("MissingParameter", 400)


def test_targets_are_deleted_by_id_and_unknown_ids_are_skipped(cms) -> None:
    put_rule(cms)
    put_targets(cms, webhook_parameters=[webhook("a"), webhook("b")])
    answer = cms.delete_event_rule_targets(cm.DeleteEventRuleTargetsRequest(rule_name="maintenance",
                                                                            ids=["a", "never-existed"])).body
    assert (answer.success, answer.code) == (True, "200")
    assert [w.id for w in targets(cms).webhook_parameters.webhook_parameter] == ["b"]


@pytest.mark.parametrize(
    ("rule", "ids", "code"),
    [pytest.param("nope", ["a"], "ResourceNotFound", id="unknown-rule"),
     pytest.param("maintenance", [f"t{i}" for i in range(21)], "ParameterInvalid", id="21-ids")],
)
def test_refused_target_deletes_delete_nothing(cms, rule, ids, code) -> None:
    put_rule(cms)
    put_targets(cms, webhook_parameters=[webhook("t0")])
    answer = cms.delete_event_rule_targets(cm.DeleteEventRuleTargetsRequest(rule_name=rule, ids=ids)).body
    assert (answer.success, answer.code) == (False, code)
    assert [w.id for w in targets(cms).webhook_parameters.webhook_parameter] == ["t0"]


def test_a_call_naming_a_region_works_on_that_regions_rules(cms) -> None:
    put_rule(cms, "account-wide")
    answer = raw(cms, "PutEventRule", RegionId="cn-beijing", RuleName="beijing",
                 **{"EventPattern.1.Product": "ecs"})
    assert answer["Success"] is True
    assert rule_names(cms) == ["account-wide"]
    assert [r["Name"] for r in raw(cms, "DescribeEventRuleList", RegionId="cn-beijing")["EventRules"]["EventRule"]] == [
        "beijing"]


def test_an_unknown_region_is_an_http_error(cms) -> None:
    error = error_of(lambda: raw(cms, "DescribeEventRuleList", RegionId="mars-1"))
    assert (error.code, error.status_code) == ("InvalidRegionId.NotFound", 404)
