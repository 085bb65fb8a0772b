"""The emulated OSS object API, driven by the official `alibabacloud-oss-v2` SDK pointed at the emulator
(path-style, as the SDK addresses an IP endpoint by itself): objects as bytes with OSS's ETag and CRC-64,
forbid-overwrite puts, listings (V1 and V2) with prefixes, delimiters and paging, buckets made through the API
and the world's buckets holding delivered records, the signature checks (V4, and V1), errors as OSS sends
them, and the request log that counts the calls."""

from __future__ import annotations

import base64
import hashlib
import http.client
import itertools
import json
import sqlite3
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any, Callable

import alibabacloud_oss_v2 as oss
import pytest
from alibabacloud_oss_v2.crc import Crc64

from ecsops.emulator.delivery import stores
from ecsops.emulator.oss import objects
from ecsops.emulator.server import EmulatorServer
from ecsops.emulator.schema import MIGRATIONS
from ecsops.emulator.store import Database
from tests.support.emulator import ACCESS_KEY_ID, ACCESS_KEY_SECRET, REGION, Admin, models

BUCKET = "ecsops-demo-records"  # a bucket of the default world
BINARY = bytes(range(256)) * 3 + b"\x00\xff\r\n"
#: Where a delivered record comes from (delivery.stores records it with the write).
ORIGIN = stores.Origin(REGION, "t-hz0test", "i-demo-linux-1", datetime(2026, 11, 21, tzinfo=timezone.utc))


def oss_client(endpoint: str, *, access_key_id: str = ACCESS_KEY_ID, access_key_secret: str = ACCESS_KEY_SECRET,
               credentials: Any = None, **config: Any) -> oss.Client:
    """An official OSS client of the emulator; `config` sets more Config fields (signature_version, ...)."""
    cfg = oss.config.load_default()
    cfg.credentials_provider = credentials or oss.credentials.StaticCredentialsProvider(access_key_id,
                                                                                        access_key_secret)
    cfg.region = REGION
    cfg.endpoint = endpoint
    for name, value in config.items():
        setattr(cfg, name, value)
    return oss.Client(cfg)


@pytest.fixture
def client(emulator: EmulatorServer) -> oss.Client:
    return oss_client(emulator.endpoint)


def service_error(call: Callable[[], Any]) -> oss.exceptions.ServiceError:
    """Runs an SDK call expected to be refused by the service; returns the service's error."""
    with pytest.raises(oss.exceptions.OperationError) as raised:
        call()
    failure = raised.value.unwrap()
    assert isinstance(failure, oss.exceptions.ServiceError), failure
    return failure


def put(client: oss.Client, key: str, body: bytes, bucket: str = BUCKET, **fields: Any) -> Any:
    return client.put_object(oss.PutObjectRequest(bucket=bucket, key=key, body=body, **fields))


def read(client: oss.Client, key: str, bucket: str = BUCKET) -> tuple[Any, bytes]:
    """GetObject: the result and the body (read whole and closed)."""
    result = client.get_object(oss.GetObjectRequest(bucket=bucket, key=key))
    with result.body as body:
        return result, body.read()


def crc64(data: bytes) -> str:
    """The SDK's own CRC-64 of `data`, as OSS writes it in x-oss-hash-crc64ecma."""
    checksum = Crc64(0)
    checksum.update(data)
    return str(checksum.sum64())


def etag(data: bytes) -> str:
    return f'"{hashlib.md5(data).hexdigest().upper()}"'


def deliver(emulator: EmulatorServer, key: str, body: str, content_type: str = stores.JSON,
            bucket: str = BUCKET) -> None:
    """Writes an object the way the delivery of Cloud Assistant records does (delivery.stores.put_object)."""
    with emulator.database.transaction() as tx:
        stores.put_object(tx, ORIGIN, bucket, key, body, content_type)


def oss_log(emulator: EmulatorServer) -> list[dict[str, Any]]:
    return Admin(emulator.endpoint).requests(product="oss")


# --- objects: bytes in, the same bytes out ----------------------------------------------------------------


