"""Delivery of Cloud Assistant execution records (the ECS guide "4.6"), with a virtual clock: to the emulator's
own OSS (listable through the admin API), to an S3-compatible endpoint (moto's server standing in for OSS,
written to after the change commits), to a Log Service logstore; exactly once per run, only once the run has
finished, only while delivery is enabled; and the codes that refuse a destination."""

from __future__ import annotations

import base64
import json
import threading
import time

import pytest
from alibabacloud_tea_openapi.exceptions import ClientException

from ecsops.emulator.server import EmulatorServer
from tests.support.emulator import REGION, Admin, admin_error, ecs_client, models
from tests.support.s3 import S3_KEY_ID, S3_SECRET, use_endpoint
from tests.support.s3 import fresh_bucket as shared_fresh_bucket

START = "2026-11-21T00:00:00Z"
BUCKET = "ecsops-demo-records"
PROJECT, LOGSTORE = "ecsops-demo", "cloud-assistant"
LINUX, OTHER = "i-demo-linux-1", "i-demo-linux-2"
REQUIRED_FIELDS = {"InstanceId", "InvokeId", "CommandId", "Output", "ExitCode", "InvocationStatus", "Repeats",
                   "StartTime", "FinishTime"}


@pytest.fixture
def clock(admin) -> Admin:
    admin.set_clock(START)
    return admin


def fresh_bucket(s3_endpoint: str):
    return shared_fresh_bucket(s3_endpoint, BUCKET)


@pytest.fixture
def s3(s3_endpoint, clock):
    """A fresh S3-compatible endpoint holding the bucket BUCKET, where the emulated OSS now writes."""
    client = fresh_bucket(s3_endpoint)
    use_endpoint(clock, s3_endpoint)
    return client


def deliver(ecs, *, oss: dict | None = None, sls: dict | None = None) -> None:
    request = models.ModifyCloudAssistantSettingsRequest(region_id=REGION, setting_type="InvocationDelivery")
    if oss is not None:
        request.oss_delivery_config = models.ModifyCloudAssistantSettingsRequestOssDeliveryConfig(**oss)
    if sls is not None:
        request.sls_delivery_config = models.ModifyCloudAssistantSettingsRequestSlsDeliveryConfig(**sls)
    ecs.modify_cloud_assistant_settings(request)


def to_bucket(ecs, prefix: str = "audit", bucket: str = BUCKET) -> None:
    deliver(ecs, oss={"enabled": True, "bucket_name": bucket, "prefix": prefix})


def invoke(ecs, content: str = "echo hello", instance_ids: tuple[str, ...] = (LINUX,), **fields) -> str:
    command_id = ecs.create_command(models.CreateCommandRequest(
        region_id=REGION, name="audit-me", type="RunShellScript",
        command_content=base64.b64encode(content.encode()).decode())).body.command_id
    return ecs.invoke_command(models.InvokeCommandRequest(
        region_id=REGION, command_id=command_id, instance_id=list(instance_ids), **fields)).body.invoke_id


def deliveries(admin: Admin, kind: str = "", timeout_s: float = 10.0) -> list[dict]:
    """The emulator's delivery records (of one kind, oss or sls), once none of them is pending."""
    deadline = time.monotonic() + timeout_s
    while True:
        found = admin.call("GET", f"deliveries?kind={kind}")["deliveries"]
        if all(d["status"] != "pending" for d in found) or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def objects(admin: Admin, prefix: str = "") -> dict[str, object]:
    """The emulated OSS's objects of BUCKET under `prefix`: key -> content."""
    return {o["key"]: o["content"] for o in admin.call("GET", f"oss?bucket={BUCKET}&prefix={prefix}")["objects"]}


# An S3-compatible endpoint


def test_a_finished_run_lands_in_the_endpoints_bucket(ecs, clock, s3, s3_endpoint) -> None:
    to_bucket(ecs)
    invoke_id = invoke(ecs, frequency="rate(1h)")
    clock.advance("1h")
    assert deliveries(clock) == []  # started at 01:00:00, still running
    clock.advance(1)
    folder = f"audit/invocationResults/{invoke_id}/{LINUX}/"
    record_key = f"{folder}20261121T010000Z-1.json"
    assert [(d["status"], d["bucket"], d["key"], d["endpoint"]) for d in deliveries(clock)] == [
        ("delivered", BUCKET, f"audit/invocationResults/{invoke_id}/commandContent.sh", s3_endpoint),
        ("delivered", BUCKET, record_key, s3_endpoint)]
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix=folder)["Contents"]
    assert [o["Key"] for o in listed] == [record_key]
    record = json.loads(s3.get_object(Bucket=BUCKET, Key=record_key)["Body"].read())
    assert REQUIRED_FIELDS <= set(record)
    assert (record["InstanceId"], record["InvokeId"], record["Output"], record["ExitCode"], record["InvocationStatus"],
            record["Repeats"], record["StartTime"], record["FinishTime"]) == (
        LINUX, invoke_id, "hello\n", 0, "Success", 1, "2026-11-21T01:00:00Z", "2026-11-21T01:00:01Z")
    script = s3.get_object(Bucket=BUCKET, Key=f"audit/invocationResults/{invoke_id}/commandContent.sh")
    assert script["Body"].read() == b"echo hello"
    assert objects(clock) == {}  # the emulated OSS itself keeps nothing


