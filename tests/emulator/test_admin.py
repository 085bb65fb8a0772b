"""The admin API: world seeding and merging, the clock, the request log (secrets masked), faults, reset."""

from __future__ import annotations

import json
import threading
import time

import pytest
from alibabacloud_tea_openapi.exceptions import ClientException, ServerException, ThrottlingException

from tests.support.emulator import REGION, Admin, admin_error, models

DEFAULT_INSTANCES = {
    "i-demo-linux-1": ("linux", "Running", 2, False, True),
    "i-demo-linux-2": ("linux", "Running", 4, False, True),
    "i-demo-windows-1": ("windows", "Running", 4, False, True),
    "i-demo-localdisk-1": ("linux", "Running", 8, True, True),
    "i-demo-stopped-1": ("linux", "Stopped", 2, False, True),
    "i-demo-noagent-1": ("linux", "Running", 2, False, False),
}


def test_the_default_world_is_seeded(admin) -> None:
    world = admin.world()
    instances = {i["id"]: (i["osType"], i["status"], i["cpu"], i["localDisk"], i["agent"]) for i in world["instances"]}
    assert instances == DEFAULT_INSTANCES
    windows = next(i for i in world["instances"] if i["id"] == "i-demo-windows-1")
    assert windows["products"] == [{"name": "Windows Server", "version": "2019"},
                                   {"name": "SQL Server", "version": "2017"}]
    assert {(b["name"], b["region"]) for b in world["buckets"]} == {
        ("ecsops-demo-records", "cn-hangzhou"), ("ecsops-beijing-records", "cn-beijing")}
    assert world["logProjects"] == [{"name": "ecsops-demo", "region": "cn-hangzhou", "logstores": ["cloud-assistant"]}]
    assert [g["name"] for g in world["contactGroups"]] == ["ops-oncall"]
    assert world["quotas"] == {"max-axt-command-count": 100, "max-axt-invocation-daily": 5000}
    assert "secret" not in json.dumps(world["account"])


def test_world_merge_upserts_instances_and_keeps_the_rest(admin, ecs) -> None:
    admin.world({"instances": [{"id": "i-extra", "region": REGION, "cpu": 16, "tags": {"env": "prod"}},
                               {"id": "i-demo-linux-1", "region": REGION, "status": "Stopped"}]})
    answer = ecs.describe_instances(models.DescribeInstancesRequest(region_id=REGION, max_results=100)).body
    by_id = {i.instance_id: i for i in answer.instances.instance}
    assert len(by_id) == 7
    assert by_id["i-extra"].cpu == 16 and by_id["i-extra"].tags.tag[0].tag_value == "prod"
    assert by_id["i-demo-linux-1"].status == "Stopped"


@pytest.mark.parametrize(
    ("document", "fragment"),
    [
        pytest.param({"instances": [{"id": "bad", "region": REGION}]}, "instances.0.id", id="bad-instance-id"),
        pytest.param({"instances": [{"id": "i-x", "region": "mars-1"}]}, "unknown region", id="unknown-region"),
        pytest.param({"planets": []}, "planets", id="unknown-key"),
    ],
)
def test_a_bad_world_document_is_refused_with_the_entry_named(admin, document, fragment) -> None:
    status, message = admin_error(lambda: admin.world(document))
    assert status == 400 and fragment in message


def test_reset_restores_the_default_world(admin, ecs) -> None:
    admin.world({"instances": [{"id": "i-extra", "region": REGION}]})
    ecs.create_command(models.CreateCommandRequest(region_id=REGION, name="x", type="RunShellScript",
                                                   command_content="ZWNobw=="))
    admin.reset()
    assert len(admin.world()["instances"]) == 6
    assert ecs.describe_commands(models.DescribeCommandsRequest(region_id=REGION)).body.total_count == 0


def test_the_virtual_clock_is_set_and_advanced(admin, ecs) -> None:
    assert admin.call("GET", "clock")["mode"] == "real"
    admin.set_clock("2026-01-01T00:00:00Z")
    assert admin.advance("90m") == {"mode": "virtual", "now": "2026-01-01T01:30:00Z"}
    assert admin.advance(30)["now"] == "2026-01-01T01:30:30Z"
    assert admin.advance("1d")["now"] == "2026-01-02T01:30:30Z"
    command_id = ecs.create_command(models.CreateCommandRequest(
        region_id=REGION, name="x", type="RunShellScript", command_content="ZWNobw==")).body.command_id
    [command] = ecs.describe_commands(models.DescribeCommandsRequest(region_id=REGION, command_id=command_id)
                                      ).body.commands.command
    assert command.creation_time == "2026-01-02T01:30:30Z"


def test_the_clock_only_moves_forward(admin) -> None:
    assert admin_error(lambda: admin.advance(-5))[0] == 400


