"""The emulator through a second client: the legacy Python SDK (aliyun-python-sdk-core with its ECS and
CloudMonitor request classes), which signs by the V2 scheme in its own code, sends `Format`, puts its
parameters in the query string of a GET or a POST, or in a form body, and reads its own string to sign back
out of `SignatureDoesNotMatch` to tell a wrong secret. The client is pointed at the emulator's plain-HTTP
endpoint through its endpoint table (`add_endpoint`) or per request (`CommonRequest.set_domain`), over HTTP
(`set_protocol_type`); nothing here signs by hand."""

from __future__ import annotations

import base64
import json
import xml.etree.ElementTree as ElementTree
from typing import Any

import pytest
from aliyunsdkcms.request.v20190101 import (DeleteEventRulesRequest, DescribeEventRuleListRequest,
                                            DescribeEventRuleTargetListRequest, PutEventRuleRequest,
                                            PutEventRuleTargetsRequest)
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkcore.client import AcsClient
from aliyunsdkcore.http import protocol_type
from aliyunsdkcore.request import AcsRequest, CommonRequest
from aliyunsdkecs.request.v20140526 import (CreateCommandRequest, DeleteCommandRequest,
                                            DescribeCloudAssistantSettingsRequest, DescribeCommandsRequest,
                                            DescribeInvocationsRequest, InvokeCommandRequest,
                                            ModifyCloudAssistantSettingsRequest, ModifyCommandRequest,
                                            StopInvocationRequest)

from tests.support.emulator import ACCESS_KEY_ID, ACCESS_KEY_SECRET, REGION

BUCKET = "ecsops-demo-records"  # a bucket of the default world
RULE = "legacy-maintenance"
HOOK = "http://127.0.0.1:9/hook"


def legacy_client(endpoint: str, secret: str = ACCESS_KEY_SECRET) -> AcsClient:
    """The legacy SDK's client, its ECS and CloudMonitor endpoints in the region set to the emulator; no
    retries, so each call is one request."""
    client = AcsClient(ACCESS_KEY_ID, secret, REGION, auto_retry=False)
    host = endpoint.partition("://")[2]
    for product in ("Ecs", "Cms"):
        client.add_endpoint(REGION, product, host)
    return client


@pytest.fixture
def legacy(emulator) -> AcsClient:
    return legacy_client(emulator.endpoint)


def send(client: AcsClient, request: AcsRequest, method: str = "POST", **params: Any) -> dict[str, Any]:
    """One call by `method` (its parameters in the query string either way), `params` given through the
    request class's own setters (`Name="x"` calls `set_Name("x")`); the JSON answer."""
    request.set_protocol_type(protocol_type.HTTP)
    request.set_method(method)
    for name, value in params.items():
        getattr(request, f"set_{name}")(value)
    return json.loads(client.do_action_with_exception(request))


def refusal(client: AcsClient, request: AcsRequest, method: str = "POST", **params: Any) -> ServerException:
    with pytest.raises(ServerException) as raised:
        send(client, request, method, **params)
    return raised.value


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


# --- a scenario across the products ----------------------------------------------------------------------


def command_scenario(legacy: AcsClient) -> str:
    created = send(legacy, CreateCommandRequest.CreateCommandRequest(), Name="legacy-check", Type="RunShellScript",
                   CommandContent=b64("echo {{name}}"), EnableParameter=True, Timeout=120)
    command_id = created["CommandId"]
    [command] = send(legacy, DescribeCommandsRequest.DescribeCommandsRequest(), "GET",
                     CommandId=command_id)["Commands"]["Command"]
    assert (command["Name"], command["EnableParameter"], command["Timeout"]) == ("legacy-check", True, 120)
    assert command["ParameterNames"]["ParameterName"] == ["name"]
    send(legacy, ModifyCommandRequest.ModifyCommandRequest(), CommandId=command_id, Name="legacy-renamed",
         Description="changed by the legacy SDK")
    [command] = send(legacy, DescribeCommandsRequest.DescribeCommandsRequest(), "GET",
                     Name="legacy-renamed")["Commands"]["Command"]
    assert (command["CommandId"], command["Description"]) == (command_id, "changed by the legacy SDK")
    return command_id