@pytest.mark.parametrize("key, body", [
    pytest.param("state/binary.bin", BINARY, id="binary"),
    pytest.param("state/empty", b"", id="empty"),
    pytest.param("state/dir/a b+c%d~é.json", "{\"ü\": 1}".encode(), id="key-needing-encoding"),
])
def test_put_get_head_delete_round_trip(client, key, body) -> None:
    written = put(client, key, body)
    assert (written.etag, written.hash_crc64) == (etag(body), crc64(body))

    got, data = read(client, key)
    assert data == body
    assert (got.etag, got.hash_crc64, got.content_length) == (etag(body), crc64(body), len(body))
    assert got.last_modified is not None

    head = client.head_object(oss.HeadObjectRequest(bucket=BUCKET, key=key))
    assert (head.etag, head.hash_crc64, head.content_length, head.content_type) == (
        etag(body), crc64(body), len(body), got.content_type)
    assert head.last_modified == got.last_modified

    assert client.delete_object(oss.DeleteObjectRequest(bucket=BUCKET, key=key)).status_code == 204
    assert service_error(lambda: read(client, key)).code == "NoSuchKey"


@pytest.mark.parametrize("content_type, expected", [
    pytest.param("application/x-ecsops-state", "application/x-ecsops-state", id="as-sent"),
    pytest.param(None, "application/json", id="guessed-by-the-sdk-from-the-key"),
])
def test_the_content_type_is_kept(client, content_type, expected) -> None:
    put(client, "state/stack.json", b"{}", content_type=content_type)
    assert read(client, "state/stack.json")[0].content_type == expected


def test_a_put_replaces_the_object(client) -> None:
    put(client, "state/stack", b"first")
    put(client, "state/stack", b"second, longer")
    assert read(client, "state/stack")[1] == b"second, longer"


def test_existence_checks_of_the_sdk(client) -> None:
    put(client, "state/here", b"x")
    assert client.is_object_exist(BUCKET, "state/here")
    assert not client.is_object_exist(BUCKET, "state/absent")
    assert client.is_bucket_exist(BUCKET)
    assert not client.is_bucket_exist("no-such-bucket-here")


def test_deleting_an_absent_key_succeeds(client) -> None:
    assert client.delete_object(oss.DeleteObjectRequest(bucket=BUCKET, key="never/there")).status_code == 204


def test_head_of_an_absent_key_is_404_without_a_body(emulator, client) -> None:
    failure = service_error(lambda: client.head_object(oss.HeadObjectRequest(bucket=BUCKET, key="never/there")))
    assert (failure.status_code, failure.code) == (404, "NoSuchKey")
    assert failure.snapshot == b""  # the code came from the x-oss-err header


# --- forbid-overwrite: the write that makes a lock ----------------------------------------------------------


def test_forbid_overwrite_refuses_an_existing_key_and_keeps_the_first_body(client) -> None:
    put(client, "state/lock", b"holder-1", forbid_overwrite=True)
    failure = service_error(lambda: put(client, "state/lock", b"holder-2", forbid_overwrite=True))
    assert (failure.status_code, failure.code) == (409, "FileAlreadyExists")
    assert read(client, "state/lock")[1] == b"holder-1"


@pytest.mark.parametrize("forbid", [pytest.param(False, id="forbid-false"), pytest.param(None, id="not-sent")])
def test_without_forbid_overwrite_a_put_overwrites(client, forbid) -> None:
    put(client, "state/lock", b"holder-1")
    put(client, "state/lock", b"holder-2", forbid_overwrite=forbid)
    assert read(client, "state/lock")[1] == b"holder-2"


def test_forbid_overwrite_writes_a_new_key_after_a_delete(client) -> None:
    put(client, "state/lock", b"holder-1", forbid_overwrite=True)
    client.delete_object(oss.DeleteObjectRequest(bucket=BUCKET, key="state/lock"))
    put(client, "state/lock", b"holder-2", forbid_overwrite=True)
    assert read(client, "state/lock")[1] == b"holder-2"


