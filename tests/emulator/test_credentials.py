"""Who may use the emulator: every API call signed by a key pair of the world (V3 ACS3-HMAC-SHA256 by
default, legacy V2 HMAC-SHA1), the admin API behind HTTP Basic with such a pair, loopback unless told
otherwise, and the `maxRate` fault that throttles calls beyond a rate. Calls go through the official SDKs;
tampering is done by replaying, changed, a request the SDK sent to a receiver."""

from __future__ import annotations

import hashlib
import http.client
import json
import time
import urllib.parse
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

import pytest
from alibabacloud_cms20190101 import models as cm
from alibabacloud_tea_openapi import utils_models
from alibabacloud_tea_openapi.client import Client as OpenApiClient
from alibabacloud_tea_openapi.exceptions import ClientException, ThrottlingException
from alibabacloud_tea_openapi.utils import Utils
from darabonba.exceptions import UnretryableException
from darabonba.request import DaraRequest
from darabonba.runtime import RuntimeOptions

from ecsops.emulator.server import EmulatorServer, is_loopback
from tests.support.cli import ecsops, running
from tests.support.emulator import (ACCESS_KEY_ID, ACCESS_KEY_SECRET, REGION, Admin, basic_authorization,
                                    cms_client, ecs_client, models, sdk_config, v2_signature)
from tests.support.license import VERSION as LICENSE_VERSION
from tests.support.webhooks import WebhookReceiver

ECS_VERSION = "2014-05-26"
DEFAULT_PAIR = {"id": ACCESS_KEY_ID, "secret": ACCESS_KEY_SECRET}
TEAM_PAIR = {"id": "team-key", "secret": "team-secret"}
STAMP = "%Y-%m-%dT%H:%M:%SZ"


# --- calls through the official SDKs -------------------------------------------------------------------


def ecs_call(endpoint: str, **config: Any) -> Any:
    return ecs_client(endpoint, **config).describe_instances(
        models.DescribeInstancesRequest(region_id=REGION)).body.total_count


def cms_call(endpoint: str, **config: Any) -> Any:
    return cms_client(endpoint, **config).describe_event_rule_list(cm.DescribeEventRuleListRequest()).body.success


def license_tasks_call(endpoint: str, *, in_body: bool = False, **config: Any) -> Any:
    """DescribeLicenseTasks through the generic client, its parameters in the query or in a form body."""
    params = utils_models.Params(action="DescribeLicenseTasks", version=LICENSE_VERSION, protocol="HTTP",
                                 pathname="/", method="POST", auth_type="AK", style="RPC",
                                 req_body_type="formData", body_type="json")
    fields = {"RegionId": REGION}
    request = utils_models.OpenApiRequest(body=fields) if in_body else utils_models.OpenApiRequest(query=fields)
    answer = OpenApiClient(sdk_config(endpoint, **config)).call_api(params, request, RuntimeOptions())
    return answer["body"]["RequestId"]


def license_form_call(endpoint: str, **config: Any) -> Any:
    return license_tasks_call(endpoint, in_body=True, **config)


CALLS = [
    pytest.param(call, algorithm, id=f"{name}-{algorithm or 'v3'}")
    for name, call in (("ecs", ecs_call), ("cms", cms_call), ("license", license_tasks_call),
                       ("license-form-body", license_form_call))
    for algorithm in (None, "v2")
]


def refusal(call: Callable[[], Any]) -> ClientException:
    with pytest.raises(ClientException) as raised:
        call()
    return raised.value


@pytest.mark.parametrize(("call", "algorithm"), CALLS)
def test_the_default_pair_is_accepted(emulator, call, algorithm) -> None:
    assert call(emulator.endpoint, signature_algorithm=algorithm)


@pytest.mark.parametrize(("call", "algorithm"), CALLS)
def test_an_unknown_access_key_id_is_not_found(emulator, call, algorithm) -> None:
    error = refusal(lambda: call(emulator.endpoint, signature_algorithm=algorithm, access_key_id="nobody"))
    assert (error.code, error.status_code) == ("InvalidAccessKeyId.NotFound", 404)


@pytest.mark.parametrize(("call", "algorithm"), CALLS)
def test_a_wrong_secret_does_not_match(emulator, call, algorithm) -> None:
    error = refusal(lambda: call(emulator.endpoint, signature_algorithm=algorithm, access_key_secret="guessed"))
    assert (error.code, error.status_code) == ("SignatureDoesNotMatch", 400)
    assert "string to sign" in error.message and "guessed" not in error.message
    assert ACCESS_KEY_SECRET not in json.dumps(error.data)