def invocation_scenario(legacy: AcsClient, command_id: str) -> None:
    invoked = send(legacy, InvokeCommandRequest.InvokeCommandRequest(), CommandId=command_id,
                   InstanceIds=["i-demo-linux-1", "i-demo-linux-2"], RepeatMode="Period", Frequency="rate(1h)",
                   Parameters=json.dumps({"name": "Jack"}))
    invoke_id = invoked["InvokeId"]

    def task() -> dict[str, Any]:
        [found] = send(legacy, DescribeInvocationsRequest.DescribeInvocationsRequest(), "GET", InvokeId=invoke_id,
                       IncludeOutput=True)["Invocations"]["Invocation"]
        return found

    scheduled = task()
    assert (scheduled["CommandId"], scheduled["RepeatMode"], scheduled["Frequency"], scheduled["Timed"]) == (
        command_id, "Period", "rate(1h)", True)
    assert json.loads(scheduled["Parameters"]) == {"name": "Jack"}
    assert (scheduled["InvocationStatus"], [i["InstanceId"] for i in
                                            scheduled["InvokeInstances"]["InvokeInstance"]]) == (
        "Scheduled", ["i-demo-linux-1", "i-demo-linux-2"])
    send(legacy, StopInvocationRequest.StopInvocationRequest(), InvokeId=invoke_id)
    stopped = task()
    assert stopped["InvocationStatus"] == "Stopped"
    assert {i["InvocationStatus"] for i in stopped["InvokeInstances"]["InvokeInstance"]} == {"Stopped"}


def settings_scenario(legacy: AcsClient) -> None:
    send(legacy, ModifyCloudAssistantSettingsRequest.ModifyCloudAssistantSettingsRequest(),
         SettingType="InvocationDelivery", OssDeliveryConfig={"Enabled": True, "BucketName": BUCKET,
                                                              "Prefix": "audit"})
    answer = send(legacy, DescribeCloudAssistantSettingsRequest.DescribeCloudAssistantSettingsRequest(), "GET",
                  SettingTypes=["InvocationDelivery", "SessionManagerDelivery"])
    invocation, session = answer["OssDeliveryConfigs"]["OssDeliveryConfig"]
    assert (invocation["DeliveryType"], invocation["Enabled"], invocation["BucketName"], invocation["Prefix"]) == (
        "Invocation", True, BUCKET, "audit")
    assert (session["DeliveryType"], session["Enabled"]) == ("SessionManager", False)


def event_rule_scenario(legacy: AcsClient) -> None:
    pattern = {"Product": "ecs", "EventTypeList": ["Maintenance"], "LevelList": ["CRITICAL", "WARN"],
               "NameList": ["Instance:SystemMaintenance.Reboot"]}
    put = send(legacy, PutEventRuleRequest.PutEventRuleRequest(), RuleName=RULE, EventPatterns=[pattern],
               Description="from the legacy SDK", SilenceTime=600)
    assert (put["Success"], put["Code"]) == (True, "200")
    targets = send(legacy, PutEventRuleTargetsRequest.PutEventRuleTargetsRequest(), RuleName=RULE,
                   WebhookParameterss=[{"Id": "w1", "Url": HOOK, "Method": "POST", "Protocol": "http"}])
    assert targets["Success"] is True
    [rule] = send(legacy, DescribeEventRuleListRequest.DescribeEventRuleListRequest(), "GET",
                  NamePrefix="legacy-")["EventRules"]["EventRule"]
    assert (rule["Name"], rule["Description"], rule["SilenceTime"], rule["State"]) == (
        RULE, "from the legacy SDK", 600, "ENABLED")
    [described] = rule["EventPattern"]["EventPattern"]
    assert described["LevelList"]["LevelList"] == ["CRITICAL", "WARN"]
    assert described["NameList"]["NameList"] == ["Instance:SystemMaintenance.Reboot"]
    listed = send(legacy, DescribeEventRuleTargetListRequest.DescribeEventRuleTargetListRequest(), RuleName=RULE)
    assert [(w["Id"], w["Url"]) for w in listed["WebhookParameters"]["WebhookParameter"]] == [("w1", HOOK)]
    deleted = send(legacy, DeleteEventRulesRequest.DeleteEventRulesRequest(), RuleNamess=[RULE])
    assert deleted["Success"] is True
    assert send(legacy, DescribeEventRuleListRequest.DescribeEventRuleListRequest(), "GET",
                NamePrefix="legacy-")["EventRules"]["EventRule"] == []


def test_the_legacy_sdk_runs_a_scenario_across_the_products(legacy, admin) -> None:
    admin.set_clock("2026-11-21T00:00:00Z")
    command_id = command_scenario(legacy)
    invocation_scenario(legacy, command_id)
    settings_scenario(legacy)
    event_rule_scenario(legacy)
    send(legacy, DeleteCommandRequest.DeleteCommandRequest(), CommandId=command_id)
    assert send(legacy, DescribeCommandsRequest.DescribeCommandsRequest(), "GET",
                CommandId=command_id)["TotalCount"] == 0
    writes = [entry["action"] for entry in admin.writes()]
    assert writes == ["CreateCommand", "ModifyCommand", "InvokeCommand", "StopInvocation",
                      "ModifyCloudAssistantSettings", "PutEventRule", "PutEventRuleTargets", "DeleteEventRules",
                      "DeleteCommand"]