def test_the_request_log_records_calls_kinds_and_codes(admin, ecs) -> None:
    ecs.describe_commands(models.DescribeCommandsRequest(region_id=REGION))
    with pytest.raises(ClientException):
        ecs.delete_command(models.DeleteCommandRequest(region_id=REGION, command_id="c-none"))
    log = admin.requests()
    assert [(e["action"], e["kind"], e["status"], e["code"]) for e in log] == [
        ("DescribeCommands", "read", 200, None), ("DeleteCommand", "write", 404, "InvalidCmdId.NotFound")]
    assert log[1]["params"] == {"CommandId": "c-none", "RegionId": REGION}
    assert admin.requests(since=log[0]["seq"]) == log[1:]
    assert admin.requests(kind="write") == log[1:]


def test_the_request_log_never_holds_signatures_or_keys(admin, ecs) -> None:
    ecs.describe_commands(models.DescribeCommandsRequest(region_id=REGION))
    text = json.dumps(admin.requests())
    assert "ecsops-local-secret" not in text and "Signature" not in text


def test_throttling_faults_answer_with_a_retry_after_hint(admin, ecs) -> None:
    admin.faults(throttleRate=1.0, retryAfterMs=250, actions=["DescribeCommands"])
    with pytest.raises(ThrottlingException) as raised:
        ecs.describe_commands(models.DescribeCommandsRequest(region_id=REGION))
    assert raised.value.code == "Throttling.User" and raised.value.retry_after == 250
    assert ecs.describe_instances(models.DescribeInstancesRequest(region_id=REGION)).body.total_count == 6


def test_server_error_faults_change_nothing(admin, ecs) -> None:
    admin.faults(errorRate=1.0)
    with pytest.raises(ServerException) as raised:
        ecs.create_command(models.CreateCommandRequest(region_id=REGION, name="x", type="RunShellScript",
                                                       command_content="ZWNobw=="))
    assert (raised.value.code, raised.value.status_code) == ("ServiceUnavailable", 503)
    admin.clear_faults()
    assert ecs.describe_commands(models.DescribeCommandsRequest(region_id=REGION)).body.total_count == 0


def test_faults_are_reproducible_with_a_seed(admin, ecs) -> None:
    def outcomes() -> list[bool]:
        admin.clear_faults()
        admin.faults(seed=7, errorRate=0.5)
        results = []
        for _ in range(20):
            try:
                ecs.describe_instances(models.DescribeInstancesRequest(region_id=REGION))
                results.append(True)
            except ServerException:
                results.append(False)
        return results

    first = outcomes()
    assert first == outcomes()
    assert 3 < first.count(False) < 17


def test_a_dropped_reply_still_commits_the_change(admin, ecs) -> None:
    admin.faults(dropRate=1.0, actions=["CreateCommand"])
    with pytest.raises(Exception):
        ecs.create_command(models.CreateCommandRequest(region_id=REGION, name="x", type="RunShellScript",
                                                       command_content="ZWNobw=="))
    admin.clear_faults()
    assert ecs.describe_commands(models.DescribeCommandsRequest(region_id=REGION)).body.total_count == 1


def create_in_thread(ecs, name: str) -> tuple[threading.Thread, list[object]]:
    """A CreateCommand sent from another thread (it may be held); its answer or error lands in the list."""
    outcome: list[object] = []

    def create() -> None:
        try:
            outcome.append(ecs.create_command(models.CreateCommandRequest(
                region_id=REGION, name=name, type="RunShellScript", command_content="ZWNobw==")).body.command_id)
        except Exception as error:  # noqa: BLE001  (the test reads it)
            outcome.append(error)

    thread = threading.Thread(target=create)
    thread.start()
    return thread, outcome


def wait_for_a_held_call(admin) -> None:
    deadline = time.monotonic() + 30
    while admin.holding() == 0:
        assert time.monotonic() < deadline, "no call was held"
        time.sleep(0.02)


def test_a_held_write_waits_until_released_and_reads_go_on(admin, ecs) -> None:
    admin.faults(holdWrites=True)
    thread, outcome = create_in_thread(ecs, "held")
    wait_for_a_held_call(admin)
    assert ecs.describe_commands(models.DescribeCommandsRequest(region_id=REGION)).body.total_count == 0
    assert outcome == [] and admin.writes() == []  # held before anything of it was done
    admin.clear_faults()
    thread.join(timeout=30)
    assert len(outcome) == 1 and str(outcome[0]).startswith("c-")
    assert admin.holding() == 0
    assert ecs.describe_commands(models.DescribeCommandsRequest(region_id=REGION)).body.total_count == 1


def test_writes_past_hold_after_are_held_after_their_change_commits(admin, ecs) -> None:
    admin.faults(holdWrites=True, holdAfter=1, holdPhase="after", actions=["CreateCommand"])
    first, first_outcome = create_in_thread(ecs, "passes")
    first.join(timeout=30)
    assert str(first_outcome[0]).startswith("c-")
    second, second_outcome = create_in_thread(ecs, "committed-then-held")
    wait_for_a_held_call(admin)
    listed = ecs.describe_commands(models.DescribeCommandsRequest(region_id=REGION)).body
    assert listed.total_count == 2 and second_outcome == []  # made, and its answer not yet sent
    admin.clear_faults()
    second.join(timeout=30)
    assert str(second_outcome[0]).startswith("c-")