# --- Content-MD5 -------------------------------------------------------------------------------------------


def test_a_matching_content_md5_is_accepted(client) -> None:
    md5 = base64.b64encode(hashlib.md5(BINARY).digest()).decode()
    put(client, "state/checked", BINARY, content_md5=md5)
    assert read(client, "state/checked")[1] == BINARY


@pytest.mark.parametrize("content_md5", [
    pytest.param(base64.b64encode(hashlib.md5(b"other").digest()).decode(), id="digest-of-other-bytes"),
    pytest.param("not-base64!", id="not-a-digest"),
])
def test_a_wrong_content_md5_is_refused_and_nothing_is_written(client, content_md5) -> None:
    failure = service_error(lambda: put(client, "state/checked", BINARY, content_md5=content_md5))
    assert (failure.status_code, failure.code) == (400, "InvalidDigest")
    assert service_error(lambda: read(client, "state/checked")).code == "NoSuchKey"


# --- listings ----------------------------------------------------------------------------------------------


KEYS = ["a/1", "a/2", "a/sub/x", "a/sub/y", "b/1", "c", "a/3"]


@pytest.fixture
def listed(client) -> oss.Client:
    for key in KEYS:
        put(client, key, key.encode())
    return client


MAX_PAGES = 20  # more means the listing never ends: a marker or token that does not move on


def v1_pages(client: oss.Client, **fields: Any) -> list[Any]:
    pages, marker = [], ""
    for _ in range(MAX_PAGES):
        page = client.list_objects(oss.ListObjectsRequest(bucket=BUCKET, marker=marker, **fields))
        pages.append(page)
        if not page.is_truncated:
            return pages
        marker = page.next_marker
    raise AssertionError(f"still truncated after {MAX_PAGES} pages")


def keys_of(pages: list[Any]) -> list[str]:
    return [entry.key for page in pages for entry in page.contents or []]


def prefixes_of(pages: list[Any]) -> list[str]:
    return [entry.prefix for page in pages for entry in page.common_prefixes or []]


@pytest.mark.parametrize("prefix, expected", [
    pytest.param("", sorted(KEYS), id="everything"),
    pytest.param("a/", ["a/1", "a/2", "a/3", "a/sub/x", "a/sub/y"], id="prefix"),
    pytest.param("a/sub/", ["a/sub/x", "a/sub/y"], id="deeper-prefix"),
    pytest.param("zzz", [], id="nothing-matches"),
])
def test_list_objects_v1_in_key_order_with_a_prefix(listed, prefix, expected) -> None:
    page = listed.list_objects(oss.ListObjectsRequest(bucket=BUCKET, prefix=prefix))
    assert keys_of([page]) == expected
    assert not page.is_truncated and page.max_keys == 100
    assert [entry.size for entry in page.contents or []] == [len(key) for key in expected]
    assert [entry.etag for entry in page.contents or []] == [etag(key.encode()) for key in expected]