@pytest.mark.parametrize("algorithm", [None, "v2"], ids=["v3", "v2"])
def test_a_pair_added_through_the_world_is_accepted_and_a_removed_one_is_not(admin, algorithm) -> None:
    team = {"access_key_id": TEAM_PAIR["id"], "access_key_secret": TEAM_PAIR["secret"]}
    admin.world({"account": {"accessKeys": [DEFAULT_PAIR, TEAM_PAIR]}})
    assert ecs_call(admin.endpoint, signature_algorithm=algorithm, **team) == 6
    assert ecs_call(admin.endpoint, signature_algorithm=algorithm) == 6
    team_admin = Admin(admin.endpoint, TEAM_PAIR["id"], TEAM_PAIR["secret"])
    try:
        team_admin.world({"account": {"accessKeys": [TEAM_PAIR]}})
        assert refusal(lambda: ecs_call(admin.endpoint, signature_algorithm=algorithm)).code == \
            "InvalidAccessKeyId.NotFound"
        assert ecs_call(admin.endpoint, signature_algorithm=algorithm, **team) == 6
    finally:
        team_admin.reset()  # the default world again, default pair included
    assert ecs_call(admin.endpoint, signature_algorithm=algorithm) == 6


def test_a_refused_call_is_logged_with_its_code(admin) -> None:
    refusal(lambda: ecs_call(admin.endpoint, access_key_secret="guessed"))
    refusal(lambda: ecs_call(admin.endpoint, access_key_id="nobody", signature_algorithm="v2"))
    logged = [(entry["action"], entry["status"], entry["code"]) for entry in admin.requests()]
    assert logged == [("DescribeInstances", 400, "SignatureDoesNotMatch"),
                      ("DescribeInstances", 404, "InvalidAccessKeyId.NotFound")]


def test_the_virtual_clock_does_not_age_signatures(admin) -> None:
    admin.set_clock("2020-01-01T00:00:00Z")
    assert ecs_call(admin.endpoint) == 6
    assert ecs_call(admin.endpoint, signature_algorithm="v2") == 6


# --- raw requests: unsigned, tampered, stale ----------------------------------------------------------