def test_the_endpoints_secret_never_shows(clock, s3, s3_endpoint) -> None:
    shown = clock.world()["oss"]
    assert shown == {"endpoint": s3_endpoint, "accessKeyId": S3_KEY_ID, "region": "us-east-1"}
    assert S3_SECRET not in json.dumps(clock.world())


def test_a_write_the_endpoint_refuses_is_recorded_and_the_calls_succeed(ecs, clock, s3) -> None:
    clock.world({"buckets": [{"name": "ecsops-not-at-s3", "region": REGION}]})
    to_bucket(ecs, bucket="ecsops-not-at-s3")
    invoke(ecs)
    clock.advance(1)
    found = deliveries(clock)
    assert {d["status"] for d in found} == {"failed"}
    assert all("NoSuchBucket" in d["detail"] for d in found)
    assert [entry["status"] for entry in clock.requests()] == [200, 200, 200]


def test_two_servers_over_one_database_write_each_record_once(tmp_path, s3_endpoint) -> None:
    bucket = fresh_bucket(s3_endpoint)
    path = tmp_path / "shared.db"
    with EmulatorServer(path) as first, EmulatorServer(path) as second:
        admins = [Admin(first.endpoint), Admin(second.endpoint)]
        admins[0].set_clock(START)
        use_endpoint(admins[1], s3_endpoint)
        client = ecs_client(second.endpoint)
        to_bucket(client)
        invoke_id = invoke(client, frequency="rate(1m)", timeout=30)
        threads = [threading.Thread(target=lambda a=admin: [a.advance("1m") for _ in range(15)]) for admin in admins]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        admins[0].advance(1)
        found = deliveries(admins[0])
        assert len(found) == 31 and {d["status"] for d in found} == {"delivered"}
        folder = f"audit/invocationResults/{invoke_id}/{LINUX}/"
        keys = [o["Key"] for o in bucket.list_objects_v2(Bucket=BUCKET, Prefix=folder)["Contents"]]
        assert len(keys) == 30 and keys[-1] == f"{folder}20261121T003000Z-30.json"


def test_an_endpoint_without_keys_is_refused(clock) -> None:
    status, message = admin_error(lambda: clock.world({"oss": {"endpoint": "http://127.0.0.1:9"}}))
    assert status == 400 and "accessKeyId and accessKeySecret" in message


def test_the_emulated_oss_is_used_again_without_an_endpoint(ecs, clock, s3) -> None:
    clock.world({"oss": {"endpoint": None}})
    to_bucket(ecs)
    invoke(ecs)
    clock.advance(1)
    assert len(objects(clock, "audit/")) == 2 and s3.list_objects_v2(Bucket=BUCKET)["KeyCount"] == 0


# The emulated OSS


def test_the_emulated_oss_keeps_the_documented_layout(ecs, clock) -> None:
    to_bucket(ecs)
    invoke_id = invoke(ecs, instance_ids=(LINUX, OTHER))
    assert objects(clock) == {}
    clock.advance(1)
    folder = f"audit/invocationResults/{invoke_id}"
    kept = objects(clock, "audit/")
    assert sorted(kept) == [f"{folder}/commandContent.sh", f"{folder}/{LINUX}/20261121T000000Z-1.json",
                            f"{folder}/{OTHER}/20261121T000000Z-1.json"]
    record = kept[f"{folder}/{OTHER}/20261121T000000Z-1.json"]
    assert {key: record[key] for key in ("RegionId", "InstanceId", "InvokeId", "CommandName", "CommandType",
                                         "CommandContent", "RepeatMode", "Repeats", "InvocationStatus", "Output",
                                         "ExitCode", "StartTime", "FinishedTime", "FinishTime", "CallerType",
                                         "ResourceOwnerUid")} == {
        "RegionId": REGION, "InstanceId": OTHER, "InvokeId": invoke_id, "CommandName": "audit-me",
        "CommandType": "RunShellScript", "CommandContent": "echo hello", "RepeatMode": "Once", "Repeats": 1,
        "InvocationStatus": "Success", "Output": "hello\n", "ExitCode": 0, "StartTime": START,
        "FinishedTime": "2026-11-21T00:00:01Z", "FinishTime": "2026-11-21T00:00:01Z", "CallerType": "customer",
        "ResourceOwnerUid": 1234567890123456}
    assert kept[f"{folder}/commandContent.sh"] == "echo hello"