def test_parameters_in_a_form_body_are_read(legacy, emulator) -> None:
    send(legacy, CreateCommandRequest.CreateCommandRequest(), Name="in-the-body", Type="RunShellScript",
         CommandContent=b64("echo body"))
    request = CommonRequest(domain=emulator.endpoint.partition("://")[2], version="2014-05-26",
                            action_name="DescribeCommands", product="Ecs")
    request.add_body_params("Name", "in-the-body")
    answer = send(legacy, request)
    assert [c["Name"] for c in answer["Commands"]["Command"]] == ["in-the-body"]


# --- refusals the legacy SDK reads -----------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_wrong_secret_is_the_legacy_sdks_invalid_access_key_secret(emulator, admin, method) -> None:
    error = refusal(legacy_client(emulator.endpoint, secret="guessed"),
                    DescribeCommandsRequest.DescribeCommandsRequest(), method)
    assert (error.get_error_code(), error.get_http_status()) == ("InvalidAccessKeySecret", 400)
    assert [(entry["action"], entry["code"]) for entry in admin.requests()] == [
        ("DescribeCommands", "SignatureDoesNotMatch")]


def test_a_request_the_server_reads_otherwise_is_not_taken_for_a_wrong_secret(legacy) -> None:
    """The SDK signs its body parameters but sends them as JSON, which an RPC server does not read: the
    server's string to sign differs from the client's, so the right secret gets SignatureDoesNotMatch."""
    request = DescribeCommandsRequest.DescribeCommandsRequest()
    request.add_body_params("Name", "in-a-json-body")
    request.set_content_type("application/json")
    error = refusal(legacy, request)
    assert (error.get_error_code(), error.get_http_status()) == ("SignatureDoesNotMatch", 400)
    assert "in-a-json-body" not in error.get_error_msg().split("server string to sign is:")[1]


def test_a_boolean_takes_true_or_false_only(legacy) -> None:
    assert send(legacy, DescribeCommandsRequest.DescribeCommandsRequest(), Latest=True)["TotalCount"] == 0
    error = refusal(legacy, DescribeCommandsRequest.DescribeCommandsRequest(), Latest="yes")
    assert (error.get_error_code(), error.get_http_status()) == ("InvalidParameter", 400)
    assert "Latest" in error.get_error_msg()


# --- Format=XML ------------------------------------------------------------------------------------------


def xml_answer(client: AcsClient, request: AcsRequest, **params: Any) -> ElementTree.Element:
    """The raw answer to a request the SDK sends with Format=XML. Only the deprecated `do_action` keeps the
    format asked for (`do_action_with_exception` always asks for JSON, the format it parses)."""
    request.set_protocol_type(protocol_type.HTTP)
    request.set_accept_format("XML")
    for name, value in params.items():
        getattr(request, f"set_{name}")(value)
    with pytest.deprecated_call():
        return ElementTree.fromstring(client.do_action(request))


def test_format_xml_through_the_legacy_sdk(legacy) -> None:
    created = send(legacy, CreateCommandRequest.CreateCommandRequest(), Name="xml", Type="RunShellScript",
                   CommandContent=b64("echo xml"))
    root = xml_answer(legacy, DescribeCommandsRequest.DescribeCommandsRequest(), Name="xml")
    assert root.tag == "DescribeCommandsResponse" and root.findtext("RequestId")
    [command] = root.findall("Commands/Command")
    assert (command.findtext("CommandId"), command.findtext("EnableParameter")) == (created["CommandId"], "false")
    rules = xml_answer(legacy, DescribeEventRuleListRequest.DescribeEventRuleListRequest())
    assert (rules.tag, rules.findtext("Success"), rules.findall("EventRules/EventRule")) == (
        "DescribeEventRuleListResponse", "true", [])


def test_an_error_in_xml_through_the_legacy_sdk(legacy) -> None:
    root = xml_answer(legacy, DeleteCommandRequest.DeleteCommandRequest(), CommandId="c-nothing")
    assert root.tag == "Error"
    assert [child.tag for child in root] == ["RequestId", "HostId", "Code", "Message", "Recommend"]
    assert root.findtext("Code") == "InvalidCmdId.NotFound"