@pytest.mark.parametrize("max_keys", [1, 2, 3])
def test_list_objects_v1_pages_with_the_marker(listed, max_keys) -> None:
    pages = v1_pages(listed, max_keys=max_keys)
    assert keys_of(pages) == sorted(KEYS)
    assert all(len(page.contents or []) <= max_keys for page in pages)
    assert len(pages) == -(-len(KEYS) // max_keys)


@pytest.mark.parametrize("max_keys", [1, 2, 5])
def test_list_objects_v1_rolls_up_common_prefixes_across_pages(listed, max_keys) -> None:
    pages = v1_pages(listed, delimiter="/", max_keys=max_keys)
    assert keys_of(pages) == ["c"]
    assert prefixes_of(pages) == ["a/", "b/"]


def test_list_objects_v2_with_a_delimiter_under_a_prefix(listed) -> None:
    page = listed.list_objects_v2(oss.ListObjectsV2Request(bucket=BUCKET, prefix="a/", delimiter="/"))
    assert keys_of([page]) == ["a/1", "a/2", "a/3"]
    assert prefixes_of([page]) == ["a/sub/"]
    assert page.key_count == 4


@pytest.mark.parametrize("limit", [1, 2, 4])
def test_list_objects_v2_pages_with_continuation_tokens(listed, limit) -> None:
    pages = list(itertools.islice(listed.list_objects_v2_paginator(limit=limit).iter_page(
        oss.ListObjectsV2Request(bucket=BUCKET, prefix="a/")), MAX_PAGES))
    assert keys_of(pages) == ["a/1", "a/2", "a/3", "a/sub/x", "a/sub/y"]
    assert [page.key_count for page in pages[:-1]] == [limit] * (len(pages) - 1)
    assert pages[-1].next_continuation_token is None and not pages[-1].is_truncated


def test_list_objects_v2_starts_after_a_key(listed) -> None:
    page = listed.list_objects_v2(oss.ListObjectsV2Request(bucket=BUCKET, start_after="a/3"))
    assert keys_of([page]) == ["a/sub/x", "a/sub/y", "b/1", "c"]


def test_list_objects_v2_shows_owners_only_when_asked(listed) -> None:
    plain = listed.list_objects_v2(oss.ListObjectsV2Request(bucket=BUCKET, max_keys=1))
    owned = listed.list_objects_v2(oss.ListObjectsV2Request(bucket=BUCKET, max_keys=1, fetch_owner=True))
    assert plain.contents[0].owner is None
    assert owned.contents[0].owner.id == "1234567890123456"


def test_keys_with_characters_xml_cannot_carry_are_listed(client) -> None:
    key = "state/\x01control&<tag>"
    put(client, key, b"x")
    page = client.list_objects_v2(oss.ListObjectsV2Request(bucket=BUCKET, prefix="state/"))
    assert keys_of([page]) == [key]


def test_a_listing_pages_by_100_by_default_and_1000_at_most(emulator, client) -> None:
    with emulator.database.transaction() as tx:  # delivered in one transaction: 1001 puts would be slow
        for number in range(1001):
            stores.put_object(tx, ORIGIN, BUCKET, f"many/{number:04d}", "{}", stores.JSON)
    default = client.list_objects(oss.ListObjectsRequest(bucket=BUCKET, prefix="many/"))
    assert (len(default.contents), default.is_truncated, default.next_marker) == (100, True, "many/0099")
    most = client.list_objects_v2(oss.ListObjectsV2Request(bucket=BUCKET, prefix="many/", max_keys=1000))
    assert (most.key_count, most.is_truncated) == (1000, True)
    rest = client.list_objects_v2(oss.ListObjectsV2Request(bucket=BUCKET, prefix="many/",
                                                           continuation_token=most.next_continuation_token))
    assert keys_of([rest]) == ["many/1000"] and not rest.is_truncated


@pytest.mark.parametrize("max_keys", [pytest.param(1001, id="over-1000"), pytest.param(0, id="zero")])
def test_max_keys_out_of_range_is_refused(client, max_keys) -> None:
    failure = service_error(lambda: client.list_objects(oss.ListObjectsRequest(bucket=BUCKET, max_keys=max_keys)))
    assert (failure.status_code, failure.code) == (400, "InvalidArgument")


# --- buckets ------------------------------------------------------------------------------------------------


def test_a_bucket_made_through_the_sdk_is_usable_and_joins_the_world(emulator, client) -> None:
    assert client.put_bucket(oss.PutBucketRequest(bucket="ecsops-state-test")).status_code == 200
    put(client, "stack/state.json", b"{}", bucket="ecsops-state-test")
    assert keys_of([client.list_objects(oss.ListObjectsRequest(bucket="ecsops-state-test"))]) == ["stack/state.json"]
    buckets = Admin(emulator.endpoint).world()["buckets"]
    assert {"name": "ecsops-state-test", "region": REGION} in buckets


def test_making_an_existing_bucket_is_refused(client) -> None:
    failure = service_error(lambda: client.put_bucket(oss.PutBucketRequest(bucket=BUCKET)))
    assert (failure.status_code, failure.code) == (409, "BucketAlreadyExists")


CALLS_ON_A_BUCKET = {
    "PutObject": lambda c, b: put(c, "k", b"x", bucket=b),
    "GetObject": lambda c, b: read(c, "k", bucket=b),
    "DeleteObject": lambda c, b: c.delete_object(oss.DeleteObjectRequest(bucket=b, key="k")),
    "ListObjects": lambda c, b: c.list_objects(oss.ListObjectsRequest(bucket=b)),
    "ListObjectsV2": lambda c, b: c.list_objects_v2(oss.ListObjectsV2Request(bucket=b)),
}


@pytest.mark.parametrize("call", CALLS_ON_A_BUCKET.values(), ids=CALLS_ON_A_BUCKET.keys())
def test_every_call_on_an_unknown_bucket_is_no_such_bucket(client, call) -> None:
    failure = service_error(lambda: call(client, "no-such-bucket-here"))
    assert (failure.status_code, failure.code) == (404, "NoSuchBucket")
    assert failure.error_fileds.get("BucketName") == "no-such-bucket-here"


def test_head_on_an_unknown_bucket_is_no_such_bucket(client) -> None:
    failure = service_error(lambda: client.head_object(oss.HeadObjectRequest(bucket="no-such-bucket-here", key="k")))
    assert (failure.status_code, failure.code) == (404, "NoSuchBucket")


# --- the world's buckets and delivered records --------------------------------------------------------------


def test_a_delivered_record_is_listed_and_read_through_the_sdk(emulator, client) -> None:
    record = json.dumps({"InvokeId": "t-hz0test", "Output": "héllo"})
    deliver(emulator, "audit/t-hz0test/i-demo-linux-1.json", record)
    page = client.list_objects_v2(oss.ListObjectsV2Request(bucket=BUCKET, prefix="audit/"))
    assert keys_of([page]) == ["audit/t-hz0test/i-demo-linux-1.json"]
    assert page.contents[0].size == len(record.encode())
    got, data = read(client, "audit/t-hz0test/i-demo-linux-1.json")
    assert data == record.encode()
    assert (got.content_type, got.etag, got.hash_crc64) == (stores.JSON, etag(data), crc64(data))


def test_an_object_put_through_the_sdk_shows_in_the_admin_view(emulator, client) -> None:
    put(client, "state/stack.json", b'{"version": 1}')
    shown = Admin(emulator.endpoint).call("GET", f"oss?bucket={BUCKET}&prefix=state/")["objects"]
    assert [(entry["key"], entry["content"]) for entry in shown] == [("state/stack.json", {"version": 1})]


def test_a_delivery_overwriting_an_sdk_object_wins(emulator, client) -> None:
    put(client, "audit/record.json", BINARY)
    deliver(emulator, "audit/record.json", '{"delivered": true}')
    got, data = read(client, "audit/record.json")
    assert data == b'{"delivered": true}'
    assert (got.etag, got.hash_crc64) == (etag(data), crc64(data))


# --- signatures ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["v4", "v1"])
def test_both_signature_versions_are_accepted(emulator, version) -> None:
    client = oss_client(emulator.endpoint, signature_version=version)
    put(client, "signed/by", version.encode())
    assert read(client, "signed/by")[1] == version.encode()


@pytest.mark.parametrize("version", ["v4", "v1"])
@pytest.mark.parametrize("credentials, code", [
    pytest.param({"access_key_secret": "not-the-secret"}, "SignatureDoesNotMatch", id="wrong-secret"),
    pytest.param({"access_key_id": "nobody"}, "InvalidAccessKeyId", id="unknown-key"),
    pytest.param({"credentials": oss.credentials.AnonymousCredentialsProvider()}, "AccessDenied", id="unsigned"),
])
def test_requests_without_a_valid_signature_are_refused(emulator, credentials, code, version) -> None:
    client = oss_client(emulator.endpoint, signature_version=version, **credentials)
    for call in (lambda: put(client, "signed/by", b"intruder"), lambda: read(client, "signed/by")):
        failure = service_error(call)
        assert (failure.status_code, failure.code) == (403, code)
    assert not oss_client(emulator.endpoint).is_object_exist(BUCKET, "signed/by")


@pytest.mark.parametrize("skew", [pytest.param(timedelta(minutes=-16), id="16-min-late"),
                                  pytest.param(timedelta(minutes=16), id="16-min-early")])
def test_a_request_dated_over_15_minutes_away_is_refused(emulator, skew) -> None:
    client = oss_client(emulator.endpoint, retry_max_attempts=1)
    signed_at = format_datetime(datetime.now(timezone.utc) + skew, usegmt=True)  # the SDK signs at this time
    failure = service_error(lambda: client.put_object(oss.PutObjectRequest(
        bucket=BUCKET, key="signed/late", body=b"x", headers={"x-oss-date": signed_at})))
    assert (failure.status_code, failure.code) == (403, "RequestTimeTooSkewed")
    assert {"RequestTime", "ServerTime"} <= set(failure.error_fileds)


def test_a_request_dated_within_15_minutes_is_accepted(emulator) -> None:
    client = oss_client(emulator.endpoint)
    signed_at = format_datetime(datetime.now(timezone.utc) - timedelta(minutes=10), usegmt=True)
    client.put_object(oss.PutObjectRequest(bucket=BUCKET, key="signed/late", body=b"x",
                                           headers={"x-oss-date": signed_at}))
    assert read(client, "signed/late")[1] == b"x"


def test_a_key_pair_merged_into_the_world_signs_at_once(emulator, admin) -> None:
    admin.world({"account": {"accessKeys": [{"id": ACCESS_KEY_ID, "secret": ACCESS_KEY_SECRET},
                                            {"id": "state-key", "secret": "state-secret"}]}})
    client = oss_client(emulator.endpoint, access_key_id="state-key", access_key_secret="state-secret")
    put(client, "signed/by", b"team")
    assert read(client, "signed/by")[1] == b"team"


def raw_get(emulator: EmulatorServer, path: str, headers: dict[str, str]) -> tuple[int, bytes, Any]:
    connection = http.client.HTTPConnection(emulator.host, emulator.port, timeout=10)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read(), response
    finally:
        connection.close()


def test_a_request_signed_for_one_key_does_not_read_another(emulator, client) -> None:
    """The headers the SDK's own V4 signer made for one key work for it, and not for a key they were not signed
    for: the bucket and key are part of what is signed."""
    put(client, "signed/one", b"one")
    put(client, "signed/other", b"other")
    request = oss.types.HttpRequest("GET", f"{emulator.endpoint}/{BUCKET}/signed/one")
    oss.signer.SignerV4().sign(oss.types.SigningContext(
        product="oss", region=REGION, bucket=BUCKET, key="signed/one", request=request,
        credentials=oss.credentials.Credentials(ACCESS_KEY_ID, ACCESS_KEY_SECRET)))
    headers = dict(request.headers)
    assert raw_get(emulator, f"/{BUCKET}/signed/one", headers)[:2] == (200, b"one")
    status, body, response = raw_get(emulator, f"/{BUCKET}/signed/other", headers)
    assert status == 403 and b"<Code>SignatureDoesNotMatch</Code>" in body
    assert response.getheader("x-oss-request-id")


# --- errors on the wire and what is not served ----------------------------------------------------------------


def test_errors_are_oss_xml_with_a_request_id(emulator, client) -> None:
    failure = service_error(lambda: read(client, "never/there"))
    assert failure.code == "NoSuchKey" and failure.message == "The specified key does not exist."
    assert failure.error_fileds["Key"] == "never/there"
    assert failure.request_id == failure.headers["x-oss-request-id"] and len(failure.request_id) == 24
    assert failure.headers["Content-Type"] == "application/xml"


def test_an_operation_the_emulator_does_not_serve_is_not_implemented(client) -> None:
    put(client, "state/tagged", b"x")
    failure = service_error(lambda: client.get_object_tagging(oss.GetObjectTaggingRequest(bucket=BUCKET,
                                                                                          key="state/tagged")))
    assert (failure.status_code, failure.code) == (501, "NotImplemented")


def test_the_rpc_apis_still_answer_at_the_root(ecs) -> None:
    assert ecs.describe_instances(models.DescribeInstancesRequest(region_id=REGION)).body.total_count == 6


# --- the request log -----------------------------------------------------------------------------------------


def test_oss_calls_are_logged_with_their_outcome_and_never_their_bodies(emulator, client) -> None:
    secret_body = b"the-state-body-must-not-be-logged"
    put(client, "state/lock", secret_body, forbid_overwrite=True)
    service_error(lambda: put(client, "state/lock", secret_body, forbid_overwrite=True))
    read(client, "state/lock")
    client.head_object(oss.HeadObjectRequest(bucket=BUCKET, key="state/lock"))
    client.list_objects(oss.ListObjectsRequest(bucket=BUCKET, prefix="state/"))
    client.list_objects_v2(oss.ListObjectsV2Request(bucket=BUCKET, prefix="state/"))
    client.delete_object(oss.DeleteObjectRequest(bucket=BUCKET, key="state/lock"))
    client.put_bucket(oss.PutBucketRequest(bucket="ecsops-logged"))
    service_error(lambda: read(oss_client(emulator.endpoint, access_key_secret="wrong"), "state/lock"))

    log = oss_log(emulator)
    assert [(entry["action"], entry["kind"], entry["status"], entry["code"]) for entry in log] == [
        ("PutObject", "write", 200, None),
        ("PutObject", "write", 409, "FileAlreadyExists"),
        ("GetObject", "read", 200, None),
        ("HeadObject", "read", 200, None),
        ("ListObjects", "read", 200, None),
        ("ListObjectsV2", "read", 200, None),
        ("DeleteObject", "write", 204, None),
        ("PutBucket", "write", 200, None),
        ("GetObject", "read", 403, "SignatureDoesNotMatch"),
    ]
    assert log[0]["params"] == {"bucket": BUCKET, "key": "state/lock", "x-oss-forbid-overwrite": "true"}
    assert log[4]["params"]["prefix"] == "state/"
    assert all(entry["product"] == "oss" and entry["requestId"] for entry in log)
    assert secret_body.decode() not in json.dumps(Admin(emulator.endpoint).requests())


def test_the_log_counts_the_writes_of_a_sequence_of_calls(emulator, client) -> None:
    for number in range(3):
        put(client, f"state/{number}", b"x")
    read(client, "state/0")
    writes = Admin(emulator.endpoint).requests(product="oss", kind="write")
    assert [entry["params"]["key"] for entry in writes] == ["state/0", "state/1", "state/2"]


# --- a database made before the OSS API -------------------------------------------------------------------------


def test_objects_delivered_before_the_migration_are_served_as_bytes(tmp_path) -> None:
    """A file at the schema before objects were bytes keeps its text objects, readable through the API's models."""
    path = tmp_path / "old.db"
    old = sqlite3.connect(path, isolation_level=None)
    for script in MIGRATIONS[:6]:
        old.executescript(script)
    old.execute("PRAGMA user_version = 6")
    old.execute("INSERT INTO buckets (name, region) VALUES (?, ?)", (BUCKET, REGION))
    old.execute("INSERT INTO oss_objects (bucket, key, content_type, body, last_modified) VALUES (?, ?, ?, ?, ?)",
                (BUCKET, "audit/old.json", stores.JSON, '{"é": 1}', "2026-11-21T00:00:00Z"))
    old.close()

    database = Database(path, MIGRATIONS)
    try:
        with database.transaction() as tx:
            stored = objects.get(tx, BUCKET, "audit/old.json")
    finally:
        database.close()
    data = '{"é": 1}'.encode()
    assert (stored.data, stored.etag, stored.crc64, stored.size) == (data, etag(data), crc64(data), len(data))
