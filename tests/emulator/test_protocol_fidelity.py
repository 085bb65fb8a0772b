"""What the emulator answers where clients other than ecsops' own look (docs/wire.md §1): `Format=XML`
answers in the cloud's XML shape, success and error alike; boolean parameters only `true` / `false`, in any
case, for every documented boolean parameter; and a wrong signature answered in the cloud's words, with the
string the server signed, which clients compare with their own. Requests are made by hand, signed by the
official SDK's V2 code (`v2_signature`), or sent through the official SDK."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ElementTree
from typing import Any

import pytest
from alibabacloud_tea_openapi.exceptions import ClientException

from ecsops.emulator.protocol import BOOLEAN_PARAMETERS, BOOLEANS_OF_THE_HANDLERS
from tests.support.emulator import ACCESS_KEY_SECRET, REGION, ecs_client, models, v2_signature

ECS, CMS = "2014-05-26", "2019-01-01"
MISMATCH = "Specified signature is not matched with our calculation. server string to sign is:"
ERROR_FIELDS = ["RequestId", "HostId", "Code", "Message", "Recommend"]


def send(endpoint: str, query: dict[str, str], *, secret: str = ACCESS_KEY_SECRET,
         method: str = "POST") -> tuple[int, Any, bytes]:
    """A hand-made request signed by the V2 scheme: (status, headers, body)."""
    query = {**query, **v2_signature(query, access_key_secret=secret, method=method)}
    request = urllib.request.Request(f"{endpoint}/?{urllib.parse.urlencode(query)}", method=method)
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read()


def call(endpoint: str, action: str, version: str = ECS, **params: str) -> tuple[int, Any, bytes]:
    return send(endpoint, {"Action": action, "Version": version, "RegionId": REGION, **params})


def xml(body: bytes) -> ElementTree.Element:
    assert body.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    return ElementTree.fromstring(body)


def create_commands(emulator, *names: str) -> list[str]:
    ecs = ecs_client(emulator.endpoint)
    return [ecs.create_command(models.CreateCommandRequest(
        region_id=REGION, name=name, type="RunShellScript", command_content="ZWNobw==")).body.command_id
        for name in names]


# --- Format=XML ----------------------------------------------------------------------------------------


def test_format_xml_answers_the_action_response_document(emulator) -> None:
    first, second = create_commands(emulator, "first", "second")
    status, headers, body = call(emulator.endpoint, "DescribeCommands", Format="XML")
    assert status == 200 and headers["Content-Type"].startswith("text/xml")
    root = xml(body)
    assert root.tag == "DescribeCommandsResponse"
    assert [child.tag for child in root][:2] == ["RequestId", "Commands"] and root.find("TotalCount") is not None
    assert re.fullmatch(r"[0-9A-F-]{36}", root.findtext("RequestId") or "")
    commands = root.findall("Commands/Command")
    assert sorted(c.findtext("CommandId") or "" for c in commands) == sorted([first, second])
    assert (root.findtext("TotalCount"), commands[0].findtext("EnableParameter")) == ("2", "false")
    tags = commands[0].find("Tags")
    assert tags is not None and len(tags) == 0  # an empty list: the wrapper alone


def test_the_xml_answer_holds_what_the_json_one_does(emulator) -> None:
    create_commands(emulator, "same")
    _, _, as_json = call(emulator.endpoint, "DescribeCommands", Format="JSON")
    _, _, as_xml = call(emulator.endpoint, "DescribeCommands", Format="XML")
    [command] = json.loads(as_json)["Commands"]["Command"]
    element = xml(as_xml).find("Commands/Command")
    assert element is not None
    assert [child.tag for child in element] == list(command)
    scalars = {key: value for key, value in command.items() if not isinstance(value, dict)}
    assert {child.tag: child.text or "" for child in element if child.tag in scalars} == {
        key: json.dumps(value) if isinstance(value, bool) else str(value) for key, value in scalars.items()}


@pytest.mark.parametrize("value", ["xml", "Xml"])
def test_the_format_is_read_in_any_case(emulator, value) -> None:
    status, _, body = call(emulator.endpoint, "DescribeCommands", Format=value)
    assert status == 200 and xml(body).tag == "DescribeCommandsResponse"


@pytest.mark.parametrize("query", [{"Format": "JSON"}, {"Format": "json"}, {}], ids=["JSON", "json", "absent"])
def test_json_is_answered_unless_xml_is_asked_for(emulator, query) -> None:
    status, headers, body = call(emulator.endpoint, "DescribeCommands", **query)
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    assert json.loads(body)["TotalCount"] == 0


def error_fields(body: bytes) -> dict[str, str]:
    root = xml(body)
    assert root.tag == "Error" and [child.tag for child in root] == ERROR_FIELDS
    return {child.tag: child.text or "" for child in root}


def test_an_error_in_xml_is_the_error_document_with_its_status(emulator) -> None:
    status, headers, body = call(emulator.endpoint, "DescribeNothing", Format="XML")
    fields = error_fields(body)
    assert (status, fields["Code"]) == (404, "InvalidAction.NotFound")
    assert "DescribeNothing" in fields["Message"] and fields["RequestId"] in fields["Recommend"]
    assert b"<Message><![CDATA[" in body and headers["Content-Type"].startswith("text/xml")


def test_a_handler_error_in_xml_keeps_its_code_and_status(emulator) -> None:
    status, _, body = call(emulator.endpoint, "DeleteCommand", Format="XML", CommandId="c-nothing")
    assert (status, error_fields(body)["Code"]) == (404, "InvalidCmdId.NotFound")


def test_a_refused_signature_is_answered_in_xml_too(emulator) -> None:
    query = {"Action": "DescribeCommands", "Version": ECS, "RegionId": REGION, "Format": "XML"}
    status, _, body = send(emulator.endpoint, query, secret="guessed")
    fields = error_fields(body)
    assert (status, fields["Code"]) == (400, "SignatureDoesNotMatch")
    assert fields["Message"].startswith(MISMATCH)


def test_a_throttled_answer_in_xml_keeps_the_retry_after_header(admin) -> None:
    admin.faults(throttleRate=1.0, retryAfterMs=250, actions=["DescribeCommands"])
    status, headers, body = call(admin.endpoint, "DescribeCommands", Format="XML")
    assert (status, error_fields(body)["Code"], headers["x-acs-retry-after"]) == (400, "Throttling.User", "250")


def test_a_cloudmonitor_refusal_in_xml_is_its_envelope(emulator) -> None:
    status, _, body = call(emulator.endpoint, "DescribeEventRuleTargetList", CMS, Format="XML", RuleName="nope")
    root = xml(body)
    assert (status, root.tag) == (200, "DescribeEventRuleTargetListResponse")
    assert (root.findtext("Success"), root.findtext("Code")) == ("false", "ResourceNotFound")


# --- booleans ------------------------------------------------------------------------------------------

BOOLEANS = [pytest.param(version, action, name, id=f"{action}-{name}")
            for (version, action), names in sorted(BOOLEAN_PARAMETERS.items()) for name in names]


@pytest.mark.parametrize(("version", "action", "name"), BOOLEANS)
@pytest.mark.parametrize("value", ["yes", "1"])
def test_a_boolean_parameter_takes_only_true_or_false(admin, version, action, name, value) -> None:
    status, _, body = call(admin.endpoint, action, version, **{name: value})
    answer = json.loads(body)
    assert (status, answer["Code"]) == (400, "InvalidParameter")
    assert name in answer["Message"]
    assert admin.writes() == []


def test_every_boolean_of_the_sdk_models_is_checked() -> None:
    """The tables are the SDK's: every `bool` field of the request models of the emulated operations."""
    import inspect

    from alibabacloud_cms20190101 import models as cms_models
    from alibabacloud_ecs20140526 import models as ecs_models

    from ecsops.emulator.app import PRODUCTS

    found = {}
    for version, module in ((ECS, ecs_models), (CMS, cms_models)):
        for action in PRODUCTS[version].operations:
            model = getattr(module, f"{action}Request")
            booleans = set(re.findall(r"(\w+): bool\b", inspect.getsource(model.__init__)))
            wire = re.findall(r"result\['(\w+)'\] = self\.(\w+)\n", inspect.getsource(model.to_map))
            names = tuple(name for name, field in wire if field in booleans)
            if names:
                found[(version, action)] = names
    assert {key: set(names) for key, names in found.items()} == {
        key: set(names) for key, names in {**BOOLEAN_PARAMETERS, **BOOLEANS_OF_THE_HANDLERS}.items()}