def send(endpoint: str, method: str, target: str, headers: dict[str, str],
         body: bytes | None = None) -> tuple[int, dict[str, str], Any]:
    """One plain HTTP request, headers exactly as given (http.client adds only Content-Length)."""
    connection = http.client.HTTPConnection(endpoint.split("://", 1)[1], timeout=10)
    try:
        connection.request(method, target, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, json.loads(response.read())
    finally:
        connection.close()


def api_call(endpoint: str, query: dict[str, Any], headers: dict[str, str] | None = None,
             body: bytes | None = None) -> tuple[int, Any]:
    status, _, answer = send(endpoint, "POST", "/?" + urllib.parse.urlencode(query, doseq=True),
                             headers or {}, body)
    return status, answer


def test_a_request_without_credentials_is_refused(emulator) -> None:
    status, answer = api_call(emulator.endpoint, {"Action": "DescribeInstances", "Version": ECS_VERSION,
                                                  "RegionId": REGION})
    assert (status, answer["Code"]) == (400, "MissingSignature")


def captured(algorithm: str | None) -> Any:
    """What the ECS SDK sends for one DescribeInstances, caught by a receiver that answers nothing it can read."""
    with WebhookReceiver() as receiver:
        client = ecs_client(receiver.url.rsplit("/", 1)[0], signature_algorithm=algorithm)
        with pytest.raises(UnretryableException):
            client.describe_instances(models.DescribeInstancesRequest(
                region_id=REGION, instance_ids=json.dumps(["i-demo-linux-1"])))
        [request] = receiver.wait_for(1)
    return request


def replay(endpoint: str, request: Any, *, query: dict[str, Any] | None = None,
           headers: dict[str, str] | None = None, body: bytes | None = None) -> tuple[int, Any]:
    """`request` sent again, to the emulator, with the given parts changed (query and headers merged in)."""
    sent = {name: value for name, value in request.headers.items() if name.lower() != "content-length"}
    return api_call(endpoint, {**request.query, **(query or {})}, {**sent, **(headers or {})}, body)


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.mark.parametrize(
    ("algorithm", "change", "code"),
    [
        pytest.param(None, {}, None, id="v3-unchanged"),
        pytest.param(None, {"query": {"InstanceIds": '["i-demo-linux-2"]'}}, "SignatureDoesNotMatch",
                     id="v3-query-value"),
        pytest.param(None, {"query": {"MaxResults": "1"}}, "SignatureDoesNotMatch", id="v3-query-added"),
        pytest.param(None, {"headers": {"x-acs-action": "DescribeCommands"}}, "SignatureDoesNotMatch",
                     id="v3-signed-header"),
        pytest.param(None, {"headers": {"x-acs-extra": "1"}}, "IncompleteSignature", id="v3-unsigned-acs-header"),
        pytest.param(None, {"body": b"RegionId=cn-beijing"}, "SignatureDoesNotMatch", id="v3-body-added"),
        pytest.param(None, {"body": b"RegionId=cn-beijing", "headers": FORM}, "IncompleteSignature",
                     id="v3-form-body-added"),
        pytest.param("v2", {}, None, id="v2-unchanged"),
        pytest.param("v2", {"query": {"InstanceIds": '["i-demo-linux-2"]'}}, "SignatureDoesNotMatch",
                     id="v2-query-value"),
        pytest.param("v2", {"body": b"MaxResults=1", "headers": FORM}, "SignatureDoesNotMatch",
                     id="v2-form-parameter-added"),
        pytest.param("v2", {"headers": {"x-acs-action": "DescribeCommands"}}, "IncompleteSignature",
                     id="v2-unsigned-action-header"),
    ],
)
def test_a_request_changed_after_signing_is_refused(emulator, algorithm, change, code) -> None:
    status, answer = replay(emulator.endpoint, captured(algorithm), **change)
    if code is None:  # the captured request never reached the emulator: sent once, it works
        assert status == 200 and answer["TotalCount"] == 1
    else:
        assert (status, answer["Code"]) == (400, code)


def captured_create(algorithm: str | None) -> Any:
    """What the ECS SDK sends for one CreateCommand, caught before it reached the emulator."""
    with WebhookReceiver() as receiver:
        client = ecs_client(receiver.url.rsplit("/", 1)[0], signature_algorithm=algorithm)
        with pytest.raises(UnretryableException):
            client.create_command(models.CreateCommandRequest(region_id=REGION, name="replayed",
                                                              type="RunShellScript", command_content="ZWNobw=="))
        [request] = receiver.wait_for(1)
    return request


@pytest.mark.parametrize("algorithm", [None, "v2"], ids=["v3", "v2"])
def test_a_replayed_request_is_refused_and_makes_nothing_twice(emulator, ecs, algorithm) -> None:
    request = captured_create(algorithm)
    status, answer = replay(emulator.endpoint, request)
    assert status == 200 and answer["CommandId"].startswith("c-")
    status, answer = replay(emulator.endpoint, request)
    assert (status, answer["Code"]) == (400, "SignatureNonceUsed")
    listed = ecs.describe_commands(models.DescribeCommandsRequest(region_id=REGION, name="replayed")).body
    assert listed.total_count == 1


def v3_headers(endpoint: str, query: dict[str, str], *, date: str) -> dict[str, str]:
    """Headers of a V3 DescribeInstances request dated `date`, signed by the SDK's own `get_authorization`."""
    request = DaraRequest()
    request.method, request.pathname, request.query = "POST", "/", query
    payload = hashlib.sha256(b"").hexdigest()
    request.headers = {"host": endpoint.split("://", 1)[1], "x-acs-action": "DescribeInstances",
                       "x-acs-version": ECS_VERSION, "x-acs-date": date, "x-acs-signature-nonce": uuid.uuid4().hex,
                       "x-acs-content-sha256": payload}
    authorization = Utils.get_authorization(request, "ACS3-HMAC-SHA256", payload, ACCESS_KEY_ID, ACCESS_KEY_SECRET)
    return {**request.headers, "Authorization": authorization}


def stamp(minutes: float | str) -> str:
    """The real time `minutes` from now as the SDK writes it; a string stays as it is."""
    if isinstance(minutes, str):
        return minutes
    return (datetime.now(timezone.utc) + timedelta(minutes=minutes)).strftime(STAMP)


@pytest.mark.parametrize(
    ("algorithm", "minutes", "code"),
    [
        pytest.param("v3", -10, None, id="v3-10-minutes-old"),
        pytest.param("v3", -20, "InvalidTimeStamp.Expired", id="v3-20-minutes-old"),
        pytest.param("v3", 20, "InvalidTimeStamp.Expired", id="v3-20-minutes-ahead"),
        pytest.param("v3", "yesterday", "InvalidTimeStamp.Format", id="v3-malformed"),
        pytest.param("v2", 10, None, id="v2-10-minutes-ahead"),
        pytest.param("v2", -20, "InvalidTimeStamp.Expired", id="v2-20-minutes-old"),
        pytest.param("v2", "2026-01-01 00:00:00", "InvalidTimeStamp.Format", id="v2-malformed"),
    ],
)
def test_a_request_dated_more_than_15_minutes_from_the_real_clock_is_refused(emulator, algorithm, minutes,
                                                                             code) -> None:
    timestamp = stamp(minutes)
    query = {"RegionId": REGION}
    if algorithm == "v3":
        status, answer = api_call(emulator.endpoint, query, v3_headers(emulator.endpoint, query, date=timestamp))
    else:
        query = {**query, "Action": "DescribeInstances", "Version": ECS_VERSION}
        status, answer = api_call(emulator.endpoint, {**query, **v2_signature(query, timestamp=timestamp)})
    if code is None:
        assert status == 200 and answer["TotalCount"] == 6
    else:
        assert (status, answer["Code"]) == (400, code)


# --- the admin API -------------------------------------------------------------------------------------


def admin_request(endpoint: str, route: str, authorization: str | None, method: str = "GET") -> tuple[int, dict, Any]:
    return send(endpoint, method, f"/_emulator/{route}", {"Authorization": authorization} if authorization else {})


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param(None, id="none"),
        pytest.param(basic_authorization(ACCESS_KEY_ID, "guessed"), id="wrong-secret"),
        pytest.param(basic_authorization("nobody", ACCESS_KEY_SECRET), id="unknown-id"),
        pytest.param(f"Bearer {ACCESS_KEY_SECRET}", id="not-basic"),
        pytest.param("Basic !!!", id="malformed"),
    ],
)
@pytest.mark.parametrize("route", ["world", "requests", "faults", "no-such-route"])
def test_admin_routes_need_basic_auth_with_a_pair_of_the_world(emulator, authorization, route) -> None:
    status, headers, answer = admin_request(emulator.endpoint, route, authorization)
    assert status == 401 and headers["www-authenticate"].startswith("Basic realm=")
    assert answer["error"] and ACCESS_KEY_SECRET not in answer["error"]


