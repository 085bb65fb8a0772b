"""The wire protocol of docs/wire.md §1, server side: how requests are decoded and answers encoded."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
from alibabacloud_tea_openapi.exceptions import ClientException

from ecsops.emulator.protocol import unflatten
from tests.support.emulator import REGION, ecs_client, models, v2_signature


def raw(endpoint: str, query: dict[str, str], *, form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None) -> tuple[int, dict]:
    """A hand-made request, signed by the V2 scheme with the default key pair."""
    query = {**query, **v2_signature({**query, **(form or {})})}
    url = f"{endpoint}/?{urllib.parse.urlencode(query)}"
    data = urllib.parse.urlencode(form).encode() if form else b""
    request = urllib.request.Request(url, data=data, method="POST", headers={
        "Content-Type": "application/x-www-form-urlencoded", **(headers or {})})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.load(error)


@pytest.mark.parametrize(
    ("flat", "tree"),
    [
        pytest.param({"InstanceId.1": "a", "InstanceId.2": "b"}, {"InstanceId": ["a", "b"]}, id="list"),
        pytest.param({"InstanceId.2": "b", "InstanceId.1": "a"}, {"InstanceId": ["a", "b"]}, id="list-any-order"),
        pytest.param({"InstanceId.10": "j", "InstanceId.9": "i"}, {"InstanceId": ["i", "j"]}, id="list-numeric-order"),
        pytest.param({"Tag.1.Key": "env", "Tag.1.Value": "dev", "Tag.2.Key": "team"},
                     {"Tag": [{"Key": "env", "Value": "dev"}, {"Key": "team"}]}, id="objects"),
        pytest.param({"EventPattern.1.Product": "ecs", "EventPattern.1.LevelList.1": "CRITICAL",
                      "EventPattern.1.LevelList.2": "WARN"},
                     {"EventPattern": [{"Product": "ecs", "LevelList": ["CRITICAL", "WARN"]}]}, id="nested"),
        pytest.param({"Name": "x"}, {"Name": "x"}, id="scalar"),
    ],
)
def test_flattened_parameters_are_rebuilt(flat, tree) -> None:
    assert unflatten(flat) == tree


def test_the_sdk_v3_request_is_understood(ecs) -> None:
    # The SDK's default: action in x-acs-action, parameters in the query string, empty body.
    assert ecs.describe_commands(models.DescribeCommandsRequest(region_id=REGION)).body.total_count == 0


def test_the_legacy_v2_request_is_understood(emulator) -> None:
    client = ecs_client(emulator.endpoint, signature_algorithm="v2")
    answer = client.describe_instances(models.DescribeInstancesRequest(region_id=REGION))
    assert answer.body.total_count == 6


def test_action_and_parameters_may_come_in_the_query_and_the_form_body(emulator) -> None:
    status, body = raw(emulator.endpoint, {"Action": "CreateCommand", "Version": "2014-05-26"},
                       form={"RegionId": REGION, "Name": "from-form", "Type": "RunShellScript",
                             "CommandContent": "ZWNobw==", "EnableParameter": "TRUE"})
    assert status == 200 and body["CommandId"].startswith("c-") and body["RequestId"]


@pytest.mark.parametrize("spelling", ["true", "True", "TRUE"])
def test_booleans_are_case_insensitive(emulator, spelling) -> None:
    status, body = raw(emulator.endpoint, {
        "Action": "CreateCommand", "Version": "2014-05-26", "RegionId": REGION, "Name": "p",
        "Type": "RunShellScript", "CommandContent": "ZWNobyB7e3h9fQ==", "EnableParameter": spelling})
    assert status == 200
    _, described = raw(emulator.endpoint, {"Action": "DescribeCommands", "Version": "2014-05-26",
                                           "RegionId": REGION, "CommandId": body["CommandId"]})
    assert described["Commands"]["Command"][0]["EnableParameter"] is True


def test_a_bad_boolean_is_invalid_parameter(emulator) -> None:
    status, body = raw(emulator.endpoint, {
        "Action": "CreateCommand", "Version": "2014-05-26", "RegionId": REGION, "Name": "p",
        "Type": "RunShellScript", "CommandContent": "ZWNobw==", "EnableParameter": "yes"})
    assert (status, body["Code"]) == (400, "InvalidParameter")


def test_errors_have_the_documented_envelope(emulator) -> None:
    status, body = raw(emulator.endpoint, {"Action": "DeleteCommand", "Version": "2014-05-26",
                                           "RegionId": REGION, "CommandId": "c-none"})
    assert status == 404
    assert set(body) == {"RequestId", "HostId", "Code", "Message", "Recommend"}
    assert body["Code"] == "InvalidCmdId.NotFound" and "c-none" in body["Message"]


def test_lists_are_wrapped_in_their_item_name(emulator) -> None:
    _, body = raw(emulator.endpoint, {"Action": "DescribeInstances", "Version": "2014-05-26", "RegionId": REGION})
    assert isinstance(body["Instances"]["Instance"], list)


@pytest.mark.parametrize(
    ("query", "code", "status"),
    [
        pytest.param({"Action": "LaunchRockets", "Version": "2014-05-26", "RegionId": REGION},
                     "InvalidAction.NotFound", 404, id="unknown-action"),
        pytest.param({"Action": "DescribeCommands", "Version": "1999-01-01"}, "InvalidVersion.NotFound", 404,
                     id="unknown-version"),
        pytest.param({"Action": "DescribeCommands", "Version": "2014-05-26"}, "MissingParameter", 400,
                     id="missing-region"),
        pytest.param({"Version": "2014-05-26"}, "MissingParameter", 400, id="missing-action"),
    ],
)
def test_unusable_requests_are_refused(emulator, query, code, status) -> None:
    answered, body = raw(emulator.endpoint, query)
    assert (answered, body["Code"]) == (status, code)


def test_sdk_errors_carry_code_status_and_request_id(ecs) -> None:
    with pytest.raises(ClientException) as raised:
        ecs.delete_command(models.DeleteCommandRequest(region_id=REGION, command_id="c-none"))
    assert raised.value.code == "InvalidCmdId.NotFound"
    assert raised.value.status_code == 404
    assert raised.value.request_id


ECS_ROUTE = {"Action": "DescribeInstances", "Version": "2014-05-26", "RegionId": REGION}


@pytest.mark.parametrize(("extra", "signed"), [
    pytest.param({".".join(["A"] * 3000): "x"}, False, id="3000-deep-unsigned"),
    pytest.param({".".join(["A"] * 3000): "x"}, True, id="3000-deep-signed"),
    pytest.param({"1": "x"}, True, id="numeric-name-signed"),
    pytest.param({"Tag.1.Key.2.Value.3.Deep.4.Deeper": "x"}, True, id="nine-parts-signed"),
])
def test_odd_parameter_names_get_the_error_envelope_never_a_500(emulator, extra, signed) -> None:
    """Refused with the documented envelope — unauthenticated requests before their parameters are decoded."""
    if signed:
        status, answer = raw(emulator.endpoint, {**ECS_ROUTE, **extra})
    else:
        url = f"{emulator.endpoint}/?{urllib.parse.urlencode({**ECS_ROUTE, **extra})}"
        try:
            with urllib.request.urlopen(urllib.request.Request(url, data=b"", method="POST")) as response:
                status, answer = response.status, json.load(response)
        except urllib.error.HTTPError as error:
            with error:
                status, answer = error.code, json.load(error)
    assert status == 400 and set(answer) >= {"RequestId", "Code", "Message"}
    assert answer["Code"] == ("InvalidParameter" if signed else "MissingSignature")