@pytest.mark.parametrize("value", ["true", "TRUE", "False", "false"])
def test_true_and_false_are_taken_in_any_case(emulator, value) -> None:
    status, _, body = call(emulator.endpoint, "DescribeCommands", Latest=value)
    assert status == 200 and json.loads(body)["TotalCount"] == 0


# --- a wrong signature ---------------------------------------------------------------------------------


def v2_string_to_sign(method: str, params: dict[str, str]) -> str:
    """The V2 string to sign, as the scheme defines it (docs/wire.md §1.2)."""
    def encode(text: str) -> str:
        return urllib.parse.quote(text, safe="~")
    canonical = "&".join(f"{encode(k)}={encode(v)}" for k, v in sorted(params.items()))
    return f"{method}&%2F&{encode(canonical)}"


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_wrong_v2_secret_is_answered_with_the_server_string_to_sign(emulator, method) -> None:
    query = {"Action": "DescribeCommands", "Version": ECS, "RegionId": REGION, "Format": "JSON"}
    signed = {**query, **v2_signature(query, access_key_secret="guessed", method=method)}
    request = urllib.request.Request(f"{emulator.endpoint}/?{urllib.parse.urlencode(signed)}", method=method)
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(request)
    with raised.value as error:
        answer = json.load(error)
    assert (error.code, answer["Code"]) == (400, "SignatureDoesNotMatch")
    unsigned = {name: value for name, value in signed.items() if name != "Signature"}
    assert answer["Message"] == MISMATCH + v2_string_to_sign(method, unsigned)
    assert answer["Message"].split(":")[1] == v2_string_to_sign(method, unsigned)  # how the legacy SDK reads it
    assert "guessed" not in json.dumps(answer) and ACCESS_KEY_SECRET not in json.dumps(answer)


def test_a_wrong_v3_secret_is_answered_with_the_server_string_to_sign(emulator) -> None:
    ecs = ecs_client(emulator.endpoint, access_key_secret="guessed")
    with pytest.raises(ClientException) as raised:
        ecs.describe_commands(models.DescribeCommandsRequest(region_id=REGION))
    assert raised.value.code == "SignatureDoesNotMatch"
    assert re.fullmatch(re.escape(MISMATCH) + r"ACS3-HMAC-SHA256\n[0-9a-f]{64}", raised.value.data["Message"])
    assert ACCESS_KEY_SECRET not in json.dumps(raised.value.data)