def test_admin_routes_answer_a_pair_of_the_world(admin) -> None:
    default = basic_authorization(ACCESS_KEY_ID, ACCESS_KEY_SECRET)
    assert admin_request(admin.endpoint, "clock", default)[0] == 200
    assert admin_request(admin.endpoint, "no-such-route", default)[0] == 404
    admin.world({"account": {"accessKeys": [DEFAULT_PAIR, TEAM_PAIR]}})
    assert Admin(admin.endpoint, TEAM_PAIR["id"], TEAM_PAIR["secret"]).call("GET", "clock")["mode"] == "real"


def test_health_stays_open(emulator) -> None:
    status, _, answer = admin_request(emulator.endpoint, "health", None)
    assert status == 200 and answer["ok"] is True
    assert admin_request(emulator.endpoint, "health", None, method="POST")[0] == 401


def test_a_world_without_key_pairs_is_refused(admin) -> None:
    status, _, answer = send(admin.endpoint, "POST", "/_emulator/world",
                             {"Authorization": basic_authorization(ACCESS_KEY_ID, ACCESS_KEY_SECRET)},
                             json.dumps({"account": {"accessKeys": []}}).encode())
    assert status == 400 and "lock every client out" in answer["error"]
    assert ecs_call(admin.endpoint) == 6


@pytest.mark.parametrize("source", ["options", "environment"])
def test_admin_subcommands_authenticate_with_the_pair_given(admin, monkeypatch, source) -> None:
    admin.world({"account": {"accessKeys": [DEFAULT_PAIR, TEAM_PAIR]}})

    def clock(secret: str):
        if source == "environment":
            monkeypatch.setenv("ECSOPS_ACCESS_KEY_ID", TEAM_PAIR["id"])
            monkeypatch.setenv("ECSOPS_ACCESS_KEY_SECRET", secret)
            return ecsops("emulator", "clock", "--endpoint", admin.endpoint)
        return ecsops("emulator", "clock", "--endpoint", admin.endpoint, "--access-key-id", TEAM_PAIR["id"],
                      "--access-key-secret", secret)

    assert clock(TEAM_PAIR["secret"]).json()["mode"] == "real"
    refused = clock("guessed")
    assert refused.code == 1 and "unknown AccessKeyId or wrong secret" in refused.err