def test_a_hold_ends_by_itself_after_its_limit(admin, ecs) -> None:
    admin.faults(holdWrites=True, holdMaxMs=0, actions=["CreateCommand"])
    thread, outcome = create_in_thread(ecs, "not-held-long")
    thread.join(timeout=30)
    assert len(outcome) == 1 and str(outcome[0]).startswith("c-")


def test_unknown_admin_routes_are_404(admin) -> None:
    assert admin_error(lambda: admin.call("GET", "nothing"))[0] == 404


def test_faults_settings_are_validated(admin) -> None:
    assert admin_error(lambda: admin.faults(errorRate=1.5))[0] == 400


def test_admin_of_a_second_emulator_over_the_same_file_sees_the_same_world(emulator, admin, tmp_path) -> None:
    from ecsops.emulator.server import EmulatorServer

    with EmulatorServer(emulator.database.path) as twin:
        Admin(twin.endpoint).world({"instances": [{"id": "i-shared", "region": REGION}]})
    assert "i-shared" in {i["id"] for i in admin.world()["instances"]}


@pytest.mark.parametrize(("method", "route", "body"), [
    pytest.param("POST", "clock", [1], id="clock-body-a-list"),
    pytest.param("POST", "clock", 5, id="clock-body-a-number"),
    pytest.param("POST", "clock", {"advance": "99999999999d"}, id="clock-advance-past-year-9999"),
    pytest.param("POST", "clock", {"advance": [1]}, id="clock-advance-a-list"),
    pytest.param("POST", "faults", [1], id="faults-body-a-list"),
    pytest.param("POST", "events", "text", id="events-body-a-string"),
    pytest.param("GET", "requests?since=%C2%B2", None, id="since-a-superscript-digit"),
    pytest.param("GET", "requests?since=" + "9" * 30, None, id="since-30-digits"),
    pytest.param("GET", "notifications?since=%C2%B2", None, id="notifications-since-a-superscript-digit"),
])
def test_a_bad_admin_request_is_a_400_json_answer(admin, method, route, body) -> None:
    status, message = admin_error(lambda: admin.call(method, route, body))
    assert status == 400 and message


def test_health_says_nothing_of_the_database(admin) -> None:
    assert admin.call("GET", "health") == {"ok": True}


def test_notifications_show_where_a_webhook_goes_not_its_token(admin) -> None:
    from alibabacloud_cms20190101 import models as cm

    from tests.support.emulator import cms_client
    from tests.support.webhooks import WebhookReceiver, deliveries

    cms = cms_client(admin.endpoint)
    with WebhookReceiver() as hook:
        token_url = hook.url + "/TOKEN-0123456789?key=SECRET-KEY"
        cms.put_event_rule(cm.PutEventRuleRequest(rule_name="r", event_type="SYSTEM", state="ENABLED",
                                                  event_pattern=[cm.PutEventRuleRequestEventPattern(product="ecs")]))
        cms.put_event_rule_targets(cm.PutEventRuleTargetsRequest(rule_name="r", webhook_parameters=[
            cm.PutEventRuleTargetsRequestWebhookParameters(id="w", protocol="http", url=token_url, method="POST")]))
        admin.call("POST", "events", {"resourceId": "i-demo-linux-1", "eventType": "SystemMaintenance.Reboot",
                                      "status": "Scheduled", "notBefore": "2030-01-01T00:00:00Z"})
        hook.wait_for(1)
        [record] = deliveries(admin)
    assert record["destination"] == hook.url.split("/hook")[0] + "/****"
    listed = json.dumps(admin.call("GET", "notifications"))
    assert "TOKEN-0123456789" not in listed and "SECRET-KEY" not in listed


def test_a_client_that_sends_nothing_is_cut_off_after_the_read_timeout(tmp_path) -> None:
    import socket

    from ecsops.emulator.server import EmulatorServer

    with EmulatorServer(tmp_path / "timeout.db", read_timeout_s=0.2) as server:
        with socket.create_connection((server.host, server.port), timeout=30) as idle:
            assert idle.recv(1) == b""  # closed by the server, not by our 30 s
        assert Admin(server.endpoint).call("GET", "health") == {"ok": True}


def test_connections_past_the_limit_are_closed_at_once_not_queued(tmp_path) -> None:
    """With every slot held by an idle client, one more connection is closed at once (while the idle ones
    are still open), instead of each connection holding a thread of its own."""
    import socket

    from ecsops.emulator.server import EmulatorServer

    with EmulatorServer(tmp_path / "bounded.db", read_timeout_s=60, max_connections=3) as server:
        idle = [socket.create_connection((server.host, server.port), timeout=30) for _ in range(3)]
        try:
            with socket.create_connection((server.host, server.port), timeout=30) as extra:
                assert extra.recv(1) == b""
            for connection in idle:
                connection.setblocking(False)
                with pytest.raises(BlockingIOError):  # still open, waiting for a request
                    connection.recv(1)
        finally:
            for connection in idle:
                connection.close()