def test_without_a_prefix_keys_start_at_invocation_results(ecs, clock) -> None:
    to_bucket(ecs, prefix="")
    invoke_id = invoke(ecs)
    clock.advance(1)
    assert f"invocationResults/{invoke_id}/{LINUX}/20261121T000000Z-1.json" in objects(clock)


def test_each_run_is_delivered_once_after_it_finishes(ecs, clock) -> None:
    to_bucket(ecs)
    invoke_id = invoke(ecs, "echo tick\nsleep 30", frequency="rate(1h)")
    clock.advance("1h")
    clock.advance(10)
    assert deliveries(clock) == []
    clock.advance(20)
    clock.advance("1h")
    clock.advance(30)
    keys = [d["key"] for d in deliveries(clock) if d["instanceId"]]
    assert keys == [f"audit/invocationResults/{invoke_id}/{LINUX}/20261121T010000Z-1.json",
                    f"audit/invocationResults/{invoke_id}/{LINUX}/20261121T020000Z-2.json"]
    clock.advance("10m")
    assert len(deliveries(clock)) == 3  # two records and the script, still


def test_a_failed_run_is_delivered_with_its_error(ecs, clock) -> None:
    to_bucket(ecs)
    invoke(ecs, instance_ids=("i-demo-noagent-1",))
    clock.advance(1)
    [record] = [d["record"] for d in deliveries(clock) if d["instanceId"]]
    assert (record["InvocationStatus"], record["ErrorCode"], record["ExitCode"]) == ("Failed", "ClientNotRunning", -1)


# Log Service, and no delivery


def test_log_service_delivery_appends_each_record_to_the_logstore(ecs, clock) -> None:
    deliver(ecs, sls={"enabled": True, "project_name": PROJECT, "logstore_name": LOGSTORE})
    invoke_id = invoke(ecs, instance_ids=(LINUX, OTHER))
    clock.advance(1)
    logs = clock.call("GET", f"logs?project={PROJECT}&logstore={LOGSTORE}")["logs"]
    assert [(entry["time"], entry["contents"]["InstanceId"], entry["contents"]["InvokeId"]) for entry in logs] == [
        ("2026-11-21T00:00:01Z", LINUX, invoke_id), ("2026-11-21T00:00:01Z", OTHER, invoke_id)]
    assert all(REQUIRED_FIELDS <= set(entry["contents"]) for entry in logs)
    assert [(d["project"], d["logstore"], d["status"]) for d in deliveries(clock, "sls")] == [
        (PROJECT, LOGSTORE, "delivered")] * 2
    assert deliveries(clock, "oss") == [] and objects(clock) == {}


def test_disabled_delivery_writes_nothing(ecs, clock) -> None:
    invoke(ecs, instance_ids=(LINUX, OTHER))
    clock.advance("1h")
    assert deliveries(clock) == [] and objects(clock) == {}
    assert clock.call("GET", f"logs?project={PROJECT}&logstore={LOGSTORE}")["logs"] == []


def test_delivery_disabled_before_a_run_finishes_delivers_nothing_of_it(ecs, clock) -> None:
    to_bucket(ecs)
    invoke(ecs, "sleep 30")
    deliver(ecs, oss={"enabled": False})
    clock.advance("1m")
    assert deliveries(clock) == []


@pytest.mark.parametrize(
    ("settings", "code", "status"),
    [
        pytest.param({"oss": {"enabled": True, "bucket_name": "ecsops-beijing-records"}},
                     "InvalidOssBucketName.InOtherRegion", 400, id="bucket-in-another-region"),
        pytest.param({"sls": {"enabled": True, "project_name": PROJECT, "logstore_name": "missing"}},
                     "InvalidSlsLogstoreName.NotFound", 404, id="missing-logstore"),
    ],
)
def test_a_destination_outside_the_region_or_missing_is_refused(ecs, clock, settings, code, status) -> None:
    with pytest.raises(ClientException) as raised:
        deliver(ecs, **settings)
    assert (raised.value.code, raised.value.status_code) == (code, status)


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        pytest.param("deliveries?kind=ftp", "kind must be one of oss, sls", id="unknown-kind"),
        pytest.param("deliveries?since=x", "since must be", id="bad-since"),
        pytest.param("oss", "give the bucket", id="objects-without-bucket"),
        pytest.param("logs?project=p", "give the logstore", id="logs-without-logstore"),
    ],
)
def test_bad_admin_queries_are_refused(admin, query, fragment) -> None:
    status, message = admin_error(lambda: admin.call("GET", query))
    assert status == 400 and fragment in message