# --- loopback --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.0.0.2", True), ("localhost", True), ("::1", True), ("0.0.0.0", False),
     ("", False), ("192.0.2.10", False), ("no-such-host.invalid", False)],
    ids=["127.0.0.1", "127.0.0.2", "localhost", "ipv6-loopback", "any-address", "empty", "test-net", "unknown-name"],
)
def test_loopback_addresses_are_told_apart(host, loopback) -> None:
    assert is_loopback(host) is loopback


def test_a_non_loopback_bind_is_refused_unless_allowed(tmp_path) -> None:
    with pytest.raises(ValueError, match="allow_remote=True"):
        EmulatorServer(tmp_path / "refused.db", host="0.0.0.0")
    assert not (tmp_path / "refused.db").exists()
    server = EmulatorServer(tmp_path / "remote.db", host="0.0.0.0", allow_remote=True)
    try:
        assert server.host == "0.0.0.0" and server.port > 0
    finally:
        server.stop()


def test_serve_with_an_explicit_host_binds_it_and_warns(tmp_path) -> None:
    with running("emulator", "serve", "--db", tmp_path / "w.db", "--host", "0.0.0.0") as process:
        assert process.stdout.readline().startswith("endpoint: http://0.0.0.0:")
        assert "warning: serving on 0.0.0.0" in process.stderr.readline()


# --- the rate limit --------------------------------------------------------------------------------------


def test_max_rate_throttles_calls_beyond_it(admin, ecs) -> None:
    assert admin.faults(maxRate=5)["maxRate"] == 5
    started = time.monotonic()
    throttled: list[ThrottlingException] = []
    for _ in range(15):
        try:
            ecs.describe_instances(models.DescribeInstancesRequest(region_id=REGION))
        except ThrottlingException as error:
            throttled.append(error)
    admitted, elapsed = 15 - len(throttled), time.monotonic() - started
    assert 5 <= admitted <= 5 + 5 * elapsed + 1  # a second's burst, then 5 a second
    assert {(error.code, error.status_code) for error in throttled} == {("Throttling.User", 400)}
    assert all(0 < error.retry_after <= 200 for error in throttled)
    time.sleep(max(error.retry_after for error in throttled) / 1000)
    assert ecs.describe_instances(models.DescribeInstancesRequest(region_id=REGION)).body.total_count == 6
    assert [entry["code"] for entry in admin.requests()].count("Throttling.User") == len(throttled)


def test_max_rate_counts_only_the_actions_selected(admin, ecs) -> None:
    admin.faults(maxRate=1, actions=["DescribeInstances"])
    for _ in range(5):
        ecs.describe_commands(models.DescribeCommandsRequest(region_id=REGION))
    ecs.describe_instances(models.DescribeInstancesRequest(region_id=REGION))
    with pytest.raises(ThrottlingException):
        ecs.describe_instances(models.DescribeInstancesRequest(region_id=REGION))


def test_the_cli_sets_max_rate(emulator) -> None:
    assert ecsops("emulator", "faults", "--max-rate", "3", "--endpoint", emulator.endpoint).json()["maxRate"] == 3


# --- secrets in the request log -------------------------------------------------------------------------


def test_webhook_urls_are_masked_in_the_request_log(admin) -> None:
    cms = cms_client(admin.endpoint)
    pattern = cm.PutEventRuleRequestEventPattern(product="ecs", event_type_list=["Maintenance"], level_list=["WARN"])
    cms.put_event_rule(cm.PutEventRuleRequest(rule_name="masked", event_pattern=[pattern]))
    hook = cm.PutEventRuleTargetsRequestWebhookParameters(id="w1", url="http://127.0.0.1:9/hook?token=s3cr3t",
                                                           method="POST", protocol="http")
    assert cms.put_event_rule_targets(cm.PutEventRuleTargetsRequest(rule_name="masked",
                                                                    webhook_parameters=[hook])).body.success
    [entry] = admin.requests(action="PutEventRuleTargets")
    assert entry["params"]["WebhookParameters.1.Url"] == "****"
    assert "s3cr3t" not in json.dumps(admin.requests())
